//! `RotatingFileHandler` in the dated mode: the active file carries its period's date
//! (`app.2026-12-03.log`), a time rollover starts the next period's file, a size rollover numbers
//! the period's file (`app.2026-12-03.log.1`), and a stable name (`app.log`, a symbolic link or a
//! hard link) always names the active file. Time comes from an injected clock, and the whole set
//! of files (names, contents, and the link's target) is checked after every step.

mod files_common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use files_common::{DAY, DEC_3_22H, HOUR, ManualClock, log_records, logger_with, record_numbers};
use pylog_core::{Handler, Logger, Manager, RotatingFileHandler, RotatingFileHandlerBuilder, When};

/// 2026-12-04 00:00:00 UTC.
const DEC_4: i64 = DEC_3_22H + 2 * HOUR;

/// What a name in the directory is.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    /// A plain file and the record numbers in it.
    Plain(Vec<u32>),
    /// A gzip file and the record numbers in it.
    Gzip(Vec<u32>),
    /// A Zstandard file and the record numbers in it.
    Zstd(Vec<u32>),
    /// A symbolic link and its target.
    Link(String),
}

fn plain(records: std::ops::RangeInclusive<u32>) -> Entry {
    Entry::Plain(records.collect())
}

fn empty() -> Entry {
    Entry::Plain(Vec::new())
}

#[cfg_attr(not(feature = "gzip"), allow(dead_code))]
fn gzip(records: std::ops::RangeInclusive<u32>) -> Entry {
    Entry::Gzip(records.collect())
}

impl Entry {
    /// This entry with record `n` added at the end.
    fn and(mut self, n: u32) -> Entry {
        match &mut self {
            Entry::Plain(records) | Entry::Gzip(records) | Entry::Zstd(records) => records.push(n),
            Entry::Link(_) => panic!("a link holds no records"),
        }
        self
    }
}

fn link(target: &str) -> Entry {
    Entry::Link(target.to_owned())
}

/// Every name in `dir` (but the lock file) and what it is.
fn file_set(dir: &Path) -> BTreeMap<String, Entry> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| !name.ends_with(".lock"))
        .map(|name| {
            let path = dir.join(&name);
            let entry = if path.symlink_metadata().unwrap().file_type().is_symlink() {
                Entry::Link(std::fs::read_link(&path).unwrap().display().to_string())
            } else if name.ends_with(".gz") {
                #[cfg(feature = "gzip")]
                {
                    Entry::Gzip(record_numbers(&name, &files_common::gunzip(&path)))
                }
                #[cfg(not(feature = "gzip"))]
                unreachable!("{name}")
            } else if name.ends_with(".zst") {
                Entry::Zstd(record_numbers(&name, &files_common::unzstd(&path)))
            } else {
                Entry::Plain(record_numbers(
                    &name,
                    &std::fs::read_to_string(&path).unwrap(),
                ))
            };
            (name, entry)
        })
        .collect()
}

/// Checks the whole directory, and that the stable name (if any) reads as the active file.
fn expect(dir: &Path, step: &str, expected: Vec<(&str, Entry)>) {
    let expected: BTreeMap<String, Entry> = expected
        .into_iter()
        .map(|(name, entry)| (name.to_owned(), entry))
        .collect();
    let found = file_set(dir);
    assert_eq!(found, expected, "after {step}");
    for (name, entry) in &found {
        if let Entry::Link(target) = entry {
            assert_eq!(
                std::fs::read(dir.join(name)).unwrap(),
                std::fs::read(dir.join(target)).unwrap(),
                "after {step}: {name} reads as {target}"
            );
        }
    }
}

fn log(logger: &Logger, records: std::ops::RangeInclusive<u32>) {
    log_records(logger, records);
}

fn dated(dir: &Path, clock: &Arc<ManualClock>) -> RotatingFileHandlerBuilder {
    RotatingFileHandler::builder(dir.join("app.log"))
        .dated(true)
        .when(When::Midnight)
        .utc(true)
        .max_bytes(21)
        .clock(clock.clone())
}

fn build(builder: RotatingFileHandlerBuilder) -> Handler {
    builder.build().unwrap_or_else(|e| panic!("{e}"))
}

/// One scenario: a directory, a clock set by hand, and the handler under test with its logger.
struct Scene {
    dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    running: Option<(Handler, Manager, Logger)>,
}

