//! What the layer keeps for each span: its fields, rendered and as values, so that events inside it
//! can show `%(spans)s` and use span fields as extras.

use tracing_core::span::Record;

use crate::fields::FieldSet;

/// A span's fields, stored in the span's extensions.
#[derive(Debug, Default)]
pub(crate) struct SpanFields {
    pub(crate) fields: FieldSet,
    /// `a=1 b="x"`, kept up to date as the span records more values.
    pub(crate) rendered: String,
}

impl SpanFields {
    pub(crate) fn refresh(&mut self) {
        self.rendered.clear();
        self.fields.render(&mut self.rendered);
    }

    /// Applies `span.record(..)`: a field recorded again takes its new value in place, a field
    /// recorded for the first time (declared `Empty`) is added at the end.
    pub(crate) fn record(&mut self, values: &Record<'_>) {
        let mut update = FieldSet::default();
        values.record(&mut update);
        if update.fields.is_empty() {
            return;
        }
        let old = &self.fields;
        let mut merged = FieldSet::default();
        for (index, (name, _)) in old.fields.iter().enumerate() {
            if merged.contains(name) {
                continue;
            }
            match update.fields.iter().rposition(|(n, _)| n == name) {
                Some(newest) => merged.copy_field_from(&update, newest),
                None => merged.copy_field_from(old, index),
            }
        }
        for (index, (name, _)) in update.fields.iter().enumerate() {
            let newest = update.fields.iter().rposition(|(n, _)| n == name);
            if !merged.contains(name) && newest == Some(index) {
                merged.copy_field_from(&update, index);
            }
        }
        self.fields = merged;
        self.refresh();
    }
}
