//! Each composition the guide "Composing with tracing-subscriber" (and the README's "With your own
//! subscriber") shows, checked for which handler and which fmt layer receive what: a global
//! `EnvFilter` (which caps the tree), `EnvFilter` as fmt's per-layer filter (the recommended
//! form), pylog's own per-layer filter, and two trees side by side.

mod common;

use common::stream;
use pylog_core::{Level, Manager, SharedWriter};
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::prelude::*;

/// A tree whose `app` logger is at DEBUG with one DEBUG handler showing the spans.
fn debug_tree() -> (Manager, SharedWriter) {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let app = tree.get_logger("app");
    app.set_level(Level::DEBUG);
    app.add_handler(stream(
        &out,
        "%(levelname)s %(name)s [%(spans)s] %(message)s",
    ));
    (tree, out)
}

/// An fmt layer writing plain lines into a buffer.
fn fmt_layer<S>(out: &SharedWriter) -> impl tracing_subscriber::Layer<S> + Send + Sync + 'static
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    let out = out.clone();
    tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_target(false)
        .with_writer(move || out.clone())
}

/// What every composition logs: a debug span around a debug and a warning event.
fn log_a_request() {
    let span = tracing::debug_span!(target: "app::http", "request", id = 7);
    let _entered = span.enter();
    tracing::debug!(target: "app::db", "query planned");
    tracing::warn!(target: "app::db", "query slow");
}

#[test]
fn a_global_env_filter_caps_every_handler_and_hides_spans() {
    let (tree, py) = debug_tree();
    let fmt = SharedWriter::new();
    let subscriber = tracing_subscriber::registry()
        .with(EnvFilter::new("warn"))
        .with(fmt_layer(&fmt))
        .with(pylog::layer_for(tree));
    tracing::subscriber::with_default(subscriber, log_a_request);

    // The DEBUG handler got no DEBUG record, and the debug span is gone from %(spans)s.
    assert_eq!(py.contents(), "WARNING app.db [] query slow\n");
    assert_eq!(fmt.contents(), " WARN query slow\n");
}

#[test]
fn env_filter_on_fmt_alone_leaves_the_tree_its_own_levels() {
    let (tree, py) = debug_tree();
    let fmt = SharedWriter::new();
    let subscriber = tracing_subscriber::registry()
        .with(fmt_layer(&fmt).with_filter(EnvFilter::new("warn")))
        .with(pylog::layer_for(tree));
    tracing::subscriber::with_default(subscriber, log_a_request);

    assert_eq!(
        py.contents(),
        "DEBUG app.db [request{id=7}] query planned\nWARNING app.db [request{id=7}] query slow\n"
    );
    assert_eq!(fmt.contents(), " WARN query slow\n");
}

#[test]
fn a_per_layer_filter_on_pylog_narrows_the_tree_only() {
    let (tree, py) = debug_tree();
    let fmt = SharedWriter::new();
    // pylog sees app::db at INFO and above, and spans from app::http at DEBUG; fmt sees everything.
    let only = Targets::new()
        .with_target("app::db", tracing::Level::INFO)
        .with_target("app::http", tracing::Level::DEBUG);
    let subscriber = tracing_subscriber::registry()
        .with(fmt_layer(&fmt))
        .with(pylog::layer_for(tree).with_filter(only));
    tracing::subscriber::with_default(subscriber, log_a_request);

    assert_eq!(py.contents(), "WARNING app.db [request{id=7}] query slow\n");
    assert_eq!(
        fmt.contents(),
        "DEBUG request{id=7}: query planned\n WARN request{id=7}: query slow\n"
    );
}

#[test]
fn an_env_filter_as_pylogs_own_filter_leaves_fmt_alone() {
    let (tree, py) = debug_tree();
    let fmt = SharedWriter::new();
    let subscriber = tracing_subscriber::registry()
        .with(fmt_layer(&fmt).with_filter(EnvFilter::new("debug")))
        .with(pylog::layer_for(tree).with_filter(EnvFilter::new("app::db=warn,app::http=debug")));
    tracing::subscriber::with_default(subscriber, log_a_request);

    assert_eq!(py.contents(), "WARNING app.db [request{id=7}] query slow\n");
    assert_eq!(
        fmt.contents(),
        "DEBUG request{id=7}: query planned\n WARN request{id=7}: query slow\n"
    );
}

#[test]
fn two_trees_each_route_by_their_own_handlers() {
    let (tree, py) = debug_tree();
    let audit_tree = Manager::new();
    let audit = SharedWriter::new();
    let audit_logger = audit_tree.get_logger("app.db");
    audit_logger
        .add_handler(stream(&audit, "audit %(levelname)s %(message)s").with_level(Level::WARNING));
    let fmt = SharedWriter::new();
    let subscriber = tracing_subscriber::registry()
        .with(fmt_layer(&fmt).with_filter(EnvFilter::new("error")))
        .with(pylog::layer_for(tree))
        .with(pylog::layer_for(audit_tree));
    tracing::subscriber::with_default(subscriber, || {
        log_a_request();
        tracing::info!(target: "other", "neither tree has a handler for other");
        // Both layers see the span and its recorded field once.
        let job = tracing::info_span!(target: "app", "job", step = tracing::field::Empty);
        job.record("step", 2);
        let _entered = job.enter();
        tracing::warn!(target: "app::db", "recorded");
    });

    assert_eq!(
        py.contents(),
        "DEBUG app.db [request{id=7}] query planned\nWARNING app.db [request{id=7}] query slow\n\
         WARNING app.db [job{step=2}] recorded\n"
    );
    assert_eq!(
        audit.contents(),
        "audit WARNING query slow\naudit WARNING recorded\n"
    );
    assert_eq!(fmt.contents(), "");
}
