//! A slow sink behind a queue: the logging call only queues the record; the listener's thread
//! writes it. Two queues over the same kind of slow sink show the two choices a full queue offers:
//! `Block` (the default) makes the caller wait and loses nothing; `DropNewest` never makes it wait
//! and counts what it drops. The counters are printed at the end.
//!
//! ```sh
//! cargo run --example queue
//! ```

use std::io::Write;
use std::time::{Duration, Instant};

use pylog::{Backpressure, Formatter, Level, QueueHandler, StreamHandler};

/// A sink that takes 50 µs per record, as a slow disk or a remote collector might.
struct SlowSink {
    lines: u64,
}

impl Write for SlowSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::thread::sleep(Duration::from_micros(50));
        self.lines += 1;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn slow_handler() -> Result<pylog::Handler, pylog::Error> {
    Ok(
        StreamHandler::writer(SlowSink { lines: 0 }).with_formatter(Formatter::new(
            "%(asctime)s %(levelname)s %(name)s: %(message)s",
        )?),
    )
}

fn main() -> Result<(), pylog::Error> {
    let lossless = QueueHandler::builder()
        .name("lossless")
        .handler(slow_handler()?)
        .capacity(1_000)
        .build()?
        .with_name("lossless");
    let lossy = QueueHandler::builder()
        .name("lossy")
        .handler(slow_handler()?)
        .capacity(1_000)
        .backpressure(Backpressure::DropNewest)
        .build()?
        .with_name("lossy");
    pylog::get_logger("orders").add_handler(lossless);
    pylog::get_logger("metrics").add_handler(lossy);
    pylog::root_logger().set_level(Level::INFO);
    pylog::install()?;

    for target in ["orders", "metrics"] {
        let started = Instant::now();
        for i in 0..5_000 {
            match target {
                "orders" => tracing::info!(target: "orders", order = i, "order {i} saved"),
                _ => tracing::info!(target: "metrics", sample = i, "sample {i}"),
            }
        }
        println!(
            "{target}: 5000 records logged in {:.1} ms on the caller's thread",
            started.elapsed().as_secs_f64() * 1e3
        );
    }

    pylog::shutdown(); // drains both queues; also runs at exit on its own
    println!("\nhandler   logger   emitted  dropped  queued  high-water");
    for line in pylog::global().handler_stats() {
        let s = line.stats;
        println!(
            "{:<9} {:<8} {:>7}  {:>7}  {:>6}  {:>10}",
            line.handler.name().unwrap_or_default(),
            line.logger,
            s.emitted,
            s.dropped,
            s.queued,
            s.high_water
        );
    }
    Ok(())
}
