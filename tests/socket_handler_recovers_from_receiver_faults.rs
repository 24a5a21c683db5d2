//! A `SocketHandler` whose receiver is down, dies, comes back or hangs: records wait in the queue
//! and arrive once it listens again; a hung receiver fills the queue and a dropping policy drops
//! exactly what does not fit while the logging call returns; each outage is reported once.

mod socket_common;

use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use pylog::{Backpressure, Handler, Level, Logger, Manager, SocketHandler};
use socket_common::{Receiver, Reports, Watchdog, reserve_port};

const WAIT: Duration = Duration::from_secs(30);

/// A handler to `port` that retries fast, reporting into `reports`, on the logger `app` of a
/// fresh tree.
fn handler_to(port: u16, reports: &Reports) -> (Manager, Logger, Handler) {
    let handler = SocketHandler::builder("127.0.0.1", port)
        .retry_start(Duration::from_millis(10))
        .retry_max(Duration::from_millis(40))
        .on_error(reports.reporter())
        .build()
        .unwrap();
    let tree = Manager::new();
    let app = tree.get_logger("app");
    app.set_level(Level::DEBUG);
    app.add_handler(handler.clone());
    (tree, app, handler)
}

fn messages(frames: &[socket_common::Frame]) -> Vec<String> {
    frames
        .iter()
        .map(|f| f.record["msg"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn expected(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix} {i}")).collect()
}

fn refused(report: &str) -> bool {
    if cfg!(target_os = "linux") {
        report.ends_with(": ConnectionRefusedError: [Errno 111] Connection refused")
    } else {
        report.contains("ConnectionRefusedError")
    }
}

#[test]
fn records_wait_while_the_receiver_is_down_and_arrive_once_it_listens() {
    // Held to the end of the scope: nobody else can take the port meanwhile.
    let reserved = reserve_port();
    let port = reserved.port();
    let reports = Reports::default();
    let (_tree, app, handler) = handler_to(port, &reports);
    for i in 0..20 {
        app.info(format_args!("waiting {i}"));
    }
    assert!(
        reports.wait_for(1, WAIT),
        "the refused connection is reported"
    );
    let stats = handler.queue_stats().unwrap();
    assert_eq!((stats.delivered, stats.queued, stats.dropped), (0, 20, 0));

    let receiver = Receiver::listen_on(port);
    let frames = receiver.take(20, WAIT);
    assert_eq!(messages(&frames), expected("waiting", 20));
    handler.close();
    let reports = reports.all();
    assert_eq!(reports.len(), 1, "one report for the outage: {reports:?}");
    assert!(reports[0].starts_with("waiting 0: "), "{}", reports[0]);
    assert!(refused(&reports[0]), "{}", reports[0]);
    assert_eq!(handler.stats().dropped, 0);
}

#[test]
fn a_receiver_that_dies_and_returns_gets_every_later_record_and_each_outage_is_reported_once() {
    let receiver = Receiver::listen();
    let port = receiver.port;
    let reports = Reports::default();
    let (_tree, app, handler) = handler_to(port, &reports);

    for i in 0..5 {
        app.info(format_args!("first {i}"));
    }
    assert_eq!(messages(&receiver.take(5, WAIT)), expected("first", 5));
    receiver.stop();

    for i in 0..5 {
        app.info(format_args!("during {i}"));
    }
    assert!(reports.wait_for(1, WAIT), "the lost receiver is reported");
    let back = Receiver::listen_on(port);
    assert_eq!(messages(&back.take(5, WAIT)), expected("during", 5));
    for i in 0..5 {
        app.info(format_args!("after {i}"));
    }
    assert_eq!(messages(&back.take(5, WAIT)), expected("after", 5));
    back.stop();

    app.info("second outage");
    assert!(reports.wait_for(2, WAIT), "the second outage is reported");
    let again = Receiver::listen_on(port);
    assert_eq!(messages(&again.take(1, WAIT)), ["second outage"]);
    handler.close();

    let reports = reports.all();
    assert_eq!(reports.len(), 2, "once per outage: {reports:?}");
    assert!(
        reports[0].starts_with("during 0: ") && refused(&reports[0]),
        "{reports:?}"
    );
    assert!(
        reports[1].starts_with("second outage: ") && refused(&reports[1]),
        "{reports:?}"
    );
    let stats = handler.stats();
    assert_eq!((stats.dropped, stats.errors), (0, 0));
    assert_eq!(handler.queue_stats().unwrap().delivered, 16);
}

/// A record larger than everything the kernel buffers between a sender and a receiver that never
/// reads, so its write can never finish: the send buffer grows to at most `tcp_wmem`'s maximum
/// (4 MiB by default on Linux), and a receive buffer that is never read stays near `tcp_rmem`'s
/// default (128 KiB), since it only grows as the application reads.
const PLUG: usize = 24 << 20;

#[test]
fn a_hung_receiver_fills_the_queue_and_drop_newest_drops_exactly_the_rest() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (accepted, on_accept) = mpsc::channel();
    let (release, on_release) = mpsc::channel::<()>();
    // Accepts one connection and never reads from it, until released (or a bound passes).
    let hung = std::thread::spawn(move || {
        if let Ok((connection, _)) = listener.accept() {
            let _ = accepted.send(());
            let _ = on_release.recv_timeout(Duration::from_secs(120));
            drop(connection);
        }
    });

    const CAPACITY: usize = 8;
    const EXTRA: usize = 5;
    let reports = Reports::default();
    let handler = SocketHandler::builder("127.0.0.1", port)
        // Longer than the test: the stuck write must not give up on its own.
        .timeout(Duration::from_secs(300))
        .capacity(CAPACITY)
        .backpressure(Backpressure::DropNewest)
        .drain_timeout(Duration::from_secs(2))
        .on_error(reports.reporter())
        .build()
        .unwrap();
    let tree = Manager::new();
    let app = tree.get_logger("app");
    app.add_handler(handler.clone());

    // Only this thread can release the receiver, after logging: a logging call that blocked
    // would never return, and the watchdog would fail the test.
    let watchdog = Watchdog::start("logging to a hung receiver", Duration::from_secs(90));
    app.warning("x".repeat(PLUG));
    on_accept
        .recv_timeout(WAIT)
        .expect("the handler connects and is writing the large record");
    for i in 0..CAPACITY + EXTRA {
        app.warning(format_args!("small {i}"));
    }
    let stats = handler.stats();
    assert_eq!(stats.dropped, EXTRA as u64, "exactly what did not fit");
    assert_eq!(
        stats.queued,
        1 + CAPACITY as u64,
        "the large record and a full queue"
    );
    assert_eq!(stats.high_water, CAPACITY as u64);
    assert_eq!(handler.queue_stats().unwrap().delivered, 0);

    let _ = release.send(());
    hung.join().unwrap();
    handler.close();
    drop(watchdog);
    assert!(
        !reports.all().is_empty(),
        "the broken connection is reported"
    );
}
