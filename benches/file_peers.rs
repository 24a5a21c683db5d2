//! Logging to a file with a timestamp: pylog (through `tracing` and through its direct API)
//! against spdlog-rs, tracing-subscriber's `fmt`, tracing-appender, log4rs and CPython's
//! `logging`, in the same run, for a buffered file (8 KiB), a size-rotating file (1 MiB, 5
//! backups), a file written (one `write(2)`) for every record, the buffered and the per-record
//! file again with the records shared out over 4 threads, and a queue in front of a buffered
//! file (the producer's time). See `benches/README.md` for the table.
//!
//! Run with `cargo bench --bench file_peers` (a custom harness, no criterion). Settings from the
//! environment: `FILE_PEERS_RECORDS` (records per case and round, default 200 000),
//! `FILE_PEERS_ROUNDS` (default 7), `FILE_PEERS_ONLY` (run only the cases whose label, such as
//! `file, one write per record, 4 threads (wall time / all records): pylog direct API`, contains
//! one of its `|`-separated parts; the labels have commas).
//!
//! Every round runs every case once, in an order rotated by one case each round, so that the
//! drift of a shared machine's cores reaches every side alike; a row gives the median of its
//! rounds (ns per record) and its ratio to the spdlog-rs row of its setup, after one warm-up pass
//! that is not counted. A case builds its logger in
//! a fresh temp dir, then times the records and the final flush (so every byte reached the
//! kernel), and drops everything before the next case.
//!
//! The event is an `ERROR` with a target and one argument: `request handled in {i} ms`. The
//! lines (a `%(asctime)s - %(name)s - %(levelname)s - %(message)s` layout on every side that can
//! write it):
//!
//! | side | line |
//! |---|---|
//! | pylog | `2026-12-07 10:41:02,123 - bench.app - ERROR - request handled in 7 ms` (local time) |
//! | spdlog-rs | `2026-12-07 10:41:02,123 - bench.app - error - request handled in 7 ms` (local time) |
//! | log4rs | `2026-12-07 10:41:02,123 - bench::app - ERROR - request handled in 7 ms` (local time) |
//! | fmt, tracing-appender | `2026-12-07T10:41:02.123456Z ERROR bench::app: request handled in 7 ms` (fmt's default, UTC) |
//! | bare line | `bench::app - ERROR - request handled in 7 ms` (no time) |
//!
//! What each setup is on each side:
//!
//! - buffered: pylog's `FlushPolicy::Buffered` (8 KiB, flush level CRITICAL, 1 h interval);
//!   spdlog-rs's `FileSink` with an 8 KiB buffer and its default flush policy (none per record);
//!   fmt writing to a `Mutex<BufWriter<File>>` of 8 KiB;
//! - rotating: pylog's `RotatingFileHandler` (1 MiB, 5 backups, buffered as above); spdlog-rs's
//!   `RotatingFileSink` (`FileSize(1 MiB)`, 5 files, 8 KiB buffer); log4rs's rolling file (1 MiB
//!   size trigger, fixed window of 5; it flushes every record);
//! - every record: pylog's default `FileHandler`; spdlog-rs's `FileSink` with a flush per record
//!   (`flush_level_filter(All)`); fmt writing to a `Mutex<File>`; tracing-appender's
//!   `RollingFileAppender` that never rolls as fmt's writer; log4rs's `FileAppender`;
//! - null sink: pylog's `StreamHandler` over `io::sink()`, spdlog-rs's `WriteSink` over it, fmt
//!   with `io::sink` as its writer: formatting and dispatch without a file;
//! - CPython (every record only, when `python3` runs; the run says so when it does not):
//!   `benches/file_peers.py`, a `logging.FileHandler` with the same format and event, timed by the
//!   script around its records and final flush (the interpreter's start is not counted);
//! - 4 threads (every record, and buffered): the same handlers, each of 4 threads logging its
//!   quarter of the records, all released at once; a row is the wall time until the last thread
//!   is done and the file flushed, divided by all the records (of the other sides, spdlog-rs and
//!   fmt have these rows);
//! - queue: pylog's `QueueHandler` (bound 2^20 records, `Block`) in front of the buffered
//!   `FileHandler`, against fmt writing to tracing-appender's `non_blocking` (`lossy(false)`,
//!   2^20 lines) over an 8 KiB `BufWriter` of the file; the bound is above a round's records, so
//!   no call waits for room, and only the logging calls are timed (the drain and the close are
//!   not). pylog formats the line on the listener's thread, fmt on the caller's.
//!
//! - a bare line (every record, 1 and 4 threads): `bench::app - ERROR - request handled in 7 ms`,
//!   no time, written with one `write(2)` under a mutex, by the same code through a minimal
//!   `tracing` layer and called directly. It is the floor of any logger that writes every record,
//!   and the difference of its two rows is what `tracing`'s own path costs per record.
//!
//! log4rs is called as a `log::Log` (never installed globally), with the record built as
//! `log::error!` builds it. Each `tracing` case sets its own `Dispatch` with
//! `tracing::dispatcher::with_default`; nothing is installed globally.

