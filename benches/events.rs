//! pylog's layer against tracing-subscriber's `fmt` layer, in the same run, producing (as far as
//! possible) the same output. See `benches/README.md` for what each benchmark measures and how to
//! read the report.
//!
//! Run with `cargo bench --bench events`; `cargo bench --bench events -- disabled` runs one group.
//!
//! Every benchmark builds its own subscriber and installs it with
//! `tracing::subscriber::with_default`, and drops it before the next one starts: `tracing` combines
//! the callsite interest and the max level hint of every live dispatcher, so two live subscribers
//! would distort each other's numbers. pylog always uses its own `Manager`, never the global
//! tree.
//!
//! Sample lines (printed at the start of the run, and checked):
//!
//! | benchmark | pylog | fmt |
//! |---|---|---|
//! | `enabled_sink/*/plain` | `INFO bench.app: request handled in 12 ms` | ` INFO bench::app: request handled in 12 ms user=7` |
//! | `enabled_sink/*/fields` | `INFO bench.app: request handled in 12 ms user=7` | (same fmt line) |
//! | `enabled_sink/*/time` | `2026-05-04 10:11:12,345 INFO bench.app: request handled in 12 ms` | `2026-05-04T10:11:12.345678Z  INFO bench::app: request handled in 12 ms user=7` |
//! | `enabled_file/*` | as `plain` | as `plain` |
//! | `enabled_sink/pylog/{brace,dollar}` | as `plain`, in the `{` and `$` styles | — |
//! | `enabled_sink/*/json` | `{"levelname":"INFO","name":"bench.app","message":"request handled in 12 ms","user":7}` | `{"level":"INFO","fields":{"message":"request handled in 12 ms","user":7},"target":"bench::app"}` |
//! | `enabled_sink/*/json_time` | the same with `"asctime":"2026-05-04 10:11:12,345"` first | the same with `"timestamp":"2026-05-04T10:11:12.345678Z"` first |
//!
//! How the lines differ: fmt pads the level to 5 columns, keeps the target's `::` where pylog
//! shows the logger name with `.`, and always appends the event's fields (` user=7`); pylog's
//! format names only what it shows. So `plain` is 41 bytes against fmt's 50 (fmt carries `user=7`
//! too), and `fields` adds ` user=%(user)s` to carry the same information (48 bytes: only the
//! padding and the `::` differ). With timestamps, pylog's `asctime` is local time with
//! milliseconds (`%Y-%m-%d %H:%M:%S,mmm`, Python's default, 23 bytes) and fmt's `SystemTime` is
//! RFC 3339 UTC with microseconds (27 bytes): 65 bytes against 78.
//!
//! fmt also escapes ANSI control characters in messages and field values by default (a write per
//! character through its escaping writer); pylog, like Python, writes the message as it is.
//! `enabled_sink/fmt/plain_unsanitized` turns fmt's escaping off to show what it costs.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use criterion::Criterion;
use pylog_core::{
    FileHandler, Formatter, JsonFormatter, Level, Manager, SharedWriter, StreamHandler, Style,
};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

/// pylog's format for the plain comparison (the brief's format).
const PLAIN: &str = "%(levelname)s %(name)s: %(message)s";
/// The same with the event's field, so both sides carry the same information.
const FIELDS: &str = "%(levelname)s %(name)s: %(message)s user=%(user)s";
/// The plain format with Python's default timestamp in front.
const TIMED: &str = "%(asctime)s %(levelname)s %(name)s: %(message)s";
/// The plain format in the `{` style.
const BRACE: &str = "{levelname} {name}: {message}";
/// The plain format in the `$` style.
const DOLLAR: &str = "$levelname $name: $message";
/// The JSON formatter's fields (then the event's extras), without and with the time.
const JSON_FIELDS: [&str; 3] = ["levelname", "name", "message"];
const JSON_TIMED_FIELDS: [&str; 4] = ["asctime", "levelname", "name", "message"];

// The events. Each is one callsite shared by both sides, so both pay for the same macro expansion.

/// A DEBUG event nobody wants.
#[inline(never)]
fn disabled_event() {
    tracing::debug!(target: "bench::app", user = 7, "request handled in {} ms", 12);
}

/// An INFO event everybody wants.
#[inline(never)]
fn enabled_event() {
    tracing::info!(target: "bench::app", user = 7, "request handled in {} ms", 12);
}

// pylog's side.

/// A tree whose root is at `level` with one handler (as `basic_config` would set it up), plus a
/// logger `bench.other` at DEBUG with its own handler when `open_other` is set.
fn pylog_tree(level: Level, handler: pylog_core::Handler, open_other: bool) -> Manager {
    let tree = Manager::new();
    let root = tree.root();
    root.set_level(level);
    root.add_handler(handler);
    if open_other {
        let other = tree.get_logger("bench.other");
        other.set_level(Level::DEBUG);
        other.add_handler(StreamHandler::writer(io::sink()));
    }
    tree
}

