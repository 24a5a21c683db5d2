//! The TCP delivery of a [`SocketHandler`](super::SocketHandler): one connection, kept open, made
//! again after a failure on CPython's `createSocket` schedule.

use std::io::{self, Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::frame;
use super::os_error_text;
use crate::handler::worker::{Deliver, DeliveryError};
use crate::owned_record::OwnedRecord;

/// CPython's `retryTime` and `retryPeriod`: when the next connection may be tried.
#[derive(Debug, Clone)]
pub(super) struct Backoff {
    start: Duration,
    factor: f64,
    max: Duration,
    period: Duration,
    retry_time: Option<Instant>,
}

impl Backoff {
    pub(super) fn new(start: Duration, factor: f64, max: Duration) -> Backoff {
        Backoff {
            start,
            factor,
            max,
            period: start,
            retry_time: None,
        }
    }

    /// Whether a connection may be tried at `now` (CPython: `retryTime is None or now >=
    /// retryTime`).
    fn may_attempt(&self, now: Instant) -> bool {
        self.retry_time.is_none_or(|t| now >= t)
    }

    /// A failed attempt at `now`: the first waits `retryStart`, each further one the last wait
    /// times `retryFactor`, capped at `retryMax`.
    fn failed(&mut self, now: Instant) {
        self.period = if self.retry_time.is_none() {
            self.start
        } else {
            Duration::try_from_secs_f64(self.period.as_secs_f64() * self.factor)
                .unwrap_or(self.max)
                .min(self.max)
        };
        self.retry_time = Some(now + self.period);
    }

    fn succeeded(&mut self) {
        self.retry_time = None;
    }

    /// A close began: the next attempt may be made at once, and later ones at most `interval`
    /// apart, since the close gives up at its deadline anyway.
    fn hurry(&mut self, interval: Duration) {
        self.max = self.max.min(interval);
        self.start = self.start.min(interval);
        self.period = self.period.min(interval);
        self.retry_time = None;
    }
}

/// The longest wait between connection attempts while a close drains the queue.
const CLOSE_RETRY_INTERVAL: Duration = Duration::from_millis(250);

/// Connects, writes one frame per record, and reconnects when the connection is lost.
pub(super) struct TcpDelivery {
    host: String,
    port: u16,
    timeout: Duration,
    backoff: Backoff,
    stream: Option<TcpStream>,
    /// Why the last connection attempt failed, returned while waiting for the next one.
    last_error: String,
    frames: Vec<u8>,
    wire: frame::Wire,
}

impl TcpDelivery {
    pub(super) fn new(host: String, port: u16, timeout: Duration, backoff: Backoff) -> TcpDelivery {
        TcpDelivery {
            host,
            port,
            timeout,
            backoff,
            stream: None,
            last_error: String::new(),
            frames: Vec::new(),
            wire: frame::Wire::Pickle,
        }
    }

    /// Sets what the frames carry.
    pub(super) fn wire(mut self, wire: frame::Wire) -> TcpDelivery {
        self.wire = wire;
        self
    }

    /// Python's `createSocket`, once the backoff allows an attempt.
    fn create_socket(&mut self) -> Result<(), DeliveryError> {
        let now = Instant::now();
        if !self.backoff.may_attempt(now) {
            return Err(DeliveryError::Transient(self.last_error.clone()));
        }
        match self.connect() {
            Ok(stream) => {
                self.stream = Some(stream);
                self.backoff.succeeded();
                Ok(())
            }
            Err(e) => {
                self.backoff.failed(now);
                self.last_error = os_error_text(&e);
                Err(DeliveryError::Transient(self.last_error.clone()))
            }
        }
    }

    /// Python's `makeSocket`: `socket.create_connection((host, port), timeout)`, trying each
    /// address the name resolves to.
    fn connect(&self) -> io::Result<TcpStream> {
        let mut last = None;
        for addr in (self.host.as_str(), self.port).to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, self.timeout) {
                Ok(stream) => {
                    stream.set_write_timeout(Some(self.timeout))?;
                    return Ok(stream);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, "getaddrinfo returns an empty list")
        }))
    }

    /// Writes the frames, connecting first if needed; a failed write closes the connection.
    fn send(&mut self) -> Result<(), DeliveryError> {
        if self.stream.as_ref().is_some_and(peer_closed) {
            self.stream = None;
        }
        if self.stream.is_none() {
            self.create_socket()?;
        }
        let Some(stream) = self.stream.as_mut() else {
            return Err(DeliveryError::Transient(self.last_error.clone()));
        };
        if let Err(e) = write_frames(stream, &self.frames, self.timeout) {
            self.stream = None;
            return Err(DeliveryError::Transient(os_error_text(&e)));
        }
        Ok(())
    }
}

