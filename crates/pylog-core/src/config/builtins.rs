//! The formatter and filter classes a file may name without the application registering them:
//! `logging.Formatter` and `logging.Filter`, as a formatter's `class` or `()` and a filter's `()`.
//!
//! Third-party formatters that real files name (python-json-logger, colorlog, uvicorn) are built
//! in too: see [`thirdparty`](super::thirdparty).
//!
//! A `()` passes every other key of the entry as a keyword argument, so these read CPython's
//! keyword names (`fmt`, `datefmt`, `style`, `validate`, `defaults`; `name`) and refuse others
//! with CPython's `TypeError` text. dictConfig retries a formatter factory that refuses `format`
//! with `fmt`, so `format` is read as `fmt` too.

use std::sync::Arc;

use super::args::Args;
use super::configurator::{FilterFactory, FormatterFactory};
use super::{ConfigError, ConfigValue};
use crate::filter::NameFilter;
use crate::format::{DefaultValue, Formatter, Style};

/// The built-in formatter class named `name`, as a factory.
pub(crate) fn formatter_class(name: &str) -> Option<FormatterFactory> {
    let make: fn(&mut Args<'_>) -> Result<Formatter, ConfigError> = match name {
        "logging.Formatter" => logging_formatter,
        other => super::thirdparty::formatter_class(other)?,
    };
    Some(Arc::new(make))
}

/// The built-in filter class named `name`, as a factory.
pub(crate) fn filter_class(name: &str) -> Option<FilterFactory> {
    match name {
        "logging.Filter" => Some(Arc::new(|args: &mut Args<'_>| {
            let name = args.string("name")?.unwrap_or_default();
            Ok(Arc::new(NameFilter::new(name)) as Arc<dyn crate::filter::Filter>)
        })),
        _ => None,
    }
}

/// The format string of a formatter's keyword arguments: `fmt`, or `format` (dictConfig's retry).
pub(crate) fn fmt_argument(args: &mut Args<'_>) -> Result<Option<String>, ConfigError> {
    match args.string("fmt")? {
        Some(fmt) => Ok(Some(fmt)),
        None => args.string("format"),
    }
}

/// The style of a formatter's keyword arguments (`%` when absent).
pub(crate) fn style_argument(args: &mut Args<'_>) -> Result<Style, ConfigError> {
    match args.string("style")? {
        Some(style) => {
            Style::parse(&style).map_err(|e| ConfigError::from(e).at(args.key_path("style")))
        }
        None => Ok(Style::Percent),
    }
}

/// Python's `logging.Formatter(fmt, datefmt, style, validate, *, defaults)`.
pub(crate) fn logging_formatter(args: &mut Args<'_>) -> Result<Formatter, ConfigError> {
    let style = style_argument(args)?;
    let format = fmt_argument(args)?;
    let mut builder = Formatter::builder(format.as_deref().unwrap_or(style.default_format()))
        .style(style)
        .datefmt_opt(args.string("datefmt")?);
    if let Some(validate) = args.bool("validate")? {
        builder = builder.validate(validate);
    }
    if let Some(defaults) = args.map("defaults")? {
        for (key, value) in defaults {
            let path = args.key_path(&format!("defaults.{key}"));
            builder = builder.default_field(&key, default_value(&value, &path)?);
        }
    }
    builder.build().map_err(|e| {
        let key = if matches!(e, crate::Error::InvalidDateFormat { .. }) {
            "datefmt"
        } else if args.contains("fmt") {
            "fmt"
        } else {
            "format"
        };
        ConfigError::from(e).at(args.key_path(key))
    })
}

fn default_value(value: &ConfigValue, path: &str) -> Result<DefaultValue, ConfigError> {
    Ok(match value {
        ConfigValue::Null => DefaultValue::None,
        ConfigValue::Bool(b) => DefaultValue::Bool(*b),
        ConfigValue::Int(i) => DefaultValue::Int(*i),
        ConfigValue::Float(x) => DefaultValue::Float(*x),
        ConfigValue::Str(s) => DefaultValue::Str(s.clone()),
        other => {
            return Err(ConfigError::new(format!(
                "defaults: expected a string, number, boolean or null, got {other}"
            ))
            .at(path.to_owned()));
        }
    })
}
