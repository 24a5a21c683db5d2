//! A formatter factory registered for a dictConfig `()` can compute fields per record, as a
//! Python formatter subclass does: here an application reproduces uvicorn's `DefaultFormatter`
//! (`%(levelprefix)s`) from uvicorn's own `LOGGING_CONFIG` entry, without the library knowing
//! uvicorn.
//!
//! The expected lines are what uvicorn 0.55.0's `DefaultFormatter("%(levelprefix)s %(message)s",
//! use_colors=False)` and `DefaultFormatter("%(levelprefix)-12s|%(message)s", use_colors=True)`
//! return for the same records (`python3 -m pip install uvicorn`, then
//! `logging.makeLogRecord({...})` through `formatter.format`).

use std::sync::Arc;

use pylog::config::{Config, Configurator};
use pylog::{Formatter, Level, LogRecord, Manager, SharedWriter};

/// uvicorn's `levelprefix`: the level name (coloured when asked), a colon, and spaces up to
/// eight characters of the uncoloured name.
fn level_prefix(use_colors: bool) -> impl Fn(&LogRecord<'_>, &mut String) + Send + Sync + 'static {
    move |record, out| {
        let name = record.levelname().to_text();
        let name: &str = &name;
        let colour = match record.level.value() {
            5 | 10 => "36",
            20 => "32",
            30 => "33",
            40 => "31",
            50 => "91",
            _ => "",
        };
        if use_colors && !colour.is_empty() {
            out.push_str(&format!("\x1b[{colour}m{name}\x1b[0m"));
        } else {
            out.push_str(name);
        }
        out.push(':');
        out.push_str(&" ".repeat(8usize.saturating_sub(name.len())));
    }
}

#[test]
fn a_factory_for_uvicorns_default_formatter_computes_levelprefix() {
    // uvicorn/config.py LOGGING_CONFIG's "default" formatter and "default" handler, unchanged
    // but for the stream, which the test captures.
    let json = r#"{"version": 1, "disable_existing_loggers": false,
        "formatters": {"default": {"()": "uvicorn.logging.DefaultFormatter",
                                   "fmt": "%(levelprefix)s %(message)s", "use_colors": null}},
        "handlers": {"default": {"formatter": "default", "class": "logging.StreamHandler",
                                 "stream": "ext://sys.stderr"}},
        "loggers": {"uvicorn.error": {"handlers": ["default"], "level": "INFO", "propagate": false}}}"#;
    let tree = Manager::new();
    let out = SharedWriter::new();
    Configurator::for_manager(&tree)
        .env_overrides(false)
        .ext_writer("sys.stderr", out.clone())
        .formatter_factory("uvicorn.logging.DefaultFormatter", |args| {
            let fmt = args
                .string("fmt")?
                .unwrap_or_else(|| "%(message)s".to_owned());
            // `None` means: colours when the stream is a terminal; the test's is not.
            let use_colors = args.bool("use_colors")?.unwrap_or(false);
            Ok(Formatter::builder(&fmt)
                .computed_field("levelprefix", level_prefix(use_colors))
                .build()?)
        })
        .dict_config(&Config::from_json(json).unwrap())
        .unwrap();
    let log = tree.get_logger("uvicorn.error");
    log.info("Started server process [42]");
    log.warning("Invalid HTTP request received.");
    log.critical("boom");
    assert_eq!(
        out.contents(),
        "INFO:     Started server process [42]\n\
         WARNING:  Invalid HTTP request received.\n\
         CRITICAL: boom\n"
    );
}

#[test]
fn computed_fields_take_conversions_and_win_over_extras_and_defaults() {
    let formatter = Formatter::builder("%(levelprefix)-12s|%(message)s")
        .computed_field("levelprefix", level_prefix(true))
        .default_field("levelprefix", "unused default")
        .build()
        .unwrap();
    let mut out = String::new();
    formatter
        .format(&LogRecord::new("uvicorn.error", Level::INFO, "x"), &mut out)
        .unwrap();
    assert_eq!(out, "\x1b[32mINFO\x1b[0m:    |x");

    let counted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = counted.clone();
    let brace = Formatter::builder("{name} {tag!r:>8}")
        .style(pylog::Style::Brace)
        .computed_field("tag", move |record: &LogRecord<'_>, out: &mut String| {
            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            out.push_str(&record.name.to_uppercase());
        })
        .build()
        .unwrap();
    let extras = [("tag", pylog::Value::Str("extra"))];
    let mut record = LogRecord::new("db", Level::INFO, "m");
    record.extras = &extras;
    let mut out = String::new();
    brace.format(&record, &mut out).unwrap();
    assert_eq!(out, "db     'DB'");
    assert_eq!(counted.load(std::sync::atomic::Ordering::Relaxed), 1);
}
