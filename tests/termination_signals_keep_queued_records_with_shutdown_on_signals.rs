//! `pylog::shutdown_on_signals()`: a child with 20,000 records queued behind a slow file gets
//! `SIGTERM`, `SIGINT` or `SIGHUP`; every record reaches the file, and the child still ends by the
//! signal (a shell shows 143, 130, 129). Without the helper the status is the same and the records
//! still queued are lost: the test prints how many, as the documented baseline. Also checked: the
//! helper beside tokio's own `SIGTERM` handling; a second signal ending the process at once while
//! the first one's shutdown still drains; and the alternative the README shows (the application
//! catches the signal and returns from `main`, and the exit hook flushes). The helper, the baseline
//! and the catching are tried in each setup: a subscriber built by hand, `pylog::install()`, and
//! the direct API with no subscriber.
//!
//! Each case runs in a child process (this same binary). This test has its own `main`
//! (`harness = false`) and prints `N passed, N failed` at the end.

#[cfg(unix)]
mod exit_common;

#[cfg(unix)]
mod unix {
    use std::ffi::c_int;
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::process::ExitStatusExt;
    use std::path::Path;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

    use crate::exit_common::{Check, SelfChild, SlowFile, run_checks};
    use pylog::{Formatter, Level, QueueHandler, StreamHandler};

    pub const MODE_VAR: &str = "PYLOG_SIGNALS_MODE";
    pub const SETUP_VAR: &str = "PYLOG_SIGNALS_SETUP";
    pub const OUTPUT_VAR: &str = "PYLOG_SIGNALS_OUTPUT";
    const RECORDS: usize = 20_000;
    const WATCHDOG: Duration = Duration::from_secs(120);
    const READY: &str = "ready";

    /// How the child handles the signals.
    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Mode {
        /// `shutdown_on_signals()`.
        Helper,
        /// Nothing: the signal's default action.
        Nothing,
        /// A tokio runtime listening for `SIGTERM` itself, and `shutdown_on_signals()`.
        HelperBesideTokio,
        /// `shutdown_on_signals()` with a file so slow that the drain would take minutes.
        HelperSlowDrain,
        /// The application sets a flag on the signal and returns from `main`.
        CaughtThenReturn,
    }

    impl Mode {
        const ALL: [Mode; 5] = [
            Mode::Helper,
            Mode::Nothing,
            Mode::HelperBesideTokio,
            Mode::HelperSlowDrain,
            Mode::CaughtThenReturn,
        ];

        fn name(self) -> String {
            format!("{self:?}")
        }

        fn from_name(name: &str) -> Mode {
            Mode::ALL
                .into_iter()
                .find(|m| m.name() == name)
                .expect("a known mode")
        }
    }

    /// How logging is set up.
    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Setup {
        /// `registry().with(pylog::layer())`, records through `tracing`.
        HandBuilt,
        /// `pylog::install()`, records through `tracing`.
        Install,
        /// No subscriber, records through `get_logger("app").info(..)`.
        Direct,
    }

    impl Setup {
        const ALL: [Setup; 3] = [Setup::HandBuilt, Setup::Install, Setup::Direct];

        fn from_name(name: &str) -> Setup {
            Setup::ALL
                .into_iter()
                .find(|s| format!("{s:?}") == name)
                .expect("a known setup")
        }
    }

    /// The child's logging: a queue handler large enough to hold every record, in front of a
    /// file that sleeps 1 ms every 20 writes (every write, 10 ms, for the slow drain).
    fn configure(output: &Path, mode: Mode, setup: Setup) {
        let slow = if mode == Mode::HelperSlowDrain {
            SlowFile::create(output, 1, Duration::from_millis(10))
        } else {
            SlowFile::create(output, 20, Duration::from_millis(1))
        };
        let file = StreamHandler::writer(slow)
            .with_formatter(Formatter::new("%(message)s").expect("valid format"));
        let queue = QueueHandler::builder()
            .handler(file)
            .capacity(RECORDS + 1_000)
            .build()
            .expect("the listener starts");
        let root = pylog::root_logger();
        root.set_level(Level::INFO);
        root.add_handler(queue);
        match setup {
            Setup::HandBuilt => {
                use tracing_subscriber::layer::SubscriberExt;
                let subscriber = tracing_subscriber::registry().with(pylog::layer());
                tracing::subscriber::set_global_default(subscriber).expect("no subscriber yet");
            }
            Setup::Install => pylog::install().expect("nothing else installed a subscriber"),
            Setup::Direct => {}
        }
    }

