//! Records per second through a rotating log file: pylog's `RotatingFileHandler` (numbered, dated,
//! gzip) against spdlog-rs's `RotatingFileSink`, `tracing-appender`'s rolling appender (under
//! tracing-subscriber's `fmt`) and `log4rs`'s `RollingFileAppender` (plain and gzip), in the same
//! run. See `benches/README.md` for what each case measures and how to read the report.
//!
//! Run with `cargo bench --bench rotation` (a custom harness, no criterion). Settings from the
//! environment: `ROTATION_RECORDS` (records per case and round, default 500 000: about 20 MB,
//! so every size-rotating side rolls over at 10 MiB), `ROTATION_ROUNDS` (default 5), `ROTATION_ONLY` (run only the cases whose
//! name contains one of its comma-separated parts). `cargo test --benches` runs one short round.
//!
//! Every round runs every case once, in an order rotated by one case each round, so that the
//! drift of a shared machine's cores reaches every side alike; a row gives the median of its
//! rounds (ns per record) and its ratio to the spdlog-rs row, after one warm-up pass that is not
//! counted. A case builds its logger in a fresh temp dir, then times the records and the final
//! flush, and drops everything (pylog's `+gzip` handler waits there for its last compression)
//! before the next case, untimed.
//!
//! | case | setup | line (bytes) |
//! |---|---|---|
//! | `write(2) only` | the floor: `write_all` of pylog's line to an append-mode `File` | (41) |
//! | `pylog` | `RotatingFileHandler` (10 MiB, 3 backups) on the logger `bench` of a fresh `Manager`, `tracing::info!` through `layer_for` | `INFO bench.app: request handled in 12 ms` (41) |
//! | `pylog direct API` | the same handler fed by `logger.info(format_args!(..))` (no `tracing` dispatch), like-for-like with log4rs and spdlog-rs, which are also called directly | (41) |
//! | `pylog dated` | as `pylog`, with `dated(true)`, `when(Midnight)` and `current_symlink`: `pylog.<date>.log`, `.1` … past 10 MiB | (41) |
//! | `spdlog-rs` | `RotatingFileSink` (`FileSize(10 MiB)`, `max_files(4)`: the current file and 3 backups), flushed every record, `{level} {logger}: {payload}{eol}`, `spdlog::info!` | `info bench.app: request handled in 12 ms` (41) |
//! | `spdlog-rs daily` | `RotatingFileSink` with `RotationPolicy::Daily` (date-named files, no size trigger), flushed every record | (41) |
//! | `tracing-appender` | `RollingFileAppender` (`DAILY`, `max_log_files(4)`) as the `fmt` layer's writer | ` INFO bench::app: request handled in 12 ms` (43) |
//! | `tracing-appender non_blocking` | the same behind `non_blocking` (default: lossy, 128 000 lines): the caller's cost only | (same) |
//! | `tracing-appender non_blocking lossless` | `lossy(false)`, and the case waits until the worker has written every line | (same) |
//! | `log4rs` | `RollingFileAppender` + `CompoundPolicy(SizeTrigger(10 MiB), FixedWindowRoller(3))`, `PatternEncoder("{l} {t}: {m}{n}")`, a `log::Record` given to `log4rs::Logger` | `INFO bench::app: request handled in 12 ms` (42) |
//! | `pylog+gzip` | as `pylog`, with `compression(Compression::Gzip)`: rotated files are compressed on the handler's own thread | (41) |
//! | `log4rs+gzip` | as `log4rs`, with the roller's pattern ending in `.gz`: log4rs compresses on the logging thread | (42) |
//!
//! Every side writes one line per record with one `write(2)`, unbuffered or flushed after each
//! record (log4rs formats into a 1 KiB `BufWriter` and flushes it; spdlog-rs into its
//! `BufWriter`, flushed by `flush_level_filter(All)`; the non-blocking writer hands the line to a
//! worker thread, which writes it the same way).
//!
//! log4rs is never installed as the global `log` logger: a `log4rs::Logger` is built from the
//! config and called directly as a `log::Log`, with the `log::Record` built as the `log::info!`
//! macro builds it. Each `tracing` case sets its own `Dispatch` with
//! `tracing::dispatcher::with_default`; nothing is installed globally.

