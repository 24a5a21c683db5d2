//! A syslog server that is down at start, dies mid-run and comes back, or never comes: records
//! wait in the handler's bounded queue and reach the server when it is back, a full queue under
//! `DropNewest` counts exactly what it refused, the error reaches the error report once per
//! outage, and a close while the server is down returns and counts what was lost.
//!
//! That the logging calls never wait is shown by structure, not by a clock: under `DropNewest`
//! a send never waits, and under `Block` each test logs fewer records than the queue holds.

mod syslog_common;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pylog::syslog::{Framing, SockType, SyslogAddress};
use pylog::{
    Backpressure, DeliveryError, Handler, Level, Logger, Manager, OwnedRecord, RetryPolicy,
    SysLogHandler, SysLogHandlerBuilder,
};
use syslog_common::{PATIENCE, TcpRecorder, UnixRecorder, wait_until};

/// What the handler's error report was called with, as `message: error` lines.
#[derive(Clone, Default)]
struct Reports(Arc<Mutex<Vec<String>>>);

impl Reports {
    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    fn builder(&self) -> SysLogHandlerBuilder {
        let sink = self.0.clone();
        SysLogHandler::builder()
            .retry(RetryPolicy {
                max_attempts: None,
                initial_backoff: Duration::from_millis(2),
                max_backoff: Duration::from_millis(20),
            })
            .on_error(Arc::new(move |r: &OwnedRecord, e: &DeliveryError| {
                sink.lock().unwrap().push(format!("{}: {e}", r.msg()));
            }))
    }
}

/// A TCP handler with newline framing and no NUL, so the server's bytes read as lines.
fn tcp_handler(reports: &Reports, port: u16, capacity: usize, policy: Backpressure) -> Handler {
    reports
        .builder()
        .address(("127.0.0.1", port))
        .socktype(Some(SockType::Stream))
        .framing(Framing::LineFeed)
        .append_nul(false)
        .capacity(capacity)
        .backpressure(policy)
        .build()
        .expect("the handler starts")
}

fn logger_with(tree: &Manager, handler: &Handler) -> Logger {
    let logger = tree.get_logger("app");
    logger.set_propagate(false);
    logger.set_level(Level::DEBUG);
    logger.add_handler(handler.clone());
    logger
}

/// A port nothing listens on: bound once to learn a free one, then released.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("bound").port()
}

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn records_wait_for_a_tcp_server_that_is_down_at_start_and_a_full_queue_counts_exactly() {
    let port = closed_port();
    let reports = Reports::default();
    let handler = tcp_handler(&reports, port, 4, Backpressure::DropNewest);
    let tree = Manager::new();
    let logger = logger_with(&tree, &handler);

    logger.info("0");
    // Record 0 has left the queue: it is being sent, and failing, and that was reported once.
    assert!(wait_until(PATIENCE, || reports.count() == 1));
    for i in 1..=6 {
        logger.info(i); // 1 to 4 fill the queue of 4; 5 and 6 are refused at once
    }
    let stats = handler.stats();
    assert_eq!((stats.dropped, stats.queued, stats.errors), (2, 5, 0));

    let server = TcpRecorder::start_on(port);
    handler.flush();
    let expected = [
        "<14>0",
        "<14>1",
        "<14>2",
        "<14>3",
        "<14>4",
        "<12>SysLogHandler: 2 records dropped (drop newest when full); 2 dropped in all",
    ];
    assert!(wait_until(PATIENCE, || lines(&server.all_bytes()).len()
        >= expected.len()));
    handler.close();
    let received = server.stop();
    assert_eq!(
        received.len(),
        1,
        "one connection, made once the server was up"
    );
    assert_eq!(lines(&received[0]), expected);
    assert_eq!(
        reports.all(),
        ["0: ConnectionRefusedError: [Errno 111] Connection refused"],
        "one report for the whole outage"
    );
    let stats = handler.stats();
    assert_eq!((stats.dropped, stats.queued, stats.errors), (2, 0, 0));
}

#[test]
fn a_tcp_server_that_dies_and_returns_gets_every_record_and_each_outage_is_reported_once() {
    let reports = Reports::default();
    let server = TcpRecorder::start();
    let port = server.port();
    let handler = tcp_handler(&reports, port, 16, Backpressure::Block);
    let tree = Manager::new();
    let logger = logger_with(&tree, &handler);
    let mut servers = vec![server];

    for outage in 1..=2 {
        let first = format!("before outage {outage}");
        logger.warning(&first);
        handler.flush();
        let up = servers.last().expect("a server");
        assert!(wait_until(PATIENCE, || lines(&up.all_bytes())
            .contains(&format!("<12>{first}"))));
        // The server dies; records logged now wait in the queue (3 of its 16 places).
        servers.pop().expect("a server").stop();
        for i in 1..=3 {
            logger.error(format_args!("during outage {outage}: {i}"));
        }
        assert!(wait_until(PATIENCE, || reports.count() == outage));
        let back = TcpRecorder::start_on(port);
        handler.flush();
        assert!(wait_until(PATIENCE, || lines(&back.all_bytes()).len() == 3));
        assert_eq!(
            lines(&back.all_bytes()),
            (1..=3)
                .map(|i| format!("<11>during outage {outage}: {i}"))
                .collect::<Vec<_>>()
        );
        servers.push(back);
    }
    handler.close();
    let reports = reports.all();
    assert_eq!(reports.len(), 2, "one report per outage: {reports:?}");
    for (outage, report) in (1..=2).zip(&reports) {
        assert_eq!(
            report,
            &format!(
                "during outage {outage}: 1: ConnectionRefusedError: [Errno 111] Connection refused"
            )
        );
    }
    assert_eq!(handler.stats().dropped, 0);
}

#[test]
fn a_unix_socket_that_appears_later_gets_the_queued_records() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("log.sock");
    let reports = Reports::default();
    let handler = reports
        .builder()
        .address(SyslogAddress::unix(&path))
        .ident("app: ")
        .capacity(8)
        .build()
        .expect("the handler starts");
    let tree = Manager::new();
    let logger = logger_with(&tree, &handler);

    logger.info("first");
    assert!(wait_until(PATIENCE, || reports.count() == 1));
    logger.debug("second");
    let server = UnixRecorder::bind(&path);
    handler.flush();
    let got = server.take(2, PATIENCE);
    assert_eq!(
        got,
        [b"<14>app: first\0".to_vec(), b"<15>app: second\0".to_vec()]
    );
    assert_eq!(
        reports.all(),
        ["first: FileNotFoundError: [Errno 2] No such file or directory"]
    );
    handler.close();
}

#[test]
fn closing_while_the_server_is_down_returns_and_counts_what_was_lost() {
    let reports = Reports::default();
    let handler = reports
        .builder()
        .address(("127.0.0.1", closed_port()))
        .socktype(Some(SockType::Stream))
        .drain_timeout(Duration::from_millis(500))
        .build()
        .expect("the handler starts");
    let tree = Manager::new();
    let logger = logger_with(&tree, &handler);
    logger.info("lost 1");
    assert!(wait_until(PATIENCE, || reports.count() == 1));
    logger.info("lost 2");
    // The close retries the server until the drain timeout, then counts what it gives up.
    handler.close();
    let stats = handler.stats();
    assert_eq!(
        (stats.dropped, stats.errors, stats.queued, stats.emitted),
        (2, 0, 0, 2)
    );
    assert_eq!(reports.count(), 1);
}