mod common;

use common::{Plan, interleaved_medians};
use std::cell::RefCell;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use pylog_core::{
    FileHandler, FlushPolicy, Formatter, Level, Manager, QueueHandler, RotatingFileHandler,
};
use spdlog::formatter::{PatternFormatter, pattern};
use spdlog::sink::{FileSink, RotatingFileSink, RotationPolicy, Sink};
use tracing::Dispatch;
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

const PYLOG_FORMAT: &str = "%(asctime)s - %(name)s - %(levelname)s - %(message)s";
const LOG4RS_PATTERN: &str = "{d(%Y-%m-%d %H:%M:%S,%3f)} - {t} - {l} - {m}{n}";
const BUFFER: usize = 8 * 1024;
const MAX_BYTES: u64 = 1024 * 1024;
const BACKUPS: u32 = 5;
/// The threads of the threaded setups.
const THREADS: usize = 4;
/// The labels of the bare line's rows, the floor of a layer (see [`BareLine`]).
const BARE_VIA: &str = "bare line via tracing";
const BARE_DIRECT: &str = "bare line direct";
/// The queue's bound in the queue setup: more than a round's records, so that no call waits for
/// the consumer and the figure is the producer's own cost.
const QUEUE_CAPACITY: usize = 1 << 20;

/// The three file setups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setup {
    Buffered,
    Rotating,
    EveryRecord,
    /// A `DEBUG` call nobody wants, 20 times as many calls (no file is written).
    Disabled,
    /// The same line formatted and written to `std::io::sink()`: the formatting alone.
    NullSink,
    /// `EveryRecord` with the records shared out over [`THREADS`] threads on one file.
    EveryRecordThreads,
    /// `Buffered` with the records shared out over [`THREADS`] threads on one file.
    BufferedThreads,
    /// A queue in front of a buffered file: the logging calls alone are timed.
    Queue,
}

impl Setup {
    fn title(self) -> &'static str {
        match self {
            Setup::Buffered => "buffered file (8 KiB)",
            Setup::Rotating => "rotating file (1 MiB, 5 backups)",
            Setup::EveryRecord => "file, one write per record",
            Setup::Disabled => "disabled DEBUG call (logger at WARNING), 20x the calls",
            Setup::NullSink => "formatted to a null sink (io::sink)",
            Setup::EveryRecordThreads => {
                "file, one write per record, 4 threads (wall time / all records)"
            }
            Setup::BufferedThreads => "buffered file (8 KiB), 4 threads (wall time / all records)",
            Setup::Queue => "queue to a buffered file, the producer's time (queue never full)",
        }
    }

    /// The side every row of the setup is compared with.
    fn peer(self) -> &'static str {
        match self {
            Setup::Queue => "tracing-appender",
            _ => "spdlog-rs",
        }
    }

    /// The threads the records are shared out over.
    fn threads(self) -> usize {
        match self {
            Setup::EveryRecordThreads | Setup::BufferedThreads => THREADS,
            _ => 1,
        }
    }

    /// The file setup without the threads.
    fn file(self) -> Setup {
        match self {
            Setup::EveryRecordThreads => Setup::EveryRecord,
            Setup::BufferedThreads => Setup::Buffered,
            other => other,
        }
    }
}

