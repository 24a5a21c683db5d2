//! `RotatingFileHandler`: a file that rolls over at a size. Python:
//! `logging.handlers.RotatingFileHandler`.
//!
//! The record that would bring the file to `max_bytes` or more starts a new file: `app.log` becomes
//! `app.log.1`, `app.log.1` becomes `app.log.2`, … up to `backup_count`. As in CPython the size test
//! is `size + len(text + "\n") >= max_bytes` with the length in characters; `max_bytes = 0` never
//! rotates, and neither does `backup_count = 0` (the file just keeps growing).
//!
//! With [`shared`](RotatingFileHandlerBuilder::shared), several processes can write and rotate one
//! file safely: each record is written under an exclusive lock on `app.log.lock`, after checking
//! that `app.log` is still the file this process has open and measuring its size. Use it too when
//! another program appends to the same file: without it, the handler counts its own writes and
//! measures the file only when a record would cross `max_bytes`. The lock file is created with
//! `O_NOFOLLOW`, writable only by those who may write the log, and a record waits for it at most
//! [`lock_timeout`](RotatingFileHandlerBuilder::lock_timeout): a lock held longer (by a stuck or
//! hostile process) is reported once per burst and the record is written without it.
//!
//! ```no_run
//! use pylog_core::RotatingFileHandler;
//! let handler = RotatingFileHandler::builder("app.log")
//!     .max_bytes(1 << 20)
//!     .backup_count(5)
//!     .build()?;
//! # Ok::<(), pylog_core::Error>(())
//! ```

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use super::file::file_options;
use super::file::{FileHandlerBuilder, FileMode};
use super::log_file::LogFile;
use super::rotation::{
    RotationHooks, remove_if_exists, rename, rotation_hook_options, with_suffix,
};
use super::shared_lock::{Acquired, DEFAULT_LOCK_TIMEOUT, SharedLock};
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::error::Error;
use crate::record::LogRecord;

/// Rotates its file by size. Python: `logging.handlers.RotatingFileHandler`.
pub struct RotatingFileHandler {
    state: Mutex<State>,
    max_bytes: u64,
    backup_count: u32,
    delay: bool,
    hooks: RotationHooks,
    /// concurrent-log-handler's rule: roll over once the file has reached `max_bytes`.
    at_limit: bool,
}

struct State {
    file: LogFile,
    /// The lock file of the shared (multi-process) mode.
    lock: Option<SharedLock>,
    /// The last rollover failed (a directory in the backup chain, a read-only directory): the
    /// failure was reported, and the next ones are not until a rollover succeeds again.
    rollover_failing: bool,
}

