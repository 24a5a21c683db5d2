//! What the HTTP handler does when the server misbehaves: records wait in the bounded queue while
//! it is down and arrive when it comes up; a 5xx is retried, a 4xx is not and counts as failed; a
//! server that never answers times out while a full queue drops exactly the excess (the logging
//! call never waits for the network); failures are reported once per burst; and a redirect to
//! another origin is not followed, with or without credentials, unless the handler is told to
//! (and then the credentials stay behind).

mod http_common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_common::{Reply, Server, reserve_port};
use pylog::{
    Backpressure, DeliveryError, ErrorReporter, Handler, HttpHandler, HttpHandlerBuilder,
    HttpMethod, Level, LogRecord, OwnedRecord, Redirects, RetryPolicy,
};

const WAIT: Duration = Duration::from_secs(20);

type Reports = Arc<Mutex<Vec<String>>>;

fn collector() -> (Reports, ErrorReporter) {
    let reports: Reports = Arc::default();
    let sink = reports.clone();
    let report = Arc::new(move |r: &OwnedRecord, e: &DeliveryError| {
        sink.lock().unwrap().push(format!("{}: {e}", r.msg()));
    });
    (reports, report)
}

fn retries(max_attempts: Option<u32>) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    }
}

fn builder(host: &str) -> HttpHandlerBuilder {
    HttpHandler::builder(host, "/log").method(HttpMethod::Post)
}

fn log(handler: &Handler, msg: &str) {
    assert!(handler.handle(&LogRecord::new("app", Level::ERROR, msg)));
}

fn msgs(server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| {
            let body = r.body_text();
            let msg = body.split('&').find_map(|kv| kv.strip_prefix("msg="));
            msg.unwrap_or_default().replace('+', " ")
        })
        .collect()
}

#[test]
fn records_queued_while_the_server_is_down_arrive_when_it_comes_up() {
    // Held to the end of the scope: nobody else can take the port meanwhile.
    let reserved = reserve_port();
    let port = reserved.port();
    let host = format!("127.0.0.1:{port}");
    let (reports, report) = collector();
    let handler = builder(&host)
        .capacity(5)
        .retry(retries(None))
        .on_error(report)
        .build()
        .unwrap();
    for i in 0..5 {
        log(&handler, &format!("r{i}"));
    }
    // The refused connection is reported once, as it happens: the server is started only after
    // that, so the records are known to have waited through an outage (else the worker's first
    // attempt could come before or after the server, depending on when its thread ran).
    let refused = wait_for_reports(&reports, 1);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].starts_with("r0: "), "{refused:?}");
    assert!(refused[0].contains("Connection refused"), "{refused:?}");
    // Nothing is delivered while nobody listens: all five wait, the first being retried.
    assert_eq!(handler.stats().queued, 5);
    let server = Server::start_on(port, None);
    let got = server.wait_for(5, WAIT);
    assert_eq!(got.len(), 5);
    handler.close();
    assert_eq!(msgs(&server), ["r0", "r1", "r2", "r3", "r4"]);
    let stats = handler.stats();
    assert_eq!((stats.errors, stats.dropped, stats.queued), (0, 0, 0));
    // Unbounded retries never give up: one report for the whole outage.
    assert_eq!(*reports.lock().unwrap(), refused);
}

/// The reports once there are at least `n` of them (or after [`WAIT`], whatever there is).
fn wait_for_reports(reports: &Reports, n: usize) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    while reports.lock().unwrap().len() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    reports.lock().unwrap().clone()
}

#[test]
fn a_500_is_retried_until_the_server_answers_200() {
    let server = Server::start();
    server.script([
        Reply::Status(500, Vec::new()),
        Reply::Status(503, Vec::new()),
    ]);
    let (reports, report) = collector();
    let handler = builder(&server.host())
        .retry(retries(Some(3)))
        .on_error(report)
        .build()
        .unwrap();
    log(&handler, "flaky");
    handler.close();
    assert_eq!(msgs(&server), ["flaky", "flaky", "flaky"]);
    let queue = handler.queue_stats().unwrap();
    assert_eq!((queue.delivered, queue.failed), (1, 0));
    assert!(reports.lock().unwrap().is_empty());
}

