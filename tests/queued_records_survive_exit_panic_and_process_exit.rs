//! Records queued behind a slow sink all reach it when the program ends: by returning from `main`,
//! by a panic (on another thread, or in `main` itself), or by `std::process::exit`.
//!
//! Each scenario runs in a child process (this same binary, told which scenario by an environment
//! variable), so that it really returns from `main` or exits; the parent then reads the file the
//! child wrote. The parent kills a child that runs past a watchdog limit.
//!
//! This test has its own `main` (`harness = false`) and prints `N passed, N failed` at the end.

mod exit_common;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use exit_common::{Check, SelfChild, SlowFile, run_checks};
use pylog::{Formatter, Level, QueueHandler, StreamHandler};

const SCENARIO_VAR: &str = "PYLOGGING_EXIT_SCENARIO";
const OUTPUT_VAR: &str = "PYLOGGING_EXIT_OUTPUT";
const THREADS: usize = 4;
const PER_THREAD: usize = 25_000;
const WATCHDOG: Duration = Duration::from_secs(120);

/// The child's logging: the root logger at INFO with a queue handler (capacity 1,000, blocking)
/// in front of a stream handler on a file that sleeps 1 ms every 500 writes, so that the queue is
/// still full when the producers finish. With `install`, the one-call setup (exit hook,
/// panic hook); without, a bare subscriber and no hooks.
fn configure(output: &Path, install: bool) {
    let slow = SlowFile::create(output, 500, Duration::from_millis(1));
    let file = StreamHandler::writer(slow).with_formatter(
        Formatter::new("%(levelname)s %(threadName)s %(message)s").expect("valid format"),
    );
    let queue = QueueHandler::builder()
        .handler(file)
        .capacity(1_000)
        .build()
        .expect("the listener starts");
    let root = pylog::root_logger();
    root.set_level(Level::INFO);
    root.add_handler(queue);
    if install {
        pylog::install().expect("nothing else installed a subscriber");
    } else {
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(pylog::layer());
        tracing::subscriber::set_global_default(subscriber).expect("no subscriber yet");
    }
}

/// Logs `PER_THREAD` records from each of `THREADS` named threads; the thread numbered `panicking`
/// panics after its last record.
fn produce(panicking: Option<usize>) {
    let producers: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::Builder::new()
                .name(format!("producer-{t}"))
                .spawn(move || {
                    for i in 0..PER_THREAD {
                        tracing::info!(target: "app", "record {i}");
                    }
                    if panicking == Some(t) {
                        panic!("boom after {PER_THREAD} records");
                    }
                })
                .expect("a thread starts")
        })
        .collect();
    for producer in producers {
        let _ = producer.join();
    }
}

/// What each scenario does in the child, and whether the child must exit successfully.
fn run_child(scenario: &str, output: &Path) {
    match scenario {
        "return_from_main" => {
            configure(output, true);
            produce(None);
        }
        "panic_on_another_thread" => {
            configure(output, true);
            produce(Some(2));
        }
        "panic_in_main" => {
            configure(output, true);
            produce(None);
            panic!("main gives up");
        }
        "process_exit_with_hook" => {
            configure(output, true);
            produce(None);
            std::process::exit(0);
        }
        "shutdown_then_process_exit" => {
            configure(output, false);
            produce(None);
            pylog::shutdown();
            std::process::exit(0);
        }
        other => panic!("unknown scenario {other}"),
    }
}

struct Scenario {
    name: &'static str,
    exit_ok: bool,
    /// A CRITICAL line the panic hook must have written, if any.
    panic_line: Option<&'static str>,
}

const SCENARIOS: [Scenario; 5] = [
    Scenario {
        name: "return_from_main",
        exit_ok: true,
        panic_line: None,
    },
    Scenario {
        name: "panic_on_another_thread",
        exit_ok: true,
        panic_line: Some("CRITICAL producer-2 thread 'producer-2' panicked at "),
    },
    Scenario {
        name: "panic_in_main",
        exit_ok: false,
        panic_line: Some("CRITICAL MainThread thread 'main' panicked at "),
    },
    Scenario {
        name: "process_exit_with_hook",
        exit_ok: true,
        panic_line: None,
    },
    Scenario {
        name: "shutdown_then_process_exit",
        exit_ok: true,
        panic_line: None,
    },
];

/// Runs one scenario in a child and checks its file: every record once, in order per thread.
fn check(scenario: &Scenario, dir: &Path) -> Result<(), String> {
    let output = dir.join(format!("{}.log", scenario.name));
    let child = SelfChild::spawn(
        [
            (SCENARIO_VAR, scenario.name.as_ref()),
            (OUTPUT_VAR, output.as_os_str()),
        ],
        false,
    )?;
    let (status, stderr) = child.wait(WATCHDOG)?;
    if status.success() != scenario.exit_ok {
        return Err(format!("unexpected exit {status}; stderr:\n{stderr}"));
    }
    let text = std::fs::read_to_string(&output).map_err(|e| format!("{output:?}: {e}"))?;
    let mut next = [0usize; THREADS];
    let mut panic_lines = 0;
    for line in text.lines() {
        if let Some(expected) = scenario.panic_line
            && line.starts_with(expected)
        {
            panic_lines += 1;
            continue;
        }
        let rest = line
            .strip_prefix("INFO producer-")
            .ok_or_else(|| format!("unexpected line {line:?}"))?;
        let (thread, i) = rest
            .split_once(" record ")
            .ok_or_else(|| format!("unexpected line {line:?}"))?;
        let thread: usize = thread.parse().map_err(|_| format!("bad line {line:?}"))?;
        let i: usize = i.parse().map_err(|_| format!("bad line {line:?}"))?;
        if thread >= THREADS || next[thread] != i {
            return Err(format!(
                "thread {thread}: record {i} where {} was due",
                next.get(thread).copied().unwrap_or(usize::MAX)
            ));
        }
        next[thread] += 1;
    }
    if next != [PER_THREAD; THREADS] {
        return Err(format!(
            "records per thread {next:?}, expected {PER_THREAD} each"
        ));
    }
    let expected_panics = usize::from(scenario.panic_line.is_some());
    if panic_lines != expected_panics {
        return Err(format!(
            "{panic_lines} panic lines, expected {expected_panics}"
        ));
    }
    Ok(())
}

fn main() -> ExitCode {
    if let Ok(scenario) = std::env::var(SCENARIO_VAR) {
        let output = PathBuf::from(std::env::var_os(OUTPUT_VAR).expect("output path set"));
        run_child(&scenario, &output);
        return ExitCode::SUCCESS;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let checks: Vec<Check> = SCENARIOS
        .iter()
        .map(|scenario| {
            let dir = dir.path().to_path_buf();
            let check: Check = (
                scenario.name.to_owned(),
                Box::new(move || check(scenario, &dir)),
            );
            check
        })
        .collect();
    if run_checks(checks) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
