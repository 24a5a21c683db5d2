//! Records per second through a rotating log file: pylog's `RotatingFileHandler` against
//! `tracing-appender`'s rolling appender (under tracing-subscriber's `fmt`) and `log4rs`'s
//! `RollingFileAppender`, in the same run. See `benches/README.md` for what each benchmark measures
//! and how to read the report.
//!
//! Run with `cargo bench --bench rotation`; `cargo bench --bench rotation -- pylog` runs one.
//!
//! | benchmark | setup | line (bytes) |
//! |---|---|---|
//! | `rotation/write(2)_only` | the floor: `write_all` of pylog's line to an append-mode `File` | (41) |
//! | `rotation/pylog` | `RotatingFileHandler` (10 MiB, 3 backups) on the logger `bench` of a fresh `Manager`, `tracing::info!` through `layer_for` | `INFO bench.app: request handled in 12 ms` (41) |
//! | `rotation/tracing-appender` | `RollingFileAppender` (`DAILY`, `max_log_files(4)`) as the `fmt` layer's writer | ` INFO bench::app: request handled in 12 ms` (43) |
//! | `rotation/tracing-appender+non_blocking` | the same behind `non_blocking` (default: lossy, 128 000 lines): the caller's cost only | (same) |
//! | `rotation/tracing-appender+non_blocking_lossless_drained` | `lossy(false)`, and each sample waits until the worker has written every line | (same) |
//! | `rotation/log4rs` | `RollingFileAppender` + `CompoundPolicy(SizeTrigger(10 MiB), FixedWindowRoller(3))`, `PatternEncoder("{l} {t}: {m}{n}")`, a `log::Record` given to `log4rs::Logger` | `INFO bench::app: request handled in 12 ms` (42) |
//! | `rotation/pylog+gzip` | as `rotation/pylog`, with `compression(Compression::Gzip)`: rotated files are compressed on the handler's own thread | (41) |
//! | `rotation/log4rs+gzip` | as `rotation/log4rs`, with the roller's pattern ending in `.gz`: log4rs compresses on the logging thread | (42) |
//!
//! The `+gzip` pairs show what compression costs the logging thread: each rotated 10 MiB file is
//! compressed while the benchmark keeps logging.
//!
//! Every side writes one line per record with one `write(2)`, unbuffered (log4rs formats into a
//! 1 KiB `BufWriter` and flushes it after each record; the non-blocking writer hands the line to a
//! worker thread, which writes it the same way).
//!
//! Each benchmark gets its own temp dir, logger and subscriber, built once and dropped before the
//! next benchmark starts (`tracing` combines the interest of every live dispatcher, so two live
//! subscribers would distort each other). The files are not emptied between samples: the size
//! rotating sides roll over every ~250 000 records, so rotations are part of the cost measured.
//! `tracing-appender` has no size trigger (0.2.5 rotates by time only), so its file just grows.
//!
//! log4rs is never installed as the global `log` logger: a `log4rs::Logger` is built from the
//! config and called directly as a `log::Log` (`logger.log(&record)`), with the `log::Record` built
//! as the `log::info!` macro builds it. This skips `log`'s global max-level check (one atomic load)
//! and `tracing`'s dispatch, which the other sides pay.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use pylog_core::{Compression, Formatter, Level, Manager, RotatingFileHandler};
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
const PYLOGGING_FORMAT: &str = "%(levelname)s %(name)s: %(message)s";
/// log4rs's pattern for the same line.
const LOG4RS_PATTERN: &str = "{l} {t}: {m}{n}";

const PYLOGGING_LINE: &str = "INFO bench.app: request handled in 12 ms\n";
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

// The sides.

/// A fresh temp dir (removed on drop).
fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("pylog-rotation-bench-")
        .tempdir()
        .expect("create a temp dir")
}

/// pylog: a `RotatingFileHandler` on the logger `bench` of a fresh tree, behind the layer.
fn pylog_dispatch(dir: &Path) -> Dispatch {
    pylog_dispatch_with(dir, None)
}

/// pylog with its rotated files compressed (or not) on the handler's thread.
fn pylog_dispatch_with(dir: &Path, compression: Option<Compression>) -> Dispatch {
    let tree = pylog_tree_with(dir, compression);
    Dispatch::new(tracing_subscriber::registry().with(tracing_pylog::layer_for(tree)))
}

/// A fresh tree whose logger `bench` has the `RotatingFileHandler`.
fn pylog_tree(dir: &Path) -> Manager {
    pylog_tree_with(dir, None)
}

