//! Formatters: how a record becomes text. Python: `logging.Formatter`.
//!
//! A format string is compiled once, at construction, into segments; formatting a record writes into a
//! buffer the caller gives, so the steady state allocates nothing. The three styles of Python are
//! here: `%` (`%(name)s`, the default), `{` (`str.format`: `{levelname:<8}`, `{message!r}`) and `$`
//! (`string.Template`: `$name`, `${name}`), each with CPython's validation and error texts, and
//! Python's `defaults` for fields a record may lack ([`FormatterBuilder::default_field`]).
//!
//! ```
//! use pylog_core::{Formatter, Level, LogRecord};
//! let formatter = Formatter::builder("%(asctime)s - %(name)s - %(levelname)-8s - %(message)s")
//!     .utc(true)
//!     .build()
//!     .unwrap();
//! let mut record = LogRecord::new("app", Level::INFO, "started");
//! record.created = 1795536741.7239;
//! let mut out = String::new();
//! formatter.format(&record, &mut out).unwrap();
//! assert_eq!(out, "2026-11-24 16:12:21,723 - app - INFO     - started");
//!
//! assert_eq!(
//!     Formatter::new("hello").unwrap_err().to_string(),
//!     "Invalid format 'hello' for '%' style"
//! );
//! ```
//!
//! ```
//! use pylog_core::{Formatter, Level, LogRecord, Style};
//! let record = LogRecord::new("app", Level::INFO, "started");
//! let brace = Formatter::builder("{levelname:<8}|{name:^7}|{message!r}")
//!     .style(Style::Brace)
//!     .build()
//!     .unwrap();
//! let dollar = Formatter::builder("$levelname:${name}:$message $$")
//!     .style(Style::Dollar)
//!     .build()
//!     .unwrap();
//! let (mut a, mut b) = (String::new(), String::new());
//! brace.format(&record, &mut a).unwrap();
//! dollar.format(&record, &mut b).unwrap();
//! assert_eq!(a, "INFO    |  app  |'started'");
//! assert_eq!(b, "INFO:app:started $");
//!
//! let refused = Formatter::builder("{message!x}").style(Style::Brace).build();
//! assert_eq!(refused.unwrap_err().to_string(), "invalid format: invalid conversion: 'x'");
//! ```
//!
//! # Differences from CPython
//!
//! Output and error texts are CPython 3.11's (the crate's tests compare them with data recorded from
//! CPython). For the `{` style, three things differ, none of which CPython can print the same way
//! twice or at all:
//!
//! * A field that names a method or another object attribute of a value (`{name.upper}`,
//!   `{levelno.__class__}`) is shown by CPython with a memory address; here it is a
//!   `NotImplementedError` reported by `handle_error`. Data attributes (`{levelno.real}`,
//!   `{created.imag}`) work.
//! * A width, or a number's precision, above 2<sup>20</sup> (in any style) is a `MemoryError`
//!   instead of a field padded to gigabytes.
//! * `{levelno:c}` of a code point that is a lone surrogate cannot be written in UTF-8: it is the
//!   `UnicodeEncodeError` CPython's handler would meet when writing it.
//!
//! Where CPython raises only when a record is formatted, two things differ for the `%` style:
//!
//! * A format that fails the same way for every record (`%(message)s %`: `incomplete format`) is
//!   refused by [`FormatterBuilder::build`], with CPython's message after `Invalid format '<fmt>' for
//!   '%' style: `. A format whose failure depends on the record (a missing extra field, a
//!   conversion that does not suit the value) is accepted and fails when formatting, in CPython's
//!   order: a field missing *before* the broken directive is reported first.
//! * A directive without a key (`%s %(message)s`) makes CPython print the record's whole `__dict__`;
//!   here it is an error (`%d` and the other numeric ones give CPython's `TypeError`).
//!
//! ```
//! use pylog_core::{Formatter, Level, LogRecord};
//! assert_eq!(
//!     Formatter::new("%(message)s %").unwrap_err().to_string(),
//!     "Invalid format '%(message)s %' for '%' style: incomplete format"
//! );
//! let formatter = Formatter::new("%(user)s %").unwrap();
//! let mut out = String::new();
//! let err = formatter.format(&LogRecord::new("app", Level::INFO, "hi"), &mut out).unwrap_err();
//! assert_eq!(err.to_string(), "ValueError: Formatting field not found in record: 'user'");
//! ```

mod brace;
mod buffering;
mod colour;
mod computed;
pub mod datefmt;
mod defaults;
mod dollar;
mod escape;
mod json;
mod percent;
mod plain_line;
pub(crate) mod pyvalue;
pub mod repr;
mod spec;
mod word;

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use datefmt::{DateFormat, Zone};
use percent::{Key, ParseError, Piece, Star, Stop};
use pyvalue::{PyVal, Spec};

use crate::error::Error;
use crate::level::LevelName;
use crate::record::LogRecord;
use crate::scratch;
use defaults::Defaults;
use plain_line::PlainLine;

pub use buffering::{BufferingFormatter, RecordsText};
pub use colour::{ColourChoice, ColourFormatter, ColourFormatterBuilder, ColourScope};
pub use computed::ComputeField;
pub use defaults::DefaultValue;
pub use escape::Escape;
use escape::EscapeMark;
#[cfg(feature = "otlp")]
pub(crate) use json::write_json_str;
pub use json::{DEFAULT_JSON_FIELDS, JsonFormatter, JsonFormatterBuilder};
pub use pyvalue::ConversionError;
#[cfg(feature = "http")]
pub(crate) use pyvalue::write_float_repr;

/// Python's `BASIC_FORMAT`, the format `basic_config` uses by default.
pub const BASIC_FORMAT: &str = "%(levelname)s:%(name)s:%(message)s";

/// The syntax of a format string. Python: the `style` argument of `Formatter`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Style {
    /// `%(name)s`, Python's default (`style='%'`, `PercentStyle`).
    #[default]
    Percent,
    /// `{name}`, `str.format` syntax (`style='{'`, `StrFormatStyle`).
    Brace,
    /// `$name` or `${name}`, `string.Template` syntax (`style='$'`, `StringTemplateStyle`).
    Dollar,
}

impl Style {
    /// The style's character, as Python names it (`%`, `{` or `$`).
    pub fn as_char(self) -> char {
        match self {
            Style::Percent => '%',
            Style::Brace => '{',
            Style::Dollar => '$',
        }
    }

    /// Parses Python's style argument (`%`, `{` or `$`); anything else is refused with CPython's
    /// message, `Style must be one of: %,{,$`.
    pub fn parse(style: &str) -> Result<Style, Error> {
        match style {
            "%" => Ok(Style::Percent),
            "{" => Ok(Style::Brace),
            "$" => Ok(Style::Dollar),
            _ => Err(Error::InvalidArguments(
                "Style must be one of: %,{,$".to_owned(),
            )),
        }
    }

    /// The format an empty format string stands for: `%(message)s`, `{message}` or `${message}`.
    pub fn default_format(self) -> &'static str {
        match self {
            Style::Percent => "%(message)s",
            Style::Brace => "{message}",
            Style::Dollar => "${message}",
        }
    }

    /// The format `basic_config` uses by default: [`BASIC_FORMAT`] in this style.
    pub fn basic_format(self) -> &'static str {
        match self {
            Style::Percent => BASIC_FORMAT,
            Style::Brace => "{levelname}:{name}:{message}",
            Style::Dollar => "${levelname}:${name}:${message}",
        }
    }
}

/// Python's style argument: `"{".parse::<Style>()`; see [`Style::parse`].
impl std::str::FromStr for Style {
    type Err = Error;

    fn from_str(style: &str) -> Result<Style, Error> {
        Style::parse(style)
    }
}

