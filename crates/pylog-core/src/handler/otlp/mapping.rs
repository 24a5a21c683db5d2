//! From a record to an OTLP `LogRecord`, as opentelemetry-python's `LoggingHandler` maps a Python
//! `logging.LogRecord` (`opentelemetry/sdk/_logs/_internal/__init__.py`, `_translate` and
//! `_get_attributes`, SDK 1.45):
//!
//! | OTLP field | from |
//! |---|---|
//! | `time_unix_nano` | `created`, in nanoseconds |
//! | `observed_time_unix_nano` | when the batch is exported |
//! | `severity_number` | the level, by [`severity_number`] (Python's `std_to_otel`) |
//! | `severity_text` | the level's name, `WARN` for `WARNING` and `FATAL` for `CRITICAL` |
//! | `body` | the formatted record when the handler has a formatter, else the message |
//! | attributes | the extras (typed), then `code.file.path`, `code.function.name`, `code.line.number`, then `exception.type`, `exception.message`, `exception.stacktrace` when an error is attached |
//! | scope | the logger's name |
//!
//! Python leaves `thread`/`threadName` out (they are among its reserved attributes); the handler
//! adds `thread.id` and `thread.name` only when asked ([`thread_attributes`]).
//!
//! [`thread_attributes`]: super::OtlpHandlerBuilder::thread_attributes

use std::sync::OnceLock;

use super::proto::{self, any_value::Value as Any};
use crate::level::Level;
use crate::owned_record::OwnedRecord;
use crate::record::{LogRecord, Value};

/// The attribute keys of the semantic conventions that the mapping writes.
pub(crate) mod keys {
    pub(crate) const CODE_FILE_PATH: &str = "code.file.path";
    pub(crate) const CODE_FUNCTION_NAME: &str = "code.function.name";
    pub(crate) const CODE_LINE_NUMBER: &str = "code.line.number";
    pub(crate) const EXCEPTION_TYPE: &str = "exception.type";
    pub(crate) const EXCEPTION_MESSAGE: &str = "exception.message";
    pub(crate) const EXCEPTION_STACKTRACE: &str = "exception.stacktrace";
    pub(crate) const THREAD_ID: &str = "thread.id";
    pub(crate) const THREAD_NAME: &str = "thread.name";
}

/// The OTLP `SeverityNumber` of a level, as Python's `std_to_otel`: below 10 unspecified (0);
/// 10 DEBUG (5), 11 DEBUG2, 12 DEBUG3, 13–19 DEBUG4; the same steps from 20 (INFO, 9), 30 (WARN,
/// 13), 40 (ERROR, 17) and 50 (FATAL, 21); above 53 FATAL4 (24).
pub fn severity_number(level: Level) -> i32 {
    let levelno = level.value();
    if levelno < 10 {
        return 0;
    }
    if levelno > 53 {
        return 24;
    }
    // 10 → DEBUG (5), 20 → INFO (9), 30 → WARN (13), 40 → ERROR (17), 50 → FATAL (21).
    let base = (levelno / 10) * 4 + 1;
    base + (levelno % 10).min(3)
}

/// The OTLP `severity_text` of a level: its name, `WARN` for `WARNING` and `FATAL` for
/// `CRITICAL`, as opentelemetry-python sends them.
pub fn severity_text(record: &LogRecord<'_>) -> String {
    let name = record.levelname().to_text();
    match &*name {
        "WARNING" => "WARN".to_owned(),
        "CRITICAL" => "FATAL".to_owned(),
        _ => name.into_owned(),
    }
}

/// An extra's value as an OTLP value; `None` has none (Python's SDK drops such attributes).
fn any_value(value: Value<'_>) -> Option<Any> {
    Some(match value {
        Value::Str(s) => Any::StringValue(s.to_owned()),
        Value::Int(i) => Any::IntValue(i),
        Value::UInt(u) => match i64::try_from(u) {
            Ok(i) => Any::IntValue(i),
            Err(_) => Any::StringValue(u.to_string()),
        },
        Value::BigInt(i) => match i64::try_from(i) {
            Ok(i) => Any::IntValue(i),
            Err(_) => Any::StringValue(i.to_string()),
        },
        Value::Float(f) => Any::DoubleValue(f),
        Value::Bool(b) => Any::BoolValue(b),
        Value::None => return None,
    })
}

