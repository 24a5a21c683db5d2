//! A `tracing-subscriber` layer that routes `tracing` events through pylog's logger tree, so
//! each handler applies its own level, filters and formatter, as in Python's `logging`.
//!
//! - The target `app::db` is the logger `app.db`.
//! - Levels: TRACE 5, DEBUG 10, INFO 20, WARN 30, ERROR 40. A `levelno` field sets any other level:
//!   `tracing::error!(levelno = 50, "disk full")` is CRITICAL.
//! - Fields other than `message` are extras, usable in formats: `%(user)s`. A field recorded as an
//!   error (`error = &e as &dyn std::error::Error`) also fills `exc_text` with its source chain.
//! - The enclosing spans are `%(spans)s` (`outer{a=1}:inner{b=2}`, strings quoted as tracing's fmt
//!   shows them), and their fields are extras too (the event's own fields win, then the innermost
//!   span's). `span.record(..)` replaces a field's value. Spans are kept whatever their target,
//!   since they are context for events on any logger; only the layer's `max_level_hint` (the
//!   loosest level the tree could output) limits them.
//! - `%(funcName)s` is the innermost span's name when that span was created in the event's own
//!   module and is named like a function: inside an `#[instrument]` function, that function.
//!   Otherwise it is `None` (an event outside any span, or inside a span from another module).
//! - `log` records arriving through `tracing-log` keep their real target, file and line; their
//!   `log.*` fields are not extras.
//! - Callsites that no handler can accept get `Interest::never()` from the layer's own per-layer
//!   filter, so they cost nothing and other layers (fmt, EnvFilter) still see their events. Any
//!   change of levels or handlers rebuilds the interest cache.
//! - Deciding about a callsite creates no logger (every subscriber of the process is asked about
//!   every callsite): a target without a logger is judged as a fresh logger under its nearest
//!   existing ancestor would be, and the logger is created when a record is first handled on it.
//! - Feature `otlp`: inside a span that `tracing-opentelemetry` tracks (or an active OpenTelemetry
//!   `Context`), a record carries the span's ids as the extras `otelTraceID`, `otelSpanID` and
//!   `otelTraceSampled`, which `OtlpHandler` sends as its trace context and formats read by name.
//!
//! ```
//! use pylog_core::{Formatter, Level, Manager, SharedWriter, StreamHandler};
//! use tracing_subscriber::prelude::*;
//!
//! let tree = Manager::new();
//! let out = SharedWriter::new();
//! tree.get_logger("app").add_handler(
//!     StreamHandler::writer(out.clone())
//!         .with_formatter(Formatter::new("%(levelname)s %(name)s %(user)s: %(message)s").unwrap()),
//! );
//! let subscriber = tracing_subscriber::registry().with(tracing_pylog::layer_for(tree));
//! tracing::subscriber::with_default(subscriber, || {
//!     tracing::warn!(target: "app::db", user = 7, "slow query");
//! });
//! assert_eq!(out.contents(), "WARNING app.db 7: slow query\n");
//! ```

#![doc = ""]
#![doc = include_str!("../docs/composing-with-tracing-subscriber.md")]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod entered;
mod fields;
mod layer;
mod routes;
mod spans;
#[cfg(feature = "otlp")]
mod trace_context;

pub use fields::LEVELNO_FIELD;
pub use layer::{PyLoggingLayer, TreeFilter, level_from_tracing};
#[cfg(feature = "otlp")]
#[doc(hidden)]
pub use trace_context::reads_on_this_thread as trace_context_reads_on_this_thread;

use pylog_core::Manager;
use tracing_core::Subscriber;
use tracing_subscriber::filter::Filtered;
use tracing_subscriber::registry::LookupSpan;

/// The layer over the global logger tree (the one `pylog::get_logger` uses).
///
/// Every handler is shut down at exit (queues drained, files flushed) when `main` returns, on
/// `std::process::exit` and after a panic; add `pylog_core::log_panics()` to also log panics at
/// CRITICAL, as `pylog::install()` does.
pub fn layer<S>() -> Filtered<PyLoggingLayer, TreeFilter, S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    PyLoggingLayer::filtered(pylog_core::global().clone())
}

/// The layer over a given logger tree (for tests, or for several independent trees). Like
/// [`layer`], it makes sure every handler is shut down at exit.
pub fn layer_for<S>(manager: Manager) -> Filtered<PyLoggingLayer, TreeFilter, S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    PyLoggingLayer::filtered(manager)
}
