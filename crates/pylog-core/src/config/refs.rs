//! `cfg://` and `ext://` references, resolved as CPython's `BaseConfigurator.convert` does.
//!
//! - `cfg://handlers.email.toaddrs[0]` looks up the configuration document itself: a leading word,
//!   then `.word` or `[key]` steps, where an all-digit key indexes a list first.
//! - `ext://sys.stderr` names an object outside the document. Python imports it; here the names
//!   are a fixed table (the standard streams, the level constants, syslog's facility constants)
//!   plus what the application registers (see
//!   [`Configurator::ext_writer`](super::Configurator::ext_writer)).
//!
//! Other prefixes (`http://...`) are plain strings, as in Python.
//!
//! CPython converts lazily and shares the objects a reference names; here a conversion copies
//! them, so a small document whose references fan out (ten `cfg://` names to a list of ten more,
//! seven levels deep) would copy ten million values. What references produce is counted against
//! [`MAX_REFERENCE_BYTES`] for the whole document, and going past it is an error naming the key.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use super::{ConfigError, ConfigValue};
use crate::format::repr::py_repr;
use crate::level::level_for_name;

/// Makes a fresh writer each time a handler needs one.
pub(crate) type WriterFactory = Arc<dyn Fn() -> Box<dyn Write + Send> + Send + Sync>;

/// What an `ext://` name stands for.
#[derive(Clone)]
pub(crate) enum ExtObject {
    /// The process's standard output.
    Stdout,
    /// The process's standard error.
    Stderr,
    /// A writer the application registered.
    Writer(WriterFactory),
    /// A plain value (a level or facility number, or one the application registered).
    Value(ConfigValue),
}

/// Resolves references against one document and one table of external names.
pub(crate) struct Resolver<'a> {
    document: &'a ConfigValue,
    ext: &'a HashMap<String, ExtObject>,
    /// Bytes produced by following `cfg://` references so far, counted by [`cost`].
    produced: Cell<usize>,
}

/// How many references may chain (`cfg://a` naming `cfg://b` ...) before we call it a loop.
const MAX_DEPTH: usize = 32;

/// The most bytes `cfg://` references may produce in one document (16 MiB, as the INI reader's
/// interpolation limit): each value copied through a reference costs its size in memory plus its
/// text.
pub(crate) const MAX_REFERENCE_BYTES: usize = 16 << 20;

/// What one value copied through a reference counts against [`MAX_REFERENCE_BYTES`]; a list or a
/// map counts its own size here and its items as they are copied.
fn cost(value: &ConfigValue) -> usize {
    let own = std::mem::size_of::<ConfigValue>();
    match value {
        ConfigValue::Str(text) => own + text.len(),
        ConfigValue::Map(map) => own + map.keys().map(|k| k.len() + own).sum::<usize>(),
        ConfigValue::List(items) => own + items.len() * own,
        _ => own,
    }
}

/// A value after conversion: either data, or an external object that is not data (a stream).
pub(crate) enum Converted {
    Value(ConfigValue),
    Object(ExtObject),
}

