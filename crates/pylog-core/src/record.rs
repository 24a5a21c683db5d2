//! `LogRecord`: one logging event, with Python's attributes.
//!
//! A record borrows what it can (the message, names, extras) from the code that logged, so building
//! one costs no allocation. Attributes Python derives (`levelname`, `filename`, `module`, `msecs`) are
//! computed on demand from the stored ones, and so are those that cost something to find
//! (`thread`, `threadName`, `process`, `processName`, `relativeCreated`): a record whose formatter
//! and filters never read them never looks them up.
//!
//! ```
//! use pylog_core::{Level, LogRecord};
//! let mut record = LogRecord::new("app.db", Level::INFO, "saved 7 rows");
//! record.pathname = "src/db/save.rs";
//! assert_eq!(record.filename(), "save.rs");
//! assert_eq!(record.module(), "save");
//! assert_eq!(record.levelname().to_string(), "INFO");
//! ```

use std::backtrace::Backtrace;
use std::cell::OnceCell;
use std::error::Error as StdError;
use std::fmt::{self, Write as _};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::level::{Level, LevelName, level_name};

/// The value of an extra attribute (a `tracing` field, a span field, or a direct-API extra).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// Text.
    Str(&'a str),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A 128-bit integer.
    BigInt(i128),
    /// A float.
    Float(f64),
    /// A boolean (`True`/`False` when formatted with `%s`, as in Python).
    Bool(bool),
    /// Python's `None`.
    None,
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Str(v)
    }
}
impl<'a> From<&'a String> for Value<'a> {
    fn from(v: &'a String) -> Self {
        Value::Str(v)
    }
}
impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value<'_> {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}
impl From<u64> for Value<'_> {
    fn from(v: u64) -> Self {
        Value::UInt(v)
    }
}
impl From<u32> for Value<'_> {
    fn from(v: u32) -> Self {
        Value::UInt(v.into())
    }
}
impl From<usize> for Value<'_> {
    fn from(v: usize) -> Self {
        Value::UInt(v as u64)
    }
}
impl From<f64> for Value<'_> {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<bool> for Value<'_> {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::None, Into::into)
    }
}

/// The attributes of a CPython 3.11 `LogRecord.__dict__`, in order: the keys a record is sent
/// under by the network handlers (`HTTPHandler.mapLogRecord`, `SocketHandler.makePickle`).
#[cfg_attr(not(any(feature = "http", feature = "socket")), allow(dead_code))]
pub(crate) const RECORD_DICT_KEYS: [&str; 20] = [
    "name",
    "msg",
    "args",
    "levelname",
    "levelno",
    "pathname",
    "filename",
    "module",
    "exc_info",
    "exc_text",
    "stack_info",
    "lineno",
    "funcName",
    "created",
    "msecs",
    "relativeCreated",
    "thread",
    "threadName",
    "processName",
    "process",
];

