//! Compares the core against CPython 3.11's `logging`, using the golden data in `tests/golden/`
//! (written by `tests/golden/generate.py`; running these tests needs no Python).
//!
//! Each test runs every case of one file, collects all mismatches and fails once with the whole list.
//! Run with `--nocapture` to see how many cases each file ran.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use pylog_core::format::datefmt::{DateFormat, Zone};
use pylog_core::{
    DefaultValue, Emit, EmitContext, Filter, Formatter, Handler, HandlerError, Level, LevelSpec,
    LogRecord, Manager, NameFilter, NullHandler, Style, Value, add_level_name, level_for_name,
    level_name,
};
use serde_json::Value as Json;

/// Reads and parses one golden file.
fn load(file: &str) -> Json {
    let path = format!("{}/../../tests/golden/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {path}: {e}"))
}

/// The mismatches of one golden file, reported together at the end.
struct Report {
    file: &'static str,
    run: usize,
    known: usize,
    failures: Vec<String>,
}

impl Report {
    fn new(file: &'static str) -> Report {
        Report {
            file,
            run: 0,
            known: 0,
            failures: Vec::new(),
        }
    }

    /// Records the outcome of one case: `mismatch` is `None` when we agree with CPython. `known` is
    /// the reason from a known-differences list when the case is on one; such a case must still
    /// differ, so that the list shrinks as the differences are fixed.
    fn check(&mut self, index: usize, input: &str, known: Option<&str>, mismatch: Option<String>) {
        self.run += 1;
        match (known, mismatch) {
            (None, None) => {}
            (Some(_), Some(_)) => self.known += 1,
            (None, Some(mismatch)) => self
                .failures
                .push(format!("  case #{index}: {input}\n{mismatch}")),
            (Some(why), None) => self.failures.push(format!(
                "  case #{index}: {input}\n      now agrees with CPython: remove it from the known \
                 differences ({why})"
            )),
        }
    }

    /// Panics with every mismatch, if there is any.
    fn finish(self) {
        println!(
            "{}: {} cases run, {} known differences, {} failed",
            self.file,
            self.run,
            self.known,
            self.failures.len()
        );
        assert!(self.run > 0, "{}: no case was run", self.file);
        if !self.failures.is_empty() {
            panic!(
                "{}: {} of {} cases differ from CPython:\n{}",
                self.file,
                self.failures.len(),
                self.run,
                self.failures.join("\n")
            );
        }
    }
}

/// The text of a mismatch.
fn differs(expected: impl std::fmt::Debug, got: impl std::fmt::Debug) -> String {
    format!("      expected: {expected:?}\n      got:      {got:?}")
}

fn str_field<'j>(object: &'j Json, key: &str) -> &'j str {
    object[key]
        .as_str()
        .unwrap_or_else(|| panic!("field {key:?} is not a string in {object}"))
}

fn int_field(object: &Json, key: &str) -> i64 {
    object[key]
        .as_i64()
        .unwrap_or_else(|| panic!("field {key:?} is not an integer in {object}"))
}

fn float_field(object: &Json, key: &str) -> f64 {
    object[key]
        .as_f64()
        .unwrap_or_else(|| panic!("field {key:?} is not a number in {object}"))
}

// --------------------------------------------------------------------------------------------------
// percent_format.json
// --------------------------------------------------------------------------------------------------

/// Cases where we knowingly differ from CPython: (format, record id, why). Keep this short.
const PERCENT_FORMAT_KNOWN: &[(&str, &str, &str)] = &[];

/// An extra attribute's JSON value as a record [`Value`].
fn extra_value(value: &Json) -> Value<'_> {
    match value {
        Json::String(s) => Value::Str(s),
        Json::Bool(b) => Value::Bool(*b),
        Json::Null => Value::None,
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if let Some(u) = n.as_u64() {
                Value::UInt(u)
            } else {
                Value::Float(n.as_f64().unwrap_or_else(|| panic!("bad number {n}")))
            }
        }
        other => panic!("unsupported extra value {other}"),
    }
}

