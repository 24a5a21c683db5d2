//! OtlpHandler: records as OpenTelemetry logs to a collector, at `OTEL_EXPORTER_OTLP_ENDPOINT`
//! (or `http://localhost:4318` when it is unset), over OTLP/HTTP with protobuf. A record logged
//! inside a span carries the span's fields as attributes; one with an error carries
//! `exception.type`, `exception.message` and `exception.stacktrace`.
//!
//! ```sh
//! docker run -p 4318:4318 otel/opentelemetry-collector   # or any OTLP receiver
//! OTEL_SERVICE_NAME=checkout cargo run --example otlp --features otlp
//! ```
//!
//! The handler's counters are printed at the end: with no collector listening, the records stay
//! queued and are retried until the close's drain timeout (5 s here), then counted as failed.

use std::time::Duration;

use pylog::{Level, OtlpHandler};

#[derive(Debug)]
struct PaymentDeclined {
    source: std::io::Error,
}

impl std::fmt::Display for PaymentDeclined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("payment declined")
    }
}

impl std::error::Error for PaymentDeclined {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn main() -> Result<(), pylog::Error> {
    let otlp = OtlpHandler::builder()
        .resource_attribute("deployment.environment", "example")
        .drain_timeout(Duration::from_secs(5))
        .build()?;
    let root = pylog::get_logger("");
    root.set_level(Level::INFO);
    root.add_handler(otlp.clone());
    pylog::install()?;

    tracing::info!(target: "shop", "service started");
    let span = tracing::info_span!("order", order_id = 1042, customer = "ann");
    span.in_scope(|| {
        tracing::warn!(target: "shop::cart", items = 3, "cart total above the limit");
        let error = PaymentDeclined {
            source: std::io::Error::other("card expired"),
        };
        pylog::get_logger("shop.payment")
            .event(Level::ERROR)
            .error(&error)
            .log("charge failed");
    });

    otlp.close();
    let otlp_stats = otlp.stats();
    let sink = otlp
        .sink_as::<OtlpHandler>()
        .map(|h| (h.endpoint().to_owned(), h.requests()));
    println!("{sink:?}: {otlp_stats:?}");
    Ok(())
}
