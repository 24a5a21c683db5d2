//! Levels beyond tracing's five reach the tree: `pylog::event!` with `Level::CRITICAL` or any
//! number, or a `levelno` field on a plain `tracing` event. Registered names print by name,
//! unregistered numbers as `Level N`, as Python's `getLevelName`.

mod common;

use common::{stream, with_tree};
use pylog_core::{Level, Manager, SharedWriter};

fn tree_at(level: Level) -> (Manager, SharedWriter) {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let app = tree.get_logger("app");
    app.set_level(level);
    app.add_handler(stream(
        &out,
        "%(levelname)s(%(levelno)d):%(name)s:%(message)s",
    ));
    (tree, out)
}

#[test]
fn tracing_levels_map_to_pythons_numbers() {
    let (tree, out) = tree_at(Level::TRACE);

    with_tree(&tree, || {
        tracing::trace!(target: "app", "t");
        tracing::debug!(target: "app", "d");
        tracing::info!(target: "app", "i");
        tracing::warn!(target: "app", "w");
        tracing::error!(target: "app", "e");
    });

    assert_eq!(
        out.contents(),
        "TRACE(5):app:t\nDEBUG(10):app:d\nINFO(20):app:i\nWARNING(30):app:w\nERROR(40):app:e\n"
    );
}

#[test]
fn critical_through_the_facade_macro_and_through_a_levelno_field() {
    let (tree, out) = tree_at(Level::WARNING);
    let logs = pylog::testing::capture_in(&tree, "app", Level::CRITICAL);

    with_tree(&tree, || {
        pylog::event!(target: "app", Level::CRITICAL, "disk {}", "full");
        tracing::error!(target: "app", levelno = 50, "levelno field");
        tracing::error!(target: "app::db", levelno = 50u64, user = 7, "unsigned levelno, extras kept");
        tracing::error!(target: "app", "plain error: below the capture");
    });

    assert_eq!(
        logs.output(),
        [
            "CRITICAL:app:disk full",
            "CRITICAL:app:levelno field",
            "CRITICAL:app.db:unsigned levelno, extras kept",
        ]
    );
    let records = logs.records();
    assert!(records.iter().all(|r| r.level == Level::CRITICAL));
    assert_eq!(records[2].extra("user"), Some(pylog::Value::Int(7)));
    assert_eq!(records[2].extra("levelno"), None);
    assert_eq!(
        out.contents(),
        "CRITICAL(50):app:disk full\nCRITICAL(50):app:levelno field\nCRITICAL(50):app.db:unsigned levelno, extras kept\nERROR(40):app:plain error: below the capture\n"
    );
}

#[test]
fn the_levelno_field_is_not_an_extra() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let seen = common::SeenExtras::default();
    tree.root()
        .add_handler(stream(&out, "%(levelname)s").with_filter(seen.filter()));

    with_tree(
        &tree,
        || tracing::error!(target: "app", levelno = 50, user = 1, "x"),
    );

    assert_eq!(out.contents(), "CRITICAL\n");
    assert_eq!(seen.records(), vec![vec!["user=Int(1)".to_owned()]]);
}

#[test]
fn a_logger_at_critical_drops_error_but_keeps_critical() {
    let (tree, out) = tree_at(Level::CRITICAL);

    let log_both = || {
        tracing::error!(target: "app", "plain error: dropped");
        tracing::error!(target: "app", levelno = 50, "levelno 50: kept");
        pylog::event!(target: "app", Level::ERROR, "facade ERROR: dropped");
        pylog::event!(target: "app", Level::new(45), "45: dropped");
        pylog::event!(target: "app", Level::new(55), "55: kept");
    };
    with_tree(&tree, log_both);

    assert_eq!(
        out.contents(),
        "CRITICAL(50):app:levelno 50: kept\nLevel 55(55):app:55: kept\n"
    );
}

#[test]
fn a_custom_level_prints_its_registered_name_or_level_n() {
    // Level 33 is used by no other test of this binary: the name registry is process-wide.
    let (tree, out) = tree_at(Level::DEBUG);
    let log = || pylog::event!(target: "app", Level::new(33), "custom");

    with_tree(&tree, log);
    pylog_core::add_level_name(Level::new(33), "NOTICE");
    with_tree(&tree, log);
    with_tree(
        &tree,
        || tracing::warn!(target: "app", levelno = 33, "through a field"),
    );

    assert_eq!(
        out.contents(),
        "Level 33(33):app:custom\nNOTICE(33):app:custom\nNOTICE(33):app:through a field\n"
    );
}

#[test]
fn handler_levels_compare_the_exact_number() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let app = tree.get_logger("app");
    app.set_level(Level::DEBUG);
    app.add_handler(stream(&out, "%(levelno)d:%(message)s").with_level(Level::new(35)));

    with_tree(&tree, || {
        tracing::warn!(target: "app", "30: below the handler");
        pylog::event!(target: "app", Level::new(34), "34: below the handler");
        pylog::event!(target: "app", Level::new(35), "35: taken");
        tracing::warn!(target: "app", levelno = 36, "36: taken");
    });

    assert_eq!(out.contents(), "35:35: taken\n36:36: taken\n");
}
