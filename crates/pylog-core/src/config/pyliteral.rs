//! The values of fileConfig's `args=` and `kwargs=`: Python expressions made of literals.
//!
//! CPython `eval`s them in the `logging` module's namespace. Here they are parsed, never run:
//! numbers, strings, `True`/`False`/`None`, tuples, lists and dicts with string keys, and names.
//! A name (`sys.stdout`, `handlers.SysLogHandler.LOG_USER`, `DEBUG`) becomes the string
//! `ext://<name>` for the configurator to resolve. Anything that would run code (calls,
//! operators, subscripts, comprehensions) is an error that names the construct and its position.
//!
//! The tokenizer follows CPython 3.11's: the same number and string forms, escapes, implicit
//! string concatenation, `#` comments, newlines inside brackets, and CPython's syntax error texts
//! where there is one (`'(' was never closed`, `invalid decimal literal`, ...).

use super::{ConfigError, ConfigMap, ConfigValue};
use crate::format::repr::py_repr;

/// CPython's tokenizer refuses deeper nesting (`MAXLEVEL`); the limit also bounds recursion here.
const MAX_NESTING: usize = 200;

/// Parses a Python expression made of literals: what `args=(...)` and `kwargs={...}` hold in real
/// files.
///
/// Tuples and lists become [`ConfigValue::List`], dicts [`ConfigValue::Map`] (a key given twice
/// keeps its first place and last value, as in Python), and a dotted name
/// `ConfigValue::Str("ext://<name>")`. Like `eval`, a top-level `a, b` is a tuple and leading
/// spaces and tabs are ignored.
///
/// Integers must fit in an `i64`. Not supported although Python has them: complex numbers,
/// bytes, f-strings, sets, `...`, `\N{...}` escapes and lone surrogates (`'\ud800'`).
pub(crate) fn parse_literal(text: &str) -> Result<ConfigValue, ConfigError> {
    let tokens = Lexer::new(text)
        .tokens()
        .map_err(|failure| failure.into_error(text))?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        nesting: 0,
    };
    parser.top().map_err(|failure| failure.into_error(text))
}

/// What went wrong, and where (a byte offset into the text).
#[derive(Debug)]
struct Failure {
    kind: FailureKind,
    at: usize,
}

#[derive(Debug)]
enum FailureKind {
    /// Not Python: the text is CPython's `SyntaxError` message where it has a specific one.
    Syntax(String),
    /// Python, but not a literal: "a call of os.path.join", "the operator '+'".
    NotLiteral(String),
    /// A literal this parser does not represent: an integer out of range, a non-string key.
    Unsupported(String),
}

impl Failure {
    fn syntax(at: usize, message: impl Into<String>) -> Failure {
        Failure {
            kind: FailureKind::Syntax(message.into()),
            at,
        }
    }

    fn not_literal(at: usize, what: impl Into<String>) -> Failure {
        Failure {
            kind: FailureKind::NotLiteral(what.into()),
            at,
        }
    }

    fn unsupported(at: usize, message: impl Into<String>) -> Failure {
        Failure {
            kind: FailureKind::Unsupported(message.into()),
            at,
        }
    }

    fn into_error(self, text: &str) -> ConfigError {
        let message = match self.kind {
            FailureKind::Syntax(message) if message == "invalid syntax" => message,
            FailureKind::Syntax(message) => format!("invalid syntax: {message}"),
            FailureKind::NotLiteral(what) => {
                format!("only literal values are supported, found {what}")
            }
            FailureKind::Unsupported(message) => message,
        };
        ConfigError::new(format!(
            "{message} at {} in {}",
            location(text, self.at),
            py_repr(text)
        ))
    }
}

/// `column 5`, or `line 2, column 5` in a text of several lines; 1-based, in characters.
fn location(text: &str, at: usize) -> String {
    let at = floor_char_boundary(text, at);
    let before = &text[..at];
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    if text.contains(['\n', '\r']) {
        let line = universal_line_count(before) + 1;
        format!("line {line}, column {column}")
    } else {
        format!("column {column}")
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The number of line ends in `text`, `\r\n` counting once.
fn universal_line_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            count += 1;
        }
    }
    count
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// An integer literal; larger ones are refused by the lexer.
    Int(i128),
    Float(f64),
    Str(String),
    Name(String),
    Keyword(&'static str),
    /// Brackets, punctuation and operators.
    Op(&'static str),
    /// A line end outside brackets.
    Newline,
    End,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    at: usize,
}

/// Python 3.11's keywords, which are never names.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Operators and punctuation, longest first.
const OPERATORS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
    ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|=", "!", "%", "&", "(", ")", "*", "+", ",",
    "-", ".", "/", ":", ";", "<", "=", ">", "@", "[", "]", "^", "{", "|", "}", "~",
];

fn is_id_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || (!c.is_ascii() && c.is_alphabetic())
}

