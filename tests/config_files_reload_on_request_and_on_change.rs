//! A configuration file applied again on request and when it changes on disk; a broken version
//! leaves the running configuration in place.

use std::time::{Duration, Instant};

use pylog::config::{ConfigFile, Configurator};
use pylog::{Manager, SharedWriter};

fn document(format: &str) -> String {
    format!(
        r#"{{"version": 1, "formatters": {{"f": {{"format": "{format}"}}}},
            "handlers": {{"out": {{"class": "logging.StreamHandler", "stream": "ext://test.out", "formatter": "f"}}}},
            "root": {{"level": "INFO", "handlers": ["out"]}}}}"#
    )
}

/// A file holding `document(format)`, and a `ConfigFile` for it on a tree of its own.
fn file_with(
    format: &str,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Manager,
    SharedWriter,
    ConfigFile,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logging.json");
    std::fs::write(&path, document(format)).unwrap();
    let tree = Manager::new();
    let out = SharedWriter::new();
    let configurator = Configurator::for_manager(&tree)
        .env_overrides(false)
        .ext_writer("test.out", out.clone());
    let file = ConfigFile::new(configurator, &path);
    (dir, path, tree, out, file)
}

#[test]
fn reload_applies_the_new_text_and_keeps_the_old_one_when_the_new_is_broken() {
    let (_dir, path, tree, out, file) = file_with("one %(message)s");
    file.reload().unwrap();
    assert!(
        !file.reload_if_changed().unwrap(),
        "unchanged text is not applied again"
    );
    tree.root().info("a");

    std::fs::write(&path, document("two %(message)s")).unwrap();
    assert!(file.reload_if_changed().unwrap());
    tree.root().info("b");

    std::fs::write(&path, r#"{"version": 1, "root": {"level": "LOUD"}}"#).unwrap();
    let err = file.reload_if_changed().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Unable to configure root logger: Unknown level: 'LOUD' (at root.level)"
    );
    assert_eq!(file.last_error(), Some(err));
    tree.root().info("c");
    assert_eq!(out.contents(), "one a\ntwo b\ntwo c\n");
}

#[test]
fn a_watched_file_is_applied_when_it_changes() {
    let (_dir, path, tree, out, file) = file_with("first %(message)s");
    file.reload().unwrap();
    let watcher = file.watch(Duration::from_millis(20));
    std::fs::write(&path, document("second %(message)s")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        out.clear();
        tree.root().info("x");
        if out.contents() == "second x\n" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the change was never applied: {:?}",
            out.contents()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    watcher.stop();
}
