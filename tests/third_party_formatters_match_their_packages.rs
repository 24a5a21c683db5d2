//! The built-in third-party formatters write what the real packages write: python-json-logger's
//! `JsonFormatter` (both module paths; `%`, `{`, `$` and comma field lists, `rename_fields`,
//! `static_fields`, `timestamp`, `json_ensure_ascii`), colorlog's `ColoredFormatter` (`log_colors`,
//! `%(log_color)s`, named codes, `reset`, `secondary_log_colors`, `no_color`) and uvicorn's
//! `DefaultFormatter` and `AccessFormatter` (`%(levelprefix)s`, `use_colors`, the access line
//! with its status phrase). Each case is the dictConfig formatter entry that
//! `tests/golden/thirdparty/generate.py` gave the real package, and the lines it wrote for the
//! same records (`expected.json`).

use pylog::config::{Config, ConfigValue, Configurator};
use pylog::{Level, LogRecord, Manager, SharedWriter, Value};

/// expected.json, read with the library's own JSON reader, which keeps the order of keys (the
/// order of extras and static fields is part of the output).
fn golden() -> ConfigValue {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/thirdparty/expected.json"
    );
    let text = std::fs::read_to_string(path).expect("read expected.json");
    Config::from_json(&text)
        .expect("parse expected.json")
        .value()
        .clone()
}

fn text(value: &ConfigValue, key: &str) -> String {
    value
        .get(key)
        .and_then(ConfigValue::as_str)
        .unwrap_or_else(|| panic!("{key} in {value}"))
        .to_owned()
}

fn optional(value: &ConfigValue, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(ConfigValue::as_str)
        .map(str::to_owned)
}

fn list<'v>(value: &'v ConfigValue, key: &str) -> &'v [ConfigValue] {
    value
        .get(key)
        .and_then(ConfigValue::as_list)
        .expect("a list")
}

fn level(name: &str) -> Level {
    match name {
        "DEBUG" => Level::DEBUG,
        "INFO" => Level::INFO,
        "WARNING" => Level::WARNING,
        "ERROR" => Level::ERROR,
        "CRITICAL" => Level::CRITICAL,
        other => panic!("unknown level {other}"),
    }
}

/// An owned record description, so that the borrowed `LogRecord` can be built from it.
struct Spec {
    name: String,
    level: Level,
    msg: String,
    extras: Vec<(String, ConfigValue)>,
    exc_text: Option<String>,
    stack_info: Option<String>,
}

fn value(config: &ConfigValue) -> Value<'_> {
    match config {
        ConfigValue::Null => Value::None,
        ConfigValue::Bool(b) => Value::Bool(*b),
        ConfigValue::Int(n) => Value::Int(*n),
        ConfigValue::Float(x) => Value::Float(*x),
        ConfigValue::Str(s) => Value::Str(s),
        other => panic!("no extra of this type: {other}"),
    }
}

fn entries(value: &ConfigValue) -> Vec<(String, ConfigValue)> {
    value
        .as_map()
        .expect("a mapping")
        .iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
}

fn records(golden: &ConfigValue) -> Vec<Spec> {
    list(golden, "records")
        .iter()
        .map(|r| Spec {
            name: text(r, "name"),
            level: level(&text(r, "level")),
            msg: text(r, "msg"),
            extras: entries(r.get("extras").expect("extras")),
            exc_text: optional(r, "exc_text"),
            stack_info: optional(r, "stack_info"),
        })
        .collect()
}

/// uvicorn logs `'%s - "%s %s HTTP/%s" %d'` with these arguments; here they are extras.
fn access_records(golden: &ConfigValue) -> Vec<Spec> {
    list(golden, "access")
        .iter()
        .map(|a| Spec {
            name: "uvicorn.access".to_owned(),
            level: Level::INFO,
            msg: format!(
                "{} - \"{} {} HTTP/{}\" {}",
                text(a, "client_addr"),
                text(a, "method"),
                text(a, "full_path"),
                text(a, "http_version"),
                a.get("status_code").expect("status_code")
            ),
            extras: entries(a),
            exc_text: None,
            stack_info: None,
        })
        .collect()
}

