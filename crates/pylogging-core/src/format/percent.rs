//! Python's `%`-style format strings (`%(name)s - %(levelname)-8s`), parsed once into segments.
//!
//! The parser follows CPython's `str % mapping` rules (`PyUnicode_Format`): a key in parentheses (which
//! may itself contain balanced parentheses), flags `-+ #0`, a width, a precision, an ignored length
//! modifier (`h`, `l`, `L`) and a conversion. Its error texts are CPython's.

use super::pyvalue::Spec;

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

fn value_error(message: impl Into<String>) -> ParseError {
    ParseError {
        kind: "ValueError",
        message: message.into(),
    }
}

fn not_enough_arguments() -> ParseError {
    ParseError {
        kind: "TypeError",
        message: "not enough arguments for format string".to_owned(),
    }
}

const CONVERSIONS: &[u8] = b"sradiuoxXeEfFgGc";

/// Parses `format`. With `positional = None` every directive must name a key (`fmt % mapping`); with
/// `Some(n)` directives take `n` positional arguments in order (`fmt % (a, b)`).
pub(crate) fn parse(format: &str, positional: Option<usize>) -> Result<Vec<Piece>, ParseError> {
    let chars: Vec<char> = format.chars().collect();
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut next_arg = 0usize;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            literal.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        if chars.get(i) == Some(&'%') {
            literal.push('%');
            i += 1;
            continue;
        }
        let mut key = None;
        if chars.get(i) == Some(&'(') {
            let mut depth = 1;
            let start = i + 1;
            i += 1;
            while i < chars.len() && depth > 0 {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return Err(value_error("incomplete format key"));
            }
            key = Some(chars[start..i - 1].iter().collect::<String>());
        }
        let mut spec = Spec::default();
        while let Some(&c) = chars.get(i) {
            match c {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alt = true,
                '0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        if chars.get(i) == Some(&'*') {
            return Err(not_enough_arguments_or_star(positional));
        }
        spec.width = read_number(&chars, &mut i);
        if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i) == Some(&'*') {
                return Err(not_enough_arguments_or_star(positional));
            }
            spec.precision = Some(read_number(&chars, &mut i).unwrap_or(0));
        }
        while matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let Some(&conversion) = chars.get(i) else {
            return Err(value_error("incomplete format"));
        };
        let key = match (key, positional) {
            (Some(name), None) => Key::Named(name),
            (Some(_), Some(_)) => {
                return Err(ParseError {
                    kind: "TypeError",
                    message: "format requires a mapping".to_owned(),
                });
            }
            (None, Some(n)) if next_arg < n => {
                next_arg += 1;
                Key::Positional(next_arg - 1)
            }
            (None, _) => return Err(not_enough_arguments()),
        };
        if !conversion.is_ascii() || !CONVERSIONS.contains(&(conversion as u8)) {
            return Err(value_error(format!(
                "unsupported format character '{conversion}' ({:#x}) at index {i}",
                conversion as u32
            )));
        }
        spec.conversion = conversion as u8;
        i += 1;
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
        }
        pieces.push(Piece::Field { key, spec });
    }
    if let Some(n) = positional
        && next_arg < n
    {
        return Err(ParseError {
            kind: "TypeError",
            message: "not all arguments converted during string formatting".to_owned(),
        });
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

fn not_enough_arguments_or_star(positional: Option<usize>) -> ParseError {
    match positional {
        None => not_enough_arguments(),
        Some(_) => ParseError {
            kind: "TypeError",
            message: "* wants int".to_owned(),
        },
    }
}

fn read_number(chars: &[char], i: &mut usize) -> Option<usize> {
    let start = *i;
    let mut n: usize = 0;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        n = n.saturating_mul(10).saturating_add(d as usize);
        *i += 1;
    }
    (*i > start).then_some(n)
}

/// CPython's `PercentStyle.validate`: the format must contain at least one match of
/// `%\(\w+\)[#0+ -]*(\*|\d+)?(\.(\*|\d+))?[diouxefgcrsa%]` (case-insensitive).
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
    while chars.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
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
    while chars.get(j).is_some_and(char::is_ascii_digit) {
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
            while chars.get(k).is_some_and(char::is_ascii_digit) {
                k += 1;
                ends.push(k);
            }
        }
        ends.into_iter().any(|e| {
            chars
                .get(e)
                .is_some_and(|c| "diouxefgcrsa%".contains(c.to_ascii_lowercase()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_cpythons() {
        let msg = |f: &str| parse(f, None).unwrap_err().message;
        assert_eq!(msg("%(a)s %"), "incomplete format");
        assert_eq!(msg("%(a"), "incomplete format key");
        assert_eq!(msg("%(a)%"), "unsupported format character '%' (0x25) at index 4");
        assert_eq!(msg("%(a)s %s"), "not enough arguments for format string");
        assert_eq!(msg("%(a)s %y"), "not enough arguments for format string");
    }

    #[test]
    fn keys_may_hold_parentheses_and_length_modifiers_are_skipped() {
        let pieces = parse("%(a(b))ld|%%", None).unwrap();
        assert_eq!(pieces.len(), 2);
        assert!(matches!(&pieces[0], Piece::Field { key: Key::Named(k), .. } if k == "a(b)"));
        assert_eq!(pieces[1], Piece::Literal("|%".into()));
    }

    #[test]
    fn validation_is_a_search_for_one_good_field() {
        assert!(has_valid_field("x %(message)s"));
        assert!(has_valid_field("%(a)-08.3F"));
        assert!(!has_valid_field("%(message)"));
        assert!(!has_valid_field("hello"));
        assert!(!has_valid_field("%(a-b)s"));
    }

    #[test]
    fn positional_mode() {
        assert!(parse("%s,%03d", Some(2)).is_ok());
        assert_eq!(
            parse("%s", Some(2)).unwrap_err().message,
            "not all arguments converted during string formatting"
        );
    }
}