impl Scene {
    /// A fresh directory and the clock at `t`; no handler yet.
    fn at(t: i64) -> Scene {
        let clock = Arc::new(ManualClock::default());
        clock.set(t);
        Scene {
            dir: tempfile::tempdir().unwrap(),
            clock,
            running: None,
        }
    }

    fn d(&self) -> &Path {
        self.dir.path()
    }

    fn set(&self, t: i64) {
        self.clock.set(t);
    }

    /// The dated handler of these tests on `app.log`, with this scene's clock.
    fn dated(&self) -> RotatingFileHandlerBuilder {
        dated(self.d(), &self.clock)
    }

    /// A builder with this scene's clock, for the tests that set the rest themselves.
    fn builder(&self) -> RotatingFileHandlerBuilder {
        RotatingFileHandler::builder(self.d().join("app.log")).clock(self.clock.clone())
    }

    /// Stops the handler running (a restart) and builds `builder` in its place.
    fn start(&mut self, builder: RotatingFileHandlerBuilder) {
        self.stop();
        let handler = build(builder);
        let (tree, logger) = logger_with(&handler);
        self.running = Some((handler, tree, logger));
    }

    fn log(&self, records: std::ops::RangeInclusive<u32>) {
        let (_, _, logger) = self.running.as_ref().expect("a handler runs");
        log(logger, records);
    }

    /// Closes the handler (waiting for its compression); it reopens for the next record.
    fn close(&self) {
        if let Some((handler, _, _)) = &self.running {
            handler.close();
        }
    }

    /// Closes the handler and lets it go.
    fn stop(&mut self) {
        self.close();
        self.running = None;
    }

    fn expect(&self, step: &str, expected: Vec<(&str, Entry)>) {
        expect(self.d(), step, expected);
    }
}

#[test]
fn dated_files_roll_by_time_and_size_with_a_symlink_to_the_active_one() {
    let mut s = Scene::at(DEC_3_22H);
    s.start(s.dated().current_symlink(s.d().join("app.log")));
    s.expect(
        "build",
        vec![
            ("app.2026-12-03.log", empty()),
            ("app.log", link("app.2026-12-03.log")),
        ],
    );

    s.log(1..=6);
    s.expect(
        "six records: a size rollover numbers the day's file",
        vec![
            ("app.2026-12-03.log", plain(5..=6)),
            ("app.2026-12-03.log.1", plain(1..=4)),
            ("app.log", link("app.2026-12-03.log")),
        ],
    );

    s.set(DEC_4 - 1);
    s.log(7..=7);
    s.expect(
        "23:59:59: same day",
        vec![
            ("app.2026-12-03.log", plain(5..=7)),
            ("app.2026-12-03.log.1", plain(1..=4)),
            ("app.log", link("app.2026-12-03.log")),
        ],
    );

    s.set(DEC_4);
    s.log(8..=8);
    s.expect(
        "midnight: the next day's file, nothing renamed",
        vec![
            ("app.2026-12-03.log", plain(5..=7)),
            ("app.2026-12-03.log.1", plain(1..=4)),
            ("app.2026-12-04.log", plain(8..=8)),
            ("app.log", link("app.2026-12-04.log")),
        ],
    );

    s.set(DEC_4 + 12 * HOUR);
    s.log(9..=13);
    s.expect(
        "noon: a size rollover of the new day",
        vec![
            ("app.2026-12-03.log", plain(5..=7)),
            ("app.2026-12-03.log.1", plain(1..=4)),
            ("app.2026-12-04.log", plain(12..=13)),
            ("app.2026-12-04.log.1", plain(8..=11)),
            ("app.log", link("app.2026-12-04.log")),
        ],
    );

    s.set(DEC_4 + 3 * DAY + 5);
    s.log(14..=14);
    s.expect(
        "three days without a record: one new file, for the day of the record",
        vec![
            ("app.2026-12-03.log", plain(5..=7)),
            ("app.2026-12-03.log.1", plain(1..=4)),
            ("app.2026-12-04.log", plain(12..=13)),
            ("app.2026-12-04.log.1", plain(8..=11)),
            ("app.2026-12-07.log", plain(14..=14)),
            ("app.log", link("app.2026-12-07.log")),
        ],
    );

    // A restart the same day appends to the day's file.
    s.stop();
    s.start(s.dated().current_symlink(s.d().join("app.log")));
    s.set(DEC_4 + 3 * DAY + 20 * HOUR);
    s.log(15..=15);
    s.expect(
        "restart the same day",
        vec![
            ("app.2026-12-03.log", plain(5..=7)),
            ("app.2026-12-03.log.1", plain(1..=4)),
            ("app.2026-12-04.log", plain(12..=13)),
            ("app.2026-12-04.log.1", plain(8..=11)),
            ("app.2026-12-07.log", plain(14..=15)),
            ("app.log", link("app.2026-12-07.log")),
        ],
    );

    // A restart the next day starts that day's file, and the link follows at once.
    s.stop();
    s.set(DEC_4 + 4 * DAY + HOUR);
    s.start(s.dated().current_symlink(s.d().join("app.log")));
    s.expect(
        "restart the next day",
        vec![
            ("app.2026-12-03.log", plain(5..=7)),
            ("app.2026-12-03.log.1", plain(1..=4)),
            ("app.2026-12-04.log", plain(12..=13)),
            ("app.2026-12-04.log.1", plain(8..=11)),
            ("app.2026-12-07.log", plain(14..=15)),
            ("app.2026-12-08.log", empty()),
            ("app.log", link("app.2026-12-08.log")),
        ],
    );
    s.close();
}

