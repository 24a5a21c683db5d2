//! Logging through a queue to a background thread: pylog's `QueueHandler` (its listener hands
//! each record to a `StreamHandler`) against tracing-subscriber's `fmt` layer writing to
//! tracing-appender's `non_blocking` writer, in the same run, to the same slow sink. See
//! `benches/README.md` for what each row measures and how to read the table.
//!
//! Run with `cargo bench --bench queue` (a custom harness, no criterion; about 10-20 s on 2 cores
//! once built). Settings from the environment: `QUEUE_BENCH_RECORDS` (records per case, default
//! 200 000), `QUEUE_BENCH_SINK_NS` (the sink's work per line, default 1000 ns),
//! `QUEUE_BENCH_ONLY` (run only the cases whose label, such as
//! `pylog QueueHandler, Block bursts of 4096 x1`, contains one of its comma-separated parts;
//! for profiling one case), `QUEUE_BENCH_REPEATS` (default 5, see below).
//!
//! Each case runs `QUEUE_BENCH_REPEATS` times with a share of the records, taking turns with the
//! other cases of the same thread count, and its row merges its runs (the percentiles are over
//! the batches of all of them). On a shared machine the speed of the cores drifts by tens of
//! percent over seconds; taking turns lets both sides see the same drift.
//!
//! What is measured, for 1 and for 8 producer threads:
//!
//! - the producer's cost per record: each thread times batches of 64 logging calls with an
//!   `Instant::now()` pair per batch and records the batch's time divided by 64; the table gives
//!   the p50, p99 and max of those per-call figures over all batches of all threads, and the mean
//!   (time inside the timed batches / records). With 8 threads on a 2-core machine a batch's time
//!   includes the time its thread was not scheduled;
//! - what reached the sink: each side's lines are counted by the sink itself; for pylog the
//!   queue's `dropped` and `high_water` come from `Handler::stats()`, for tracing-appender the
//!   dropped lines from its `ErrorCounter`; lines at the sink + dropped must equal records logged,
//!   and the run checks it;
//! - the rate at the sink: record lines that arrived during the measured phase divided by the time
//!   from the start of that phase to the sink's last write.
//!
//! Two modes: `flood` logs all the records in one go, so the queue fills (records >> capacity) and
//! what a call costs is mostly the policy: with `Block`/`lossy(false)` the producers run at the
//! consumer's pace, with the dropping policies a call finds the queue full and drops. `bursts of
//! 4096` logs 4096 records (over all threads), waits until the queue has drained, and repeats: a
//! call always finds room, so the figures are the producer's own cost with the consumer busy on
//! the other core. The rates and the backlog only mean something in `flood`.
//!
//! The event is `tracing::info!(target: "bench", n = i, "record {}", i)` on both sides. The lines:
//!
//! | side | line |
//! |---|---|
//! | pylog | `INFO bench: record 7` (format `%(levelname)s %(name)s: %(message)s`) |
//! | fmt | ` INFO bench: record 7 n=7` (`without_time().with_ansi(false).with_target(true)`) |
//!
//! fmt always appends the event's fields (` n=7`), and pads the level; pylog prints what its
//! format names. pylog still copies the field `n` into the queued record (it keeps every
//! field as an extra attribute), so both sides carry it through the queue; only fmt formats it.
//! pylog's format does not name `%(n)s` on purpose: the worker's own `WARNING` record about
//! dropped records has no `n`, and a format naming it fails on that record (`Formatting field not
//! found in record: 'n'`, printed as a logging error, and the report is lost).
//!
//! Where the two sides do different work on the producer's thread (this is the comparison, not a
//! flaw of it, but it is not like for like):
//!
//! - pylog's `QueueHandler` does what Python's does: it formats the record's message
//!   (`%(message)s`) and queues an owned copy of the record (name, message, path, module, thread,
//!   extras, ...); the listener's `StreamHandler` formats the line on the background thread.
//! - fmt formats the whole line on the producer's thread and `non_blocking` queues a `Vec<u8>` copy
//!   of it (one allocation) on a crossbeam channel; the worker only writes bytes.
//!
//! Both queues are bounded at the same 8192 records here (`capacity(8192)` and
//! `buffered_lines_limit(8192)`), except the `defaults` row, which keeps tracing-appender's
//! default 128 000 lines. pylog's `Block` and tracing-appender's `lossy(false)` make a full
//! queue wait; pylog's `DropNewest` and tracing-appender's default (lossy) drop the record and
//! count it. pylog's worker also writes a `WARNING pylog: ... records dropped` line to the
//! sink when it drops records; those lines are counted apart and not as records.
//!
//! The sink is the same type on both sides: a `Write` that, per line, runs a fixed busy loop
//! (calibrated at start to about `QUEUE_BENCH_SINK_NS`) and counts the line. Both consumers write
//! one line per `write_all` (pylog's `StreamHandler` also calls `flush`, a no-op here).
//!
//! Each case builds its own `Dispatch`, sets it on each producer thread with
//! `tracing::dispatcher::with_default`, and drops it (closing the queue handler or dropping the
//! worker guard) before the next case starts; nothing is installed globally.

