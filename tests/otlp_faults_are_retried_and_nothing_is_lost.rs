//! What `OtlpHandler` does when the collector misbehaves: down at start, dead mid-run, hanging,
//! answering 429 with `Retry-After`, 503 then 200, 400. The logging call returns promptly in
//! every case; under `Block` nothing is lost and the records arrive when the collector is back;
//! under a drop policy the counts are exact; a 400 is not retried and is reported.

mod otlp_common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use otlp_common::{Receiver, Reply, body, reserve_port};
use pylog::{
    Backpressure, DeliveryError, ErrorReporter, Handler, Level, LogRecord, OtlpHandler,
    OtlpHandlerBuilder, OwnedRecord, RetryPolicy,
};

const WAIT: Duration = Duration::from_secs(30);
/// A logging call that takes longer than this did not return promptly.
const PROMPT: Duration = Duration::from_secs(2);

fn collector() -> (Arc<Mutex<Vec<String>>>, ErrorReporter) {
    let reports: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = reports.clone();
    let report = Arc::new(move |_: &OwnedRecord, e: &DeliveryError| {
        sink.lock().unwrap().push(e.to_string());
    });
    (reports, report)
}

fn builder(endpoint: String) -> OtlpHandlerBuilder {
    OtlpHandler::builder()
        .endpoint(endpoint)
        .environment(|_| None)
        .batch(16, Duration::from_millis(20))
        .timeout(Duration::from_millis(500))
        .retry(RetryPolicy {
            max_attempts: None,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
        })
}

/// Logs `msgs` and checks each call returned promptly.
fn log_all(handler: &Handler, msgs: impl IntoIterator<Item = String>) {
    for msg in msgs {
        let start = Instant::now();
        handler.handle(&LogRecord::new("app", Level::ERROR, &msg));
        assert!(
            start.elapsed() < PROMPT,
            "a logging call took {:?}",
            start.elapsed()
        );
    }
}

fn bodies(receiver: &Receiver, n: usize) -> Vec<String> {
    receiver
        .wait_for_records(n, WAIT)
        .iter()
        .map(|(_, r)| body(r))
        .collect()
}

fn numbered(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("r{i}")).collect()
}

#[test]
fn records_logged_while_the_collector_is_down_arrive_when_it_comes_up() {
    // Held to the end of the scope: nobody else can take the port meanwhile.
    let reserved = reserve_port();
    let port = reserved.port();
    let (reports, report) = collector();
    let handler = builder(format!("http://127.0.0.1:{port}/v1/logs"))
        .on_error(report)
        .build()
        .expect("handler");
    log_all(&handler, numbered(0..50));
    // The collector starts only once the refused export has been reported: a fixed pause would
    // leave it to the scheduler whether the first attempt came before the collector did.
    let deadline = Instant::now() + WAIT;
    while reports.lock().unwrap().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let receiver = Receiver::start_on(port);
    assert_eq!(bodies(&receiver, 50), numbered(0..50));
    handler.close();
    assert_eq!(handler.stats().dropped, 0);
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "one report per burst: {reports:?}");
    assert!(
        reports[0].contains(&format!("127.0.0.1:{port}")),
        "{reports:?}"
    );
}

#[test]
fn a_collector_that_dies_mid_run_gets_the_rest_when_it_returns() {
    let receiver = Receiver::start();
    let port = receiver.port();
    let handler = builder(receiver.endpoint()).build().expect("handler");
    log_all(&handler, numbered(0..20));
    assert_eq!(bodies(&receiver, 20), numbered(0..20));
    drop(receiver);
    log_all(&handler, numbered(20..60));
    std::thread::sleep(Duration::from_millis(300));
    let receiver = Receiver::start_on(port);
    assert_eq!(bodies(&receiver, 40), numbered(20..60));
    handler.close();
    assert_eq!(handler.stats().dropped, 0);
}

#[test]
fn a_hanging_collector_times_out_and_the_batch_is_sent_again() {
    let receiver = Receiver::start();
    receiver.script([Reply::Hang]);
    let handler = builder(receiver.endpoint()).build().expect("handler");
    log_all(&handler, numbered(0..5));
    let records = bodies(&receiver, 5);
    assert_eq!(records, numbered(0..5));
    let requests = receiver.requests();
    assert_eq!(requests[0].status, 0, "the first request was left hanging");
    handler.close();
    assert_eq!(handler.stats().dropped, 0);
}

#[test]
fn a_429_is_retried_after_what_retry_after_asks() {
    let receiver = Receiver::start();
    receiver.script([Reply::Status(
        429,
        vec![("Retry-After".into(), "1".into())],
        Vec::new(),
    )]);
    let handler = builder(receiver.endpoint()).build().expect("handler");
    log_all(&handler, numbered(0..3));
    assert_eq!(bodies(&receiver, 3), numbered(0..3));
    let requests = receiver.requests();
    assert_eq!(requests.len(), 2);
    let waited = requests[1].at - requests[0].at;
    // The backoff alone is 20 ms: only Retry-After makes it a second.
    assert!(
        waited >= Duration::from_millis(900),
        "retried after {waited:?}"
    );
    handler.close();
}

