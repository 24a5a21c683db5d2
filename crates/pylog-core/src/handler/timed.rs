//! `TimedRotatingFileHandler`: a file that rolls over at times. Python:
//! `logging.handlers.TimedRotatingFileHandler`, rule for rule:
//!
//! - `S`, `M`, `H`, `D` roll over `interval` units after the start time (the file's modification time
//!   if it exists, so a stale file rolls over on the first record), not at clock boundaries;
//!   `MIDNIGHT` and `W0`–`W6` (Monday is 0) roll over at midnight or `at_time`, and for `MIDNIGHT`
//!   the interval is ignored (CPython 3.11);
//! - the rotated file is named for the start of the period it covers: `app.log.2026-11-24`,
//!   `app.log.2026-11-24_16` …, in local time unless `utc`, corrected by an hour when DST changed;
//! - with `backup_count`, only files whose suffix matches the pattern of this `when` are deleted,
//!   oldest first, keeping `backup_count`.
//!
//! With [`compression`](TimedRotatingFileHandlerBuilder::compression) (or `gzip(true)`), each
//! rotated file is compressed on the handler's own thread, never the logging thread, into a
//! temporary file that is synced and renamed before the plain file is removed.
//!
//! The clock is injectable ([`Clock`]), so tests never sleep.
//!
//! ```no_run
//! use pylog_core::{TimedRotatingFileHandler, When};
//! let handler = TimedRotatingFileHandler::builder("app.log")
//!     .when(When::Midnight)
//!     .backup_count(7)
//!     .build()?;
//! # Ok::<(), pylog_core::Error>(())
//! ```

use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use super::compress::{self, CompressWorker, Compression};
use super::file::file_options;
use super::file::{FileHandlerBuilder, FileMode};
use super::log_file::LogFile;
use super::rotation::{
    RotationHooks, remove, remove_if_exists, rotation_hook_options, with_suffix,
};
use super::schedule::{Schedule, mtime_seconds};
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::format::datefmt::{DateFormat, Zone};
use crate::record::LogRecord;

/// When a timed handler rolls over. Python: the `when` argument (`'S'`, `'midnight'`, `'W0'` …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// `S`: every `interval` seconds.
    Seconds,
    /// `M`: every `interval` minutes.
    Minutes,
    /// `H`: every `interval` hours.
    Hours,
    /// `D`: every `interval` days (counted from the start, not from midnight).
    Days,
    /// `MIDNIGHT`: at midnight (or `at_time`) every day.
    Midnight,
    /// `W0`–`W6`: at midnight (or `at_time`) on this weekday, Monday = 0.
    Weekday(u8),
}

/// Parses Python's `when`, case-insensitively, with CPython's error texts.
impl FromStr for When {
    type Err = Error;

    fn from_str(when: &str) -> Result<When, Error> {
        let upper = when.to_uppercase();
        match upper.as_str() {
            "S" => Ok(When::Seconds),
            "M" => Ok(When::Minutes),
            "H" => Ok(When::Hours),
            "D" => Ok(When::Days),
            "MIDNIGHT" => Ok(When::Midnight),
            w if w.starts_with('W') => {
                let mut chars = w.chars().skip(1);
                match (chars.next(), chars.next()) {
                    (Some(day @ '0'..='6'), None) => Ok(When::Weekday(day as u8 - b'0')),
                    (Some(_), None) => Err(Error::InvalidArguments(format!(
                        "Invalid day specified for weekly rollover: {w}"
                    ))),
                    _ => Err(Error::InvalidArguments(format!(
                        "You must specify a day for weekly rollover from 0 to 6 (0 is Monday): {w}"
                    ))),
                }
            }
            other => Err(Error::InvalidArguments(format!(
                "Invalid rollover interval specified: {other}"
            ))),
        }
    }
}

