//! `OwnedRecord`: a record that owns its data, so it can wait in a queue or a buffer and cross to
//! another thread. Python keeps the `LogRecord` object itself; a Rust [`LogRecord`] borrows from the
//! logging call and cannot outlive it.
//!
//! The error attached to a record (`exc_info`) is a borrowed trait object; an owned record keeps its
//! formatted text (`exc_text`) instead, which is what formatters print. All the record's data
//! (names, message, paths, the thread's name, extras with their values) lives in one buffer, so a
//! queued record costs the logging thread at most one allocation, none when it is written over a
//! record the queue has delivered (a queue keeps those for reuse), and the thread that delivers it
//! touches nothing the logging thread writes to again.
//!
//! ```
//! use pylog_core::{Level, LogRecord, OwnedRecord, Value};
//! let extras = [("user", Value::Int(7))];
//! let mut record = LogRecord::new("app", Level::INFO, "saved");
//! record.extras = &extras;
//! let owned = OwnedRecord::from_record(&record);
//! drop(record);
//! assert_eq!(owned.msg(), "saved");
//! owned.with_record(|r| {
//!     assert_eq!(r.msg, "saved");
//!     assert_eq!(r.extra("user"), Some(Value::Int(7)));
//! });
//! ```

use std::cell::OnceCell;
use std::fmt;

use crate::format::{FormatError, Formatter};
use crate::level::Level;
use crate::record::{LogRecord, Value};

/// The pieces of a record's text, in the order they sit in its buffer: each ends where the next
/// starts, so a record keeps only where each piece ends (32-bit offsets, which keep a queued
/// record small: it is moved through the queue; a record with more than 4 GiB of text shows the
/// part that fits).
#[derive(Clone, Copy)]
enum Piece {
    Formatted,
    Msg,
    ExcText,
    StackInfo,
    Name,
    Pathname,
    ProcessName,
    Spans,
    FuncName,
    ModulePath,
    ThreadName,
    /// The extra attributes, encoded by [`extras::push`].
    Extras,
}

const PIECES: usize = Piece::Extras as usize + 1;

fn offset(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// How many extras a borrowed view holds without allocating.
const INLINE_EXTRAS: usize = 4;

/// A [`LogRecord`] that owns its data. Every attribute keeps its value, except `exc_info`, which is
/// kept as its formatted text (`exc_text`).
#[derive(Clone, PartialEq)]
pub struct OwnedRecord {
    text: String,
    /// Where each [`Piece`] ends in `text`.
    ends: [u32; PIECES],
    /// The optional pieces that are absent (`None`, not empty), one bit per [`Piece`].
    absent: u16,
    /// The level.
    pub level: Level,
    /// The source line.
    pub lineno: u32,
    /// The process id.
    pub process: u32,
    /// Seconds since the Unix epoch.
    pub created: f64,
    /// Milliseconds since logging started.
    pub relative_created: f64,
    /// The thread's number.
    pub thread: u64,
}

impl OwnedRecord {
    /// What the record holds in memory: its fixed size and its text's buffer. A queue bounded in
    /// bytes counts this.
    pub(crate) fn queued_bytes(&self) -> usize {
        std::mem::size_of::<OwnedRecord>() + self.text.capacity()
    }
}

impl fmt::Debug for OwnedRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedRecord")
            .field("name", &self.name())
            .field("level", &self.level)
            .field("msg", &self.msg())
            .field("pathname", &self.pathname())
            .field("lineno", &self.lineno)
            .finish_non_exhaustive()
    }
}

/// The pieces before the name: what differs between the kinds of owned record. The pieces after
/// it come from the record itself.
#[derive(Clone, Copy)]
struct Head<'a> {
    formatted: Option<&'a str>,
    msg: &'a str,
    exc_text: Option<&'a str>,
    stack_info: Option<&'a str>,
}

impl Head<'_> {
    fn len(&self) -> usize {
        self.formatted.map_or(0, str::len)
            + self.msg.len()
            + self.exc_text.map_or(0, str::len)
            + self.stack_info.map_or(0, str::len)
    }
}