fn formatter(format: &str) -> Formatter {
    Formatter::new(format).expect("valid format")
}

fn sink_handler(format: &str) -> pylog_core::Handler {
    StreamHandler::writer(io::sink()).with_formatter(formatter(format))
}

fn styled(style: Style, format: &str) -> Formatter {
    Formatter::builder(format)
        .style(style)
        .build()
        .expect("valid format")
}

fn json_formatter(fields: &[&str]) -> JsonFormatter {
    JsonFormatter::builder()
        .fields(fields.iter().copied())
        .expect("standard attributes")
        .build()
        .expect("valid layout")
}

fn sink_handler_with(formatter: impl Into<Formatter>) -> pylog_core::Handler {
    StreamHandler::writer(io::sink()).with_formatter(formatter)
}

fn pylog_subscriber(tree: Manager) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::registry().with(tracing_pylog::layer_for(tree))
}

// fmt's side: no time, no ANSI, with the target, as the brief asks.

fn fmt_layer<S>()
-> fmt::Layer<S, fmt::format::DefaultFields, fmt::format::Format<fmt::format::Full, ()>>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_target(true)
}

/// Runs `routine` under `subscriber`, which is dropped afterwards.
fn bench_under<S>(b: &mut criterion::Bencher<'_>, subscriber: S, routine: fn())
where
    S: tracing::Subscriber + Send + Sync + 'static,
{
    tracing::subscriber::with_default(subscriber, || b.iter(routine));
}

// 1. Disabled events.

fn disabled(c: &mut Criterion) {
    let mut group = c.benchmark_group("disabled");

    // Root at WARNING with a handler: the max level hint is WARN, so `debug!` stops at the macro's
    // level check before the callsite is even looked at.
    group.bench_function("pylog", |b| {
        let tree = pylog_tree(Level::WARNING, sink_handler(PLAIN), false);
        bench_under(b, pylog_subscriber(tree), disabled_event);
    });
    group.bench_function("fmt+with_filter(WARN)", |b| {
        let subscriber = tracing_subscriber::registry().with(
            fmt_layer()
                .with_writer(io::sink)
                .with_filter(LevelFilter::WARN),
        );
        bench_under(b, subscriber, disabled_event);
    });
    group.bench_function("fmt+LevelFilter_layer(WARN)", |b| {
        let subscriber = tracing_subscriber::registry()
            .with(LevelFilter::WARN)
            .with(fmt_layer().with_writer(io::sink));
        bench_under(b, subscriber, disabled_event);
    });

    // Another logger wants DEBUG, so the max level hint is DEBUG and the event gets past the level
    // check: what stops it is the callsite's cached `Interest::never()`.
    group.bench_function("pylog/other_target_at_debug", |b| {
        let tree = pylog_tree(Level::WARNING, sink_handler(PLAIN), true);
        bench_under(b, pylog_subscriber(tree), disabled_event);
    });
    group.bench_function("fmt+Targets/other_target_at_debug", |b| {
        let targets = Targets::new()
            .with_target("bench::other", LevelFilter::DEBUG)
            .with_default(LevelFilter::WARN);
        let subscriber = tracing_subscriber::registry()
            .with(fmt_layer().with_writer(io::sink).with_filter(targets));
        bench_under(b, subscriber, disabled_event);
    });
    group.finish();
}

// 2. Enabled events to an in-memory sink (`std::io::sink()` on both sides).

fn enabled_sink(c: &mut Criterion) {
    let mut group = c.benchmark_group("enabled_sink");

    group.bench_function("pylog/plain", |b| {
        let tree = pylog_tree(Level::INFO, sink_handler(PLAIN), false);
        bench_under(b, pylog_subscriber(tree), enabled_event);
    });
    group.bench_function("pylog/fields", |b| {
        let tree = pylog_tree(Level::INFO, sink_handler(FIELDS), false);
        bench_under(b, pylog_subscriber(tree), enabled_event);
    });
    group.bench_function("fmt/plain", |b| {
        let subscriber = tracing_subscriber::registry().with(
            fmt_layer()
                .with_writer(io::sink)
                .with_filter(LevelFilter::INFO),
        );
        bench_under(b, subscriber, enabled_event);
    });

    group.bench_function("fmt/plain_unsanitized", |b| {
        let layer = fmt_layer()
            .with_ansi_sanitization(false)
            .with_writer(io::sink)
            .with_filter(LevelFilter::INFO);
        bench_under(b, tracing_subscriber::registry().with(layer), enabled_event);
    });

    group.bench_function("pylog/brace", |b| {
        let handler = sink_handler_with(styled(Style::Brace, BRACE));
        let tree = pylog_tree(Level::INFO, handler, false);
        bench_under(b, pylog_subscriber(tree), enabled_event);
    });
    group.bench_function("pylog/dollar", |b| {
        let handler = sink_handler_with(styled(Style::Dollar, DOLLAR));
        let tree = pylog_tree(Level::INFO, handler, false);
        bench_under(b, pylog_subscriber(tree), enabled_event);
    });
    group.bench_function("pylog/json", |b| {
        let handler = sink_handler_with(json_formatter(&JSON_FIELDS));
        let tree = pylog_tree(Level::INFO, handler, false);
        bench_under(b, pylog_subscriber(tree), enabled_event);
    });
    group.bench_function("fmt/json", |b| {
        let layer = fmt_layer()
            .json()
            .with_writer(io::sink)
            .with_filter(LevelFilter::INFO);
        bench_under(b, tracing_subscriber::registry().with(layer), enabled_event);
    });
    group.bench_function("pylog/json_time", |b| {
        let handler = sink_handler_with(json_formatter(&JSON_TIMED_FIELDS));
        let tree = pylog_tree(Level::INFO, handler, false);
        bench_under(b, pylog_subscriber(tree), enabled_event);
    });
    group.bench_function("fmt/json_time", |b| {
        let layer = fmt::layer()
            .json()
            .with_ansi(false)
            .with_target(true)
            .with_writer(io::sink)
            .with_filter(LevelFilter::INFO);
        bench_under(b, tracing_subscriber::registry().with(layer), enabled_event);
    });

    group.bench_function("pylog/time", |b| {
        let tree = pylog_tree(Level::INFO, sink_handler(TIMED), false);
        bench_under(b, pylog_subscriber(tree), enabled_event);
    });
    group.bench_function("fmt/time", |b| {
        let layer = fmt::layer()
            .with_ansi(false)
            .with_target(true)
            .with_writer(io::sink)
            .with_filter(LevelFilter::INFO);
        bench_under(b, tracing_subscriber::registry().with(layer), enabled_event);
    });
    group.finish();
}

// 3. Enabled events to a file: one write(2) per record, no buffering, on both sides.

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!("pylog-bench-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create the temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn open_append(path: &Path) -> File {
    OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .expect("open the log file")
}

/// Times `iters` events, after emptying the file so that it does not grow across samples (writes
/// are appends, so they go to the new end).
fn timed_events(path: &Path, iters: u64) -> Duration {
    File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_len(0))
        .expect("truncate the log file");
    let start = Instant::now();
    for _ in 0..iters {
        enabled_event();
    }
    start.elapsed()
}

