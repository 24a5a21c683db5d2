//! What reaches the target, and when: the memory, buffering and queue handlers deliver the same
//! bytes as CPython 3.11's `MemoryHandler`, `BufferingHandler` subclasses and
//! `QueueHandler` + `QueueListener`, snapshot after snapshot, for every scenario of
//! tests/golden/buffers/expected.json (recorded by the generate.py beside it, whose docstring
//! describes the format). Each step is replayed as the script ran it; while the listener runs, a
//! snapshot is taken after `QueueListener::flush`, as the script takes it after `queue.join()`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pylog::{
    BufferingHandler, Formatter, Handler, Level, LogRecord, Manager, MemoryHandler, NameFilter,
    QueueListener, SharedWriter, StreamHandler,
};
use serde_json::{Map, Value as Json};

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/buffers/expected.json"
);

/// The target streams' format, as in the script.
const FORMAT: &str = "%(levelname)s:%(name)s:%(message)s";

const WAIT: Duration = Duration::from_secs(20);

fn text<'a>(value: &'a Json, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Json::as_str)
}

fn level(value: &Json, key: &str) -> Option<Level> {
    value
        .get(key)
        .and_then(Json::as_i64)
        .map(|n| Level::new(i32::try_from(n).expect("a level fits an i32")))
}

fn formatter(fmt: &str) -> Formatter {
    Formatter::new(fmt).expect("valid format")
}

struct Target {
    id: String,
    handler: Handler,
    out: SharedWriter,
}

fn target(spec: &Json) -> Target {
    let out = SharedWriter::new();
    let handler = StreamHandler::writer(out.clone()).with_formatter(formatter(FORMAT));
    handler.set_level(level(spec, "level").unwrap_or(Level::NOTSET));
    if let Some(name) = text(spec, "filter") {
        handler.add_filter(NameFilter::new(name));
    }
    Target {
        id: text(spec, "id").expect("target id").to_owned(),
        handler,
        out,
    }
}

/// One scenario's handlers, built as the script builds CPython's.
struct Setup {
    handler: Handler,
    targets: Vec<Target>,
    listener: Option<QueueListener>,
    batches: Option<Arc<Mutex<Vec<usize>>>>,
}

fn find(targets: &[Target], id: &str) -> Handler {
    targets
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("unknown target {id}"))
        .handler
        .clone()
}

impl Setup {
    fn snapshot(&self) -> Json {
        let mut map = Map::new();
        for t in &self.targets {
            map.insert(t.id.clone(), Json::String(t.out.contents()));
        }
        if let Some(batches) = &self.batches {
            let sizes: Vec<Json> = batches.lock().unwrap().iter().map(|&n| n.into()).collect();
            map.insert("batches".to_owned(), Json::Array(sizes));
        }
        Json::Object(map)
    }
}

