//! The `Layer` and its per-layer `Filter`.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock};

use pylog_core::{Level, LogRecord, Manager, Value, on_config_change, shutdown_at_exit};
use tracing_core::dispatcher::{Dispatch, WeakDispatch};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::subscriber::Interest;
use tracing_core::{Event, LevelFilter, Metadata, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::filter::Filtered;
use tracing_subscriber::layer::{Context, Filter, Layer};
use tracing_subscriber::registry::{LookupSpan, Scope};

use crate::fields::{FieldSet, LEVELNO_FIELD};
use crate::routes::{Route, Routes};
use crate::spans::SpanFields;

/// Python's level for a `tracing` level: TRACE 5, DEBUG 10, INFO 20, WARN 30, ERROR 40.
pub fn level_from_tracing(level: &tracing_core::Level) -> Level {
    match *level {
        tracing_core::Level::TRACE => Level::TRACE,
        tracing_core::Level::DEBUG => Level::DEBUG,
        tracing_core::Level::INFO => Level::INFO,
        tracing_core::Level::WARN => Level::WARNING,
        _ => Level::ERROR,
    }
}

/// The most verbose `tracing` level filter that still lets every event at or above `level` through.
///
/// An event at a level between two `tracing` levels is emitted at the `tracing` level below it (25
/// is an INFO event with `levelno = 25`, see `pylog::event!`), so a threshold of 25 must keep
/// INFO callsites alive: this rounds down, never up.
fn level_filter_for(level: Level) -> LevelFilter {
    match level.value() {
        i32::MIN..=9 => LevelFilter::TRACE,
        10..=19 => LevelFilter::DEBUG,
        20..=29 => LevelFilter::INFO,
        30..=39 => LevelFilter::WARN,
        40..=i32::MAX => LevelFilter::ERROR,
    }
}

/// Routes `tracing` events (and `log` records through `tracing-log`) into a pylog logger tree.
///
/// Use it through [`layer`](crate::layer) or [`layer_for`](crate::layer_for), which attach the
/// [`TreeFilter`] so that callsites no handler wants cost nothing, without disabling them for other
/// layers.
pub struct PyLoggingLayer {
    routes: Arc<Routes>,
    /// The dispatcher the layer is part of, where `tracing-opentelemetry` keeps span contexts.
    #[cfg(feature = "otlp")]
    dispatch: OnceLock<WeakDispatch>,
}

impl std::fmt::Debug for PyLoggingLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyLoggingLayer").finish_non_exhaustive()
    }
}

/// The per-layer filter that answers "could any handler want this?" from the logger tree.
pub struct TreeFilter {
    routes: Arc<Routes>,
}

impl std::fmt::Debug for TreeFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TreeFilter").finish_non_exhaustive()
    }
}

impl PyLoggingLayer {
    /// A layer over `manager`'s logger tree, with its filter.
    ///
    /// It makes sure [`shutdown`](pylog_core::shutdown) runs when the process exits
    /// ([`shutdown_at_exit`]): [`shutdown`](pylog_core::shutdown) closes the handlers of every
    /// tree, so one registration per process covers every layer and manager. Logging a panic at
    /// CRITICAL stays a choice: call [`log_panics`](pylog_core::log_panics) for that.
    pub fn new(manager: Manager) -> (PyLoggingLayer, TreeFilter) {
        shutdown_at_exit();
        on_config_change(rebuild_interest);
        let routes = Arc::new(Routes::new(manager));
        (
            PyLoggingLayer {
                routes: routes.clone(),
                #[cfg(feature = "otlp")]
                dispatch: OnceLock::new(),
            },
            TreeFilter { routes },
        )
    }

    /// The layer with its filter attached, ready for `registry().with(..)`.
    pub fn filtered<S>(manager: Manager) -> Filtered<PyLoggingLayer, TreeFilter, S>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let (layer, filter) = PyLoggingLayer::new(manager);
        layer.with_filter(filter)
    }
}

/// The dispatchers (subscribers) this layer is part of, anywhere in the process.
fn our_dispatchers() -> &'static Mutex<Vec<WeakDispatch>> {
    static DISPATCHERS: OnceLock<Mutex<Vec<WeakDispatch>>> = OnceLock::new();
    DISPATCHERS.get_or_init(|| Mutex::new(Vec::new()))
}