impl When {
    /// Seconds in one unit.
    pub(crate) fn unit_seconds(self) -> i64 {
        match self {
            When::Seconds => 1,
            When::Minutes => 60,
            When::Hours => 3600,
            When::Days | When::Midnight => 86_400,
            When::Weekday(_) => 7 * 86_400,
        }
    }

    /// The `strftime` suffix of rotated files.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            When::Seconds => "%Y-%m-%d_%H-%M-%S",
            When::Minutes => "%Y-%m-%d_%H-%M",
            When::Hours => "%Y-%m-%d_%H",
            _ => "%Y-%m-%d",
        }
    }

    /// The shape of a suffix (`d` a digit), for CPython's `extMatch`.
    pub(crate) fn suffix_shape(self) -> &'static str {
        match self {
            When::Seconds => "dddd-dd-dd_dd-dd-dd",
            When::Minutes => "dddd-dd-dd_dd-dd",
            When::Hours => "dddd-dd-dd_dd",
            _ => "dddd-dd-dd",
        }
    }

    pub(crate) fn aligned(self) -> bool {
        matches!(self, When::Midnight | When::Weekday(_))
    }
}

/// CPython's `extMatch`, `^<shape>(\.\w+)?$` with ASCII `\d` and `\w`, on one dot-separated part
/// (which has no dot, so the optional group never matches; `$` also matches before a final `\n`).
fn matches_suffix_shape(part: &str, shape: &str) -> bool {
    let part = part.strip_suffix('\n').unwrap_or(part);
    part.len() == shape.len()
        && part.bytes().zip(shape.bytes()).all(|(c, s)| match s {
            b'd' => c.is_ascii_digit(),
            other => c == other,
        })
}

/// Rotates its file at times. Python: `logging.handlers.TimedRotatingFileHandler`.
pub struct TimedRotatingFileHandler {
    /// Shared with the compression worker, which commits under this lock.
    state: Arc<Mutex<State>>,
    schedule: Schedule,
    backup_count: u32,
    delay: bool,
    hooks: RotationHooks,
    clock: Arc<dyn Clock>,
    suffix: DateFormat,
    compression: Option<Compression>,
    /// Rotated files waiting for the worker, and the worker's first error.
    queue: Arc<CompressQueue>,
    worker: Option<CompressWorker>,
}

/// What the logging thread hands to the compression worker of a timed handler.
#[derive(Default)]
struct CompressQueue {
    files: Mutex<Vec<PathBuf>>,
    error: Mutex<Option<io::Error>>,
}

impl CompressQueue {
    /// Compresses every queued file, committing under `state`'s lock: a temporary file, synced,
    /// renamed to `<file><ext>`, then the plain file removed, only if `file` still holds what was
    /// read (retention may have deleted it meanwhile).
    fn run(&self, compression: Compression, state: &Mutex<State>) {
        let files = std::mem::take(&mut *self.files.lock().unwrap_or_else(|e| e.into_inner()));
        for plain in files {
            if let Err(e) = Self::compress(compression, state, &plain) {
                let mut slot = self.error.lock().unwrap_or_else(|e| e.into_inner());
                slot.get_or_insert(e);
            }
        }
    }

    fn compress(compression: Compression, state: &Mutex<State>, plain: &Path) -> io::Result<()> {
        let dest = with_suffix(plain, compression.extension());
        let Some(compressed) = compress::compress_to_temp(compression, plain, &dest)? else {
            return Ok(());
        };
        let committed = {
            let _state = state.lock().unwrap_or_else(|e| e.into_inner());
            compressed.commit(plain, &dest)
        };
        if !matches!(committed, Ok(true)) {
            let _ = std::fs::remove_file(&compressed.temp);
        }
        committed.map(|_| ())
    }

