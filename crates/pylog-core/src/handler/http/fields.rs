//! Python's `HTTPHandler.mapLogRecord` (`record.__dict__`) and the two ways it is written: CPython's
//! `urllib.parse.urlencode` (`str()` of each value, `quote_plus`), and JSON.
//!
//! The keys come in the order CPython 3.11 creates them in `LogRecord.__init__`, then the record's
//! extra attributes (`makeRecord` adds them after `__init__`). An extra named like an attribute is
//! left out, since it does not replace the attribute (Python refuses it with a `KeyError`).

use std::fmt::Write as _;

use crate::format::write_float_repr;
use crate::record::{LogRecord, Value};

use crate::record::RECORD_DICT_KEYS as ATTRIBUTES;

/// One value of the map, as Python would hold it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Field<'a> {
    Str(&'a str),
    Int(i64),
    UInt(u64),
    BigInt(i128),
    Float(f64),
    Bool(bool),
    None,
    /// `args`, which is always `()` (messages are formatted by the caller).
    EmptyTuple,
}

impl<'a> From<Value<'a>> for Field<'a> {
    fn from(v: Value<'a>) -> Self {
        match v {
            Value::Str(s) => Field::Str(s),
            Value::Int(n) => Field::Int(n),
            Value::UInt(n) => Field::UInt(n),
            Value::BigInt(n) => Field::BigInt(n),
            Value::Float(f) => Field::Float(f),
            Value::Bool(b) => Field::Bool(b),
            Value::None => Field::None,
        }
    }
}

fn opt(s: Option<&str>) -> Field<'_> {
    s.map_or(Field::None, Field::Str)
}

/// Calls `f` with each key and value of Python's `record.__dict__`, in its order.
///
/// `exc_info` has no Rust object to show (CPython shows the `(type, value, traceback)` tuple): it
/// carries the error's text, as `exc_text` does; both are `None` without an error.
pub(crate) fn map_log_record<'r>(record: &'r LogRecord<'r>, mut f: impl FnMut(&str, Field<'_>)) {
    let levelname = record.levelname().to_text();
    let exc_text = record.exc_text();
    f("name", Field::Str(record.name));
    f("msg", Field::Str(record.msg));
    f("args", Field::EmptyTuple);
    f("levelname", Field::Str(&levelname));
    f("levelno", Field::Int(record.level.value().into()));
    f("pathname", Field::Str(record.pathname));
    f("filename", Field::Str(record.filename()));
    f("module", Field::Str(record.module()));
    f("exc_info", opt(exc_text));
    f("exc_text", opt(exc_text));
    f("stack_info", opt(record.stack_info));
    f("lineno", Field::UInt(record.lineno.into()));
    f("funcName", opt(record.func_name));
    f("created", Field::Float(record.created));
    f("msecs", Field::Float(record.msecs()));
    f("relativeCreated", Field::Float(record.relative_created()));
    f("thread", Field::UInt(record.thread()));
    f("threadName", Field::Str(record.thread_name()));
    f("processName", Field::Str(record.process_name()));
    f("process", Field::UInt(record.process().into()));
    let mut seen: Vec<&str> = Vec::new();
    for &(key, value) in record.extras {
        if ATTRIBUTES.contains(&key) || key == "message" || key == "asctime" || seen.contains(&key)
        {
            continue;
        }
        seen.push(key);
        f(key, value.into());
    }
}

/// Python's `str(value)`.
fn write_str(out: &mut String, value: Field<'_>) {
    match value {
        Field::Str(s) => out.push_str(s),
        Field::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Field::UInt(n) => {
            let _ = write!(out, "{n}");
        }
        Field::BigInt(n) => {
            let _ = write!(out, "{n}");
        }
        Field::Float(v) => write_float_repr(out, v),
        Field::Bool(b) => out.push_str(if b { "True" } else { "False" }),
        Field::None => out.push_str("None"),
        Field::EmptyTuple => out.push_str("()"),
    }
}

