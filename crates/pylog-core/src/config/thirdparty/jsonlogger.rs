//! python-json-logger's `JsonFormatter` (`pythonjsonlogger.json.JsonFormatter`, and the older
//! `pythonjsonlogger.jsonlogger.JsonFormatter`), as version 4.2 writes a record:
//!
//! 1. `defaults`, then the fields `fmt` names (`%(name)s`, `{name}`, `$name`/`${name}`, or a
//!    comma-separated list with `style=","`), each the record's attribute or extra of that name, or
//!    `null`;
//! 2. `static_fields`, then `exc_info` (the record's `exc_text`) and `stack_info` when present;
//! 3. the record's extras, except names starting with `_`, the reserved attributes and the fields
//!    already named;
//! 4. `timestamp` (the record's time in UTC, ISO 8601) when asked for.
//!
//! Every key goes through `rename_fields`; a key written twice keeps its first place and its last
//! value, as a Python `dict` does. The object is `json.dumps`'s: `", "` and `": "` separators,
//! non-ASCII escaped unless `json_ensure_ascii` is false, floats as Python's `repr`.

use std::sync::Arc;

use crate::config::args::Args;
use crate::config::{ConfigError, ConfigMap, ConfigValue};
use crate::format::pyvalue::write_float_repr;
use crate::format::{FormatError, Formatter, RecordLayout, Style};
use crate::record::{LogRecord, Value};

/// CPython 3.11's `LogRecord` attributes, which are never copied as extras.
const RESERVED_ATTRS: [&str; 22] = [
    "args",
    "asctime",
    "created",
    "exc_info",
    "exc_text",
    "filename",
    "funcName",
    "levelname",
    "levelno",
    "lineno",
    "module",
    "msecs",
    "message",
    "msg",
    "name",
    "pathname",
    "process",
    "processName",
    "relativeCreated",
    "stack_info",
    "thread",
    "threadName",
];

/// A JSON value as `json.dumps` writes it.
#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<Json>),
    Map(Vec<(String, Json)>),
}

impl From<&ConfigValue> for Json {
    fn from(value: &ConfigValue) -> Json {
        match value {
            ConfigValue::Null => Json::Null,
            ConfigValue::Bool(b) => Json::Bool(*b),
            ConfigValue::Int(i) => Json::Int((*i).into()),
            ConfigValue::Float(x) => Json::Float(*x),
            ConfigValue::Str(s) => Json::Str(s.clone()),
            ConfigValue::List(items) => Json::List(items.iter().map(Json::from).collect()),
            ConfigValue::Map(map) => {
                Json::Map(map.iter().map(|(k, v)| (k.to_owned(), v.into())).collect())
            }
        }
    }
}

impl From<Value<'_>> for Json {
    fn from(value: Value<'_>) -> Json {
        match value {
            Value::Str(s) => Json::Str(s.to_owned()),
            Value::Int(i) => Json::Int(i.into()),
            Value::UInt(u) => Json::Int(u.into()),
            Value::BigInt(i) => Json::Int(i),
            Value::Float(x) => Json::Float(x),
            Value::Bool(b) => Json::Bool(b),
            Value::None => Json::Null,
        }
    }
}

/// The layout: what to write, compiled from the keyword arguments.
#[derive(Debug)]
struct JsonLoggerLayout {
    required: Vec<String>,
    defaults: Vec<(String, Json)>,
    static_fields: Vec<(String, Json)>,
    rename: Vec<(String, String)>,
    keep_missing: bool,
    reserved: Vec<String>,
    timestamp: Option<String>,
    ensure_ascii: bool,
    prefix: String,
    exc_info_as_array: bool,
    stack_info_as_array: bool,
}