impl<'a> Resolver<'a> {
    /// A resolver for `document`, with the application's `ext://` names.
    pub(crate) fn new(
        document: &'a ConfigValue,
        ext: &'a HashMap<String, ExtObject>,
    ) -> Resolver<'a> {
        Resolver {
            document,
            ext,
            produced: Cell::new(0),
        }
    }

    /// Converts one value, following `cfg://` and `ext://` references; lists and maps are converted
    /// element by element, where a stream inside stays as its `ext://` text.
    pub(crate) fn convert(&self, value: &ConfigValue) -> Result<Converted, ConfigError> {
        self.convert_at(value, 0, false)
    }

    /// Converts a value that must be data.
    pub(crate) fn convert_value(&self, value: &ConfigValue) -> Result<ConfigValue, ConfigError> {
        match self.convert(value)? {
            Converted::Value(v) => Ok(v),
            Converted::Object(_) => Ok(value.clone()),
        }
    }

    /// `via_reference`: whether `value` is being copied because a `cfg://` reference named it (or
    /// something inside such a value), so that what it produces counts against the budget.
    fn convert_at(
        &self,
        value: &ConfigValue,
        depth: usize,
        via_reference: bool,
    ) -> Result<Converted, ConfigError> {
        if depth > MAX_DEPTH {
            return Err(ConfigError::new(format!(
                "Unable to convert {value}: references nest more than {MAX_DEPTH} deep"
            )));
        }
        if via_reference {
            self.charge(value)?;
        }
        match value {
            ConfigValue::Str(text) => match split_reference(text) {
                Some(("cfg", path)) => {
                    let target = self.cfg_lookup(path)?;
                    self.convert_at(target, depth + 1, true)
                }
                Some(("ext", name)) => match self.ext_lookup(name)? {
                    ExtObject::Value(v) => self.convert_at(&v, depth + 1, via_reference),
                    object => Ok(Converted::Object(object)),
                },
                _ => Ok(Converted::Value(value.clone())),
            },
            ConfigValue::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.deep(item, depth + 1, via_reference)?);
                }
                Ok(Converted::Value(ConfigValue::List(out)))
            }
            ConfigValue::Map(map) => {
                let mut out = super::ConfigMap::new();
                for (k, v) in map.iter() {
                    out.insert(k, self.deep(v, depth + 1, via_reference)?);
                }
                Ok(Converted::Value(ConfigValue::Map(out)))
            }
            other => Ok(Converted::Value(other.clone())),
        }
    }

    fn deep(
        &self,
        value: &ConfigValue,
        depth: usize,
        via_reference: bool,
    ) -> Result<ConfigValue, ConfigError> {
        match self.convert_at(value, depth, via_reference)? {
            Converted::Value(v) => Ok(v),
            Converted::Object(_) => Ok(value.clone()),
        }
    }

    /// Counts a value copied through a reference; past [`MAX_REFERENCE_BYTES`] it is an error
    /// (the caller adds the key's path).
    fn charge(&self, value: &ConfigValue) -> Result<(), ConfigError> {
        let produced = self.produced.get().saturating_add(cost(value));
        self.produced.set(produced);
        if produced > MAX_REFERENCE_BYTES {
            return Err(ConfigError::new(format!(
                "cfg:// references in this document expand to more than {} MiB \
                 ({MAX_REFERENCE_BYTES} bytes): each use copies the value it names",
                MAX_REFERENCE_BYTES >> 20
            )));
        }
        Ok(())
    }

    /// CPython's `cfg_convert`.
    fn cfg_lookup(&self, path: &str) -> Result<&ConfigValue, ConfigError> {
        let unable = || ConfigError::new(format!("Unable to convert {}", py_repr(path)));
        let (word, mut rest) = take_word(path).ok_or_else(unable)?;
        let mut current = self.document.get(word).ok_or_else(|| missing_key(path))?;
        while !rest.is_empty() {
            let (step, after) = if let Some(after_dot) = rest.strip_prefix('.') {
                take_word(after_dot).ok_or_else(|| unable_at(path, rest))?
            } else if let Some(after_bracket) = rest.strip_prefix('[') {
                let end = after_bracket
                    .find(']')
                    .filter(|&i| !after_bracket[..i].contains('['))
                    .ok_or_else(|| unable_at(path, rest))?;
                let key = &after_bracket[..end];
                (key, after_bracket[end + 1..].trim_start())
            } else {
                return Err(unable_at(path, rest));
            };
            current = index(current, step).ok_or_else(|| missing_key(path))?;
            rest = after;
        }
        Ok(current)
    }

    /// The object an `ext://` name stands for, with CPython's import errors for unknown names.
    pub(crate) fn ext_lookup(&self, name: &str) -> Result<ExtObject, ConfigError> {
        if let Some(object) = self.ext.get(name) {
            return Ok(object.clone());
        }
        if let Some(object) = builtin_ext(name) {
            return Ok(object);
        }
        Err(ConfigError::new(format!(
            "Cannot resolve {}: {}",
            py_repr(name),
            import_error(name)
        )))
    }
}

/// `prefix://suffix` with a lower-case ASCII prefix (CPython's `CONVERT_PATTERN`).
pub(crate) fn split_reference(text: &str) -> Option<(&str, &str)> {
    let (prefix, suffix) = text.split_once("://")?;
    (!prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_lowercase()))
        .then_some((prefix, suffix))
}

/// A leading `\w+` after optional spaces, and what follows it (spaces skipped).
fn take_word(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    let end = text
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
        .map_or(text.len(), |(i, _)| i);
    (end > 0).then(|| (&text[..end], text[end..].trim_start()))
}

