//! dictConfig: reads a document into a [`Plan`], in CPython's order and with CPython's errors.
//!
//! Formatters and filters are built in document order, handlers in sorted name order (memory
//! handlers get their targets once every handler exists; queue handlers come after the others,
//! and a handler with a `fallback` after its fallback), then loggers in document order and the
//! root last. Nothing is applied here.
//!
//! One key CPython does not have: `fallback: <handler name>` on a queued or network handler
//! (`QueueHandler`, `SysLogHandler`, `SocketHandler`, `DatagramHandler`, `HTTPHandler`,
//! `SMTPHandler`) names the handler that receives the records it cannot deliver (see
//! [`Handler::set_fallback`]):
//!
//! ```yaml
//! handlers:
//!   spool: {class: logging.FileHandler, filename: /var/log/app-undelivered.log}
//!   collector:
//!     class: logging.handlers.SocketHandler
//!     host: logs.example.com
//!     port: 9020
//!     fallback: spool
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use super::args::{Args, check_level, is_identifier};
use super::builtins;
use super::classes::{self, HandlerClass};
use super::configurator::Configurator;
use super::plan::{LoggerPlan, Plan};
use super::refs::{Resolver, import_error};
use super::{ConfigError, ConfigMap, ConfigValue};
use crate::filter::{Filter, NameFilter};
use crate::format::Formatter;
use crate::format::repr::py_repr;
use crate::handler::{Handler, MemoryHandler, QueueHandler, StreamHandler};

/// Reads a dictConfig document.
pub(crate) fn plan(
    configurator: &Configurator,
    document: &ConfigValue,
) -> Result<Plan, ConfigError> {
    let resolver = Resolver::new(document, &configurator.ext);
    let root = match document {
        ConfigValue::Map(map) => map,
        other => {
            return Err(ConfigError::new(format!(
                "the document: expected a mapping of configuration keys, got a {}",
                other.type_name()
            )));
        }
    };
    let version = root
        .get("version")
        .ok_or_else(|| ConfigError::new("dictionary doesn't specify a version").at("version"))?;
    match version {
        ConfigValue::Int(1) => {}
        ConfigValue::Int(_) | ConfigValue::Float(_) | ConfigValue::Bool(_) => {
            return Err(ConfigError::new(format!("Unsupported version: {version}")).at("version"));
        }
        other => {
            return Err(
                ConfigError::new(format!("version: expected 1, got {other}")).at("version"),
            );
        }
    }
    let reader = Reader {
        configurator,
        resolver: &resolver,
    };
    let incremental = reader.flag(root, "incremental", false)?;
    if incremental {
        return reader.incremental(root);
    }
    reader.full(root)
}

struct Reader<'a> {
    configurator: &'a Configurator,
    resolver: &'a Resolver<'a>,
}

/// The sections of a document, checked to be mappings.
fn section<'m>(root: &'m ConfigMap, key: &str) -> Result<Option<&'m ConfigMap>, ConfigError> {
    match root.get(key) {
        None | Some(ConfigValue::Null) => Ok(None),
        Some(ConfigValue::Map(map)) => Ok(Some(map)),
        Some(other) => {
            let what = key.strip_suffix('s').unwrap_or(key);
            Err(ConfigError::new(format!(
                "{key}: expected a mapping of {what} names to their settings, got {other}"
            ))
            .at(key))
        }
    }
}

/// One entry of a section, checked to be a mapping.
fn entry<'m>(value: &'m ConfigValue, path: &str) -> Result<&'m ConfigMap, ConfigError> {
    value.as_map().ok_or_else(|| {
        let (section, name) = path.split_once('.').unwrap_or(("root", "root"));
        let what = section.strip_suffix('s').unwrap_or(section);
        ConfigError::new(format!(
            "{name}: expected a mapping of {what} settings, got {value}"
        ))
        .at(path.to_owned())
    })
}

