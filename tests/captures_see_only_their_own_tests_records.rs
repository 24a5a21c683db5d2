//! `pylog::testing::capture` works like Python's `assertLogs`, and parallel tests that log to the
//! same logger names of the global tree each see only their own records.

use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::time::Duration;

use pylog::testing::{capture, capture_in};
use pylog::{Level, Manager, SharedWriter, StreamHandler, Value};
use tracing_subscriber::prelude::*;

/// Lets two tests meet so that they log at the same time when the harness runs them in parallel
/// (it does unless told `--test-threads=1`, in which case each goes on after a short wait).
fn meet(name: &'static str) {
    static ARRIVED: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    static CHANGED: Condvar = Condvar::new();
    let mut arrived = ARRIVED.lock().unwrap();
    arrived.push(name);
    CHANGED.notify_all();
    let _ = CHANGED
        .wait_timeout_while(arrived, Duration::from_secs(2), |a| a.len() < 2)
        .unwrap();
}

fn log_the_same_names(tag: &str) {
    // A handler, so that the last resort does not print every record to stderr.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| pylog::get_logger("shared").add_handler(pylog::NullHandler::new()));
    for i in 0..200 {
        let db = pylog::get_logger("shared.db");
        db.warning(format_args!("{tag} {i}"));
        pylog::warning!(logger: pylog::get_logger("shared"), "{tag} macro {i}");
        std::thread::yield_now();
    }
}

#[test]
fn parallel_test_one_sees_only_its_records() {
    let logs = capture("shared", Level::WARNING);
    meet("one");
    log_the_same_names("one");
    let messages = logs.messages();
    assert_eq!(messages.len(), 400);
    assert!(
        messages.iter().all(|m| m.starts_with("one ")),
        "{messages:?}"
    );
}

#[test]
fn parallel_test_two_sees_only_its_records() {
    let logs = capture("shared", Level::WARNING);
    meet("two");
    log_the_same_names("two");
    let messages = logs.messages();
    assert_eq!(messages.len(), 400);
    assert!(
        messages.iter().all(|m| m.starts_with("two ")),
        "{messages:?}"
    );
}

#[test]
fn threads_logging_to_the_same_names_at_once_are_kept_apart() {
    let start = Arc::new(Barrier::new(3));
    let workers: Vec<_> = ["left", "right", "middle"]
        .into_iter()
        .map(|tag| {
            let start = start.clone();
            std::thread::spawn(move || {
                let logs = capture("shared.threads", Level::INFO);
                pylog::get_logger("shared.threads").set_propagate(false);
                start.wait();
                let logger = pylog::get_logger("shared.threads.x");
                logger.set_level(Level::INFO);
                for i in 0..100 {
                    logger.info(format_args!("{tag} {i}"));
                }
                logs.messages()
            })
        })
        .collect();
    for (worker, tag) in workers.into_iter().zip(["left", "right", "middle"]) {
        let messages = worker.join().unwrap();
        let expected: Vec<String> = (0..100).map(|i| format!("{tag} {i}")).collect();
        assert_eq!(messages, expected);
    }
}

#[test]
fn a_capture_below_the_loggers_level_takes_those_records_alone() {
    // The global tree's `capture.quiet` stays at WARNING (the root's); its own handler must not
    // see the DEBUG and INFO records that only the capture asked for.
    let out = SharedWriter::new();
    let quiet = pylog::get_logger("capture.quiet");
    quiet.add_handler(StreamHandler::writer(out.clone()));
    let subscriber = tracing_subscriber::registry().with(pylog::layer());
    let logs = capture("capture", Level::DEBUG);
    tracing::subscriber::with_default(subscriber, || {
        tracing::debug!(target: "capture::quiet", user = 7, "through tracing");
        pylog::info!(logger: &quiet, "through the direct API");
        tracing::warn!(target: "capture::quiet", "everyone");
        tracing::trace!(target: "capture::quiet", "below the capture");
        tracing::error!(target: "elsewhere", "another subtree");
    });
    assert_eq!(
        logs.output(),
        [
            "DEBUG:capture.quiet:through tracing",
            "INFO:capture.quiet:through the direct API",
            "WARNING:capture.quiet:everyone",
        ]
    );
    let records = logs.records();
    assert_eq!(records[0].level, Level::DEBUG);
    assert_eq!(records[0].name(), "capture.quiet");
    assert_eq!(records[0].msg(), "through tracing");
    assert_eq!(records[0].extra("user"), Some(Value::Int(7)));
    assert_eq!(out.contents(), "everyone\n");
    drop(logs);

    // Once the capture is gone, the logger's level applies again.
    assert!(!quiet.is_enabled_for(Level::DEBUG));
    let again = capture("capture", Level::DEBUG);
    assert!(again.is_empty());
}

#[test]
fn a_capture_begun_after_the_level_was_cached_still_lowers_it() {
    let tree = Manager::new();
    tree.root().add_handler(pylog::NullHandler::new());
    let app = tree.get_logger("app");
    app.set_level(Level::WARNING);
    // The second answer comes from the logger's cached level.
    assert!(!app.is_enabled_for(Level::DEBUG));
    assert!(!app.is_enabled_for(Level::DEBUG));
    let logs = capture_in(&tree, "app", Level::DEBUG);
    assert!(app.is_enabled_for(Level::DEBUG));
    app.debug("seen by the capture");
    assert_eq!(logs.messages(), ["seen by the capture"]);
    drop(logs);
    assert!(!app.is_enabled_for(Level::DEBUG));
    assert!(!app.is_enabled_for(Level::DEBUG));
}

#[test]
fn an_own_tree_is_captured_from_every_thread() {
    let tree = Manager::new();
    tree.root().add_handler(pylog::NullHandler::new());
    let logs = capture_in(&tree, "app", Level::INFO);
    let app = tree.get_logger("app.worker");
    std::thread::scope(|scope| {
        scope.spawn(|| app.info("from a spawned thread"));
    });
    app.warning("from the test's thread");
    tree.get_logger("other").error("not in the subtree");
    app.debug("below the capture");
    assert_eq!(
        logs.messages(),
        ["from a spawned thread", "from the test's thread"]
    );
    logs.clear();
    assert!(logs.is_empty());
}

#[test]
fn a_capture_on_the_root_sees_the_whole_tree_and_the_loggers_filters_still_apply() {
    let tree = Manager::new();
    let logs = capture_in(&tree, "root", Level::WARNING);
    let app = tree.get_logger("app");
    app.add_filter(|r: &pylog::LogRecord<'_>| !r.msg.contains("secret"));
    app.warning("kept");
    app.warning("secret");
    tree.root().error("on the root");
    assert_eq!(
        logs.output(),
        ["WARNING:app:kept", "ERROR:root:on the root"]
    );
}

#[test]
fn a_spawned_thread_is_captured_once_it_joins_the_capture() {
    let logs = capture("shared.spawned", Level::WARNING);
    pylog::get_logger("shared.spawned").set_propagate(false);
    pylog::get_logger("shared.spawned").add_handler(pylog::NullHandler::new());
    std::thread::scope(|scope| {
        scope.spawn(|| pylog::get_logger("shared.spawned").warning("not included"));
    });
    std::thread::scope(|scope| {
        scope.spawn(|| {
            logs.include_current_thread();
            pylog::get_logger("shared.spawned").warning("included");
        });
    });
    assert_eq!(logs.messages(), ["included"]);
}
