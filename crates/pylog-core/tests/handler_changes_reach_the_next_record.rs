//! A logger keeps its handlers' level, formatter and filters in a cached chain; changing any of
//! them after records went through must still reach the very next record.

use std::sync::Arc;

use pylog_core::{Filter, Formatter, Level, LogRecord, Manager, SharedWriter, StreamHandler};

#[test]
fn formatter_level_and_filters_set_after_logging_apply_to_the_next_record() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let handler = StreamHandler::writer(out.clone());
    tree.root().add_handler(handler.clone());
    let logger = tree.get_logger("app");
    logger.set_level(Level::DEBUG);

    logger.info("one");
    handler.set_formatter(Some(Formatter::new("%(levelname)s:%(message)s").unwrap()));
    logger.info("two");
    handler.set_level(Level::WARNING);
    logger.info("dropped by the handler's level");
    logger.warning("three");
    let refuse_all: Arc<dyn Filter> = Arc::new(|_: &LogRecord<'_>| false);
    handler.add_filter(refuse_all.clone());
    logger.warning("dropped by the filter");
    handler.remove_filter(&refuse_all);
    logger.warning("four");
    handler.set_formatter(None);
    logger.error("five");

    assert_eq!(
        out.contents(),
        "one\nINFO:two\nWARNING:three\nWARNING:four\nfive\n"
    );
    assert_eq!(handler.stats().filtered, 1);
}

#[test]
fn escaping_set_after_logging_applies_to_the_next_record() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let handler = StreamHandler::writer(out.clone());
    tree.root().add_handler(handler.clone());
    let logger = tree.get_logger("app");

    logger.warning("a\nb\x07");
    handler.set_escape_newlines(true);
    logger.warning("c\nd\x07");
    handler.set_escape_controls(true);
    logger.warning("e\nf\x07");
    handler.set_escape_newlines(false);
    handler.set_escape_controls(false);
    logger.warning("g\nh\x07");

    assert_eq!(
        out.contents(),
        "a\nb\x07\nc\\nd\x07\ne\\nf\\x07\ng\nh\x07\n"
    );
}