#[test]
fn a_503_then_200_delivers_once() {
    let receiver = Receiver::start();
    receiver.script([Reply::status(503), Reply::status(502), Reply::status(504)]);
    let handler = builder(receiver.endpoint()).build().expect("handler");
    log_all(&handler, numbered(0..4));
    assert_eq!(bodies(&receiver, 4), numbered(0..4));
    handler.close();
    let statuses: Vec<u16> = receiver.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 502, 504, 200]);
    assert_eq!(handler.stats().errors, 0);
}

#[test]
fn a_400_is_not_retried_and_is_reported() {
    let receiver = Receiver::start();
    receiver.script([Reply::status(400)]);
    let (reports, report) = collector();
    let handler = builder(receiver.endpoint())
        .on_error(report)
        .batch(3, Duration::from_secs(5))
        .build()
        .expect("handler");
    log_all(&handler, numbered(0..3));
    handler.flush();
    log_all(&handler, numbered(3..4));
    handler.close();
    let statuses: Vec<u16> = receiver.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [400, 200], "the refused batch is not sent again");
    assert_eq!(bodies(&receiver, 1), numbered(3..4));
    let stats = handler.stats();
    assert_eq!(stats.errors, 3, "the refused batch's records are failed");
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        reports[0].ends_with("HTTP Error 400: Bad Request"),
        "{reports:?}"
    );
}

#[test]
fn a_drop_policy_counts_exactly_what_a_full_queue_lost() {
    // Held to the end of the scope: nobody else can take the port meanwhile.
    let reserved = reserve_port();
    let port = reserved.port();
    const CAPACITY: usize = 10;
    const LOGGED: usize = 200;
    let handler = builder(format!("http://127.0.0.1:{port}/v1/logs"))
        .capacity(CAPACITY)
        .backpressure(Backpressure::DropNewest)
        .build()
        .expect("handler");
    log_all(&handler, numbered(0..LOGGED));
    let dropped = handler.stats().dropped as usize;
    // The worker holds one batch (up to 16 records) and the queue 10: the rest was dropped.
    assert!(dropped >= LOGGED - CAPACITY - 16, "{dropped} dropped");
    let receiver = Receiver::start_on(port);
    let kept = LOGGED - dropped;
    // What was kept arrives, plus the worker's report of what was dropped.
    let records = receiver.wait_for_records(kept + 1, WAIT);
    handler.close();
    let app: Vec<String> = records
        .iter()
        .filter(|(scope, _)| scope == "app")
        .map(|(_, r)| body(r))
        .collect();
    assert_eq!(app.len(), kept, "kept records: {app:?}");
    assert_eq!(app.len() + handler.stats().dropped as usize, LOGGED);
    let report: Vec<String> = records
        .iter()
        .filter(|(scope, _)| scope == "pylog")
        .map(|(_, r)| body(r))
        .collect();
    assert_eq!(report.len(), 1, "{report:?}");
    assert!(
        report[0].contains(&format!("{dropped} records dropped")),
        "{report:?}"
    );
}

#[test]
fn under_block_a_long_outage_loses_nothing() {
    // Held to the end of the scope: nobody else can take the port meanwhile.
    let reserved = reserve_port();
    let port = reserved.port();
    let handler = builder(format!("http://127.0.0.1:{port}/v1/logs"))
        .capacity(50)
        .build()
        .expect("handler");
    // More than the queue holds: the producer waits for room, and nothing is dropped.
    let producer = {
        let handler = handler.clone();
        std::thread::spawn(move || {
            for msg in numbered(0..300) {
                handler.handle(&LogRecord::new("app", Level::ERROR, &msg));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let receiver = Receiver::start_on(port);
    producer.join().expect("producer");
    assert_eq!(bodies(&receiver, 300), numbered(0..300));
    handler.close();
    assert_eq!(handler.stats().dropped, 0);
}

#[test]
fn closing_while_the_collector_is_down_stops_at_the_drain_timeout_and_counts_the_loss() {
    // Held to the end of the scope: nobody else can take the port meanwhile.
    let reserved = reserve_port();
    let port = reserved.port();
    let (reports, report) = collector();
    let handler = builder(format!("http://127.0.0.1:{port}/v1/logs"))
        .drain_timeout(Duration::from_secs(1))
        .on_error(report)
        .build()
        .expect("handler");
    log_all(&handler, numbered(0..5));
    let start = Instant::now();
    handler.close();
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "close took {:?}",
        start.elapsed()
    );
    let stats = handler.stats();
    assert_eq!(
        stats.errors + stats.dropped,
        5,
        "every record is counted: {stats:?}"
    );
    assert_eq!(stats.queued, 0);
    assert_eq!(reports.lock().unwrap().len(), 1);
}