/// Writes `head`, then the record's own pieces, into `text` (emptied first: a buffer given back by
/// the worker that delivered its last record keeps its allocation), all in [`Piece`] order.
///
/// Each piece's end is kept in a local, and the ends are stored once, together, in the result.
/// Storing them one at a time into an array that was then moved cost every queued record two
/// stalls: the move read the array back in 16-byte loads over the 4-byte stores still on their way
/// to the cache, which the CPU cannot forward.
fn assemble(mut text: String, head: Head<'_>, record: &LogRecord<'_>) -> OwnedRecord {
    text.clear();
    text.reserve(head.len() + text_size(record));
    let mut absent = 0u16;
    let mut put = |text: &mut String, piece: Piece, s: Option<&str>| {
        match s {
            Some(s) => text.push_str(s),
            None => absent |= 1 << piece as usize,
        }
        offset(text.len())
    };
    let formatted = put(&mut text, Piece::Formatted, head.formatted);
    let msg = put(&mut text, Piece::Msg, Some(head.msg));
    let exc_text = put(&mut text, Piece::ExcText, head.exc_text);
    let stack_info = put(&mut text, Piece::StackInfo, head.stack_info);
    let name = put(&mut text, Piece::Name, Some(record.name));
    let pathname = put(&mut text, Piece::Pathname, Some(record.pathname));
    let process_name = put(&mut text, Piece::ProcessName, Some(record.process_name()));
    let spans = put(&mut text, Piece::Spans, Some(record.spans));
    let func_name = put(&mut text, Piece::FuncName, record.func_name);
    let module_path = put(&mut text, Piece::ModulePath, record.module_path);
    let thread_name = put(&mut text, Piece::ThreadName, Some(record.thread_name()));
    for (key, value) in record.extras {
        extras::push(&mut text, key, *value);
    }
    let extras = offset(text.len());
    OwnedRecord {
        text,
        ends: [
            formatted,
            msg,
            exc_text,
            stack_info,
            name,
            pathname,
            process_name,
            spans,
            func_name,
            module_path,
            thread_name,
            extras,
        ],
        absent,
        level: record.level,
        lineno: record.lineno,
        process: record.process(),
        created: record.created,
        relative_created: record.relative_created(),
        thread: record.thread(),
    }
}

impl OwnedRecord {
    /// Copies a record; its error becomes its formatted `exc_text`.
    pub fn from_record(record: &LogRecord<'_>) -> OwnedRecord {
        OwnedRecord::with_head(None, record)
    }

    /// Python's `QueueHandler.prepare`: a copy whose message is the record as `formatter` formats
    /// it, with `exc_text` and `stack_info` cleared, since the message already holds them.
    pub fn prepared(
        record: &LogRecord<'_>,
        formatter: &Formatter,
    ) -> Result<OwnedRecord, FormatError> {
        OwnedRecord::prepared_in(String::new(), record, formatter)
    }

    /// [`prepared`](OwnedRecord::prepared), written into `text` (emptied first), which keeps its
    /// allocation: a queue hands the buffers of the records it has delivered back to the logging
    /// calls (see [`into_text`](OwnedRecord::into_text)).
    pub(crate) fn prepared_in(
        text: String,
        record: &LogRecord<'_>,
        formatter: &Formatter,
    ) -> Result<OwnedRecord, FormatError> {
        let copy = |line: &str| {
            let head = Head {
                formatted: None,
                msg: line,
                exc_text: None,
                stack_info: None,
            };
            assemble(text, head, record)
        };
        match formatter.message_as_is(record) {
            // The formatted text would be the message: copy it as it is.
            Some(message) => Ok(copy(message)),
            None => formatted_on_this_thread(record, formatter, copy),
        }
    }

    /// The record's text buffer, to write another record in.
    pub(crate) fn into_text(self) -> String {
        self.text
    }

    /// A copy, as [`from_record`](OwnedRecord::from_record), that also keeps the record as
    /// `formatter` formats it ([`formatted`](OwnedRecord::formatted)): what a handler that
    /// delivers on another thread formats on the caller's, with the formatter in force then.
    pub fn with_formatted(
        record: &LogRecord<'_>,
        formatter: &Formatter,
    ) -> Result<OwnedRecord, FormatError> {
        formatted_on_this_thread(record, formatter, |line| {
            OwnedRecord::with_formatted_text(record, line)
        })
    }

