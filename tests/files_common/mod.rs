//! Helpers shared by the file-handler integration tests: reading a log file and its rotated
//! siblings, a fresh logger tree with one handler, and child processes made by re-executing the
//! running test binary.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicI64, Ordering};

use pylog_core::{Clock, Handler, Level, Logger, Manager};

/// 2026-12-03 22:00:00 UTC.
pub const DEC_3_22H: i64 = 1_796_335_200;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;

/// A clock the test sets by hand, in whole seconds.
#[derive(Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn set(&self, t: i64) {
        self.0.store(t, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> f64 {
        self.0.load(Ordering::Relaxed) as f64
    }
}

/// Logs records `records` as the 5-byte lines `rNNN\n` (`max_bytes(21)` fits four in a file).
pub fn log_records(logger: &Logger, records: std::ops::RangeInclusive<u32>) {
    for n in records {
        logger.info(format!("r{n:03}"));
    }
}

/// The record numbers in the text `text` of the file `name`, written by [`log_records`]
/// (checking that it ends with a whole line).
pub fn record_numbers(name: &str, text: &str) -> Vec<u32> {
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "{name} ends mid-line"
    );
    text.lines()
        .map(|line| line.strip_prefix('r').unwrap().parse().unwrap())
        .collect()
}

/// A logger `app` (level DEBUG, not propagating) of a fresh tree, with `handler` as its only
/// handler. The tree is returned too so that it outlives the logger's use.
pub fn logger_with(handler: &Handler) -> (Manager, Logger) {
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.set_level(Level::DEBUG);
    logger.set_propagate(false);
    logger.add_handler(handler.clone());
    (tree, logger)
}

/// The lines of a text file (each must end with `\n`: a missing final newline means a torn write).
pub fn lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "{} does not end with a newline",
        path.display()
    );
    text.lines().map(str::to_owned).collect()
}

/// `base` with `.N` appended (`app.log` → `app.log.3`).
pub fn backup(base: &Path, n: u32) -> PathBuf {
    let mut name = base.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// `base` and its numbered backups `base.1` … `base.N`, oldest first (`base.N` … `base.1`, `base`).
///
/// Panics when the numbers have a gap, or when the directory holds any other file except
/// `allowed_extra` names (the lock file of the shared mode).
pub fn rotated_set(base: &Path, allowed_extra: &[&str]) -> Vec<PathBuf> {
    let dir = base.parent().expect("a directory");
    let base_name = base.file_name().and_then(OsStr::to_str).expect("utf-8");
    let mut numbers = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let name = entry.expect("entry").file_name();
        let name = name.to_str().expect("utf-8 name");
        if name == base_name || allowed_extra.contains(&name) {
            continue;
        }
        let n: u32 = name
            .strip_prefix(base_name)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unexpected file in the log directory: {name}"));
        numbers.push(n);
    }
    numbers.sort_unstable();
    let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
    assert_eq!(numbers, expected, "backups must be numbered 1..=N");
    let mut files: Vec<PathBuf> = numbers.iter().rev().map(|&n| backup(base, n)).collect();
    if base.exists() {
        files.push(base.to_path_buf());
    }
    files
}

/// The environment variable that tells a helper test it is running as a child process.
pub const CHILD_ENV: &str = "PYLOGGING_FILE_TEST_CHILD";

/// The role given to this process by [`run_child`], or `None` in the normal test run (where the
/// helper test must return at once).
pub fn child_role() -> Option<String> {
    std::env::var(CHILD_ENV).ok()
}

/// Starts the running test binary again, running only the test `test_name` with `role` in
/// [`CHILD_ENV`] and the extra environment `envs`. Output is piped.
pub fn spawn_child(test_name: &str, role: &str, envs: &[(&str, String)]) -> std::process::Child {
    let exe = std::env::current_exe().expect("current_exe");
    let mut command = Command::new(exe);
    command
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, role)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (key, value) in envs {
        command.env(key, value);
    }
    command.spawn().expect("spawn the test binary")
}

/// Runs the helper test `test_name` in a child process (see [`spawn_child`]), waits for it and
/// checks that it passed.
pub fn run_child(test_name: &str, role: &str, envs: &[(&str, String)]) -> Output {
    let output = spawn_child(test_name, role, envs)
        .wait_with_output()
        .expect("wait for child");
    check_child(test_name, &output);
    output
}

/// Panics with the child's output unless it exited successfully having run exactly one test.
pub fn check_child(test_name: &str, output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child {test_name} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The `--- Logging error ---` blocks a child wrote to its stderr, each as its lines (the first,
/// `--- Logging error ---` itself, left out). Panics if the stderr holds anything else.
pub fn logging_error_blocks(stderr: &[u8]) -> Vec<Vec<String>> {
    let stderr = String::from_utf8_lossy(stderr);
    let Some(rest) = stderr.strip_prefix("--- Logging error ---\n") else {
        assert!(stderr.is_empty(), "unexpected stderr: {stderr}");
        return Vec::new();
    };
    rest.split("--- Logging error ---\n")
        .map(|block| block.lines().map(str::to_owned).collect())
        .collect()
}

/// The decompressed content of a gzip file, checked (CRC included) by the system's `gzip` command:
/// the root test crate has no `flate2` dev-dependency.
pub fn gunzip(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(bytes[..2], [0x1f, 0x8b], "{} is not gzip", path.display());
    let test = Command::new("gzip")
        .arg("-t")
        .arg(path)
        .status()
        .expect("the gzip command is needed to check gzip files");
    assert!(test.success(), "gzip -t {} failed", path.display());
    let output = Command::new("gzip").arg("-dc").arg(path).output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

/// The decompressed content of a Zstandard file (every frame), read by the system's `zstd`
/// command: the root test crate has no `zstd` dev-dependency.
pub fn unzstd(path: &Path) -> String {
    let output = Command::new("zstd")
        .args(["-dc", "--"])
        .arg(path)
        .output()
        .expect("the zstd command is needed to check zstd files");
    assert!(
        output.status.success(),
        "zstd -dc {} failed",
        path.display()
    );
    String::from_utf8(output.stdout).unwrap()
}
