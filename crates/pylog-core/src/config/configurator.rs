//! [`Configurator`]: applies configuration documents to a logger tree, with the application's own
//! external objects and factories.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::args::Args;
use super::refs::{ExtObject, WriterFactory};
use super::{Config, ConfigError, ConfigValue, dict, ini_config, plan};
use crate::filter::Filter;
use crate::format::Formatter;
use crate::handler::Handler;
use crate::manager::{Manager, global};

/// Builds a handler from its configuration's keyword arguments.
pub type HandlerFactory = Arc<dyn Fn(&mut Args<'_>) -> Result<Handler, ConfigError> + Send + Sync>;
/// Builds a filter from its configuration's keyword arguments.
pub type FilterFactory =
    Arc<dyn Fn(&mut Args<'_>) -> Result<Arc<dyn Filter>, ConfigError> + Send + Sync>;
/// Builds a formatter from its configuration's keyword arguments.
pub type FormatterFactory =
    Arc<dyn Fn(&mut Args<'_>) -> Result<Formatter, ConfigError> + Send + Sync>;

/// Applies dictConfig documents and fileConfig files to one logger tree. Python:
/// `logging.config.DictConfigurator`, plus what Python gets from `import`: the names a file may
/// refer to with `ext://`, `class` and `()` are registered here.
///
/// Applying is atomic: the whole document is read and every formatter, filter and handler built
/// before anything changes; on error the tree is untouched. A record being logged while the new
/// configuration takes over reaches either the old handlers or the new ones, never both or a mix,
/// and the old handlers are closed (flushing what they hold) once no record is using them.
///
/// ```
/// use pylog_core::config::{Config, ConfigValue, Configurator};
/// use pylog_core::{Manager, SharedWriter};
///
/// let tree = Manager::new();
/// let out = SharedWriter::new();
/// let config = Config::from_value(ConfigValue::map([
///     ("version", 1.into()),
///     ("formatters", ConfigValue::map([("brief", ConfigValue::map([("format", "%(levelname)s %(name)s: %(message)s".into())]))])),
///     ("handlers", ConfigValue::map([("console", ConfigValue::map([
///         ("class", "logging.StreamHandler".into()),
///         ("formatter", "brief".into()),
///         ("stream", "ext://test.out".into()),
///     ]))])),
///     ("root", ConfigValue::map([("level", "INFO".into()), ("handlers", vec!["console"].into())])),
/// ]));
/// Configurator::for_manager(&tree)
///     .env_overrides(false)
///     .ext_writer("test.out", out.clone())
///     .dict_config(&config)?;
/// tree.get_logger("app").info("ready");
/// assert_eq!(out.contents(), "INFO app: ready\n");
/// # Ok::<(), pylog_core::config::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Configurator {
    pub(crate) manager: Manager,
    pub(crate) ext: HashMap<String, ExtObject>,
    pub(crate) handler_factories: HashMap<String, HandlerFactory>,
    pub(crate) filter_factories: HashMap<String, FilterFactory>,
    pub(crate) formatter_factories: HashMap<String, FormatterFactory>,
    pub(crate) env_overrides: bool,
    pub(crate) strict: bool,
}

impl std::fmt::Debug for Configurator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Configurator")
            .field("ext", &self.ext.keys().collect::<Vec<_>>())
            .field(
                "handler_factories",
                &self.handler_factories.keys().collect::<Vec<_>>(),
            )
            .field(
                "filter_factories",
                &self.filter_factories.keys().collect::<Vec<_>>(),
            )
            .field(
                "formatter_factories",
                &self.formatter_factories.keys().collect::<Vec<_>>(),
            )
            .field("env_overrides", &self.env_overrides)
            .field("strict", &self.strict)
            .finish()
    }
}

impl Default for Configurator {
    fn default() -> Self {
        Configurator::new()
    }
}

impl Configurator {
    /// A configurator for the global tree.
    pub fn new() -> Configurator {
        Configurator::for_manager(global())
    }

    /// A configurator for `manager`'s tree.
    pub fn for_manager(manager: &Manager) -> Configurator {
        Configurator {
            manager: manager.clone(),
            ext: HashMap::new(),
            handler_factories: HashMap::new(),
            filter_factories: HashMap::new(),
            formatter_factories: HashMap::new(),
            env_overrides: true,
            strict: false,
        }
    }

