//! `QueueHandler` and `QueueListener`: the logging call puts the record on a bounded queue; a
//! background thread hands it to the real handlers. Python: `logging.handlers.QueueHandler` and
//! `QueueListener`.
//!
//! As in Python, the queue handler *prepares* each record before queuing it: it formats it with
//! its own formatter (by default `%(message)s`, plus the error text), and the result becomes the
//! queued record's message, with `exc_text` and `stack_info` cleared. The listener's handlers then
//! format that record with their own formatters.
//!
//! Unlike Python's unbounded `queue.Queue`, the queue is bounded: the [`Backpressure`] policy says
//! what a full queue does (by default the logging call waits: nothing is lost), and every loss is
//! counted and reported.
//!
//! ```
//! use pylog_core::{Formatter, Level, Manager, QueueHandler, SharedWriter, StreamHandler};
//! let tree = Manager::new();
//! let out = SharedWriter::new();
//! let console = StreamHandler::writer(out.clone())
//!     .with_formatter(Formatter::new("%(levelname)s %(name)s: %(message)s")?);
//! let queue = QueueHandler::builder().handler(console).build()?;
//! tree.get_logger("app").add_handler(queue.clone());
//! tree.get_logger("app").warning("slow disk");
//! queue.close(); // drains the queue and stops the listener's thread
//! assert_eq!(out.contents(), "WARNING app: slow disk\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use super::background::Background;
use super::worker::{Backpressure, Deliver, DeliveryError, QueueStats, Worker};
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::error::Error;
use crate::owned_record::OwnedRecord;
use crate::record::LogRecord;

/// How long [`Handler::flush`] and [`Handler::close`] of a queue handler wait for the queue to drain,
/// unless the builder says otherwise.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The most records the listener takes off the queue at once: what is waiting is taken in one
/// lock, never waiting for more.
const LISTENER_BATCH: usize = 256;

/// Puts prepared records on a listener's queue. Python: `logging.handlers.QueueHandler`.
///
/// Build one with [`QueueHandler::builder`] (which also starts its listener) or from a running
/// [`QueueListener`] with [`QueueListener::queue_handler`].
pub struct QueueHandler {
    listener: Arc<Background>,
    handlers: Arc<[Handler]>,
    owns_listener: bool,
}

impl QueueHandler {
    /// A queue handler and its listener in one step.
    ///
    /// ```
    /// use pylog_core::{Backpressure, NullHandler, QueueHandler};
    /// let queue = QueueHandler::builder()
    ///     .handler(NullHandler::new())
    ///     .capacity(1_000)
    ///     .backpressure(Backpressure::DropNewest)
    ///     .build()?;
    /// assert_eq!(queue.kind(), "QueueHandler");
    /// # Ok::<(), pylog_core::Error>(())
    /// ```
    pub fn builder() -> QueueHandlerBuilder {
        QueueHandlerBuilder(QueueListener::builder())
    }
}

impl Emit for QueueHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        self.listener
            .send_in(|text| OwnedRecord::prepared_in(text, record, ctx.formatter()))
    }

    fn reads_extras(&self) -> bool {
        self.handlers.iter().any(Handler::reads_trace_context)
            || self
                .listener
                .fallback()
                .is_some_and(|f| f.reads_trace_context())
    }

    fn flush(&self) -> std::io::Result<()> {
        self.listener.flush();
        Ok(())
    }

    fn close(&self) -> std::io::Result<()> {
        if self.owns_listener {
            self.listener.close();
        } else {
            self.listener.flush();
        }
        Ok(())
    }

    /// Close drains the queue (or, for a handler that does not own its listener, flushes it):
    /// a flush first would wait twice.
    fn flushes_on_close(&self) -> bool {
        false
    }

    fn queue_stats(&self) -> Option<QueueStats> {
        Some(self.listener.stats())
    }

    fn set_fallback(&self, fallback: Option<Handler>) -> bool {
        self.listener.set_fallback(fallback);
        true
    }

    fn fallback(&self) -> Option<Handler> {
        self.listener.fallback()
    }

    fn begin_close(&self) {
        if self.owns_listener {
            self.listener.begin_close();
        }
    }

    fn kind(&self) -> &'static str {
        "QueueHandler"
    }

    fn describe(&self) -> String {
        format!("<queue {}>", self.listener.name())
    }

    fn destination(&self) -> String {
        self.listener.name().to_owned()
    }
}