mod common;

use common::{Plan, interleaved_medians};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pylog_core::{Compression, Formatter, Level, Manager, RotatingFileHandler, When};
use spdlog::formatter::{PatternFormatter, pattern};
use spdlog::sink::{RotatingFileSink, RotationPolicy};
use tracing::Dispatch;
use tracing_appender::non_blocking::NonBlockingBuilder;
use tracing_appender::rolling::{RollingFileAppender as AppenderFile, Rotation};
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

use log4rs::append::rolling_file::RollingFileAppender as Log4rsFile;
use log4rs::append::rolling_file::policy::compound::CompoundPolicy;
use log4rs::append::rolling_file::policy::compound::roll::fixed_window::FixedWindowRoller;
use log4rs::append::rolling_file::policy::compound::trigger::size::SizeTrigger;
use log4rs::config::{Appender, Config, Root};
use log4rs::encode::pattern::PatternEncoder;

/// Roll over at 10 MiB.
const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// Keep 3 rotated files.
const BACKUPS: u32 = 3;
/// pylog's format (Python's `%` style).
const PYLOG_FORMAT: &str = "%(levelname)s %(name)s: %(message)s";
/// log4rs's pattern for the same line.
const LOG4RS_PATTERN: &str = "{l} {t}: {m}{n}";

const PYLOG_LINE: &str = "INFO bench.app: request handled in 12 ms\n";
const SPDLOG_LINE: &str = "info bench.app: request handled in 12 ms\n";
const FMT_LINE: &str = " INFO bench::app: request handled in 12 ms\n";
const LOG4RS_LINE: &str = "INFO bench::app: request handled in 12 ms\n";

// The events.

/// The `tracing` event (pylog and tracing-appender share this callsite).
#[inline(never)]
fn tracing_event() {
    tracing::info!(target: "bench::app", "request handled in {} ms", 12);
}

/// The `log` record, built as `log::info!(target: "bench::app", ...)` builds it, given to `logger`.
#[inline(never)]
fn log_event(logger: &dyn log::Log) {
    logger.log(
        &log::Record::builder()
            .args(format_args!("request handled in {} ms", 12))
            .level(log::Level::Info)
            .target("bench::app")
            .module_path_static(Some(module_path!()))
            .file_static(Some(file!()))
            .line(Some(line!()))
            .build(),
    );
}

/// Times `n` tracing events under `dispatch`.
fn time_tracing(dispatch: &Dispatch, n: u64) -> Duration {
    tracing::dispatcher::with_default(dispatch, || {
        let start = Instant::now();
        for _ in 0..n {
            tracing_event();
        }
        start.elapsed()
    })
}

// The sides.

/// How pylog's handler rotates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PylogRotation {
    Numbered,
    Dated,
    Gzip,
}

/// A fresh tree whose logger `bench` has a `RotatingFileHandler` in `dir`.
fn pylog_tree(dir: &Path, rotation: PylogRotation) -> Manager {
    let tree = Manager::new();
    let logger = tree.get_logger("bench");
    logger.set_level(Level::INFO);
    let mut builder = RotatingFileHandler::builder(dir.join("pylog.log"))
        .max_bytes(MAX_BYTES)
        .backup_count(BACKUPS);
    match rotation {
        PylogRotation::Numbered => {}
        PylogRotation::Dated => {
            builder = builder
                .dated(true)
                .when(When::Midnight)
                .current_symlink(dir.join("pylog.log"));
        }
        PylogRotation::Gzip => builder = builder.compression(Compression::Gzip),
    }
    logger.add_handler(
        builder
            .build()
            .expect("open the log file")
            .with_formatter(Formatter::new(PYLOG_FORMAT).expect("valid format")),
    );
    tree
}

/// pylog behind the layer.
fn pylog_dispatch(dir: &Path, rotation: PylogRotation) -> Dispatch {
    Dispatch::new(
        tracing_subscriber::registry().with(tracing_pylog::layer_for(pylog_tree(dir, rotation))),
    )
}