fn build(scenario: &Json) -> Setup {
    let params = &scenario["params"];
    let targets: Vec<Target> = scenario["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(target)
        .collect();
    let mut listener = None;
    let mut batches = None;
    let capacity = || params["capacity"].as_u64().expect("capacity") as usize;
    let handler = match scenario["handler"].as_str() {
        Some("memory") => {
            let mut builder = MemoryHandler::builder(capacity());
            if let Some(flush_level) = level(params, "flushLevel") {
                builder = builder.flush_level(flush_level);
            }
            if let Some(flush) = params.get("flushOnClose").and_then(Json::as_bool) {
                builder = builder.flush_on_close(flush);
            }
            if let Some(id) = text(params, "target") {
                let mut first = find(&targets, id);
                if let Some(inner) = params.get("inner_capacity").and_then(Json::as_u64) {
                    first = MemoryHandler::builder(inner as usize).target(first).build();
                }
                builder = builder.target(first);
            }
            builder.build()
        }
        Some("buffering") => {
            let mut builder = BufferingHandler::builder(capacity());
            let rule = &params["should_flush"];
            if let Some(min) = level(rule, "min_level") {
                builder = builder.should_flush(move |_, record| record.level >= min);
            } else if let Some(suffix) = text(rule, "suffix") {
                let suffix = suffix.to_owned();
                builder = builder.should_flush(move |_, record| record.msg.ends_with(&suffix));
            }
            let seen = Arc::new(Mutex::new(Vec::new()));
            batches = Some(seen.clone());
            let to = match text(params, "on_flush") {
                Some("target") => Some(targets[0].handler.clone()),
                Some("discard") => None,
                other => panic!("unknown on_flush {other:?}"),
            };
            builder
                .on_flush(move |records| {
                    seen.lock().unwrap().push(records.len());
                    if let Some(to) = &to {
                        for owned in &records {
                            owned.with_record(|record| to.handle(record));
                        }
                    }
                })
                .build()
        }
        Some("queue") => {
            let respect = params
                .get("respect_handler_level")
                .and_then(Json::as_bool)
                .unwrap_or(false);
            let started = QueueListener::builder()
                .handlers(targets.iter().map(|t| t.handler.clone()))
                .respect_handler_level(respect)
                .start()
                .expect("listener starts");
            let queue = started.queue_handler();
            if let Some(fmt) = text(params, "format") {
                queue.set_formatter(Some(formatter(fmt)));
            }
            listener = Some(started);
            queue
        }
        other => panic!("unknown handler {other:?}"),
    };
    if let Some(own) = level(params, "level") {
        handler.set_level(own);
    }
    if let Some(name) = text(params, "filter") {
        handler.add_filter(NameFilter::new(name));
    }
    Setup {
        handler,
        targets,
        listener,
        batches,
    }
}

fn log(tree: &Manager, step: &Json) {
    let name = text(step, "name").expect("logger name");
    let mut record = LogRecord::new(
        name,
        level(step, "level").expect("level"),
        text(step, "msg").expect("msg"),
    );
    if let Some(exc) = text(step, "exc_text") {
        record.set_exc_text(exc.to_owned());
    }
    record.stack_info = text(step, "stack_info");
    tree.get_logger(name).handle(&record);
}

/// Replays one scenario; returns every snapshot that differs from CPython's.
fn replay(scenario: &Json) -> Vec<String> {
    let title = scenario["title"].as_str().unwrap_or_default();
    let tree = Manager::new();
    let logger = tree.get_logger("golden");
    logger.set_level(Level::new(1));
    logger.set_propagate(false);
    let mut setup = build(scenario);
    logger.add_handler(setup.handler.clone());
    let steps = scenario["steps"].as_array().expect("steps");
    let snapshots = scenario["snapshots"].as_array().expect("snapshots");
    assert_eq!(steps.len(), snapshots.len(), "{title}: one snapshot a step");
    let mut differences = Vec::new();
    for (i, (step, expected)) in steps.iter().zip(snapshots).enumerate() {
        match text(step, "op") {
            Some("log") => log(&tree, step),
            Some("flush") => setup.handler.flush(),
            Some("close") => setup.handler.close(),
            Some("set_target") => {
                let to = text(step, "target").map(|id| find(&setup.targets, id));
                assert!(MemoryHandler::set_target(&setup.handler, to), "{title}");
            }
            Some("stop") => {
                let listener = setup.listener.take().expect("a running listener");
                assert!(listener.stop(), "{title}: stop() drains the queue");
            }
            other => panic!("{title}: unknown op {other:?}"),
        }
        if expected.is_null() {
            continue;
        }
        if let Some(listener) = &setup.listener {
            assert!(listener.flush(WAIT), "{title}: the listener drains");
        }
        let got = setup.snapshot();
        if &got != expected {
            differences.push(format!(
                "{title}\n    after step {i} {step}\n    expected {expected}\n    got      {got}"
            ));
        }
    }
    if let Some(listener) = setup.listener.take() {
        listener.stop();
    }
    for t in &setup.targets {
        let errors = t.handler.stats().errors;
        if errors > 0 {
            differences.push(format!("{title}: target {} had {errors} errors", t.id));
        }
    }
    differences
}

#[test]
fn every_snapshot_matches_cpython() {
    let json = std::fs::read_to_string(GOLDEN).expect("golden file");
    let scenarios: Json = serde_json::from_str(&json).expect("valid JSON");
    let scenarios = scenarios.as_array().expect("a list of scenarios");
    assert!(scenarios.len() >= 25, "the golden file lost its scenarios");
    let mut failures = Vec::new();
    for scenario in scenarios {
        let differences = replay(scenario);
        match text(scenario, "known_difference") {
            None => failures.extend(differences),
            // A deliberate, documented difference: it must still show, or the mark is stale.
            Some(why) if differences.is_empty() => failures.push(format!(
                "{}: marked known_difference ({why}) but now matches CPython; remove the mark",
                scenario["title"]
            )),
            Some(why) => eprintln!("known difference ({why}):\n{}", differences.join("\n")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} snapshots differ from CPython:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
