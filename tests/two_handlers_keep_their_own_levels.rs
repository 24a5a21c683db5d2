//! Python's handler tutorial: one logger, a console handler at WARNING and a file handler at ERROR.
//! Each handler applies its own level to what the logger lets through, and the file is really
//! written on disk.

mod common;

use pylog_core::{FileHandler, Formatter, Level, Manager, SharedWriter};

#[test]
fn warning_goes_to_the_console_only_and_error_to_both() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("file.log");

    let tree = Manager::new();
    let console = SharedWriter::new();
    let logger = tree.get_logger("app");
    logger.set_level(Level::DEBUG);
    logger.add_handler(
        common::stream(&console, "%(name)s - %(levelname)s - %(message)s")
            .with_level(Level::WARNING),
    );
    let file = FileHandler::builder(&path)
        .build()
        .expect("file handler")
        .with_level(Level::ERROR)
        .with_formatter(Formatter::new("%(levelname)s:%(name)s:%(lineno)d:%(message)s").unwrap());
    logger.add_handler(file.clone());

    let error_line = common::with_tree(&tree, || {
        tracing::debug!(target: "app", "This is a debug message");
        tracing::info!(target: "app", "This is an info message");
        tracing::warn!(target: "app", "This is a warning");
        let line = line!() + 1;
        tracing::error!(target: "app", "This is an error");
        line
    });

    assert_eq!(
        console.contents(),
        "app - WARNING - This is a warning\napp - ERROR - This is an error\n"
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("file.log exists"),
        format!("ERROR:app:{error_line}:This is an error\n")
    );
    assert_eq!(file.stats().emitted, 1);
    file.close();
}

#[test]
fn the_file_is_appended_to_and_written_through_at_each_record() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("app.log");
    std::fs::write(&path, "from before\n").unwrap();

    let tree = Manager::new();
    let file = FileHandler::builder(&path)
        .build()
        .expect("file handler")
        .with_level(Level::ERROR)
        .with_formatter(Formatter::new("%(levelname)s %(message)s").unwrap());
    tree.get_logger("app").add_handler(file.clone());

    common::with_tree(&tree, || {
        tracing::error!(target: "app", "first");
        // Nothing buffered: the record is on disk before the next call.
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "from before\nERROR first\n"
        );
        tracing::warn!(target: "app", "not for the file");
        tracing::error!(target: "app::db", "second, from a child");
    });

    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "from before\nERROR first\nERROR second, from a child\n"
    );
    file.close();
}