fn pylog_tree_with(dir: &Path, compression: Option<Compression>) -> Manager {
    let tree = Manager::new();
    let logger = tree.get_logger("bench");
    logger.set_level(Level::INFO);
    let mut builder = RotatingFileHandler::builder(dir.join("pylog.log"))
        .max_bytes(MAX_BYTES)
        .backup_count(BACKUPS);
    if let Some(compression) = compression {
        builder = builder.compression(compression);
    }
    logger.add_handler(
        builder
            .build()
            .expect("open the log file")
            .with_formatter(Formatter::new(PYLOGGING_FORMAT).expect("valid format")),
    );
    tree
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

/// log4rs: a rolling file with a size trigger and a fixed window of 3, not installed globally.
fn log4rs_logger(dir: &Path) -> log4rs::Logger {
    log4rs_logger_with(dir, "")
}

/// log4rs with `extension` at the end of the roller's pattern (`.gz` compresses).
fn log4rs_logger_with(dir: &Path, extension: &str) -> log4rs::Logger {
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

// The benchmarks.

fn rotation(c: &mut Criterion) {
    let mut group = c.benchmark_group("rotation");
    group.throughput(Throughput::Elements(1));

    {
        // The floor: one `write(2)` of pylog's line to an append-mode file, nothing else.
        let dir = temp_dir();
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(dir.path().join("write.log"))
            .expect("open the log file");
        group.bench_function("write(2)_only", |b| {
            b.iter(|| (&file).write_all(PYLOGGING_LINE.as_bytes()).expect("write"));
        });
    }

    {
        let dir = temp_dir();
        let dispatch = pylog_dispatch(dir.path());
        group.bench_function("pylog", |b| {
            tracing::dispatcher::with_default(&dispatch, || b.iter(tracing_event));
        });
        drop(dispatch);
        report_files("pylog", dir.path());
    }

    {
        // The direct API (no `tracing` dispatch), like-for-like with log4rs called as a `log::Log`.
        let dir = temp_dir();
        let tree = pylog_tree(dir.path());
        let logger = tree.get_logger("bench.app");
        group.bench_function("pylog_direct_api", |b| {
            b.iter(|| logger.info(format_args!("request handled in {} ms", 12)));
        });
        drop(logger);
        drop(tree);
        report_files("pylog_direct_api", dir.path());
    }

    {
        let dir = temp_dir();
        let dispatch = fmt_dispatch(rolling_appender(dir.path()));
        group.bench_function("tracing-appender", |b| {
            tracing::dispatcher::with_default(&dispatch, || b.iter(tracing_event));
        });
        drop(dispatch);
        report_files("tracing-appender", dir.path());
    }

    {
        // The default non-blocking writer: lossy, a channel of 128 000 lines. Only the caller's
        // side is timed; what does not fit in the channel is dropped (and counted).
        let dir = temp_dir();
        let written = Arc::new(AtomicU64::new(0));
        let writer = Counted {
            inner: rolling_appender(dir.path()),
            written: written.clone(),
        };
        let (non_blocking, guard) = tracing_appender::non_blocking(writer);
        let dropped = non_blocking.error_counter();
        let dispatch = fmt_dispatch(non_blocking);
        let mut sent = 0u64;
        group.bench_function("tracing-appender+non_blocking", |b| {
            tracing::dispatcher::with_default(&dispatch, || {
                b.iter_custom(|iters| {
                    sent += iters;
                    let start = Instant::now();
                    for _ in 0..iters {
                        tracing_event();
                    }
                    start.elapsed()
                });
            });
        });
        drop(dispatch);
        let in_time = written.load(Ordering::Acquire) / FMT_LINE.len() as u64;
        drop(guard); // flushes what is queued (waiting 1 s at most)
        let total = written.load(Ordering::Acquire) / FMT_LINE.len() as u64;
        let dropped = dropped.dropped_lines() as u64;
        eprintln!(
            "  non_blocking (lossy): {sent} records sent, {dropped} dropped ({:.1}%), {in_time} \
             written by the end of the benchmark, {total} after the guard's flush",
            100.0 * dropped as f64 / sent.max(1) as f64,
        );
        report_files("tracing-appender+non_blocking", dir.path());
    }

    {
        // Lossless (`lossy(false)`: a full channel blocks the caller), and each sample waits for
        // the worker to write every line it was sent: the rate lines reach the file.
        let dir = temp_dir();
        let written = Arc::new(AtomicU64::new(0));
        let writer = Counted {
            inner: rolling_appender(dir.path()),
            written: written.clone(),
        };
        let (non_blocking, guard) = NonBlockingBuilder::default().lossy(false).finish(writer);
        let dispatch = fmt_dispatch(non_blocking);
        let mut sent = 0u64;
        group.bench_function("tracing-appender+non_blocking_lossless_drained", |b| {
            tracing::dispatcher::with_default(&dispatch, || {
                b.iter_custom(|iters| {
                    sent += iters;
                    let target = sent * FMT_LINE.len() as u64;
                    let start = Instant::now();
                    for _ in 0..iters {
                        tracing_event();
                    }
                    while written.load(Ordering::Acquire) < target {
                        std::thread::sleep(Duration::from_micros(20));
                    }
                    start.elapsed()
                });
            });
        });
        drop(dispatch);
        drop(guard);
        let total = written.load(Ordering::Acquire) / FMT_LINE.len() as u64;
        eprintln!("  non_blocking (lossless): {sent} records sent, {total} written");
        report_files("tracing-appender+non_blocking_lossless_drained", dir.path());
    }

    {
        let dir = temp_dir();
        let logger = log4rs_logger(dir.path());
        group.bench_function("log4rs", |b| b.iter(|| log_event(&logger)));
        drop(logger);
        report_files("log4rs", dir.path());
    }

    {
        // Compression on the handler's thread: the logging thread only renames.
        let dir = temp_dir();
        let dispatch = pylog_dispatch_with(dir.path(), Some(Compression::Gzip));
        group.bench_function("pylog+gzip", |b| {
            tracing::dispatcher::with_default(&dispatch, || b.iter(tracing_event));
        });
        drop(dispatch); // the handler waits for its last compression
        report_files("pylog+gzip", dir.path());
    }

    {
        // log4rs compresses each rotated file on the logging thread.
        let dir = temp_dir();
        let logger = log4rs_logger_with(dir.path(), ".gz");
        group.bench_function("log4rs+gzip", |b| b.iter(|| log_event(&logger)));
        drop(logger);
        report_files("log4rs+gzip", dir.path());
    }

    group.finish();
}

/// Prints the files a benchmark left (showing that rotation happened).
fn report_files(name: &str, dir: &Path) {
    let mut files: Vec<(String, u64)> = std::fs::read_dir(dir)
        .expect("read the temp dir")
        .filter_map(Result::ok)
        .map(|e| {
            let len = e.metadata().map_or(0, |m| m.len());
            (e.file_name().to_string_lossy().into_owned(), len)
        })
        .collect();
    files.sort();
    let list: Vec<String> = files
        .iter()
        .map(|(file, len)| format!("{file} ({:.1} MiB)", *len as f64 / 1048576.0))
        .collect();
    eprintln!("  {name} left: {}", list.join(", "));
}

// Sample lines: each side writes one record to a fresh dir, and the file is read back.

fn only_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the temp dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
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
    let lines = [
        ("pylog", PYLOGGING_LINE, {
            let dir = temp_dir();
            tracing::dispatcher::with_default(&pylog_dispatch(dir.path()), tracing_event);
            read(&only_file(dir.path()))
        }),
        ("tracing-appender", FMT_LINE, {
            let dir = temp_dir();
            tracing::dispatcher::with_default(
                &fmt_dispatch(rolling_appender(dir.path())),
                tracing_event,
            );
            read(&only_file(dir.path()))
        }),
        ("non_blocking", FMT_LINE, {
            let dir = temp_dir();
            let (writer, guard) = tracing_appender::non_blocking(rolling_appender(dir.path()));
            tracing::dispatcher::with_default(&fmt_dispatch(writer), tracing_event);
            drop(guard);
            read(&only_file(dir.path()))
        }),
        ("log4rs", LOG4RS_LINE, {
            let dir = temp_dir();
            let logger = log4rs_logger(dir.path());
            log_event(&logger);
            drop(logger);
            read(&only_file(dir.path()))
        }),
    ];
    eprintln!("sample lines (bytes, text):");
    for (name, expected, line) in &lines {
        assert_eq!(line, expected, "{name}");
        eprintln!("  {name:<17} {:>3} {line:?}", line.len());
    }
}

fn main() {
    check_sample_lines();
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(30)
        .configure_from_args();
    rotation(&mut c);
    c.final_summary();
}