use std::hint::black_box;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use pylog_core::{Backpressure, Formatter, Handler, Level, Manager, QueueHandler, StreamHandler};
use tracing::Dispatch;
use tracing_appender::non_blocking::{ErrorCounter, NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

/// pylog's format on the listener's handler.
const PYLOGGING_FORMAT: &str = "%(levelname)s %(name)s: %(message)s";
/// pylog's line with a timestamp, for the cases "with time".
const PYLOGGING_TIMED_FORMAT: &str = "%(asctime)s %(levelname)s %(name)s: %(message)s";
/// The queue bound on both sides.
const CAPACITY: usize = 8192;
/// Calls per timed batch.
const BATCH: usize = 64;
/// Records logged (over all threads) before the measured phase, then drained.
const WARM_UP: u64 = 8192;
/// Longest wait for a queue to drain.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(60);

/// The event, one callsite shared by both sides.
#[inline(never)]
fn event(i: u64) {
    tracing::info!(target: "bench", n = i, "record {}", i);
}

// The sink.

/// `iters` rounds of xorshift, each through `black_box` so the loop is not folded.
#[inline(never)]
fn busy(iters: u32) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..iters {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x = black_box(x);
    }
    x
}

/// Busy-loop rounds per line for about `ns` nanoseconds of work (the best of 5 timings, so a
/// preempted one does not count), and the ns per line that gives.
fn calibrate(ns: u64) -> (u32, f64) {
    const ROUNDS: u32 = 2_000_000;
    busy(ROUNDS);
    let best = (0..5)
        .map(|_| {
            let start = Instant::now();
            black_box(busy(ROUNDS));
            start.elapsed()
        })
        .min()
        .expect("timings");
    let ns_per_round = best.as_nanos() as f64 / f64::from(ROUNDS);
    let iters = ((ns as f64 / ns_per_round).round() as u32).max(1);
    (iters, f64::from(iters) * ns_per_round)
}

/// What a sink has seen.
struct SinkCounters {
    /// Record lines.
    lines: AtomicU64,
    /// pylog's own `WARNING` lines reporting drops.
    reports: AtomicU64,
    /// When the last line arrived, in ns since `base`.
    last_write_ns: AtomicU64,
    base: Instant,
}

/// The sink both sides write to: per line, a fixed busy loop, then the line is counted.
#[derive(Clone)]
struct Sink {
    counters: Arc<SinkCounters>,
    work: u32,
    /// The first line written, kept to show and check each side's line.
    first: Arc<Mutex<Option<String>>>,
}

impl Sink {
    fn new(work: u32) -> Sink {
        Sink {
            counters: Arc::new(SinkCounters {
                lines: AtomicU64::new(0),
                reports: AtomicU64::new(0),
                last_write_ns: AtomicU64::new(0),
                base: Instant::now(),
            }),
            work,
            first: Arc::new(Mutex::new(None)),
        }
    }

    fn lines(&self) -> u64 {
        self.counters.lines.load(Ordering::Acquire)
    }

    fn reports(&self) -> u64 {
        self.counters.reports.load(Ordering::Acquire)
    }

    /// When the last line arrived.
    fn last_write(&self) -> Instant {
        self.counters.base
            + Duration::from_nanos(self.counters.last_write_ns.load(Ordering::Acquire))
    }