/// What the mapping needs beyond the record.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct MappingOptions {
    /// Adds `thread.id` and `thread.name`.
    pub(crate) thread_attributes: bool,
}

/// The OTLP record for a queued record. `observed` is the export time in nanoseconds.
pub(crate) fn log_record(
    owned: &OwnedRecord,
    observed: u64,
    options: &MappingOptions,
) -> proto::LogRecord {
    owned.with_record(|record| map_record(record, owned.formatted(), observed, options))
}

/// The OTLP record for `record`, whose body is `formatted` when the handler formats it. The
/// attached error's type and message come from the error itself, or, for a queued record, from
/// the reserved extras its handler added (see [`exception_extras`]).
pub(crate) fn map_record(
    record: &LogRecord<'_>,
    formatted: Option<&str>,
    observed: u64,
    options: &MappingOptions,
) -> proto::LogRecord {
    let mut attributes = Vec::with_capacity(record.extras.len() + 6);
    let (mut exception_type, mut exception_message) = match exception_extras(record) {
        Some((type_name, message)) => (
            type_name.map(|t| Any::StringValue(t.to_owned())),
            (!message.is_empty()).then_some(Any::StringValue(message)),
        ),
        None => (None, None),
    };
    let (mut trace_id, mut span_id, mut flags) = (None, None, 0);
    for (index, (key, value)) in record.extras.iter().enumerate() {
        // The first extra of a name wins, as everywhere in the record.
        if record.extras[..index].iter().any(|(k, _)| k == key) {
            continue;
        }
        match (*key, *value) {
            (EXCEPTION_TYPE_EXTRA, _) => exception_type = any_value(*value),
            (EXCEPTION_MESSAGE_EXTRA, _) => exception_message = any_value(*value),
            // The trace context goes to the record's own fields.
            (TRACE_ID_EXTRA, Value::Str(hex)) => trace_id = decode_hex::<16>(hex),
            (SPAN_ID_EXTRA, Value::Str(hex)) => span_id = decode_hex::<8>(hex),
            (TRACE_SAMPLED_EXTRA, Value::Bool(sampled)) => flags = u32::from(sampled),
            _ => {
                if let Some(v) = any_value(*value) {
                    attributes.push(proto::KeyValue::new(*key, v));
                }
            }
        }
    }
    attributes.push(proto::KeyValue::new(
        keys::CODE_FILE_PATH,
        Any::StringValue(record.pathname.to_owned()),
    ));
    if let Some(func) = record.func_name {
        attributes.push(proto::KeyValue::new(
            keys::CODE_FUNCTION_NAME,
            Any::StringValue(func.to_owned()),
        ));
    }
    attributes.push(proto::KeyValue::new(
        keys::CODE_LINE_NUMBER,
        Any::IntValue(i64::from(record.lineno)),
    ));
    if let Some(t) = exception_type {
        attributes.push(proto::KeyValue::new(keys::EXCEPTION_TYPE, t));
    }
    if let Some(m) = exception_message {
        attributes.push(proto::KeyValue::new(keys::EXCEPTION_MESSAGE, m));
    }
    if let Some(trace) = record.exc_text() {
        attributes.push(proto::KeyValue::new(
            keys::EXCEPTION_STACKTRACE,
            Any::StringValue(trace.to_owned()),
        ));
    }
    if options.thread_attributes {
        attributes.push(proto::KeyValue::new(
            keys::THREAD_ID,
            any_value(Value::UInt(record.thread())).unwrap_or(Any::IntValue(0)),
        ));
        attributes.push(proto::KeyValue::new(
            keys::THREAD_NAME,
            Any::StringValue(record.thread_name().to_owned()),
        ));
    }
    proto::LogRecord {
        time_unix_nano: nanos(record.created),
        observed_time_unix_nano: observed,
        severity_number: severity_number(record.level),
        severity_text: severity_text(record),
        body: Some(proto::AnyValue::string(formatted.unwrap_or(record.msg))),
        attributes,
        trace_id: trace_id.map(|id| id.to_vec()).unwrap_or_default(),
        span_id: span_id.map(|id| id.to_vec()).unwrap_or_default(),
        flags: if trace_id.is_some() { flags } else { 0 },
        ..Default::default()
    }
}

