//! `log` records carry their target at run time, so a service that logs per tenant
//! (`tenant::t{id}`) meets a new logger name with every tenant. 100,000 distinct targets all reach
//! their handler and become loggers under one placeholder (`tenant`), which then becomes their
//! parent when it is created. A new target costs one insertion (a sharded map, a set of
//! placeholder children), not a copy of every target seen so far, so this completes; the test
//! checks what was built, never how long it took.

mod common;

use common::with_tree;
use pylog_core::{Level, Manager, NullHandler};

const TARGETS: usize = 100_000;

#[test]
fn a_hundred_thousand_targets_each_get_their_logger() {
    tracing_log::LogTracer::init().expect("no other `log` logger");
    let tree = Manager::new();
    let root = tree.root();
    root.set_level(Level::INFO);
    let counter = NullHandler::new();
    root.add_handler(counter.clone());

    with_tree(&tree, || {
        for i in 0..TARGETS {
            let target = format!("tenant::t{i}");
            log::info!(target: &target, "request");
        }
        // The second time round every target is known.
        for i in (0..TARGETS).step_by(1000) {
            let target = format!("tenant::t{i}");
            log::info!(target: &target, "again");
        }
    });

    assert_eq!(counter.stats().emitted, (TARGETS + TARGETS / 1000) as u64);
    let names = tree.logger_names();
    assert_eq!(names.len(), TARGETS);
    assert!(
        !names.contains(&"tenant".to_owned()),
        "tenant is a placeholder"
    );
    let child = tree.find_logger("tenant.t99999").expect("logger created");
    assert_eq!(child.parent().unwrap().name(), "root");

    // Creating the placeholder's logger adopts all its children.
    let tenant = tree.get_logger("tenant");
    assert_eq!(child.parent().unwrap().name(), "tenant");
    assert_eq!(
        tree.find_logger("tenant.t0").unwrap().parent().unwrap(),
        tenant
    );
}