    fn first_line(&self) -> Option<String> {
        self.first.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for line in buf.split_inclusive(|&b| b == b'\n') {
            if !line.ends_with(b"\n") {
                continue; // both sides write whole lines; a fragment would be a bug, never counted
            }
            black_box(busy(self.work));
            if line.starts_with(b"WARNING pylog") {
                self.counters.reports.fetch_add(1, Ordering::Release);
            } else {
                if self.counters.lines.load(Ordering::Relaxed) == 0 {
                    let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
                    first.get_or_insert_with(|| String::from_utf8_lossy(line).into_owned());
                }
                self.counters.lines.fetch_add(1, Ordering::Release);
            }
        }
        let now = self.counters.base.elapsed().as_nanos() as u64;
        self.counters.last_write_ns.store(now, Ordering::Release);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// The sides.

#[derive(Clone, Copy)]
enum Side {
    /// pylog's `QueueHandler` with this policy, capacity 8192.
    Pylog(Backpressure),
    /// fmt + `non_blocking`, lossy or not, with this channel bound.
    Appender { lossy: bool, limit: usize },
    /// pylog, `Block`, with `%(asctime)s` first in its line.
    PylogWithTime,
    /// fmt + `non_blocking`, `lossy(false)`, with fmt's default timestamp.
    AppenderWithTime,
}

impl Side {
    fn name(self) -> String {
        match self {
            Side::Pylog(Backpressure::Block) => "pylog QueueHandler, Block".into(),
            Side::Pylog(Backpressure::DropNewest) => "pylog QueueHandler, DropNewest".into(),
            Side::Pylog(other) => format!("pylog QueueHandler, {other}"),
            Side::Appender { lossy, limit } => {
                let mode = if lossy { "lossy" } else { "lossy(false)" };
                let tail = if limit == CAPACITY {
                    String::new()
                } else {
                    format!(" (defaults, {limit} lines)")
                };
                format!("tracing-appender non_blocking, {mode}{tail}")
            }
            Side::PylogWithTime => "pylog QueueHandler, Block, with time".into(),
            Side::AppenderWithTime => {
                "tracing-appender non_blocking, lossy(false), with time".into()
            }
        }
    }
}

/// A side set up for one case.
struct Running {
    dispatch: Dispatch,
    sink: Sink,
    pylog: Option<Handler>,
    appender: Option<(ErrorCounter, WorkerGuard)>,
}

impl Running {
    fn start(side: Side, work: u32) -> Running {
        let sink = Sink::new(work);
        match side {
            Side::Pylog(_) | Side::PylogWithTime => {
                let (policy, format) = match side {
                    Side::Pylog(policy) => (policy, PYLOGGING_FORMAT),
                    _ => (Backpressure::Block, PYLOGGING_TIMED_FORMAT),
                };
                let stream = StreamHandler::writer(sink.clone())
                    .with_formatter(Formatter::new(format).expect("valid format"));
                let queue = QueueHandler::builder()
                    .handler(stream)
                    .capacity(CAPACITY)
                    .backpressure(policy)
                    .build()
                    .expect("start the listener");
                let tree = Manager::new();
                let logger = tree.get_logger("bench");
                logger.set_level(Level::INFO);
                logger.add_handler(queue.clone());
                let dispatch = Dispatch::new(
                    tracing_subscriber::registry().with(tracing_pylog::layer_for(tree)),
                );
                Running {
                    dispatch,
                    sink,
                    pylog: Some(queue),
                    appender: None,
                }
            }
            Side::Appender { lossy, limit } => Running::appender(sink, lossy, limit, |writer| {
                fmt::layer()
                    .without_time()
                    .with_ansi(false)
                    .with_target(true)
                    .with_writer(writer)
            }),
            Side::AppenderWithTime => Running::appender(sink, false, CAPACITY, |writer| {
                fmt::layer()
                    .with_ansi(false)
                    .with_target(true)
                    .with_writer(writer)
            }),
        }
    }

    /// tracing-appender's `non_blocking` writer on `sink`, under the layer `make` builds on it.
    fn appender<L>(
        sink: Sink,
        lossy: bool,
        limit: usize,
        make: impl FnOnce(NonBlocking) -> L,
    ) -> Running
    where
        L: tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync + 'static,
    {
        let (writer, guard) = NonBlockingBuilder::default()
            .lossy(lossy)
            .buffered_lines_limit(limit)
            .finish(sink.clone());
        let errors = writer.error_counter();
        let dispatch = Dispatch::new(tracing_subscriber::registry().with(make(writer)));
        Running {
            dispatch,
            sink,
            pylog: None,
            appender: Some((errors, guard)),
        }
    }

    /// Records lost so far.
    fn dropped(&self) -> u64 {
        match (&self.pylog, &self.appender) {
            (Some(handler), _) => handler.stats().dropped,
            (None, Some((errors, _))) => errors.dropped_lines() as u64,
            (None, None) => 0,
        }
    }

    fn high_water(&self) -> Option<u64> {
        self.pylog.as_ref().map(|h| h.stats().high_water)
    }

    /// Waits until every record logged so far has reached the sink or been counted as dropped.
    fn drain(&self, logged: u64) {
        let deadline = Instant::now() + DRAIN_TIMEOUT;
        while self.sink.lines() + self.dropped() < logged {
            assert!(
                Instant::now() < deadline,
                "the queue did not drain: {} lines, {} dropped, {logged} logged",
                self.sink.lines(),
                self.dropped()
            );
            std::thread::sleep(Duration::from_micros(100));
        }
    }

    /// Drops the dispatch, then stops the background thread.
    fn finish(self) {
        drop(self.dispatch);
        if let Some(handler) = self.pylog {
            handler.close();
        }
        drop(self.appender);
    }
}

// One case.

/// How the producers log.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// All records in one go: the queue fills, and the policy decides (block or drop).
    Flood,
    /// Bursts of `BURST` records (over all threads); after each, the queue is drained before the
    /// next starts, so a call always finds room: the producer's own cost.
    Bursts,
}

/// Records per burst in `Mode::Bursts` (half the queue bound).
const BURST: u64 = 4096;

struct Outcome {
    side: String,
    mode: Mode,
    threads: usize,
    /// Per-call ns of each batch, sorted.
    per_call: Vec<f64>,
    /// Time in timed batches / records, in ns.
    mean: f64,
    logged: u64,
    at_sink: u64,
    dropped: u64,
    reports: u64,
    /// Records still queued when the last producer finished (`Flood`).
    backlog: u64,
    high_water: Option<u64>,
    /// Time from the start of the measured phase until the producers were done.
    produce_time: Duration,
    /// Time from the start of the measured phase to the sink's last write.
    sink_time: Duration,
}

impl Outcome {
    /// Records per second logged by all producers together (`Flood`).
    fn produce_rate(&self) -> f64 {
        self.logged as f64 / self.produce_time.as_secs_f64().max(1e-9)
    }

