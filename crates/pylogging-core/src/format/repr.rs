//! Python's `repr()` and `ascii()` of strings, used by `%r`, `%a`, error texts and `handle_error`.

use std::fmt::Write;

/// Python's `repr(s)` for a `str`.
///
/// ```
/// use pylogging_core::format::repr::py_repr;
/// assert_eq!(py_repr("it's"), r#""it's""#);
/// assert_eq!(py_repr("a\nb"), r"'a\nb'");
/// ```
pub fn py_repr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_repr(&mut out, s, false);
    out
}

/// Writes Python's `repr(s)` (or `ascii(s)` when `ascii_only`) to `out`.
pub fn write_repr(out: &mut String, s: &str, ascii_only: bool) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (ascii_only && !c.is_ascii()) || !is_printable(c) => escape(out, c),
            c => out.push(c),
        }
    }
    out.push(quote);
}

fn escape(out: &mut String, c: char) {
    let n = c as u32;
    // Writing to a String cannot fail.
    let _ = if n < 0x100 {
        write!(out, "\\x{n:02x}")
    } else if n < 0x10000 {
        write!(out, "\\u{n:04x}")
    } else {
        write!(out, "\\U{n:08x}")
    };
}

/// Python's `str.isprintable()` for one character, for the characters log text meets: control
/// characters, format characters and separators other than the ASCII space are not printable.
fn is_printable(c: char) -> bool {
    let n = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() {
        return false;
    }
    !matches!(
        n,
        0xA0 | 0xAD
            | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x1680
            | 0x180E
            | 0x2000..=0x200F
            | 0x2028..=0x202F
            | 0x205F..=0x2064
            | 0x2066..=0x206F
            | 0x3000
            | 0xD800..=0xF8FF
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0xE0001
            | 0xE0020..=0xE007F
            | 0xF0000..
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_python() {
        assert_eq!(py_repr("plain"), "'plain'");
        assert_eq!(py_repr("both ' and \""), r#"'both \' and "'"#);
        assert_eq!(py_repr("tab\there"), r"'tab\there'");
        assert_eq!(py_repr("\u{7}bell"), r"'\x07bell'");
        assert_eq!(py_repr("caf\u{e9}"), "'caf\u{e9}'");
        let mut s = String::new();
        write_repr(&mut s, "caf\u{e9} \u{1F600}", true);
        assert_eq!(s, r"'caf\xe9 \U0001f600'");
    }
}
