//! `PYLOG_LEVEL` (and its older name `PYLOGGING_LEVEL`) sets the root's and named loggers' levels
//! over what the file says, `PYLOG_LEVEL` wins when both are set, and a bad value is a configuration
//! error that names the variable and changes nothing. One test: the variables are process-wide.

use pylog::config::{Config, Configurator};
use pylog::{Level, Manager};

#[test]
fn the_variable_overrides_the_file_and_bad_values_are_rejected() {
    let json =
        r#"{"version": 1, "loggers": {"app.db": {"level": "WARNING"}}, "root": {"level": "INFO"}}"#;
    let config = Config::from_json(json).unwrap();
    let tree = Manager::new();
    // SAFETY: this binary runs this one test, on one thread, before any other reads the variable.
    unsafe { std::env::set_var("PYLOGGING_LEVEL", "app.db=debug, error,app.web=15") };
    Configurator::for_manager(&tree)
        .dict_config(&config)
        .unwrap();
    assert_eq!(tree.get_logger("app.db").level(), Level::DEBUG);
    assert_eq!(tree.root().level(), Level::ERROR);
    assert_eq!(tree.get_logger("app.web").level(), Level::new(15));

    unsafe { std::env::set_var("PYLOGGING_LEVEL", "app.db=LOUD") };
    let err = Configurator::for_manager(&tree)
        .dict_config(&config)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "PYLOGGING_LEVEL: unknown level 'LOUD' for logger 'app.db' (expected a level name such as DEBUG, or a number)"
    );
    assert_eq!(
        tree.get_logger("app.db").level(),
        Level::DEBUG,
        "nothing applied"
    );

    // Without a configuration file, the overrides apply on their own.
    unsafe { std::env::set_var("PYLOGGING_LEVEL", "critical") };
    pylog::config::apply_level_overrides(&tree).unwrap();
    assert_eq!(tree.root().level(), Level::CRITICAL);

    // Both set: the new name wins, and its errors name it.
    unsafe { std::env::set_var("PYLOG_LEVEL", "app.db=info") };
    Configurator::for_manager(&tree)
        .dict_config(&config)
        .unwrap();
    assert_eq!(tree.get_logger("app.db").level(), Level::INFO);
    assert_eq!(
        tree.root().level(),
        Level::INFO,
        "the file's level: PYLOGGING_LEVEL was not read"
    );
    unsafe { std::env::set_var("PYLOG_LEVEL", "LOUD") };
    let err = pylog::config::apply_level_overrides(&tree).unwrap_err();
    assert_eq!(
        err.to_string(),
        "PYLOG_LEVEL: unknown level 'LOUD' for the root logger (expected a level name such as DEBUG, or a number)"
    );

    // The new name alone.
    unsafe { std::env::remove_var("PYLOGGING_LEVEL") };
    unsafe { std::env::set_var("PYLOG_LEVEL", "warning") };
    pylog::config::apply_level_overrides(&tree).unwrap();
    assert_eq!(tree.root().level(), Level::WARNING);
    unsafe { std::env::remove_var("PYLOG_LEVEL") };
}
