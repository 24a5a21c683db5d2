//! Levels: Python's numeric severities and their names.
//!
//! A [`Level`] is an integer, as in Python: `NOTSET` 0, `TRACE` 5, `DEBUG` 10, `INFO` 20, `WARNING` 30,
//! `ERROR` 40, `CRITICAL` 50, and any other integer for custom levels. Names live in one process-wide
//! registry, like Python's `_levelToName` / `_nameToLevel`; [`add_level_name`] extends it.
//!
//! ```
//! use pylog_core::{Level, add_level_name, level_name};
//!
//! assert_eq!(level_name(Level::INFO).to_string(), "INFO");
//! assert_eq!(level_name(Level::new(25)).to_string(), "Level 25");
//! add_level_name(Level::new(25), "NOTICE");
//! assert_eq!(level_name(Level::new(25)).to_string(), "NOTICE");
//! assert_eq!("NOTICE".parse::<Level>().unwrap(), Level::new(25));
//! assert_eq!("warn".parse::<Level>().unwrap(), Level::WARNING); // any case, with aliases
//! assert_eq!(
//!     "nope".parse::<Level>().unwrap_err().to_string(),
//!     "Unknown level: 'nope'"
//! );
//! ```

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{OnceLock, RwLock};

use crate::error::Error;

/// A logging severity: an integer where higher is more severe.
///
/// Python: the `int` levels of `logging` (`logging.INFO`, …).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Level(i32);

impl Level {
    /// Python's `NOTSET` (0): a logger at NOTSET inherits its parent's level.
    pub const NOTSET: Level = Level(0);
    /// `TRACE` (5): tracing's most verbose level; not in Python, registered here by default.
    pub const TRACE: Level = Level(5);
    /// Python's `DEBUG` (10).
    pub const DEBUG: Level = Level(10);
    /// Python's `INFO` (20).
    pub const INFO: Level = Level(20);
    /// Python's `WARNING` (30).
    pub const WARNING: Level = Level(30);
    /// Python's `ERROR` (40).
    pub const ERROR: Level = Level(40);
    /// Python's `CRITICAL` (50), also known as `FATAL`.
    pub const CRITICAL: Level = Level(50);

    /// A level from its number; any integer is allowed, as in Python.
    pub const fn new(value: i32) -> Level {
        Level(value)
    }

    /// The level's number (Python's `levelno`).
    pub const fn value(self) -> i32 {
        self.0
    }

    /// The level's registered name, or `Level N` (Python's `getLevelName(level)`).
    pub fn name(self) -> LevelName {
        level_name(self)
    }
}

impl From<i32> for Level {
    fn from(value: i32) -> Level {
        Level(value)
    }
}

impl fmt::Debug for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Level({}, {})", self.0, level_name(*self))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&level_name(*self), f)
    }
}

/// Parses a level as `log`, `tracing` and `PYLOG_LEVEL` do: a registered name in any case
/// (`INFO`, `info`, `Warning`), the aliases `WARN` and `FATAL`, tracing's `TRACE`, or a decimal
/// number.
///
/// Python's `_checkLevel` takes only the exact registered spelling; configuration documents
/// (`dictConfig`, `fileConfig`) keep that rule, so a file means the same to CPython and to pylog.
///
/// ```
/// use pylog_core::Level;
/// assert_eq!("warn".parse::<Level>()?, Level::WARNING);
/// assert_eq!("Trace".parse::<Level>()?, Level::TRACE);
/// assert_eq!("fatal".parse::<Level>()?, Level::CRITICAL);
/// assert_eq!("25".parse::<Level>()?, Level::new(25));
/// assert_eq!("loud".parse::<Level>().unwrap_err().to_string(), "Unknown level: 'loud'");
/// # Ok::<(), pylog_core::Error>(())
/// ```
impl FromStr for Level {
    type Err = Error;

    fn from_str(s: &str) -> Result<Level, Error> {
        if let Some(level) = level_for_name_ignoring_case(s.trim()) {
            return Ok(level);
        }
        s.trim()
            .parse::<i32>()
            .map(Level)
            .map_err(|_| Error::UnknownLevel(s.to_owned()))
    }
}

/// The name of a level, without allocating: a registered name or Python's `Level N`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LevelName {
    /// A registered name such as `INFO`.
    Named(&'static str),
    /// An unregistered level, displayed as `Level N`.
    Unnamed(i32),
}

