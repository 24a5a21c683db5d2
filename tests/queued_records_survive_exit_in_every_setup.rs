//! Whatever way logging was set up, nothing queued is lost when the program ends: 5,000 records
//! behind a queue handler in front of a slow file all reach the file, once each and in order, when
//! `main` returns, when `main` panics, when another thread panicked before `main` returns, and on
//! `std::process::exit`. The setups:
//!
//! - `pylog::install()` (which also calls `log_panics()`);
//! - a subscriber built by hand, as `tracing` users write it
//!   (`registry().with(fmt::layer()).with(pylog::layer())`), with and without `log_panics()`;
//! - the direct API (`get_logger("app").info(..)`) with no subscriber, with and without
//!   `log_panics()`.
//!
//! `log_panics()` adds exactly one CRITICAL line for the panic; without it there is none.
//!
//! Each case runs in a child process (this same binary), so that it really returns, panics or
//! exits. This test has its own `main` (`harness = false`) and prints `N passed, N failed`.

mod exit_common;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use exit_common::{Check, SelfChild, SlowFile, run_checks};
use pylog::{Formatter, Level, QueueHandler, StreamHandler};
use tracing_subscriber::layer::SubscriberExt;

const SETUP_VAR: &str = "PYLOG_EVERY_SETUP_SETUP";
const ENDING_VAR: &str = "PYLOG_EVERY_SETUP_ENDING";
const PANICS_VAR: &str = "PYLOG_EVERY_SETUP_LOG_PANICS";
const OUTPUT_VAR: &str = "PYLOG_EVERY_SETUP_OUTPUT";
const RECORDS: usize = 5_000;
const WATCHDOG: Duration = Duration::from_secs(120);

const SETUPS: [&str; 3] = ["install", "hand_built", "direct"];
const ENDINGS: [&str; 4] = [
    "return_from_main",
    "panic_in_main",
    "panic_on_another_thread_then_return",
    "process_exit",
];

/// The child's logging: a queue handler (1,000 records, blocking) in front of a stream handler on
/// a file that sleeps 2 ms every 10 writes, on the root logger at INFO; then the setup.
fn configure(setup: &str, log_panics: bool, output: &Path) {
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
    match setup {
        "install" => pylog::install().expect("nothing else installed a subscriber"),
        "hand_built" => {
            let subscriber = tracing_subscriber::registry()
                .with(tracing_subscriber::fmt::layer())
                .with(pylog::layer());
            tracing::subscriber::set_global_default(subscriber).expect("no subscriber yet");
        }
        _ => {}
    }
    if log_panics {
        pylog::log_panics();
    }
}

fn run_child(setup: &str, ending: &str, log_panics: bool, output: &Path) {
    configure(setup, log_panics, output);
    let app = pylog::get_logger("app");
    for i in 0..RECORDS {
        if setup == "direct" {
            app.info(format_args!("record {i}"));
        } else {
            tracing::info!(target: "app", "record {i}");
        }
    }
    match ending {
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
        "process_exit" => std::process::exit(0),
        other => panic!("unknown ending {other}"),
    }
}

/// Runs one case in a child and checks its file: every record once and in order, and one CRITICAL
/// line for the panic exactly when `log_panics()` was called and something panicked.
fn check(setup: &str, ending: &str, log_panics: bool, dir: &Path) -> Result<(), String> {
    let output = dir.join(format!("{setup}-{ending}-{log_panics}.log"));
    let child = SelfChild::spawn(
        [
            (SETUP_VAR, setup.as_ref()),
            (ENDING_VAR, ending.as_ref()),
            (PANICS_VAR, if log_panics { "1" } else { "0" }.as_ref()),
            (OUTPUT_VAR, output.as_os_str()),
            // The default hook's backtrace would give the queue time to drain.
            ("RUST_BACKTRACE", "0".as_ref()),
        ],
        false,
    )?;
    let (status, stderr) = child.wait(WATCHDOG)?;
    let panics_in_main = ending == "panic_in_main";
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
    let panicked = ending.starts_with("panic");
    let expected_critical = usize::from(log_panics && panicked);
    if critical != expected_critical {
        return Err(format!(
            "{critical} CRITICAL panic lines, expected {expected_critical}:\n{text}"
        ));
    }
    Ok(())
}

fn main() -> ExitCode {
    if let (Ok(setup), Ok(ending)) = (std::env::var(SETUP_VAR), std::env::var(ENDING_VAR)) {
        let output = PathBuf::from(std::env::var_os(OUTPUT_VAR).expect("output path set"));
        let log_panics = std::env::var(PANICS_VAR).as_deref() == Ok("1");
        run_child(&setup, &ending, log_panics, &output);
        return ExitCode::SUCCESS;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut checks: Vec<Check> = Vec::new();
    for setup in SETUPS {
        // install() always logs panics; the other setups are tried both ways.
        let panics_choices: &[bool] = if setup == "install" {
            &[true]
        } else {
            &[false, true]
        };
        for ending in ENDINGS {
            for &log_panics in panics_choices {
                let dir = dir.path().to_path_buf();
                let name = match (setup, log_panics) {
                    ("install", _) | (_, false) => format!("{setup}_{ending}"),
                    _ => format!("{setup}_with_log_panics_{ending}"),
                };
                checks.push((
                    name,
                    Box::new(move || check(setup, ending, log_panics, &dir)),
                ));
            }
        }
    }
    if run_checks(checks) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
