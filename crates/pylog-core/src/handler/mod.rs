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
mod backups;
mod compress;
mod current_link;
mod dated;
mod dated_mode;
pub(crate) mod file;
#[cfg(feature = "http")]
mod http;
#[cfg(all(feature = "journald", target_os = "linux"))]
pub mod journald;
mod log_file;
mod memory;
mod null;
#[cfg(feature = "otlp")]
pub mod otlp;
mod queue;
mod rotating;
mod rotation;
mod schedule;
mod shared_lock;
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

pub use compress::Compression;
pub use file::{FileHandler, FileHandlerBuilder, FileMode};
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use http::{HttpHandler, HttpHandlerBuilder, HttpMethod, Redirects};
#[cfg(all(feature = "journald", target_os = "linux"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "journald", target_os = "linux"))))]
pub use journald::{JournalHandler, JournalHandlerBuilder, JournalStats};
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
pub use socket::{
    DatagramHandler, DatagramHandlerBuilder, SocketHandler, SocketHandlerBuilder, Wire,
};
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
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use crate::filter::{Filter, Filters};
use crate::format::repr::py_repr;
use crate::format::{Escape, FormatError, Formatter};
use crate::hazard_cell::HazardCell;
use crate::level::Level;
use crate::record::LogRecord;
use crate::scratch;

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

    /// Whether control characters in records are escaped unless the handler says otherwise
    /// ([`Handler::with_escape_controls`]): `true` for a stream that is a terminal.
    fn escapes_controls_by_default(&self) -> bool {
        false
    }

    /// Whether the destination reads records' extras itself, beyond the text its formatter writes
    /// (a socket handler pickles them all, an OTLP handler sends them as attributes). Extras that
    /// cost something to compute (the OpenTelemetry trace context) are left out of records that
    /// nothing on their way reads. `true` by default, the safe answer; destinations that only
    /// write formatted text say `false`, and a queue says what its listener's handlers and its
    /// fallback say.
    fn reads_extras(&self) -> bool {
        true
    }

    /// The handler's class name as Python shows it (`StreamHandler`).
    fn kind(&self) -> &'static str;

    /// What the destination is, for `Debug` (`<stderr>`, `/var/log/app.log`).
    fn describe(&self) -> String;

    /// Where the destination writes, as error reports name it after the class
    /// (`tcp 127.0.0.1:514` in `SysLogHandler(tcp 127.0.0.1:514)`). By default
    /// [`describe`](Emit::describe).
    fn destination(&self) -> String {
        self.describe()
    }

    /// Sets the handler that receives the records this destination cannot deliver (see
    /// [`Handler::set_fallback`]). Returns whether the destination takes one: only queued and
    /// network handlers do.
    fn set_fallback(&self, fallback: Option<Handler>) -> bool {
        let _ = fallback;
        false
    }

    /// The fallback handler, if the destination has one.
    fn fallback(&self) -> Option<Handler> {
        None
    }

    /// Starts closing without waiting, for a destination whose close drains a queue: `shutdown`
    /// begins every drain first, so that several destinations that are down wait out their drain
    /// timeouts side by side, not one after the other.
    fn begin_close(&self) {}
}

/// What a destination needs to write a record: the handler's formatter and a reused buffer.
pub struct EmitContext<'a> {
    formatter: &'a Formatter,
    buffer: &'a mut String,
    escape: Escape,
    /// The handler's count of emitted records, until the destination counts the record itself
    /// ([`count_emitted_locked`](EmitContext::count_emitted_locked)).
    emitted: Option<&'a AtomicU64>,
}

