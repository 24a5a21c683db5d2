//! The rotating, timed and watched file handlers leave the same files as CPython 3.11's, byte for
//! byte, for every scenario of tests/golden/rotation/rotation.json (recorded by the
//! generate.py beside it, with CPython's clock faked). Our clock is injected the same way.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use pylog::format::datefmt::{TimeZone, Zone};
use pylog::{
    Clock, Error, FileMode, Formatter, Handler, Level, LogRecord, Manager, RotatingFileHandler,
    TimedRotatingFileHandler, WatchedFileHandler, When,
};
use serde_json::Value as Json;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/rotation/");

/// A clock the test sets by hand (the bits of an `f64`).
struct ManualClock(AtomicU64);

impl ManualClock {
    fn set(&self, t: f64) {
        self.0.store(t.to_bits(), Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }
}

fn load(name: &str) -> Json {
    let text = std::fs::read_to_string(format!("{GOLDEN}{name}")).expect("golden file");
    serde_json::from_str(&text).expect("valid JSON")
}

fn param<'a>(scenario: &'a Json, key: &str) -> Option<&'a Json> {
    scenario["params"].get(key).filter(|v| !v.is_null())
}

fn zone(scenario: &Json) -> Zone {
    match scenario["tz"].as_str() {
        Some(posix) => Zone::Fixed(TimeZone::posix(posix).expect("valid POSIX TZ")),
        None => Zone::Utc,
    }
}

fn build(scenario: &Json, path: &Path, clock: Arc<ManualClock>) -> Result<Handler, Error> {
    let int = |key: &str| param(scenario, key).and_then(Json::as_u64);
    let flag = |key: &str| {
        param(scenario, key)
            .and_then(Json::as_bool)
            .unwrap_or(false)
    };
    match scenario["handler"].as_str() {
        Some("rotating") => {
            let mut builder = RotatingFileHandler::builder(path)
                .max_bytes(int("maxBytes").unwrap_or(0))
                .backup_count(int("backupCount").unwrap_or(0) as u32)
                .delay(flag("delay"));
            if let Some(mode) = param(scenario, "mode").and_then(Json::as_str) {
                builder = builder.mode(FileMode::parse(mode)?);
            }
            builder.build()
        }
        Some("timed") => {
            let when: When = param(scenario, "when")
                .and_then(Json::as_str)
                .unwrap_or("h")
                .parse()?;
            let mut builder = TimedRotatingFileHandler::builder(path)
                .when(when)
                .interval(int("interval").unwrap_or(1) as u32)
                .backup_count(int("backupCount").unwrap_or(0) as u32)
                .utc(flag("utc"))
                .zone(zone(scenario))
                .delay(flag("delay"))
                .clock(clock);
            if let Some(at) = param(scenario, "atTime").and_then(Json::as_array) {
                let part = |i: usize| at[i].as_u64().unwrap_or(0) as u32;
                builder = builder.at_time(part(0), part(1), part(2));
            }
            builder.build()
        }
        Some("watched") => WatchedFileHandler::builder(path)
            .delay(flag("delay"))
            .build(),
        other => panic!("unknown handler {other:?}"),
    }
}

fn set_mtime(path: &Path, mtime: f64) {
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("pre-existing file");
    file.set_modified(UNIX_EPOCH + Duration::from_secs_f64(mtime))
        .expect("set mtime");
}

fn directory(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .expect("list dir")
        .map(|entry| {
            let entry = entry.expect("entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let content = std::fs::read_to_string(entry.path()).expect("read");
            (name, content)
        })
        .collect()
}

/// Runs one scenario; returns the directory it leaves.
fn run(scenario: &Json) -> Result<BTreeMap<String, String>, String> {
    let dir = tempfile::tempdir().expect("temp dir");
    for pre in scenario["pre_existing"].as_array().into_iter().flatten() {
        let path = dir.path().join(pre["name"].as_str().unwrap_or_default());
        std::fs::write(&path, pre["content"].as_str().unwrap_or_default()).expect("write");
        set_mtime(&path, pre["mtime"].as_f64().unwrap_or(0.0));
    }
    let clock = Arc::new(ManualClock(AtomicU64::new(0)));
    clock.set(scenario["start_time"].as_f64().unwrap_or(0.0));
    let path = dir.path().join("app.log");
    let handler = build(scenario, &path, clock.clone()).map_err(|e| e.to_string())?;
    let format = scenario["format"].as_str().unwrap_or("%(message)s");
    handler.set_formatter(Some(
        Formatter::builder(format)
            .zone(zone(scenario))
            .build()
            .map_err(|e| e.to_string())?,
    ));
    let tree = Manager::new();
    let logger = tree.get_logger("golden");
    logger.set_level(Level::INFO);
    logger.set_propagate(false);
    logger.add_handler(handler.clone());
    for step in scenario["steps"].as_array().into_iter().flatten() {
        let t = step["t"].as_f64().unwrap_or(0.0);
        clock.set(t);
        let at = |key: &str| dir.path().join(step[key].as_str().unwrap_or_default());
        match step.get("op").and_then(Json::as_str) {
            None => {
                let msg = step["msg"].as_str().unwrap_or_default();
                let mut record = LogRecord::new("golden", Level::INFO, msg);
                record.created = t;
                logger.handle(&record);
            }
            Some("rename") => std::fs::rename(at("from"), at("to")).expect("rename"),
            Some("delete") => std::fs::remove_file(at("name")).expect("delete"),
            Some("write") => {
                std::fs::write(at("name"), step["content"].as_str().unwrap_or_default())
                    .expect("write")
            }
            Some(other) => panic!("unknown op {other}"),
        }
    }
    handler.close();
    if handler.stats().errors > 0 {
        return Err(format!("{} handler errors", handler.stats().errors));
    }
    Ok(directory(dir.path()))
}

#[test]
fn every_scenario_leaves_cpythons_files() {
    let scenarios = load("rotation.json");
    let scenarios = scenarios.as_array().expect("a list");
    let mut failures = Vec::new();
    for scenario in scenarios {
        let expected: BTreeMap<String, String> = scenario["files"]
            .as_object()
            .expect("files")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        match run(scenario) {
            Ok(got) if got == expected => {}
            Ok(got) => failures.push(format!(
                "{}\n    expected {expected:?}\n    got      {got:?}",
                scenario["title"]
            )),
            Err(e) => failures.push(format!("{}\n    error: {e}", scenario["title"])),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ from CPython:\n{}",
        failures.len(),
        scenarios.len(),
        failures.join("\n")
    );
}

#[test]
fn invalid_when_is_refused_with_cpythons_message() {
    let cases = load("errors.json");
    for case in cases.as_array().expect("a list") {
        let when = case["params"]["when"].as_str().unwrap_or_default();
        let err = when
            .parse::<When>()
            .expect_err(&format!("{when:?} must be refused"));
        assert_eq!(err.to_string(), case["error"].as_str().unwrap_or_default());
    }
}
