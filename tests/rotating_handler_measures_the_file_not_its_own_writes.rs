//! `RotatingFileHandler` decides to roll over from the file's real size, as CPython's
//! `shouldRollover` does (`stream.seek(0, 2); stream.tell()`), not from what it wrote itself: a file
//! truncated by another program (logrotate's `copytruncate`) is not rotated early, and lines
//! appended by another program count toward `max_bytes`.
//!
//! The expected directories were produced by CPython 3.11 with the same steps
//! (`RotatingFileHandler(path, maxBytes=100, backupCount=2)`, records `record NN`).

mod files_common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use files_common::logger_with;
use pylog_core::RotatingFileHandler;

fn listing(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_name().into_string().unwrap(),
                std::fs::read_to_string(entry.path()).unwrap(),
            )
        })
        .collect()
}

fn records(range: std::ops::RangeInclusive<u32>) -> String {
    range.map(|i| format!("record {i:02}\n")).collect()
}

#[test]
fn a_file_truncated_by_copytruncate_is_not_rotated_early() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(100)
        .backup_count(2)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    for i in 1..=5 {
        logger.info(format_args!("record {i:02}"));
    }
    // logrotate's copytruncate: the same file, emptied in place.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(0)
        .unwrap();
    for i in 6..=14 {
        logger.info(format_args!("record {i:02}"));
    }
    handler.close();

    // 9 records of 10 bytes: 90 bytes, below 100, so no rollover (CPython 3.11 agrees).
    let expected = BTreeMap::from([("app.log".to_owned(), records(6..=14))]);
    assert_eq!(listing(dir.path()), expected);
    assert_eq!(handler.stats().errors, 0);
}

/// Another writer on the same file is what the shared mode is for: it measures the file for every
/// record, as CPython always does.
#[test]
fn lines_appended_by_another_program_count_toward_max_bytes_in_shared_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(100)
        .backup_count(2)
        .shared(true)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    let other = "other program's line 60 bytes long.........................\n";
    for i in 1..=2 {
        logger.info(format_args!("record {i:02}"));
    }
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(other.as_bytes())
        .unwrap();
    for i in 3..=5 {
        logger.info(format_args!("record {i:02}"));
    }
    handler.close();

    // 20 + 61 + 10 = 91 bytes after record 03; record 04 would make 101: it starts app.log.
    let expected = BTreeMap::from([
        ("app.log".to_owned(), records(4..=5)),
        (
            "app.log.1".to_owned(),
            format!("{}{other}{}", records(1..=2), records(3..=3)),
        ),
        ("app.log.lock".to_owned(), String::new()),
    ]);
    assert_eq!(listing(dir.path()), expected);
}