/// One side of one setup: builds its logger in `dir`, logs `n` records, flushes; returns the
/// time of the records and the flush.
struct Case {
    setup: Setup,
    side: &'static str,
    run: fn(&Path, u64) -> Duration,
}

/// The `tracing` event every `tracing` side shares.
#[inline(never)]
fn tracing_event(i: u64) {
    tracing::error!(target: "bench::app", "request handled in {} ms", i);
}

fn time_tracing(dispatch: Dispatch, n: u64, flush: impl FnOnce()) -> Duration {
    time_tracing_on(1, dispatch, n, flush)
}

/// `n` records shared out over `threads` threads, each with `dispatch` as its default; the wall
/// time from when all threads are ready until the last one is done and `flush` returned.
fn time_tracing_on(threads: usize, dispatch: Dispatch, n: u64, flush: impl FnOnce()) -> Duration {
    let start = on_threads(threads, n, |first, count| {
        tracing::dispatcher::with_default(&dispatch, || {
            for i in first..first + count {
                tracing_event(std::hint::black_box(i));
            }
        })
    });
    flush();
    start.elapsed()
}

/// Runs `log(first, count)` on `threads` threads, each with its share of `n` records (on this
/// thread when there is one). Returns when they started, all at once: the time from there to
/// when the caller's flush returns is the wall time of all the records.
fn on_threads(threads: usize, n: u64, log: impl Fn(u64, u64) + Sync) -> Instant {
    if threads <= 1 {
        let start = Instant::now();
        log(0, n);
        return start;
    }
    let barrier = Barrier::new(threads + 1);
    let share = n / threads as u64;
    std::thread::scope(|scope| {
        for t in 0..threads as u64 {
            let count = if t + 1 == threads as u64 {
                n - share * t
            } else {
                share
            };
            let (barrier, log) = (&barrier, &log);
            scope.spawn(move || {
                barrier.wait();
                log(share * t, count);
            });
        }
        barrier.wait();
        Instant::now()
    })
}

// pylog.

fn pylog_formatter() -> Formatter {
    Formatter::new(PYLOG_FORMAT).expect("valid format")
}

fn buffered_policy() -> FlushPolicy {
    FlushPolicy::Buffered {
        capacity: BUFFER,
        level: Level::CRITICAL,
        interval: Duration::from_secs(3600),
    }
}

fn pylog_handler(setup: Setup, dir: &Path) -> pylog_core::Handler {
    let path = dir.join("pylog.log");
    let handler = match setup.file() {
        Setup::Buffered => FileHandler::builder(&path)
            .flush_policy(buffered_policy())
            .build(),
        Setup::Rotating => RotatingFileHandler::builder(&path)
            .max_bytes(MAX_BYTES)
            .backup_count(BACKUPS)
            .flush_policy(buffered_policy())
            .build(),
        Setup::EveryRecord | Setup::Disabled => FileHandler::builder(&path).build(),
        Setup::NullSink => Ok(pylog_core::StreamHandler::writer(std::io::sink())),
        Setup::Queue => {
            let file = FileHandler::builder(&path)
                .flush_policy(buffered_policy())
                .build()
                .expect("open the log file")
                .with_formatter(pylog_formatter());
            return QueueHandler::builder()
                .handler(file)
                .capacity(QUEUE_CAPACITY)
                .build()
                .expect("start the queue");
        }
        Setup::EveryRecordThreads | Setup::BufferedThreads => unreachable!("a file setup"),
    };
    handler
        .expect("open the log file")
        .with_formatter(pylog_formatter())
}

fn pylog_tree(setup: Setup, dir: &Path) -> (Manager, pylog_core::Handler) {
    let tree = Manager::new();
    let logger = tree.get_logger("bench.app");
    logger.set_level(if setup == Setup::Disabled {
        Level::WARNING
    } else {
        Level::INFO
    });
    let handler = pylog_handler(setup, dir);
    logger.add_handler(handler.clone());
    (tree, handler)
}