/// One logging event. Python: `logging.LogRecord`.
///
/// Rust-specific meaning of some attributes: `msg` is the already-formatted message (so Python's `msg`,
/// `message` and `getMessage()` are the same text); `func_name` is filled by the direct API's macros,
/// and for `tracing` events by the layer from an enclosing `#[instrument]` span of the event's own
/// module (otherwise `None`, formatted `None`: Rust has no run-time function name); `thread` is the
/// number of Rust's `ThreadId`; the main thread is named `MainThread` as in Python.
///
/// The thread and process attributes are methods ([`thread`](LogRecord::thread),
/// [`thread_name`](LogRecord::thread_name), [`process`](LogRecord::process),
/// [`process_name`](LogRecord::process_name), [`relative_created`](LogRecord::relative_created)),
/// found on first read; a record that carries another thread's or process's values (one received
/// over the network, or read back from a queue) sets them with
/// [`set_thread`](LogRecord::set_thread), [`set_process`](LogRecord::set_process) and
/// [`set_relative_created`](LogRecord::set_relative_created).
#[derive(Debug)]
pub struct LogRecord<'a> {
    /// The logger's dotted name (`root` for the root logger).
    pub name: &'a str,
    /// The message, already formatted.
    pub msg: &'a str,
    /// The level (Python's `levelno`).
    pub level: Level,
    /// The source file as the compiler recorded it (often relative).
    pub pathname: &'a str,
    /// The source line, 0 when unknown.
    pub lineno: u32,
    /// The calling function, when a macro could capture it.
    pub func_name: Option<&'a str>,
    /// The Rust module path of the call site, when known.
    pub module_path: Option<&'a str>,
    /// Seconds since the Unix epoch, as Python's `time.time()`.
    pub created: f64,
    /// An error attached to the record (Python's `exc_info`).
    pub exc_info: Option<&'a (dyn StdError + 'static)>,
    /// The Rust type name of `exc_info`, when the logging call knew it.
    pub exc_type: Option<&'static str>,
    /// A captured stack, already formatted (Python's `stack_info`). Read it with
    /// [`LogRecord::stack_text`], which also formats [`stack`](LogRecord::stack).
    pub stack_info: Option<&'a str>,
    /// A stack captured by the logging call (`logger.event(level).stack_info(true)`), formatted in
    /// Python's layout on first use by [`LogRecord::stack_text`]. Ignored when `stack_info` is set.
    pub stack: Option<&'a Backtrace>,
    /// Extra attributes, usable in formats by name (`%(user)s`). The first entry of a name wins.
    pub extras: &'a [(&'a str, Value<'a>)],
    /// The enclosing spans, outermost first, as `outer{a=1}:inner{b=2}` (empty outside spans).
    pub spans: &'a str,
    /// Python's `relativeCreated` when set; otherwise computed from `created` on read.
    pub(crate) relative_created: Option<f64>,
    /// The thread's number and name: set, or the current thread's, looked up on first read. A
    /// record is `!Send` (its `exc_info` is a plain `&dyn Error`), so that read happens on the
    /// thread that made it.
    pub(crate) thread: OnceCell<Rc<(u64, Arc<str>)>>,
    /// The thread's number and name when they are text the record borrows (a record read back
    /// from an owned copy); they come before `thread`. Kept apart so that the record stays
    /// covariant in `'a`.
    pub(crate) thread_borrowed: Option<(u64, &'a str)>,
    /// The process name when set (with `process`); `None` for this process.
    pub(crate) process_name: Option<&'a str>,
    /// The process id, when `process_name` is set.
    pub(crate) process: u32,
    pub(crate) exc_text: OnceCell<String>,
    pub(crate) stack_text: OnceCell<String>,
}

