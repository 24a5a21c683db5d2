//! A handler with a `JsonFormatter` writes one JSON object per line; every line parses with
//! `serde_json`, every field has its record's value and type, and tricky texts round-trip.

use pylog_core::{
    Formatter, JsonFormatter, Level, LogRecord, Manager, SharedWriter, StreamHandler, Value,
};
use serde_json::{Value as Json, json};

const TRICKY: &[&str] = &[
    "",
    "plain",
    "quote \" backslash \\ slash /",
    "line\nbreak\r\ttab",
    "\u{0}\u{1}\u{7}\u{8}\u{b}\u{c}\u{1b}[31m\u{1f}",
    "\u{7f} DEL and \u{80} C1",
    "é ✓ 😀 \u{2028}\u{2029} \u{feff}",
    "{\"looks\": [\"like\", \"json\"]}",
    "\\u0041 is not unescaped",
];

fn parse(line: &str) -> serde_json::Map<String, Json> {
    match serde_json::from_str::<Json>(line) {
        Ok(Json::Object(map)) => map,
        other => panic!("not a JSON object: {line:?} -> {other:?}"),
    }
}

#[test]
fn tricky_texts_round_trip_in_messages_names_and_extras() {
    let json = JsonFormatter::builder()
        .fields(["name", "message", "threadName"])
        .unwrap()
        .build()
        .unwrap();
    for text in TRICKY {
        let extras = [("text", Value::Str(text)), (*text, Value::Int(1))];
        let mut record = LogRecord::new(text, Level::INFO, text);
        record.extras = &extras;
        let mut out = String::new();
        json.format(&record, &mut out).unwrap();
        assert!(!out.contains('\n'), "one line: {out:?}");
        let map = parse(&out);
        assert_eq!(map["name"], json!(text));
        assert_eq!(map["message"], json!(text));
        assert_eq!(map["text"], json!(text));
        if !["name", "message", "threadName", "text"].contains(text) {
            assert_eq!(map[*text], json!(1), "{out}");
        }
    }
}

#[test]
fn standard_fields_keep_their_types_under_their_keys() {
    let json = JsonFormatter::builder()
        .fields([
            "created",
            "relativeCreated",
            "msecs",
            "levelno",
            "levelname",
            "name",
            "message",
            "pathname",
            "filename",
            "module",
            "lineno",
            "funcName",
            "thread",
            "threadName",
            "process",
            "processName",
            "asctime",
        ])
        .unwrap()
        .rename("levelname", "level")
        .unwrap()
        .rename("created", "ts")
        .unwrap()
        .time(Formatter::builder("").utc(true))
        .build()
        .unwrap();
    let mut record = LogRecord::new("app.db", Level::WARNING, "slow");
    record.created = 1795536741.7239;
    record.pathname = "src/db/query.rs";
    record.lineno = 42;
    record.func_name = Some("app::db::run");
    let mut out = String::new();
    json.format(&record, &mut out).unwrap();
    let map = parse(&out);
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 17, "{out}");
    assert_eq!(map["ts"].as_f64(), Some(1795536741.7239));
    assert!(map["relativeCreated"].is_f64());
    assert_eq!(map["msecs"], json!(723.0));
    assert_eq!(map["levelno"], json!(30));
    assert_eq!(map["level"], json!("WARNING"));
    assert_eq!(map["pathname"], json!("src/db/query.rs"));
    assert_eq!(map["filename"], json!("query.rs"));
    assert_eq!(map["module"], json!("query"));
    assert_eq!(map["lineno"], json!(42));
    assert_eq!(map["funcName"], json!("app::db::run"));
    assert_eq!(map["thread"].as_u64(), Some(record.thread()));
    assert_eq!(map["threadName"], json!(record.thread_name()));
    assert_eq!(map["process"], json!(std::process::id()));
    assert_eq!(map["processName"], json!("MainProcess"));
    assert_eq!(map["asctime"], json!("2026-11-24 16:12:21,723"));
    // The order is the one given.
    assert_eq!(&out[..6], r#"{"ts":"#);
}

#[test]
fn every_line_a_handler_writes_parses() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let json = JsonFormatter::builder()
        .fields(["levelname", "name", "message"])
        .unwrap()
        .build()
        .unwrap();
    tree.root()
        .add_handler(StreamHandler::writer(out.clone()).with_formatter(json));
    let logger = tree.get_logger("app");
    let err = std::io::Error::other("disk \"full\"\nretry later");
    for (i, text) in TRICKY.iter().enumerate() {
        logger
            .event(Level::WARNING)
            .extra("i", i)
            .extra("ratio", f64::NAN)
            .extra("ok", i % 2 == 0)
            .extra("none", Value::None)
            .error(&err)
            .log(text);
    }
    let text = out.contents();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), TRICKY.len());
    for (i, line) in lines.iter().enumerate() {
        let map = parse(line);
        assert_eq!(map["message"], json!(TRICKY[i]));
        assert_eq!(map["i"], json!(i));
        assert_eq!(map["ratio"], json!("nan"));
        assert_eq!(map["ok"], json!(i % 2 == 0));
        assert_eq!(map["none"], Json::Null);
        assert_eq!(
            map["exc_text"],
            json!("std::io::error::Error: disk \"full\"\nretry later")
        );
        assert!(!map.contains_key("stack_info") && !map.contains_key("spans"));
    }
}
