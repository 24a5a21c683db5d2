//! Every file in tests/config/invalid is rejected, without a panic, with CPython's text (recorded in
//! expected.json by generate.py) or ours where ours.json gives one, and the configuration applied
//! before it keeps working unchanged.
//!
//! That last part is where we differ from CPython on purpose: its dictConfig and fileConfig close
//! the existing handlers before building the new ones, so a bad file leaves logging half
//! configured. Ours validates and builds everything, then swaps.
//!
//! One test walks every case and reports all the failures together, so one run shows everything.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use pylog::config::{ConfigError, Configurator};
use pylog::{Level, Manager, SharedWriter};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/config/invalid");
/// The files of the folder that are not cases.
const NOT_CASES: [&str; 3] = ["generate.py", "expected.json", "ours.json"];
const EXTENSIONS: [&str; 7] = ["json", "yaml", "yml", "toml", "ini", "cfg", "conf"];
/// The file the rotating-handler cases name, with delay=true: a rejected file must not create it.
const SCRATCH_LOG: &str = "/tmp/pylog-invalid-corpus.log";

fn read_json(name: &str) -> Value {
    let path = Path::new(DIR).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn case_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(DIR)
        .expect("tests/config/invalid exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.is_file())
        .filter(|path| !NOT_CASES.contains(&file_name(path)))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|name| name.to_str())
        .expect("UTF-8 file name")
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Applies `path` to `tree`, with `ext://test.out` naming `out`; a panic becomes a failure text.
fn apply(
    tree: &Manager,
    out: &SharedWriter,
    path: &Path,
) -> Result<Result<(), ConfigError>, String> {
    catch_unwind(AssertUnwindSafe(|| {
        Configurator::for_manager(tree)
            .ext_writer("test.out", out.clone())
            .load_path(path)
    }))
    .map_err(|payload| format!("panicked: {}", panic_text(&*payload)))
}

/// What baseline/good.json set up, checked by logging through it: `app:INFO:<tag>` reaches `out`,
/// DEBUG does not, and the levels, handlers and flags are the baseline's.
fn baseline_problems(tree: &Manager, out: &SharedWriter, tag: &str) -> Vec<String> {
    let run = catch_unwind(AssertUnwindSafe(|| {
        let mut problems = Vec::new();
        let app = tree.get_logger("app");
        let root = tree.root();
        let before = out.contents().len();
        app.debug(format!("{tag} (DEBUG, below app's INFO)"));
        app.info(tag);
        let written = out.contents()[before..].to_owned();
        if written != format!("app:INFO:{tag}\n") {
            problems.push(format!(
                "the baseline handler got {written:?}, expected {:?}",
                format!("app:INFO:{tag}\n")
            ));
        }
        if app.level() != Level::INFO {
            problems.push(format!("app's level is {:?}, expected INFO", app.level()));
        }
        if root.level() != Level::WARNING {
            problems.push(format!(
                "root's level is {:?}, expected WARNING",
                root.level()
            ));
        }
        let names: Vec<Option<String>> = root.handlers().iter().map(|h| h.name()).collect();
        if names != [Some("out".to_owned())] {
            problems.push(format!("root's handlers are {names:?}, expected [\"out\"]"));
        }
        if !app.handlers().is_empty() {
            problems.push(format!(
                "app has {} handlers, expected none",
                app.handlers().len()
            ));
        }
        if !app.propagate() {
            problems.push("app no longer propagates".to_owned());
        }
        if app.disabled() {
            problems.push("app is disabled".to_owned());
        }
        problems
    }));
    run.unwrap_or_else(|payload| vec![format!("logging panicked: {}", panic_text(&*payload))])
}

/// The expected text: ours.json's `field` if given, else CPython's.
fn expected_text(ours: Option<&Value>, field: &str, cpython: Option<&str>) -> Option<String> {
    ours.and_then(|o| o.get(field))
        .and_then(Value::as_str)
        .or(cpython)
        .map(str::to_owned)
}

/// Checks one rejection against expected.json and ours.json.
fn error_problems(
    err: &ConfigError,
    path: &Path,
    cpython: &Value,
    ours: Option<&Value>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let name = file_name(path);
    // CPython was given the bare file name; messages naming our file name it the same way.
    let full = path.display().to_string();
    let normalize = |text: &str| text.replace(&full, name);

    if let Some(line) = ours
        .and_then(|o| o.get("syntax_line"))
        .and_then(Value::as_u64)
    {
        let message = err.message();
        if !message.contains(name) || !message.contains(&format!(":{line}:")) {
            problems.push(format!(
                "message() {message:?} should name the file {name:?} and the line \":{line}:\""
            ));
        }
        return problems;
    }

    let rejected = cpython["rejected"].as_bool() == Some(true);
    let cpython_str = if rejected {
        cpython["str"].as_str()
    } else {
        None
    };
    // The innermost cause, or the error itself when it has none.
    let cpython_cause = if rejected {
        cpython["cause"].as_str().or(cpython_str)
    } else {
        None
    };

    match expected_text(ours, "python_message", cpython_str) {
        Some(want) => {
            let got = normalize(err.python_message());
            if got != want {
                problems.push(format!("python_message() is {got:?}, expected {want:?}"));
            }
        }
        None => problems.push(
            "CPython accepts this file: ours.json must give the python_message we report"
                .to_owned(),
        ),
    }
    match expected_text(ours, "message", cpython_cause) {
        Some(want) => {
            let got = normalize(err.message());
            if got != want {
                problems.push(format!("message() is {got:?}, expected {want:?}"));
            }
        }
        None => problems.push(
            "CPython accepts this file: ours.json must give the message we report".to_owned(),
        ),
    }
    if let Some(want) = ours.and_then(|o| o.get("path")).and_then(Value::as_str)
        && err.path() != Some(want)
    {
        problems.push(format!("path() is {:?}, expected {want:?}", err.path()));
    }
    problems
}

#[test]
fn every_invalid_file_is_rejected_and_the_previous_configuration_keeps_working() {
    let expected = read_json("expected.json");
    let ours_doc = read_json("ours.json");
    let ours = ours_doc["cases"]
        .as_object()
        .expect("ours.json has a cases map");
    let expected = expected.as_object().expect("expected.json is a map");
    let baseline = Path::new(DIR).join("baseline").join("good.json");
    let scratch_existed = Path::new(SCRATCH_LOG).exists();

    let files = case_files();
    let mut failures: Vec<String> = Vec::new();

    let names: BTreeSet<&str> = files.iter().map(|p| file_name(p)).collect();
    for name in expected.keys().filter(|k| !names.contains(k.as_str())) {
        failures.push(format!(
            "expected.json has {name}, which is not a file: re-run generate.py"
        ));
    }
    for name in ours.keys().filter(|k| !names.contains(k.as_str())) {
        failures.push(format!("ours.json has {name}, which is not a file"));
    }

    for path in &files {
        let name = file_name(path);
        let mut problems = Vec::new();
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !EXTENSIONS.contains(&extension) {
            problems.push(format!("{extension:?} is not a configuration extension"));
        }
        let Some(cpython) = expected.get(name) else {
            failures.push(format!("{name}: not in expected.json: re-run generate.py"));
            continue;
        };

        let tree = Manager::new();
        let out = SharedWriter::new();
        match apply(&tree, &out, &baseline) {
            Ok(Ok(())) => {}
            Ok(Err(err)) => problems.push(format!("the baseline was rejected: {err}")),
            Err(panicked) => problems.push(format!("the baseline {panicked}")),
        }
        if problems.is_empty() {
            problems.extend(
                baseline_problems(&tree, &out, "before")
                    .into_iter()
                    .map(|p| format!("before the case: {p}")),
            );
        }
        if !problems.is_empty() {
            failures.push(format!("{name}:\n    {}", problems.join("\n    ")));
            continue;
        }

        match apply(&tree, &out, path) {
            Ok(Ok(())) => problems.push("accepted: expected an error".to_owned()),
            Ok(Err(err)) => {
                problems.extend(error_problems(&err, path, cpython, ours.get(name)));
                if !problems.is_empty() {
                    problems.push(format!("(the whole error: {err})"));
                }
            }
            Err(panicked) => problems.push(panicked),
        }
        problems.extend(
            baseline_problems(&tree, &out, "after")
                .into_iter()
                .map(|p| format!("after the case: {p}")),
        );
        if !problems.is_empty() {
            failures.push(format!("{name}:\n    {}", problems.join("\n    ")));
        }
    }

    if !scratch_existed && Path::new(SCRATCH_LOG).exists() {
        let _ = std::fs::remove_file(SCRATCH_LOG);
        failures.push(format!("a rejected configuration created {SCRATCH_LOG}"));
    }
    if files.len() < 30 {
        failures.push(format!(
            "only {} cases in {DIR}; expected at least 30",
            files.len()
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {} invalid configuration files failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
