//! Logging configurations taken unchanged from packages on PyPI (`tests/config/real/files`, listed
//! with their source and licence in `tests/config/real/README.md`) print what CPython prints with
//! them: `tests/config/real/generate.py` ran each in a fresh CPython and recorded stdout and stderr
//! for the records of `records.json`; here each runs in a child process (this test binary, running
//! only `one_real_config_in_this_process`) with the same records, and the outputs must be equal,
//! times and process ids masked on both sides. The files are JSON and YAML (`dictConfig`) and INI
//! (`fileConfig`); `load_path` picks the reader by the extension.
//!
//! Django's `DEFAULT_LOGGING` names classes of Django's own; the child registers the factories
//! that replace them, as an application would (README.md lists them).

use std::io::Write;
use std::process::Command;
use std::sync::Arc;

use pylog::config::{Config, ConfigValue, Configurator};
use pylog::{Formatter, Level, LogRecord, NullHandler};
use regex::Regex;

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/config/real/");
const CASE_VAR: &str = "PYLOG_REAL_CONFIG_CASE";
const CHILD_TEST: &str = "one_real_config_in_this_process";
const BEGIN: &str = "=== pylog real config: begin ===";
const END: &str = "=== pylog real config: end ===";

fn records() -> Vec<ConfigValue> {
    let text = std::fs::read_to_string(format!("{REAL}records.json")).expect("records.json");
    Config::from_json(&text)
        .expect("parse records.json")
        .value()
        .get("records")
        .and_then(ConfigValue::as_list)
        .expect("records")
        .to_vec()
}

fn field<'v>(record: &'v ConfigValue, key: &str) -> &'v str {
    record
        .get(key)
        .and_then(ConfigValue::as_str)
        .unwrap_or_else(|| panic!("{key} in {record}"))
}

fn level(name: &str) -> Level {
    name.parse().expect("a level name")
}

/// Python's `msg % args` for the access line, the only records with arguments.
fn message(record: &ConfigValue) -> String {
    let msg = field(record, "msg");
    let Some(args) = record.get("args").and_then(ConfigValue::as_list) else {
        return msg.to_owned();
    };
    let text = |v: &ConfigValue| match v {
        ConfigValue::Str(s) => s.clone(),
        other => other.to_string(),
    };
    assert_eq!(msg, "%s - \"%s %s HTTP/%s\" %d");
    format!(
        "{} - \"{} {} HTTP/{}\" {}",
        text(&args[0]),
        text(&args[1]),
        text(&args[2]),
        text(&args[3]),
        text(&args[4])
    )
}

/// The factories for the Django classes `DEFAULT_LOGGING` names, with `DEBUG = True` as the
/// recording had it.
fn with_django_factories(configurator: Configurator) -> Configurator {
    configurator
        .filter_factory("django.utils.log.RequireDebugTrue", |_| {
            Ok(Arc::new(|_: &LogRecord<'_>| true))
        })
        .filter_factory("django.utils.log.RequireDebugFalse", |_| {
            Ok(Arc::new(|_: &LogRecord<'_>| false))
        })
        .formatter_factory("django.utils.log.ServerFormatter", |args| {
            let format = args.string("format")?.unwrap_or_default();
            let style = match args.string("style")?.as_deref() {
                Some("{") => pylog::Style::Brace,
                Some("$") => pylog::Style::Dollar,
                _ => pylog::Style::Percent,
            };
            // `server_time` is `formatTime(record)` with Django's `default_time_format`.
            let clock = Formatter::builder("")
                .default_time_format("%d/%b/%Y %H:%M:%S")
                .build()?;
            Ok(Formatter::builder(&format)
                .style(style)
                .computed_field("server_time", move |record, out| {
                    let _ = clock.format_time(record, out);
                })
                .build()?)
        })
        .handler_factory("django.utils.log.AdminEmailHandler", |args| {
            // Mails the admins when DEBUG is off; an application would return an SmtpHandler.
            for key in ["include_html", "email_backend", "reporter_class"] {
                let _ = args.value(key)?;
            }
            Ok(NullHandler::new())
        })
}

#[test]
fn one_real_config_in_this_process() {
    let Ok(case) = std::env::var(CASE_VAR) else {
        return;
    };
    print!("\n{BEGIN}\n");
    eprint!("\n{BEGIN}\n");
    flush();
    let path = format!("{REAL}files/{case}");
    let configurator = with_django_factories(Configurator::new().env_overrides(false));
    if let Err(e) = configurator.load_path(&path) {
        panic!("{case}: {e}");
    }
    for record in records() {
        let name = field(&record, "logger");
        let logger = pylog::get_logger(if name == "root" { "" } else { name });
        let level = level(field(&record, "level"));
        let text = message(&record);
        match record.get("extras").and_then(ConfigValue::as_map) {
            None => logger.log(level, &text),
            Some(extras) => {
                let mut call = logger.event(level);
                let values: Vec<(&str, pylog::Value<'_>)> = extras
                    .iter()
                    .map(|(k, v)| {
                        let value = match v {
                            ConfigValue::Int(i) => pylog::Value::Int(*i),
                            ConfigValue::Str(s) => pylog::Value::Str(s),
                            other => panic!("extra {k}: {other}"),
                        };
                        (k, value)
                    })
                    .collect();
                for (k, v) in values {
                    call = call.extra(k, v);
                }
                call.log(&text);
            }
        }
    }
    pylog::shutdown();
    flush();
    println!("{END}");
    eprintln!("{END}");
    flush();
}

fn flush() {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}

fn between_markers(output: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(output);
    let start = text.find(&format!("{BEGIN}\n"))? + BEGIN.len() + 1;
    let end = start + text[start..].find(END)?;
    Some(text[start..end].to_owned())
}

#[test]
fn real_package_configs_print_what_cpython_printed() {
    let time = Regex::new(
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/config/MASK"))
            .expect("MASK")
            .trim(),
    )
    .expect("MASK is a regex");
    let pid = Regex::new(r"\[\d+\] \[").expect("a regex");
    let mask = |text: &str| {
        pid.replace_all(&time.replace_all(text, "<TIME>"), "[<PID>] [")
            .into_owned()
    };
    let mut names: Vec<String> = std::fs::read_dir(format!("{REAL}files"))
        .expect("files/")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    let exe = std::env::current_exe().expect("the test binary");
    let mut failures = Vec::new();
    for name in &names {
        let dir = tempfile::tempdir().expect("a directory");
        let output = Command::new(&exe)
            .args([CHILD_TEST, "--exact", "--nocapture", "--test-threads=1"])
            .env(CASE_VAR, name)
            .env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR")
            .env_remove("PYLOG_LEVEL")
            .current_dir(dir.path())
            .output()
            .expect("run the child");
        for (what, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            let Some(ours) = between_markers(bytes) else {
                failures.push(format!(
                    "{name}: {what}: the child did not finish:\n{}",
                    String::from_utf8_lossy(bytes)
                ));
                continue;
            };
            let expected = std::fs::read_to_string(format!("{REAL}expected/{name}/{what}"))
                .expect("an expected output");
            let ours = mask(&ours);
            if ours != expected {
                failures.push(format!(
                    "{name}: {what}\n--- ours\n{ours}--- CPython\n{expected}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
