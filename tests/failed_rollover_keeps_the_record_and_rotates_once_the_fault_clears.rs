//! A rollover that fails (here: a directory sits where `app.log.1` must go, so it cannot be
//! removed) is reported through `handle_error`, naming the path and the handler, and counted, once
//! per burst of failures (not for every record), but every record is still written to the current
//! file; once the obstacle is gone the next record rotates normally. (CPython 3.11 loses
//! such records: its `doRollover` raises before `FileHandler.emit`; keeping them is deliberate.)
//! Works as root too, unlike a permission fault.

mod files_common;

use files_common::{child_role, logger_with, logging_error_blocks, run_child};
use pylog_core::{HandlerStats, Logger, RotatingFileHandler, set_raise_exceptions};

fn stats(emitted: u64, errors: u64) -> HandlerStats {
    HandlerStats {
        emitted,
        errors,
        ..HandlerStats::default()
    }
}

fn records(range: std::ops::RangeInclusive<u32>) -> String {
    range.map(|i| format!("record {i:02}\n")).collect()
}

fn log(logger: &Logger, range: std::ops::RangeInclusive<u32>) {
    for i in range {
        logger.info(format_args!("record {i:02}"));
    }
}

#[test]
fn records_logged_while_the_rollover_fails_are_kept_and_counted_as_errors() {
    set_raise_exceptions(false);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let obstacle = dir.path().join("app.log.1");
    std::fs::create_dir(&obstacle).unwrap();
    std::fs::write(obstacle.join("keep"), "").unwrap();
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(50)
        .backup_count(1)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);

    // 10-byte lines: records 5 and 6 need a rollover, which cannot remove the app.log.1 directory.
    // The failure is reported for record 5 only: once per burst of failures.
    log(&logger, 1..=6);
    assert_eq!(handler.stats(), stats(5, 1));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), records(1..=6));

    std::fs::remove_dir_all(&obstacle).unwrap();
    log(&logger, 7..=7);
    handler.close();
    assert_eq!(handler.stats(), stats(6, 1));
    assert_eq!(std::fs::read_to_string(&obstacle).unwrap(), records(1..=6));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), records(7..=7));
}

/// The child of `the_error_says_what_failed`.
#[test]
fn child_rotates_into_a_directory() {
    if child_role().is_none() {
        return;
    }
    set_raise_exceptions(true);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("app.log.1")).unwrap();
    let handler = RotatingFileHandler::builder(dir.path().join("app.log"))
        .max_bytes(50)
        .backup_count(1)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    // Records 5, 6 and 7 each need a rollover that fails: one burst, reported and counted once,
    // and every record is written to the current file.
    log(&logger, 1..=7);
    assert_eq!(handler.stats(), stats(6, 1));
}

#[test]
fn the_error_says_what_failed() {
    if child_role().is_some() {
        return;
    }
    let output = run_child("child_rotates_into_a_directory", "rotate-into-dir", &[]);
    let blocks = logging_error_blocks(&output.stderr);
    // A rollover that fails for every record is reported once per burst.
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    // The error names the path, as CPython's `os.remove` does, and the last line the handler.
    assert!(
        blocks[0][0].starts_with("IsADirectoryError: [Errno 21] Is a directory: '")
            && blocks[0][0].ends_with("/app.log.1'"),
        "{:?}",
        blocks[0]
    );
    assert_eq!(blocks[0][2], "Message: 'record 05'");
    let last = blocks[0].last().map(String::as_str).unwrap_or("");
    assert!(
        last.starts_with("Handler: RotatingFileHandler(/") && last.ends_with("/app.log)"),
        "{:?}",
        blocks[0]
    );
}
