//! A Python process logging through concurrent-log-handler's `ConcurrentRotatingFileHandler` and
//! this process logging through ours, configured by the same dictConfig entry, write and rotate
//! one file at the same time: both lock the package's `.__app.lock`, so every line of both
//! arrives once, whole, in one of the files.
//!
//! Needs `python3` with concurrent-log-handler (`python3 -m pip install concurrent-log-handler`;
//! `.ci/run` installs it). When it is missing the test says why and passes, unless `CI` is set,
//! where it fails.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use pylog::Manager;
use pylog::config::{Config, Configurator};

const LINES: usize = 1500;

const PYTHON: &str = r#"
import logging, logging.config, sys
path, count = sys.argv[1], int(sys.argv[2])
logging.config.dictConfig({"version": 1,
    "formatters": {"f": {"format": "%(message)s"}},
    "handlers": {"h": {"class": "concurrent_log_handler.ConcurrentRotatingFileHandler",
                       "filename": path, "maxBytes": 4096, "backupCount": 200, "formatter": "f"}},
    "root": {"level": "INFO", "handlers": ["h"]}})
log = logging.getLogger("py")
for i in range(count):
    log.info("python %05d %s", i, "p" * (i % 50))
logging.shutdown()
"#;

fn python_has_the_package() -> bool {
    Command::new("python3")
        .args(["-c", "import concurrent_log_handler"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn python_and_rust_writers_lose_and_split_nothing() {
    if !python_has_the_package() {
        let why = "python3 with concurrent-log-handler is not available \
                   (python3 -m pip install concurrent-log-handler)";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        println!("skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut python = Command::new("python3")
        .args(["-c", PYTHON, path.to_str().unwrap(), &LINES.to_string()])
        .spawn()
        .expect("start python3");
    // Start once Python is writing, so that the two writers overlap.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::fs::metadata(&path).map_or(true, |m| m.len() == 0)
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }

    let json = format!(
        r#"{{"version": 1, "formatters": {{"f": {{"format": "%(message)s"}}}},
            "handlers": {{"h": {{"class": "concurrent_log_handler.ConcurrentRotatingFileHandler",
                "filename": {:?}, "maxBytes": 4096, "backupCount": 200, "formatter": "f"}}}},
            "root": {{"level": "INFO", "handlers": ["h"]}}}}"#,
        path.to_str().unwrap()
    );
    let tree = Manager::new();
    Configurator::for_manager(&tree)
        .env_overrides(false)
        .dict_config(&Config::from_json(&json).unwrap())
        .unwrap();
    let log = tree.get_logger("rust");
    for i in 0..LINES {
        log.info(format!("rust {i:05} {}", "r".repeat(i % 50)));
    }
    for handler in tree.root().handlers() {
        assert_eq!(handler.stats().errors, 0);
        handler.close();
    }
    assert!(python.wait().expect("python3 ran").success());

    let mut seen = BTreeSet::new();
    let mut files = 0;
    let mut mixed_files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".lock") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(entry.path()).unwrap();
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "{name} ends mid-line"
        );
        if text.contains("python ") && text.contains("rust ") {
            mixed_files += 1;
        }
        for line in text.lines() {
            let mut words = line.split(' ');
            let (who, number, fill) = (words.next(), words.next(), words.next().unwrap_or(""));
            let i: usize = number
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{name}: a split line: {line:?}"));
            let letter = match who {
                Some("python") => 'p',
                Some("rust") => 'r',
                _ => panic!("{name}: a split line: {line:?}"),
            };
            assert_eq!(fill, letter.to_string().repeat(i % 50), "{name}: {line:?}");
            assert!(seen.insert((letter, i)), "{name}: written twice: {line:?}");
        }
    }
    assert_eq!(seen.len(), 2 * LINES, "every line once");
    assert!(files > 5, "the file was rotated: {files} files");
    println!("{files} files, {mixed_files} holding lines of both writers");
}