/// Formats `desc` (a record description of the golden file) with `formatter`.
fn format_record(formatter: &Formatter, desc: &Json) -> Result<String, String> {
    let extras: Vec<(&str, Value<'_>)> = desc["extras"]
        .as_object()
        .unwrap_or_else(|| panic!("extras is not an object in {desc}"))
        .iter()
        .map(|(k, v)| (k.as_str(), extra_value(v)))
        .collect();
    let levelno = i32::try_from(int_field(desc, "levelno")).expect("levelno fits i32");
    let mut record = LogRecord::new(
        str_field(desc, "name"),
        Level::new(levelno),
        str_field(desc, "msg"),
    );
    record.pathname = str_field(desc, "pathname");
    record.lineno = u32::try_from(int_field(desc, "lineno")).expect("lineno fits u32");
    record.func_name = desc["funcName"].as_str();
    record.created = float_field(desc, "created");
    record.set_relative_created(float_field(desc, "relativeCreated"));
    record.set_thread(
        desc["thread"].as_u64().expect("thread is a u64"),
        str_field(desc, "threadName"),
    );
    record.set_process(
        u32::try_from(int_field(desc, "process")).expect("process fits u32"),
        str_field(desc, "processName"),
    );
    record.extras = &extras;
    let mut out = String::new();
    formatter
        .format(&record, &mut out)
        .map(|()| out)
        .map_err(|e| e.to_string())
}

/// Runs one case; `None` when we agree with CPython.
fn percent_case(case: &Json, desc: &Json) -> Option<String> {
    let fmt = str_field(case, "fmt");
    let mut builder = Formatter::builder(fmt).utc(true);
    if let Some(d) = case["datefmt"].as_str() {
        builder = builder.datefmt(d);
    }
    let built = builder.build();
    if let Some(expected) = case["expected"].as_str() {
        let got = built
            .map_err(|e| format!("build error: {e}"))
            .and_then(|f| format_record(&f, desc).map_err(|e| format!("format error: {e}")));
        (got.as_deref() != Ok(expected)).then(|| differs(expected, got))
    } else if let Some(error) = case["error"].as_str() {
        let expected = format!("build error: {error}");
        match built {
            Err(e) if e.to_string() == error => None,
            Err(e) => Some(differs(expected, format!("build error: {e}"))),
            Ok(f) => Some(differs(expected, format_record(&f, desc))),
        }
    } else if let Some(expected) = case["format_error"].as_str() {
        // CPython raised while formatting. We either raise the same error while formatting, or
        // (a deliberate difference) reject the broken format at construction, with CPython's
        // message behind `Invalid format '<fmt>' for '%' style: `. A missing field is always a
        // formatting error: the field may be an extra that other records carry.
        let message = expected.split_once(": ").map_or(expected, |(_, m)| m);
        let at_construction = format!("Invalid format '{fmt}' for '%' style: {message}");
        let missing_field = message.starts_with("Formatting field not found in record");
        match built {
            Ok(f) => match format_record(&f, desc) {
                Err(e) if e == expected => None,
                got => Some(differs(format!("format error: {expected}"), got)),
            },
            Err(e) if !missing_field && e.to_string() == at_construction => None,
            Err(e) => Some(differs(
                format!("format error: {expected} (or build error: {at_construction})"),
                format!("build error: {e}"),
            )),
        }
    } else {
        panic!("case has no outcome: {case}");
    }
}

#[test]
fn percent_format() {
    let data = load("percent_format.json");
    let records = data["records"].as_object().expect("a records table");
    let mut report = Report::new("percent_format.json");
    let cases = data["cases"].as_array().expect("a cases list");
    for (index, case) in cases.iter().enumerate() {
        let fmt = str_field(case, "fmt");
        let record_id = str_field(case, "record");
        let desc = records
            .get(record_id)
            .unwrap_or_else(|| panic!("case #{index}: no record {record_id:?}"));
        let input = format!(
            "fmt={fmt:?} datefmt={:?} record={record_id:?}",
            case["datefmt"].as_str()
        );
        let known = PERCENT_FORMAT_KNOWN
            .iter()
            .find(|(f, r, _)| *f == fmt && *r == record_id)
            .map(|(_, _, why)| *why);
        report.check(index, &input, known, percent_case(case, desc));
    }
    report.finish();
}

// --------------------------------------------------------------------------------------------------
// styles_format.json
// --------------------------------------------------------------------------------------------------

/// A `defaults` value of the golden file as a formatter default.
fn default_value(value: &Json) -> DefaultValue {
    match value {
        Json::String(s) => DefaultValue::Str(s.clone()),
        Json::Bool(b) => DefaultValue::Bool(*b),
        Json::Null => DefaultValue::None,
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => DefaultValue::Int(i),
            (None, Some(u)) => DefaultValue::UInt(u),
            _ => DefaultValue::Float(n.as_f64().unwrap_or_else(|| panic!("bad number {n}"))),
        },
        other => panic!("unsupported default value {other}"),
    }
}