#[test]
fn a_400_is_not_retried_and_counts_as_failed() {
    let server = Server::start();
    server.script([Reply::Status(400, Vec::new())]);
    let (reports, report) = collector();
    let handler = builder(&server.host())
        .retry(retries(Some(5)))
        .on_error(report)
        .build()
        .unwrap();
    log(&handler, "rejected");
    log(&handler, "accepted");
    handler.close();
    assert_eq!(msgs(&server), ["rejected", "accepted"]);
    let queue = handler.queue_stats().unwrap();
    assert_eq!((queue.delivered, queue.failed), (1, 1));
    assert_eq!(handler.stats().errors, 1);
    assert_eq!(
        *reports.lock().unwrap(),
        ["rejected: HTTP Error 400: Bad Request"]
    );
}

#[test]
fn failures_are_reported_once_per_burst_and_again_after_a_recovery() {
    let server = Server::start();
    server.set_default(Reply::Status(503, Vec::new()));
    let (reports, report) = collector();
    let handler = builder(&server.host())
        .retry(retries(Some(1)))
        .on_error(report)
        .build()
        .unwrap();
    for msg in ["a", "b", "c"] {
        log(&handler, msg);
    }
    handler.flush();
    server.set_default(Reply::ok());
    log(&handler, "back");
    handler.flush();
    server.set_default(Reply::Status(503, Vec::new()));
    log(&handler, "d");
    log(&handler, "e");
    handler.close();
    assert_eq!(msgs(&server), ["a", "b", "c", "back", "d", "e"]);
    assert_eq!(
        *reports.lock().unwrap(),
        [
            "a: HTTP Error 503: Service Unavailable",
            "d: HTTP Error 503: Service Unavailable"
        ]
    );
    let queue = handler.queue_stats().unwrap();
    assert_eq!((queue.delivered, queue.failed), (1, 5));
}

#[test]
fn a_server_that_never_answers_times_out_and_a_full_queue_drops_exactly_the_excess() {
    let server = Server::start();
    server.set_default(Reply::Hang);
    let (reports, report) = collector();
    let handler = builder(&server.host())
        .timeout(Duration::from_secs(2))
        .capacity(3)
        .backpressure(Backpressure::DropNewest)
        .retry(retries(Some(1)))
        .on_error(report)
        .build()
        .unwrap();
    log(&handler, "r0");
    // r0's request has arrived: the worker waits for an answer that does not come.
    assert_eq!(server.wait_for(1, WAIT).len(), 1);
    // The queue holds three more; the seven after them are dropped at once, and counted.
    for i in 1..=10 {
        log(&handler, &format!("r{i}"));
    }
    let stats = handler.stats();
    assert_eq!((stats.queued, stats.dropped), (4, 7));
    server.set_default(Reply::ok());
    handler.close();
    // The records, in order, and the worker's report of the drops (sent when it gets to it).
    let report = "HTTPHandler%3A 7 records dropped %28drop newest when full%29%3B 7 dropped in all";
    let got = msgs(&server);
    let records: Vec<&str> = got
        .iter()
        .map(String::as_str)
        .filter(|m| *m != report)
        .collect();
    assert_eq!(records, ["r0", "r1", "r2", "r3"]);
    assert_eq!(got.len(), 5, "{got:?}");
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].starts_with("r0: "), "{reports:?}");
    assert!(reports[0].contains("timed out"), "{reports:?}");
    let queue = handler.queue_stats().unwrap();
    assert_eq!((queue.delivered, queue.failed, queue.dropped), (3, 1, 7));
}

