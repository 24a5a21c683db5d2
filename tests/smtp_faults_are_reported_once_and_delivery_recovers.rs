//! Mail-server faults never reach the logging call: a server down at start (records wait in the
//! bounded queue and arrive when it comes up), a server that dies mid-run and comes back (one
//! report per burst of failures), a server that accepts and never answers (the timeout; the
//! logging call returns at once under a drop policy, with exact counts), a certificate that does
//! not verify (reported, never a panic).

mod smtp_common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pylog::{
    Backpressure, DeliveryError, Handler, Manager, OwnedRecord, RetryPolicy, Security, SmtpHandler,
    SmtpHandlerBuilder,
};
use smtp_common::{Options, Server, reserve_port, test_cert};

type Reports = Arc<Mutex<Vec<String>>>;

fn builder(port: u16, reports: &Reports) -> SmtpHandlerBuilder {
    let sink = reports.clone();
    SmtpHandler::builder(
        "127.0.0.1",
        "app@example.com",
        ["ops@example.com"],
        "%(levelname)s",
    )
    .port(port)
    .on_error(Arc::new(move |r: &OwnedRecord, e: &DeliveryError| {
        sink.lock().unwrap().push(format!("{}: {e}", r.msg()));
    }))
}

fn log_to(handler: &Handler, messages: impl IntoIterator<Item = String>) {
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.add_handler(handler.clone());
    for m in messages {
        logger.error(m);
    }
}

fn bodies(server: &Server) -> Vec<String> {
    server.mails().iter().map(|m| m.split().1).collect()
}

const DROP_REPORT: &str = "SMTPHandler: ";

/// The reports once there are at least `n` of them (or after 20 s, whatever there is).
fn wait_for_reports(reports: &Reports, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while reports.lock().unwrap().len() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    reports.lock().unwrap().clone()
}

#[test]
fn records_logged_while_the_server_is_down_arrive_when_it_comes_up() {
    // Held to the end of the scope: nobody else can take the port meanwhile.
    let reserved = reserve_port();
    let port = reserved.port();
    let reports = Reports::default();
    let handler = builder(port, &reports)
        .capacity(4)
        .backpressure(Backpressure::DropNewest)
        .retry(RetryPolicy {
            max_attempts: None,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(100),
        })
        .build()
        .unwrap();
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.add_handler(handler.clone());

    logger.error("r0");
    // The refused connection is reported once, as it happens: r0 has left the queue and stays in
    // the worker's hands, retried, until the server is up. Only now is the rest logged, so what
    // the queue keeps does not depend on when the worker's thread first ran.
    let refused = wait_for_reports(&reports, 1);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].starts_with("r0: ConnectionRefusedError: "),
        "{refused:?}"
    );
    for i in 1..10 {
        logger.error(format_args!("r{i}"));
    }
    // r1 to r4 fill the queue of 4; r5 to r9 are refused at once, and counted.
    let stats = handler.stats();
    assert_eq!((stats.emitted, stats.dropped), (5, 5), "{stats:?}");

    let server = Server::start_on(port, Options::default());
    // Let the retries find the server before closing (a close ends unbounded retries).
    server.wait_for(5, Duration::from_secs(20));
    handler.close();
    let arrived = bodies(&server);
    let records: Vec<&str> = arrived
        .iter()
        .map(String::as_str)
        .filter(|b| !b.starts_with(DROP_REPORT))
        .collect();
    assert_eq!(records, ["r0\r\n", "r1\r\n", "r2\r\n", "r3\r\n", "r4\r\n"]);
    // The loss itself is reported by email once the server is back.
    let report = arrived
        .iter()
        .find(|b| b.starts_with(DROP_REPORT))
        .expect("a drop report");
    assert!(report.contains("5 records dropped"), "{report}");
    assert_eq!(arrived.len(), 6, "{arrived:?}");
    // Unbounded retries never give up: the outage was reported once, and nothing failed.
    assert_eq!(*reports.lock().unwrap(), refused);
    let queue = handler.queue_stats().unwrap();
    assert_eq!((queue.delivered, queue.failed), (5, 0), "{queue:?}");
}

#[test]
fn a_server_that_dies_mid_run_is_reported_once_per_burst_and_delivery_resumes() {
    let reports = Reports::default();
    let server = Server::start(Options::default());
    let port = server.port();
    let handler = builder(port, &reports)
        .retry(RetryPolicy {
            max_attempts: Some(2),
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(5),
        })
        .build()
        .unwrap();
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.add_handler(handler.clone());

    logger.error("before");
    handler.flush();
    assert_eq!(bodies(&server), ["before\r\n"]);
    drop(server);

    for i in 0..3 {
        logger.error(format_args!("outage one {i}"));
    }
    handler.flush();
    let server = Server::start_on(port, Options::default());
    logger.error("back");
    handler.flush();
    assert_eq!(bodies(&server), ["back\r\n"]);
    drop(server);

    for i in 0..2 {
        logger.error(format_args!("outage two {i}"));
    }
    handler.flush();
    let server = Server::start_on(port, Options::default());
    logger.error("back again");
    handler.close();
    assert_eq!(bodies(&server), ["back again\r\n"]);

    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 2, "one report per burst: {reports:?}");
    assert!(
        reports[0].starts_with("outage one 0: ConnectionRefusedError: "),
        "{reports:?}"
    );
    assert!(
        reports[1].starts_with("outage two 0: ConnectionRefusedError: "),
        "{reports:?}"
    );
    let stats = handler.queue_stats().unwrap();
    assert_eq!((stats.delivered, stats.failed), (3, 5));
    assert_eq!(handler.stats().errors, 5);
}

#[test]
fn a_server_that_never_answers_times_out_and_logging_calls_drop_by_count() {
    let reports = Reports::default();
    let server = Server::start(Options {
        hang: true,
        ..Options::default()
    });
    let handler = builder(server.port(), &reports)
        .timeout(Duration::from_millis(300))
        .capacity(2)
        .backpressure(Backpressure::DropNewest)
        .retry(RetryPolicy {
            max_attempts: Some(1),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.add_handler(handler.clone());
    logger.error("first");
    // The worker is now waiting on the silent server with "first".
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while server.connections() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(server.connections(), 1);
    for i in 0..5 {
        logger.error(format_args!("more {i}"));
    }
    let stats = handler.stats();
    assert_eq!((stats.emitted, stats.dropped), (3, 3), "{stats:?}");

    handler.close();
    let stats = handler.queue_stats().unwrap();
    assert_eq!((stats.delivered, stats.failed, stats.queued), (0, 3, 0));
    let reports = reports.lock().unwrap();
    assert_eq!(*reports, ["first: TimeoutError: timed out"]);
    assert!(server.mails().is_empty());
}

#[test]
fn a_certificate_that_does_not_verify_is_reported_not_a_panic() {
    let cert = test_cert();
    let server = Server::start(Options {
        starttls: Some(cert.server.clone()),
        ..Options::default()
    });
    let reports = Reports::default();
    // The test certificate is not trusted: only the system's roots are.
    let handler = builder(server.port(), &reports)
        .security(Security::StartTls)
        .build()
        .unwrap();
    log_to(&handler, (0..2).map(|i| format!("secret {i}")));
    handler.close();
    assert!(server.mails().is_empty());
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        reports[0].starts_with("secret 0: ssl.SSLCertVerificationError: "),
        "{reports:?}"
    );
    assert_eq!(handler.stats().errors, 2);
}
