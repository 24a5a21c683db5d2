//! OTLP log export: pylog's `OtlpHandler` against the OpenTelemetry SDK
//! (`opentelemetry-appender-tracing`'s bridge, the SDK's `BatchLogProcessor` and
//! `opentelemetry-otlp`'s HTTP/protobuf exporter), both sending to the same OTLP receiver on
//! loopback, in the same run, with the same `tracing` event.
//!
//! Run with `cargo bench --bench otlp` (a custom harness). Settings from the
//! environment: `OTLP_BENCH_RECORDS` (records per measured case, default 100 000).
//!
//! What is measured, for each side:
//!
//! - the producer's cost per record: batches of 64 logging calls timed with an `Instant::now()`
//!   pair, logged in bursts of 1024 that are left to drain before the next (so the queue always
//!   has room: the SDK's holds 2,048); the table gives the mean and the p50/p99 of the per-call
//!   figures;
//! - the throughput at the receiver: records decoded there per second over the run;
//! - a burst of `OTLP_BENCH_RECORDS` records logged at once: how many reached the receiver, and
//!   what each side says it dropped (pylog's `Handler::stats().dropped`; the SDK reports its
//!   drops itself, at shutdown, on its internal log).
//!
//! The event: `tracing::info!(target: "bench", n = i, "record {}", i)`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use opentelemetry_otlp::WithExportConfig as _;
use prost::Message as _;
use pylog::otlp::proto::ExportLogsServiceRequest;
use pylog::{Handler, Level, Manager, OtlpHandler};
use tracing_subscriber::layer::SubscriberExt as _;

/// An OTLP/HTTP receiver that decodes each request and counts its records (keep-alive, one
/// thread per connection).
struct Receiver {
    addr: SocketAddr,
    records: Arc<AtomicU64>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("address");
        let records = Arc::new(AtomicU64::new(0));
        let count = records.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let count = count.clone();
                std::thread::spawn(move || serve(stream, &count));
            }
        });
        Receiver { addr, records }
    }

    fn endpoint(&self) -> String {
        format!("http://{}/v1/logs", self.addr)
    }

    fn count(&self) -> u64 {
        self.records.load(Ordering::SeqCst)
    }

    /// Waits until `n` records arrived or nothing arrived for 2 s; returns the count.
    fn wait_for(&self, n: u64) -> u64 {
        let mut last = (self.count(), Instant::now());
        while self.count() < n {
            std::thread::sleep(Duration::from_millis(10));
            let now = self.count();
            if now != last.0 {
                last = (now, Instant::now());
            } else if last.1.elapsed() > Duration::from_secs(2) {
                break;
            }
        }
        self.count()
    }
}

fn serve(stream: std::net::TcpStream, count: &AtomicU64) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" {
                break;
            }
            if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if let Ok(request) = ExportLogsServiceRequest::decode(&body[..]) {
            let n: usize = request
                .resource_logs
                .iter()
                .flat_map(|r| &r.scope_logs)
                .map(|s| s.log_records.len())
                .sum();
            count.fetch_add(n as u64, Ordering::SeqCst);
        }
        let reply =
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n";
        if reader.get_mut().write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// One side: a subscriber that sends `tracing` events to the receiver, and how to finish.
struct Side {
    name: &'static str,
    dispatch: tracing::Dispatch,
    finish: Box<dyn FnOnce() -> String>,
}

fn pylog_side(receiver: &Receiver) -> Side {
    let tree = Manager::new();
    let handler: Handler = OtlpHandler::builder()
        .endpoint(receiver.endpoint())
        .environment(|_| None)
        .build()
        .expect("handler");
    let logger = tree.get_logger("bench");
    logger.set_level(Level::INFO);
    logger.add_handler(handler.clone());
    let subscriber = tracing_subscriber::registry().with(tracing_pylog::layer_for(tree));
    Side {
        name: "pylog OtlpHandler (Block)",
        dispatch: tracing::Dispatch::new(subscriber),
        finish: Box::new(move || {
            handler.close();
            format!("dropped {}", handler.stats().dropped)
        }),
    }
}

fn sdk_side(receiver: &Receiver) -> Side {
    // The workspace builds reqwest's rustls without a provider (pylog passes its own config);
    // the SDK's client needs a process-wide default.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let exporter = opentelemetry_otlp::LogExporter::builder()
        .with_http()
        .with_endpoint(receiver.endpoint())
        .build()
        .expect("exporter");
    let provider = opentelemetry_sdk::logs::SdkLoggerProvider::builder()
        .with_batch_exporter(exporter)
        .build();
    let bridge = opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge::new(&provider);
    let subscriber = tracing_subscriber::registry().with(bridge);
    Side {
        name: "SDK appender + BatchLogProcessor",
        dispatch: tracing::Dispatch::new(subscriber),
        finish: Box::new(move || {
            let _ = provider.shutdown();
            "dropped: see the SDK's shutdown report".to_owned()
        }),
    }
}

/// Logs `records` in bursts of 1024, timing batches of 64 calls; returns the per-call figures.
fn producer_cost(side: &Side, receiver: &Receiver, records: u64) -> Vec<f64> {
    let mut per_call = Vec::new();
    let start_count = receiver.count();
    tracing::dispatcher::with_default(&side.dispatch, || {
        let mut i = 0;
        while i < records {
            for _ in 0..16 {
                let t = Instant::now();
                for _ in 0..64 {
                    tracing::info!(target: "bench", n = i, "record {}", i);
                    i += 1;
                }
                per_call.push(t.elapsed().as_nanos() as f64 / 64.0);
            }
            receiver.wait_for(start_count + i);
        }
    });
    per_call
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p) as usize]
}

fn main() {
    let records: u64 = std::env::var("OTLP_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    println!(
        "| side | mean ns/call | p50 | p99 | records/s at the receiver | burst of {records}: delivered | drops |"
    );
    println!("|---|---|---|---|---|---|---|");
    for make in [pylog_side as fn(&Receiver) -> Side, sdk_side] {
        let receiver = Receiver::start();
        let side = make(&receiver);
        let started = Instant::now();
        let mut costs = producer_cost(&side, &receiver, records);
        let rate = receiver.count() as f64 / started.elapsed().as_secs_f64();
        costs.sort_by(f64::total_cmp);
        let mean = costs.iter().sum::<f64>() / costs.len() as f64;
        // The burst: everything at once.
        let before = receiver.count();
        tracing::dispatcher::with_default(&side.dispatch, || {
            for i in 0..records {
                tracing::info!(target: "bench", n = i, "record {}", i);
            }
        });
        let name = side.name;
        let drops = (side.finish)();
        let delivered = receiver.wait_for(before + records) - before;
        println!(
            "| {name} | {mean:.0} | {:.0} | {:.0} | {rate:.0} | {delivered} | {drops} |",
            percentile(&costs, 0.5),
            percentile(&costs, 0.99),
        );
    }
}