fn is_id_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || (!c.is_ascii() && c.is_alphanumeric())
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    /// Open brackets: the character and its offset.
    brackets: Vec<(char, usize)>,
    /// At the start of a line after a newline outside brackets, where indentation is an error.
    line_start: bool,
    tokens: Vec<Token>,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Lexer<'a> {
        // eval() ignores leading spaces and tabs.
        let pos = text.len() - text.trim_start_matches([' ', '\t']).len();
        Lexer {
            text,
            pos,
            brackets: Vec::new(),
            line_start: false,
            tokens: Vec::new(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.text[self.pos..].chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn push(&mut self, tok: Tok, at: usize) {
        self.tokens.push(Token { tok, at });
    }

    fn tokens(mut self) -> Result<Vec<Token>, Failure> {
        if let Some(nul) = self.text.find('\0') {
            return Err(Failure::syntax(
                nul,
                "source code string cannot contain null bytes",
            ));
        }
        loop {
            let indent_start = self.pos;
            while matches!(self.peek(), Some(' ' | '\t' | '\x0c')) {
                self.pos += 1;
            }
            let indented = self.pos > indent_start;
            let at = self.pos;
            let Some(c) = self.peek() else {
                break;
            };
            match c {
                '\n' | '\r' => {
                    self.bump();
                    if c == '\r' && self.peek() == Some('\n') {
                        self.bump();
                    }
                    if self.brackets.is_empty() {
                        self.push(Tok::Newline, at);
                        self.line_start = true;
                    }
                    continue;
                }
                '#' => {
                    while !matches!(self.peek(), None | Some('\n' | '\r')) {
                        self.bump();
                    }
                    continue;
                }
                '\\' => {
                    self.bump();
                    match self.peek() {
                        Some('\n') => {
                            self.bump();
                        }
                        Some('\r') => {
                            self.bump();
                            if self.peek() == Some('\n') {
                                self.bump();
                            }
                        }
                        _ => {
                            return Err(Failure::syntax(
                                at,
                                "unexpected character after line continuation character",
                            ));
                        }
                    }
                    continue;
                }
                _ => {}
            }
            if self.line_start && indented {
                return Err(Failure::syntax(at, "unexpected indent"));
            }
            self.line_start = false;
            if c.is_ascii_digit()
                || (c == '.' && self.peek_at(1).is_some_and(|d| d.is_ascii_digit()))
            {
                self.number()?;
            } else if c == '\'' || c == '"' {
                self.string("", at)?;
            } else if is_id_start(c) {
                self.name()?;
            } else if let Some(op) = OPERATORS
                .iter()
                .copied()
                .find(|op| self.text[self.pos..].starts_with(op))
            {
                self.pos += op.len();
                self.bracket(op, at)?;
                self.push(Tok::Op(op), at);
            } else if c.is_control() || c.is_whitespace() || c == '\u{feff}' {
                return Err(Failure::syntax(
                    at,
                    format!("invalid non-printable character U+{:04X}", u32::from(c)),
                ));
            } else {
                return Err(Failure::syntax(
                    at,
                    format!("invalid character '{c}' (U+{:04X})", u32::from(c)),
                ));
            }
        }
        if let Some(&(open, at)) = self.brackets.last() {
            return Err(Failure::syntax(at, format!("'{open}' was never closed")));
        }
        let end = self.text.len();
        self.push(Tok::End, end);
        Ok(self.tokens)
    }

    /// Keeps the stack of open brackets, with CPython's errors for mismatches.
    fn bracket(&mut self, op: &str, at: usize) -> Result<(), Failure> {
        let closing = |open: char| match open {
            '(' => ')',
            '[' => ']',
            _ => '}',
        };
        match op {
            "(" | "[" | "{" => {
                if self.brackets.len() >= MAX_NESTING {
                    return Err(Failure::syntax(at, "too many nested parentheses"));
                }
                self.brackets.extend(op.chars().map(|open| (open, at)));
            }
            ")" | "]" | "}" => {
                let Some((open, _)) = self.brackets.pop() else {
                    return Err(Failure::syntax(at, format!("unmatched '{op}'")));
                };
                if op.chars().ne([closing(open)]) {
                    return Err(Failure::syntax(
                        at,
                        format!(
                            "closing parenthesis '{op}' does not match opening parenthesis \
                             '{open}'"
                        ),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A name, a keyword, or the prefix of a string (`r'...'`).
    fn name(&mut self) -> Result<(), Failure> {
        let at = self.pos;
        while self.peek().is_some_and(is_id_continue) {
            self.bump();
        }
        let word = &self.text[at..self.pos];
        if matches!(self.peek(), Some('\'' | '"'))
            && matches!(
                word.to_ascii_lowercase().as_str(),
                "r" | "u" | "b" | "br" | "rb" | "f" | "fr" | "rf"
            )
        {
            let prefix = word.to_ascii_lowercase();
            return self.string(&prefix, at);
        }
        let tok = match KEYWORDS.iter().find(|k| **k == word) {
            Some(keyword) => Tok::Keyword(keyword),
            None => Tok::Name(word.to_owned()),
        };
        self.push(tok, at);
        Ok(())
    }

    /// A string literal; `self.pos` is at its opening quote, `at` at its prefix.
    fn string(&mut self, prefix: &str, at: usize) -> Result<(), Failure> {
        if prefix.contains('b') {
            return Err(Failure::unsupported(at, "bytes literals are not supported"));
        }
        if prefix.contains('f') {
            return Err(Failure::not_literal(at, "an f-string"));
        }
        let raw = prefix.contains('r');
        let Some(quote) = self.bump() else {
            return Err(Failure::syntax(at, "unterminated string literal"));
        };
        let triple = self.peek() == Some(quote) && self.peek_at(1) == Some(quote);
        if triple {
            self.bump();
            self.bump();
        }
        let mut value = String::new();
        loop {
            let here = self.pos;
            let Some(c) = self.bump() else {
                let line = universal_line_count(self.text) + 1;
                let message = if triple {
                    format!("unterminated triple-quoted string literal (detected at line {line})")
                } else {
                    format!("unterminated string literal (detected at line {line})")
                };
                return Err(Failure::syntax(at, message));
            };
            match c {
                c if c == quote => {
                    if !triple {
                        break;
                    }
                    if self.peek() == Some(quote) && self.peek_at(1) == Some(quote) {
                        self.bump();
                        self.bump();
                        break;
                    }
                    value.push(c);
                }
                '\n' | '\r' => {
                    if !triple {
                        let line = universal_line_count(&self.text[..here]) + 1;
                        return Err(Failure::syntax(
                            at,
                            format!("unterminated string literal (detected at line {line})"),
                        ));
                    }
                    if c == '\r' && self.peek() == Some('\n') {
                        self.bump();
                    }
                    value.push('\n');
                }
                '\\' if raw => {
                    // In a raw string a backslash stays, and the quote after it does not end the
                    // string.
                    value.push('\\');
                    match self.bump() {
                        Some('\r') => {
                            if self.peek() == Some('\n') {
                                self.bump();
                            }
                            value.push('\n');
                        }
                        Some(next) => value.push(next),
                        None => {}
                    }
                }
                '\\' => self.escape(&mut value, here)?,
                c => value.push(c),
            }
        }
        self.push(Tok::Str(value), at);
        Ok(())
    }

    /// One escape sequence after its backslash, at offset `at`.
    fn escape(&mut self, value: &mut String, at: usize) -> Result<(), Failure> {
        let Some(c) = self.bump() else {
            // The unterminated-string error follows.
            return Ok(());
        };
        let simple = match c {
            '\n' => Some(None),
            '\r' => {
                if self.peek() == Some('\n') {
                    self.bump();
                }
                Some(None)
            }
            '\\' => Some(Some('\\')),
            '\'' => Some(Some('\'')),
            '"' => Some(Some('"')),
            'a' => Some(Some('\x07')),
            'b' => Some(Some('\x08')),
            'f' => Some(Some('\x0c')),
            'n' => Some(Some('\n')),
            'r' => Some(Some('\r')),
            't' => Some(Some('\t')),
            'v' => Some(Some('\x0b')),
            _ => None,
        };
        if let Some(pushed) = simple {
            value.extend(pushed);
            return Ok(());
        }
        match c {
            '0'..='7' => {
                let mut n = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            n = n * 8 + d;
                            self.bump();
                        }
                        None => break,
                    }
                }
                // At most 0o777: always a character.
                value.extend(char::from_u32(n));
            }
            'x' | 'u' | 'U' => {
                let (digits, name) = match c {
                    'x' => (2, "\\xXX"),
                    'u' => (4, "\\uXXXX"),
                    _ => (8, "\\UXXXXXXXX"),
                };
                let mut n: u32 = 0;
                for _ in 0..digits {
                    match self.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            n = n * 16 + d;
                            self.bump();
                        }
                        None => {
                            return Err(Failure::syntax(at, format!("truncated {name} escape")));
                        }
                    }
                }
                match char::from_u32(n) {
                    Some(ch) => value.push(ch),
                    None if (0xd800..0xe000).contains(&n) => {
                        return Err(Failure::unsupported(
                            at,
                            format!(
                                "the lone surrogate \\{c}{n:0width$x} cannot be represented",
                                width = digits
                            ),
                        ));
                    }
                    None => return Err(Failure::syntax(at, "illegal Unicode character")),
                }
            }
            'N' => {
                if self.peek() != Some('{') {
                    return Err(Failure::syntax(at, "malformed \\N character escape"));
                }
                return Err(Failure::unsupported(
                    at,
                    "\\N{...} escapes (Unicode character names) are not supported",
                ));
            }
            other => {
                // An unknown escape keeps its backslash (CPython warns).
                value.push('\\');
                value.push(other);
            }
        }
        Ok(())
    }

    /// A number: CPython's tokenizer rules for digits, underscores, prefixes and exponents.
    fn number(&mut self) -> Result<(), Failure> {
        let at = self.pos;
        if self.peek() == Some('0') {
            let base = match self.peek_at(1) {
                Some('x' | 'X') => Some((16, "hexadecimal")),
                Some('o' | 'O') => Some((8, "octal")),
                Some('b' | 'B') => Some((2, "binary")),
                _ => None,
            };
            if let Some((radix, name)) = base {
                self.pos += 2;
                return self.radix_int(at, radix, name);
            }
        }
        let mut is_float = false;
        if self.peek() != Some('.') {
            self.decimal_digits(at)?;
        }
        if self.peek() == Some('.') {
            is_float = true;
            self.bump();
            if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.decimal_digits(at)?;
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let exponent_ok = match self.peek_at(1) {
                Some('+' | '-') => self.peek_at(2).is_some_and(|c| c.is_ascii_digit()),
                Some(c) => c.is_ascii_digit(),
                None => false,
            };
            if !exponent_ok {
                return Err(Failure::syntax(at, "invalid decimal literal"));
            }
            is_float = true;
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            self.decimal_digits(at)?;
        }
        if matches!(self.peek(), Some('j' | 'J')) {
            return Err(Failure::unsupported(
                at,
                "complex numbers are not supported",
            ));
        }
        if self.peek().is_some_and(is_id_start) {
            return Err(Failure::syntax(at, "invalid decimal literal"));
        }
        let literal: String = self.text[at..self.pos]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        if is_float {
            let value = literal
                .parse::<f64>()
                .map_err(|_| Failure::syntax(at, "invalid decimal literal"))?;
            self.push(Tok::Float(value), at);
        } else {
            if literal.starts_with('0') && literal.bytes().any(|b| b != b'0') {
                return Err(Failure::syntax(
                    at,
                    "leading zeros in decimal integer literals are not permitted; use an 0o \
                     prefix for octal integers",
                ));
            }
            let value = int_value(&literal, 10).ok_or_else(|| too_large(at, &literal))?;
            self.push(Tok::Int(value), at);
        }
        Ok(())
    }

    /// Decimal digits with single underscores between them.
    fn decimal_digits(&mut self, at: usize) -> Result<(), Failure> {
        if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return Err(Failure::syntax(at, "invalid decimal literal"));
        }
        loop {
            match self.peek() {
                Some(c) if c.is_ascii_digit() => {
                    self.bump();
                }
                Some('_') if self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) => {
                    self.bump();
                }
                Some('_') => return Err(Failure::syntax(at, "invalid decimal literal")),
                _ => return Ok(()),
            }
        }
    }

    /// The digits of `0x`, `0o` and `0b` literals; `self.pos` is after the prefix.
    fn radix_int(&mut self, at: usize, radix: u32, name: &str) -> Result<(), Failure> {
        let digits_start = self.pos;
        let mut any = false;
        loop {
            match self.peek() {
                Some('_') if self.peek_at(1).is_some_and(|c| c.is_digit(radix)) => {
                    self.bump();
                }
                Some(c) if c.is_digit(radix) => {
                    any = true;
                    self.bump();
                }
                Some(c) if c.is_ascii_digit() => {
                    return Err(Failure::syntax(
                        at,
                        format!("invalid digit '{c}' in {name} literal"),
                    ));
                }
                _ => break,
            }
        }
        if !any || self.peek().is_some_and(|c| c == '_' || is_id_continue(c)) {
            return Err(Failure::syntax(at, format!("invalid {name} literal")));
        }
        let digits: String = self.text[digits_start..self.pos]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        let value =
            int_value(&digits, radix).ok_or_else(|| too_large(at, &self.text[at..self.pos]))?;
        self.push(Tok::Int(value), at);
        Ok(())
    }
}

