//! `SocketHandler` and `DatagramHandler`: each record sent to a receiver over TCP or UDP. Python:
//! `logging.handlers.SocketHandler` and `DatagramHandler`.

mod datagram;
mod frame;
mod tcp;

pub use datagram::{DatagramHandler, DatagramHandlerBuilder};
pub use frame::Wire;

use crate::handler::background::delegate_to_background;
use std::sync::Arc;
use std::time::Duration;

use super::background::{Background, NETWORK_DRAIN_TIMEOUT};
use super::worker::{Backpressure, DeliveryError, ErrorReporter, RetryPolicy, Worker};
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::error::Error;
use crate::owned_record::OwnedRecord;
use crate::record::LogRecord;

/// Sends each record over TCP, as CPython's `logging.handlers.SocketHandler` does.
///
/// Build one with [`SocketHandler::builder`].
///
/// The wire format is CPython's `makePickle`: a 4-byte big-endian length, then the record's dict
/// pickled with protocol 1 (`name`, `msg` with the arguments merged, `args: None`, `levelname`,
/// `levelno`, `pathname`, …, `exc_info: None`, `exc_text`; no `message`), then `module_path` and
/// `spans` when the record has them, then the extras. The logging cookbook's receiver, or any
/// server that does `logging.makeLogRecord(pickle.loads(data[4:]))`, reads it unchanged.
/// [`Wire::Json`] sends the same dict as a JSON object instead. UDP datagrams carry the same
/// length prefix, as CPython's do.
///
/// Delivery runs on the handler's own [`Worker`](super::worker::Worker): the logging call only
/// queues a copy of the record. When the receiver cannot be reached, CPython drops each record
/// logged while it waits out its reconnection delay (`retryTime`); here the records wait in the
/// bounded queue and are delivered once the connection returns (a full queue follows the
/// [`Backpressure`] policy, so choose a dropping one to get CPython's behaviour). The connection
/// is retried on CPython's schedule: `retryStart` (1 s), multiplied by `retryFactor` (2) after each
/// failure, up to `retryMax` (30 s). The first failure of each outage is reported once (the
/// `--- Logging error ---` block on stderr), not once per record.
///
/// ```
/// use std::io::Read;
/// use std::net::TcpListener;
/// use pylog_core::{Level, Manager, SocketHandler};
///
/// let receiver = TcpListener::bind("127.0.0.1:0")?;
/// let port = receiver.local_addr()?.port();
/// let handler = SocketHandler::builder("127.0.0.1", port).build()?;
/// let tree = Manager::new();
/// tree.get_logger("app").add_handler(handler.clone());
/// tree.get_logger("app").warning("disk almost full");
/// handler.close(); // delivers what is queued, then closes the connection
///
/// let (mut connection, _) = receiver.accept()?;
/// let mut length = [0; 4];
/// connection.read_exact(&mut length)?;
/// let mut payload = vec![0; u32::from_be_bytes(length) as usize];
/// connection.read_exact(&mut payload)?;
/// let record = pylog_core::pickle::read(&payload, &Default::default())?;
/// assert_eq!(record.get("msg").map(|m| m.py_str()).as_deref(), Some("disk almost full"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "socket")))]
pub struct SocketHandler {
    queue: Queued,
}

impl SocketHandler {
    /// A builder for a handler sending to `host:port` (Python: `SocketHandler(host, port)`). The
    /// name is resolved, and the connection made, on the handler's thread when the first record
    /// is delivered.
    ///
    /// ```
    /// use std::time::Duration;
    /// use pylog_core::{Backpressure, SocketHandler};
    /// let handler = SocketHandler::builder("localhost", 9020)
    ///     .retry_max(Duration::from_secs(10))
    ///     .backpressure(Backpressure::DropNewest)
    ///     .build()?;
    /// assert_eq!(format!("{handler:?}"), "<SocketHandler localhost:9020 (NOTSET)>");
    /// # Ok::<(), pylog_core::Error>(())
    /// ```
    pub fn builder(host: impl Into<String>, port: u16) -> SocketHandlerBuilder {
        SocketHandlerBuilder {
            host: host.into(),
            port,
            timeout: Duration::from_secs(1),
            retry_start: Duration::from_secs(1),
            retry_factor: 2.0,
            retry_max: Duration::from_secs(30),
            close_on_error: false,
            queue: QueueOptions::new("SocketHandler"),
        }
    }
}

