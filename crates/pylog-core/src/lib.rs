//! The logging model of pylog: Python's `logging` in Rust.
//!
//! | Python | here |
//! |---|---|
//! | `logging.getLogger("a.b")` | [`get_logger`] → [`Logger`] |
//! | `logging.basicConfig(...)` | [`basic_config()`]`...apply()` |
//! | `logging.Formatter(fmt, datefmt)` | [`Formatter::new`], [`Formatter::builder`] |
//! | `Formatter(fmt, style='{', defaults={...})` | [`Formatter::builder`]`(fmt).style(`[`Style::Brace`]`).default_field(..)` |
//! | `logging.StreamHandler`, `FileHandler`, `NullHandler` | [`StreamHandler`], [`FileHandler`], [`NullHandler`] |
//! | `logging.Filter(name)` | [`NameFilter`], or any closure |
//! | `logging.LogRecord` | [`LogRecord`] |
//! | `logging.addLevelName`, `getLevelName` | [`add_level_name`], [`level_name`], [`Level`]'s `FromStr` |
//! | `logging.warning(...)` | [`warning!`] |
//! | `logging.shutdown()` | [`shutdown`], [`shutdown_at_exit`], [`ShutdownGuard`] |
//! | `logging.handlers.QueueHandler`, `QueueListener` | [`QueueHandler`], [`QueueListener`] |
//! | `logging.handlers.MemoryHandler`, `BufferingHandler` | [`MemoryHandler`], [`BufferingHandler`] |
//! | `logging.handlers.SocketHandler`, `DatagramHandler` (feature `socket`) | `SocketHandler`, `DatagramHandler` |
//! | the cookbook's socket receiver, `makeLogRecord(pickle.loads(..))` (feature `socket`) | `receiver::Receiver`, `pickle::read` |
//! | `logging.BufferingFormatter(linefmt)` | [`BufferingFormatter`] |
//! | `logging.LoggerAdapter(logger, extra)` | [`Logger::adapter`] → [`LoggerAdapter`] |
//! | `logger.info(msg, stack_info=True)` | [`Logger::event`]`(..).stack_info(true).log(msg)` |
//! | a JSON formatter (`python-json-logger`) | [`JsonFormatter`] |
//! | a colour formatter (`colorlog`) | [`ColourFormatter`] |
//! | `logging.handlers.HTTPHandler` (feature `http`) | `HttpHandler` |
//! | `logging.handlers.SMTPHandler` (feature `smtp`) | `SmtpHandler` |
//! | `systemd.journal.JournalHandler` (python-systemd; feature `journald`, Linux) | `JournalHandler` |
//! | `opentelemetry.sdk._logs.LoggingHandler` with an `OTLPLogExporter` (feature `otlp`) | `OtlpHandler`; `OtlpJsonFormatter` for OTLP JSON lines |
//! | `logging.config.dictConfig`, `fileConfig` | [`config::dict_config`], [`config::file_config`], [`config::load_path`] |
//! | `logging.config.listen`, `stopListening` (feature `listen`) | `config::listen`, `ConfigListener::stop` |
//! | `unittest`'s `assertLogs`, `assertNoLogs` | [`testing::capture`], [`testing::capture_in`] |
//!
//! This crate has no `tracing` dependency; the `tracing-pylog` crate feeds it `tracing` events,
//! and the `pylog` crate puts both behind one dependency.
//!
//! ```
//! use pylog_core::{Formatter, Level, Manager, SharedWriter, StreamHandler};
//! let tree = Manager::new();
//! let out = SharedWriter::new();
//! let logger = tree.get_logger("app");
//! logger.add_handler(
//!     StreamHandler::writer(out.clone())
//!         .with_level(Level::WARNING)
//!         .with_formatter(Formatter::new("%(name)s - %(levelname)s - %(message)s")?),
//! );
//! logger.warning("This is a warning");
//! assert_eq!(out.contents(), "app - WARNING - This is a warning\n");
//! # Ok::<(), pylog_core::Error>(())
//! ```

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod adapter;
mod basic_config;
mod clock;
pub mod config;
mod error;
mod filter;
pub mod format;
mod handler;
mod hazard_cell;
mod level;
mod level_cache;
mod lifecycle;
mod logger;
mod manager;
mod message;
mod owned_record;
#[cfg(feature = "socket")]
pub mod pickle;
#[cfg(feature = "socket")]
pub mod receiver;
mod record;
mod root;
mod scratch;
mod stack;
pub mod testing;
mod wall_clock;

