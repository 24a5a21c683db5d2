//! Handlers: where records go. Python: `logging.Handler` and its subclasses.
//!
//! A [`Handler`] is the shared part every handler has (level, formatter, filters, counters,
//! `handle_error`); what differs is its destination, an [`Emit`] implementation: [`StreamHandler`],
//! [`FileHandler`], [`NullHandler`]. As in CPython's template method, a destination only writes: it
//! asks its [`EmitContext`] for the formatted text (formatting happens before any lock is taken) and
//! returns an error instead of panicking; the handler reports the error and carries on.
//!
//! ```
//! use pylog_core::{Formatter, Level, StreamHandler};
//! let console = StreamHandler::stderr()
//!     .with_level(Level::WARNING)
//!     .with_formatter(Formatter::new("%(name)s - %(levelname)s - %(message)s").unwrap());
//! assert_eq!(console.level(), Level::WARNING);
//! ```

mod background;
pub(crate) mod file;
#[cfg(feature = "http")]
mod http;
mod log_file;
mod memory;
mod null;
mod queue;
mod rotating;
mod rotation;
#[cfg(feature = "smtp")]
mod smtp;
#[cfg(feature = "socket")]
mod socket;
mod stream;
#[cfg(feature = "syslog")]
#[cfg_attr(docsrs, doc(cfg(feature = "syslog")))]
pub mod syslog;
mod timed;
mod watched;
pub mod worker;

pub use file::{FileHandler, FileHandlerBuilder, FileMode};
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use http::{HttpHandler, HttpHandlerBuilder, HttpMethod};
pub use log_file::FlushPolicy;
pub use memory::{
    BufferingHandler, BufferingHandlerBuilder, MemoryHandler, MemoryHandlerBuilder, OnFlush,
    ShouldFlush,
};
pub use null::NullHandler;
pub use queue::{
    DEFAULT_DRAIN_TIMEOUT, QueueHandler, QueueHandlerBuilder, QueueListener, QueueListenerBuilder,
};
pub use rotating::{RotatingFileHandler, RotatingFileHandlerBuilder};
pub use rotation::{Namer, Rotator};
#[cfg(feature = "smtp")]
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub use smtp::{SMTP_PORT, SMTPS_PORT, Security, SmtpHandler, SmtpHandlerBuilder};
#[cfg(feature = "socket")]
#[cfg_attr(docsrs, doc(cfg(feature = "socket")))]
pub use socket::{DatagramHandler, DatagramHandlerBuilder, SocketHandler, SocketHandlerBuilder};
pub use stream::{SharedWriter, StreamHandler, StreamTarget};
#[cfg(feature = "syslog")]
#[cfg_attr(docsrs, doc(cfg(feature = "syslog")))]
pub use syslog::{SysLogHandler, SysLogHandlerBuilder};
pub use timed::{TimedRotatingFileHandler, TimedRotatingFileHandlerBuilder, When};
pub use watched::{WatchedFileHandler, WatchedFileHandlerBuilder};

use std::any::Any;
use std::cell::Cell;
use std::fmt;
use std::io::{self, Write as _};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use arc_swap::ArcSwapOption;

use crate::filter::{Filter, Filters};
use crate::format::repr::py_repr;
use crate::format::{FormatError, Formatter};
use crate::level::Level;
use crate::record::LogRecord;

/// A handler's destination. Python: the `emit`, `flush` and `close` of a `Handler` subclass.
pub trait Emit: Any + Send + Sync + 'static {
    /// Delivers one record. Call [`EmitContext::format`] for its text.
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError>;

    /// Flushes buffered output.
    fn flush(&self) -> io::Result<()> {
        Ok(())
    }

    /// Releases the destination (closes a file). Further records may reopen it, as in Python.
    fn close(&self) -> io::Result<()> {
        Ok(())
    }

    /// Whether [`Handler::close`] flushes before it closes (`true`). A destination whose own
    /// `close` decides (a `MemoryHandler` with `flush_on_close(false)`) says `false`.
    fn flushes_on_close(&self) -> bool {
        true
    }

    /// The counters of the destination's queue, for one that queues records.
    fn queue_stats(&self) -> Option<worker::QueueStats> {
        None
    }

    /// The handler's class name as Python shows it (`StreamHandler`).
    fn kind(&self) -> &'static str;

    /// What the destination is, for `Debug` (`<stderr>`, `/var/log/app.log`).
    fn describe(&self) -> String;
}

