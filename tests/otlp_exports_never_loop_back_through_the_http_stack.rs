//! The OTLP handler's own HTTP stack logs while it exports (reqwest writes a `log` DEBUG record
//! per new connection; hyper and rustls may add `tracing` events). With the root logger at the
//! lowest level and the handler on it, those records reach the tree on the handler's worker
//! thread, where they are dropped and counted: one logged record makes one exported record, and
//! an export never causes another.

mod otlp_common;

use std::time::Duration;

use otlp_common::{Receiver, body};
use pylog::{Level, OtlpHandler};

#[test]
fn records_of_the_http_stack_are_dropped_and_counted_not_exported() {
    pylog::install().expect("nothing else installed a subscriber");
    let receiver = Receiver::start();
    let handler = OtlpHandler::builder()
        .endpoint(receiver.endpoint())
        .environment(|_| None)
        .batch(1, Duration::ZERO)
        .build()
        .expect("handler");
    let root = pylog::get_logger("");
    root.set_level(Level::new(1));
    root.add_handler(handler.clone());
    for i in 0..3 {
        tracing::warn!(target: "app", "exported {i}");
        let records = receiver.wait_for_records(i + 1, Duration::from_secs(30));
        assert_eq!(records.len(), i + 1);
    }
    // Long enough for a loop to show: each export would cause the next.
    std::thread::sleep(Duration::from_millis(1500));
    handler.flush();
    let records = receiver.accepted_records();
    let bodies: Vec<String> = records.iter().map(|(_, r)| body(r)).collect();
    assert_eq!(bodies, ["exported 0", "exported 1", "exported 2"]);
    assert_eq!(receiver.requests().len(), 3);
    let stats = handler.stats();
    assert!(
        stats.dropped >= 3,
        "the HTTP stack's own records were counted as dropped: {stats:?}"
    );
    root.remove_handler(&handler);
    handler.close();
}
