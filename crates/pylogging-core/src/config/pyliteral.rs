//! Python literals: what fileConfig's `args=` and `kwargs=` hold in real files, read without
//! `eval`. Numbers, strings (with Python's escapes and prefixes), `True`/`False`/`None`, tuples,
//! lists and dicts; a dotted name such as `sys.stdout` stands for `ext://sys.stdout`.

use super::{ConfigError, ConfigMap, ConfigValue};

/// Parses one Python literal expression.
///
/// Tuples and lists both become [`ConfigValue::List`]; anything that is not a literal (a call, an
/// operator) is an error naming where it starts.
pub(crate) fn parse_literal(text: &str) -> Result<ConfigValue, ConfigError> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        at: 0,
        text,
        depth: 0,
    };
    parser.skip_space();
    let value = parser.expression()?;
    parser.skip_space();
    if parser.at < parser.chars.len() {
        return Err(parser.error("more after the value"));
    }
    Ok(value)
}

struct Parser<'t> {
    chars: Vec<char>,
    at: usize,
    text: &'t str,
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn error(&self, what: &str) -> ConfigError {
        ConfigError::new(format!(
            "only Python literals are supported, found {what} at column {} in {:?}",
            self.at + 1,
            self.text
        ))
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.at += 1;
            } else if c == '\\' && self.chars.get(self.at + 1) == Some(&'\n') {
                self.at += 2;
            } else {
                break;
            }
        }
    }

    fn expression(&mut self) -> Result<ConfigValue, ConfigError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        let value = self.atom();
        self.depth -= 1;
        value
    }

    fn atom(&mut self) -> Result<ConfigValue, ConfigError> {
        let Some(c) = self.peek() else {
            return Err(self.error("the end of the text"));
        };
        match c {
            '(' => self.sequence(')', true),
            '[' => self.sequence(']', false),
            '{' => self.dict(),
            '\'' | '"' => self.strings(),
            '-' | '+' => {
                self.at += 1;
                self.skip_space();
                match self.number()? {
                    ConfigValue::Int(i) if c == '-' => Ok(ConfigValue::Int(-i)),
                    ConfigValue::Float(x) if c == '-' => Ok(ConfigValue::Float(-x)),
                    other => Ok(other),
                }
            }
            c if c.is_ascii_digit() || c == '.' => self.number(),
            c if c.is_alphabetic() || c == '_' => {
                let start = self.at;
                let word = self.name();
                if matches!(self.peek(), Some('\'' | '"')) {
                    self.at = start;
                    return self.strings();
                }
                self.skip_space();
                if self.peek() == Some('(') {
                    return Err(self.error("a call"));
                }
                Ok(match word.as_str() {
                    "True" => ConfigValue::Bool(true),
                    "False" => ConfigValue::Bool(false),
                    "None" => ConfigValue::Null,
                    _ => ConfigValue::Str(format!("ext://{word}")),
                })
            }
            _ => Err(self.error(&format!("{c:?}"))),
        }
    }

    /// A dotted name (`sys.stdout`).
    fn name(&mut self) -> String {
        let mut word = String::new();
        while let Some(c) = self.peek() {
            let dot_then_name = c == '.'
                && self
                    .chars
                    .get(self.at + 1)
                    .is_some_and(|n| n.is_alphabetic() || *n == '_');
            if !(c.is_alphanumeric() || c == '_' || dot_then_name) {
                break;
            }
            word.push(c);
            self.at += 1;
        }
        word
    }

    fn sequence(&mut self, close: char, tuple: bool) -> Result<ConfigValue, ConfigError> {
        self.at += 1;
        let mut items = Vec::new();
        let mut saw_comma = false;
        loop {
            self.skip_space();
            match self.peek() {
                Some(c) if c == close => {
                    self.at += 1;
                    break;
                }
                None => return Err(self.error("an unclosed bracket")),
                _ => {}
            }
            items.push(self.expression()?);
            self.skip_space();
            match self.peek() {
                Some(',') => {
                    self.at += 1;
                    saw_comma = true;
                }
                Some(c) if c == close => {}
                None => return Err(self.error("an unclosed bracket")),
                Some(c) => return Err(self.error(&format!("{c:?}"))),
            }
        }
        if tuple && items.len() == 1 && !saw_comma {
            return Ok(items.remove(0));
        }
        Ok(ConfigValue::List(items))
    }

    fn dict(&mut self) -> Result<ConfigValue, ConfigError> {
        self.at += 1;
        let mut map = ConfigMap::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some('}') => {
                    self.at += 1;
                    break;
                }
                None => return Err(self.error("an unclosed brace")),
                _ => {}
            }
            let key = match self.expression()? {
                ConfigValue::Str(s) if !s.starts_with("ext://") => s,
                _ => return Err(self.error("a key that is not a string")),
            };
            self.skip_space();
            if self.peek() != Some(':') {
                return Err(self.error("a missing ':'"));
            }
            self.at += 1;
            self.skip_space();
            let value = self.expression()?;
            map.insert(key, value);
            self.skip_space();
            match self.peek() {
                Some(',') => self.at += 1,
                Some('}') => {}
                None => return Err(self.error("an unclosed brace")),
                Some(c) => return Err(self.error(&format!("{c:?}"))),
            }
        }
        Ok(ConfigValue::Map(map))
    }

    fn number(&mut self) -> Result<ConfigValue, ConfigError> {
        let start = self.at;
        while let Some(c) = self.peek() {
            let sign_after_e = (c == '-' || c == '+')
                && self.at > start
                && matches!(self.chars[self.at - 1], 'e' | 'E')
                && !self.chars[start..self.at]
                    .iter()
                    .any(|c| matches!(c, 'x' | 'X'));
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || sign_after_e {
                self.at += 1;
            } else {
                break;
            }
        }
        let text: String = self.chars[start..self.at]
            .iter()
            .filter(|c| **c != '_')
            .collect();
        let lower = text.to_ascii_lowercase();
        let radix = [("0x", 16), ("0o", 8), ("0b", 2)]
            .iter()
            .find(|(p, _)| lower.starts_with(p));
        let parsed = match radix {
            Some((prefix, radix)) => i64::from_str_radix(&lower[prefix.len()..], *radix)
                .ok()
                .map(ConfigValue::Int),
            None if lower.contains(['.', 'e']) || lower == "inf" => {
                lower.parse::<f64>().ok().map(ConfigValue::Float)
            }
            None if lower.len() > 1
                && lower.starts_with('0')
                && lower.bytes().any(|b| b != b'0') =>
            {
                None
            }
            None => lower.parse::<i64>().ok().map(ConfigValue::Int),
        };
        parsed.ok_or_else(|| {
            self.at = start;
            self.error(&format!("the number {text:?}"))
        })
    }

    /// One or more adjacent string literals, concatenated.
    fn strings(&mut self) -> Result<ConfigValue, ConfigError> {
        let mut out = String::new();
        loop {
            out.push_str(&self.string()?);
            self.skip_space();
            let next = self.peek();
            let prefixed = next.is_some_and(|c| c.is_alphabetic())
                && self.chars[self.at..]
                    .iter()
                    .take_while(|c| c.is_alphabetic())
                    .count()
                    <= 2
                && matches!(
                    self.chars[self.at..].iter().find(|c| !c.is_alphabetic()),
                    Some('\'' | '"')
                );
            if !(matches!(next, Some('\'' | '"')) || prefixed) {
                break;
            }
        }
        Ok(ConfigValue::Str(out))
    }

    fn string(&mut self) -> Result<String, ConfigError> {
        let mut raw = false;
        while let Some(c) = self.peek().filter(|c| c.is_alphabetic()) {
            match c.to_ascii_lowercase() {
                'r' => raw = true,
                'u' => {}
                'b' => return Err(self.error("a bytes literal")),
                'f' => return Err(self.error("an f-string")),
                _ => return Err(self.error(&format!("{c:?}"))),
            }
            self.at += 1;
        }
        let Some(quote) = self.peek().filter(|c| matches!(c, '\'' | '"')) else {
            return Err(self.error("a string prefix without a string"));
        };
        let triple = self.chars.get(self.at + 1) == Some(&quote)
            && self.chars.get(self.at + 2) == Some(&quote);
        self.at += if triple { 3 } else { 1 };
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("an unterminated string"));
            };
            if c == quote {
                if !triple {
                    self.at += 1;
                    return Ok(out);
                }
                if self.chars.get(self.at + 1) == Some(&quote)
                    && self.chars.get(self.at + 2) == Some(&quote)
                {
                    self.at += 3;
                    return Ok(out);
                }
            }
            if c == '\n' && !triple {
                return Err(self.error("an unterminated string"));
            }
            self.at += 1;
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(next) = self.peek() else {
                return Err(self.error("an unterminated string"));
            };
            if raw {
                out.push('\\');
                out.push(next);
                self.at += 1;
                continue;
            }
            self.at += 1;
            match next {
                '\n' => {}
                '\\' => out.push('\\'),
                '\'' => out.push('\''),
                '"' => out.push('"'),
                'a' => out.push('\x07'),
                'b' => out.push('\x08'),
                'f' => out.push('\x0c'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'v' => out.push('\x0b'),
                'x' => out.push(self.hex(2)?),
                'u' => out.push(self.hex(4)?),
                'U' => out.push(self.hex(8)?),
                '0'..='7' => {
                    let mut value = next.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match self.peek().and_then(|c| c.to_digit(8)) {
                            Some(d) => {
                                value = value * 8 + d;
                                self.at += 1;
                            }
                            None => break,
                        }
                    }
                    out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
                }
                other => {
                    out.push('\\');
                    out.push(other);
                }
            }
        }
    }

    fn hex(&mut self, digits: usize) -> Result<char, ConfigError> {
        let text: String = self.chars.iter().skip(self.at).take(digits).collect();
        let value = (text.len() == digits)
            .then(|| u32::from_str_radix(&text, 16).ok())
            .flatten()
            .and_then(char::from_u32)
            .ok_or_else(|| self.error("a bad escape"))?;
        self.at += digits;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> String {
        match parse_literal(text) {
            Ok(value) => value.to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn literals_real_files_use() {
        assert_eq!(parse("(sys.stdout,)"), "['ext://sys.stdout']");
        assert_eq!(
            parse("('app.log', 'a', 1024, 3)"),
            "['app.log', 'a', 1024, 3]"
        );
        assert_eq!(
            parse("{'encoding': 'utf-8', 'delay': True}"),
            "{'encoding': 'utf-8', 'delay': True}"
        );
        assert_eq!(parse("()"), "[]");
        assert_eq!(parse("(5)"), "5");
        assert_eq!(parse("[1, 2,]"), "[1, 2]");
        assert_eq!(
            parse("(('localhost', 514), handlers.SysLogHandler.LOG_USER)"),
            "[['localhost', 514], 'ext://handlers.SysLogHandler.LOG_USER']"
        );
        assert_eq!(
            parse("(0x1F, 0o17, 0b11, 1_000, -5, 2.5, 1e3, .5, None)"),
            "[31, 15, 3, 1000, -5, 2.5, 1000.0, 0.5, None]"
        );
        assert_eq!(
            parse(r"('a\tb\x41\u00e9\n', r'C:\logs', 'x' 'y', '''t''')"),
            "['a\\tbAé\\n', 'C:\\\\logs', 'xy', 't']"
        );
        assert_eq!(parse("(\n  'a',\n  'b'\n)"), "['a', 'b']");
    }

    #[test]
    fn what_is_not_a_literal_is_an_error() {
        assert!(
            parse("(os.getcwd(),)").starts_with(
                "error: only Python literals are supported, found a call at column 11"
            )
        );
        assert!(parse("(1 + 2,)").starts_with("error:"));
        assert!(parse("(sys.stderr,").contains("unclosed"));
        assert!(parse("'abc").contains("unterminated"));
        assert!(parse("{1: 2}").contains("not a string"));
        assert!(parse("b'x'").contains("bytes"));
        assert!(parse("012").starts_with("error:"));
    }

    #[test]
    fn garbled_input_never_panics() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let alphabet = b"()[]{}'\",:.\\xuU0123456789abe_-+ \nrTN";
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push(alphabet[(seed % alphabet.len() as u64) as usize] as char);
            }
            let _ = parse_literal(&text);
        }
        let _ = parse_literal(&"(".repeat(10_000));
    }
}
