//! `JsonFormatter`: one JSON object per record, for log shippers. Python has no JSON formatter in
//! the standard library; this follows what `json.dumps(..., ensure_ascii=False)` writes, except
//! that U+2028, U+2029 and U+0085 are always escaped, so that no tool splitting on Unicode line
//! breaks cuts a record in two.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::pyvalue::{PyVal, write_float_repr};
use super::repr::py_repr;
use super::{Attr, Fields, FormatError, Formatter, FormatterBuilder};
use crate::error::Error;
use crate::level::LevelName;
use crate::record::{LogRecord, Value};

/// The attributes a [`JsonFormatter`] writes unless told otherwise.
pub const DEFAULT_JSON_FIELDS: [&str; 4] = ["asctime", "levelname", "name", "message"];

/// Formats records as one JSON object each. Cheap to clone.
///
/// The object holds the standard attributes chosen by their Python names (`asctime`, `created`,
/// `levelname`, `name`, `message`, `pathname`, `lineno`, `funcName`, `thread`, `threadName`,
/// `process`, …), each under its own key or a new one, in the order given; then `exc_text` and
/// `stack_info` when the record has them, `spans` when it is inside spans, and the record's extras
/// (an extra whose name is already a key of the object is left out, as is a second extra of the
/// same name). Texts are escaped as `json.dumps` escapes them (`"`, `\`, control characters; other
/// characters are kept as UTF-8); ints and finite floats are numbers (floats as Python's `repr`),
/// `None` is `null`, and a float that is not finite is the string Python's `str` gives (`"nan"`,
/// `"inf"`, `"-inf"`), since JSON has no such numbers.
///
/// The layout is compiled once, keys escaped in advance, and a record is written into the buffer
/// the caller gives: nothing is allocated per record. A `JsonFormatter` is a [`Formatter`] (`.into()`),
/// so any handler can use it.
///
/// ```
/// use pylog_core::{JsonFormatter, Level, LogRecord, Value};
/// let json = JsonFormatter::builder()
///     .fields(["created", "levelname", "name", "message"])?
///     .rename("levelname", "level")?
///     .build()?;
/// let extras = [("user", Value::Int(7)), ("path", Value::Str("C:\\tmp"))];
/// let mut record = LogRecord::new("app", Level::INFO, "saved \"a\"\n");
/// record.created = 1795536741.7239;
/// record.extras = &extras;
/// let mut out = String::new();
/// json.format(&record, &mut out).unwrap();
/// assert_eq!(
///     out,
///     r#"{"created":1795536741.7239,"level":"INFO","name":"app","message":"saved \"a\"\n","user":7,"path":"C:\\tmp"}"#
/// );
/// # Ok::<(), pylog_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct JsonFormatter(Formatter);

impl JsonFormatter {
    /// A builder, with [`DEFAULT_JSON_FIELDS`], extras and spans.
    ///
    /// # Default values
    /// | option | default |
    /// |---|---|
    /// | fields | `asctime`, `levelname`, `name`, `message`, under their own names |
    /// | extras | written |
    /// | `spans` | written (key `spans`) when the record is inside spans |
    /// | `exc_text`, `stack_info` | written when present, under their own names |
    /// | time | local, `%Y-%m-%d %H:%M:%S,mmm` (as [`Formatter`]; see [`JsonFormatterBuilder::time`]) |
    pub fn builder() -> JsonFormatterBuilder {
        JsonFormatterBuilder {
            fields: DEFAULT_JSON_FIELDS
                .iter()
                .map(|name| (Attr::from_key(name), (*name).to_owned()))
                .collect(),
            extras: true,
            spans: Some("spans".to_owned()),
            exc_text: "exc_text".to_owned(),
            stack_info: "stack_info".to_owned(),
            time: Formatter::builder(""),
        }
    }

    /// Writes `record` as one JSON object into `out` (appending, no newline: the handler adds its
    /// terminator). Fails only where the time options can ([`Formatter::format_time`]); `out` is
    /// then left as it was.
    pub fn format(&self, record: &LogRecord<'_>, out: &mut String) -> Result<(), FormatError> {
        self.0.format(record, out)
    }

