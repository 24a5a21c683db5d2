//! `MemoryHandler` and `BufferingHandler`: records kept in memory until a flush. Python:
//! `logging.handlers.MemoryHandler` and `BufferingHandler`.
//!
//! A [`MemoryHandler`] hands its buffer to a target handler when the buffer reaches `capacity`,
//! when a record at `flush_level` (ERROR by default) or above arrives, on `flush()`, and on
//! `close()` unless `flush_on_close(false)`. As in Python, the target's own level is not checked
//! (its filters are), and without a target the buffer is kept.
//!
//! ```
//! use pylog_core::{Level, LogRecord, MemoryHandler, SharedWriter, StreamHandler};
//! let out = SharedWriter::new();
//! let memory = MemoryHandler::builder(100)
//!     .target(StreamHandler::writer(out.clone()))
//!     .build();
//! memory.handle(&LogRecord::new("app", Level::INFO, "context"));
//! assert_eq!(out.contents(), "");
//! memory.handle(&LogRecord::new("app", Level::ERROR, "failure"));
//! assert_eq!(out.contents(), "context\nfailure\n");
//! ```

use std::sync::{Mutex, MutexGuard};

use super::{Emit, EmitContext, Handler, HandlerError};
use crate::level::Level;
use crate::owned_record::OwnedRecord;
use crate::record::LogRecord;

