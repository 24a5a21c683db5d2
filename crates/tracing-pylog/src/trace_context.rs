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
//! a look at the thread's OpenTelemetry context. The layer looks only for records that something
//! on their way may read the extras from (`Logger::reads_trace_context`).

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
    /// No ids yet, made without allocating.
    pub(crate) const fn new() -> TraceIds {
        TraceIds {
            trace_id: String::new(),
            span_id: String::new(),
            sampled: false,
        }
    }

    /// Fills `self` from the span `id` (in `dispatch`), or the thread's active OpenTelemetry
    /// context; returns whether a valid span context was found. The ids are written from the
    /// context where it is: no span context is cloned or moved.
    pub(crate) fn read(&mut self, span: Option<&Id>, dispatch: &OnceLock<WeakDispatch>) -> bool {
        let _ = READS.try_with(|reads| reads.set(reads.get() + 1));
        if let Some(id) = span
            && let Some(dispatch) = dispatch.get().and_then(WeakDispatch::upgrade)
            && let Some(cx) = tracing_opentelemetry::get_otel_context(id, &dispatch)
            && self.write_if_valid(cx.span().span_context())
        {
            return true;
        }
        with_active_context(|cx| self.write_if_valid(cx.span().span_context())).unwrap_or(false)
    }

    /// Writes `context`'s ids when it is valid; returns whether it was.
    fn write_if_valid(&mut self, context: &SpanContext) -> bool {
        if !context.is_valid() {
            return false;
        }
        self.write(context);
        true
    }

    fn write(&mut self, context: &SpanContext) {
        self.trace_id.clear();
        self.span_id.clear();
        let _ = write!(self.trace_id, "{:032x}", context.trace_id());
        let _ = write!(self.span_id, "{:016x}", context.span_id());
        self.sampled = context.is_sampled();
    }
}

/// How many times the layer looked up an event's trace context on this thread: records that
/// nothing reads the context from do not pay for it. Not public API (for tests).
#[doc(hidden)]
pub fn reads_on_this_thread() -> u64 {
    READS.try_with(std::cell::Cell::get).unwrap_or(0)
}

/// Marks, by being destroyed, that this thread's locals are being torn down. It is first touched
/// just after OpenTelemetry's own thread-local context, so it is registered after it and destroyed
/// before it (thread-local destructors run in the reverse order of registration).
struct ContextAlive;

impl Drop for ContextAlive {
    fn drop(&mut self) {}
}

thread_local! {
    /// How many times this thread looked up a trace context (see [`reads_on_this_thread`]).
    static READS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static CONTEXT_ALIVE: ContextAlive = const { ContextAlive };
    /// Whether `CONTEXT_ALIVE` was touched on this thread (a plain cell, never destroyed).
    static CONTEXT_ALIVE_TOUCHED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` on the thread's active OpenTelemetry context, unless the thread's locals are being
/// destroyed (then `None`): `opentelemetry::Context::map_current` uses `LocalKey::with`, which
/// panics then, and a panic in a thread-local destructor aborts the process. An event logged from
/// a thread-local destructor or an `atexit` handler is therefore not correlated with the active
/// context (a span that `tracing-opentelemetry` tracks still is).
fn with_active_context<T>(f: impl FnOnce(&opentelemetry::Context) -> T) -> Option<T> {
    let touched = CONTEXT_ALIVE_TOUCHED.try_with(|t| t.get()).unwrap_or(true);
    if touched && CONTEXT_ALIVE.try_with(|_| ()).is_err() {
        return None;
    }
    let result = opentelemetry::Context::map_current(f);
    if !touched {
        let _ = CONTEXT_ALIVE.try_with(|_| ());
        let _ = CONTEXT_ALIVE_TOUCHED.try_with(|t| t.set(true));
    }
    Some(result)
}
