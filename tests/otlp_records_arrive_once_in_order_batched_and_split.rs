//! What an OTLP receiver on loopback gets from `OtlpHandler`: every record once, in order per
//! thread, as protobuf `ExportLogsServiceRequest`s (decoded here with the OTLP messages),
//! gzip-compressed when asked, as OTLP/JSON when asked, split into requests that keep under the
//! size limit, with the environment's headers and resource; a `partial_success` is counted.

mod otlp_common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use otlp_common::{Receiver, Reply, attribute, body};
use pylog::otlp::proto::any_value::Value as Any;
use pylog::{
    DeliveryError, ErrorReporter, Handler, Level, Manager, OtlpCompression, OtlpHandler,
    OtlpHandlerBuilder, OtlpProtocol, OwnedRecord,
};

const WAIT: Duration = Duration::from_secs(30);

/// A builder for `receiver`, reading no environment.
fn builder(receiver: &Receiver) -> OtlpHandlerBuilder {
    OtlpHandler::builder()
        .endpoint(receiver.endpoint())
        .environment(|_| None)
        .batch(64, Duration::from_millis(50))
}

fn collector() -> (Arc<Mutex<Vec<String>>>, ErrorReporter) {
    let reports: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = reports.clone();
    let report = Arc::new(move |_: &OwnedRecord, e: &DeliveryError| {
        sink.lock().unwrap().push(e.to_string());
    });
    (reports, report)
}

#[test]
fn every_record_arrives_once_in_order_per_thread() {
    let receiver = Receiver::start();
    let handler = builder(&receiver).build().expect("handler");
    let tree = Manager::new();
    let logger = tree.get_logger("app.worker");
    logger.set_level(Level::DEBUG);
    logger.add_handler(handler.clone());
    const THREADS: i64 = 4;
    const PER_THREAD: i64 = 300;
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let logger = logger.clone();
            s.spawn(move || {
                for i in 0..PER_THREAD {
                    logger
                        .event(Level::INFO)
                        .extra("t", t)
                        .extra("i", i)
                        .log(format_args!("record {t}/{i}"));
                }
            });
        }
    });
    handler.close();
    let records = receiver.wait_for_records((THREADS * PER_THREAD) as usize, WAIT);
    assert_eq!(records.len(), (THREADS * PER_THREAD) as usize);
    let mut next: HashMap<i64, i64> = HashMap::new();
    for (scope, record) in &records {
        assert_eq!(scope, "app.worker");
        let (Some(Any::IntValue(t)), Some(Any::IntValue(i))) =
            (attribute(record, "t"), attribute(record, "i"))
        else {
            panic!("no t/i attributes: {record:?}");
        };
        let expected = next.entry(t).or_insert(0);
        assert_eq!(i, *expected, "thread {t}: out of order or repeated");
        *expected += 1;
        assert_eq!(body(record), format!("record {t}/{i}"));
        assert_eq!(record.severity_number, 9);
        assert_eq!(record.severity_text, "INFO");
    }
    assert_eq!(handler.stats().dropped, 0);
    assert!(
        receiver
            .requests()
            .iter()
            .all(|r| r.header("content-type") == Some("application/x-protobuf"))
    );
}

#[test]
fn gzip_is_applied_when_asked() {
    let receiver = Receiver::start();
    let handler = builder(&receiver)
        .compression(OtlpCompression::Gzip)
        .build()
        .expect("handler");
    handler.handle(&pylog::LogRecord::new(
        "app",
        Level::WARNING,
        &"x".repeat(4000),
    ));
    handler.close();
    let requests = receiver.wait_for_requests(1, WAIT);
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.header("content-encoding"), Some("gzip"));
    assert_eq!(&request.raw[..2], [0x1f, 0x8b], "a gzip stream");
    assert!(request.raw.len() < request.body.len() / 4, "compressed");
    let records = request.records();
    assert_eq!(body(&records[0].1), "x".repeat(4000));
    assert_eq!(records[0].1.severity_text, "WARN");
}

#[test]
fn without_compression_nothing_is_compressed() {
    let receiver = Receiver::start();
    let handler = builder(&receiver).build().expect("handler");
    handler.handle(&pylog::LogRecord::new("app", Level::INFO, "plain"));
    handler.close();
    let requests = receiver.wait_for_requests(1, WAIT);
    assert_eq!(requests[0].header("content-encoding"), None);
    assert_eq!(requests[0].raw, requests[0].body);
}

#[test]
fn batches_split_at_the_size_limit() {
    let receiver = Receiver::start();
    const LIMIT: usize = 4096;
    let handler = builder(&receiver)
        .batch(512, Duration::from_secs(5))
        .max_request_bytes(LIMIT)
        .build()
        .expect("handler");
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.add_handler(handler.clone());
    for i in 0..200 {
        logger.warning(format_args!("{i:04} {}", "y".repeat(200)));
    }
    handler.close();
    let records = receiver.wait_for_records(200, WAIT);
    let bodies: Vec<String> = records
        .iter()
        .map(|(_, r)| body(r)[..4].to_owned())
        .collect();
    let expected: Vec<String> = (0..200).map(|i| format!("{i:04}")).collect();
    assert_eq!(bodies, expected);
    let requests = receiver.requests();
    assert!(
        requests.len() >= 200 * 200 / LIMIT,
        "{} requests",
        requests.len()
    );
    for r in &requests {
        assert!(r.body.len() <= LIMIT, "a request of {} bytes", r.body.len());
    }
}

