//! Python's `%`-style format strings (`%(name)s - %(levelname)-8s`), parsed once into segments.
//!
//! The parser follows CPython's `str % mapping` (`PyUnicode_Format` in `Objects/unicodeobject.c`)
//! step by step: a key in parentheses (which may itself contain balanced parentheses), flags
//! `-+ #0`, a width, a precision, one ignored length modifier (`h`, `l` or `L`) and a conversion.
//! CPython works left to right and raises at the first problem it meets, *after* having looked up
//! the keys of the directives before it, so a broken format is not simply an error: it is the
//! pieces before the problem followed by a [`Stop`] saying what is raised when formatting gets
//! there. Error texts are CPython's.

use super::pyvalue::Spec;
use super::word::{is_decimal_digit, is_word_char};

/// One piece of a compiled format.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Piece {
    /// Text copied as it is (`%%` already reduced to `%`).
    Literal(String),
    /// A directive: a key (or, in positional mode, an argument index) and its conversion.
    Field { key: Key, spec: Spec },
}

/// What a directive formats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    /// `%(name)s`: a record attribute.
    Named(String),
    /// `%s` in positional mode: the n-th argument.
    Positional(usize),
}

/// Why a format string cannot be used; `kind` and `message` are CPython's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub kind: &'static str,
    pub message: String,
}

/// Where formatting a mapping-mode format stops, and what it raises there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stop {
    /// The key of the failing directive: CPython looks it up before raising `error`, so a missing
    /// key is reported instead.
    pub key: Option<String>,
    /// What is raised.
    pub error: ParseError,
    /// When a `*` width or precision took the key's value: `error` is `* wants int`, and this is
    /// raised instead when the value is an int (the `*` then uses it up, and the directive fails
    /// further on), unless the int does not fit the `*` (see [`Star`]).
    pub if_int: Option<(Star, ParseError)>,
}

/// Which `*` took a key's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Star {
    /// A width: CPython reads it as a `Py_ssize_t`.
    Width,
    /// A precision: CPython reads it as a C `int`.
    Precision,
}

/// A format used with a mapping (`fmt % record.__dict__`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MappingFormat {
    /// The pieces before the first problem (all of them when there is none).
    pub pieces: Vec<Piece>,
    /// The first problem, if any.
    pub stop: Option<Stop>,
}

fn value_error(message: impl Into<String>) -> ParseError {
    ParseError {
        kind: "ValueError",
        message: message.into(),
    }
}

fn type_error(message: &str) -> ParseError {
    ParseError {
        kind: "TypeError",
        message: message.to_owned(),
    }
}

fn not_enough_arguments() -> ParseError {
    type_error("not enough arguments for format string")
}

const CONVERSIONS: &[u8] = b"sradiuoxXeEfFgGc";

/// Parses `format` for use with a mapping (Python: `fmt % mapping`, as `logging` does).
pub(crate) fn parse_mapping(format: &str) -> MappingFormat {
    let mut parser = Parser::new(format, Args::Mapping(MappingArg::Mapping));
    let (pieces, stop) = parser.run();
    MappingFormat { pieces, stop }
}

/// Parses `format` for use with a tuple of `args` arguments, none of them an int (Python:
/// `fmt % (text, number)`, as `default_msec_format` is used).
pub(crate) fn parse_positional(format: &str, args: usize) -> Result<Vec<Piece>, ParseError> {
    let mut parser = Parser::new(format, Args::Positional { next: 0, len: args });
    match parser.run() {
        (_, Some(stop)) => Err(stop.error),
        (_, None) if parser.args.unconverted() => Err(type_error(
            "not all arguments converted during string formatting",
        )),
        (pieces, None) => Ok(pieces),
    }
}

/// What CPython's `unicode_format_getnextarg` would hand out next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MappingArg {
    /// The mapping itself (no directive has named a key yet).
    Mapping,
    /// The value of the key named last.
    KeyValue,
    /// Nothing: it was used.
    Used,
}

#[derive(Clone, Copy, Debug)]
enum Args {
    Mapping(MappingArg),
    Positional { next: usize, len: usize },
}

/// An argument taken by a directive.
enum Arg {
    /// The mapping itself (`%s` without a key before any keyed directive).
    Mapping,
    /// The value of the directive's key.
    KeyValue,
    /// A positional argument, never an int.
    Positional(usize),
}

