//! `RotatingFileHandler`: a file that rolls over at a size, and optionally at times too. Python:
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
//! Beyond CPython, one handler does what is usually split up:
//! - **time too**: [`when`](RotatingFileHandlerBuilder::when) and
//!   [`interval`](RotatingFileHandlerBuilder::interval) add the rules of
//!   `TimedRotatingFileHandler` (roll at midnight *and* past 100 MiB); whichever trigger comes
//!   first rolls the file into the same numbered backups. In the shared mode the processes roll
//!   once per period between them (the next rollover time is kept in the lock file).
//! - **retention** by count (`backup_count`), by age
//!   ([`max_age`](RotatingFileHandlerBuilder::max_age)) and by the total size of the backups
//!   ([`max_total_bytes`](RotatingFileHandlerBuilder::max_total_bytes)), in any combination,
//!   applied at every rollover and at start from the files present.
//! - **compression** ([`compression`](RotatingFileHandlerBuilder::compression): gzip, or zstd with
//!   the feature `zstd`) on the handler's own thread: the logging thread only renames. A backup
//!   is compressed into a temporary file, synced, renamed to `app.log.N.gz`, and only then is the
//!   plain file removed, so a crash leaves one of the two complete and loses none.
//! - **dated names** ([`dated`](RotatingFileHandlerBuilder::dated)): the active file carries its
//!   period's date (`logs/app.2026-12-03.log`), a time rollover starts the next period's file,
//!   a size rollover numbers the period's file (`app.2026-12-03.log.1`), and a stable name
//!   ([`current_symlink`](RotatingFileHandlerBuilder::current_symlink) or
//!   [`current_hard_link`](RotatingFileHandlerBuilder::current_hard_link)) always names the
//!   active file.
//!
//! ```no_run
//! use std::time::Duration;
//! use pylog_core::{Compression, RotatingFileHandler, When};
//! let handler = RotatingFileHandler::builder("app.log")
//!     .max_bytes(100 << 20)
//!     .when(When::Midnight)
//!     .max_age(Duration::from_secs(14 * 86_400))
//!     .max_total_bytes(1 << 30)
//!     .compression(Compression::Gzip)
//!     .build()?;
//! # Ok::<(), pylog_core::Error>(())
//! ```
//!
//! ```no_run
//! use pylog_core::RotatingFileHandler;
//! let handler = RotatingFileHandler::builder("app.log")
//!     .max_bytes(1 << 20)
//!     .backup_count(5)
//!     .build()?;
//! # Ok::<(), pylog_core::Error>(())
//! ```
//!
//! Dated files, a day each (and past 100 MiB, `.1`, `.2` … within the day), with `logs/app.log`
//! a symbolic link to the one being written:
//!
//! ```no_run
//! use pylog_core::{RotatingFileHandler, When};
//! let handler = RotatingFileHandler::builder("logs/app.log")
//!     .dated(true)                        // logs/app.2026-12-03.log
//!     .when(When::Midnight)
//!     .max_bytes(100 << 20)               // logs/app.2026-12-03.log.1
//!     .backup_count(30)
//!     .current_symlink("logs/app.log")    // -> app.2026-12-03.log
//!     .build()?;
//! # Ok::<(), pylog_core::Error>(())
//! ```

mod builder;

pub use builder::RotatingFileHandlerBuilder;

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::backups::Backups;
use super::compress::{self, CompressWorker, Compression};
use super::dated_mode::DatedMode;
use super::log_file::LogFile;
use super::rotation::with_suffix;
use super::schedule::Schedule;
use super::shared_lock::{Acquired, SharedLock};
use super::{Emit, EmitContext, HandlerError};
use crate::clock::Clock;
use crate::record::LogRecord;

/// Rotates its file by size, and optionally by time too. Python:
/// `logging.handlers.RotatingFileHandler`.
pub struct RotatingFileHandler {
    inner: Arc<Inner>,
    /// Compresses rotated files off the logging thread (with a compression only).
    worker: Option<CompressWorker>,
}