fn index<'v>(value: &'v ConfigValue, key: &str) -> Option<&'v ConfigValue> {
    match value {
        ConfigValue::List(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        ConfigValue::Map(map) => map.get(key),
        _ => None,
    }
}

/// A `cfg://` path naming nothing (CPython raises a bare `KeyError`).
fn missing_key(path: &str) -> ConfigError {
    ConfigError::new(format!(
        "expected a cfg:// path to a key of the document, got {}",
        py_repr(&format!("cfg://{path}"))
    ))
}

fn unable_at(text: &str, rest: &str) -> ConfigError {
    ConfigError::new(format!(
        "Unable to convert {} at {}",
        py_repr(text),
        py_repr(rest)
    ))
}

/// The names every configuration can use without registering them.
fn builtin_ext(name: &str) -> Option<ExtObject> {
    match name {
        "sys.stdout" => return Some(ExtObject::Stdout),
        "sys.stderr" => return Some(ExtObject::Stderr),
        "socket.SOCK_STREAM" => return Some(ExtObject::Value(ConfigValue::Int(1))),
        "socket.SOCK_DGRAM" => return Some(ExtObject::Value(ConfigValue::Int(2))),
        _ => {}
    }
    let constant = name
        .strip_prefix("logging.handlers.SysLogHandler.")
        .or_else(|| name.strip_prefix("handlers.SysLogHandler."))
        .and_then(syslog_constant)
        .or_else(|| {
            let level = name.strip_prefix("logging.").unwrap_or(name);
            let is_constant = level.bytes().all(|b| b.is_ascii_uppercase());
            is_constant
                .then(|| level_for_name(level))
                .flatten()
                .map(|l| i64::from(l.value()))
        })?;
    Some(ExtObject::Value(ConfigValue::Int(constant)))
}

/// `SysLogHandler.LOG_*`: the facility and priority numbers of Python's class attributes.
fn syslog_constant(name: &str) -> Option<i64> {
    const NAMES: [(&str, i64); 33] = [
        ("LOG_EMERG", 0),
        ("LOG_ALERT", 1),
        ("LOG_CRIT", 2),
        ("LOG_ERR", 3),
        ("LOG_WARNING", 4),
        ("LOG_NOTICE", 5),
        ("LOG_INFO", 6),
        ("LOG_DEBUG", 7),
        ("LOG_KERN", 0),
        ("LOG_USER", 1),
        ("LOG_MAIL", 2),
        ("LOG_DAEMON", 3),
        ("LOG_AUTH", 4),
        ("LOG_SYSLOG", 5),
        ("LOG_LPR", 6),
        ("LOG_NEWS", 7),
        ("LOG_UUCP", 8),
        ("LOG_CRON", 9),
        ("LOG_AUTHPRIV", 10),
        ("LOG_FTP", 11),
        ("LOG_NTP", 12),
        ("LOG_SECURITY", 13),
        ("LOG_CONSOLE", 14),
        ("LOG_SOLCRON", 15),
        ("LOG_LOCAL0", 16),
        ("LOG_LOCAL1", 17),
        ("LOG_LOCAL2", 18),
        ("LOG_LOCAL3", 19),
        ("LOG_LOCAL4", 20),
        ("LOG_LOCAL5", 21),
        ("LOG_LOCAL6", 22),
        ("LOG_LOCAL7", 23),
        ("LOG_USER", 1),
    ];
    NAMES.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
}

