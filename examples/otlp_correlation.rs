//! Trace correlation: a `tracing-opentelemetry` layer with an SDK tracer beside pylog's layer.
//! Records logged inside a span show the span's trace and span ids in the console format
//! (`%(otelTraceID)s`, `%(otelSpanID)s`, `%(otelTraceSampled)s`, as Python's
//! `LoggingInstrumentor` names them) and carry them over OTLP to `OTEL_EXPORTER_OTLP_ENDPOINT`
//! (or `http://localhost:4318`).
//!
//! ```sh
//! cargo run --example otlp_correlation --features otlp
//! ```

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use pylog::{Formatter, Level, OtlpHandler, StreamHandler};
use tracing_subscriber::prelude::*;

fn main() -> Result<(), pylog::Error> {
    let console = StreamHandler::stderr().with_formatter(Formatter::new(
        "%(levelname)s [trace=%(otelTraceID)s span=%(otelSpanID)s sampled=%(otelTraceSampled)s] \
         %(name)s: %(message)s",
    )?);
    let otlp = OtlpHandler::builder()
        .drain_timeout(Duration::from_secs(3))
        .build()?;
    let root = pylog::get_logger("");
    root.set_level(Level::INFO);
    root.add_handler(console);
    root.add_handler(otlp.clone());

    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("example")))
        .with(pylog::layer())
        .init();

    tracing::info!(target: "shop", "outside any span: the ids read 0");
    let request = tracing::info_span!("checkout", order_id = 1042);
    request.in_scope(|| {
        tracing::info!(target: "shop", "inside the span: its ids");
        tracing::info_span!("charge").in_scope(|| {
            tracing::warn!(target: "shop::payment", "a child span: same trace, its own span id");
        });
    });
    drop(request);

    otlp.close();
    let _ = provider.shutdown();
    Ok(())
}
