//! The tutorial examples print what CPython prints for the same programs
//! (tests/golden/tutorial/*.py, recorded by tests/golden/tutorial/generate.py).

use std::path::PathBuf;
use std::process::Command;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/tutorial/");

/// `cargo test` builds the examples next to the test binaries: target/<profile>/examples/.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binaries live in target/<profile>/deps");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo test`, which builds examples",
        path.display()
    );
    path
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(format!("{GOLDEN}{name}")).expect("golden file exists")
}

/// Replaces each `YYYY-MM-DD HH:MM:SS,mmm` with `<asctime>`, failing on anything else that starts
/// a line where a timestamp should be.
fn mask_asctime(text: &str) -> String {
    text.lines()
        .map(|line| {
            let (stamp, rest) = line.split_at(23.min(line.len()));
            let shape: String = stamp
                .chars()
                .map(|c| if c.is_ascii_digit() { 'd' } else { c })
                .collect();
            assert_eq!(shape, "dddd-dd-dd dd:dd:dd,ddd", "not an asctime: {line:?}");
            format!("<asctime>{rest}\n")
        })
        .collect()
}

#[test]
fn basic_prints_what_cpython_prints() {
    let out = Command::new(example("basic")).output().expect("runs");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(String::from_utf8_lossy(&out.stderr), golden("basic.stderr"));
}

#[test]
fn quickstart_console_and_file_match_cpython() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(example("quickstart"))
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_python = |name: &str| golden(name).replace("__main__", "quickstart");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        from_python("quickstart.stderr")
    );
    let file = std::fs::read_to_string(dir.path().join("file.log")).expect("file.log written");
    assert_eq!(mask_asctime(&file), from_python("quickstart.file.log"));
}