impl EmitContext<'_> {
    /// Formats the record with the handler's formatter (or Python's default, `%(message)s`) into the
    /// handler's reused buffer and returns it, so the destination can append its terminator.
    pub fn format(&mut self, record: &LogRecord<'_>) -> Result<&mut String, FormatError> {
        self.buffer.clear();
        self.formatter
            .format_escaped(record, self.buffer, self.escape)?;
        Ok(self.buffer)
    }

    /// What the handler escapes in the records it formats (see [`Escape`]).
    pub fn escape(&self) -> Escape {
        self.escape
    }

    /// Counts the record as emitted, with a plain add, while the destination holds the lock that
    /// every emit of this handler takes; the handler otherwise counts it with an atomic add (a
    /// locked instruction, about 5 ns) once `emit` returns `Ok`. Called just before returning
    /// `Ok`, under that lock.
    pub(crate) fn count_emitted_locked(&mut self) {
        if let Some(emitted) = self.emitted.take() {
            emitted.store(emitted.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        }
    }

    /// The formatter in use.
    pub fn formatter(&self) -> &Formatter {
        self.formatter
    }

    /// Whether the handler has a formatter of its own (Python's `self.formatter is not None`),
    /// rather than the default one.
    #[cfg(feature = "otlp")]
    pub(crate) fn has_own_formatter(&self) -> bool {
        !std::ptr::eq(self.formatter, default_formatter())
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

/// An error from renaming `source` to `dest`, shown as CPython's `os.rename` shows it, with both
/// paths: `[Errno 13] Permission denied: '/var/log/app.log' -> '/var/log/app.log.1'`. Keeps the
/// kind, so the class name (`PermissionError`) is still found.
pub(crate) fn rename_error(
    source: &std::path::Path,
    dest: &std::path::Path,
    e: io::Error,
) -> io::Error {
    let paths = format!(
        "{} -> {}",
        py_repr(&source.display().to_string()),
        py_repr(&dest.display().to_string())
    );
    let text = match e.raw_os_error() {
        Some(code) => {
            let text = e.to_string();
            let suffix = format!(" (os error {code})");
            format!(
                "[Errno {code}] {}: {paths}",
                text.strip_suffix(&suffix).unwrap_or(&text)
            )
        }
        None => format!("{e}: {paths}"),
    };
    io::Error::new(e.kind(), text)
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
    formatter: HazardCell<Formatter>,
    filters: Filters,
    sink: Box<dyn Emit>,
    counters: Counters,
    closed: AtomicBool,
    /// Whether the last record met an I/O failure (see [`Handler::repeats`]).
    failing: AtomicBool,
    /// The text of that failure.
    last_failure: Mutex<Option<String>>,
    /// The escaping settings, as `ESCAPE_*` bits.
    escape: AtomicU8,
}

/// Escape CR and LF (see [`Handler::with_escape_newlines`]).
const ESCAPE_NEWLINES: u8 = 1;
/// Escape control characters, whatever the destination's default.
const ESCAPE_CONTROLS_ON: u8 = 2;
/// Do not escape control characters, whatever the destination's default.
const ESCAPE_CONTROLS_OFF: u8 = 4;

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

/// Every handler made, weakly held, for [`shutdown`]. Python: `logging._handlerList`.
#[derive(Default)]
struct Registry {
    handlers: Vec<Weak<Shared>>,
    /// The length at which dropped handlers are swept out next: twice what was left after the
    /// last sweep, so that making N handlers costs O(N) in all, not O(N²).
    sweep_at: usize,
}

impl Registry {
    fn add(&mut self, handler: Weak<Shared>) {
        if self.handlers.len() >= self.sweep_at {
            self.handlers.retain(|h| h.strong_count() > 0);
            self.sweep_at = (self.handlers.len() * 2).max(64);
        }
        self.handlers.push(handler);
    }
}

fn all_handlers() -> &'static Mutex<Registry> {
    static ALL: OnceLock<Mutex<Registry>> = OnceLock::new();
    ALL.get_or_init(|| Mutex::new(Registry::default()))
}

static RAISE_EXCEPTIONS: AtomicBool = AtomicBool::new(true);

/// Python's `logging.raiseExceptions`: when `false`, `handle_error` prints nothing (errors are still
/// counted).
pub fn set_raise_exceptions(on: bool) {
    RAISE_EXCEPTIONS.store(on, Ordering::Relaxed);
}

impl Handler {
    /// A handler over a destination, at level NOTSET with no formatter and no filters.
    ///
    /// The first handler of the process registers [`shutdown`] to run at exit
    /// ([`shutdown_at_exit`](crate::shutdown_at_exit)), as `import logging` does in Python: what a
    /// handler holds (a queue, a buffer) reaches its destination when `main` returns.
    pub fn new(sink: impl Emit) -> Handler {
        crate::lifecycle::shutdown_at_exit();
        let shared = Arc::new(Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            name: Mutex::new(None),
            level: AtomicI32::new(0),
            formatter: HazardCell::new(),
            filters: Filters::default(),
            sink: Box::new(sink),
            counters: Counters::default(),
            closed: AtomicBool::new(false),
            failing: AtomicBool::new(false),
            last_failure: Mutex::new(None),
            escape: AtomicU8::new(0),
        });
        all_handlers()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .add(Arc::downgrade(&shared));
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

    /// Writes CR and LF inside each record as `\r` and `\n`, so that a record is always one line
    /// (builder style; see [`Escape`]). Off by default, as in Python.
    pub fn with_escape_newlines(self, on: bool) -> Handler {
        self.set_escape_newlines(on);
        self
    }

    /// Turns the escaping of CR and LF on or off (see [`Handler::with_escape_newlines`]).
    pub fn set_escape_newlines(&self, on: bool) {
        if on {
            self.0.escape.fetch_or(ESCAPE_NEWLINES, Ordering::Relaxed);
        } else {
            self.0.escape.fetch_and(!ESCAPE_NEWLINES, Ordering::Relaxed);
        }
        // Loggers' handler chains hold the escaping: make them take the new one.
        crate::manager::bump_generation();
    }

    /// Escapes control characters in records (`true`) or writes them raw (`false`), whatever the
    /// destination's default (builder style; see [`Escape`]). The default is to escape on a
    /// [`StreamHandler`] whose stream is a terminal, and nowhere else.
    pub fn with_escape_controls(self, on: bool) -> Handler {
        self.set_escape_controls(on);
        self
    }

    /// Sets the escaping of control characters (see [`Handler::with_escape_controls`]).
    pub fn set_escape_controls(&self, on: bool) {
        let (set, clear) = if on {
            (ESCAPE_CONTROLS_ON, ESCAPE_CONTROLS_OFF)
        } else {
            (ESCAPE_CONTROLS_OFF, ESCAPE_CONTROLS_ON)
        };
        let _ = self
            .0
            .escape
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((bits & !clear) | set)
            });
        crate::manager::bump_generation();
    }

    /// What this handler escapes in the records it formats, its formatter's own escaping aside.
    pub fn escape(&self) -> Escape {
        let bits = self.0.escape.load(Ordering::Relaxed);
        let controls = bits & ESCAPE_CONTROLS_ON != 0
            || (bits & ESCAPE_CONTROLS_OFF == 0 && self.0.sink.escapes_controls_by_default());
        let mut escape = Escape::NONE;
        if controls {
            escape = escape.union(Escape::CONTROLS);
        }
        if bits & ESCAPE_NEWLINES != 0 {
            escape = escape.union(Escape::NEWLINES);
        }
        escape
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
        self.0.formatter.read().map(|f| Formatter::clone(&f))
    }

    /// Python: `Handler.setFormatter`.
    pub fn set_formatter(&self, formatter: Option<Formatter>) {
        self.0.formatter.store(formatter.map(Arc::new));
        // Loggers' handler chains hold the formatter: make them take the new one.
        crate::manager::bump_generation();
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

    /// The handler and where it writes, as error reports name it:
    /// `SysLogHandler(tcp 127.0.0.1:514)`, `RotatingFileHandler(/var/log/app.log)`.
    pub fn label(&self) -> String {
        format!("{}({})", self.0.sink.kind(), self.0.sink.destination())
    }

    /// Sets (or with `None` removes) the handler that receives, in order, the records this one
    /// cannot deliver: those whose delivery failed for good, those still queued when its close
    /// runs out of time, and those its full queue would drop (log4j2's failover appender). Only
    /// queued and network handlers take one (`QueueHandler`, `SysLogHandler`, `SocketHandler`,
    /// `DatagramHandler`, `HTTPHandler`, `SMTPHandler`); returns whether this one did. The fallback
    /// gets every such record whatever its own level (as Python's `Handler.handle`, which leaves
    /// the level to the logger), formatted by its own formatter; how many it got is
    /// [`QueueStats::fallback`](worker::QueueStats::fallback).
    ///
    /// The fallback must be older than the handler (created before it), so that
    /// [`shutdown`], which closes the newest first, closes it after the handler has drained into
    /// it. Their builders' `fallback` option and dictConfig's `fallback` key ensure that.
    pub fn set_fallback(&self, fallback: Option<Handler>) -> bool {
        let set = self.0.sink.set_fallback(fallback);
        // Whether a queue's records may need the trace context depends on its fallback too.
        crate::manager::bump_generation();
        set
    }

    /// The fallback handler, if one is set.
    pub fn fallback(&self) -> Option<Handler> {
        self.0.sink.fallback()
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
    ///
    /// A failure goes to [`handle_error`](Handler::handle_error), except an I/O failure that is
    /// the same as the last record's with none delivered since (a full disk, a log directory that
    /// is gone, a rollover that cannot rename): that is counted without printing again, so a
    /// failure that repeats on every record is reported once per burst. Python prints it every
    /// time.
    pub fn handle(&self, record: &LogRecord<'_>) -> bool {
        if !self.0.filters.allow(record) {
            self.count_filtered();
            return false;
        }
        let formatter = self.0.formatter.read();
        self.emit_allowed(record, formatter.as_deref(), self.escape());
        true
    }

    /// What the record path reads of this handler, for a logger's handler chain: read once per
    /// configuration generation instead of once per record.
    pub(crate) fn snapshot(&self) -> HandlerSnapshot {
        HandlerSnapshot {
            handler: self.clone(),
            level: self.level(),
            formatter: self.0.formatter.counted(),
            filters: self.0.filters.current(),
            escape: self.escape(),
        }
    }

    /// Whether handling a record may read its trace-context extras ([`TRACE_CONTEXT_EXTRAS`]): the
    /// destination reads extras itself, the formatter may name one (or writes every extra), or a
    /// filter might look (filters are not inspected).
    pub(crate) fn reads_trace_context(&self) -> bool {
        self.0.filters.current().is_some()
            || self.0.sink.reads_extras()
            || self
                .0
                .formatter
                .read()
                .as_deref()
                .is_some_and(|f| f.may_read_extras(&TRACE_CONTEXT_EXTRAS))
    }

    fn count_filtered(&self) {
        self.0.counters.filtered.fetch_add(1, Ordering::Relaxed);
    }

    /// Formats and emits a record the filters let through, with `formatter` (the default one when
    /// `None`) and `escape` (the handler's [`escape`](Handler::escape)).
    fn emit_allowed(&self, record: &LogRecord<'_>, formatter: Option<&Formatter>, escape: Escape) {
        let Some(_guard) = ReentryGuard::enter(self.0.id) else {
            self.0.counters.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let formatter = formatter.unwrap_or_else(|| default_formatter());
        let mut buffer = scratch::take(&FORMAT_BUFFER);
        let mut ctx = EmitContext {
            formatter,
            buffer: &mut buffer,
            escape,
            emitted: Some(&self.0.counters.emitted),
        };
        let result = self.0.sink.emit(record, &mut ctx);
        let counted = ctx.emitted.is_none();
        scratch::give_back(&FORMAT_BUFFER, buffer);
        match result {
            Ok(()) => {
                if !counted {
                    self.0.counters.emitted.fetch_add(1, Ordering::Relaxed);
                }
                if self.0.failing.load(Ordering::Relaxed) {
                    self.0.failing.store(false, Ordering::Relaxed);
                }
            }
            Err(HandlerError::Dropped) => {}
            Err(error @ HandlerError::Io(_)) if self.repeats(&error) => {
                self.0.counters.errors.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => self.handle_error(record, &error),
        }
    }

    /// Whether `error` is the failure the last record met too, with no record delivered since: an
    /// I/O failure that repeats on every record (a full disk, a log directory that is gone, a
    /// rollover that cannot rename) is reported once per burst and counted every time. Python
    /// prints it for every record; a format error (a bug at one call site) still is.
    fn repeats(&self, error: &HandlerError) -> bool {
        let text = error.to_string();
        let mut last = self
            .0
            .last_failure
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let repeated =
            self.0.failing.load(Ordering::Relaxed) && last.as_deref() == Some(text.as_str());
        *last = Some(text);
        self.0.failing.store(true, Ordering::Relaxed);
        repeated
    }

    /// Python's `Handler.handleError`: prints the `--- Logging error ---` block to stderr (unless
    /// [`set_raise_exceptions`] turned it off) and carries on. Never panics. The block ends with a
    /// line Python's does not have, naming the handler and where it writes (see
    /// [`label`](Handler::label)).
    pub fn handle_error(&self, record: &LogRecord<'_>, error: &HandlerError) {
        self.0.counters.errors.fetch_add(1, Ordering::Relaxed);
        print_logging_error(record, error, &self.label());
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

    /// Whether this thread is inside this handler's `emit`: a panic hook running there must not
    /// flush it, since the destination's lock is held further up the stack.
    pub(crate) fn is_emitting_here(&self) -> bool {
        EMITTING
            .try_with(|slots| slots.iter().any(|s| s.get() == self.0.id))
            .unwrap_or(false)
    }
}

/// The extras the `tracing` layer fills from the OpenTelemetry trace context (feature `otlp`), as
/// Python's `LoggingInstrumentor` names them.
pub(crate) const TRACE_CONTEXT_EXTRAS: [&str; 3] =
    ["otelTraceID", "otelSpanID", "otelTraceSampled"];

/// A handler with what the record path reads of it (level, formatter, filters, escaping), as they
/// were when a logger's handler chain was built. Changing any of them changes the configuration
/// generation, so the chain is rebuilt before the next record.
pub(crate) struct HandlerSnapshot {
    pub(crate) handler: Handler,
    pub(crate) level: Level,
    formatter: Option<Arc<Formatter>>,
    /// `None` when the handler had no filter.
    filters: Option<Arc<Vec<Arc<dyn Filter>>>>,
    escape: Escape,
}

impl HandlerSnapshot {
    /// [`Handler::handle`] with the snapshot's formatter, filters and escaping.
    pub(crate) fn handle(&self, record: &LogRecord<'_>) -> bool {
        if let Some(filters) = &self.filters
            && !filters.iter().all(|f| f.filter(record))
        {
            self.handler.count_filtered();
            return false;
        }
        self.handler
            .emit_allowed(record, self.formatter.as_deref(), self.escape);
        true
    }
}

/// Python's `Handler.handleError` output: the `--- Logging error ---` block on stderr, unless
/// [`set_raise_exceptions`] turned it off.
///
/// The block has Python's layout, with the exception line in place of the traceback, and one
/// line more at the end, `Handler: ` and the handler with where it writes
/// (`Handler: SysLogHandler(tcp 127.0.0.1:514)`), so that with several handlers the broken one
/// is known:
///
/// ```text
/// --- Logging error ---
/// ConnectionRefusedError: [Errno 111] Connection refused
/// Logged from file main.rs, line 12
/// Message: 'disk full'
/// Arguments: ()
/// Handler: SysLogHandler(tcp 127.0.0.1:514)
/// ```
pub(crate) fn print_logging_error(record: &LogRecord<'_>, error: &dyn fmt::Display, handler: &str) {
    if !RAISE_EXCEPTIONS.load(Ordering::Relaxed) {
        return;
    }
    let text = format!(
        "--- Logging error ---\n{error}\nLogged from file {}, line {}\nMessage: {}\nArguments: ()\nHandler: {handler}\n",
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
    // Every queue starts draining at once, so that destinations that are down wait out their
    // drain timeouts side by side; the closes below still go newest first.
    for handler in &handlers {
        handler.0.sink.begin_close();
    }
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
    all.handlers
        .iter()
        .filter_map(Weak::upgrade)
        .map(Handler)
        .collect()
}

fn default_formatter() -> &'static Formatter {
    static DEFAULT: OnceLock<Formatter> = OnceLock::new();
    DEFAULT.get_or_init(Formatter::default)
}

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
                // Guards end in the reverse order they began (each is dropped in the call that
                // made it, during a panic too), so the slots in use are always the first ones:
                // the first free slot ends the search, and usually it is the first slot.
                for (slot, cell) in slots.iter().enumerate() {
                    match cell.get() {
                        0 => {
                            cell.set(id);
                            return Some(ReentryGuard { slot });
                        }
                        emitting if emitting == id => return None,
                        _ => {}
                    }
                }
                None
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
    fn reentry_guards_nest_and_refuse_only_a_handler_already_emitting() {
        let outer = ReentryGuard::enter(101).expect("nothing is emitting");
        let inner = ReentryGuard::enter(102).expect("another handler nests");
        assert!(ReentryGuard::enter(101).is_none());
        assert!(ReentryGuard::enter(102).is_none());
        drop(inner);
        let again = ReentryGuard::enter(102).expect("it left");
        assert!(
            ReentryGuard::enter(101).is_none(),
            "the outer one still emits"
        );
        drop(again);
        drop(outer);
        assert!(!inside_handler());
        let nested: Vec<_> = (1..=8).filter_map(ReentryGuard::enter).collect();
        assert_eq!(nested.len(), 8);
        assert!(
            ReentryGuard::enter(9).is_none(),
            "eight handlers deep at most"
        );
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
    fn a_repeated_io_failure_is_reported_once_per_burst_and_counted_every_time() {
        struct Toggle(AtomicBool);
        impl Emit for Toggle {
            fn emit(
                &self,
                _record: &LogRecord<'_>,
                _ctx: &mut EmitContext<'_>,
            ) -> Result<(), HandlerError> {
                if self.0.load(Ordering::SeqCst) {
                    Err(io::Error::from_raw_os_error(28).into())
                } else {
                    Ok(())
                }
            }
            fn kind(&self) -> &'static str {
                "Toggle"
            }
            fn describe(&self) -> String {
                "<toggle>".into()
            }
        }
        let h = Handler::new(Toggle(AtomicBool::new(true)));
        let full = HandlerError::Io(io::Error::from_raw_os_error(28));
        let other = HandlerError::Io(io::Error::from_raw_os_error(5));
        // The first failure of a burst is reported, the same one again is not, another one is.
        assert!(!h.repeats(&full));
        assert!(h.repeats(&full));
        assert!(!h.repeats(&other));
        assert!(h.repeats(&other));
        // A delivered record ends the burst.
        let record = LogRecord::new("a", Level::ERROR, "x");
        h.sink_as::<Toggle>()
            .unwrap()
            .0
            .store(false, Ordering::SeqCst);
        h.handle(&record);
        assert!(!h.repeats(&other));
        // Every failure is counted, reported or not.
        set_raise_exceptions(false);
        h.sink_as::<Toggle>()
            .unwrap()
            .0
            .store(true, Ordering::SeqCst);
        for _ in 0..3 {
            h.handle(&record);
        }
        set_raise_exceptions(true);
        assert_eq!((h.stats().emitted, h.stats().errors), (1, 3));
        assert_eq!(h.label(), "Toggle(<toggle>)");
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