/// Keys a section entry may have. CPython ignores any other key of a formatter, filter, logger or
/// root entry, and so do we unless the configurator is strict, where such a key is most likely a
/// typo and an error.
fn check_keys(
    strict: bool,
    map: &ConfigMap,
    allowed: &[&str],
    what: &str,
    path: &str,
) -> Result<(), ConfigError> {
    if !strict {
        return Ok(());
    }
    for key in map.keys() {
        if !allowed.contains(&key) {
            return Err(ConfigError::new(format!(
                "unknown key {} in a {what} (expected one of: {})",
                py_repr(key),
                allowed.join(", ")
            ))
            .at(format!("{path}.{key}")));
        }
    }
    Ok(())
}

impl Reader<'_> {
    fn convert(&self, value: &ConfigValue, path: &str) -> Result<ConfigValue, ConfigError> {
        let key = path.rsplit('.').next().unwrap_or(path);
        self.resolver
            .convert_value(value)
            .map_err(|e| e.about_key(key).at(path.to_owned()))
    }

    /// A flag: a boolean (or 0 or 1); a string such as `"false"` is an error, since Python would
    /// read any non-empty string as true.
    fn flag(&self, map: &ConfigMap, key: &str, default: bool) -> Result<bool, ConfigError> {
        match map.get(key) {
            None => Ok(default),
            Some(raw) => match self.convert(raw, key)? {
                ConfigValue::Null => Ok(default),
                ConfigValue::Bool(b) => Ok(b),
                ConfigValue::Int(i @ (0 | 1)) => Ok(i == 1),
                other => Err(ConfigError::new(format!(
                    "{key}: expected true or false, got {other}"
                ))
                .at(key)),
            },
        }
    }

    fn full(&self, root: &ConfigMap) -> Result<Plan, ConfigError> {
        let mut plan = Plan {
            disable_existing: self.flag(root, "disable_existing_loggers", true)?,
            ..Plan::default()
        };
        let mut formatters = HashMap::new();
        for (name, value) in section(root, "formatters")?
            .into_iter()
            .flat_map(ConfigMap::iter)
        {
            let path = format!("formatters.{name}");
            let formatter = self.formatter(value, &path).map_err(|e| {
                e.context(format!("Unable to configure formatter {}", py_repr(name)))
            })?;
            formatters.insert(name.to_owned(), formatter);
        }
        let mut filters: HashMap<String, Arc<dyn Filter>> = HashMap::new();
        for (name, value) in section(root, "filters")?
            .into_iter()
            .flat_map(ConfigMap::iter)
        {
            let path = format!("filters.{name}");
            let filter = self
                .filter(value, &path)
                .map_err(|e| e.context(format!("Unable to configure filter {}", py_repr(name))))?;
            filters.insert(name.to_owned(), filter);
        }
        let handler_section = section(root, "handlers")?;
        let mut names: Vec<&str> = handler_section
            .map(|s| s.keys().collect())
            .unwrap_or_default();
        names.sort_unstable();
        let mut built: HashMap<String, Handler> = HashMap::new();
        let mut links = Vec::new();
        // Sorted name order, but a handler comes after those it names: queue handlers after
        // every other handler, and a handler with a `fallback` after its fallback, so that the
        // fallback is older and `shutdown` (newest first) closes it after the handler drained
        // into it.
        let mut waiting = names;
        let mut queue_phase = false;
        while !waiting.is_empty() {
            let mut later = Vec::new();
            for name in waiting.iter().copied() {
                let value = handler_section
                    .and_then(|s| s.get(name))
                    .unwrap_or(&ConfigValue::Null);
                let path = format!("handlers.{name}");
                let wrap = |e: ConfigError| {
                    e.context(format!("Unable to configure handler {}", py_repr(name)))
                };
                let config = entry(value, &path).map_err(wrap)?;
                let is_queue = is_queue_handler(config);
                let fallback = self.fallback_name(config, &path).map_err(wrap)?;
                let fallback_pending = fallback.as_deref().is_some_and(|f| {
                    f != name
                        && !built.contains_key(f)
                        && handler_section.is_some_and(|s| s.contains_key(f))
                });
                if (is_queue && !queue_phase) || fallback_pending {
                    later.push(name);
                    continue;
                }
                let handler = if is_queue {
                    self.queue_handler(config, &path, &formatters, &filters, &built)
                        .map_err(wrap)?
                } else {
                    let (handler, link) = self
                        .handler(config, &path, &formatters, &filters, handler_section)
                        .map_err(wrap)?;
                    if let Some(target) = link {
                        links.push((handler.clone(), target));
                    }
                    handler
                };
                handler.set_name(Some(name.to_owned()));
                if let Some(fallback) = fallback {
                    link_fallback(&handler, name, &fallback, &path, &built).map_err(wrap)?;
                }
                built.insert(name.to_owned(), handler.clone());
                plan.handlers.push(handler);
            }
            if later.len() == waiting.len() {
                if queue_phase {
                    let names = later
                        .iter()
                        .map(|n| py_repr(n))
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(ConfigError::new(format!(
                        "fallback: the handlers {names} name each other as fallbacks (a cycle)"
                    ))
                    .at(format!("handlers.{}.fallback", later[0]))
                    .context(format!("Unable to configure handler {}", py_repr(later[0]))));
                }
                queue_phase = true;
            }
            waiting = later;
        }
        for (memory, target) in links {
            if let Some(target) = built.get(&target) {
                MemoryHandler::set_target(&memory, Some(target.clone()));
            }
        }
        for (name, value) in section(root, "loggers")?
            .into_iter()
            .flat_map(ConfigMap::iter)
        {
            let path = format!("loggers.{name}");
            let logger = self
                .logger(name, value, &path, &built, &filters, false)
                .map_err(|e| e.context(format!("Unable to configure logger {}", py_repr(name))))?;
            plan.loggers.push(logger);
        }
        if let Some(value) = root.get("root").filter(|v| v.is_truthy()) {
            let logger = self
                .logger("", value, "root", &built, &filters, false)
                .map_err(|e| e.context("Unable to configure root logger"))?;
            plan.root = Some(logger);
        }
        Ok(plan)
    }

    /// `incremental: true`: only levels (and `propagate`) change; handlers are found by name
    /// among those the last configuration built.
    fn incremental(&self, root: &ConfigMap) -> Result<Plan, ConfigError> {
        let mut plan = Plan {
            incremental: true,
            ..Plan::default()
        };
        let existing = self.configurator.manager.configured_handlers();
        for (name, value) in section(root, "handlers")?
            .into_iter()
            .flat_map(ConfigMap::iter)
        {
            let handler = existing
                .iter()
                .find(|h| h.name().as_deref() == Some(name))
                .ok_or_else(|| {
                    ConfigError::new(format!("No handler found with name {}", py_repr(name)))
                        .at(format!("handlers.{name}"))
                })?;
            let path = format!("handlers.{name}");
            let level = value
                .get("level")
                .map(|raw| self.convert(raw, &path))
                .transpose()?
                .filter(ConfigValue::is_truthy)
                .map(|v| check_level(&v).map_err(|e| e.at(format!("{path}.level"))))
                .transpose()
                .map_err(|e| e.context(format!("Unable to configure handler {}", py_repr(name))))?;
            if let Some(level) = level {
                plan.handler_levels.push((handler.clone(), level));
            }
        }
        let no_handlers = HashMap::new();
        let no_filters = HashMap::new();
        for (name, value) in section(root, "loggers")?
            .into_iter()
            .flat_map(ConfigMap::iter)
        {
            let path = format!("loggers.{name}");
            let logger = self
                .logger(name, value, &path, &no_handlers, &no_filters, true)
                .map_err(|e| e.context(format!("Unable to configure logger {}", py_repr(name))))?;
            plan.loggers.push(logger);
        }
        if let Some(value) = root.get("root").filter(|v| v.is_truthy()) {
            let logger = self
                .logger("", value, "root", &no_handlers, &no_filters, true)
                .map_err(|e| e.context("Unable to configure root logger"))?;
            plan.root = Some(logger);
        }
        Ok(plan)
    }

    fn formatter(&self, value: &ConfigValue, path: &str) -> Result<Formatter, ConfigError> {
        let config = entry(value, path)?;
        if let Some(factory) = config.get("()") {
            let name = self.callable_name(factory, path)?;
            let (make, callable) = match self.configurator.formatter_factories.get(&name) {
                Some(make) => (make.clone(), name.clone()),
                None => (
                    builtins::formatter_class(&name).ok_or_else(|| {
                        cannot_resolve(&name, "formatter").at(format!("{path}.()"))
                    })?,
                    init_name(&name),
                ),
            };
            let mut args = self.custom_args(&callable, config, path)?;
            let formatter = make(&mut args)?;
            args.finish()?;
            return Ok(formatter);
        }
        const KEYS: [&str; 6] = [
            "format", "datefmt", "style", "validate", "defaults", "class",
        ];
        check_keys(self.strict(), config, &KEYS, "formatter", path)?;
        let known = only(config, &KEYS);
        let mut args = Args::new("Formatter", path, known.clone(), self.resolver);
        let class = args
            .string("class")?
            .unwrap_or_else(|| "logging.Formatter".to_owned());
        let make = self.configurator.formatter_factory_named(&class, path)?;
        let callable = if self.configurator.formatter_factories.contains_key(&class) {
            class.clone()
        } else {
            init_name(&class)
        };
        let mut args = Args::new(callable, path, without(&known, &["class"]), self.resolver);
        let formatter = make(&mut args)?;
        args.finish()?;
        Ok(formatter)
    }

    fn filter(&self, value: &ConfigValue, path: &str) -> Result<Arc<dyn Filter>, ConfigError> {
        let config = entry(value, path)?;
        if let Some(factory) = config.get("()") {
            let name = self.callable_name(factory, path)?;
            let callable = if self.configurator.filter_factories.contains_key(&name) {
                name.clone()
            } else {
                init_name(&name)
            };
            let make = self
                .configurator
                .filter_class(&name)
                .ok_or_else(|| cannot_resolve(&name, "filter").at(format!("{path}.()")))?;
            let mut args = self.custom_args(&callable, config, path)?;
            let filter = make(&mut args)?;
            args.finish()?;
            return Ok(filter);
        }
        check_keys(self.strict(), config, &["name"], "filter", path)?;
        let mut args = Args::new("Filter", path, only(config, &["name"]), self.resolver);
        let name = args.string("name")?.unwrap_or_default();
        Ok(Arc::new(NameFilter::new(name)))
    }

    fn strict(&self) -> bool {
        self.configurator.strict
    }

    /// The name a `()` gives: a dotted name registered with the configurator.
    fn callable_name(&self, value: &ConfigValue, path: &str) -> Result<String, ConfigError> {
        match self.convert(value, &format!("{path}.()"))? {
            ConfigValue::Str(name) => Ok(name),
            other => Err(ConfigError::new(format!(
                "(): expected the dotted name of a registered factory, got {other}"
            ))
            .at(format!("{path}.()"))),
        }
    }

    /// A `()` factory's keyword arguments: every key but `()`, each a valid identifier; the `.`
    /// properties are passed as the key `.` for the factory to read.
    fn custom_args(
        &self,
        name: &str,
        config: &ConfigMap,
        path: &str,
    ) -> Result<Args<'_>, ConfigError> {
        let kwargs = without(config, &["()"]);
        for key in kwargs.keys() {
            if key != "." && !is_identifier(key) {
                return Err(not_identifier(key, path));
            }
        }
        Ok(Args::new(name.to_owned(), path, kwargs, self.resolver))
    }

    /// One handler, with the name of its memory target if it has one.
    fn handler(
        &self,
        config: &ConfigMap,
        path: &str,
        formatters: &HashMap<String, Formatter>,
        filters: &HashMap<String, Arc<dyn Filter>>,
        all_handlers: Option<&ConfigMap>,
    ) -> Result<(Handler, Option<String>), ConfigError> {
        let formatter = self.formatter_of(config, path, formatters)?;
        let mut kwargs = without(
            config,
            &[
                "formatter",
                "level",
                "filters",
                "class",
                "()",
                ".",
                "fallback",
            ],
        );
        let mut target = None;
        // `()` names a factory, `class` a class; either may be one the application registered
        // or one of Python's own.
        let (class_name, class_key) = if let Some(factory) = config.get("()") {
            (self.callable_name(factory, path)?, "()")
        } else {
            let class_name = match config
                .get("class")
                .map(|c| self.convert(c, &format!("{path}.class")))
                .transpose()?
            {
                Some(ConfigValue::Str(name)) => name,
                Some(other) => {
                    return Err(ConfigError::new(format!(
                        "class: expected a dotted class name, got {other}"
                    ))
                    .at(format!("{path}.class")));
                }
                None => {
                    return Err(ConfigError::new(
                        "class: expected a handler class name (or a '()' factory), got nothing",
                    )
                    .at(format!("{path}.class")));
                }
            };
            (class_name, "class")
        };
        let handler = if let Some(make) = self.configurator.handler_factories.get(&class_name) {
            if let Some(props) = config.get(".") {
                kwargs.insert(".", props.clone());
            }
            check_identifiers(&kwargs, path)?;
            let mut args = Args::new(class_name.clone(), path, kwargs, self.resolver);
            let handler = make(&mut args)?;
            args.finish()?;
            handler
        } else {
            let class =
                builtin_class(&class_name).map_err(|e| e.at(format!("{path}.{class_key}")))?;
            if class.has_target
                && let Some(name) = kwargs.remove("target")
            {
                let name = self.convert(&name, &format!("{path}.target"))?;
                let known = name
                    .as_str()
                    .is_some_and(|n| all_handlers.is_some_and(|h| h.contains_key(n)));
                if !known {
                    let text = match &name {
                        ConfigValue::Str(s) => s.clone(),
                        other => other.to_string(),
                    };
                    return Err(unknown_name(
                        "target",
                        "handler",
                        "handlers",
                        &text,
                        format!("{path}.target"),
                    )
                    .context(format!("Unable to set target handler {}", py_repr(&text))));
                }
                target = name.as_str().map(str::to_owned);
            }
            check_identifiers(&kwargs, path)?;
            self.builtin_handler(class, kwargs, config.get("."), path)?
        };
        self.finish_handler(&handler, formatter, config, path, filters)?;
        Ok((handler, target))
    }

    /// The handler an entry's `fallback` names (an extension of dictConfig), if any.
    fn fallback_name(&self, config: &ConfigMap, path: &str) -> Result<Option<String>, ConfigError> {
        match config
            .get("fallback")
            .map(|f| self.convert(f, &format!("{path}.fallback")))
            .transpose()?
        {
            None | Some(ConfigValue::Null) => Ok(None),
            Some(ConfigValue::Str(name)) => Ok(Some(name)),
            Some(other) => Err(ConfigError::new(format!(
                "fallback: expected a handler's name, got {other}"
            ))
            .at(format!("{path}.fallback"))),
        }
    }

    /// The formatter an entry's `formatter` names (looked up before the handler is built, as
    /// CPython does).
    fn formatter_of(
        &self,
        config: &ConfigMap,
        path: &str,
        formatters: &HashMap<String, Formatter>,
    ) -> Result<Option<Formatter>, ConfigError> {
        let formatter = match config
            .get("formatter")
            .map(|f| self.convert(f, &format!("{path}.formatter")))
            .transpose()?
        {
            Some(ConfigValue::Null) | None => None,
            Some(ConfigValue::Str(name)) if name.is_empty() => None,
            Some(ConfigValue::Str(name)) => {
                Some(formatters.get(&name).cloned().ok_or_else(|| {
                    unknown_name(
                        "formatter",
                        "formatter",
                        "formatters",
                        &name,
                        format!("{path}.formatter"),
                    )
                    .context(format!("Unable to set formatter {}", py_repr(&name)))
                })?)
            }
            Some(other) => {
                return Err(ConfigError::new(format!(
                    "formatter: expected a formatter's name, got {other}"
                ))
                .at(format!("{path}.formatter")));
            }
        };
        Ok(formatter)
    }

    /// CPython's order after construction: the formatter, the level, then the filters.
    fn finish_handler(
        &self,
        handler: &Handler,
        formatter: Option<Formatter>,
        config: &ConfigMap,
        path: &str,
        filters: &HashMap<String, Arc<dyn Filter>>,
    ) -> Result<(), ConfigError> {
        if let Some(formatter) = formatter {
            handler.set_formatter(Some(formatter));
        }
        if let Some(level) = config.get("level") {
            let level = self.convert(level, &format!("{path}.level"))?;
            if level != ConfigValue::Null {
                handler.set_level(check_level(&level).map_err(|e| e.at(format!("{path}.level")))?);
            }
        }
        for filter in self.filter_list(config, path, filters)? {
            handler.add_filter(filter);
        }
        Ok(())
    }

    /// A built-in class, with its `.` properties.
    fn builtin_handler(
        &self,
        class: &HandlerClass,
        kwargs: ConfigMap,
        props: Option<&ConfigValue>,
        path: &str,
    ) -> Result<Handler, ConfigError> {
        let mut args = Args::new(
            format!("{}.__init__", class.name),
            path,
            kwargs,
            self.resolver,
        );
        let terminator = match props {
            None => None,
            Some(props) => {
                let props = self.convert(props, &format!("{path}.."))?;
                let map = props.as_map().ok_or_else(|| {
                    ConfigError::new(format!(".: expected a mapping of attributes, got {props}"))
                        .at(format!("{path}.."))
                })?;
                let mut terminator = None;
                for (key, value) in map.iter() {
                    match (key, value, class.name) {
                        ("terminator", ConfigValue::Str(t), "StreamHandler") => {
                            terminator = Some(t.clone())
                        }
                        _ => {
                            return Err(ConfigError::new(format!(
                                "cannot set attribute {} on a {} (supported: terminator on StreamHandler)",
                                py_repr(key),
                                class.name
                            ))
                            .at(format!("{path}...{key}")));
                        }
                    }
                }
                terminator
            }
        };
        let handler = match terminator {
            Some(terminator) => {
                StreamHandler::with_terminator(classes::stream_target(&mut args)?, terminator)
            }
            None => (class.build)(&mut args)?,
        };
        args.finish()?;
        Ok(handler)
    }

    /// Python 3.12's queue handler entry: `handlers` names the handlers its listener feeds.
    fn queue_handler(
        &self,
        config: &ConfigMap,
        path: &str,
        formatters: &HashMap<String, Formatter>,
        filters: &HashMap<String, Arc<dyn Filter>>,
        built: &HashMap<String, Handler>,
    ) -> Result<Handler, ConfigError> {
        let formatter = self.formatter_of(config, path, formatters)?;
        let kwargs = without(
            config,
            &["formatter", "level", "filters", "class", ".", "fallback"],
        );
        let mut args = Args::new("QueueHandler.__init__", path, kwargs, self.resolver);
        let mut targets = Vec::new();
        for (i, name) in args
            .strings("handlers")?
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let handler = built.get(&name).ok_or_else(|| {
                unknown_name(
                    &format!("handlers[{i}]"),
                    "handler",
                    "handlers",
                    &name,
                    format!("{path}.handlers[{i}]"),
                )
                .context(format!("Unable to add handler {}", py_repr(&name)))
            })?;
            targets.push(handler.clone());
        }
        let mut builder = QueueHandler::builder().handlers(targets);
        if let Some(respect) = args.bool("respect_handler_level")? {
            builder = builder.respect_handler_level(respect);
        }
        if let Some(size) = args.count::<usize>("maxsize")? {
            builder = builder.capacity(size.max(1));
        }
        if let Some(bytes) = args.count::<usize>("max_queue_bytes")? {
            builder = builder.max_queue_bytes(bytes);
        }
        args.finish()?;
        let handler = builder
            .build()
            .map_err(|e| ConfigError::from(e).at(path.to_owned()))?;
        self.finish_handler(&handler, formatter, config, path, filters)?;
        Ok(handler)
    }

    fn filter_list(
        &self,
        config: &ConfigMap,
        path: &str,
        filters: &HashMap<String, Arc<dyn Filter>>,
    ) -> Result<Vec<Arc<dyn Filter>>, ConfigError> {
        let Some(raw) = config.get("filters") else {
            return Ok(Vec::new());
        };
        let names = match self.convert(raw, &format!("{path}.filters"))? {
            ConfigValue::Null => return Ok(Vec::new()),
            ConfigValue::List(items) => items,
            other => {
                return Err(ConfigError::new(format!(
                    "filters: expected a list of filter names, got {other}"
                ))
                .at(format!("{path}.filters")));
            }
        };
        names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let text = match name {
                    ConfigValue::Str(s) => s.clone(),
                    other => other.to_string(),
                };
                filters.get(&text).cloned().ok_or_else(|| {
                    unknown_name(
                        &format!("filters[{i}]"),
                        "filter",
                        "filters",
                        &text,
                        format!("{path}.filters[{i}]"),
                    )
                    .context(format!("Unable to add filter {}", py_repr(&text)))
                })
            })
            .collect()
    }

    fn logger(
        &self,
        name: &str,
        value: &ConfigValue,
        path: &str,
        handlers: &HashMap<String, Handler>,
        filters: &HashMap<String, Arc<dyn Filter>>,
        incremental: bool,
    ) -> Result<LoggerPlan, ConfigError> {
        let config = entry(value, path)?;
        let is_root = path == "root";
        let allowed: &[&str] = if is_root {
            &["level", "handlers", "filters"]
        } else {
            &["level", "handlers", "filters", "propagate"]
        };
        check_keys(
            self.strict(),
            config,
            allowed,
            if is_root { "root logger" } else { "logger" },
            path,
        )?;
        let mut args = Args::new("Logger", path, only(config, allowed), self.resolver);
        let level = args.level("level")?;
        let propagate = if is_root {
            None
        } else {
            args.bool("propagate")?
        };
        let mut plan = LoggerPlan {
            name: name.to_owned(),
            level,
            propagate,
            handlers: None,
            filters: None,
        };
        if incremental {
            return Ok(plan);
        }
        let mut attached = Vec::new();
        match self.convert(
            config.get("handlers").unwrap_or(&ConfigValue::Null),
            &format!("{path}.handlers"),
        )? {
            ConfigValue::Null => {}
            ConfigValue::List(names) => {
                for (i, name) in names.into_iter().enumerate() {
                    let text = match &name {
                        ConfigValue::Str(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let handler = handlers.get(&text).ok_or_else(|| {
                        unknown_name(
                            &format!("handlers[{i}]"),
                            "handler",
                            "handlers",
                            &text,
                            format!("{path}.handlers[{i}]"),
                        )
                        .context(format!("Unable to add handler {}", py_repr(&text)))
                    })?;
                    attached.push(handler.clone());
                }
            }
            other => {
                return Err(ConfigError::new(format!(
                    "handlers: expected a list of handler names, got {other}"
                ))
                .at(format!("{path}.handlers")));
            }
        }
        plan.handlers = Some(attached);
        plan.filters = Some(self.filter_list(config, path, filters)?);
        Ok(plan)
    }
}

/// Gives `handler` (the entry `name`) the handler named `fallback`, built already. A handler that
/// cannot take one is closed again (its thread stopped) before the error is returned.
fn link_fallback(
    handler: &Handler,
    name: &str,
    fallback: &str,
    path: &str,
    built: &HashMap<String, Handler>,
) -> Result<(), ConfigError> {
    let fail = |e: ConfigError| {
        handler.close();
        Err(e.at(format!("{path}.fallback")))
    };
    if fallback == name {
        return fail(ConfigError::new(
            "fallback: a handler cannot be its own fallback",
        ));
    }
    let Some(target) = built.get(fallback) else {
        return fail(
            ConfigError::new(format!(
                "fallback: expected the name of a handler under 'handlers', got {}",
                py_repr(fallback)
            ))
            .context(format!(
                "Unable to set fallback handler {}",
                py_repr(fallback)
            )),
        );
    };
    if !handler.set_fallback(Some(target.clone())) {
        return fail(ConfigError::new(format!(
            "fallback: a {} has no queue; only QueueHandler and the network handlers \
             (SysLogHandler, SocketHandler, DatagramHandler, HTTPHandler, SMTPHandler) take one",
            handler.kind()
        )));
    }
    Ok(())
}

fn is_queue_handler(config: &ConfigMap) -> bool {
    matches!(
        config.get("class").and_then(ConfigValue::as_str),
        Some("logging.handlers.QueueHandler")
    )
}

/// A built-in class by its dotted name, with CPython's error for a name that does not resolve.
fn builtin_class(name: &str) -> Result<&'static HandlerClass, ConfigError> {
    if let Some(class) = classes::by_dotted_name(name) {
        return Ok(class);
    }
    if let Some(feature) = classes::feature_for(name) {
        return Err(ConfigError::new(format!(
            "{name} needs pylog's `{feature}` feature, which this build does not have"
        )));
    }
    Err(cannot_resolve(name, "handler"))
}