    /// A copy, as [`from_record`](OwnedRecord::from_record), that keeps `line` as the record's
    /// [`formatted`](OwnedRecord::formatted) text.
    pub(crate) fn with_formatted_text(record: &LogRecord<'_>, line: &str) -> OwnedRecord {
        OwnedRecord::with_head(Some(line), record)
    }

    /// A copy of the whole record, its error as `exc_text`, and `formatted` if given.
    fn with_head(formatted: Option<&str>, record: &LogRecord<'_>) -> OwnedRecord {
        let head = Head {
            formatted,
            msg: record.msg,
            exc_text: record.exc_text(),
            stack_info: record.stack_text(),
        };
        assemble(String::new(), head, record)
    }

    /// A record created now on the current thread, as [`LogRecord::new`], owned.
    pub fn new(name: &str, level: Level, msg: &str) -> OwnedRecord {
        OwnedRecord::from_record(&LogRecord::new(name, level, msg))
    }

    fn get(&self, piece: Piece) -> &str {
        let index = piece as usize;
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
        self.text
            .get(start as usize..self.ends[index] as usize)
            .unwrap_or_default()
    }

    fn get_opt(&self, piece: Piece) -> Option<&str> {
        (self.absent & (1 << piece as usize) == 0).then(|| self.get(piece))
    }

    /// The logger's dotted name.
    pub fn name(&self) -> &str {
        self.get(Piece::Name)
    }

    /// The message.
    pub fn msg(&self) -> &str {
        self.get(Piece::Msg)
    }

    /// The source file.
    pub fn pathname(&self) -> &str {
        self.get(Piece::Pathname)
    }

    /// The formatted error and its source chain (Python's `exc_text`).
    pub fn exc_text(&self) -> Option<&str> {
        self.get_opt(Piece::ExcText)
    }

    /// The captured stack, formatted.
    pub fn stack_info(&self) -> Option<&str> {
        self.get_opt(Piece::StackInfo)
    }

    /// The record as its handler's formatter formatted it, for a record made by
    /// [`with_formatted`](OwnedRecord::with_formatted).
    pub fn formatted(&self) -> Option<&str> {
        self.get_opt(Piece::Formatted)
    }

    /// The name of the thread that logged the record.
    pub fn thread_name(&self) -> &str {
        self.get(Piece::ThreadName)
    }

    /// The extra attributes, in order.
    pub fn extras(&self) -> impl Iterator<Item = (&str, Value<'_>)> {
        extras::Decoder {
            rest: self.get(Piece::Extras),
        }
    }