    /// Queues every record, then tells the parent it may send the signal.
    fn produce_then_say_ready() {
        let direct = std::env::var(SETUP_VAR).as_deref() == Ok("Direct");
        let app = pylog::get_logger("app");
        for i in 0..RECORDS {
            if direct {
                app.info(format_args!("record {i}"));
            } else {
                tracing::info!(target: "app", "record {i}");
            }
        }
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{READY}");
        let _ = stdout.flush();
    }

    fn serve_forever() -> ! {
        loop {
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    pub fn run_child(mode: &str, setup: &str, output: &Path) {
        // A shell starts a background job with SIGINT ignored, and a parent may block signals; a
        // service starts with the default action and nothing blocked.
        // SAFETY: plain libc calls on a zeroed signal set; no other handler is installed yet.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for sig in [SIGTERM, SIGINT, SIGHUP] {
                libc::signal(sig, libc::SIG_DFL);
                libc::sigaddset(&mut set, sig);
            }
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
        let mode = Mode::from_name(mode);
        configure(output, mode, Setup::from_name(setup));
        match mode {
            Mode::Helper | Mode::HelperSlowDrain => {
                pylog::shutdown_on_signals().expect("the handlers are installed");
                produce_then_say_ready();
                serve_forever();
            }
            Mode::Nothing => {
                produce_then_say_ready();
                serve_forever();
            }
            Mode::HelperBesideTokio => {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                runtime.block_on(async {
                    use tokio::signal::unix::{SignalKind, signal};
                    let mut terminate = signal(SignalKind::terminate()).expect("tokio's handler");
                    pylog::shutdown_on_signals().expect("the handlers are installed");
                    produce_then_say_ready();
                    terminate.recv().await;
                    eprintln!("tokio saw SIGTERM");
                    std::future::pending::<()>().await;
                });
            }
            Mode::CaughtThenReturn => {
                let stop = Arc::new(AtomicBool::new(false));
                signal_hook::flag::register(SIGTERM, Arc::clone(&stop)).expect("registered");
                produce_then_say_ready();
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(10));
                }
                // Returning from main: the exit hook runs shutdown().
            }
        }
    }

    /// What a case expects: the signals to send (the second one 300 ms after the first), how the
    /// child must end, and whether every record must be in the file.
    struct Case {
        mode: Mode,
        setup: Setup,
        signals: &'static [c_int],
        /// `Some(signal)`: killed by it; `None`: a successful exit.
        ended_by: Option<c_int>,
        all_records: bool,
        /// Something the child must have printed on stderr.
        stderr_has: Option<&'static str>,
    }

    /// Every setup with and without the helper for each signal, and catching `SIGTERM`; then the
    /// cases of their own.
    fn cases() -> Vec<Case> {
        let mut cases = Vec::new();
        for setup in Setup::ALL {
            for signal in &[SIGTERM, SIGINT, SIGHUP] {
                cases.push(Case {
                    mode: Mode::Helper,
                    setup,
                    signals: std::slice::from_ref(signal),
                    ended_by: Some(*signal),
                    all_records: true,
                    stderr_has: None,
                });
            }
            for signal in &[SIGTERM, SIGINT] {
                cases.push(Case {
                    mode: Mode::Nothing,
                    setup,
                    signals: std::slice::from_ref(signal),
                    ended_by: Some(*signal),
                    all_records: false,
                    stderr_has: None,
                });
            }
            cases.push(Case {
                mode: Mode::CaughtThenReturn,
                setup,
                signals: &[SIGTERM],
                ended_by: None,
                all_records: true,
                stderr_has: None,
            });
        }
        cases.extend([
            Case {
                mode: Mode::HelperBesideTokio,
                setup: Setup::HandBuilt,
                signals: &[SIGTERM],
                ended_by: Some(SIGTERM),
                all_records: true,
                stderr_has: Some("tokio saw SIGTERM"),
            },
            Case {
                mode: Mode::HelperSlowDrain,
                setup: Setup::HandBuilt,
                signals: &[SIGTERM, SIGTERM],
                ended_by: Some(SIGTERM),
                all_records: false,
                stderr_has: None,
            },
            Case {
                mode: Mode::HelperSlowDrain,
                setup: Setup::HandBuilt,
                signals: &[SIGINT, SIGTERM],
                ended_by: Some(SIGTERM),
                all_records: false,
                stderr_has: None,
            },
        ]);
        cases
    }

    fn signal_name(signal: c_int) -> &'static str {
        match signal {
            SIGTERM => "SIGTERM",
            SIGINT => "SIGINT",
            SIGHUP => "SIGHUP",
            _ => "another signal",
        }
    }

    /// How many records the file holds, checking they are the first ones, once each and in order.
    fn records_in(output: &Path) -> Result<usize, String> {
        let text = std::fs::read_to_string(output).map_err(|e| format!("{output:?}: {e}"))?;
        for (n, line) in text.lines().enumerate() {
            if line != format!("record {n}") {
                return Err(format!("line {n} is {line:?}"));
            }
        }
        Ok(text.lines().count())
    }

    fn check(case: &Case, name: &str, dir: &Path) -> Result<(), String> {
        let output = dir.join(format!("{name}.log"));
        let mut child = SelfChild::spawn(
            [
                (MODE_VAR, case.mode.name().as_ref()),
                (SETUP_VAR, format!("{:?}", case.setup).as_ref()),
                (OUTPUT_VAR, output.as_os_str()),
                ("RUST_BACKTRACE", "0".as_ref()),
            ],
            true,
        )?;
        let stdout = child.child.stdout.take().ok_or("no stdout pipe")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("reading the child's stdout: {e}"))?;
        if line.trim() != READY {
            let (status, stderr) = child.wait(WATCHDOG)?;
            return Err(format!("the child never got ready: {status}\n{stderr}"));
        }
        let pid = c_int::try_from(child.child.id()).map_err(|e| e.to_string())?;
        let sent = Instant::now();
        for (n, &sig) in case.signals.iter().enumerate() {
            if n > 0 {
                std::thread::sleep(Duration::from_millis(300));
            }
            // SAFETY: sends a signal to the child this test started and has not reaped yet.
            if unsafe { libc::kill(pid, sig) } != 0 {
                return Err(format!("kill: {}", std::io::Error::last_os_error()));
            }
        }
        let (status, stderr) = child.wait(WATCHDOG)?;
        let took = sent.elapsed();
        match case.ended_by {
            Some(sig) if status.signal() != Some(sig) => {
                return Err(format!(
                    "ended with {status}, expected {} (status {} in a shell); stderr:\n{stderr}",
                    signal_name(sig),
                    128 + sig
                ));
            }
            None if !status.success() => {
                return Err(format!("ended with {status}; stderr:\n{stderr}"));
            }
            _ => {}
        }
        if let Some(text) = case.stderr_has
            && !stderr.contains(text)
        {
            return Err(format!("stderr lacks {text:?}:\n{stderr}"));
        }
        let records = records_in(&output)?;
        if case.all_records && records != RECORDS {
            return Err(format!("{records} of {RECORDS} records in the file"));
        }
        if case.signals.len() > 1 {
            // The first signal's drain would take minutes (20,000 writes of 10 ms, bounded by
            // the 30 s drain timeout): the second must end the process long before that.
            if took > Duration::from_secs(15) {
                return Err(format!("the second signal took {took:?} to end the child"));
            }
            if records == RECORDS {
                return Err("the drain finished: the second signal proved nothing".into());
            }
        }
        if !case.all_records {
            let shell = case.ended_by.map_or(0, |sig| 128 + sig);
            println!(
                "  {name}: exit status {shell}; {} of {RECORDS} records lost",
                RECORDS - records
            );
        }
        Ok(())
    }

    pub fn run_parent() -> bool {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut checks: Vec<Check> = Vec::new();
        for case in cases() {
            let signals: Vec<&str> = case.signals.iter().map(|&s| signal_name(s)).collect();
            let name = format!(
                "{:?}_{:?}_{}",
                case.setup,
                case.mode,
                signals.join("_then_")
            );
            let dir = dir.path().to_path_buf();
            checks.push((name.clone(), Box::new(move || check(&case, &name, &dir))));
        }
        run_checks(checks)
    }
}

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    if let (Ok(mode), Ok(setup), Some(output)) = (
        std::env::var(unix::MODE_VAR),
        std::env::var(unix::SETUP_VAR),
        std::env::var_os(unix::OUTPUT_VAR),
    ) {
        unix::run_child(&mode, &setup, std::path::Path::new(&output));
        return std::process::ExitCode::SUCCESS;
    }
    if unix::run_parent() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

#[cfg(not(unix))]
fn main() {
    println!("shutdown_on_signals() is Unix only: 0 passed, 0 failed");
}
