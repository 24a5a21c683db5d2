//! A loopback TCP receiver gets every record a `SocketHandler` is given, in order, each framed
//! as a 4-byte big-endian length and exactly that many bytes of JSON (`Wire::Json`) or, by
//! default, of CPython's protocol-1 pickle, with the record's fields: levels (custom ones too),
//! extras of every type, the error's source chain, unicode.

mod socket_common;

use std::time::Duration;

use pylog::{Level, Manager, SocketHandler, Wire, format_error_chain};
use socket_common::Receiver;

#[derive(Debug)]
struct CannotSave(std::io::Error);
impl std::fmt::Display for CannotSave {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cannot save «report»")
    }
}
impl std::error::Error for CannotSave {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

const BULK: usize = 2_000;

#[test]
fn every_record_arrives_in_order_framed_as_json_with_its_fields() {
    every_record_arrives_in_order_framed_with_its_fields(Wire::Json);
}

#[test]
fn every_record_arrives_in_order_pickled_with_its_fields() {
    every_record_arrives_in_order_framed_with_its_fields(Wire::Pickle);
}

fn every_record_arrives_in_order_framed_with_its_fields(wire: Wire) {
    let receiver = match wire {
        Wire::Json => Receiver::listen_json(),
        _ => Receiver::listen(),
    };
    let handler = SocketHandler::builder("127.0.0.1", receiver.port)
        .wire(wire)
        .build()
        .unwrap();
    let tree = Manager::new();
    let app = tree.get_logger("app.sub");
    app.set_level(Level::new(1));
    app.add_handler(handler.clone());

    let levels = [
        (Level::DEBUG, "DEBUG"),
        (Level::INFO, "INFO"),
        (Level::new(25), "Level 25"),
        (Level::WARNING, "WARNING"),
        (Level::ERROR, "ERROR"),
        (Level::CRITICAL, "CRITICAL"),
    ];
    for (i, (level, _)) in levels.iter().enumerate() {
        app.log(
            *level,
            format_args!("level {i}: ünïcødé ✓ 🦀 \"q\" \\ \u{1}"),
        );
    }
    app.event(Level::INFO)
        .extra("user", "zoë")
        .extra("n", 7u64)
        .extra("delta", -3i64)
        .extra("ratio", 0.25)
        .extra("ok", false)
        .extra("missing", Option::<&str>::None)
        .log("with extras");
    let error = CannotSave(std::io::Error::from_raw_os_error(28));
    app.exception("save failed", &error);
    for i in 0..BULK {
        app.info(format_args!("bulk {i}"));
    }
    let count = levels.len() + 2 + BULK;
    // Each frame is checked by the receiver: the prefix is the payload's length and the payload
    // is one JSON object, or one pickled dict.
    let frames = receiver.take(count, Duration::from_secs(30));
    assert!(handler.queue_stats().is_some());
    handler.close();

    assert!(frames.iter().all(|f| f.connection == 0), "one connection");
    let records: Vec<_> = frames.into_iter().map(|f| f.record).collect();
    for (i, (level, name)) in levels.iter().enumerate() {
        let r = &records[i];
        assert_eq!(r["name"], "app.sub");
        assert_eq!(r["levelno"], level.value());
        assert_eq!(r["levelname"], *name);
        assert_eq!(r["msg"], format!("level {i}: ünïcødé ✓ 🦀 \"q\" \\ \u{1}"));
        assert!(r["args"].is_null() && r["exc_info"].is_null() && r["exc_text"].is_null());
        assert!(r.get("message").is_none(), "CPython removes `message`");
        assert_eq!(r["process"], std::process::id());
        assert_eq!(r["processName"], "MainProcess");
        assert_eq!(
            r["threadName"],
            std::thread::current().name().unwrap_or_default()
        );
        assert!(r["created"].as_f64().is_some_and(|t| t > 1.0e9));
        let msecs = r["msecs"].as_f64().unwrap();
        assert!((0.0..1000.0).contains(&msecs) && msecs.fract() == 0.0);
        assert!(r["filename"] == "socket_handler_sends_every_record_framed_as_json.rs");
        assert_eq!(
            r["module"],
            "socket_handler_sends_every_record_framed_as_json"
        );
        assert!(r["lineno"].as_u64().is_some_and(|l| l > 0));
    }

    let extras = &records[levels.len()];
    assert_eq!(extras["msg"], "with extras");
    assert_eq!(extras["user"], "zoë");
    assert_eq!(extras["n"], 7);
    assert_eq!(extras["delta"], -3);
    assert_eq!(extras["ratio"], 0.25);
    assert_eq!(extras["ok"], false);
    assert!(extras["missing"].is_null());

    let failed = &records[levels.len() + 1];
    assert_eq!(failed["levelname"], "ERROR");
    assert_eq!(failed["msg"], "save failed");
    assert_eq!(
        failed["exc_text"],
        format_error_chain(&error, Some(std::any::type_name::<CannotSave>()))
    );
    let exc_text = failed["exc_text"].as_str().unwrap();
    assert!(
        exc_text.starts_with("No space left on device"),
        "{exc_text}"
    );
    assert!(
        exc_text.ends_with("CannotSave: cannot save «report»"),
        "{exc_text}"
    );

    for (i, r) in records[levels.len() + 2..].iter().enumerate() {
        assert_eq!(r["msg"], format!("bulk {i}"), "in order");
    }
    let stats = handler.stats();
    assert_eq!(
        (stats.emitted, stats.dropped, stats.errors),
        (count as u64, 0, 0)
    );
    assert_eq!(handler.queue_stats().unwrap().delivered, count as u64);
}

#[test]
fn records_after_close_are_still_sent() {
    let receiver = Receiver::listen();
    let handler = SocketHandler::builder("127.0.0.1", receiver.port)
        .build()
        .unwrap();
    let tree = Manager::new();
    let app = tree.get_logger("late");
    app.add_handler(handler.clone());
    app.warning("before close");
    handler.close();
    app.warning("after close");
    let frames = receiver.take(2, Duration::from_secs(30));
    assert_eq!(frames[0].record["msg"], "before close");
    assert_eq!(frames[1].record["msg"], "after close");
}