/// What the logging threads and the compression worker share.
struct Inner {
    state: Mutex<State>,
    max_bytes: u64,
    delay: bool,
    /// concurrent-log-handler's rule: roll over once the file has reached `max_bytes`.
    at_limit: bool,
    backups: Backups,
    /// The time trigger, if any.
    schedule: Option<Schedule>,
    clock: Arc<dyn Clock>,
    compression: Option<Compression>,
    /// An error of the compression worker, reported with the next record (or by `close`).
    worker_error: Mutex<Option<io::Error>>,
    /// Whether `worker_error` may hold an error: records look here, not at the mutex.
    worker_error_pending: AtomicBool,
    /// The dated mode: the active file carries its period's date.
    dated: Option<DatedMode>,
}

struct State {
    file: LogFile,
    /// The lock file of the shared (multi-process) mode.
    lock: Option<SharedLock>,
    /// The last rollover failed (a directory in the backup chain, a read-only directory): the
    /// failure was reported, and the next ones are not until a rollover succeeds again.
    rollover_failing: bool,
    /// When the time trigger fires next (CPython's `rolloverAt`); unused without a schedule.
    rollover_at: i64,
    /// A hard stable name waits for the (delayed) active file to exist.
    link_pending: bool,
}

impl Inner {
    /// CPython's `shouldRollover`, with `len(text)` the length of the record's line in characters.
    ///
    /// CPython measures the open file (`seek(0, 2)`, `tell()`) before every record. Here the
    /// handler counts its own writes and measures the file only when that count says this record
    /// would cross `max_bytes`, so a file emptied by logrotate's `copytruncate` is never rotated
    /// early, at one system call per rollover instead of one per record. In the shared mode, where
    /// other writers are expected, the file is measured for every record (under the lock).
    ///
    /// CPython compares the line's length in characters; a line has no more characters than
    /// bytes, so one that fits in bytes fits in characters too, and only a line that may not is
    /// counted.
    fn should_rollover(&self, file: &mut LogFile, line: &str, shared: bool) -> io::Result<bool> {
        file.ensure_open()?;
        if !file.is_regular() || self.max_bytes == 0 {
            return Ok(false);
        }
        if self.at_limit {
            // concurrent-log-handler: the file's size alone, measured every time.
            file.refresh_size()?;
            return Ok(file.size() >= self.max_bytes);
        }
        let crosses = |file: &LogFile| {
            file.size() + line.len() as u64 >= self.max_bytes
                && file.size() + python_len(line) >= self.max_bytes
        };
        if shared || crosses(file) {
            file.refresh_size()?;
        }
        Ok(crosses(file))
    }

    /// CPython's `doRollover`, then retention and a compression request.
    fn do_rollover(&self, file: &mut LogFile, now: i64) -> io::Result<()> {
        file.release()?;
        if self.at_limit && !self.backups.rotates() {
            // concurrent-log-handler keeps no backup: it reopens the file with mode 'w'.
            std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(file.path())
                .map_err(|e| super::open_error(file.path(), e))?;
        }
        let rotated = if let Some(dated) = &self.dated {
            dated.size_rollover(file.path(), now)
        } else if self.backups.rotates() {
            self.backups
                .shift()
                .and_then(|dest| self.backups.stamp(&dest, now))
                .and_then(|()| self.backups.apply_retention(now, true))
        } else {
            Ok(())
        };
        if !self.delay {
            file.open()?;
        }
        rotated
    }

    /// Whether the time trigger fires at `now`. In the shared mode, a rollover another process
    /// already did for this period (recorded in the lock file) is adopted instead of repeated.
    fn time_due(&self, state: &mut State, now: i64) -> io::Result<bool> {
        let Some(schedule) = &self.schedule else {
            return Ok(false);
        };
        if now < state.rollover_at {
            return Ok(false);
        }
        if let Some(lock) = &state.lock
            && let Some(at) = lock.rollover_at()?
            && at > now
        {
            state.rollover_at = at;
            return Ok(false);
        }
        if !state.file.is_regular() {
            state.rollover_at = schedule.compute_rollover(now);
            return Ok(false);
        }
        Ok(true)
    }

    /// Sets the next time rollover after one done at `now`, for every process in the shared mode.
    fn schedule_next(&self, state: &mut State, now: i64) -> io::Result<()> {
        if let Some(schedule) = &self.schedule {
            state.rollover_at = schedule.next_rollover(now);
            if let Some(lock) = &state.lock {
                lock.store_rollover_at(state.rollover_at)?;
            }
        }
        Ok(())
    }

