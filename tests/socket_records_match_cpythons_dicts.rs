//! The dicts our `SocketHandler` and `DatagramHandler` pickle have the keys of the dicts CPython's
//! `SocketHandler` pickles (`tests/golden/socket/records.json`, made by running `generate.py`
//! there with python3), and the same values wherever a Rust record can mean the same thing. The
//! fields that must differ are named below, with why, and checked only for their type.
//!
//! Checked twice: by a loopback receiver of our own, and by the logging cookbook's TCP receiver
//! (and a UDP receiver written the same way) run unchanged by python3, which unpickles each
//! frame, makes a `LogRecord` of it with `makeLogRecord` and prints it with the cookbook's format;
//! its output must be what our own `Formatter` prints for the same records.

mod socket_common;
mod socket_cookbook;

use std::collections::BTreeSet;
use std::time::Duration;

use pylog::{
    DatagramHandler, Formatter, Handler, Level, LogRecord, SharedWriter, SocketHandler,
    StreamHandler, Value,
};
use serde_json::Value as Json;
use socket_common::Receiver;
use socket_cookbook::{Server, python3};

/// The format of the cookbook receiver's `main()`.
const COOKBOOK_FORMAT: &str = "%(relativeCreated)5d %(name)-15s %(levelname)-8s %(message)s";

/// Fields compared for equality.
const SAME: &[&str] = &[
    "name",
    "msg",
    "args",
    "levelname",
    "levelno",
    "exc_info",
    "processName",
];

/// Fields that are `null` in both or text in both, whose text differs: CPython's `exc_text` is a
/// traceback (Rust has none: ours is the error's `source()` chain), and its `stack_info` is a
/// Python stack.
const SAME_PRESENCE: &[&str] = &["exc_text", "stack_info"];

/// Fields that describe this run, not the record: when, where and in which thread or process.
/// `pathname`, `filename`, `module`, `lineno` and `funcName` name the Python script's lines;
/// `threadName` is `MainThread` there and the test harness's thread here.
const MASKED: &[(&str, Kind)] = &[
    ("created", Kind::Number),
    ("msecs", Kind::Number),
    ("relativeCreated", Kind::Number),
    ("thread", Kind::Integer),
    ("process", Kind::Integer),
    ("threadName", Kind::Text),
    ("pathname", Kind::Text),
    ("filename", Kind::Text),
    ("module", Kind::Text),
    ("lineno", Kind::Integer),
    ("funcName", Kind::TextOrNull),
];

#[derive(Clone, Copy, Debug)]
enum Kind {
    Number,
    Integer,
    Text,
    TextOrNull,
}

impl Kind {
    fn holds(self, value: &Json) -> bool {
        match self {
            Kind::Number => value.is_number(),
            Kind::Integer => value.is_u64() || value.is_i64(),
            Kind::Text => value.is_string(),
            Kind::TextOrNull => value.is_string() || value.is_null(),
        }
    }
}

fn golden() -> Json {
    let text = include_str!("golden/socket/records.json");
    serde_json::from_str(text).expect("the golden file is JSON")
}

#[derive(Debug)]
struct CannotSave(std::io::Error);
impl std::fmt::Display for CannotSave {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cannot save")
    }
}
impl std::error::Error for CannotSave {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Logs the cases of `generate.py`, in its order, through our handler.
fn send_cases(handler: &pylog::Handler) -> Vec<&'static str> {
    send_cases_to(&[handler])
}

/// Logs the cases of `generate.py`, in its order, through each handler.
fn send_cases_to(handlers: &[&Handler]) -> Vec<&'static str> {
    let send = |record: &mut LogRecord<'_>| {
        record.pathname = "tests/socket_records_match_cpythons_dicts.rs";
        record.lineno = line!();
        for handler in handlers {
            handler.handle(record);
        }
    };
    send(&mut LogRecord::new("app", Level::INFO, "plain message"));
    let merged = format!("user {} saved {} rows", "ann", 3);
    send(&mut LogRecord::new("app", Level::WARNING, &merged));
    let error = CannotSave(std::io::Error::from_raw_os_error(28));
    let mut failed = LogRecord::new("app", Level::ERROR, "save failed");
    failed.exc_info = Some(&error);
    send(&mut failed);
    let extras = [
        ("user", Value::Str("zoë")),
        ("count", Value::Int(7)),
        ("ratio", Value::Float(0.5)),
        ("ok", Value::Bool(true)),
        ("nothing", Value::None),
    ];
    let mut unicode = LogRecord::new(
        "app",
        Level::CRITICAL,
        "café ☕ 日本語 😀 \"quoted\"\n\ttabbed",
    );
    unicode.extras = &extras;
    send(&mut unicode);
    send(&mut LogRecord::new("app", Level::new(25), "custom level"));
    send(&mut LogRecord::new(
        "app.db.pool",
        Level::DEBUG,
        "pool ready",
    ));
    let mut stack = LogRecord::new("app", Level::INFO, "with stack");
    stack.stack_info =
        Some("Stack (most recent call last):\n  tests/socket_records_match_cpythons_dicts.rs");
    send(&mut stack);
    vec![
        "plain",
        "arguments",
        "chained_error",
        "unicode_and_extras",
        "custom_level",
        "dotted_logger_debug",
        "stack_info",
    ]
}