#[test]
fn hourly_names_and_an_at_time_follow_the_when_unit() {
    let mut s = Scene::at(DEC_3_22H + 30 * 60);
    s.start(
        s.builder()
            .dated(true)
            .when(When::Hours)
            .utc(true)
            .current_symlink(s.d().join("current")),
    );
    s.log(1..=1);
    s.set(DEC_3_22H + HOUR);
    s.log(2..=2);
    s.set(DEC_3_22H + 2 * HOUR + 59 * 60);
    s.log(3..=3);
    s.expect(
        "three hours",
        vec![
            ("app.2026-12-03_22.log", plain(1..=1)),
            ("app.2026-12-03_23.log", plain(2..=2)),
            ("app.2026-12-04_00.log", plain(3..=3)),
            ("current", link("app.2026-12-04_00.log")),
        ],
    );
    s.close();

    // Midnight at 02:30: the file written at 01:00 on the 4th is the 3rd's.
    let mut s = Scene::at(DEC_4 + HOUR);
    s.start(
        s.builder()
            .dated(true)
            .when(When::Midnight)
            .at_time(2, 30, 0)
            .utc(true),
    );
    s.log(1..=1);
    s.set(DEC_4 + 2 * HOUR + 30 * 60);
    s.log(2..=2);
    s.expect(
        "02:30",
        vec![
            ("app.2026-12-03.log", plain(1..=1)),
            ("app.2026-12-04.log", plain(2..=2)),
        ],
    );
    s.close();
}

#[test]
fn retention_by_count_age_and_total_size_covers_every_dated_file() {
    // backup_count: the newest two rotated files, whatever their period.
    let mut s = Scene::at(DEC_3_22H);
    s.start(s.dated().backup_count(2));
    s.log(1..=5);
    s.set(DEC_4);
    s.log(6..=6);
    s.expect(
        "count: two backups",
        vec![
            ("app.2026-12-03.log", plain(5..=5)),
            ("app.2026-12-03.log.1", plain(1..=4)),
            ("app.2026-12-04.log", plain(6..=6)),
        ],
    );
    s.log(7..=10);
    s.expect(
        "count: a size backup of today pushes out the oldest",
        vec![
            ("app.2026-12-03.log", plain(5..=5)),
            ("app.2026-12-04.log", plain(10..=10)),
            ("app.2026-12-04.log.1", plain(6..=9)),
        ],
    );
    s.close();

    // max_age: a file's age counts from its rollover (the first record of the next period).
    let mut s = Scene::at(DEC_3_22H);
    s.start(s.dated().max_age(Duration::from_secs(2 * DAY as u64 - 1)));
    s.log(1..=1);
    for day in 1..=3 {
        s.set(DEC_3_22H + day * DAY);
        s.log(day as u32 + 1..=day as u32 + 1);
    }
    s.expect(
        "age: the 3rd was closed 2 days ago, the 4th 1 day ago",
        vec![
            ("app.2026-12-04.log", plain(2..=2)),
            ("app.2026-12-05.log", plain(3..=3)),
            ("app.2026-12-06.log", plain(4..=4)),
        ],
    );
    s.close();

    // Across a restart: retention at start reads the directory.
    s.start(s.dated().backup_count(1));
    s.expect(
        "count at start",
        vec![
            ("app.2026-12-05.log", plain(3..=3)),
            ("app.2026-12-06.log", plain(4..=4)),
        ],
    );
    s.close();

    // max_total_bytes: the newest files that fit in 12 bytes (two 5-byte lines a file).
    let mut s = Scene::at(DEC_3_22H);
    s.start(s.dated().max_total_bytes(12));
    for day in 0..4 {
        s.set(DEC_3_22H + day * DAY);
        let first = day as u32 * 2 + 1;
        s.log(first..=first + 1);
    }
    s.expect(
        "total size: 10 bytes kept, the next file would make 20",
        vec![
            ("app.2026-12-05.log", plain(5..=6)),
            ("app.2026-12-06.log", plain(7..=8)),
        ],
    );
    s.close();
}