    fn take_error(&self) -> Option<io::Error> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

struct State {
    file: LogFile,
    rollover_at: i64,
}

impl TimedRotatingFileHandler {
    /// A builder for a timed handler on `path`.
    ///
    /// # Default values
    /// | option | default | Python |
    /// |---|---|---|
    /// | `when` | [`When::Hours`] | `when='h'` |
    /// | `interval` | 1 | `interval=1` |
    /// | `backup_count` | 0 (keep all) | `backupCount=0` |
    /// | `utc` | `false`: local time | `utc=False` |
    /// | `at_time` | none: midnight | `atTime=None` |
    /// | delay | `false` | `delay=False` |
    /// | clock | the system clock | `time.time` |
    pub fn builder(path: impl AsRef<Path>) -> TimedRotatingFileHandlerBuilder {
        TimedRotatingFileHandlerBuilder {
            file: FileHandlerBuilder::new(path.as_ref()),
            when: When::Hours,
            interval: 1,
            backup_count: 0,
            utc: false,
            zone: Zone::Local,
            at_time: None,
            hooks: RotationHooks::default(),
            gzip: false,
            compression: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// CPython's `shouldRollover`.
    fn should_rollover(&self, state: &mut State, t: i64) -> bool {
        if t < state.rollover_at {
            return false;
        }
        let path = state.file.path();
        if path.exists() && !path.is_file() {
            state.rollover_at = self.schedule.compute_rollover(t);
            return false;
        }
        true
    }

    /// CPython's `doRollover`.
    fn do_rollover(&self, state: &mut State, current: i64) -> io::Result<()> {
        state.file.release()?;
        let stamp_time = self.schedule.stamp_time(state.rollover_at, current);
        let mut stamp = String::from(".");
        self.suffix
            .render_civil(&mut stamp, &self.schedule.civil(stamp_time));
        let base = state.file.path().to_path_buf();
        let dest = self.hooks.rotation_filename(with_suffix(&base, &stamp));
        let rotated = remove_if_exists(&dest).and_then(|()| self.hooks.rotate(&base, &dest));
        if rotated.is_ok() && self.compression.is_some() {
            self.queue
                .files
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(dest);
        }
        let deleted = if self.backup_count > 0 {
            self.files_to_delete(&base)
                .and_then(|old| old.iter().try_for_each(|path| remove(path)))
        } else {
            Ok(())
        };
        if !self.delay {
            state.file.open()?;
        }
        state.rollover_at = self.schedule.next_rollover(current);
        rotated.and(deleted)
    }

    /// CPython's `getFilesToDelete`.
    fn files_to_delete(&self, base: &Path) -> io::Result<Vec<PathBuf>> {
        let dir = base.parent().unwrap_or_else(|| Path::new("."));
        let base_name: Vec<char> = base
            .file_name()
            .map(|n| n.to_string_lossy().chars().collect())
            .unwrap_or_default();
        let (stem, ext) = split_ext(&base_name);
        let mut prefix = stem.to_vec();
        prefix.push('.');
        let plen = prefix.len();
        let shape = self.schedule.when.suffix_shape();
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let chars: Vec<char> = name.chars().collect();
            let starts_with_base = chars.starts_with(&base_name);
            if self.hooks.namer.is_none() {
                if !starts_with_base {
                    continue;
                }
            } else if !starts_with_base
                && chars.ends_with(ext)
                && chars.len() > plen + 1
                && !chars[plen + 1].is_numeric()
            {
                continue;
            }
            if chars.len() >= plen && chars[..plen] == prefix[..] {
                let suffix: String = chars[plen..].iter().collect();
                if suffix
                    .split('.')
                    .any(|part| matches_suffix_shape(part, shape))
                {
                    found.push(dir.join(&name));
                }
            }
        }
        let keep = self.backup_count as usize;
        if found.len() < keep {
            return Ok(Vec::new());
        }
        found.sort();
        found.truncate(found.len() - keep);
        Ok(found)
    }
}

/// Python's `os.path.splitext` of a file name: the extension is from the last dot, unless the
/// name's only dots lead it.
fn split_ext(name: &[char]) -> (&[char], &[char]) {
    match name.iter().rposition(|&c| c == '.') {
        Some(dot) if name[..dot].iter().any(|&c| c != '.') => (&name[..dot], &name[dot..]),
        _ => (name, &[]),
    }
}

impl Emit for TimedRotatingFileHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        let text = ctx.format(record)?;
        text.push('\n');
        // CPython: `int(time.time())`, toward zero before 1970; read before the lock, so that the
        // lock is held for the rollover check and the write alone (as the size-rotating handler).
        let now = self.clock.now().trunc() as i64;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // A failed rotation is reported, but the record is still written to the current file.
        let rolled = self.should_rollover(&mut state, now);
        let rotated = if rolled {
            self.do_rollover(&mut state, now)
        } else {
            Ok(())
        };
        let written = state.file.write(text.as_bytes(), record);
        drop(state);
        if rolled && let Some(worker) = &self.worker {
            worker.request();
        }
        written?;
        rotated?;
        if let Some(e) = self.queue.take_error() {
            return Err(e.into());
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

    /// Waits for the compression of rotated files, then closes the file.
    fn close(&self) -> io::Result<()> {
        if let Some(worker) = &self.worker {
            worker.drain();
        }
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .file
            .close()?;
        match self.queue.take_error() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn reads_extras(&self) -> bool {
        false
    }

    fn kind(&self) -> &'static str {
        "TimedRotatingFileHandler"
    }

    fn describe(&self) -> String {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.file.path().display().to_string()
    }
}

/// Options for a [`TimedRotatingFileHandler`]; see [`TimedRotatingFileHandler::builder`].
#[must_use]
pub struct TimedRotatingFileHandlerBuilder {
    file: FileHandlerBuilder,
    when: When,
    interval: u32,
    backup_count: u32,
    utc: bool,
    zone: Zone,
    at_time: Option<(u32, u32, u32)>,
    hooks: RotationHooks,
    gzip: bool,
    compression: Option<Compression>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for TimedRotatingFileHandlerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimedRotatingFileHandlerBuilder")
            .field("file", &self.file)
            .field("when", &self.when)
            .field("interval", &self.interval)
            .field("backup_count", &self.backup_count)
            .field("utc", &self.utc)
            .field("at_time", &self.at_time)
            .finish_non_exhaustive()
    }
}

impl TimedRotatingFileHandlerBuilder {
    /// When to roll over (Python's `when`; `"midnight".parse::<When>()` reads Python's strings).
    pub fn when(mut self, when: When) -> Self {
        self.when = when;
        self
    }

