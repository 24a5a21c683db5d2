//! `HttpHandler`: each record to a web server, as CPython's `logging.handlers.HTTPHandler` sends
//! it, or as JSON for log collectors. Feature `http`.
//!
//! The logging call only queues the record; a worker thread of the handler's own makes the
//! requests (with `reqwest::blocking`, which must not run on a Tokio thread, where applications
//! often log from). The queue is bounded, and what a full one does is its [`Backpressure`] policy;
//! connection errors, timeouts and 5xx answers are retried with backoff, a 4xx is not. A failure
//! is reported once (Python's `--- Logging error ---` block) until a delivery succeeds again.
//!
//! What is sent is Python's `mapLogRecord`: the keys and values of `record.__dict__`, url-encoded
//! as `urllib.parse.urlencode` does, in the query of a GET or the
//! `application/x-www-form-urlencoded` body of a POST; with credentials, an `Authorization: Basic`
//! header.
//!
//! ```no_run
//! use pylog_core::{HttpHandler, HttpMethod, Level, Manager};
//! let tree = Manager::new();
//! let http = HttpHandler::builder("logs.example.com:8080", "/log")
//!     .method(HttpMethod::Post)
//!     .credentials("app", "secret")
//!     .build()?
//!     .with_level(Level::ERROR);
//! tree.get_logger("app").add_handler(http.clone());
//! tree.get_logger("app").error("disk full");
//! http.close(); // delivers what is queued (at most the drain timeout) and stops the thread
//! # Ok::<(), pylog_core::Error>(())
//! ```

mod fields;
pub(crate) mod transport;

pub use transport::{HttpMethod, Redirects};

use crate::handler::background::delegate_to_background;
use std::io::Write as _;
use std::time::Duration;

use reqwest::Url;

use super::background::{Background, NETWORK_DRAIN_TIMEOUT};
use super::worker::{Backpressure, ErrorReporter, RetryPolicy, Worker};
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::error::Error;
use crate::format::repr::py_repr;
use crate::owned_record::OwnedRecord;
use crate::record::LogRecord;
use transport::{Body, Settings, Transport};

/// Sends records to a web server. Python: `logging.handlers.HTTPHandler`.
///
/// Build one with [`HttpHandler::builder`]; the handler owns a worker thread, which
/// [`Handler::close`] (and [`shutdown`](crate::shutdown)) stops after delivering what is queued.
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub struct HttpHandler {
    background: Background,
    formats: bool,
    target: String,
}

impl HttpHandler {
    /// A builder for a handler sending to `host` (with its port: `localhost:8080`) at `url`
    /// (`/log`, or `/log?app=web`). Python: `HTTPHandler(host, url)`.
    pub fn builder(host: impl Into<String>, url: impl Into<String>) -> HttpHandlerBuilder {
        HttpHandlerBuilder {
            host: host.into(),
            url: url.into(),
            method: HttpMethod::Get,
            secure: false,
            credentials: None,
            redirects: Redirects::SameOrigin,
            root_certificates: None,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            body: Body::Form,
            batch: (1, Duration::ZERO),
            capacity: 10_000,
            backpressure: Backpressure::Block,
            retry: RetryPolicy {
                max_attempts: Some(3),
                initial_backoff: Duration::from_millis(200),
                max_backoff: Duration::from_secs(5),
            },
            drain_timeout: NETWORK_DRAIN_TIMEOUT,
            name: None,
            on_error: None,
            fallback: None,
        }
    }
}

impl Emit for HttpHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        self.background.send(|| {
            if self.formats {
                OwnedRecord::with_formatted(record, ctx.formatter())
            } else {
                Ok(OwnedRecord::from_record(record))
            }
        })
    }

    delegate_to_background!(background);

    fn kind(&self) -> &'static str {
        "HTTPHandler"
    }

    fn describe(&self) -> String {
        self.target.clone()
    }
}

/// Builds an [`HttpHandler`].
///
/// # Default values
///
/// | option | default | Python |
/// |---|---|---|
/// | `method` | [`HttpMethod::Get`] | `method="GET"` |
/// | `secure` | `false` (http) | `secure=False` |
/// | `credentials` | none | `credentials=None` |
/// | `redirects` | [`Redirects::SameOrigin`] | none followed |
/// | `root_certificates` | none: the platform's roots | `context=None` |
/// | `timeout` | 10 s per request | none (waits forever) |
/// | `connect_timeout` | 5 s | none |
/// | body | Python's url-encoded `record.__dict__` ([`json`](Self::json), [`json_batch`](Self::json_batch)) | `mapLogRecord` |
/// | `capacity` | 10,000 records | — (the logging call sends) |
/// | `backpressure` | [`Backpressure::Block`] | — |
/// | `retry` | 3 attempts, 200 ms backoff doubling up to 5 s | — (no retry) |
/// | `drain_timeout` | 5 s: a close retries a server that is down this long | — |
/// | `name` | `HTTPHandler` (thread `pylog:HTTPHandler`) | — |
/// | `on_error` | Python's `--- Logging error ---` block on stderr, once per burst | `handleError` |
/// | `fallback` | none: what cannot be delivered is counted (and reported at close) | — |
///
/// With the default `retry`, a record whose server stays down fails for good after its third
/// attempt (and goes to the fallback, if there is one); with unbounded retries
/// (`max_attempts: None`) it waits in the queue until the server is back or a close gives up at
/// the drain timeout.
#[must_use]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub struct HttpHandlerBuilder {
    host: String,
    url: String,
    method: HttpMethod,
    secure: bool,
    credentials: Option<(String, String)>,
    redirects: Redirects,
    root_certificates: Option<Vec<u8>>,
    timeout: Duration,
    connect_timeout: Duration,
    body: Body,
    batch: (usize, Duration),
    capacity: usize,
    backpressure: Backpressure,
    retry: RetryPolicy,
    drain_timeout: Duration,
    name: Option<String>,
    on_error: Option<ErrorReporter>,
    fallback: Option<Handler>,
}