#[test]
fn files_of_another_shape_are_never_touched() {
    let mut s = Scene::at(DEC_3_22H);
    let others = [
        "app.log.1",
        "app.2026-12-01.txt",
        "app.2026-12-01.log.bak",
        "app.2026-12-01_10.log",
        "other.2026-12-01.log",
    ];
    for name in others {
        std::fs::write(s.d().join(name), "r999\n").unwrap();
    }
    std::fs::write(s.d().join("app.2026-12-01.log"), "r000\n").unwrap();
    s.start(s.dated().backup_count(1).max_total_bytes(1));
    s.log(1..=1);
    let mut expected: Vec<(&str, Entry)> = others.iter().map(|n| (*n, plain(999..=999))).collect();
    expected.push(("app.2026-12-03.log", plain(1..=1)));
    s.expect("a dated file of the 1st is retention's to delete", expected);
    s.close();
}

#[cfg(feature = "gzip")]
#[test]
fn compression_covers_closed_days_and_size_backups_never_the_active_file() {
    let mut s = Scene::at(DEC_3_22H);
    s.start(
        s.dated()
            .compression(pylog_core::Compression::Gzip)
            .current_symlink(s.d().join("app.log")),
    );
    s.log(1..=6);
    // `close()` waits for the compression worker.
    s.close();
    s.expect(
        "a size backup of today",
        vec![
            ("app.2026-12-03.log", plain(5..=6)),
            ("app.2026-12-03.log.1.gz", gzip(1..=4)),
            ("app.log", link("app.2026-12-03.log")),
        ],
    );
    s.set(DEC_4);
    s.log(7..=11);
    s.close();
    s.expect(
        "the next day",
        vec![
            ("app.2026-12-03.log.gz", gzip(5..=6)),
            ("app.2026-12-03.log.1.gz", gzip(1..=4)),
            ("app.2026-12-04.log", plain(11..=11)),
            ("app.2026-12-04.log.1.gz", gzip(7..=10)),
            ("app.log", link("app.2026-12-04.log")),
        ],
    );
    // Retention by total size counts the compressed sizes, after compression.
    let sizes: u64 = ["app.2026-12-04.log.1.gz", "app.2026-12-03.log.gz"]
        .iter()
        .map(|n| std::fs::metadata(s.d().join(n)).unwrap().len())
        .sum();
    s.start(
        s.dated()
            .compression(pylog_core::Compression::Gzip)
            .max_total_bytes(sizes - 1),
    );
    s.close();
    s.expect(
        "restart with max_total_bytes below the two newest backups",
        vec![
            ("app.2026-12-04.log", plain(11..=11)),
            ("app.2026-12-04.log.1.gz", gzip(7..=10)),
            ("app.log", link("app.2026-12-04.log")),
        ],
    );
}