/// Checks that the last sample wrote the expected line (without reading the whole file).
fn assert_first_line(path: &Path, expected: &str) {
    let mut line = String::new();
    io::BufRead::read_line(
        &mut io::BufReader::new(File::open(path).expect("open")),
        &mut line,
    )
    .expect("read the log file");
    assert_eq!(line, expected, "{}", path.display());
}

fn enabled_file(c: &mut Criterion) {
    let dir = TempDir::new();
    let pylog_path = dir.0.join("pylog.log");
    let fmt_path = dir.0.join("fmt.log");
    let mut group = c.benchmark_group("enabled_file");

    group.bench_function("pylog/plain", |b| {
        // FileHandler: append mode, one `write_all` of the formatted line per record, no buffer.
        let handler = FileHandler::builder(&pylog_path)
            .build()
            .expect("open the log file")
            .with_formatter(formatter(PLAIN));
        let tree = pylog_tree(Level::INFO, handler, false);
        // The handler goes with the tree, dropped (its file closed) when `with_default` returns,
        // as fmt's file is. Not `Handler::close()`: that also runs `sync_data` (fsync), which
        // fmt's side has no equivalent for and which would change the next sample's writes.
        tracing::subscriber::with_default(pylog_subscriber(tree), || {
            b.iter_custom(|iters| timed_events(&pylog_path, iters));
        });
        assert_first_line(&pylog_path, "INFO bench.app: request handled in 12 ms\n");
    });
    group.bench_function("fmt/plain", |b| {
        // `Mutex<File>`: fmt formats into its buffer, then one `write_all` under the lock.
        let file = Mutex::new(open_append(&fmt_path));
        let layer = fmt_layer().with_writer(file).with_filter(LevelFilter::INFO);
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            b.iter_custom(|iters| timed_events(&fmt_path, iters));
        });
        assert_first_line(
            &fmt_path,
            " INFO bench::app: request handled in 12 ms user=7\n",
        );
    });
    group.finish();
    drop(dir);
}

