//! fileConfig: reads an INI file into a [`Plan`], as CPython's `logging.config.fileConfig` does.
//!
//! `class`, `args` and `kwargs` are evaluated by CPython in the `logging` module's namespace; here
//! `args` and `kwargs` go through a parser of Python literals, where a name such as `sys.stdout`
//! stands for `ext://sys.stdout`, and `class` is looked up among the known handler classes.
//! Formatters are built first, then handlers in `keys` order, then the root, then the other
//! loggers.

use std::collections::HashMap;

use super::args::{Args, check_level};
use super::classes;
use super::configurator::Configurator;
use super::ini::Ini;
use super::plan::{LoggerPlan, Plan};
use super::pyliteral::parse_literal;
use super::refs::Resolver;
use super::{ConfigError, ConfigMap, ConfigValue};
use crate::format::repr::py_repr;
use crate::format::{Formatter, Style};
use crate::handler::{Handler, MemoryHandler};

/// Reads a fileConfig file.
pub(crate) fn plan(
    configurator: &Configurator,
    text: &str,
    source: &str,
    defaults: &[(String, String)],
    disable_existing: bool,
) -> Result<Plan, ConfigError> {
    if text.is_empty() {
        return Err(ConfigError::new(format!("{source} is an empty file")));
    }
    super::ini::validate_defaults(defaults)?;
    let ini = Ini::parse_for_file_config(text, source).map_err(|e| with_line(e, source))?;
    let document = ConfigValue::Null;
    let resolver = Resolver::new(&document, &configurator.ext);
    let reader = IniReader {
        configurator,
        ini: &ini,
        defaults,
        resolver: &resolver,
    };
    let formatters = reader.formatters()?;
    let (handlers, order) = reader.handlers(&formatters)?;
    let mut plan = Plan {
        disable_existing,
        root_first: true,
        handlers: order,
        ..Plan::default()
    };
    reader.loggers(&handlers, &mut plan)?;
    Ok(plan)
}

/// A syntax error's message starts with `file:line:column:` as the other formats' do; the line
/// is the first one configparser's text names (`[line  5]`, `line: 5`).
fn with_line(error: ConfigError, source: &str) -> ConfigError {
    let message = error.message();
    let line = ["[line ", "line: "].iter().find_map(|marker| {
        let start = message.find(marker)? + marker.len();
        let digits: String = message[start..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse::<usize>().ok()
    });
    match line {
        Some(line) if error.python_message() != message => {
            ConfigError::syntax(source, line, 1, message).context(error.python_message())
        }
        _ => error,
    }
}

struct IniReader<'a> {
    configurator: &'a Configurator,
    ini: &'a Ini,
    defaults: &'a [(String, String)],
    resolver: &'a Resolver<'a>,
}

/// CPython's `_strip_spaces` over a comma-separated list; empty text is no items.
fn keys(list: &str) -> Vec<String> {
    if list.is_empty() {
        return Vec::new();
    }
    list.split(',').map(|k| k.trim().to_owned()).collect()
}

/// A name that no `keys=` list defines (CPython: a bare `KeyError`).
fn unknown_name(key: &str, list: &str, name: &str, path: String) -> ConfigError {
    ConfigError::new(format!(
        "{key}: expected a name listed in [{list}] keys, got {}",
        py_repr(name)
    ))
    .at(path)
}

/// A section that must exist (CPython: a bare `KeyError`).
fn missing_section(section: &str) -> ConfigError {
    let message = match section {
        "loggers" => "expected a section listing the loggers (keys=root,...)".to_owned(),
        "handlers" | "formatters" => {
            format!("expected a section listing the {section} (keys= may be empty)")
        }
        _ => match section.split_once('_') {
            Some((kind, name)) => format!(
                "expected a section for the {kind} {} listed in [{kind}s]",
                py_repr(name)
            ),
            None => "expected this section".to_owned(),
        },
    };
    ConfigError::new(format!("[{section}]: {message}, got nothing")).at(section.to_owned())
}

