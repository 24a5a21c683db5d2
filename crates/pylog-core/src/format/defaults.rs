//! Values for fields a record may lack. Python: `Formatter(..., defaults={...})` (3.10+).
//!
//! The defaults sit *under* the record (`defaults | record.__dict__`): a record's own attribute or
//! extra always wins, and a default only fills a field the record does not have.
//!
//! ```
//! use pylog_core::{Formatter, Level, LogRecord, Style};
//! let formatter = Formatter::builder("{user:>5}|{message}")
//!     .style(Style::Brace)
//!     .default_field("user", "-")
//!     .build()
//!     .unwrap();
//! let mut out = String::new();
//! formatter.format(&LogRecord::new("app", Level::INFO, "hi"), &mut out).unwrap();
//! assert_eq!(out, "    -|hi");
//! ```

use super::pyvalue::PyVal;

/// An owned field value for [`FormatterBuilder::default_field`](super::FormatterBuilder::default_field).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum DefaultValue {
    /// Text.
    Str(String),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// Python's `None`.
    None,
}

impl DefaultValue {
    pub(crate) fn as_py(&self) -> PyVal<'_> {
        match self {
            DefaultValue::Str(s) => PyVal::Str(s),
            DefaultValue::Int(n) => PyVal::Int(*n),
            DefaultValue::UInt(n) => PyVal::UInt(*n),
            DefaultValue::Float(v) => PyVal::Float(*v),
            DefaultValue::Bool(b) => PyVal::Bool(*b),
            DefaultValue::None => PyVal::None,
        }
    }
}

impl From<&str> for DefaultValue {
    fn from(v: &str) -> Self {
        DefaultValue::Str(v.to_owned())
    }
}
impl From<String> for DefaultValue {
    fn from(v: String) -> Self {
        DefaultValue::Str(v)
    }
}
impl From<i64> for DefaultValue {
    fn from(v: i64) -> Self {
        DefaultValue::Int(v)
    }
}
impl From<i32> for DefaultValue {
    fn from(v: i32) -> Self {
        DefaultValue::Int(v.into())
    }
}
impl From<u64> for DefaultValue {
    fn from(v: u64) -> Self {
        DefaultValue::UInt(v)
    }
}
impl From<u32> for DefaultValue {
    fn from(v: u32) -> Self {
        DefaultValue::UInt(v.into())
    }
}
impl From<f64> for DefaultValue {
    fn from(v: f64) -> Self {
        DefaultValue::Float(v)
    }
}
impl From<bool> for DefaultValue {
    fn from(v: bool) -> Self {
        DefaultValue::Bool(v)
    }
}
impl<T: Into<DefaultValue>> From<Option<T>> for DefaultValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(DefaultValue::None, Into::into)
    }
}

/// The defaults of one formatter, in the order given (a later value for the same name wins, as in
/// a Python dict).
#[derive(Clone, Debug, Default)]
pub(crate) struct Defaults(Vec<(Box<str>, DefaultValue)>);

impl Defaults {
    pub(crate) fn insert(&mut self, name: &str, value: DefaultValue) {
        match self.0.iter_mut().find(|(k, _)| &**k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.into(), value)),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<PyVal<'_>> {
        self.0
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| v.as_py())
    }
}
