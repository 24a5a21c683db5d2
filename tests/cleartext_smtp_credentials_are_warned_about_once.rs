//! Credentials sent over plain SMTP (no STARTTLS, no TLS) to another machine print one warning on
//! stderr when the handler is built (never per record, never with the password); to this machine,
//! or with `StartTls` or `Tls`, nothing is printed. The handlers are built in a child process
//! (this binary run again), whose stderr the test reads; no record is logged, so nothing connects.

use std::process::Command;
use std::time::Duration;

use pylog::{Security, SmtpHandler, SmtpHandlerBuilder};

const CHILD_ENV: &str = "PYLOG_TEST_CLEARTEXT_SMTP_CHILD";
const WARNING: &str = "pylog: SMTPHandler sends credentials to";

/// Runs in the child: builds handlers that send nothing.
#[test]
fn child_builds_handlers() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let build = |builder: SmtpHandlerBuilder| {
        let handler = builder
            .drain_timeout(Duration::from_millis(100))
            .build()
            .unwrap();
        handler.close();
    };
    let handler =
        |host: &str| SmtpHandler::builder(host, "app@example.com", ["ops@example.com"], "Error");
    // Warned about: credentials in clear to TEST-NET-1.
    build(handler("192.0.2.1").credentials("app", "s3cret"));
    build(handler("192.0.2.1").port(587).credentials("app", "s3cret"));
    // Not warned about: this machine, STARTTLS, TLS, or no credentials.
    build(handler("127.0.0.1").credentials("app", "s3cret"));
    build(handler("localhost").credentials("app", "s3cret"));
    build(
        handler("192.0.2.1")
            .security(Security::StartTls)
            .credentials("app", "s3cret"),
    );
    build(
        handler("192.0.2.1")
            .security(Security::Tls)
            .credentials("app", "s3cret"),
    );
    build(handler("192.0.2.1"));
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
        [
            "pylog: SMTPHandler sends credentials to 192.0.2.1:25 without TLS (security is \
             Security::None): anyone on the network path can read them",
            "pylog: SMTPHandler sends credentials to 192.0.2.1:587 without TLS (security is \
             Security::None): anyone on the network path can read them",
        ],
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"));
}
