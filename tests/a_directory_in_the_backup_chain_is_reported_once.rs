//! A directory where a backup should go (`app.log.3`) makes every rollover fail. The failure is
//! reported once (one `--- Logging error ---` block, one error in the counters), not for every
//! record; every record is still written to the current file; and once the directory is gone
//! the next rollover succeeds and a later failure is reported again.

mod files_common;

use files_common::{backup, lines, logger_with};
use pylog_core::{RotatingFileHandler, set_raise_exceptions};

/// The lines of the backups that are files, oldest first, then of the log.
fn all_lines(path: &std::path::Path) -> Vec<String> {
    let mut all = Vec::new();
    for n in (1..=3).rev() {
        if backup(path, n).is_file() {
            all.extend(lines(&backup(path, n)));
        }
    }
    all.extend(lines(path));
    all
}

fn records(range: std::ops::Range<u32>) -> Vec<String> {
    range.map(|i| format!("record {i:02}")).collect()
}

#[test]
fn the_failure_is_reported_once_per_burst_and_no_record_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    // The last backup's place is taken: the third rollover cannot move app.log.2 there.
    std::fs::create_dir(backup(&path, 3)).unwrap();
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(30)
        .backup_count(3)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    set_raise_exceptions(false);
    // Records of 10 bytes: every second record after the first rolls over.
    for i in 0..40 {
        logger.info(format!("record {i:02}"));
    }
    let stats = handler.stats();
    assert_eq!((stats.errors, stats.emitted), (1, 39), "{stats:?}");
    assert!(backup(&path, 2).is_file());
    assert_eq!(all_lines(&path), records(0..40));

    // The directory removed: the burst ends with the next rollover.
    std::fs::remove_dir(backup(&path, 3)).unwrap();
    logger.info("record 40");
    assert_eq!(handler.stats().errors, 1);
    assert!(backup(&path, 3).is_file());

    // A new burst is reported again.
    std::fs::remove_file(backup(&path, 3)).unwrap();
    std::fs::create_dir(backup(&path, 3)).unwrap();
    for i in 41..50 {
        logger.info(format!("record {i:02}"));
    }
    set_raise_exceptions(true);
    assert_eq!(handler.stats().errors, 2);
}
