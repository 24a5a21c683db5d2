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

use std::collections::HashMap;
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
///
/// Lookups go through an index by key once the map has more than a few entries, so a document
/// with 200,000 loggers is read in linear time.
#[derive(Clone, Default)]
pub struct ConfigMap {
    entries: Vec<(String, ConfigValue)>,
    /// Where each key sits in `entries`; built once the map outgrows [`LINEAR_LOOKUP`].
    index: Option<HashMap<String, usize>>,
}

/// Up to this many entries a lookup compares keys one by one, which is faster than hashing.
const LINEAR_LOOKUP: usize = 8;

impl ConfigMap {
    /// An empty map.
    pub fn new() -> ConfigMap {
        ConfigMap::default()
    }

    /// Sets `key` to `value`; a key already present keeps its place and takes the new value.
    pub fn insert(&mut self, key: impl Into<String>, value: ConfigValue) {
        let key = key.into();
        match self.position(&key) {
            Some(i) => self.entries[i].1 = value,
            None => {
                if let Some(index) = &mut self.index {
                    index.insert(key.clone(), self.entries.len());
                }
                self.entries.push((key, value));
                if self.index.is_none() && self.entries.len() > LINEAR_LOOKUP {
                    self.reindex();
                }
            }
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&ConfigValue> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    /// Removes `key` and returns its value.
    pub fn remove(&mut self, key: &str) -> Option<ConfigValue> {
        let i = self.position(key)?;
        let (_, value) = self.entries.remove(i);
        if self.index.is_some() {
            self.reindex();
        }
        Some(value)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
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

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k == key),
        }
    }

    fn reindex(&mut self) {
        let index = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.clone(), i))
            .collect();
        self.index = Some(index);
    }
}

/// Two maps are equal when their entries are, in the same order.
impl PartialEq for ConfigMap {
    fn eq(&self, other: &ConfigMap) -> bool {
        self.entries == other.entries
    }
}

impl fmt::Debug for ConfigMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigMap")
            .field("entries", &self.entries)
            .finish()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_map_keeps_order_and_finds_every_key() {
        let mut map = ConfigMap::new();
        for i in 0..100 {
            map.insert(format!("k{i}"), ConfigValue::Int(i));
        }
        map.insert("k5", ConfigValue::Int(-5));
        assert_eq!(map.len(), 100);
        assert_eq!(map.get("k5"), Some(&ConfigValue::Int(-5)));
        assert_eq!(
            map.keys().nth(5),
            Some("k5"),
            "a repeated key keeps its place"
        );
        assert_eq!(map.remove("k3"), Some(ConfigValue::Int(3)));
        assert_eq!(map.get("k99"), Some(&ConfigValue::Int(99)));
        assert_eq!(map.keys().nth(3), Some("k4"));
        assert!(!map.contains_key("k3"));
        let small: ConfigMap = [("a", ConfigValue::Null)].into_iter().collect();
        assert_eq!(small.get("a"), Some(&ConfigValue::Null));
        assert_eq!(map.clone(), map);
    }
}
