//! `%(asctime)s` is rendered from a per-formatter, per-thread cache of the current second's text,
//! with the milliseconds written on a fixed three-digit path. This compares it with CPython 3.11
//! (`tests/golden/asctime/cached_asctime.json`, written by `generate.py` beside it) over instants
//! that cross second boundaries forwards and back, both DST changes of a zone, and times before
//! 1970, with `datefmt`s that hold would-be sub-second directives (`%f`, `%N`: text for glibc), so
//! a cached second that is stale would show.

use pylog_core::format::datefmt::{TimeZone, Zone};
use pylog_core::{Formatter, Level, LogRecord};
use serde_json::Value as Json;

struct Case {
    utc: bool,
    datefmt: Option<String>,
    created: f64,
    asctime: String,
}

fn load() -> (String, Vec<Case>) {
    let path = format!(
        "{}/../../tests/golden/asctime/cached_asctime.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let json: Json = serde_json::from_str(&text).expect("valid JSON");
    let zone = json["zone"].as_str().expect("zone").to_owned();
    let cases = json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| Case {
            utc: c["utc"].as_bool().expect("utc"),
            datefmt: c["datefmt"].as_str().map(str::to_owned),
            created: c["created"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .expect("created"),
            asctime: c["asctime"].as_str().expect("asctime").to_owned(),
        })
        .collect();
    (zone, cases)
}

fn formatter(zone: &str, utc: bool, datefmt: Option<&str>) -> Formatter {
    let zone = if utc {
        Zone::Utc
    } else {
        Zone::Fixed(TimeZone::posix(zone).expect("valid POSIX TZ"))
    };
    Formatter::builder("%(asctime)s")
        .datefmt_opt(datefmt.map(str::to_owned))
        .zone(zone)
        .build()
        .expect("valid")
}

fn asctime(formatter: &Formatter, created: f64) -> String {
    let mut record = LogRecord::new("app", Level::INFO, "x");
    record.created = created;
    let mut out = String::new();
    formatter.format(&record, &mut out).expect("formats");
    out
}

/// One formatter per `datefmt`, fed the instants in the generated order.
#[test]
fn each_formatter_follows_cpython_across_seconds_and_dst_changes() {
    let (zone, cases) = load();
    let mut failures = Vec::new();
    let mut current: Option<(bool, Option<String>, Formatter)> = None;
    for case in &cases {
        let same = current
            .as_ref()
            .is_some_and(|(utc, datefmt, _)| *utc == case.utc && *datefmt == case.datefmt);
        if !same {
            let f = formatter(&zone, case.utc, case.datefmt.as_deref());
            current = Some((case.utc, case.datefmt.clone(), f));
        }
        let Some((_, _, f)) = &current else {
            unreachable!("set above")
        };
        let got = asctime(f, case.created);
        if got != case.asctime {
            failures.push(format!(
                "utc={} datefmt={:?} created={}: got {got:?}, CPython {:?}",
                case.utc, case.datefmt, case.created, case.asctime
            ));
        }
    }
    assert!(cases.len() > 200, "the golden file has its cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// All formatters at once, each record going to every one of them in turn (so that the caches of
/// formatters with different formats and zones share the thread), and the same on a second thread.
#[test]
fn interleaved_formatters_on_two_threads_never_share_a_cached_second() {
    let (zone, cases) = load();
    let run = || {
        let mut formatters: Vec<((bool, Option<String>), Formatter)> = Vec::new();
        for case in &cases {
            let key = (case.utc, case.datefmt.clone());
            if !formatters.iter().any(|(k, _)| *k == key) {
                let f = formatter(&zone, case.utc, case.datefmt.as_deref());
                formatters.push((key, f));
            }
        }
        let per_formatter = cases.len() / formatters.len();
        assert_eq!(
            per_formatter * formatters.len(),
            cases.len(),
            "as many instants for each"
        );
        let mut failures = Vec::new();
        for i in 0..per_formatter {
            for (n, (_, f)) in formatters.iter().enumerate() {
                let case = &cases[n * per_formatter + i];
                let got = asctime(f, case.created);
                if got != case.asctime {
                    failures.push(format!(
                        "utc={} datefmt={:?} created={}: got {got:?}, CPython {:?}",
                        case.utc, case.datefmt, case.created, case.asctime
                    ));
                }
            }
        }
        failures
    };
    let other = std::thread::scope(|s| {
        let handle = s.spawn(run);
        let here = run();
        let there = handle.join().expect("no panic");
        [here, there].concat()
    });
    assert!(other.is_empty(), "{}", other.join("\n"));
}