/// Python's `urllib.parse.quote_plus(text, safe='')`: letters, digits and `_.-~` stay, a space
/// becomes `+`, every other UTF-8 byte `%XX` (upper-case hex).
pub(crate) fn quote_plus(out: &mut String, text: &str) {
    for &byte in text.as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(byte as char);
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

/// Python's `urllib.parse.urlencode(record.__dict__)`, appended to `out`.
pub(crate) fn urlencode(out: &mut String, record: &LogRecord<'_>) {
    let mut text = String::new();
    let mut first = true;
    map_log_record(record, |key, value| {
        if !first {
            out.push('&');
        }
        first = false;
        quote_plus(out, key);
        out.push('=');
        text.clear();
        write_str(&mut text, value);
        quote_plus(out, &text);
    });
}

/// A JSON string literal (RFC 8259 escapes; other characters as they are).
fn write_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_json_value(out: &mut String, value: Field<'_>) {
    match value {
        Field::Str(s) => write_json_str(out, s),
        Field::Float(v) if !v.is_finite() => out.push_str("null"),
        Field::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Field::None => out.push_str("null"),
        Field::EmptyTuple => out.push_str("[]"),
        number => write_str(out, number),
    }
}

/// The record as one JSON object: the keys and values of `record.__dict__` (numbers as numbers,
/// `None` as `null`, a float that is not finite as `null`), then `message`, the record as the
/// handler's formatter formatted it.
pub(crate) fn write_json(out: &mut String, record: &LogRecord<'_>, message: &str) {
    out.push('{');
    map_log_record(record, |key, value| {
        write_json_str(out, key);
        out.push(':');
        write_json_value(out, value);
        out.push(',');
    });
    write_json_str(out, "message");
    out.push(':');
    write_json_str(out, message);
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::Level;

    #[test]
    fn quote_plus_matches_cpython() {
        // urllib.parse.quote_plus('a b&c=d/é~_.-+%', safe='')
        let mut out = String::new();
        quote_plus(&mut out, "a b&c=d/é~_.-+%");
        assert_eq!(out, "a+b%26c%3Dd%2F%C3%A9~_.-%2B%25");
    }

    #[test]
    fn values_are_pythons_str() {
        let mut out = String::new();
        for v in [
            Field::Float(1e16),
            Field::Float(0.5),
            Field::Float(723.0),
            Field::Bool(true),
            Field::None,
            Field::EmptyTuple,
            Field::Int(-3),
        ] {
            write_str(&mut out, v);
            out.push(' ');
        }
        assert_eq!(out, "1e+16 0.5 723.0 True None () -3 ");
    }

    #[test]
    fn extras_named_like_attributes_are_left_out() {
        let extras = [
            ("name", Value::Str("x")),
            ("user", Value::Int(1)),
            ("user", Value::Int(2)),
            ("message", Value::None),
        ];
        let mut record = LogRecord::new("app", Level::INFO, "m");
        record.extras = &extras;
        let mut keys = Vec::new();
        let mut user = None;
        map_log_record(&record, |k, v| {
            keys.push(k.to_owned());
            if k == "user" {
                user = Some(format!("{v:?}"));
            }
        });
        assert_eq!(keys.len(), ATTRIBUTES.len() + 1);
        assert_eq!(&keys[..20], ATTRIBUTES);
        assert_eq!(user.as_deref(), Some("Int(1)"));
    }

    #[test]
    fn json_escapes_and_types() {
        let extras = [
            ("ratio", Value::Float(f64::NAN)),
            ("ok", Value::Bool(false)),
        ];
        let mut record = LogRecord::new("a\"b", Level::INFO, "line\n\u{1}");
        record.extras = &extras;
        let mut out = String::new();
        write_json(&mut out, &record, "done");
        assert!(out.starts_with(r#"{"name":"a\"b","msg":"line\n\u0001","args":[],"#));
        assert!(out.ends_with(r#""ratio":null,"ok":false,"message":"done"}"#));
        assert!(out.contains(r#""levelno":20,"#));
        assert!(out.contains(r#""exc_info":null,"#));
    }
}
