//! Filters as in CPython: a logger's filters run only for records logged on that logger (not for
//! records its children propagate), a handler's filters run for every record offered to that
//! handler, and `NameFilter("a.b")` passes `a.b` and its descendants only.

mod common;

use std::sync::Arc;

use common::{stream, with_tree};
use pylog_core::{Filter, LogRecord, Manager, NameFilter, SharedWriter};

const FORMAT: &str = "%(name)s:%(message)s";

#[test]
fn a_logger_filter_does_not_see_records_propagated_from_children() {
    let tree = Manager::new();
    let (root_out, app_out) = (SharedWriter::new(), SharedWriter::new());
    tree.root().add_handler(stream(&root_out, FORMAT));
    let app = tree.get_logger("app");
    app.add_handler(stream(&app_out, FORMAT));
    // On `app`, pass only records of `app.db`: records logged on `app` itself are refused, while
    // records logged on `app.web` are never checked by it.
    app.add_filter(NameFilter::new("app.db"));

    with_tree(&tree, || {
        tracing::warn!(target: "app", "refused by app's own filter");
        tracing::warn!(target: "app::db", "db");
        tracing::warn!(target: "app::web", "web: app's filter does not run");
    });

    let expected = "app.db:db\napp.web:web: app's filter does not run\n";
    assert_eq!(app_out.contents(), expected);
    assert_eq!(root_out.contents(), expected);
}

#[test]
fn a_logger_filter_refusal_stops_every_handler_and_the_last_resort() {
    let tree = Manager::new();
    let last_resort = common::capture_last_resort(&tree);
    let app = tree.get_logger("app");
    let no_secrets: Arc<dyn Filter> =
        Arc::new(|record: &LogRecord<'_>| !record.msg.contains("password"));
    app.add_filter(no_secrets.clone());

    with_tree(&tree, || {
        tracing::warn!(target: "app", "password is hunter2");
        tracing::warn!(target: "app", "login ok");
    });
    app.remove_filter(&no_secrets);
    with_tree(
        &tree,
        || tracing::warn!(target: "app", "password filter removed"),
    );

    assert_eq!(
        last_resort.contents(),
        "login ok\npassword filter removed\n"
    );
}

#[test]
fn handler_filters_run_for_propagated_records_too() {
    let tree = Manager::new();
    let (db_only, everything) = (SharedWriter::new(), SharedWriter::new());
    let root = tree.root();
    let db_handler = stream(&db_only, FORMAT).with_filter(NameFilter::new("app.db"));
    root.add_handler(db_handler.clone());
    root.add_handler(stream(&everything, FORMAT));

    with_tree(&tree, || {
        tracing::warn!(target: "app", "app");
        tracing::warn!(target: "app::db", "db");
        tracing::warn!(target: "app::db::pool", "pool");
        tracing::warn!(target: "app::dbx", "dbx: not a child of app.db");
    });

    assert_eq!(db_only.contents(), "app.db:db\napp.db.pool:pool\n");
    assert_eq!(
        everything.contents(),
        "app:app\napp.db:db\napp.db.pool:pool\napp.dbx:dbx: not a child of app.db\n"
    );
    let stats = db_handler.stats();
    assert_eq!((stats.emitted, stats.filtered), (2, 2));
}

#[test]
fn a_closure_filter_sees_the_events_fields() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    tree.root().add_handler(
        stream(&out, "%(message)s user=%(user)s")
            .with_filter(|record: &LogRecord<'_>| record.extra("user").is_some()),
    );

    with_tree(&tree, || {
        tracing::warn!(target: "app", user = 7, "with a user");
        tracing::warn!(target: "app", "without a user: filtered, not a format error");
    });

    assert_eq!(out.contents(), "with a user user=7\n");
}
