//! `SmtpHandler`: each record, or a digest of records, sent as an email. Python:
//! `logging.handlers.SMTPHandler`.

mod body;
mod delivery;
mod fqdn;
mod mail;
mod subject;

use crate::handler::background::delegate_to_background;
use std::io::Write as _;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, TlsParameters};

use super::background::{Background, NETWORK_DRAIN_TIMEOUT};
use super::worker::{Backpressure, ErrorReporter, RetryPolicy, Worker};
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::error::Error;
use crate::format::Formatter;
use crate::owned_record::OwnedRecord;
use crate::record::LogRecord;

/// Python's `smtplib.SMTP_PORT`.
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub const SMTP_PORT: u16 = 25;
/// The port of SMTP over implicit TLS (`submissions`, RFC 8314).
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub const SMTPS_PORT: u16 = 465;

/// How the connection to the mail server is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub enum Security {
    /// Plain SMTP (Python's default, `secure=None`).
    #[default]
    None,
    /// Plain SMTP upgraded with `STARTTLS` before anything else is sent; a server that does not
    /// offer it is an error (Python: `secure=()`).
    StartTls,
    /// TLS from the first byte, usually on port 465 (Python's `SMTPHandler` cannot do this).
    Tls,
}

/// Sends records as emails. Python: `logging.handlers.SMTPHandler`.
///
/// Build one with [`SmtpHandler::builder`].
///
/// The email is the one CPython sends (`From`, `To`, `Subject`, `Date`, a `text/plain` UTF-8 body
/// holding the formatted record), but the logging call never talks to the server: it formats the
/// record and puts it on the handler's [`Worker`], whose thread connects, sends and quits, as
/// Python's `emit` does for every record. The queue is bounded, the [`Backpressure`] policy says what
/// a full queue does, transient failures (a server that is down, a timeout, a `4xx`) are retried by
/// the [`RetryPolicy`], and a failure is printed once per burst (`--- Logging error ---`) and
/// counted in [`Handler::stats`].
///
/// The subject is a `%`-style format of the record's fields (`%(levelname)s on %(hostname)s`),
/// where `hostname` is this machine's name unless the record has a field of that name; an error's
/// text or a stack never reaches it (Python's subject is a fixed text). The email itself is
/// CPython's byte for byte: the `EHLO` name, the `MAIL` options, the folded and encoded
/// `Subject`, and the body's transfer encoding, line endings and final newline. With
/// [`digest`](SmtpHandlerBuilder::digest), up to N records (or what arrives within T) go into one
/// email, whose subject is formatted from the first of them.
///
/// ```no_run
/// use std::time::Duration;
/// use pylog_core::{Level, Security, SmtpHandler};
/// let mail = SmtpHandler::builder("smtp.example.com", "app@example.com", ["ops@example.com"],
///         "%(levelname)s on %(hostname)s")
///     .port(587)
///     .security(Security::StartTls)
///     .credentials("app", "secret")
///     .digest(100, Duration::from_secs(60))
///     .build()?
///     .with_level(Level::ERROR);
/// pylog_core::get_logger("app").add_handler(mail);
/// # Ok::<(), pylog_core::Error>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub struct SmtpHandler {
    background: Background,
    describe: String,
    destination: String,
}

impl SmtpHandler {
    /// A builder with Python's required arguments: `SMTPHandler(mailhost, fromaddr, toaddrs,
    /// subject)`. `subject` is a `%`-style format of the record (`%(levelname)s on
    /// %(hostname)s`), or plain text.
    pub fn builder<I, S>(
        mailhost: impl Into<String>,
        fromaddr: impl Into<String>,
        toaddrs: I,
        subject: impl Into<String>,
    ) -> SmtpHandlerBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        SmtpHandlerBuilder {
            mailhost: mailhost.into(),
            port: None,
            fromaddr: fromaddr.into(),
            toaddrs: toaddrs.into_iter().map(Into::into).collect(),
            subject: subject.into(),
            credentials: None,
            security: Security::None,
            timeout: DEFAULT_TIMEOUT,
            root_certificates: Vec::new(),
            tls_domain: None,
            digest: None,
            capacity: 1_000,
            backpressure: Backpressure::Block,
            retry: default_retry(),
            drain_timeout: NETWORK_DRAIN_TIMEOUT,
            name: None,
            on_error: None,
            fallback: None,
        }
    }
}

