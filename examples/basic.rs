//! Python's logging tutorial, first program: logging through the root logger with no configuration.
//!
//! ```python
//! import logging
//! logging.debug('This is a debug message')
//! logging.info('This is an info message')
//! logging.warning('This is a warning message')
//! logging.error('This is an error message')
//! logging.critical('This is a critical message')
//! ```
//!
//! Run with `cargo run --example basic`. Like CPython, it prints to stderr:
//! ```text
//! WARNING:root:This is a warning message
//! ERROR:root:This is an error message
//! CRITICAL:root:This is a critical message
//! ```

fn main() {
    pylog::debug!("This is a debug message");
    pylog::info!("This is an info message");
    pylog::warning!("This is a warning message");
    pylog::error!("This is an error message");
    pylog::critical!("This is a critical message");
}