/// The value of validated digits, if it is small enough to negate and still check the range.
fn int_value(digits: &str, radix: u32) -> Option<i128> {
    let value = u128::from_str_radix(digits, radix).ok()?;
    i128::try_from(value).ok()
}

fn too_large(at: usize, literal: &str) -> Failure {
    Failure::unsupported(at, format!("the integer {literal} does not fit in 64 bits"))
}

/// A parsed expression before it becomes a [`ConfigValue`]: integers keep i128 precision until
/// the signs in front of them are applied (so `-9223372036854775808` fits), and names are told
/// apart from strings (a name is no dict key, and has no sign).
enum Expr {
    Int(i128),
    Float(f64),
    Name(String),
    Value(ConfigValue),
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// How many brackets the parser is inside.
    nesting: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        // The lexer ends the list with End, and `advance` never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if token.tok != Tok::End {
            self.pos += 1;
        }
        token
    }

    fn at_op(&self, op: &str) -> bool {
        matches!(&self.peek().tok, Tok::Op(o) if *o == op)
    }

    /// `NEWLINE* expression_list NEWLINE* END`, as `eval` accepts.
    fn top(&mut self) -> Result<ConfigValue, Failure> {
        while self.peek().tok == Tok::Newline {
            self.advance();
        }
        if self.peek().tok == Tok::End {
            return Err(Failure::syntax(
                self.peek().at,
                "expected a value, found nothing",
            ));
        }
        let (expr, at) = self.expression_list(None)?;
        let value = into_value(expr, at)?;
        while self.peek().tok == Tok::Newline {
            self.advance();
        }
        let token = self.peek().clone();
        if token.tok != Tok::End {
            return Err(unexpected(&token));
        }
        Ok(value)
    }

    /// `expr (',' expr)* [',']` up to `close` (or the end of the text): a tuple if there is a
    /// comma, else the one expression (so `(5)` is 5 and `-(5)` is -5).
    fn expression_list(&mut self, close: Option<&str>) -> Result<(Expr, usize), Failure> {
        let (first, at) = self.expression()?;
        if !self.at_op(",") {
            return Ok((first, at));
        }
        let mut items = vec![into_value(first, at)?];
        while self.at_op(",") {
            self.advance();
            let ends = match close {
                Some(close) => self.at_op(close),
                None => matches!(self.peek().tok, Tok::End | Tok::Newline),
            };
            if ends {
                break;
            }
            items.push(self.value()?);
        }
        Ok((Expr::Value(ConfigValue::List(items)), at))
    }

    fn value(&mut self) -> Result<ConfigValue, Failure> {
        let (expr, at) = self.expression()?;
        into_value(expr, at)
    }

    /// One operand with its signs, then a check that what follows does not make it part of a
    /// larger expression (`1 + 2`, `f(x)`, `x if y else z`).
    fn expression(&mut self) -> Result<(Expr, usize), Failure> {
        let expr = self.unary()?;
        let token = self.peek();
        if let Some(what) = continuation(&token.tok) {
            return Err(Failure::not_literal(token.at, what));
        }
        Ok(expr)
    }

    /// `('-' | '+')* atom`; returns the expression and where it starts.
    fn unary(&mut self) -> Result<(Expr, usize), Failure> {
        let start = self.peek().at;
        let mut negative = None;
        while self.at_op("-") || self.at_op("+") {
            let minus = self.advance().tok == Tok::Op("-");
            negative = Some(negative.unwrap_or(false) ^ minus);
        }
        let expr = self.atom()?;
        let Some(negative) = negative else {
            return Ok((expr, start));
        };
        let expr = match expr {
            Expr::Int(i) => Expr::Int(if negative { -i } else { i }),
            Expr::Float(x) => Expr::Float(if negative { -x } else { x }),
            Expr::Name(_) => {
                return Err(Failure::not_literal(start, "a sign applied to a name"));
            }
            Expr::Value(_) => {
                return Err(Failure::not_literal(
                    start,
                    "a sign applied to a value that is not a number",
                ));
            }
        };
        Ok((expr, start))
    }

    fn atom(&mut self) -> Result<Expr, Failure> {
        let token = self.advance();
        let expr = match token.tok {
            Tok::Int(i) => Expr::Int(i),
            Tok::Float(x) => Expr::Float(x),
            Tok::Str(mut s) => {
                // Adjacent string literals are one string.
                while let Tok::Str(next) = &self.peek().tok {
                    s.push_str(next);
                    self.advance();
                }
                Expr::Value(ConfigValue::Str(s))
            }
            Tok::Keyword("True") => Expr::Value(ConfigValue::Bool(true)),
            Tok::Keyword("False") => Expr::Value(ConfigValue::Bool(false)),
            Tok::Keyword("None") => Expr::Value(ConfigValue::Null),
            Tok::Name(first) => return self.dotted_name(first),
            Tok::Op(open @ ("(" | "[" | "{")) => {
                self.nesting += 1;
                let expr = match open {
                    "(" => self.parenthesised()?,
                    "[" => Expr::Value(self.list()?),
                    _ => Expr::Value(self.dict(token.at)?),
                };
                self.nesting -= 1;
                expr
            }
            // `[*a]` unpacks; a bare `*a,` is not even an expression.
            Tok::Op("*") if self.nesting > 0 => {
                return Err(Failure::not_literal(token.at, "unpacking (*)"));
            }
            Tok::Op("*") => return Err(Failure::syntax(token.at, "invalid syntax")),
            Tok::Op("...") => {
                return Err(Failure::unsupported(
                    token.at,
                    "Ellipsis (...) is not supported",
                ));
            }
            _ => return Err(unexpected(&token)),
        };
        // `'a'.upper`, `(1)(2)`, `[1][0]`.
        let next = self.peek();
        match next.tok {
            Tok::Op(".") => Err(Failure::not_literal(next.at, "an attribute access")),
            Tok::Op("(") => Err(Failure::not_literal(next.at, "a call")),
            Tok::Op("[") => Err(Failure::not_literal(next.at, "a subscript")),
            _ => Ok(expr),
        }
    }

    /// `NAME ('.' NAME)*`, which becomes `ext://NAME.NAME`.
    fn dotted_name(&mut self, first: String) -> Result<Expr, Failure> {
        let mut name = first;
        while self.at_op(".") {
            self.advance();
            let token = self.advance();
            match token.tok {
                Tok::Name(part) => {
                    name.push('.');
                    name.push_str(&part);
                }
                // `a.if`, `a.1`: an attribute must be a name.
                _ => return Err(Failure::syntax(token.at, "invalid syntax")),
            }
        }
        let next = self.peek();
        match next.tok {
            Tok::Op("(") => Err(Failure::not_literal(next.at, format!("a call of {name}"))),
            Tok::Op("[") => Err(Failure::not_literal(
                next.at,
                format!("a subscript of {name}"),
            )),
            _ => Ok(Expr::Name(name)),
        }
    }

    /// After `(`: `()`, `(x)`, `(x,)`, `(x, y)`.
    fn parenthesised(&mut self) -> Result<Expr, Failure> {
        if self.at_op(")") {
            self.advance();
            return Ok(Expr::Value(ConfigValue::List(Vec::new())));
        }
        let (expr, _) = self.expression_list(Some(")"))?;
        self.expect(")")?;
        Ok(expr)
    }

    /// After `[`.
    fn list(&mut self) -> Result<ConfigValue, Failure> {
        let mut items = Vec::new();
        while !self.at_op("]") {
            items.push(self.value()?);
            if !self.at_op(",") {
                break;
            }
            self.advance();
        }
        self.expect("]")?;
        Ok(ConfigValue::List(items))
    }

    /// After `{`: a dict with string keys. A set is refused.
    fn dict(&mut self, open_at: usize) -> Result<ConfigValue, Failure> {
        let mut map = ConfigMap::new();
        while !self.at_op("}") {
            if self.at_op("**") {
                return Err(Failure::not_literal(self.peek().at, "dict unpacking (**)"));
            }
            let (key, key_at) = self.expression()?;
            if !self.at_op(":") {
                let token = self.peek();
                if matches!(token.tok, Tok::Op("," | "}")) {
                    return Err(Failure::unsupported(open_at, "sets are not supported"));
                }
                return Err(unexpected(token));
            }
            self.advance();
            if self.at_op(",") || self.at_op("}") {
                return Err(Failure::syntax(
                    self.peek().at,
                    "expression expected after dictionary key and ':'",
                ));
            }
            // Checked after the value, so `{k: v for ...}` is reported as a comprehension.
            let value = self.value()?;
            let key = match key {
                Expr::Value(ConfigValue::Str(key)) => key,
                Expr::Name(name) => {
                    return Err(Failure::unsupported(
                        key_at,
                        format!("dict keys must be strings, found the name {name}"),
                    ));
                }
                other => {
                    let found = into_value(other, key_at)?;
                    return Err(Failure::unsupported(
                        key_at,
                        format!("dict keys must be strings, found {}", found.type_name()),
                    ));
                }
            };
            map.insert(key, value);
            if !self.at_op(",") {
                break;
            }
            self.advance();
        }
        self.expect("}")?;
        Ok(ConfigValue::Map(map))
    }

    fn expect(&mut self, op: &str) -> Result<(), Failure> {
        if self.at_op(op) {
            self.advance();
            return Ok(());
        }
        Err(unexpected(self.peek()))
    }
}