    /// Rolls over if this record calls for it, by size or by time: in the dated mode a time
    /// rollover starts the next period's file and then the size is checked in that file; in the
    /// numbered mode either trigger makes `app.log` `app.log.1`. A failed rollover is reported
    /// for the first record of a burst of failures only (it is tried again for each record, and
    /// the burst ends when one succeeds); the record is written to the current file either way.
    fn rollover_if_due(
        &self,
        state: &mut State,
        line: &str,
        shared: bool,
        now: i64,
        rolled: &mut bool,
    ) -> io::Result<()> {
        let result = (|| {
            if let (Some(dated), Some(schedule)) = (&self.dated, &self.schedule)
                && dated.time_rollover(
                    schedule,
                    &mut state.file,
                    state.lock.as_ref(),
                    &mut state.rollover_at,
                    now,
                )?
            {
                *rolled = true;
            }
            let by_size = self.should_rollover(&mut state.file, line, shared)?;
            let by_time = self.dated.is_none() && self.time_due(state, now)?;
            if !(by_size || by_time) {
                return Ok(());
            }
            *rolled = true;
            let done = self.do_rollover(&mut state.file, now);
            let scheduled = if by_time {
                self.schedule_next(state, now)
            } else {
                Ok(())
            };
            done.and(scheduled)
        })();
        match result {
            Ok(()) => {
                state.rollover_failing = false;
                Ok(())
            }
            Err(_) if state.rollover_failing => Ok(()),
            Err(e) => {
                state.rollover_failing = true;
                Err(e)
            }
        }
    }

    /// The shared dated mode: follows another process to the period it started. Returns
    /// whether the file changed.
    fn adopt_shared_period(&self, state: &mut State) -> io::Result<bool> {
        match (&self.dated, &self.schedule, &state.lock) {
            (Some(dated), Some(schedule), Some(lock)) => {
                dated.adopt_shared_period(schedule, &mut state.file, lock, &mut state.rollover_at)
            }
            _ => Ok(false),
        }
    }

    /// Points the stable name (if any) at the active file, after the file changed.
    fn update_link(&self, state: &mut State) -> io::Result<()> {
        if let Some(link) = self.dated.as_ref().and_then(DatedMode::link) {
            link.point_to(state.file.path())?;
            state.link_pending = false;
        }
        Ok(())
    }

    /// Deletes the backups retention does not keep, the active file being `active`; with
    /// `pending`, plain files waiting for compression count as nothing toward the total size.
    fn apply_retention(&self, active: &Path, now: i64, pending: bool) -> io::Result<()> {
        match &self.dated {
            Some(dated) => dated.apply_retention(active, now, pending),
            None => self.backups.apply_retention(now, pending),
        }
    }