impl Emit for SocketHandler {
    fn emit(&self, record: &LogRecord<'_>, _ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        self.queue.emit(record)
    }

    delegate_to_background!(queue.background);

    fn kind(&self) -> &'static str {
        "SocketHandler"
    }

    fn describe(&self) -> String {
        self.queue.address.clone()
    }
}

/// Builds a [`SocketHandler`].
///
/// # Default values
///
/// | option | default | Python |
/// |---|---|---|
/// | `timeout` | 1 s (at least 1 ms) | `makeSocket(timeout=1)`: connecting, and each `send` call |
/// | `retry_start` | 1 s | `retryStart = 1.0` |
/// | `retry_factor` | 2.0 | `retryFactor = 2.0` |
/// | `retry_max` | 30 s | `retryMax = 30.0` |
/// | `close_on_error` | `false` | `closeOnError = False` |
/// | `wire` | [`Wire::Pickle`] | `makePickle` |
/// | `capacity` | 10,000 records | — (Python sends on the caller's thread) |
/// | `backpressure` | [`Backpressure::Block`] | — (Python drops records during `retryTime`) |
/// | `drain_timeout` | 5 s: a close retries a receiver that is down this long | — |
/// | `name` | `SocketHandler` (thread `pylog:SocketHandler`) | — |
/// | `on_error` | the `--- Logging error ---` block, once per outage | `handleError` |
/// | `fallback` | none: what cannot be delivered is counted (and reported at close) | — |
///
/// While a close drains the queue, the connection is tried again at least every 250 ms, whatever
/// the reconnection delay had grown to, until the drain timeout.
#[must_use]
#[cfg_attr(docsrs, doc(cfg(feature = "socket")))]
pub struct SocketHandlerBuilder {
    host: String,
    port: u16,
    timeout: Duration,
    retry_start: Duration,
    retry_factor: f64,
    retry_max: Duration,
    close_on_error: bool,
    queue: QueueOptions,
}

impl SocketHandlerBuilder {
    /// How long connecting, and writing each record's frame, may take before the connection
    /// counts as failed (Python's `makeSocket(timeout)`). The time is for the whole frame, not
    /// for each `write()` call as in CPython, so a receiver that reads a few bytes at a time
    /// cannot hold the handler's thread. A write that times out closes the connection: part of a
    /// record may have been sent, and a new connection starts clean.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The wait after the first failed connection before the next attempt (Python's
    /// `retryStart`).
    pub fn retry_start(mut self, wait: Duration) -> Self {
        self.retry_start = wait;
        self
    }

    /// What each further failure multiplies the wait by (Python's `retryFactor`).
    pub fn retry_factor(mut self, factor: f64) -> Self {
        self.retry_factor = factor;
        self
    }

    /// The longest wait between attempts (Python's `retryMax`).
    pub fn retry_max(mut self, wait: Duration) -> Self {
        self.retry_max = wait;
        self
    }

    /// Python's `closeOnError`: when `true`, a failed delivery closes the connection without a
    /// report (it is reopened for the next record). The connection is closed after a failed
    /// write either way, as CPython's `send` does.
    pub fn close_on_error(mut self, close: bool) -> Self {
        self.close_on_error = close;
        self
    }

    /// What each frame carries: CPython's pickle (the default) or JSON.
    pub fn wire(mut self, wire: Wire) -> Self {
        self.queue.wire = wire;
        self
    }

    /// The queue's bound.
    pub fn capacity(mut self, records: usize) -> Self {
        self.queue.capacity = records;
        self
    }

    /// What a full queue does (while the receiver is unreachable, the queue fills).
    pub fn backpressure(mut self, policy: Backpressure) -> Self {
        self.queue.backpressure = policy;
        self
    }

