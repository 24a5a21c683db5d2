//! The common `%` format, literals and bare `%(name)s`, `%(levelname)s`, `%(message)s` and
//! `%(asctime)s` only, compiled to a list of direct writes.
//!
//! Such a format cannot fail on a field, needs no value conversion, and (with nothing coloured,
//! escaped, computed or appended) no state besides the record: one pass over the ops writes the
//! line, then `exc_text` and `stack_info` as [`Formatter::format`] adds them.

use std::ptr;

use super::{
    FormatError, Formatter, Segment, TextAttr, push_on_new_line, pyvalue, three_digits,
    with_cached_seconds,
};
use crate::level::LevelName;
use crate::record::LogRecord;

/// A literal of a [`PlainLine`].
#[derive(Clone, Debug)]
struct Literal {
    text: Box<str>,
    /// The text's first bytes, zero-padded: a literal of up to 8 bytes (` - `, `:`, `] `) is
    /// written as one 8-byte store.
    head: [u8; 8],
}

impl Literal {
    fn new(text: &str) -> Literal {
        let mut head = [0u8; 8];
        let n = text.len().min(8);
        head[..n].copy_from_slice(&text.as_bytes()[..n]);
        Literal {
            text: text.into(),
            head,
        }
    }
}

/// One write of a [`PlainLine`].
#[derive(Clone, Debug)]
enum Op {
    Literal(Literal),
    Name,
    Message,
    Levelname,
    Asctime,
}

/// How many times the line shows each attribute, to size it before writing.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    name: usize,
    message: usize,
    levelname: usize,
    asctime: usize,
}

/// Bytes reserved past a line's end, so that a short literal is one 8-byte store wherever it
/// falls.
const SLACK: usize = 8;

/// A write position in a buffer's reserved capacity.
struct Cursor {
    base: *mut u8,
    at: usize,
}

impl Cursor {
    /// Appends `text`.
    ///
    /// # Safety
    /// `base + at + text.len()` is within the buffer's capacity, and `text` is not in it.
    #[inline(always)]
    unsafe fn copy(&mut self, text: &[u8]) {
        // SAFETY: as the caller promises.
        unsafe { ptr::copy_nonoverlapping(text.as_ptr(), self.base.add(self.at), text.len()) };
        self.at += text.len();
    }

    /// Appends the first `len` bytes of `head` (`len` at most 8), storing all 8: the bytes
    /// past `len` are overwritten by the next write or lie past the buffer's length.
    ///
    /// # Safety
    /// `base + at + 8` is within the buffer's capacity.
    #[inline(always)]
    unsafe fn put_head(&mut self, head: [u8; 8], len: usize) {
        // SAFETY: as the caller promises; an unaligned store needs no alignment.
        unsafe { ptr::write_unaligned(self.base.add(self.at).cast::<[u8; 8]>(), head) };
        self.at += len;
    }
}

/// A `%` format of literals and bare text attributes, written op by op.
#[derive(Clone, Debug)]
pub(super) struct PlainLine {
    ops: Box<[Op]>,
    /// The length of the literals together: the line's size before its attributes.
    literal_len: usize,
    counts: Counts,
}

impl PlainLine {
    /// The plain line of `segments`, when they are literals and text attributes only.
    pub(super) fn compile(segments: &[Segment]) -> Option<PlainLine> {
        let ops = segments
            .iter()
            .map(|segment| match segment {
                Segment::Literal(text) => Some(Op::Literal(Literal::new(text))),
                Segment::Text(TextAttr::Name) => Some(Op::Name),
                Segment::Text(TextAttr::Message) => Some(Op::Message),
                Segment::Text(TextAttr::Levelname) => Some(Op::Levelname),
                Segment::Text(TextAttr::Asctime) => Some(Op::Asctime),
                Segment::Field(..) | Segment::Fail(_) => None,
            })
            .collect::<Option<Box<[Op]>>>()?;
        let mut literal_len = 0;
        let mut counts = Counts::default();
        for op in &ops {
            match op {
                Op::Literal(literal) => literal_len += literal.text.len(),
                Op::Name => counts.name += 1,
                Op::Message => counts.message += 1,
                Op::Levelname => counts.levelname += 1,
                Op::Asctime => counts.asctime += 1,
            }
        }
        Some(PlainLine {
            ops,
            literal_len,
            counts,
        })
    }