    /// Runs `f` holding the handler's lock (and the lock file in the shared mode). When another
    /// process holds the lock file past the bound, `f` is not run and `None` is returned; the
    /// first time of a burst, the stale lock is reported with the next record.
    fn with_locks<T>(&self, f: impl FnOnce(&mut State) -> io::Result<T>) -> io::Result<Option<T>> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let state = &mut *state;
        if let Some(lock) = state.lock.as_mut() {
            match lock.acquire()? {
                Acquired::Locked => {}
                Acquired::Busy { report } => {
                    if report {
                        self.report_worker_error(lock.stale_error());
                    }
                    return Ok(None);
                }
            }
        }
        let result = f(state);
        if let Some(lock) = state.lock.as_ref() {
            lock.release()?;
        }
        result.map(Some)
    }

    fn now(&self) -> i64 {
        self.clock.now().trunc() as i64
    }

    /// The worker's job: compress every plain backup, then apply retention to the new sizes.
    fn compress_backups(&self) {
        let Some(compression) = self.compression else {
            return;
        };
        let plain = match &self.dated {
            Some(dated) => {
                let active = {
                    let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                    state.file.path().to_path_buf()
                };
                dated.plain_backups(&active)
            }
            None => Ok(self.backups.plain_backups()),
        };
        match plain {
            Ok(plain) => {
                for plain in plain {
                    if let Err(e) = self.compress_backup(compression, &plain) {
                        self.report_worker_error(e);
                    }
                }
            }
            Err(e) => self.report_worker_error(e),
        }
        let retained =
            self.with_locks(|state| self.apply_retention(state.file.path(), self.now(), false));
        if let Err(e) = retained {
            self.report_worker_error(e);
        }
    }

    /// Compresses one backup: a temporary file, synced, renamed to the compressed name, and only
    /// then the plain file removed, under the handler's locks and only if the plain name still
    /// holds the file that was compressed (a rollover may have renamed it meanwhile).
    fn compress_backup(&self, compression: Compression, plain: &Path) -> io::Result<()> {
        let dest = with_suffix(plain, compression.extension());
        let Some(compressed) = compress::compress_to_temp(compression, plain, &dest)? else {
            return Ok(());
        };
        let committed = self.with_locks(|_| compressed.commit(plain, &dest));
        if !matches!(committed, Ok(Some(true))) {
            let _ = std::fs::remove_file(&compressed.temp);
        }
        committed.map(|_| ())
    }

    fn report_worker_error(&self, e: io::Error) {
        let mut slot = self.worker_error.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(e);
        }
        self.worker_error_pending.store(true, Ordering::Release);
    }

    fn take_worker_error(&self) -> Option<io::Error> {
        // A plain load per record; the flag is cleared before the slot is emptied, so an error
        // reported meanwhile sets it again and is taken with a later record.
        if !self.worker_error_pending.load(Ordering::Acquire) {
            return None;
        }
        self.worker_error_pending.store(false, Ordering::Relaxed);
        self.worker_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
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
fn python_len(text: &str) -> u64 {
    if text.is_ascii() {
        text.len() as u64
    } else {
        text.chars().count() as u64
    }
}

impl Emit for RotatingFileHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        let inner = &*self.inner;
        let text = ctx.format(record)?;
        text.push('\n');
        let now = if inner.schedule.is_some() || inner.backups.extended() {
            inner.now()
        } else {
            0
        };
        let mut rolled = false;
        let mut guard = inner.state.lock().unwrap_or_else(|e| e.into_inner());
        let state = &mut *guard;
        let acquired = match state.lock.as_mut() {
            Some(lock) => Some(lock.acquire()?),
            None => None,
        };
        match acquired {
            Some(Acquired::Busy { report }) => {
                // Another process holds the lock too long: the record is written without it,
                // to the file now at the path, and never rotates it.
                Inner::follow_other_processes(&mut state.file)?;
                state.file.write(text.as_bytes(), record)?;
                if report && let Some(lock) = state.lock.as_ref() {
                    return Err(lock.stale_error().into());
                }
            }
            _ => {
                let shared = acquired.is_some();
                let result = (|| {
                    if shared {
                        // Before anything opens the file: the file of a period another process
                        // closed may be compressed and gone.
                        if inner.adopt_shared_period(state)? {
                            rolled = true;
                        }
                        Inner::follow_other_processes(&mut state.file)?;
                    }
                    // A failed rotation is reported, but the record is still written to the
                    // current file.
                    let rotated = inner.rollover_if_due(state, text, shared, now, &mut rolled);
                    state.file.write(text.as_bytes(), record)?;
                    if rolled || state.link_pending {
                        inner.update_link(state)?;
                    }
                    rotated
                })();
                if let Some(lock) = state.lock.as_ref() {
                    lock.release()?;
                }
                drop(guard);
                if rolled && let Some(worker) = &self.worker {
                    worker.request();
                }
                result?;
            }
        }
        if let Some(e) = inner.take_worker_error() {
            return Err(e.into());
        }
        Ok(())
    }

    fn flush(&self) -> io::Result<()> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .file
            .flush()
    }

    /// Waits for the compression of rotated files, then closes the file.
    fn close(&self) -> io::Result<()> {
        if let Some(worker) = &self.worker {
            worker.drain();
        }
        self.inner
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .file
            .close()?;
        match self.inner.take_worker_error() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn reads_extras(&self) -> bool {
        false
    }

    fn kind(&self) -> &'static str {
        "RotatingFileHandler"
    }

    fn describe(&self) -> String {
        let state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
        state.file.path().display().to_string()
    }
}