/// A restart with the clock back in a period whose files were already compressed: that period's
/// file is started again, and when it is compressed in turn its records go after the old ones in
/// the same compressed file (gzip members and zstd frames concatenate); no backup is replaced and
/// every record is in one file exactly once.
#[cfg(any(feature = "gzip", feature = "zstd"))]
fn a_clock_set_back_never_replaces_a_compressed_period(
    compression: pylog_core::Compression,
    compressed: fn(Vec<u32>) -> Entry,
) {
    let ext = compression.extension();
    let name = |plain: &str| format!("{plain}{ext}");
    let mut s = Scene::at(DEC_3_22H);
    s.start(s.dated().compression(compression));
    s.log(1..=6);
    s.set(DEC_4);
    s.log(7..=7);
    s.stop();
    let (day3, day3_1, day3_2) = (
        name("app.2026-12-03.log"),
        name("app.2026-12-03.log.1"),
        name("app.2026-12-03.log.2"),
    );
    s.expect(
        "the 3rd compressed",
        vec![
            (&day3, compressed(vec![5, 6])),
            (&day3_1, compressed(vec![1, 2, 3, 4])),
            ("app.2026-12-04.log", plain(7..=7)),
        ],
    );

    s.set(DEC_3_22H + HOUR);
    s.start(s.dated().compression(compression));
    s.log(8..=12);
    s.close();
    s.expect(
        "restart on the 3rd: its file again, and a size backup",
        vec![
            ("app.2026-12-03.log", plain(12..=12)),
            (&day3, compressed(vec![5, 6])),
            (&day3_1, compressed(vec![8, 9, 10, 11])),
            (&day3_2, compressed(vec![1, 2, 3, 4])),
            ("app.2026-12-04.log", plain(7..=7)),
        ],
    );

    s.set(DEC_4 + HOUR);
    s.log(13..=13);
    s.stop();
    let after = || {
        vec![
            (day3.as_str(), compressed(vec![5, 6, 12])),
            (day3_1.as_str(), compressed(vec![8, 9, 10, 11])),
            (day3_2.as_str(), compressed(vec![1, 2, 3, 4])),
            ("app.2026-12-04.log", plain(7..=7).and(13)),
        ]
    };
    s.expect("the 4th again: the 3rd's new records joined", after());

    // A crash between the rename of the joined file and the removal of the plain one leaves
    // both: the plain file is removed at the next start, and not added a second time.
    std::fs::write(s.d().join("app.2026-12-03.log"), "r012\n").unwrap();
    s.start(s.dated().compression(compression));
    s.stop();
    s.expect("restart after a crash at the commit", after());
}

#[cfg(feature = "gzip")]
#[test]
fn a_clock_set_back_never_replaces_a_gzip_period() {
    a_clock_set_back_never_replaces_a_compressed_period(pylog_core::Compression::Gzip, Entry::Gzip);
}

#[cfg(feature = "zstd")]
#[test]
fn a_clock_set_back_never_replaces_a_zstd_period() {
    a_clock_set_back_never_replaces_a_compressed_period(pylog_core::Compression::Zstd, Entry::Zstd);
}

#[cfg(unix)]
#[test]
fn a_hard_link_names_the_active_file_after_every_rollover() {
    use std::os::unix::fs::MetadataExt;
    let mut s = Scene::at(DEC_3_22H);
    let d = s.d().to_path_buf();
    let current = d.join("current.log");
    let same_file = |active: &str| {
        let (a, b) = (
            std::fs::metadata(&current).unwrap(),
            std::fs::metadata(d.join(active)).unwrap(),
        );
        assert_eq!(
            (a.dev(), a.ino()),
            (b.dev(), b.ino()),
            "current is {active}"
        );
    };
    s.start(s.dated().current_hard_link(&current));
    same_file("app.2026-12-03.log");
    s.log(1..=5);
    same_file("app.2026-12-03.log");
    assert_eq!(std::fs::read_to_string(&current).unwrap(), "r005\n");
    s.set(DEC_4);
    s.log(6..=6);
    same_file("app.2026-12-04.log");
    // A restart keeps its own link.
    s.start(s.dated().current_hard_link(&current));
    same_file("app.2026-12-04.log");
    // With delay, the link is made with the file, at the first record.
    s.set(DEC_4 + DAY);
    s.start(s.dated().current_hard_link(&current).delay(true));
    same_file("app.2026-12-04.log");
    s.log(7..=7);
    same_file("app.2026-12-05.log");
    s.stop();
}

#[cfg(unix)]
#[test]
fn a_reader_opening_the_symlink_always_finds_the_active_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let clock = Arc::new(ManualClock::default());
    clock.set(DEC_3_22H);
    let handler = build(
        RotatingFileHandler::builder(d.join("app.log"))
            .dated(true)
            .when(When::Seconds)
            .utc(true)
            .clock(clock.clone())
            .current_symlink(d.join("app.log")),
    );
    let (_tree, logger) = logger_with(&handler);
    log(&logger, 0..=0);
    let done = AtomicBool::new(false);
    let opened = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut opened = 0u32;
            while !done.load(Ordering::Relaxed) {
                // The link is replaced by a rename: it is never missing, and always names a
                // file holding one whole record.
                let text = std::fs::read_to_string(d.join("app.log"))
                    .unwrap_or_else(|e| panic!("the stable name could not be read: {e}"));
                assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
                opened += 1;
            }
            opened
        });
        for n in 1..=2000 {
            clock.set(DEC_3_22H + i64::from(n));
            log(&logger, n..=n);
        }
        done.store(true, Ordering::Relaxed);
        reader.join().unwrap()
    });
    assert!(opened > 0);
    let target = std::fs::read_link(d.join("app.log")).unwrap();
    assert_eq!(target, PathBuf::from("app.2026-12-03_22-33-20.log"));
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 2002);
    handler.close();
}

