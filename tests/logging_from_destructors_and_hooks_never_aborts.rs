//! Logging works wherever a program can still run code as it ends: in the destructor of a
//! `thread_local!` on the main thread and on another thread (after the library's own thread-local
//! buffers are gone), in a C `atexit` handler, inside a panic hook (on a running thread, and on a
//! thread whose locals are being destroyed), after a handler panicked (the panic hook runs while
//! that handler is locked), and after `shutdown()`. Each place is tried with the
//! direct API (`get_logger(..).warning(..)`) and through `tracing`.
//!
//! Each case runs in a child process (this same binary, told what to do by environment variables)
//! that must exit with its normal status, print no `fatal runtime error` or `panicked while
//! processing panic`, and deliver the record: to a file handler that is still open (with
//! `pylog::install()`, so the panic hook is there too), or, with no handler at all and a hand-built
//! subscriber, to stderr through the last-resort handler.
//!
//! This test has its own `main` (`harness = false`) and prints `N passed, N failed` at the end.

mod exit_common;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Duration;

use exit_common::{Check, SelfChild, run_checks};
use pylog::{FileHandler, Formatter, Level, StreamHandler};

const PLACE_VAR: &str = "PYLOG_DTOR_PLACE";
const API_VAR: &str = "PYLOG_DTOR_API";
const SINK_VAR: &str = "PYLOG_DTOR_SINK";
const OUTPUT_VAR: &str = "PYLOG_DTOR_OUTPUT";
const WATCHDOG: Duration = Duration::from_secs(30);

const PLACES: [&str; 7] = [
    "main_thread_local_destructor",
    "spawned_thread_local_destructor",
    "atexit_handler",
    "panic_hook",
    "panic_hook_in_thread_local_destructor",
    "after_a_handler_panicked",
    "after_shutdown",
];
const APIS: [&str; 2] = ["direct", "tracing"];
const SINKS: [&str; 2] = ["file", "last_resort"];

/// The record each case logs: `from <place> via <api>`.
fn message(place: &str, api: &str) -> String {
    format!("from {place} via {api}")
}

/// What the child is doing, read once from its environment (the destructors and hooks have no
/// arguments).
struct Case {
    place: String,
    api: String,
}

fn case() -> &'static Case {
    static CASE: OnceLock<Case> = OnceLock::new();
    CASE.get_or_init(|| Case {
        place: std::env::var(PLACE_VAR).unwrap_or_default(),
        api: std::env::var(API_VAR).unwrap_or_default(),
    })
}

/// Logs the case's record with the case's API, at WARNING (the last resort's level).
fn log_the_record() {
    let case = case();
    let text = message(&case.place, &case.api);
    match case.api.as_str() {
        "direct" => pylog::get_logger("ending").warning(&text),
        _ => tracing::warn!(target: "ending", "{text}"),
    }
}

/// A thread-local value that logs (or panics and catches it, when `panics`) when the thread's
/// locals are destroyed.
struct LogsOnDrop {
    panics: bool,
}

impl Drop for LogsOnDrop {
    fn drop(&mut self) {
        if self.panics {
            // The panic hooks run here, with this thread's locals gone.
            let caught = std::panic::catch_unwind(|| panic!("a deliberate panic in a destructor"));
            assert!(caught.is_err());
        } else {
            log_the_record();
        }
    }
}

thread_local! {
    static LOGS_ON_DROP: Cell<Option<LogsOnDrop>> = const { Cell::new(None) };
}

/// Puts a [`LogsOnDrop`] in this thread's locals. Done before any logging on the thread, so its
/// destructor runs after the library's own thread-local buffers are destroyed (in reverse order of
/// first use).
fn arm_thread_local(panics: bool) {
    LOGS_ON_DROP.set(Some(LogsOnDrop { panics }));
}

/// Chains a panic hook that logs the case's record before the hook set before it.
fn log_in_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        log_the_record();
        previous(info);
    }));
}

/// Runs `body` on a named thread and waits for it.
fn on_a_thread(body: impl FnOnce() + Send + 'static) -> std::thread::Result<()> {
    std::thread::Builder::new()
        .name("ending-thread".into())
        .spawn(body)
        .expect("a thread starts")
        .join()
}

/// A writer that panics on every write.
struct PanicsOnWrite;

