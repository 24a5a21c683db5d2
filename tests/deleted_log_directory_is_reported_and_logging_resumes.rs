//! The log directory removed while the application runs: nothing panics, every record that cannot
//! be written is reported through `handle_error` (counted in `stats().errors`), and logging resumes
//! once the directory exists again.
//!
//! What happens while the directory is gone depends on whether the file is open, as in CPython:
//! an open file was only unlinked, and on Linux writes to it still succeed (the lines go nowhere
//! visible, and no error is reported). The error comes when the handler has to open the path:
//! after `close()`, or at a `RotatingFileHandler`'s rollover.

mod files_common;

use std::path::Path;

use files_common::{child_role, logger_with, logging_error_blocks, run_child};
use pylog_core::{FileHandler, HandlerStats, RotatingFileHandler, set_raise_exceptions};

fn stats(emitted: u64, errors: u64) -> HandlerStats {
    HandlerStats {
        emitted,
        errors,
        ..HandlerStats::default()
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn file_handler_writes_to_the_unlinked_file_then_errors_after_close_then_resumes() {
    set_raise_exceptions(false);
    let root = tempfile::tempdir().unwrap();
    let logs = root.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let path = logs.join("app.log");
    let handler = FileHandler::builder(&path).build().unwrap();
    let (_tree, logger) = logger_with(&handler);

    logger.info("before");
    assert_eq!(read(&path), "before\n");

    std::fs::remove_dir_all(&logs).unwrap();
    logger.info("into the unlinked file");
    assert_eq!(
        handler.stats(),
        stats(2, 0),
        "the open file still takes writes"
    );
    std::fs::create_dir(&logs).unwrap();
    logger.info("still into the unlinked file");
    assert_eq!(handler.stats(), stats(3, 0));
    assert!(!path.exists(), "a FileHandler never reopens an open file");

    // Closing (as an application does on SIGHUP) makes the next record open the path again.
    std::fs::remove_dir(&logs).unwrap();
    handler.close();
    logger.info("while the directory is gone");
    assert_eq!(handler.stats(), stats(3, 1));
    logger.info("still gone");
    assert_eq!(handler.stats(), stats(3, 2));

    std::fs::create_dir(&logs).unwrap();
    logger.info("after");
    assert_eq!(handler.stats(), stats(4, 2));
    assert_eq!(read(&path), "after\n");
}

#[test]
fn rotating_handler_reports_the_failed_rollover_then_resumes_and_rotates_again() {
    set_raise_exceptions(false);
    let root = tempfile::tempdir().unwrap();
    let logs = root.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let path = logs.join("app.log");
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(100)
        .backup_count(2)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    let log = |i: u32| logger.info(format_args!("record {i:02}"));

    for i in 1..=3 {
        log(i);
    }
    std::fs::remove_dir_all(&logs).unwrap();
    // 10-byte lines: records 4-9 bring the unlinked file to 90 bytes, silently.
    for i in 4..=9 {
        log(i);
    }
    assert_eq!(handler.stats(), stats(9, 0));
    // Record 10 would reach 100 bytes: the rollover closes the file and cannot reopen the path.
    log(10);
    assert_eq!(handler.stats(), stats(9, 1));
    log(11);
    assert_eq!(handler.stats(), stats(9, 2));

    std::fs::create_dir(&logs).unwrap();
    for i in 12..=21 {
        log(i);
    }
    assert_eq!(handler.stats(), stats(19, 2));
    handler.close();
    let records = |range: std::ops::RangeInclusive<u32>| -> String {
        range.map(|i| format!("record {i:02}\n")).collect()
    };
    // Logging resumed in a new file, which rotated as usual.
    assert_eq!(read(&logs.join("app.log.1")), records(12..=20));
    assert_eq!(read(&path), records(21..=21));
    assert!(!logs.join("app.log.2").exists());
}

/// The child of `the_error_names_the_missing_file_like_python`: a delayed file handler whose
/// directory does not exist, with Python's error output on.
#[test]
fn child_logs_into_a_missing_directory() {
    if child_role().is_none() {
        return;
    }
    set_raise_exceptions(true);
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("gone").join("app.log");
    let handler = FileHandler::builder(&path).delay(true).build().unwrap();
    let (_tree, logger) = logger_with(&handler);
    logger.error("first");
    logger.error("second");
    assert_eq!(handler.stats(), stats(0, 2));
    // A record delivered ends the burst: the next failure is reported again.
    std::fs::create_dir(root.path().join("gone")).unwrap();
    logger.error("third");
    handler.close();
    std::fs::remove_dir_all(root.path().join("gone")).unwrap();
    logger.error("fourth");
    assert_eq!(handler.stats(), stats(1, 3));
}

#[test]
fn the_error_names_the_missing_file_like_python() {
    if child_role().is_some() {
        return;
    }
    let output = run_child("child_logs_into_a_missing_directory", "missing-dir", &[]);
    let blocks = logging_error_blocks(&output.stderr);
    // The same failure on consecutive records is reported once per burst; a record delivered
    // between two failures starts a new burst.
    assert_eq!(blocks.len(), 2, "one error block per burst: {blocks:?}");
    for (block, message) in blocks.iter().zip(["first", "fourth"]) {
        assert_eq!(block.len(), 5, "{block:?}");
        // CPython: FileNotFoundError: [Errno 2] No such file or directory: '/…/app.log'
        assert!(
            block[0].starts_with("FileNotFoundError: [Errno 2] No such file or directory: '")
                && block[0].ends_with("app.log'"),
            "{block:?}"
        );
        assert!(
            block[1].starts_with(
                "Logged from file deleted_log_directory_is_reported_and_logging_resumes.rs, line "
            ),
            "{block:?}"
        );
        assert_eq!(block[2], format!("Message: '{message}'"));
        assert_eq!(block[3], "Arguments: ()");
        // One line more than CPython's block: the handler and its file.
        assert!(
            block[4].starts_with("Handler: FileHandler(/") && block[4].ends_with("/app.log)"),
            "{block:?}"
        );
    }
}
