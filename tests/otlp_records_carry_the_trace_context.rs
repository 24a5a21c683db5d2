//! Trace correlation: with a `tracing-opentelemetry` layer and an SDK tracer in the same
//! registry, a record logged inside a span carries that span's own trace id, span id and sampled
//! flag, over OTLP (`trace_id`, `span_id`, `flags`) and in formats (`%(otelTraceID)s`,
//! `%(otelSpanID)s`, `%(otelTraceSampled)s`, as Python's `LoggingInstrumentor` names them);
//! outside spans formats read `0`, `0`, `False` and the OTLP record has no trace context.

mod otlp_common;

use std::time::Duration;

use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use otlp_common::{Receiver, attribute, body};
use pylog::{Formatter, Level, Manager, OtlpHandler, SharedWriter, StreamHandler};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn records_in_a_traced_span_carry_its_ids_over_otlp_and_in_formats() {
    let receiver = Receiver::start();
    let tree = Manager::new();
    let otlp = OtlpHandler::builder()
        .endpoint(receiver.endpoint())
        .environment(|_| None)
        .build()
        .expect("handler");
    let out = SharedWriter::new();
    let console = StreamHandler::writer(out.clone()).with_formatter(
        Formatter::new("%(otelTraceID)s %(otelSpanID)s %(otelTraceSampled)s %(message)s")
            .expect("format"),
    );
    let logger = tree.get_logger("app");
    logger.set_level(Level::INFO);
    logger.add_handler(otlp.clone());
    logger.add_handler(console);

    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let tracer = provider.tracer("test");
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(tracer))
        .with(tracing_pylog::layer_for(tree.clone()));
    let (trace_id, span_id) = tracing::subscriber::with_default(subscriber, || {
        tracing::info!(target: "app", "outside");
        let span = tracing::info_span!("request", user = 7);
        let ids = span.in_scope(|| {
            tracing::info!(target: "app", "inside");
            let cx = tracing::Span::current().context();
            let context = cx.span().span_context().clone();
            (context.trace_id(), context.span_id())
        });
        drop(span);
        ids
    });
    otlp.close();
    let _ = provider.shutdown();

    let trace_hex = format!("{trace_id:032x}");
    let span_hex = format!("{span_id:016x}");
    assert_ne!(trace_hex, "0".repeat(32), "the span was traced");
    assert_eq!(
        out.contents(),
        format!("0 0 False outside\n{trace_hex} {span_hex} True inside\n")
    );

    let records = receiver.wait_for_records(2, Duration::from_secs(30));
    assert_eq!(records.len(), 2);
    let (outside, inside) = (&records[0].1, &records[1].1);
    assert_eq!(body(outside), "outside");
    assert!(outside.trace_id.is_empty() && outside.span_id.is_empty());
    assert_eq!(outside.flags, 0);
    assert_eq!(body(inside), "inside");
    assert_eq!(inside.trace_id, trace_id.to_bytes().to_vec());
    assert_eq!(inside.span_id, span_id.to_bytes().to_vec());
    assert_eq!(inside.flags, 1, "sampled");
    // The span's fields are attributes; the ids are not repeated as attributes.
    assert_eq!(
        attribute(inside, "user"),
        Some(pylog::otlp::proto::any_value::Value::IntValue(7))
    );
    assert_eq!(attribute(inside, "otelTraceID"), None);
}
