//! HttpHandler sends what CPython 3.11's `HTTPHandler` sends: the same request line, the same
//! url-encoded `record.__dict__` (keys, order and value texts) in the query of a GET or the body of
//! a POST, and the same headers, for the records `tests/golden/http/generate.py` logged through
//! CPython against its own recording server (`expected.json`).
//!
//! What must differ is masked, and named here:
//! - fields of the run: `created`, `msecs`, `relativeCreated`, `thread`, `process`, `pathname`,
//!   `lineno`, `funcName`, `module`, `filename`;
//! - the port in `Host`;
//! - `Content-length`, whose value follows the masked fields' lengths: on both sides it is checked
//!   against the body it came with instead;
//! - `Accept: */*`, which reqwest adds and CPython's http.client does not send.
//!
//! Headers are compared as a set with names in any case: reqwest writes `Content-Type` where
//! CPython writes `Content-type`, and orders them its own way (see "Where Rust differs" in
//! docs/guide/migrating-from-python.md).

mod http_common;

use std::time::Duration;

use http_common::{Recorded, Server};
use pylog::{HttpHandler, HttpMethod, Level, LogRecord, Value};
use serde_json::Value as Json;

const MASKED: [&str; 10] = [
    "created",
    "msecs",
    "relativeCreated",
    "thread",
    "process",
    "pathname",
    "lineno",
    "funcName",
    "module",
    "filename",
];

/// `k=v&k=v` with the values of the masked keys replaced.
fn mask_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if MASKED.contains(&k) => format!("{k}=<masked>"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn mask_request_line(line: &str) -> String {
    let mut parts = line.splitn(3, ' ');
    let (method, target, version) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let target = match target.split_once('?') {
        Some((path, query)) => format!("{path}?{}", mask_query(query)),
        None => target.to_owned(),
    };
    format!("{method} {target} {version}")
}

/// Header names in lower case with their values, masked; `Content-length` is checked against
/// the body and left out.
fn header_set(headers: &[(String, String)], body: &[u8], side: &str) -> Vec<(String, String)> {
    let mut set: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(name, value)| {
            let name = name.to_ascii_lowercase();
            match name.as_str() {
                "content-length" => {
                    assert_eq!(value, &body.len().to_string(), "{side}: Content-length");
                    None
                }
                "accept" if side == "pylog" && value == "*/*" => None,
                "host" => {
                    let (host, port) = value.rsplit_once(':').unwrap_or((value, ""));
                    assert!(port.parse::<u16>().is_ok(), "{side}: Host {value}");
                    Some((name, format!("{host}:<port>")))
                }
                _ => Some((name, value.clone())),
            }
        })
        .collect();
    set.sort();
    set
}

fn extras(spec: &Json) -> Vec<(String, Json)> {
    spec["extra"]
        .as_array()
        .map(|pairs| {
            pairs
                .iter()
                .map(|kv| (kv[0].as_str().unwrap_or_default().to_owned(), kv[1].clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn value(v: &Json) -> Value<'_> {
    match v {
        Json::String(s) => Value::Str(s),
        Json::Bool(b) => Value::Bool(*b),
        Json::Null => Value::None,
        Json::Number(n) if n.is_i64() => Value::Int(n.as_i64().unwrap_or_default()),
        Json::Number(n) => Value::Float(n.as_f64().unwrap_or_default()),
        other => panic!("unexpected extra {other}"),
    }
}

/// Logs the case's records through an HttpHandler configured as the case says and returns what
/// the server received.
fn replay(case: &Json) -> Vec<Recorded> {
    let server = Server::start();
    let method: HttpMethod = case["method"].as_str().unwrap().parse().unwrap();
    let mut builder =
        HttpHandler::builder(server.host(), case["url"].as_str().unwrap()).method(method);
    if let Some(cred) = case["credentials"].as_array() {
        builder = builder.credentials(cred[0].as_str().unwrap(), cred[1].as_str().unwrap());
    }
    let handler = builder.build().unwrap();
    let specs = case["requests"].as_array().unwrap();
    for request in specs {
        let spec = &request["record"];
        let extras = extras(spec);
        let extras: Vec<(&str, Value<'_>)> =
            extras.iter().map(|(k, v)| (k.as_str(), value(v))).collect();
        let mut record = LogRecord::new(
            spec["name"].as_str().unwrap(),
            Level::new(spec["levelno"].as_i64().unwrap() as i32),
            spec["msg"].as_str().unwrap(),
        );
        record.extras = &extras;
        let thread = record.thread();
        record.set_thread(thread, "MainThread");
        assert!(handler.handle(&record));
    }
    handler.close();
    assert_eq!(handler.stats().emitted, specs.len() as u64);
    assert_eq!(handler.queue_stats().unwrap().delivered, specs.len() as u64);
    server.wait_for(specs.len(), Duration::from_secs(10))
}

#[test]
fn requests_match_cpython_but_for_the_masked_fields() {
    let golden: Json =
        serde_json::from_str(include_str!("golden/http/expected.json")).expect("golden JSON");
    let cases = golden.as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for case in cases {
        let title = case["title"].as_str().unwrap();
        let expected = case["requests"].as_array().unwrap();
        let got = replay(case);
        assert_eq!(got.len(), expected.len(), "{title}");
        for (want, got) in expected.iter().zip(&got) {
            let want_body = want["body"].as_str().unwrap();
            assert_eq!(
                mask_request_line(&got.request_line),
                mask_request_line(want["request_line"].as_str().unwrap()),
                "{title}: request line"
            );
            assert_eq!(
                mask_query(&got.body_text()),
                mask_query(want_body),
                "{title}: body"
            );
            let want_headers: Vec<(String, String)> = want["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into()))
                .collect();
            assert_eq!(
                header_set(&got.headers, &got.body, "pylog"),
                header_set(&want_headers, want_body.as_bytes(), "CPython"),
                "{title}: headers"
            );
        }
    }
}

#[test]
fn masking_leaves_the_rest_of_the_query_alone() {
    // The mask must not hide differences in the fields that are compared.
    assert_ne!(
        mask_query("name=a&created=1.5&msg=x"),
        mask_query("name=b&created=2.5&msg=x")
    );
    assert_eq!(
        mask_query("name=a&created=1.5&msg=x"),
        mask_query("name=a&created=2.5&msg=x")
    );
}