impl Emit for SmtpHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        self.background
            .send(|| OwnedRecord::with_formatted(record, ctx.formatter()))
    }

    delegate_to_background!(background);

    fn kind(&self) -> &'static str {
        "SMTPHandler"
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }

    /// `mail.example.com:587`.
    fn destination(&self) -> String {
        self.destination.clone()
    }
}

/// Python's `SMTPHandler` timeout: 5 seconds for the connection and for each answer.
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

fn default_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: Some(3),
        initial_backoff: Duration::from_millis(500),
        max_backoff: Duration::from_secs(5),
    }
}

/// Builds an [`SmtpHandler`].
///
/// # Default values
///
/// | option | default | Python |
/// |---|---|---|
/// | `port` | 25, or 465 with [`Security::Tls`] | `mailhost=(host, port)`, default `smtplib.SMTP_PORT` |
/// | `credentials` | none | `credentials=(user, password)` |
/// | `security` | [`Security::None`] | `secure=()` is [`Security::StartTls`] (Python applies it only with credentials; here always) |
/// | `timeout` | 5 s | `timeout=5.0` |
/// | `root_certificate_pem` | the system's roots only | — (`ssl` uses the system's store) |
/// | `tls_domain` | the mail host | — |
/// | `digest` | off: one email per record | — |
/// | `capacity` | 1,000 records | — (Python sends on the logging call) |
/// | `backpressure` | [`Backpressure::Block`] | — |
/// | `retry` | 3 attempts, 0.5 s then 1 s apart, for transient failures | — |
/// | `drain_timeout` | 5 s (flush and close) | — |
/// | `name` | `SMTPHandler` (its thread is `pylog:<name>`) | — |
/// | `on_error` | `--- Logging error ---` on stderr, once per burst of failures | `handleError` on every failure |
/// | `fallback` | none: what cannot be sent is counted (and reported at close) | — |
#[must_use]
#[cfg_attr(docsrs, doc(cfg(feature = "smtp")))]
pub struct SmtpHandlerBuilder {
    mailhost: String,
    port: Option<u16>,
    fromaddr: String,
    toaddrs: Vec<String>,
    subject: String,
    credentials: Option<(String, String)>,
    security: Security,
    timeout: Duration,
    root_certificates: Vec<Vec<u8>>,
    tls_domain: Option<String>,
    digest: Option<(usize, Duration)>,
    capacity: usize,
    backpressure: Backpressure,
    retry: RetryPolicy,
    drain_timeout: Duration,
    name: Option<String>,
    on_error: Option<ErrorReporter>,
    fallback: Option<Handler>,
}

impl SmtpHandlerBuilder {
    /// The handler that receives, in order, the records that cannot be sent (see
    /// [`Handler::set_fallback`]): those that ran out of retries or were refused, those still
    /// queued when a close runs out of time, and those a dropping [`Backpressure`] policy would
    /// drop.
    pub fn fallback(mut self, handler: Handler) -> Self {
        self.fallback = Some(handler);
        self
    }

