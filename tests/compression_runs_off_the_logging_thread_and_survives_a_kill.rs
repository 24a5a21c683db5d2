//! Background compression of rotated files: the logging call returns while a large backup is
//! still being compressed; `close()` waits for it; compressed backups hold the exact lines; a
//! process killed in the middle of a compression leaves the plain backup complete and no broken
//! compressed file, and the next start compresses it. Gzip files are checked with the system's
//! `gzip`, Zstandard files with the system's `zstd`.

#![cfg(feature = "gzip")]

mod files_common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use files_common::{ManualClock, child_role, gunzip, logger_with, spawn_child};
use pylog_core::{Compression, RotatingFileHandler};

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| name.to_string()).collect()
}

/// `count` numbered lines of about 100 bytes each, hard enough to compress to take a while.
fn big_text(count: usize) -> String {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut text = String::with_capacity(count * 100);
    for i in 0..count {
        text.push_str(&format!("line {i:09} "));
        for _ in 0..5 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(&format!("{state:016x} "));
        }
        text.push('\n');
    }
    text
}

#[test]
fn the_logging_call_returns_before_a_large_backup_is_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let text = big_text(40_000);
    std::fs::write(&path, &text).unwrap();
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(1024)
        .backup_count(3)
        .compression(Compression::Gzip)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    let start = Instant::now();
    logger.info("after the rotation");
    let logged = start.elapsed();
    // The rotation renamed the file; its compression (about 4 MB) has not finished when the
    // call returns: the plain backup is still there, whole.
    let plain = dir.path().join("app.log.1");
    assert!(
        plain.exists(),
        "the backup was compressed within the logging call ({logged:?})"
    );
    let at_return = names(dir.path());
    assert!(!at_return.contains("app.log.1.gz"), "{at_return:?}");
    handler.close();
    let compressing = start.elapsed();
    assert_eq!(names(dir.path()), set(&["app.log", "app.log.1.gz"]));
    assert_eq!(gunzip(&dir.path().join("app.log.1.gz")), text);
    println!("logging call {logged:?}, compression done by close() after {compressing:?}");
    assert_eq!(handler.stats().errors, 0);
}

#[test]
fn compressed_backups_shift_and_keep_the_exact_lines_with_a_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(1000)
        .compression(Compression::Gzip)
        .max_total_bytes(400)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    // 20 lines of 50 bytes: one file each; each gzip backup is well under 200 bytes, so the
    // 400-byte limit keeps a few, while the plain ones (1000 bytes) would not fit at all.
    let line = |file: usize, n: usize| format!("file {file:02} line {n:02} {}", "x".repeat(31));
    for file in 0..6 {
        for n in 0..20 {
            logger.info(line(file, n));
        }
        handler.close();
    }
    let found = names(dir.path());
    assert!(found.contains("app.log.1.gz"), "{found:?}");
    let mut total = 0;
    for i in 1.. {
        let name = format!("app.log.{i}.gz");
        if !found.contains(&name) {
            break;
        }
        let expected: String = (0..20).map(|n| line(5 - i, n) + "\n").collect();
        assert_eq!(gunzip(&dir.path().join(&name)), expected, "{name}");
        total += std::fs::metadata(dir.path().join(&name)).unwrap().len();
    }
    assert!(total <= 400, "{total} bytes of backups");
    assert!(
        found
            .iter()
            .all(|name| name == "app.log" || name.ends_with(".gz")),
        "{found:?}"
    );
    assert_eq!(handler.stats().errors, 0);
}

#[cfg(feature = "zstd")]
#[test]
fn zstd_backups_are_valid_zstd_of_the_exact_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(50)
        .backup_count(2)
        .compression(Compression::Zstd)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    for n in 1..=10 {
        logger.info(format!("record {n:02}"));
    }
    handler.close();
    assert_eq!(
        names(dir.path()),
        set(&["app.log", "app.log.1.zst", "app.log.2.zst"])
    );
    let unzstd = |name: &str| files_common::unzstd(&dir.path().join(name));
    let records = |range: std::ops::RangeInclusive<u32>| -> String {
        range.map(|n| format!("record {n:02}\n")).collect()
    };
    assert_eq!(unzstd("app.log.2.zst"), records(1..=4));
    assert_eq!(unzstd("app.log.1.zst"), records(5..=8));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), records(9..=10));
}

const CHILD_TEST: &str = "child_rotates_and_waits_to_be_killed";
const ENV_PATH: &str = "PYLOGGING_TEST_LOG_PATH";

