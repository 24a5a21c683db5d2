//! The keyword arguments of one constructor (a handler class, a `()` factory), read by name with
//! the types the constructor needs.
//!
//! Every getter converts `cfg://` and `ext://` references first, marks the key as used and names
//! the key's path in its error; [`Args::finish`] rejects keys nobody used, with the text Python's
//! `TypeError` gives for an unexpected keyword argument.

use super::refs::{Converted, ExtObject, Resolver};
use super::{ConfigError, ConfigMap, ConfigValue};
use crate::format::repr::py_repr;
use crate::level::{Level, level_for_name};

/// Keyword arguments, in document order.
pub struct Args<'r> {
    callable: String,
    path: String,
    entries: Vec<(String, ConfigValue, bool)>,
    resolver: &'r Resolver<'r>,
}

impl std::fmt::Debug for Args<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Args")
            .field("callable", &self.callable)
            .field("path", &self.path)
            .field(
                "keys",
                &self.entries.iter().map(|e| &e.0).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl<'r> Args<'r> {
    pub(crate) fn new(
        callable: impl Into<String>,
        path: impl Into<String>,
        entries: ConfigMap,
        resolver: &'r Resolver<'r>,
    ) -> Args<'r> {
        Args {
            callable: callable.into(),
            path: path.into(),
            entries: entries.into_iter().map(|(k, v)| (k, v, false)).collect(),
            resolver,
        }
    }

    /// The dotted path of these arguments in the document (`handlers.file`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path of one key (`handlers.file.maxBytes`).
    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// An error about `key`: `maxBytes: expected an integer, got 'ten'`, at the key's path.
    pub fn invalid(&self, key: &str, expected: &str, got: &ConfigValue) -> ConfigError {
        ConfigError::new(format!("{key}: expected {expected}, got {got}")).at(self.key_path(key))
    }

    /// Whether `key` was given (even as `null`).
    pub fn contains(&self, key: &str) -> bool {
        self.entries.iter().any(|e| e.0 == key)
    }

    /// The keys not read yet.
    pub fn remaining(&self) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|e| !e.2)
            .map(|e| e.0.as_str())
            .collect()
    }

    fn take_raw(&mut self, key: &str) -> Option<ConfigValue> {
        let entry = self.entries.iter_mut().find(|e| e.0 == key)?;
        entry.2 = true;
        Some(entry.1.clone())
    }

    /// The value of `key` after reference conversion; `None` when absent or `null`.
    pub fn value(&mut self, key: &str) -> Result<Option<ConfigValue>, ConfigError> {
        match self.take_raw(key) {
            None | Some(ConfigValue::Null) => Ok(None),
            Some(raw) => {
                let converted = self
                    .resolver
                    .convert_value(&raw)
                    .map_err(|e| e.about_key(key).at(self.key_path(key)))?;
                Ok((converted != ConfigValue::Null).then_some(converted))
            }
        }
    }

    /// A reference to an external object, or a value.
    pub(crate) fn object(&mut self, key: &str) -> Result<Option<Converted>, ConfigError> {
        match self.take_raw(key) {
            None | Some(ConfigValue::Null) => Ok(None),
            Some(raw) => self
                .resolver
                .convert(&raw)
                .map(Some)
                .map_err(|e| e.about_key(key).at(self.key_path(key))),
        }
    }

    /// A string.
    pub fn string(&mut self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.value(key)? {
            None => Ok(None),
            Some(ConfigValue::Str(s)) => Ok(Some(s)),
            Some(other) => Err(self.invalid(key, "a string", &other)),
        }
    }

    /// An integer; a float with no fraction is accepted, as Python's arithmetic would.
    pub fn int(&mut self, key: &str) -> Result<Option<i64>, ConfigError> {
        match self.value(key)? {
            None => Ok(None),
            Some(ConfigValue::Int(i)) => Ok(Some(i)),
            Some(ConfigValue::Float(x)) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
                Ok(Some(x as i64))
            }
            Some(other) => Err(self.invalid(key, "an integer", &other)),
        }
    }

    /// A non-negative integer that fits `T`.
    pub fn count<T: TryFrom<i64>>(&mut self, key: &str) -> Result<Option<T>, ConfigError> {
        let Some(i) = self.int(key)? else {
            return Ok(None);
        };
        T::try_from(i)
            .ok()
            .filter(|_| i >= 0)
            .map(Some)
            .ok_or_else(|| self.invalid(key, "an integer of 0 or more", &ConfigValue::Int(i)))
    }

    /// A number of seconds (an integer or a float).
    pub fn seconds(&mut self, key: &str) -> Result<Option<std::time::Duration>, ConfigError> {
        let value = self.value(key)?;
        let seconds = match &value {
            None => return Ok(None),
            Some(ConfigValue::Int(i)) => *i as f64,
            Some(ConfigValue::Float(x)) => *x,
            Some(other) => return Err(self.invalid(key, "a number of seconds", other)),
        };
        std::time::Duration::try_from_secs_f64(seconds)
            .map(Some)
            .map_err(|_| {
                self.invalid(
                    key,
                    "a non-negative number of seconds",
                    &ConfigValue::Float(seconds),
                )
            })
    }

    /// A boolean (or 0 or 1). A string is an error, even `"false"`: Python would take any
    /// non-empty string as true, so the same file would mean something else in each language.
    pub fn bool(&mut self, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.value(key)? {
            None => Ok(None),
            Some(ConfigValue::Bool(b)) => Ok(Some(b)),
            Some(ConfigValue::Int(i @ (0 | 1))) => Ok(Some(i == 1)),
            Some(other) => Err(self.invalid(key, "true or false", &other)),
        }
    }

    /// A level, checked as Python's `_checkLevel`: an integer, or a registered name in its exact
    /// case.
    pub fn level(&mut self, key: &str) -> Result<Option<Level>, ConfigError> {
        match self.value(key)? {
            None => Ok(None),
            Some(value) => check_level(&value)
                .map(Some)
                .map_err(|e| e.at(self.key_path(key))),
        }
    }

    /// A list of strings; a single string is not accepted (Python would iterate its characters).
    pub fn strings(&mut self, key: &str) -> Result<Option<Vec<String>>, ConfigError> {
        match self.value(key)? {
            None => Ok(None),
            Some(ConfigValue::List(items)) => items
                .into_iter()
                .map(|item| match item {
                    ConfigValue::Str(s) => Ok(s),
                    other => Err(self.invalid(key, "a list of strings", &other)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(self.invalid(key, "a list of strings", &other)),
        }
    }

    /// A map.
    pub fn map(&mut self, key: &str) -> Result<Option<ConfigMap>, ConfigError> {
        match self.value(key)? {
            None => Ok(None),
            Some(ConfigValue::Map(m)) => Ok(Some(m)),
            Some(other) => Err(self.invalid(key, "a mapping", &other)),
        }
    }

    /// A stream: `ext://sys.stdout`, `ext://sys.stderr` or a writer the application registered.
    pub(crate) fn stream(&mut self, key: &str) -> Result<Option<ExtObject>, ConfigError> {
        let raw = self
            .entries
            .iter()
            .find(|e| e.0 == key)
            .map(|e| e.1.clone());
        let object = self.object(key).map_err(|e| match &raw {
            Some(raw @ ConfigValue::Str(text)) if text.starts_with("ext://") => ConfigError::new(format!(
                "{key}: expected ext://sys.stdout, ext://sys.stderr or a registered ext:// name, got {raw}"
            ))
            .at(self.key_path(key)),
            _ => e,
        })?;
        match object {
            None => Ok(None),
            Some(Converted::Object(object)) => Ok(Some(object)),
            Some(Converted::Value(other)) => Err(self.invalid(
                key,
                "a stream (ext://sys.stdout, ext://sys.stderr or a registered ext:// writer)",
                &other,
            )),
        }
    }

    /// Fails on the first key nobody read, with Python's text:
    /// `RotatingFileHandler.__init__() got an unexpected keyword argument 'maxByte'`.
    pub fn finish(self) -> Result<(), ConfigError> {
        match self.entries.iter().find(|e| !e.2) {
            None => Ok(()),
            Some((key, _, _)) => Err(ConfigError::new(format!(
                "{}() got an unexpected keyword argument {}",
                self.callable,
                py_repr(key)
            ))
            .at(self.key_path(key))),
        }
    }
}

/// Python's `logging._checkLevel`.
pub(crate) fn check_level(value: &ConfigValue) -> Result<Level, ConfigError> {
    match value {
        ConfigValue::Int(i) => i32::try_from(*i)
            .map(Level::new)
            .map_err(|_| ConfigError::new(format!("Level out of range: {i}"))),
        ConfigValue::Bool(b) => Ok(Level::new(i32::from(*b))),
        ConfigValue::Str(name) => level_for_name(name)
            .ok_or_else(|| ConfigError::new(format!("Unknown level: {}", py_repr(name)))),
        other => Err(ConfigError::new(format!(
            "Level not an integer or a valid string: {other}"
        ))),
    }
}

/// Whether `key` is a valid Python identifier as dictConfig checks keyword names
/// (`^[a-z_][a-z0-9_]*$`, ignoring case).
pub(crate) fn is_identifier(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