/// Hands queued records to its handlers on a background thread. Python:
/// `logging.handlers.QueueListener`.
///
/// ```
/// use pylog_core::{Level, LogRecord, QueueListener, SharedWriter, StreamHandler};
/// let out = SharedWriter::new();
/// let listener = QueueListener::builder()
///     .handler(StreamHandler::writer(out.clone()))
///     .start()?;
/// let queue = listener.queue_handler();
/// queue.handle(&LogRecord::new("app", Level::INFO, "queued"));
/// listener.stop();
/// assert_eq!(out.contents(), "queued\n");
/// # Ok::<(), pylog_core::Error>(())
/// ```
pub struct QueueListener {
    listener: Arc<Background>,
    handlers: Arc<[Handler]>,
}

impl QueueListener {
    /// A builder; see [`QueueListenerBuilder`] for the defaults.
    pub fn builder() -> QueueListenerBuilder {
        QueueListenerBuilder {
            handlers: Vec::new(),
            respect_handler_level: false,
            name: None,
            capacity: 10_000,
            max_queue_bytes: None,
            backpressure: Backpressure::Block,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            fallback: None,
        }
    }

    /// A handler that queues records for this listener (Python: `QueueHandler(queue)` on the
    /// listener's queue). Closing it flushes the queue but leaves the listener running.
    pub fn queue_handler(&self) -> Handler {
        Handler::new(QueueHandler {
            listener: self.listener.clone(),
            handlers: self.handlers.clone(),
            owns_listener: false,
        })
    }

    /// Waits until everything queued so far has been handled (at most `timeout`); returns
    /// whether it was.
    pub fn flush(&self, timeout: Duration) -> bool {
        self.listener.flush_within(timeout)
    }

    /// Python: `QueueListener.stop()`: handles everything still queued, then stops the thread.
    /// Returns whether everything was handled within the builder's drain timeout.
    pub fn stop(&self) -> bool {
        self.listener.close()
    }

    /// The queue's counters.
    pub fn stats(&self) -> QueueStats {
        self.listener.stats()
    }
}

/// Builds a [`QueueListener`] ([`QueueListener::builder`]); [`QueueHandler::builder`] takes the same
/// options and builds a handler that owns its listener.
///
/// | option | default | Python |
/// |---|---|---|
/// | `handler` | none | `QueueListener(queue, *handlers)` |
/// | `respect_handler_level` | `false` | `respect_handler_level` |
/// | `capacity` | 10,000 records | `queue.Queue(maxsize)` (Python's default is unbounded) |
/// | `max_queue_bytes` | none | — |
/// | `backpressure` | [`Backpressure::Block`] | — (`put_nowait` raises `queue.Full`) |
/// | `drain_timeout` | 30 s | — (`stop()` waits forever) |
/// | `name` | `QueueListener` | — (names the thread `pylog:<name>`) |
/// | `fallback` | none | — (log4j2's failover appender) |
///
/// The drain timeout is longer than the network handlers' 5 s: the handlers behind a queue are
/// usually local files, and a close that waits for them is delivering, not waiting on a server.
#[must_use]
pub struct QueueListenerBuilder {
    handlers: Vec<Handler>,
    respect_handler_level: bool,
    name: Option<String>,
    capacity: usize,
    max_queue_bytes: Option<usize>,
    backpressure: Backpressure,
    drain_timeout: Duration,
    fallback: Option<Handler>,
}

impl QueueListenerBuilder {
    /// The handler that receives the records the queue cannot hand on: those still queued when
    /// a close runs out of time and those a dropping [`Backpressure`] policy would drop, in order
    /// (see [`Handler::set_fallback`]).
    pub fn fallback(mut self, handler: Handler) -> Self {
        self.fallback = Some(handler);
        self
    }

    /// Adds a handler the listener hands records to.
    pub fn handler(mut self, handler: Handler) -> Self {
        self.handlers.push(handler);
        self
    }

    /// Adds handlers.
    pub fn handlers(mut self, handlers: impl IntoIterator<Item = Handler>) -> Self {
        self.handlers.extend(handlers);
        self
    }

    /// Hand a record to a handler only if it meets the handler's level (Python's
    /// `respect_handler_level`; off by default, as in Python).
    pub fn respect_handler_level(mut self, respect: bool) -> Self {
        self.respect_handler_level = respect;
        self
    }

    /// The queue's bound. Up to 65,536 places are allocated when the listener starts; a larger
    /// queue grows to its bound as records arrive, so a huge bound costs nothing until it is used.
    pub fn capacity(mut self, records: usize) -> Self {
        self.capacity = records;
        self
    }

    /// A bound on the bytes the queued records hold, beside the bound on their number: 1,500
    /// records of 1 MB fit in 10,000 places. A full queue by either bound applies the
    /// backpressure policy; one record larger than this still enters an empty queue. A record
    /// counts the memory it holds: written in the buffer of a delivered record (the queue reuses
    /// buffers of up to 1 KiB), that is the buffer's whole capacity.
    pub fn max_queue_bytes(mut self, bytes: usize) -> Self {
        self.max_queue_bytes = Some(bytes);
        self
    }

