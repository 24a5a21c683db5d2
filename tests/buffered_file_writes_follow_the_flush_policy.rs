//! A file handler in throughput mode (`FlushPolicy::Buffered`) keeps records in memory and writes
//! them together: when `capacity` bytes wait, when a record at the flush level arrives, on
//! `flush()`, on rotation and on `close()`; by default every record is written at once.

use std::time::Duration;

use pylog::{FileHandler, FlushPolicy, Formatter, Handler, Level, Manager, RotatingFileHandler};

const HOUR: Duration = Duration::from_secs(3600);

fn logger_with(handler: &Handler) -> (Manager, pylog::Logger) {
    handler.set_formatter(Some(Formatter::new("%(message)s").expect("valid")));
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.set_level(Level::DEBUG);
    logger.add_handler(handler.clone());
    (tree, logger)
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn records_wait_until_capacity_or_the_flush_level() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("app.log");
    let handler = FileHandler::builder(&path)
        .flush_policy(FlushPolicy::Buffered {
            capacity: 28,
            level: Level::ERROR,
            interval: HOUR,
        })
        .build()
        .expect("opens");
    let (_tree, logger) = logger_with(&handler);
    logger.info("one 5678");
    logger.info("two 5678");
    assert_eq!(read(&path), "", "18 bytes wait in memory");
    logger.info("three 678");
    assert_eq!(
        read(&path),
        "one 5678\ntwo 5678\nthree 678\n",
        "28 bytes wait: capacity reached"
    );
    logger.info("four");
    assert_eq!(read(&path), "one 5678\ntwo 5678\nthree 678\n");
    logger.error("five");
    assert_eq!(
        read(&path),
        "one 5678\ntwo 5678\nthree 678\nfour\nfive\n",
        "an ERROR writes itself and everything before it"
    );
    logger.debug("six");
    handler.flush();
    assert_eq!(
        read(&path),
        "one 5678\ntwo 5678\nthree 678\nfour\nfive\nsix\n"
    );
    logger.debug("seven");
    handler.close();
    assert!(
        read(&path).ends_with("six\nseven\n"),
        "close writes what waits"
    );
}

#[test]
fn every_record_is_written_at_once_by_default() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("app.log");
    let handler = FileHandler::builder(&path).build().expect("opens");
    let (_tree, logger) = logger_with(&handler);
    logger.debug("one");
    assert_eq!(read(&path), "one\n");
}

#[test]
fn a_zero_interval_writes_every_record() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("app.log");
    let handler = FileHandler::builder(&path)
        .flush_policy(FlushPolicy::Buffered {
            capacity: 1 << 20,
            level: Level::CRITICAL,
            interval: Duration::ZERO,
        })
        .build()
        .expect("opens");
    let (_tree, logger) = logger_with(&handler);
    logger.info("one");
    assert_eq!(read(&path), "one\n");
}

#[test]
fn rotation_writes_what_waits_into_the_file_being_rotated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("app.log");
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(20)
        .backup_count(2)
        .flush_policy(FlushPolicy::Buffered {
            capacity: 1 << 20,
            level: Level::CRITICAL,
            interval: HOUR,
        })
        .build()
        .expect("opens");
    let (_tree, logger) = logger_with(&handler);
    for i in 1..=4 {
        logger.info(format_args!("record {i:02}"));
    }
    // 10-byte lines, max 20: each rollover starts a new file (CPython: one line per file here as
    // 10 + 10 >= 20); buffered lines land in the file they belong to.
    handler.close();
    assert_eq!(read(&path), "record 04\n");
    assert_eq!(read(&dir.path().join("app.log.1")), "record 03\n");
    assert_eq!(read(&dir.path().join("app.log.2")), "record 02\n");
}

/// The interval is measured with the records' own `created` times (the clock is read once per
/// record): a record created an interval after the last write writes, without anyone sleeping.
#[test]
fn the_interval_is_measured_with_the_records_created_times() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("app.log");
    let handler = FileHandler::builder(&path)
        .flush_policy(FlushPolicy::Buffered {
            capacity: 1 << 20,
            level: Level::CRITICAL,
            interval: HOUR,
        })
        .build()
        .expect("opens");
    handler.set_formatter(Some(Formatter::new("%(message)s").expect("valid")));
    let mut first = pylog::LogRecord::new("app", Level::INFO, "first");
    let start = first.created;
    handler.handle(&first);
    first.msg = "a minute later";
    first.created = start + 60.0;
    handler.handle(&first);
    first.msg = "a little earlier, from another thread";
    first.created = start - 0.001;
    handler.handle(&first);
    assert_eq!(read(&path), "", "within the interval, records wait");
    first.msg = "an hour later";
    first.created = start + 3600.5;
    handler.handle(&first);
    assert_eq!(
        read(&path),
        "first\na minute later\na little earlier, from another thread\nan hour later\n",
        "a record an interval after the last write writes everything"
    );
    first.msg = "soon after";
    first.created = start + 3601.0;
    handler.handle(&first);
    assert!(
        read(&path).ends_with("an hour later\n"),
        "the interval restarts"
    );
    first.msg = "clock set back by a day";
    first.created = start - 86_400.0;
    handler.handle(&first);
    assert!(
        read(&path).ends_with("soon after\nclock set back by a day\n"),
        "a clock set back by more than an interval writes"
    );
}