/// The `ImportError` text CPython's `_resolve` would give for a name nobody registered.
pub(crate) fn import_error(name: &str) -> String {
    const PACKAGES: [&str; 1] = ["logging"];
    const MODULES: [&str; 6] = [
        "sys",
        "os",
        "socket",
        "logging.handlers",
        "logging.config",
        "time",
    ];
    let parts: Vec<&str> = name.split('.').collect();
    let first = parts[0];
    if !PACKAGES.contains(&first) && !MODULES.contains(&first) {
        return format!("No module named {}", py_repr(first));
    }
    // Walk as `_resolve` does: getattr, then import the longer dotted name when it fails.
    let mut used = first.to_owned();
    for part in &parts[1..] {
        let candidate = format!("{used}.{part}");
        if PACKAGES.contains(&candidate.as_str()) || MODULES.contains(&candidate.as_str()) {
            used = candidate;
            continue;
        }
        if PACKAGES.contains(&used.as_str()) {
            return format!("No module named {}", py_repr(&candidate));
        }
        return format!(
            "No module named {}; {} is not a package",
            py_repr(&candidate),
            py_repr(&used)
        );
    }
    format!("module {} has no such attribute", py_repr(&used))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> ConfigValue {
        ConfigValue::map([
            (
                "x",
                ConfigValue::map([(
                    "y",
                    ConfigValue::List(vec![
                        ConfigValue::from("zero"),
                        ConfigValue::map([("z", ConfigValue::from("ext://sys.stdout"))]),
                    ]),
                )]),
            ),
            ("level", ConfigValue::from("cfg://x.y[0]")),
        ])
    }

    fn resolve(text: &str) -> Result<Converted, ConfigError> {
        let document = doc();
        let ext = HashMap::new();
        let resolver = Resolver::new(&document, &ext);
        resolver.convert(&ConfigValue::from(text))
    }

    /// Ten references to a list of ten more, `levels` deep: 10^levels strings once copied.
    fn fan_out(levels: usize) -> ConfigValue {
        let mut entries = Vec::new();
        for level in 0..levels {
            let next = ConfigValue::List(
                (0..10)
                    .map(|_| ConfigValue::from(format!("cfg://l{}", level + 1)))
                    .collect(),
            );
            entries.push((format!("l{level}"), next));
        }
        entries.push((format!("l{levels}"), ConfigValue::from("x".repeat(100))));
        ConfigValue::map(entries)
    }

    #[test]
    fn references_that_fan_out_stop_at_the_budget() {
        let ext = HashMap::new();
        let document = fan_out(8);
        let resolver = Resolver::new(&document, &ext);
        let error = match resolver.convert(&ConfigValue::from("cfg://l0")) {
            Err(error) => error,
            Ok(_) => panic!("10^8 copies are refused"),
        };
        assert_eq!(
            error.to_string(),
            "cfg:// references in this document expand to more than 16 MiB (16777216 bytes): \
             each use copies the value it names"
        );
        // The budget holds for the document as a whole, not per reference.
        assert!(resolver.produced.get() <= MAX_REFERENCE_BYTES + 200);

        // A modest fan-out is converted in full.
        let document = fan_out(3);
        let resolver = Resolver::new(&document, &ext);
        match resolver.convert(&ConfigValue::from("cfg://l0")) {
            Ok(Converted::Value(ConfigValue::List(items))) => assert_eq!(items.len(), 10),
            _ => panic!("1,000 copies are fine"),
        }
    }

    #[test]
    fn cfg_paths_follow_dots_and_indexes_and_chain_into_ext() {
        assert!(matches!(
            resolve("cfg://x.y[1].z"),
            Ok(Converted::Object(ExtObject::Stdout))
        ));
        assert!(
            matches!(resolve("cfg://level"), Ok(Converted::Value(ConfigValue::Str(s))) if s == "zero")
        );
        assert!(matches!(
            resolve("ext://logging.DEBUG"),
            Ok(Converted::Value(ConfigValue::Int(10)))
        ));
        assert!(matches!(
            resolve("http://example.com"),
            Ok(Converted::Value(ConfigValue::Str(_)))
        ));
    }

    #[test]
    fn bad_references_carry_cpythons_texts() {
        let message = |text: &str| resolve(text).err().map(|e| e.to_string());
        assert_eq!(
            message("cfg://nope"),
            Some("expected a cfg:// path to a key of the document, got 'cfg://nope'".to_owned())
        );
        assert_eq!(message("cfg://!"), Some("Unable to convert '!'".to_owned()));
        assert_eq!(
            message("cfg://x.y[1"),
            Some("Unable to convert 'x.y[1' at '[1'".to_owned())
        );
        assert_eq!(
            message("ext://nope.Nope"),
            Some("Cannot resolve 'nope.Nope': No module named 'nope'".to_owned())
        );
        assert_eq!(
            message("ext://sys.nope"),
            Some(
                "Cannot resolve 'sys.nope': No module named 'sys.nope'; 'sys' is not a package"
                    .to_owned()
            )
        );
    }
}