/// Builds the formatter from a dictConfig entry's keyword arguments.
pub(crate) fn build(args: &mut Args<'_>) -> Result<Formatter, ConfigError> {
    let style_text = args.string("style")?.unwrap_or_else(|| "%".to_owned());
    let validate = args.bool("validate")?.unwrap_or(true);
    let datefmt = args.string("datefmt")?;
    let fmt = match args.value("fmt")?.or(args.value("format")?) {
        None => None,
        Some(ConfigValue::Str(s)) => Some(FieldSpec::Text(s)),
        Some(ConfigValue::List(items)) => Some(FieldSpec::Names(
            items
                .iter()
                .map(|i| match i {
                    ConfigValue::Str(s) => Ok(s.clone()),
                    other => Err(args.invalid("fmt", "a format or a list of field names", other)),
                })
                .collect::<Result<_, _>>()?,
        )),
        Some(other) => {
            return Err(args.invalid("fmt", "a format or a list of field names", &other));
        }
    };
    let required = match fmt {
        Some(FieldSpec::Names(names)) => names,
        text => {
            let text = match text {
                Some(FieldSpec::Text(t)) => Some(t),
                _ => None,
            };
            required_fields(text.as_deref(), &style_text, validate)
                .map_err(|message| ConfigError::new(message).at(args.key_path("fmt")))?
        }
    };
    let map_of = |args: &mut Args<'_>, key: &str| -> Result<Vec<(String, Json)>, ConfigError> {
        Ok(args
            .map(key)?
            .unwrap_or_default()
            .iter()
            .map(|(k, v)| (k.to_owned(), Json::from(v)))
            .collect())
    };
    let defaults = map_of(args, "defaults")?;
    let static_fields = map_of(args, "static_fields")?;
    let rename = args
        .map("rename_fields")?
        .unwrap_or_else(ConfigMap::new)
        .iter()
        .map(|(k, v)| match v {
            ConfigValue::Str(s) => Ok((k.to_owned(), s.clone())),
            other => Err(args.invalid("rename_fields", "a mapping of names to names", other)),
        })
        .collect::<Result<_, _>>()?;
    let keep_missing = args.bool("rename_fields_keep_missing")?.unwrap_or(false);
    let reserved = match args.strings("reserved_attrs")? {
        Some(names) => names,
        None => RESERVED_ATTRS.iter().map(|s| (*s).to_owned()).collect(),
    };
    let timestamp = match args.value("timestamp")? {
        None | Some(ConfigValue::Bool(false)) => None,
        Some(ConfigValue::Bool(true)) => Some("timestamp".to_owned()),
        Some(ConfigValue::Str(key)) if !key.is_empty() => Some(key),
        Some(ConfigValue::Str(_)) => None,
        Some(other) => return Err(args.invalid("timestamp", "true, false or a key", &other)),
    };
    let ensure_ascii = args.bool("json_ensure_ascii")?.unwrap_or(true);
    if let Some(indent) = args.value("json_indent")? {
        return Err(args.invalid("json_indent", "null (one line per record)", &indent));
    }
    let prefix = args.string("prefix")?.unwrap_or_default();
    let exc_info_as_array = args.bool("exc_info_as_array")?.unwrap_or(false);
    let stack_info_as_array = args.bool("stack_info_as_array")?.unwrap_or(false);
    let layout = JsonLoggerLayout {
        required,
        defaults,
        static_fields,
        rename,
        keep_missing,
        reserved,
        timestamp,
        ensure_ascii,
        prefix,
        exc_info_as_array,
        stack_info_as_array,
    };
    Formatter::builder("")
        .datefmt_opt(datefmt)
        .build_layout(Arc::new(layout))
        .map_err(|e| ConfigError::from(e).at(args.key_path("datefmt")))
}

enum FieldSpec {
    Text(String),
    Names(Vec<String>),
}

/// `BaseJsonFormatter.parse`: the field names a format mentions, in order.
fn required_fields(fmt: Option<&str>, style: &str, validate: bool) -> Result<Vec<String>, String> {
    if style == "," {
        return Ok(fmt
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect());
    }
    let parsed = Style::parse(style).map_err(|_| "Style must be one of: '%{$,'".to_owned())?;
    let text = fmt.unwrap_or(parsed.default_format()).to_owned();
    if validate {
        Formatter::builder(&text)
            .style(parsed)
            .build()
            .map_err(|e| e.to_string())?;
    }
    Ok(match parsed {
        Style::Percent => between(&text, "%(", ')'),
        Style::Brace => between(&text, "{", '}'),
        Style::Dollar => dollar_names(&text),
    })
}

/// The non-empty shortest texts after each `open` up to `close`, within a line (the regex
/// `open(.+?)close`).
fn between(text: &str, open: &str, close: char) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(open) {
        let after = &rest[at + open.len()..];
        // `.+?`: at least one character (it may be `close` itself), no newline.
        let mut chars = after.char_indices();
        let found = match chars.next() {
            Some((_, '\n')) | None => None,
            Some(_) => chars
                .take_while(|&(_, c)| c != '\n')
                .find(|&(_, c)| c == close)
                .map(|(i, _)| i),
        };
        match found {
            Some(end) => {
                names.push(after[..end].to_owned());
                rest = &after[end + close.len_utf8()..];
            }
            None => rest = after,
        }
    }
    names
}

