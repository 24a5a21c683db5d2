//! Escaping on output: record content written so that it cannot drive a terminal or forge lines
//! (see [`Escape`]).

use std::cell::Cell;
use std::fmt::Write as _;

/// Which characters of a record's text are written as escapes.
///
/// A record's message, fields and targets are untrusted text. Written raw, `ESC[2J` clears a
/// terminal, OSC 52 writes the clipboard, and an embedded newline forges a whole timestamped line
/// in a file. Two independent kinds of escaping are offered:
///
/// - **controls**: the C0 controls other than `\n` and `\t`, DEL and the C1 controls are written
///   as text: CR as `\r`, the others as `\x1b`, `\x7f` and `\u{9b}` (as tracing-subscriber's
///   `fmt` writes them). A [`StreamHandler`](crate::StreamHandler) on a terminal does this by
///   default.
/// - **newlines**: CR and LF are written as `\r` and `\n`, so that one record is one line
///   (exception texts included). Opt-in, on a formatter or on a handler.
///
/// The colour codes a [`ColourFormatter`](crate::ColourFormatter) adds are not escaped: only the
/// text between them is. In a JSON object, where C0 controls are already `\u00XX` escapes, the
/// characters escaped here are written as `\u00XX` too, so the object stays valid JSON.
///
/// ```
/// use pylog_core::{Escape, Level, LogRecord, SharedWriter, StreamHandler};
/// let out = SharedWriter::new();
/// let handler = StreamHandler::writer(out.clone())
///     .with_escape_controls(true)
///     .with_escape_newlines(true);
/// handler.handle(&LogRecord::new("app", Level::INFO, "\x1b[2Jgone\nforged line"));
/// assert_eq!(out.contents(), "\\x1b[2Jgone\\nforged line\n");
/// assert_eq!(handler.escape(), Escape::CONTROLS.union(Escape::NEWLINES));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Escape(u8);

impl Escape {
    /// Nothing is escaped (Python's behaviour).
    pub const NONE: Escape = Escape(0);
    /// C0 controls other than `\n` and `\t`, DEL and C1 controls.
    pub const CONTROLS: Escape = Escape(1);
    /// CR and LF.
    pub const NEWLINES: Escape = Escape(2);

    /// Both sets of characters.
    #[must_use]
    pub const fn union(self, other: Escape) -> Escape {
        Escape(self.0 | other.0)
    }

    /// Whether every character `other` escapes is escaped here.
    pub const fn contains(self, other: Escape) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether nothing is escaped.
    pub const fn is_none(self) -> bool {
        self.0 == 0
    }

    /// What `c` becomes, or `None` when it is written as it is.
    fn replacement(self, c: char, json: bool) -> Option<Replacement> {
        let code = u32::from(c);
        let newline = c == '\n' || c == '\r';
        let control = match c {
            '\n' | '\t' => false,
            _ => code < 0x20 || (0x7f..=0x9f).contains(&code),
        };
        let wanted = (newline && self.contains(Escape::NEWLINES))
            || (control && self.contains(Escape::CONTROLS));
        if !wanted {
            return None;
        }
        Some(match c {
            '\n' => Replacement::Short('n'),
            '\r' => Replacement::Short('r'),
            _ if json => Replacement::Unicode(code),
            _ if code < 0x80 => Replacement::Hex(code),
            _ => Replacement::Braced(code),
        })
    }
}

enum Replacement {
    /// `\n`, `\r`.
    Short(char),
    /// `\x1b`.
    Hex(u32),
    /// `\u{9b}`.
    Braced(u32),
    /// `\u001b` (JSON).
    Unicode(u32),
}

/// Whether a byte may start a character that some escape mode rewrites (C0, DEL, or the lead byte
/// of a C1 control). A quick test that keeps clean text from being copied.
fn may_escape(b: u8) -> bool {
    b < 0x20 || b == 0x7f || b == 0xc2
}

