//! `concurrent_log_handler.ConcurrentRotatingFileHandler`, named by a dictConfig document, leaves
//! the same files as the real package (concurrent-log-handler 0.9.31, recorded by
//! `tests/golden/thirdparty/generate.py` in `rotation.json`): the same records in the same
//! files, since it rolls over once the file has reached `maxBytes` and truncates when
//! `backupCount` is 0. It is our shared rotation, with the package's lock file (`.__app.lock`),
//! so Python processes using the package and Rust processes using this lock each other out.

use pylog::Manager;
use pylog::config::{Config, ConfigValue, Configurator};

fn golden() -> ConfigValue {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/thirdparty/rotation.json"
    );
    let text = std::fs::read_to_string(path).expect("read rotation.json");
    Config::from_json(&text)
        .expect("parse rotation.json")
        .value()
        .clone()
}

#[test]
fn rotated_files_hold_what_the_package_wrote() {
    let golden = golden();
    let cases = golden.get("cases").and_then(ConfigValue::as_list).unwrap();
    assert_eq!(cases.len(), 3);
    let mut failures = Vec::new();
    for case in cases {
        let name = case.get("case").and_then(ConfigValue::as_str).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut handler = case
            .get("handler")
            .and_then(ConfigValue::as_map)
            .unwrap()
            .clone();
        handler.insert("filename", path.display().to_string().into());
        handler.insert("formatter", "f".into());
        let config = Config::from_value(ConfigValue::map([
            ("version", 1.into()),
            ("disable_existing_loggers", false.into()),
            (
                "formatters",
                ConfigValue::map([(
                    "f",
                    ConfigValue::map([("format", "%(levelname)s %(name)s %(message)s".into())]),
                )]),
            ),
            (
                "handlers",
                ConfigValue::map([("h", ConfigValue::Map(handler))]),
            ),
            (
                "loggers",
                ConfigValue::map([(
                    "rot",
                    ConfigValue::map([
                        ("level", "DEBUG".into()),
                        ("handlers", vec!["h"].into()),
                        ("propagate", false.into()),
                    ]),
                )]),
            ),
        ]));
        let tree = Manager::new();
        Configurator::for_manager(&tree)
            .env_overrides(false)
            .dict_config(&config)
            .unwrap();
        let log = tree.get_logger("rot");
        for message in case.get("messages").and_then(ConfigValue::as_list).unwrap() {
            log.info(message.as_str().unwrap());
        }
        for handler in log.handlers() {
            handler.close();
        }
        let expected = case.get("files").and_then(ConfigValue::as_map).unwrap();
        let mut ours: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        ours.sort();
        assert!(
            ours.iter().any(|n| n == ".__app.lock"),
            "{name}: the package's lock file: {ours:?}"
        );
        ours.retain(|n| !n.ends_with(".lock"));
        let theirs: Vec<&str> = expected.keys().collect();
        if ours != theirs {
            failures.push(format!("{name}: files {ours:?}, package {theirs:?}"));
            continue;
        }
        for (file, content) in expected.iter() {
            let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
            if text != content.as_str().unwrap() {
                failures.push(format!(
                    "{name}/{file}:\n ours:    {text:?}\n package: {:?}",
                    content.as_str().unwrap()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
