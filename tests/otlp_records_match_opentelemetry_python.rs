//! `OtlpHandler`'s records equal, field by field, what opentelemetry-python's `LoggingHandler`
//! and `OTLPLogExporter` send for the same `logging.LogRecord`s (`tests/golden/otlp/`, made by
//! `generate.py` there and decoded with the official OTLP definitions): severity number and
//! text, body, every attribute's key, type, value and place, the scope, the resource's keys.
//! So do the lines `OtlpJsonFormatter` writes, one request per record.
//!
//! Masked, because they must differ:
//! - `timeUnixNano` and `observedTimeUnixNano` (the records were made at other times);
//! - the resource's values other than `service.name`: `telemetry.sdk.language`/`name`/`version`
//!   (`rust`/`pylog` against `python`/`opentelemetry`) and `service.instance.id` (random per
//!   process);
//! - `exception.type` (Python's class name, `ValueError`, against the Rust type the error was
//!   logged as) and `exception.stacktrace` (Python's traceback against the Rust error chain in
//!   Python's chained-exception layout).

mod otlp_common;
#[path = "otlp_common/replay.rs"]
mod replay;

use std::time::Duration;

use otlp_common::Receiver;
use pylog::{OtlpHandler, OtlpJsonFormatter};
use serde_json::Value;

const GOLDEN: &str = include_str!("golden/otlp/expected.json");
const RUST_PROTOBUF: &str = include_str!("golden/otlp/rust_protobuf.json");
const RUST_JSON: &str = include_str!("golden/otlp/rust_json.json");
const RUST_FILE: &str = include_str!("golden/otlp/rust_file.json");

const MASKED_RECORD_FIELDS: [&str; 2] = ["timeUnixNano", "observedTimeUnixNano"];
const MASKED_ATTRIBUTES: [&str; 2] = ["exception.type", "exception.stacktrace"];
const UNMASKED_RESOURCE_ATTRIBUTES: [&str; 1] = ["service.name"];

/// `request` with the values that must differ replaced by `"<masked>"`.
fn masked(mut request: Value) -> Value {
    let mark = || Value::String("<masked>".to_owned());
    for rl in request["resourceLogs"].as_array_mut().into_iter().flatten() {
        for attribute in rl["resource"]["attributes"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            if !UNMASKED_RESOURCE_ATTRIBUTES.contains(&attribute["key"].as_str().unwrap_or("")) {
                attribute["value"] = mark();
            }
        }
        for sl in rl["scopeLogs"].as_array_mut().into_iter().flatten() {
            for record in sl["logRecords"].as_array_mut().into_iter().flatten() {
                for field in MASKED_RECORD_FIELDS {
                    assert!(record.get(field).is_some(), "{field} is sent");
                    record[field] = mark();
                }
                for attribute in record["attributes"].as_array_mut().into_iter().flatten() {
                    if MASKED_ATTRIBUTES.contains(&attribute["key"].as_str().unwrap_or("")) {
                        attribute["value"] = mark();
                    }
                }
            }
        }
    }
    request
}

fn golden() -> Value {
    serde_json::from_str(GOLDEN).expect("expected.json")
}

fn python_requests(golden: &Value) -> Vec<(String, Value)> {
    golden["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| {
            (
                case["title"].as_str().unwrap_or_default().to_owned(),
                masked(case["request"].clone()),
            )
        })
        .collect()
}

#[test]
fn records_sent_now_equal_pythons_field_by_field() {
    let golden = golden();
    let receiver = Receiver::start();
    let handler = OtlpHandler::builder()
        .endpoint(receiver.endpoint())
        .environment(|_| None)
        .service_name("golden")
        .batch(1, Duration::ZERO)
        .build()
        .expect("handler");
    replay::replay(&golden, &handler);
    handler.close();
    let python = python_requests(&golden);
    let arrived = receiver.wait_for_requests(python.len(), Duration::from_secs(30));
    assert_eq!(arrived.len(), python.len(), "one request per record");
    for ((title, expected), arrived) in python.iter().zip(&arrived) {
        // Decoded with the OTLP prost messages, then written in OTLP/JSON: the mapping the
        // golden file uses (MessageToDict with integer enums).
        let mut text = String::new();
        pylog::otlp::write_json_request(&mut text, &arrived.request());
        let ours = masked(serde_json::from_str(&text).expect("our JSON parses"));
        assert_eq!(&ours, expected, "case {title:?}");
    }
}

#[test]
fn requests_the_official_definitions_decoded_equal_pythons() {
    let golden = golden();
    let python = python_requests(&golden);
    for (name, text) in [
        ("rust_protobuf.json", RUST_PROTOBUF),
        ("rust_json.json", RUST_JSON),
        ("rust_file.json", RUST_FILE),
    ] {
        let ours: Vec<Value> = serde_json::from_str(text).expect(name);
        assert_eq!(ours.len(), python.len(), "{name}");
        for ((title, expected), ours) in python.iter().zip(ours) {
            assert_eq!(&masked(ours), expected, "{name}: case {title:?}");
        }
    }
}

#[test]
fn otlp_json_formatter_lines_equal_pythons_requests() {
    let golden = golden();
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("otlp.jsonl");
    let handler = pylog::FileHandler::builder(&path)
        .build()
        .expect("file handler");
    let formatter = |body: Option<pylog::Formatter>| -> pylog::Formatter {
        let mut builder = OtlpJsonFormatter::builder()
            .environment(|_| None)
            .service_name("golden");
        if let Some(body) = body {
            builder = builder.body(body);
        }
        builder.build().expect("formatter").into()
    };
    handler.set_formatter(Some(formatter(None)));
    replay::replay_with(&golden, &handler, |format| {
        formatter(Some(pylog::Formatter::new(format).expect("valid format")))
    });
    handler.close();
    let text = std::fs::read_to_string(&path).expect("the file");
    let python = python_requests(&golden);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), python.len(), "one line per record");
    for ((title, expected), line) in python.iter().zip(lines) {
        let ours = masked(serde_json::from_str(line).expect("a JSON line"));
        assert_eq!(&ours, expected, "case {title:?}");
    }
}

#[test]
fn the_masks_hide_only_what_must_differ() {
    // The Python side of a case differs from ours exactly in the masked places: unmasked, the
    // exception's type is Python's class name.
    let golden = golden();
    let case = golden["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c.get("exc").is_some())
        .expect("an exception case");
    let record = &case["request"]["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
    let exception_type = record["attributes"]
        .as_array()
        .expect("attributes")
        .iter()
        .find(|a| a["key"] == "exception.type")
        .map(|a| a["value"]["stringValue"].clone());
    assert_eq!(exception_type, Some(Value::String("ValueError".into())));
}