/// Decides after each record whether the buffer (which already holds the record) is flushed.
pub type ShouldFlush = Box<dyn Fn(&[OwnedRecord], &LogRecord<'_>) -> bool + Send + Sync>;

/// What a [`BufferingHandler`]'s flush does with the buffered records.
pub type OnFlush = Box<dyn FnMut(Vec<OwnedRecord>) + Send>;

/// A handler that buffers records and gives them, on flush, to a function. Python:
/// `logging.handlers.BufferingHandler`, whose subclasses override `shouldFlush` and `flush`; here
/// both are closures.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use pylog_core::{BufferingHandler, Level, LogRecord};
/// let batches = Arc::new(Mutex::new(Vec::new()));
/// let sink = batches.clone();
/// let buffering = BufferingHandler::builder(2)
///     .on_flush(move |records| sink.lock().unwrap().push(records.len()))
///     .build();
/// for msg in ["a", "b", "c"] {
///     buffering.handle(&LogRecord::new("app", Level::INFO, msg));
/// }
/// buffering.close();
/// assert_eq!(*batches.lock().unwrap(), [2, 1]);
/// ```
pub struct BufferingHandler {
    buffer: Mutex<Vec<OwnedRecord>>,
    should_flush: ShouldFlush,
    on_flush: Mutex<OnFlush>,
}

impl BufferingHandler {
    /// A builder for a handler flushing when `capacity` records are buffered.
    ///
    /// | option | default | Python |
    /// |---|---|---|
    /// | `should_flush` | `buffer.len() >= capacity` | `shouldFlush` |
    /// | `on_flush` | discard the records | `flush` (which "just zaps the buffer") |
    pub fn builder(capacity: usize) -> BufferingHandlerBuilder {
        BufferingHandlerBuilder {
            should_flush: Box::new(move |buffer, _| buffer.len() >= capacity),
            on_flush: Box::new(drop),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<OwnedRecord>> {
        self.buffer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn flush_buffer(&self) {
        let mut buffer = self.lock();
        let records = std::mem::take(&mut *buffer);
        (self.on_flush.lock().unwrap_or_else(|e| e.into_inner()))(records);
    }
}

/// Builds a [`BufferingHandler`].
#[must_use]
pub struct BufferingHandlerBuilder {
    should_flush: ShouldFlush,
    on_flush: OnFlush,
}

impl BufferingHandlerBuilder {
    /// Replaces the flush rule (Python: overriding `shouldFlush`).
    pub fn should_flush(
        mut self,
        rule: impl Fn(&[OwnedRecord], &LogRecord<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.should_flush = Box::new(rule);
        self
    }

    /// What a flush does with the records (Python: overriding `flush`).
    pub fn on_flush(mut self, flush: impl FnMut(Vec<OwnedRecord>) + Send + 'static) -> Self {
        self.on_flush = Box::new(flush);
        self
    }

    /// The handler.
    pub fn build(self) -> Handler {
        Handler::new(BufferingHandler {
            buffer: Mutex::new(Vec::new()),
            should_flush: self.should_flush,
            on_flush: Mutex::new(self.on_flush),
        })
    }
}

impl Emit for BufferingHandler {
    fn emit(&self, record: &LogRecord<'_>, _: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        let mut buffer = self.lock();
        buffer.push(OwnedRecord::from_record(record));
        let flush = (self.should_flush)(&buffer, record);
        drop(buffer);
        if flush {
            self.flush_buffer();
        }
        Ok(())
    }

    fn flush(&self) -> std::io::Result<()> {
        self.flush_buffer();
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "BufferingHandler"
    }

    fn describe(&self) -> String {
        format!("<{} buffered>", self.lock().len())
    }
}

/// Buffers records and hands them to a target handler. Python: `logging.handlers.MemoryHandler`.
pub struct MemoryHandler {
    state: Mutex<MemoryState>,
    capacity: usize,
    flush_level: Level,
    flush_on_close: bool,
}

struct MemoryState {
    buffer: Vec<OwnedRecord>,
    target: Option<Handler>,
}

impl MemoryHandler {
    /// A builder for a handler buffering up to `capacity` records.
    ///
    /// | option | default | Python |
    /// |---|---|---|
    /// | `flush_level` | ERROR | `flushLevel` |
    /// | `target` | none | `target` |
    /// | `flush_on_close` | `true` | `flushOnClose` |
    pub fn builder(capacity: usize) -> MemoryHandlerBuilder {
        MemoryHandlerBuilder {
            capacity,
            flush_level: Level::ERROR,
            target: None,
            flush_on_close: true,
        }
    }

    fn lock(&self) -> MutexGuard<'_, MemoryState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Python's `MemoryHandler.flush`: the buffer to the target, then cleared; kept when there is no
    /// target. The lock is held while the target handles the records, so they keep their order.
    fn send_to_target(state: &mut MemoryState) {
        let Some(target) = &state.target else {
            return;
        };
        for owned in &state.buffer {
            owned.with_record(|record| target.handle(record));
        }
        state.buffer.clear();
    }
}

/// Builds a [`MemoryHandler`].
#[must_use]
pub struct MemoryHandlerBuilder {
    capacity: usize,
    flush_level: Level,
    target: Option<Handler>,
    flush_on_close: bool,
}

impl MemoryHandlerBuilder {
    /// Records at this level or above flush the buffer.
    pub fn flush_level(mut self, level: Level) -> Self {
        self.flush_level = level;
        self
    }

    /// The handler the buffer goes to.
    pub fn target(mut self, target: Handler) -> Self {
        self.target = Some(target);
        self
    }

    /// Whether `close()` flushes the buffer first (`true`, as in Python).
    pub fn flush_on_close(mut self, flush: bool) -> Self {
        self.flush_on_close = flush;
        self
    }

    /// The handler.
    pub fn build(self) -> Handler {
        Handler::new(MemoryHandler {
            state: Mutex::new(MemoryState {
                buffer: Vec::new(),
                target: self.target,
            }),
            capacity: self.capacity,
            flush_level: self.flush_level,
            flush_on_close: self.flush_on_close,
        })
    }
}

impl Emit for MemoryHandler {
    fn emit(&self, record: &LogRecord<'_>, _: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        let mut state = self.lock();
        state.buffer.push(OwnedRecord::from_record(record));
        if state.buffer.len() >= self.capacity || record.level >= self.flush_level {
            MemoryHandler::send_to_target(&mut state);
        }
        Ok(())
    }

    fn flush(&self) -> std::io::Result<()> {
        MemoryHandler::send_to_target(&mut self.lock());
        Ok(())
    }

    /// Python's `MemoryHandler.close`: flush if `flush_on_close`, then forget the target. What is
    /// still buffered stays (CPython's code keeps it, whatever its docstring says): a target set
    /// later receives it on the next flush.
    fn close(&self) -> std::io::Result<()> {
        let mut state = self.lock();
        if self.flush_on_close {
            MemoryHandler::send_to_target(&mut state);
        }
        state.target = None;
        Ok(())
    }

    fn flushes_on_close(&self) -> bool {
        false
    }

    fn kind(&self) -> &'static str {
        "MemoryHandler"
    }

    fn describe(&self) -> String {
        let state = self.lock();
        match &state.target {
            Some(target) => format!("-> {target:?}"),
            None => "(no target)".to_owned(),
        }
    }
}

impl MemoryHandler {
    /// Sets or replaces the target of `handler`, a memory handler. Python:
    /// `MemoryHandler.setTarget`. Returns `false` when `handler` is not a `MemoryHandler`.
    pub fn set_target(handler: &Handler, target: Option<Handler>) -> bool {
        match handler.sink_as::<MemoryHandler>() {
            Some(memory) => {
                memory.lock().target = target;
                true
            }
            None => false,
        }
    }
}