/// What a destination needs to write a record: the handler's formatter and a reused buffer.
pub struct EmitContext<'a> {
    formatter: &'a Formatter,
    buffer: &'a mut String,
}

impl EmitContext<'_> {
    /// Formats the record with the handler's formatter (or Python's default, `%(message)s`) into the
    /// handler's reused buffer and returns it, so the destination can append its terminator.
    pub fn format(&mut self, record: &LogRecord<'_>) -> Result<&mut String, FormatError> {
        self.buffer.clear();
        self.formatter.format(record, self.buffer)?;
        Ok(self.buffer)
    }

    /// The formatter in use.
    pub fn formatter(&self) -> &Formatter {
        self.formatter
    }
}

/// Why a handler could not deliver a record; reported by [`Handler::handle_error`].
#[derive(Debug)]
#[non_exhaustive]
pub enum HandlerError {
    /// The formatter failed (a missing field, a type mismatch).
    Format(FormatError),
    /// Writing failed.
    Io(io::Error),
    /// The destination did not deliver the record and counted it as dropped itself (a full queue
    /// whose policy drops). Not reported by `handle_error`.
    Dropped,
}

impl From<FormatError> for HandlerError {
    fn from(e: FormatError) -> Self {
        HandlerError::Format(e)
    }
}

impl From<io::Error> for HandlerError {
    fn from(e: io::Error) -> Self {
        HandlerError::Io(e)
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandlerError::Format(e) => write!(f, "{e}"),
            HandlerError::Io(e) => write_os_error(f, e),
            HandlerError::Dropped => f.write_str("record dropped"),
        }
    }
}

impl std::error::Error for HandlerError {}

/// An I/O error as CPython prints it: the `OSError` subclass for its kind, `[Errno N]`, the
/// system's text (without Rust's ` (os error N)`), and for an `open` the file
/// (`FileNotFoundError: [Errno 2] No such file or directory: '/var/log/app.log'`).
fn write_os_error(f: &mut fmt::Formatter<'_>, e: &io::Error) -> fmt::Result {
    let class = match e.kind() {
        io::ErrorKind::NotFound => "FileNotFoundError",
        io::ErrorKind::PermissionDenied => "PermissionError",
        io::ErrorKind::AlreadyExists => "FileExistsError",
        io::ErrorKind::IsADirectory => "IsADirectoryError",
        io::ErrorKind::NotADirectory => "NotADirectoryError",
        io::ErrorKind::ConnectionRefused => "ConnectionRefusedError",
        io::ErrorKind::ConnectionReset => "ConnectionResetError",
        io::ErrorKind::ConnectionAborted => "ConnectionAbortedError",
        io::ErrorKind::BrokenPipe => "BrokenPipeError",
        // A socket timeout, as CPython's `socket.timeout` shows it.
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            return f.write_str("TimeoutError: timed out");
        }
        _ => "OSError",
    };
    match e.raw_os_error() {
        Some(code) => {
            let text = e.to_string();
            let suffix = format!(" (os error {code})");
            let text = text.strip_suffix(&suffix).unwrap_or(&text);
            write!(f, "{class}: [Errno {code}] {text}")
        }
        None => {
            let text = e.to_string();
            match text.strip_prefix("failed to lookup address information: ") {
                Some(reason) => write!(f, "socket.gaierror: {reason}"),
                None => write!(f, "{class}: {text}"),
            }
        }
    }
}

