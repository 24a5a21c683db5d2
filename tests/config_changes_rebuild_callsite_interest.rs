//! The layer decides once per callsite whether any handler could want it (`Interest::never()`
//! otherwise), and every change of a level, a handler or a flag rebuilds those decisions: the same
//! callsite that was disabled produces output after `set_level`, `add_handler`, a handler's
//! `set_level` or `set_disabled(false)`, and is disabled again by the opposite change.

mod common;

use common::{stream, with_tree};
use pylog_core::{Level, Manager, SharedWriter};

/// One callsite, called again after each change.
fn info_event(n: u32) {
    tracing::info!(target: "app::svc", n, "info event");
}

fn tree() -> (Manager, SharedWriter) {
    let tree = Manager::new();
    let out = SharedWriter::new();
    tree.get_logger("app").set_level(Level::WARNING);
    tree.get_logger("app")
        .add_handler(stream(&out, "%(levelname)s:%(name)s:%(message)s %(n)d"));
    (tree, out)
}

#[test]
fn lowering_the_logger_level_enables_a_disabled_callsite() {
    let (tree, out) = tree();
    let app = tree.get_logger("app");

    with_tree(&tree, || {
        info_event(1);
        app.set_level(Level::DEBUG);
        info_event(2);
        app.set_level(Level::ERROR);
        info_event(3);
        tree.get_logger("app.svc").set_level(Level::INFO);
        info_event(4);
    });

    assert_eq!(
        out.contents(),
        "INFO:app.svc:info event 2\nINFO:app.svc:info event 4\n"
    );
}

#[test]
fn a_handler_with_a_lower_level_enables_a_disabled_callsite() {
    let tree = Manager::new();
    let (warn_out, info_out) = (SharedWriter::new(), SharedWriter::new());
    let app = tree.get_logger("app");
    app.set_level(Level::DEBUG);
    let warn_handler = stream(&warn_out, "warn handler: %(n)d").with_level(Level::WARNING);
    app.add_handler(warn_handler.clone());

    with_tree(&tree, || {
        info_event(1);
        let info_handler = stream(&info_out, "info handler: %(n)d").with_level(Level::INFO);
        app.add_handler(info_handler.clone());
        info_event(2);
        app.remove_handler(&info_handler);
        info_event(3);
        warn_handler.set_level(Level::DEBUG);
        info_event(4);
    });

    assert_eq!(info_out.contents(), "info handler: 2\n");
    assert_eq!(warn_out.contents(), "warn handler: 4\n");
}

#[test]
fn disabling_and_re_enabling_a_logger() {
    let (tree, out) = tree();
    let svc = tree.get_logger("app.svc");
    svc.set_level(Level::INFO);

    with_tree(&tree, || {
        info_event(1);
        svc.set_disabled(true);
        info_event(2);
        svc.set_disabled(false);
        info_event(3);
        tree.disable(Level::INFO);
        info_event(4);
        tree.disable(Level::NOTSET);
        info_event(5);
    });

    assert_eq!(
        out.contents(),
        "INFO:app.svc:info event 1\nINFO:app.svc:info event 3\nINFO:app.svc:info event 5\n"
    );
}

#[test]
fn a_target_seen_before_its_logger_was_configured() {
    // The route for `late::x` is created (and refused) before anyone configures `late`.
    let tree = Manager::new();
    let out = SharedWriter::new();
    let log = || tracing::info!(target: "late::x", "late");

    with_tree(&tree, || {
        log();
        let late = tree.get_logger("late");
        late.set_level(Level::INFO);
        late.add_handler(stream(&out, "%(name)s:%(message)s"));
        log();
    });

    assert_eq!(out.contents(), "late.x:late\n");
}
