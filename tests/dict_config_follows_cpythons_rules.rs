//! dictConfig's rules, checked on a tree of our own: which existing loggers are disabled or reset,
//! incremental documents, memory targets, `cfg://`, factories, closing the old handlers, atomic
//! failure, and `PYLOG_LEVEL`.

use std::sync::{Arc, Mutex};

use pylog::config::{Config, Configurator};
use pylog::{Level, Manager, SharedWriter};

fn apply(tree: &Manager, out: &SharedWriter, json: &str) -> Result<(), pylog::config::ConfigError> {
    Configurator::for_manager(tree)
        .env_overrides(false)
        .ext_writer("test.out", out.clone())
        .dict_config(&Config::from_json(json)?)
}

const CONSOLE: &str = r#""handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://test.out",
    "formatter": "f"}}, "formatters": {"f": {"format": "%(name)s:%(levelname)s:%(message)s"}}"#;

#[test]
fn existing_loggers_are_disabled_unless_named_or_below_a_named_one() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let (old, child, unrelated) = (
        tree.get_logger("app.db"),
        tree.get_logger("app.db.pool"),
        tree.get_logger("other"),
    );
    child.set_level(Level::CRITICAL);
    child.set_propagate(false);
    let json = format!(
        r#"{{"version": 1, {CONSOLE}, "loggers": {{"app.db": {{"level": "INFO"}}}},
            "root": {{"level": "DEBUG", "handlers": ["console"]}}}}"#
    );
    apply(&tree, &out, &json).unwrap();
    assert!(!old.disabled());
    assert!(
        !child.disabled(),
        "a child of a named logger is reset, not disabled"
    );
    assert_eq!(child.level(), Level::NOTSET);
    assert!(child.propagate());
    assert!(unrelated.disabled());
    unrelated.error("dropped");
    child.info("kept");
    assert_eq!(out.contents(), "app.db.pool:INFO:kept\n");

    // disable_existing_loggers: false re-enables, as CPython assigns the flag.
    let json = format!(
        r#"{{"version": 1, "disable_existing_loggers": false, {CONSOLE}, "root": {{"handlers": ["console"]}}}}"#
    );
    apply(&tree, &out, &json).unwrap();
    assert!(!unrelated.disabled());
}

#[test]
fn placeholders_count_as_existing_and_prefixes_are_not_parents() {
    // `app.web` makes `app` a placeholder, which CPython's `loggerDict` lists: naming `app`
    // protects `app.web`. `zz` is not below `z` (a dotted prefix is needed), so it is disabled.
    let tree = Manager::new();
    let out = SharedWriter::new();
    let web = tree.get_logger("app.web");
    let zz = tree.get_logger("zz");
    let json = format!(
        r#"{{"version": 1, {CONSOLE}, "loggers": {{"app": {{"handlers": ["console"]}}, "z": {{}}}}}}"#
    );
    apply(&tree, &out, &json).unwrap();
    assert!(!web.disabled());
    assert!(zz.disabled());
}

#[test]
fn incremental_changes_levels_only_and_needs_known_handlers() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let json = format!(
        r#"{{"version": 1, {CONSOLE}, "root": {{"level": "INFO", "handlers": ["console"]}}}}"#
    );
    apply(&tree, &out, &json).unwrap();
    let handler = tree.configured_handler("console").unwrap();
    apply(
        &tree,
        &out,
        r#"{"version": 1, "incremental": true, "handlers": {"console": {"level": "ERROR"}},
            "root": {"level": "DEBUG", "handlers": []}}"#,
    )
    .unwrap();
    assert_eq!(handler.level(), Level::ERROR);
    assert_eq!(tree.root().level(), Level::DEBUG);
    assert_eq!(
        tree.root().handlers(),
        vec![handler.clone()],
        "handlers untouched"
    );
    let err = apply(
        &tree,
        &out,
        r#"{"version": 1, "incremental": true, "handlers": {"q": {"level": "ERROR"}}}"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "No handler found with name 'q' (at handlers.q)"
    );
}

