//! `SysLogHandler`: records to a syslog daemon over UDP, TCP or a Unix socket. Python:
//! `logging.handlers.SysLogHandler`.
//!
//! The bytes are CPython's by default: `<PRI>` + `ident` + the formatted record + `\0`, where PRI
//! is `facility << 3 | priority` and the priority comes from the level name (Python's
//! `mapPriority`: `DEBUG` → `debug` … `CRITICAL` → `critical`, any other name → `warning`).
//! [`Layout::Rfc5424`] gives the RFC 5424 header instead.
//!
//! Over a stream socket (TCP, a Unix stream socket) each message is framed by RFC 6587's octet
//! counting by default, where CPython sends it unframed: a receiver that splits a stream at
//! newlines would otherwise store a record whose text holds `\n<38>…` as a second message, from
//! any host and program that text names. [`Framing::LineFeed`] escapes CR and LF as rsyslog does
//! (`#015`, `#012`); [`Framing::Raw`] is CPython's bytes, and injectable (see its docs).
//!
//! Delivery runs on the handler's own [`Worker`](crate::Worker), never on the logging thread: the
//! logging call formats the record and queues it. A server that is down, or goes away, is
//! connected to again with backoff while records wait in the bounded queue (what a full queue
//! does is the [`Backpressure`] policy); the error is reported once per outage.
//!
//! ```
//! use std::net::UdpSocket;
//! use pylog_core::syslog::Facility;
//! use pylog_core::{Level, Manager, SysLogHandler};
//!
//! let server = UdpSocket::bind("127.0.0.1:0")?;
//! let handler = SysLogHandler::builder()
//!     .address(server.local_addr()?)
//!     .facility(Facility::LOCAL3)
//!     .ident("app: ")
//!     .build()?;
//! let tree = Manager::new();
//! tree.get_logger("app").add_handler(handler.clone());
//! tree.get_logger("app").error("disk full");
//! handler.close(); // delivers what is queued
//! let mut datagram = [0u8; 512];
//! let n = server.recv(&mut datagram)?;
//! assert_eq!(&datagram[..n], b"<155>app: disk full\0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod message;
mod priority;
mod transport;

pub use message::{Framing, Layout};
pub use priority::{
    FACILITY_NAMES, Facility, PRIORITY_MAP, PRIORITY_NAMES, Priority, UnknownName, encode_priority,
    map_priority, priority_for_level_name,
};
pub use transport::{SockType, SyslogAddress};

use crate::handler::background::delegate_to_background;
use std::sync::Arc;
use std::time::Duration;

use super::background::{Background, NETWORK_DRAIN_TIMEOUT};
use super::worker::{Backpressure, Deliver, DeliveryError, ErrorReporter, RetryPolicy, Worker};
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::error::Error;
use crate::format::datefmt::{TimeZone, Zone};
use crate::owned_record::OwnedRecord;
use crate::record::LogRecord;
use message::{Encoder, Header, header_field};
use transport::Transport;

/// Python's `SYSLOG_UDP_PORT` and `SYSLOG_TCP_PORT`.
#[cfg_attr(docsrs, doc(cfg(feature = "syslog")))]
pub const SYSLOG_PORT: u16 = 514;

/// Sends records to a syslog daemon. Python: `logging.handlers.SysLogHandler`. Build one with
/// [`SysLogHandler::builder`].
#[cfg_attr(docsrs, doc(cfg(feature = "syslog")))]
pub struct SysLogHandler {
    background: Background,
    address: SyslogAddress,
    destination: String,
}

impl SysLogHandler {
    /// A builder; see [`SysLogHandlerBuilder`] for the defaults.
    pub fn builder() -> SysLogHandlerBuilder {
        SysLogHandlerBuilder {
            address: SyslogAddress::default(),
            socktype: None,
            facility: Facility::USER,
            ident: String::new(),
            append_nul: true,
            layout: Layout::Python,
            framing: Framing::OctetCounting,
            hostname: None,
            app_name: None,
            msgid: None,
            zone: Zone::Local,
            timeout: Duration::from_secs(5),
            capacity: 10_000,
            backpressure: Backpressure::Block,
            retry: RetryPolicy {
                max_attempts: None,
                initial_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(5),
            },
            drain_timeout: NETWORK_DRAIN_TIMEOUT,
            on_error: None,
            fallback: None,
        }
    }

    /// Where the handler sends.
    pub fn address(&self) -> &SyslogAddress {
        &self.address
    }
}

impl Emit for SysLogHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        self.background
            .send(|| OwnedRecord::with_formatted(record, ctx.formatter()))
    }

    delegate_to_background!(background);

    fn kind(&self) -> &'static str {
        "SysLogHandler"
    }

    fn describe(&self) -> String {
        self.address.to_string()
    }

    /// `tcp 127.0.0.1:514`, `udp localhost:514`, `unix /dev/log`.
    fn destination(&self) -> String {
        self.destination.clone()
    }
}

