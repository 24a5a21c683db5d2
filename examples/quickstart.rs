//! Python's logging tutorial, handler program: one logger, a console handler at WARNING and a file
//! handler at ERROR, each with its own format, fed by `tracing` events.
//!
//! ```python
//! import logging
//! logger = logging.getLogger(__name__)
//! c_handler = logging.StreamHandler()
//! f_handler = logging.FileHandler('file.log')
//! c_handler.setLevel(logging.WARNING)
//! f_handler.setLevel(logging.ERROR)
//! c_handler.setFormatter(logging.Formatter('%(name)s - %(levelname)s - %(message)s'))
//! f_handler.setFormatter(logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s'))
//! logger.addHandler(c_handler)
//! logger.addHandler(f_handler)
//! logger.warning('This is a warning')
//! logger.error('This is an error')
//! ```
//!
//! Run with `cargo run --example quickstart`. stderr shows both records, `file.log` only the error:
//! ```text
//! quickstart - WARNING - This is a warning
//! quickstart - ERROR - This is an error
//! ```
//! The file path can be given as the first argument (default `file.log`).

use pylog::{FileHandler, Formatter, Level, StreamHandler};

fn main() -> Result<(), pylog::Error> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "file.log".to_owned());

    // The logger for this module: tracing's default target is the module path, `quickstart`.
    let logger = pylog::get_logger(module_path!());
    logger.add_handler(
        StreamHandler::stderr()
            .with_level(Level::WARNING)
            .with_formatter(Formatter::new("%(name)s - %(levelname)s - %(message)s")?),
    );
    logger.add_handler(
        FileHandler::builder(&path)
            .build()?
            .with_level(Level::ERROR)
            .with_formatter(Formatter::new(
                "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
            )?),
    );
    pylog::install()?;

    tracing::warn!("This is a warning");
    tracing::error!("This is an error");
    Ok(())
}