/// Runs one `{`/`$`/`%` case of styles_format.json; `None` when we agree with CPython, byte for
/// byte: the output, the constructor's error, or the exception `format()` raised.
fn styles_case(case: &Json, desc: &Json) -> Option<String> {
    let style = Style::parse(str_field(case, "style")).expect("a valid style");
    let mut builder = Formatter::builder(str_field(case, "fmt"))
        .style(style)
        .utc(true)
        .validate(case["validate"].as_bool().expect("validate is a bool"));
    if let Some(d) = case["datefmt"].as_str() {
        builder = builder.datefmt(d);
    }
    if let Some(defaults) = case["defaults"].as_object() {
        builder = builder.defaults(defaults.iter().map(|(k, v)| (k, default_value(v))));
    }
    let built = builder.build();
    let (expected, got) = if let Some(expected) = case["expected"].as_str() {
        let got = built
            .map_err(|e| format!("build error: {e}"))
            .and_then(|f| format_record(&f, desc).map_err(|e| format!("format error: {e}")));
        (Ok(expected.to_owned()), got)
    } else if let Some(error) = case["error"].as_str() {
        let got = match built {
            Err(e) => Err(format!("build error: {e}")),
            Ok(f) => format_record(&f, desc).map_err(|e| format!("format error: {e}")),
        };
        (Err(format!("build error: {error}")), got)
    } else if let Some(error) = case["format_error"].as_str() {
        let got = built
            .map_err(|e| format!("build error: {e}"))
            .and_then(|f| format_record(&f, desc).map_err(|e| format!("format error: {e}")));
        (Err(format!("format error: {error}")), got)
    } else {
        panic!("case has no outcome: {case}");
    };
    (expected != got).then(|| differs(expected, got))
}

#[test]
fn styles_format() {
    let data = load("styles_format.json");
    let records = data["records"].as_object().expect("a records table");
    let mut report = Report::new("styles_format.json");
    let cases = data["cases"].as_array().expect("a cases list");
    for (index, case) in cases.iter().enumerate() {
        let record_id = str_field(case, "record");
        let desc = records
            .get(record_id)
            .unwrap_or_else(|| panic!("case #{index}: no record {record_id:?}"));
        let input = format!(
            "style={} fmt={:?} datefmt={:?} validate={} defaults={} record={record_id:?}",
            str_field(case, "style"),
            str_field(case, "fmt"),
            case["datefmt"].as_str(),
            case["validate"],
            case["defaults"],
        );
        report.check(index, &input, None, styles_case(case, desc));
    }
    report.finish();
}

// --------------------------------------------------------------------------------------------------
// strftime.json, strftime_glibc_extras.json
// --------------------------------------------------------------------------------------------------