/// Escapes `out[from..]` in place (see [`Escape`]); `json` writes the JSON forms. Copies nothing
/// when there is nothing to escape.
pub(crate) fn escape_tail(out: &mut String, from: usize, escape: Escape, json: bool) {
    if escape.is_none() {
        return;
    }
    let Some(tail) = out.get(from..) else {
        return;
    };
    let Some(first) = tail
        .char_indices()
        .position(|(i, c)| may_escape(tail.as_bytes()[i]) && escape.replacement(c, json).is_some())
    else {
        return;
    };
    let first_byte = tail.char_indices().nth(first).map_or(0, |(i, _)| i);
    let rest = out.split_off(from + first_byte);
    for c in rest.chars() {
        match escape.replacement(c, json) {
            None => out.push(c),
            Some(Replacement::Short(letter)) => {
                out.push('\\');
                out.push(letter);
            }
            Some(Replacement::Hex(code)) => {
                let _ = write!(out, "\\x{code:02x}");
            }
            Some(Replacement::Braced(code)) => {
                let _ = write!(out, "\\u{{{code:x}}}");
            }
            Some(Replacement::Unicode(code)) => {
                let _ = write!(out, "\\u{code:04x}");
            }
        }
    }
}

/// The escaping of one record being formatted: how far the output has been escaped, so that the
/// colour codes inserted along the way are left alone.
#[derive(Debug)]
pub(crate) struct EscapeMark {
    escape: Escape,
    json: bool,
    done: Cell<usize>,
}

impl EscapeMark {
    pub(crate) fn new(escape: Escape, json: bool, from: usize) -> EscapeMark {
        EscapeMark {
            escape,
            json,
            done: Cell::new(from),
        }
    }

    /// Escapes what was written since the last mark.
    pub(crate) fn catch_up(&self, out: &mut String) {
        escape_tail(out, self.done.get(), self.escape, self.json);
        self.done.set(out.len());
    }

    /// Leaves what was written since the last call as it is (a colour code).
    pub(crate) fn skip(&self, out: &str) {
        self.done.set(out.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str, escape: Escape, json: bool) -> String {
        let mut out = String::from("kept\x1b");
        out.push_str(s);
        escape_tail(&mut out, 5, escape, json);
        assert!(out.starts_with("kept\x1b"));
        out.split_off(5)
    }

    #[test]
    fn controls_are_written_as_text() {
        let all = "a\x1b[2J\x07\x00\r\n\tb\x7f\u{9b}c\u{85}é\u{2028}";
        assert_eq!(
            escaped(all, Escape::CONTROLS, false),
            "a\\x1b[2J\\x07\\x00\\r\n\tb\\x7f\\u{9b}c\\u{85}é\u{2028}"
        );
        assert_eq!(
            escaped(all, Escape::NEWLINES, false),
            "a\x1b[2J\x07\x00\\r\\n\tb\x7f\u{9b}c\u{85}é\u{2028}"
        );
        assert_eq!(
            escaped(all, Escape::CONTROLS.union(Escape::NEWLINES), false),
            "a\\x1b[2J\\x07\\x00\\r\\n\tb\\x7f\\u{9b}c\\u{85}é\u{2028}"
        );
        assert_eq!(
            escaped("\x7f\u{9b}", Escape::CONTROLS, true),
            "\\u007f\\u009b"
        );
        assert_eq!(escaped(all, Escape::NONE, false), all);
        assert_eq!(escaped("plain é", Escape::CONTROLS, false), "plain é");
    }

    #[test]
    fn marks_leave_what_was_skipped() {
        let mark = EscapeMark::new(Escape::CONTROLS, false, 0);
        let mut out = String::from("\x07a");
        mark.catch_up(&mut out);
        out.push_str("\x1b[33m");
        mark.skip(&out);
        out.push_str("\x1bb");
        mark.catch_up(&mut out);
        assert_eq!(out, "\\x07a\x1b[33m\\x1bb");
    }
}