pub use adapter::LoggerAdapter;
pub use basic_config::{BasicConfig, PreparedBasicConfig, TypedOrText, basic_config};
pub use clock::{Clock, SystemClock};
pub use error::Error;
pub use filter::{Filter, NameFilter};
pub use format::{
    BASIC_FORMAT, BufferingFormatter, ColourChoice, ColourFormatter, ColourFormatterBuilder,
    ColourScope, DEFAULT_JSON_FIELDS, DefaultValue, Escape, FormatError, Formatter,
    FormatterBuilder, JsonFormatter, JsonFormatterBuilder, RecordsText, Style,
};
#[cfg(all(feature = "journald", target_os = "linux"))]
pub use handler::journald;
#[cfg(feature = "otlp")]
pub use handler::otlp;
#[cfg(feature = "otlp")]
pub use handler::otlp::{
    OtlpCompression, OtlpHandler, OtlpHandlerBuilder, OtlpJsonFormatter, OtlpProtocol,
};
#[cfg(feature = "syslog")]
#[cfg_attr(docsrs, doc(cfg(feature = "syslog")))]
pub use handler::syslog;
pub use handler::worker::{
    Backpressure, Deliver, DeliveryError, Dropped, ErrorReporter, QueueStats, RetryPolicy, Worker,
    WorkerBuilder,
};
pub use handler::{
    BufferingHandler, BufferingHandlerBuilder, Compression, DEFAULT_DRAIN_TIMEOUT, Emit,
    EmitContext, FileHandler, FileHandlerBuilder, FileMode, FlushPolicy, Handler, HandlerError,
    HandlerStats, MemoryHandler, MemoryHandlerBuilder, Namer, NullHandler, OnFlush, QueueHandler,
    QueueHandlerBuilder, QueueListener, QueueListenerBuilder, RotatingFileHandler,
    RotatingFileHandlerBuilder, Rotator, SharedWriter, ShouldFlush, StreamHandler, StreamTarget,
    TimedRotatingFileHandler, TimedRotatingFileHandlerBuilder, WatchedFileHandler,
    WatchedFileHandlerBuilder, When, set_raise_exceptions, shutdown,
};
#[cfg(feature = "socket")]
#[cfg_attr(docsrs, doc(cfg(feature = "socket")))]
pub use handler::{
    DatagramHandler, DatagramHandlerBuilder, SocketHandler, SocketHandlerBuilder, Wire,
};
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use handler::{HttpHandler, HttpHandlerBuilder, HttpMethod, Redirects};
#[cfg(all(feature = "journald", target_os = "linux"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "journald", target_os = "linux"))))]
pub use handler::{JournalHandler, JournalHandlerBuilder, JournalStats};
#[cfg(feature = "smtp")]
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub use handler::{SMTP_PORT, SMTPS_PORT, Security, SmtpHandler, SmtpHandlerBuilder};
#[cfg(feature = "syslog")]
#[cfg_attr(docsrs, doc(cfg(feature = "syslog")))]
pub use handler::{SysLogHandler, SysLogHandlerBuilder};
pub use level::{
    Level, LevelName, LevelSpec, add_level_name, level_for_name, level_name, level_names_mapping,
};
pub use lifecycle::{ShutdownGuard, log_panics, shutdown_at_exit};
pub use logger::{CallSite, LogCall, Logger};
pub use manager::{
    HandlerReport, Manager, config_generation, disable, get_logger, global, on_config_change,
    root_logger,
};
pub use owned_record::OwnedRecord;
pub use record::{LogRecord, Value, current_thread, format_error_chain, now, start_time};
pub use root::root_log;
pub use stack::{STACK_HEADER, format_stack};
