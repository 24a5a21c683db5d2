//! Configuration files a Python team already has: `dictConfig` documents (JSON, YAML, TOML, or
//! any serde data) and `fileConfig` INI files.
//!
//! | Python | here |
//! |---|---|
//! | `logging.config.dictConfig(d)` | [`dict_config`], [`Configurator::dict_config`] |
//! | `logging.config.fileConfig(f)` | [`file_config`], [`Configurator::file_config`] |

mod error;
mod value;
// Read by the configurator's YAML source; until then only the tests call it.
#[cfg(feature = "yaml")]
#[allow(dead_code)]
mod yaml;

pub use error::ConfigError;
pub use value::{ConfigMap, ConfigValue};
