//! Rotation details the golden files do not cover: the `namer` and `rotator` hooks are called with
//! CPython's default names in CPython's order, `gzip(true)` leaves valid gzip files
//! `app.log.N.gz` holding the exact lines, and `delay(true)` creates no file before the first
//! record.
//!
//! Gzip files are checked with the system's `gzip -t` / `gzip -dc` (which verify the CRC): the root
//! test crate has no `flate2` dev-dependency.

mod files_common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[cfg(feature = "gzip")]
use files_common::gunzip;
use files_common::logger_with;
use pylog_core::{FileHandler, Logger, RotatingFileHandler, WatchedFileHandler};

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn records(range: std::ops::RangeInclusive<u32>) -> String {
    range.map(|i| format!("record {i:02}\n")).collect()
}

fn log_records(logger: &Logger, range: std::ops::RangeInclusive<u32>) {
    for i in range {
        logger.info(format_args!("record {i:02}"));
    }
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or_else(|_| panic!("{} is not in {}", path.display(), dir.display()))
        .display()
        .to_string()
}

#[test]
fn namer_and_rotator_get_cpythons_default_names_in_cpythons_order() {
    let dir = tempfile::tempdir().unwrap();
    let dir_path: PathBuf = dir.path().to_path_buf();
    let calls = Arc::new(Mutex::new(Vec::<String>::new()));
    let (namer_calls, namer_dir) = (calls.clone(), dir_path.clone());
    let (rotator_calls, rotator_dir) = (calls.clone(), dir_path.clone());
    let handler = RotatingFileHandler::builder(dir.path().join("app.log"))
        .max_bytes(50)
        .backup_count(3)
        .namer(move |default: &Path| {
            let name = relative(&namer_dir, default);
            namer_calls.lock().unwrap().push(format!("namer {name}"));
            let n = name.strip_prefix("app.log.").expect("a default name");
            namer_dir.join(format!("archive-{n}.log"))
        })
        .rotator(move |source: &Path, dest: &Path| {
            rotator_calls.lock().unwrap().push(format!(
                "rotator {} {}",
                relative(&rotator_dir, source),
                relative(&rotator_dir, dest)
            ));
            let text = std::fs::read_to_string(source)?;
            std::fs::write(dest, format!("ROTATED\n{text}"))?;
            std::fs::remove_file(source)
        })
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    log_records(&logger, 1..=12);
    handler.close();

    // CPython 3.11, same steps (RotatingFileHandler(maxBytes=50, backupCount=3), namer and
    // rotator set as attributes): two rollovers, each naming .2 .3 .1 .2 .1, then one rotate.
    let one_rollover = [
        "namer app.log.2",
        "namer app.log.3",
        "namer app.log.1",
        "namer app.log.2",
        "namer app.log.1",
        "rotator app.log archive-1.log",
    ];
    assert_eq!(*calls.lock().unwrap(), one_rollover.repeat(2));
    let files: BTreeMap<String, String> = names(dir.path())
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.path().join(&name)).unwrap();
            (name, text)
        })
        .collect();
    let expected = BTreeMap::from([
        ("app.log".to_owned(), records(9..=12)),
        (
            "archive-1.log".to_owned(),
            format!("ROTATED\n{}", records(5..=8)),
        ),
        (
            "archive-2.log".to_owned(),
            format!("ROTATED\n{}", records(1..=4)),
        ),
    ]);
    assert_eq!(files, expected);
}

#[cfg(feature = "gzip")]
#[test]
fn gzip_rotated_files_are_valid_gzip_of_the_exact_lines() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("app.log");
    let handler = RotatingFileHandler::builder(&base)
        .max_bytes(50)
        .backup_count(3)
        .gzip(true)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    // 10-byte lines, 4 to a file: records 1-4 rotate out of the three backups.
    log_records(&logger, 1..=20);
    handler.close();

    assert_eq!(
        names(dir.path()),
        ["app.log", "app.log.1.gz", "app.log.2.gz", "app.log.3.gz"]
    );
    assert_eq!(std::fs::read_to_string(&base).unwrap(), records(17..=20));
    assert_eq!(gunzip(&dir.path().join("app.log.1.gz")), records(13..=16));
    assert_eq!(gunzip(&dir.path().join("app.log.2.gz")), records(9..=12));
    assert_eq!(gunzip(&dir.path().join("app.log.3.gz")), records(5..=8));
    assert_eq!(handler.stats().errors, 0);
}

#[cfg(feature = "gzip")]
#[test]
fn gzip_adds_gz_after_a_custom_namer() {
    let dir = tempfile::tempdir().unwrap();
    let handler = RotatingFileHandler::builder(dir.path().join("app.log"))
        .max_bytes(50)
        .backup_count(2)
        .namer(|default: &Path| {
            let name = default.file_name().unwrap().to_str().unwrap();
            let n = name.strip_prefix("app.log.").unwrap();
            default.with_file_name(format!("app-{n}.log"))
        })
        .gzip(true)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    log_records(&logger, 1..=10);
    handler.close();

    assert_eq!(
        names(dir.path()),
        ["app-1.log.gz", "app-2.log.gz", "app.log"]
    );
    assert_eq!(gunzip(&dir.path().join("app-2.log.gz")), records(1..=4));
    assert_eq!(gunzip(&dir.path().join("app-1.log.gz")), records(5..=8));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.log")).unwrap(),
        records(9..=10)
    );
}

#[test]
fn delay_creates_no_file_until_the_first_record() {
    let dir = tempfile::tempdir().unwrap();
    let handlers = [
        (
            "rotating.log",
            RotatingFileHandler::builder(dir.path().join("rotating.log"))
                .max_bytes(50)
                .backup_count(2)
                .delay(true)
                .build()
                .unwrap(),
        ),
        (
            "file.log",
            FileHandler::builder(dir.path().join("file.log"))
                .delay(true)
                .build()
                .unwrap(),
        ),
        (
            "watched.log",
            WatchedFileHandler::builder(dir.path().join("watched.log"))
                .delay(true)
                .build()
                .unwrap(),
        ),
    ];
    assert_eq!(names(dir.path()), Vec::<String>::new());

    for (name, handler) in &handlers {
        let (_tree, logger) = logger_with(handler);
        log_records(&logger, 1..=1);
        assert!(dir.path().join(name).exists(), "{name} after one record");
    }
    assert_eq!(
        names(dir.path()),
        ["file.log", "rotating.log", "watched.log"]
    );
    for (name, handler) in &handlers {
        handler.close();
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
            records(1..=1)
        );
    }

    // A delayed rotating handler closed without a record leaves nothing behind.
    let idle = RotatingFileHandler::builder(dir.path().join("idle.log"))
        .max_bytes(50)
        .backup_count(2)
        .delay(true)
        .build()
        .unwrap();
    idle.close();
    assert!(!dir.path().join("idle.log").exists());
}

#[test]
fn delayed_rotating_handler_still_rotates_by_cpythons_rule() {
    let dir = tempfile::tempdir().unwrap();
    let handler = RotatingFileHandler::builder(dir.path().join("app.log"))
        .max_bytes(50)
        .backup_count(2)
        .delay(true)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    log_records(&logger, 1..=9);
    handler.close();
    assert_eq!(names(dir.path()), ["app.log", "app.log.1", "app.log.2"]);
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(read("app.log.2"), records(1..=4));
    assert_eq!(read("app.log.1"), records(5..=8));
    assert_eq!(read("app.log"), records(9..=9));
}
