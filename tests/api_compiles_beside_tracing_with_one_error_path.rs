//! The API as a `tracing` user writes it: the prelude beside `tracing::*`, the level macros with a
//! logger, `?` from every error type into `pylog::Error`, `BasicConfig` with enums, and level names
//! as `log` and `tracing` spell them. Each test compiling is half the proof; the assertions are
//! the other half.

use std::sync::Arc;

use pylog::{FileMode, Level, Manager, SharedWriter, StreamHandler, Style};

/// `use pylog::prelude::*; use tracing::*;` in one scope, with each crate's names used.
mod prelude_beside_tracing {
    use pylog::prelude::*;
    use tracing::*;
    use tracing_subscriber::prelude::*;

    #[test]
    fn prelude_and_tracing_names_coexist() {
        let tree = Manager::new();
        let out = SharedWriter::new();
        let app = tree.get_logger("app");
        app.set_level(pylog::Level::INFO);
        app.add_handler(
            StreamHandler::writer(out.clone())
                .with_level(pylog::Level::INFO)
                .with_formatter(Formatter::new("%(levelname)s %(name)s: %(message)s").unwrap())
                .with_filter(NameFilter::new("app")),
        );
        let subscriber = tracing_subscriber::registry().with(layer_for(tree.clone()));
        subscriber::with_default(subscriber, || {
            let span: Span = info_span!("request", id = 7);
            let _entered = span.enter();
            info!(target: "app::db", "through tracing");
            event!(target: "app", Level::WARN, "tracing's Level");
        });
        pylog::info!(logger: &app, "through the direct API");
        assert_eq!(
            out.contents(),
            "INFO app.db: through tracing\nWARNING app: tracing's Level\nINFO app: through the direct API\n"
        );
    }
}

#[test]
fn every_level_macro_takes_a_logger() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let db = tree.get_logger("app.db");
    db.set_level(Level::DEBUG);
    db.add_handler(
        StreamHandler::writer(out.clone()).with_formatter(
            pylog::Formatter::new("%(levelname)s %(funcName)s %(message)s").unwrap(),
        ),
    );
    pylog::debug!(logger: &db, "d {}", 1);
    pylog::info!(logger: &db, "i {}", 2);
    pylog::warning!(logger: db, "w {}", 3);
    pylog::error!(logger: &db, "e {}", 4);
    pylog::critical!(logger: &db, "c {}", 5);
    pylog::log!(logger: &db, Level::new(25), "n {}", 6);
    assert_eq!(
        out.contents(),
        "DEBUG every_level_macro_takes_a_logger d 1\n\
         INFO every_level_macro_takes_a_logger i 2\n\
         WARNING every_level_macro_takes_a_logger w 3\n\
         ERROR every_level_macro_takes_a_logger e 4\n\
         CRITICAL every_level_macro_takes_a_logger c 5\n\
         Level 25 every_level_macro_takes_a_logger n 6\n"
    );
}

/// A function returning `pylog::Error` that uses `?` on a configuration call, a format call and a
/// level parse.
fn configure(path: &std::path::Path) -> Result<(), pylog::Error> {
    pylog::config::load_path(path)?;
    let formatter = pylog::Formatter::new("%(user)s %(message)s")?;
    let mut line = String::new();
    formatter.format(&pylog::LogRecord::new("app", Level::INFO, "x"), &mut line)?;
    Ok(())
}

#[test]
fn question_mark_converts_config_and_format_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("logging.json");
    std::fs::write(&bad, r#"{"version": 1, "root": {"level": "LOUD"}}"#).unwrap();
    match configure(&bad) {
        Err(pylog::Error::Config(e)) => {
            assert_eq!(e.message(), "Unknown level: 'LOUD'");
            assert_eq!(e.path(), Some("root.level"));
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
    let good = dir.path().join("empty.json");
    std::fs::write(&good, r#"{"version": 1, "incremental": true}"#).unwrap();
    match configure(&good) {
        Err(pylog::Error::Format(e)) => assert_eq!(
            e.to_string(),
            "ValueError: Formatting field not found in record: 'user'"
        ),
        other => panic!("expected a formatting error, got {other:?}"),
    }
    // And back: a core error inside a configuration-returning function.
    fn level_in_config() -> Result<Level, pylog::config::ConfigError> {
        Ok("LOUD".parse::<Level>()?)
    }
    assert_eq!(
        level_in_config().unwrap_err().to_string(),
        "Unknown level: 'LOUD'"
    );
}

#[test]
fn basic_config_takes_enums_and_pythons_strings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let tree = Manager::new();
    pylog::basic_config()
        .filename(&path)
        .filemode(FileMode::Write)
        .style(Style::Brace)
        .format("{levelname}|{message}")
        .level(Level::INFO)
        .apply_to(&tree)
        .unwrap();
    tree.get_logger("app").info("typed");
    for handler in tree.root().handlers() {
        handler.close();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "INFO|typed\n");

    let tree = Manager::new();
    pylog::basic_config()
        .filename(&path)
        .filemode("w")
        .style("$")
        .format("${levelname}|${message}")
        .level("warn")
        .apply_to(&tree)
        .unwrap();
    tree.get_logger("app").info("dropped");
    tree.get_logger("app").warning("text");
    for handler in tree.root().handlers() {
        handler.close();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "WARNING|text\n");
}

#[test]
fn level_names_parse_in_any_case_with_log_and_tracing_aliases() {
    assert_eq!("warn".parse::<Level>().unwrap(), Level::WARNING);
    assert_eq!("WARN".parse::<Level>().unwrap(), Level::WARNING);
    assert_eq!("trace".parse::<Level>().unwrap(), Level::TRACE);
    assert_eq!("fatal".parse::<Level>().unwrap(), Level::CRITICAL);
    assert_eq!("Info".parse::<Level>().unwrap(), Level::INFO);
    // The same spellings `tracing` parses.
    for name in ["trace", "debug", "info", "warn", "error"] {
        let ours: Level = name.parse().unwrap();
        let theirs: tracing::Level = name.parse().unwrap();
        assert_eq!(ours, pylog::level_from_tracing(&theirs), "{name}");
    }
}

#[test]
fn filters_are_added_one_way_and_removed_by_identity() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let app = tree.get_logger("app");
    let handler = StreamHandler::writer(out.clone());
    let no_secrets: Arc<dyn pylog::Filter> =
        Arc::new(|r: &pylog::LogRecord<'_>| !r.msg.contains("password"));
    handler.add_filter(no_secrets.clone());
    app.add_filter(pylog::NameFilter::new("app"));
    app.add_filter(|r: &pylog::LogRecord<'_>| r.level < Level::CRITICAL);
    app.add_handler(handler.clone());
    app.warning("password=1");
    app.warning("kept");
    app.critical("refused by the logger's closure");
    handler.remove_filter(&no_secrets);
    app.warning("password=2");
    assert_eq!(out.contents(), "kept\npassword=2\n");
    assert!(handler.filters().is_empty());
}

#[test]
fn queue_builders_are_named_after_what_they_build() {
    let out = SharedWriter::new();
    let builder: pylog::QueueHandlerBuilder =
        pylog::QueueHandler::builder().handler(StreamHandler::writer(out.clone()));
    let queue: pylog::Handler = builder.capacity(10).build().unwrap();
    let listener_builder: pylog::QueueListenerBuilder = pylog::QueueListener::builder();
    let listener = listener_builder.start().unwrap();
    queue.handle(&pylog::LogRecord::new("app", Level::INFO, "queued"));
    queue.close();
    listener.stop();
    assert_eq!(out.contents(), "queued\n");
}