/// Formatting a record failed at run time; the handler reports it through `handle_error`.
///
/// `Display` prints Python's exception line, e.g.
/// `ValueError: Formatting field not found in record: 'user'`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    /// Python's exception type.
    pub kind: &'static str,
    /// Python's message.
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for FormatError {}

impl From<ConversionError> for FormatError {
    fn from(e: ConversionError) -> FormatError {
        FormatError {
            kind: e.kind,
            message: e.message,
        }
    }
}

/// A record attribute a format can name.
#[derive(Clone, Debug, PartialEq)]
enum Attr {
    Name,
    Msg,
    Levelname,
    Levelno,
    Pathname,
    Filename,
    Module,
    Lineno,
    FuncName,
    Created,
    Msecs,
    RelativeCreated,
    Thread,
    ThreadName,
    Process,
    ProcessName,
    Asctime,
    ExcText,
    ExcInfo,
    StackInfo,
    Args,
    Spans,
    ModulePath,
    Extra(Box<str>),
}

impl Attr {
    /// Whether formatting the attribute with `spec` succeeds for every record: the attribute always
    /// exists (it is not an extra) and its type suits the conversion.
    fn always_formats(&self, spec: &Spec) -> bool {
        match (self, spec.conversion) {
            (Attr::Extra(_), _) => false,
            (_, b's' | b'r' | b'a') => true,
            (attr, b'd' | b'i' | b'u' | b'o' | b'x' | b'X') => attr.is_int(),
            (attr, b'e' | b'E' | b'f' | b'F' | b'g' | b'G') => attr.is_int() || attr.is_float(),
            _ => false,
        }
    }

    /// The attributes whose value is always an int.
    fn is_int(&self) -> bool {
        matches!(
            self,
            Attr::Levelno | Attr::Lineno | Attr::Thread | Attr::Process
        )
    }

    /// The attributes whose value is always a float.
    fn is_float(&self) -> bool {
        matches!(self, Attr::Created | Attr::Msecs | Attr::RelativeCreated)
    }

    fn from_key(key: &str) -> Attr {
        match key {
            "name" => Attr::Name,
            "msg" | "message" => Attr::Msg,
            "levelname" => Attr::Levelname,
            "levelno" => Attr::Levelno,
            "pathname" => Attr::Pathname,
            "filename" => Attr::Filename,
            "module" => Attr::Module,
            "lineno" => Attr::Lineno,
            "funcName" => Attr::FuncName,
            "created" => Attr::Created,
            "msecs" => Attr::Msecs,
            "relativeCreated" => Attr::RelativeCreated,
            "thread" => Attr::Thread,
            "threadName" => Attr::ThreadName,
            "process" => Attr::Process,
            "processName" => Attr::ProcessName,
            "asctime" => Attr::Asctime,
            "exc_text" => Attr::ExcText,
            "exc_info" => Attr::ExcInfo,
            "stack_info" => Attr::StackInfo,
            "args" => Attr::Args,
            "spans" => Attr::Spans,
            "module_path" => Attr::ModulePath,
            other => Attr::Extra(other.into()),
        }
    }
}

/// The attributes nearly every format shows with a bare `%s`, compiled to a direct write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextAttr {
    Name,
    Message,
    Levelname,
    Asctime,
}

impl TextAttr {
    /// The text attribute a field is, when it is one shown with a bare `%s`.
    fn of(attr: &Attr, spec: &Spec) -> Option<TextAttr> {
        if !spec.is_plain_s() {
            return None;
        }
        Some(match attr {
            Attr::Name => TextAttr::Name,
            Attr::Msg => TextAttr::Message,
            Attr::Levelname => TextAttr::Levelname,
            Attr::Asctime => TextAttr::Asctime,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
enum Segment {
    Literal(Box<str>),
    /// A bare `%s` of a text attribute: written as it is, without the conversion machinery.
    Text(TextAttr),
    Field(Attr, Spec),
    /// Where formatting stops with an error, as CPython does on reaching a broken directive.
    Fail(Box<Failure>),
}

/// A broken directive: its key is looked up first (a missing key is what is reported), then
/// `error` is raised, or `if_int`'s error when a `*` took the key's value and it is an int (see
/// [`Stop`]).
#[derive(Clone, Debug)]
struct Failure {
    attr: Option<Attr>,
    error: FormatError,
    if_int: Option<(Star, FormatError)>,
}

impl Failure {
    fn new(stop: Stop) -> Failure {
        Failure {
            attr: stop.key.as_deref().map(Attr::from_key),
            error: stop.error.into(),
            if_int: stop.if_int.map(|(star, e)| (star, e.into())),
        }
    }

    /// The error, when it is the same for every record: the directive names no key, or a standard
    /// attribute (which always exists, with a known type; `levelno` is the one int attribute
    /// that always fits a `*`).
    fn certain_error(&self) -> Option<&FormatError> {
        match (&self.attr, &self.if_int) {
            (Some(Attr::Extra(_)), _) => None,
            (Some(Attr::Levelno), Some((_, if_int))) => Some(if_int),
            (Some(attr), Some(_)) if attr.is_int() => None,
            _ => Some(&self.error),
        }
    }

    /// The error formatting `record` raises here.
    fn error_for(&self, fields: &Fields<'_, '_>) -> FormatError {
        let Some(attr) = &self.attr else {
            return self.error.clone();
        };
        let value = match fields.value(attr) {
            Err(missing) => return missing,
            Ok(value) => value,
        };
        let Some((star, if_int)) = &self.if_int else {
            return self.error.clone();
        };
        let int = match value {
            PyVal::Int(n) => i128::from(n),
            PyVal::UInt(n) => i128::from(n),
            PyVal::BigInt(n) => n,
            PyVal::Bool(b) => i128::from(b),
            _ => return self.error.clone(),
        };
        // CPython reads a `*` width as a `Py_ssize_t` and a `*` precision as a C `int`.
        let (fits, c_type) = match star {
            Star::Width => (i64::try_from(int).is_ok(), "ssize_t"),
            Star::Precision => (i32::try_from(int).is_ok(), "int"),
        };
        if fits {
            if_int.clone()
        } else {
            FormatError {
                kind: "OverflowError",
                message: format!("Python int too large to convert to C {c_type}"),
            }
        }
    }
}

impl From<ParseError> for FormatError {
    fn from(e: ParseError) -> FormatError {
        FormatError {
            kind: e.kind,
            message: e.message,
        }
    }
}

/// The default `%s,%03d` that adds milliseconds to the default time format.
#[derive(Clone, Debug)]
struct MsecFormat {
    pieces: Vec<Piece>,
    /// For a format of the shape `%s<separator>%03d` (Python's default `%s,%03d` among them): the
    /// separator, so that the time is written without the general `%` machinery.
    separator: Option<String>,
}

#[derive(Clone, Debug)]
struct Inner {
    /// Unique per formatter, for the per-thread cache of rendered seconds.
    id: u64,
    format: String,
    style: Style,
    body: Body,
    defaults: Defaults,
    computed: computed::ComputedFields,
    /// Appended to the formatted fields unless they already end with it (colorlog's `reset`).
    message_suffix: Option<String>,
    uses_time: bool,
    datefmt: Option<String>,
    date: DateFormat,
    msec_format: Option<MsecFormat>,
    /// Whether `asctime` is written where the format shows it rather than formatted before the
    /// fields: the format is literals and text attributes only, `%(asctime)s` among them when
    /// the format names it (no field before the time can fail, so the time's own failure, if
    /// any, is still the one reported).
    time_in_place: bool,
    /// The format compiled to direct writes, when it is literals and text attributes only and
    /// nothing is computed or appended (see [`PlainLine`]).
    plain: Option<PlainLine>,
    /// Whether the time is the seconds without `datefmt` and a plain `%s<separator>%03d`
    /// (Python's default `%s,%03d` among them): the seconds' cached text, the separator and three
    /// digits.
    plain_msecs: bool,
    zone: Zone,
    /// ANSI colours by level, for a [`ColourFormatter`].
    colour: Option<colour::Colour>,
    /// What this formatter escapes in every record (see [`FormatterBuilder::escape_newlines`]).
    escape: Escape,
}

/// A compiled format string, in its style, or a JSON layout.
#[derive(Clone, Debug)]
enum Body {
    Percent(Vec<Segment>),
    Brace(brace::BraceFormat),
    Dollar(dollar::DollarFormat),
    Json(json::JsonLayout),
    /// A layout that writes the whole record itself.
    Layout(Arc<dyn RecordLayout>),
    /// An OTLP/JSON request per record (`OtlpJsonFormatter`).
    #[cfg(feature = "otlp")]
    Otlp(Arc<crate::handler::otlp::formatter::OtlpLayout>),
}

/// Writes a whole record: the output of a formatter that is not a format string (a third-party
/// JSON formatter). `formatter` gives the time options (`format_time`).
pub(crate) trait RecordLayout: Send + Sync + std::fmt::Debug + 'static {
    fn render(
        &self,
        formatter: &Formatter,
        record: &LogRecord<'_>,
        out: &mut String,
    ) -> Result<(), FormatError>;
}

/// What a format can read of one record: its attributes and extras, `asctime` when the format
/// uses it, then the formatter's defaults.
struct Fields<'a, 'r> {
    record: &'a LogRecord<'r>,
    asctime: Option<&'a str>,
    defaults: &'a Defaults,
    /// The values of the formatter's computed fields for this record.
    computed: &'a [(&'a str, String)],
    /// The colour code `levelname` fields are wrapped in, for a coloured formatter.
    levelname_colour: Option<&'a str>,
    /// The escaping of this record's text, when any.
    escape: Option<&'a EscapeMark>,
}

impl<'a> Fields<'a, '_> {
    /// Writes the colour code before a field, when `attr` is `levelname` and this record's
    /// `levelname` is coloured; returns whether it did (then [`Fields::end_colour`] follows).
    fn start_colour(&self, attr: &Attr, out: &mut String) -> bool {
        match (attr, self.levelname_colour) {
            (Attr::Levelname, Some(code)) => {
                self.push_code(code, out);
                true
            }
            _ => false,
        }
    }

