//! Fields a formatter computes from each record: what a Python formatter subclass adds to the
//! record in its `format` or `formatMessage` (uvicorn's `%(levelprefix)s`, colorlog's
//! `%(log_color)s`), so that a factory registered for a dictConfig `()` can reproduce such a
//! formatter without copying this crate's code.
//!
//! A computed field is found by name as an extra attribute is, and takes precedence over an extra
//! of the same name and over the formatter's `defaults`; the record's own attributes
//! (`levelname`, `message`, ...) keep their meaning. Its value is text, formatted by the field's
//! conversion like any string (`%(levelprefix)-10s`, `{levelprefix:>10}`).
//!
//! ```
//! use pylog_core::{Formatter, Level, LogRecord};
//! let formatter = Formatter::builder("%(levelprefix)s %(message)s")
//!     .computed_field("levelprefix", |record: &LogRecord<'_>, out: &mut String| {
//!         let name = record.levelname().to_text();
//!         out.push_str(&name);
//!         out.push(':');
//!         out.push_str(&" ".repeat(8usize.saturating_sub(name.len())));
//!     })
//!     .build()?;
//! let mut out = String::new();
//! formatter.format(&LogRecord::new("uvicorn.error", Level::INFO, "Started"), &mut out)?;
//! assert_eq!(out, "INFO:     Started");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::Arc;

use crate::record::LogRecord;

/// Computes one field's text for a record, appending it to the buffer it is given.
pub type ComputeField = Arc<dyn Fn(&LogRecord<'_>, &mut String) + Send + Sync + 'static>;

/// The computed fields of one formatter, by name.
#[derive(Clone, Default)]
pub(crate) struct ComputedFields(Vec<(Box<str>, ComputeField)>);

impl fmt::Debug for ComputedFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

impl ComputedFields {
    /// Adds (or replaces) the field `name`.
    pub(crate) fn insert(&mut self, name: &str, compute: ComputeField) {
        match self.0.iter_mut().find(|(k, _)| &**k == name) {
            Some(slot) => slot.1 = compute,
            None => self.0.push((name.into(), compute)),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every field's value for `record`, by name.
    pub(crate) fn compute(&self, record: &LogRecord<'_>) -> Vec<(&str, String)> {
        self.0
            .iter()
            .map(|(name, compute)| {
                let mut value = String::new();
                compute(record, &mut value);
                (&**name, value)
            })
            .collect()
    }
}
