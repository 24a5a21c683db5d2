//! Configuration files a Python team already has: `dictConfig` documents (JSON, YAML, TOML, or
//! any serde data) and `fileConfig` INI files.
//!
//! | Python | here |
//! |---|---|
//! | `logging.config.dictConfig(d)` | [`dict_config`], [`Configurator::dict_config`] |
//! | `logging.config.fileConfig(f)` | [`file_config`], [`Configurator::file_config`] |

mod error;
#[allow(dead_code)] // until the fileConfig configurator uses it
mod ini;
#[allow(dead_code)] // until the fileConfig configurator uses it
mod pyliteral;
mod value;

pub use error::ConfigError;
pub use value::{ConfigMap, ConfigValue};