// Sample lines: what each side writes for the enabled event, printed and checked once.

fn capture_pylog(format: &str) -> String {
    let out = SharedWriter::new();
    let handler = StreamHandler::writer(out.clone()).with_formatter(formatter(format));
    let tree = pylog_tree(Level::INFO, handler, false);
    tracing::subscriber::with_default(pylog_subscriber(tree), enabled_event);
    out.contents()
}

fn capture_pylog_with(formatter: impl Into<Formatter>) -> String {
    let out = SharedWriter::new();
    let handler = StreamHandler::writer(out.clone()).with_formatter(formatter);
    let tree = pylog_tree(Level::INFO, handler, false);
    tracing::subscriber::with_default(pylog_subscriber(tree), enabled_event);
    out.contents()
}

fn capture_fmt_json(with_time: bool) -> String {
    let out = SharedWriter::new();
    let writer = out.clone();
    let make_writer = move || writer.clone();
    if with_time {
        let layer = fmt::layer()
            .json()
            .with_ansi(false)
            .with_target(true)
            .with_writer(make_writer);
        tracing::subscriber::with_default(
            tracing_subscriber::registry().with(layer),
            enabled_event,
        );
    } else {
        let layer = fmt_layer().json().with_writer(make_writer);
        tracing::subscriber::with_default(
            tracing_subscriber::registry().with(layer),
            enabled_event,
        );
    }
    out.contents()
}

fn capture_fmt(with_time: bool) -> String {
    let out = SharedWriter::new();
    let writer = out.clone();
    let make_writer = move || writer.clone();
    if with_time {
        let layer = fmt::layer()
            .with_ansi(false)
            .with_target(true)
            .with_writer(make_writer);
        tracing::subscriber::with_default(
            tracing_subscriber::registry().with(layer),
            enabled_event,
        );
    } else {
        let layer = fmt_layer().with_writer(make_writer);
        tracing::subscriber::with_default(
            tracing_subscriber::registry().with(layer),
            enabled_event,
        );
    }
    out.contents()
}

fn print_sample_lines() {
    let lines = [
        ("pylog plain", capture_pylog(PLAIN)),
        ("pylog fields", capture_pylog(FIELDS)),
        ("fmt plain", capture_fmt(false)),
        ("pylog time", capture_pylog(TIMED)),
        ("fmt time", capture_fmt(true)),
        (
            "pylog brace",
            capture_pylog_with(styled(Style::Brace, BRACE)),
        ),
        (
            "pylog dollar",
            capture_pylog_with(styled(Style::Dollar, DOLLAR)),
        ),
        (
            "pylog json",
            capture_pylog_with(json_formatter(&JSON_FIELDS)),
        ),
        ("fmt json", capture_fmt_json(false)),
        (
            "pylog json_time",
            capture_pylog_with(json_formatter(&JSON_TIMED_FIELDS)),
        ),
        ("fmt json_time", capture_fmt_json(true)),
    ];
    assert_eq!(lines[5].1, lines[0].1, "the {{ style writes the plain line");
    assert_eq!(lines[6].1, lines[0].1, "the $ style writes the plain line");
    assert_eq!(
        lines[7].1,
        "{\"levelname\":\"INFO\",\"name\":\"bench.app\",\"message\":\"request handled in 12 ms\",\"user\":7}\n"
    );
    assert_eq!(
        lines[8].1,
        "{\"level\":\"INFO\",\"fields\":{\"message\":\"request handled in 12 ms\",\"user\":7},\"target\":\"bench::app\"}\n"
    );
    assert_eq!(lines[0].1, "INFO bench.app: request handled in 12 ms\n");
    assert_eq!(
        lines[1].1,
        "INFO bench.app: request handled in 12 ms user=7\n"
    );
    assert_eq!(
        lines[2].1,
        " INFO bench::app: request handled in 12 ms user=7\n"
    );
    eprintln!("sample lines (bytes, text):");
    for (name, line) in &lines {
        eprintln!("  {name:<19} {:>3} {line:?}", line.len());
    }
    // Keep the disabled event honest: nothing may come out of it.
    let out = SharedWriter::new();
    let tree = pylog_tree(Level::WARNING, StreamHandler::writer(out.clone()), false);
    tracing::subscriber::with_default(pylog_subscriber(tree), disabled_event);
    assert_eq!(out.contents(), "");
}

fn main() {
    print_sample_lines();
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(50)
        .configure_from_args();
    disabled(&mut c);
    enabled_sink(&mut c);
    enabled_file(&mut c);
    c.final_summary();
}
