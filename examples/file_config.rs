//! Python's logging HOWTO, "Configuring Logging" with a config file: `examples/logging.ini` read by
//! fileConfig's rules (`args=(sys.stdout,)` included), then the HOWTO's five messages.
//!
//! ```python
//! import logging, logging.config
//! logging.config.fileConfig('logging.ini')
//! logger = logging.getLogger('simpleExample')
//! logger.debug('debug message')
//! logger.info('info message')
//! logger.warning('warn message')
//! logger.error('error message')
//! logger.critical('critical message')
//! ```
//!
//! Run with `cargo run --example file_config [FILE]`; it prints, as CPython does:
//! ```text
//! 2026-12-01 22:30:00,123 - simpleExample - DEBUG - debug message
//! 2026-12-01 22:30:00,123 - simpleExample - INFO - info message
//! ...
//! ```

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/examples/logging.ini").to_owned());
    pylog::config::file_config(&path)?;

    let logger = pylog::get_logger("simpleExample");
    logger.debug("debug message");
    logger.info("info message");
    logger.warning("warn message");
    logger.error("error message");
    logger.critical("critical message");
    Ok(())
}