fn pylog(rotation: PylogRotation, dir: &Path, n: u64) -> Duration {
    let dispatch = pylog_dispatch(dir, rotation);
    time_tracing(&dispatch, n)
}

fn pylog_direct(dir: &Path, n: u64) -> Duration {
    let tree = pylog_tree(dir, PylogRotation::Numbered);
    let logger = tree.get_logger("bench.app");
    let start = Instant::now();
    for _ in 0..n {
        logger.info(format_args!("request handled in {} ms", 12));
    }
    start.elapsed()
}

/// spdlog-rs: a rotating sink flushed every record.
fn spdlog_logger(dir: &Path, policy: RotationPolicy) -> spdlog::Logger {
    let sink = RotatingFileSink::builder()
        .base_path(dir.join("spdlog.log"))
        .rotation_policy(policy)
        .max_files(BACKUPS as usize + 1)
        .formatter(PatternFormatter::new(pattern!(
            "{level} {logger}: {payload}{eol}"
        )))
        .build()
        .expect("open the log file");
    spdlog::Logger::builder()
        .name("bench.app")
        .sink(Arc::new(sink))
        .flush_level_filter(spdlog::LevelFilter::All)
        .level_filter(spdlog::LevelFilter::All)
        .build()
        .expect("valid logger")
}

fn spdlog(dir: &Path, n: u64, policy: RotationPolicy) -> Duration {
    let logger = spdlog_logger(dir, policy);
    let start = Instant::now();
    for _ in 0..n {
        spdlog::info!(logger: logger, "request handled in {} ms", 12);
    }
    logger.flush();
    start.elapsed()
}

/// tracing-appender's rolling appender: daily (it has no size trigger), 4 files kept (the current
/// one and 3 older, as `backup_count = 3`).
fn rolling_appender(dir: &Path) -> AppenderFile {
    AppenderFile::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("tracing-appender")
        .filename_suffix("log")
        .max_log_files(BACKUPS as usize + 1)
        .build(dir)
        .expect("open the log file")
}

/// tracing-subscriber's `fmt` layer writing plain lines (no time, no ANSI) to `writer`.
fn fmt_dispatch<W>(writer: W) -> Dispatch
where
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let layer = fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_target(true)
        .with_writer(writer);
    Dispatch::new(tracing_subscriber::registry().with(layer))
}

fn tracing_appender(dir: &Path, n: u64) -> Duration {
    time_tracing(&fmt_dispatch(rolling_appender(dir)), n)
}

