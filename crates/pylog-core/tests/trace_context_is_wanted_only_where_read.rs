//! A logger tells the `tracing` layer whether anything a record logged there meets may read the
//! OpenTelemetry trace-context extras (`otelTraceID`, `otelSpanID`, `otelTraceSampled`), so that
//! records nothing reads them from skip the look-up. Destinations that read extras themselves,
//! formats that name one, JSON that writes every extra, and any filter count; plain text output does not.

use std::sync::Arc;

use pylog_core::{
    Filter, Formatter, JsonFormatter, Level, LogRecord, Manager, NullHandler, QueueHandler,
    SharedWriter, StreamHandler, Style,
};

fn plain() -> pylog_core::Handler {
    StreamHandler::writer(SharedWriter::new())
        .with_formatter(Formatter::new("%(asctime)s %(levelname)s %(name)s %(message)s").unwrap())
}

#[test]
fn plain_text_handlers_do_not_want_the_trace_context() {
    let tree = Manager::new();
    tree.root().add_handler(plain());
    tree.root().add_handler(NullHandler::new());
    tree.root()
        .add_handler(StreamHandler::writer(SharedWriter::new()).with_level(Level::ERROR));
    let app = tree.get_logger("app");
    assert!(!app.reads_trace_context());
    // Only the logger where a record is logged runs its own filters (Python's Logger.handle).
    tree.root()
        .add_filter(Arc::new(|_: &LogRecord<'_>| true) as Arc<dyn Filter>);
    assert!(!app.reads_trace_context());
    assert!(tree.root().reads_trace_context());
}

#[test]
fn formats_naming_a_trace_extra_want_it_in_every_style() {
    for (style, format) in [
        (Style::Percent, "%(otelTraceID)s %(message)s"),
        (Style::Percent, "%(otelSpanID)s %(message)s"),
        (Style::Brace, "{otelTraceSampled} {message}"),
        (Style::Dollar, "${otelSpanID} $message"),
    ] {
        let tree = Manager::new();
        let handler = plain();
        tree.root().add_handler(handler.clone());
        let app = tree.get_logger("app");
        assert!(!app.reads_trace_context());
        handler.set_formatter(Some(
            Formatter::builder(format).style(style).build().unwrap(),
        ));
        assert!(app.reads_trace_context(), "{format}");
    }
}

#[test]
fn json_wants_it_when_it_writes_every_extra() {
    let tree = Manager::new();
    let handler = plain();
    tree.root().add_handler(handler.clone());
    let app = tree.get_logger("app");
    handler.set_formatter(Some(JsonFormatter::builder().build().unwrap().into()));
    assert!(app.reads_trace_context());
    handler.set_formatter(Some(
        JsonFormatter::builder()
            .extras(false)
            .build()
            .unwrap()
            .into(),
    ));
    assert!(!app.reads_trace_context());
}

#[test]
fn filters_and_destinations_that_read_extras_want_it() {
    let tree = Manager::new();
    let handler = plain();
    tree.root().add_handler(handler.clone());
    let app = tree.get_logger("app");
    let pass: Arc<dyn Filter> = Arc::new(|_: &LogRecord<'_>| true);

    handler.add_filter(pass.clone());
    assert!(app.reads_trace_context(), "a handler's filter");
    handler.remove_filter(&pass);
    assert!(!app.reads_trace_context());

    app.add_filter(pass.clone());
    assert!(app.reads_trace_context(), "the logger's own filter");
    app.remove_filter(&pass);
    assert!(!app.reads_trace_context());

    // A queue answers for what stands behind it: its listener's handlers and its fallback.
    let queue = QueueHandler::builder()
        .handler(NullHandler::new())
        .build()
        .unwrap();
    let worker = tree.get_logger("app.worker");
    worker.add_handler(queue.clone());
    assert!(
        !worker.reads_trace_context(),
        "nothing behind the queue reads it"
    );
    let reading = QueueHandler::builder()
        .handler(
            StreamHandler::writer(SharedWriter::new())
                .with_formatter(Formatter::new("%(otelTraceID)s %(message)s").unwrap()),
        )
        .build()
        .unwrap();
    worker.add_handler(reading.clone());
    assert!(worker.reads_trace_context(), "a handler behind a queue");
    worker.remove_handler(&reading);
    assert!(!worker.reads_trace_context());
    queue.set_fallback(Some(
        StreamHandler::writer(SharedWriter::new())
            .with_formatter(Formatter::new("%(otelTraceID)s %(message)s").unwrap()),
    ));
    assert!(worker.reads_trace_context(), "a queue's fallback");
    assert!(!app.reads_trace_context(), "the queue is below app");
    reading.close();
    queue.close();
}

#[test]
fn with_no_handler_the_last_resort_decides() {
    let tree = Manager::new();
    let app = tree.get_logger("app");
    assert!(!app.reads_trace_context());
    tree.set_last_resort(Some(
        StreamHandler::writer(SharedWriter::new())
            .with_formatter(Formatter::new("%(otelTraceID)s %(message)s").unwrap()),
    ));
    assert!(app.reads_trace_context());
}