/// An I/O error as CPython prints it (see [`HandlerError`]'s `Display`), for destinations that
/// report errors as text.
#[cfg_attr(not(any(feature = "socket", feature = "smtp")), allow(dead_code))]
pub(crate) fn os_error_text(e: &io::Error) -> String {
    struct Text<'a>(&'a io::Error);
    impl fmt::Display for Text<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_os_error(f, self.0)
        }
    }
    Text(e).to_string()
}

/// An error from opening `path`, shown as CPython shows it: `[Errno 2] No such file or directory:
/// '/var/log/app.log'`. Keeps the kind, so the class name (`FileNotFoundError`) is still found.
pub(crate) fn open_error(path: &std::path::Path, e: io::Error) -> io::Error {
    let text = match e.raw_os_error() {
        Some(code) => {
            let text = e.to_string();
            let suffix = format!(" (os error {code})");
            format!(
                "[Errno {code}] {}: {}",
                text.strip_suffix(&suffix).unwrap_or(&text),
                py_repr(&path.display().to_string())
            )
        }
        None => format!("{e}: {}", py_repr(&path.display().to_string())),
    };
    io::Error::new(e.kind(), text)
}

/// Counts of what a handler did, readable at any time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HandlerStats {
    /// Records delivered.
    pub emitted: u64,
    /// Records a filter refused.
    pub filtered: u64,
    /// Records that failed (reported by `handle_error`).
    pub errors: u64,
    /// Records not delivered for another reason: logged from inside this handler's own delivery,
    /// refused or evicted by a full queue, or left in a queue whose close timed out.
    pub dropped: u64,
    /// Records waiting in the handler's queue now (0 for handlers without one).
    pub queued: u64,
    /// The most records that waited in the handler's queue at once, as the queue keeps it (see
    /// [`QueueStats::high_water`](worker::QueueStats::high_water)).
    pub high_water: u64,
}

#[derive(Default)]
struct Counters {
    emitted: AtomicU64,
    filtered: AtomicU64,
    errors: AtomicU64,
    dropped: AtomicU64,
}

struct Shared {
    id: u64,
    name: Mutex<Option<String>>,
    level: AtomicI32,
    formatter: ArcSwapOption<Formatter>,
    filters: Filters,
    sink: Box<dyn Emit>,
    counters: Counters,
    closed: AtomicBool,
}

/// A handler: a destination plus its own level, formatter and filters. Python: `logging.Handler`.
///
/// Cloning gives another handle to the same handler.
#[derive(Clone)]
pub struct Handler(Arc<Shared>);

impl PartialEq for Handler {
    fn eq(&self, other: &Handler) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Handler {}

impl fmt::Debug for Handler {
    /// Python's repr: `<StreamHandler <stderr> (WARNING)>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<{} {} ({})>",
            self.0.sink.kind(),
            self.0.sink.describe(),
            self.level()
        )
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn all_handlers() -> &'static Mutex<Vec<Weak<Shared>>> {
    static ALL: OnceLock<Mutex<Vec<Weak<Shared>>>> = OnceLock::new();
    ALL.get_or_init(|| Mutex::new(Vec::new()))
}

static RAISE_EXCEPTIONS: AtomicBool = AtomicBool::new(true);

/// Python's `logging.raiseExceptions`: when `false`, `handle_error` prints nothing (errors are still
/// counted).
pub fn set_raise_exceptions(on: bool) {
    RAISE_EXCEPTIONS.store(on, Ordering::Relaxed);
}