impl Args {
    /// CPython's `unicode_format_getnextarg`.
    fn next(&mut self) -> Result<Arg, ParseError> {
        match self {
            Args::Mapping(arg @ MappingArg::Mapping) => {
                *arg = MappingArg::Used;
                Ok(Arg::Mapping)
            }
            Args::Mapping(arg @ MappingArg::KeyValue) => {
                *arg = MappingArg::Used;
                Ok(Arg::KeyValue)
            }
            Args::Positional { next, len } if *next < *len => {
                *next += 1;
                Ok(Arg::Positional(*next - 1))
            }
            _ => Err(not_enough_arguments()),
        }
    }

    fn unconverted(&self) -> bool {
        matches!(self, Args::Positional { next, len } if next < len)
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// CPython's `fmtcnt < 0`: a read was attempted past the end.
    exhausted: bool,
    args: Args,
    /// The `*` of the current directive that took its key's value.
    star_took_key: Option<Star>,
}

impl Parser {
    fn new(format: &str, args: Args) -> Parser {
        Parser {
            chars: format.chars().collect(),
            pos: 0,
            exhausted: false,
            args,
            star_took_key: None,
        }
    }

    /// Reads the next character (CPython's `if (--fmtcnt >= 0) ch = FORMAT_READ(ctx), fmtpos++`).
    fn read(&mut self) -> Option<char> {
        match self.chars.get(self.pos) {
            Some(&c) => {
                self.pos += 1;
                Some(c)
            }
            None => {
                self.exhausted = true;
                None
            }
        }
    }

    fn run(&mut self) -> (Vec<Piece>, Option<Stop>) {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        while let Some(&c) = self.chars.get(self.pos) {
            self.pos += 1;
            if c != '%' {
                literal.push(c);
                continue;
            }
            if self.chars.get(self.pos) == Some(&'%') {
                self.pos += 1;
                literal.push('%');
                continue;
            }
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(&mut literal)));
            }
            self.star_took_key = None;
            let (key, result) = self.directive();
            match result {
                Ok((key, spec)) => pieces.push(Piece::Field { key, spec }),
                Err(error) => {
                    let stop = if let Some(star) = self.star_took_key {
                        Stop {
                            key,
                            error: type_error("* wants int"),
                            if_int: Some((star, error)),
                        }
                    } else {
                        Stop {
                            key,
                            error,
                            if_int: None,
                        }
                    };
                    return (pieces, Some(stop));
                }
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        (pieces, None)
    }

    /// One directive, from just after its `%` (CPython's `unicode_format_arg_parse` and the start of
    /// `unicode_format_arg_format`). Returns the key it looked up, if any, and the directive.
    fn directive(&mut self) -> (Option<String>, Result<(Key, Spec), ParseError>) {
        let mut ch = self.chars.get(self.pos).copied().unwrap_or('\0');
        let mut key = None;
        if ch == '(' {
            match self.key() {
                Ok(name) => key = Some(name),
                Err(e) => return (None, Err(e)),
            }
            ch = ')';
        }
        let result = self.rest(ch);
        (
            key.clone(),
            result.map(|(arg, spec)| (arg_key(arg, key), spec)),
        )
    }

    /// `(key)`, balanced parentheses allowed inside. The key's value becomes the next argument.
    fn key(&mut self) -> Result<String, ParseError> {
        if !matches!(self.args, Args::Mapping(_)) {
            return Err(type_error("format requires a mapping"));
        }
        self.pos += 1;
        let start = self.pos;
        let mut depth = 1;
        while depth > 0 {
            match self.read() {
                Some(')') => depth -= 1,
                Some('(') => depth += 1,
                Some(_) => {}
                None => return Err(value_error("incomplete format key")),
            }
        }
        self.args = Args::Mapping(MappingArg::KeyValue);
        Ok(self.chars[start..self.pos - 1].iter().collect())
    }

