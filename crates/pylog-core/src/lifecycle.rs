//! Exit and crash: getting every accepted record to its sink when the program ends.
//!
//! Rust runs no destructors for statics, so nothing flushes the handlers when `main` returns. Python
//! registers `logging.shutdown` with `atexit` when `logging` is imported; [`shutdown_at_exit`] does
//! the same with the C library's `atexit`, which runs when `main` returns (also after a panic in
//! `main`) and when any code calls `std::process::exit`. It is registered once per process, by the
//! first handler created and by every `tracing` layer, so no program has to call it;
//! [`shutdown`](crate::shutdown) covers the handlers of every tree. [`log_panics`] adds a panic hook
//! (chained before the one already set) that logs the panic at CRITICAL and flushes every handler;
//! it is a choice, made by `pylog::install()`. [`ShutdownGuard`] is for those who prefer a guard
//! to an exit hook.
//!
//! What none of them can cover: `std::process::abort`, a panic with `panic = "abort"` (the panic
//! hook still runs and flushes, but nothing after it), a signal that kills the process (`SIGKILL`,
//! or `SIGTERM` without a handler), `libc::_exit`, and a power cut. Records still queued then are
//! lost; call [`shutdown`](crate::shutdown) before such an exit where you can.
//!
//! ```
//! pylog_core::shutdown_at_exit(); // once; later calls do nothing
//! {
//!     let _guard = pylog_core::ShutdownGuard::new(); // or a guard: shutdown when it drops
//! }
//! ```

use std::panic::PanicHookInfo;
use std::sync::{Once, OnceLock};

use crate::handler::{all_live_handlers, shutdown};
use crate::level::Level;
use crate::manager::global;
use crate::record::LogRecord;

unsafe extern "C" {
    /// The C standard library's `atexit` (C99 7.22.4.2), present on every platform Rust's `std`
    /// supports with a C runtime.
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
}

extern "C" fn shutdown_from_atexit() {
    // A panic must not unwind into the C runtime.
    let _ = std::panic::catch_unwind(shutdown);
}

/// Runs [`shutdown`] when the process exits normally: when `main` returns or `std::process::exit`
/// is called. Python: `atexit.register(logging.shutdown)`, which `logging` does on import; here
/// the first handler and every layer call it.
///
/// Returns whether the hook is registered (the C runtime may refuse, which it never does in
/// practice). Calling it again does nothing (one atomic load).
pub fn shutdown_at_exit() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    // SAFETY: `atexit` takes a plain function without arguments; the callback catches panics.
    *REGISTERED.get_or_init(|| unsafe { atexit(shutdown_from_atexit) } == 0)
}

/// Installs a panic hook that logs each panic at CRITICAL on the root logger of the global tree
/// (`thread 'main' panicked at src/main.rs:3:5: boom`), flushes every handler (but one whose own
/// `emit` panicked, which is still locked), then calls the hook that was set before. Calling it
/// again does nothing.
pub fn log_panics() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            log_panic(info);
            previous(info);
        }));
    });
}

fn log_panic(info: &PanicHookInfo<'_>) {
    let thread = std::thread::current();
    let payload = info
        .payload()
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
        .unwrap_or("Box<dyn Any>");
    let location = info
        .location()
        .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_default();
    let message = format!(
        "thread '{}' panicked{location}: {payload}",
        thread.name().unwrap_or("<unnamed>")
    );
    let root = global().root();
    if root.is_enabled_for(Level::CRITICAL) {
        let mut record = LogRecord::new(root.name(), Level::CRITICAL, &message);
        if let Some(l) = info.location() {
            record.pathname = l.file();
            record.lineno = l.line();
        }
        root.handle(&record);
    }
    // A handler that panicked in its own `emit` is still locked by this thread: flushing it would
    // deadlock.
    for handler in all_live_handlers() {
        if !handler.is_emitting_here() {
            handler.flush();
        }
    }
}

/// Calls [`shutdown`] when dropped: keep it alive for the whole of `main`.
///
/// ```
/// let _logging = pylog_core::ShutdownGuard::new();
/// // ... configure and log ...
/// // every handler is flushed and closed when `_logging` goes out of scope
/// ```
#[must_use = "shutdown runs when the guard is dropped: bind it to a variable that lives until the end of main"]
#[derive(Debug, Default)]
pub struct ShutdownGuard(());

impl ShutdownGuard {
    /// A guard.
    pub fn new() -> ShutdownGuard {
        ShutdownGuard(())
    }
}

impl Drop for ShutdownGuard {
    fn drop(&mut self) {
        shutdown();
    }
}