/// Counts the bytes the non-blocking worker has written.
struct Counted<W> {
    inner: W,
    written: Arc<AtomicU64>,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written.fetch_add(n as u64, Ordering::Release);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Records the default (lossy) non-blocking writer dropped, over all rounds.
static NON_BLOCKING_DROPPED: AtomicU64 = AtomicU64::new(0);
static NON_BLOCKING_SENT: AtomicU64 = AtomicU64::new(0);

/// The default non-blocking writer: lossy, a channel of 128 000 lines. Only the caller's side is
/// timed; what does not fit in the channel is dropped (and counted).
fn tracing_appender_non_blocking(dir: &Path, n: u64) -> Duration {
    let (non_blocking, guard) = tracing_appender::non_blocking(rolling_appender(dir));
    let dropped = non_blocking.error_counter();
    let elapsed = time_tracing(&fmt_dispatch(non_blocking), n);
    drop(guard);
    NON_BLOCKING_DROPPED.fetch_add(dropped.dropped_lines() as u64, Ordering::Relaxed);
    NON_BLOCKING_SENT.fetch_add(n, Ordering::Relaxed);
    elapsed
}

/// Lossless (`lossy(false)`: a full channel blocks the caller), waiting for the worker to write
/// every line it was sent: the rate lines reach the file.
fn tracing_appender_lossless(dir: &Path, n: u64) -> Duration {
    let written = Arc::new(AtomicU64::new(0));
    let writer = Counted {
        inner: rolling_appender(dir),
        written: written.clone(),
    };
    let (non_blocking, guard) = NonBlockingBuilder::default().lossy(false).finish(writer);
    let dispatch = fmt_dispatch(non_blocking);
    let target = n * FMT_LINE.len() as u64;
    let start = Instant::now();
    tracing::dispatcher::with_default(&dispatch, || {
        for _ in 0..n {
            tracing_event();
        }
    });
    while written.load(Ordering::Acquire) < target {
        std::thread::sleep(Duration::from_micros(20));
    }
    let elapsed = start.elapsed();
    drop(dispatch);
    drop(guard);
    elapsed
}

/// log4rs: a rolling file with a size trigger and a fixed window of 3, with `extension` at the
/// end of the roller's pattern (`.gz` compresses), not installed globally.
fn log4rs_logger(dir: &Path, extension: &str) -> log4rs::Logger {
    let roller = FixedWindowRoller::builder()
        .base(1)
        .build(
            &format!("{}/log4rs.log.{{}}{extension}", dir.display()),
            BACKUPS,
        )
        .expect("roller");
    let policy = CompoundPolicy::new(Box::new(SizeTrigger::new(MAX_BYTES)), Box::new(roller));
    let appender = Log4rsFile::builder()
        .encoder(Box::new(PatternEncoder::new(LOG4RS_PATTERN)))
        .build(dir.join("log4rs.log"), Box::new(policy))
        .expect("open the log file");
    let config = Config::builder()
        .appender(Appender::builder().build("file", Box::new(appender)))
        .build(
            Root::builder()
                .appender("file")
                .build(log::LevelFilter::Info),
        )
        .expect("valid config");
    log4rs::Logger::new(config)
}

fn log4rs(dir: &Path, n: u64, extension: &str) -> Duration {
    use log::Log;
    let logger = log4rs_logger(dir, extension);
    let start = Instant::now();
    for _ in 0..n {
        log_event(&logger);
    }
    logger.flush();
    start.elapsed()
}

/// The floor: one `write(2)` of pylog's line to an append-mode file, nothing else.
fn write_only(dir: &Path, n: u64) -> Duration {
    let file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(dir.join("write.log"))
        .expect("open the log file");
    let start = Instant::now();
    for _ in 0..n {
        (&file).write_all(PYLOG_LINE.as_bytes()).expect("write");
    }
    start.elapsed()
}

// The harness.

/// One side: builds its logger in `dir`, logs `n` records, flushes; returns the time of the
/// records and the flush.
struct Case {
    name: &'static str,
    run: fn(&Path, u64) -> Duration,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "write(2) only",
            run: write_only,
        },
        Case {
            name: "pylog",
            run: |d, n| pylog(PylogRotation::Numbered, d, n),
        },
        Case {
            name: "pylog direct API",
            run: pylog_direct,
        },
        Case {
            name: "pylog dated",
            run: |d, n| pylog(PylogRotation::Dated, d, n),
        },
        Case {
            name: "spdlog-rs",
            run: |d, n| spdlog(d, n, RotationPolicy::FileSize(MAX_BYTES)),
        },
        Case {
            name: "spdlog-rs daily",
            run: |d, n| spdlog(d, n, RotationPolicy::Daily { hour: 0, minute: 0 }),
        },
        Case {
            name: "tracing-appender",
            run: tracing_appender,
        },
        Case {
            name: "tracing-appender non_blocking",
            run: tracing_appender_non_blocking,
        },
        Case {
            name: "tracing-appender non_blocking lossless",
            run: tracing_appender_lossless,
        },
        Case {
            name: "log4rs",
            run: |d, n| log4rs(d, n, ""),
        },
        Case {
            name: "pylog+gzip",
            run: |d, n| pylog(PylogRotation::Gzip, d, n),
        },
        Case {
            name: "log4rs+gzip",
            run: |d, n| log4rs(d, n, ".gz"),
        },
    ]
}