/// glibc behaviour we knowingly do not reproduce: (datefmt, why). Empty: every case of both
/// files, glibc's flags (`%-d %_d %^a %#Z`), widths (`%5Y`, `%10A`), `%k %l %P %G %V` and unknown
/// directives kept as text (`%Q`, a trailing `%`), is matched.
const GLIBC_EXTRAS_KNOWN: &[(&str, &str)] = &[];

fn run_strftime(file: &'static str, known: &[(&str, &str)]) {
    let data = load(file);
    let mut report = Report::new(file);
    for (index, case) in data.as_array().expect("a cases list").iter().enumerate() {
        let datefmt = str_field(case, "datefmt");
        let created = float_field(case, "created");
        let expected = str_field(case, "expected");
        let got = DateFormat::parse(datefmt).map(|f| {
            let mut out = String::new();
            f.render(&mut out, created.floor() as i64, &Zone::Utc);
            out
        });
        let mismatch = (got.as_deref() != Ok(expected)).then(|| differs(expected, &got));
        let why = known
            .iter()
            .find(|(f, _)| *f == datefmt)
            .map(|(_, why)| *why);
        report.check(
            index,
            &format!("datefmt={datefmt:?} created={created}"),
            why,
            mismatch,
        );
    }
    report.finish();
}

#[test]
fn strftime() {
    run_strftime("strftime.json", &[]);
}

#[test]
fn strftime_glibc_extras() {
    run_strftime("strftime_glibc_extras.json", GLIBC_EXTRAS_KNOWN);
}

// --------------------------------------------------------------------------------------------------
// levels.json
// --------------------------------------------------------------------------------------------------

fn level_input(input: &Json) -> i32 {
    input
        .as_i64()
        .and_then(|n| i32::try_from(n).ok())
        .unwrap_or_else(|| panic!("{input} is not an i32 level"))
}

#[test]
fn levels() {
    let data = load("levels.json");
    let mut report = Report::new("levels.json");
    for setup in data["setup"].as_array().expect("a setup list") {
        add_level_name(
            Level::new(level_input(&setup[0])),
            setup[1].as_str().expect("a name"),
        );
    }
    let get_level_name = data["get_level_name"].as_array().expect("a list");
    for (index, case) in get_level_name.iter().enumerate() {
        let input = &case["input"];
        let expected = &case["output"];
        // getLevelName(int) gives the name or `Level N`; getLevelName(str) gives the registered
        // level's number, or `Level <str>` (Python's quirk, spelled out here: no Rust API returns it).
        let got = match input {
            Json::Number(_) => Json::from(level_name(Level::new(level_input(input))).to_string()),
            Json::String(s) => match level_for_name(s) {
                Some(level) => Json::from(level.value()),
                None => Json::from(format!("Level {s}")),
            },
            other => panic!("unexpected input {other}"),
        };
        let mismatch = (&got != expected).then(|| differs(expected, &got));
        report.check(index, &format!("getLevelName({input})"), None, mismatch);
    }
    let check_level = data["check_level"].as_array().expect("a list");
    for (index, case) in check_level.iter().enumerate() {
        let input = &case["input"];
        let expected = match (case.get("output"), case.get("error")) {
            (Some(level), None) => Ok(i64::from(level_input(level))),
            (None, Some(error)) => Err(error.as_str().expect("an error text").to_owned()),
            _ => panic!("check_level case #{index} has no outcome: {case}"),
        };
        let spec = match input {
            Json::Number(_) => LevelSpec::Number(level_input(input)),
            Json::String(s) => LevelSpec::Name(s.clone()),
            other => panic!("unexpected input {other}"),
        };
        // Rust reads names in any case (a documented extension: `"warn".parse::<Level>()`), so
        // a name CPython refuses only for its case resolves to the upper-case name's level.
        let expected = match (&expected, input) {
            (Err(_), Json::String(s)) => match level_for_name(&s.to_ascii_uppercase()) {
                Some(level) => Ok(i64::from(level.value())),
                None => expected,
            },
            _ => expected,
        };
        let got = spec
            .resolve()
            .map(|l| i64::from(l.value()))
            .map_err(|e| e.to_string());
        let mut mismatch = (got != expected).then(|| differs(&expected, &got));
        // `FromStr` agrees on names; it also accepts decimal numbers (a documented Rust extension),
        // which no string input of the file is.
        if let Json::String(s) = input {
            let parsed = s
                .parse::<Level>()
                .map(|l| i64::from(l.value()))
                .map_err(|e| e.to_string());
            if parsed != expected {
                mismatch = Some(differs(
                    &expected,
                    format!("{parsed:?} from {s:?}.parse::<Level>()"),
                ));
            }
        }
        report.check(
            index,
            &format!("_checkLevel({input}) as {spec:?}"),
            None,
            mismatch,
        );
    }
    report.finish();
}