impl Handler {
    /// A handler over a destination, at level NOTSET with no formatter and no filters.
    pub fn new(sink: impl Emit) -> Handler {
        let shared = Arc::new(Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            name: Mutex::new(None),
            level: AtomicI32::new(0),
            formatter: ArcSwapOption::empty(),
            filters: Filters::default(),
            sink: Box::new(sink),
            counters: Counters::default(),
            closed: AtomicBool::new(false),
        });
        let mut all = all_handlers().lock().unwrap_or_else(|e| e.into_inner());
        all.retain(|h| h.strong_count() > 0);
        all.push(Arc::downgrade(&shared));
        Handler(shared)
    }

    /// Sets the level and returns the handler (builder style).
    pub fn with_level(self, level: Level) -> Handler {
        self.set_level(level);
        self
    }

    /// Sets the formatter and returns the handler (builder style): a [`Formatter`], or a
    /// [`JsonFormatter`](crate::JsonFormatter) or [`ColourFormatter`](crate::ColourFormatter).
    pub fn with_formatter(self, formatter: impl Into<Formatter>) -> Handler {
        self.set_formatter(Some(formatter.into()));
        self
    }

    /// Adds a filter and returns the handler (builder style).
    pub fn with_filter(self, filter: impl Filter) -> Handler {
        self.add_filter(filter);
        self
    }

    /// Names the handler and returns it (builder style).
    pub fn with_name(self, name: impl Into<String>) -> Handler {
        self.set_name(Some(name.into()));
        self
    }

    /// The handler's level; records below it are not handed to it by loggers.
    pub fn level(&self) -> Level {
        Level::new(self.0.level.load(Ordering::Relaxed))
    }

    /// Python: `Handler.setLevel`.
    pub fn set_level(&self, level: Level) {
        self.0.level.store(level.value(), Ordering::Relaxed);
        crate::manager::notify_config_change();
    }

    /// Sets the level without running the configuration-change hooks (a configuration being
    /// applied runs them once at the end).
    pub(crate) fn set_level_quietly(&self, level: Level) {
        self.0.level.store(level.value(), Ordering::Relaxed);
    }

    /// The formatter, if one was set.
    pub fn formatter(&self) -> Option<Formatter> {
        self.0.formatter.load_full().map(|f| Formatter::clone(&f))
    }

    /// Python: `Handler.setFormatter`.
    pub fn set_formatter(&self, formatter: Option<Formatter>) {
        self.0.formatter.store(formatter.map(Arc::new));
    }

    /// Python: `Handler.addFilter` (a filter already present is not added twice).
    ///
    /// Any [`Filter`]: a [`NameFilter`](crate::NameFilter), a closure, or an `Arc<dyn Filter>`
    /// kept to pass to `remove_filter` later.
    pub fn add_filter(&self, filter: impl Filter) {
        self.0.filters.add(crate::filter::shared(filter));
    }

    /// The handler's filters.
    pub fn filters(&self) -> Vec<Arc<dyn Filter>> {
        self.0.filters.snapshot()
    }

    /// Python: `Handler.removeFilter`.
    pub fn remove_filter(&self, filter: &Arc<dyn Filter>) {
        self.0.filters.remove(filter);
    }

    /// The handler's name (Python: `Handler.name`), used by configuration.
    pub fn name(&self) -> Option<String> {
        self.0
            .name
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Sets the handler's name.
    pub fn set_name(&self, name: Option<String>) {
        *self.0.name.lock().unwrap_or_else(|e| e.into_inner()) = name;
    }

    /// The destination's class name (`StreamHandler`).
    pub fn kind(&self) -> &'static str {
        self.0.sink.kind()
    }

    /// The counters; for a handler with a queue they include the queue's drops, delivery failures,
    /// depth and high-water mark.
    pub fn stats(&self) -> HandlerStats {
        let c = &self.0.counters;
        let queue = self.0.sink.queue_stats().unwrap_or_default();
        HandlerStats {
            emitted: c.emitted.load(Ordering::Relaxed),
            filtered: c.filtered.load(Ordering::Relaxed),
            errors: c.errors.load(Ordering::Relaxed) + queue.failed,
            dropped: c.dropped.load(Ordering::Relaxed) + queue.dropped,
            queued: queue.queued,
            high_water: queue.high_water,
        }
    }

    /// The counters of the handler's queue, for a handler that has one.
    pub fn queue_stats(&self) -> Option<worker::QueueStats> {
        self.0.sink.queue_stats()
    }

    /// The destination, if it is a `T` (to reach a destination's own methods).
    pub fn sink_as<T: Emit>(&self) -> Option<&T> {
        let sink: &dyn Any = &*self.0.sink;
        sink.downcast_ref::<T>()
    }

    /// Python's `Handler.handle`: runs the filters, then emits. The level is **not** checked here (the
    /// logger checks it), as in Python. Returns whether the filters passed.
    pub fn handle(&self, record: &LogRecord<'_>) -> bool {
        if !self.0.filters.allow(record) {
            self.0.counters.filtered.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        let Some(_guard) = ReentryGuard::enter(self.0.id) else {
            self.0.counters.dropped.fetch_add(1, Ordering::Relaxed);
            return true;
        };
        let formatter_guard = self.0.formatter.load();
        let formatter: &Formatter = match formatter_guard.as_deref() {
            Some(f) => f,
            None => default_formatter(),
        };
        let mut buffer = FORMAT_BUFFER.take();
        let result = self.0.sink.emit(
            record,
            &mut EmitContext {
                formatter,
                buffer: &mut buffer,
            },
        );
        if buffer.capacity() <= MAX_KEPT_BUFFER {
            FORMAT_BUFFER.set(buffer);
        }
        match result {
            Ok(()) => {
                self.0.counters.emitted.fetch_add(1, Ordering::Relaxed);
            }
            Err(HandlerError::Dropped) => {}
            Err(error) => self.handle_error(record, &error),
        }
        true
    }

    /// Python's `Handler.handleError`: prints the `--- Logging error ---` block to stderr (unless
    /// [`set_raise_exceptions`] turned it off) and carries on. Never panics.
    pub fn handle_error(&self, record: &LogRecord<'_>, error: &HandlerError) {
        self.0.counters.errors.fetch_add(1, Ordering::Relaxed);
        print_logging_error(record, error);
    }

    /// Flushes the destination.
    pub fn flush(&self) {
        if let Err(e) = self.0.sink.flush() {
            self.report_io_error("flush", &e);
        }
    }

    /// Flushes and closes the destination (Python: `Handler.close`).
    pub fn close(&self) {
        if self.0.sink.flushes_on_close() {
            self.flush();
        }
        if let Err(e) = self.0.sink.close() {
            self.report_io_error("close", &e);
        }
        self.0.closed.store(true, Ordering::Relaxed);
    }

    /// Whether [`close`](Handler::close) was called.
    pub fn is_closed(&self) -> bool {
        self.0.closed.load(Ordering::Relaxed)
    }

    fn report_io_error(&self, action: &str, e: &io::Error) {
        self.0.counters.errors.fetch_add(1, Ordering::Relaxed);
        if RAISE_EXCEPTIONS.load(Ordering::Relaxed) {
            let _ = writeln!(
                io::stderr().lock(),
                "--- Logging error ---\nOSError: {e}\nwhile trying to {action} {:?}",
                self
            );
        }
    }

    pub(crate) fn creation_order(&self) -> u64 {
        self.0.id
    }
}

