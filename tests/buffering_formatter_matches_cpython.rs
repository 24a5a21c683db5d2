//! `BufferingFormatter` writes the same text as CPython 3.11's, header, records and footer, for
//! every case of tests/golden/buffering_formatter/expected.json (recorded by the generate.py beside
//! it, whose docstring describes the cases and the hooks, defined the same way here).

use pylog::{BufferingFormatter, Formatter, Level, LogRecord, OwnedRecord, Style, Value};
use serde_json::Value as Json;

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/buffering_formatter/expected.json"
);

fn hook(name: &str) -> Option<fn(&[OwnedRecord], &mut String)> {
    match name {
        "none" => None,
        "count" => Some(|records, out| out.push_str(&format!("{} records\n", records.len()))),
        "levels" => Some(|records, out| {
            let names: Vec<String> = records
                .iter()
                .map(|r| r.with_record(|r| r.levelname().to_string()))
                .collect();
            out.push_str(&names.join(","));
            out.push('\n');
        }),
        "first_last" => Some(|records, out| {
            let (first, last) = (&records[0], &records[records.len() - 1]);
            out.push_str(&format!("[{}..{}]", first.name(), last.name()));
        }),
        other => panic!("unknown hook {other:?}"),
    }
}

fn record(spec: &Json) -> OwnedRecord {
    let text = |key: &str| spec.get(key).and_then(Json::as_str);
    let level = spec["level"].as_i64().expect("a level") as i32;
    let extras: Vec<(&str, Value<'_>)> = spec
        .get("extra")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .map(|(key, value)| {
            let value = match value {
                Json::String(s) => Value::Str(s),
                Json::Number(n) => Value::Int(n.as_i64().expect("an int")),
                other => panic!("unexpected extra {other}"),
            };
            (key.as_str(), value)
        })
        .collect();
    let mut record = LogRecord::new(
        text("name").expect("name"),
        Level::new(level),
        text("msg").expect("msg"),
    );
    record.extras = &extras;
    record.stack_info = text("stack_info");
    if let Some(exc_text) = text("exc_text") {
        record.set_exc_text(exc_text.to_owned());
    }
    OwnedRecord::from_record(&record)
}

fn formatter(case: &Json) -> BufferingFormatter {
    let linefmt = case["linefmt"].as_object().map(|spec| {
        let style = Style::parse(spec["style"].as_str().expect("style")).expect("a style");
        Formatter::builder(spec["fmt"].as_str().expect("fmt"))
            .style(style)
            .build()
            .expect("a valid format")
    });
    let mut formatter = BufferingFormatter::new(linefmt);
    if let Some(header) = hook(case["header"].as_str().expect("header")) {
        formatter = formatter.header(header);
    }
    if let Some(footer) = hook(case["footer"].as_str().expect("footer")) {
        formatter = formatter.footer(footer);
    }
    formatter
}

#[test]
fn every_case_matches_cpython() {
    let cases: Vec<Json> =
        serde_json::from_str(&std::fs::read_to_string(GOLDEN).expect("the golden file"))
            .expect("valid JSON");
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let records: Vec<OwnedRecord> = case["records"]
            .as_array()
            .expect("records")
            .iter()
            .map(record)
            .collect();
        let mut out = String::new();
        let got = formatter(case)
            .format(&records, &mut out)
            .map(|()| out)
            .map_err(|e| e.to_string());
        let expected = match (case.get("expected"), case.get("error")) {
            (Some(text), _) => Ok(text.as_str().expect("text").to_owned()),
            (None, Some(error)) => Err(error.as_str().expect("error").to_owned()),
            _ => panic!("a case without a result"),
        };
        if got != expected {
            failures.push(format!(
                "{}\n  expected {expected:?}\n  got      {got:?}",
                case["title"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
