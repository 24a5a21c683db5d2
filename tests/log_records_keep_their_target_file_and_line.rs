//! `log` crate records reach the tree through `tracing_log::LogTracer`: `%(name)s` is the record's
//! target with `::` as `.`, `%(pathname)s`/`%(filename)s`/`%(lineno)d` are the real place of the
//! `log::warn!` call (not tracing-log's), and the `log.*` fields that carry them are not extras.
//!
//! `log::set_logger` can be called once per process, so this binary installs the bridge once.

mod common;

use std::sync::Once;

use common::{SeenExtras, stream, with_tree};
use pylog_core::{Level, Manager, SharedWriter};

const CRATE: &str = "log_records_keep_their_target_file_and_line";
const FILE: &str = "tests/log_records_keep_their_target_file_and_line.rs";

fn install_log_bridge() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| tracing_log::LogTracer::init().expect("no other `log` logger"));
}

mod db {
    pub fn log() -> u32 {
        let line = line!() + 1;
        log::error!("from the db module");
        line
    }
}

#[test]
fn name_location_and_level_come_from_the_log_record() {
    install_log_bridge();
    let tree = Manager::new();
    let out = SharedWriter::new();
    let seen = SeenExtras::default();
    let root = tree.root();
    root.set_level(Level::DEBUG);
    root.add_handler(
        stream(
            &out,
            "%(levelname)s|%(name)s|%(pathname)s|%(filename)s|%(module)s|%(lineno)d|%(module_path)s|%(message)s",
        )
        .with_filter(seen.filter()),
    );

    let lines = with_tree(&tree, || {
        let first = line!() + 1;
        log::warn!(target: "app::db", "slow query {}", 7);
        let second = line!() + 1;
        log::info!("default target");
        let third = db::log();
        log::trace!(target: "app", "below the root's DEBUG");
        (first, second, third)
    });

    assert_eq!(
        out.contents(),
        format!(
            "WARNING|app.db|{FILE}|{CRATE}.rs|{CRATE}|{}|{CRATE}|slow query 7\n\
             INFO|{CRATE}|{FILE}|{CRATE}.rs|{CRATE}|{}|{CRATE}|default target\n\
             ERROR|{CRATE}.db|{FILE}|{CRATE}.rs|{CRATE}|{}|{CRATE}::db|from the db module\n",
            lines.0, lines.1, lines.2
        )
    );
    assert_eq!(
        seen.records(),
        vec![Vec::<String>::new(); 3],
        "no log.* extras"
    );
}

#[test]
fn log_records_follow_logger_levels_and_handlers() {
    install_log_bridge();
    let tree = Manager::new();
    let out = SharedWriter::new();
    let app = tree.get_logger("app");
    app.set_level(Level::ERROR);
    app.add_handler(stream(&out, "%(name)s:%(levelname)s:%(message)s"));
    tree.get_logger("app.db").set_level(Level::INFO);
    let last_resort = common::capture_last_resort(&tree);

    with_tree(&tree, || {
        log::warn!(target: "app", "app is at ERROR: dropped");
        log::info!(target: "app::db", "app.db is at INFO: kept");
        log::error!(target: "app", "error: kept");
        log::warn!(target: "elsewhere", "no handler: last resort");
        log::info!(target: "elsewhere", "info: nowhere");
    });

    assert_eq!(
        out.contents(),
        "app.db:INFO:app.db is at INFO: kept\napp:ERROR:error: kept\n"
    );
    assert_eq!(last_resort.contents(), "no handler: last resort\n");
}

#[test]
fn a_format_naming_a_log_field_does_not_find_it() {
    install_log_bridge();
    let tree = Manager::new();
    let (good, bad) = (SharedWriter::new(), SharedWriter::new());
    // Python's validation refuses a key with a dot; without it, the lookup fails per record.
    let failing = pylog_core::StreamHandler::writer(bad.clone()).with_formatter(
        pylog_core::Formatter::builder("%(log.line)s")
            .validate(false)
            .build()
            .unwrap(),
    );
    tree.root().add_handler(failing.clone());
    tree.root().add_handler(stream(&good, "%(message)s"));

    pylog_core::set_raise_exceptions(false);
    with_tree(&tree, || log::warn!(target: "app", "x"));

    assert_eq!(good.contents(), "x\n");
    assert_eq!(bad.contents(), "");
    assert_eq!(failing.stats().errors, 1);
}