    /// The formatter, for a handler (`handler.with_formatter(json)` also works).
    pub fn formatter(&self) -> &Formatter {
        &self.0
    }
}

impl From<JsonFormatter> for Formatter {
    fn from(json: JsonFormatter) -> Formatter {
        json.0
    }
}

/// Options for a [`JsonFormatter`]; see [`JsonFormatter::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct JsonFormatterBuilder {
    fields: Vec<(Attr, String)>,
    extras: bool,
    spans: Option<String>,
    exc_text: String,
    stack_info: String,
    time: FormatterBuilder,
}

impl JsonFormatterBuilder {
    /// The standard attributes to write, by Python name, in order (replacing the defaults). An
    /// unknown name is an error: `'colour' is not a LogRecord attribute`.
    pub fn fields<'n>(mut self, names: impl IntoIterator<Item = &'n str>) -> Result<Self, Error> {
        self.fields.clear();
        for name in names {
            self = self.field(name)?;
        }
        Ok(self)
    }

    /// Adds one standard attribute, by Python name, at the end.
    pub fn field(mut self, name: &str) -> Result<Self, Error> {
        let attr = standard_attr(name)?;
        self.fields.push((attr, name.to_owned()));
        Ok(self)
    }

    /// Writes attribute `name` (already chosen, or `exc_text`, `stack_info`, `spans`) under
    /// `key`.
    pub fn rename(mut self, name: &str, key: impl Into<String>) -> Result<Self, Error> {
        let key = key.into();
        match name {
            "exc_text" if !self.has("exc_text") => self.exc_text = key,
            "stack_info" if !self.has("stack_info") => self.stack_info = key,
            "spans" if !self.has("spans") => self.spans = Some(key),
            _ => {
                let attr = standard_attr(name)?;
                let slot = self
                    .fields
                    .iter_mut()
                    .find(|(a, _)| *a == attr)
                    .ok_or_else(|| {
                        Error::InvalidArguments(format!(
                            "{} is not one of the formatter's fields",
                            py_repr(name)
                        ))
                    })?;
                slot.1 = key;
            }
        }
        Ok(self)
    }

    /// Whether to write the record's extras (default `true`).
    pub fn extras(mut self, on: bool) -> Self {
        self.extras = on;
        self
    }

    /// Whether to write `spans` for records inside spans (default `true`).
    pub fn spans(mut self, on: bool) -> Self {
        self.spans = on.then(|| self.spans.take().unwrap_or_else(|| "spans".to_owned()));
        self
    }

    /// The time options for `asctime`: a [`Formatter::builder`] whose `datefmt`, zone and
    /// `default_msec_format` are used (its format string is not).
    ///
    /// ```
    /// use pylog_core::{Formatter, JsonFormatter};
    /// let json = JsonFormatter::builder()
    ///     .time(Formatter::builder("").datefmt("%Y-%m-%dT%H:%M:%S").utc(true))
    ///     .build()?;
    /// # Ok::<(), pylog_core::Error>(())
    /// ```
    pub fn time(mut self, time: FormatterBuilder) -> Self {
        self.time = time;
        self
    }

    /// Compiles the layout.
    pub fn build(self) -> Result<JsonFormatter, Error> {
        let uses_time = self.fields.iter().any(|(a, _)| *a == Attr::Asctime);
        let fields = self
            .fields
            .iter()
            .map(|(attr, key)| JsonField {
                attr: attr.clone(),
                key: key.as_str().into(),
                prefix: key_prefix(key),
            })
            .collect();
        let optional = |name: &str, key: &str| {
            (!self.fields.iter().any(|(a, _)| *a == Attr::from_key(name))).then(|| JsonField {
                attr: Attr::from_key(name),
                key: key.into(),
                prefix: key_prefix(key),
            })
        };
        let layout = JsonLayout {
            fields,
            exc_text: optional("exc_text", &self.exc_text),
            stack_info: optional("stack_info", &self.stack_info),
            spans: self.spans.as_deref().and_then(|key| optional("spans", key)),
            extras: self.extras,
        };
        let formatter = self
            .time
            .finish(super::Body::Json(layout), uses_time, String::new())?;
        Ok(JsonFormatter(formatter))
    }

    fn has(&self, name: &str) -> bool {
        let attr = Attr::from_key(name);
        self.fields.iter().any(|(a, _)| *a == attr)
    }
}