    /// Ends what [`Fields::start_colour`] started.
    fn end_colour(&self, started: bool, out: &mut String) {
        if started {
            self.push_code(colour::RESET, out);
        }
    }

    /// Writes a colour code, escaping the text before it but not the code.
    fn push_code(&self, code: &str, out: &mut String) {
        if let Some(mark) = self.escape {
            mark.catch_up(out);
        }
        out.push_str(code);
        if let Some(mark) = self.escape {
            mark.skip(out);
        }
    }

    /// The value of `attr`, or Python's error for a missing field.
    fn value(&self, attr: &Attr) -> Result<PyVal<'a>, FormatError> {
        if let Attr::Extra(key) = attr
            && let Some((_, value)) = self.computed.iter().find(|(name, _)| *name == &**key)
        {
            return Ok(PyVal::Str(value));
        }
        lookup(attr, self.record, self.asctime, self.defaults)
    }

    /// Writes a text attribute; `asctime` is formatted here when it was not formatted first.
    #[inline]
    fn push_text(
        &self,
        formatter: &Formatter,
        text: TextAttr,
        out: &mut String,
    ) -> Result<(), FormatError> {
        match text {
            TextAttr::Name => out.push_str(self.record.name),
            TextAttr::Message => out.push_str(self.record.msg),
            TextAttr::Asctime => match self.asctime {
                Some(asctime) => out.push_str(asctime),
                None => formatter.format_time(self.record, out)?,
            },
            TextAttr::Levelname => {
                let coloured = self.start_colour(&Attr::Levelname, out);
                match self.record.levelname() {
                    LevelName::Named(name) => out.push_str(name),
                    unnamed => pyvalue::write_str_form(out, PyVal::Level(unnamed)),
                }
                self.end_colour(coloured, out);
            }
        }
        Ok(())
    }

    /// Writes the attributes nearly every format shows as plain text (`asctime` among them, when
    /// the format uses it); `false` for others.
    #[inline]
    fn push_common_text(&self, attr: &Attr, out: &mut String) -> bool {
        if let (Attr::Asctime, Some(text)) = (attr, self.asctime) {
            out.push_str(text);
            return true;
        }
        push_common_text(attr, self.record, out)
    }
}

/// Turns records into text. Python: `logging.Formatter`. Cheap to clone (shared).
#[derive(Clone, Debug)]
pub struct Formatter(Arc<Inner>);

impl Default for Formatter {
    /// Python's default formatter: `%(message)s`.
    fn default() -> Formatter {
        Formatter::builder("").build_or_default()
    }
}

impl Formatter {
    /// A formatter writing each record as an OTLP/JSON request.
    #[cfg(feature = "otlp")]
    pub(crate) fn otlp(
        layout: Arc<crate::handler::otlp::formatter::OtlpLayout>,
    ) -> Result<Formatter, Error> {
        Formatter::builder("").finish(Body::Otlp(layout), false, String::new())
    }

    /// A `%`-style formatter with Python's defaults (local time, `2026-11-24 16:12:21,723` dates).
    ///
    /// An empty format means `%(message)s`, as in Python. For the `{` and `$` styles, use
    /// [`Formatter::builder`] and [`FormatterBuilder::style`].
    pub fn new(format: &str) -> Result<Formatter, Error> {
        Formatter::builder(format).build()
    }

    /// A builder for the other options (`datefmt`, UTC, validation).
    ///
    /// # Default values
    /// | option | default |
    /// |---|---|
    /// | `datefmt` | none: `%Y-%m-%d %H:%M:%S` plus `,mmm` |
    /// | `style` | `%` |
    /// | `validate` | `true` |
    /// | `defaults` | none |
    /// | zone | local time |
    pub fn builder(format: &str) -> FormatterBuilder {
        FormatterBuilder {
            format: format.to_owned(),
            datefmt: None,
            style: Style::Percent,
            validate: true,
            zone: Zone::Local,
            default_time_format: None,
            default_msec_format: Some("%s,%03d".to_owned()),
            defaults: Defaults::default(),
            computed: computed::ComputedFields::default(),
            message_suffix: None,
            escape: Escape::NONE,
        }
    }

    /// Whether formatting a record may read an extra in `names`, erring on `true`: a format that
    /// mentions one of the names, a JSON layout writing every extra, a computed field or a
    /// layout that writes the whole record.
    pub(crate) fn may_read_extras(&self, names: &[&str]) -> bool {
        let inner = &self.0;
        if !inner.computed.is_empty() {
            return true;
        }
        match &inner.body {
            Body::Percent(_) | Body::Brace(_) | Body::Dollar(_) => {
                names.iter().any(|name| inner.format.contains(name))
            }
            Body::Json(layout) => layout.reads_extras(),
            Body::Layout(_) => true,
            #[cfg(feature = "otlp")]
            Body::Otlp(_) => true,
        }
    }

    /// The format string (after the empty-means-default rule).
    pub fn format_string(&self) -> &str {
        &self.0.format
    }

    /// The style.
    pub fn style(&self) -> Style {
        self.0.style
    }

    /// The date format, if one was given.
    pub fn datefmt(&self) -> Option<&str> {
        self.0.datefmt.as_deref()
    }

    /// Python's `usesTime()`: whether the format names `asctime` (`%(asctime)`, `{asctime`,
    /// `$asctime` or `${asctime}` appears in it, even inside literal text, as in Python).
    pub fn uses_time(&self) -> bool {
        self.0.uses_time
    }

    /// Formats `record` into `out` (appending), as Python's `Formatter.format`: the message, the
    /// format, then `exc_text` and `stack_info` each on a new line. On error `out` is left as it was.
    pub fn format(&self, record: &LogRecord<'_>, out: &mut String) -> Result<(), FormatError> {
        self.format_escaped(record, out, Escape::NONE)
    }

