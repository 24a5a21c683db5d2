//! The SMTP handler's [`Deliver`] destination: on the worker's thread, one email per batch (a batch
//! is one record, or a digest), sent over a new connection as CPython's `SMTPHandler.emit` has
//! `smtplib` send it, and the failure sorted into worth-retrying or not.
//!
//! The conversation is smtplib's: `EHLO` with `socket.getfqdn()`, `STARTTLS` and `EHLO` again when
//! asked for, `AUTH`, then `MAIL FROM:<sender> size=<bytes>` (the size only when the server
//! announces `SIZE`; `SMTPUTF8 BODY=8BITMIME` added for addresses that are not ASCII), one `RCPT`
//! per recipient (the email goes out if the server accepts at least one), `DATA` and `QUIT`.
//! lettre keeps only the extensions it knows from the greeting's `EHLO` answer, and `SIZE` is not
//! one of them, so the handler asks again (`EHLO` may be repeated, RFC 5321 4.1.4) before `AUTH`.
//! For addresses that are not ASCII, smtplib writes the headers as UTF-8 (`policy.utf8`), and so
//! does this handler.

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::{self};

use super::mail::{self, Addresses};
use crate::format::Formatter;
use crate::handler::worker::{Deliver, DeliveryError};
use crate::owned_record::OwnedRecord;

/// How the connection is protected, with its TLS settings.
pub(crate) enum Protection {
    None,
    StartTls(TlsParameters),
    Tls(TlsParameters),
}

/// Where and how to connect.
pub(crate) struct Server {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) timeout: Duration,
    pub(crate) protection: Protection,
    pub(crate) credentials: Option<Credentials>,
    /// The `EHLO` name: Python's `socket.getfqdn()`.
    pub(crate) hello: ClientId,
}

/// Sends records as emails.
pub(crate) struct SmtpDelivery {
    pub(crate) server: Server,
    pub(crate) addresses: Addresses,
    pub(crate) subject: Formatter,
}

impl SmtpDelivery {
    /// The subject, formatted from the first record of the batch: its fields only, never with
    /// the `exc_text` or stack a record's own format would add (Python's `formatMessage`).
    fn subject(&self, first: &OwnedRecord) -> Result<String, DeliveryError> {
        first.with_record(|record| {
            let mut out = String::new();
            self.subject
                .format_message(record, &mut out)
                .map(|()| out)
                .map_err(|e| DeliveryError::Permanent(format!("subject: {e}")))
        })
    }

    fn send(&self, subject: &str, body: &str, created: f64) -> Result<(), DeliveryError> {
        let message = mail::build(&self.addresses, subject, body, created);
        self.server
            .send(&self.addresses, &message)
            .map_err(|e| match e {
                Failure::Smtp(e) => classify(&e),
                Failure::NoSmtpUtf8 => DeliveryError::Permanent(
                    "smtplib.SMTPNotSupportedError: One or more source or delivery addresses \
                     require internationalized email support, but the server does not \
                     advertise the required SMTPUTF8 capability"
                        .to_owned(),
                ),
            })
    }
}

impl Server {
    /// One email over a new connection, closed afterwards whatever happens.
    fn send(&self, addresses: &Addresses, message: &[u8]) -> Result<(), Failure> {
        let wrapper = match &self.protection {
            Protection::Tls(tls) => Some(tls),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &self.hello,
            wrapper,
            None,
        )?;
        let result = self.converse(&mut conn, addresses, message);
        match result {
            Ok(()) => {
                let _ = conn.quit();
                Ok(())
            }
            Err(e) => {
                conn.abort();
                Err(e)
            }
        }
    }

    fn converse(
        &self,
        conn: &mut SmtpConnection,
        addresses: &Addresses,
        message: &[u8],
    ) -> Result<(), Failure> {
        if let Protection::StartTls(tls) = &self.protection {
            conn.starttls(tls, &self.hello)?;
        }
        let extensions = conn.command(Ehlo::new(self.hello.clone()))?;
        let announces_size = extensions.message().any(|line| {
            line.split_whitespace()
                .next()
                .is_some_and(|keyword| keyword.eq_ignore_ascii_case("SIZE"))
        });
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)?;
        }
        let mut options = Vec::new();
        if announces_size {
            options.push(MailParameter::Other {
                keyword: "size".to_owned(),
                value: Some(message.len().to_string()),
            });
        }
        if addresses.international() {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(Failure::NoSmtpUtf8);
            }
            options.push(MailParameter::SmtpUtfEight);
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        conn.command(Mail::new(addresses.sender().cloned(), options))?;
        let mut refused = None;
        let mut accepted = 0;
        for recipient in addresses.recipients() {
            match conn.command(Rcpt::new(recipient.clone(), Vec::new())) {
                Ok(_) => accepted += 1,
                Err(e) if e.status().is_some() => {
                    refused.get_or_insert(e);
                }
                Err(e) => return Err(e.into()),
            }
        }
        if accepted == 0
            && let Some(e) = refused
        {
            return Err(e.into());
        }
        conn.command(Data)?;
        // lettre ends the data with CRLF `.` CRLF where smtplib adds `.` CRLF after the CRLF
        // the message already ends with.
        let payload = message.strip_suffix(b"\r\n").unwrap_or(message);
        conn.message(payload)?;
        Ok(())
    }
}