fn pylog_tracing(setup: Setup, dir: &Path, n: u64) -> Duration {
    let (tree, handler) = pylog_tree(setup, dir);
    let dispatch =
        Dispatch::new(tracing_subscriber::registry().with(tracing_pylog::layer_for(tree)));
    if setup == Setup::Queue {
        // The producer's time: the calls, not the drain.
        let elapsed = time_tracing(dispatch, n, || {});
        handler.close();
        return elapsed;
    }
    time_tracing_on(setup.threads(), dispatch, n, || handler.flush())
}

fn pylog_direct(setup: Setup, dir: &Path, n: u64) -> Duration {
    let (tree, handler) = pylog_tree(setup, dir);
    let logger = tree.get_logger("bench.app");
    let start = on_threads(setup.threads(), n, |first, count| {
        for i in first..first + count {
            logger.error(format_args!(
                "request handled in {} ms",
                std::hint::black_box(i)
            ));
        }
    });
    if setup == Setup::Queue {
        let elapsed = start.elapsed();
        handler.close();
        return elapsed;
    }
    handler.flush();
    start.elapsed()
}

// spdlog-rs.

fn spdlog_formatter() -> PatternFormatter<impl spdlog::formatter::Pattern + Clone> {
    PatternFormatter::new(pattern!(
        "{date} {time},{millisecond} - {logger} - {level} - {payload}{eol}"
    ))
}

fn spdlog_logger(setup: Setup, dir: &Path) -> spdlog::Logger {
    let path = dir.join("spdlog.log");
    let setup = setup.file();
    let sink: Arc<dyn Sink> = match setup {
        Setup::NullSink => Arc::new(
            spdlog::sink::WriteSink::builder()
                .target(std::io::sink())
                .formatter(spdlog_formatter())
                .build()
                .expect("a sink"),
        ),
        Setup::Buffered | Setup::EveryRecord | Setup::Disabled => Arc::new(
            FileSink::builder()
                .path(path)
                .capacity(BUFFER)
                .formatter(spdlog_formatter())
                .build()
                .expect("open the log file"),
        ),
        Setup::Rotating => Arc::new(
            RotatingFileSink::builder()
                .base_path(path)
                .rotation_policy(RotationPolicy::FileSize(MAX_BYTES))
                .max_files(BACKUPS as usize)
                .capacity(BUFFER)
                .formatter(spdlog_formatter())
                .build()
                .expect("open the log file"),
        ),
        _ => unreachable!("a setup spdlog-rs has no row in"),
    };
    let flush = match setup {
        Setup::EveryRecord => spdlog::LevelFilter::All,
        _ => spdlog::LevelFilter::Off,
    };
    spdlog::Logger::builder()
        .name("bench.app")
        .sink(sink)
        .flush_level_filter(flush)
        .level_filter(if setup == Setup::Disabled {
            spdlog::LevelFilter::MoreSevereEqual(spdlog::Level::Warn)
        } else {
            spdlog::LevelFilter::All
        })
        .build()
        .expect("valid logger")
}

fn spdlog(setup: Setup, dir: &Path, n: u64) -> Duration {
    let logger = spdlog_logger(setup, dir);
    let start = on_threads(setup.threads(), n, |first, count| {
        for i in first..first + count {
            spdlog::error!(logger: logger, "request handled in {} ms", std::hint::black_box(i));
        }
    });
    logger.flush();
    start.elapsed()
}

fn pylog_direct_disabled(dir: &Path, n: u64) -> Duration {
    let (tree, _handler) = pylog_tree(Setup::Disabled, dir);
    let logger = tree.get_logger("bench.app");
    let start = Instant::now();
    for i in 0..n {
        logger.debug(format_args!(
            "request handled in {} ms",
            std::hint::black_box(i)
        ));
    }
    start.elapsed()
}

fn pylog_tracing_disabled(dir: &Path, n: u64) -> Duration {
    let (tree, _handler) = pylog_tree(Setup::Disabled, dir);
    let dispatch =
        Dispatch::new(tracing_subscriber::registry().with(tracing_pylog::layer_for(tree)));
    tracing::dispatcher::with_default(&dispatch, || {
        let start = Instant::now();
        for i in 0..n {
            disabled_tracing_event(std::hint::black_box(i));
        }
        start.elapsed()
    })
}

