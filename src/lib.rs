//! **pylog**: Python's `logging` model (loggers in a dotted tree, handlers with their own levels,
//! `%(asctime)s - %(name)s - %(levelname)s - %(message)s` formats, `basicConfig`) for Rust, on top of
//! `tracing`.
//!
//! This is the one crate to depend on. It re-exports the model (`pylog-core`) and the `tracing`
//! layer (`tracing-pylog`), and adds the one-call setup.
//!
//! ```no_run
//! use pylog::{FileHandler, Formatter, Level, StreamHandler};
//!
//! fn main() -> Result<(), pylog::Error> {
//!     pylog::basic_config().level(Level::INFO).init()?;
//!
//!     let logger = pylog::get_logger("app");
//!     logger.add_handler(
//!         FileHandler::builder("errors.log").build()?
//!             .with_level(Level::ERROR)
//!             .with_formatter(Formatter::new("%(asctime)s - %(name)s - %(levelname)s - %(message)s")?),
//!     );
//!     tracing::info!(target: "app", "started");          // stderr: INFO:app:started
//!     tracing::error!(target: "app::db", user = 7, "lost"); // stderr and errors.log
//!     pylog::event!(target: "app", Level::CRITICAL, "disk full"); // CRITICAL through tracing
//!     Ok(())
//! }
//! ```
//!
//! To build your own subscriber, add [`layer()`] to a `tracing_subscriber::registry()`: see
//! [Composing with tracing-subscriber](guide::composing_with_tracing_subscriber). To write your
//! imports beside `use tracing::*;`, use the [`prelude`]. The [`guide`] has the longer pages.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod guide;

pub use pylog_core::*;
// The feature-gated handlers again, by name, so that their pages carry the feature's badge on
// docs.rs (the glob re-export alone loses it).
#[cfg(feature = "socket")]
#[cfg_attr(docsrs, doc(cfg(feature = "socket")))]
pub use pylog_core::{
    DatagramHandler, DatagramHandlerBuilder, SocketHandler, SocketHandlerBuilder, Wire,
};
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use pylog_core::{HttpHandler, HttpHandlerBuilder, HttpMethod, Redirects};
#[cfg(all(feature = "journald", target_os = "linux"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "journald", target_os = "linux"))))]
pub use pylog_core::{JournalHandler, JournalHandlerBuilder, JournalStats};
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub use pylog_core::{
    OtlpCompression, OtlpHandler, OtlpHandlerBuilder, OtlpJsonFormatter, OtlpProtocol,
};
#[cfg(feature = "smtp")]
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub use pylog_core::{SMTP_PORT, SMTPS_PORT, Security, SmtpHandler, SmtpHandlerBuilder};
#[cfg(feature = "syslog")]
#[cfg_attr(docsrs, doc(cfg(feature = "syslog")))]
pub use pylog_core::{SysLogHandler, SysLogHandlerBuilder, syslog};
pub use tracing_pylog::{
    LEVELNO_FIELD, PyLoggingLayer, TreeFilter, layer, layer_for, level_from_tracing,
};

#[doc(hidden)]
pub use tracing as __tracing;

#[cfg(unix)]
mod signals;
#[cfg(unix)]
#[cfg_attr(docsrs, doc(cfg(unix)))]
pub use signals::{TERMINATION_SIGNALS, shutdown_on_signals};