/// CPython's `Cannot resolve 'x': No module named 'x'`, whose cause is the import error, with a
/// hint naming the call that would provide the class: `what` is `handler`, `formatter` or
/// `filter`.
pub(crate) fn cannot_resolve(name: &str, what: &str) -> ConfigError {
    let detail = import_error(name);
    ConfigError::new(detail.clone())
        .context(format!("Cannot resolve {}: {detail}", py_repr(name)))
        .with_hint(format!(
            "register it with Configurator::{what}_factory({name:?}, ...)"
        ))
}

/// The name Python's `TypeError`s give a built-in class's constructor: `Formatter.__init__`.
fn init_name(dotted: &str) -> String {
    format!("{}.__init__", dotted.rsplit('.').next().unwrap_or(dotted))
}

/// A reference to an entry that the document does not define (CPython: a bare `KeyError`).
fn unknown_name(key: &str, what: &str, section: &str, name: &str, path: String) -> ConfigError {
    ConfigError::new(format!(
        "{key}: expected the name of a {what} under '{section}', got {}",
        py_repr(name)
    ))
    .at(path)
}

/// The entries of `map` whose keys are among `keys`.
fn only(map: &ConfigMap, keys: &[&str]) -> ConfigMap {
    map.iter()
        .filter(|(k, _)| keys.contains(k))
        .map(|(k, v)| (k, v.clone()))
        .collect()
}

fn without(map: &ConfigMap, keys: &[&str]) -> ConfigMap {
    map.iter()
        .filter(|(k, _)| !keys.contains(k))
        .map(|(k, v)| (k, v.clone()))
        .collect()
}

fn not_identifier(key: &str, path: &str) -> ConfigError {
    ConfigError::new(format!("Not a valid Python identifier: {}", py_repr(key)))
        .at(format!("{path}.{key}"))
}

fn check_identifiers(kwargs: &ConfigMap, path: &str) -> Result<(), ConfigError> {
    match kwargs.keys().find(|k| *k != "." && !is_identifier(k)) {
        Some(key) => Err(not_identifier(key, path)),
        None => Ok(()),
    }
}