    /// How many units between rollovers (Python's `interval`; ignored for `Midnight`, as in 3.11).
    /// 0 is refused by [`build`](Self::build): CPython's first rollover would loop for ever.
    pub fn interval(mut self, interval: u32) -> Self {
        self.interval = interval;
        self
    }

    /// Keep this many rotated files (Python's `backupCount`); 0 keeps all.
    pub fn backup_count(mut self, backup_count: u32) -> Self {
        self.backup_count = backup_count;
        self
    }

    /// Use UTC for rollover times and file names (Python's `utc=True`).
    pub fn utc(mut self, utc: bool) -> Self {
        self.utc = utc;
        self
    }

    /// The zone for local times (default: the system's); for tests and for servers whose logs
    /// follow another zone.
    pub fn zone(mut self, zone: Zone) -> Self {
        self.zone = zone;
        self
    }

    /// Roll over at this time of day instead of midnight (Python's `atTime`; `Midnight` and
    /// `Weekday` only).
    pub fn at_time(mut self, hour: u32, minute: u32, second: u32) -> Self {
        self.at_time = Some((hour, minute, second));
        self
    }

    file_options!(no_mode);

    rotation_hook_options!();

    /// Compress rotated files (`app.log.2026-11-24.gz`, `.zst`) on a background thread of the
    /// handler; `close()` waits for it. `gzip(true)` is `compression(Compression::Gzip)`.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = Some(compression);
        self
    }

