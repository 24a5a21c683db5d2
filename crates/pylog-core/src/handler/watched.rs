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
#[cfg(unix)]
use std::path::PathBuf;
use std::sync::Mutex;

use super::file::{FileHandlerBuilder, file_options};
#[cfg(unix)]
use super::log_file::FileIdentity;
use super::log_file::LogFile;
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::error::Error;
use crate::record::LogRecord;

/// Reopens its file when it was moved or deleted. Python: `logging.handlers.WatchedFileHandler`.
pub struct WatchedFileHandler {
    file: Mutex<LogFile>,
    /// The file's path (absolute), read without the lock.
    #[cfg(unix)]
    path: PathBuf,
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
        // The path is looked at before the lock is taken, so that the lock is held for the write
        // alone. A move between this look and the write is found by the next record, as CPython's
        // would be had it come between its check and its write.
        #[cfg(unix)]
        let at_path = FileIdentity::at_path(&self.path);
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        #[cfg(unix)]
        let moved = || at_path.map(|at_path| !file.is_file_at_path(at_path));
        #[cfg(not(unix))]
        let moved = || file.is_still_at_path().map(|at_path| !at_path);
        // CPython's reopenIfNeeded: only an open stream is checked (a delayed one opens below).
        if file.is_open() && moved()? {
            file.release()?;
            file.open()?;
        }
        file.write(text.as_bytes(), record)?;
        ctx.count_emitted_locked();
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
            #[cfg(unix)]
            path: file.path().to_path_buf(),
            file: Mutex::new(file),
        }))
    }
}
