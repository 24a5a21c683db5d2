//! Module-level logging on the root logger, as Python's `logging.warning(...)`: the first call
//! configures the root with `basic_config()` when it has no handler.
//!
//! ```no_run
//! pylog_core::warning!("This is a warning message");   // WARNING:root:This is a warning message
//! pylog_core::info!("not shown: the root stays at WARNING");
//! ```
//!
//! Every level macro also takes a logger, as `log!` does:
//!
//! ```
//! use pylog_core::{Level, Manager, SharedWriter, StreamHandler};
//! let tree = Manager::new();
//! let out = SharedWriter::new();
//! let db = tree.get_logger("app.db");
//! db.add_handler(StreamHandler::writer(out.clone()));
//! pylog_core::warning!(logger: &db, "slow query: {} ms", 250);
//! pylog_core::info!(logger: db, "not shown: app.db inherits WARNING");
//! assert_eq!(out.contents(), "slow query: 250 ms\n");
//! ```

use std::fmt;

use crate::basic_config::BasicConfig;
use crate::level::Level;
use crate::logger::CallSite;
use crate::manager::root_logger;

/// Logs on the global root logger, running `basic_config()` first if the root has no handler.
/// Python: the module-level `logging.log(level, msg)`. Used by the macros.
pub fn root_log(level: Level, site: CallSite, msg: fmt::Arguments<'_>) {
    let root = root_logger();
    if !root.has_own_handlers() {
        // Without parameters basic_config cannot fail: it only builds a stderr handler.
        let _ = BasicConfig::new().apply();
    }
    if root.is_enabled_for(level) {
        root.log_at(level, site, &msg, &[], None);
    }
}

/// The name of the enclosing function, for `funcName`. Not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __function_name {
    () => {{
        fn f() {}
        fn type_name_of<T>(_: T) -> &'static str {
            ::core::any::type_name::<T>()
        }
        let name = type_name_of(f);
        let name = name.strip_suffix("::f").unwrap_or(name);
        name.rsplit("::")
            .find(|part| *part != "{{closure}}")
            .unwrap_or(name)
    }};
}

/// The call site of the macro's caller. Not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __call_site {
    () => {
        $crate::CallSite {
            file: ::core::file!(),
            line: ::core::line!(),
            func: ::core::option::Option::Some($crate::__function_name!()),
            module_path: ::core::option::Option::Some(::core::module_path!()),
        }
    };
}

/// Logs at a level on the root logger, or on a given logger: `log!(Level::INFO, "x {}", 1)`,
/// `log!(logger: &db, Level::INFO, "x")`. Fills `funcName`.
#[macro_export]
macro_rules! log {
    (logger: $logger:expr, $level:expr, $($arg:tt)+) => {{
        let logger: &$crate::Logger = &$logger;
        let level: $crate::Level = $level;
        if logger.is_enabled_for(level) {
            logger.log_at(level, $crate::__call_site!(), &::core::format_args!($($arg)+), &[], None);
        }
    }};
    ($level:expr, $($arg:tt)+) => {
        $crate::root_log($level, $crate::__call_site!(), ::core::format_args!($($arg)+))
    };
}

/// Python's `logging.debug(...)` on the root logger (configuring it on first use), or
/// `logger.debug(...)` on a given logger: `debug!(logger: &db, "x {}", 1)`. Fills `funcName`.
#[macro_export]
macro_rules! debug {
    (logger: $logger:expr, $($arg:tt)+) => {
        $crate::log!(logger: $logger, $crate::Level::DEBUG, $($arg)+)
    };
    ($($arg:tt)+) => { $crate::log!($crate::Level::DEBUG, $($arg)+) };
}

/// Python's `logging.info(...)` on the root logger (configuring it on first use), or
/// `logger.info(...)` on a given logger: `info!(logger: &db, "x {}", 1)`. Fills `funcName`.
#[macro_export]
macro_rules! info {
    (logger: $logger:expr, $($arg:tt)+) => {
        $crate::log!(logger: $logger, $crate::Level::INFO, $($arg)+)
    };
    ($($arg:tt)+) => { $crate::log!($crate::Level::INFO, $($arg)+) };
}

/// Python's `logging.warning(...)` on the root logger (configuring it on first use), or
/// `logger.warning(...)` on a given logger: `warning!(logger: &db, "x {}", 1)`. Fills `funcName`.
#[macro_export]
macro_rules! warning {
    (logger: $logger:expr, $($arg:tt)+) => {
        $crate::log!(logger: $logger, $crate::Level::WARNING, $($arg)+)
    };
    ($($arg:tt)+) => { $crate::log!($crate::Level::WARNING, $($arg)+) };
}

/// Python's `logging.error(...)` on the root logger (configuring it on first use), or
/// `logger.error(...)` on a given logger: `error!(logger: &db, "x {}", 1)`. Fills `funcName`.
#[macro_export]
macro_rules! error {
    (logger: $logger:expr, $($arg:tt)+) => {
        $crate::log!(logger: $logger, $crate::Level::ERROR, $($arg)+)
    };
    ($($arg:tt)+) => { $crate::log!($crate::Level::ERROR, $($arg)+) };
}

/// Python's `logging.critical(...)` on the root logger (configuring it on first use), or
/// `logger.critical(...)` on a given logger: `critical!(logger: &db, "x {}", 1)`. Fills `funcName`.
#[macro_export]
macro_rules! critical {
    (logger: $logger:expr, $($arg:tt)+) => {
        $crate::log!(logger: $logger, $crate::Level::CRITICAL, $($arg)+)
    };
    ($($arg:tt)+) => { $crate::log!($crate::Level::CRITICAL, $($arg)+) };
}
