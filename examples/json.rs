//! JSON lines: one object per record, with chosen attributes under chosen keys, the event's fields,
//! the span context and an error's text, through `tracing` as well as the direct API.
//!
//! Run with `cargo run --example json`. It prints lines like these to stdout (times vary):
//! ```text
//! {"time":"2026-05-04T10:11:12","level":"INFO","logger":"app.db","message":"saved 3 rows","lineno":34,"spans":"request{id=7}","rows":3,"id":7}
//! {"time":"2026-05-04T10:11:12","level":"ERROR","logger":"app","message":"save failed","lineno":39,"exc_text":"std::io::error::Error: disk \"full\"","request_id":"abc"}
//! ```

use pylog::{Formatter, JsonFormatter, Level, StreamHandler};
use tracing_subscriber::prelude::*;

fn main() -> Result<(), pylog::Error> {
    let json = JsonFormatter::builder()
        .fields(["asctime", "levelname", "name", "message", "lineno"])?
        .rename("asctime", "time")?
        .rename("levelname", "level")?
        .rename("name", "logger")?
        .time(
            Formatter::builder("")
                .datefmt("%Y-%m-%dT%H:%M:%S")
                .utc(true),
        )
        .build()?;
    let tree = pylog::Manager::new();
    tree.root().set_level(Level::INFO);
    tree.root()
        .add_handler(StreamHandler::stdout().with_formatter(json));

    let subscriber = tracing_subscriber::registry().with(pylog::layer_for(tree.clone()));
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("request", id = 7);
        let _entered = span.enter();
        tracing::info!(target: "app::db", rows = 3, "saved {} rows", 3);
    });

    let err = std::io::Error::other("disk \"full\"");
    let log = tree.get_logger("app").adapter([("request_id", "abc")]);
    log.exception("save failed", &err);
    Ok(())
}