#[inline(never)]
fn disabled_tracing_event(i: u64) {
    tracing::debug!(target: "bench::app", "request handled in {} ms", i);
}

fn spdlog_disabled(dir: &Path, n: u64) -> Duration {
    let logger = spdlog_logger(Setup::Disabled, dir);
    let start = Instant::now();
    for i in 0..n {
        spdlog::debug!(logger: logger, "request handled in {} ms", std::hint::black_box(i));
    }
    start.elapsed()
}

// A bare line: the floor of a layer.

/// The least a logger can do for the event: `target - ERROR - message` and a newline, written with
/// one `write(2)` under a lock; no time, no level lookup, no logger. The same code is called
/// through a `tracing` layer and directly, so the difference of its two rows is what `tracing`'s
/// path (dispatch, the registry, the field visit, their frames) costs by itself.
struct BareLine {
    file: Mutex<File>,
}

thread_local! {
    /// The line being written, per thread.
    static BARE_LINE: RefCell<String> = const { RefCell::new(String::new()) };
}

impl BareLine {
    fn open(dir: &Path) -> BareLine {
        let file = File::create(dir.join("bare.log")).expect("open the log file");
        BareLine {
            file: Mutex::new(file),
        }
    }

    /// Writes one line, the message written by `message`.
    #[inline(never)]
    fn write(&self, target: &str, message: impl FnOnce(&mut String)) {
        use std::io::Write;
        BARE_LINE.with(|line| {
            let mut line = line.borrow_mut();
            line.clear();
            line.push_str(target);
            line.push_str(" - ERROR - ");
            message(&mut line);
            line.push('\n');
            let file = self.file.lock().unwrap_or_else(|e| e.into_inner());
            let _ = (&*file).write_all(line.as_bytes());
        })
    }
}

/// Writes the event's `message` field.
struct BareMessage<'a>(&'a mut String);

impl tracing::field::Visit for BareMessage<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for BareLine {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        self.write(event.metadata().target(), |line| {
            event.record(&mut BareMessage(line))
        });
    }
}

fn bare_tracing(threads: usize, dir: &Path, n: u64) -> Duration {
    let layer = BareLine::open(dir);
    time_tracing_on(
        threads,
        Dispatch::new(tracing_subscriber::registry().with(layer)),
        n,
        || {},
    )
}

fn bare_direct(threads: usize, dir: &Path, n: u64) -> Duration {
    use std::fmt::Write;
    let bare = BareLine::open(dir);
    let start = on_threads(threads, n, |first, count| {
        for i in first..first + count {
            bare.write("bench::app", |line| {
                let _ = line.write_fmt(format_args!(
                    "request handled in {} ms",
                    std::hint::black_box(i)
                ));
            });
        }
    });
    start.elapsed()
}

// tracing-subscriber's fmt and tracing-appender.

fn fmt_dispatch<W>(writer: W) -> Dispatch
where
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let layer = fmt::layer().with_ansi(false).with_writer(writer);
    Dispatch::new(tracing_subscriber::registry().with(layer))
}

fn fmt_buffered(threads: usize, dir: &Path, n: u64) -> Duration {
    let file = File::create(dir.join("fmt.log")).expect("open the log file");
    let writer = Arc::new(Mutex::new(BufWriter::with_capacity(BUFFER, file)));
    let shared = SharedBuf(writer.clone());
    time_tracing_on(threads, fmt_dispatch(shared), n, || {
        use std::io::Write;
        let _ = writer.lock().map(|mut w| w.flush());
    })
}

/// A `MakeWriter` over a shared `BufWriter` (fmt's `Mutex<W>` writer takes the writer by value).
struct SharedBuf(Arc<Mutex<BufWriter<File>>>);

/// The locked `BufWriter`, for one event.
struct Locked<'w>(std::sync::MutexGuard<'w, BufWriter<File>>);

impl std::io::Write for Locked<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.0.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // fmt flushes after every event; the point of the buffer is not to.
        Ok(())
    }
}

impl<'w> fmt::MakeWriter<'w> for SharedBuf {
    type Writer = Locked<'w>;