    /// How long flush and close wait for the queue to drain.
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.queue.drain_timeout = timeout;
        self
    }

    /// Names the handler's thread (`pylog:<name>`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.queue.name = name.into();
        self
    }

    /// Replaces the default error report (called once per outage, and for records that fail
    /// for good).
    pub fn on_error(mut self, report: ErrorReporter) -> Self {
        self.queue.on_error = Some(report);
        self
    }

    /// The handler that receives, in order, the records that cannot be delivered (see
    /// [`Handler::set_fallback`]): those still queued when a close runs out of time, and those
    /// a dropping [`Backpressure`] policy would drop.
    pub fn fallback(mut self, handler: Handler) -> Self {
        self.queue.fallback = Some(handler);
        self
    }

    /// Starts the handler's thread. Nothing is connected yet.
    pub fn build(self) -> Result<Handler, Error> {
        let address = format!("{}:{}", self.host, self.port);
        let delivery = tcp::TcpDelivery::new(
            self.host,
            self.port,
            self.timeout,
            tcp::Backoff::new(self.retry_start, self.retry_factor, self.retry_max),
        )
        .wire(self.queue.wire);
        let mut queue = self.queue;
        if self.close_on_error {
            // Python's closeOnError: failures close the connection silently.
            queue.on_error = Some(Arc::new(|_: &OwnedRecord, _: &DeliveryError| {}));
        }
        // The delivery keeps CPython's schedule itself; the worker only comes back to it this
        // often while it waits, so a close or a returning receiver is noticed soon.
        let poll = self
            .retry_start
            .clamp(Duration::from_millis(1), Duration::from_millis(50));
        let retry = RetryPolicy {
            max_attempts: None,
            initial_backoff: poll,
            max_backoff: poll,
        };
        let queue = queue.spawn(address, retry, delivery)?;
        Ok(Handler::new(SocketHandler { queue }))
    }
}

/// The options every socket handler's queue has.
struct QueueOptions {
    kind: &'static str,
    name: String,
    fallback: Option<Handler>,
    capacity: usize,
    backpressure: Backpressure,
    drain_timeout: Duration,
    on_error: Option<ErrorReporter>,
    wire: Wire,
}

impl QueueOptions {
    fn new(name: &'static str) -> QueueOptions {
        QueueOptions {
            kind: name,
            name: name.to_owned(),
            fallback: None,
            capacity: 10_000,
            backpressure: Backpressure::Block,
            drain_timeout: NETWORK_DRAIN_TIMEOUT,
            on_error: None,
            wire: Wire::Pickle,
        }
    }

    fn spawn(
        self,
        address: String,
        retry: RetryPolicy,
        delivery: impl super::worker::Deliver,
    ) -> Result<Queued, Error> {
        let mut worker = Worker::builder(self.name)
            .label(format!("{}({address})", self.kind))
            .capacity(self.capacity)
            .backpressure(self.backpressure)
            .retry(retry);
        if let Some(report) = self.on_error {
            worker = worker.on_error(report);
        }
        if let Some(fallback) = self.fallback {
            worker = worker.fallback(fallback);
        }
        let worker = worker.spawn(delivery).map_err(|source| Error::Io {
            context: "cannot start the socket handler's thread".to_owned(),
            source,
        })?;
        Ok(Queued {
            background: Background::new(worker, self.drain_timeout),
            address,
        })
    }
}

/// A socket handler's queue and where it sends.
struct Queued {
    background: Background,
    address: String,
}

impl Queued {
    /// Queues an owned copy; its error is kept as `exc_text`, which is what CPython's
    /// `makePickle` formats the record for.
    fn emit(&self, record: &LogRecord<'_>) -> Result<(), HandlerError> {
        self.background
            .send(|| Ok(OwnedRecord::from_record(record)))
    }
}

use super::os_error_text;

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    #[cfg(target_os = "linux")]
    fn socket_errors_read_as_cpythons() {
        assert_eq!(
            os_error_text(&io::Error::from_raw_os_error(111)),
            "ConnectionRefusedError: [Errno 111] Connection refused"
        );
        assert_eq!(
            os_error_text(&io::Error::from_raw_os_error(90)),
            "OSError: [Errno 90] Message too long"
        );
        assert_eq!(
            os_error_text(&io::Error::from_raw_os_error(11)),
            "TimeoutError: timed out"
        );
    }
}