    /// The server's port (Python: the second item of `mailhost=(host, port)`).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Logs in with these (Python: `credentials=(username, password)`).
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((username.into(), password.into()));
        self
    }

    /// How the connection is protected.
    pub fn security(mut self, security: Security) -> Self {
        self.security = security;
        self
    }

    /// How long to wait for the connection and for each answer (Python: `timeout`).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Also trusts this PEM certificate as a root (a private CA, a test server's certificate).
    pub fn root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// The name the server's certificate must carry, when it is not the mail host (a server
    /// reached by address).
    pub fn tls_domain(mut self, domain: impl Into<String>) -> Self {
        self.tls_domain = Some(domain.into());
        self
    }

    /// Sends up to `max_records` records in one email, waiting at most `max_wait` after the first
    /// for more to arrive. The subject is formatted from the first record; the body is each
    /// record's formatted text, one after the other.
    pub fn digest(mut self, max_records: usize, max_wait: Duration) -> Self {
        self.digest = Some((max_records.max(1), max_wait));
        self
    }

    /// The queue's bound.
    pub fn capacity(mut self, records: usize) -> Self {
        self.capacity = records;
        self
    }

    /// What a full queue does.
    pub fn backpressure(mut self, policy: Backpressure) -> Self {
        self.backpressure = policy;
        self
    }

    /// How transient failures are retried.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How long flush and close wait for the queue to drain.
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// Names the handler's worker and its thread.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Replaces the error report: by default a failed email is reported as Python's `--- Logging
    /// error ---` block on stderr, once per burst of failures (until an email goes through again).
    pub fn on_error(mut self, report: ErrorReporter) -> Self {
        self.on_error = Some(report);
        self
    }

    /// Checks the addresses, the subject and the certificates, and starts the worker's thread.
    /// Nothing is sent and the server is not contacted until a record arrives.
    pub fn build(self) -> Result<Handler, Error> {
        let addresses = mail::Addresses::parse(&self.fromaddr, &self.toaddrs)
            .map_err(Error::InvalidArguments)?;
        // A subject without fields is a literal, as Python's `subject` always is; a format's
        // own validation asks for at least one field.
        let subject = Formatter::builder(&self.subject)
            .default_field("hostname", hostname())
            .validate(self.subject.contains("%("))
            .build()?;
        let port = self.port.unwrap_or(match self.security {
            Security::Tls => SMTPS_PORT,
            _ => SMTP_PORT,
        });
        if let Some(warning) =
            cleartext_credentials_warning(&self.mailhost, port, self.security, &self.credentials)
        {
            let _ = writeln!(std::io::stderr().lock(), "{warning}");
        }
        let protection = match self.security {
            Security::None => delivery::Protection::None,
            Security::StartTls => delivery::Protection::StartTls(self.tls_parameters()?),
            Security::Tls => delivery::Protection::Tls(self.tls_parameters()?),
        };
        let server = delivery::Server {
            host: self.mailhost.clone(),
            port,
            timeout: self.timeout,
            protection,
            credentials: self
                .credentials
                .map(|(user, password)| Credentials::new(user, password)),
            hello: fqdn::ehlo_name(),
        };
        let name = self.name.unwrap_or_else(|| "SMTPHandler".to_owned());
        let destination = format!("{}:{port}", self.mailhost);
        let mut worker = Worker::builder(name)
            .label(format!("SMTPHandler({destination})"))
            .capacity(self.capacity)
            .backpressure(self.backpressure)
            .retry(self.retry);
        if let Some(report) = self.on_error {
            worker = worker.on_error(report);
        }
        if let Some((records, wait)) = self.digest {
            worker = worker.batch(records, wait);
        }
        if let Some(fallback) = self.fallback {
            worker = worker.fallback(fallback);
        }
        let worker = worker
            .spawn(delivery::SmtpDelivery {
                server,
                addresses,
                subject,
            })
            .map_err(|source| Error::Io {
                context: "cannot start the SMTP handler's thread".to_owned(),
                source,
            })?;
        Ok(Handler::new(SmtpHandler {
            background: Background::new(worker, self.drain_timeout),
            describe: format!("<smtp {destination}>"),
            destination,
        }))
    }

    fn tls_parameters(&self) -> Result<TlsParameters, Error> {
        let domain = self.tls_domain.as_ref().unwrap_or(&self.mailhost).clone();
        let mut tls = TlsParameters::builder(domain);
        for pem in &self.root_certificates {
            let certificate = Certificate::from_pem(pem).map_err(|e| {
                Error::InvalidArguments(format!("invalid root certificate (PEM): {e}"))
            })?;
            tls = tls.add_root_certificate(certificate);
        }
        tls.build_rustls()
            .map_err(|e| Error::InvalidArguments(format!("cannot set up TLS: {e}")))
    }
}

/// This machine's name, for `%(hostname)s` in subjects.
fn hostname() -> String {
    hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "localhost".to_owned())
}

/// The warning for credentials sent without TLS ([`Security::None`]) to a server other than this
/// machine, or `None`. It names the server and never the password. Python sends them the same way
/// without a word.
fn cleartext_credentials_warning(
    host: &str,
    port: u16,
    security: Security,
    credentials: &Option<(String, String)>,
) -> Option<String> {
    if security != Security::None || credentials.is_none() || is_this_machine(host) {
        return None;
    }
    Some(format!(
        "pylog: SMTPHandler sends credentials to {host}:{port} without TLS (security is \
         Security::None): anyone on the network path can read them"
    ))
}

/// Whether `host` names this machine: `localhost`, or an address in `127.0.0.0/8` or `::1`.
fn is_this_machine(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}
