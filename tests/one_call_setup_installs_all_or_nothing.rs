//! `basic_config().init()` and `install()` install the `tracing` subscriber and the `log` bridge
//! both or neither, and leave the root logger alone when they fail. One test: the process-wide
//! `log` logger and `tracing` default are set once and never unset, so the steps run in order.

use pylog::{Level, SharedWriter};

struct OtherLogger;

impl log::Log for OtherLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, _: &log::Record<'_>) {}
    fn flush(&self) {}
}

#[test]
fn a_failed_setup_installs_nothing_and_says_so() {
    // Another `log` logger is already there: nothing of ours is installed, the root is untouched,
    // and the file it opened while checking the parameters is closed again.
    log::set_boxed_logger(Box::new(OtherLogger)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = pylog::basic_config()
        .level(Level::INFO)
        .filename(dir.path().join("app.log"))
        .init()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a `log` logger is already installed; nothing was installed and the root logger was not \
         configured"
    );
    assert!(!tracing::dispatcher::has_been_set());
    assert!(pylog::root_logger().handlers().is_empty());
    assert_eq!(pylog::root_logger().level(), Level::WARNING);

    let err = pylog::install().unwrap_err();
    assert_eq!(
        err.to_string(),
        "a `log` logger is already installed; nothing was installed"
    );
    assert!(!tracing::dispatcher::has_been_set());

    // Another `tracing` subscriber is already there: refused before anything is installed.
    tracing::subscriber::set_global_default(tracing_subscriber::registry()).unwrap();
    let out = SharedWriter::new();
    let err = pylog::basic_config()
        .level(Level::INFO)
        .writer(out.clone())
        .init()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a global tracing subscriber is already installed; nothing was installed and the root \
         logger was not configured"
    );
    assert!(pylog::root_logger().handlers().is_empty());
    assert!(matches!(err, pylog::Error::Init(_)));

    // A mistake in the configuration itself is reported before anything is checked or installed.
    let err = pylog::basic_config().style("x").init().unwrap_err();
    assert_eq!(err.to_string(), "Style must be one of: %,{,$");
    assert!(pylog::root_logger().handlers().is_empty());
}
