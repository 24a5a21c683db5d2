//! The tree's per-layer filter never disables a callsite for other layers, and other layers'
//! per-layer filters never hide events from the tree: a `tracing_subscriber::fmt` layer beside ours
//! sees what our tree refuses, and our tree sees what fmt's `LevelFilter` or `Targets` refuse.

mod common;

use common::stream;
use pylog_core::{Level, Manager, SharedWriter};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

fn tree_at(logger: &str, level: Level) -> (Manager, SharedWriter) {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let l = tree.get_logger(logger);
    l.set_level(level);
    l.add_handler(stream(&out, "py %(levelname)s %(name)s: %(message)s"));
    (tree, out)
}

/// An fmt layer writing plain lines (no time, no colours) into a buffer.
fn fmt_layer<S>(out: &SharedWriter) -> impl tracing_subscriber::Layer<S> + Send + Sync + 'static
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    let out = out.clone();
    tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_writer(move || out.clone())
}

#[test]
fn fmt_sees_what_the_tree_refuses() {
    let (tree, py) = tree_at("app", Level::ERROR);
    let fmt = SharedWriter::new();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_pylog::layer_for(tree.clone()))
        .with(fmt_layer(&fmt).with_filter(LevelFilter::INFO));

    tracing::subscriber::with_default(subscriber, || {
        tracing::debug!(target: "app", "debug: nobody");
        tracing::info!(target: "app", "info: fmt only");
        tracing::warn!(target: "app::db", "warn: fmt only");
        tracing::error!(target: "app", "error: both");
    });

    assert_eq!(py.contents(), "py ERROR app: error: both\n");
    assert_eq!(
        fmt.contents(),
        " INFO app: info: fmt only\n WARN app::db: warn: fmt only\nERROR app: error: both\n"
    );
}

#[test]
fn the_tree_sees_what_fmts_level_filter_refuses() {
    let (tree, py) = tree_at("app", Level::DEBUG);
    let fmt = SharedWriter::new();
    let subscriber = tracing_subscriber::registry()
        .with(fmt_layer(&fmt).with_filter(LevelFilter::ERROR))
        .with(tracing_pylog::layer_for(tree.clone()));

    tracing::subscriber::with_default(subscriber, || {
        tracing::trace!(target: "app", "trace: nobody");
        tracing::debug!(target: "app", "debug: tree only");
        tracing::info!(target: "app", user = 7, "info: tree only");
        tracing::error!(target: "app", "error: both");
    });

    assert_eq!(
        py.contents(),
        "py DEBUG app: debug: tree only\npy INFO app: info: tree only\npy ERROR app: error: both\n"
    );
    assert_eq!(fmt.contents(), "ERROR app: error: both\n");
}

#[test]
fn targets_on_fmt_and_the_tree_choose_independently() {
    let (tree, py) = tree_at("app", Level::ERROR);
    tree.get_logger("other")
        .add_handler(stream(&py, "py other %(levelname)s: %(message)s"));
    let fmt = SharedWriter::new();
    let targets = Targets::new()
        .with_target("app", LevelFilter::INFO)
        .with_target("app::noisy", LevelFilter::OFF);
    let subscriber = tracing_subscriber::registry()
        .with(tracing_pylog::layer_for(tree.clone()))
        .with(fmt_layer(&fmt).with_filter(targets));

    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(target: "app::db", "info on app::db: fmt only");
        tracing::error!(target: "app::noisy", "error on app::noisy: tree only");
        tracing::error!(target: "app", "error on app: both");
        tracing::warn!(target: "other", "warn on other: tree only");
        tracing::debug!(target: "app", "debug on app: nobody");
    });

    assert_eq!(
        py.contents(),
        "py ERROR app.noisy: error on app::noisy: tree only\n\
         py ERROR app: error on app: both\n\
         py other WARNING: warn on other: tree only\n"
    );
    assert_eq!(
        fmt.contents(),
        " INFO app::db: info on app::db: fmt only\nERROR app: error on app: both\n"
    );
}

#[test]
fn an_unfiltered_fmt_layer_keeps_receiving_after_the_tree_changes() {
    let (tree, py) = tree_at("app", Level::WARNING);
    let fmt = SharedWriter::new();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_pylog::layer_for(tree.clone()))
        .with(fmt_layer(&fmt));
    let event = |n: u32| tracing::info!(target: "app", n, "info");

    tracing::subscriber::with_default(subscriber, || {
        event(1);
        tree.get_logger("app").set_level(Level::INFO);
        event(2);
        tree.get_logger("app").set_level(Level::CRITICAL);
        event(3);
    });

    assert_eq!(py.contents(), "py INFO app: info\n");
    assert_eq!(
        fmt.contents(),
        " INFO app: info n=1\n INFO app: info n=2\n INFO app: info n=3\n"
    );
}

#[test]
fn both_layers_see_the_same_spans() {
    let (tree, _) = tree_at("app", Level::WARNING);
    let py = SharedWriter::new();
    tree.get_logger("app")
        .add_handler(stream(&py, "py [%(spans)s] %(message)s"));
    let fmt = SharedWriter::new();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_pylog::layer_for(tree.clone()))
        .with(fmt_layer(&fmt).with_filter(LevelFilter::WARN));

    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::warn_span!("req", id = 3);
        span.in_scope(|| tracing::warn!(target: "app", "inside"));
    });

    assert_eq!(py.contents(), "py [req{id=3}] inside\n");
    assert_eq!(fmt.contents(), " WARN req{id=3}: app: inside\n");
}

#[test]
fn an_env_filter_on_fmt_and_the_tree_choose_independently() {
    let (tree, py) = tree_at("app", Level::INFO);
    let fmt = SharedWriter::new();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_pylog::layer_for(tree.clone()))
        .with(fmt_layer(&fmt).with_filter(tracing_subscriber::EnvFilter::new("warn,other=debug")));
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(target: "app", "info on app");
        tracing::warn!(target: "app", "warning on app");
        tracing::debug!(target: "other", "debug on other");
    });
    assert_eq!(
        py.contents(),
        "py INFO app: info on app\npy WARNING app: warning on app\n"
    );
    assert_eq!(
        fmt.contents(),
        " WARN app: warning on app\nDEBUG other: debug on other\n"
    );
}