    /// Flags, width, precision, length modifier and conversion; `ch` is CPython's `arg->ch`.
    fn rest(&mut self, mut ch: char) -> Result<(Arg, Spec), ParseError> {
        let mut spec = Spec::default();
        while let Some(c) = self.read() {
            ch = c;
            match c {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alt = true,
                '0' => spec.zero = true,
                _ => break,
            }
        }
        if ch == '*' {
            self.star(Star::Width)?;
            if let Some(c) = self.read() {
                ch = c;
            }
        } else if let Some(d) = ch.to_digit(10) {
            let mut width = d as usize;
            while let Some(c) = self.read() {
                ch = c;
                let Some(d) = c.to_digit(10) else { break };
                if width > (isize::MAX as usize - d as usize) / 10 {
                    return Err(value_error("width too big"));
                }
                width = width * 10 + d as usize;
            }
            spec.width = Some(width);
        }
        if ch == '.' {
            spec.precision = Some(0);
            if let Some(c) = self.read() {
                ch = c;
            }
            if ch == '*' {
                self.star(Star::Precision)?;
                if let Some(c) = self.read() {
                    ch = c;
                }
            } else if let Some(d) = ch.to_digit(10) {
                let mut precision = d as usize;
                while let Some(c) = self.read() {
                    ch = c;
                    let Some(d) = c.to_digit(10) else { break };
                    if precision > (i32::MAX as usize - d as usize) / 10 {
                        return Err(value_error("precision too big"));
                    }
                    precision = precision * 10 + d as usize;
                }
                spec.precision = Some(precision);
            }
        }
        if !self.exhausted
            && matches!(ch, 'h' | 'l' | 'L')
            && let Some(c) = self.read()
        {
            ch = c;
        }
        if self.exhausted {
            return Err(value_error("incomplete format"));
        }
        let arg = self.args.next()?;
        if !ch.is_ascii() || !CONVERSIONS.contains(&(ch as u8)) {
            let shown = if (31..=126).contains(&(ch as u32)) {
                ch
            } else {
                '?'
            };
            return Err(value_error(format!(
                "unsupported format character '{shown}' ({:#x}) at index {}",
                ch as u32,
                self.pos - 1
            )));
        }
        if let Arg::Mapping = arg {
            return Err(mapping_error(ch));
        }
        spec.conversion = ch as u8;
        Ok((arg, spec))
    }

    /// A `*` width or precision: it takes the next argument, which must be an int.
    fn star(&mut self, star: Star) -> Result<(), ParseError> {
        match self.args.next()? {
            // Whether the key's value is an int is known only when formatting: if it is, parsing
            // goes on (and fails further on, the value being used up).
            Arg::KeyValue => {
                self.star_took_key = Some(star);
                Ok(())
            }
            Arg::Mapping | Arg::Positional(_) => Err(type_error("* wants int")),
        }
    }
}

/// What CPython raises when a directive without a key converts the mapping itself (the record's
/// `__dict__`), as `%d` does in `%d %(message)s`. `%s`, `%r` and `%a` would print the whole
/// `__dict__`, which a Rust record does not have: they are refused.
fn mapping_error(conversion: char) -> ParseError {
    match conversion {
        'd' | 'i' | 'u' => type_error(&format!(
            "%{conversion} format: a real number is required, not dict"
        )),
        'o' | 'x' | 'X' => type_error(&format!(
            "%{conversion} format: an integer is required, not dict"
        )),
        'c' => type_error("%c requires int or char"),
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => type_error("must be real number, not dict"),
        _ => type_error(&format!(
            "%{conversion} without a key formats the whole record in Python, which is not supported"
        )),
    }
}

fn arg_key(arg: Arg, key: Option<String>) -> Key {
    match (arg, key) {
        (Arg::Positional(n), _) => Key::Positional(n),
        (_, Some(name)) => Key::Named(name),
        // `rest` refuses the mapping itself, and a key's value always comes with its key.
        (_, None) => Key::Named(String::new()),
    }
}

/// CPython's `PercentStyle.validate`: the format must contain at least one match of
/// `%\(\w+\)[#0+ -]*(\*|\d+)?(\.(\*|\d+))?[diouxefgcrsa%]` (case-insensitive), with Python's
/// Unicode `\w` and `\d`, and its case-insensitive matching, where `İ` and `ı` match `i` and `ſ`
/// matches `s`.
pub(crate) fn has_valid_field(format: &str) -> bool {
    let chars: Vec<char> = format.chars().collect();
    (0..chars.len()).any(|start| field_matches_at(&chars, start))
}

fn field_matches_at(chars: &[char], start: usize) -> bool {
    let mut i = start;
    if chars.get(i) != Some(&'%') || chars.get(i + 1) != Some(&'(') {
        return false;
    }
    i += 2;
    let name_start = i;
    while chars.get(i).is_some_and(|&c| is_word_char(c)) {
        i += 1;
    }
    if i == name_start || chars.get(i) != Some(&')') {
        return false;
    }
    i += 1;
    while matches!(chars.get(i), Some('#' | '0' | '+' | ' ' | '-')) {
        i += 1;
    }
    let after_flags = i;
    // Width: `*` or digits, optional. The regex backtracks, so try each way the optional parts can go.
    let mut widths = vec![after_flags];
    if chars.get(i) == Some(&'*') {
        widths.push(i + 1);
    }
    let mut j = i;
    while chars.get(j).is_some_and(|&c| is_decimal_digit(c)) {
        j += 1;
        widths.push(j);
    }
    widths.into_iter().any(|w| {
        let mut ends = vec![w];
        if chars.get(w) == Some(&'.') {
            if chars.get(w + 1) == Some(&'*') {
                ends.push(w + 2);
            }
            let mut k = w + 1;
            while chars.get(k).is_some_and(|&c| is_decimal_digit(c)) {
                k += 1;
                ends.push(k);
            }
        }
        ends.into_iter()
            .any(|e| chars.get(e).is_some_and(|&c| is_conversion_char(c)))
    })
}