/// The files a case left, with their sizes (showing that rotation happened).
fn list_files(dir: &Path) -> String {
    let mut files: Vec<(String, u64)> = std::fs::read_dir(dir)
        .expect("read the temp dir")
        .filter_map(Result::ok)
        .map(|e| {
            let len = e.metadata().map_or(0, |m| m.len());
            (e.file_name().to_string_lossy().into_owned(), len)
        })
        .collect();
    files.sort();
    files
        .iter()
        .map(|(file, len)| format!("{file} ({:.1} MiB)", *len as f64 / 1048576.0))
        .collect::<Vec<_>>()
        .join(", ")
}

// Sample lines: each side writes one record to a fresh dir, and the file is read back.

fn only_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the temp dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !p.is_symlink())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().expect("one file")
}

fn read(path: &Path) -> String {
    let mut text = String::new();
    File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .expect("read the log file");
    text
}

fn check_sample_lines() {
    let sample = |run: &dyn Fn(&Path)| {
        let dir = tempfile::tempdir().expect("create a temp dir");
        run(dir.path());
        read(&only_file(dir.path()))
    };
    let lines = [
        (
            "pylog",
            PYLOG_LINE,
            sample(&|d| {
                pylog(PylogRotation::Numbered, d, 1);
            }),
        ),
        (
            "pylog dated",
            PYLOG_LINE,
            sample(&|d| {
                pylog(PylogRotation::Dated, d, 1);
            }),
        ),
        (
            "spdlog-rs",
            SPDLOG_LINE,
            sample(&|d| {
                spdlog(d, 1, RotationPolicy::FileSize(MAX_BYTES));
            }),
        ),
        (
            "tracing-appender",
            FMT_LINE,
            sample(&|d| {
                tracing_appender(d, 1);
            }),
        ),
        (
            "log4rs",
            LOG4RS_LINE,
            sample(&|d| {
                log4rs(d, 1, "");
            }),
        ),
    ];
    eprintln!("sample lines (bytes, text):");
    for (name, expected, line) in &lines {
        assert_eq!(line, expected, "{name}");
        eprintln!("  {name:<17} {:>3} {line:?}", line.len());
    }
}

fn main() {
    check_sample_lines();
    let Plan { records, rounds } = Plan::from_env("ROTATION", 500_000, 5);
    let only = common::only("ROTATION_ONLY", ',');
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| only.is_empty() || only.iter().any(|o| c.name.contains(o.as_str())))
        .collect();
    // A warm-up pass, not counted.
    for case in &cases {
        let dir = tempfile::tempdir().expect("create a temp dir");
        (case.run)(dir.path(), records.min(10_000));
    }
    NON_BLOCKING_SENT.store(0, Ordering::Relaxed);
    NON_BLOCKING_DROPPED.store(0, Ordering::Relaxed);
    let mut left: Vec<String> = vec![String::new(); cases.len()];
    let medians = interleaved_medians(
        cases.len(),
        rounds,
        "pylog-rotation-bench-",
        |index, round, dir| {
            let elapsed = (cases[index].run)(dir, records);
            if round == 0 {
                left[index] = list_files(dir);
            }
            elapsed.as_nanos() as f64 / records as f64
        },
    );
    let peer = cases
        .iter()
        .zip(&medians)
        .find(|(c, _)| c.name == "spdlog-rs")
        .map_or(f64::NAN, |(_, m)| *m);
    println!("{records} records per case and round, median of {rounds} interleaved rounds");
    for (case, median) in cases.iter().zip(&medians) {
        println!(
            "  {:<40} {:>8.1} ns/record  {:>5.2} x spdlog-rs",
            case.name,
            median,
            median / peer
        );
    }
    let sent = NON_BLOCKING_SENT.load(Ordering::Relaxed);
    if sent > 0 {
        let dropped = NON_BLOCKING_DROPPED.load(Ordering::Relaxed);
        println!(
            "non_blocking (lossy): {dropped} of {sent} records dropped ({:.1}%)",
            100.0 * dropped as f64 / sent as f64
        );
    }
    println!("files left by the first round:");
    for (case, files) in cases.iter().zip(&left) {
        println!("  {}: {files}", case.name);
    }
}