impl<'a> LogRecord<'a> {
    /// A record created now, on the current thread, with no source location.
    #[inline]
    pub fn new(name: &'a str, level: Level, msg: &'a str) -> LogRecord<'a> {
        let created = now();
        // Fixes when logging started, as the first record's creation does in Python.
        start_time();
        LogRecord {
            name,
            msg,
            level,
            pathname: "(unknown file)",
            lineno: 0,
            func_name: None,
            module_path: None,
            created,
            exc_info: None,
            exc_type: None,
            stack_info: None,
            stack: None,
            extras: &[],
            spans: "",
            relative_created: None,
            thread: OnceCell::new(),
            thread_borrowed: None,
            process_name: None,
            process: 0,
            exc_text: OnceCell::new(),
            stack_text: OnceCell::new(),
        }
    }

    /// The same record with other extras (a handler adding attributes of its own).
    #[cfg(feature = "otlp")]
    pub(crate) fn with_extras<'b>(&'b self, extras: &'b [(&'b str, Value<'b>)]) -> LogRecord<'b> {
        LogRecord {
            name: self.name,
            msg: self.msg,
            level: self.level,
            pathname: self.pathname,
            lineno: self.lineno,
            func_name: self.func_name,
            module_path: self.module_path,
            created: self.created,
            exc_info: self.exc_info,
            exc_type: self.exc_type,
            stack_info: self.stack_info,
            stack: self.stack,
            extras,
            spans: self.spans,
            relative_created: self.relative_created,
            thread: self.thread.clone(),
            thread_borrowed: self.thread_borrowed,
            process_name: self.process_name,
            process: self.process,
            exc_text: self.exc_text.clone(),
            stack_text: self.stack_text.clone(),
        }
    }

    /// Python's `relativeCreated`: milliseconds from when logging started (the first record of
    /// the process) to `created`, unless set with
    /// [`set_relative_created`](LogRecord::set_relative_created).
    pub fn relative_created(&self) -> f64 {
        self.relative_created
            .unwrap_or_else(|| (self.created - start_time()) * 1000.0)
    }

    /// Sets `relativeCreated` (for a record made elsewhere).
    pub fn set_relative_created(&mut self, millis: f64) {
        self.relative_created = Some(millis);
    }

    /// Python's `thread`: the number of the thread that made the record.
    pub fn thread(&self) -> u64 {
        self.thread_info().0
    }

    /// Python's `threadName`: the name of the thread that made the record (`MainThread` for the
    /// main thread, `Thread-N` for an unnamed one).
    pub fn thread_name(&self) -> &str {
        self.thread_info().1
    }

    /// Sets the thread's number and name (for a record made on another thread or process).
    pub fn set_thread(&mut self, thread: u64, name: impl Into<Arc<str>>) {
        self.thread = OnceCell::from(Rc::new((thread, name.into())));
        self.thread_borrowed = None;
    }

    fn thread_info(&self) -> (u64, &str) {
        if let Some(borrowed) = self.thread_borrowed {
            return borrowed;
        }
        let info = self.thread.get_or_init(current_thread_shared);
        (info.0, &info.1)
    }

    /// Python's `process`: the id of the process that made the record.
    pub fn process(&self) -> u32 {
        match self.process_name {
            Some(_) => self.process,
            None => process_id(),
        }
    }

    /// Python's `processName`: `MainProcess` for this process's own records.
    pub fn process_name(&self) -> &'a str {
        self.process_name.unwrap_or("MainProcess")
    }

    /// Sets the process id and name (for a record made in another process).
    pub fn set_process(&mut self, process: u32, name: &'a str) {
        self.process = process;
        self.process_name = Some(name);
    }

    /// Python's `levelname`.
    pub fn levelname(&self) -> LevelName {
        level_name(self.level)
    }

    /// Python's `filename`: the last component of `pathname` (split on `/`, and on Windows on `\\`
    /// too, as Python's `os.path.basename`).
    pub fn filename(&self) -> &'a str {
        self.pathname
            .rsplit(PATH_SEPARATORS)
            .next()
            .unwrap_or(self.pathname)
    }

    /// Python's `module`: `filename` without its extension.
    pub fn module(&self) -> &'a str {
        let filename = self.filename();
        match filename.rfind('.') {
            Some(dot) if dot > 0 => &filename[..dot],
            _ => filename,
        }
    }

    /// Python's `msecs`: the millisecond part of `created`, truncated (CPython 3.11's rule).
    pub fn msecs(&self) -> f64 {
        trunc((self.created - trunc(self.created)) * 1000.0)
    }

    /// `created` rounded toward minus infinity, in whole seconds (what `time.localtime(created)`
    /// shows), saturating as `as i64` does.
    pub(crate) fn created_seconds(&self) -> i64 {
        floor_to_i64(self.created)
    }

    /// Python's `exc_text`: the attached error and its source chain, formatted once and cached.
    pub fn exc_text(&self) -> Option<&str> {
        if let Some(text) = self.exc_text.get() {
            return Some(text);
        }
        let error = self.exc_info?;
        Some(
            self.exc_text
                .get_or_init(|| format_error_chain(error, self.exc_type)),
        )
    }

    /// Python's `stack_info`: the `stack_info` text when set, else the captured
    /// [`stack`](LogRecord::stack) as `Stack (most recent call last):` and one `File` line per
    /// frame, formatted once and cached (every handler shares the text).
    pub fn stack_text(&self) -> Option<&str> {
        if let Some(text) = self.stack_info {
            return Some(text);
        }
        let stack = self.stack?;
        Some(
            self.stack_text
                .get_or_init(|| crate::stack::format_stack(stack)),
        )
    }

    /// Sets `exc_text` directly (for records that arrive already formatted).
    pub fn set_exc_text(&mut self, text: String) {
        self.exc_text = OnceCell::from(text);
    }

    /// The value of an extra attribute by name.
    pub fn extra(&self, key: &str) -> Option<Value<'a>> {
        self.extras.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

