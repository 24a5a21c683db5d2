//! A `tracing` target `app::db` is the logger `app.db` (`::` becomes `.`), so Rust's module tree and
//! Python's dotted hierarchy are the same tree; events without a target use their module path.

mod common;

use common::{stream, with_tree};
use pylog_core::{Manager, SharedWriter};

/// This test binary's crate name, the root of its module paths.
const CRATE: &str = "tracing_targets_are_dotted_logger_names";

#[test]
fn an_explicit_target_names_the_logger() {
    let (tree, out) = common::tree_with_handler_on("app");
    let db_out = SharedWriter::new();
    tree.get_logger("app.db")
        .add_handler(stream(&db_out, "db handler: %(name)s"));

    with_tree(&tree, || {
        tracing::warn!(target: "app::db", "query");
        tracing::warn!(target: "app::db::pool::conn", "deep");
        tracing::warn!(target: "app", "top");
        tracing::warn!(target: "app.web", "dots are kept");
        tracing::warn!(target: "application", "not under app");
    });

    assert_eq!(
        out.contents(),
        "app.db:WARNING:query\napp.db.pool.conn:WARNING:deep\napp:WARNING:top\napp.web:WARNING:dots are kept\n"
    );
    assert_eq!(
        db_out.contents(),
        "db handler: app.db\ndb handler: app.db.pool.conn\n"
    );
    let names = tree.logger_names();
    for expected in [
        "app",
        "app.db",
        "app.db.pool.conn",
        "app.web",
        "application",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert_eq!(
        tree.get_logger("app.db.pool.conn").parent().unwrap().name(),
        "app.db",
        "app.db.pool is only a placeholder"
    );
}

mod db {
    pub mod pool {
        pub fn log() {
            tracing::warn!("from the pool module");
        }
    }

    pub fn log() {
        tracing::warn!("from the db module");
    }
}

#[test]
fn the_module_path_is_the_default_target() {
    let tree = Manager::new();
    let (all, db_only) = (SharedWriter::new(), SharedWriter::new());
    tree.root()
        .add_handler(stream(&all, "%(name)s|%(module_path)s|%(message)s"));
    tree.get_logger(&format!("{CRATE}.db"))
        .add_handler(stream(&db_only, "%(name)s"));

    with_tree(&tree, || {
        tracing::warn!("from the crate root");
        db::log();
        db::pool::log();
    });

    assert_eq!(
        all.contents(),
        format!(
            "{CRATE}|{CRATE}|from the crate root\n\
             {CRATE}.db|{CRATE}::db|from the db module\n\
             {CRATE}.db.pool|{CRATE}::db::pool|from the pool module\n"
        )
    );
    assert_eq!(db_only.contents(), format!("{CRATE}.db\n{CRATE}.db.pool\n"));
}

#[test]
fn the_target_root_is_the_root_logger() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    tree.root()
        .add_handler(stream(&out, "%(name)s:%(message)s"));

    with_tree(&tree, || tracing::warn!(target: "root", "on the root"));

    assert_eq!(out.contents(), "root:on the root\n");
    assert!(tree.logger_names().is_empty(), "{:?}", tree.logger_names());
}

#[test]
fn the_source_location_is_the_events() {
    let (tree, _) = common::tree_with_handler_on("app");
    let out = SharedWriter::new();
    tree.root().add_handler(stream(
        &out,
        "%(pathname)s|%(filename)s|%(module)s|%(lineno)d|%(funcName)s",
    ));

    let line = with_tree(&tree, || {
        let line = line!() + 1;
        tracing::warn!(target: "app", "here");
        line
    });

    assert_eq!(
        out.contents(),
        format!(
            "tests/tracing_targets_are_dotted_logger_names.rs|tracing_targets_are_dotted_logger_names.rs|tracing_targets_are_dotted_logger_names|{line}|None\n"
        )
    );
}

#[test]
fn a_tree_gets_no_loggers_for_the_targets_of_other_subscribers() {
    // Both subscribers are alive when the callsite registers, so both layers are asked about it;
    // only the tree that handles the event gets a logger for its target.
    let (tree_a, out_a) = common::tree_with_handler_on("only_a");
    let tree_b = Manager::new();
    let dispatch_a = tracing::Dispatch::new({
        use tracing_subscriber::prelude::*;
        tracing_subscriber::registry().with(tracing_pylog::layer_for(tree_a.clone()))
    });
    let dispatch_b = tracing::Dispatch::new({
        use tracing_subscriber::prelude::*;
        tracing_subscriber::registry().with(tracing_pylog::layer_for(tree_b.clone()))
    });

    tracing::dispatcher::with_default(&dispatch_a, || {
        tracing::warn!(target: "only_a::x", "for a");
    });
    // Asking whether a callsite is enabled does not create loggers either.
    tracing::dispatcher::with_default(&dispatch_b, || {
        assert!(tracing::enabled!(target: "only_b::y", tracing::Level::ERROR));
    });

    assert_eq!(out_a.contents(), "only_a.x:WARNING:for a\n");
    assert_eq!(tree_a.logger_names(), ["only_a", "only_a.x"]);
    assert!(
        tree_b.logger_names().is_empty(),
        "{:?}",
        tree_b.logger_names()
    );
    drop(dispatch_b);
}