/// Rebuilds every callsite's cached `Interest` and the global max level after the logger tree
/// changed.
///
/// tracing-core's `rebuild_interest_cache()` asks every registered dispatcher, except when a single
/// one was alive at the last registration: then it asks only the *calling thread's* default. A
/// change made on a thread without that subscriber (configuration done before `with_default`, or
/// on another thread than the one a scoped subscriber runs on) would ask `NoSubscriber`, which
/// disables every callsite and sets the max level to OFF for the subscriber that does exist. So the
/// rebuild runs with one of our live dispatchers as the default, and not at all when none is alive
/// (no subscriber routes into a tree, and a rebuild would only do that harm). Rebuilds are
/// serialized: two at once could finish in the wrong order and leave the older max level.
///
/// When the calling thread's default already routes into a pylog layer (the usual case: the
/// global subscriber), the rebuild runs as it is. A scoped default is set only when it must be:
/// while any scoped default exists, tracing-core sends an event emitted *inside* another event's
/// dispatch, on any thread, to no subscriber (its re-entrancy guard), so a handler's dependencies
/// logging on other threads would lose events for as long as the rebuild runs.
fn rebuild_interest() {
    static REBUILDING: Mutex<()> = Mutex::new(());
    if tracing_core::dispatcher::get_default(Dispatch::is::<PyLoggingLayer>) {
        let _serialized = REBUILDING.lock().unwrap_or_else(|e| e.into_inner());
        tracing_core::callsite::rebuild_interest_cache();
        return;
    }
    let dispatch = {
        let mut list = our_dispatchers().lock().unwrap_or_else(|e| e.into_inner());
        list.retain(|weak| weak.upgrade().is_some());
        list.iter().rev().find_map(WeakDispatch::upgrade)
    };
    let Some(dispatch) = dispatch else { return };
    let _serialized = REBUILDING.lock().unwrap_or_else(|e| e.into_inner());
    tracing_core::dispatcher::with_default(
        &dispatch,
        tracing_core::callsite::rebuild_interest_cache,
    );
}

/// The spans around `event`, innermost first (`Context::event_scope`), without asking the
/// registry for a contextual event on a thread inside no span.
fn event_scope<'a, S>(ctx: &'a Context<'_, S>, event: &Event<'_>) -> Option<Scope<'a, S>>
where
    S: Subscriber + for<'l> LookupSpan<'l>,
{
    if event.is_contextual() && !crate::entered::maybe_inside_span() {
        return None;
    }
    ctx.event_scope(event)
}

/// `funcName` for an event: the name of the innermost span around it when that span was created
/// in the event's own module and is named like a function, which is what `#[instrument]` makes (a
/// span named after the function it wraps, with the function's module path). Otherwise `None`:
/// Rust has no run-time function name, and the innermost span from another module (or a span named
/// like a phrase) says nothing about the function that logged.
fn enclosing_function(
    innermost: &'static Metadata<'static>,
    meta: &Metadata<'_>,
) -> Option<&'static str> {
    let module = meta.module_path()?;
    (innermost.module_path() == Some(module) && is_identifier(innermost.name()))
        .then(|| innermost.name())
}

/// A Rust identifier (`load_user`, `r#match`), as `#[instrument]` names its spans.
fn is_identifier(name: &str) -> bool {
    let name = name.strip_prefix("r#").unwrap_or(name);
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn decides_per_event(meta: &Metadata<'_>) -> bool {
    let fields = meta.fields();
    fields.field(LEVELNO_FIELD).is_some()
}

fn is_log_callsite(meta: &Metadata<'_>) -> bool {
    meta.fields().field("log.target").is_some()
}

impl TreeFilter {
    /// Spans are always accepted: they are context for the events inside them, whatever logger
    /// their own target names (an `info_span!` in `app::http` around a `warn!` on `app::db`). Only
    /// `max_level_hint`, the loosest level the tree could output, limits them, as for any layer.
    fn accepts(&self, meta: &Metadata<'_>) -> bool {
        self.accepts_for(meta, |route, level| {
            route.accepts(level) || route.captured(level)
        })
    }

    fn accepts_for(
        &self,
        meta: &Metadata<'_>,
        route_accepts: impl Fn(&Route, Level) -> bool,
    ) -> bool {
        meta.is_span()
            || decides_per_event(meta)
            || route_accepts(
                &self.routes.get(meta.target()),
                level_from_tracing(meta.level()),
            )
    }
}

impl<S> Filter<S> for TreeFilter
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn enabled(&self, meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        self.accepts(meta)
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        if is_log_callsite(meta) {
            // One callsite per `log` level, whatever the target: decide per record.
            return Interest::sometimes();
        }
        if self.accepts_for(meta, Route::accepts) {
            Interest::always()
        } else if pylog_core::testing::any_active() {
            // A test capture may want it on some thread: decide per event.
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        if pylog_core::testing::any_active() {
            return Some(LevelFilter::TRACE);
        }
        Some(level_filter_for(self.routes.manager().loosest_level()))
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch::new()) };
}

