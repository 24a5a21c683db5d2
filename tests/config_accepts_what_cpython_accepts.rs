//! dictConfig takes what CPython's takes: keys CPython never reads are ignored unless the
//! configurator is strict, `()` may name Python's own classes, every file format keeps the order
//! its entries were written in, and a class nobody provides is named once with the call that
//! would provide it. (The output of such files against CPython's is checked by
//! `config_files_match_cpython`: `ignored_keys_as_gunicorn_writes_them.json` and
//! `factories_naming_builtin_classes.yaml`.)

use pylog::config::{Config, ConfigError, Configurator, Format};
use pylog::{Manager, SharedWriter};

/// gunicorn's `CONFIG_DEFAULTS` (gunicorn/glogging.py, gunicorn 27.0.1, MIT licence), unchanged
/// but for `json.dumps`: every logger entry carries `qualname`, which dictConfig never reads.
const GUNICORN_DEFAULTS: &str = r#"{"version": 1, "disable_existing_loggers": false,
  "root": {"level": "INFO", "handlers": ["console"]},
  "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": true, "qualname": "gunicorn.error"},
              "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": true, "qualname": "gunicorn.access"}},
  "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "generic", "stream": "ext://sys.stdout"},
               "error_console": {"class": "logging.StreamHandler", "formatter": "generic", "stream": "ext://sys.stderr"}},
  "formatters": {"generic": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s", "datefmt": "[%Y-%m-%d %H:%M:%S %z]", "class": "logging.Formatter"}}}"#;

fn configurator(tree: &Manager, out: &SharedWriter) -> Configurator {
    Configurator::for_manager(tree)
        .env_overrides(false)
        .ext_writer("sys.stdout", out.clone())
        .ext_writer("sys.stderr", out.clone())
}

#[test]
fn gunicorns_defaults_apply_and_strict_mode_names_the_ignored_key() {
    let config = Config::from_json(GUNICORN_DEFAULTS).unwrap();
    let tree = Manager::new();
    let out = SharedWriter::new();
    configurator(&tree, &out).dict_config(&config).unwrap();
    tree.get_logger("gunicorn.error").info("Booting worker");
    let text = out.contents();
    assert!(text.ends_with("] [INFO] Booting worker\n"), "{text}");
    assert_eq!(
        text.matches("Booting worker").count(),
        2,
        "its handler and root's"
    );

    let err = configurator(&tree, &out)
        .strict(true)
        .dict_config(&config)
        .unwrap_err();
    assert_eq!(err.path(), Some("loggers.gunicorn.error.qualname"));
    assert_eq!(
        err.python_message(),
        "Unable to configure logger 'gunicorn.error'"
    );
    assert!(
        err.message()
            .starts_with("unknown key 'qualname' in a logger (expected one of: "),
        "{err}"
    );
}

#[test]
fn strict_mode_refuses_unknown_keys_in_every_entry_kind() {
    let cases = [
        (
            r#"{"version": 1, "formatters": {"f": {"format": "%(message)s", "fmt": "x"}}}"#,
            "formatters.f.fmt",
        ),
        (
            r#"{"version": 1, "filters": {"f": {"name": "a", "nmae": "b"}}}"#,
            "filters.f.nmae",
        ),
        (
            r#"{"version": 1, "root": {"level": "INFO", "propagate": false}}"#,
            "root.propagate",
        ),
        (
            r#"{"version": 1, "loggers": {"a": {"levle": "INFO"}}}"#,
            "loggers.a.levle",
        ),
    ];
    for (json, path) in cases {
        let config = Config::from_json(json).unwrap();
        let tree = Manager::new();
        let lenient = Configurator::for_manager(&tree).env_overrides(false);
        lenient.dict_config(&config).unwrap();
        let err = lenient.strict(true).dict_config(&config).unwrap_err();
        assert_eq!(err.path(), Some(path), "{json}: {err}");
    }
}

#[test]
fn factories_may_name_pythons_own_classes() {
    let json = r#"{"version": 1,
        "filters": {"app": {"()": "logging.Filter", "name": "app"}},
        "formatters": {"f": {"()": "logging.Formatter", "fmt": "%(levelname)s|%(name)s|%(message)s"},
                       "g": {"()": "logging.Formatter", "format": "{name}: {message}", "style": "{"}},
        "handlers": {"h": {"()": "logging.StreamHandler", "stream": "ext://sys.stdout",
                           "formatter": "f", "filters": ["app"]},
                     "e": {"()": "logging.StreamHandler", "stream": "ext://sys.stderr",
                           "formatter": "g", "level": "ERROR"}},
        "root": {"level": "DEBUG", "handlers": ["h", "e"]}}"#;
    let tree = Manager::new();
    let out = SharedWriter::new();
    configurator(&tree, &out)
        .dict_config(&Config::from_json(json).unwrap())
        .unwrap();
    tree.get_logger("app.db").debug("kept");
    tree.get_logger("web").info("filtered out");
    tree.get_logger("web").error("only the error handler");
    assert_eq!(
        out.contents(),
        "DEBUG|app.db|kept\nweb: only the error handler\n"
    );

    // A keyword the class does not take is CPython's TypeError.
    let bad =
        r#"{"version": 1, "formatters": {"f": {"()": "logging.Formatter", "colour": "red"}}}"#;
    let err = Configurator::for_manager(&tree)
        .dict_config(&Config::from_json(bad).unwrap())
        .unwrap_err();
    assert_eq!(
        err.message(),
        "Formatter.__init__() got an unexpected keyword argument 'colour'"
    );
    assert_eq!(err.path(), Some("formatters.f.colour"));
}