#[test]
fn memory_handlers_reach_targets_built_after_them_and_flush_when_replaced() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let json = r#"{"version": 1,
        "formatters": {"f": {"format": "%(levelname)s %(message)s"}},
        "handlers": {
            "a_memory": {"class": "logging.handlers.MemoryHandler", "capacity": 10, "target": "z_console"},
            "z_console": {"class": "logging.StreamHandler", "stream": "ext://test.out", "formatter": "f"}},
        "root": {"level": "INFO", "handlers": ["a_memory"]}}"#;
    apply(&tree, &out, json).unwrap();
    tree.root().info("buffered");
    assert_eq!(out.contents(), "");
    tree.root().error("flushes");
    assert_eq!(out.contents(), "INFO buffered\nERROR flushes\n");
    tree.root().info("held until replaced");
    apply(&tree, &out, r#"{"version": 1, "root": {"handlers": []}}"#).unwrap();
    assert_eq!(
        out.contents(),
        "INFO buffered\nERROR flushes\nINFO held until replaced\n",
        "closing the old memory handler flushed it into its target"
    );
}

#[test]
fn cfg_references_and_stream_terminators_work_as_in_cpython() {
    // The reference's own example: prints `INFO/cfg ok!`.
    let tree = Manager::new();
    let out = SharedWriter::new();
    let json = r#"{"version": 1, "x": {"y": [0, {"z": "ext://test.out"}]},
        "formatters": {"f": {"format": "%(levelname)s/%(message)s"}},
        "handlers": {"h": {"class": "logging.StreamHandler", "stream": "cfg://x.y[1].z",
                           "formatter": "f", ".": {"terminator": "!\n"}}},
        "root": {"level": "INFO", "handlers": ["h"]}}"#;
    apply(&tree, &out, json).unwrap();
    tree.root().info("cfg ok");
    assert_eq!(out.contents(), "INFO/cfg ok!\n");
}

#[test]
fn factories_build_filters_and_formatters_by_name() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let json = r#"{"version": 1,
        "filters": {"only_db": {"()": "myapp.Prefix", "prefix": "db"}},
        "formatters": {"upper": {"()": "myapp.Upper", "format": "%(message)s"}},
        "handlers": {"h": {"class": "logging.StreamHandler", "stream": "ext://test.out",
                           "formatter": "upper", "filters": ["only_db"]}},
        "root": {"level": "INFO", "handlers": ["h"]}}"#;
    Configurator::for_manager(&tree)
        .env_overrides(false)
        .ext_writer("test.out", out.clone())
        .filter_factory("myapp.Prefix", move |args| {
            let prefix = args.string("prefix")?.unwrap_or_default();
            log.lock().unwrap().push(prefix.clone());
            Ok(Arc::new(move |r: &pylog::LogRecord<'_>| {
                r.msg.to_string().starts_with(&prefix)
            }))
        })
        .formatter_factory("myapp.Upper", |args| {
            let format = args.string("format")?.unwrap_or_default();
            Ok(pylog::Formatter::new(
                &format.replace("message", "levelname)s %(message"),
            )?)
        })
        .dict_config(&Config::from_json(json).unwrap())
        .unwrap();
    tree.root().info("web: skipped");
    tree.root().info("db: kept");
    assert_eq!(out.contents(), "INFO db: kept\n");
    assert_eq!(*seen.lock().unwrap(), vec!["db".to_owned()]);
}

#[test]
fn a_failing_document_leaves_the_running_configuration_untouched() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let json = format!(
        r#"{{"version": 1, {CONSOLE}, "root": {{"level": "INFO", "handlers": ["console"]}}}}"#
    );
    apply(&tree, &out, &json).unwrap();
    let before = tree.root().handlers();
    let bad = format!(
        r#"{{"version": 1, {CONSOLE}, "loggers": {{"app": {{"level": "DEBUG"}}}},
            "root": {{"level": "DEBUG", "handlers": ["console", "missing"]}}}}"#
    );
    let err = apply(&tree, &out, &bad).unwrap_err();
    assert_eq!(err.python_message(), "Unable to configure root logger");
    assert_eq!(tree.root().handlers(), before);
    assert_eq!(tree.root().level(), Level::INFO);
    assert!(
        tree.find_logger("app")
            .is_none_or(|l| l.level() == Level::NOTSET)
    );
    tree.get_logger("x").info("still logging");
    assert_eq!(out.contents(), "x:INFO:still logging\n");
}

