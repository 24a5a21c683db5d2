//! Applications log from Tokio workers, and `reqwest::blocking` panics inside a runtime: the
//! handler is built, fed, flushed and closed from inside runtimes (multi-thread and current-thread)
//! without a panic, every record arrives, and so does one logged after the close (delivered on the
//! logging thread, which is a runtime thread here).

mod http_common;

use std::time::Duration;

use http_common::Server;
use pylog::{HttpHandler, HttpMethod, Level, LogRecord};

fn log(handler: &pylog::Handler, msg: &str) {
    assert!(handler.handle(&LogRecord::new("app", Level::INFO, msg)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_from_tokio_tasks_delivers_everything() {
    let server = Server::start();
    let handler = HttpHandler::builder(server.host(), "/log")
        .method(HttpMethod::Post)
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for t in 0..4 {
        let handler = handler.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..5 {
                log(&handler, &format!("task {t} record {i}"));
            }
        }));
    }
    for task in tasks {
        task.await.expect("no task panicked");
    }
    handler.flush();
    handler.close();
    log(&handler, "after close");
    let got = server.wait_for(21, Duration::from_secs(10));
    assert_eq!(got.len(), 21);
    assert!(got[20].body_text().contains("msg=after+close&"));
    let stats = handler.stats();
    assert_eq!((stats.emitted, stats.errors, stats.dropped), (21, 0, 0));
}

#[test]
fn logging_inside_a_current_thread_runtime_delivers_everything() {
    let server = Server::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let handler = runtime.block_on(async {
        let handler = HttpHandler::builder(server.host(), "/log").build().unwrap();
        log(&handler, "inside");
        handler.close();
        log(&handler, "inside, after close");
        handler
    });
    let got = server.wait_for(2, Duration::from_secs(10));
    assert_eq!(got.len(), 2);
    assert!(got[0].request_line.contains("msg=inside&"));
    assert!(got[1].request_line.contains("msg=inside%2C+after+close&"));
    assert_eq!(handler.stats().errors, 0);
}
