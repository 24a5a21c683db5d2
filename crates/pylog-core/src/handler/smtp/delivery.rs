//! The SMTP handler's [`Deliver`] destination: on the worker's thread, one email per batch (a batch
//! is one record, or a digest), sent over a new connection as CPython's `SMTPHandler.emit` does,
//! and the failure sorted into worth-retrying or not.

use std::error::Error as StdError;
use std::io;

use lettre::Transport as _;
use lettre::transport::smtp::{self, SmtpTransport};

use super::mail::{self, Addresses};
use crate::format::Formatter;
use crate::handler::worker::{Deliver, DeliveryError};
use crate::owned_record::OwnedRecord;

/// Sends records as emails.
pub(crate) struct SmtpDelivery {
    pub(crate) transport: SmtpTransport,
    pub(crate) addresses: Addresses,
    pub(crate) subject: Formatter,
}

impl SmtpDelivery {
    /// The subject, formatted from the first record of the batch.
    fn subject(&self, first: &OwnedRecord) -> Result<String, DeliveryError> {
        first.with_record(|record| {
            let mut out = String::new();
            self.subject
                .format(record, &mut out)
                .map(|()| out)
                .map_err(|e| DeliveryError::Permanent(format!("subject: {e}")))
        })
    }

    fn send(&self, subject: &str, body: &str, created: f64) -> Result<(), DeliveryError> {
        let message = mail::build(&self.addresses, subject, body, created)
            .map_err(|e| DeliveryError::Permanent(format!("cannot build the email: {e}")))?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| classify(&e))
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
