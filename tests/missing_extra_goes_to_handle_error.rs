//! A format naming a field the event does not have fails like Python's
//! (`ValueError: Formatting field not found in record: 'user'`): the record goes to that handler's
//! `handle_error`, which counts it, and the other handlers and later records are unaffected.
//!
//! This binary turns off `raiseExceptions` (process-global) so the error report stays off stderr.

mod common;

use common::{stream, with_tree};
use pylog_core::{Manager, SharedWriter};

#[test]
fn the_failing_handler_counts_an_error_and_the_others_carry_on() {
    pylog_core::set_raise_exceptions(false);
    let tree = Manager::new();
    let (with_user, plain) = (SharedWriter::new(), SharedWriter::new());
    let needs_user = stream(&with_user, "%(user)s: %(message)s");
    let app = tree.get_logger("app");
    app.add_handler(needs_user.clone());
    app.add_handler(stream(&plain, "%(message)s"));

    with_tree(&tree, || {
        tracing::warn!(target: "app", user = "ann", "has a user");
        tracing::warn!(target: "app", "has no user");
        tracing::warn!(target: "app", user = 7, "has one again");
    });

    assert_eq!(with_user.contents(), "ann: has a user\n7: has one again\n");
    assert_eq!(plain.contents(), "has a user\nhas no user\nhas one again\n");
    let stats = needs_user.stats();
    assert_eq!((stats.emitted, stats.errors), (2, 1));
}

#[test]
fn a_type_mismatch_is_an_error_too() {
    pylog_core::set_raise_exceptions(false);
    let tree = Manager::new();
    let out = SharedWriter::new();
    let handler = stream(&out, "%(user)d %(message)s");
    tree.get_logger("app").add_handler(handler.clone());

    with_tree(&tree, || {
        tracing::warn!(target: "app", user = "not a number", "x");
        tracing::warn!(target: "app", user = 12, "y");
    });

    assert_eq!(out.contents(), "12 y\n");
    assert_eq!(handler.stats().errors, 1);
}