    /// The extra attribute `name`, if the record has it.
    pub fn extra(&self, name: &str) -> Option<Value<'_>> {
        self.extras()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// Calls `f` with a borrowed [`LogRecord`] view of this record, for handlers and formatters.
    /// Up to 4 extras cost no allocation.
    pub fn with_record<R>(&self, f: impl FnOnce(&LogRecord<'_>) -> R) -> R {
        let mut inline = [("", Value::None); INLINE_EXTRAS];
        let mut count = 0;
        let mut all = self.extras();
        for (slot, extra) in inline.iter_mut().zip(all.by_ref()) {
            *slot = extra;
            count += 1;
        }
        match all.next() {
            None => f(&self.view(&inline[..count])),
            Some(next) => {
                let extras: Vec<(&str, Value<'_>)> =
                    inline.into_iter().chain([next]).chain(all).collect();
                f(&self.view(&extras))
            }
        }
    }

    fn view<'a>(&'a self, extras: &'a [(&'a str, Value<'a>)]) -> LogRecord<'a> {
        let exc_text = match self.exc_text() {
            Some(text) => OnceCell::from(text.to_owned()),
            None => OnceCell::new(),
        };
        LogRecord {
            name: self.name(),
            msg: self.msg(),
            level: self.level,
            pathname: self.pathname(),
            lineno: self.lineno,
            func_name: self.get_opt(Piece::FuncName),
            module_path: self.get_opt(Piece::ModulePath),
            created: self.created,
            relative_created: Some(self.relative_created),
            thread: OnceCell::new(),
            thread_borrowed: Some((self.thread, self.thread_name())),
            process_name: Some(self.get(Piece::ProcessName)),
            process: self.process,
            exc_info: None,
            exc_type: None,
            stack_info: self.stack_info(),
            stack: None,
            extras,
            spans: self.get(Piece::Spans),
            exc_text,
            stack_text: OnceCell::new(),
        }
    }
}

/// Formats `record` into a buffer kept per thread and hands the text to `make`, so that the
/// record's own buffer can be allocated at its exact size: a small record then stays in the
/// allocator's smallest size classes, which a thread frees into without taking a lock (the
/// listener's thread frees what the logging thread allocated).
fn formatted_on_this_thread<R>(
    record: &LogRecord<'_>,
    formatter: &Formatter,
    make: impl FnOnce(&str) -> R,
) -> Result<R, FormatError> {
    thread_local! {
        static SCRATCH: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
    }
    let mut line = crate::scratch::take(&SCRATCH);
    let result = formatter.format(record, &mut line).map(|()| make(&line));
    crate::scratch::give_back(&SCRATCH, line);
    result
}

/// The bytes of a record's buffer other than its message, error and stack.
fn text_size(record: &LogRecord<'_>) -> usize {
    let extras: usize = record
        .extras
        .iter()
        .map(|(key, value)| extras::size(key, *value))
        .sum();
    record.name.len()
        + record.pathname.len()
        + record.process_name().len()
        + record.spans.len()
        + record.func_name.map_or(0, str::len)
        + record.module_path.map_or(0, str::len)
        + record.thread_name().len()
        + extras
}

/// Extra attributes inside the record's text: for each, a tag character, the key's length, the
/// value, then the key. Lengths and numbers are variable-length base-64 digits, one ASCII byte
/// each (the last one has bit 6 set), so the buffer stays text, a small number costs one byte, and
/// a value reads back exactly (integers zigzag-encoded; a float keeps its bits, NaN and -0.0
/// too).
mod extras {
    use crate::record::Value;

    /// Marks the last digit of a number.
    const LAST: u8 = 0x40;
    /// The most digits a `u128` needs.
    const MAX_DIGITS: usize = 22;

    fn digits(value: u128) -> usize {
        ((128 - value.leading_zeros() as usize).max(1)).div_ceil(6)
    }

    fn zigzag(value: i128) -> u128 {
        ((value << 1) ^ (value >> 127)) as u128
    }

    fn unzigzag(value: u128) -> i128 {
        ((value >> 1) as i128) ^ -((value & 1) as i128)
    }

    /// The number an extra's value is written as, if it is one.
    fn number(value: Value<'_>) -> Option<u128> {
        match value {
            Value::Str(s) => Some(s.len() as u128),
            Value::Int(v) => Some(zigzag(i128::from(v))),
            Value::UInt(v) => Some(u128::from(v)),
            Value::Float(v) => Some(u128::from(v.to_bits())),
            Value::BigInt(v) => Some(zigzag(v)),
            Value::Bool(_) | Value::None => None,
        }
    }

    /// The bytes [`push`] writes for one extra.
    pub(super) fn size(key: &str, value: Value<'_>) -> usize {
        let text = match value {
            Value::Str(s) => s.len(),
            _ => 0,
        };
        1 + digits(key.len() as u128) + number(value).map_or(0, digits) + text + key.len()
    }

    pub(super) fn push(text: &mut String, key: &str, value: Value<'_>) {
        let tag = match value {
            Value::Str(_) => 's',
            Value::Int(_) => 'i',
            Value::UInt(_) => 'u',
            Value::BigInt(_) => 'b',
            Value::Float(_) => 'f',
            Value::Bool(true) => 'T',
            Value::Bool(false) => 'F',
            Value::None => 'N',
        };
        text.push(tag);
        push_number(text, key.len() as u128);
        if let Some(number) = number(value) {
            push_number(text, number);
        }
        if let Value::Str(s) = value {
            text.push_str(s);
        }
        text.push_str(key);
    }

    fn push_number(text: &mut String, mut value: u128) {
        if value < 0x40 {
            // The common case: a length or a small number, one byte.
            text.push(char::from(value as u8 | LAST));
            return;
        }
        let mut buffer = [0u8; MAX_DIGITS];
        let mut len = 0;
        loop {
            let digit = (value & 0x3f) as u8;
            value >>= 6;
            if value == 0 {
                buffer[len] = digit | LAST;
                len += 1;
                break;
            }
            buffer[len] = digit;
            len += 1;
        }
        // Every byte is below 0x80: ASCII.
        text.push_str(std::str::from_utf8(&buffer[..len]).unwrap_or_default());
    }

    /// Reads back what [`push`] wrote.
    pub(super) struct Decoder<'a> {
        pub(super) rest: &'a str,
    }

    impl<'a> Decoder<'a> {
        fn take(&mut self, n: usize) -> Option<&'a str> {
            let (head, tail) = (self.rest.get(..n)?, self.rest.get(n..)?);
            self.rest = tail;
            Some(head)
        }

        fn number(&mut self) -> Option<u128> {
            let mut value = 0u128;
            for (i, byte) in self.rest.bytes().enumerate().take(MAX_DIGITS) {
                value |= u128::from(byte & 0x3f) << (6 * i);
                if byte & LAST != 0 {
                    self.rest = self.rest.get(i + 1..)?;
                    return Some(value);
                }
            }
            None
        }

        fn len(&mut self) -> Option<usize> {
            usize::try_from(self.number()?).ok()
        }

        fn decode(&mut self) -> Option<(&'a str, Value<'a>)> {
            let tag = self.take(1)?;
            let key_len = self.len()?;
            let value = match tag {
                "s" => {
                    let len = self.len()?;
                    Value::Str(self.take(len)?)
                }
                "i" => Value::Int(unzigzag(self.number()?) as i64),
                "u" => Value::UInt(self.number()? as u64),
                "f" => Value::Float(f64::from_bits(self.number()? as u64)),
                "b" => Value::BigInt(unzigzag(self.number()?)),
                "T" => Value::Bool(true),
                "F" => Value::Bool(false),
                _ => Value::None,
            };
            Some((self.take(key_len)?, value))
        }
    }