    fn make_writer(&'w self) -> Self::Writer {
        Locked(self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

fn fmt_null_sink(_dir: &Path, n: u64) -> Duration {
    time_tracing(fmt_dispatch(std::io::sink), n, || {})
}

fn fmt_every_record(threads: usize, dir: &Path, n: u64) -> Duration {
    let file = File::create(dir.join("fmt.log")).expect("open the log file");
    time_tracing_on(threads, fmt_dispatch(Mutex::new(file)), n, || {})
}

/// fmt writing to tracing-appender's `non_blocking` over an 8 KiB `BufWriter` of the file, not
/// lossy, bounded as pylog's queue; the logging calls alone are timed.
fn tracing_appender_queue(dir: &Path, n: u64) -> Duration {
    let file = File::create(dir.join("non-blocking.log")).expect("open the log file");
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(QUEUE_CAPACITY)
        .finish(BufWriter::with_capacity(BUFFER, file));
    let elapsed = time_tracing(fmt_dispatch(writer), n, || {});
    drop(guard);
    elapsed
}

fn tracing_appender_every_record(dir: &Path, n: u64) -> Duration {
    let appender = tracing_appender::rolling::never(dir, "tracing-appender.log");
    time_tracing(fmt_dispatch(appender), n, || {})
}

// log4rs.

fn log4rs_logger(setup: Setup, dir: &Path) -> log4rs::Logger {
    use log4rs::append::file::FileAppender;
    use log4rs::append::rolling_file::RollingFileAppender;
    use log4rs::append::rolling_file::policy::compound::CompoundPolicy;
    use log4rs::append::rolling_file::policy::compound::roll::fixed_window::FixedWindowRoller;
    use log4rs::append::rolling_file::policy::compound::trigger::size::SizeTrigger;
    use log4rs::config::{Appender, Config, Root};
    use log4rs::encode::pattern::PatternEncoder;

    let encoder = Box::new(PatternEncoder::new(LOG4RS_PATTERN));
    let appender: Box<dyn log4rs::append::Append> = match setup {
        Setup::Rotating => {
            let roller = FixedWindowRoller::builder()
                .base(1)
                .build(&format!("{}/log4rs.log.{{}}", dir.display()), BACKUPS)
                .expect("roller");
            let policy =
                CompoundPolicy::new(Box::new(SizeTrigger::new(MAX_BYTES)), Box::new(roller));
            Box::new(
                RollingFileAppender::builder()
                    .encoder(encoder)
                    .build(dir.join("log4rs.log"), Box::new(policy))
                    .expect("open the log file"),
            )
        }
        _ => Box::new(
            FileAppender::builder()
                .encoder(encoder)
                .build(dir.join("log4rs.log"))
                .expect("open the log file"),
        ),
    };
    let config = Config::builder()
        .appender(Appender::builder().build("file", appender))
        .build(
            Root::builder()
                .appender("file")
                .build(log::LevelFilter::Info),
        )
        .expect("valid config");
    log4rs::Logger::new(config)
}

fn log4rs(setup: Setup, dir: &Path, n: u64) -> Duration {
    use log::Log;
    let logger = log4rs_logger(setup, dir);
    let start = Instant::now();
    for i in 0..n {
        logger.log(
            &log::Record::builder()
                .args(format_args!(
                    "request handled in {} ms",
                    std::hint::black_box(i)
                ))
                .level(log::Level::Error)
                .target("bench::app")
                .module_path_static(Some(module_path!()))
                .file_static(Some(file!()))
                .line(Some(line!()))
                .build(),
        );
    }
    logger.flush();
    start.elapsed()
}

// CPython.

/// The script that times CPython's `logging.FileHandler` on the same event and format.
const CPYTHON_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/file_peers.py");

/// Whether `python3` runs here; without it the CPython row is left out (and the run says so).
fn python3_available() -> bool {
    std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// CPython's `FileHandler` logging `n` records in `dir`: the time the script measured around its
/// records and final flush (the interpreter's start is not counted).
fn cpython(dir: &Path, n: u64) -> Duration {
    let out = std::process::Command::new("python3")
        .arg(CPYTHON_SCRIPT)
        .arg(dir)
        .arg(n.to_string())
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{CPYTHON_SCRIPT} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ns: u64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("the script prints nanoseconds");
    Duration::from_nanos(ns)
}

// The harness.

fn cases() -> Vec<Case> {
    macro_rules! case {
        ($setup:expr, $side:expr, $f:expr) => {
            Case {
                setup: $setup,
                side: $side,
                run: $f,
            }
        };
    }
    use Setup::*;
    vec![
        case!(Buffered, "pylog via tracing", |d, n| pylog_tracing(
            Buffered, d, n
        )),
        case!(Buffered, "pylog direct API", |d, n| pylog_direct(
            Buffered, d, n
        )),
        case!(Buffered, "spdlog-rs", |d, n| spdlog(Buffered, d, n)),
        case!(Buffered, "fmt + BufWriter", |d, n| fmt_buffered(1, d, n)),
        case!(Rotating, "pylog via tracing", |d, n| pylog_tracing(
            Rotating, d, n
        )),
        case!(Rotating, "pylog direct API", |d, n| pylog_direct(
            Rotating, d, n
        )),
        case!(Rotating, "spdlog-rs", |d, n| spdlog(Rotating, d, n)),
        case!(Rotating, "log4rs", |d, n| log4rs(Rotating, d, n)),
        case!(EveryRecord, "pylog via tracing", |d, n| {
            pylog_tracing(EveryRecord, d, n)
        }),
        case!(EveryRecord, "pylog direct API", |d, n| pylog_direct(
            EveryRecord,
            d,
            n
        )),
        case!(EveryRecord, "spdlog-rs", |d, n| spdlog(EveryRecord, d, n)),
        case!(EveryRecord, "fmt", |d, n| fmt_every_record(1, d, n)),
        case!(
            EveryRecord,
            "tracing-appender",
            tracing_appender_every_record
        ),
        case!(EveryRecord, "log4rs", |d, n| log4rs(EveryRecord, d, n)),
        case!(EveryRecord, BARE_VIA, |d, n| bare_tracing(1, d, n)),
        case!(EveryRecord, BARE_DIRECT, |d, n| bare_direct(1, d, n)),
        case!(EveryRecord, "CPython", cpython),
        case!(EveryRecordThreads, "pylog via tracing", |d, n| {
            pylog_tracing(EveryRecordThreads, d, n)
        }),
        case!(EveryRecordThreads, "pylog direct API", |d, n| {
            pylog_direct(EveryRecordThreads, d, n)
        }),
        case!(EveryRecordThreads, "spdlog-rs", |d, n| spdlog(
            EveryRecordThreads,
            d,
            n
        )),
        case!(EveryRecordThreads, "fmt", |d, n| fmt_every_record(
            THREADS, d, n
        )),
        case!(EveryRecordThreads, BARE_VIA, |d, n| bare_tracing(
            THREADS, d, n
        )),
        case!(EveryRecordThreads, BARE_DIRECT, |d, n| bare_direct(
            THREADS, d, n
        )),
        case!(BufferedThreads, "pylog via tracing", |d, n| {
            pylog_tracing(BufferedThreads, d, n)
        }),
        case!(BufferedThreads, "pylog direct API", |d, n| {
            pylog_direct(BufferedThreads, d, n)
        }),
        case!(BufferedThreads, "spdlog-rs", |d, n| spdlog(
            BufferedThreads,
            d,
            n
        )),
        case!(BufferedThreads, "fmt + BufWriter", |d, n| fmt_buffered(
            THREADS, d, n
        )),
        case!(Queue, "pylog via tracing", |d, n| pylog_tracing(
            Queue, d, n
        )),
        case!(Queue, "pylog direct API", |d, n| pylog_direct(Queue, d, n)),
        case!(Queue, "tracing-appender", tracing_appender_queue),
        case!(NullSink, "pylog via tracing", |d, n| pylog_tracing(
            NullSink, d, n
        )),
        case!(NullSink, "pylog direct API", |d, n| pylog_direct(
            NullSink, d, n
        )),
        case!(NullSink, "spdlog-rs", |d, n| spdlog(NullSink, d, n)),
        case!(NullSink, "fmt", fmt_null_sink),
        case!(
            Disabled,
            "pylog via tracing",
            |d, n| pylog_tracing_disabled(d, n * 20)
        ),
        case!(Disabled, "pylog direct API", |d, n| pylog_direct_disabled(
            d,
            n * 20
        )),
        case!(Disabled, "spdlog-rs", |d, n| spdlog_disabled(d, n * 20)),
    ]
}

fn main() {
    let Plan { records, rounds } = Plan::from_env("FILE_PEERS", 200_000, 7);
    // Parts are separated by `|`: the setups' titles contain commas.
    let only = common::only("FILE_PEERS_ONLY", '|');
    let wanted = |c: &Case| {
        let label = format!("{}: {}", c.setup.title(), c.side);
        only.is_empty() || only.iter().any(|o| label.contains(o.as_str()))
    };
    let python = python3_available();
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| wanted(c) && (python || c.side != "CPython"))
        .collect();
    // A warm-up pass, not counted: the first record of a process loads the local zone, the
    // first of a thread its buffers.
    for case in &cases {
        let dir = tempfile::tempdir().expect("create a temp dir");
        (case.run)(dir.path(), records.min(10_000));
    }
    let medians = interleaved_medians(cases.len(), rounds, "pylog-file-peers-", |index, _, dir| {
        let elapsed = (cases[index].run)(dir, records);
        let calls = match cases[index].setup {
            Setup::Disabled => records * 20,
            _ => records,
        };
        elapsed.as_nanos() as f64 / calls as f64
    });
    println!("{records} records per case and round, median of {rounds} interleaved rounds");
    if !python {
        println!("python3 not found: no CPython row");
    }
    let mut setup = None;
    for (case, median) in cases.iter().zip(&medians) {
        if setup != Some(case.setup) {
            setup = Some(case.setup);
            println!("\n{}", case.setup.title());
        }
        let peer = case.setup.peer();
        let peer_median = cases
            .iter()
            .zip(&medians)
            .find(|(c, _)| c.setup == case.setup && c.side == peer)
            .map_or(f64::NAN, |(_, m)| *m);
        println!(
            "  {:<22} {:>8.1} ns/record  {:>5.2} x {peer}",
            case.side,
            median,
            median / peer_median
        );
    }
    print_comparisons(&cases, &medians);
}

/// The figures the setups above are read for: CPython against pylog, and 4 threads against 1.
fn print_comparisons(cases: &[Case], medians: &[f64]) {
    let median = |setup: Setup, side: &str| {
        cases
            .iter()
            .zip(medians)
            .find(|(c, _)| c.setup == setup && c.side == side)
            .map(|(_, m)| *m)
    };
    let mut lines = Vec::new();
    if let Some(python) = median(Setup::EveryRecord, "CPython") {
        for side in ["pylog via tracing", "pylog direct API"] {
            if let Some(pylog) = median(Setup::EveryRecord, side) {
                lines.push(format!(
                    "  CPython's FileHandler / {side}, one write per record: {:.1}x",
                    python / pylog
                ));
            }
        }
    }
    for setup in [Setup::EveryRecord, Setup::EveryRecordThreads] {
        let extra = |via: &str, direct: &str| Some(median(setup, via)? - median(setup, direct)?);
        if let (Some(pylog), Some(bare)) = (
            extra("pylog via tracing", "pylog direct API"),
            extra(BARE_VIA, BARE_DIRECT),
        ) {
            lines.push(format!(
                "  tracing's path, {}: {bare:.1} ns for a bare line, {pylog:.1} ns for pylog",
                setup.title()
            ));
        }
    }
    for (one, four) in [
        (Setup::EveryRecord, Setup::EveryRecordThreads),
        (Setup::Buffered, Setup::BufferedThreads),
    ] {
        for case in cases.iter().filter(|c| c.setup == four) {
            if let (Some(t1), Some(t4)) = (median(one, case.side), median(four, case.side)) {
                lines.push(format!(
                    "  {} threads / 1 thread, {}, {}: {:.2}",
                    THREADS,
                    one.title(),
                    case.side,
                    t4 / t1
                ));
            }
        }
    }
    if !lines.is_empty() {
        println!("\nper record");
        for line in lines {
            println!("{line}");
        }
    }
}
