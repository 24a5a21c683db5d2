//! [`Config`]: a dictConfig document, from JSON, YAML, TOML or any serde data.

use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{ConfigError, ConfigMap, ConfigValue};

/// A dictConfig document (Python: the `dict` passed to `logging.config.dictConfig`).
///
/// It deserializes from any serde format, so it can sit inside an application's own settings:
///
/// ```
/// # #[cfg(feature = "json")] {
/// use pylog_core::config::Config;
/// let config: Config = serde_json::from_str(r#"{"version": 1, "root": {"level": "INFO"}}"#).unwrap();
/// assert_eq!(config.value().get("root").and_then(|r| r.get("level")).and_then(|l| l.as_str()), Some("INFO"));
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Config {
    value: ConfigValue,
}

/// The languages a configuration file can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// JSON (`.json`), a dictConfig document.
    Json,
    /// YAML (`.yaml`, `.yml`), a dictConfig document read as PyYAML's `safe_load` reads it.
    Yaml,
    /// TOML (`.toml`), a dictConfig document.
    Toml,
    /// A fileConfig INI file (`.ini`, `.cfg`, `.conf`).
    Ini,
}

impl Format {
    /// The format a file's extension names.
    pub fn of_path(path: &Path) -> Result<Format, ConfigError> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("json") => Ok(Format::Json),
            Some("yaml" | "yml") => Ok(Format::Yaml),
            Some("toml") => Ok(Format::Toml),
            Some("ini" | "cfg" | "conf") => Ok(Format::Ini),
            _ => Err(ConfigError::new(format!(
                "{}: cannot tell the configuration format from the file name (expected .json, .yaml, .yml, .toml, .ini, .cfg or .conf)",
                path.display()
            ))),
        }
    }
}

impl Config {
    /// A document from a value tree.
    pub fn from_value(value: ConfigValue) -> Config {
        Config { value }
    }

    /// The document's value tree.
    pub fn value(&self) -> &ConfigValue {
        &self.value
    }

    /// Parses a JSON document (Python: `json.load`).
    #[cfg(feature = "json")]
    #[cfg_attr(docsrs, doc(cfg(feature = "json")))]
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Format::Json, "<json>")
    }

    /// Parses a YAML document as PyYAML's `yaml.safe_load` does (YAML 1.1: `yes`/`no` are
    /// booleans, `0777` is octal).
    #[cfg(feature = "yaml")]
    #[cfg_attr(docsrs, doc(cfg(feature = "yaml")))]
    pub fn from_yaml(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Format::Yaml, "<yaml>")
    }

    /// Parses a TOML document (Python: `tomllib.load`).
    #[cfg(feature = "toml")]
    #[cfg_attr(docsrs, doc(cfg(feature = "toml")))]
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Format::Toml, "<toml>")
    }

    /// Parses a document in `format`; `source` names it in errors. INI is not a dictConfig
    /// document: use [`Configurator::file_config`](super::Configurator::file_config).
    #[cfg_attr(
        not(all(feature = "json", feature = "yaml", feature = "toml")),
        allow(unused_variables, unreachable_code)
    )]
    pub fn parse(text: &str, format: Format, source: &str) -> Result<Config, ConfigError> {
        let value = match format {
            #[cfg(feature = "json")]
            Format::Json => serde_json::from_str::<ConfigValue>(text)
                .map_err(|e| ConfigError::syntax(source, e.line(), e.column(), e.to_string()))?,
            #[cfg(feature = "yaml")]
            Format::Yaml => super::yaml::parse_yaml(text, source)?,
            #[cfg(feature = "toml")]
            Format::Toml => toml::from_str::<ConfigValue>(text).map_err(|e| {
                let (line, column) = e
                    .span()
                    .map(|span| line_and_column(text, span.start))
                    .unwrap_or((1, 1));
                ConfigError::syntax(source, line, column, e.message())
            })?,
            Format::Ini => {
                return Err(ConfigError::new(format!(
                    "{source}: an INI file is a fileConfig file, not a dictConfig document"
                )));
            }
            #[allow(unreachable_patterns)]
            other => {
                return Err(ConfigError::new(format!(
                    "{source}: reading {other:?} needs pylog's `{}` feature, which this build does not have",
                    format!("{other:?}").to_ascii_lowercase()
                )));
            }
        };
        Ok(Config { value })
    }
}

/// The 1-based line and column of a byte offset.
#[cfg_attr(not(feature = "toml"), allow(dead_code))]
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl From<ConfigValue> for Config {
    fn from(value: ConfigValue) -> Config {
        Config { value }
    }
}

impl<'de> Deserialize<'de> for Config {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Config, D::Error> {
        ConfigValue::deserialize(deserializer).map(Config::from_value)
    }
}

/// Any serde data becomes a value tree: sequences are lists, maps keep their order, and keys
/// that are not strings (numbers, booleans) take their text.
impl<'de> Deserialize<'de> for ConfigValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ConfigValue, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = ConfigValue;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a configuration value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<ConfigValue, E> {
        Ok(ConfigValue::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<ConfigValue, E> {
        Ok(ConfigValue::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ConfigValue, E> {
        i64::try_from(v)
            .map(ConfigValue::Int)
            .map_err(|_| E::custom(format!("integer {v} is too large")))
    }

    fn visit_f64<E>(self, v: f64) -> Result<ConfigValue, E> {
        Ok(ConfigValue::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<ConfigValue, E> {
        Ok(ConfigValue::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<ConfigValue, E> {
        Ok(ConfigValue::Str(v))
    }

    fn visit_unit<E>(self) -> Result<ConfigValue, E> {
        Ok(ConfigValue::Null)
    }

    fn visit_none<E>(self) -> Result<ConfigValue, E> {
        Ok(ConfigValue::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<ConfigValue, D::Error> {
        ConfigValue::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ConfigValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<ConfigValue>()? {
            items.push(item);
        }
        Ok(ConfigValue::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<ConfigValue, A::Error> {
        let mut map = ConfigMap::new();
        while let Some(key) = access.next_key::<ConfigValue>()? {
            let value = access.next_value::<ConfigValue>()?;
            let key = match key {
                ConfigValue::Str(s) => s,
                ConfigValue::Int(i) => i.to_string(),
                ConfigValue::Bool(true) => "True".to_owned(),
                ConfigValue::Bool(false) => "False".to_owned(),
                ConfigValue::Null => "None".to_owned(),
                other => other.to_string(),
            };
            map.insert(key, value);
        }
        // TOML's dates arrive as a one-key map; a logging configuration wants their text.
        if map.len() == 1
            && let Some(ConfigValue::Str(text)) = map.get("$__toml_private_datetime")
        {
            return Ok(ConfigValue::Str(text.clone()));
        }
        Ok(ConfigValue::Map(map))
    }
}