#[test]
fn with_credentials_a_redirect_to_another_origin_is_not_followed() {
    let elsewhere = Server::start();
    let server = Server::start();
    let location = format!("http://{}/steal", elsewhere.host());
    server.set_default(Reply::Status(
        307,
        vec![("Location".into(), location.clone())],
    ));
    let (reports, report) = collector();
    let handler = builder(&server.host())
        .credentials("user", "secret")
        .retry(retries(Some(3)))
        .on_error(report)
        .build()
        .unwrap();
    log(&handler, "private");
    handler.close();
    assert_eq!(server.requests().len(), 1);
    assert!(elsewhere.requests().is_empty());
    assert_eq!(
        *reports.lock().unwrap(),
        [format!(
            "private: HTTP Error 307: Temporary Redirect (redirect to {location} not followed: \
             it leads to another origin)"
        )]
    );
    assert_eq!(handler.queue_stats().unwrap().failed, 1);
}

#[test]
fn with_credentials_a_redirect_on_the_same_origin_is_followed() {
    let server = Server::start();
    let location = format!("http://{}/moved", server.host());
    server.script([Reply::Status(307, vec![("Location".into(), location)])]);
    let handler = builder(&server.host())
        .credentials("user", "secret")
        .build()
        .unwrap();
    log(&handler, "private");
    handler.close();
    let got = server.wait_for(2, WAIT);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].request_line, "POST /moved HTTP/1.1");
    assert_eq!(
        got[1].header("authorization"),
        Some("Basic dXNlcjpzZWNyZXQ=")
    );
    assert_eq!(got[1].body, got[0].body);
}

#[test]
fn without_credentials_a_redirect_to_another_origin_is_not_followed_either() {
    let elsewhere = Server::start();
    let server = Server::start();
    let location = format!("http://{}/other", elsewhere.host());
    server.set_default(Reply::Status(
        307,
        vec![("Location".into(), location.clone())],
    ));
    let (reports, report) = collector();
    let handler = builder(&server.host())
        .retry(retries(Some(3)))
        .on_error(report)
        .build()
        .unwrap();
    log(&handler, "public");
    handler.close();
    assert_eq!(server.requests().len(), 1);
    assert!(
        elsewhere.requests().is_empty(),
        "the record reached another origin"
    );
    assert_eq!(
        *reports.lock().unwrap(),
        [format!(
            "public: HTTP Error 307: Temporary Redirect (redirect to {location} not followed: \
             it leads to another origin)"
        )]
    );
}

#[test]
fn any_origin_follows_a_redirect_elsewhere_without_the_credentials() {
    let elsewhere = Server::start();
    let server = Server::start();
    let location = format!("http://{}/other", elsewhere.host());
    server.set_default(Reply::Status(307, vec![("Location".into(), location)]));
    let handler = builder(&server.host())
        .credentials("user", "secret")
        .redirects(Redirects::AnyOrigin)
        .build()
        .unwrap();
    log(&handler, "public");
    handler.close();
    let got = elsewhere.wait_for(1, WAIT);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].request_line, "POST /other HTTP/1.1");
    assert_eq!(got[0].header("authorization"), None);
    assert_eq!(handler.stats().errors, 0);
}

#[test]
fn redirects_none_follows_not_even_the_same_origin() {
    let server = Server::start();
    let location = format!("http://{}/moved", server.host());
    server.set_default(Reply::Status(
        307,
        vec![("Location".into(), location.clone())],
    ));
    let (reports, report) = collector();
    let handler = builder(&server.host())
        .redirects(Redirects::None)
        .retry(retries(Some(3)))
        .on_error(report)
        .build()
        .unwrap();
    log(&handler, "here");
    handler.close();
    assert_eq!(server.requests().len(), 1);
    assert_eq!(
        *reports.lock().unwrap(),
        [format!(
            "here: HTTP Error 307: Temporary Redirect (redirect to {location} not followed: \
             the handler follows no redirect)"
        )]
    );
}