/// `\$(?:\$|\{(.+?)\}|([_a-z][_a-z0-9]*))`, ignoring case.
fn dollar_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let after = &rest[at + 1..];
        if let Some(next) = after.strip_prefix('$') {
            rest = next;
        } else if let Some(braced) = after.strip_prefix('{') {
            match between(after, "{", '}').first() {
                Some(name) if braced.starts_with(name.as_str()) => {
                    names.push(name.clone());
                    rest = &braced[name.len() + 1..];
                }
                _ => rest = braced,
            }
        } else {
            let end = after
                .char_indices()
                .find(|&(i, c)| {
                    !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()))
                })
                .map_or(after.len(), |(i, _)| i);
            if end > 0 {
                names.push(after[..end].to_owned());
            }
            rest = &after[end..];
        }
    }
    names
}

/// A Python `dict` of keys in insertion order.
#[derive(Default)]
struct Object(Vec<(String, Json)>);

impl Object {
    fn set(&mut self, key: String, value: Json) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    fn contains(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }
}

impl JsonLoggerLayout {
    fn rename<'k>(&'k self, key: &'k str) -> &'k str {
        self.rename
            .iter()
            .find(|(from, _)| from == key)
            .map_or(key, |(_, to)| to.as_str())
    }

    /// `record.__dict__.get(name)`.
    fn attribute(
        &self,
        formatter: &Formatter,
        record: &LogRecord<'_>,
        name: &str,
    ) -> Result<Json, FormatError> {
        let text = |s: &str| Json::Str(s.to_owned());
        let optional = |s: Option<&str>| s.map_or(Json::Null, text);
        Ok(match name {
            "name" => text(record.name),
            "msg" | "message" => text(record.msg),
            "args" => Json::List(Vec::new()),
            "levelname" => Json::Str(record.levelname().to_text().into_owned()),
            "levelno" => Json::Int(record.level.value().into()),
            "pathname" => text(record.pathname),
            "filename" => text(record.filename()),
            "module" => text(record.module()),
            "exc_info" => Json::Null,
            "exc_text" => optional(record.exc_text()),
            "stack_info" => optional(record.stack_text()),
            "lineno" => Json::Int(record.lineno.into()),
            "funcName" => optional(record.func_name),
            "created" => Json::Float(record.created),
            "msecs" => Json::Float(record.msecs()),
            "relativeCreated" => Json::Float(record.relative_created()),
            "thread" => Json::Int(record.thread().into()),
            "threadName" => text(record.thread_name()),
            "process" => Json::Int(record.process().into()),
            "processName" => text(record.process_name()),
            "asctime" => {
                let mut out = String::new();
                formatter.format_time(record, &mut out)?;
                Json::Str(out)
            }
            other => record.extra(other).map_or(Json::Null, Json::from),
        })
    }
}

impl RecordLayout for JsonLoggerLayout {
    fn render(
        &self,
        formatter: &Formatter,
        record: &LogRecord<'_>,
        out: &mut String,
    ) -> Result<(), FormatError> {
        let mut object = Object::default();
        for (key, value) in &self.defaults {
            object.set(self.rename(key).to_owned(), value.clone());
        }
        for field in &self.required {
            let value = self.attribute(formatter, record, field)?;
            object.set(self.rename(field).to_owned(), value);
        }
        for (key, value) in &self.static_fields {
            object.set(self.rename(key).to_owned(), value.clone());
        }
        let lines = |text: &str, as_array: bool| {
            if as_array {
                Json::List(text.lines().map(|l| Json::Str(l.to_owned())).collect())
            } else {
                Json::Str(text.to_owned())
            }
        };
        if let Some(exc) = record.exc_text().filter(|t| !t.is_empty()) {
            object.set(
                self.rename("exc_info").to_owned(),
                lines(exc, self.exc_info_as_array),
            );
        }
        if let Some(stack) = record.stack_text().filter(|t| !t.is_empty()) {
            object.set(
                self.rename("stack_info").to_owned(),
                lines(stack, self.stack_info_as_array),
            );
        }
        for (key, value) in record.extras {
            let skipped = key.starts_with('_')
                || self.reserved.iter().any(|r| r == key)
                || self.required.iter().any(|r| r == key);
            if !skipped {
                object.set(self.rename(key).to_owned(), Json::from(*value));
            }
        }
        if let Some(key) = &self.timestamp {
            object.set(
                self.rename(key).to_owned(),
                Json::Str(utc_isoformat(record.created)),
            );
        }
        if self.keep_missing {
            for (_, to) in &self.rename {
                if !object.contains(to) {
                    object.set(to.clone(), Json::Null);
                }
            }
        }
        out.push_str(&self.prefix);
        write_json(out, &Json::Map(object.0), self.ensure_ascii);
        Ok(())
    }
}

