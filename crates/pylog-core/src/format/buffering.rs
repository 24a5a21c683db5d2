//! `BufferingFormatter`: a batch of records as one text. Python: `logging.BufferingFormatter`.

use std::fmt;
use std::sync::Arc;

use super::{FormatError, Formatter};
use crate::owned_record::OwnedRecord;

/// A header or footer hook: writes its text for `records` into the buffer.
pub type RecordsText = Arc<dyn Fn(&[OwnedRecord], &mut String) + Send + Sync>;

/// Formats a batch of records. Cheap to clone.
///
/// The text is the header, each record formatted with the line formatter (`linefmt`), then the
/// footer; an empty batch gives an empty text, and there is no separator between records, exactly
/// as in CPython (a line format that wants lines ends in `\n`). Python's `formatHeader` and
/// `formatFooter`, methods a subclass overrides, are closures here. The records are the
/// [`OwnedRecord`]s a [`BufferingHandler`](crate::BufferingHandler) or
/// [`MemoryHandler`](crate::MemoryHandler) hands over.
///
/// ```
/// use pylog_core::{BufferingFormatter, Formatter, Level, OwnedRecord};
/// let batch = BufferingFormatter::new(Some(Formatter::new("%(levelname)s %(message)s\n")?))
///     .header(|records, out| out.push_str(&format!("{} records:\n", records.len())))
///     .footer(|_, out| out.push_str("end"));
/// let records = [
///     OwnedRecord::new("app", Level::INFO, "one"),
///     OwnedRecord::new("app", Level::ERROR, "two"),
/// ];
/// let mut out = String::new();
/// batch.format(&records, &mut out).unwrap();
/// assert_eq!(out, "2 records:\nINFO one\nERROR two\nend");
/// # Ok::<(), pylog_core::Error>(())
/// ```
#[derive(Clone)]
pub struct BufferingFormatter {
    linefmt: Formatter,
    header: Option<RecordsText>,
    footer: Option<RecordsText>,
}

impl fmt::Debug for BufferingFormatter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufferingFormatter")
            .field("linefmt", &self.linefmt.format_string())
            .field("header", &self.header.is_some())
            .field("footer", &self.footer.is_some())
            .finish()
    }
}

impl Default for BufferingFormatter {
    /// Python's `BufferingFormatter()`: records formatted with `%(message)s`, no header or footer.
    fn default() -> Self {
        BufferingFormatter::new(None)
    }
}

impl BufferingFormatter {
    /// Python: `BufferingFormatter(linefmt)`; `None` means Python's default formatter
    /// (`%(message)s`).
    pub fn new(linefmt: Option<Formatter>) -> BufferingFormatter {
        BufferingFormatter {
            linefmt: linefmt.unwrap_or_default(),
            header: None,
            footer: None,
        }
    }

    /// Python's `formatHeader` (which returns `""` unless overridden); called only for a
    /// non-empty batch.
    pub fn header(
        mut self,
        header: impl Fn(&[OwnedRecord], &mut String) + Send + Sync + 'static,
    ) -> Self {
        self.header = Some(Arc::new(header));
        self
    }

    /// Python's `formatFooter` (which returns `""` unless overridden); called only for a
    /// non-empty batch.
    pub fn footer(
        mut self,
        footer: impl Fn(&[OwnedRecord], &mut String) + Send + Sync + 'static,
    ) -> Self {
        self.footer = Some(Arc::new(footer));
        self
    }

    /// The line formatter (Python: `linefmt`).
    pub fn linefmt(&self) -> &Formatter {
        &self.linefmt
    }

    /// Python: `BufferingFormatter.format(records)`, appended to `out`. If a record fails to
    /// format, the error is returned and `out` is left as it was.
    pub fn format(&self, records: &[OwnedRecord], out: &mut String) -> Result<(), FormatError> {
        if records.is_empty() {
            return Ok(());
        }
        let start = out.len();
        if let Some(header) = &self.header {
            header(records, out);
        }
        for record in records {
            if let Err(e) = record.with_record(|r| self.linefmt.format(r, out)) {
                out.truncate(start);
                return Err(e);
            }
        }
        if let Some(footer) = &self.footer {
            footer(records, out);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;

    #[test]
    fn empty_batches_give_nothing_not_even_the_header() {
        let batch = BufferingFormatter::default().header(|_, out| out.push_str("Header"));
        let mut out = String::from("kept");
        batch.format(&[], &mut out).unwrap();
        assert_eq!(out, "kept");
    }

    #[test]
    fn a_failing_record_leaves_the_buffer_as_it_was() {
        let batch = BufferingFormatter::new(Some(Formatter::new("%(user)s").unwrap()))
            .header(|_, out| out.push_str("Header"));
        let mut out = String::from("kept");
        let err = batch
            .format(&[OwnedRecord::new("a", Level::INFO, "m")], &mut out)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "ValueError: Formatting field not found in record: 'user'"
        );
        assert_eq!(out, "kept");
    }
}
