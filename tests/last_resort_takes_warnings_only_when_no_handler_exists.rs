//! Python's `lastResort`: when a record finds no handler at all on its propagation path, a handler at
//! WARNING prints the bare message. INFO does not reach it; a `NullHandler` counts as a handler and
//! silences it; handlers that exist but refuse the record's level do not bring it back.

mod common;

use common::{capture_last_resort, stream, with_tree};
use pylog_core::{Level, Manager, NullHandler, SharedWriter};

#[test]
fn with_no_handler_anywhere_warning_and_above_go_to_the_last_resort() {
    let tree = Manager::new();
    let last_resort = capture_last_resort(&tree);

    with_tree(&tree, || {
        tracing::info!(target: "app", "info is below the root's WARNING");
        tracing::warn!(target: "app", "a warning");
        tracing::error!(target: "app::db", user = 7, "an error, message only");
        pylog::event!(target: "app", Level::CRITICAL, "critical too");
    });

    assert_eq!(
        last_resort.contents(),
        "a warning\nan error, message only\ncritical too\n"
    );
}

#[test]
fn info_does_not_reach_the_last_resort_even_when_the_logger_allows_it() {
    let tree = Manager::new();
    let last_resort = capture_last_resort(&tree);
    tree.get_logger("app").set_level(Level::DEBUG);

    with_tree(&tree, || {
        tracing::debug!(target: "app", "debug");
        tracing::info!(target: "app", "info");
        tracing::warn!(target: "app", "warning");
    });

    assert_eq!(last_resort.contents(), "warning\n");
}

#[test]
fn a_null_handler_on_the_path_suppresses_the_last_resort() {
    let tree = Manager::new();
    let last_resort = capture_last_resort(&tree);
    tree.get_logger("mylib").add_handler(NullHandler::new());

    with_tree(&tree, || {
        tracing::error!(target: "mylib::io", "swallowed by the NullHandler");
        tracing::error!(target: "app", "no handler on app's path");
    });

    assert_eq!(last_resort.contents(), "no handler on app's path\n");
}

#[test]
fn handlers_that_refuse_the_level_still_count() {
    let tree = Manager::new();
    let last_resort = capture_last_resort(&tree);
    let out = SharedWriter::new();
    tree.root()
        .add_handler(stream(&out, "%(levelname)s:%(message)s").with_level(Level::CRITICAL));

    with_tree(&tree, || {
        tracing::error!(target: "app", "below the handler's CRITICAL: nowhere");
        pylog::event!(target: "app", Level::CRITICAL, "critical");
    });

    assert_eq!(out.contents(), "CRITICAL:critical\n");
    assert_eq!(last_resort.contents(), "");
}

#[test]
fn propagate_false_without_handlers_falls_back_to_the_last_resort() {
    let tree = Manager::new();
    let last_resort = capture_last_resort(&tree);
    let out = SharedWriter::new();
    tree.root()
        .add_handler(stream(&out, "%(name)s:%(message)s"));
    tree.get_logger("app.quiet").set_propagate(false);

    with_tree(&tree, || {
        tracing::warn!(target: "app::quiet", "stops at app.quiet, which has no handler");
        tracing::warn!(target: "app", "reaches the root");
    });

    assert_eq!(out.contents(), "app:reaches the root\n");
    assert_eq!(
        last_resort.contents(),
        "stops at app.quiet, which has no handler\n"
    );
}

#[test]
fn a_handler_added_later_takes_over_from_the_last_resort() {
    let tree = Manager::new();
    let last_resort = capture_last_resort(&tree);
    let out = SharedWriter::new();

    let log = || tracing::warn!(target: "app", "same callsite");
    with_tree(&tree, log);
    tree.root().add_handler(stream(&out, "root: %(message)s"));
    with_tree(&tree, log);

    assert_eq!(last_resort.contents(), "same callsite\n");
    assert_eq!(out.contents(), "root: same callsite\n");
}