#[cfg(windows)]
const PATH_SEPARATORS: [char; 2] = ['/', '\\'];
#[cfg(not(windows))]
const PATH_SEPARATORS: [char; 1] = ['/'];

/// Formats an error and its `source()` chain in Python's layout for chained exceptions: the deepest
/// cause first, each followed by "The above exception was the direct cause of the following
/// exception:", the logged error last.
pub fn format_error_chain(error: &(dyn StdError + 'static), type_name: Option<&str>) -> String {
    let mut chain: Vec<&(dyn StdError + 'static)> = vec![error];
    let mut next = error.source();
    while let Some(cause) = next {
        chain.push(cause);
        next = cause.source();
    }
    let mut text = String::new();
    for (depth, err) in chain.iter().enumerate().rev() {
        if depth + 1 < chain.len() {
            text.push_str(
                "\n\nThe above exception was the direct cause of the following exception:\n\n",
            );
        }
        match (depth, type_name) {
            (0, Some(name)) => {
                let _ = write!(text, "{name}: {err}");
            }
            _ => {
                let _ = write!(text, "{err}");
            }
        }
    }
    text
}

/// The current time as Python's `time.time()` (negative before 1970, as there).
///
/// On x86-64, where the kernel keeps time with the CPU's time-stamp counter, the time comes from
/// the counter between readings of the system clock a millisecond apart, and stays within about
/// 50 ns of the system clock (see the migration guide); elsewhere every call reads the system
/// clock.
#[inline]
pub fn now() -> f64 {
    const NANOS_PER_SEC: i64 = 1_000_000_000;
    if let Some(ns) = crate::wall_clock::now_ns(system_ns) {
        return seconds_since_epoch(ns.div_euclid(NANOS_PER_SEC), ns.rem_euclid(NANOS_PER_SEC));
    }
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => since.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    }
}

/// The system's real-time clock in nanoseconds since the epoch, read directly: what
/// `SystemTime::now()` reads, without the checked subtraction and normalisation of
/// `duration_since`, which cost more than the read itself. `None` if the call fails or the time
/// does not fit (the caller then asks `SystemTime`).
#[cfg(unix)]
pub(crate) fn system_ns() -> Option<i64> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable `timespec`, the only memory `clock_gettime` writes.
    if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut now) } != 0 {
        return None;
    }
    // `time_t` and `c_long` are narrower than `i64` on some 32-bit targets.
    #[allow(clippy::useless_conversion)]
    i64::from(now.tv_sec)
        .checked_mul(1_000_000_000)?
        .checked_add(i64::from(now.tv_nsec))
}

/// The system's clock in nanoseconds since the epoch (negative before it).
#[cfg(not(unix))]
pub(crate) fn system_ns() -> Option<i64> {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_nanos()).ok(),
        Err(before) => i64::try_from(before.duration().as_nanos())
            .ok()
            .map(|ns| -ns),
    }
}

/// A `timespec` (`nanos` in `0..1_000_000_000`) as seconds since the epoch, computed exactly as
/// `SystemTime::duration_since(UNIX_EPOCH)` and `Duration::as_secs_f64` compute them: after the
/// epoch `secs + nanos / 1e9`; before it, the same of the duration to the epoch, negated.
#[inline]
fn seconds_since_epoch(secs: i64, nanos: i64) -> f64 {
    const NANOS_PER_SEC: i64 = 1_000_000_000;
    if secs >= 0 {
        secs as f64 + nanos as f64 / NANOS_PER_SEC as f64
    } else if nanos == 0 {
        -((-secs) as f64)
    } else {
        -((-secs - 1) as f64 + (NANOS_PER_SEC - nanos) as f64 / NANOS_PER_SEC as f64)
    }
}

