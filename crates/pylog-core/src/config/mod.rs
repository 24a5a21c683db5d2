//! Configuration files a Python team already has: `dictConfig` documents (JSON, YAML, TOML, or
//! any serde data) and `fileConfig` INI files.
//!
//! | Python | here |
//! |---|---|
//! | `logging.config.dictConfig(d)` | [`dict_config`], [`Configurator::dict_config`] |
//! | `logging.config.fileConfig(f)` | [`file_config`], [`Configurator::file_config`] |
//! | `json.load` / `yaml.safe_load` / `tomllib.load` + `dictConfig` | [`load_path`], [`Config::from_json`], [`Config::from_yaml`], [`Config::from_toml`] |
//! | `ext://sys.stderr`, `cfg://handlers.x` | the same; application objects via [`Configurator::ext_writer`] |
//! | `'()': 'myapp.MyHandler'`, `class: myapp.MyHandler` | [`Configurator::handler_factory`] (and filter, formatter) |
//! | `'()': 'logging.Filter'`, `'()': 'logging.Formatter'`, `'()': 'logging.StreamHandler'` | built in, as `class` |
//!
//! Keys that CPython does not read (gunicorn's `qualname` in a logger entry) are ignored, as
//! CPython ignores them; [`Configurator::strict`] refuses them instead. Every format keeps the
//! order in which the file wrote its entries (TOML included), and a class that nothing provides
//! is an error naming the `Configurator::*_factory` call that would register it
//! ([`ConfigError::hint`]).
//!
//! Applying a configuration is atomic (see [`Configurator`]); [`ConfigFile::watch`] re-applies a file when it
//! changes; `listen` (feature `listen`, Python's `logging.config.listen`) applies what a client
//! sends over a socket; `PYLOG_LEVEL` overrides levels without editing the file (see
//! [`parse_level_overrides`]).
//!
//! ```
//! use pylog_core::config::{Config, Configurator};
//! use pylog_core::{Manager, SharedWriter};
//! let tree = Manager::new();
//! let out = SharedWriter::new();
//! let config = Config::from_json(r#"{
//!     "version": 1,
//!     "formatters": {"simple": {"format": "%(name)s - %(levelname)s - %(message)s"}},
//!     "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "simple",
//!                              "stream": "ext://app.out", "level": "WARNING"}},
//!     "loggers": {"app": {"level": "DEBUG", "handlers": ["console"], "propagate": false}}
//! }"#)?;
//! Configurator::for_manager(&tree).env_overrides(false).ext_writer("app.out", out.clone()).dict_config(&config)?;
//! tree.get_logger("app").info("not shown");
//! tree.get_logger("app").error("shown");
//! assert_eq!(out.contents(), "app - ERROR - shown\n");
//! # Ok::<(), pylog_core::config::ConfigError>(())
//! ```

mod args;
mod builtins;
mod classes;
mod configurator;
mod dict;
mod env;
mod error;
mod ini;
mod ini_config;
#[cfg(feature = "listen")]
mod listen;
mod plan;
mod pyliteral;
mod refs;
mod source;
mod thirdparty;
mod value;
mod watch;
#[cfg(feature = "yaml")]
mod yaml;

pub use args::Args;
pub use configurator::{Configurator, FilterFactory, FormatterFactory, HandlerFactory};
pub use env::{
    LEGACY_LEVEL_VARIABLE, LEVEL_VARIABLE, apply_level_overrides, level_overrides_from_env,
    parse_level_overrides,
};
pub use error::ConfigError;
#[cfg(feature = "listen")]
pub use listen::{
    ConfigListener, ConfigListenerBuilder, ConfigRejectHook, DEFAULT_LOGGING_CONFIG_PORT, Verify,
    listen,
};
pub use source::{Config, Format};
pub use value::{ConfigMap, ConfigValue};
pub use watch::{ConfigFile, ConfigWatcher};

use std::path::Path;

/// Python's `logging.config.dictConfig(config)` on the global tree.
pub fn dict_config(config: &Config) -> Result<(), ConfigError> {
    Configurator::new().dict_config(config)
}

/// Python's `logging.config.fileConfig(path)` on the global tree.
pub fn file_config(path: impl AsRef<Path>) -> Result<(), ConfigError> {
    Configurator::new().file_config(path)
}

/// Applies a configuration file to the global tree, chosen by extension (see
/// [`Configurator::load_path`]).
pub fn load_path(path: impl AsRef<Path>) -> Result<(), ConfigError> {
    Configurator::new().load_path(path)
}
