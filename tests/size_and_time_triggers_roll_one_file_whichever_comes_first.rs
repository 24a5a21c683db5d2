//! `RotatingFileHandler` with a size trigger and a time trigger together: the file rolls over at
//! `max_bytes` (CPython's size rule) and at the times of `when`/`interval` (CPython's timed
//! rules), whichever comes first, into one numbered set of backups. Time comes from an injected
//! clock, and the whole set of files is checked after every step.

mod files_common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use files_common::{DAY, DEC_3_22H, HOUR, ManualClock, log_records, logger_with, record_numbers};
use pylog_core::{Handler, Logger, RotatingFileHandler, When};

fn log(logger: &Logger, records: std::ops::RangeInclusive<u32>) {
    log_records(logger, records);
}

/// Every file in `dir` (but the lock file) with the record numbers it holds.
fn file_set(dir: &Path) -> BTreeMap<String, Vec<u32>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| !name.ends_with(".lock"))
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            let numbers = record_numbers(&name, &text);
            (name, numbers)
        })
        .collect()
}

fn expect(dir: &Path, step: &str, expected: &[(&str, std::ops::RangeInclusive<u32>)]) {
    let expected: BTreeMap<String, Vec<u32>> = expected
        .iter()
        .map(|(name, range)| (name.to_string(), range.clone().collect()))
        .collect();
    assert_eq!(file_set(dir), expected, "after {step}");
}

fn midnight_handler(path: &Path, clock: &Arc<ManualClock>, shared: bool) -> Handler {
    RotatingFileHandler::builder(path)
        .max_bytes(21)
        .backup_count(3)
        .when(When::Midnight)
        .utc(true)
        .clock(clock.clone())
        .shared(shared)
        .build()
        .unwrap()
}

#[test]
fn midnight_and_max_bytes_together_roll_whichever_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    clock.set(DEC_3_22H);
    let handler = midnight_handler(&dir.path().join("app.log"), &clock, false);
    let (_tree, logger) = logger_with(&handler);
    let d = dir.path();

    log(&logger, 1..=6);
    expect(
        d,
        "six records: one roll by size",
        &[("app.log", 5..=6), ("app.log.1", 1..=4)],
    );

    clock.set(DEC_3_22H + 2 * HOUR - 1);
    log(&logger, 7..=7);
    expect(
        d,
        "23:59:59: no roll",
        &[("app.log", 5..=7), ("app.log.1", 1..=4)],
    );

    clock.set(DEC_3_22H + 2 * HOUR);
    log(&logger, 8..=8);
    expect(
        d,
        "midnight: a roll by time with the file not full",
        &[
            ("app.log", 8..=8),
            ("app.log.1", 5..=7),
            ("app.log.2", 1..=4),
        ],
    );

    clock.set(DEC_3_22H + 12 * HOUR);
    log(&logger, 9..=12);
    expect(
        d,
        "noon: a roll by size the same day",
        &[
            ("app.log", 12..=12),
            ("app.log.1", 8..=11),
            ("app.log.2", 5..=7),
            ("app.log.3", 1..=4),
        ],
    );

    clock.set(DEC_3_22H + 2 * HOUR + DAY);
    log(&logger, 13..=13);
    expect(
        d,
        "the next midnight: backup_count keeps three",
        &[
            ("app.log", 13..=13),
            ("app.log.1", 12..=12),
            ("app.log.2", 8..=11),
            ("app.log.3", 5..=7),
        ],
    );

    // Three days with no record: one roll, not three, and the next is the following midnight.
    clock.set(DEC_3_22H + 2 * HOUR + 4 * DAY + 5);
    log(&logger, 14..=14);
    let after_gap = [
        ("app.log", 14..=14),
        ("app.log.1", 13..=13),
        ("app.log.2", 12..=12),
        ("app.log.3", 8..=11),
    ];
    expect(d, "a gap of days: one roll", &after_gap);
    clock.set(DEC_3_22H + 2 * HOUR + 5 * DAY - 1);
    log(&logger, 15..=15);
    expect(
        d,
        "23:59:59 after the gap: no roll",
        &[
            ("app.log", 14..=15),
            ("app.log.1", 13..=13),
            ("app.log.2", 12..=12),
            ("app.log.3", 8..=11),
        ],
    );
    assert_eq!(handler.stats().errors, 0);
}