    /// Records per second arriving at the sink (`Flood`).
    fn sink_rate(&self) -> f64 {
        self.at_sink as f64 / self.sink_time.as_secs_f64().max(1e-9)
    }

    /// Adds another run of the same case.
    fn merge(&mut self, other: Outcome) {
        let calls = self.logged + other.logged;
        self.mean = (self.mean * self.logged as f64 + other.mean * other.logged as f64)
            / calls.max(1) as f64;
        self.per_call.extend(other.per_call);
        self.per_call.sort_by(f64::total_cmp);
        self.logged = calls;
        self.at_sink += other.at_sink;
        self.dropped += other.dropped;
        self.reports += other.reports;
        self.backlog = self.backlog.max(other.backlog);
        self.high_water = self.high_water.max(other.high_water);
        self.produce_time += other.produce_time;
        self.sink_time += other.sink_time;
    }
}

/// Logs `count` records numbered from `first` in timed batches, appending each batch's per-call
/// time to `per_call`; returns the time spent in batches.
fn timed_calls(first: u64, count: u64, per_call: &mut Vec<f64>) -> Duration {
    let mut total = Duration::ZERO;
    let mut i = first;
    let end = first + count;
    while i < end {
        let n = (end - i).min(BATCH as u64);
        let t0 = Instant::now();
        for k in i..i + n {
            event(k);
        }
        let elapsed = t0.elapsed();
        per_call.push(elapsed.as_nanos() as f64 / n as f64);
        total += elapsed;
        i += n;
    }
    total
}

fn run_case(side: Side, mode: Mode, threads: usize, records: u64, work: u32) -> Outcome {
    let running = Running::start(side, work);
    let t = threads as u64;
    let warm_per_thread = WARM_UP / t;
    let (rounds, chunk) = match mode {
        Mode::Flood => (1, records / t),
        Mode::Bursts => (records / BURST, BURST / t),
    };
    // Each round: everyone waits at `go`, the producers log their chunk, everyone waits at `done`;
    // between rounds the main thread drains the queue (always after the warm-up round 0, and after
    // every round in `Bursts`).
    let go = Arc::new(Barrier::new(threads + 1));
    let done = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..t)
        .map(|thread| {
            let dispatch = running.dispatch.clone();
            let (go, done) = (go.clone(), done.clone());
            std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    let mut n = thread * 1_000_000_000;
                    go.wait();
                    for _ in 0..warm_per_thread {
                        event(n);
                        n += 1;
                    }
                    done.wait();
                    let mut per_call = Vec::with_capacity((rounds * chunk) as usize / BATCH + 1);
                    let mut busy = Duration::ZERO;
                    for _ in 0..rounds {
                        go.wait();
                        busy += timed_calls(n, chunk, &mut per_call);
                        n += chunk;
                        done.wait();
                    }
                    (per_call, busy)
                })
            })
        })
        .collect();

    go.wait();
    done.wait();
    let warm_logged = warm_per_thread * t;
    running.drain(warm_logged);
    let (lines0, dropped0, reports0) = (
        running.sink.lines(),
        running.dropped(),
        running.sink.reports(),
    );
    let start = Instant::now();
    for round in 1..=rounds {
        go.wait();
        done.wait();
        if mode == Mode::Bursts {
            running.drain(warm_logged + round * chunk * t);
        }
    }
    let produced = start.elapsed();
    let logged = rounds * chunk * t;
    let backlog = (warm_logged + logged).saturating_sub(running.sink.lines() + running.dropped());
    running.drain(warm_logged + logged);
    let mut per_call = Vec::new();
    let mut busy_total = Duration::ZERO;
    for handle in handles {
        let (calls, busy) = handle.join().expect("producer thread");
        per_call.extend(calls);
        busy_total += busy;
    }
    let at_sink = running.sink.lines() - lines0;
    let dropped = running.dropped() - dropped0;
    let sink_time = running.sink.last_write().saturating_duration_since(start);
    assert_eq!(
        at_sink + dropped,
        logged,
        "{}: records unaccounted for",
        side.name()
    );
    let high_water = running.high_water();
    let sink = running.sink.clone();
    running.finish();
    // After the close: pylog's worker writes its last report of dropped records then.
    let reports = sink.reports() - reports0;

    per_call.sort_by(f64::total_cmp);
    Outcome {
        side: side.name(),
        mode,
        threads,
        per_call,
        mean: busy_total.as_nanos() as f64 / logged as f64,
        logged,
        at_sink,
        dropped,
        reports,
        backlog,
        high_water,
        produce_time: produced,
        sink_time,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `12345678` as `12 345 678`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn ns(v: f64) -> String {
    if v >= 10_000.0 {
        grouped(v.round() as u64)
    } else {
        format!("{v:.0}")
    }
}

// Sample lines: one record through each side, checked.

fn check_sample_lines(work: u32) {
    let expected = [
        (Side::Pylog(Backpressure::Block), "INFO bench: record 7\n"),
        (
            Side::Appender {
                lossy: false,
                limit: CAPACITY,
            },
            " INFO bench: record 7 n=7\n",
        ),
    ];
    println!("sample lines (bytes, text):");
    for (side, line) in expected {
        let running = Running::start(side, work);
        tracing::dispatcher::with_default(&running.dispatch, || event(7));
        running.drain(1);
        let got = running.sink.first_line().unwrap_or_default();
        running.finish();
        assert_eq!(got, line, "{}", side.name());
        println!("  {:<40} {:>3} {got:?}", side.name(), got.len());
    }
    // With a timestamp first: the rest of the line is the same.
    for (side, rest) in [
        (Side::PylogWithTime, " INFO bench: record 7\n"),
        (Side::AppenderWithTime, "  INFO bench: record 7 n=7\n"),
    ] {
        let running = Running::start(side, work);
        tracing::dispatcher::with_default(&running.dispatch, || event(7));
        running.drain(1);
        let got = running.sink.first_line().unwrap_or_default();
        running.finish();
        assert!(
            got.ends_with(rest) && got.len() > rest.len() + 18,
            "{}: {got:?}",
            side.name()
        );
        println!("  {:<40} {:>3} {got:?}", side.name(), got.len());
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Flood => "flood",
        Mode::Bursts => "bursts of 4096",
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (a filter) is ignored: the cases are few.
    let records = env_u64("QUEUE_BENCH_RECORDS", 200_000);
    let sink_ns = env_u64("QUEUE_BENCH_SINK_NS", 1000);
    let repeats = env_u64("QUEUE_BENCH_REPEATS", 5).max(1);
    let (work, work_ns) = calibrate(sink_ns);
    println!(
        "sink: {work} busy-loop rounds per line, about {work_ns:.0} ns (asked {sink_ns} ns); \
         {records} records per case in {repeats} turns, batches of {BATCH} calls, \
         {WARM_UP} warm-up records per turn"
    );
    check_sample_lines(work);

    let sides = [
        Side::Pylog(Backpressure::Block),
        Side::Pylog(Backpressure::DropNewest),
        Side::Appender {
            lossy: false,
            limit: CAPACITY,
        },
        Side::Appender {
            lossy: true,
            limit: CAPACITY,
        },
        Side::Appender {
            lossy: true,
            limit: tracing_appender::non_blocking::DEFAULT_BUFFERED_LINES_LIMIT,
        },
    ];
    let started = Instant::now();
    let mut outcomes = Vec::new();
    let cases = sides.iter().map(|&side| (side, Mode::Flood)).chain([
        (Side::Pylog(Backpressure::Block), Mode::Bursts),
        (
            Side::Appender {
                lossy: false,
                limit: CAPACITY,
            },
            Mode::Bursts,
        ),
        (Side::PylogWithTime, Mode::Bursts),
        (Side::AppenderWithTime, Mode::Bursts),
    ]);
    let cases: Vec<(Side, Mode)> = cases.collect();
    let only = std::env::var("QUEUE_BENCH_ONLY").unwrap_or_default();
    let wanted = |label: &str| only.is_empty() || only.split(',').any(|part| label.contains(part));
    for threads in [1, 8] {
        let chosen: Vec<(Side, Mode)> = cases
            .iter()
            .copied()
            .filter(|(side, mode)| {
                wanted(&format!("{} {} x{threads}", side.name(), mode_name(*mode)))
            })
            .collect();
        let mut merged: Vec<Option<Outcome>> = chosen.iter().map(|_| None).collect();
        for _ in 0..repeats {
            for (&(side, mode), slot) in chosen.iter().zip(&mut merged) {
                let outcome = run_case(side, mode, threads, records / repeats, work);
                match slot {
                    Some(sum) => sum.merge(outcome),
                    None => *slot = Some(outcome),
                }
            }
        }
        for outcome in merged.into_iter().flatten() {
            eprintln!(
                "  done: {} {} x{} ({:.1} s so far)",
                outcome.side,
                mode_name(outcome.mode),
                threads,
                started.elapsed().as_secs_f64()
            );
            outcomes.push(outcome);
        }
    }

    println!();
    println!(
        "| side | mode | threads | p50 ns/call | p99 ns/call | max ns/call | mean ns/call | \
         logged/s | at sink | dropped | backlog at end | high water | sink records/s |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for o in &outcomes {
        let dropped = if o.reports > 0 {
            format!("{} (+{} reports)", grouped(o.dropped), o.reports)
        } else {
            grouped(o.dropped)
        };
        let flood = o.mode == Mode::Flood;
        let only_flood = |v: String| if flood { v } else { "—".to_owned() };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            o.side,
            mode_name(o.mode),
            o.threads,
            ns(percentile(&o.per_call, 50.0)),
            ns(percentile(&o.per_call, 99.0)),
            ns(o.per_call.last().copied().unwrap_or(f64::NAN)),
            ns(o.mean),
            only_flood(grouped(o.produce_rate().round() as u64)),
            grouped(o.at_sink),
            dropped,
            only_flood(grouped(o.backlog)),
            o.high_water.map_or_else(|| "—".to_owned(), grouped),
            only_flood(grouped(o.sink_rate().round() as u64)),
        );
        assert_eq!(o.at_sink + o.dropped, o.logged);
    }
    println!();
    println!("bench queue: done");
}
