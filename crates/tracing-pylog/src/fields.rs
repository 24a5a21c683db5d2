//! Reading an event's or a span's fields: the message, extras, an attached error, a `levelno`
//! override, into buffers reused from one event to the next.

use std::fmt::{self, Write as _};
use std::ops::Range;

use pylog_core::{Value, format_error_chain};
use tracing_core::field::{Field, Visit};

/// The name of the field that sets a record's numeric level (`CRITICAL` and custom levels).
pub const LEVELNO_FIELD: &str = "levelno";

/// A field value stored without borrowing: text lives in the owner's arena.
#[derive(Clone, Debug)]
pub(crate) enum Stored {
    /// Text rendered from a `Debug` or `Display` value (shown as it is in `%(spans)s`).
    Str(Range<usize>),
    /// A string value (`path = "/a"`), shown quoted in `%(spans)s` as tracing's fmt does.
    Text(Range<usize>),
    Int(i64),
    UInt(u64),
    BigInt(i128),
    Float(f64),
    Bool(bool),
}

impl Stored {
    pub(crate) fn value<'a>(&self, arena: &'a str) -> Value<'a> {
        match self {
            Stored::Str(range) | Stored::Text(range) => {
                Value::Str(arena.get(range.clone()).unwrap_or(""))
            }
            Stored::Int(n) => Value::Int(*n),
            Stored::UInt(n) => Value::UInt(*n),
            Stored::BigInt(n) => Value::BigInt(*n),
            Stored::Float(v) => Value::Float(*v),
            Stored::Bool(b) => Value::Bool(*b),
        }
    }
}

/// Fields collected from one event or span.
#[derive(Default, Debug)]
pub(crate) struct FieldSet {
    pub(crate) message: String,
    pub(crate) arena: String,
    pub(crate) fields: Vec<(&'static str, Stored)>,
    pub(crate) exc_text: Option<String>,
    pub(crate) levelno: Option<i32>,
    /// Skip `log.*` fields (they describe the `log` record's origin, not extras).
    pub(crate) skip_log_fields: bool,
    /// Read an integer `levelno` field as the record's level (events), not as a field (spans).
    pub(crate) reads_levelno: bool,
}

impl FieldSet {
    /// An empty set, made without allocating.
    pub(crate) const fn new() -> FieldSet {
        FieldSet {
            message: String::new(),
            arena: String::new(),
            fields: Vec::new(),
            exc_text: None,
            levelno: None,
            skip_log_fields: false,
            reads_levelno: false,
        }
    }

    #[inline]
    pub(crate) fn clear(&mut self) {
        self.message.clear();
        self.arena.clear();
        self.fields.clear();
        self.exc_text = None;
        self.levelno = None;
        self.skip_log_fields = false;
        self.reads_levelno = false;
    }

    fn push_text(&mut self, name: &'static str, write: impl FnOnce(&mut String)) {
        let start = self.arena.len();
        write(&mut self.arena);
        self.fields
            .push((name, Stored::Str(start..self.arena.len())));
    }

    /// An integer field: the record's level when it is the `levelno` field of an event, else an
    /// extra.
    fn record_integer(&mut self, field: &Field, as_level: Option<i32>, stored: Stored) {
        if self.skip(field) {
            return;
        }
        if self.reads_levelno
            && field.name() == LEVELNO_FIELD
            && let Some(level) = as_level
        {
            self.levelno = Some(level);
            return;
        }
        self.fields.push((field.name(), stored));
    }

    /// A `Debug` field other than the message of an event that is not a `log` record: out of
    /// line, so that the message's visit stays short.
    #[inline(never)]
    fn record_debug_field(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.skip(field) {
            return;
        }
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.push_text(field.name(), |arena| {
                let _ = write!(arena, "{value:?}");
            });
        }
    }

    /// Whether a field is left out: `log.*` fields of a `log` record describe where it came from
    /// (they become the record's name, pathname and lineno), they are not extras.
    fn skip(&self, field: &Field) -> bool {
        self.skip_log_fields && field.name().starts_with("log.")
    }

    /// Appends another set's fields (text copied into this set's arena).
    pub(crate) fn copy_fields_from(&mut self, other: &FieldSet) {
        for index in 0..other.fields.len() {
            self.copy_field_from(other, index);
        }
    }

    /// Appends the `index`-th field of another set (text copied into this set's arena).
    pub(crate) fn copy_field_from(&mut self, other: &FieldSet, index: usize) {
        let Some((name, stored)) = other.fields.get(index) else {
            return;
        };
        let copy_text = |this: &mut FieldSet, range: &Range<usize>| {
            let text = other.arena.get(range.clone()).unwrap_or("");
            let start = this.arena.len();
            this.arena.push_str(text);
            start..this.arena.len()
        };
        let stored = match stored {
            Stored::Str(range) => Stored::Str(copy_text(self, range)),
            Stored::Text(range) => Stored::Text(copy_text(self, range)),
            other_value => other_value.clone(),
        };
        self.fields.push((name, stored));
    }

    /// Whether a field of this name is present.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.fields.iter().any(|(n, _)| *n == name)
    }

    /// Renders the fields as `a=1 b="x"` (as tracing's fmt shows span fields).
    pub(crate) fn render(&self, out: &mut String) {
        for (i, (name, stored)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(name);
            out.push('=');
            if let Stored::Text(range) = stored {
                let _ = write!(out, "{:?}", self.arena.get(range.clone()).unwrap_or(""));
                continue;
            }
            match stored.value(&self.arena) {
                Value::Str(s) => out.push_str(s),
                Value::Int(n) => {
                    let _ = write!(out, "{n}");
                }
                Value::UInt(n) => {
                    let _ = write!(out, "{n}");
                }
                Value::BigInt(n) => {
                    let _ = write!(out, "{n}");
                }
                Value::Float(v) => {
                    let _ = write!(out, "{v}");
                }
                Value::Bool(b) => {
                    let _ = write!(out, "{b}");
                }
                Value::None => out.push_str("None"),
            }
        }
    }
}

impl Visit for FieldSet {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" && !self.skip_log_fields {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.record_debug_field(field, value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if self.skip(field) {
            return;
        }
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let start = self.arena.len();
            self.arena.push_str(value);
            self.fields
                .push((field.name(), Stored::Text(start..self.arena.len())));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.record_integer(field, i32::try_from(value).ok(), Stored::Int(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.record_integer(field, i32::try_from(value).ok(), Stored::UInt(value));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        if self.skip(field) {
            return;
        }
        self.fields.push((field.name(), Stored::BigInt(value)));
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        if self.skip(field) {
            return;
        }
        match i128::try_from(value) {
            Ok(v) => self.fields.push((field.name(), Stored::BigInt(v))),
            Err(_) => self.record_debug(field, &value),
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if self.skip(field) {
            return;
        }
        self.fields.push((field.name(), Stored::Float(value)));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if self.skip(field) {
            return;
        }
        self.fields.push((field.name(), Stored::Bool(value)));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if self.skip(field) {
            return;
        }
        if self.exc_text.is_none() {
            self.exc_text = Some(format_error_chain(value, None));
        }
        self.push_text(field.name(), |arena| {
            let _ = write!(arena, "{value}");
        });
    }
}