/// Python's `Handler.handleError` output: the `--- Logging error ---` block on stderr, unless
/// [`set_raise_exceptions`] turned it off.
pub(crate) fn print_logging_error(record: &LogRecord<'_>, error: &dyn fmt::Display) {
    if !RAISE_EXCEPTIONS.load(Ordering::Relaxed) {
        return;
    }
    let text = format!(
        "--- Logging error ---\n{error}\nLogged from file {}, line {}\nMessage: {}\nArguments: ()\n",
        record.filename(),
        record.lineno,
        py_repr(record.msg),
    );
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Flushes and closes every handler still alive, newest first. Python: `logging.shutdown()`.
///
/// A queue handler drains its queue before it closes (waiting at most its drain timeout), so what
/// was queued reaches the handlers behind it, which are older and closed after it. Errors are
/// reported on stderr, never raised.
pub fn shutdown() {
    let mut handlers = all_live_handlers();
    handlers.sort_by_key(|h| std::cmp::Reverse(h.creation_order()));
    for handler in handlers {
        // Python flushes, then closes. A handler with a queue drains it when it closes: a flush
        // first would only wait twice for a destination that is down.
        if handler.queue_stats().is_none() {
            handler.flush();
        }
        handler.close();
    }
}

/// Every handler still alive, oldest first.
pub(crate) fn all_live_handlers() -> Vec<Handler> {
    let all = all_handlers().lock().unwrap_or_else(|e| e.into_inner());
    all.iter().filter_map(Weak::upgrade).map(Handler).collect()
}

fn default_formatter() -> &'static Formatter {
    static DEFAULT: OnceLock<Formatter> = OnceLock::new();
    DEFAULT.get_or_init(Formatter::default)
}

