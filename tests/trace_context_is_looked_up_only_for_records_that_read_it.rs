//! With the `otlp` feature the layer looks up an event's OpenTelemetry trace context only when
//! something the record meets may read it: a plain-format file handler's records inside a traced
//! span never pay for the look-up, and a handler whose format names `%(otelTraceID)s`, added
//! later, gets the ids from its very first record.

use std::sync::Arc;

use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use pylog::{
    FileHandler, Filter, Formatter, Level, LogRecord, Manager, SharedWriter, StreamHandler,
};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_pylog::trace_context_reads_on_this_thread as reads;
use tracing_subscriber::layer::SubscriberExt as _;

/// Runs `body` inside a span traced by OpenTelemetry, with `tree`'s layer installed for the
/// thread; returns the span's trace id in hex (checked not to be zero) and what `body` returned.
fn in_a_traced_span<T>(tree: &Manager, body: impl FnOnce() -> T) -> (String, T) {
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")))
        .with(tracing_pylog::layer_for(tree.clone()));
    let (trace_id, result) = tracing::subscriber::with_default(subscriber, || {
        tracing::info_span!("request").in_scope(|| {
            let trace_id = tracing::Span::current()
                .context()
                .span()
                .span_context()
                .trace_id();
            (trace_id, body())
        })
    });
    let _ = provider.shutdown();
    let trace_hex = format!("{trace_id:032x}");
    assert_ne!(trace_hex, "0".repeat(32), "the span was traced");
    (trace_hex, result)
}

#[test]
fn plain_records_skip_the_look_up_and_a_format_naming_the_ids_turns_it_on_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("app.log");
    let tree = Manager::new();
    let file = FileHandler::builder(&path)
        .build()
        .expect("file handler")
        .with_formatter(Formatter::new("%(levelname)s %(name)s %(message)s").expect("format"));
    let logger = tree.get_logger("app");
    logger.set_level(Level::INFO);
    logger.add_handler(file.clone());

    let out = SharedWriter::new();
    let (trace_hex, counts) = in_a_traced_span(&tree, || {
        let start = reads();
        for i in 0..3 {
            tracing::info!(target: "app", "plain {i}");
        }
        let plain = reads() - start;

        // A handler whose format names a trace extra: the very next record looks it up.
        let traced = StreamHandler::writer(out.clone())
            .with_formatter(Formatter::new("%(otelTraceID)s %(message)s").expect("format"));
        logger.add_handler(traced.clone());
        let start = reads();
        tracing::info!(target: "app", "traced");
        let with_format = reads() - start;

        // Removing it turns the look-up off again; a filter, which might read extras, on.
        logger.remove_handler(&traced);
        let start = reads();
        tracing::info!(target: "app", "plain again");
        let removed = reads() - start;
        let pass: Arc<dyn Filter> = Arc::new(|_: &LogRecord<'_>| true);
        file.add_filter(pass);
        let start = reads();
        tracing::info!(target: "app", "filtered");
        let with_filter = reads() - start;
        [plain, with_format, removed, with_filter]
    });
    file.close();

    assert_eq!(counts, [0, 1, 0, 1]);
    assert_eq!(out.contents(), format!("{trace_hex} traced\n"));
    assert_eq!(
        std::fs::read_to_string(&path).expect("log file"),
        "INFO app plain 0\nINFO app plain 1\nINFO app plain 2\nINFO app traced\n\
         INFO app plain again\nINFO app filtered\n"
    );
}

/// A queue asks its listener's handlers and its fallback: in front of a plain-format file its
/// records skip the look-up, in front of a handler whose format names `%(otelTraceID)s` every
/// record has the ids, and a fallback that names them, set later, turns the look-up on.
#[test]
fn a_queue_looks_the_context_up_only_when_a_handler_behind_it_reads_it() {
    let tree = Manager::new();
    let plain_out = SharedWriter::new();
    let plain = StreamHandler::writer(plain_out.clone())
        .with_formatter(Formatter::new("%(message)s").expect("format"));
    let plain_queue = pylog::QueueHandler::builder()
        .handler(plain)
        .build()
        .expect("queue");
    let traced_out = SharedWriter::new();
    let traced = StreamHandler::writer(traced_out.clone())
        .with_formatter(Formatter::new("%(otelTraceID)s %(message)s").expect("format"));
    let traced_queue = pylog::QueueHandler::builder()
        .handler(traced)
        .build()
        .expect("queue");
    let plain_logger = tree.get_logger("plain");
    plain_logger.set_level(Level::INFO);
    plain_logger.add_handler(plain_queue.clone());
    let traced_logger = tree.get_logger("traced");
    traced_logger.set_level(Level::INFO);
    traced_logger.add_handler(traced_queue.clone());

    let fallback_out = SharedWriter::new();
    let (trace_hex, counts) = in_a_traced_span(&tree, || {
        let start = reads();
        tracing::info!(target: "plain", "plain");
        let plain_count = reads() - start;
        let start = reads();
        tracing::info!(target: "traced", "traced");
        let traced_count = reads() - start;
        // A fallback that reads the ids, set after the first records, counts at once.
        let fallback = StreamHandler::writer(fallback_out.clone())
            .with_formatter(Formatter::new("%(otelTraceID)s %(message)s").expect("format"));
        assert!(plain_queue.set_fallback(Some(fallback)));
        let start = reads();
        tracing::info!(target: "plain", "plain with a fallback");
        let with_fallback = reads() - start;
        [plain_count, traced_count, with_fallback]
    });
    plain_queue.close();
    traced_queue.close();

    assert_eq!(counts, [0, 1, 1]);
    assert_eq!(traced_out.contents(), format!("{trace_hex} traced\n"));
    assert_eq!(plain_out.contents(), "plain\nplain with a fallback\n");
    assert!(fallback_out.contents().is_empty(), "nothing failed");
}
