//! The macros of a renamed `pylog` dependency compile, and log where they are told to.

use pylogging::{Formatter, Level, SharedWriter, StreamHandler};
use tracing_subscriber::layer::SubscriberExt;

#[test]
fn log_with_a_logger_and_event_reach_their_handlers() {
    let tree = pylogging::Manager::new();
    let out = SharedWriter::new();
    tree.root().add_handler(
        StreamHandler::writer(out.clone())
            .with_formatter(Formatter::new("%(name)s %(levelname)s %(message)s").unwrap()),
    );
    tree.root().set_level(Level::DEBUG);
    let logger = tree.get_logger("renamed.direct");
    let subscriber = tracing_subscriber::registry().with(pylogging::layer_for(tree.clone()));
    tracing::subscriber::with_default(subscriber, || {
        pylog_renamed_dependency_check::log_through_every_macro(&logger)
    });
    assert_eq!(
        out.contents(),
        "renamed.direct ERROR log on a logger 7\n\
         renamed CRITICAL event 8\n\
         pylog_renamed_dependency_check Level 25 event 9\n"
    );
}