/// `x.trunc()` without a call to the C library (x86-64's baseline has no rounding instruction):
/// below 2^52 in magnitude through an integer conversion, keeping the sign of zero; larger values,
/// infinities and NaN are already their own truncation.
#[inline]
pub(crate) fn trunc(x: f64) -> f64 {
    if x.abs() < 4_503_599_627_370_496.0 {
        ((x as i64) as f64).copysign(x)
    } else {
        x
    }
}

/// `x.floor() as i64` without a call to the C library.
#[inline]
pub(crate) fn floor_to_i64(x: f64) -> i64 {
    let t = x as i64;
    if (t as f64) > x {
        t.saturating_sub(1)
    } else {
        t
    }
}

/// The process id, read once: `getpid` is a system call on every call, and a logging process does
/// not change its id (a child made by `fork` without `exec` keeps its parent's cached id).
pub fn process_id() -> u32 {
    static PID: OnceLock<u32> = OnceLock::new();
    *PID.get_or_init(std::process::id)
}

/// When logging started in this process (Python's `logging._startTime`), fixed on first use.
pub fn start_time() -> f64 {
    static START: OnceLock<f64> = OnceLock::new();
    *START.get_or_init(now)
}

/// The current thread's number and Python-style name, cached per thread.
pub fn current_thread() -> (u64, Arc<str>) {
    let (number, name) = &*current_thread_shared();
    (*number, name.clone())
}

/// The current thread's number and name, as the thread keeps them: a record holds them by a
/// reference count that only this thread touches, so no atomic operation is made per record.
fn current_thread_shared() -> Rc<(u64, Arc<str>)> {
    thread_local! {
        static INFO: OnceCell<Rc<(u64, Arc<str>)>> = const { OnceCell::new() };
    }
    INFO.try_with(|info| {
        info.get_or_init(|| Rc::new(describe_current_thread()))
            .clone()
    })
    .unwrap_or_else(|_| Rc::new(describe_current_thread()))
}

fn describe_current_thread() -> (u64, Arc<str>) {
    let current = std::thread::current();
    let id = thread_number(current.id());
    let name: Arc<str> = match current.name() {
        Some("main") => Arc::from("MainThread"),
        Some(name) => Arc::from(name),
        None => Arc::from(format!("Thread-{id}")),
    };
    (id, name)
}