/// The names most programs need, chosen so that `use pylog::prelude::*;` sits beside
/// `use tracing::*;` (and `tracing_subscriber::prelude::*`) without an ambiguous name.
///
/// What it leaves out, on purpose, because `tracing` has the same name: [`Level`] (tracing has
/// its own `Level`), [`Value`], and the macros `info!`, `debug!`, `warning!`, `error!`,
/// `critical!`, `log!` and `event!`. Write those with their path, which also says which crate
/// you mean at each call:
///
/// ```
/// use pylog::prelude::*;
/// use tracing::*;
///
/// let tree = Manager::new();
/// let out = SharedWriter::new();
/// let db = tree.get_logger("app.db");
/// db.add_handler(
///     StreamHandler::writer(out.clone())
///         .with_level(pylog::Level::WARNING)
///         .with_formatter(Formatter::new("%(levelname)s %(name)s: %(message)s")?),
/// );
/// pylog::warning!(logger: &db, "pool at {}%", 90); // pylog's direct API
/// info!(target: "app::db", "connected");            // tracing's macro (no subscriber here)
/// let _level: Level = Level::INFO;                   // tracing's Level
/// assert_eq!(out.contents(), "WARNING app.db: pool at 90%\n");
/// # Ok::<(), pylog::Error>(())
/// ```
pub mod prelude {
    pub use crate::{basic_config, install, layer, layer_for};
    #[cfg(feature = "http")]
    pub use pylog_core::HttpHandler;
    #[cfg(all(feature = "journald", target_os = "linux"))]
    pub use pylog_core::JournalHandler;
    #[cfg(feature = "smtp")]
    pub use pylog_core::SmtpHandler;
    #[cfg(feature = "syslog")]
    pub use pylog_core::SysLogHandler;
    pub use pylog_core::{Backpressure, FlushPolicy};
    pub use pylog_core::{
        BufferingHandler, ColourFormatter, FileHandler, FileMode, Filter, Formatter, Handler,
        JsonFormatter, LogRecord, Logger, LoggerAdapter, Manager, MemoryHandler, NameFilter,
        NullHandler, QueueHandler, QueueListener, RotatingFileHandler, SharedWriter, ShutdownGuard,
        StreamHandler, Style, TimedRotatingFileHandler, WatchedFileHandler, When, get_logger,
        root_logger, shutdown,
    };
    #[cfg(feature = "socket")]
    pub use pylog_core::{DatagramHandler, SocketHandler};
    #[cfg(feature = "otlp")]
    pub use pylog_core::{OtlpHandler, OtlpJsonFormatter};
}

use std::io::Write;
use std::path::PathBuf;

use tracing_subscriber::layer::SubscriberExt;

/// Installs the global `tracing` subscriber (a registry with [`layer()`]) and the `log` bridge, so
/// that `tracing` events and `log` records reach the global logger tree. [`BasicConfig::init`]
/// calls it; call it yourself after configuring handlers by hand.
///
/// It also makes sure nothing accepted is lost at the end: [`shutdown`] runs when `main` returns or
/// `std::process::exit` is called ([`shutdown_at_exit`]), and a panic is logged at CRITICAL and
/// every handler flushed ([`log_panics`]). See [`ShutdownGuard`] for what no hook can cover.
///
/// It installs both or neither: when a global `tracing` subscriber or a `log` logger is already
/// there, it returns [`Error::Init`] and installs nothing. Only if another thread installs a
/// `tracing` subscriber at the same moment can the `log` bridge end up installed alone, and the
/// error then says so.
pub fn install() -> Result<(), Error> {
    install_bridges("")?;
    shutdown_at_exit();
    log_panics();
    Ok(())
}

/// The two global installs, in the order that lets a failure leave nothing behind: the `tracing`
/// global default cannot be checked and set in one step, but it can be checked; the `log` logger
/// can be set in one step (and is refused when one exists) but not checked. `also` is appended to
/// the "nothing was installed" errors (what else was not done).
fn install_bridges(also: &str) -> Result<(), Error> {
    if tracing::dispatcher::has_been_set() {
        return Err(Error::Init(format!(
            "a global tracing subscriber is already installed; nothing was installed{also}"
        )));
    }
    tracing_log::LogTracer::init().map_err(|_| {
        Error::Init(format!(
            "a `log` logger is already installed; nothing was installed{also}"
        ))
    })?;
    let subscriber = tracing_subscriber::registry().with(layer());
    tracing::subscriber::set_global_default(subscriber).map_err(|_| {
        Error::Init(format!(
            "a global tracing subscriber was installed by another thread meanwhile; the `log` \
             bridge was installed (log records go to that subscriber), pylog's subscriber was \
             not{also}"
        ))
    })
}

/// Python's `logging.basicConfig`, plus `init()` to install the `tracing` subscriber:
/// `pylog::basic_config().level(Level::INFO).init()?`.
pub fn basic_config() -> BasicConfig {
    BasicConfig(pylog_core::BasicConfig::new())
}

/// The parameters of Python's `basicConfig`; see [`pylog_core::BasicConfig`] for the rules.
#[derive(Debug, Default)]
#[must_use]
pub struct BasicConfig(pylog_core::BasicConfig);

