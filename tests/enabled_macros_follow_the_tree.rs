//! `tracing::enabled!` and `event_enabled!` follow the tree: a level the tree refuses for a target
//! is disabled, and changing the tree's levels changes the answer.
//!
//! One test only in this binary. With per-layer filters, tracing-subscriber's `Registry::enabled`
//! answers `true` unless every filter slot refused, so `enabled!` is exact only through the
//! callsite's cached `Interest`, which is the combined answer of every live subscriber of the
//! process: another test's subscriber that accepts the callsite would make it `sometimes`, and
//! `enabled!` would then say `true` here. (Events are unaffected: the layer still skips them.)

mod common;

use common::{stream, with_tree};
use pylog_core::{Level, Manager, SharedWriter};

#[test]
fn enabled_macros_follow_the_tree() {
    let tree = Manager::new();
    let app = tree.get_logger("app");
    app.set_level(Level::WARNING);
    app.add_handler(stream(&SharedWriter::new(), "%(message)s"));

    with_tree(&tree, || {
        assert!(!tracing::enabled!(target: "app::svc", tracing::Level::INFO));
        assert!(tracing::enabled!(target: "app::svc", tracing::Level::WARN));
        assert!(!tracing::event_enabled!(target: "app", tracing::Level::DEBUG));
        app.set_level(Level::DEBUG);
        assert!(tracing::enabled!(target: "app::svc", tracing::Level::INFO));
        assert!(tracing::event_enabled!(target: "app", tracing::Level::DEBUG));
        assert!(!tracing::enabled!(target: "app", tracing::Level::TRACE));
        assert!(tracing::level_enabled!(tracing::Level::DEBUG));
    });
}