    /// Formats `record` as [`format`](Formatter::format) does, escaping what `escape` asks for
    /// besides what this formatter escapes itself (see [`Escape`]). The colour codes of a
    /// [`ColourFormatter`] are never escaped.
    pub fn format_escaped(
        &self,
        record: &LogRecord<'_>,
        out: &mut String,
        escape: Escape,
    ) -> Result<(), FormatError> {
        let escape = escape.union(self.0.escape);
        if escape.is_none() && self.0.colour.is_none() {
            if let Some(line) = &self.0.plain {
                return line.write(self, record, out);
            }
            return self.format_parts(record, out, true, None);
        }
        let line_colour = self
            .0
            .colour
            .as_ref()
            .and_then(|c| c.line_code(record.level));
        let start = out.len();
        if let Some(code) = line_colour {
            out.push_str(code);
        }
        let mark = (!escape.is_none())
            .then(|| EscapeMark::new(escape, matches!(self.0.body, Body::Json(_)), out.len()));
        let result = self.format_uncoloured(record, out, mark.as_ref());
        if let (Ok(()), Some(mark)) = (&result, &mark) {
            mark.catch_up(out);
        }
        match result {
            Ok(()) if line_colour.is_some() => out.push_str(colour::RESET),
            Ok(()) => {}
            Err(_) => out.truncate(start),
        }
        result
    }

    /// Formats the format string's fields of `record` into `out` (appending), without the
    /// `exc_text` and `stack_info` that [`format`](Formatter::format) adds after them, and without
    /// colour. Python: `Formatter.formatMessage`, with `asctime` filled in first as `format` does.
    /// An email's subject is made this way. On error `out` is left as it was.
    pub fn format_message(
        &self,
        record: &LogRecord<'_>,
        out: &mut String,
    ) -> Result<(), FormatError> {
        self.format_parts(record, out, false, None)
    }

    /// The record's message, when that is what this formatter makes of `record`: the format is
    /// a bare `%(message)s` (or `%(msg)s`), nothing is escaped, coloured, computed or appended,
    /// and the record has no error or stack text to add. `None` otherwise: format it. A queue
    /// handler's default formatter is this one, and its records are then copied without being
    /// formatted first.
    pub(crate) fn message_as_is<'r>(&self, record: &'r LogRecord<'_>) -> Option<&'r str> {
        let inner = &self.0;
        let Body::Percent(segments) = &inner.body else {
            return None;
        };
        let [Segment::Text(TextAttr::Message)] = segments.as_slice() else {
            return None;
        };
        let as_is = inner.colour.is_none()
            && inner.escape.is_none()
            && inner.message_suffix.is_none()
            && inner.computed.is_empty()
            && !inner.uses_time
            && record.exc_text().is_none_or(str::is_empty)
            && record.stack_text().is_none_or(str::is_empty);
        as_is.then_some(record.msg)
    }

    /// What this formatter escapes in every record.
    pub fn escape(&self) -> Escape {
        self.0.escape
    }

    fn format_uncoloured(
        &self,
        record: &LogRecord<'_>,
        out: &mut String,
        escape: Option<&EscapeMark>,
    ) -> Result<(), FormatError> {
        self.format_parts(record, out, true, escape)
    }

    /// The fields, then (when `appendix`) `exc_text` and `stack_info`.
    fn format_parts(
        &self,
        record: &LogRecord<'_>,
        out: &mut String,
        appendix: bool,
        escape: Option<&EscapeMark>,
    ) -> Result<(), FormatError> {
        let inner = &self.0;
        let mut asctime = None;
        if inner.uses_time && !inner.time_in_place {
            let mut buf = scratch::take(&ASCTIME_BUFFER);
            if let Err(e) = self.format_time(record, &mut buf) {
                scratch::give_back(&ASCTIME_BUFFER, buf);
                return Err(e);
            }
            asctime = Some(buf);
        }
        let start = out.len();
        let result = self.format_segments(record, asctime.as_deref(), out, escape);
        if let Some(buf) = asctime.take() {
            scratch::give_back(&ASCTIME_BUFFER, buf);
        }
        if let Err(e) = result {
            out.truncate(start);
            return Err(e);
        }
        if let Some(suffix) = &inner.message_suffix
            && !out[start..].ends_with(suffix.as_str())
        {
            out.push_str(suffix);
        }
        if !appendix || matches!(inner.body, Body::Json(_) | Body::Layout(_)) {
            // The layout holds `exc_text` and `stack_info` as fields of its own.
            return Ok(());
        }
        #[cfg(feature = "otlp")]
        if matches!(inner.body, Body::Otlp(_)) {
            // The error is an attribute of the record.
            return Ok(());
        }
        // Python tests these for truth: empty texts add nothing.
        if let Some(exc_text) = record.exc_text().filter(|t| !t.is_empty()) {
            push_on_new_line(out, exc_text);
        }
        if let Some(stack) = record.stack_text().filter(|s| !s.is_empty()) {
            push_on_new_line(out, stack);
        }
        Ok(())
    }

    fn format_segments(
        &self,
        record: &LogRecord<'_>,
        asctime: Option<&str>,
        out: &mut String,
        escape: Option<&EscapeMark>,
    ) -> Result<(), FormatError> {
        let computed = if self.0.computed.is_empty() {
            Vec::new()
        } else {
            self.0.computed.compute(record)
        };
        let fields = Fields {
            escape,
            record,
            asctime,
            defaults: &self.0.defaults,
            computed: &computed,
            levelname_colour: self
                .0
                .colour
                .as_ref()
                .and_then(|c| c.levelname_code(record.level)),
        };
        let segments = match &self.0.body {
            Body::Percent(segments) => segments,
            Body::Brace(format) => return format.render(&fields, out),
            Body::Dollar(format) => return format.render(&fields, out),
            Body::Json(layout) => return layout.render(&fields, out),
            Body::Layout(layout) => return layout.render(self, record, out),
            #[cfg(feature = "otlp")]
            Body::Otlp(layout) => return layout.render(record, out),
        };
        for segment in segments {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Text(text) => fields.push_text(self, *text, out)?,
                Segment::Field(attr, spec) => {
                    let coloured = fields.start_colour(attr, out);
                    let value = fields.value(attr)?;
                    pyvalue::render(out, spec, value)?;
                    fields.end_colour(coloured, out);
                }
                Segment::Fail(failure) => return Err(failure.error_for(&fields)),
            }
        }
        Ok(())
    }

    /// Python's `formatTime`: `datefmt` if given, else the default time format with milliseconds,
    /// appended to `out`.
    ///
    /// It fails only when a custom `default_msec_format` cannot convert its arguments (e.g. `%d` of
    /// the time text), with Python's error; `out` is then left as it was.
    pub fn format_time(&self, record: &LogRecord<'_>, out: &mut String) -> Result<(), FormatError> {
        let inner = &self.0;
        if let Some((seconds, msecs)) = self.plain_time(record) {
            cached_seconds(self, seconds, Upto::Separator, out);
            push_three_digits(out, msecs);
            return Ok(());
        }
        // `time.localtime(created)` rounds toward minus infinity.
        let seconds = record.created_seconds();
        let msec_format = inner
            .msec_format
            .as_ref()
            .filter(|_| inner.datefmt.is_none());
        let Some(msec) = msec_format else {
            cached_seconds(self, seconds, Upto::Seconds, out);
            return Ok(());
        };
        let msecs = record.msecs();
        if msec.separator.is_some() && (0.0..1000.0).contains(&msecs) {
            cached_seconds(self, seconds, Upto::Separator, out);
            push_three_digits(out, msecs as u16);
            return Ok(());
        }
        let mut seconds_text = scratch::take(&SECONDS_TEXT);
        cached_seconds(self, seconds, Upto::Seconds, &mut seconds_text);
        let result = msec.render(&seconds_text, msecs, out);
        scratch::give_back(&SECONDS_TEXT, seconds_text);
        result
    }
}

