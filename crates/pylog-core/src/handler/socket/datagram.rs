//! `DatagramHandler`: one UDP datagram per record, with the same length-prefixed pickle (or JSON)
//! as [`SocketHandler`](super::SocketHandler). Python: `logging.handlers.DatagramHandler`.

use crate::handler::background::delegate_to_background;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::Duration;

use super::{QueueOptions, Queued, Wire, frame, os_error_text};
use crate::error::Error;
use crate::handler::worker::{Backpressure, Deliver, DeliveryError, ErrorReporter, RetryPolicy};
use crate::handler::{Emit, EmitContext, Handler, HandlerError};
use crate::owned_record::OwnedRecord;
use crate::record::LogRecord;

/// Sends each record as one UDP datagram. Python: `logging.handlers.DatagramHandler`.
///
/// UDP does not say whether a datagram arrived; a record whose frame is larger than a datagram can
/// be (65,507 bytes over IPv4) fails with CPython's `OSError: [Errno 90] Message too long`, is
/// counted in [`Handler::stats`]`().errors` and reported once per run of failures.
///
/// ```
/// use std::net::UdpSocket;
/// use pylog_core::{DatagramHandler, Level, LogRecord};
///
/// let receiver = UdpSocket::bind("127.0.0.1:0")?;
/// let handler = DatagramHandler::builder("127.0.0.1", receiver.local_addr()?.port()).build()?;
/// handler.handle(&LogRecord::new("app", Level::INFO, "one datagram"));
/// handler.close();
/// let mut datagram = [0; 2048];
/// let n = receiver.recv(&mut datagram)?;
/// assert_eq!(u32::from_be_bytes(datagram[..4].try_into()?) as usize, n - 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "socket")))]
pub struct DatagramHandler {
    queue: Queued,
}

impl DatagramHandler {
    /// A builder for a handler sending to `host:port` (Python: `DatagramHandler(host, port)`).
    pub fn builder(host: impl Into<String>, port: u16) -> DatagramHandlerBuilder {
        DatagramHandlerBuilder {
            host: host.into(),
            port,
            queue: QueueOptions::new("DatagramHandler"),
        }
    }
}

impl Emit for DatagramHandler {
    fn emit(&self, record: &LogRecord<'_>, _ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        self.queue.emit(record)
    }

    delegate_to_background!(queue.background);

    fn kind(&self) -> &'static str {
        "DatagramHandler"
    }

    fn describe(&self) -> String {
        self.queue.address.clone()
    }
}

/// Builds a [`DatagramHandler`].
///
/// # Default values
///
/// | option | default | Python |
/// |---|---|---|
/// | `wire` | [`Wire::Pickle`] | `makePickle` |
/// | `capacity` | 10,000 records | — (Python sends on the caller's thread) |
/// | `backpressure` | [`Backpressure::Block`] | — |
/// | `drain_timeout` | 5 s | — |
/// | `name` | `DatagramHandler` (thread `pylog:DatagramHandler`) | — |
/// | `on_error` | the `--- Logging error ---` block, once per run of failures | `handleError` |
/// | `fallback` | none: what cannot be sent is counted | — |
#[must_use]
#[cfg_attr(docsrs, doc(cfg(feature = "socket")))]
pub struct DatagramHandlerBuilder {
    host: String,
    port: u16,
    queue: QueueOptions,
}

impl DatagramHandlerBuilder {
    /// What each datagram carries: CPython's pickle (the default) or JSON.
    pub fn wire(mut self, wire: Wire) -> Self {
        self.queue.wire = wire;
        self
    }

    /// The queue's bound.
    pub fn capacity(mut self, records: usize) -> Self {
        self.queue.capacity = records;
        self
    }

    /// What a full queue does.
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

    /// Replaces the default error report.
    pub fn on_error(mut self, report: ErrorReporter) -> Self {
        self.queue.on_error = Some(report);
        self
    }

    /// The handler that receives, in order, the records that cannot be sent (see
    /// [`Handler::set_fallback`]): those whose send failed, those still queued when a close runs
    /// out of time, and those a dropping [`Backpressure`] policy would drop.
    pub fn fallback(mut self, handler: Handler) -> Self {
        self.queue.fallback = Some(handler);
        self
    }

    /// Starts the handler's thread. The socket is made when the first record is sent.
    pub fn build(self) -> Result<Handler, Error> {
        let address = format!("{}:{}", self.host, self.port);
        let delivery = UdpDelivery {
            host: self.host,
            port: self.port,
            socket: None,
            frame: Vec::new(),
            wire: self.queue.wire,
        };
        // A datagram is sent once, as CPython sends it: a failure is the record's, not retried.
        let queue = self
            .queue
            .spawn(address, RetryPolicy::default(), delivery)?;
        Ok(Handler::new(DatagramHandler { queue }))
    }
}

/// One unconnected UDP socket, made on first use, and the address it sends to.
struct UdpDelivery {
    host: String,
    port: u16,
    socket: Option<(UdpSocket, SocketAddr)>,
    frame: Vec<u8>,
    wire: Wire,
}

impl UdpDelivery {
    /// Python's `makeSocket`: a datagram socket of the receiver's address family.
    fn socket(&mut self) -> io::Result<&(UdpSocket, SocketAddr)> {
        if self.socket.is_none() {
            let target = (self.host.as_str(), self.port)
                .to_socket_addrs()?
                .next()
                .ok_or_else(|| {
                    io::Error::new(io::ErrorKind::NotFound, "getaddrinfo returns an empty list")
                })?;
            let local: SocketAddr = if target.is_ipv4() {
                ([0, 0, 0, 0], 0).into()
            } else {
                ([0u16; 8], 0).into()
            };
            self.socket = Some((UdpSocket::bind(local)?, target));
        }
        self.socket
            .as_ref()
            .ok_or_else(|| io::Error::other("no socket"))
    }
}

impl Deliver for UdpDelivery {
    fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
        for owned in batch {
            self.frame.clear();
            owned
                .with_record(|record| frame::encode(record, self.wire, &mut self.frame))
                .map_err(|e| DeliveryError::Permanent(e.to_string()))?;
            let frame = std::mem::take(&mut self.frame);
            let sent = self
                .socket()
                .and_then(|(socket, target)| socket.send_to(&frame, *target));
            self.frame = frame;
            match sent {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(DeliveryError::Permanent(format!("OSError: {e}")));
                }
                Err(e) => return Err(DeliveryError::Permanent(os_error_text(&e))),
            }
        }
        Ok(())
    }

    fn close(&mut self) {
        self.socket = None;
    }
}
