//! The common `%` format, literals and bare `%(name)s`, `%(levelname)s`, `%(message)s` and
//! `%(asctime)s` only, compiled to a list of direct writes.
//!
//! Such a format cannot fail on a field, needs no value conversion, and (with nothing coloured,
//! escaped, computed or appended) no state besides the record: one pass over the ops writes the
//! line, then `exc_text` and `stack_info` as [`Formatter::format`] adds them.

use super::{FormatError, Formatter, Segment, TextAttr, push_on_new_line, pyvalue};
use crate::level::LevelName;
use crate::record::LogRecord;

/// One write of a [`PlainLine`].
#[derive(Clone, Debug)]
enum Op {
    Literal(Box<str>),
    Name,
    Message,
    Levelname,
    Asctime,
}

/// A `%` format of literals and bare text attributes, written op by op.
#[derive(Clone, Debug)]
pub(super) struct PlainLine {
    ops: Box<[Op]>,
    /// The length of the literals together: the line's size before its attributes.
    literal_len: usize,
}

impl PlainLine {
    /// The plain line of `segments`, when they are literals and text attributes only.
    pub(super) fn compile(segments: &[Segment]) -> Option<PlainLine> {
        let ops = segments
            .iter()
            .map(|segment| match segment {
                Segment::Literal(text) => Some(Op::Literal(text.clone())),
                Segment::Text(TextAttr::Name) => Some(Op::Name),
                Segment::Text(TextAttr::Message) => Some(Op::Message),
                Segment::Text(TextAttr::Levelname) => Some(Op::Levelname),
                Segment::Text(TextAttr::Asctime) => Some(Op::Asctime),
                Segment::Field(..) | Segment::Fail(_) => None,
            })
            .collect::<Option<Box<[Op]>>>()?;
        let literal_len = ops
            .iter()
            .map(|op| match op {
                Op::Literal(text) => text.len(),
                _ => 0,
            })
            .sum();
        Some(PlainLine { ops, literal_len })
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
        let levelname = record.levelname();
        // The time text of the default format is 23 bytes; a longer one grows the buffer itself.
        out.reserve(self.literal_len + record.name.len() + record.msg.len() + 32);
        let start = out.len();
        for op in &self.ops {
            match op {
                Op::Literal(text) => out.push_str(text),
                Op::Name => out.push_str(record.name),
                Op::Message => out.push_str(record.msg),
                Op::Levelname => match levelname {
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
        if let Some(exc_text) = record.exc_text().filter(|t| !t.is_empty()) {
            push_on_new_line(out, exc_text);
        }
        if let Some(stack) = record.stack_text().filter(|s| !s.is_empty()) {
            push_on_new_line(out, stack);
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
                        let mut record = LogRecord::new("a.b", level, "hi");
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
