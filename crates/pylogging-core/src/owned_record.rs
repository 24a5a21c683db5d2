//! `OwnedRecord`: a record that owns its data, so it can wait in a queue or a buffer and cross to
//! another thread. Python keeps the `LogRecord` object itself; a Rust [`LogRecord`] borrows from the
//! logging call and cannot outlive it.
//!
//! The error attached to a record (`exc_info`) is a borrowed trait object; an owned record keeps its
//! formatted text (`exc_text`) instead, which is what formatters print.
//!
//! ```
//! use pylogging_core::{Level, LogRecord, OwnedRecord, Value};
//! let extras = [("user", Value::Int(7))];
//! let mut record = LogRecord::new("app", Level::INFO, "saved");
//! record.extras = &extras;
//! let owned = OwnedRecord::from_record(&record);
//! drop(record);
//! owned.with_record(|r| {
//!     assert_eq!(r.msg, "saved");
//!     assert_eq!(r.extra("user"), Some(Value::Int(7)));
//! });
//! ```

use std::sync::{Arc, OnceLock};

use crate::level::Level;
use crate::record::{LogRecord, Value};

/// An owned extra attribute value. Python: any attribute value of a record.
#[derive(Clone, Debug, PartialEq)]
pub enum OwnedValue {
    /// Text.
    Str(String),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A 128-bit integer.
    BigInt(i128),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// Python's `None`.
    None,
}

impl OwnedValue {
    /// A borrowed view, as records hold it.
    pub fn as_value(&self) -> Value<'_> {
        match self {
            OwnedValue::Str(s) => Value::Str(s),
            OwnedValue::Int(v) => Value::Int(*v),
            OwnedValue::UInt(v) => Value::UInt(*v),
            OwnedValue::BigInt(v) => Value::BigInt(*v),
            OwnedValue::Float(v) => Value::Float(*v),
            OwnedValue::Bool(v) => Value::Bool(*v),
            OwnedValue::None => Value::None,
        }
    }
}

impl From<Value<'_>> for OwnedValue {
    fn from(value: Value<'_>) -> OwnedValue {
        match value {
            Value::Str(s) => OwnedValue::Str(s.to_owned()),
            Value::Int(v) => OwnedValue::Int(v),
            Value::UInt(v) => OwnedValue::UInt(v),
            Value::BigInt(v) => OwnedValue::BigInt(v),
            Value::Float(v) => OwnedValue::Float(v),
            Value::Bool(v) => OwnedValue::Bool(v),
            Value::None => OwnedValue::None,
        }
    }
}

/// A [`LogRecord`] that owns its data. Every attribute keeps its value, except `exc_info`, which is
/// kept as its formatted text (`exc_text`).
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedRecord {
    /// The logger's dotted name.
    pub name: String,
    /// The message.
    pub msg: String,
    /// The level.
    pub level: Level,
    /// The source file.
    pub pathname: String,
    /// The source line.
    pub lineno: u32,
    /// The calling function, when known.
    pub func_name: Option<String>,
    /// The Rust module path, when known.
    pub module_path: Option<String>,
    /// Seconds since the Unix epoch.
    pub created: f64,
    /// Milliseconds since logging started.
    pub relative_created: f64,
    /// The thread's number.
    pub thread: u64,
    /// The thread's name.
    pub thread_name: Arc<str>,
    /// The process id.
    pub process: u32,
    /// The process name.
    pub process_name: String,
    /// The formatted error and its source chain (Python's `exc_text`).
    pub exc_text: Option<String>,
    /// A captured stack, formatted.
    pub stack_info: Option<String>,
    /// Extra attributes, first entry of a name wins.
    pub extras: Vec<(String, OwnedValue)>,
    /// The enclosing spans, `outer{a=1}:inner{b=2}`.
    pub spans: String,
}