impl RotatingFileHandler {
    /// A builder for a rotating handler on `path`.
    ///
    /// # Default values
    /// | option | default | Python |
    /// |---|---|---|
    /// | `max_bytes` | 0 (never rotate) | `maxBytes=0` |
    /// | `backup_count` | 0 (never rename) | `backupCount=0` |
    /// | mode | append (forced when `max_bytes > 0`) | `mode='a'` |
    /// | delay | `false` | `delay=False` |
    /// | namer, rotator | none: `app.log.N`, a rename | `namer=None`, `rotator=None` |
    /// | gzip | `false` | — |
    /// | shared | `false` | — |
    /// | lock_timeout | 2 s | — |
    /// | no_follow | `false` | — |
    pub fn builder(path: impl AsRef<Path>) -> RotatingFileHandlerBuilder {
        RotatingFileHandlerBuilder {
            file: FileHandlerBuilder::new(path.as_ref()),
            max_bytes: 0,
            backup_count: 0,
            hooks: RotationHooks::default(),
            gzip: false,
            shared: false,
            at_limit: false,
            lock_path: None,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }

    /// CPython's `shouldRollover`, with `len(text)` the length of the record's line in characters.
    ///
    /// CPython measures the open file (`seek(0, 2)`, `tell()`) before every record. Here the
    /// handler counts its own writes and measures the file only when that count says this record
    /// would cross `max_bytes`, so a file emptied by logrotate's `copytruncate` is never rotated
    /// early, at one system call per rollover instead of one per record. In the shared mode, where
    /// other writers are expected, the file is measured for every record (under the lock).
    fn should_rollover(
        &self,
        file: &mut LogFile,
        line_chars: u64,
        shared: bool,
    ) -> io::Result<bool> {
        file.ensure_open()?;
        if !file.is_regular() || self.max_bytes == 0 {
            return Ok(false);
        }
        if self.at_limit {
            // concurrent-log-handler: the file's size alone, measured every time.
            file.refresh_size()?;
            return Ok(file.size() >= self.max_bytes);
        }
        if shared || file.size() + line_chars >= self.max_bytes {
            file.refresh_size()?;
        }
        Ok(file.size() + line_chars >= self.max_bytes)
    }

    /// CPython's `doRollover`.
    fn do_rollover(&self, file: &mut LogFile) -> io::Result<()> {
        file.release()?;
        if self.at_limit && self.backup_count == 0 {
            // concurrent-log-handler keeps no backup: it reopens the file with mode 'w'.
            std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(file.path())?;
        }
        if self.backup_count > 0 {
            let base = file.path().to_path_buf();
            let name = |i: u32| {
                self.hooks
                    .rotation_filename(with_suffix(&base, &format!(".{i}")))
            };
            for i in (1..self.backup_count).rev() {
                let source = name(i);
                let dest = name(i + 1);
                if source.exists() {
                    remove_if_exists(&dest)?;
                    rename(&source, &dest)?;
                }
            }
            let dest = name(1);
            remove_if_exists(&dest)?;
            self.hooks.rotate(&base, &dest)?;
        }
        if !self.delay {
            file.open()?;
        }
        Ok(())
    }

    /// Rolls over if this record calls for it. A failed rollover is reported for the first record
    /// of a burst of failures only (it is tried again for each record, and the burst ends when
    /// one succeeds); the record is written to the current file either way.
    fn rollover_if_due(
        &self,
        file: &mut LogFile,
        line_chars: u64,
        shared: bool,
        failing: &mut bool,
    ) -> io::Result<()> {
        let result = match self.should_rollover(file, line_chars, shared) {
            Ok(true) => self.do_rollover(file),
            Ok(false) => Ok(()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                *failing = false;
                Ok(())
            }
            Err(_) if *failing => Ok(()),
            Err(e) => {
                *failing = true;
                Err(e)
            }
        }
    }

    /// The multi-process check: the file at the path may have been rotated by another process.
    fn follow_other_processes(file: &mut LogFile) -> io::Result<()> {
        if file.is_open() && !file.is_still_at_path()? {
            file.release()?;
        }
        file.ensure_open()
    }
}

/// The length of a line as CPython's `len()` counts it: characters, not bytes.
pub(crate) fn python_len(text: &str) -> u64 {
    if text.is_ascii() {
        text.len() as u64
    } else {
        text.chars().count() as u64
    }
}

impl Emit for RotatingFileHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        let text = ctx.format(record)?;
        text.push('\n');
        let line_chars = python_len(text);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let State {
            file,
            lock,
            rollover_failing,
        } = &mut *state;
        let Some(lock) = lock.as_mut() else {
            // A failed rotation is reported, but the record is still written to the current file.
            let rotated = self.rollover_if_due(file, line_chars, false, rollover_failing);
            file.write(text.as_bytes(), record)?;
            rotated?;
            return Ok(());
        };
        match lock.acquire()? {
            Acquired::Locked => {
                let result = (|| {
                    Self::follow_other_processes(file)?;
                    let rotated = self.rollover_if_due(file, line_chars, true, rollover_failing);
                    file.write(text.as_bytes(), record)?;
                    rotated
                })();
                lock.release()?;
                result?;
            }
            Acquired::Busy { report } => {
                // Another process holds the lock too long: the record is written without it,
                // to the file now at the path, and never rotates it.
                Self::follow_other_processes(file)?;
                file.write(text.as_bytes(), record)?;
                if report {
                    return Err(lock.stale_error().into());
                }
            }
        }
        Ok(())
    }

    fn flush(&self) -> io::Result<()> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .file
            .flush()
    }

    fn close(&self) -> io::Result<()> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .file
            .close()
    }

    fn kind(&self) -> &'static str {
        "RotatingFileHandler"
    }

    fn describe(&self) -> String {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.file.path().display().to_string()
    }
}

