//! [`RotatingFileHandlerBuilder`]: the options of a [`RotatingFileHandler`], checked and
//! put together by [`build`](RotatingFileHandlerBuilder::build).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Inner, RotatingFileHandler, State};
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::format::datefmt::Zone;
use crate::handler::Handler;
use crate::handler::backups::{Backups, Retention};
use crate::handler::compress::{self, CompressWorker, Compression};
use crate::handler::current_link::LinkKind;
use crate::handler::dated_mode::{DatedMode, DatedStart};
use crate::handler::file::file_options;
use crate::handler::file::{FileHandlerBuilder, FileMode};
use crate::handler::rotation::{RotationHooks, rotation_hook_options, with_suffix};
use crate::handler::schedule::{Schedule, mtime_seconds};
use crate::handler::shared_lock::{DEFAULT_LOCK_TIMEOUT, SharedLock};
use crate::handler::timed::When;

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
    /// A compressed backup is never replaced: when the name is taken (the clock was set back into
    /// a period already compressed), the new data is added after the old, as another gzip member
    /// or zstd frame, which `zcat`, `zstd -d` and Python's `gzip.open` read in order (a reader
    /// of single gzip members, such as `flate2`'s `GzDecoder`, stops after the first).
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
                let DatedStart {
                    mode,
                    active,
                    rollover_at: end,
                } = DatedMode::start(
                    &base,
                    schedule,
                    now,
                    self.link.as_ref(),
                    retention,
                    self.hooks.clone(),
                    compression.is_some(),
                )?;
                rollover_at = end;
                file_builder = file_builder.with_path(active);
                Some(mode)
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
            .is_some_and(|dated| dated.link_waits_for(&file));
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
                .with_locks(|state| inner.apply_retention(state.file.path(), now, true))
                .map_err(|source| Error::Io {
                    context: "cannot apply the retention of rotated files".to_owned(),
                    source,
                })?;
        }
        if let Some(dated) = inner.dated.as_ref().filter(|d| d.link().is_some()) {
            inner
                .with_locks(|state| dated.set_up_link(state.file.path(), state.link_pending))
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
