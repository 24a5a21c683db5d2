//! A service configured from the `logging.yaml` its Python version used: `examples/logging.yaml`
//! (or the file given as the first argument), applied with dictConfig's rules, then `tracing`
//! events routed through it.
//!
//! Run with `cargo run --example dict_config [FILE]`. The console shows INFO and above from every
//! logger; `dict-config-example.log` in the current directory gets everything from `app`,
//! DEBUG included, with timestamps. Try `PYLOG_LEVEL=app=WARNING` to quiet `app` without
//! editing the file, or a broken file to see the error that names the key.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/logging.yaml").to_owned()
    });
    pylog::config::load_path(&path)?;
    pylog::install()?;

    tracing::debug!(target: "app", "only in the file");
    tracing::info!(target: "app::db", "connected to the database");
    tracing::warn!(target: "urllib3::connectionpool", "retrying a request");
    tracing::debug!(target: "urllib3", "below urllib3's level: nowhere");
    tracing::error!(target: "payments", "card declined");
    Ok(())
}