impl OwnedRecord {
    /// Copies a record; its error becomes its formatted `exc_text`.
    pub fn from_record(record: &LogRecord<'_>) -> OwnedRecord {
        OwnedRecord::copy_of(
            record,
            record.msg.to_owned(),
            record.exc_text().map(str::to_owned),
            record.stack_info.map(str::to_owned),
        )
    }

    fn copy_of(
        record: &LogRecord<'_>,
        msg: String,
        exc_text: Option<String>,
        stack_info: Option<String>,
    ) -> OwnedRecord {
        OwnedRecord {
            name: record.name.to_owned(),
            msg,
            level: record.level,
            pathname: record.pathname.to_owned(),
            lineno: record.lineno,
            func_name: record.func_name.map(str::to_owned),
            module_path: record.module_path.map(str::to_owned),
            created: record.created,
            relative_created: record.relative_created,
            thread: record.thread,
            thread_name: record.thread_name.clone(),
            process: record.process,
            process_name: record.process_name.to_owned(),
            exc_text,
            stack_info,
            extras: record
                .extras
                .iter()
                .map(|(k, v)| ((*k).to_owned(), OwnedValue::from(*v)))
                .collect(),
            spans: record.spans.to_owned(),
        }
    }

    /// Python's `QueueHandler.prepare`: a copy whose message is `message` (the record as the queue
    /// handler formatted it) and whose `exc_text` and `stack_info` are cleared, since the message
    /// already holds them.
    pub fn prepared(record: &LogRecord<'_>, message: String) -> OwnedRecord {
        OwnedRecord::copy_of(record, message, None, None)
    }

    /// A record created now on the current thread, as [`LogRecord::new`], owned.
    pub fn new(name: &str, level: Level, msg: impl Into<String>) -> OwnedRecord {
        let msg = msg.into();
        OwnedRecord::from_record(&LogRecord::new(name, level, &msg))
    }

    /// Calls `f` with a borrowed [`LogRecord`] view of this record, for handlers and formatters.
    pub fn with_record<R>(&self, f: impl FnOnce(&LogRecord<'_>) -> R) -> R {
        let extras: Vec<(&str, Value<'_>)> = self
            .extras
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_value()))
            .collect();
        let record = LogRecord {
            name: &self.name,
            msg: &self.msg,
            level: self.level,
            pathname: &self.pathname,
            lineno: self.lineno,
            func_name: self.func_name.as_deref(),
            module_path: self.module_path.as_deref(),
            created: self.created,
            relative_created: self.relative_created,
            thread: self.thread,
            thread_name: self.thread_name.clone(),
            process: self.process,
            process_name: &self.process_name,
            exc_info: None,
            exc_type: None,
            stack_info: self.stack_info.as_deref(),
            extras: &extras,
            spans: &self.spans,
            exc_text: self
                .exc_text
                .clone()
                .map_or_else(OnceLock::new, OnceLock::from),
        };
        f(&record)
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
        record.extras = &extras;
        record.spans = "req{id=1}";
        record.stack_info = Some("Stack (most recent call last):");
        record.exc_info = Some(&Broken);
        let owned = OwnedRecord::from_record(&record);
        assert_eq!(owned.exc_text.as_deref(), Some("disk on fire"));
        owned.with_record(|r| {
            assert_eq!(
                (r.name, r.msg, r.level, r.pathname, r.lineno),
                ("app.db", "lost", Level::ERROR, "src/db.rs", 42)
            );
            assert_eq!(r.func_name, Some("save"));
            assert_eq!(r.created, record.created);
            assert_eq!(r.thread_name, record.thread_name);
            assert_eq!(r.extra("user"), Some(Value::Str("ann")));
            assert_eq!(r.extra("n"), Some(Value::UInt(3)));
            assert_eq!(r.spans, "req{id=1}");
            assert_eq!(r.exc_text(), Some("disk on fire"));
            assert_eq!(r.stack_info, Some("Stack (most recent call last):"));
        });
    }
}
