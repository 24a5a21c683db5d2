//! What the layer keeps for each span: its fields, rendered and as values, so that events inside it
//! can show `%(spans)s` and use span fields as extras.

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
}