#[test]
fn partial_success_is_counted_and_reported() {
    let receiver = Receiver::start();
    receiver.script([Reply::partial(2, "timestamps too old")]);
    let (reports, report) = collector();
    let handler = builder(&receiver)
        .on_error(report)
        .build()
        .expect("handler");
    for i in 0..3 {
        handler.handle(&pylog::LogRecord::new("app", Level::INFO, &format!("r{i}")));
    }
    assert!(handler.queue_stats().is_some());
    handler.flush();
    handler.close();
    let otlp = handler.sink_as::<OtlpHandler>().expect("an OtlpHandler");
    assert_eq!(otlp.rejected(), 2);
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        reports[0].contains("rejected 2 log records: timestamps too old"),
        "{reports:?}"
    );
}

#[test]
fn json_protocol_sends_otlp_json() {
    let receiver = Receiver::start();
    let handler = builder(&receiver)
        .protocol(OtlpProtocol::HttpJson)
        .build()
        .expect("handler");
    let tree = Manager::new();
    let logger = tree.get_logger("app.json");
    logger.add_handler(handler.clone());
    logger
        .event(Level::ERROR)
        .extra("user", 7)
        .extra("ratio", 0.5)
        .extra("ok", true)
        .log("saved");
    handler.close();
    let requests = receiver.wait_for_requests(1, WAIT);
    assert_eq!(requests[0].header("content-type"), Some("application/json"));
    let json: serde_json::Value = serde_json::from_slice(&requests[0].body).expect("JSON");
    let scope_logs = &json["resourceLogs"][0]["scopeLogs"][0];
    assert_eq!(scope_logs["scope"]["name"], "app.json");
    let record = &scope_logs["logRecords"][0];
    assert_eq!(record["severityNumber"], 17);
    assert_eq!(record["severityText"], "ERROR");
    assert_eq!(record["body"]["stringValue"], "saved");
    assert!(
        record["timeUnixNano"]
            .as_str()
            .is_some_and(|t| t.len() >= 19)
    );
    let attrs = record["attributes"].as_array().expect("attributes");
    let get = |key: &str| {
        attrs
            .iter()
            .find(|a| a["key"] == key)
            .map(|a| a["value"].clone())
    };
    assert_eq!(get("user"), Some(serde_json::json!({"intValue": "7"})));
    assert_eq!(get("ratio"), Some(serde_json::json!({"doubleValue": 0.5})));
    assert_eq!(get("ok"), Some(serde_json::json!({"boolValue": true})));
}

#[test]
fn environment_settings_apply_and_the_builder_wins() {
    let receiver = Receiver::start();
    let endpoint = receiver.endpoint();
    let base = endpoint.trim_end_matches("/v1/logs").to_owned();
    let env: HashMap<&str, String> = HashMap::from([
        ("OTEL_EXPORTER_OTLP_ENDPOINT", base),
        (
            "OTEL_EXPORTER_OTLP_HEADERS",
            "api-key=s%3Dcret,x-team=core".into(),
        ),
        ("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "gzip".into()),
        ("OTEL_SERVICE_NAME", "checkout".into()),
        (
            "OTEL_RESOURCE_ATTRIBUTES",
            "deployment.environment=prod,service.version=1.2".into(),
        ),
    ]);
    let handler = OtlpHandler::builder()
        .environment(move |k| env.get(k).cloned())
        .header("X-Team", "payments")
        .resource_attribute("service.version", "2.0")
        .build()
        .expect("handler");
    handler.handle(&pylog::LogRecord::new("app", Level::INFO, "hello"));
    handler.close();
    let requests = receiver.wait_for_requests(1, WAIT);
    let r = &requests[0];
    assert_eq!(r.header("api-key"), Some("s=cret"));
    assert_eq!(r.header("x-team"), Some("payments"));
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let request = r.request();
    let resource = request.resource_logs[0].resource.clone().expect("resource");
    let get = |key: &str| {
        resource
            .attributes
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.clone())
            .and_then(|v| v.value)
    };
    assert_eq!(
        get("service.name"),
        Some(Any::StringValue("checkout".into()))
    );
    assert_eq!(
        get("deployment.environment"),
        Some(Any::StringValue("prod".into()))
    );
    assert_eq!(get("service.version"), Some(Any::StringValue("2.0".into())));
    assert_eq!(
        get("telemetry.sdk.language"),
        Some(Any::StringValue("rust".into()))
    );
}

#[test]
fn invalid_settings_are_errors_naming_them() {
    let err = |b: OtlpHandlerBuilder| b.build().err().map(|e| e.to_string()).unwrap_or_default();
    let e = err(OtlpHandler::builder()
        .environment(|k| (k == "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL").then(|| "thrift".to_owned())));
    assert!(
        e.starts_with("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: unknown OTLP protocol"),
        "{e}"
    );
    let e = err(OtlpHandler::builder()
        .environment(|_| None)
        .endpoint("ftp://x/v1/logs"));
    assert!(e.contains("the scheme must be http or https"), "{e}");
    let e = err(OtlpHandler::builder().environment(|k| {
        (k == "OTEL_EXPORTER_OTLP_CERTIFICATE").then(|| "/nonexistent/ca.pem".to_owned())
    }));
    assert!(
        e.starts_with("OTEL_EXPORTER_OTLP_CERTIFICATE: cannot read"),
        "{e}"
    );
}

#[test]
fn the_default_endpoint_is_localhost_4318() {
    let handler: Handler = OtlpHandler::builder()
        .environment(|_| None)
        .build()
        .expect("handler");
    let otlp = handler.sink_as::<OtlpHandler>().expect("an OtlpHandler");
    assert_eq!(otlp.endpoint(), "http://localhost:4318/v1/logs");
    handler.close();
}