    /// Writes the line of `record`, then its `exc_text` and `stack_info` each on a new line
    /// (Python tests them for truth: empty texts add nothing). On error `out` is left as it was.
    #[inline]
    pub(super) fn write(
        &self,
        formatter: &Formatter,
        record: &LogRecord<'_>,
        out: &mut String,
    ) -> Result<(), FormatError> {
        if !self.write_direct(formatter, record, out) {
            self.write_checked(formatter, record, out)?;
        }
        if let Some(exc_text) = record.exc_text().filter(|t| !t.is_empty()) {
            push_on_new_line(out, exc_text);
        }
        if let Some(stack) = record.stack_text().filter(|s| !s.is_empty()) {
            push_on_new_line(out, stack);
        }
        Ok(())
    }

    /// Writes the line in one pass into space reserved for all of it, when the level has a
    /// name and the time (if shown) is the cached seconds and three digits; `false`, with
    /// nothing written, otherwise.
    #[inline]
    fn write_direct(
        &self,
        formatter: &Formatter,
        record: &LogRecord<'_>,
        out: &mut String,
    ) -> bool {
        let levelname = if self.counts.levelname == 0 {
            ""
        } else {
            match record.levelname() {
                LevelName::Named(name) => name,
                LevelName::Unnamed(_) => return false,
            }
        };
        if self.counts.asctime == 0 {
            return self.write_reserved(record, levelname, ("", 0), out);
        }
        let Some((seconds, msecs)) = formatter.plain_time(record) else {
            return false;
        };
        with_cached_seconds(formatter, seconds, |text, _| {
            self.write_reserved(record, levelname, (text, msecs), out)
        })
        .unwrap_or(false)
    }

    /// Writes the line with `levelname` and `time` (the seconds' text with its separator, and
    /// the milliseconds); `false`, with nothing written, when its length overflows.
    #[inline(always)]
    fn write_reserved(
        &self,
        record: &LogRecord<'_>,
        levelname: &str,
        time: (&str, u16),
        out: &mut String,
    ) -> bool {
        let (seconds_text, msecs) = time;
        let counts = &self.counts;
        // Each length is at most `isize::MAX` and each count at most the number of ops: the
        // products and their sum fit in a `u128`.
        let wide = |count: usize, len: usize| count as u128 * len as u128;
        let len = self.literal_len as u128
            + wide(counts.name, record.name.len())
            + wide(counts.message, record.msg.len())
            + wide(counts.levelname, levelname.len())
            + wide(counts.asctime, seconds_text.len() + 3)
            + SLACK as u128;
        // Above `isize::MAX` bytes `reserve` panics (capacity overflow): such a line, which
        // no real memory holds, is left to the checked appends rather than reserved here.
        if len > isize::MAX as u128 {
            return false;
        }
        let reserved = len as usize;
        let digits = three_digits(msecs);
        out.reserve(reserved);
        // SAFETY: only whole `&str`s (the literals, the record's name and message, the level's
        // name, the seconds' text) and ASCII digits are appended, so the bytes stay UTF-8, and
        // `set_len` below covers exactly the bytes written.
        let bytes = unsafe { out.as_mut_vec() };
        let start = bytes.len();
        let mut line = Cursor {
            base: bytes.as_mut_ptr(),
            at: start,
        };
        for op in &self.ops {
            // SAFETY: `reserve` made room for `reserved` bytes after `start`. The writes
            // together are the line's `reserved - SLACK` bytes, so each copy ends within the
            // capacity, and a short literal's 8-byte store, which starts at most at the line's
            // end, ends within the `SLACK` past it.
            unsafe {
                match op {
                    Op::Literal(literal) if literal.text.len() <= 8 => {
                        line.put_head(literal.head, literal.text.len());
                    }
                    Op::Literal(literal) => line.copy(literal.text.as_bytes()),
                    Op::Name => line.copy(record.name.as_bytes()),
                    Op::Message => line.copy(record.msg.as_bytes()),
                    Op::Levelname => line.copy(levelname.as_bytes()),
                    Op::Asctime => {
                        line.copy(seconds_text.as_bytes());
                        line.copy(&digits);
                    }
                }
            }
        }
        debug_assert_eq!(line.at, start + reserved - SLACK);
        // SAFETY: the bytes from `start` to `line.at` were written above, within the capacity.
        unsafe { bytes.set_len(line.at) };
        true
    }

