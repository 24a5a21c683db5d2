//! A `TimedRotatingFileHandler` rolling its file over every second, keeping 3 old files, with
//! Python's names for them (`app.log.YYYY-MM-DD_HH-MM-SS`, the start of the second each covers).
//!
//! In Python this takes six real seconds:
//!
//! ```python
//! import glob, logging, logging.handlers, os, time
//!
//! LOG_FILENAME = 'timed-rotating-example/app.log'
//! os.makedirs('timed-rotating-example', exist_ok=True)
//!
//! logger = logging.getLogger('app')
//! logger.setLevel(logging.INFO)
//! handler = logging.handlers.TimedRotatingFileHandler(
//!     LOG_FILENAME, when='S', interval=1, backupCount=3, utc=True, delay=True)
//! handler.setFormatter(logging.Formatter('%(levelname)s %(name)s: %(message)s'))
//! logger.addHandler(handler)
//!
//! for second in range(6):
//!     for n in range(2):
//!         logger.info('second %d, record %d', second, n)
//!     time.sleep(1)
//!
//! for filename in sorted(glob.glob(LOG_FILENAME + '*')):
//!     print(filename)
//! ```
//!
//! Here the handler reads the time from a [`Clock`] the example moves by hand, so it runs at once
//! and always prints the same names: the clock starts at 2026-05-04 10:00:00 UTC and advances one
//! second after every two records. (`delay(true)` opens the file on the first record, so the first
//! rollover is computed from the clock's time, not from the modification time of an existing
//! file, as CPython does too. `utc(true)` names the files in UTC; without it, in local time.)
//!
//! Run with `cargo run --example timed_rotating [DIR]` (default `./timed-rotating-example`; any
//! `app.log*` left there by an earlier run is removed first). It prints:
//! ```text
//! timed-rotating-example/app.log                      INFO app: second 5, record 0 | INFO app: second 5, record 1
//! timed-rotating-example/app.log.2026-05-04_10-00-02  INFO app: second 2, record 0 | INFO app: second 2, record 1
//! timed-rotating-example/app.log.2026-05-04_10-00-03  INFO app: second 3, record 0 | INFO app: second 3, record 1
//! timed-rotating-example/app.log.2026-05-04_10-00-04  INFO app: second 4, record 0 | INFO app: second 4, record 1
//! ```
//! Five rollovers happened (at 10:00:01 … 10:00:05); the files of seconds 0 and 1 were deleted, so
//! only 3 backups remain. CPython 3.11 leaves the same files with the same records, named for the
//! real seconds it ran in.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use pylog::{Clock, Formatter, Level, TimedRotatingFileHandler, When};

/// 2026-05-04 10:00:00 UTC.
const START: i64 = 1_777_888_800;

/// A clock the example moves by hand: whole seconds since the Unix epoch.
struct ManualClock(AtomicI64);

impl ManualClock {
    fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> f64 {
        self.0.load(Ordering::Relaxed) as f64
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "timed-rotating-example".to_owned()),
    );
    std::fs::create_dir_all(&dir)?;
    remove_old_files(&dir, "app.log")?;

    let clock = Arc::new(ManualClock(AtomicI64::new(START)));
    let logger = pylog::get_logger("app");
    logger.set_level(Level::INFO);
    // TimedRotatingFileHandler(LOG_FILENAME, when='S', interval=1, backupCount=3, utc=True,
    // delay=True), reading the time from `clock`.
    logger.add_handler(
        TimedRotatingFileHandler::builder(dir.join("app.log"))
            .when(When::Seconds)
            .interval(1)
            .backup_count(3)
            .utc(true)
            .delay(true)
            .clock(clock.clone())
            .build()?
            .with_formatter(Formatter::new("%(levelname)s %(name)s: %(message)s")?),
    );
    pylog::install()?;

    for second in 0..6 {
        for n in 0..2 {
            tracing::info!(target: "app", "second {second}, record {n}");
        }
        clock.advance(1); // time.sleep(1)
    }
    pylog::shutdown();

    for path in log_files(&dir, "app.log")? {
        let text = std::fs::read_to_string(&path)?;
        let records: Vec<&str> = text.lines().collect();
        println!("{:<51} {}", path.display(), records.join(" | "));
    }
    Ok(())
}

/// The files of `dir` whose names start with `prefix`, sorted.
fn log_files(dir: &Path, prefix: &str) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(prefix) {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// Removes what an earlier run left, so that every run starts from an empty log.
fn remove_old_files(dir: &Path, prefix: &str) -> std::io::Result<()> {
    for path in log_files(dir, prefix)? {
        std::fs::remove_file(path)?;
    }
    Ok(())
}
