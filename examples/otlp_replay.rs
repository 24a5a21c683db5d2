//! Sends the cases of the OTLP golden file through `OtlpHandler` to a receiver, one request per
//! record: what `tests/golden/otlp/generate.py --rust` runs so that opentelemetry-python's own
//! definitions decode pylog's requests.
//!
//! ```text
//! cargo run --example otlp_replay --features otlp -- tests/golden/otlp/expected.json \
//!     http://127.0.0.1:4318/v1/logs http/json
//! ```

#[path = "../tests/otlp_common/replay.rs"]
mod replay;

use std::time::Duration;

use pylog::{OtlpHandler, OtlpProtocol};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(golden), Some(endpoint)) = (args.next(), args.next()) else {
        return Err(
            "usage: otlp_replay <expected.json> <endpoint> [http/protobuf|http/json]".into(),
        );
    };
    let protocol: OtlpProtocol = args.next().as_deref().unwrap_or("http/protobuf").parse()?;
    let golden: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(golden)?)?;
    let handler = OtlpHandler::builder()
        .endpoint(endpoint)
        .protocol(protocol)
        .service_name("golden")
        .batch(1, Duration::ZERO)
        .build()?;
    replay::replay(&golden, &handler);
    handler.close();
    Ok(())
}
