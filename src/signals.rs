//! Flushing on termination signals: [`shutdown_on_signals`].
//!
//! systemd, Kubernetes and Docker stop a service with `SIGTERM`; a terminal sends `SIGINT` on
//! Ctrl-C and `SIGHUP` when it closes. The default action of each ends the process at once: no
//! exit hook runs, and what the queues still hold is lost. [`shutdown_on_signals`] handles the
//! three signals on a thread of its own: the first one runs [`shutdown`](crate::shutdown) (every
//! queue drained, each within its drain timeout), then ends the process with the signal's default
//! action, so the parent sees the same status as without the helper (143 for `SIGTERM`, 130 for
//! `SIGINT`, 129 for `SIGHUP` in a shell). A second signal while that runs ends the process at once.
//!
//! The handlers are registered through `signal-hook`, which chains them with every other handler
//! registered the same way (tokio's `tokio::signal` among them): those still see each signal. A
//! signal the process was started with ignored (`nohup` ignores `SIGHUP`) is left ignored.
//!
//! An application that handles the signals itself (a graceful shutdown of its servers) does not
//! need the helper: it returns from `main` when it is done, and the exit hook every handler
//! registers runs [`shutdown`](crate::shutdown).

use std::ffi::c_int;
use std::io;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// The signals [`shutdown_on_signals`] handles: `SIGTERM`, `SIGINT` and `SIGHUP`.
pub const TERMINATION_SIGNALS: [i32; 3] = [SIGTERM, SIGINT, SIGHUP];

/// On the first `SIGTERM`, `SIGINT` or `SIGHUP`, runs [`shutdown`](crate::shutdown), then ends the
/// process as the signal would have (its default action: the exit status stays 143, 130 or 129).
/// A second signal ends the process at once. Unix only; call it once, early in `main` (later calls
/// return the first call's result).
///
/// ```no_run
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     pylog::basic_config().level(pylog::Level::INFO).init()?;
///     pylog::shutdown_on_signals()?;
///     // ... serve until systemd or Kubernetes sends SIGTERM ...
///     # Ok(())
/// }
/// ```
///
/// The `shutdown` takes at most the sum of the queued handlers' drain timeouts (30 s each by
/// default); a service manager that sends `SIGKILL` sooner cuts it short. Records logged on other
/// threads while it runs are delivered where their handler is still open.
pub fn shutdown_on_signals() -> io::Result<()> {
    static INSTALLED: OnceLock<Result<(), (io::ErrorKind, String)>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| install().map_err(|e| (e.kind(), e.to_string())))
        .clone()
        .map_err(|(kind, text)| io::Error::new(kind, text))
}

fn install() -> io::Result<()> {
    let handled: Vec<c_int> = TERMINATION_SIGNALS
        .into_iter()
        .filter(|&signal| !ignored(signal))
        .collect();
    if handled.is_empty() {
        return Ok(());
    }
    let signalled = Arc::new(AtomicBool::new(false));
    let result = register(&handled, &signalled);
    if result.is_err() {
        // A handler already registered would swallow the signal (unregistering does not bring
        // the default action back): arm the default action, so each signal still ends the
        // process as it did before the call.
        signalled.store(true, Ordering::SeqCst);
    }
    result
}

/// Registers the actions for `handled` and starts the thread that runs the shutdown.
fn register(handled: &[c_int], signalled: &Arc<AtomicBool>) -> io::Result<()> {
    for &signal in handled {
        // Actions run in the order they were registered: the default action is armed only by
        // the flag the first signal sets, so it ends the process on the second.
        signal_hook::flag::register_conditional_default(signal, Arc::clone(signalled))?;
        signal_hook::flag::register(signal, Arc::clone(signalled))?;
    }
    let mut signals = Signals::new(handled)?;
    std::thread::Builder::new()
        .name("pylog-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                pylog_core::shutdown();
                // Restores the default action and raises the signal again; aborts if that fails.
                let _ = signal_hook::low_level::emulate_default_handler(signal);
            }
        })
        .map(drop)
}

/// Whether `signal` is ignored now (`nohup` starts a process with `SIGHUP` ignored): handling it
/// would turn a signal the process was meant to survive into one that ends it.
fn ignored(signal: c_int) -> bool {
    let mut current = MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: with a null new action, `sigaction` only writes the current one into `current`,
    // which is valid for writes and zeroed (a valid `sigaction`) whether or not it succeeds.
    let read = unsafe { libc::sigaction(signal, std::ptr::null(), current.as_mut_ptr()) } == 0;
    // SAFETY: zeroed above, and filled by `sigaction` on success.
    read && unsafe { current.assume_init() }.sa_sigaction == libc::SIG_IGN
}