    impl<'a> Iterator for Decoder<'a> {
        type Item = (&'a str, Value<'a>);

        fn next(&mut self) -> Option<Self::Item> {
            let extra = self.decode();
            if extra.is_none() {
                self.rest = "";
            }
            extra
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn size_is_what_push_writes() {
            let values = [
                Value::Str("naïve"),
                Value::Int(-64),
                Value::Int(i64::MIN),
                Value::UInt(63),
                Value::UInt(64),
                Value::UInt(u64::MAX),
                Value::BigInt(i128::MIN),
                Value::Float(0.1),
                Value::Bool(true),
                Value::None,
            ];
            for value in values {
                let mut text = String::new();
                push(&mut text, "key", value);
                assert_eq!(text.len(), size("key", value), "{value:?}");
                let back: Vec<_> = Decoder { rest: &text }.collect();
                assert_eq!(back, [("key", value)]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Broken;
    impl std::fmt::Display for Broken {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("disk on fire")
        }
    }
    impl std::error::Error for Broken {}

    #[test]
    fn every_attribute_survives_the_copy() {
        let extras = [("user", Value::Str("ann")), ("n", Value::UInt(3))];
        let mut record = LogRecord::new("app.db", Level::ERROR, "lost");
        record.pathname = "src/db.rs";
        record.lineno = 42;
        record.func_name = Some("save");
        record.module_path = Some("app::db");
        record.extras = &extras;
        record.spans = "req{id=1}";
        record.stack_info = Some("Stack (most recent call last):");
        record.exc_info = Some(&Broken);
        let owned = OwnedRecord::from_record(&record);
        assert_eq!(owned.exc_text(), Some("disk on fire"));
        owned.with_record(|r| {
            assert_eq!(
                (r.name, r.msg, r.level, r.pathname, r.lineno),
                ("app.db", "lost", Level::ERROR, "src/db.rs", 42)
            );
            assert_eq!(
                (r.func_name, r.module_path),
                (Some("save"), Some("app::db"))
            );
            assert_eq!(r.created, record.created);
            assert_eq!(r.thread_name(), record.thread_name());
            assert_eq!(r.thread(), record.thread());
            assert_eq!(owned.thread_name(), record.thread_name());
            assert_eq!(r.process_name(), "MainProcess");
            assert_eq!(r.extra("user"), Some(Value::Str("ann")));
            assert_eq!(r.extra("n"), Some(Value::UInt(3)));
            assert_eq!(r.spans, "req{id=1}");
            assert_eq!(r.exc_text(), Some("disk on fire"));
            assert_eq!(r.stack_info, Some("Stack (most recent call last):"));
        });
    }

    #[test]
    fn a_prepared_record_carries_the_formatted_text_as_its_message() {
        let mut record = LogRecord::new("app", Level::ERROR, "lost");
        record.exc_info = Some(&Broken);
        let formatter = Formatter::new("%(levelname)s:%(message)s").unwrap();
        let owned = OwnedRecord::prepared(&record, &formatter).unwrap();
        assert_eq!(owned.msg(), "ERROR:lost\ndisk on fire");
        assert_eq!((owned.exc_text(), owned.stack_info()), (None, None));
        assert_eq!(owned.name(), "app");
    }

    #[test]
    fn a_record_stays_small_enough_to_move_through_a_queue_cheaply() {
        assert!(std::mem::size_of::<OwnedRecord>() <= 112);
    }

    #[test]
    fn empty_texts_are_not_absent_ones() {
        let mut record = LogRecord::new("", Level::INFO, "");
        record.func_name = Some("");
        let owned = OwnedRecord::from_record(&record);
        owned.with_record(|r| {
            assert_eq!(
                (r.name, r.msg, r.func_name, r.module_path),
                ("", "", Some(""), None)
            );
        });
    }

    #[test]
    fn with_formatted_keeps_the_line_and_every_attribute() {
        let extras = [("user", Value::Int(7))];
        let mut record = LogRecord::new("app", Level::ERROR, "lost");
        record.extras = &extras;
        record.exc_info = Some(&Broken);
        let formatter = Formatter::new("%(levelname)s %(user)s %(message)s").unwrap();
        let owned = OwnedRecord::with_formatted(&record, &formatter).unwrap();
        assert_eq!(owned.formatted(), Some("ERROR 7 lost\ndisk on fire"));
        assert_eq!(owned.msg(), "lost");
        assert_eq!(owned.exc_text(), Some("disk on fire"));
        assert_eq!(OwnedRecord::from_record(&record).formatted(), None);
    }

    #[test]
    fn every_kind_of_extra_reads_back_exactly() {
        let extras = [
            ("text", Value::Str("naïve ✓")),
            ("", Value::Str("")),
            ("neg", Value::Int(i64::MIN)),
            ("max", Value::UInt(u64::MAX)),
            ("wide", Value::BigInt(i128::MIN)),
            ("wider", Value::BigInt(i128::MAX)),
            ("zero", Value::Float(-0.0)),
            ("inf", Value::Float(f64::INFINITY)),
            ("yes", Value::Bool(true)),
            ("no", Value::Bool(false)),
            ("nothing", Value::None),
            ("clé", Value::Int(-1)),
        ];
        let mut record = LogRecord::new("app", Level::INFO, "m");
        record.extras = &extras;
        let owned = OwnedRecord::from_record(&record);
        let back: Vec<(&str, Value<'_>)> = owned.extras().collect();
        assert_eq!(back, extras);
        let Value::Float(zero) = back[6].1 else {
            panic!("{:?}", back[6])
        };
        assert!(zero.is_sign_negative());
        let nan = [("nan", Value::Float(f64::NAN))];
        record.extras = &nan;
        let owned = OwnedRecord::from_record(&record);
        let got = owned.extras().next();
        assert!(
            matches!(got, Some(("nan", Value::Float(v))) if v.is_nan()),
            "{got:?}"
        );
        owned.with_record(|r| assert_eq!(r.extras.len(), 1));
    }

    #[test]
    fn many_extras_are_all_kept() {
        let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        let extras: Vec<(&str, Value<'_>)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), Value::UInt(i as u64)))
            .collect();
        let mut record = LogRecord::new("app", Level::INFO, "m");
        record.extras = &extras;
        let owned = OwnedRecord::from_record(&record);
        owned.with_record(|r| assert_eq!(r.extra("k39"), Some(Value::UInt(39))));
        assert_eq!(owned.extras().count(), 40);
    }
}