impl std::io::Write for PanicsOnWrite {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        panic!("a writer that panics");
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

unsafe extern "C" {
    /// The C library's `atexit`.
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
}

extern "C" fn log_at_exit() {
    log_the_record();
}

fn configure(sink: &str, output: &Path) {
    if sink == "file" {
        let file = FileHandler::builder(output)
            .build()
            .expect("the file opens")
            .with_formatter(
                Formatter::new("%(asctime)s %(levelname)s %(threadName)s %(name)s %(message)s")
                    .expect("valid"),
            );
        let root = pylog::root_logger();
        root.set_level(Level::INFO);
        root.add_handler(file);
        pylog::install().expect("nothing else installed a subscriber");
    } else {
        // pylog's layer alone: tracing-subscriber's fmt layer reaches its own thread-local buffer
        // with `with`, and aborts in these places by itself (tokio-rs/tracing#3239).
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(pylog::layer());
        tracing::subscriber::set_global_default(subscriber).expect("no subscriber yet");
    }
}

/// The child: sets the place up, logs once normally (so the library's thread-local buffers exist on
/// this thread), then ends the way the place needs.
fn run_child(sink: &str, output: &Path) {
    let place = case().place.as_str();
    if place == "main_thread_local_destructor" {
        arm_thread_local(false);
    }
    configure(sink, output);
    pylog::get_logger("warmup").warning("warm-up");
    tracing::warn!(target: "warmup", "warm-up");
    match place {
        "main_thread_local_destructor" => {}
        "spawned_thread_local_destructor" | "panic_hook_in_thread_local_destructor" => {
            let panics = place != "spawned_thread_local_destructor";
            if panics {
                log_in_panic_hook();
            }
            on_a_thread(move || {
                arm_thread_local(panics);
                pylog::get_logger("warmup").warning("thread warm-up");
                tracing::warn!(target: "warmup", "thread warm-up");
            })
            .expect("the thread ends normally");
        }
        "atexit_handler" => {
            // SAFETY: a plain function without arguments, which never unwinds (logging never
            // panics, which is what this case checks).
            assert_eq!(unsafe { atexit(log_at_exit) }, 0);
        }
        "panic_hook" => {
            log_in_panic_hook();
            let joined = on_a_thread(|| panic!("a deliberate panic"));
            assert!(joined.is_err(), "the thread panicked");
        }
        "after_a_handler_panicked" => {
            // The panic hooks run while this thread holds the panicking handler's lock.
            pylog::get_logger("ending.panicky").add_handler(StreamHandler::writer(PanicsOnWrite));
            let joined = on_a_thread(|| pylog::get_logger("ending.panicky").warning("boom"));
            assert!(joined.is_err(), "the writer panicked");
            log_the_record();
        }
        "after_shutdown" => {
            pylog::shutdown();
            log_the_record();
        }
        other => panic!("unknown place {other}"),
    }
}

/// Runs one case in a child and checks how it ended and where the record went.
fn check(place: &str, api: &str, sink: &str, dir: &Path) -> Result<(), String> {
    let output = dir.join(format!("{place}-{api}-{sink}.log"));
    let child = SelfChild::spawn(
        [
            (PLACE_VAR, place.as_ref()),
            (API_VAR, api.as_ref()),
            (SINK_VAR, sink.as_ref()),
            (OUTPUT_VAR, output.as_os_str()),
        ],
        false,
    )?;
    let (status, stderr) = child.wait(WATCHDOG)?;
    for fatal in [
        "fatal runtime error",
        "panicked while processing panic",
        "aborting",
    ] {
        if stderr.contains(fatal) {
            return Err(format!("stderr says {fatal:?}:\n{stderr}"));
        }
    }
    if !status.success() {
        return Err(format!("exit {status}; stderr:\n{stderr}"));
    }
    let expected = message(place, api);
    if sink == "file" {
        let text = std::fs::read_to_string(&output).map_err(|e| format!("{output:?}: {e}"))?;
        let line = format!(" ending {expected}");
        let found = text
            .lines()
            .filter(|l| l.contains(" WARNING ") && l.ends_with(&line))
            .count();
        if found != 1 {
            return Err(format!(
                "{found} lines {line:?} in the file, expected 1:\n{text}\nstderr:\n{stderr}"
            ));
        }
    } else {
        let found = stderr.lines().filter(|l| *l == expected).count();
        if found != 1 {
            return Err(format!(
                "{found} lines {expected:?} on stderr, expected 1:\n{stderr}"
            ));
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    if let (Ok(sink), Some(output)) = (std::env::var(SINK_VAR), std::env::var_os(OUTPUT_VAR)) {
        run_child(&sink, &PathBuf::from(output));
        return ExitCode::SUCCESS;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut checks: Vec<Check> = Vec::new();
    for place in PLACES {
        for api in APIS {
            for sink in SINKS {
                let dir = dir.path().to_path_buf();
                checks.push((
                    format!("{place}_{api}_{sink}"),
                    Box::new(move || check(place, api, sink, &dir)),
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