#[test]
fn every_case_writes_what_the_package_wrote() {
    let golden = golden();
    let created = match golden.get("created") {
        Some(ConfigValue::Float(x)) => *x,
        other => panic!("created: {other:?}"),
    };
    let plain = records(&golden);
    let access = access_records(&golden);
    let mut failures = Vec::new();
    for case in list(&golden, "cases") {
        let name = text(case, "case");
        let handler = ConfigValue::map([
            ("class", "logging.StreamHandler".into()),
            ("stream", "ext://test.out".into()),
            ("formatter", "f".into()),
        ]);
        let config = Config::from_value(ConfigValue::map([
            ("version", 1.into()),
            (
                "formatters",
                ConfigValue::map([("f", case.get("entry").expect("entry").clone())]),
            ),
            ("handlers", ConfigValue::map([("h", handler)])),
            (
                "root",
                ConfigValue::map([("level", "DEBUG".into()), ("handlers", vec!["h"].into())]),
            ),
        ]));
        let tree = Manager::new();
        let out = SharedWriter::new();
        if let Err(e) = Configurator::for_manager(&tree)
            .env_overrides(false)
            .ext_writer("test.out", out.clone())
            .dict_config(&config)
        {
            failures.push(format!("{name}: {e}"));
            continue;
        }
        let specs = if name.starts_with("uvicorn_access") {
            &access
        } else {
            &plain
        };
        for spec in specs {
            let extras: Vec<(&str, Value<'_>)> = spec
                .extras
                .iter()
                .map(|(k, v)| (k.as_str(), value(v)))
                .collect();
            let mut record = LogRecord::new(&spec.name, spec.level, &spec.msg);
            record.created = created;
            record.extras = &extras;
            if let Some(text) = &spec.exc_text {
                record.set_exc_text(text.clone());
            }
            record.stack_info = spec.stack_info.as_deref();
            tree.root().handle(&record);
        }
        let expected: String = list(case, "lines")
            .iter()
            .map(|l| format!("{}\n", l.as_str().expect("a line")))
            .collect();
        let ours = out.contents();
        if ours != expected {
            failures.push(format!("{name}:\n ours:   {ours:?}\n theirs: {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// fileConfig passes `format`, `datefmt` and `style` positionally to a formatter's `class`, as
/// dictConfig's `()` passes them by name, so an INI file naming python-json-logger's class
/// writes the lines of the `json_percent` case.
#[test]
fn file_config_names_the_classes_too() {
    let golden = golden();
    let case = list(&golden, "cases")
        .iter()
        .find(|c| text(c, "case") == "json_percent")
        .expect("the json_percent case");
    let dir = tempfile::tempdir().unwrap();
    let ini = dir.path().join("logging.ini");
    std::fs::write(
        &ini,
        "[loggers]\nkeys=root\n\n[handlers]\nkeys=h\n\n[formatters]\nkeys=json\n\n\
         [logger_root]\nlevel=DEBUG\nhandlers=h\n\n\
         [handler_h]\nclass=StreamHandler\nformatter=json\nargs=(sys.stdout,)\n\n\
         [formatter_json]\nclass=pythonjsonlogger.jsonlogger.JsonFormatter\n\
         format=%(levelname)s %(name)s %(message)s\n",
    )
    .unwrap();
    let tree = Manager::new();
    let out = SharedWriter::new();
    Configurator::for_manager(&tree)
        .env_overrides(false)
        .ext_writer("sys.stdout", out.clone())
        .file_config(&ini)
        .unwrap();
    let spec = &records(&golden)[0];
    let mut record = LogRecord::new(&spec.name, spec.level, &spec.msg);
    record.created = 1_700_000_000.25;
    tree.root().handle(&record);
    let first = list(case, "lines")[0].as_str().unwrap();
    assert_eq!(out.contents(), format!("{first}\n"));
}
