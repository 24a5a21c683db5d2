//! Records reach a real SMTP server on loopback: over STARTTLS with AUTH, over implicit TLS, and
//! as digests; the subject is formatted from the record, `%(hostname)s` included; a wrong password
//! is reported once and counted.

mod smtp_common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pylog::{
    DeliveryError, Formatter, Level, Manager, OwnedRecord, RetryPolicy, Security, SmtpHandler,
};
use smtp_common::{Options, Server, test_cert};

fn credentials() -> Option<(String, String)> {
    Some(("app".to_owned(), "s3cret".to_owned()))
}

#[test]
fn starttls_with_auth_delivers_one_email_per_record() {
    let cert = test_cert();
    let server = Server::start(Options {
        starttls: Some(cert.server.clone()),
        auth: credentials(),
        ..Options::default()
    });
    let handler = SmtpHandler::builder(
        "127.0.0.1",
        "app@example.com",
        ["ops@example.com", "dev@example.com"],
        "%(levelname)s on %(hostname)s from %(name)s",
    )
    .port(server.port())
    .security(Security::StartTls)
    .credentials("app", "s3cret")
    .root_certificate_pem(cert.pem.as_bytes())
    .build()
    .unwrap()
    .with_formatter(Formatter::new("%(levelname)s:%(name)s:%(message)s").unwrap());
    let tree = Manager::new();
    let logger = tree.get_logger("app.db");
    logger.add_handler(handler.clone());
    logger.error("disk full");
    logger.critical("database gone");
    handler.close();

    let mails = server.mails();
    assert_eq!(mails.len(), 2);
    let host = hostname::get().unwrap().to_string_lossy().into_owned();
    for (mail, (level, text)) in mails
        .iter()
        .zip([("ERROR", "disk full"), ("CRITICAL", "database gone")])
    {
        assert!(mail.tls, "sent after STARTTLS");
        assert_eq!(mail.user.as_deref(), Some("app"));
        assert_eq!(mail.mail_from, "app@example.com");
        assert_eq!(mail.rcpt_to, ["ops@example.com", "dev@example.com"]);
        assert_eq!(mail.header("From").as_deref(), Some("app@example.com"));
        assert_eq!(
            mail.header("To").as_deref(),
            Some("ops@example.com,dev@example.com")
        );
        assert_eq!(
            mail.header("Subject"),
            Some(format!("{level} on {host} from app.db"))
        );
        assert_eq!(mail.split().1, format!("{level}:app.db:{text}\r\n"));
    }
    let stats = handler.stats();
    assert_eq!((stats.emitted, stats.errors, stats.dropped), (2, 0, 0));
}

#[test]
fn implicit_tls_delivers_from_the_first_byte() {
    let cert = test_cert();
    let server = Server::start(Options {
        implicit_tls: Some(cert.server.clone()),
        ..Options::default()
    });
    let handler = SmtpHandler::builder("localhost", "app@example.com", ["ops@example.com"], "tls")
        .port(server.port())
        .security(Security::Tls)
        .root_certificate_pem(cert.pem.as_bytes())
        .build()
        .unwrap();
    let tree = Manager::new();
    tree.get_logger("app").add_handler(handler.clone());
    tree.get_logger("app").warning("over TLS");
    handler.close();
    let mails = server.mails();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].tls);
    assert_eq!(mails[0].split().1, "over TLS\r\n");
}

#[test]
fn digests_gather_up_to_n_records_per_email() {
    let server = Server::start(Options::default());
    let handler = SmtpHandler::builder(
        "127.0.0.1",
        "app@example.com",
        ["ops@example.com"],
        "%(levelname)s digest",
    )
    .port(server.port())
    .digest(3, Duration::from_secs(30))
    .build()
    .unwrap();
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.add_handler(handler.clone());
    for i in 0..5 {
        logger.log(Level::ERROR, format_args!("record {i}"));
    }
    // Close does not wait out the 30 s window: what is queued goes at once.
    handler.close();
    let mails = server.mails();
    let bodies: Vec<String> = mails.iter().map(|m| m.split().1).collect();
    assert_eq!(
        bodies,
        [
            "record 0\r\nrecord 1\r\nrecord 2\r\n",
            "record 3\r\nrecord 4\r\n"
        ]
    );
    assert_eq!(mails[0].header("Subject").as_deref(), Some("ERROR digest"));
    assert_eq!(handler.stats().emitted, 5);
    assert_eq!(handler.queue_stats().unwrap().delivered, 5);
}

#[test]
fn a_wrong_password_is_reported_once_and_counted() {
    let cert = test_cert();
    let server = Server::start(Options {
        starttls: Some(cert.server.clone()),
        auth: credentials(),
        ..Options::default()
    });
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    let handler = SmtpHandler::builder("127.0.0.1", "app@example.com", ["ops@example.com"], "x")
        .port(server.port())
        .security(Security::StartTls)
        .credentials("app", "wrong")
        .root_certificate_pem(cert.pem.as_bytes())
        .retry(RetryPolicy {
            max_attempts: Some(1),
            ..RetryPolicy::default()
        })
        .on_error(Arc::new(move |r: &OwnedRecord, e: &DeliveryError| {
            sink.lock().unwrap().push(format!("{}: {e}", r.msg()));
        }))
        .build()
        .unwrap();
    let tree = Manager::new();
    tree.get_logger("app").add_handler(handler.clone());
    for i in 0..3 {
        tree.get_logger("app").error(format_args!("lost {i}"));
    }
    handler.close();
    assert!(server.mails().is_empty());
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].starts_with("lost 0: "), "{reports:?}");
    assert!(reports[0].contains("535"), "{reports:?}");
    assert_eq!(handler.stats().errors, 3);
}