// --------------------------------------------------------------------------------------------------
// filters.json
// --------------------------------------------------------------------------------------------------

#[test]
fn filters() {
    let data = load("filters.json");
    let mut report = Report::new("filters.json");
    for (index, case) in data.as_array().expect("a cases list").iter().enumerate() {
        let filter = str_field(case, "filter");
        let name = str_field(case, "record_name");
        let expected = case["passes"].as_bool().expect("passes is a bool");
        let got = NameFilter::new(filter).filter(&LogRecord::new(name, Level::INFO, ""));
        let mismatch = (got != expected).then(|| differs(expected, got));
        report.check(
            index,
            &format!("Filter({filter:?}) on record {name:?}"),
            None,
            mismatch,
        );
    }
    report.finish();
}

// --------------------------------------------------------------------------------------------------
// logger_tree.json
// --------------------------------------------------------------------------------------------------

/// A handler destination that records its id each time it emits.
struct Recorder {
    id: String,
    emitted: Arc<Mutex<Vec<String>>>,
}

impl Emit for Recorder {
    fn emit(&self, _: &LogRecord<'_>, _: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        self.emitted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(self.id.clone());
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "Recorder"
    }

    fn describe(&self) -> String {
        self.id.clone()
    }
}

fn recorder(id: &str, level: i32, emitted: &Arc<Mutex<Vec<String>>>) -> Handler {
    Handler::new(Recorder {
        id: id.to_owned(),
        emitted: emitted.clone(),
    })
    .with_level(Level::new(level))
}

fn level_arg(op: &Json, i: usize) -> Level {
    Level::new(
        op[i]
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .unwrap_or_else(|| panic!("argument {i} of {op} is not a level")),
    )
}

fn str_arg(op: &Json, i: usize) -> &str {
    op[i]
        .as_str()
        .unwrap_or_else(|| panic!("argument {i} of {op} is not a string"))
}

fn bool_arg(op: &Json, i: usize) -> bool {
    op[i]
        .as_bool()
        .unwrap_or_else(|| panic!("argument {i} of {op} is not a bool"))
}

