//! Python's logging cookbook, "Using file rotation": a logger with a `RotatingFileHandler` that
//! rolls its file over when it would reach `max_bytes`, keeping `backup_count` old files, fed by
//! `tracing` events.
//!
//! ```python
//! import glob, logging, logging.handlers, os
//!
//! LOG_FILENAME = 'rotating-example/app.log'
//! os.makedirs('rotating-example', exist_ok=True)
//!
//! my_logger = logging.getLogger('MyLogger')
//! my_logger.setLevel(logging.DEBUG)
//! handler = logging.handlers.RotatingFileHandler(LOG_FILENAME, maxBytes=200, backupCount=5)
//! handler.setFormatter(logging.Formatter('%(levelname)s %(name)s: %(message)s'))
//! my_logger.addHandler(handler)
//!
//! for i in range(50):
//!     my_logger.debug('i = %d', i)
//!
//! for filename in sorted(glob.glob(LOG_FILENAME + '*')):
//!     print(filename, os.path.getsize(filename))
//! ```
//!
//! Run with `cargo run --example rotating [DIR]` (default `./rotating-example`; any `app.log*` left
//! there by an earlier run is removed first, so every run starts afresh). It prints the files,
//! sorted, with their sizes in bytes (the same files and sizes as CPython 3.11 gives for the Python
//! above):
//! ```text
//! rotating-example/app.log    23
//! rotating-example/app.log.1  184
//! rotating-example/app.log.2  184
//! rotating-example/app.log.3  184
//! rotating-example/app.log.4  184
//! rotating-example/app.log.5  183
//! ```
//! A record is a line of 22 or 23 bytes (`DEBUG MyLogger: i = 42`), so a file takes 8 of them: a
//! ninth would bring it to 200 bytes or more, so it starts a new file. `app.log` holds the newest
//! record (`i = 49`), `app.log.5` the oldest kept (`i = 9` … `i = 16`); `i = 0` … `i = 8` were in
//! files deleted when they would have become `app.log.6`.

use std::path::{Path, PathBuf};

use pylog::{Formatter, Level, RotatingFileHandler};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "rotating-example".to_owned()),
    );
    std::fs::create_dir_all(&dir)?;
    remove_old_files(&dir, "app.log")?;
    let log_filename = dir.join("app.log");

    // my_logger = logging.getLogger('MyLogger'); my_logger.setLevel(logging.DEBUG)
    let my_logger = pylog::get_logger("MyLogger");
    my_logger.set_level(Level::DEBUG);
    // RotatingFileHandler(LOG_FILENAME, maxBytes=200, backupCount=5)
    my_logger.add_handler(
        RotatingFileHandler::builder(&log_filename)
            .max_bytes(200)
            .backup_count(5)
            .build()?
            .with_formatter(Formatter::new("%(levelname)s %(name)s: %(message)s")?),
    );
    // Route `tracing` events (and `log` records) to the logger tree.
    pylog::install()?;

    for i in 0..50 {
        tracing::debug!(target: "MyLogger", "i = {i}");
    }
    // Close the files, as Python does at exit.
    pylog::shutdown();

    for (path, size) in log_files(&dir, "app.log")? {
        println!("{:<27} {size}", path.display());
    }
    Ok(())
}

/// The files of `dir` whose names start with `prefix`, sorted, with their sizes.
fn log_files(dir: &Path, prefix: &str) -> std::io::Result<Vec<(PathBuf, u64)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(prefix) {
            files.push((entry.path(), entry.metadata()?.len()));
        }
    }
    files.sort();
    Ok(files)
}

/// Removes what an earlier run left, so that every run starts from an empty log.
fn remove_old_files(dir: &Path, prefix: &str) -> std::io::Result<()> {
    for (path, _) in log_files(dir, prefix)? {
        std::fs::remove_file(path)?;
    }
    Ok(())
}
