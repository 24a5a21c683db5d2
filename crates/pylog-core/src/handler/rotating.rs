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

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::backups::{Backups, Retention};
use super::compress::{self, CompressWorker, Compression};
use super::current_link::{CurrentLink, LinkKind};
use super::dated::DatedNames;
use super::file::file_options;
use super::file::{FileHandlerBuilder, FileMode};
use super::log_file::LogFile;
use super::rotation::{RotationHooks, rotation_hook_options, with_suffix};
use super::schedule::{Schedule, mtime_seconds};
use super::shared_lock::{Acquired, DEFAULT_LOCK_TIMEOUT, SharedLock};
use super::timed::When;
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::format::datefmt::Zone;
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
    dated: Option<Dated>,
}

/// What the dated mode adds: the names, the stable name, and what the size backups of one
/// period and the retention over all periods need.
struct Dated {
    names: DatedNames,
    link: Option<CurrentLink>,
    retention: Retention,
    hooks: RotationHooks,
    compressed: bool,
}

impl Dated {
    /// The numbered size backups of the active file `active`: never limited by count here (the
    /// retention over all the dated files does that), stamped for `max_age`.
    fn period_backups(&self, active: &Path) -> Backups {
        Backups::new(
            active.to_path_buf(),
            self.hooks.clone(),
            self.compressed,
            Retention {
                count: None,
                max_age: self.retention.max_age,
                max_total_bytes: None,
                keep_all_without_count: true,
            },
        )
    }
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
    /// | gzip, compression | `false`, none | — |
    /// | shared | `false` | — |
    /// | lock_timeout | 2 s | — |
    /// | no_follow | `false` | — |
    /// | when, interval, utc, at_time | none (size only), 1, `false`, midnight | — |
    /// | max_age, max_total_bytes | none | — |
    /// | dated | `false`: the file keeps its name, backups are numbered | — |
    /// | current_symlink, current_hard_link | none | — |
    /// | clock | the system clock | — |
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
            when: None,
            interval: 1,
            utc: false,
            zone: Zone::Local,
            at_time: None,
            clock: Arc::new(SystemClock),
            max_age: None,
            max_total_bytes: None,
            compression: None,
            dated: false,
            link: None,
        }
    }
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
            let backups = dated.period_backups(file.path());
            backups
                .shift()
                .and_then(|dest| backups.stamp(&dest, now))
                .and_then(|()| {
                    dated
                        .names
                        .apply_retention(file.path(), &dated.retention, now, true)
                })
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
            && let Some(at) = shared_rollover_at(lock.file())?
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
                store_rollover_at(lock.file(), state.rollover_at)?;
            }
        }
        Ok(())
    }

    /// Rolls over if this record calls for it, by size or by time. A failed rollover is reported
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
        let result = if let Some(dated) = &self.dated {
            (|| {
                if self.dated_time_rollover(dated, state, now)? {
                    *rolled = true;
                }
                if self.should_rollover(&mut state.file, line, shared)? {
                    *rolled = true;
                    self.do_rollover(&mut state.file, now)?;
                }
                Ok(())
            })()
        } else {
            self.numbered_rollover_if_due(state, line, shared, now, rolled)
        };
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

    /// The dated mode's time trigger: past the period's end, the next period's dated file
    /// becomes the active one (nothing is renamed), and the one just closed is stamped for
    /// `max_age` and falls under retention.
    fn dated_time_rollover(&self, dated: &Dated, state: &mut State, now: i64) -> io::Result<bool> {
        let Some(schedule) = &self.schedule else {
            return Ok(false);
        };
        if now < state.rollover_at {
            return Ok(false);
        }
        let (start, end) = schedule.dated_period(now);
        state.rollover_at = end;
        if let Some(lock) = &state.lock {
            store_rollover_at(lock.file(), end)?;
        }
        let next = dated.names.path_for(&schedule.civil(start));
        if next == state.file.path() {
            return Ok(false);
        }
        let closed = state.file.path().to_path_buf();
        state.file.switch_to(next)?;
        dated.period_backups(&closed).stamp(&closed, now)?;
        dated
            .names
            .apply_retention(state.file.path(), &dated.retention, now, true)?;
        Ok(true)
    }

    /// The shared dated mode: when another process started a later period (its end is in the
    /// lock file), this process follows it to that period's file before writing. Returns
    /// whether the file changed.
    fn adopt_shared_period(&self, state: &mut State) -> io::Result<bool> {
        let (Some(dated), Some(schedule), Some(lock)) = (&self.dated, &self.schedule, &state.lock)
        else {
            return Ok(false);
        };
        let Some(at) = shared_rollover_at(lock.file())? else {
            return Ok(false);
        };
        if at <= state.rollover_at {
            return Ok(false);
        }
        state.rollover_at = at;
        let (start, _) = schedule.dated_period(at - 1);
        let next = dated.names.path_for(&schedule.civil(start));
        if next == state.file.path() {
            return Ok(false);
        }
        state.file.switch_to(next)?;
        Ok(true)
    }

    /// Points the stable name (if any) at the active file, after the file changed.
    fn update_link(&self, state: &mut State) -> io::Result<()> {
        if let Some(link) = self.dated.as_ref().and_then(|d| d.link.as_ref()) {
            link.point_to(state.file.path())?;
            state.link_pending = false;
        }
        Ok(())
    }

    /// The rollover of the numbered mode: by size or time, `app.log` becomes `app.log.1`.
    fn numbered_rollover_if_due(
        &self,
        state: &mut State,
        line: &str,
        shared: bool,
        now: i64,
        rolled: &mut bool,
    ) -> io::Result<()> {
        match self.should_rollover(&mut state.file, line, shared) {
            Ok(by_size) => match self.time_due(state, now) {
                Ok(by_time) if by_size || by_time => {
                    *rolled = true;
                    let done = self.do_rollover(&mut state.file, now);
                    let scheduled = if by_time {
                        self.schedule_next(state, now)
                    } else {
                        Ok(())
                    };
                    done.and(scheduled)
                }
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
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
        if let Some(dated) = &self.dated {
            let active = {
                let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                state.file.path().to_path_buf()
            };
            match dated.names.plain_backups(&active) {
                Ok(plain) => {
                    for plain in plain {
                        if let Err(e) = self.compress_backup(compression, &plain) {
                            self.report_worker_error(e);
                        }
                    }
                }
                Err(e) => self.report_worker_error(e),
            }
            let retained = self.with_locks(|state| {
                dated
                    .names
                    .apply_retention(state.file.path(), &dated.retention, self.now(), false)
            });
            if let Err(e) = retained {
                self.report_worker_error(e);
            }
            return;
        }
        for plain in self.backups.plain_backups() {
            if let Err(e) = self.compress_backup(compression, &plain) {
                self.report_worker_error(e);
            }
        }
        if let Err(e) = self.with_locks(|_| self.backups.apply_retention(self.now(), false)) {
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
        let (source, temp) = (&compressed.source, &compressed.temp);
        let committed = self.with_locks(|_| {
            if !compress::is_same_file(plain, source)? {
                return Ok(false);
            }
            super::rotation::rename(temp, &dest)?;
            compress::sync_dir(&dest);
            super::rotation::remove(plain)?;
            Ok(true)
        });
        if !matches!(committed, Ok(Some(true))) {
            let _ = std::fs::remove_file(temp);
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

/// The next time rollover recorded in the lock file by the process that did the last one.
#[cfg(unix)]
fn shared_rollover_at(lock: &File) -> io::Result<Option<i64>> {
    use std::os::unix::fs::FileExt;
    let mut bytes = [0u8; 8];
    match lock.read_at(&mut bytes, 0) {
        Ok(8) => Ok(Some(i64::from_le_bytes(bytes))),
        Ok(_) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn shared_rollover_at(_lock: &File) -> io::Result<Option<i64>> {
    Ok(None)
}

/// Records the next time rollover in the lock file, for the other processes.
#[cfg(unix)]
fn store_rollover_at(lock: &File, at: i64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    lock.write_all_at(&at.to_le_bytes(), 0)
}

#[cfg(not(unix))]
fn store_rollover_at(_lock: &File, _at: i64) -> io::Result<()> {
    Ok(())
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
    when: Option<When>,
    interval: u32,
    utc: bool,
    zone: Zone,
    at_time: Option<(u32, u32, u32)>,
    clock: Arc<dyn Clock>,
    max_age: Option<Duration>,
    max_total_bytes: Option<u64>,
    compression: Option<Compression>,
    dated: bool,
    link: Option<(PathBuf, LinkKind)>,
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
            .field("when", &self.when)
            .field("interval", &self.interval)
            .field("utc", &self.utc)
            .field("at_time", &self.at_time)
            .field("max_age", &self.max_age)
            .field("max_total_bytes", &self.max_total_bytes)
            .field("compression", &self.compression)
            .field("dated", &self.dated)
            .field("link", &self.link)
            .finish_non_exhaustive()
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

    /// Roll over at times too (Python's `when` of `TimedRotatingFileHandler`, with its rules:
    /// `S`/`M`/`H`/`D` count `interval` units from the file's modification time, `MIDNIGHT` and
    /// `W0`–`W6` roll at midnight or `at_time`). Whichever trigger comes first rolls the file
    /// over; the backups keep this handler's names (`app.log.1` …). With a time trigger,
    /// `backup_count = 0` keeps every backup, as `TimedRotatingFileHandler`'s `backupCount=0`
    /// does (without one, CPython's `RotatingFileHandler` never renames at `backupCount=0`).
    pub fn when(mut self, when: When) -> Self {
        self.when = Some(when);
        self
    }

    /// How many `when` units between time rollovers (Python's `interval`).
    pub fn interval(mut self, interval: u32) -> Self {
        self.interval = interval;
        self
    }

    /// Use UTC for time rollovers (Python's `utc=True`).
    pub fn utc(mut self, utc: bool) -> Self {
        self.utc = utc;
        self
    }

    /// The zone for local times of the time trigger (default: the system's).
    pub fn zone(mut self, zone: Zone) -> Self {
        self.zone = zone;
        self
    }

    /// Roll over at this time of day instead of midnight (Python's `atTime`).
    pub fn at_time(mut self, hour: u32, minute: u32, second: u32) -> Self {
        self.at_time = Some((hour, minute, second));
        self
    }

    /// The clock of the time trigger and of `max_age` (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Delete backups rotated out longer ago than this, at each rollover and at start. A backup's
    /// modification time is set to the moment it was rotated out. Without `backup_count`, the
    /// number of backups is then unlimited.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Keep only the newest backups whose sizes (on disk, compressed or not) add up to at most
    /// this, at each rollover, after each compression, and at start. Without `backup_count`, the
    /// number of backups is then unlimited.
    pub fn max_total_bytes(mut self, max_total_bytes: u64) -> Self {
        self.max_total_bytes = Some(max_total_bytes);
        self
    }

    /// Compress rotated files (`app.log.1.gz`, `app.log.1.zst`) on a background thread of the
    /// handler; `close()` waits for it. Plain backups found at start (a crash before their
    /// compression finished) are compressed too. `gzip(true)` is `compression(Compression::Gzip)`.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = Some(compression);
        self
    }

    /// Dated file names: the active file carries the start of its period before the extension
    /// (`app.2026-12-03.log` for `app.log`, `app.2026-12-03_14.log` with `When::Hours`; the date
    /// formats are `TimedRotatingFileHandler`'s suffixes). Needs [`when`](Self::when).
    ///
    /// - A time rollover starts the next period's file; nothing is renamed. A restart within a
    ///   period appends to that period's file. `S`, `M`, `H` and `D` periods are aligned to the
    ///   clock here (an `H` file covers 14:00 to 15:00; CPython counts them from the file's
    ///   modification time), so that every process and every restart derives the same name;
    ///   `MIDNIGHT` and `W0`–`W6` are CPython's, with `at_time`.
    /// - A size rollover within a period numbers that period's file as the size-only handler
    ///   numbers `app.log`: `app.2026-12-03.log.1` is the newest backup of the day. The date stays
    ///   next to the stem, so a sorted listing keeps each period together, and the name a backup
    ///   gets is the one CPython's `RotatingFileHandler` would give the dated file.
    /// - Retention (`backup_count`, `max_age`, `max_total_bytes`) and compression cover every
    ///   earlier period's file and every size backup, newest first, read from the directory; the
    ///   active file is never compressed or deleted, and names of any other shape are never
    ///   touched. `backup_count` counts those files (0 keeps all, as with a time trigger).
    /// - With [`shared`](Self::shared), the process that starts a period records its end in the
    ///   lock file, and the others follow it to the new file before their next record.
    ///
    /// A `namer` cannot be combined with it (retention could not find the names it makes).
    pub fn dated(mut self, dated: bool) -> Self {
        self.dated = dated;
        self
    }

    /// With [`dated`](Self::dated): a symbolic link at `path` (e.g. `logs/app.log` or
    /// `logs/current`) always names the active file, by a path relative to the link's directory.
    /// It is replaced atomically (a new link under a temporary name, renamed over the old), once
    /// per period, by the process that starts the period. `build()` creates it, and fails with
    /// an error naming the path where symbolic links cannot be made (a FAT file system, Windows
    /// without the right to create them), or where a file that is not a symbolic link already
    /// is (it is never replaced).
    pub fn current_symlink(mut self, path: impl AsRef<Path>) -> Self {
        self.link = Some((path.as_ref().to_path_buf(), LinkKind::Symbolic));
        self
    }

    /// With [`dated`](Self::dated): a hard link at `path` to the active file, for file systems
    /// and programs without symbolic links. It must be in the same file system as the log, and
    /// it is replaced atomically at every rollover (a size rollover puts a new file under the
    /// dated name, which a hard link does not follow). A program that keeps the stable name open
    /// keeps reading the file it opened, as with any rotation; `tail -F` reopens it. A file
    /// already at `path` is replaced only if it is a hard link to one of the dated files.
    pub fn current_hard_link(mut self, path: impl AsRef<Path>) -> Self {
        self.link = Some((path.as_ref().to_path_buf(), LinkKind::Hard));
        self
    }

    /// Opens the file (unless delayed) and returns the handler.
    pub fn build(self) -> Result<Handler, Error> {
        let mut file_builder = self.file;
        if self.max_bytes > 0 {
            file_builder = file_builder.mode(FileMode::Append);
        }
        let delay = file_builder.is_delayed();
        let base = file_builder.absolute_path()?;
        let compression = match self.gzip {
            #[cfg(feature = "gzip")]
            true => Some(Compression::Gzip),
            _ => self.compression,
        };
        let schedule = match self.when {
            Some(when) => Some(Schedule::new(
                when,
                self.interval,
                self.utc,
                self.zone,
                self.at_time,
            )?),
            None => None,
        };
        let retention = Retention {
            count: (self.backup_count > 0).then_some(self.backup_count),
            max_age: self
                .max_age
                .map(|age| i64::try_from(age.as_secs()).unwrap_or(i64::MAX)),
            max_total_bytes: self.max_total_bytes,
            keep_all_without_count: schedule.is_some(),
        };
        let now = self.clock.now().trunc() as i64;
        let mut rollover_at = 0;
        let dated = match (self.dated, &schedule) {
            (false, _) => {
                if let Some((path, _)) = &self.link {
                    return Err(Error::InvalidArguments(format!(
                        "the stable name '{}' needs dated(true): without it the log's name \
                         never changes",
                        path.display()
                    )));
                }
                None
            }
            (true, None) => {
                return Err(Error::InvalidArguments(
                    "dated(true) needs a time trigger: set when(..)".to_owned(),
                ));
            }
            (true, Some(schedule)) => {
                if self.hooks.namer.is_some() {
                    return Err(Error::InvalidArguments(
                        "dated(true) cannot be combined with a namer: retention and \
                         compression find the dated files by their names"
                            .to_owned(),
                    ));
                }
                let names = DatedNames::new(&base, schedule.when, compression.is_some())?;
                let (start, end) = schedule.dated_period(now);
                rollover_at = end;
                let active = names.path_for(&schedule.civil(start));
                let link = match &self.link {
                    Some((path, kind)) => {
                        let path =
                            std::path::absolute(path).map_err(|e| Error::open_file(path, e))?;
                        let is_dated_name = path.parent() == active.parent()
                            && path
                                .file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| names.parse(n).is_some());
                        if is_dated_name {
                            return Err(Error::InvalidArguments(format!(
                                "the stable name '{}' has the shape of a dated file name",
                                path.display()
                            )));
                        }
                        Some(CurrentLink { path, kind: *kind })
                    }
                    None => None,
                };
                file_builder = file_builder.with_path(active);
                Some(Dated {
                    names,
                    link,
                    retention,
                    hooks: self.hooks.clone(),
                    compressed: compression.is_some(),
                })
            }
        };
        let existing_mtime = match dated {
            Some(_) => None,
            None => mtime_seconds(&base),
        };
        let file = file_builder.open_log_file()?;
        let lock = if self.shared {
            let lock_path = self
                .lock_path
                .clone()
                .unwrap_or_else(|| with_suffix(&base, ".lock"));
            Some(
                SharedLock::open(lock_path.clone(), file.path(), self.lock_timeout)
                    .map_err(|e| Error::open_file(&lock_path, e))?,
            )
        } else {
            None
        };
        let backups = Backups::new(base.clone(), self.hooks, compression.is_some(), retention);
        if dated.is_none() {
            // As CPython's timed handler: the first period starts at the file's modification
            // time.
            let start = existing_mtime.unwrap_or(now);
            rollover_at = schedule.as_ref().map_or(0, |s| s.compute_rollover(start));
        }
        let link_pending = dated
            .as_ref()
            .and_then(|d| d.link.as_ref())
            .is_some_and(|link| link.kind == LinkKind::Hard && !file.is_open());
        let inner = Arc::new(Inner {
            state: Mutex::new(State {
                file,
                lock,
                rollover_at,
                rollover_failing: false,
                link_pending,
            }),
            max_bytes: self.max_bytes,
            delay,
            at_limit: self.at_limit,
            backups,
            schedule,
            clock: self.clock,
            compression,
            worker_error: Mutex::new(None),
            worker_error_pending: AtomicBool::new(false),
            dated,
        });
        if inner.backups.extended() || inner.dated.is_some() {
            if let Some(dir) = base.parent() {
                compress::remove_stale_temps(dir);
            }
            inner
                .with_locks(|state| match &inner.dated {
                    Some(dated) => {
                        dated
                            .names
                            .apply_retention(state.file.path(), &dated.retention, now, true)
                    }
                    None => inner.backups.apply_retention(now, true),
                })
                .map_err(|source| Error::Io {
                    context: "cannot apply the retention of rotated files".to_owned(),
                    source,
                })?;
        }
        if let Some(link) = inner.dated.as_ref().and_then(|d| d.link.as_ref()) {
            inner
                .with_locks(|state| {
                    let ours = inner
                        .dated
                        .as_ref()
                        .map(|d| d.names.all_files())
                        .unwrap_or_default();
                    link.check_replaceable(&ours)?;
                    if !state.link_pending {
                        link.point_to(state.file.path())?;
                    }
                    Ok(())
                })
                .map_err(|source| Error::Io {
                    context: "cannot set the stable name of the log".to_owned(),
                    source,
                })?;
        }
        let worker = match compression {
            Some(_) => {
                let job = inner.clone();
                let worker =
                    CompressWorker::spawn("pylog-compress".into(), move || job.compress_backups())
                        .map_err(|source| Error::Io {
                            context: "cannot start the compression thread".to_owned(),
                            source,
                        })?;
                worker.request();
                Some(worker)
            }
            None => None,
        };
        Ok(Handler::new(RotatingFileHandler { inner, worker }))
    }
}
