//! `WatchedFileHandler`: a file handler that notices when its file was moved or deleted (by
//! logrotate, newsyslog or a person) and reopens it. Python: `logging.handlers.WatchedFileHandler`.
//!
//! Before each record it compares the device and inode of the path with those of the open file, as
//! CPython does; a missing or replaced file is reopened at the path.
//!
//! ```no_run
//! use pylog_core::WatchedFileHandler;
//! let handler = WatchedFileHandler::builder("/var/log/app.log").build()?;
//! # Ok::<(), pylog_core::Error>(())
//! ```

use std::io;
use std::path::Path;
use std::sync::Mutex;

use super::file::{FileHandlerBuilder, file_options};
use super::log_file::LogFile;
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::error::Error;
use crate::record::LogRecord;

/// Reopens its file when it was moved or deleted. Python: `logging.handlers.WatchedFileHandler`.
pub struct WatchedFileHandler {
    file: Mutex<LogFile>,
}

impl WatchedFileHandler {
    /// A builder for a watched file handler on `path` (the same options as [`FileHandler`]).
    ///
    /// [`FileHandler`]: super::FileHandler
    pub fn builder(path: impl AsRef<Path>) -> WatchedFileHandlerBuilder {
        WatchedFileHandlerBuilder {
            file: FileHandlerBuilder::new(path.as_ref()),
        }
    }
}

impl Emit for WatchedFileHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        let text = ctx.format(record)?;
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        // CPython's reopenIfNeeded: only an open stream is checked (a delayed one opens below).
        if file.is_open() && !file.is_still_at_path()? {
            file.release()?;
            file.open()?;
        }
        file.write(text.as_bytes(), record)?;
        Ok(())
    }

    fn flush(&self) -> io::Result<()> {
        self.file.lock().unwrap_or_else(|e| e.into_inner()).flush()
    }

    fn close(&self) -> io::Result<()> {
        self.file.lock().unwrap_or_else(|e| e.into_inner()).close()
    }

    fn reads_extras(&self) -> bool {
        false
    }

    fn kind(&self) -> &'static str {
        "WatchedFileHandler"
    }

    fn describe(&self) -> String {
        let file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.path().display().to_string()
    }
}

/// Options for a [`WatchedFileHandler`]; see [`WatchedFileHandler::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct WatchedFileHandlerBuilder {
    file: FileHandlerBuilder,
}

impl WatchedFileHandlerBuilder {
    file_options!();

    /// Opens the file (unless delayed) and returns the handler.
    pub fn build(self) -> Result<Handler, Error> {
        let file = self.file.open_log_file()?;
        Ok(Handler::new(WatchedFileHandler {
            file: Mutex::new(file),
        }))
    }
}
