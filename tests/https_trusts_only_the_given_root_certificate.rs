//! With `secure(true)` and `root_certificates(pem)` (Python's `secure=True, context=...`), the
//! handler trusts exactly the certificates of that PEM: a server presenting one of them gets the
//! record over https; a server presenting any other certificate gets nothing, and the failure is
//! counted and reported as a delivery error (never a panic), once.

mod http_common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_common::{Server, TestCert};
use pylog::{DeliveryError, HttpHandler, HttpMethod, Level, LogRecord, OwnedRecord, RetryPolicy};

type Reports = Arc<Mutex<Vec<String>>>;

fn collector() -> (Reports, pylog::ErrorReporter) {
    let reports: Reports = Arc::default();
    let sink = reports.clone();
    let report = Arc::new(move |r: &OwnedRecord, e: &DeliveryError| {
        sink.lock().unwrap().push(format!("{}: {e}", r.msg()));
    });
    (reports, report)
}

#[test]
fn a_server_with_the_trusted_certificate_gets_the_record_over_https() {
    let cert = TestCert::new();
    let server = Server::start_tls(&cert);
    let (reports, report) = collector();
    let handler = HttpHandler::builder(server.host(), "/log")
        .method(HttpMethod::Post)
        .secure(true)
        .root_certificates(cert.pem.clone())
        .on_error(report)
        .build()
        .unwrap();
    handler.handle(&LogRecord::new("app", Level::ERROR, "over tls"));
    handler.close();
    let got = server.wait_for(1, Duration::from_secs(10));
    assert_eq!(got.len(), 1, "reports: {:?}", reports.lock().unwrap());
    assert_eq!(got[0].request_line, "POST /log HTTP/1.1");
    assert!(got[0].body_text().contains("msg=over+tls&"));
    assert_eq!(handler.stats().errors, 0);
}

#[test]
fn an_untrusted_certificate_is_a_reported_error_and_nothing_is_sent() {
    let presented = TestCert::new();
    let trusted = TestCert::new();
    let server = Server::start_tls(&presented);
    let (reports, report) = collector();
    let handler = HttpHandler::builder(server.host(), "/log")
        .secure(true)
        .root_certificates(trusted.pem.clone())
        .retry(RetryPolicy {
            max_attempts: Some(3),
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(1),
        })
        .on_error(report)
        .build()
        .unwrap();
    handler.handle(&LogRecord::new("app", Level::ERROR, "first"));
    handler.handle(&LogRecord::new("app", Level::ERROR, "second"));
    handler.close();
    assert!(server.requests().is_empty());
    let stats = handler.stats();
    assert_eq!((stats.errors, stats.emitted), (2, 2));
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].starts_with("first: "), "{reports:?}");
    assert!(reports[0].contains("certificate"), "{reports:?}");
}

#[test]
fn root_certificates_need_secure_as_in_python() {
    let cert = TestCert::new();
    let err = HttpHandler::builder("127.0.0.1:9", "/log")
        .root_certificates(cert.pem)
        .build()
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("context parameter only makes sense with secure=True")
    );
}
