//! Why a record sent through `tracing` costs so much more than one sent through the direct API when
//! every record is written to the kernel, though the two differ by the same instructions either
//! way: the same `ERROR` event, to the same buffered file, timed call by call after something that
//! runs between two records.
//!
//! - **nothing:** the calls follow one another, with warm caches.
//! - **getpid(2):** a system call that touches little.
//! - **512 KiB touched:** one byte of every cache line of a 512 KiB buffer is written, which evicts
//!   the core's L2 cache (what a `write(2)` to a file does to it, with the kernel's code and data;
//!   `COLD_CACHE_EVICT_KIB` sets another size).
//!
//! A row gives the median of the rounds (ns per call, each call timed alone with `Instant`, which
//! adds the same ~25 ns to both sides) and the extra cost of the `tracing` side. The last row is
//! the `file_peers` setup that writes every record (the loop timed whole). Run with
//! `cargo bench --bench cold_cache`; `COLD_CACHE_RECORDS` (default 200 000) and
//! `COLD_CACHE_ROUNDS` (default 7).

use std::cell::RefCell;
use std::path::Path;
use std::time::{Duration, Instant};

use pylog_core::{FileHandler, FlushPolicy, Formatter, Handler, Level, Manager};
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;

#[allow(dead_code)] // this bench uses only some of the shared helpers
mod common;

/// What runs between two records.
#[derive(Clone, Copy, PartialEq)]
enum Between {
    Nothing,
    Getpid,
    Evict,
    /// Nothing, but the file is written for every record.
    WriteEach,
}

impl Between {
    fn title(self) -> &'static str {
        match self {
            Between::Nothing => "buffered file, nothing between records",
            Between::Getpid => "buffered file, getpid(2) between records",
            Between::Evict => "buffered file, cache evicted between records",
            Between::WriteEach => "one write(2) per record (loop timed whole)",
        }
    }
}

/// The bytes touched to evict the L2 cache: 512 KiB, or `COLD_CACHE_EVICT_KIB`.
fn evicted() -> usize {
    common::env_number("COLD_CACHE_EVICT_KIB", 512) as usize * 1024
}

thread_local! {
    static JUNK: RefCell<Vec<u8>> = RefCell::new(vec![1; evicted()]);
}

#[inline(never)]
fn between(what: Between) {
    match what {
        Between::Nothing | Between::WriteEach => {}
        Between::Getpid => {
            std::hint::black_box(std::process::id());
        }
        Between::Evict => JUNK.with(|junk| {
            let mut junk = junk.borrow_mut();
            for byte in junk.iter_mut().step_by(64) {
                *byte = byte.wrapping_add(1);
            }
        }),
    }
}

fn tree(dir: &Path, what: Between) -> (Manager, Handler) {
    let tree = Manager::new();
    let logger = tree.get_logger("bench.app");
    logger.set_level(Level::INFO);
    let mut builder = FileHandler::builder(dir.join("pylog.log"));
    if what != Between::WriteEach {
        builder = builder.flush_policy(FlushPolicy::Buffered {
            capacity: 8192,
            level: Level::CRITICAL,
            interval: Duration::from_secs(3600),
        });
    }
    let handler = builder.build().expect("open the log file").with_formatter(
        Formatter::new("%(asctime)s - %(name)s - %(levelname)s - %(message)s")
            .expect("valid format"),
    );
    logger.add_handler(handler.clone());
    (tree, handler)
}

/// Nanoseconds per call of `log(i)`, timed call by call after `what`, or as a whole loop.
fn time_calls(what: Between, n: u64, mut log: impl FnMut(u64)) -> f64 {
    let mut spent = Duration::ZERO;
    if what == Between::WriteEach {
        let start = Instant::now();
        (0..n).for_each(&mut log);
        spent = start.elapsed();
    } else {
        for i in 0..n {
            between(what);
            let start = Instant::now();
            log(i);
            spent += start.elapsed();
        }
    }
    spent.as_nanos() as f64 / n as f64
}

fn via_tracing(what: Between, dir: &Path, n: u64) -> f64 {
    let (tree, handler) = tree(dir, what);
    let dispatch =
        Dispatch::new(tracing_subscriber::registry().with(tracing_pylog::layer_for(tree)));
    let ns = tracing::dispatcher::with_default(&dispatch, || {
        time_calls(what, n, |i| {
            tracing::error!(target: "bench::app", "request handled in {} ms", std::hint::black_box(i));
        })
    });
    handler.flush();
    ns
}

fn direct(what: Between, dir: &Path, n: u64) -> f64 {
    let (tree, handler) = tree(dir, what);
    let logger = tree.get_logger("bench.app");
    let ns = time_calls(what, n, |i| {
        logger.error(format_args!(
            "request handled in {} ms",
            std::hint::black_box(i)
        ));
    });
    handler.flush();
    ns
}

fn main() {
    let plan = common::Plan::from_env("COLD_CACHE", 200_000, 7);
    let setups = [
        Between::Nothing,
        Between::Getpid,
        Between::Evict,
        Between::WriteEach,
    ];
    let cases: Vec<(Between, bool)> = setups
        .iter()
        .flat_map(|&what| [(what, true), (what, false)])
        .collect();
    let warm = plan.records.min(10_000);
    let medians =
        common::interleaved_medians(cases.len(), plan.rounds, "pylog-cold", |k, _, dir| {
            let (what, tracing) = cases[k];
            let run = if tracing { via_tracing } else { direct };
            run(what, dir, warm);
            run(what, dir, plan.records)
        });
    println!(
        "{} records x {} rounds, medians (ns per call)",
        plan.records, plan.rounds
    );
    println!(
        "  {:48} {:>12} {:>10} {:>14}",
        "between records", "via tracing", "direct", "tracing extra"
    );
    for (s, what) in setups.iter().enumerate() {
        let (tracing, direct) = (medians[2 * s], medians[2 * s + 1]);
        println!(
            "  {:48} {:>12.1} {:>10.1} {:>14.1}",
            what.title(),
            tracing,
            direct,
            tracing - direct
        );
    }
}