impl HttpHandlerBuilder {
    /// The handler that receives, in order, the records that cannot be delivered (see
    /// [`Handler::set_fallback`]): those that ran out of retries or were refused, those still
    /// queued when a close runs out of time, and those a dropping [`Backpressure`] policy would
    /// drop.
    pub fn fallback(mut self, handler: Handler) -> Self {
        self.fallback = Some(handler);
        self
    }

    /// GET (the record in the query string) or POST (in the body). Python's strings parse with
    /// `"post".parse::<HttpMethod>()`.
    pub fn method(mut self, method: HttpMethod) -> Self {
        self.method = method;
        self
    }

    /// https instead of http (Python's `secure=True`); redirects to http are then refused.
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Sends `Authorization: Basic base64(user:password)` with every request (Python's
    /// `credentials=(user, password)`, sent even over http, as in Python). Over http to a host
    /// other than this machine, [`build`](Self::build) prints one warning on stderr: anyone on
    /// the network path can read them. Credentials in the host (`user:pw@host`) count too.
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((user.into(), password.into()));
        self
    }

    /// Which redirects to follow (default: only those to the same scheme, host and port, with
    /// or without credentials). See [`Redirects`].
    pub fn redirects(mut self, redirects: Redirects) -> Self {
        self.redirects = redirects;
        self
    }

    /// Trusts only the certificates in this PEM text for https (Python's `context`, made with
    /// `ssl.create_default_context(cafile=...)`). Needs [`secure`](Self::secure), as in Python.
    pub fn root_certificates(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates = Some(pem.into());
        self
    }

    /// The longest a request may take, connecting included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest connecting may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// One JSON object per request, POSTed as `application/json`: the keys and values of Python's
    /// `record.__dict__` (numbers as numbers, `None` as `null`) and `message`, the record as the
    /// handler's formatter formats it (the message alone by default). Needs
    /// [`HttpMethod::Post`].
    pub fn json(mut self) -> Self {
        self.body = Body::Json;
        self.batch = (1, Duration::ZERO);
        self
    }

    /// Up to `max_records` JSON objects per request, as one JSON array, waiting at most `max_wait`
    /// for a batch to fill (flush and close do not wait). Needs [`HttpMethod::Post`].
    pub fn json_batch(mut self, max_records: usize, max_wait: Duration) -> Self {
        self.body = Body::JsonArray;
        self.batch = (max_records.max(1), max_wait);
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

    /// How failed requests are retried; only connection errors, timeouts, 5xx, 408 and 429 are.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How long flush and close wait for the queue to drain.
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// Names the handler's thread (`pylog:<name>`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Replaces the report of a failed delivery (called once per burst of failures).
    pub fn on_error(mut self, report: ErrorReporter) -> Self {
        self.on_error = Some(report);
        self
    }

    /// Checks the arguments as Python does, builds the client and starts the worker thread.
    pub fn build(self) -> Result<Handler, Error> {
        if !self.secure && self.root_certificates.is_some() {
            return Err(Error::InvalidArguments(
                "context parameter only makes sense with secure=True".to_owned(),
            ));
        }
        if self.body != Body::Form && self.method != HttpMethod::Post {
            return Err(Error::InvalidArguments(
                "a JSON body needs method POST".to_owned(),
            ));
        }
        let scheme = if self.secure { "https" } else { "http" };
        let target = format!("{scheme}://{}{}", self.host, self.url);
        let url = Url::parse(&target).map_err(|e| {
            Error::InvalidArguments(format!("invalid URL {}: {e}", py_repr(&target)))
        })?;
        if let Some(warning) =
            transport::cleartext_credentials_warning(&url, self.credentials.is_some())
        {
            let _ = writeln!(std::io::stderr().lock(), "{warning}");
        }
        let transport = Transport::new(Settings {
            url,
            method: self.method,
            body: self.body,
            secure: self.secure,
            credentials: self.credentials,
            redirects: self.redirects,
            root_certificates: self.root_certificates.as_deref(),
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
        })?;
        let mut worker = Worker::builder(self.name.unwrap_or_else(|| "HTTPHandler".to_owned()))
            .label(format!("HTTPHandler({target})"))
            .capacity(self.capacity)
            .backpressure(self.backpressure)
            .batch(self.batch.0, self.batch.1)
            .retry(self.retry);
        if let Some(report) = self.on_error {
            worker = worker.on_error(report);
        }
        if let Some(fallback) = self.fallback {
            worker = worker.fallback(fallback);
        }
        let worker = worker.spawn(transport).map_err(|source| Error::Io {
            context: "cannot start the HTTP handler's thread".to_owned(),
            source,
        })?;
        Ok(Handler::new(HttpHandler {
            background: Background::new(worker, self.drain_timeout),
            formats: self.body != Body::Form,
            target,
        }))
    }
}