impl IniReader<'_> {
    fn get(&self, section: &str, key: &str, raw: bool) -> Result<Option<String>, ConfigError> {
        self.ini
            .get(section, key, raw, self.defaults)
            .map_err(|e| e.at(format!("{section}.{key}")))
    }

    /// `cp[section][key]`: the section and key must exist (CPython raises `KeyError`).
    fn require(&self, section: &str, key: &str) -> Result<String, ConfigError> {
        if !self.ini.has_section(section) {
            return Err(missing_section(section));
        }
        self.get(section, key, false)?.ok_or_else(|| {
            ConfigError::new(format!(
                "{key}: expected a value in [{section}], got nothing"
            ))
            .at(format!("{section}.{key}"))
        })
    }

    fn formatters(&self) -> Result<HashMap<String, Formatter>, ConfigError> {
        let mut formatters = HashMap::new();
        for name in keys(&self.require("formatters", "keys")?) {
            let section = format!("formatter_{name}");
            let path = section.clone();
            let format = self.get(&section, "format", true)?;
            let datefmt = self.get(&section, "datefmt", true)?;
            let style_text = self
                .get(&section, "style", true)?
                .unwrap_or_else(|| "%".to_owned());
            if !self.ini.has_section(&section) {
                return Err(missing_section(&section));
            }
            if let Some(class) = self
                .get(&section, "class", false)?
                .filter(|c| !c.is_empty())
                && class != "logging.Formatter"
            {
                let make = self.configurator.formatter_factory_named(&class, &path)?;
                let mut kwargs = ConfigMap::new();
                kwargs.insert("format", format.map_or(ConfigValue::Null, ConfigValue::Str));
                kwargs.insert(
                    "datefmt",
                    datefmt.map_or(ConfigValue::Null, ConfigValue::Str),
                );
                kwargs.insert("style", ConfigValue::Str(style_text));
                let mut args = Args::new(class.clone(), path, kwargs, self.resolver);
                let formatter = make(&mut args)?;
                formatters.insert(name, formatter);
                continue;
            }
            let style = Style::parse(&style_text)
                .map_err(|e| ConfigError::from(e).at(format!("{path}.style")))?;
            let formatter = Formatter::builder(format.as_deref().unwrap_or(style.default_format()))
                .style(style)
                .datefmt_opt(datefmt)
                .build()
                .map_err(|e| ConfigError::from(e).at(format!("{path}.format")))?;
            formatters.insert(name, formatter);
        }
        Ok(formatters)
    }

    /// The handlers by name, and in the order they were built.
    fn handlers(
        &self,
        formatters: &HashMap<String, Formatter>,
    ) -> Result<(HashMap<String, Handler>, Vec<Handler>), ConfigError> {
        let mut by_name = HashMap::new();
        let mut order = Vec::new();
        let mut fixups = Vec::new();
        for name in keys(&self.require("handlers", "keys")?) {
            let section = format!("handler_{name}");
            let path = section.clone();
            let class_name = self.require(&section, "class")?;
            let formatter = self.get(&section, "formatter", false)?.unwrap_or_default();
            let args_text = self
                .get(&section, "args", false)?
                .unwrap_or_else(|| "()".to_owned());
            let kwargs_text = self
                .get(&section, "kwargs", false)?
                .unwrap_or_else(|| "{}".to_owned());
            let args = match parse_literal(&args_text) {
                Ok(ConfigValue::List(items)) => items,
                _ => {
                    return Err(ConfigError::new(format!(
                        "args: expected a tuple of Python literals, sys.stdout or sys.stderr, got {}",
                        py_repr(&args_text)
                    ))
                    .at(format!("{path}.args")));
                }
            };
            let kwargs = match parse_literal(&kwargs_text) {
                Ok(ConfigValue::Map(map)) => map,
                _ => {
                    return Err(ConfigError::new(format!(
                        "kwargs: expected a dict of Python literals, got {}",
                        py_repr(&kwargs_text)
                    ))
                    .at(format!("{path}.kwargs")));
                }
            };
            let (handler, is_memory) = self.handler(&class_name, args, kwargs, &path)?;
            handler.set_name(Some(name.clone()));
            if let Some(level) = self.get(&section, "level", false)? {
                let level = check_level(&ConfigValue::Str(level))
                    .map_err(|e| e.at(format!("{path}.level")))?;
                handler.set_level(level);
            }
            if !formatter.is_empty() {
                let f = formatters.get(&formatter).ok_or_else(|| {
                    unknown_name(
                        "formatter",
                        "formatters",
                        &formatter,
                        format!("{path}.formatter"),
                    )
                })?;
                handler.set_formatter(Some(f.clone()));
            }
            if is_memory
                && let Some(target) = self
                    .get(&section, "target", false)?
                    .filter(|t| !t.is_empty())
            {
                fixups.push((handler.clone(), target, path.clone()));
            }
            by_name.insert(name, handler.clone());
            order.push(handler);
        }
        for (memory, target, path) in fixups {
            let target = by_name.get(&target).ok_or_else(|| {
                unknown_name("target", "handlers", &target, format!("{path}.target"))
            })?;
            MemoryHandler::set_target(&memory, Some(target.clone()));
        }
        Ok((by_name, order))
    }

    /// One handler from its class and Python arguments; whether it is a memory handler.
    fn handler(
        &self,
        class_name: &str,
        args: Vec<ConfigValue>,
        kwargs: ConfigMap,
        path: &str,
    ) -> Result<(Handler, bool), ConfigError> {
        if let Some(make) = self.configurator.handler_factories.get(class_name) {
            if !args.is_empty() {
                return Err(ConfigError::new(format!(
                    "args: {class_name} is an application's handler, which takes keyword arguments only (use kwargs=)"
                ))
                .at(format!("{path}.args")));
            }
            let mut args = Args::new(class_name.to_owned(), path, kwargs, self.resolver);
            let handler = make(&mut args)?;
            args.finish()?;
            return Ok((handler, false));
        }
        let class = match classes::by_ini_name(class_name) {
            Some(class) => class,
            None => {
                let message = match classes::feature_for(class_name) {
                    Some(feature) => ConfigError::new(format!(
                        "{class_name} needs pylog's `{feature}` feature, which this build does not have"
                    )),
                    // fileConfig's own `_resolve` lets the import error through unwrapped.
                    None => {
                        ConfigError::new(super::refs::import_error(class_name)).with_hint(format!(
                            "register it with Configurator::handler_factory({class_name:?}, ...)"
                        ))
                    }
                };
                return Err(message.at(format!("{path}.class")));
            }
        };
        if args.len() > class.params.len() {
            return Err(ConfigError::new(format!(
                "{}.__init__() takes at most {} positional arguments but {} were given",
                class.name,
                class.params.len() + 1,
                args.len() + 1
            ))
            .at(format!("{path}.args")));
        }
        let kwargs_keys: Vec<String> = kwargs.keys().map(str::to_owned).collect();
        let mut all = ConfigMap::new();
        for (param, value) in class.params.iter().zip(args) {
            all.insert(*param, value);
        }
        for (key, value) in kwargs {
            if all.contains_key(&key) {
                return Err(ConfigError::new(format!(
                    "{}.__init__() got multiple values for argument {}",
                    class.name,
                    py_repr(&key)
                ))
                .at(format!("{path}.kwargs")));
            }
            all.insert(key, value);
        }
        // The target is a separate key of the section in a file (`target=`), never an argument.
        if class.has_target {
            all.remove("target");
        }
        let keyword: Vec<String> = kwargs_keys;
        let mut args = Args::new(format!("{}.__init__", class.name), path, all, self.resolver);
        // A file writes arguments in `args=` or `kwargs=`: errors point there.
        let in_file = |e: ConfigError| {
            let key = e
                .path()
                .and_then(|p| p.rsplit('.').next())
                .unwrap_or_default()
                .to_owned();
            let list = if keyword.contains(&key) {
                "kwargs"
            } else {
                "args"
            };
            e.with_path(format!("{path}.{list}"))
        };
        let handler = (class.build)(&mut args).map_err(in_file)?;
        args.finish().map_err(in_file)?;
        Ok((handler, class.has_target))
    }

    fn loggers(
        &self,
        handlers: &HashMap<String, Handler>,
        plan: &mut Plan,
    ) -> Result<(), ConfigError> {
        let mut names = keys(&self.require("loggers", "keys")?);
        let listed = self.require("loggers", "keys")?;
        let root_at = names.iter().position(|n| n == "root").ok_or_else(|| {
            ConfigError::new(format!(
                "keys: expected a list of logger names that includes root, got {}",
                py_repr(&listed)
            ))
            .at("loggers.keys")
        })?;
        names.remove(root_at);
        let attached = |section: &str| -> Result<Vec<Handler>, ConfigError> {
            let list = self.require(section, "handlers")?;
            keys(&list)
                .iter()
                .map(|name| {
                    handlers.get(name).cloned().ok_or_else(|| {
                        ConfigError::new(format!(
                            "handlers: expected names listed in [handlers] keys, got {}",
                            py_repr(name)
                        ))
                        .at(format!("{section}.handlers"))
                    })
                })
                .collect()
        };
        let level = |section: &str| -> Result<Option<crate::Level>, ConfigError> {
            self.get(section, "level", false)?
                .map(|l| {
                    check_level(&ConfigValue::Str(l)).map_err(|e| e.at(format!("{section}.level")))
                })
                .transpose()
        };
        if !self.ini.has_section("logger_root") {
            return Err(missing_section("logger_root"));
        }
        plan.root = Some(LoggerPlan {
            name: String::new(),
            level: level("logger_root")?,
            propagate: None,
            handlers: Some(attached("logger_root")?),
            filters: None,
        });
        for name in names {
            let section = format!("logger_{name}");
            let qualname = self.require(&section, "qualname")?;
            let propagate = match self.get(&section, "propagate", false)? {
                None => true,
                Some(text) => text.trim().parse::<i64>().map(|p| p != 0).map_err(|_| {
                    ConfigError::new(format!(
                        "propagate: expected 0 or 1, got {}",
                        py_repr(&text)
                    ))
                    .at(format!("{section}.propagate"))
                })?,
            };
            plan.loggers.push(LoggerPlan {
                name: qualname,
                level: level(&section)?,
                propagate: Some(propagate),
                handlers: Some(attached(&section)?),
                filters: None,
            });
        }
        Ok(())
    }
}
