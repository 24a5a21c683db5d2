//! The bytes a socket handler sends for one record: Python's `SocketHandler.makePickle` framing (a
//! 4-byte big-endian length, then the payload) around a JSON object instead of a pickle.
//!
//! The object has the keys of the dict CPython 3.11 pickles: the record's `__dict__` with `msg`
//! merged (`getMessage()`), `args` and `exc_info` set to `null`, `message` removed (CPython issue
//! 25685), and `exc_text` filled when the record carries an error. After them come `module_path`
//! and `spans` when the record has them, then the extras; an extra named like one of those keys
//! (which Python refuses) is left out, and of two extras with one name the first is kept.

use std::io::Write as _;

use crate::record::{LogRecord, Value};

use crate::record::RECORD_DICT_KEYS;

/// Why a record could not be framed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FrameError {
    /// The payload does not fit the 4-byte length (CPython's `struct.error`).
    TooLarge,
    /// The JSON writer failed (it writes into memory, so this is not expected).
    Json(String),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::TooLarge => {
                f.write_str("struct.error: 'L' format requires 0 <= number <= 4294967295")
            }
            FrameError::Json(e) => write!(f, "cannot encode the record as JSON: {e}"),
        }
    }
}

/// Appends the frame of `record` to `out`. On error `out` is left as it was.
pub(crate) fn encode(record: &LogRecord<'_>, out: &mut Vec<u8>) -> Result<(), FrameError> {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    let result = write_object(record, out);
    let len = out.len() - start - 4;
    match (result, u32::try_from(len)) {
        (Ok(()), Ok(len)) => {
            out[start..start + 4].copy_from_slice(&len.to_be_bytes());
            Ok(())
        }
        (Err(e), _) => {
            out.truncate(start);
            Err(e)
        }
        (Ok(()), Err(_)) => {
            out.truncate(start);
            Err(FrameError::TooLarge)
        }
    }
}

/// Writes JSON into a byte buffer, one member at a time.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    error: Option<FrameError>,
}

impl Object<'_> {
    fn key(&mut self, key: &str) {
        self.out.push(if self.first { b'{' } else { b',' });
        self.first = false;
        self.string(key);
        self.out.push(b':');
    }

    fn string(&mut self, s: &str) {
        if let Err(e) = serde_json::to_writer(&mut *self.out, s) {
            self.error.get_or_insert(FrameError::Json(e.to_string()));
        }
    }

    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
    }

    fn opt_str(&mut self, key: &str, value: Option<&str>) {
        match value {
            Some(value) => self.str(key, value),
            None => self.null(key),
        }
    }

    fn null(&mut self, key: &str) {
        self.key(key);
        self.out.extend_from_slice(b"null");
    }

    fn int(&mut self, key: &str, value: impl std::fmt::Display) {
        self.key(key);
        // Writing into a Vec cannot fail.
        let _ = write!(self.out, "{value}");
    }

    /// A float as JSON has it: shortest round-trip digits; NaN and infinities (which JSON lacks)
    /// become `null`.
    fn float(&mut self, key: &str, value: f64) {
        self.key(key);
        if let Err(e) = serde_json::to_writer(&mut *self.out, &value) {
            self.error.get_or_insert(FrameError::Json(e.to_string()));
        }
    }

    fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    fn value(&mut self, key: &str, value: Value<'_>) {
        match value {
            Value::Str(s) => self.str(key, s),
            Value::Int(v) => self.int(key, v),
            Value::UInt(v) => self.int(key, v),
            Value::BigInt(v) => self.int(key, v),
            Value::Float(v) => self.float(key, v),
            Value::Bool(v) => self.bool(key, v),
            Value::None => self.null(key),
        }
    }
}