impl LevelName {
    /// The name as text, allocating only for unregistered levels.
    pub fn to_text(self) -> std::borrow::Cow<'static, str> {
        match self {
            LevelName::Named(name) => std::borrow::Cow::Borrowed(name),
            LevelName::Unnamed(_) => std::borrow::Cow::Owned(self.to_string()),
        }
    }
}

impl fmt::Display for LevelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LevelName::Named(name) => f.pad(name),
            LevelName::Unnamed(n) => f.pad(&format!("Level {n}")),
        }
    }
}

struct Registry {
    to_name: HashMap<i32, &'static str>,
    to_level: HashMap<&'static str, i32>,
}

fn registry() -> &'static RwLock<Registry> {
    static REGISTRY: OnceLock<RwLock<Registry>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let named = [
            (50, "CRITICAL"),
            (40, "ERROR"),
            (30, "WARNING"),
            (20, "INFO"),
            (10, "DEBUG"),
            (5, "TRACE"),
            (0, "NOTSET"),
        ];
        let mut to_name = HashMap::new();
        let mut to_level = HashMap::new();
        for (level, name) in named {
            to_name.insert(level, name);
            to_level.insert(name, level);
        }
        to_level.insert("FATAL", 50);
        to_level.insert("WARN", 30);
        RwLock::new(Registry { to_name, to_level })
    })
}

/// The name of `level` (Python's `getLevelName(int)`): the registered name, or `Level N`.
#[inline]
pub fn level_name(level: Level) -> LevelName {
    match level.0 {
        50 | 40 | 30 | 20 | 10 | 5 | 0 if !custom_names_registered() => {
            LevelName::Named(builtin_name(level.0))
        }
        n => registered_name(n),
    }
}

/// The name registered for level `n`, or `Level n`.
fn registered_name(n: i32) -> LevelName {
    let registry = registry().read().unwrap_or_else(|e| e.into_inner());
    match registry.to_name.get(&n) {
        Some(name) => LevelName::Named(name),
        None => LevelName::Unnamed(n),
    }
}

fn builtin_name(n: i32) -> &'static str {
    match n {
        50 => "CRITICAL",
        40 => "ERROR",
        30 => "WARNING",
        20 => "INFO",
        10 => "DEBUG",
        5 => "TRACE",
        _ => "NOTSET",
    }
}

static CUSTOM_NAMES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn custom_names_registered() -> bool {
    CUSTOM_NAMES.load(std::sync::atomic::Ordering::Acquire)
}

/// The level registered under `name`, case-sensitive (Python's `getLevelName(str)` when it finds one).
pub fn level_for_name(name: &str) -> Option<Level> {
    let registry = registry().read().unwrap_or_else(|e| e.into_inner());
    registry.to_level.get(name).copied().map(Level)
}

/// The level registered under `name` in any case: the exact spelling first, then the upper-case
/// one (`warn` is `WARN`), then any registered name equal ignoring ASCII case.
pub(crate) fn level_for_name_ignoring_case(name: &str) -> Option<Level> {
    let registry = registry().read().unwrap_or_else(|e| e.into_inner());
    if let Some(level) = registry.to_level.get(name) {
        return Some(Level(*level));
    }
    if let Some(level) = registry.to_level.get(name.to_ascii_uppercase().as_str()) {
        return Some(Level(*level));
    }
    let mut matches: Vec<(&str, i32)> = registry
        .to_level
        .iter()
        .filter(|(registered, _)| registered.eq_ignore_ascii_case(name))
        .map(|(registered, level)| (*registered, *level))
        .collect();
    // Two registered spellings of one name (`Notice` and `notice`): the same one every time.
    matches.sort_unstable();
    matches.first().map(|(_, level)| Level(*level))
}

/// Registers `name` for `level` in both directions (Python's `addLevelName`).
///
/// It can rename a built-in level; the old name still parses, as in Python. Names are kept for the life
/// of the process (a handful of short strings).
pub fn add_level_name(level: Level, name: &str) {
    let mut registry = registry().write().unwrap_or_else(|e| e.into_inner());
    let name: &'static str = match registry.to_level.get_key_value(name) {
        Some((existing, _)) => existing,
        None => Box::leak(name.to_owned().into_boxed_str()),
    };
    registry.to_name.insert(level.0, name);
    registry.to_level.insert(name, level.0);
    CUSTOM_NAMES.store(true, std::sync::atomic::Ordering::Release);
}