/// Options for a [`RotatingFileHandler`]; see [`RotatingFileHandler::builder`].
#[must_use]
pub struct RotatingFileHandlerBuilder {
    file: FileHandlerBuilder,
    max_bytes: u64,
    backup_count: u32,
    hooks: RotationHooks,
    gzip: bool,
    shared: bool,
    at_limit: bool,
    lock_path: Option<PathBuf>,
    lock_timeout: Duration,
}

impl std::fmt::Debug for RotatingFileHandlerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotatingFileHandlerBuilder")
            .field("file", &self.file)
            .field("max_bytes", &self.max_bytes)
            .field("backup_count", &self.backup_count)
            .field("hooks", &self.hooks)
            .field("gzip", &self.gzip)
            .field("shared", &self.shared)
            .field("lock_timeout", &self.lock_timeout)
            .finish()
    }
}

impl RotatingFileHandlerBuilder {
    /// Roll over before a record would bring the file to this size (Python's `maxBytes`); 0 never.
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Keep this many rotated files, `app.log.1` the newest (Python's `backupCount`).
    pub fn backup_count(mut self, backup_count: u32) -> Self {
        self.backup_count = backup_count;
        self
    }

    file_options!();

    rotation_hook_options!();

    /// Let several processes write and rotate this file: every record is written under an
    /// exclusive lock on `<file>.lock`, after reopening the file if another process rotated it.
    pub fn shared(mut self, shared: bool) -> Self {
        self.shared = shared;
        self
    }

    /// concurrent-log-handler's `ConcurrentRotatingFileHandler` rules: shared, with its lock file
    /// (`.__app.lock` beside `app.log`, so that Python processes using it and this handler lock
    /// each other out), rolling over once the file has reached `max_bytes` (the record that
    /// crosses the limit stays in the file), and truncating the file instead when
    /// `backup_count` is 0.
    pub fn concurrent_log_handler_rules(mut self) -> Self {
        self.shared = true;
        self.at_limit = true;
        let path = self.file.path().to_path_buf();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.strip_suffix(".log").unwrap_or(&name);
        self.lock_path = Some(path.with_file_name(format!(".__{stem}.lock")));
        self
    }

    /// In the shared mode, how long a record waits for a lock another process holds (default
    /// 2 s). Past it the record is written without the lock and the stale lock is reported once;
    /// see the handler's docs.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// Opens the file (unless delayed) and returns the handler.
    pub fn build(self) -> Result<Handler, Error> {
        let mut file_builder = self.file;
        if self.max_bytes > 0 {
            file_builder = file_builder.mode(FileMode::Append);
        }
        let delay = file_builder.is_delayed();
        let file = file_builder.open_log_file()?;
        let lock = if self.shared {
            let lock_path = self
                .lock_path
                .clone()
                .unwrap_or_else(|| with_suffix(file.path(), ".lock"));
            Some(
                SharedLock::open(lock_path.clone(), file.path(), self.lock_timeout)
                    .map_err(|e| Error::open_file(&lock_path, e))?,
            )
        } else {
            None
        };
        let hooks = match self.gzip {
            #[cfg(feature = "gzip")]
            true => self.hooks.gzip(),
            _ => self.hooks,
        };
        Ok(Handler::new(RotatingFileHandler {
            state: Mutex::new(State {
                file,
                lock,
                rollover_failing: false,
            }),
            max_bytes: self.max_bytes,
            backup_count: self.backup_count,
            delay,
            hooks,
            at_limit: self.at_limit,
        }))
    }
}