/// Two shared handlers on one base name stand for two processes (each has its own open file
/// description of the lock file), each with its own clock.
#[test]
fn shared_handlers_follow_the_one_that_starts_a_period() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (clock_a, clock_b) = (
        Arc::new(ManualClock::default()),
        Arc::new(ManualClock::default()),
    );
    clock_a.set(DEC_4 - 10);
    clock_b.set(DEC_4 - 10);
    let shared = |clock: &Arc<ManualClock>| {
        build(
            dated(d, clock)
                .shared(true)
                .current_symlink(d.join("app.log")),
        )
    };
    let (a, b) = (shared(&clock_a), shared(&clock_b));
    let (_tree_a, logger_a) = logger_with(&a);
    let (_tree_b, logger_b) = logger_with(&b);
    log(&logger_a, 1..=1);
    log(&logger_b, 2..=2);
    expect(
        d,
        "both write the day's file",
        vec![
            ("app.2026-12-03.log", plain(1..=2)),
            ("app.log", link("app.2026-12-03.log")),
        ],
    );

    clock_a.set(DEC_4);
    log(&logger_a, 3..=3);
    expect(
        d,
        "a starts the next day and moves the link",
        vec![
            ("app.2026-12-03.log", plain(1..=2)),
            ("app.2026-12-04.log", plain(3..=3)),
            ("app.log", link("app.2026-12-04.log")),
        ],
    );

    // b's clock is still before midnight: its record goes to the file a started, never to the
    // closed one (which a may be compressing).
    log(&logger_b, 4..=4);
    clock_b.set(DEC_4 + 5);
    log(&logger_b, 5..=5);
    clock_a.set(DEC_4 + 6);
    log(&logger_a, 6..=6);
    expect(
        d,
        "b follows a; nobody rolls the new day again",
        vec![
            ("app.2026-12-03.log", plain(1..=2)),
            ("app.2026-12-04.log", plain(3..=6)),
            ("app.log", link("app.2026-12-04.log")),
        ],
    );

    // A size rollover by b (the day's file is full): a reopens the new file before its next
    // record.
    log(&logger_b, 7..=7);
    log(&logger_a, 8..=8);
    expect(
        d,
        "a size rollover by b, followed by a",
        vec![
            ("app.2026-12-03.log", plain(1..=2)),
            ("app.2026-12-04.log", plain(7..=8)),
            ("app.2026-12-04.log.1", plain(3..=6)),
            ("app.log", link("app.2026-12-04.log")),
        ],
    );
    a.close();
    b.close();
}

#[test]
fn wrong_combinations_are_refused_at_build_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clock = Arc::new(ManualClock::default());
    clock.set(DEC_3_22H);
    std::fs::write(d.join("app.log"), "an older log\n").unwrap();
    let err = |builder: RotatingFileHandlerBuilder| builder.build().err().unwrap().to_string();

    let e = err(dated(d, &clock).current_symlink(d.join("app.log")));
    assert!(
        e.contains(&format!(
            "'{}' exists and is not a symbolic link",
            d.join("app.log").display()
        )),
        "{e}"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("app.log")).unwrap(),
        "an older log\n"
    );
    let e = err(dated(d, &clock).current_hard_link(d.join("app.log")));
    assert!(e.contains("is not a hard link"), "{e}");
    let e = err(RotatingFileHandler::builder(d.join("app.log")).dated(true));
    assert!(e.contains("dated(true) needs a time trigger"), "{e}");
    let e = err(RotatingFileHandler::builder(d.join("app.log")).current_symlink(d.join("x")));
    assert!(e.contains("needs dated(true)"), "{e}");
    let e = err(dated(d, &clock).namer(|p| p.to_path_buf()));
    assert!(e.contains("cannot be combined with a namer"), "{e}");
    let e = err(dated(d, &clock).current_symlink(d.join("app.2026-12-01.log")));
    assert!(e.contains("has the shape of a dated file name"), "{e}");
}
