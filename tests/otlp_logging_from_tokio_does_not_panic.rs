//! Applications log from Tokio workers, where a runtime can neither be entered (`block_on`) nor
//! dropped: `OtlpHandler` is built, fed, flushed, closed, fed after the close (delivered on the
//! logging thread, a runtime thread here) and dropped inside a runtime without a panic, and every
//! record arrives.

mod otlp_common;

use std::time::Duration;

use otlp_common::{Receiver, body};
use pylog::{Level, LogRecord, OtlpHandler};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_fed_closed_and_dropped_inside_tokio() {
    let receiver = Receiver::start();
    let handler = OtlpHandler::builder()
        .endpoint(receiver.endpoint())
        .environment(|_| None)
        .build()
        .expect("handler");
    let mut tasks = Vec::new();
    for t in 0..4 {
        let handler = handler.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..5 {
                handler.handle(&LogRecord::new(
                    "app",
                    Level::INFO,
                    &format!("task {t} record {i}"),
                ));
            }
        }));
    }
    for task in tasks {
        task.await.expect("no task panicked");
    }
    handler.flush();
    handler.close();
    handler.handle(&LogRecord::new("app", Level::INFO, "after close"));
    let records = receiver.wait_for_records(21, Duration::from_secs(30));
    assert_eq!(records.len(), 21);
    assert_eq!(body(&records[20].1), "after close");
    let stats = handler.stats();
    assert_eq!((stats.emitted, stats.errors, stats.dropped), (21, 0, 0));
    // The last handle, dropped on a runtime thread, takes the handler's runtime with it.
    tokio::spawn(async move { drop(handler) })
        .await
        .expect("dropping the handler inside a runtime does not panic");
}