/// The number inside a `ThreadId` (its `Debug` form is `ThreadId(N)`).
fn thread_number(id: std::thread::ThreadId) -> u64 {
    struct Digits(u64);
    impl fmt::Write for Digits {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for b in s.bytes().filter(u8::is_ascii_digit) {
                self.0 = self.0.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
            }
            Ok(())
        }
    }
    let mut digits = Digits(0);
    let _ = write!(digits, "{id:?}");
    digits.0
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn seconds_since_epoch_match_what_system_time_gives() {
        let nanos = [0, 1, 499_999_999, 500_000_000, 999_999_999];
        for secs in [
            0_i64,
            1,
            1_700_000_000,
            1_765_100_000,
            4_102_444_800,
            -1,
            -2,
            -86_400,
        ] {
            for n in nanos {
                let time = if secs >= 0 {
                    UNIX_EPOCH + Duration::new(secs as u64, n as u32)
                } else {
                    UNIX_EPOCH - Duration::new((-secs) as u64, 0) + Duration::new(0, n as u32)
                };
                let expected = match time.duration_since(UNIX_EPOCH) {
                    Ok(since) => since.as_secs_f64(),
                    Err(before) => -before.duration().as_secs_f64(),
                };
                assert_eq!(
                    seconds_since_epoch(secs, n).to_bits(),
                    expected.to_bits(),
                    "{secs} s {n} ns"
                );
            }
        }
    }

    #[test]
    fn trunc_and_floor_match_the_c_library() {
        let mut values = vec![
            0.0,
            -0.0,
            0.4,
            -0.4,
            1.0,
            -1.0,
            1.999_999_9,
            -1.000_000_1,
            1_765_100_000.123_456,
            -1_765_100_000.999_5,
            4_503_599_627_370_495.5,
            -4_503_599_627_370_495.5,
            4_503_599_627_370_497.0,
            9.3e18,
            -9.3e18,
            1e300,
            -1e300,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        // Times around now, at sub-millisecond steps.
        let mut x = 1_765_100_000.0_f64;
        for _ in 0..10_000 {
            x += 0.000_317;
            values.push(x);
            values.push(-x);
        }
        for x in values {
            let (ours, std) = (trunc(x), x.trunc());
            assert!(
                ours.to_bits() == std.to_bits() || (ours.is_nan() && std.is_nan()),
                "trunc({x}) = {ours}, not {std}"
            );
            assert_eq!(floor_to_i64(x), x.floor() as i64, "floor({x})");
        }
    }

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("cannot load config")
        }
    }
    impl StdError for Outer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn derived_attributes() {
        let mut r = LogRecord::new("a", Level::new(25), "m");
        r.pathname = "/x/y/mod.py";
        assert_eq!(r.filename(), "mod.py");
        assert_eq!(r.module(), "mod");
        assert_eq!(r.levelname().to_string(), "Level 25");
        r.created = 1795536741.7239;
        assert_eq!(r.msecs(), 723.0);
    }

    #[test]
    fn exc_text_lists_the_chain_deepest_first_and_is_cached() {
        let err = Outer(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file",
        ));
        let mut r = LogRecord::new("a", Level::ERROR, "m");
        r.exc_info = Some(&err);
        r.exc_type = Some("app::Outer");
        let text = r.exc_text().unwrap();
        assert_eq!(
            text,
            "no such file\n\nThe above exception was the direct cause of the following exception:\n\napp::Outer: cannot load config"
        );
        assert!(std::ptr::eq(text, r.exc_text().unwrap()));
    }

    #[test]
    fn thread_is_looked_up_only_when_read_and_shared_without_atomics() {
        std::thread::Builder::new()
            .name("reader".into())
            .spawn(|| {
                let info = current_thread_shared();
                let (id, name) = (info.0, info.1.clone());
                let (held, names) = (Rc::strong_count(&info), Arc::strong_count(&name));
                let record = LogRecord::new("a", Level::INFO, "m");
                assert_eq!(Rc::strong_count(&info), held, "looked up when made");
                assert_eq!((record.thread(), record.thread_name()), (id, "reader"));
                assert_eq!(Rc::strong_count(&info), held + 1);
                assert_eq!(
                    Arc::strong_count(&name),
                    names,
                    "the name's atomic count is not touched per record"
                );
                drop(record);
                assert_eq!(Rc::strong_count(&info), held);
                assert_eq!(current_thread(), (id, name));
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn process_and_relative_created_are_this_process_unless_set() {
        let mut r = LogRecord::new("a", Level::INFO, "m");
        assert_eq!(
            (r.process(), r.process_name()),
            (std::process::id(), "MainProcess")
        );
        assert_eq!(r.relative_created(), (r.created - start_time()) * 1000.0);
        r.set_process(7, "SpawnProcess-1");
        r.set_relative_created(12.5);
        r.set_thread(3, "Worker");
        assert_eq!((r.process(), r.process_name()), (7, "SpawnProcess-1"));
        assert_eq!(r.relative_created(), 12.5);
        assert_eq!((r.thread(), r.thread_name()), (3, "Worker"));
    }

    #[test]
    fn main_thread_is_named_like_python_elsewhere_by_rust_name() {
        let (_, name) = std::thread::Builder::new()
            .name("worker-1".into())
            .spawn(current_thread)
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(&*name, "worker-1");
    }
}