#[test]
fn replaced_file_handlers_are_closed_and_their_records_kept() {
    let dir = tempfile::tempdir().unwrap();
    let tree = Manager::new();
    let out = SharedWriter::new();
    let file = dir.path().join("app.log");
    let json = format!(
        r#"{{"version": 1, "handlers": {{"file": {{"class": "logging.FileHandler", "filename": {:?}}}}},
            "root": {{"level": "INFO", "handlers": ["file"]}}}}"#,
        file.display().to_string()
    );
    apply(&tree, &out, &json).unwrap();
    let old = tree.configured_handler("file").unwrap();
    tree.root().info("one");
    // A document that leaves the root alone leaves its handler attached and open (CPython closes
    // it and lets it reopen on the next record).
    apply(&tree, &out, r#"{"version": 1}"#).unwrap();
    assert_eq!(tree.root().handlers(), vec![old.clone()]);
    tree.root().info("two");
    apply(&tree, &out, r#"{"version": 1, "root": {"handlers": []}}"#).unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "one\ntwo\n");
    assert!(tree.root().handlers().is_empty());
    assert!(tree.configured_handlers().is_empty());
}

#[test]
fn a_queue_handler_entry_feeds_the_handlers_it_names_from_its_own_thread() {
    // Python 3.12's shape: the queue handler's `handlers` are built first and fed by its listener.
    let tree = Manager::new();
    let out = SharedWriter::new();
    let json = format!(
        r#"{{"version": 1, {CONSOLE_AND_QUEUE}, "root": {{"level": "DEBUG", "handlers": ["queue"]}}}}"#,
        CONSOLE_AND_QUEUE = r#""formatters": {"f": {"format": "%(name)s:%(levelname)s:%(message)s"}},
            "handlers": {
                "console": {"class": "logging.StreamHandler", "stream": "ext://test.out", "formatter": "f"},
                "queue": {"class": "logging.handlers.QueueHandler", "handlers": ["console"],
                          "level": "INFO", "respect_handler_level": true}}"#
    );
    apply(&tree, &out, &json).unwrap();
    let queue = tree.configured_handler("queue").unwrap();
    assert_eq!(queue.level(), Level::INFO);
    tree.get_logger("app").debug("below the queue's level");
    tree.get_logger("app").info("through the queue");
    queue.flush();
    assert_eq!(out.contents(), "app:INFO:through the queue\n");
    let err = apply(
        &tree,
        &out,
        r#"{"version": 1, "handlers": {"queue": {"class": "logging.handlers.QueueHandler", "handlers": ["nope"]}}}"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Unable to configure handler 'queue': Unable to add handler 'nope': handlers[0]: expected the name of a handler under 'handlers', got 'nope' (at handlers.queue.handlers[0])"
    );
}

#[test]
fn a_queue_handler_takes_a_byte_bound_and_a_huge_maxsize() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let queue = |extra: &str| {
        format!(
            r#"{{"version": 1, "handlers": {{"console": {{"class": "logging.StreamHandler",
            "stream": "ext://test.out"}}, "queue": {{"class": "logging.handlers.QueueHandler",
            "handlers": ["console"], {extra}}}}},
            "loggers": {{"app": {{"level": "INFO", "handlers": ["queue"], "propagate": false}}}}}}"#
        )
    };
    apply(
        &tree,
        &out,
        &queue(r#""maxsize": 1000000000, "max_queue_bytes": 1048576"#),
    )
    .expect("a billion places and a byte bound are accepted");
    let logger = tree.get_logger("app");
    logger.info("through the queue");
    for handler in logger.handlers() {
        handler.flush();
    }
    assert_eq!(out.contents(), "through the queue\n");

    let error = apply(&tree, &out, &queue(r#""max_queue_bytes": -1"#)).unwrap_err();
    assert_eq!(error.path(), Some("handlers.queue.max_queue_bytes"));
    logger.info("the old queue still runs");
    for handler in logger.handlers() {
        handler.flush();
    }
    assert!(out.contents().ends_with("the old queue still runs\n"));
}