/// Every registered name and its level (Python's `getLevelNamesMapping`), sorted by level, highest first.
pub fn level_names_mapping() -> Vec<(String, Level)> {
    let registry = registry().read().unwrap_or_else(|e| e.into_inner());
    let mut all: Vec<(String, Level)> = registry
        .to_level
        .iter()
        .map(|(name, level)| ((*name).to_owned(), Level(*level)))
        .collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all
}

/// A level given by number or by name, as Python's `setLevel` accepts (`_checkLevel`), except that
/// names are read in any case, with the aliases `WARN`, `FATAL` and `TRACE`, as [`Level`]'s
/// `FromStr` reads them.
///
/// ```
/// use pylog_core::{Level, LevelSpec};
/// assert_eq!(LevelSpec::from("INFO").resolve().unwrap(), Level::INFO);
/// assert_eq!(LevelSpec::from("warn").resolve().unwrap(), Level::WARNING);
/// assert_eq!(LevelSpec::from(25).resolve().unwrap(), Level::new(25));
/// assert_eq!(LevelSpec::from("loud").resolve().unwrap_err().to_string(), "Unknown level: 'loud'");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LevelSpec {
    /// A number, accepted as it is.
    Number(i32),
    /// A registered name, in any case.
    Name(String),
}

impl LevelSpec {
    /// Resolves the spec: numbers as they are, names through the registry in any case (a number
    /// written as text is not a name, as in Python).
    pub fn resolve(&self) -> Result<Level, Error> {
        match self {
            LevelSpec::Number(n) => Ok(Level(*n)),
            LevelSpec::Name(name) => {
                level_for_name_ignoring_case(name).ok_or_else(|| Error::UnknownLevel(name.clone()))
            }
        }
    }
}

impl From<i32> for LevelSpec {
    fn from(n: i32) -> LevelSpec {
        LevelSpec::Number(n)
    }
}

impl From<Level> for LevelSpec {
    fn from(level: Level) -> LevelSpec {
        LevelSpec::Number(level.0)
    }
}

impl From<&str> for LevelSpec {
    fn from(name: &str) -> LevelSpec {
        LevelSpec::Name(name.to_owned())
    }
}

impl From<String> for LevelSpec {
    fn from(name: String) -> LevelSpec {
        LevelSpec::Name(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_both_ways() {
        assert_eq!(level_name(Level::WARNING), LevelName::Named("WARNING"));
        assert_eq!(level_for_name("WARN"), Some(Level::WARNING));
        assert_eq!(level_for_name("FATAL"), Some(Level::CRITICAL));
        assert_eq!(level_for_name("info"), None);
        assert_eq!(level_name(Level::new(51)).to_string(), "Level 51");
    }

    #[test]
    fn from_str_accepts_numbers_and_any_case_and_rejects_unknown_names() {
        assert_eq!("35".parse::<Level>().unwrap(), Level::new(35));
        assert_eq!("ERROR".parse::<Level>().unwrap(), Level::ERROR);
        assert_eq!("Error".parse::<Level>().unwrap(), Level::ERROR);
        for (name, level) in [
            ("warn", Level::WARNING),
            ("warning", Level::WARNING),
            ("trace", Level::TRACE),
            ("fatal", Level::CRITICAL),
            ("critical", Level::CRITICAL),
            ("debug", Level::DEBUG),
            ("notset", Level::NOTSET),
        ] {
            assert_eq!(name.parse::<Level>().unwrap(), level, "{name}");
        }
        assert!(matches!(
            "Errors".parse::<Level>(),
            Err(Error::UnknownLevel(_))
        ));
        // The exact spelling of a registered name is never an error, and a strict lookup stays
        // Python's getLevelName.
        assert_eq!(level_for_name("warn"), None);
    }

    #[test]
    fn level_spec_reads_names_in_any_case_but_not_numbers_as_text() {
        assert_eq!(LevelSpec::from("Info").resolve().unwrap(), Level::INFO);
        assert!(LevelSpec::from("25").resolve().is_err());
    }

    #[test]
    fn padding_applies_to_names() {
        assert_eq!(format!("{:<8}|", level_name(Level::INFO)), "INFO    |");
        assert_eq!(format!("{:>9}|", level_name(Level::new(7))), "  Level 7|");
    }
}