fn write_object(record: &LogRecord<'_>, out: &mut Vec<u8>) -> Result<(), FrameError> {
    let mut o = Object {
        out,
        first: true,
        error: None,
    };
    o.str("name", record.name);
    o.str("msg", record.msg);
    o.null("args");
    o.str("levelname", &record.levelname().to_string());
    o.int("levelno", record.level.value());
    o.str("pathname", record.pathname);
    o.str("filename", record.filename());
    o.str("module", record.module());
    o.null("exc_info");
    o.opt_str("exc_text", record.exc_text());
    o.opt_str("stack_info", record.stack_info);
    o.int("lineno", record.lineno);
    o.opt_str("funcName", record.func_name);
    o.float("created", record.created);
    o.float("msecs", record.msecs());
    o.float("relativeCreated", record.relative_created);
    o.int("thread", record.thread);
    o.str("threadName", &record.thread_name);
    o.str("processName", record.process_name);
    o.int("process", record.process);
    let mut taken: Vec<&str> = Vec::new();
    if let Some(path) = record.module_path {
        o.str("module_path", path);
        taken.push("module_path");
    }
    if !record.spans.is_empty() {
        o.str("spans", record.spans);
        taken.push("spans");
    }
    for (i, (key, value)) in record.extras.iter().enumerate() {
        // `message` is the key CPython removes: an extra may not take it either.
        let reserved = RECORD_DICT_KEYS.contains(key) || *key == "message" || taken.contains(key);
        let repeated = record.extras[..i].iter().any(|(k, _)| k == key);
        if !reserved && !repeated {
            o.value(key, *value);
        }
    }
    if o.first {
        o.out.push(b'{');
    }
    o.out.push(b'}');
    match o.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::Level;

    fn decode(frame: &[u8]) -> serde_json::Value {
        let len = u32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]) as usize;
        assert_eq!(len, frame.len() - 4, "the prefix is the payload's length");
        serde_json::from_slice(&frame[4..]).unwrap()
    }

    #[test]
    fn the_object_has_cpythons_keys_in_cpythons_order() {
        let mut record = LogRecord::new("app.db", Level::WARNING, "saved \"7\" rows\n");
        record.pathname = "src/db/save.rs";
        record.lineno = 12;
        let mut frame = Vec::new();
        encode(&record, &mut frame).unwrap();
        let value = decode(&frame);
        let mut keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let text = std::str::from_utf8(&frame[4..]).unwrap();
        keys.sort_by_key(|k| text.find(&format!("\"{k}\":")));
        assert_eq!(keys, RECORD_DICT_KEYS);
        assert_eq!(value["msg"], "saved \"7\" rows\n");
        assert_eq!(value["levelname"], "WARNING");
        assert_eq!(value["levelno"], 30);
        assert_eq!(value["filename"], "save.rs");
        assert_eq!(value["module"], "save");
        assert_eq!(value["lineno"], 12);
        assert!(value["args"].is_null() && value["exc_info"].is_null());
        assert!(value["exc_text"].is_null() && value["funcName"].is_null());
    }

    #[test]
    fn extras_follow_and_never_replace_record_keys() {
        let extras = [
            ("user", Value::Str("zoë")),
            ("msg", Value::Str("not the message")),
            ("user", Value::Str("second")),
            ("big", Value::BigInt(-(1 << 100))),
            ("nan", Value::Float(f64::NAN)),
            ("ok", Value::Bool(true)),
            ("spans", Value::Int(1)),
        ];
        let mut record = LogRecord::new("app", Level::INFO, "m");
        record.extras = &extras;
        record.spans = "req{id=1}";
        let mut frame = Vec::new();
        encode(&record, &mut frame).unwrap();
        let text = std::str::from_utf8(&frame[4..]).unwrap();
        assert!(text.ends_with(
            r#","spans":"req{id=1}","user":"zoë","big":-1267650600228229401496703205376,"nan":null,"ok":true}"#
        ), "{text}");
        assert_eq!(decode(&frame)["msg"], "m");
    }

    #[test]
    fn frames_append_to_what_is_there() {
        let mut out = b"xy".to_vec();
        encode(&LogRecord::new("a", Level::INFO, "1"), &mut out).unwrap();
        assert_eq!(&out[..2], b"xy");
        decode(&out[2..]);
    }
}