fn into_value(expr: Expr, at: usize) -> Result<ConfigValue, Failure> {
    Ok(match expr {
        Expr::Int(i) => match i64::try_from(i) {
            Ok(i) => ConfigValue::Int(i),
            Err(_) => {
                return Err(Failure::unsupported(
                    at,
                    format!("the integer {i} does not fit in 64 bits"),
                ));
            }
        },
        Expr::Float(x) => ConfigValue::Float(x),
        Expr::Name(name) => ConfigValue::Str(format!("ext://{name}")),
        Expr::Value(value) => value,
    })
}

/// The error for a token that cannot come where it is.
fn unexpected(token: &Token) -> Failure {
    if let Some(what) = continuation(&token.tok) {
        return Failure::not_literal(token.at, what);
    }
    match &token.tok {
        Tok::Keyword("lambda") => Failure::not_literal(token.at, "a lambda"),
        Tok::Keyword(k @ ("await" | "yield")) => {
            Failure::not_literal(token.at, format!("the keyword '{k}'"))
        }
        Tok::Op("~") => Failure::not_literal(token.at, "the operator '~'"),
        Tok::End => Failure::syntax(token.at, "unexpected end of text"),
        Tok::Newline => Failure::syntax(token.at, "unexpected line end"),
        _ => Failure::syntax(token.at, "invalid syntax"),
    }
}