/// The extras that carry the trace context of a record logged inside a traced span (set by the
/// `tracing` layer from `tracing-opentelemetry`'s span data), named as Python's
/// `LoggingInstrumentor` names the record attributes: lowercase hex ids and a bool.
pub const TRACE_ID_EXTRA: &str = "otelTraceID";
/// See [`TRACE_ID_EXTRA`].
pub const SPAN_ID_EXTRA: &str = "otelSpanID";
/// See [`TRACE_ID_EXTRA`].
pub const TRACE_SAMPLED_EXTRA: &str = "otelTraceSampled";

/// `N` bytes from `2N` hex digits; `None` for anything else (`0` outside a span, all zeros).
fn decode_hex<const N: usize>(hex: &str) -> Option<[u8; N]> {
    if hex.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    (out != [0u8; N]).then_some(out)
}

/// Python's `int(record.created * 1e9)`.
pub(crate) fn nanos(seconds: f64) -> u64 {
    let n = seconds * 1e9;
    if n.is_finite() && n > 0.0 {
        n as u64
    } else {
        0
    }
}

/// The reserved extra names that carry an attached error's type and message from the logging
/// thread (where the error is) to the worker. They cannot clash with an application's extras:
/// a `tracing` field name cannot start with a NUL.
pub(crate) const EXCEPTION_TYPE_EXTRA: &str = "\0exception.type";
pub(crate) const EXCEPTION_MESSAGE_EXTRA: &str = "\0exception.message";

/// The record's error as the two reserved extras: Python's `exctype.__name__` (here the Rust
/// type the error was logged as) and `str(value.args[0])` (here the error's `Display`).
/// `None` when no error is attached.
pub(crate) fn exception_extras(record: &LogRecord<'_>) -> Option<(Option<&'static str>, String)> {
    let error = record.exc_info?;
    Some((record.exc_type, error.to_string()))
}

/// The resource attributes: `OTEL_RESOURCE_ATTRIBUTES` (comma-separated `key=value`, values
/// percent-decoded), then `OTEL_SERVICE_NAME` as `service.name`, then the builder's additions;
/// a later key replaces an earlier one. `service.name` falls back to `unknown_service:<exe>`,
/// and `telemetry.sdk.*` say what sent the records.
pub(crate) fn resource(
    env_attributes: Option<&str>,
    env_service_name: Option<&str>,
    added: &[(String, String)],
) -> proto::Resource {
    let mut pairs: Vec<(String, String)> = vec![
        ("telemetry.sdk.language".to_owned(), "rust".to_owned()),
        ("telemetry.sdk.name".to_owned(), "pylog".to_owned()),
        (
            "telemetry.sdk.version".to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
        ),
        ("service.instance.id".to_owned(), instance_id().to_owned()),
    ];
    fn set(pairs: &mut Vec<(String, String)>, key: &str, value: String) {
        match pairs.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => pairs.push((key.to_owned(), value)),
        }
    }
    for item in env_attributes.unwrap_or_default().split(',') {
        if let Some((key, value)) = item.split_once('=') {
            set(&mut pairs, key.trim(), percent_decode(value.trim()));
        }
    }
    if let Some(name) = env_service_name.filter(|n| !n.is_empty()) {
        set(&mut pairs, "service.name", name.to_owned());
    }
    for (key, value) in added {
        set(&mut pairs, key, value.clone());
    }
    if !pairs
        .iter()
        .any(|(k, v)| k == "service.name" && !v.is_empty())
    {
        set(
            &mut pairs,
            "service.name",
            format!("unknown_service:{}", executable_name()),
        );
    }
    proto::Resource {
        attributes: pairs
            .into_iter()
            .map(|(k, v)| proto::KeyValue::new(k, Any::StringValue(v)))
            .collect(),
        dropped_attributes_count: 0,
    }
}

/// A random UUID (version 4) for this process, as opentelemetry-python's default resource
/// carries in `service.instance.id`: from the standard library's per-process random hash keys,
/// the time and the process id.
fn instance_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let half = |salt: u64| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(salt);
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0),
            );
            h.write_u32(std::process::id());
            h.finish()
        };
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&half(1).to_be_bytes());
        bytes[8..].copy_from_slice(&half(2).to_be_bytes());
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    })
}

/// The program's file name, as Python's `os.path.basename(sys.executable)`.
fn executable_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default()
    })
}