    /// What a full queue does.
    pub fn backpressure(mut self, policy: Backpressure) -> Self {
        self.backpressure = policy;
        self
    }

    /// How long flush and close wait for the queue to drain.
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// Names the listener and its thread.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Starts the listener's thread. Python: `QueueListener(...).start()`.
    pub fn start(self) -> Result<QueueListener, Error> {
        let name = self.name.unwrap_or_else(|| "QueueListener".to_owned());
        let mut worker = Worker::builder(name.clone()).label(format!("QueueHandler({name})"));
        if let Some(fallback) = self.fallback {
            worker = worker.fallback(fallback);
        }
        let worker = worker
            .capacity(self.capacity)
            .max_queue_bytes(self.max_queue_bytes)
            .backpressure(self.backpressure)
            .batch(LISTENER_BATCH, Duration::ZERO)
            .spawn(HandOff {
                handlers: self.handlers.clone(),
                respect_handler_level: self.respect_handler_level,
            })
            .map_err(|source| Error::Io {
                context: "cannot start the queue listener's thread".to_owned(),
                source,
            })?;
        Ok(QueueListener {
            listener: Arc::new(Background::new(worker, self.drain_timeout)),
            handlers: self.handlers.into(),
        })
    }
}

/// Builds a [`QueueHandler`] that owns its [`QueueListener`]. It has the listener's options (see
/// [`QueueListenerBuilder`] for them and their defaults); [`build`](QueueHandlerBuilder::build)
/// starts the listener and returns the handler.
#[must_use]
pub struct QueueHandlerBuilder(QueueListenerBuilder);

macro_rules! listener_options {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {
        $($(#[$doc])* pub fn $name(self, $($arg: $ty),*) -> Self {
            QueueHandlerBuilder(self.0.$name($($arg),*))
        })*
    };
}

impl QueueHandlerBuilder {
    listener_options! {
        /// Adds a handler the listener hands records to.
        handler(handler: Handler);
        /// Adds handlers.
        handlers(handlers: impl IntoIterator<Item = Handler>);
        /// Hand a record to a handler only if it meets the handler's level (Python's
        /// `respect_handler_level`; off by default, as in Python).
        respect_handler_level(respect: bool);
        /// The queue's bound.
        capacity(records: usize);
        /// What a full queue does.
        backpressure(policy: Backpressure);
        /// How long flush and close wait for the queue to drain.
        drain_timeout(timeout: Duration);
        /// Names the listener and its thread.
        name(name: impl Into<String>);
        /// The handler that receives, in order, the records the queue cannot pass on: those left
        /// when a close runs out of time, and those a dropping [`Backpressure`] policy would drop.
        fallback(handler: Handler);
        /// Also bounds the queue by the bytes its records hold (see
        /// [`QueueListenerBuilder::max_queue_bytes`]).
        max_queue_bytes(bytes: usize);
    }

    /// Starts the listener and returns a queue handler that owns it: closing the handler (or
    /// [`shutdown`](crate::shutdown)) drains the queue and stops the thread.
    pub fn build(self) -> Result<Handler, Error> {
        let listener = self.0.start()?;
        Ok(Handler::new(QueueHandler {
            listener: listener.listener,
            handlers: listener.handlers,
            owns_listener: true,
        }))
    }
}

/// The listener's delivery: each record to each handler, as Python's `QueueListener.handle`.
struct HandOff {
    handlers: Vec<Handler>,
    respect_handler_level: bool,
}

impl Deliver for HandOff {
    fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
        for owned in batch {
            owned.with_record(|record| {
                for handler in &self.handlers {
                    if !self.respect_handler_level || record.level >= handler.level() {
                        handler.handle(record);
                    }
                }
            });
        }
        Ok(())
    }

    /// A handler whose format needs fields the report lacks (`%(user)s`) would turn the report
    /// into a formatting error: such a handler's share of the report goes to stderr instead.
    fn report(&mut self, report: &OwnedRecord) -> Result<(), DeliveryError> {
        report.with_record(|record| {
            for handler in &self.handlers {
                let formats = handler
                    .formatter()
                    .is_none_or(|f| f.format(record, &mut String::new()).is_ok());
                if formats {
                    handler.handle(record);
                } else {
                    let _ = writeln!(std::io::stderr().lock(), "pylog: WARNING: {}", record.msg);
                }
            }
        });
        Ok(())
    }

    fn flush(&mut self) {
        for handler in &self.handlers {
            handler.flush();
        }
    }
}
