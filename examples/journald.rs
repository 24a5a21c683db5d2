//! `JournalHandler`: `tracing` events and direct-API records in systemd's journal, with their
//! fields, over the journal's native protocol (no libsystemd). Needs a running journald; read the
//! entries back with `journalctl -t pylog-example -o verbose`.
//!
//! ```sh
//! cargo run --example journald --features journald
//! cargo run --example journald --features journald -- 10000   # also times 10,000 records
//! ```

use std::time::Instant;

use pylog::{JournalHandler, Level};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Python: JournalHandler(SYSLOG_IDENTIFIER="pylog-example", DEPLOYMENT="blue")
    let journal = JournalHandler::builder()
        .syslog_identifier("pylog-example")
        .field("DEPLOYMENT", "blue")
        .build()?;
    println!("stderr is the journal: {}", JournalHandler::connected());
    pylog::basic_config()
        .level(Level::DEBUG)
        .handlers([journal.clone()])
        .format("%(message)s")
        .init()?;

    // PRIORITY=6, LOGGER=app.db, USER_ID=7 (extras become fields; `user-id` would too).
    tracing::info!(target: "app::db", user_id = 7, "saved {} rows", 12);
    // A multi-line message stays one entry.
    tracing::warn!(target: "app", "first line\nsecond line");
    let error = std::io::Error::from_raw_os_error(28);
    // ERRNO=28, EXCEPTION_TEXT, EXCEPTION_INFO.
    pylog::get_logger("app").exception("cannot write the cache", &error);

    let count: u32 = std::env::args().nth(1).map_or(Ok(0), |n| n.parse())?;
    if count > 0 {
        let logger = pylog::get_logger("app.bench");
        let started = Instant::now();
        for i in 0..count {
            logger.info(format_args!("record {i}"));
        }
        let each = started.elapsed() / count;
        println!("{count} records, {each:?} each on the logging thread");
    }

    let sink = journal
        .sink_as::<JournalHandler>()
        .expect("a journal handler");
    println!("{:?}", sink.journal_stats());
    Ok(())
}
