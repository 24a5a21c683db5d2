//! Sends the cases of the OTLP golden file through `OtlpHandler` to a receiver, one request per
//! record: what `tests/golden/otlp/generate.py --rust` runs so that opentelemetry-python's own
//! definitions decode pylog's requests.
//!
//! ```text
//! cargo run --example otlp_replay --features otlp -- tests/golden/otlp/expected.json \
//!     http://127.0.0.1:4318/v1/logs http/json
//! ```
//!
//! With `file:<path>` instead of a protocol, the records are written to that file through a
//! `FileHandler` with an `OtlpJsonFormatter`, one OTLP/JSON request per line.

#[path = "../tests/otlp_common/replay.rs"]
mod replay;

use std::time::Duration;

use pylog::{FileHandler, FileMode, OtlpHandler, OtlpJsonFormatter, OtlpProtocol};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(golden), Some(endpoint)) = (args.next(), args.next()) else {
        return Err(
            "usage: otlp_replay <expected.json> <endpoint> [http/protobuf|http/json]".into(),
        );
    };
    let protocol = args.next().unwrap_or_else(|| "http/protobuf".to_owned());
    let golden: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(golden)?)?;
    if let Some(path) = protocol.strip_prefix("file:") {
        let handler = FileHandler::builder(path).mode(FileMode::Write).build()?;
        let formatter = OtlpJsonFormatter::builder()
            .service_name("golden")
            .build()?;
        handler.set_formatter(Some(formatter.into()));
        // The cases' own formatters make the body: the OTLP layout stays the handler's.
        replay::replay_with(&golden, &handler, |format| {
            let body = pylog::Formatter::new(format).expect("a valid format");
            OtlpJsonFormatter::builder()
                .service_name("golden")
                .body(body)
                .build()
                .expect("a formatter")
                .into()
        });
        handler.close();
        return Ok(());
    }
    let protocol: OtlpProtocol = protocol.parse()?;
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