    /// Writes the line through `String`'s checked appends: an unnamed level (`Level 25`) or a
    /// time that takes the general millisecond path. On error `out` is left as it was.
    fn write_checked(
        &self,
        formatter: &Formatter,
        record: &LogRecord<'_>,
        out: &mut String,
    ) -> Result<(), FormatError> {
        let start = out.len();
        for op in &self.ops {
            match op {
                Op::Literal(literal) => out.push_str(&literal.text),
                Op::Name => out.push_str(record.name),
                Op::Message => out.push_str(record.msg),
                Op::Levelname => match record.levelname() {
                    LevelName::Named(name) => out.push_str(name),
                    unnamed => pyvalue::write_str_form(out, pyvalue::PyVal::Level(unnamed)),
                },
                Op::Asctime => {
                    if let Err(e) = formatter.format_time(record, out) {
                        out.truncate(start);
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{Escape, Level};

    /// The same formatter without its plain line and its plain milliseconds: the general path.
    fn general(formatter: &Formatter) -> Formatter {
        let mut inner = (*formatter.0).clone();
        inner.plain = None;
        inner.plain_msecs = false;
        Formatter(Arc::new(inner))
    }

    fn both(formatter: &Formatter, record: &LogRecord<'_>) -> (String, String) {
        let (mut plain, mut slow) = ("<".to_owned(), "<".to_owned());
        let a = formatter.format(record, &mut plain).map(|()| plain);
        let b = general(formatter).format(record, &mut slow).map(|()| slow);
        match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(a), Err(b)) => (a.to_string(), b.to_string()),
            (a, b) => panic!("{a:?} against {b:?}"),
        }
    }

    #[test]
    fn plain_lines_are_the_general_paths_lines() {
        let formats = [
            "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
            "%(levelname)s:%(name)s:%(message)s",
            "%(message)s",
            "[%(asctime)s] %(message)s %(asctime)s %%",
            "%(name)s: a literal longer than eight bytes %(message)s|12345678",
            "é → %(message)s%(levelname)s%(name)s%(message)s ü",
        ];
        let times = [
            0.0,
            -0.0,
            0.9995,
            1795536741.0723,
            1795536741.999_999_9,
            1795536741.9995,
            -1.5,
            -0.0004,
            4_503_599_627_370_495.5,
            9.0e15,
            f64::NAN,
            f64::INFINITY,
        ];
        for format in formats {
            for msec_format in [Some("%s,%03d"), Some("%s.%03d ms"), None, Some("%s %d")] {
                let formatter = Formatter::builder(format)
                    .utc(true)
                    .default_msec_format(msec_format)
                    .build()
                    .unwrap();
                for created in times {
                    for level in [Level::WARNING, Level::new(25)] {
                        let mut record = LogRecord::new("a.b", level, "hï, ünïcode");
                        record.created = created;
                        let (plain, slow) = both(&formatter, &record);
                        assert_eq!(plain, slow, "{format} {msec_format:?} {created}");
                    }
                }
            }
        }
    }

    #[test]
    fn plain_lines_add_the_error_and_stack_texts() {
        let formatter = Formatter::new("%(levelname)s:%(message)s").unwrap();
        let mut record = LogRecord::new("a", Level::ERROR, "failed");
        record.set_exc_text("Traceback\nError: x".to_owned());
        record.stack_info = Some("Stack (most recent call last):\n  here");
        let (plain, slow) = both(&formatter, &record);
        assert_eq!(plain, slow);
        assert_eq!(
            plain,
            "<ERROR:failed\nTraceback\nError: x\nStack (most recent call last):\n  here"
        );
        record.set_exc_text(String::new());
        record.stack_info = Some("");
        assert_eq!(both(&formatter, &record).0, "<ERROR:failed");
    }

    #[test]
    fn fields_with_a_conversion_and_escaped_lines_are_not_plain() {
        let plain = |f: &str| Formatter::new(f).unwrap().0.plain.is_some();
        assert!(plain("%(name)s %(message)s"));
        assert!(!plain("%(levelname)-8s %(message)s"));
        assert!(!plain("%(lineno)d %(message)s"));
        assert!(!plain("%%(asctime)s %(message)s"));
        let formatter = Formatter::builder("%(message)s")
            .escape_newlines(true)
            .build()
            .unwrap();
        let record = LogRecord::new("a", Level::INFO, "one\ntwo");
        let mut out = String::new();
        formatter.format(&record, &mut out).unwrap();
        assert_eq!(out, "one\\ntwo");
        out.clear();
        Formatter::new("%(message)s")
            .unwrap()
            .format_escaped(&record, &mut out, Escape::NEWLINES)
            .unwrap();
        assert_eq!(out, "one\\ntwo");
    }
}