/// Writes each length-prefixed frame of `frames` within `timeout` of its start. The deadline is
/// for the whole frame, not for each `write()` call: a receiver that drains a few bytes at a time
/// lets every call make progress, and would otherwise hold the worker for as long as it likes.
fn write_frames(stream: &mut TcpStream, frames: &[u8], timeout: Duration) -> io::Result<()> {
    let mut rest = frames;
    while !rest.is_empty() {
        let length = match rest.get(..4) {
            Some(prefix) => {
                4 + u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize
            }
            None => rest.len(),
        };
        let (frame, next) = rest.split_at(length.min(rest.len()));
        write_within(stream, frame, Instant::now() + timeout)?;
        rest = next;
    }
    Ok(())
}

/// `write_all` that gives up (with `TimedOut`) once `deadline` has passed.
fn write_within(stream: &mut TcpStream, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
    while !bytes.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::from(io::ErrorKind::TimedOut));
        }
        stream.set_write_timeout(Some(left))?;
        match stream.write(bytes) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Whether the receiver has closed (or reset) the connection. A receiver sends nothing, so a
/// readable end of stream means it is gone: finding out before writing keeps a record from being
/// written into a connection that will only answer with a reset. Anything it did send is read and
/// discarded.
fn peer_closed(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let mut scratch = [0u8; 256];
    let mut closed = false;
    for _ in 0..16 {
        match (&*stream).read(&mut scratch) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    closed || stream.set_nonblocking(false).is_err()
}

impl Deliver for TcpDelivery {
    fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
        self.frames.clear();
        for owned in batch {
            owned
                .with_record(|record| frame::encode(record, self.wire, &mut self.frames))
                .map_err(|e| DeliveryError::Permanent(e.to_string()))?;
        }
        // The worker reports the first failure of each outage.
        self.send()
    }

    /// A close has a deadline: CPython's reconnection delay (up to `retryMax`) would outlast it.
    fn closing(&mut self) {
        self.backoff.hurry(CLOSE_RETRY_INTERVAL);
    }

    fn close(&mut self) {
        self.stream = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_by_the_factor_up_to_the_maximum() {
        let mut backoff = Backoff::new(Duration::from_secs(1), 2.0, Duration::from_secs(30));
        let now = Instant::now();
        assert!(backoff.may_attempt(now));
        let mut waits = Vec::new();
        for _ in 0..7 {
            backoff.failed(now);
            waits.push(backoff.period.as_secs());
        }
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
        assert!(!backoff.may_attempt(now + Duration::from_secs(29)));
        assert!(backoff.may_attempt(now + Duration::from_secs(30)));
        backoff.succeeded();
        assert!(backoff.may_attempt(now));
        backoff.failed(now);
        assert_eq!(
            backoff.period,
            Duration::from_secs(1),
            "a new outage starts over"
        );
    }

    #[test]
    fn a_close_makes_the_next_attempt_possible_at_once_and_bounds_the_wait() {
        let mut backoff = Backoff::new(Duration::from_secs(1), 2.0, Duration::from_secs(30));
        let now = Instant::now();
        for _ in 0..6 {
            backoff.failed(now);
        }
        assert!(!backoff.may_attempt(now + Duration::from_secs(10)));
        backoff.hurry(Duration::from_millis(250));
        assert!(backoff.may_attempt(now));
        backoff.failed(now);
        backoff.failed(now);
        assert_eq!(backoff.period, Duration::from_millis(250));
        assert!(backoff.may_attempt(now + Duration::from_millis(250)));
    }

    #[test]
    fn a_factor_that_overflows_waits_the_maximum() {
        let mut backoff = Backoff::new(
            Duration::from_secs(1),
            f64::INFINITY,
            Duration::from_secs(9),
        );
        let now = Instant::now();
        backoff.failed(now);
        backoff.failed(now);
        assert_eq!(backoff.period, Duration::from_secs(9));
    }
}
