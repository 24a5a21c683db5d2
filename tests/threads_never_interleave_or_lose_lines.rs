//! Many threads logging through one stream handler: every record is written exactly once, as one
//! whole line, never interleaved with another.

mod common;

use std::collections::HashSet;

use common::stream;
use pylog_core::{Level, Manager, SharedWriter};
use tracing_subscriber::prelude::*;

const THREADS: usize = 8;
const EVENTS: usize = 1000;

#[test]
fn eight_threads_times_a_thousand_events_are_eight_thousand_whole_lines() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let handler = stream(
        &out,
        "%(levelname)s %(name)s thread=%(t)d event=%(i)04d [%(spans)s] %(message)s",
    );
    let app = tree.get_logger("app");
    app.set_level(Level::DEBUG);
    app.add_handler(handler.clone());
    let dispatch = tracing::Dispatch::new(
        tracing_subscriber::registry().with(tracing_pylog::layer_for(tree.clone())),
    );

    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let dispatch = dispatch.clone();
            scope.spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    let span = tracing::info_span!("worker", t);
                    let _entered = span.enter();
                    for i in 0..EVENTS {
                        tracing::info!(target: "app::worker", t, i, "payload {}", "x".repeat(i % 50));
                    }
                })
            });
        }
    });

    let text = out.contents();
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), THREADS * EVENTS);
    let mut seen = HashSet::new();
    for line in &lines {
        assert!(seen.insert(*line), "duplicate line: {line}");
    }
    for t in 0..THREADS {
        for i in 0..EVENTS {
            let expected = format!(
                "INFO app.worker thread={t} event={i:04} [worker{{t={t}}}] payload {}",
                "x".repeat(i % 50)
            );
            assert!(
                seen.contains(expected.as_str()),
                "missing or mangled: {expected}"
            );
        }
    }
    assert_eq!(handler.stats().emitted, (THREADS * EVENTS) as u64);
    assert_eq!(handler.stats().errors, 0);
}

#[test]
fn each_threads_lines_keep_their_order() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    tree.get_logger("app")
        .add_handler(stream(&out, "%(t)d %(i)d"));
    let dispatch = tracing::Dispatch::new(
        tracing_subscriber::registry().with(tracing_pylog::layer_for(tree.clone())),
    );

    std::thread::scope(|scope| {
        for t in 0..4u32 {
            let dispatch = dispatch.clone();
            scope.spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    for i in 0..500u32 {
                        tracing::warn!(target: "app", t, i, "x");
                    }
                })
            });
        }
    });

    let mut next = [0u32; 4];
    for line in out.contents().lines() {
        let (t, i) = line.split_once(' ').expect("two numbers");
        let (t, i): (usize, u32) = (t.parse().unwrap(), i.parse().unwrap());
        assert_eq!(i, next[t], "thread {t} out of order");
        next[t] += 1;
    }
    assert_eq!(next, [500; 4]);
}
