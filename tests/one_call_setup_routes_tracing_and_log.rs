//! `pylog::basic_config()...init()` configures the global root and installs the global
//! subscriber and the `log` bridge: `tracing` events and `log` records both reach the root's handler.
//! Its own test binary, since it installs process-wide state.

use pylog::{Level, SharedWriter};

#[test]
fn basic_config_init_routes_tracing_events_and_log_records_to_the_root() {
    let out = SharedWriter::new();
    pylog::basic_config()
        .level(Level::INFO)
        .format("%(levelname)s:%(name)s:%(message)s")
        .writer(out.clone())
        .init()
        .expect("first installation succeeds");

    tracing::debug!(target: "app", "below the root's level");
    tracing::info!(target: "app::db", rows = 3, "saved");
    log::warn!(target: "legacy::module", "from the log crate");
    pylog::event!(target: "app", Level::CRITICAL, "disk full");
    pylog::warning!("module-level");

    assert_eq!(
        out.contents(),
        "INFO:app.db:saved\n\
         WARNING:legacy.module:from the log crate\n\
         CRITICAL:app:disk full\n\
         WARNING:root:module-level\n"
    );

    let again = pylog::basic_config().init().unwrap_err();
    assert_eq!(
        again.to_string(),
        "a global tracing subscriber is already installed; nothing was installed and the root \
         logger was not configured"
    );
    assert_eq!(pylog::root_logger().handlers().len(), 1);
}