/// Runs one scenario's ops against a fresh tree; returns one result per op (as `run_scenario` in
/// `generate.py` does).
fn run_scenario(ops: &[Json]) -> Vec<Json> {
    let manager = Manager::new();
    let emitted = Arc::new(Mutex::new(Vec::<String>::new()));
    manager.set_last_resort(Some(recorder(
        "<lastResort>",
        Level::WARNING.value(),
        &emitted,
    )));
    let mut handlers: HashMap<String, Handler> = HashMap::new();
    let mut results = Vec::with_capacity(ops.len());
    for op in ops {
        let kind = str_arg(op, 0);
        let result = match kind {
            "get" => {
                manager.get_logger(str_arg(op, 1));
                Json::Null
            }
            "set_level" => {
                manager
                    .get_logger(str_arg(op, 1))
                    .set_level(level_arg(op, 2));
                Json::Null
            }
            "set_propagate" => {
                manager
                    .get_logger(str_arg(op, 1))
                    .set_propagate(bool_arg(op, 2));
                Json::Null
            }
            "set_disabled" => {
                manager
                    .get_logger(str_arg(op, 1))
                    .set_disabled(bool_arg(op, 2));
                Json::Null
            }
            "add_handler" => {
                let id = str_arg(op, 2);
                let handler = recorder(id, level_arg(op, 3).value(), &emitted);
                handlers.insert(id.to_owned(), handler.clone());
                manager.get_logger(str_arg(op, 1)).add_handler(handler);
                Json::Null
            }
            "add_null_handler" => {
                manager
                    .get_logger(str_arg(op, 1))
                    .add_handler(NullHandler::new());
                Json::Null
            }
            "add_logger_filter" => {
                manager
                    .get_logger(str_arg(op, 1))
                    .add_filter(NameFilter::new(str_arg(op, 2)));
                Json::Null
            }
            "add_handler_filter" => {
                let id = str_arg(op, 1);
                handlers
                    .get(id)
                    .unwrap_or_else(|| panic!("no handler {id:?} in {op}"))
                    .add_filter(NameFilter::new(str_arg(op, 2)));
                Json::Null
            }
            "log" => {
                emitted.lock().unwrap_or_else(|e| e.into_inner()).clear();
                manager
                    .get_logger(str_arg(op, 1))
                    .log(level_arg(op, 2), str_arg(op, 3));
                let ids = emitted.lock().unwrap_or_else(|e| e.into_inner()).clone();
                Json::from(ids)
            }
            "parent" => manager
                .get_logger(str_arg(op, 1))
                .parent()
                .map_or(Json::Null, |p| Json::from(p.name())),
            "effective" => Json::from(manager.get_logger(str_arg(op, 1)).effective_level().value()),
            "is_enabled" => Json::from(
                manager
                    .get_logger(str_arg(op, 1))
                    .is_enabled_for(level_arg(op, 2)),
            ),
            "disable" => {
                manager.disable(level_arg(op, 1));
                Json::Null
            }
            "has_handlers" => Json::from(manager.get_logger(str_arg(op, 1)).has_handlers()),
            "child" => Json::from(
                manager
                    .get_logger(str_arg(op, 1))
                    .get_child(str_arg(op, 2))
                    .name(),
            ),
            other => panic!("unknown op {other:?}"),
        };
        results.push(result);
    }
    results
}

/// Scenarios where the tree knowingly differs from CPython: (title, why). Each must still differ,
/// so that the list shrinks as the differences are fixed.
const LOGGER_TREE_KNOWN: &[(&str, &str)] = &[];

#[test]
fn logger_tree() {
    let data = load("logger_tree.json");
    let mut report = Report::new("logger_tree.json");
    for (index, scenario) in data.as_array().expect("a scenario list").iter().enumerate() {
        let title = str_field(scenario, "title");
        let ops = scenario["ops"].as_array().expect("an ops list");
        let expected = scenario["results"].as_array().expect("a results list");
        let all_ops: Vec<String> = ops.iter().map(Json::to_string).collect();
        let input = format!("{title:?}\n      ops: {}", all_ops.join(", "));
        let mismatch = match std::panic::catch_unwind(AssertUnwindSafe(|| run_scenario(ops))) {
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("a panic");
                Some(format!("      panicked: {message}"))
            }
            Ok(got) => {
                let mut differences = String::new();
                for (i, ((op, want), have)) in ops.iter().zip(expected).zip(&got).enumerate() {
                    if want != have {
                        let _ = write!(
                            differences,
                            "\n      op #{i} {op}: expected {want}, got {have}"
                        );
                    }
                }
                (!differences.is_empty()).then(|| differences.split_off(1))
            }
        };
        let why = LOGGER_TREE_KNOWN
            .iter()
            .find(|(t, _)| *t == title)
            .map(|(_, why)| *why);
        report.check(index, &input, why, mismatch);
    }
    report.finish();
}