/// The child: rotates the prepared file once (its compression starts on the worker) and waits to
/// be killed.
#[test]
fn child_rotates_and_waits_to_be_killed() {
    if child_role().is_none() {
        return;
    }
    let path = PathBuf::from(std::env::var(ENV_PATH).unwrap());
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(1024)
        .backup_count(3)
        .compression(Compression::Gzip)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    logger.info("after the rotation");
    std::fs::write(path.with_file_name("logged"), "").unwrap();
    std::thread::sleep(Duration::from_secs(120));
}

fn temp_files(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|name| name.contains(".pylog-tmp-"))
        .collect()
}

#[test]
fn a_process_killed_while_compressing_leaves_no_broken_file_and_loses_no_backup() {
    if child_role().is_some() {
        return;
    }
    let text = big_text(40_000);
    for kill_after_ms in [0u64, 50, 300] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(&path, &text).unwrap();
        let mut child = spawn_child(
            CHILD_TEST,
            "killed",
            &[(ENV_PATH, path.display().to_string())],
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        let logged = dir.path().join("logged");
        while temp_files(dir.path()).is_empty() || !logged.exists() {
            assert!(Instant::now() < deadline, "the compression never started");
            assert!(
                !dir.path().join("app.log.1.gz").exists(),
                "the compression finished before it was seen: use a larger file"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_millis(kill_after_ms));
        child.kill().unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(!output.status.success());
        std::fs::remove_file(&logged).unwrap();

        // What the kill left: the plain backup complete, or the compressed one complete.
        let found = names(dir.path());
        let plain = dir.path().join("app.log.1");
        let gz = dir.path().join("app.log.1.gz");
        assert!(
            found.contains("app.log.1") || found.contains("app.log.1.gz"),
            "{found:?}"
        );
        if found.contains("app.log.1") {
            assert_eq!(std::fs::read_to_string(&plain).unwrap(), text);
        }
        if found.contains("app.log.1.gz") {
            assert_eq!(gunzip(&gz), text);
        }
        if kill_after_ms == 0 {
            assert!(
                found.contains("app.log.1"),
                "killed mid-compression: {found:?}"
            );
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "after the rotation\n"
        );
        println!("killed {kill_after_ms} ms into the compression, left {found:?}");

        // The next start removes the dead process's temporary file and compresses the backup.
        let handler = RotatingFileHandler::builder(&path)
            .max_bytes(1024)
            .backup_count(3)
            .compression(Compression::Gzip)
            .build()
            .unwrap();
        handler.close();
        assert_eq!(names(dir.path()), set(&["app.log", "app.log.1.gz"]));
        assert_eq!(gunzip(&gz), text);
        assert_eq!(handler.stats().errors, 0);
    }
}

#[test]
fn a_crash_between_rename_and_removal_leaves_both_and_the_next_start_keeps_one() {
    if child_role().is_some() {
        return;
    }
    // The state a crash right after the compressed file's rename leaves: both complete.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let text = big_text(100);
    let plain = dir.path().join("app.log.1");
    std::fs::write(&plain, &text).unwrap();
    let status = Command::new("gzip")
        .arg("-k")
        .arg(&plain)
        .status()
        .expect("the gzip command");
    assert!(status.success());
    std::fs::write(&path, "current\n").unwrap();
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(1 << 20)
        .backup_count(3)
        .compression(Compression::Gzip)
        .build()
        .unwrap();
    handler.close();
    assert_eq!(names(dir.path()), set(&["app.log", "app.log.1.gz"]));
    assert_eq!(gunzip(&dir.path().join("app.log.1.gz")), text);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "current\n");
}

#[test]
fn timed_handler_compresses_its_time_named_backups_and_keeps_backup_count() {
    if child_role().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(ManualClock::default());
    let t = 1_796_335_200; // 2026-12-03 22:00:00 UTC
    clock.set(t);
    let handler = pylog_core::TimedRotatingFileHandler::builder(dir.path().join("app.log"))
        .when(pylog_core::When::Seconds)
        .utc(true)
        .backup_count(2)
        .gzip(true)
        .clock(clock.clone())
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    for (second, message) in ["a", "b", "c", "d"].into_iter().enumerate() {
        clock.set(t + second as i64);
        logger.info(message);
    }
    handler.close();
    assert_eq!(
        names(dir.path()),
        set(&[
            "app.log",
            "app.log.2026-12-03_22-00-01.gz",
            "app.log.2026-12-03_22-00-02.gz"
        ])
    );
    assert_eq!(
        gunzip(&dir.path().join("app.log.2026-12-03_22-00-01.gz")),
        "b\n"
    );
    assert_eq!(
        gunzip(&dir.path().join("app.log.2026-12-03_22-00-02.gz")),
        "c\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.log")).unwrap(),
        "d\n"
    );
    assert_eq!(handler.stats().errors, 0);
}