/// `[diouxefgcrsa%]` under Python's case-insensitive Unicode matching.
fn is_conversion_char(c: char) -> bool {
    "diouxefgcrsa%".contains(c.to_ascii_lowercase())
        || matches!(c, '\u{130}' | '\u{131}' | '\u{17f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop(f: &str) -> Stop {
        parse_mapping(f).stop.expect("a stop")
    }

    #[test]
    fn errors_are_cpythons() {
        let msg = |f: &str| stop(f).error.message;
        assert_eq!(msg("%(a)s %"), "incomplete format");
        assert_eq!(msg("%(a"), "incomplete format key");
        assert_eq!(
            msg("%(a)%"),
            "unsupported format character '%' (0x25) at index 4"
        );
        assert_eq!(
            msg("%(a)\u{e9}"),
            "unsupported format character '?' (0xe9) at index 4"
        );
        assert_eq!(msg("%(a)s %s"), "not enough arguments for format string");
        assert_eq!(msg("%(a)s %y"), "not enough arguments for format string");
        assert_eq!(
            msg("%(a)lld"),
            "unsupported format character 'l' (0x6c) at index 5"
        );
        assert_eq!(msg("%(a)99999999999999999999s"), "width too big");
        assert_eq!(msg("%(a).99999999999s"), "precision too big");
        assert_eq!(msg("%*s %(a)s"), "* wants int");
    }

    #[test]
    fn the_failing_directive_keeps_its_key() {
        let s = stop("%(a)s %(b)");
        assert_eq!(s.key.as_deref(), Some("b"));
        assert_eq!(s.error.message, "incomplete format");
        let s = stop("%(a)*.*d");
        assert_eq!(s.key.as_deref(), Some("a"));
        assert_eq!(s.error.message, "* wants int");
        assert_eq!(
            s.if_int.map(|(star, e)| (star, e.message)),
            Some((
                Star::Width,
                "not enough arguments for format string".to_owned()
            ))
        );
        assert_eq!(
            stop("%(a)*").if_int.map(|(_, e)| e.message).as_deref(),
            Some("incomplete format")
        );
        assert_eq!(
            stop("%(a).*f").if_int.map(|(star, _)| star),
            Some(Star::Precision)
        );
        assert_eq!(
            stop("%x %(a)s").error.message,
            "%x format: an integer is required, not dict"
        );
        let parsed = parse_mapping("%(a)s %y");
        assert_eq!(parsed.pieces.len(), 2);
        assert_eq!(parsed.stop.and_then(|s| s.key), None);
    }

    #[test]
    fn keys_may_hold_parentheses_and_one_length_modifier_is_skipped() {
        let parsed = parse_mapping("%(a(b))ld|%%");
        assert_eq!(parsed.stop, None);
        assert_eq!(parsed.pieces.len(), 2);
        assert!(
            matches!(&parsed.pieces[0], Piece::Field { key: Key::Named(k), .. } if k == "a(b)")
        );
        assert_eq!(parsed.pieces[1], Piece::Literal("|%".into()));
    }

    #[test]
    fn validation_is_a_search_for_one_good_field() {
        assert!(has_valid_field("x %(message)s"));
        assert!(has_valid_field("%(a)-08.3F"));
        assert!(!has_valid_field("%(message)"));
        assert!(!has_valid_field("hello"));
        assert!(!has_valid_field("%(a-b)s"));
        assert!(has_valid_field("%(a)\u{663}s") && has_valid_field("%(a)\u{17f}"));
        assert!(!has_valid_field("%(\u{928}\u{93e}\u{92e})s"));
    }

    #[test]
    fn positional_mode() {
        assert!(parse_positional("%s,%03d", 2).is_ok());
        let msg = |f: &str| parse_positional(f, 2).unwrap_err().message;
        assert_eq!(
            msg("%s"),
            "not all arguments converted during string formatting"
        );
        assert_eq!(msg("%s %s %s"), "not enough arguments for format string");
        assert_eq!(msg("%*s"), "* wants int");
        assert_eq!(msg("%(a)s"), "format requires a mapping");
    }
}
