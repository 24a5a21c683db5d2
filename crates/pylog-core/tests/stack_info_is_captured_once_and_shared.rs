//! `stack_info(true)` on the direct API captures the stack of the logging call; the record's text
//! (`Stack (most recent call last):`, one `File` line per frame, the caller last) follows the
//! message, and it is formatted once and shared by every handler, as CPython's `sinfo` is.

use std::sync::{Arc, Mutex};

use pylog_core::{Formatter, Level, LogRecord, Manager, SharedWriter, StreamHandler};

#[inline(never)]
fn log_with_stack(logger: &pylog_core::Logger) {
    logger
        .event(Level::WARNING)
        .stack_info(true)
        .log("look here");
}

#[test]
fn the_stack_follows_the_message_and_is_formatted_once_for_all_handlers() {
    let tree = Manager::new();
    let seen: Arc<Mutex<Vec<usize>>> = Arc::default();
    let (first, second) = (SharedWriter::new(), SharedWriter::new());
    for (out, format) in [
        (&first, "%(levelname)s %(message)s"),
        (&second, "%(message)s"),
    ] {
        let seen = seen.clone();
        tree.root().add_handler(
            StreamHandler::writer(out.clone())
                .with_formatter(Formatter::new(format).unwrap())
                .with_filter(move |record: &LogRecord<'_>| {
                    let text = record.stack_text().expect("a captured stack");
                    seen.lock().unwrap().push(text.as_ptr() as usize);
                    true
                }),
        );
    }
    log_with_stack(&tree.get_logger("app"));

    let text = first.contents();
    let (head, stack) = text.split_once('\n').unwrap();
    assert_eq!(head, "WARNING look here");
    let mut lines = stack.lines();
    assert_eq!(lines.next(), Some("Stack (most recent call last):"));
    let frames: Vec<&str> = lines.collect();
    assert!(!frames.is_empty(), "{text}");
    assert!(frames.iter().all(|f| f.starts_with("  File \"")), "{text}");
    // The caller is the last frame (with its file); the logging call's own frames are not shown.
    let last = frames.last().unwrap();
    assert!(last.contains("log_with_stack"), "{text}");
    assert!(
        last.contains("stack_info_is_captured_once_and_shared.rs"),
        "{text}"
    );
    assert!(!text.contains("pylog_core::logger"), "{text}");
    assert!(!text.contains("std::backtrace"), "{text}");
    assert!(
        frames
            .iter()
            .any(|f| f.contains("the_stack_follows_the_message")),
        "{text}"
    );

    // The second handler wrote the same stack, from the same formatted text.
    assert_eq!(second.contents(), text.replacen("WARNING ", "", 1));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0], seen[1], "the stack text is formatted once");
}

#[test]
fn no_stack_unless_asked_and_none_for_disabled_levels() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    tree.root().add_handler(StreamHandler::writer(out.clone()));
    let logger = tree.get_logger("app");
    logger.event(Level::WARNING).log("plain");
    logger.event(Level::DEBUG).stack_info(true).log("hidden");
    logger
        .event(Level::ERROR)
        .stack_info(false)
        .log("also plain");
    assert_eq!(out.contents(), "plain\nalso plain\n");
}

#[test]
fn a_given_stack_info_text_wins_over_a_captured_stack() {
    let stack = std::backtrace::Backtrace::force_capture();
    let mut record = LogRecord::new("app", Level::INFO, "m");
    record.stack = Some(&stack);
    let captured = record.stack_text().unwrap().to_owned();
    assert!(captured.starts_with("Stack (most recent call last):\n  File \""));
    assert!(std::ptr::eq(
        record.stack_text().unwrap(),
        record.stack_text().unwrap()
    ));
    record.stack_info = Some("Stack (most recent call last):\n  given");
    assert_eq!(
        record.stack_text(),
        Some("Stack (most recent call last):\n  given")
    );
}
