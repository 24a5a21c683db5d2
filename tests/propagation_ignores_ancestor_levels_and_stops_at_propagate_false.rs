//! Propagation as in CPython's `Logger.callHandlers`: a record logged on `app.db` goes to the handlers
//! of `app.db`, `app` and `root` while `propagate` is true. Only the originating logger's effective
//! level and each handler's own level count; ancestors' levels and `disabled` flags are ignored.

mod common;

use common::{stream, with_tree};
use pylog_core::{Level, Manager, SharedWriter};

const FORMAT: &str = "%(name)s:%(levelname)s:%(message)s";

#[test]
fn records_reach_every_handler_up_to_the_root() {
    let tree = Manager::new();
    let (root_out, app_out, db_out) = (
        SharedWriter::new(),
        SharedWriter::new(),
        SharedWriter::new(),
    );
    tree.root()
        .add_handler(stream(&root_out, &format!("root| {FORMAT}")));
    tree.get_logger("app")
        .add_handler(stream(&app_out, &format!("app| {FORMAT}")));
    tree.get_logger("app.db")
        .add_handler(stream(&db_out, &format!("db| {FORMAT}")));

    with_tree(&tree, || {
        tracing::warn!(target: "app::db", "from db");
        tracing::warn!(target: "app", "from app");
        tracing::warn!(target: "other", "from other");
        tracing::info!(target: "app::db", "below the root's WARNING");
    });

    assert_eq!(db_out.contents(), "db| app.db:WARNING:from db\n");
    assert_eq!(
        app_out.contents(),
        "app| app.db:WARNING:from db\napp| app:WARNING:from app\n"
    );
    assert_eq!(
        root_out.contents(),
        "root| app.db:WARNING:from db\nroot| app:WARNING:from app\nroot| other:WARNING:from other\n"
    );
}

#[test]
fn propagate_false_stops_at_the_logger() {
    let tree = Manager::new();
    let (root_out, app_out, db_out) = (
        SharedWriter::new(),
        SharedWriter::new(),
        SharedWriter::new(),
    );
    tree.root().add_handler(stream(&root_out, FORMAT));
    tree.get_logger("app").add_handler(stream(&app_out, FORMAT));
    let db = tree.get_logger("app.db");
    db.add_handler(stream(&db_out, FORMAT));
    db.set_propagate(false);

    with_tree(&tree, || {
        tracing::error!(target: "app::db", "kept in db");
        tracing::error!(target: "app::db::pool", "a grandchild stops at db too");
        tracing::error!(target: "app", "app still propagates");
    });

    assert_eq!(
        db_out.contents(),
        "app.db:ERROR:kept in db\napp.db.pool:ERROR:a grandchild stops at db too\n"
    );
    assert_eq!(app_out.contents(), "app:ERROR:app still propagates\n");
    assert_eq!(root_out.contents(), "app:ERROR:app still propagates\n");
}

#[test]
fn ancestor_logger_levels_are_ignored_during_propagation() {
    let tree = Manager::new();
    let (root_out, app_out) = (SharedWriter::new(), SharedWriter::new());
    // The root is at WARNING and `app` at CRITICAL, but `app.db` is at DEBUG: its DEBUG records
    // still reach both ancestors' handlers, whose level is NOTSET.
    tree.root().add_handler(stream(&root_out, FORMAT));
    let app = tree.get_logger("app");
    app.set_level(Level::CRITICAL);
    app.add_handler(stream(&app_out, FORMAT));
    tree.get_logger("app.db").set_level(Level::DEBUG);

    with_tree(&tree, || {
        tracing::debug!(target: "app::db", "debug from db");
        tracing::error!(target: "app", "error on app itself: below its CRITICAL");
        tracing::debug!(target: "app::db::pool", "pool inherits DEBUG from db");
        tracing::trace!(target: "app::db", "TRACE is below db's DEBUG");
    });

    let expected = "app.db:DEBUG:debug from db\napp.db.pool:DEBUG:pool inherits DEBUG from db\n";
    assert_eq!(app_out.contents(), expected);
    assert_eq!(root_out.contents(), expected);
}

#[test]
fn each_handler_level_still_applies_on_the_way_up() {
    let tree = Manager::new();
    let (root_out, app_out) = (SharedWriter::new(), SharedWriter::new());
    tree.root()
        .add_handler(stream(&root_out, FORMAT).with_level(Level::ERROR));
    tree.get_logger("app")
        .add_handler(stream(&app_out, FORMAT).with_level(Level::INFO));
    tree.get_logger("app.db").set_level(Level::DEBUG);

    with_tree(&tree, || {
        tracing::debug!(target: "app::db", "debug: no handler takes it");
        tracing::info!(target: "app::db", "info: app's handler only");
        tracing::error!(target: "app::db", "error: both");
    });

    assert_eq!(
        app_out.contents(),
        "app.db:INFO:info: app's handler only\napp.db:ERROR:error: both\n"
    );
    assert_eq!(root_out.contents(), "app.db:ERROR:error: both\n");
}

#[test]
fn a_disabled_logger_drops_its_own_records_but_passes_on_its_childrens() {
    let tree = Manager::new();
    let (root_out, app_out) = (SharedWriter::new(), SharedWriter::new());
    tree.root().add_handler(stream(&root_out, FORMAT));
    let app = tree.get_logger("app");
    app.add_handler(stream(&app_out, FORMAT));
    app.set_disabled(true);

    with_tree(&tree, || {
        tracing::error!(target: "app", "dropped: app is disabled");
        tracing::error!(target: "app::db", "from db, through app's handlers");
    });
    app.set_disabled(false);
    with_tree(
        &tree,
        || tracing::error!(target: "app", "app enabled again"),
    );

    let expected = "app.db:ERROR:from db, through app's handlers\napp:ERROR:app enabled again\n";
    assert_eq!(app_out.contents(), expected);
    assert_eq!(root_out.contents(), expected);
}

#[test]
fn a_disabled_root_still_handles_what_children_propagate() {
    let tree = Manager::new();
    let root_out = SharedWriter::new();
    let root = tree.root();
    root.add_handler(stream(&root_out, FORMAT));
    root.set_disabled(true);

    with_tree(&tree, || {
        tracing::warn!(target: "root", "logged on the disabled root");
        tracing::warn!(target: "app", "logged on app");
    });

    assert_eq!(root_out.contents(), "app:WARNING:logged on app\n");
}
