//! A subscriber built by hand, as `tracing` users write it
//! (`registry().with(fmt::layer()).with(pylog::layer())`, no `pylog::install()`), loses nothing
//! queued when the program ends: 5,000 records behind a queue handler in front of a slow file all
//! reach the file, once each and in order, when `main` returns, when `main` panics, and when another
//! thread panicked before `main` returns. Each case runs with and without `log_panics()`, which
//! adds exactly one CRITICAL line for the panic.
//!
//! Each case runs in a child process (this same binary), so that it really returns or panics. This
//! test has its own `main` (`harness = false`) and prints `N passed, N failed` at the end.

mod exit_common;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use exit_common::{Check, SelfChild, SlowFile, run_checks};
use pylog::{Formatter, Level, QueueHandler, StreamHandler};
use tracing_subscriber::layer::SubscriberExt;

const CASE_VAR: &str = "PYLOG_HAND_BUILT_CASE";
const PANICS_VAR: &str = "PYLOG_HAND_BUILT_LOG_PANICS";
const OUTPUT_VAR: &str = "PYLOG_HAND_BUILT_OUTPUT";
const RECORDS: usize = 5_000;
const WATCHDOG: Duration = Duration::from_secs(120);

const CASES: [&str; 3] = [
    "return_from_main",
    "panic_in_main",
    "panic_on_another_thread_then_return",
];

/// The child's logging: a queue handler (1,000 records, blocking) in front of a stream handler on
/// a file that sleeps 2 ms every 10 writes, on the root logger at INFO; the subscriber the `tracing`
/// docs show, with pylog's layer beside fmt's.
fn configure(output: &Path, log_panics: bool) {
    let file = StreamHandler::writer(SlowFile::create(output, 10, Duration::from_millis(2)))
        .with_formatter(Formatter::new("%(levelname)s %(message)s").expect("valid format"));
    let queue = QueueHandler::builder()
        .handler(file)
        .capacity(1_000)
        .build()
        .expect("the listener starts");
    let root = pylog::root_logger();
    root.set_level(Level::INFO);
    root.add_handler(queue);
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer())
        .with(pylog::layer());
    tracing::subscriber::set_global_default(subscriber).expect("no subscriber yet");
    if log_panics {
        pylog::log_panics();
    }
}

fn run_child(case: &str, log_panics: bool, output: &Path) {
    configure(output, log_panics);
    for i in 0..RECORDS {
        tracing::info!(target: "app", "record {i}");
    }
    match case {
        "return_from_main" => {}
        "panic_in_main" => panic!("main gives up"),
        "panic_on_another_thread_then_return" => {
            let joined = std::thread::Builder::new()
                .name("worker".into())
                .spawn(|| panic!("the worker gives up"))
                .expect("a thread starts")
                .join();
            assert!(joined.is_err(), "the worker panicked");
        }
        other => panic!("unknown case {other}"),
    }
}

/// Runs one case in a child and checks its file: every record once and in order, and one CRITICAL
/// line for the panic exactly when `log_panics()` was called and something panicked.
fn check(case: &str, log_panics: bool, dir: &Path) -> Result<(), String> {
    let output = dir.join(format!("{case}-{log_panics}.log"));
    let child = SelfChild::spawn(
        [
            (CASE_VAR, case.as_ref()),
            (PANICS_VAR, if log_panics { "1" } else { "0" }.as_ref()),
            (OUTPUT_VAR, output.as_os_str()),
            // The default hook's backtrace would give the queue time to drain.
            ("RUST_BACKTRACE", "0".as_ref()),
        ],
        false,
    )?;
    let (status, stderr) = child.wait(WATCHDOG)?;
    let panics_in_main = case == "panic_in_main";
    if status.success() == panics_in_main {
        return Err(format!("unexpected exit {status}; stderr:\n{stderr}"));
    }
    let text = std::fs::read_to_string(&output).map_err(|e| format!("{output:?}: {e}"))?;
    let mut next = 0;
    let mut critical = 0;
    for line in text.lines() {
        if line.starts_with("CRITICAL thread '") && line.contains("' panicked at ") {
            critical += 1;
            continue;
        }
        let i: usize = line
            .strip_prefix("INFO record ")
            .and_then(|i| i.parse().ok())
            .ok_or_else(|| format!("unexpected line {line:?}"))?;
        if i != next {
            return Err(format!("record {i} where {next} was due"));
        }
        next += 1;
    }
    if next != RECORDS {
        return Err(format!("{next} of {RECORDS} records in the file"));
    }
    let expected_critical = usize::from(log_panics && case != "return_from_main");
    if critical != expected_critical {
        return Err(format!(
            "{critical} CRITICAL panic lines, expected {expected_critical}:\n{text}"
        ));
    }
    Ok(())
}

fn main() -> ExitCode {
    if let Ok(case) = std::env::var(CASE_VAR) {
        let output = PathBuf::from(std::env::var_os(OUTPUT_VAR).expect("output path set"));
        let log_panics = std::env::var(PANICS_VAR).as_deref() == Ok("1");
        run_child(&case, log_panics, &output);
        return ExitCode::SUCCESS;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let dir_path = dir.path().to_path_buf();
    let mut checks: Vec<Check> = Vec::new();
    for case in CASES {
        for log_panics in [false, true] {
            let dir = dir_path.clone();
            let name = if log_panics {
                format!("{case}_with_log_panics")
            } else {
                case.to_owned()
            };
            checks.push((name, Box::new(move || check(case, log_panics, &dir))));
        }
    }
    if run_checks(checks) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
