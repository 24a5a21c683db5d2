//! A custom level between two `tracing` levels is emitted at the `tracing` level below it (25 is an
//! INFO event carrying `levelno = 25`). When the tree accepts nothing looser than 25, the layer's
//! `max_level_hint` must still let INFO callsites through, or such events are dropped before the
//! layer sees them.
//!
//! One test only in this binary: `LevelFilter::current()` is the loosest hint of every live
//! subscriber in the process, so another test's subscriber would hide the problem.

mod common;

use common::{stream, with_tree};
use pylog_core::{Level, Manager, SharedWriter};

#[test]
fn a_level_25_event_reaches_a_logger_at_25() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let app = tree.get_logger("app");
    app.set_level(Level::new(25));
    app.add_handler(stream(&out, "%(levelno)d:%(message)s"));
    // Nothing else in the tree: the root's last resort is at WARNING.
    tree.set_last_resort(None);

    with_tree(&tree, || {
        tracing::info!(target: "app", "20: below 25");
        pylog::event!(target: "app", Level::new(25), "25: at the logger's level");
        pylog::event!(target: "app", Level::new(7), "7: below");
        tracing::warn!(target: "app", "30: above");
    });

    assert_eq!(
        out.contents(),
        "25:25: at the logger's level\n30:30: above\n"
    );
}
