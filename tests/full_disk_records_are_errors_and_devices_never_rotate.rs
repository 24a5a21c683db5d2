//! A full disk (`/dev/full`): every record is an error, counted, never a panic, and the failure is
//! reported through `handle_error` once per burst (`OSError: [Errno 28] No space left on device`,
//! where CPython prints it for every record). A `RotatingFileHandler`
//! whose file is a device (`/dev/full`, `/dev/null`) never rotates, whatever `max_bytes` says:
//! CPython 3.11 rolls over regular files only (bpo-45401).
//!
//! The rotating handlers reach the devices through a symlink in a temporary directory, so that a
//! wrong rollover would rename the symlink (visible, harmless) and never a device, even as root.

#![cfg(target_os = "linux")]

mod files_common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use files_common::{child_role, logger_with, logging_error_blocks, run_child};
use pylog_core::{FileHandler, Handler, HandlerStats, RotatingFileHandler, set_raise_exceptions};

const RECORDS: u64 = 5;

fn stats(emitted: u64, errors: u64) -> HandlerStats {
    HandlerStats {
        emitted,
        errors,
        ..HandlerStats::default()
    }
}

/// A rotating handler on `dir/app.log`, a symlink to `device`, that would roll over before every
/// record if the file were regular; the returned counter counts the namer's calls.
fn rotating_on_device(dir: &Path, device: &str) -> (Handler, Arc<AtomicUsize>) {
    let link = dir.join("app.log");
    std::os::unix::fs::symlink(device, &link).unwrap();
    let named = Arc::new(AtomicUsize::new(0));
    let counter = named.clone();
    let handler = RotatingFileHandler::builder(&link)
        .max_bytes(1)
        .backup_count(3)
        .namer(move |default: &Path| {
            counter.fetch_add(1, Ordering::Relaxed);
            default.to_path_buf()
        })
        .build()
        .unwrap();
    (handler, named)
}

/// The directory holds nothing but the untouched symlink to `device`.
fn assert_untouched(dir: &Path, device: &str) {
    let names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["app.log"]);
    let link = dir.join("app.log");
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new(device));
}

#[test]
fn file_handler_on_dev_full_counts_every_record_as_an_error() {
    set_raise_exceptions(false);
    let handler = FileHandler::builder("/dev/full").build().unwrap();
    let (_tree, logger) = logger_with(&handler);
    for i in 0..RECORDS {
        logger.error(format_args!("record {i}"));
        assert_eq!(handler.stats(), stats(0, i + 1));
    }
    handler.close();
}

/// The child of `the_error_is_pythons_enospc_text`: logs three records to `/dev/full` with
/// Python's error output on.
#[test]
fn child_logs_to_dev_full() {
    if child_role().is_none() {
        return;
    }
    set_raise_exceptions(true);
    let handler = FileHandler::builder("/dev/full").build().unwrap();
    let (_tree, logger) = logger_with(&handler);
    for i in 0..3 {
        logger.error(format_args!("record {i}"));
    }
    assert_eq!(handler.stats(), stats(0, 3));
}

#[test]
fn the_error_is_pythons_enospc_text() {
    if child_role().is_some() {
        return;
    }
    let output = run_child("child_logs_to_dev_full", "dev-full", &[]);
    let blocks = logging_error_blocks(&output.stderr);
    // Three records fail the same way: reported once, counted three times (by the child).
    assert_eq!(blocks.len(), 1, "one error block per burst: {blocks:?}");
    for (i, block) in blocks.iter().enumerate() {
        assert_eq!(block.len(), 5, "{block:?}");
        assert!(
            block[0].starts_with("OSError: [Errno 28] No space left on device"),
            "{block:?}"
        );
        assert!(
            block[1].starts_with(
                "Logged from file full_disk_records_are_errors_and_devices_never_rotate.rs, line "
            ),
            "{block:?}"
        );
        assert_eq!(block[2], format!("Message: 'record {i}'"));
        assert_eq!(block[3], "Arguments: ()");
        // One line more than CPython's block: the handler and its file.
        assert_eq!(block[4], "Handler: FileHandler(/dev/full)");
    }
}

#[test]
fn rotating_handler_on_dev_full_never_rotates_and_counts_every_record_as_an_error() {
    set_raise_exceptions(false);
    let dir = tempfile::tempdir().unwrap();
    let (handler, named) = rotating_on_device(dir.path(), "/dev/full");
    let (_tree, logger) = logger_with(&handler);
    for i in 0..RECORDS {
        logger.error(format_args!("record {i}"));
    }
    handler.close();
    assert_eq!(handler.stats(), stats(0, RECORDS));
    assert_eq!(named.load(Ordering::Relaxed), 0, "a rollover was attempted");
    assert_untouched(dir.path(), "/dev/full");
}

#[test]
fn rotating_handler_on_dev_null_never_rotates_and_takes_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let (handler, named) = rotating_on_device(dir.path(), "/dev/null");
    let (_tree, logger) = logger_with(&handler);
    for i in 0..RECORDS {
        logger.error(format_args!("record {i}"));
    }
    handler.close();
    assert_eq!(handler.stats(), stats(RECORDS, 0));
    assert_eq!(named.load(Ordering::Relaxed), 0, "a rollover was attempted");
    assert_untouched(dir.path(), "/dev/null");
}