/// Builds a [`SysLogHandler`].
///
/// # Default values
///
/// | option | default | Python |
/// |---|---|---|
/// | [`address`](Self::address) | `localhost:514` | `address=('localhost', SYSLOG_UDP_PORT)`; a path string is [`SyslogAddress::Unix`] |
/// | [`socktype`](Self::socktype) | `None`: UDP for a host, datagram then stream for a Unix socket | `socktype=None` |
/// | [`facility`](Self::facility) | [`Facility::USER`] | `facility=LOG_USER` |
/// | [`ident`](Self::ident) | `""` | `handler.ident` |
/// | [`append_nul`](Self::append_nul) | `true` | `handler.append_nul` |
/// | [`layout`](Self::layout) | [`Layout::Python`] | — (CPython has only its own) |
/// | [`framing`](Self::framing) | [`Framing::OctetCounting`] on stream sockets | — (unframed: [`Framing::Raw`]) |
/// | [`hostname`](Self::hostname), [`app_name`](Self::app_name), [`msgid`](Self::msgid) | this host, the program's name, `-` (RFC 5424 only) | — |
/// | [`zone`](Self::zone) | [`Zone::Local`] (RFC 5424 timestamps) | — |
/// | [`timeout`](Self::timeout) | 5 s, for connecting and for each write | — (blocking, no timeout) |
/// | [`capacity`](Self::capacity) | 10,000 records | — (Python sends on the logging thread) |
/// | [`backpressure`](Self::backpressure) | [`Backpressure::Block`] | — |
/// | [`retry`](Self::retry) | until delivered or closed, backoff 100 ms doubling to 5 s | — (the record is lost, `handleError`) |
/// | [`drain_timeout`](Self::drain_timeout) | 5 s: a close retries a server that is down this long | — |
/// | [`on_error`](Self::on_error) | prints `--- Logging error ---` once per outage | `handleError` per record |
/// | [`fallback`](Self::fallback) | none: what cannot be delivered is counted (and reported at close) | — |
#[must_use]
#[cfg_attr(docsrs, doc(cfg(feature = "syslog")))]
pub struct SysLogHandlerBuilder {
    address: SyslogAddress,
    socktype: Option<SockType>,
    facility: Facility,
    ident: String,
    append_nul: bool,
    layout: Layout,
    framing: Framing,
    hostname: Option<String>,
    app_name: Option<String>,
    msgid: Option<String>,
    zone: Zone,
    timeout: Duration,
    capacity: usize,
    backpressure: Backpressure,
    retry: RetryPolicy,
    drain_timeout: Duration,
    on_error: Option<ErrorReporter>,
    fallback: Option<Handler>,
}

impl SysLogHandlerBuilder {
    /// The handler that receives, in order, the records that cannot be delivered (see
    /// [`Handler::set_fallback`]): those whose send failed for good, those still queued when a
    /// close runs out of time, and those a dropping [`Backpressure`] policy would drop.
    pub fn fallback(mut self, handler: Handler) -> Self {
        self.fallback = Some(handler);
        self
    }

    /// Where to send: `("localhost", 514)`, a `SocketAddr`, or [`SyslogAddress::unix`]`("/dev/log")`.
    /// Python: `address`.
    pub fn address(mut self, address: impl Into<SyslogAddress>) -> Self {
        self.address = address.into();
        self
    }

    /// The socket type; `None` is Python's default (UDP for a host; for a Unix socket, datagram
    /// and then stream). Python: `socktype`.
    pub fn socktype(mut self, socktype: Option<SockType>) -> Self {
        self.socktype = socktype;
        self
    }

    /// The facility every message is sent with. Python: `facility`.
    pub fn facility(mut self, facility: Facility) -> Self {
        self.facility = facility;
        self
    }

    /// Text put before every message (`"app: "`). Python: `handler.ident`.
    pub fn ident(mut self, ident: impl Into<String>) -> Self {
        self.ident = ident.into();
        self
    }

    /// Whether every message ends with `\0`. Python: `handler.append_nul`.
    pub fn append_nul(mut self, append: bool) -> Self {
        self.append_nul = append;
        self
    }

    /// CPython's layout or RFC 5424's.
    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// How messages are delimited on a TCP or Unix stream connection: octet counting by default;
    /// [`Framing::Raw`] is CPython's bytes, which let a record's text forge messages.
    pub fn framing(mut self, framing: Framing) -> Self {
        self.framing = framing;
        self
    }

