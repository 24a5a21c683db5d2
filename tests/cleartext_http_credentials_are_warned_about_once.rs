//! Credentials sent over plain http to another machine print one warning on stderr when the
//! handler is built (never per record, never with the password); to this machine, or over https,
//! nothing is printed. The handlers are built in a child process (this binary run again), whose
//! stderr the test reads.

use std::process::Command;
use std::time::Duration;

use pylog::HttpHandler;

const CHILD_ENV: &str = "PYLOG_TEST_CLEARTEXT_CHILD";
const WARNING: &str = "pylog: HTTPHandler sends credentials to";

/// Runs in the child: builds handlers that send nothing (no record is logged).
#[test]
fn child_builds_handlers() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let build = |builder: pylog::HttpHandlerBuilder| {
        let handler = builder
            .drain_timeout(Duration::from_millis(100))
            .build()
            .unwrap();
        handler.close();
    };
    // Warned about: explicit credentials, and credentials in the host, to TEST-NET-1.
    build(HttpHandler::builder("192.0.2.1:8080", "/log").credentials("app", "s3cret"));
    build(HttpHandler::builder("user:hunter2@192.0.2.1:8080", "/log"));
    // Not warned about: this machine, https, or no credentials.
    build(HttpHandler::builder("127.0.0.1:8080", "/log").credentials("app", "s3cret"));
    build(HttpHandler::builder("localhost:8080", "/log").credentials("app", "s3cret"));
    build(
        HttpHandler::builder("192.0.2.1:8443", "/log")
            .secure(true)
            .credentials("app", "s3cret"),
    );
    build(HttpHandler::builder("192.0.2.1:8080", "/log"));
}

#[test]
fn one_warning_per_handler_that_sends_credentials_in_clear_elsewhere() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_builds_handlers", "--nocapture"])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.starts_with(WARNING)).collect();
    assert_eq!(
        warnings,
        ["pylog: HTTPHandler sends credentials to http://192.0.2.1:8080/log without TLS \
             (secure is off): anyone on the network path can read them"; 2],
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2") && !stderr.contains("s3cret"));
}