/// Why an email did not go out.
pub(crate) enum Failure {
    /// What lettre reported: the network, TLS, or the server's answer.
    Smtp(smtp::Error),
    /// smtplib's `SMTPNotSupportedError`: addresses that are not ASCII, and a server without
    /// `SMTPUTF8`.
    NoSmtpUtf8,
}

impl From<smtp::Error> for Failure {
    fn from(e: smtp::Error) -> Failure {
        Failure::Smtp(e)
    }
}

impl Deliver for SmtpDelivery {
    fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
        let Some(first) = batch.first() else {
            return Ok(());
        };
        let subject = self.subject(first)?;
        let mut body = String::new();
        for (i, record) in batch.iter().enumerate() {
            if i > 0 {
                body.push('\n');
            }
            body.push_str(record.formatted().unwrap_or(record.msg()));
        }
        self.send(&subject, &body, first.created)
    }

    /// The worker's report of dropped records, by email: the subject is the handler's when the
    /// report can fill it, else `pylog: records dropped`.
    fn report(&mut self, report: &OwnedRecord) -> Result<(), DeliveryError> {
        let subject = self
            .subject(report)
            .unwrap_or_else(|_| "pylog: records dropped".to_owned());
        self.send(&subject, report.msg(), report.created)
    }
}

/// Transient: the server could not be reached, timed out, hung up or answered 4xx. Permanent: it
/// refused (5xx), TLS failed (a certificate that does not verify will not verify on a retry), or
/// the client could not speak to it.
fn classify(error: &smtp::Error) -> DeliveryError {
    let text = describe(error);
    if error.is_permanent() || error.is_tls() || error.is_client() || tls_error(error).is_some() {
        DeliveryError::Permanent(text)
    } else {
        DeliveryError::Transient(text)
    }
}

/// The error as CPython would name it where it has a name: an operating-system error as
/// `ConnectionRefusedError: [Errno 111] Connection refused`, a timeout as `TimeoutError: timed
/// out`; otherwise `smtplib.SMTPException: ` and lettre's text with its causes.
pub(crate) fn describe(error: &smtp::Error) -> String {
    if let Some(tls) = tls_error(error) {
        return match tls {
            rustls::Error::InvalidCertificate(why) => {
                format!("ssl.SSLCertVerificationError: certificate verify failed: {why:?}")
            }
            other => format!("ssl.SSLError: {other}"),
        };
    }
    if error.is_tls() {
        return describe_tls(error);
    }
    let mut source: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            return describe_io(io);
        }
        source = cause.source();
    }
    if error.is_timeout() {
        return "TimeoutError: timed out".to_owned();
    }
    let mut text = format!("smtplib.SMTPException: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The rustls error behind a failure, if TLS failed (lettre reports a failed handshake as an I/O
/// error carrying it).
fn tls_error(error: &smtp::Error) -> Option<&rustls::Error> {
    let mut source: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(cause) = source {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = cause
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        source = cause.source();
    }
    None
}

/// A TLS failure as Python's `ssl` names it: `ssl.SSLCertVerificationError: certificate verify
/// failed: ...` for a certificate, `ssl.SSLError: ...` otherwise.
fn describe_tls(error: &smtp::Error) -> String {
    let mut text = String::new();
    let mut source: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    if text.is_empty() {
        text = error.to_string();
    }
    if text.contains("certificate") {
        format!("ssl.SSLCertVerificationError: certificate verify failed: {text}")
    } else {
        format!("ssl.SSLError: {text}")
    }
}

/// An I/O error as CPython's smtplib shows it: the handlers' OSError text, except a connection
/// the server closed (`SMTPServerDisconnected`).
fn describe_io(e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        return "smtplib.SMTPServerDisconnected: Connection unexpectedly closed".to_owned();
    }
    crate::handler::os_error_text(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_take_the_records_fields_only() {
        use crate::{Level, LogRecord};
        let subject = Formatter::new("%(levelname)s in %(name)s").unwrap();
        let mut record = LogRecord::new("app", Level::ERROR, "write failed");
        record.set_exc_text("Traceback (most recent call last):\nOSError: disk".to_owned());
        record.stack_info = Some("Stack (most recent call last):");
        let mut out = String::new();
        subject.format_message(&record, &mut out).unwrap();
        assert_eq!(out, "ERROR in app");
    }

    #[test]
    fn os_errors_read_as_cpythons() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(
            describe_io(&io::Error::from_raw_os_error(111)),
            "ConnectionRefusedError: [Errno 111] Connection refused"
        );
        assert!(describe_io(&refused).starts_with("ConnectionRefusedError: "));
        assert_eq!(
            describe_io(&io::Error::from(io::ErrorKind::WouldBlock)),
            "TimeoutError: timed out"
        );
    }
}