/// Buffers larger than this (one huge record) are released instead of kept for the thread.
pub(crate) const MAX_KEPT_BUFFER: usize = 64 * 1024;

thread_local! {
    static FORMAT_BUFFER: Cell<String> = const { Cell::new(String::new()) };
    static EMITTING: [Cell<u64>; 8] = const { [const { Cell::new(0) }; 8] };
}

/// Whether this thread is inside some handler's `emit` (a sink's dependencies logging, or a
/// configuration applied from inside a handler).
pub(crate) fn inside_handler() -> bool {
    EMITTING
        .try_with(|slots| slots.iter().any(|s| s.get() != 0))
        .unwrap_or(false)
}

/// Marks a handler as emitting on this thread, so that a record logged from inside its own delivery
/// (its dependencies logging) is dropped and counted instead of recursing or deadlocking.
struct ReentryGuard {
    slot: usize,
}

impl ReentryGuard {
    fn enter(id: u64) -> Option<ReentryGuard> {
        EMITTING
            .try_with(|slots| {
                if slots.iter().any(|s| s.get() == id) {
                    return None;
                }
                let slot = slots.iter().position(|s| s.get() == 0)?;
                slots[slot].set(id);
                Some(ReentryGuard { slot })
            })
            .ok()
            .flatten()
    }
}

impl Drop for ReentryGuard {
    fn drop(&mut self) {
        let _ = EMITTING.try_with(|slots| slots[self.slot].set(0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing;
    impl Emit for Failing {
        fn emit(
            &self,
            record: &LogRecord<'_>,
            ctx: &mut EmitContext<'_>,
        ) -> Result<(), HandlerError> {
            ctx.format(record)?;
            Err(io::Error::from_raw_os_error(28).into())
        }
        fn kind(&self) -> &'static str {
            "Failing"
        }
        fn describe(&self) -> String {
            "<full disk>".into()
        }
    }

    #[test]
    fn errors_are_counted_not_raised() {
        let h = Handler::new(Failing);
        set_raise_exceptions(false);
        assert!(h.handle(&LogRecord::new("a", Level::ERROR, "x")));
        set_raise_exceptions(true);
        assert_eq!(h.stats().errors, 1);
        assert_eq!(format!("{h:?}"), "<Failing <full disk> (NOTSET)>");
    }

    #[test]
    fn connection_errors_carry_pythons_class_names() {
        let refused = HandlerError::Io(io::Error::from_raw_os_error(111));
        assert!(
            refused
                .to_string()
                .starts_with("ConnectionRefusedError: [Errno 111] "),
            "{refused}"
        );
        let pipe = HandlerError::Io(io::Error::from_raw_os_error(32));
        assert!(pipe.to_string().starts_with("BrokenPipeError: [Errno 32] "));
    }

    #[test]
    fn handler_error_text_is_pythons() {
        let e = HandlerError::Io(io::Error::from_raw_os_error(28));
        assert!(
            e.to_string()
                .starts_with("OSError: [Errno 28] No space left on device")
        );
    }
}