fn keys(object: &Json) -> BTreeSet<String> {
    object
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect()
}

#[test]
fn our_objects_have_cpythons_keys_and_values() {
    let golden = golden();
    let receiver = Receiver::listen();
    let handler = SocketHandler::builder("127.0.0.1", receiver.port)
        .build()
        .unwrap();
    let cases = send_cases(&handler);
    let ours = receiver.take(cases.len(), Duration::from_secs(30));
    handler.close();

    let ours: Vec<Json> = ours.into_iter().map(|f| f.record).collect();
    assert_matches_golden(&golden, &cases, &ours);
}

/// Each dict has the keys of CPython's for the same case, and the same values but for the
/// masked fields. A key a newer CPython's `makeLogRecord` adds (`taskName`, 3.12) and the golden
/// file lacks is not compared.
fn assert_matches_golden(golden: &Json, cases: &[&str], ours: &[Json]) {
    let records = golden["records"].as_object().expect("records by case");
    assert_eq!(records.len(), cases.len(), "every CPython case is sent");
    for (case, rust) in cases.iter().zip(ours) {
        let python = &records[*case];
        let mut rust = rust.clone();
        if python.get("taskName").is_none() {
            rust.as_object_mut().expect("an object").remove("taskName");
        }
        assert_eq!(
            keys(&rust),
            keys(python),
            "{case}: the same keys (no `message`)"
        );
        let checked: BTreeSet<&str> = SAME
            .iter()
            .chain(SAME_PRESENCE)
            .copied()
            .chain(MASKED.iter().map(|(k, _)| *k))
            .collect();
        for key in keys(python) {
            let is_extra = !checked.contains(key.as_str());
            if SAME.contains(&key.as_str()) || is_extra {
                assert_eq!(rust[&key], python[&key], "{case}: {key}");
            }
        }
        for key in SAME_PRESENCE {
            assert_eq!(
                rust[*key].is_null(),
                python[*key].is_null(),
                "{case}: {key} present in both or neither"
            );
        }
        for (key, kind) in MASKED {
            assert!(
                kind.holds(&python[*key]),
                "{case}: CPython's {key} is {kind:?}"
            );
            assert!(
                kind.holds(&rust[*key]),
                "{case}: our {key} is {kind:?}: {}",
                rust[*key]
            );
        }
    }
}

#[test]
fn an_error_chain_reads_as_cpythons_chained_exceptions() {
    let golden = golden();
    let python = golden["records"]["chained_error"]["exc_text"]
        .as_str()
        .expect("CPython's exc_text");
    let receiver = Receiver::listen();
    let handler = SocketHandler::builder("127.0.0.1", receiver.port)
        .build()
        .unwrap();
    send_cases(&handler);
    let ours = receiver.take(7, Duration::from_secs(30));
    handler.close();
    let rust = ours[2].record["exc_text"].as_str().expect("our exc_text");
    // Deepest cause first, then CPython's sentence, then the logged error, in both.
    for text in [python, rust] {
        let cause = text.find("No space left on device").expect("the cause");
        let link = text
            .find("The above exception was the direct cause of the following exception:")
            .expect("the link");
        let error = text.find("cannot save").expect("the error");
        assert!(cause < link && link < error, "{text}");
    }
}

/// Sends the cases to a cookbook receiver (`serve.py tcp|udp`) through `handler`, and the same
/// records to our own `Formatter` with the cookbook's format; then an `END` record.
fn through_the_cookbook(kind: &str, handler: impl Fn(u16) -> Handler) {
    let Some(python) = python3() else { return };
    let server = Server::start(python, kind, None);
    let golden = golden();
    let handler = handler(server.port);
    let local = SharedWriter::new();
    let formatted = StreamHandler::writer(local.clone())
        .with_formatter(Formatter::new(COOKBOOK_FORMAT).expect("the cookbook's format"));
    let cases = send_cases_to(&[&handler, &formatted]);
    let end = LogRecord::new("app", Level::INFO, "END");
    handler.handle(&end);
    formatted.handle(&end);
    handler.close();

    let timeout = Duration::from_secs(60);
    let dicts: Vec<Json> = server
        .stdout
        .until(timeout, |l| l.contains(r#""msg": "END""#))
        .iter()
        .map(|line| {
            let json = line.strip_prefix("DICT ").expect("a DICT line");
            serde_json::from_str(json).expect("the dump is JSON")
        })
        .collect();
    assert_eq!(dicts.len(), cases.len() + 1, "every record arrived");
    assert_matches_golden(&golden, &cases, &dicts[..cases.len()]);

    let printed = server
        .stderr
        .until(timeout, |l| l.ends_with(" END"))
        .join("\n");
    assert_eq!(
        printed + "\n",
        local.contents(),
        "the cookbook prints what our Formatter prints"
    );
}

#[test]
fn the_cookbooks_tcp_receiver_gets_cpythons_dicts_and_prints_our_lines() {
    through_the_cookbook("tcp", |port| {
        SocketHandler::builder("127.0.0.1", port).build().unwrap()
    });
}

#[test]
fn a_cookbook_udp_receiver_gets_cpythons_dicts_and_prints_our_lines() {
    through_the_cookbook("udp", |port| {
        DatagramHandler::builder("127.0.0.1", port).build().unwrap()
    });
}