/// `json.dumps(value, ensure_ascii=...)` with the default separators.
fn write_json(out: &mut String, value: &Json, ensure_ascii: bool) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(true) => out.push_str("true"),
        Json::Bool(false) => out.push_str("false"),
        Json::Int(i) => out.push_str(&i.to_string()),
        Json::Float(x) if x.is_nan() => out.push_str("NaN"),
        Json::Float(x) if x.is_infinite() => {
            out.push_str(if *x > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Json::Float(x) => write_float_repr(out, *x),
        Json::Str(s) => write_json_string(out, s, ensure_ascii),
        Json::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json(out, item, ensure_ascii);
            }
            out.push(']');
        }
        Json::Map(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_json_string(out, key, ensure_ascii);
                out.push_str(": ");
                write_json(out, item, ensure_ascii);
            }
            out.push('}');
        }
    }
}

/// A JSON string as `json.dumps` escapes it.
fn write_json_string(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ensure_ascii && !(' '..='~').contains(&c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `datetime.fromtimestamp(created, tz=timezone.utc).isoformat()`.
fn utc_isoformat(created: f64) -> String {
    let mut seconds = created.trunc() as i64;
    let fraction = created - created.trunc();
    let mut micros = round_half_even(fraction * 1e6);
    if micros >= 1_000_000 {
        seconds += 1;
        micros -= 1_000_000;
    } else if micros < 0 {
        seconds -= 1;
        micros += 1_000_000;
    }
    let days = seconds.div_euclid(86_400);
    let in_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let mut text = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    );
    if micros != 0 {
        text.push_str(&format!(".{micros:06}"));
    }
    text.push_str("+00:00");
    text
}

fn round_half_even(x: f64) -> i64 {
    let floor = x.floor();
    let diff = x - floor;
    let rounded = if diff > 0.5 || (diff == 0.5 && floor % 2.0 != 0.0) {
        floor + 1.0
    } else {
        floor
    };
    rounded as i64
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_in_every_style() {
        assert_eq!(
            required_fields(Some("%(a)s %(b)-8s %()s"), "%", false).unwrap(),
            ["a", "b"]
        );
        assert_eq!(
            required_fields(Some("{a} {b:>3}"), "{", true).unwrap(),
            ["a", "b:>3"]
        );
        assert_eq!(
            required_fields(Some("$a ${b} $$c $_d1"), "$", true).unwrap(),
            ["a", "b", "_d1"]
        );
        assert_eq!(
            required_fields(Some(" a, b ,,c"), ",", true).unwrap(),
            ["a", "b", "c"]
        );
        assert_eq!(required_fields(None, "%", true).unwrap(), ["message"]);
    }

    #[test]
    fn timestamps_are_utc_iso_8601() {
        assert_eq!(
            utc_isoformat(1_700_000_000.25),
            "2023-11-14T22:13:20.250000+00:00"
        );
        assert_eq!(utc_isoformat(0.0), "1970-01-01T00:00:00+00:00");
        assert_eq!(utc_isoformat(951_782_400.0), "2000-02-29T00:00:00+00:00");
    }

    #[test]
    fn strings_escape_as_json_dumps() {
        let mut out = String::new();
        write_json_string(&mut out, "é😀\u{1}\u{7f}\"", true);
        assert_eq!(out, r#""\u00e9\ud83d\ude00\u0001\u007f\"""#);
        out.clear();
        write_json_string(&mut out, "é\u{7f}", false);
        assert_eq!(out, "\"é\u{7f}\"");
    }
}
