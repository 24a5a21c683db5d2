//! The bytes a socket handler sends for one record: Python's `SocketHandler.makePickle` framing (a
//! 4-byte big-endian length, then the payload), around the record's dict pickled with protocol 1
//! as CPython pickles it ([`Wire::Pickle`], the default), or around a JSON object with the same
//! keys ([`Wire::Json`]).
//!
//! The dict has the keys CPython 3.11 pickles: the record's `__dict__` with `msg` merged
//! (`getMessage()`), `args` and `exc_info` set to `None`, `message` removed (CPython issue 25685),
//! and `exc_text` filled when the record carries an error. After them come `module_path` and
//! `spans` when the record has them, then the extras; an extra named like one of those keys
//! (which Python refuses) is left out, and of two extras with one name the first is kept.

use std::io::Write as _;

use crate::pickle::DictWriter;
use crate::record::{LogRecord, RECORD_DICT_KEYS, Value};

/// What a socket handler's frames carry after the length prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Wire {
    /// The record's dict pickled with protocol 1, byte for byte what CPython's
    /// `SocketHandler.makePickle` sends: the logging cookbook's receiver and any server built on
    /// `pickle.loads` + `logging.makeLogRecord` read it unchanged.
    #[default]
    Pickle,
    /// A JSON object with the same keys in the same order (`null` for `None`; NaN and the
    /// infinities, which JSON lacks, also become `null`), for receivers that will not unpickle.
    /// A Python receiver reads it with `json.loads` where it used `pickle.loads`.
    Json,
}

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
pub(crate) fn encode(
    record: &LogRecord<'_>,
    wire: Wire,
    out: &mut Vec<u8>,
) -> Result<(), FrameError> {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    let result = match wire {
        Wire::Pickle => {
            write_pickle(record, out);
            Ok(())
        }
        Wire::Json => write_object(record, out),
    };
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

/// Calls `field` with each key and value of the record's dict, in CPython's order.
fn for_each_field(record: &LogRecord<'_>, mut field: impl FnMut(&str, Value<'_>)) {
    fn opt(s: Option<&str>) -> Value<'_> {
        s.map_or(Value::None, Value::Str)
    }
    field("name", Value::Str(record.name));
    field("msg", Value::Str(record.msg));
    field("args", Value::None);
    field("levelname", Value::Str(&record.levelname().to_string()));
    field("levelno", Value::Int(record.level.value().into()));
    field("pathname", Value::Str(record.pathname));
    field("filename", Value::Str(record.filename()));
    field("module", Value::Str(record.module()));
    field("exc_info", Value::None);
    field("exc_text", opt(record.exc_text()));
    field("stack_info", opt(record.stack_info));
    field("lineno", Value::UInt(record.lineno.into()));
    field("funcName", opt(record.func_name));
    field("created", Value::Float(record.created));
    field("msecs", Value::Float(record.msecs()));
    field("relativeCreated", Value::Float(record.relative_created()));
    field("thread", Value::UInt(record.thread()));
    field("threadName", Value::Str(record.thread_name()));
    field("processName", Value::Str(record.process_name()));
    field("process", Value::UInt(record.process().into()));
    let mut taken: Vec<&str> = Vec::new();
    if let Some(path) = record.module_path {
        field("module_path", Value::Str(path));
        taken.push("module_path");
    }
    if !record.spans.is_empty() {
        field("spans", Value::Str(record.spans));
        taken.push("spans");
    }
    for (i, (key, value)) in record.extras.iter().enumerate() {
        // `message` is the key CPython removes: an extra may not take it either.
        let reserved = RECORD_DICT_KEYS.contains(key) || *key == "message" || taken.contains(key);
        let repeated = record.extras[..i].iter().any(|(k, _)| k == key);
        if !reserved && !repeated {
            field(key, *value);
        }
    }
}

/// `pickle.dumps(d, 1)` of the record's dict.
fn write_pickle(record: &LogRecord<'_>, out: &mut Vec<u8>) {
    let mut dict = DictWriter::new(out);
    for_each_field(record, |key, value| match value {
        Value::Str(s) => dict.str(key, s),
        Value::Int(v) => dict.int(key, v.into()),
        Value::UInt(v) => dict.int(key, v.into()),
        Value::BigInt(v) => dict.int(key, v),
        Value::Float(v) => dict.float(key, v),
        Value::Bool(v) => dict.bool(key, v),
        Value::None => dict.none(key),
    });
    dict.finish();
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
    for_each_field(record, |key, value| o.value(key, value));
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
        encode(&record, Wire::Json, &mut frame).unwrap();
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
        encode(&record, Wire::Json, &mut frame).unwrap();
        let text = std::str::from_utf8(&frame[4..]).unwrap();
        assert!(text.ends_with(
            r#","spans":"req{id=1}","user":"zoë","big":-1267650600228229401496703205376,"nan":null,"ok":true}"#
        ), "{text}");
        assert_eq!(decode(&frame)["msg"], "m");
    }

    #[test]
    fn the_pickle_is_the_dict_cpython_pickles() {
        let extras = [
            ("user", Value::Str("zoë")),
            ("n", Value::Int(-7)),
            ("ok", Value::Bool(false)),
        ];
        let mut record = LogRecord::new("app.db", Level::WARNING, "saved");
        record.pathname = "src/db/save.rs";
        record.lineno = 12;
        record.extras = &extras;
        let mut frame = Vec::new();
        encode(&record, Wire::Pickle, &mut frame).unwrap();
        let len = u32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]) as usize;
        assert_eq!(len, frame.len() - 4);
        let dict = crate::pickle::read(&frame[4..], &crate::pickle::Limits::default()).unwrap();
        let crate::pickle::PickleValue::Dict(items) = &dict else {
            panic!("a dict")
        };
        let keys: Vec<String> = items.iter().map(|(k, _)| k.py_str()).collect();
        let mut expected: Vec<&str> = RECORD_DICT_KEYS.to_vec();
        expected.extend(["user", "n", "ok"]);
        assert_eq!(keys, expected);
        assert_eq!(
            dict.get("module").map(|v| v.py_str()).as_deref(),
            Some("save")
        );
        assert_eq!(
            dict.get("levelno"),
            Some(&crate::pickle::PickleValue::Int(30))
        );
        assert_eq!(dict.get("args"), Some(&crate::pickle::PickleValue::None));
        assert_eq!(
            dict.get("ok"),
            Some(&crate::pickle::PickleValue::Bool(false))
        );
        assert_eq!(dict.get("user").map(|v| v.py_str()).as_deref(), Some("zoë"));
    }

    #[test]
    fn frames_append_to_what_is_there() {
        let mut out = b"xy".to_vec();
        encode(&LogRecord::new("a", Level::INFO, "1"), Wire::Json, &mut out).unwrap();
        assert_eq!(&out[..2], b"xy");
        decode(&out[2..]);
    }
}