/// `urllib.parse.unquote`: `%XX` sequences decoded as UTF-8 (invalid ones kept as they are).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_numbers_are_pythons_std_to_otel() {
        let table = [
            (0, 0),
            (5, 0),
            (9, 0),
            (10, 5),
            (11, 6),
            (12, 7),
            (13, 8),
            (19, 8),
            (20, 9),
            (21, 10),
            (25, 12),
            (30, 13),
            (33, 16),
            (40, 17),
            (42, 19),
            (50, 21),
            (53, 24),
            (54, 24),
            (1000, 24),
        ];
        for (levelno, expected) in table {
            assert_eq!(severity_number(Level::new(levelno)), expected, "{levelno}");
        }
    }

    #[test]
    fn thread_attributes_are_added_only_when_asked() {
        let record = LogRecord::new("a", Level::INFO, "m");
        let keys = |thread_attributes| {
            map_record(&record, None, 1, &MappingOptions { thread_attributes })
                .attributes
                .into_iter()
                .map(|kv| kv.key)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(false),
            ["code.file.path", "code.line.number"],
            "as Python: no thread attributes, no function name when none is known"
        );
        assert_eq!(
            keys(true),
            [
                "code.file.path",
                "code.line.number",
                "thread.id",
                "thread.name"
            ]
        );
        let mapped = map_record(
            &record,
            None,
            1,
            &MappingOptions {
                thread_attributes: true,
            },
        );
        let name = mapped.attributes.iter().find(|kv| kv.key == "thread.name");
        assert_eq!(
            name.and_then(|kv| kv.value.clone()),
            Some(proto::AnyValue::string(record.thread_name().to_owned()))
        );
    }

    #[test]
    fn trace_extras_become_the_records_trace_context() {
        let extras = [
            (
                TRACE_ID_EXTRA,
                Value::Str("0af7651916cd43dd8448eb211c80319c"),
            ),
            (SPAN_ID_EXTRA, Value::Str("b7ad6b7169203331")),
            (TRACE_SAMPLED_EXTRA, Value::Bool(true)),
        ];
        let mut record = LogRecord::new("a", Level::INFO, "m");
        record.extras = &extras;
        let mapped = map_record(&record, None, 1, &MappingOptions::default());
        assert_eq!(mapped.trace_id.len(), 16);
        assert_eq!(mapped.trace_id[..2], [0x0a, 0xf7]);
        assert_eq!(
            mapped.span_id,
            [0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31]
        );
        assert_eq!(mapped.flags, 1);
        assert!(
            mapped
                .attributes
                .iter()
                .all(|kv| !kv.key.starts_with("otel"))
        );
        let zeros = [
            (TRACE_ID_EXTRA, Value::Str("0")),
            (SPAN_ID_EXTRA, Value::Str("0")),
        ];
        record.extras = &zeros;
        let mapped = map_record(&record, None, 1, &MappingOptions::default());
        assert!(mapped.trace_id.is_empty() && mapped.span_id.is_empty());
    }

    #[test]
    fn severity_texts_are_the_ones_python_sends() {
        let text = |level| severity_text(&LogRecord::new("a", level, "m"));
        assert_eq!(text(Level::WARNING), "WARN");
        assert_eq!(text(Level::CRITICAL), "FATAL");
        assert_eq!(text(Level::INFO), "INFO");
        assert_eq!(text(Level::new(25)), "Level 25");
    }

    #[test]
    fn resource_attributes_follow_the_environment_and_the_builder() {
        let r = resource(
            Some("service.name=env, deployment.environment = prod%20eu ,bad"),
            None,
            &[("host.name".into(), "h1".into())],
        );
        let get = |key: &str| {
            r.attributes
                .iter()
                .find(|kv| kv.key == key)
                .and_then(|kv| kv.value.clone())
        };
        assert_eq!(get("service.name"), Some(proto::AnyValue::string("env")));
        assert_eq!(
            get("deployment.environment"),
            Some(proto::AnyValue::string("prod eu"))
        );
        assert_eq!(get("host.name"), Some(proto::AnyValue::string("h1")));
        let named = resource(Some("service.name=env"), Some("svc"), &[]);
        assert!(
            named
                .attributes
                .iter()
                .any(|kv| kv.key == "service.name"
                    && kv.value == Some(proto::AnyValue::string("svc")))
        );
        let unnamed = resource(None, None, &[]);
        let name = unnamed
            .attributes
            .iter()
            .find(|kv| kv.key == "service.name")
            .and_then(|kv| kv.value.clone());
        assert_eq!(
            name,
            Some(proto::AnyValue::string(format!(
                "unknown_service:{}",
                executable_name()
            )))
        );
    }
}
