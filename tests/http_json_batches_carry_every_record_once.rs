//! The JSON modes, for log collectors: `json_batch(n, wait)` POSTs arrays of at most `n` records
//! that parse as JSON and, together, carry every record exactly once and in order, with Python's
//! keys, typed values and the formatted `message`; `json()` POSTs one object per record.

mod http_common;

use std::time::Duration;

use http_common::Server;
use pylog::{Formatter, HttpHandler, HttpMethod, Level, LogRecord, Value};
use serde_json::Value as Json;

fn log(handler: &pylog::Handler, i: i64) {
    let extras = [("i", Value::Int(i)), ("ratio", Value::Float(0.5))];
    let msg = format!("record {i}");
    let mut record = LogRecord::new("app.json", Level::WARNING, &msg);
    record.extras = &extras;
    assert!(handler.handle(&record));
}

#[test]
fn batches_are_json_arrays_carrying_every_record_once() {
    let server = Server::start();
    let handler = HttpHandler::builder(server.host(), "/bulk")
        .method(HttpMethod::Post)
        .json_batch(4, Duration::from_secs(60))
        .build()
        .unwrap()
        .with_formatter(Formatter::new("%(levelname)s %(name)s: %(message)s").unwrap());
    for i in 0..10 {
        log(&handler, i);
    }
    handler.close();
    let requests = server.requests();
    let mut seen = Vec::new();
    for request in &requests {
        assert_eq!(request.header("content-type"), Some("application/json"));
        let body: Json = serde_json::from_slice(&request.body).expect("a JSON body");
        let batch = body.as_array().expect("a JSON array");
        assert!((1..=4).contains(&batch.len()), "batch of {}", batch.len());
        for record in batch {
            let i = record["i"].as_i64().expect("extra `i` as a number");
            assert_eq!(record["msg"], Json::from(format!("record {i}")));
            assert_eq!(
                record["message"],
                Json::from(format!("WARNING app.json: record {i}"))
            );
            assert_eq!(record["levelno"], Json::from(30));
            assert_eq!(record["levelname"], Json::from("WARNING"));
            assert_eq!(record["ratio"], Json::from(0.5));
            assert_eq!(record["args"], Json::Array(Vec::new()));
            assert_eq!(record["exc_info"], Json::Null);
            assert!(record["created"].is_f64());
            seen.push(i);
        }
    }
    assert_eq!(seen, (0..10).collect::<Vec<_>>());
    assert!(requests.len() >= 3, "10 records in batches of 4 or fewer");
    assert_eq!(handler.queue_stats().unwrap().delivered, 10);
}

#[test]
fn json_sends_one_object_per_record() {
    let server = Server::start();
    let handler = HttpHandler::builder(server.host(), "/one")
        .method(HttpMethod::Post)
        .json()
        .build()
        .unwrap();
    for i in 0..3 {
        log(&handler, i);
    }
    handler.close();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for (i, request) in requests.iter().enumerate() {
        let body: Json = serde_json::from_slice(&request.body).expect("a JSON body");
        assert_eq!(body["i"], Json::from(i));
        assert_eq!(body["message"], Json::from(format!("record {i}")));
    }
}

#[test]
fn json_needs_post() {
    let err = HttpHandler::builder("127.0.0.1:9", "/log")
        .json()
        .build()
        .err()
        .map(|e| e.to_string());
    assert_eq!(err.as_deref(), Some("a JSON body needs method POST"));
}
