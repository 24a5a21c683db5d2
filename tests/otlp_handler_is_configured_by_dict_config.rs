//! dictConfig builds `pylog.OtlpHandler` from keys named like the `OTEL_EXPORTER_OTLP_*`
//! variables, and maps opentelemetry-python's `opentelemetry.sdk._logs.LoggingHandler`; the
//! handlers they build deliver to a receiver on loopback. Bad values are errors at their key.

mod otlp_common;

use std::time::Duration;

use otlp_common::{Receiver, attribute, body};
use pylog::Manager;
use pylog::config::{Config, Configurator};
use pylog::otlp::proto::any_value::Value as Any;

fn apply(tree: &Manager, json: &str) -> Result<(), pylog::config::ConfigError> {
    Configurator::for_manager(tree)
        .env_overrides(false)
        .dict_config(&Config::from_json(json)?)
}

#[test]
fn pylog_otlp_handler_takes_the_otel_keys() {
    let receiver = Receiver::start();
    let tree = Manager::new();
    let json = format!(
        r#"{{"version": 1,
            "handlers": {{"otlp": {{"class": "pylog.OtlpHandler", "level": "INFO",
                "endpoint": "{}", "protocol": "http/protobuf", "compression": "gzip",
                "headers": {{"api-key": "secret"}}, "timeout": 2.5,
                "service_name": "billing", "resource_attributes": "team=core,region=eu",
                "batch_size": 10, "batch_timeout": 0.05}}}},
            "loggers": {{"app": {{"handlers": ["otlp"], "level": "DEBUG"}}}}}}"#,
        receiver.endpoint()
    );
    apply(&tree, &json).expect("configured");
    let logger = tree.get_logger("app");
    logger.debug("below the handler's level");
    logger
        .event(pylog::Level::INFO)
        .extra("n", 3)
        .log("configured");
    for handler in logger.handlers() {
        handler.close();
    }
    let requests = receiver.wait_for_requests(1, Duration::from_secs(30));
    let request = &requests[0];
    assert_eq!(request.header("api-key"), Some("secret"));
    assert_eq!(request.header("content-encoding"), Some("gzip"));
    let records = request.records();
    assert_eq!(records.len(), 1);
    assert_eq!(body(&records[0].1), "configured");
    assert_eq!(attribute(&records[0].1, "n"), Some(Any::IntValue(3)));
    let resource = request.request().resource_logs[0]
        .resource
        .clone()
        .expect("resource");
    let value = |key: &str| {
        resource
            .attributes
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| kv.value.clone())
            .and_then(|v| v.value)
    };
    assert_eq!(
        value("service.name"),
        Some(Any::StringValue("billing".into()))
    );
    assert_eq!(value("team"), Some(Any::StringValue("core".into())));
    assert_eq!(value("region"), Some(Any::StringValue("eu".into())));
}

#[test]
fn opentelemetry_logging_handler_is_an_otlp_handler_from_the_environment() {
    let tree = Manager::new();
    let json = r#"{"version": 1,
        "handlers": {"otel": {"class": "opentelemetry.sdk._logs.LoggingHandler", "level": "WARNING"}},
        "root": {"handlers": ["otel"]}}"#;
    apply(&tree, json).expect("configured");
    let handlers = tree.get_logger("").handlers();
    assert_eq!(handlers.len(), 1);
    assert_eq!(handlers[0].kind(), "OtlpHandler");
    assert_eq!(handlers[0].level(), pylog::Level::WARNING);
    for h in handlers {
        h.close();
    }
}

#[test]
fn bad_values_are_errors_at_their_key() {
    let tree = Manager::new();
    let err = |handler: &str| {
        let json = format!(r#"{{"version": 1, "handlers": {{"h": {handler}}}}}"#);
        apply(&tree, &json)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = err(r#"{"class": "pylog.OtlpHandler", "protocol": "thrift"}"#);
    assert!(
        e.contains("handlers.h.protocol") && e.contains("thrift"),
        "{e}"
    );
    let e = err(r#"{"class": "pylog.OtlpHandler", "compression": "zstd"}"#);
    assert!(e.contains("handlers.h.compression"), "{e}");
    let e = err(r#"{"class": "pylog.OtlpHandler", "headers": "novalue"}"#);
    assert!(e.contains("handlers.h.headers"), "{e}");
    let e = err(r#"{"class": "opentelemetry.sdk._logs.LoggingHandler", "logger_provider": "x"}"#);
    assert!(e.contains("logger_provider"), "{e}");
}