    /// RFC 5424's HOSTNAME (printable ASCII, at most 255 characters).
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.hostname = Some(hostname.into());
        self
    }

    /// RFC 5424's APP-NAME (printable ASCII, at most 48 characters).
    pub fn app_name(mut self, app_name: impl Into<String>) -> Self {
        self.app_name = Some(app_name.into());
        self
    }

    /// RFC 5424's MSGID (printable ASCII, at most 32 characters).
    pub fn msgid(mut self, msgid: impl Into<String>) -> Self {
        self.msgid = Some(msgid.into());
        self
    }

    /// The zone of RFC 5424 timestamps.
    pub fn zone(mut self, zone: Zone) -> Self {
        self.zone = zone;
        self
    }

    /// How long connecting and each write may take before they count as failed.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
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

    /// How failed sends are tried again. Every failure to send is
    /// [`Transient`](DeliveryError::Transient), except a message too long for a datagram.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How long flush and close wait for the queue to drain.
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// Replaces the error report, called with the record being sent and the error, once when
    /// sending starts failing and again only after a send has succeeded.
    pub fn on_error(mut self, report: ErrorReporter) -> Self {
        self.on_error = Some(report);
        self
    }

    /// Starts the handler's worker. A host name that does not resolve is an error here, as in
    /// Python; a server that is not up yet is not (Python raises for TCP): records wait for it.
    pub fn build(self) -> Result<Handler, Error> {
        if let SyslogAddress::Inet { host, port } = &self.address {
            transport::resolve(host, *port).map_err(|source| Error::Io {
                context: format!("cannot resolve the syslog address {}", self.address),
                source,
            })?;
        }
        let zone = match self.zone {
            Zone::Local => crate::format::datefmt::local_time_zone(),
            Zone::Utc => TimeZone::UTC,
            Zone::Fixed(tz) => tz,
        };
        let encoder = Encoder {
            layout: self.layout,
            facility: self.facility,
            ident: self.ident,
            append_nul: self.append_nul,
            header: Header {
                hostname: self
                    .hostname
                    .map_or_else(message::local_hostname, |h| header_field(&h, 255)),
                app_name: self
                    .app_name
                    .map_or_else(message::program_name, |a| header_field(&a, 48)),
                msgid: header_field(self.msgid.as_deref().unwrap_or("-"), 32),
                zone,
            },
        };
        let destination = transport::describe(&self.address, self.socktype);
        let label = format!("SysLogHandler({destination})");
        let sink = Sink {
            label: label.clone(),
            encoder,
            transport: Transport::new(
                self.address.clone(),
                self.socktype,
                self.framing,
                self.timeout,
            ),
            report: self.on_error,
            failing: false,
            message: Vec::with_capacity(256),
        };
        let mut worker = Worker::builder("SysLogHandler").label(label);
        if let Some(fallback) = self.fallback {
            worker = worker.fallback(fallback);
        }
        let worker = worker
            .capacity(self.capacity)
            .backpressure(self.backpressure)
            .retry(self.retry)
            // The sink reports its own failures, on the first attempt of an outage.
            .on_error(Arc::new(|_: &OwnedRecord, _: &DeliveryError| {}))
            .spawn(sink)
            .map_err(|source| Error::Io {
                context: "cannot start the syslog handler's thread".to_owned(),
                source,
            })?;
        Ok(Handler::new(SysLogHandler {
            background: Background::new(worker, self.drain_timeout),
            address: self.address,
            destination,
        }))
    }
}

/// The worker's destination: encodes each record and sends it. It reports the first failure of
/// an outage itself, because retries that go on until the server returns would keep the worker
/// from reporting anything until then.
struct Sink {
    /// `SysLogHandler(tcp 127.0.0.1:514)`, for error reports.
    label: String,
    encoder: Encoder,
    transport: Transport,
    report: Option<ErrorReporter>,
    failing: bool,
    message: Vec<u8>,
}

impl Deliver for Sink {
    fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
        for record in batch {
            self.message.clear();
            self.encoder.encode(record, &mut self.message);
            if let Err(e) = self.transport.send(&self.message) {
                let error = if is_message_too_long(&e) {
                    DeliveryError::Permanent(HandlerError::Io(e).to_string())
                } else {
                    DeliveryError::Transient(HandlerError::Io(e).to_string())
                };
                if !self.failing {
                    self.failing = true;
                    match &self.report {
                        Some(report) => report(record, &error),
                        None => record.with_record(|r| {
                            super::print_logging_error(r, &error, &self.label);
                        }),
                    }
                }
                return Err(error);
            }
            self.failing = false;
        }
        Ok(())
    }

    fn close(&mut self) {
        self.transport.close();
    }
}

/// `EMSGSIZE`: a datagram larger than the socket allows; sending it again cannot help.
fn is_message_too_long(e: &std::io::Error) -> bool {
    const EMSGSIZE: i32 = if cfg!(any(target_os = "linux", target_os = "android")) {
        90
    } else {
        40
    };
    e.raw_os_error() == Some(EMSGSIZE)
}