fn unresolved(json: &str) -> ConfigError {
    Configurator::for_manager(&Manager::new())
        .dict_config(&Config::from_json(json).unwrap())
        .unwrap_err()
}

#[test]
fn an_unresolved_class_is_named_once_with_the_call_that_registers_it() {
    let err =
        unresolved(r#"{"version": 1, "handlers": {"h": {"class": "myapp.logs.AuditHandler"}}}"#);
    assert_eq!(
        err.to_string(),
        "Unable to configure handler 'h': Cannot resolve 'myapp.logs.AuditHandler': \
         No module named 'myapp' (at handlers.h.class); register it with \
         Configurator::handler_factory(\"myapp.logs.AuditHandler\", ...)"
    );
    assert_eq!(err.message(), "No module named 'myapp'");
    assert_eq!(err.python_message(), "Unable to configure handler 'h'");

    let err = unresolved(r#"{"version": 1, "formatters": {"f": {"()": "myapp.Json"}}}"#);
    assert_eq!(
        err.hint(),
        Some("register it with Configurator::formatter_factory(\"myapp.Json\", ...)")
    );
    assert_eq!(
        err.to_string().matches("No module named").count(),
        1,
        "{err}"
    );
    let err = unresolved(r#"{"version": 1, "formatters": {"f": {"class": "myapp.Json"}}}"#);
    assert_eq!(err.path(), Some("formatters.f.class"));
    assert!(
        err.to_string().contains("formatter_factory(\"myapp.Json\""),
        "{err}"
    );
    let err = unresolved(r#"{"version": 1, "filters": {"f": {"()": "myapp.Only"}}}"#);
    assert_eq!(
        err.hint(),
        Some("register it with Configurator::filter_factory(\"myapp.Only\", ...)")
    );
    let err = unresolved(r#"{"version": 1, "handlers": {"h": {"()": "myapp.Audit"}}}"#);
    assert_eq!(err.path(), Some("handlers.h.()"));
    assert!(
        err.to_string().contains("handler_factory(\"myapp.Audit\""),
        "{err}"
    );
}

/// The loggers of the same document in each language, written in an order that is not sorted.
const ORDERED: [(Format, &str); 3] = [
    (
        Format::Toml,
        "version = 1\n[loggers.zeta]\nlevel = \"INFO\"\n[loggers.alpha]\nlevel = \"INFO\"\n[loggers.mid]\nlevel = \"INFO\"\n",
    ),
    (
        Format::Json,
        r#"{"version": 1, "loggers": {"zeta": {"level": "INFO"}, "alpha": {"level": "INFO"}, "mid": {"level": "INFO"}}}"#,
    ),
    (
        Format::Yaml,
        "version: 1\nloggers:\n  zeta: {level: INFO}\n  alpha: {level: INFO}\n  mid: {level: INFO}\n",
    ),
];

#[test]
fn every_format_keeps_the_order_entries_were_written_in() {
    for (format, text) in ORDERED {
        let config = Config::parse(text, format, "ordered").unwrap();
        let loggers = config
            .value()
            .get("loggers")
            .and_then(|l| l.as_map())
            .unwrap();
        assert_eq!(
            loggers.keys().collect::<Vec<_>>(),
            ["zeta", "alpha", "mid"],
            "{format:?}"
        );
    }
    // The order decides which of two bad entries is reported, as in CPython.
    let toml = "version = 1\n[formatters.zz]\nstyle = \"#\"\n[formatters.aa]\nstyle = \"#\"\n";
    let err = Configurator::for_manager(&Manager::new())
        .dict_config(&Config::from_toml(toml).unwrap())
        .unwrap_err();
    assert_eq!(err.python_message(), "Unable to configure formatter 'zz'");
}
