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

use super::file::file_options;
use super::file::{FileHandlerBuilder, FileMode};
use super::log_file::LogFile;
use super::rotation::{
    RotationHooks, remove, remove_if_exists, rotation_hook_options, with_suffix,
};
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::format::datefmt::{CivilTime, DateFormat, Zone};
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
    fn unit_seconds(self) -> i64 {
        match self {
            When::Seconds => 1,
            When::Minutes => 60,
            When::Hours => 3600,
            When::Days | When::Midnight => 86_400,
            When::Weekday(_) => 7 * 86_400,
        }
    }

    /// The `strftime` suffix of rotated files.
    fn suffix(self) -> &'static str {
        match self {
            When::Seconds => "%Y-%m-%d_%H-%M-%S",
            When::Minutes => "%Y-%m-%d_%H-%M",
            When::Hours => "%Y-%m-%d_%H",
            _ => "%Y-%m-%d",
        }
    }

    /// The shape of a suffix (`d` a digit), for CPython's `extMatch`.
    fn suffix_shape(self) -> &'static str {
        match self {
            When::Seconds => "dddd-dd-dd_dd-dd-dd",
            When::Minutes => "dddd-dd-dd_dd-dd",
            When::Hours => "dddd-dd-dd_dd",
            _ => "dddd-dd-dd",
        }
    }

    fn aligned(self) -> bool {
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
    state: Mutex<State>,
    when: When,
    /// The period in seconds (`unit * interval`).
    interval: i64,
    backup_count: u32,
    utc: bool,
    /// The zone for local times (the system's by default).
    zone: Zone,
    at_time: Option<(u32, u32, u32)>,
    delay: bool,
    hooks: RotationHooks,
    clock: Arc<dyn Clock>,
    suffix: DateFormat,
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
            clock: Arc::new(SystemClock),
        }
    }

    fn civil(&self, t: i64) -> CivilTime {
        if self.utc {
            CivilTime::at(t, &Zone::Utc)
        } else {
            CivilTime::at(t, &self.zone)
        }
    }

    fn is_dst(&self, t: i64) -> bool {
        CivilTime::at(t, &self.zone).dst
    }

    /// CPython's `computeRollover`.
    fn compute_rollover(&self, current: i64) -> i64 {
        if !self.when.aligned() {
            return current + self.interval;
        }
        let now = self.civil(current);
        let rotate_ts = match self.at_time {
            Some((h, m, s)) => i64::from((h * 60 + m) * 60 + s),
            None => 86_400,
        };
        let mut r = rotate_ts - i64::from((now.hour * 60 + now.minute) * 60 + now.second);
        let mut day = i64::from(now.weekday);
        if r < 0 {
            r += 86_400;
            day = (day + 1) % 7;
        }
        let mut result = current + r;
        if let When::Weekday(wanted) = self.when {
            let wanted = i64::from(wanted);
            if day != wanted {
                let days_to_wait = if day < wanted {
                    wanted - day
                } else {
                    6 - day + wanted + 1
                };
                let mut new_rollover_at = result + days_to_wait * 86_400;
                if !self.utc {
                    let dst_now = now.dst;
                    let dst_at_rollover = self.is_dst(new_rollover_at);
                    if dst_now != dst_at_rollover {
                        new_rollover_at += if dst_now { 3600 } else { -3600 };
                    }
                }
                result = new_rollover_at;
            }
        }
        result
    }

    /// CPython's `shouldRollover`.
    fn should_rollover(&self, state: &mut State, t: i64) -> bool {
        if t < state.rollover_at {
            return false;
        }
        let path = state.file.path();
        if path.exists() && !path.is_file() {
            state.rollover_at = self.compute_rollover(t);
            return false;
        }
        true
    }

    /// CPython's `doRollover`.
    fn do_rollover(&self, state: &mut State, current: i64) -> io::Result<()> {
        state.file.release()?;
        let dst_now = self.is_dst(current);
        let t = state.rollover_at - self.interval;
        let stamp_time = if !self.utc && self.is_dst(t) != dst_now {
            t + if dst_now { 3600 } else { -3600 }
        } else {
            t
        };
        let mut stamp = String::from(".");
        self.suffix
            .render_civil(&mut stamp, &self.civil(stamp_time));
        let base = state.file.path().to_path_buf();
        let dest = self.hooks.rotation_filename(with_suffix(&base, &stamp));
        let rotated = remove_if_exists(&dest).and_then(|()| self.hooks.rotate(&base, &dest));
        let deleted = if self.backup_count > 0 {
            self.files_to_delete(&base)
                .and_then(|old| old.iter().try_for_each(|path| remove(path)))
        } else {
            Ok(())
        };
        if !self.delay {
            state.file.open()?;
        }
        let mut new_rollover_at = self.compute_rollover(current);
        while new_rollover_at <= current {
            new_rollover_at += self.interval;
        }
        if self.when.aligned() && !self.utc {
            let dst_at_rollover = self.is_dst(new_rollover_at);
            if dst_now != dst_at_rollover {
                new_rollover_at += if dst_now { 3600 } else { -3600 };
            }
        }
        state.rollover_at = new_rollover_at;
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
        let shape = self.when.suffix_shape();
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
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // CPython: `int(time.time())`, toward zero before 1970.
        let now = self.clock.now().trunc() as i64;
        // A failed rotation is reported, but the record is still written to the current file.
        let rotated = if self.should_rollover(&mut state, now) {
            self.do_rollover(&mut state, now)
        } else {
            Ok(())
        };
        state.file.write(text.as_bytes(), record)?;
        rotated?;
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

    /// The clock to read the time from (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Opens the file (unless delayed), computes the first rollover from the file's modification
    /// time (or now), and returns the handler.
    pub fn build(self) -> Result<Handler, Error> {
        if self.interval == 0 {
            return Err(Error::InvalidArguments(
                "invalid interval 0: a timed rotating handler rolls over every 1 or more units \
                 (0 would roll over without end)"
                    .to_owned(),
            ));
        }
        if let Some((h, m, s)) = self.at_time
            && (h > 23 || m > 59 || s > 59)
        {
            return Err(Error::InvalidArguments(format!(
                "invalid at_time {h:02}:{m:02}:{s:02}: hour 0-23, minute and second 0-59"
            )));
        }
        let file_builder = self.file.mode(FileMode::Append);
        let delay = file_builder.is_delayed();
        // CPython starts from the file's mtime when the file exists, else from now. A file this
        // handler creates has an mtime of now anyway; reading it from the clock keeps an injected
        // clock consistent.
        let existing_mtime = file_builder.absolute_path().ok().and_then(|path| {
            let mtime = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
            Some(match mtime.duration_since(std::time::UNIX_EPOCH) {
                Ok(d) => d.as_secs() as i64,
                Err(before) => -(before.duration().as_secs_f64().ceil() as i64),
            })
        });
        let file = file_builder.open_log_file()?;
        let start = existing_mtime.unwrap_or_else(|| self.clock.now().trunc() as i64);
        let hooks = match self.gzip {
            #[cfg(feature = "gzip")]
            true => self.hooks.gzip(),
            _ => self.hooks,
        };
        let suffix = DateFormat::parse(self.when.suffix()).map_err(Error::InvalidArguments)?;
        let mut handler = TimedRotatingFileHandler {
            state: Mutex::new(State {
                file,
                rollover_at: 0,
            }),
            when: self.when,
            interval: self.when.unit_seconds() * i64::from(self.interval),
            backup_count: self.backup_count,
            utc: self.utc,
            zone: self.zone,
            at_time: self.at_time,
            delay,
            hooks,
            clock: self.clock,
            suffix,
        };
        let first = handler.compute_rollover(start);
        handler
            .state
            .get_mut()
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
