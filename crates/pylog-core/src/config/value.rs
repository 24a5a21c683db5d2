//! The value tree of a configuration document: what JSON, YAML, TOML, Python literals and serde
//! data all become before the configurator reads them.
//!
//! Maps keep their keys in document order (Python's `dict` does, and dictConfig builds formatters,
//! filters and loggers in that order); a key given twice keeps its last value, as in Python.
//!
//! ```
//! use pylog_core::config::ConfigValue;
//! let value = ConfigValue::map([("level", ConfigValue::from("INFO")), ("propagate", false.into())]);
//! assert_eq!(value.get("level").and_then(ConfigValue::as_str), Some("INFO"));
//! assert_eq!(value.to_string(), "{'level': 'INFO', 'propagate': False}");
//! ```

use std::fmt;

use crate::format::repr::py_repr;

/// One value of a configuration document.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum ConfigValue {
    /// JSON `null`, YAML `~`, Python `None`.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A list (JSON array, YAML sequence, Python list or tuple).
    List(Vec<ConfigValue>),
    /// A map with string keys, in document order.
    Map(ConfigMap),
}

/// A map with string keys that keeps document order. Python: a `dict` of a dictConfig document.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ConfigMap {
    entries: Vec<(String, ConfigValue)>,
}

impl ConfigMap {
    /// An empty map.
    pub fn new() -> ConfigMap {
        ConfigMap::default()
    }

    /// Sets `key` to `value`; a key already present keeps its place and takes the new value.
    pub fn insert(&mut self, key: impl Into<String>, value: ConfigValue) {
        let key = key.into();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&ConfigValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Removes `key` and returns its value.
    pub fn remove(&mut self, key: &str) -> Option<ConfigValue> {
        let index = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(index).1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The entries in document order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &ConfigValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The keys in document order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<K: Into<String>> FromIterator<(K, ConfigValue)> for ConfigMap {
    fn from_iter<I: IntoIterator<Item = (K, ConfigValue)>>(iter: I) -> ConfigMap {
        let mut map = ConfigMap::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl IntoIterator for ConfigMap {
    type Item = (String, ConfigValue);
    type IntoIter = std::vec::IntoIter<(String, ConfigValue)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl ConfigValue {
    /// A map from key-value pairs.
    pub fn map<K: Into<String>>(
        entries: impl IntoIterator<Item = (K, ConfigValue)>,
    ) -> ConfigValue {
        ConfigValue::Map(entries.into_iter().collect())
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ConfigValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The map, if this is one.
    pub fn as_map(&self) -> Option<&ConfigMap> {
        match self {
            ConfigValue::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The list, if this is one.
    pub fn as_list(&self) -> Option<&[ConfigValue]> {
        match self {
            ConfigValue::List(l) => Some(l),
            _ => None,
        }
    }

    /// The value of `key` if this is a map that has it.
    pub fn get(&self, key: &str) -> Option<&ConfigValue> {
        self.as_map()?.get(key)
    }

    /// Python's truth value: `None`, `False`, `0`, `0.0`, `''`, `[]` and `{}` are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            ConfigValue::Null => false,
            ConfigValue::Bool(b) => *b,
            ConfigValue::Int(i) => *i != 0,
            ConfigValue::Float(f) => *f != 0.0,
            ConfigValue::Str(s) => !s.is_empty(),
            ConfigValue::List(l) => !l.is_empty(),
            ConfigValue::Map(m) => !m.is_empty(),
        }
    }

    /// The Python type name of the value, for error messages (`int`, `str`, `dict`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            ConfigValue::Null => "NoneType",
            ConfigValue::Bool(_) => "bool",
            ConfigValue::Int(_) => "int",
            ConfigValue::Float(_) => "float",
            ConfigValue::Str(_) => "str",
            ConfigValue::List(_) => "list",
            ConfigValue::Map(_) => "dict",
        }
    }
}

/// Python's `repr` of the value: `'INFO'`, `10`, `True`, `None`, `['a', 'b']`, `{'k': 1}`.
impl fmt::Display for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigValue::Null => f.write_str("None"),
            ConfigValue::Bool(true) => f.write_str("True"),
            ConfigValue::Bool(false) => f.write_str("False"),
            ConfigValue::Int(i) => write!(f, "{i}"),
            ConfigValue::Float(x) => {
                let mut text = String::new();
                crate::format::pyvalue::write_float_repr(&mut text, *x);
                f.write_str(&text)
            }
            ConfigValue::Str(s) => f.write_str(&py_repr(s)),
            ConfigValue::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            ConfigValue::Map(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {v}", py_repr(k))?;
                }
                f.write_str("}")
            }
        }
    }
}

impl From<&str> for ConfigValue {
    fn from(s: &str) -> ConfigValue {
        ConfigValue::Str(s.to_owned())
    }
}

impl From<String> for ConfigValue {
    fn from(s: String) -> ConfigValue {
        ConfigValue::Str(s)
    }
}

impl From<bool> for ConfigValue {
    fn from(b: bool) -> ConfigValue {
        ConfigValue::Bool(b)
    }
}

impl From<i64> for ConfigValue {
    fn from(i: i64) -> ConfigValue {
        ConfigValue::Int(i)
    }
}

impl From<f64> for ConfigValue {
    fn from(x: f64) -> ConfigValue {
        ConfigValue::Float(x)
    }
}

impl<T: Into<ConfigValue>> From<Vec<T>> for ConfigValue {
    fn from(items: Vec<T>) -> ConfigValue {
        ConfigValue::List(items.into_iter().map(Into::into).collect())
    }
}

impl From<ConfigMap> for ConfigValue {
    fn from(map: ConfigMap) -> ConfigValue {
        ConfigValue::Map(map)
    }
}
