//! Helpers shared by the integration tests: a fresh logger tree per test (never the global one, since
//! tests run in parallel), handlers that write into memory, and a subscriber made of a real
//! `tracing_subscriber::registry()` with the pylog layer over that tree.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use pylog_core::{Formatter, Handler, Level, LogRecord, Manager, SharedWriter, StreamHandler};
use std::sync::{Arc, Mutex};
use tracing_subscriber::prelude::*;

/// A stream handler writing into `out`, formatted with `format`, at level NOTSET.
pub fn stream(out: &SharedWriter, format: &str) -> Handler {
    StreamHandler::writer(out.clone()).with_formatter(Formatter::new(format).expect("valid format"))
}

/// A fresh tree and a buffer; the handler on `logger` writes `%(name)s:%(levelname)s:%(message)s`.
pub fn tree_with_handler_on(logger: &str) -> (Manager, SharedWriter) {
    let tree = Manager::new();
    let out = SharedWriter::new();
    tree.get_logger(logger)
        .add_handler(stream(&out, "%(name)s:%(levelname)s:%(message)s"));
    (tree, out)
}

/// A fresh tree whose logger `app` has one stream handler with `format`, and its buffer.
pub fn tree_with_format(format: &str) -> (Manager, SharedWriter) {
    let tree = Manager::new();
    let out = SharedWriter::new();
    tree.get_logger("app").add_handler(stream(&out, format));
    (tree, out)
}

/// Runs `f` with a subscriber made of a registry and the pylog layer over `tree`, as the
/// current thread's default.
pub fn with_tree<R>(tree: &Manager, f: impl FnOnce() -> R) -> R {
    let subscriber = tracing_subscriber::registry().with(tracing_pylog::layer_for(tree.clone()));
    tracing::subscriber::with_default(subscriber, f)
}

/// Replaces the tree's last-resort handler with one like Python's (WARNING, message only) that
/// writes into the returned buffer instead of stderr.
pub fn capture_last_resort(tree: &Manager) -> SharedWriter {
    let out = SharedWriter::new();
    tree.set_last_resort(Some(
        StreamHandler::writer(out.clone()).with_level(Level::WARNING),
    ));
    out
}

/// The extras of every record a handler with this filter sees, as `name=value` texts (the filter
/// lets everything through): the way to observe which fields became extras.
#[derive(Clone, Default)]
pub struct SeenExtras(Arc<Mutex<Vec<Vec<String>>>>);

impl SeenExtras {
    pub fn filter(&self) -> impl Fn(&LogRecord<'_>) -> bool + Send + Sync + 'static {
        let seen = self.0.clone();
        move |record: &LogRecord<'_>| {
            let extras = record
                .extras
                .iter()
                .map(|(name, value)| format!("{name}={value:?}"))
                .collect();
            seen.lock().unwrap().push(extras);
            true
        }
    }

    pub fn records(&self) -> Vec<Vec<String>> {
        self.0.lock().unwrap().clone()
    }
}
