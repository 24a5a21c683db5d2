//! `RotatingFileHandler` retention: by count (`backup_count`), by age (`max_age`) and by the total
//! size of the backups (`max_total_bytes`), in every combination, with an injected clock. The set
//! of files is checked after every step against a plain simulation of the rules, and again after a
//! restart (retention reads the directory, not the handler's memory).

mod files_common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use files_common::{ManualClock, logger_with};
use pylog_core::{Handler, Logger, RotatingFileHandler};

const T0: i64 = 1_796_335_200;
/// Each step is this many seconds after the previous one.
const STEP: i64 = 1000;
/// Records are 5-byte lines, four to a file: a backup is 20 bytes.
const BACKUP_BYTES: u64 = 20;

fn log(logger: &Logger, records: std::ops::RangeInclusive<u32>) {
    for n in records {
        logger.info(format!("r{n:03}"));
    }
}

fn file_set(dir: &Path) -> BTreeMap<String, Vec<u32>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            assert!(
                text.is_empty() || text.ends_with('\n'),
                "{name} ends mid-line"
            );
            let numbers = text
                .lines()
                .map(|line| line.strip_prefix('r').unwrap().parse().unwrap())
                .collect();
            (name, numbers)
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
struct Limits {
    count: Option<u32>,
    max_age: Option<i64>,
    max_total_bytes: Option<u64>,
}

/// The rules, simulated: backups newest first, as (first record, rotated-out time).
struct Model {
    limits: Limits,
    backups: Vec<(u32, i64)>,
    current_first: u32,
}

impl Model {
    fn rotate(&mut self, now: i64, next_first: u32) {
        self.backups.insert(0, (self.current_first, now));
        self.current_first = next_first;
        self.retain(now);
    }

    /// Keeps the newest backups up to the first one past a limit.
    fn retain(&mut self, now: i64) {
        let mut total = 0;
        let keep = self
            .backups
            .iter()
            .enumerate()
            .take_while(|(i, (_, rotated))| {
                total += BACKUP_BYTES;
                self.limits.count.is_none_or(|c| *i < c as usize)
                    && self.limits.max_age.is_none_or(|age| now - rotated <= age)
                    && self.limits.max_total_bytes.is_none_or(|max| total <= max)
            })
            .count();
        self.backups.truncate(keep);
    }

    fn expected(&self, last: u32) -> BTreeMap<String, Vec<u32>> {
        let mut files =
            BTreeMap::from([("app.log".to_owned(), (self.current_first..=last).collect())]);
        for (i, (first, _)) in self.backups.iter().enumerate() {
            files.insert(format!("app.log.{}", i + 1), (*first..first + 4).collect());
        }
        files
    }
}

fn handler(path: &Path, limits: Limits, clock: &Arc<ManualClock>) -> Handler {
    let mut builder = RotatingFileHandler::builder(path)
        .max_bytes(21)
        .clock(clock.clone());
    if let Some(count) = limits.count {
        builder = builder.backup_count(count);
    }
    if let Some(age) = limits.max_age {
        builder = builder.max_age(Duration::from_secs(age as u64));
    }
    if let Some(total) = limits.max_total_bytes {
        builder = builder.max_total_bytes(total);
    }
    builder.build().unwrap()
}

fn run(limits: Limits) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = Arc::new(ManualClock::default());
    clock.set(T0);
    let mut model = Model {
        limits,
        backups: Vec::new(),
        current_first: 1,
    };
    let h = handler(&path, limits, &clock);
    let (_tree, logger) = logger_with(&h);
    log(&logger, 1..=4);
    assert_eq!(
        file_set(dir.path()),
        model.expected(4),
        "{limits:?}: step 0"
    );
    let mut now = T0;
    for step in 1..=7u32 {
        now += STEP;
        clock.set(now);
        let first = step * 4 + 1;
        log(&logger, first..=first + 3);
        model.rotate(now, first);
        assert_eq!(
            file_set(dir.path()),
            model.expected(first + 3),
            "{limits:?}: step {step}"
        );
    }
    assert_eq!(h.stats().errors, 0, "{limits:?}");
    h.close();
    drop(logger);

    // A restart later: retention runs at start, from what is in the directory.
    now += 2 * STEP;
    clock.set(now);
    let restarted = handler(&path, limits, &clock);
    model.retain(now);
    assert_eq!(
        file_set(dir.path()),
        model.expected(32),
        "{limits:?}: restart"
    );
    restarted.close();
}

#[test]
fn every_combination_of_count_age_and_total_size_keeps_what_the_rules_say() {
    // Each limit alone keeps a different number of backups: count 4, age 2500 s (3), 50 bytes (2).
    for count in [None, Some(4)] {
        for max_age in [None, Some(2500)] {
            for max_total_bytes in [None, Some(50)] {
                if count.is_none() && max_age.is_none() && max_total_bytes.is_none() {
                    continue; // CPython's backupCount=0: no rotation at all (tested elsewhere)
                }
                run(Limits {
                    count,
                    max_age,
                    max_total_bytes,
                });
            }
        }
    }
}

#[test]
fn a_lower_backup_count_at_restart_deletes_the_extra_backups_when_retention_is_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = Arc::new(ManualClock::default());
    clock.set(T0);
    let limits = Limits {
        count: Some(5),
        max_age: Some(1_000_000),
        max_total_bytes: None,
    };
    let h = handler(&path, limits, &clock);
    let (_tree, logger) = logger_with(&h);
    log(&logger, 1..=20);
    h.close();
    assert_eq!(file_set(dir.path()).len(), 5);
    let fewer = handler(
        &path,
        Limits {
            count: Some(2),
            ..limits
        },
        &clock,
    );
    assert_eq!(
        file_set(dir.path()),
        BTreeMap::from([
            ("app.log".to_owned(), (17..=20).collect()),
            ("app.log.1".to_owned(), (13..=16).collect()),
            ("app.log.2".to_owned(), (9..=12).collect()),
        ])
    );
    fewer.close();
}
