//! A configuration change rebuilds tracing's callsite interest. When a single subscriber exists,
//! tracing-core's rebuild asks only the *calling thread's* default subscriber; a change made where
//! that subscriber is not the default (before `with_default`, or on another thread) must not leave
//! every callsite disabled for the subscriber that does exist.
//!
//! One test only in this binary, so that its subscriber is the only one in the process.

mod common;

use std::thread;

use common::stream;
use pylog_core::{Level, Manager, SharedWriter};
use tracing_subscriber::prelude::*;

fn event(n: u32) {
    tracing::warn!(target: "app", n, "event");
}

#[test]
fn changes_made_where_the_subscriber_is_not_the_default() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    tree.get_logger("app")
        .add_handler(stream(&out, "%(levelname)s %(name)s %(message)s %(n)d"));
    let dispatch = tracing::Dispatch::new(
        tracing_subscriber::registry().with(tracing_pylog::layer_for(tree.clone())),
    );

    tracing::dispatcher::with_default(&dispatch, || event(1));
    // This thread has no default subscriber: a change to any tree, then to this one.
    Manager::new()
        .get_logger("unrelated")
        .set_level(Level::INFO);
    tracing::dispatcher::with_default(&dispatch, || event(2));
    tree.get_logger("app").set_level(Level::DEBUG);
    tracing::dispatcher::with_default(&dispatch, || event(3));
    // A change on another thread, while this one logs.
    let other_tree = tree.clone();
    thread::spawn(move || other_tree.get_logger("app.db").set_level(Level::ERROR))
        .join()
        .unwrap();
    tracing::dispatcher::with_default(&dispatch, || event(4));

    assert_eq!(
        out.contents(),
        "WARNING app event 1\nWARNING app event 2\nWARNING app event 3\nWARNING app event 4\n"
    );
}
