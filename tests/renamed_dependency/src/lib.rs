//! Uses every pylog macro through a renamed dependency (`pylogging = { package = "pylog" }`), so a
//! macro that names its own crate instead of `$crate` fails to compile here.

use pylogging::{Level, Logger};

/// Logs once through each macro: the root-logger macros, `log!` with and without `logger:`, and
/// `event!` with and without a target.
pub fn log_through_every_macro(logger: &Logger) {
    pylogging::debug!("debug {}", 1);
    pylogging::info!("info {}", 2);
    pylogging::warning!("warning {}", 3);
    pylogging::error!("error {}", 4);
    pylogging::critical!("critical {}", 5);
    pylogging::log!(Level::WARNING, "log {}", 6);
    pylogging::log!(logger: logger, Level::ERROR, "log on a logger {}", 7);
    pylogging::event!(target: "renamed", Level::CRITICAL, "event {}", 8);
    pylogging::event!(Level::new(25), "event {}", 9);
}