/// A token after a complete value that would make the value an operand of something that is not
/// a literal; None when the token can follow a value (`,`, a closing bracket, `:`, the end).
fn continuation(tok: &Tok) -> Option<String> {
    let what = match tok {
        Tok::Op("(") => "a call".to_owned(),
        Tok::Op("[") => "a subscript".to_owned(),
        Tok::Op(".") => "an attribute access".to_owned(),
        Tok::Op(":=") => "an assignment expression (:=)".to_owned(),
        Tok::Op("=") => "'=' (an assignment or keyword argument)".to_owned(),
        Tok::Keyword("for" | "async") => "a comprehension".to_owned(),
        Tok::Keyword("if") => "a conditional expression (if/else)".to_owned(),
        Tok::Keyword(k @ ("and" | "or" | "in" | "is" | "not")) => format!("the operator '{k}'"),
        Tok::Op(
            op @ ("+" | "-" | "*" | "/" | "//" | "%" | "**" | "@" | "<<" | ">>" | "&" | "|" | "^"
            | "<" | ">" | "<=" | ">=" | "==" | "!="),
        ) => format!("the operator '{op}'"),
        Tok::Op(
            op @ ("+=" | "-=" | "*=" | "/=" | "//=" | "%=" | "**=" | "@=" | "<<=" | ">>=" | "&="
            | "|=" | "^="),
        ) => format!("an assignment ({op})"),
        _ => return None,
    };
    Some(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What CPython 3.11 makes of a text (testdata/literal_cases.py).
    enum Py {
        /// eval() gives this value, names standing for `ext://` strings, in ConfigValue's display.
        Value(&'static str),
        /// A SyntaxError with this message.
        Syntax(&'static str),
        /// Valid Python that is not a literal: the ast node that makes it so.
        NotLiteral(&'static str),
        /// A literal with no ConfigValue: why.
        Unsupported(&'static str),
    }

    include!("testdata/literal_cases.rs");

    fn error(text: &str) -> String {
        match parse_literal(text) {
            Ok(value) => panic!("{text:?} parsed as {value}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn matches_cpython() {
        for (text, expected) in LITERAL_CASES {
            match expected {
                Py::Value(shown) => match parse_literal(text) {
                    Ok(value) => assert_eq!(value.to_string(), *shown, "{text:?}"),
                    Err(e) => panic!("{text:?}: {e}"),
                },
                Py::Syntax(message) => {
                    let got = error(text);
                    assert!(got.starts_with("invalid syntax"), "{text:?}: {got}");
                    // CPython's specific messages are kept; its generic ones may be more precise
                    // here.
                    if !message.starts_with("invalid syntax") {
                        assert!(got.contains(message), "{text:?}: {got}\nCPython: {message}");
                    }
                }
                Py::NotLiteral(node) => {
                    let got = error(text);
                    assert!(
                        got.starts_with("only literal values are supported, found "),
                        "{text:?} ({node}): {got}"
                    );
                }
                Py::Unsupported(reason) => {
                    let fragment = match *reason {
                        "int-range" => "does not fit in 64 bits",
                        "surrogate" => "lone surrogate",
                        "named-escape" => "\\N{...} escapes",
                        "bytes" => "bytes literals are not supported",
                        "dict-key" => "dict keys must be strings",
                        "ellipsis" => "Ellipsis (...) is not supported",
                        "complex" => "complex numbers are not supported",
                        "set" => "sets are not supported",
                        other => panic!("no expectation for {other}"),
                    };
                    let got = error(text);
                    assert!(got.contains(fragment), "{text:?}: {got}");
                }
            }
        }
    }

    #[test]
    fn values_have_the_expected_types() {
        assert_eq!(
            parse_literal("(sys.stdout, 'a', 1, 1.5, True, None, [2], {'k': 'v'})").unwrap(),
            ConfigValue::List(vec![
                ConfigValue::Str("ext://sys.stdout".into()),
                ConfigValue::Str("a".into()),
                ConfigValue::Int(1),
                ConfigValue::Float(1.5),
                ConfigValue::Bool(true),
                ConfigValue::Null,
                ConfigValue::List(vec![ConfigValue::Int(2)]),
                ConfigValue::map([("k", ConfigValue::from("v"))]),
            ])
        );
        assert_eq!(
            parse_literal("-9223372036854775808").unwrap(),
            ConfigValue::Int(i64::MIN)
        );
        assert_eq!(
            parse_literal("0x7fffffffffffffff").unwrap(),
            ConfigValue::Int(i64::MAX)
        );
        let ConfigValue::Float(x) = parse_literal("-0.0").unwrap() else {
            panic!("not a float")
        };
        assert!(x == 0.0 && x.is_sign_negative());
    }

    #[test]
    fn errors_name_the_construct_and_where_it_is() {
        let cases = [
            (
                "(os.path.join('a', 'b'),)",
                "only literal values are supported, found a call of os.path.join at column 14 \
                 in \"(os.path.join('a', 'b'),)\"",
            ),
            (
                "('a' + 'b',)",
                "only literal values are supported, found the operator '+' at column 6 in \
                 \"('a' + 'b',)\"",
            ),
            (
                "[x for x in y]",
                "only literal values are supported, found a comprehension at column 4 in '[x \
                 for x in y]'",
            ),
            (
                "(1 if x else 2)",
                "only literal values are supported, found a conditional expression (if/else) at \
                 column 4 in '(1 if x else 2)'",
            ),
            (
                "sys.argv[1]",
                "only literal values are supported, found a subscript of sys.argv at column 9 \
                 in 'sys.argv[1]'",
            ),
            (
                "'%s'.upper()",
                "only literal values are supported, found an attribute access at column 5 in \
                 \"'%s'.upper()\"",
            ),
            (
                "lambda: 0",
                "only literal values are supported, found a lambda at column 1 in 'lambda: 0'",
            ),
            (
                "-DEBUG",
                "only literal values are supported, found a sign applied to a name at column 1 \
                 in '-DEBUG'",
            ),
            (
                "{'a': 1, **b}",
                "only literal values are supported, found dict unpacking (**) at column 10 in \
                 \"{'a': 1, **b}\"",
            ),
            (
                "('a',\n  f(1))",
                "only literal values are supported, found a call of f at line 2, column 4 in \
                 \"('a',\\n  f(1))\"",
            ),
            (
                "{1: 'a'}",
                "dict keys must be strings, found int at column 2 in \"{1: 'a'}\"",
            ),
            (
                "{DEBUG: 'a'}",
                "dict keys must be strings, found the name DEBUG at column 2 in \"{DEBUG: \
                 'a'}\"",
            ),
            (
                "(1, 2**64)",
                "only literal values are supported, found the operator '**' at column 6 in \
                 '(1, 2**64)'",
            ),
            (
                "(18446744073709551616,)",
                "the integer 18446744073709551616 does not fit in 64 bits at column 2 in \
                 '(18446744073709551616,)'",
            ),
            ("{1, 2}", "sets are not supported at column 1 in '{1, 2}'"),
            (
                "('a.log', 'a'",
                "invalid syntax: '(' was never closed at column 1 in \"('a.log', 'a'\"",
            ),
            (
                "('a.log' 'a', 1 2)",
                "invalid syntax at column 17 in \"('a.log' 'a', 1 2)\"",
            ),
            (
                "'\\N{BULLET}'",
                "\\N{...} escapes (Unicode character names) are not supported at column 2 in \
                 \"'\\\\N{BULLET}'\"",
            ),
            (
                "b'x'",
                "bytes literals are not supported at column 1 in \"b'x'\"",
            ),
            (
                "",
                "invalid syntax: expected a value, found nothing at column 1 in ''",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(error(text), expected, "{text:?}");
        }
    }

    #[test]
    fn joined_ini_lines_parse() {
        // What configparser hands over: continuation lines joined with '\n'.
        let value = parse_literal("('/var/log/app.log', 'a',\n1048576,\n5)").unwrap();
        assert_eq!(value.to_string(), "['/var/log/app.log', 'a', 1048576, 5]");
        let value = parse_literal("\n{'encoding': 'utf-8'}").unwrap();
        assert_eq!(value.to_string(), "{'encoding': 'utf-8'}");
    }

    /// A deterministic stream of garbled texts: no input may panic.
    #[test]
    fn garbled_input_never_panics() {
        const PIECES: &[&str] = &[
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ",",
            ":",
            ".",
            "...",
            "'",
            "\"",
            "'''",
            "\"\"\"",
            "\\",
            "\\x",
            "\\u",
            "\\U",
            "\\N{",
            "\\777",
            "r",
            "b",
            "f",
            "u",
            "0",
            "1",
            "9",
            "0x",
            "0o",
            "0b",
            "_",
            "e",
            "e+",
            "j",
            ".5",
            "-",
            "+",
            "*",
            "**",
            "~",
            "=",
            ":=",
            "#",
            " ",
            "\t",
            "\n",
            "\r",
            "\r\n",
            "\x0c",
            "\0",
            "sys",
            "stdout",
            "True",
            "None",
            "if",
            "for",
            "lambda",
            "not",
            "é",
            "😀",
            "\u{a0}",
            "\u{feff}",
            "\u{d7ff}",
            "€",
            "$",
            "?",
            "9223372036854775808",
            "340282366920938463463374607431768211456",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for _ in 0..1500 {
            let len = next() % 24;
            let text: String = (0..len).map(|_| PIECES[next() % PIECES.len()]).collect();
            let _ = parse_literal(&text);
        }
        // Every case cut at a random place, and deep nesting of every kind.
        for (text, _) in LITERAL_CASES {
            for _ in 0..3 {
                let cut = next() % (text.len() + 1);
                if text.is_char_boundary(cut) {
                    let _ = parse_literal(&text[..cut]);
                    let _ = parse_literal(&text[cut..]);
                }
            }
        }
        for open in ["(", "[", "{'k':", "-", "not ", "'a' ", "(1,"] {
            let _ = parse_literal(&open.repeat(5000));
        }
    }
}