impl Formatter {
    /// The seconds and milliseconds of `record`'s time, when the time is written as the
    /// seconds' cached text (with the separator) and three digits: the formatter's time is plain
    /// (see `Inner::plain_msecs`) and the record's time is at or after the epoch (and finite).
    #[inline]
    fn plain_time(&self, record: &LogRecord<'_>) -> Option<(i64, u16)> {
        let created = record.created;
        if !(self.0.plain_msecs && (0.0..EXACT_SECONDS).contains(&created)) {
            return None;
        }
        // At or after the epoch, `created as i64` is `created_seconds()` and `trunc(created)`,
        // and the milliseconds are `msecs()`, computed with the same operations.
        let seconds = created as i64;
        let msecs = (created - seconds as f64) * 1000.0;
        (msecs < 1000.0).then_some((seconds, msecs as u16))
    }
}

/// `'%03d' % n` for `n` below 1000 (a larger `n` gives its last three digits).
#[inline]
fn three_digits(n: u16) -> [u8; 3] {
    let at = usize::from(n % 1000) * 3;
    match THREE_DIGITS.as_bytes().get(at..at + 3) {
        Some(&[a, b, c]) => [a, b, c],
        _ => *b"000",
    }
}

/// Below this, an `f64` of whole seconds is exact and `as i64` truncates it exactly (2^52).
const EXACT_SECONDS: f64 = 4_503_599_627_370_496.0;

/// `'%03d' % n` for `n` below 1000 (a larger `n` writes its last three digits).
fn push_three_digits(out: &mut String, n: u16) {
    let at = usize::from(n % 1000) * 3;
    out.push_str(THREE_DIGITS.get(at..at + 3).unwrap_or("000"));
}

/// `000001002...999`: `'%03d' % n` for every `n` below 1000, at `3 * n`.
const THREE_DIGITS: &str = match std::str::from_utf8(&three_digit_table()) {
    Ok(text) => text,
    Err(_) => panic!("ASCII digits are UTF-8"),
};

const fn three_digit_table() -> [u8; 3000] {
    let mut table = [0u8; 3000];
    let mut n = 0;
    while n < 1000 {
        table[3 * n] = b'0' + (n / 100) as u8;
        table[3 * n + 1] = b'0' + (n / 10 % 10) as u8;
        table[3 * n + 2] = b'0' + (n % 10) as u8;
        n += 1;
    }
    table
}

impl MsecFormat {
    /// The separator of a format `%s<separator>%03d` whose separator holds no `%`; `None` for
    /// any other format.
    fn plain_separator(format: &str) -> Option<String> {
        let separator = format.strip_prefix("%s")?.strip_suffix("%03d")?;
        (!separator.contains('%')).then(|| separator.to_owned())
    }

    /// `default_msec_format % (seconds_text, msecs)`, appended to `out` (left as it was on error).
    fn render(&self, seconds_text: &str, msecs: f64, out: &mut String) -> Result<(), FormatError> {
        let start = out.len();
        let args = [PyVal::Str(seconds_text), PyVal::Float(msecs)];
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Field {
                    key: Key::Positional(n),
                    spec,
                } => {
                    // `parse_positional` hands out indexes below the number of arguments.
                    let value = args.get(*n).copied().unwrap_or(PyVal::None);
                    if let Err(e) = pyvalue::render(out, spec, value) {
                        out.truncate(start);
                        return Err(e.into());
                    }
                }
                Piece::Field { .. } => {}
            }
        }
        Ok(())
    }
}

thread_local! {
    static ASCTIME_BUFFER: Cell<String> = const { Cell::new(String::new()) };
    static SECONDS_TEXT: Cell<String> = const { Cell::new(String::new()) };
    static SECONDS_CACHE: std::cell::RefCell<[SecondText; 4]> =
        const { std::cell::RefCell::new([const { SecondText::EMPTY }; 4]) };
}

/// One formatter's time text for one second, on one thread: the seconds as `datefmt` (or the
/// default time format) shows them, followed by the separator of a plain `%s<separator>%03d`
/// millisecond format when the formatter has one and no `datefmt` (`2026-11-24 16:12:21,`).
struct SecondText {
    formatter: u64,
    second: i64,
    text: String,
    /// Where the seconds end in `text` (the separator follows).
    seconds_len: usize,
}

impl SecondText {
    const EMPTY: SecondText = SecondText {
        formatter: 0,
        second: 0,
        text: String::new(),
        seconds_len: 0,
    };
}

/// How much of the cached time text to write.
#[derive(Clone, Copy)]
enum Upto {
    Seconds,
    /// The seconds and the millisecond format's separator.
    Separator,
}

/// Writes the seconds part of the time (with `upto`, and the millisecond separator after it),
/// reusing the text rendered for the same second by the same formatter on this thread (most
/// records share their second with the one before).
///
/// The cached text is exact for every instant of its second, whatever the `datefmt`: `strftime`
/// has no directive finer than a second (glibc keeps `%f`, `%N` and the like as text, and so
/// does [`DateFormat`]), zone changes fall on whole seconds, and the key is the second itself, so
/// a record in the next second (or an earlier one) never sees the text of another.
fn cached_seconds(formatter: &Formatter, seconds: i64, upto: Upto, out: &mut String) {
    let inner = &formatter.0;
    let separator = match upto {
        Upto::Seconds => None,
        Upto::Separator => inner
            .msec_format
            .as_ref()
            .and_then(|m| m.separator.as_deref()),
    };
    let hit = with_cached_seconds(formatter, seconds, |text, seconds_len| {
        let text = match separator {
            Some(_) => text,
            None => text.get(..seconds_len).unwrap_or_default(),
        };
        out.push_str(text);
    });
    if hit.is_none() {
        inner.date.render(out, seconds, &inner.zone);
        if let Some(separator) = separator {
            out.push_str(separator);
        }
    }
}

/// Calls `f` with this thread's cached text of `seconds` for `formatter` (rendered first when
/// the cache holds another second) and the length of its seconds part (the separator follows,
/// as [`SecondText`] says); `None` when the cache cannot be reached (the thread is exiting, or
/// the cache is in use further up the stack).
#[inline]
fn with_cached_seconds<R>(
    formatter: &Formatter,
    seconds: i64,
    f: impl FnOnce(&str, usize) -> R,
) -> Option<R> {
    let inner = &formatter.0;
    SECONDS_CACHE
        .try_with(|cache| {
            let mut cache = cache.try_borrow_mut().ok()?;
            let slot = (inner.id % cache.len() as u64) as usize;
            let entry = &mut cache[slot];
            if entry.formatter != inner.id || entry.second != seconds || entry.text.is_empty() {
                entry.text.clear();
                inner.date.render(&mut entry.text, seconds, &inner.zone);
                entry.seconds_len = entry.text.len();
                if inner.datefmt.is_none()
                    && let Some(separator) = inner
                        .msec_format
                        .as_ref()
                        .and_then(|m| m.separator.as_deref())
                {
                    entry.text.push_str(separator);
                }
                entry.formatter = inner.id;
                entry.second = seconds;
            }
            Some(f(&entry.text, entry.seconds_len))
        })
        .ok()
        .flatten()
}

/// The attributes nearly every format shows with a bare `%s`, written without the general
/// conversion path. Returns `false` for anything else.
#[inline]
fn push_common_text(attr: &Attr, record: &LogRecord<'_>, out: &mut String) -> bool {
    let text = match attr {
        Attr::Name => record.name,
        Attr::Msg => record.msg,
        Attr::Levelname => match record.levelname() {
            LevelName::Named(name) => name,
            LevelName::Unnamed(_) => return false,
        },
        _ => return false,
    };
    out.push_str(text);
    true
}