    /// Makes `ext://<name>` a writer that stream handlers can write to (each handler gets its own
    /// clone). `ext://sys.stdout` and `ext://sys.stderr` need no registration.
    pub fn ext_writer<W: Write + Send + Clone + 'static>(mut self, name: &str, writer: W) -> Self {
        let writer = std::sync::Mutex::new(writer);
        let make: WriterFactory =
            Arc::new(move || Box::new(writer.lock().unwrap_or_else(|e| e.into_inner()).clone()));
        self.ext.insert(name.to_owned(), ExtObject::Writer(make));
        self
    }

    /// Makes `ext://<name>` stand for a value (a number, a string, a list, ...).
    pub fn ext_value(mut self, name: &str, value: impl Into<ConfigValue>) -> Self {
        self.ext
            .insert(name.to_owned(), ExtObject::Value(value.into()));
        self
    }

    /// Registers a handler class under a dotted name, usable as a handler's `class` or `()`. The
    /// factory reads its keyword arguments from [`Args`]; any it leaves unread are an error, as an
    /// unexpected keyword argument is in Python.
    ///
    /// ```
    /// use pylog_core::config::{Config, Configurator};
    /// use pylog_core::{Manager, NullHandler};
    /// let tree = Manager::new();
    /// let json = r#"{"version": 1, "handlers": {"h": {"class": "myapp.Quiet", "volume": 0}},
    ///                "root": {"handlers": ["h"]}}"#;
    /// Configurator::for_manager(&tree)
    ///     .handler_factory("myapp.Quiet", |args| {
    ///         let _volume = args.int("volume")?;
    ///         Ok(NullHandler::new())
    ///     })
    ///     .dict_config(&Config::from_json(json)?)?;
    /// assert_eq!(tree.root().handlers()[0].name().as_deref(), Some("h"));
    /// # Ok::<(), pylog_core::config::ConfigError>(())
    /// ```
    pub fn handler_factory(
        mut self,
        name: &str,
        factory: impl Fn(&mut Args<'_>) -> Result<Handler, ConfigError> + Send + Sync + 'static,
    ) -> Self {
        self.handler_factories
            .insert(name.to_owned(), Arc::new(factory));
        self
    }

    /// Registers a filter factory, usable as a filter's `()`.
    pub fn filter_factory(
        mut self,
        name: &str,
        factory: impl Fn(&mut Args<'_>) -> Result<Arc<dyn Filter>, ConfigError> + Send + Sync + 'static,
    ) -> Self {
        self.filter_factories
            .insert(name.to_owned(), Arc::new(factory));
        self
    }

    /// Registers a formatter factory, usable as a formatter's `()` or `class`.
    pub fn formatter_factory(
        mut self,
        name: &str,
        factory: impl Fn(&mut Args<'_>) -> Result<Formatter, ConfigError> + Send + Sync + 'static,
    ) -> Self {
        self.formatter_factories
            .insert(name.to_owned(), Arc::new(factory));
        self
    }

    /// Whether `PYLOG_LEVEL` overrides the levels of each configuration applied (default:
    /// yes). See [`level_overrides_from_env`](super::level_overrides_from_env).
    pub fn env_overrides(mut self, on: bool) -> Self {
        self.env_overrides = on;
        self
    }

    /// Whether keys that CPython ignores are refused (default: no). CPython's dictConfig reads
    /// the keys it knows in formatter, filter, logger and root entries and ignores the rest, so
    /// real files carry keys that do nothing (gunicorn writes `qualname` in every logger entry);
    /// a strict configurator names such a key as an error instead, so a typo such as `levle`
    /// cannot pass unnoticed.
    ///
    /// ```
    /// use pylog_core::config::{Config, Configurator};
    /// use pylog_core::Manager;
    /// let config = Config::from_json(r#"{"version": 1,
    ///     "loggers": {"gunicorn.error": {"level": "INFO", "qualname": "gunicorn.error"}}}"#)?;
    /// let tree = Manager::new();
    /// Configurator::for_manager(&tree).dict_config(&config)?;
    /// let err = Configurator::for_manager(&tree).strict(true).dict_config(&config).unwrap_err();
    /// assert_eq!(err.path(), Some("loggers.gunicorn.error.qualname"));
    /// # Ok::<(), pylog_core::config::ConfigError>(())
    /// ```
    pub fn strict(mut self, on: bool) -> Self {
        self.strict = on;
        self
    }

    /// The tree this configurator changes.
    pub fn manager(&self) -> &Manager {
        &self.manager
    }

    /// Python's `logging.config.dictConfig(config)`, applied atomically.
    pub fn dict_config(&self, config: &Config) -> Result<(), ConfigError> {
        let _configuring = self.manager.config_lock();
        let mut plan = dict::plan(self, config.value())?;
        self.finish(&mut plan)
    }

    /// Python's `logging.config.fileConfig(path)`, with `disable_existing_loggers=True` and no
    /// defaults; see [`file_config_with`](Configurator::file_config_with).
    pub fn file_config(&self, path: impl AsRef<Path>) -> Result<(), ConfigError> {
        self.file_config_with(path, &[], true)
    }

    /// Python's `logging.config.fileConfig(path, defaults, disable_existing_loggers)`.
    pub fn file_config_with(
        &self,
        path: impl AsRef<Path>,
        defaults: &[(String, String)],
        disable_existing_loggers: bool,
    ) -> Result<(), ConfigError> {
        let path = path.as_ref();
        let text = read_config_file(path)?;
        self.file_config_str(
            &text,
            &path.display().to_string(),
            defaults,
            disable_existing_loggers,
        )
    }

    /// fileConfig from text; `source` names it in errors.
    pub fn file_config_str(
        &self,
        text: &str,
        source: &str,
        defaults: &[(String, String)],
        disable_existing_loggers: bool,
    ) -> Result<(), ConfigError> {
        let _configuring = self.manager.config_lock();
        let mut plan = ini_config::plan(self, text, source, defaults, disable_existing_loggers)?;
        self.finish(&mut plan)
    }

    /// Applies a configuration file, chosen by its extension: `.json`, `.yaml`/`.yml` and `.toml`
    /// are dictConfig documents; `.ini`, `.cfg` and `.conf` are fileConfig files.
    pub fn load_path(&self, path: impl AsRef<Path>) -> Result<(), ConfigError> {
        let path = path.as_ref();
        super::Format::of_path(path)?;
        let text = read_config_file(path)?;
        self.apply_text(&text, path)
    }

    /// The formatter class `class` names: one the application registered, else a built-in one
    /// (an entry's `class` at `path`).
    pub(crate) fn formatter_factory_named(
        &self,
        class: &str,
        path: &str,
    ) -> Result<FormatterFactory, ConfigError> {
        self.formatter_class(class).ok_or_else(|| {
            super::dict::cannot_resolve(class, "formatter").at(format!("{path}.class"))
        })
    }

    /// The formatter class registered as `name`, else the built-in one of that name.
    pub(crate) fn formatter_class(&self, name: &str) -> Option<FormatterFactory> {
        self.formatter_factories
            .get(name)
            .cloned()
            .or_else(|| super::builtins::formatter_class(name))
    }

    /// The filter class registered as `name`, else the built-in one of that name.
    pub(crate) fn filter_class(&self, name: &str) -> Option<FilterFactory> {
        self.filter_factories
            .get(name)
            .cloned()
            .or_else(|| super::builtins::filter_class(name))
    }

    /// Applies the text of a file at `path` (its extension tells the format).
    pub(crate) fn apply_text(&self, text: &str, path: &Path) -> Result<(), ConfigError> {
        let source = path.display().to_string();
        match super::Format::of_path(path)? {
            super::Format::Ini => self.file_config_str(text, &source, &[], true),
            format => self.dict_config(&Config::parse(text, format, &source)?),
        }
    }

    fn finish(&self, plan: &mut plan::Plan) -> Result<(), ConfigError> {
        if self.env_overrides {
            plan.level_overrides = super::env::overrides_from_env()?;
        }
        plan::apply(&self.manager, std::mem::take(plan));
        Ok(())
    }
}

/// Reads a configuration file, with CPython's texts for a missing or empty file.
pub(crate) fn read_config_file(path: &Path) -> Result<String, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ConfigError::new(format!(
            "{} doesn't exist",
            path.display()
        ))),
        Err(e) => Err(ConfigError::new(format!(
            "cannot read {}: {}",
            path.display(),
            crate::handler::os_error_text(&e)
        ))),
    }
}
