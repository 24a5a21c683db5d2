//! A log made private (0600) stays private through its life: rotated backups, gzip-compressed
//! backups and the base file reopened after a rotation or after logrotate moved it all keep the
//! mode of the file they replace, whatever the umask. `no_follow(true)` refuses a symbolic link
//! planted at the log's path.

#![cfg(unix)]

mod files_common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use files_common::logger_with;
use pylog_core::{
    Clock, FileHandler, RotatingFileHandler, TimedRotatingFileHandler, WatchedFileHandler, When,
};

const PRIVATE: u32 = 0o600;

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// `app.log` created empty with mode 0600 in a fresh directory. Notes on stderr when the umask
/// alone would make new files 0600 (the checks then cannot tell the difference).
fn private_log() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe");
    std::fs::write(&probe, "").unwrap();
    if mode_of(&probe) == PRIVATE {
        eprintln!("note: the umask already makes new files 0600; these checks cannot fail here");
    }
    std::fs::remove_file(&probe).unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(&log, "").unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(PRIVATE)).unwrap();
    (dir, log)
}

/// Every file in `dir` and its mode.
fn modes(dir: &Path) -> Vec<(String, u32)> {
    let mut all: Vec<(String, u32)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                mode_of(&e.path()),
            )
        })
        .collect();
    all.sort();
    all
}

fn assert_all_private(dir: &Path, at_least: usize) {
    let all = modes(dir);
    assert!(all.len() >= at_least, "expected {at_least} files: {all:?}");
    for (name, mode) in &all {
        assert_eq!(*mode, PRIVATE, "{name} is {mode:o}: {all:?}");
    }
}

#[test]
fn size_rotation_keeps_the_mode_of_backups_and_the_reopened_base() {
    let (dir, log) = private_log();
    let handler = RotatingFileHandler::builder(&log)
        .max_bytes(40)
        .backup_count(3)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    for i in 0..12 {
        logger.info(format!("record number {i:02}"));
    }
    assert_eq!(handler.stats().errors, 0);
    assert_all_private(dir.path(), 4);
}

#[cfg(feature = "gzip")]
#[test]
fn gzip_backups_keep_the_mode_of_the_log() {
    let (dir, log) = private_log();
    let handler = RotatingFileHandler::builder(&log)
        .max_bytes(40)
        .backup_count(3)
        .gzip(true)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    for i in 0..12 {
        logger.info(format!("record number {i:02}"));
    }
    // Compression runs on the handler's own thread; close() waits for it.
    handler.close();
    assert_eq!(handler.stats().errors, 0);
    let names: Vec<String> = modes(dir.path()).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"app.log.1.gz".to_owned()), "{names:?}");
    assert_all_private(dir.path(), 4);
}

#[cfg(feature = "gzip")]
#[test]
fn shared_gzip_rotation_keeps_the_mode_too() {
    let (dir, log) = private_log();
    let handler = RotatingFileHandler::builder(&log)
        .max_bytes(40)
        .backup_count(2)
        .gzip(true)
        .shared(true)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    for i in 0..12 {
        logger.info(format!("record number {i:02}"));
    }
    handler.close();
    assert_eq!(handler.stats().errors, 0);
    // The log, two backups and the lock file.
    assert_all_private(dir.path(), 4);
}

/// A clock the test sets by hand (the bits of an `f64`).
struct ManualClock(AtomicU64);

impl Clock for ManualClock {
    fn now(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }
}

#[test]
fn timed_rotation_keeps_the_mode_of_the_reopened_base() {
    let (dir, log) = private_log();
    let clock = Arc::new(ManualClock(AtomicU64::new(1_800_000_000f64.to_bits())));
    let handler = TimedRotatingFileHandler::builder(&log)
        .when(When::Seconds)
        .utc(true)
        .clock(clock.clone())
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    for i in 0..3u64 {
        clock.0.store(
            (1_900_000_000f64 + 10.0 * i as f64).to_bits(),
            Ordering::Relaxed,
        );
        logger.info("tick");
    }
    assert_eq!(handler.stats().errors, 0);
    assert_all_private(dir.path(), 3);
}

#[test]
fn a_watched_file_recreated_after_a_move_keeps_its_mode() {
    let (dir, log) = private_log();
    let handler = WatchedFileHandler::builder(&log).build().unwrap();
    let (_tree, logger) = logger_with(&handler);
    logger.info("before");
    std::fs::rename(&log, dir.path().join("app.log.moved")).unwrap();
    logger.info("after");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "after\n");
    assert_all_private(dir.path(), 2);
}

#[test]
fn no_follow_refuses_a_planted_symbolic_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("precious");
    std::fs::write(&target, "keep\n").unwrap();
    let log = dir.path().join("app.log");
    std::os::unix::fs::symlink(&target, &log).unwrap();

    let err = FileHandler::builder(&log)
        .no_follow(true)
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("[Errno 40]"),
        "expected ELOOP, got: {err}"
    );
    let err = RotatingFileHandler::builder(&log)
        .no_follow(true)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("[Errno 40]"), "{err}");

    // Delayed: each record is reported, and the target is never written.
    let handler = WatchedFileHandler::builder(&log)
        .no_follow(true)
        .delay(true)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    pylog_core::set_raise_exceptions(false);
    logger.info("must not reach the target");
    pylog_core::set_raise_exceptions(true);
    assert_eq!(handler.stats().errors, 1);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep\n");

    // Without the option the link is followed, as in Python.
    let handler = FileHandler::builder(&log).build().unwrap();
    let (_tree, logger) = logger_with(&handler);
    logger.info("followed");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "keep\nfollowed\n"
    );
}