macro_rules! delegate {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {
        $($(#[$doc])* pub fn $name(self, $($arg: $ty),*) -> Self {
            BasicConfig(self.0.$name($($arg),*))
        })*
    };
}

impl BasicConfig {
    delegate! {
        /// The root logger's level (a `Level`, a number or a registered name).
        level(level: impl Into<LevelSpec>);
        /// Log to this file.
        filename(path: impl Into<PathBuf>);
        /// The file's mode: [`FileMode::Append`] (default) or [`FileMode::Write`], or Python's
        /// `"a"` or `"w"`.
        filemode(mode: impl Into<TypedOrText<FileMode>>);
        /// The format string (default `%(levelname)s:%(name)s:%(message)s`).
        format(format: impl Into<String>);
        /// The date format for `%(asctime)s`.
        datefmt(datefmt: impl Into<String>);
        /// The format style: a [`Style`], or Python's `"%"`, `"{"` or `"$"`.
        style(style: impl Into<TypedOrText<Style>>);
        /// Use these handlers instead of a stream or file.
        handlers(handlers: impl IntoIterator<Item = Handler>);
        /// Log to this stream (default stderr).
        stream(stream: StreamTarget);
        /// Log to this writer.
        writer(writer: impl Write + Send + 'static);
        /// Replace the root's existing handlers.
        force(force: bool);
        /// The file encoding (UTF-8 only).
        encoding(encoding: impl Into<String>);
        /// Show `%(asctime)s` in UTC.
        utc(utc: bool);
    }

    /// When stderr is connected to the journal, log to the journal over its native protocol
    /// instead (feature `journald`, Linux); see
    /// [`pylog_core::BasicConfig::journald_if_connected`].
    #[cfg(all(feature = "journald", target_os = "linux"))]
    pub fn journald_if_connected(self, on: bool) -> Self {
        BasicConfig(self.0.journald_if_connected(on))
    }

    /// Configures the global root logger only (no `tracing` subscriber).
    pub fn apply(self) -> Result<(), Error> {
        self.0.apply()
    }

    /// Configures the root logger of `manager` only (no `tracing` subscriber).
    pub fn apply_to(self, manager: &Manager) -> Result<(), Error> {
        self.0.apply_to(manager)
    }

    /// Configures the global root logger and installs the global `tracing` subscriber and the
    /// `log` bridge ([`install`]), all or nothing: every parameter is checked and the file opened
    /// first, then the subscriber and bridge are installed, and only then is the root changed.
    /// When something is already installed the error says so and the root is left as it was.
    pub fn init(self) -> Result<(), Error> {
        let prepared = self.0.prepare(global())?;
        install_bridges(" and the root logger was not configured")?;
        prepared.commit();
        shutdown_at_exit();
        log_panics();
        Ok(())
    }
}

/// The `tracing` level an event at a pylog level is emitted at: the most severe `tracing` level
/// not above it (CRITICAL → ERROR, 25 → INFO). Not public API.
#[doc(hidden)]
pub const fn __tracing_level(level: Level) -> tracing::Level {
    match level.value() {
        i32::MIN..=9 => tracing::Level::TRACE,
        10..=19 => tracing::Level::DEBUG,
        20..=29 => tracing::Level::INFO,
        30..=39 => tracing::Level::WARN,
        _ => tracing::Level::ERROR,
    }
}

/// A `tracing` event at any pylog level, including CRITICAL and custom levels:
/// `pylog::event!(target: "app", Level::CRITICAL, "disk full")`. The level must be a constant.
///
/// It is a `tracing` event at the nearest `tracing` level below, carrying the exact level in the
/// `levelno` field, which the layer reads.
#[macro_export]
macro_rules! event {
    (target: $target:expr, $level:expr, $($rest:tt)+) => {
        $crate::__tracing::event!(
            target: $target,
            { $crate::__tracing_level($level) },
            levelno = $crate::Level::value($level),
            $($rest)+
        )
    };
    ($level:expr, $($rest:tt)+) => {
        $crate::__tracing::event!(
            { $crate::__tracing_level($level) },
            levelno = $crate::Level::value($level),
            $($rest)+
        )
    };
}