/// Buffers reused by every event on a thread, so that steady-state events allocate nothing.
#[derive(Default)]
struct Scratch {
    event: FieldSet,
    /// `%(spans)s` of the last event inside spans (read only for such an event).
    spans: String,
    /// The span fields of the last event inside spans (read only for such an event).
    span_values: FieldSet,
    extras: Vec<(&'static str, Value<'static>)>,
    #[cfg(feature = "otlp")]
    trace: crate::trace_context::TraceIds,
}

impl Scratch {
    /// Empty buffers, made without allocating (a constant thread-local needs no lazy start).
    const fn new() -> Scratch {
        Scratch {
            event: FieldSet::new(),
            spans: String::new(),
            span_values: FieldSet::new(),
            extras: Vec::new(),
            #[cfg(feature = "otlp")]
            trace: crate::trace_context::TraceIds::new(),
        }
    }
}

/// Reuses a vector's allocation for another lifetime of its (cleared) contents.
fn recycle<'a, 'b>(mut v: Vec<(&'a str, Value<'a>)>) -> Vec<(&'b str, Value<'b>)> {
    v.clear();
    v.into_iter()
        .map(|_| unreachable!("the vector is empty"))
        .collect()
}

/// Fills the span buffers for an event inside spans (`scope`): `outer{a=1}:inner{b=2}` from the
/// root, and the span fields as extras, innermost first (the first entry of a name wins), copied
/// so no span stays locked; returns `funcName` (see [`enclosing_function`]). Out of line, so that
/// an event outside spans does not pay for this code's registers.
#[inline(never)]
fn span_context<S>(
    scope: Scope<'_, S>,
    ctx: &Context<'_, S>,
    event: &Event<'_>,
    meta: &Metadata<'_>,
    scratch: &mut Scratch,
) -> Option<&'static str>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    scratch.spans.clear();
    scratch.span_values.clear();
    for span in scope.from_root() {
        if !scratch.spans.is_empty() {
            scratch.spans.push(':');
        }
        scratch.spans.push_str(span.name());
        if let Some(span_fields) = span.extensions().get::<SpanFields>()
            && !span_fields.rendered.is_empty()
        {
            scratch.spans.push('{');
            scratch.spans.push_str(&span_fields.rendered);
            scratch.spans.push('}');
        }
    }
    // The same spans again, innermost first (a scope is walked once).
    let mut func_name = None;
    for (depth, span) in event_scope(ctx, event).into_iter().flatten().enumerate() {
        if depth == 0 {
            func_name = enclosing_function(span.metadata(), meta);
        }
        if let Some(span_fields) = span.extensions().get::<SpanFields>() {
            scratch.span_values.copy_fields_from(&span_fields.fields);
        }
    }
    func_name
}

/// The event's fields, then the span fields (for an event inside spans), as extras in
/// `storage`'s allocation. Out of line: most events have no fields.
#[inline(never)]
fn field_extras<'s>(
    storage: Vec<(&'static str, Value<'static>)>,
    fields: &'s FieldSet,
    span_values: Option<&'s FieldSet>,
) -> Vec<(&'s str, Value<'s>)> {
    let mut extras = recycle(storage);
    extras.extend(
        fields
            .fields
            .iter()
            .map(|(name, stored)| (*name, stored.value(&fields.arena))),
    );
    if let Some(span_values) = span_values {
        extras.extend(
            span_values
                .fields
                .iter()
                .map(|(name, stored)| (*name, stored.value(&span_values.arena))),
        );
    }
    extras
}

impl<S> Layer<S> for PyLoggingLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_register_dispatch(&self, dispatch: &Dispatch) {
        #[cfg(feature = "otlp")]
        let _ = self.dispatch.set(dispatch.downgrade());
        let mut list = our_dispatchers().lock().unwrap_or_else(|e| e.into_inner());
        list.retain(|weak| weak.upgrade().is_some());
        list.push(dispatch.downgrade());
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        // Two pylog layers in one subscriber (two trees) share the span's fields: the first
        // stores them, and a second insert would panic in the registry.
        if extensions.get_mut::<SpanFields>().is_some() {
            return;
        }
        let mut fields = SpanFields::default();
        attrs.record(&mut fields.fields);
        fields.refresh();
        extensions.insert(fields);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(fields) = extensions.get_mut::<SpanFields>() {
            fields.record(values);
        }
    }

    fn on_enter(&self, _id: &Id, _ctx: Context<'_, S>) {
        crate::entered::enter();
    }

    fn on_exit(&self, _id: &Id, _ctx: Context<'_, S>) {
        crate::entered::exit();
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let result = SCRATCH.try_with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.handle_event(event, &ctx, &mut scratch),
            // An event logged while this thread is already handling one (a handler's own
            // dependency logging): use fresh buffers.
            Err(_) => self.handle_event(event, &ctx, &mut Scratch::default()),
        });
        if result.is_err() {
            // The thread is shutting down and its buffers are gone.
            self.handle_event(event, &ctx, &mut Scratch::default());
        }
    }
}

