//! A log directory the process may not write to (mode 0o555): building a file handler fails with
//! `cannot open log file: [Errno 13] Permission denied: '…'`; a delayed handler reports each record through
//! `handle_error` instead, and resumes once the directory is writable; a rollover that cannot
//! rename is reported (once until a rollover succeeds) and the record is still written.
//!
//! Root ignores permissions, so every test here checks first that the directory really refuses a
//! new file, and is skipped (with a note on stderr) when it does not.

#![cfg(unix)]

mod files_common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use files_common::logger_with;
use pylog_core::{
    FileHandler, HandlerStats, RotatingFileHandler, WatchedFileHandler, set_raise_exceptions,
};

fn set_mode(dir: &Path, mode: u32) {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A directory made read-only, restored to 0o755 when dropped (so the temporary directory can be
/// removed).
struct ReadOnlyDir {
    path: PathBuf,
    _root: tempfile::TempDir,
}

impl ReadOnlyDir {
    /// `None` when the directory does not refuse new files (running as root).
    fn new(existing_files: &[&str]) -> Option<ReadOnlyDir> {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("ro");
        std::fs::create_dir(&path).unwrap();
        for name in existing_files {
            std::fs::write(path.join(name), "").unwrap();
        }
        set_mode(&path, 0o555);
        let probe = path.join("probe");
        if std::fs::write(&probe, "").is_ok() {
            std::fs::remove_file(&probe).unwrap();
            set_mode(&path, 0o755);
            eprintln!("skipped: a read-only directory does not refuse new files (root?)");
            return None;
        }
        Some(ReadOnlyDir { path, _root: root })
    }

    fn writable(&self) {
        set_mode(&self.path, 0o755);
    }
}

impl Drop for ReadOnlyDir {
    fn drop(&mut self) {
        set_mode(&self.path, 0o755);
    }
}

fn stats(emitted: u64, errors: u64) -> HandlerStats {
    HandlerStats {
        emitted,
        errors,
        ..HandlerStats::default()
    }
}

fn permission_denied(path: &Path) -> String {
    format!(
        "cannot open log file: [Errno 13] Permission denied: '{}'",
        path.display()
    )
}

#[test]
fn building_a_handler_in_a_read_only_directory_fails_with_a_clear_message() {
    let Some(dir) = ReadOnlyDir::new(&[]) else {
        return;
    };
    let path = dir.path.join("app.log");
    let errors = [
        FileHandler::builder(&path).build().unwrap_err(),
        RotatingFileHandler::builder(&path)
            .max_bytes(100)
            .backup_count(2)
            .build()
            .unwrap_err(),
        WatchedFileHandler::builder(&path).build().unwrap_err(),
    ];
    for error in errors {
        assert_eq!(error.to_string(), permission_denied(&path));
    }
    assert!(!path.exists());
}

#[test]
fn the_shared_mode_names_the_lock_file_it_cannot_create() {
    let Some(dir) = ReadOnlyDir::new(&["app.log"]) else {
        return;
    };
    let error = RotatingFileHandler::builder(dir.path.join("app.log"))
        .max_bytes(100)
        .backup_count(2)
        .shared(true)
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        permission_denied(&dir.path.join("app.log.lock"))
    );
}

#[test]
fn a_delayed_handler_reports_each_record_and_resumes_when_the_directory_is_writable() {
    set_raise_exceptions(false);
    let Some(dir) = ReadOnlyDir::new(&[]) else {
        return;
    };
    let path = dir.path.join("app.log");
    let handler = FileHandler::builder(&path).delay(true).build().unwrap();
    let (_tree, logger) = logger_with(&handler);
    logger.info("denied 1");
    logger.info("denied 2");
    assert_eq!(handler.stats(), stats(0, 2));

    dir.writable();
    logger.info("written");
    handler.close();
    assert_eq!(handler.stats(), stats(1, 2));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "written\n");
}

#[test]
fn a_rollover_that_cannot_rename_is_reported_and_the_record_is_kept() {
    set_raise_exceptions(false);
    let Some(dir) = ReadOnlyDir::new(&["app.log"]) else {
        return;
    };
    let path = dir.path.join("app.log");
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(50)
        .backup_count(2)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    let log = |i: u32| logger.info(format_args!("record {i:02}"));
    let records = |range: std::ops::RangeInclusive<u32>| -> String {
        range.map(|i| format!("record {i:02}\n")).collect()
    };

    // 10-byte lines: records 5 and 6 need a rollover, which cannot rename app.log. The failure
    // is reported once for the burst; both records are written.
    for i in 1..=6 {
        log(i);
    }
    assert_eq!(handler.stats(), stats(5, 1));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), records(1..=6));

    dir.writable();
    log(7);
    handler.close();
    assert_eq!(handler.stats(), stats(6, 1));
    assert_eq!(
        std::fs::read_to_string(dir.path.join("app.log.1")).unwrap(),
        records(1..=6)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), records(7..=7));
}