    /// The clock to read the time from (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Opens the file (unless delayed), computes the first rollover from the file's modification
    /// time (or now), and returns the handler.
    pub fn build(self) -> Result<Handler, Error> {
        let schedule = Schedule::new(self.when, self.interval, self.utc, self.zone, self.at_time)?;
        let file_builder = self.file.mode(FileMode::Append);
        let delay = file_builder.is_delayed();
        // CPython starts from the file's mtime when the file exists, else from now. A file this
        // handler creates has an mtime of now anyway; reading it from the clock keeps an injected
        // clock consistent.
        let existing_mtime = file_builder
            .absolute_path()
            .ok()
            .and_then(|path| mtime_seconds(&path));
        let file = file_builder.open_log_file()?;
        let start = existing_mtime.unwrap_or_else(|| self.clock.now().trunc() as i64);
        let compression = match self.gzip {
            #[cfg(feature = "gzip")]
            true => Some(Compression::Gzip),
            _ => self.compression,
        };
        let state = Arc::new(Mutex::new(State {
            file,
            rollover_at: 0,
        }));
        let queue = Arc::new(CompressQueue::default());
        let worker = match compression {
            Some(compression) => {
                let (queue, state) = (queue.clone(), state.clone());
                Some(
                    CompressWorker::spawn("pylog-compress".into(), move || {
                        queue.run(compression, &state)
                    })
                    .map_err(|source| Error::Io {
                        context: "cannot start the compression thread".to_owned(),
                        source,
                    })?,
                )
            }
            None => None,
        };
        let suffix = DateFormat::parse(self.when.suffix()).map_err(Error::InvalidArguments)?;
        let handler = TimedRotatingFileHandler {
            state,
            schedule,
            backup_count: self.backup_count,
            delay,
            hooks: self.hooks,
            clock: self.clock,
            suffix,
            compression,
            queue,
            worker,
        };
        let first = handler.schedule.compute_rollover(start);
        handler
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .rollover_at = first;
        Ok(Handler::new(handler))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_parses_pythons_strings_with_its_errors() {
        assert_eq!("midnight".parse::<When>().unwrap(), When::Midnight);
        assert_eq!("w6".parse::<When>().unwrap(), When::Weekday(6));
        let err = |s: &str| s.parse::<When>().unwrap_err().to_string();
        assert_eq!(
            err("W"),
            "You must specify a day for weekly rollover from 0 to 6 (0 is Monday): W"
        );
        assert_eq!(err("W7"), "Invalid day specified for weekly rollover: W7");
        assert_eq!(err("x"), "Invalid rollover interval specified: X");
    }

    #[test]
    fn an_interval_of_zero_is_refused() {
        let dir = std::env::temp_dir().join(format!("pylog-timed0-{}", std::process::id()));
        let error = TimedRotatingFileHandler::builder(dir.join("app.log"))
            .when(When::Seconds)
            .interval(0)
            .build()
            .err()
            .map(|e| e.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("invalid interval 0")),
            "{error:?}"
        );
        assert!(!dir.exists(), "nothing was opened");
    }

    #[test]
    fn suffix_shapes() {
        assert!(matches_suffix_shape("2026-11-24", "dddd-dd-dd"));
        assert!(matches_suffix_shape("2026-11-24\n", "dddd-dd-dd"));
        assert!(!matches_suffix_shape("2026-11-2x", "dddd-dd-dd"));
        assert!(!matches_suffix_shape("2026-11-24_16", "dddd-dd-dd"));
    }

    #[test]
    fn split_ext_like_python() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        let name = chars("app.log");
        let (stem, ext) = split_ext(&name);
        assert_eq!((stem.len(), ext.len()), (3, 4));
        let hidden = chars(".log");
        assert_eq!(split_ext(&hidden).1.len(), 0);
    }
}
