//! Logger names met at run time: 100,000 distinct targets (`tenant::t{i}`), as a service that logs
//! per tenant meets them. A custom harness (no criterion): each case runs on a fresh tree, so
//! every name is new, and is timed as a whole.
//!
//! Run with `cargo bench --bench runtime_targets` (a few seconds once built). Settings from the
//! environment: `RUNTIME_TARGETS` (names per case, default 100 000) and `RUNTIME_TARGETS_REPEATS`
//! (default 3; the table shows the fastest and the slowest run).
//!
//! | case | what one name costs |
//! |---|---|
//! | `get_logger` | `Manager::get_logger("tenant.t{i}")`: CPython's `logging.getLogger` loop |
//! | `log_new_targets` | `log::info!(target: "tenant::t{i}", ..)` through `tracing_log::LogTracer` and the layer into a `NullHandler` on the root: the route, the logger and the record |
//! | `log_known_targets` | the same records again, every target known |
//!
//! CPython's figure for the first case comes from
//! `python3 -c "import logging,time; t=time.perf_counter(); [logging.getLogger(f'tenant.t{i}') for i in range(100000)]; print(time.perf_counter()-t)"`.

use std::time::{Duration, Instant};

use pylog_core::{Level, Manager, NullHandler};
use tracing_subscriber::prelude::*;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn targets(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("tenant::t{i}")).collect()
}

/// `get_logger` for `n` new dotted names.
fn get_logger(n: usize) -> Duration {
    let names: Vec<String> = (0..n).map(|i| format!("tenant.t{i}")).collect();
    let tree = Manager::new();
    let started = Instant::now();
    for name in &names {
        std::hint::black_box(tree.get_logger(name));
    }
    started.elapsed()
}

/// `log` records to `n` new targets, then to the same targets again.
fn log_targets(n: usize) -> (Duration, Duration) {
    let targets = targets(n);
    let tree = Manager::new();
    tree.root().set_level(Level::INFO);
    let counter = NullHandler::new();
    tree.root().add_handler(counter.clone());
    let subscriber = tracing_subscriber::registry().with(tracing_pylog::layer_for(tree.clone()));
    let (new, known) = tracing::subscriber::with_default(subscriber, || {
        let started = Instant::now();
        for target in &targets {
            log::info!(target: target, "request");
        }
        let new = started.elapsed();
        let started = Instant::now();
        for target in &targets {
            log::info!(target: target, "request");
        }
        (new, started.elapsed())
    });
    assert_eq!(
        counter.stats().emitted,
        2 * n as u64,
        "every record arrives"
    );
    (new, known)
}

fn main() {
    let n = setting("RUNTIME_TARGETS", 100_000);
    let repeats = setting("RUNTIME_TARGETS_REPEATS", 3).max(1);
    tracing_log::LogTracer::init().expect("no other `log` logger");
    let mut cases: [(&str, Vec<Duration>); 3] = [
        ("get_logger", Vec::new()),
        ("log_new_targets", Vec::new()),
        ("log_known_targets", Vec::new()),
    ];
    for _ in 0..repeats {
        cases[0].1.push(get_logger(n));
        let (new, known) = log_targets(n);
        cases[1].1.push(new);
        cases[2].1.push(known);
    }
    println!("{n} distinct targets, {repeats} runs each");
    println!("| case | fastest | slowest | per name (fastest) |");
    println!("|---|---:|---:|---:|");
    for (name, times) in &cases {
        let fastest = times.iter().min().copied().unwrap_or_default();
        let slowest = times.iter().max().copied().unwrap_or_default();
        println!(
            "| `{name}` | {:.3} s | {:.3} s | {:.0} ns |",
            fastest.as_secs_f64(),
            slowest.as_secs_f64(),
            fastest.as_nanos() as f64 / n as f64
        );
    }
}
