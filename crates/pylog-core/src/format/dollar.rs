//! Python's `$`-style format strings (`string.Template`: `$name`, `${name}`, `$$`), parsed once
//! into pieces. Python: `logging.StringTemplateStyle`.
//!
//! `Template.substitute` scans for `Template.pattern` (`$` then `$`, an identifier, `{identifier}`,
//! or anything else, which is an invalid placeholder) and replaces each match left to right with
//! `str()` of the named value, so a missing name *before* an invalid `$` is what is reported.
//! Identifiers are ASCII: `[_a-zA-Z][_a-zA-Z0-9]*`.

use super::{Attr, Fields, FormatError};

/// A compiled `$`-style format.
#[derive(Clone, Debug)]
pub(crate) struct DollarFormat {
    pieces: Vec<Piece>,
    /// The invalid placeholder substitution reaches after the pieces, if any.
    stop: Option<FormatError>,
}

#[derive(Clone, Debug)]
enum Piece {
    Literal(Box<str>),
    Field(Attr),
}

/// One match of `Template.pattern` at a `$`.
enum Placeholder {
    /// `$$`.
    Escaped,
    /// `$name` or `${name}`, with the name's character range.
    Named(usize, usize),
    /// A `$` followed by anything else (the match is the `$` alone).
    Invalid,
}

fn is_id_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_id_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// The placeholder at the `$` at `chars[at]`, and where scanning resumes.
fn placeholder(chars: &[char], at: usize) -> (Placeholder, usize) {
    let next = at + 1;
    match chars.get(next) {
        Some('$') => (Placeholder::Escaped, next + 1),
        Some(&c) if is_id_start(c) => {
            let end = next + chars[next..].iter().take_while(|&&c| is_id_char(c)).count();
            (Placeholder::Named(next, end), end)
        }
        Some('{') => {
            let start = next + 1;
            let ok_start = chars.get(start).is_some_and(|&c| is_id_start(c));
            let end = start
                + chars[start..]
                    .iter()
                    .take_while(|&&c| is_id_char(c))
                    .count();
            if ok_start && chars.get(end) == Some(&'}') {
                (Placeholder::Named(start, end), end + 1)
            } else {
                (Placeholder::Invalid, next)
            }
        }
        _ => (Placeholder::Invalid, next),
    }
}

/// `Template._invalid`: `Invalid placeholder in string: line L, col C`, where the position is
/// the character after the `$` and lines are split as `str.splitlines` splits them.
fn invalid_placeholder(chars: &[char], at: usize) -> FormatError {
    let i = at + 1;
    let before = &chars[..i];
    let mut line = 1;
    let mut line_start = 0;
    let mut k = 0;
    while k < before.len() {
        let c = before[k];
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_break {
            if c == '\r' && before.get(k + 1) == Some(&'\n') {
                k += 1;
            }
            line += 1;
            line_start = k + 1;
        }
        k += 1;
    }
    FormatError {
        kind: "ValueError",
        message: format!(
            "Invalid placeholder in string: line {line}, col {}",
            i - line_start
        ),
    }
}

/// Compiles `format` for formatting (no validation: see [`validate`]).
pub(crate) fn compile(format: &str) -> DollarFormat {
    let chars: Vec<char> = format.chars().collect();
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut pos = 0;
    while pos < chars.len() {
        let c = chars[pos];
        if c != '$' {
            literal.push(c);
            pos += 1;
            continue;
        }
        let (found, next) = placeholder(&chars, pos);
        match found {
            Placeholder::Escaped => literal.push('$'),
            Placeholder::Named(start, end) => {
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(
                        std::mem::take(&mut literal).into_boxed_str(),
                    ));
                }
                let name: String = chars[start..end].iter().collect();
                pieces.push(Piece::Field(Attr::from_key(&name)));
            }
            Placeholder::Invalid => {
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(literal.into_boxed_str()));
                }
                return DollarFormat {
                    pieces,
                    stop: Some(invalid_placeholder(&chars, pos)),
                };
            }
        }
        pos = next;
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal.into_boxed_str()));
    }
    DollarFormat { pieces, stop: None }
}

/// `StringTemplateStyle.validate`: a bare `$` is refused, and at least one field is required.
pub(crate) fn validate(format: &str) -> Result<(), String> {
    let chars: Vec<char> = format.chars().collect();
    let mut fields = false;
    let mut pos = 0;
    while pos < chars.len() {
        if chars[pos] != '$' {
            pos += 1;
            continue;
        }
        let (found, next) = placeholder(&chars, pos);
        match found {
            Placeholder::Escaped => {}
            Placeholder::Named(..) => fields = true,
            Placeholder::Invalid => {
                return Err("invalid format: bare '$' not allowed".to_owned());
            }
        }
        pos = next;
    }
    if fields {
        Ok(())
    } else {
        Err("invalid format: no fields".to_owned())
    }
}

impl DollarFormat {
    /// Python's `usesTime` for `$`: `$asctime` or `${asctime}` appears anywhere.
    pub(crate) fn uses_time(format: &str) -> bool {
        format.contains("$asctime") || format.contains("${asctime}")
    }

    /// Substitutes a record's fields into `out` (which the caller truncates on error).
    pub(crate) fn render(
        &self,
        fields: &Fields<'_, '_>,
        out: &mut String,
    ) -> Result<(), FormatError> {
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Field(attr) => {
                    let coloured = fields.start_colour(attr, out);
                    if !fields.push_common_text(attr, out) {
                        super::pyvalue::write_str_form(out, fields.value(attr)?);
                    }
                    fields.end_colour(coloured, out);
                }
            }
        }
        match &self.stop {
            Some(stop) => Err(stop.clone()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages() {
        assert_eq!(validate("${message} $name"), Ok(()));
        assert_eq!(validate("$$ok").unwrap_err(), "invalid format: no fields");
        assert_eq!(
            validate("$message $").unwrap_err(),
            "invalid format: bare '$' not allowed"
        );
        assert_eq!(
            validate("${message").unwrap_err(),
            "invalid format: bare '$' not allowed"
        );
    }

    #[test]
    fn invalid_placeholders_name_line_and_column() {
        let compiled = compile("a\r\nbc $1");
        assert_eq!(
            compiled.stop.map(|e| e.message),
            Some("Invalid placeholder in string: line 2, col 4".to_owned())
        );
    }
}