impl PyLoggingLayer {
    fn handle_event<S>(&self, event: &Event<'_>, ctx: &Context<'_, S>, scratch: &mut Scratch)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        // `tracing-log`'s callsites all have the target `log`: a cheap test before its own.
        let from_log = if event.metadata().target() == "log" {
            event.normalized_metadata()
        } else {
            None
        };
        match from_log {
            // A `log` record: its callsite is shared by every target, route by its real target.
            Some(meta) => {
                let route = self.routes.get(meta.target());
                self.handle_on_route(event, &meta, true, &route, ctx, scratch);
            }
            None => self.routes.with_callsite(event.metadata(), |route| {
                self.handle_on_route(event, event.metadata(), false, route, ctx, scratch);
            }),
        }
    }

    fn handle_on_route<S>(
        &self,
        event: &Event<'_>,
        meta: &Metadata<'_>,
        from_log: bool,
        route: &Route,
        ctx: &Context<'_, S>,
        scratch: &mut Scratch,
    ) where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let fields = &mut scratch.event;
        fields.clear();
        fields.skip_log_fields = from_log;
        fields.reads_levelno = true;
        event.record(fields);
        let level = fields
            .levelno
            .map_or_else(|| level_from_tracing(meta.level()), Level::new);
        let state = route.state();
        let captured = route.captured(level);
        if !state.accepts(level) && !captured {
            return;
        }

        // Span context, for an event inside spans: `%(spans)s`, the span fields and `funcName`.
        let (in_spans, func_name) = match event_scope(ctx, event) {
            Some(scope) => (true, span_context(scope, ctx, event, meta, scratch)),
            None => (false, None),
        };
        // The trace context only for records that something on their way may read it from (a
        // handler, a formatter, a filter, a test capture): looking it up is not free.
        #[cfg(feature = "otlp")]
        let traced = (state.reads_trace_context() || captured) && {
            let span = event_scope(ctx, event)
                .and_then(|mut scope| scope.next())
                .map(|span| span.id());
            scratch.trace.read(span.as_ref(), &self.dispatch)
        };
        #[cfg(not(feature = "otlp"))]
        let traced = false;

        // An event without fields outside spans (the common one) has no extras: no vector to
        // fill and give back.
        let fields = &scratch.event;
        let span_values = in_spans.then_some(&scratch.span_values);
        let has_extras = traced
            || !fields.fields.is_empty()
            || span_values.is_some_and(|values| !values.fields.is_empty());
        let mut extras = Vec::new();
        if has_extras {
            extras = field_extras(std::mem::take(&mut scratch.extras), fields, span_values);
        }

        #[cfg(feature = "otlp")]
        if traced {
            use pylog_core::otlp::mapping::{SPAN_ID_EXTRA, TRACE_ID_EXTRA, TRACE_SAMPLED_EXTRA};
            let trace = &scratch.trace;
            extras.extend([
                (TRACE_ID_EXTRA, Value::Str(&trace.trace_id)),
                (SPAN_ID_EXTRA, Value::Str(&trace.span_id)),
                (TRACE_SAMPLED_EXTRA, Value::Bool(trace.sampled)),
            ]);
        }

        let logger = route.logger();
        // The record ends with this block, before its extras are recycled (dropped in place:
        // `drop(record)` would copy it first).
        {
            let mut record = LogRecord::new(logger.name(), level, &fields.message);
            record.pathname = meta.file().unwrap_or("(unknown file)");
            record.lineno = meta.line().unwrap_or(0);
            record.module_path = meta.module_path();
            record.func_name = func_name;
            record.extras = &extras;
            record.spans = if in_spans { &scratch.spans } else { "" };
            if let Some(text) = &fields.exc_text {
                record.set_exc_text(text.clone());
            }
            logger.handle(&record);
        }
        if has_extras {
            scratch.extras = recycle(extras);
        }
    }
}