fn push_on_new_line(out: &mut String, text: &str) {
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(text);
}

fn lookup<'r>(
    attr: &Attr,
    record: &'r LogRecord<'_>,
    asctime: Option<&'r str>,
    defaults: &'r Defaults,
) -> Result<PyVal<'r>, FormatError> {
    use crate::record::Value;
    Ok(match attr {
        Attr::Name => PyVal::Str(record.name),
        Attr::Msg => PyVal::Str(record.msg),
        Attr::Levelname => PyVal::Level(record.levelname()),
        Attr::Levelno => PyVal::Int(record.level.value().into()),
        Attr::Pathname => PyVal::Str(record.pathname),
        Attr::Filename => PyVal::Str(record.filename()),
        Attr::Module => PyVal::Str(record.module()),
        Attr::Lineno => PyVal::UInt(record.lineno.into()),
        Attr::FuncName => record.func_name.map_or(PyVal::None, PyVal::Str),
        Attr::Created => PyVal::Float(record.created),
        Attr::Msecs => PyVal::Float(record.msecs()),
        Attr::RelativeCreated => PyVal::Float(record.relative_created()),
        Attr::Thread => PyVal::UInt(record.thread()),
        Attr::ThreadName => PyVal::Str(record.thread_name()),
        Attr::Process => PyVal::UInt(record.process().into()),
        Attr::ProcessName => PyVal::Str(record.process_name()),
        Attr::Asctime => match asctime {
            Some(text) => PyVal::Str(text),
            None => return defaults.get("asctime").ok_or_else(|| missing("asctime")),
        },
        Attr::ExcText => record.exc_text().map_or(PyVal::None, PyVal::Str),
        Attr::ExcInfo => PyVal::None,
        Attr::StackInfo => record.stack_text().map_or(PyVal::None, PyVal::Str),
        Attr::Args => PyVal::EmptyTuple,
        Attr::Spans => PyVal::Str(record.spans),
        Attr::ModulePath => record.module_path.map_or(PyVal::None, PyVal::Str),
        Attr::Extra(key) => match record.extra(key) {
            Some(Value::Str(s)) => PyVal::Str(s),
            Some(Value::Int(n)) => PyVal::Int(n),
            Some(Value::UInt(n)) => PyVal::UInt(n),
            Some(Value::BigInt(n)) => PyVal::BigInt(n),
            Some(Value::Float(v)) => PyVal::Float(v),
            Some(Value::Bool(b)) => PyVal::Bool(b),
            Some(Value::None) => PyVal::None,
            None => {
                return defaults
                    .get(key)
                    .or_else(|| trace_default(key))
                    .ok_or_else(|| missing(key));
            }
        },
    })
}

/// Python's `str(value)` of an extra attribute, appended to `out`.
pub(crate) fn write_value_str(out: &mut String, value: crate::record::Value<'_>) {
    use crate::record::Value;
    let value = match value {
        Value::Str(s) => PyVal::Str(s),
        Value::Int(n) => PyVal::Int(n),
        Value::UInt(n) => PyVal::UInt(n),
        Value::BigInt(n) => PyVal::BigInt(n),
        Value::Float(v) => PyVal::Float(v),
        Value::Bool(b) => PyVal::Bool(b),
        Value::None => PyVal::None,
    };
    pyvalue::write_str_form(out, value);
}

/// What `%(otelTraceID)s`, `%(otelSpanID)s` and `%(otelTraceSampled)s` read outside a traced span,
/// as with Python's `LoggingInstrumentor`: `0`, `0`, `False`.
#[cfg(feature = "otlp")]
fn trace_default(key: &str) -> Option<PyVal<'static>> {
    match key {
        "otelTraceID" | "otelSpanID" => Some(PyVal::Str("0")),
        "otelTraceSampled" => Some(PyVal::Bool(false)),
        _ => None,
    }
}

#[cfg(not(feature = "otlp"))]
fn trace_default(_: &str) -> Option<PyVal<'static>> {
    None
}

fn missing(key: &str) -> FormatError {
    FormatError {
        kind: "ValueError",
        message: format!(
            "Formatting field not found in record: {}",
            repr::py_repr(key)
        ),
    }
}

/// Options for a [`Formatter`]; see [`Formatter::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct FormatterBuilder {
    format: String,
    datefmt: Option<String>,
    style: Style,
    validate: bool,
    zone: Zone,
    default_time_format: Option<String>,
    default_msec_format: Option<String>,
    defaults: Defaults,
    computed: computed::ComputedFields,
    message_suffix: Option<String>,
    escape: Escape,
}

impl FormatterBuilder {
    /// One of Python's `defaults` (3.10+): the value of field `name` for records that lack it. A
    /// record's own attributes and extras always win over a default.
    pub fn default_field(mut self, name: &str, value: impl Into<DefaultValue>) -> Self {
        self.defaults.insert(name, value.into());
        self
    }

