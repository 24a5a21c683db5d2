//! The fallback handler (log4j2's failover appender), set with `.fallback(handler)` or dictConfig's
//! `fallback: <handler name>` key: it receives, in order, the records a queued or network handler
//! cannot deliver, so that with a local file as the fallback nothing is lost even when the
//! collector is gone for good.

use std::net::TcpListener;
use std::time::Duration;

use pylog::config::{Config, ConfigError, Configurator};
use pylog::{Backpressure, Level, Manager, QueueHandler, SharedWriter, StreamHandler};

fn apply(tree: &Manager, out: &SharedWriter, json: &str) -> Result<(), ConfigError> {
    Configurator::for_manager(tree)
        .env_overrides(false)
        .ext_writer("test.out", out.clone())
        .dict_config(&Config::from_json(json)?)
}

/// A port nothing listens on: bound once to learn a free one, then released.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("bound").port()
}

#[test]
fn dict_config_builds_the_fallback_first_and_it_gets_what_a_closed_collector_left() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    // `collector` sorts before `spool`, yet `spool` must be built first: it is closed last.
    let json = format!(
        r#"{{"version": 1,
            "formatters": {{"f": {{"format": "spooled %(levelname)s %(message)s"}}}},
            "handlers": {{
                "collector": {{"class": "logging.handlers.SocketHandler", "host": "127.0.0.1",
                               "port": {port}, "fallback": "spool"}},
                "spool": {{"class": "logging.StreamHandler", "stream": "ext://test.out",
                           "formatter": "f"}}}},
            "root": {{"level": "INFO", "handlers": ["collector"]}}}}"#,
        port = closed_port()
    );
    apply(&tree, &out, &json).unwrap();
    let collector = tree.configured_handler("collector").unwrap();
    let spool = tree.configured_handler("spool").unwrap();
    assert_eq!(collector.fallback(), Some(spool.clone()));
    let names: Vec<_> = tree
        .configured_handlers()
        .iter()
        .filter_map(|h| h.name())
        .collect();
    assert_eq!(names, ["spool", "collector"], "built in this order");
    for i in 0..3 {
        tree.get_logger("app").warning(format_args!("record {i}"));
    }
    // The close retries the collector for its drain timeout (5 s), then hands the records on.
    collector.close();
    assert_eq!(
        out.contents(),
        "spooled WARNING record 0\nspooled WARNING record 1\nspooled WARNING record 2\n"
    );
    let stats = collector.queue_stats().unwrap();
    assert_eq!((stats.fallback, stats.dropped), (3, 0));
}

#[test]
fn dict_config_refuses_a_fallback_that_cannot_be_used() {
    let tree = Manager::new();
    let out = SharedWriter::new();
    let err = |handlers: &str| {
        apply(
            &tree,
            &out,
            &format!(r#"{{"version": 1, "handlers": {{{handlers}}}}}"#),
        )
        .unwrap_err()
        .to_string()
    };
    const CONSOLE: &str =
        r#""console": {"class": "logging.StreamHandler", "stream": "ext://test.out"}"#;
    assert_eq!(
        err(&format!(
            r#"{CONSOLE}, "queue": {{"class": "logging.handlers.QueueHandler", "handlers": ["console"], "fallback": "nope"}}"#
        )),
        "Unable to configure handler 'queue': Unable to set fallback handler 'nope': fallback: expected the name of a handler under 'handlers', got 'nope' (at handlers.queue.fallback)"
    );
    assert_eq!(
        err(&format!(
            r#"{CONSOLE}, "other": {{"class": "logging.StreamHandler", "stream": "ext://test.out", "fallback": "console"}}"#
        )),
        "Unable to configure handler 'other': fallback: a StreamHandler has no queue; only QueueHandler and the network handlers (SysLogHandler, SocketHandler, DatagramHandler, HTTPHandler, SMTPHandler) take one (at handlers.other.fallback)"
    );
    assert_eq!(
        err(&format!(
            r#"{CONSOLE}, "a": {{"class": "logging.handlers.QueueHandler", "handlers": ["console"], "fallback": "b"}},
               "b": {{"class": "logging.handlers.QueueHandler", "handlers": ["console"], "fallback": "a"}}"#
        )),
        "Unable to configure handler 'a': fallback: the handlers 'a', 'b' name each other as fallbacks (a cycle) (at handlers.a.fallback)"
    );
    assert_eq!(
        err(&format!(
            r#"{CONSOLE}, "queue": {{"class": "logging.handlers.QueueHandler", "handlers": ["console"], "fallback": "queue"}}"#
        )),
        "Unable to configure handler 'queue': fallback: a handler cannot be its own fallback (at handlers.queue.fallback)"
    );
    assert_eq!(
        err(&format!(
            r#"{CONSOLE}, "queue": {{"class": "logging.handlers.QueueHandler", "handlers": ["console"], "fallback": 3}}"#
        )),
        "Unable to configure handler 'queue': fallback: expected a handler's name, got 3 (at handlers.queue.fallback)"
    );
}

#[test]
fn a_queue_that_would_drop_hands_the_records_to_its_fallback_in_order() {
    // A listener whose handler blocks until released keeps the queue full.
    let gate = std::sync::Arc::new(std::sync::Mutex::new(()));
    let held = gate.lock().unwrap();
    struct Slow(std::sync::Arc<std::sync::Mutex<()>>, SharedWriter);
    impl pylog::Emit for Slow {
        fn emit(
            &self,
            record: &pylog::LogRecord<'_>,
            _ctx: &mut pylog::EmitContext<'_>,
        ) -> Result<(), pylog::HandlerError> {
            let _pass = self.0.lock().unwrap();
            std::io::Write::write_all(&mut self.1.clone(), format!("{}\n", record.msg).as_bytes())?;
            Ok(())
        }
        fn kind(&self) -> &'static str {
            "Slow"
        }
        fn describe(&self) -> String {
            "<slow>".into()
        }
    }
    let delivered = SharedWriter::new();
    let spooled = SharedWriter::new();
    let spool = StreamHandler::writer(spooled.clone());
    let queue = QueueHandler::builder()
        .handler(pylog::Handler::new(Slow(gate.clone(), delivered.clone())))
        .capacity(1)
        .backpressure(Backpressure::DropNewest)
        .fallback(spool)
        .build()
        .unwrap();
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.set_level(Level::INFO);
    logger.add_handler(queue.clone());
    logger.info("0");
    // Wait until the listener holds record 0 (blocked), so that the queue is empty again.
    let waited = std::time::Instant::now();
    while queue.stats().queued > 1 || queue.queue_stats().unwrap().high_water == 0 {
        assert!(
            waited.elapsed() < Duration::from_secs(20),
            "{:?}",
            queue.stats()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(Duration::from_millis(50));
    for i in 1..=4 {
        logger.info(format_args!("{i}"));
    }
    drop(held);
    queue.close();
    // Record 1 waited in the queue; 2, 3 and 4 found it full and went to the fallback, in order.
    assert_eq!(delivered.contents(), "0\n1\n");
    assert_eq!(spooled.contents(), "2\n3\n4\n");
    let stats = queue.stats();
    assert_eq!((stats.dropped, stats.emitted), (0, 5));
}
