//! `WatchedFileHandler` under logrotate: after its file is renamed or deleted, the next record
//! recreates `app.log` and earlier lines stay where they were moved. When the whole directory is
//! gone the reopen fails: the record is reported through `handle_error` (counted), nothing panics,
//! and logging resumes in a new `app.log` once the directory exists again. CPython 3.11's
//! `reopenIfNeeded` behaves the same way.

mod files_common;

use std::path::Path;

use files_common::logger_with;
use pylog_core::{HandlerStats, WatchedFileHandler, set_raise_exceptions};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn stats(emitted: u64, errors: u64) -> HandlerStats {
    HandlerStats {
        emitted,
        errors,
        ..HandlerStats::default()
    }
}

#[test]
fn renamed_then_deleted_file_is_recreated_and_old_lines_stay_in_the_renamed_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let handler = WatchedFileHandler::builder(&path).build().unwrap();
    let (_tree, logger) = logger_with(&handler);

    logger.info("one");
    logger.info("two");
    assert_eq!(read(&path), "one\ntwo\n", "same file, no reopen");

    // logrotate: app.log -> app.log.1, then the next record goes to a new app.log.
    std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
    logger.info("three");
    assert_eq!(read(&dir.path().join("app.log.1")), "one\ntwo\n");
    assert_eq!(read(&path), "three\n");

    // A second cycle shifts the numbered backups.
    std::fs::rename(dir.path().join("app.log.1"), dir.path().join("app.log.2")).unwrap();
    std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
    logger.info("four");
    assert_eq!(read(&dir.path().join("app.log.2")), "one\ntwo\n");
    assert_eq!(read(&dir.path().join("app.log.1")), "three\n");
    assert_eq!(read(&path), "four\n");

    // Deleted: recreated on the next record.
    std::fs::remove_file(&path).unwrap();
    logger.info("five");
    assert_eq!(read(&path), "five\n");

    handler.close();
    assert_eq!(handler.stats(), stats(5, 0));
}

#[test]
fn a_deleted_directory_fails_the_reopen_and_logging_resumes_when_it_is_back() {
    set_raise_exceptions(false);
    let root = tempfile::tempdir().unwrap();
    let logs = root.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let path = logs.join("app.log");
    let handler = WatchedFileHandler::builder(&path).build().unwrap();
    let (_tree, logger) = logger_with(&handler);

    logger.info("before");
    std::fs::remove_dir_all(&logs).unwrap();
    // The file is gone from its path, so the handler reopens it; the directory is missing.
    logger.info("lost 1");
    assert_eq!(handler.stats(), stats(1, 1));
    // No file is open now: the next record tries to open the path again, and fails again.
    logger.info("lost 2");
    assert_eq!(handler.stats(), stats(1, 2));

    std::fs::create_dir(&logs).unwrap();
    logger.info("after");
    logger.info("after again");
    assert_eq!(handler.stats(), stats(3, 2));
    handler.close();
    assert_eq!(read(&path), "after\nafter again\n");
}