    /// A field computed from each record by `compute`, usable in the format by `name` as an
    /// extra attribute is (see [`ComputeField`]): what a Python formatter subclass sets on the
    /// record before formatting it.
    pub fn computed_field(
        mut self,
        name: &str,
        compute: impl Fn(&LogRecord<'_>, &mut String) + Send + Sync + 'static,
    ) -> Self {
        self.computed.insert(name, Arc::new(compute));
        self
    }

    /// Appends `suffix` to the formatted fields unless they already end with it (before any
    /// `exc_text` or stack): colorlog's `reset`.
    pub(crate) fn message_suffix(mut self, suffix: Option<String>) -> Self {
        self.message_suffix = suffix.filter(|s| !s.is_empty());
        self
    }

    /// A formatter whose whole output `layout` writes, with this builder's time options.
    pub(crate) fn build_layout(self, layout: Arc<dyn RecordLayout>) -> Result<Formatter, Error> {
        let format = self.format.clone();
        self.finish(Body::Layout(layout), false, format)
    }

    /// Python's `defaults` mapping, all at once (added to any given before).
    pub fn defaults<K, V>(mut self, defaults: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: AsRef<str>,
        V: Into<DefaultValue>,
    {
        for (name, value) in defaults {
            self.defaults.insert(name.as_ref(), value.into());
        }
        self
    }

    /// Write CR and LF inside a record (its message, fields, exception text) as `\r` and `\n`, so
    /// that each record is one line (see [`Escape`]). Off by default, as in Python.
    pub fn escape_newlines(mut self, on: bool) -> Self {
        self.escape = if on {
            self.escape.union(Escape::NEWLINES)
        } else {
            Escape::NONE
        };
        self
    }

    /// Python's `datefmt`: a `strftime` format for `%(asctime)s` (no milliseconds are added).
    pub fn datefmt(mut self, datefmt: impl Into<String>) -> Self {
        let datefmt = datefmt.into();
        self.datefmt = (!datefmt.is_empty()).then_some(datefmt);
        self
    }

    /// Sets or clears `datefmt`.
    pub fn datefmt_opt(mut self, datefmt: Option<String>) -> Self {
        self.datefmt = datefmt.filter(|d| !d.is_empty());
        self
    }

    /// The style of the format string.
    pub fn style(mut self, style: Style) -> Self {
        self.style = style;
        self
    }

    /// Python's `validate`: check the format at construction (default). With `false`, a broken format
    /// is reported by `handle_error` on every record instead, as in Python.
    pub fn validate(mut self, validate: bool) -> Self {
        self.validate = validate;
        self
    }

    /// Show times in UTC (Python: `converter = time.gmtime`) instead of local time.
    pub fn utc(mut self, utc: bool) -> Self {
        self.zone = if utc { Zone::Utc } else { Zone::Local };
        self
    }

    /// Show times in a given zone.
    pub fn zone(mut self, zone: Zone) -> Self {
        self.zone = zone;
        self
    }

    /// Python's `default_time_format` (`%Y-%m-%d %H:%M:%S`).
    pub fn default_time_format(mut self, format: impl Into<String>) -> Self {
        self.default_time_format = Some(format.into());
        self
    }

    /// Python's `default_msec_format` (`%s,%03d`), applied to the time text and `msecs`; `None` (or
    /// an empty format, as in Python) drops the milliseconds.
    pub fn default_msec_format(mut self, format: Option<&str>) -> Self {
        self.default_msec_format = format.filter(|f| !f.is_empty()).map(str::to_owned);
        self
    }

    /// Compiles the formatter. Errors carry CPython's message; see the [module docs](self) for
    /// the `%`-style formats refused here that CPython refuses only when formatting.
    pub fn build(self) -> Result<Formatter, Error> {
        let format = if self.format.is_empty() {
            self.style.default_format().to_owned()
        } else {
            self.format.clone()
        };
        let invalid = |message: String| Error::InvalidFormat {
            format: format.clone(),
            message,
        };
        let (body, uses_time) = match self.style {
            Style::Percent => (
                Body::Percent(compile_percent(&format, self.validate)?),
                format.contains("%(asctime)"),
            ),
            Style::Brace => {
                if self.validate {
                    brace::validate(&format).map_err(invalid)?;
                }
                (
                    Body::Brace(brace::compile(&format)),
                    brace::BraceFormat::uses_time(&format),
                )
            }
            Style::Dollar => {
                if self.validate {
                    dollar::validate(&format).map_err(invalid)?;
                }
                (
                    Body::Dollar(dollar::compile(&format)),
                    dollar::DollarFormat::uses_time(&format),
                )
            }
        };
        self.finish(body, uses_time, format)
    }

    /// The formatter for a compiled `body`, with this builder's date options.
    fn finish(self, body: Body, uses_time: bool, format: String) -> Result<Formatter, Error> {
        let date_source = self
            .datefmt
            .clone()
            .or(self.default_time_format.clone())
            .unwrap_or_else(|| "%Y-%m-%d %H:%M:%S".to_owned());
        let date = DateFormat::parse(&date_source).map_err(|message| Error::InvalidDateFormat {
            datefmt: date_source.clone(),
            message,
        })?;
        let msec_format = match &self.default_msec_format {
            Some(f) => Some(MsecFormat {
                pieces: percent::parse_positional(f, 2).map_err(|e| Error::InvalidFormat {
                    format: f.clone(),
                    message: format!("Invalid default_msec_format '{f}': {}", e.message),
                })?,
                separator: MsecFormat::plain_separator(f),
            }),
            None => None,
        };
        // In place only when the time is formatted exactly when it would be first: the format
        // shows it (not merely names it in literal text, which still formats it in Python).
        let time_in_place = matches!(&body, Body::Percent(segments)
            if segments.iter().all(|s| matches!(s, Segment::Literal(_) | Segment::Text(_)))
                && (!uses_time
                    || segments.iter().any(|s| matches!(s, Segment::Text(TextAttr::Asctime)))));
        let plain = match &body {
            Body::Percent(segments)
                if time_in_place && self.computed.is_empty() && self.message_suffix.is_none() =>
            {
                PlainLine::compile(segments)
            }
            _ => None,
        };
        let plain_msecs =
            self.datefmt.is_none() && msec_format.as_ref().is_some_and(|m| m.separator.is_some());
        Ok(Formatter(Arc::new(Inner {
            id: next_formatter_id(),
            uses_time,
            time_in_place,
            plain,
            plain_msecs,
            format,
            style: self.style,
            body,
            defaults: self.defaults,
            computed: self.computed,
            datefmt: self.datefmt,
            date,
            msec_format,
            zone: self.zone,
            colour: None,
            message_suffix: self.message_suffix,
            escape: self.escape,
        })))
    }

    fn build_or_default(self) -> Formatter {
        let escape = self.escape;
        self.build().unwrap_or_else(|_| {
            Formatter(Arc::new(Inner {
                id: next_formatter_id(),
                format: "%(message)s".to_owned(),
                style: Style::Percent,
                body: Body::Percent(vec![Segment::Text(TextAttr::Message)]),
                defaults: Defaults::default(),
                computed: computed::ComputedFields::default(),
                uses_time: false,
                datefmt: None,
                date: DateFormat::default_time_format(),
                msec_format: None,
                time_in_place: true,
                plain: PlainLine::compile(&[Segment::Text(TextAttr::Message)]),
                plain_msecs: false,
                zone: Zone::Local,
                colour: None,
                message_suffix: None,
                escape,
            }))
        })
    }
}

/// Compiles a `%`-style format (see the [module docs](self) for what is refused here).
fn compile_percent(format: &str, validate: bool) -> Result<Vec<Segment>, Error> {
    let invalid = |message: String| Error::InvalidFormat {
        format: format.to_owned(),
        message,
    };
    if validate && !percent::has_valid_field(format) {
        return Err(invalid(format!("Invalid format '{format}' for '%' style")));
    }
    // CPython raises a broken directive's error only when formatting reaches it. When that
    // happens for every record (the fields before it always format, and its own error does not
    // depend on the record), a validating formatter refuses the format right away, with
    // CPython's message; otherwise (an extra that may be missing, a conversion that may fail)
    // the error is kept for format time, where it comes in CPython's order.
    let parsed = percent::parse_mapping(format);
    let mut segments = compile(parsed.pieces);
    if let Some(stop) = parsed.stop {
        let failure = Failure::new(stop);
        let fields_always_format = segments.iter().all(|segment| match segment {
            Segment::Field(attr, spec) => attr.always_formats(spec),
            Segment::Literal(_) | Segment::Text(_) | Segment::Fail(_) => true,
        });
        if validate
            && fields_always_format
            && let Some(error) = failure.certain_error()
        {
            return Err(invalid(format!(
                "Invalid format '{format}' for '%' style: {}",
                error.message
            )));
        }
        segments.push(Segment::Fail(Box::new(failure)));
    }
    Ok(segments)
}

/// A new formatter id (never 0, the id of the empty cache slots).
fn next_formatter_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn compile(pieces: Vec<Piece>) -> Vec<Segment> {
    pieces
        .into_iter()
        .map(|piece| match piece {
            Piece::Literal(text) => Segment::Literal(text.into_boxed_str()),
            Piece::Field {
                key: Key::Named(name),
                spec,
            } => {
                let attr = Attr::from_key(&name);
                match TextAttr::of(&attr, &spec) {
                    Some(text) => Segment::Text(text),
                    None => Segment::Field(attr, spec),
                }
            }
            Piece::Field {
                key: Key::Positional(_),
                spec,
            } => Segment::Field(Attr::Extra("".into()), spec),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Level, Value};

    fn record<'a>() -> LogRecord<'a> {
        let mut r = LogRecord::new("a.b", Level::WARNING, "hi");
        r.created = 1795536741.0723;
        r
    }

    fn fmt(f: &str, r: &LogRecord<'_>) -> Result<String, FormatError> {
        let mut out = String::new();
        Formatter::builder(f)
            .utc(true)
            .build()
            .unwrap()
            .format(r, &mut out)?;
        Ok(out)
    }

    #[test]
    fn three_digits_are_percent_03d() {
        for n in 0..1000u16 {
            let mut out = String::new();
            push_three_digits(&mut out, n);
            assert_eq!(out, format!("{n:03}"));
        }
    }

    #[test]
    fn classic_formats() {
        let r = record();
        assert_eq!(fmt(BASIC_FORMAT, &r).unwrap(), "WARNING:a.b:hi");
        assert_eq!(fmt("%(msecs)03d|%(levelno)d", &r).unwrap(), "072|30");
        assert_eq!(fmt("%(asctime)s", &r).unwrap(), "2026-11-24 16:12:21,072");
        assert_eq!(fmt("100%% %(message)s", &r).unwrap(), "100% hi");
    }

    #[test]
    fn text_attributes_are_written_as_they_are() {
        let mut r = record();
        assert_eq!(
            fmt("%(asctime)s|%(name)s|%(levelname)s|%(message)s", &r).unwrap(),
            "2026-11-24 16:12:21,072|a.b|WARNING|hi"
        );
        r.level = Level::new(25);
        assert_eq!(fmt("%(levelname)s:%(msg)s", &r).unwrap(), "Level 25:hi");
        assert_eq!(fmt("%(levelname)-9s|", &r).unwrap(), "Level 25 |");
    }

    #[test]
    fn a_failing_time_is_reported_wherever_the_format_names_asctime() {
        // CPython formats the time first whenever `%(asctime)` appears, even in literal text.
        for format in ["%(message)s %(asctime)s", "%%(asctime)s %(message)s"] {
            let formatter = Formatter::builder(format)
                .default_msec_format(Some("%d,%03d"))
                .build()
                .unwrap();
            let mut out = String::from("kept");
            let err = formatter.format(&record(), &mut out).unwrap_err();
            assert_eq!((err.kind, out.as_str()), ("TypeError", "kept"), "{format}");
        }
    }

    #[test]
    fn one_cached_second_serves_the_plain_and_the_general_millisecond_paths() {
        let shared = Formatter::builder("%(asctime)s").utc(true).build().unwrap();
        let at = |formatter: &Formatter, created: f64| {
            let mut r = record();
            r.created = created;
            let mut out = String::new();
            formatter.format(&r, &mut out).unwrap();
            out
        };
        let fresh = |created| {
            at(
                &Formatter::builder("%(asctime)s").utc(true).build().unwrap(),
                created,
            )
        };
        // One second before the epoch: 0 ms takes the plain `%s,%03d` path, -500 ms the general one.
        for created in [-2.0, -1.5, -2.0, -1.5] {
            assert_eq!(at(&shared, created), fresh(created), "{created}");
        }
        assert_eq!(fresh(-2.0), "1969-12-31 23:59:58,000");
        assert_eq!(fresh(-1.5), "1969-12-31 23:59:58,-500");
    }

    #[test]
    fn datefmt_drops_milliseconds() {
        let mut out = String::new();
        Formatter::builder("%(asctime)s")
            .datefmt("%H:%M:%S")
            .utc(true)
            .build()
            .unwrap()
            .format(&record(), &mut out)
            .unwrap();
        assert_eq!(out, "16:12:21");
    }

    #[test]
    fn extras_and_missing_fields() {
        let extras = [("user", Value::Int(7))];
        let mut r = record();
        r.extras = &extras;
        assert_eq!(fmt("%(user)05d %(message)s", &r).unwrap(), "00007 hi");
        assert_eq!(
            fmt("%(nope)s %(message)s", &r).unwrap_err().to_string(),
            "ValueError: Formatting field not found in record: 'nope'"
        );
    }

    #[test]
    fn construction_errors() {
        assert_eq!(
            Formatter::new("%(message)").unwrap_err().to_string(),
            "Invalid format '%(message)' for '%' style"
        );
        assert_eq!(
            Formatter::new("%(message)s %").unwrap_err().to_string(),
            "Invalid format '%(message)s %' for '%' style: incomplete format"
        );
        let lenient = Formatter::builder("hello").validate(false).build().unwrap();
        let mut out = String::new();
        lenient.format(&record(), &mut out).unwrap();
        assert_eq!(out, "hello");
    }

    fn styled(style: Style, f: &str, r: &LogRecord<'_>) -> Result<String, FormatError> {
        let mut out = String::new();
        Formatter::builder(f)
            .style(style)
            .utc(true)
            .default_field("user", "nobody")
            .build()
            .unwrap()
            .format(r, &mut out)?;
        Ok(out)
    }

    #[test]
    fn styles_parse_like_python() {
        assert_eq!(Style::parse("{").unwrap(), Style::Brace);
        assert_eq!(Style::parse("$").unwrap(), Style::Dollar);
        assert_eq!(
            Style::parse("#").unwrap_err().to_string(),
            "Style must be one of: %,{,$"
        );
        assert_eq!(
            Formatter::builder("")
                .style(Style::Dollar)
                .build()
                .unwrap()
                .format_string(),
            "${message}"
        );
    }

    #[test]
    fn defaults_fill_missing_fields_and_records_win() {
        let extras = [("user", Value::Str("alice"))];
        let mut with_user = record();
        with_user.extras = &extras;
        for (style, f) in [
            (Style::Percent, "%(user)s"),
            (Style::Brace, "{user}"),
            (Style::Dollar, "$user"),
        ] {
            assert_eq!(styled(style, f, &record()).unwrap(), "nobody");
            assert_eq!(styled(style, f, &with_user).unwrap(), "alice");
        }
        assert_eq!(
            styled(Style::Brace, "{nope}", &record())
                .unwrap_err()
                .to_string(),
            "ValueError: Formatting field not found in record: 'nope'"
        );
    }

    #[test]
    fn uses_time_per_style() {
        let uses = |style, f: &str| {
            Formatter::builder(f)
                .style(style)
                .validate(false)
                .build()
                .unwrap()
                .uses_time()
        };
        assert!(uses(Style::Brace, "{asctime:>30}"));
        assert!(uses(Style::Dollar, "$asctime"));
        assert!(uses(Style::Dollar, "${asctime}"));
        assert!(!uses(Style::Dollar, "${message}"));
        assert!(!uses(Style::Brace, "{message}"));
    }

    #[test]
    fn documented_differences_are_errors() {
        let r = record();
        assert_eq!(
            styled(Style::Brace, "{name.upper}", &r).unwrap_err().kind,
            "NotImplementedError"
        );
        assert_eq!(
            styled(Style::Brace, "{message:>2000000}", &r)
                .unwrap_err()
                .kind,
            "MemoryError"
        );
        assert_eq!(
            styled(Style::Brace, "{levelno.real:05}", &r).unwrap(),
            "00030"
        );
    }

    #[test]
    fn exception_text_follows_on_a_new_line() {
        let err = std::io::Error::other("disk full");
        let mut r = record();
        r.exc_info = Some(&err);
        assert_eq!(fmt("%(message)s", &r).unwrap(), "hi\ndisk full");
    }

    #[test]
    fn only_a_bare_message_format_gives_the_message_as_is() {
        let r = record();
        let as_is = |f: Formatter| f.message_as_is(&r).map(str::to_owned);
        let plain = |f: &str| Formatter::new(f).unwrap();
        assert_eq!(as_is(plain("%(message)s")).as_deref(), Some("hi"));
        assert_eq!(as_is(plain("%(msg)s")).as_deref(), Some("hi"));
        for other in [
            "%(message)r",
            "%(message)5s",
            "%(message)s!",
            "%(name)s",
            "{message}",
        ] {
            let f = Formatter::builder(other)
                .style(if other.starts_with('{') {
                    Style::Brace
                } else {
                    Style::Percent
                })
                .build()
                .unwrap();
            assert_eq!(as_is(f), None, "{other}");
        }
        let escaping = Formatter::builder("%(message)s")
            .escape_newlines(true)
            .build()
            .unwrap();
        assert_eq!(as_is(escaping), None);
        // What the formatter adds to a record with an error or a stack is not in the message.
        let err = std::io::Error::other("disk full");
        let mut with_error = record();
        with_error.exc_info = Some(&err);
        assert_eq!(plain("%(message)s").message_as_is(&with_error), None);
        let mut with_stack = record();
        with_stack.stack_info = Some("Stack (most recent call last):");
        assert_eq!(plain("%(message)s").message_as_is(&with_stack), None);
        with_stack.stack_info = Some("");
        assert_eq!(plain("%(message)s").message_as_is(&with_stack), Some("hi"));
    }
}