/// A standard attribute by Python name, or the error for an unknown one.
fn standard_attr(name: &str) -> Result<Attr, Error> {
    match Attr::from_key(name) {
        Attr::Extra(_) => Err(Error::InvalidArguments(format!(
            "{} is not a LogRecord attribute",
            py_repr(name)
        ))),
        attr => Ok(attr),
    }
}

/// `"key":`, escaped once.
fn key_prefix(key: &str) -> Box<str> {
    let mut prefix = String::with_capacity(key.len() + 3);
    write_json_str(&mut prefix, key);
    prefix.push(':');
    prefix.into_boxed_str()
}

#[derive(Clone, Debug)]
struct JsonField {
    attr: Attr,
    /// The key, unescaped, to leave out extras of the same name.
    key: Box<str>,
    /// `"key":`.
    prefix: Box<str>,
}

/// A compiled JSON layout.
#[derive(Clone, Debug)]
pub(crate) struct JsonLayout {
    fields: Vec<JsonField>,
    exc_text: Option<JsonField>,
    stack_info: Option<JsonField>,
    spans: Option<JsonField>,
    extras: bool,
}

impl JsonLayout {
    /// Whether rendering reads extras: when it writes them all (its fields are standard
    /// attributes only).
    pub(crate) fn reads_extras(&self) -> bool {
        self.extras
    }

    /// Writes the object for `fields.record` into `out`.
    pub(crate) fn render(
        &self,
        fields: &Fields<'_, '_>,
        out: &mut String,
    ) -> Result<(), FormatError> {
        let record = fields.record;
        out.push('{');
        let mut first = true;
        for field in &self.fields {
            push_separator(out, &mut first);
            out.push_str(&field.prefix);
            write_value(out, fields.value(&field.attr)?);
        }
        let present = [
            (&self.exc_text, record.exc_text()),
            (&self.stack_info, record.stack_text()),
            (&self.spans, Some(record.spans)),
        ];
        for (field, text) in present {
            if let (Some(field), Some(text)) = (field, text.filter(|t| !t.is_empty())) {
                push_separator(out, &mut first);
                out.push_str(&field.prefix);
                write_json_str(out, text);
            }
        }
        if self.extras {
            // A key seen before is skipped (the first wins). Few extras are compared in place; many
            // (a record with 40,000) go through a set, so the check stays linear.
            let mut seen: Option<HashSet<&str>> = (record.extras.len() > SMALL_EXTRAS)
                .then(|| HashSet::with_capacity(record.extras.len()));
            for (index, (key, value)) in record.extras.iter().enumerate() {
                let repeated = match seen.as_mut() {
                    Some(seen) => !seen.insert(key),
                    None => record.extras[..index].iter().any(|(k, _)| k == key),
                };
                if repeated || self.is_key(key) {
                    continue;
                }
                push_separator(out, &mut first);
                write_json_str(out, key);
                out.push(':');
                write_value(out, extra_value(*value));
            }
        }
        out.push('}');
        Ok(())
    }

    /// Whether `key` is already a key of every object (or of this one, for the optional ones).
    fn is_key(&self, key: &str) -> bool {
        self.fields
            .iter()
            .chain(&self.exc_text)
            .chain(&self.stack_info)
            .chain(&self.spans)
            .any(|f| &*f.key == key)
    }
}

fn push_separator(out: &mut String, first: &mut bool) {
    if !std::mem::take(first) {
        out.push(',');
    }
}