#[test]
fn seconds_interval_counts_from_the_start_as_cpython_and_size_still_rolls() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    let start = DEC_3_22H + 17;
    clock.set(start);
    let handler = RotatingFileHandler::builder(dir.path().join("app.log"))
        .max_bytes(21)
        .backup_count(5)
        .when("s".parse().unwrap())
        .interval(30)
        .clock(clock.clone())
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    let d = dir.path();

    clock.set(start + 29);
    log(&logger, 1..=2);
    expect(d, "29 s: no roll", &[("app.log", 1..=2)]);
    clock.set(start + 30);
    log(&logger, 3..=3);
    expect(
        d,
        "30 s: roll by time",
        &[("app.log", 3..=3), ("app.log.1", 1..=2)],
    );
    log(&logger, 4..=7);
    expect(
        d,
        "still 30 s: roll by size",
        &[
            ("app.log", 7..=7),
            ("app.log.1", 3..=6),
            ("app.log.2", 1..=2),
        ],
    );
    // The next time roll is 30 s after the last one (CPython: `computeRollover(currentTime)`),
    // not moved by the roll by size.
    clock.set(start + 59);
    log(&logger, 8..=8);
    expect(
        d,
        "59 s: no roll",
        &[
            ("app.log", 7..=8),
            ("app.log.1", 3..=6),
            ("app.log.2", 1..=2),
        ],
    );
    clock.set(start + 60);
    log(&logger, 9..=9);
    expect(
        d,
        "60 s: roll by time",
        &[
            ("app.log", 9..=9),
            ("app.log.1", 7..=8),
            ("app.log.2", 3..=6),
            ("app.log.3", 1..=2),
        ],
    );
}

#[test]
fn an_existing_file_starts_the_interval_at_its_modification_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    std::fs::write(&path, "r001\n").unwrap();
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let mtime = mtime
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let clock = Arc::new(ManualClock::default());
    clock.set(mtime + 3 * HOUR);
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(1000)
        .backup_count(2)
        .when(When::Hours)
        .clock(clock.clone())
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    log(&logger, 2..=2);
    expect(
        dir.path(),
        "a stale file: it rolls on the first record",
        &[("app.log", 2..=2), ("app.log.1", 1..=1)],
    );
}

#[test]
fn shared_handlers_roll_once_per_period_between_them() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    clock.set(DEC_3_22H);
    let path = dir.path().join("app.log");
    // Two handlers on one file, as two processes would have: each has its own lock file handle.
    let first = midnight_handler(&path, &clock, true);
    // The second starts its period at the file's modification time, as CPython does: make it the
    // test clock's time.
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(DEC_3_22H as u64))
        .unwrap();
    let second = midnight_handler(&path, &clock, true);
    let (_tree1, one) = logger_with(&first);
    let (_tree2, two) = logger_with(&second);
    let d = dir.path();

    log(&one, 1..=1);
    log(&two, 2..=2);
    expect(d, "before midnight", &[("app.log", 1..=2)]);
    clock.set(DEC_3_22H + 2 * HOUR + 1);
    log(&one, 3..=3);
    expect(
        d,
        "midnight, first writer rolls",
        &[("app.log", 3..=3), ("app.log.1", 1..=2)],
    );
    log(&two, 4..=4);
    expect(
        d,
        "the second writer adopts that roll",
        &[("app.log", 3..=4), ("app.log.1", 1..=2)],
    );
    clock.set(DEC_3_22H + 2 * HOUR + DAY);
    log(&two, 5..=5);
    log(&one, 6..=6);
    expect(
        d,
        "the next midnight, the second writer rolls first",
        &[
            ("app.log", 5..=6),
            ("app.log.1", 3..=4),
            ("app.log.2", 1..=2),
        ],
    );
    assert_eq!(first.stats().errors + second.stats().errors, 0);
}

#[test]
fn time_trigger_refuses_a_bad_at_time() {
    let dir = tempfile::tempdir().unwrap();
    let err = RotatingFileHandler::builder(dir.path().join("app.log"))
        .when(When::Midnight)
        .at_time(24, 0, 0)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid at_time 24:00:00: hour 0-23, minute and second 0-59"
    );
}

#[test]
fn with_a_time_trigger_backup_count_zero_keeps_every_backup() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::default());
    clock.set(DEC_3_22H);
    let handler = RotatingFileHandler::builder(dir.path().join("app.log"))
        .max_bytes(21)
        .when(When::Midnight)
        .utc(true)
        .clock(clock.clone())
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    let d = dir.path();
    log(&logger, 1..=9);
    expect(
        d,
        "two rolls by size",
        &[
            ("app.log", 9..=9),
            ("app.log.1", 5..=8),
            ("app.log.2", 1..=4),
        ],
    );
    clock.set(DEC_3_22H + 2 * HOUR);
    log(&logger, 10..=10);
    expect(
        d,
        "a roll by time, nothing deleted",
        &[
            ("app.log", 10..=10),
            ("app.log.1", 9..=9),
            ("app.log.2", 5..=8),
            ("app.log.3", 1..=4),
        ],
    );
}
