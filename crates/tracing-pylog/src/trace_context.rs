//! Trace correlation (feature `otlp`): the OpenTelemetry span context of the span an event was
//! logged in, as `tracing-opentelemetry` keeps it in the span's extensions, or else the active
//! OpenTelemetry `Context`. It becomes three extras named as Python's `LoggingInstrumentor` names
//! the record attributes: `otelTraceID` (32 hex digits), `otelSpanID` (16) and
//! `otelTraceSampled` (a bool); `OtlpHandler` sends them as the record's `trace_id`, `span_id`
//! and `flags`, and formats read them as `%(otelTraceID)s`. Outside a traced span no extra is
//! added, and formats read `0`, `0` and `False`.
//!
//! Without the feature this module is not compiled; with it and no OpenTelemetry layer, an event
//! in a span costs one failed downcast of the dispatcher, and an event outside spans nothing but
//! a look at the thread's OpenTelemetry context.

use std::fmt::Write as _;
use std::sync::OnceLock;

use opentelemetry::trace::{SpanContext, TraceContextExt as _};
use tracing_core::dispatcher::WeakDispatch;
use tracing_core::span::Id;

/// The trace context of one event, written as the extras' text.
#[derive(Default)]
pub(crate) struct TraceIds {
    pub(crate) trace_id: String,
    pub(crate) span_id: String,
    pub(crate) sampled: bool,
}

impl TraceIds {
    /// Fills `self` from the span `id` (in `dispatch`), or the thread's active OpenTelemetry
    /// context; returns whether a valid span context was found.
    pub(crate) fn read(&mut self, span: Option<&Id>, dispatch: &OnceLock<WeakDispatch>) -> bool {
        let from_span = span.and_then(|id| {
            let dispatch = dispatch.get()?.upgrade()?;
            let cx = tracing_opentelemetry::get_otel_context(id, &dispatch)?;
            let context = cx.span().span_context().clone();
            context.is_valid().then_some(context)
        });
        let context = from_span.or_else(|| {
            opentelemetry::Context::map_current(|cx| {
                let context = cx.span().span_context().clone();
                context.is_valid().then_some(context)
            })
        });
        match context {
            Some(context) => {
                self.write(&context);
                true
            }
            None => false,
        }
    }

    fn write(&mut self, context: &SpanContext) {
        self.trace_id.clear();
        self.span_id.clear();
        let _ = write!(self.trace_id, "{:032x}", context.trace_id());
        let _ = write!(self.span_id, "{:016x}", context.span_id());
        self.sampled = context.is_sampled();
    }
}