fn extra_value(value: Value<'_>) -> PyVal<'_> {
    match value {
        Value::Str(s) => PyVal::Str(s),
        Value::Int(n) => PyVal::Int(n),
        Value::UInt(n) => PyVal::UInt(n),
        Value::BigInt(n) => PyVal::BigInt(n),
        Value::Float(v) => PyVal::Float(v),
        Value::Bool(b) => PyVal::Bool(b),
        Value::None => PyVal::None,
    }
}

/// Writes a value as `json.dumps` would (see the [module docs](self) for floats that are not
/// finite).
fn write_value(out: &mut String, value: PyVal<'_>) {
    match value {
        PyVal::Str(s) => write_json_str(out, s),
        PyVal::Level(LevelName::Named(name)) => write_json_str(out, name),
        PyVal::Level(LevelName::Unnamed(n)) => {
            let _ = write!(out, "\"Level {n}\"");
        }
        PyVal::Int(n) => {
            let _ = write!(out, "{n}");
        }
        PyVal::UInt(n) => {
            let _ = write!(out, "{n}");
        }
        PyVal::BigInt(n) => {
            let _ = write!(out, "{n}");
        }
        PyVal::Float(v) if v.is_finite() => write_float_repr(out, v),
        PyVal::Float(v) => {
            out.push('"');
            write_float_repr(out, v);
            out.push('"');
        }
        PyVal::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        PyVal::None => out.push_str("null"),
        PyVal::EmptyTuple => out.push_str("[]"),
    }
}

/// Up to this many extras, repeated keys are found by comparing with the earlier ones.
const SMALL_EXTRAS: usize = 16;

/// What each ASCII byte becomes in a JSON string: 0 for itself, `u` for `\u00XX`, else the
/// letter after the backslash.
const ESCAPES: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Writes `s` as a JSON string, quoted, escaped as Python's `json.dumps(s, ensure_ascii=False)`,
/// except that the Unicode line breaks U+2028, U+2029 and U+0085 are escaped too (`\u2028`):
/// tools that split text on Unicode line breaks would otherwise cut a record in two. Python's
/// `json.dumps` keeps them raw; both forms decode to the same string.
pub(crate) fn write_json_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // `i` is always at the start of a character: ASCII bytes and the lead bytes 0xc2 and
        // 0xe2 never continue one.
        let (escape, len) = match b {
            0xc2 if bytes.get(i + 1) == Some(&0x85) => (LineBreak::Nel, 2),
            0xe2 if bytes.get(i + 1) == Some(&0x80) => match bytes.get(i + 2) {
                Some(&0xa8) => (LineBreak::LineSeparator, 3),
                Some(&0xa9) => (LineBreak::ParagraphSeparator, 3),
                _ => {
                    i += 1;
                    continue;
                }
            },
            _ => match ESCAPES.get(usize::from(b)) {
                Some(&e) if e != 0 => (LineBreak::Ascii(e), 1),
                _ => {
                    i += 1;
                    continue;
                }
            },
        };
        out.push_str(&s[start..i]);
        out.push('\\');
        match escape {
            LineBreak::Ascii(b'u') => {
                out.push_str("u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
            LineBreak::Ascii(letter) => out.push(char::from(letter)),
            LineBreak::Nel => out.push_str("u0085"),
            LineBreak::LineSeparator => out.push_str("u2028"),
            LineBreak::ParagraphSeparator => out.push_str("u2029"),
        }
        i += len;
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// What [`write_json_str`] escapes at one position.
enum LineBreak {
    /// An ASCII byte, with its entry of [`ESCAPES`].
    Ascii(u8),
    /// U+0085, NEXT LINE.
    Nel,
    /// U+2028, LINE SEPARATOR.
    LineSeparator,
    /// U+2029, PARAGRAPH SEPARATOR.
    ParagraphSeparator,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;

    fn escaped(s: &str) -> String {
        let mut out = String::new();
        write_json_str(&mut out, s);
        out
    }

    #[test]
    fn strings_are_escaped_like_json_dumps() {
        // The expected texts are `json.dumps(s, ensure_ascii=False)` in CPython 3.11.
        assert_eq!(escaped("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(escaped("\n\r\t\u{8}\u{c}"), r#""\n\r\t\b\f""#);
        assert_eq!(escaped("\u{0}\u{1f}\u{7f}"), "\"\\u0000\\u001f\u{7f}\"");
        // Unicode line breaks are escaped (Python keeps them raw; both decode the same).
        assert_eq!(
            escaped("a\u{2028}b\u{2029}c\u{85}d\u{2027}\u{86}é"),
            "\"a\\u2028b\\u2029c\\u0085d\u{2027}\u{86}é\""
        );
        assert_eq!(escaped("é✓😀"), "\"é✓😀\"");
        assert_eq!(escaped(""), "\"\"");
    }

    fn object(record: &LogRecord<'_>, builder: JsonFormatterBuilder) -> String {
        let mut out = String::new();
        builder.build().unwrap().format(record, &mut out).unwrap();
        out
    }

    #[test]
    fn numbers_null_and_floats_that_are_not_finite() {
        let extras = [
            ("nan", Value::Float(f64::NAN)),
            ("inf", Value::Float(f64::NEG_INFINITY)),
            ("big", Value::Float(1e300)),
            ("none", Value::None),
            ("yes", Value::Bool(true)),
            ("n", Value::BigInt(-(1 << 100))),
        ];
        let mut r = LogRecord::new("a", Level::new(25), "m");
        r.extras = &extras;
        let out = object(
            &r,
            JsonFormatter::builder()
                .fields(["levelname", "levelno", "funcName", "lineno"])
                .unwrap(),
        );
        assert_eq!(
            out,
            r#"{"levelname":"Level 25","levelno":25,"funcName":null,"lineno":0,"nan":"nan","inf":"-inf","big":1e+300,"none":null,"yes":true,"n":-1267650600228229401496703205376}"#
        );
    }

    #[test]
    fn extras_never_repeat_a_key() {
        let extras = [
            ("level", Value::Int(1)),
            ("user", Value::Int(2)),
            ("user", Value::Int(3)),
        ];
        let mut r = LogRecord::new("a", Level::INFO, "m");
        r.extras = &extras;
        let out = object(
            &r,
            JsonFormatter::builder()
                .fields(["levelname"])
                .unwrap()
                .rename("levelname", "level")
                .unwrap(),
        );
        assert_eq!(out, r#"{"level":"INFO","user":2}"#);
    }

    #[test]
    fn forty_thousand_extras_keep_the_first_of_each_key() {
        let keys: Vec<String> = (0..20_000).map(|i| format!("k{i}")).collect();
        let extras: Vec<(&str, Value<'_>)> = keys
            .iter()
            .chain(&keys)
            .enumerate()
            .map(|(i, k)| (k.as_str(), Value::Int(i as i64)))
            .collect();
        let mut r = LogRecord::new("a", Level::INFO, "m");
        r.extras = &extras;
        let out = object(&r, JsonFormatter::builder().fields([]).unwrap());
        let parsed: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&out).unwrap();
        assert_eq!(parsed.len(), 20_000);
        assert_eq!(parsed["k0"], 0);
        assert_eq!(parsed["k19999"], 19_999);
    }

    #[test]
    fn unknown_names_are_refused() {
        assert_eq!(
            JsonFormatter::builder()
                .field("colour")
                .unwrap_err()
                .to_string(),
            "'colour' is not a LogRecord attribute"
        );
        assert_eq!(
            JsonFormatter::builder()
                .rename("lineno", "line")
                .unwrap_err()
                .to_string(),
            "'lineno' is not one of the formatter's fields"
        );
    }

    #[test]
    fn errors_spans_and_stacks_when_present() {
        let err = std::io::Error::other("disk \"full\"");
        let mut r = LogRecord::new("a", Level::ERROR, "m");
        r.exc_info = Some(&err);
        r.spans = "req{id=1}";
        r.stack_info = Some("Stack (most recent call last):\n  File \"x\"");
        let out = object(
            &r,
            JsonFormatter::builder()
                .fields(["message"])
                .unwrap()
                .rename("exc_text", "error")
                .unwrap(),
        );
        assert_eq!(
            out,
            r#"{"message":"m","error":"disk \"full\"","stack_info":"Stack (most recent call last):\n  File \"x\"","spans":"req{id=1}"}"#
        );
        let plain = LogRecord::new("a", Level::ERROR, "m");
        assert_eq!(
            object(
                &plain,
                JsonFormatter::builder().fields(["message"]).unwrap()
            ),
            r#"{"message":"m"}"#
        );
    }
}
