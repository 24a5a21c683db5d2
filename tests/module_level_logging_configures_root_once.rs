//! `pylog::warning!(..)` on an unconfigured root runs `basic_config()` first, exactly once even
//! when many threads log at the same moment (Python holds its module lock there). This file is its
//! own test binary because it uses the global tree.

use pylog::Level;

#[test]
fn concurrent_first_use_installs_one_handler_and_keeps_root_at_warning() {
    assert!(pylog::root_logger().handlers().is_empty());
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| pylog::info!("not shown: the root stays at WARNING"));
        }
    });
    let handlers = pylog::root_logger().handlers();
    assert_eq!(handlers.len(), 1, "{handlers:?}");
    assert_eq!(
        format!("{:?}", handlers[0]),
        "<StreamHandler <stderr> (NOTSET)>"
    );
    assert_eq!(
        handlers[0]
            .formatter()
            .map(|f| f.format_string().to_owned()),
        Some(pylog::BASIC_FORMAT.to_owned())
    );
    assert_eq!(pylog::root_logger().level(), Level::WARNING);
    assert_eq!(handlers[0].stats().emitted, 0);
    pylog::warning!("shown once");
    assert_eq!(handlers[0].stats().emitted, 1);
}
