//! A log server for CPython's `SocketHandler` and `DatagramHandler`: it listens on TCP and UDP,
//! reads each frame (a 4-byte big-endian length, then the record's dict pickled by
//! `makePickle`) and hands the record to a logger tree, as the logging cookbook's
//! `LogRecordStreamHandler` does with `logging.getLogger(name).handle(makeLogRecord(d))`.
//!
//! A Rust program can then be the log server of a fleet of Python programs, with this library's
//! rotation, network handlers and configuration files behind it (the `log_server` example takes
//! a dictConfig file).
//!
//! ```
//! use pylog_core::receiver::Receiver;
//! use pylog_core::{Formatter, Manager, SharedWriter, SocketHandler, StreamHandler};
//!
//! let tree = Manager::new();
//! let out = SharedWriter::new();
//! tree.root().add_handler(
//!     StreamHandler::writer(out.clone())
//!         .with_formatter(Formatter::new("%(name)-15s %(levelname)-8s %(message)s")?),
//! );
//! let receiver = Receiver::builder().tcp("127.0.0.1:0").manager(&tree).start()?;
//!
//! // A sender: here our own SocketHandler; CPython's sends the same frames.
//! let port = receiver.tcp_addr().map_or(0, |a| a.port());
//! let sender = pylog_core::Manager::new();
//! let handler = SocketHandler::builder("127.0.0.1", port).build()?;
//! sender.get_logger("app.db").add_handler(handler.clone());
//! sender.get_logger("app.db").warning("disk almost full");
//! handler.close();
//! # let end = std::time::Instant::now() + std::time::Duration::from_secs(30);
//! # while receiver.stats().records < 1 && std::time::Instant::now() < end {
//! #     std::thread::sleep(std::time::Duration::from_millis(10));
//! # }
//! receiver.stop();
//! assert_eq!(out.contents(), "app.db          WARNING  disk almost full\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Safety against what arrives
//!
//! Anything that can reach the ports can send frames, so nothing in a frame is trusted:
//! - The pickle is read by [`pickle::read`], which decodes data only and
//!   never imports, constructs or calls anything (`GLOBAL`, `REDUCE` and the like are refused),
//!   with bounded nesting and value counts ([`ReceiverBuilder::limits`]).
//! - A frame longer than [`ReceiverBuilder::max_frame`] is refused before anything is read into
//!   memory, and its connection closed (the stream cannot be resynchronised). A frame that does
//!   not complete within [`ReceiverBuilder::frame_timeout`] closes its connection too.
//! - At most [`ReceiverBuilder::max_connections`] connections are served at once.
//! - Records are routed to the logger of their name when it exists, else to its nearest
//!   existing ancestor, which is what a new logger would propagate to; so a sender inventing names
//!   cannot grow the logger tree (CPython's `getLogger` creates each one).
//!
//! Each refusal is counted by reason ([`ReceiverStats::rejections`]) and reported to the
//! [`on_reject`](ReceiverBuilder::on_reject) hook, which by default prints one line to stderr.

mod record;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read as _};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::manager::Manager;
use crate::pickle::{self, Limits};
use record::ReceivedRecord;

/// CPython's `logging.handlers.DEFAULT_TCP_LOGGING_PORT`.
pub const DEFAULT_TCP_LOGGING_PORT: u16 = 9020;
/// CPython's `logging.handlers.DEFAULT_UDP_LOGGING_PORT`.
pub const DEFAULT_UDP_LOGGING_PORT: u16 = 9021;

/// How often the server's threads look at the stop flag.
const POLL: Duration = Duration::from_millis(50);

/// The transport a frame came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// A `SocketHandler` connection.
    Tcp,
    /// A `DatagramHandler` datagram.
    Udp,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        })
    }
}

/// A frame (or connection) the receiver refused.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// Where it came from.
    pub transport: Transport,
    /// The sender's address.
    pub peer: SocketAddr,
    /// A short fixed name for the reason, the key of [`ReceiverStats::rejections`]: the pickle
    /// reader's ([`PickleError::reason`](crate::pickle::PickleError::reason)), or
    /// `not-a-record`, `frame-too-large`, `bad-datagram`, `truncated`, `timeout`,
    /// `too-many-connections`.
    pub reason: &'static str,
    /// What was wrong, in full.
    pub message: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refused a frame from {} over {}: {}",
            self.peer, self.transport, self.message
        )
    }
}

/// Why a frame's payload is not a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadError {
    /// A short fixed name (see [`Rejection::reason`]).
    pub reason: &'static str,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PayloadError {}

fn decode(payload: &[u8], limits: &Limits) -> Result<ReceivedRecord, PayloadError> {
    let value = pickle::read(payload, limits).map_err(|e| PayloadError {
        reason: e.reason(),
        message: e.to_string(),
    })?;
    ReceivedRecord::from_dict(value).map_err(|message| PayloadError {
        reason: "not-a-record",
        message,
    })
}

/// Decodes one frame's payload (what follows the length prefix) as a [`Receiver`] does, and
/// formats the record it holds with every attribute, without handing it to any logger: for
/// checking what a sender produces, and for fuzzing.
///
/// ```
/// use pylog_core::pickle::Limits;
/// use pylog_core::receiver::check_payload;
/// let err = check_payload(b"cos\nsystem\n.", &Limits::default()).unwrap_err();
/// assert_eq!(err.reason, "forbidden");
/// // pickle.dumps({"name": "app", "msg": "hi", "levelno": 20}, 1)
/// let ok = b"}q\x00(X\x04\x00\x00\x00nameq\x01X\x03\x00\x00\x00appq\x02X\x03\x00\x00\x00msgq\x03X\x02\x00\x00\x00hiq\x04X\x07\x00\x00\x00levelnoq\x05K\x14u.";
/// assert_eq!(check_payload(ok, &Limits::default()), Ok(()));
/// ```
pub fn check_payload(payload: &[u8], limits: &Limits) -> Result<(), PayloadError> {
    let record = decode(payload, limits)?;
    record.with_record(|r| {
        let mut names: Vec<&str> = crate::record::RECORD_DICT_KEYS.to_vec();
        names.extend(r.extras.iter().map(|(k, _)| *k));
        let format = names
            .iter()
            .filter(|n| !matches!(**n, "args" | "exc_info"))
            .map(|n| format!("%({n})s"))
            .collect::<Vec<_>>()
            .join("|");
        if let Ok(formatter) = crate::format::Formatter::new(&format) {
            let mut out = String::new();
            let _ = formatter.format(r, &mut out);
        }
    });
    Ok(())
}

/// Called for each refusal.
pub type RejectHook = Arc<dyn Fn(&Rejection) + Send + Sync>;

/// What a receiver has done so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiverStats {
    /// Records handed to the logger tree.
    pub records: u64,
    /// Frames and connections refused, all reasons together.
    pub rejected: u64,
    /// Refusals by [`Rejection::reason`].
    pub rejections: BTreeMap<&'static str, u64>,
    /// TCP connections accepted.
    pub connections: u64,
}

/// Builds a [`Receiver`].
///
/// # Default values
///
/// | option | default |
/// |---|---|
/// | `tcp`, `udp` | not listening (give at least one; CPython's ports are [`DEFAULT_TCP_LOGGING_PORT`] and [`DEFAULT_UDP_LOGGING_PORT`]) |
/// | `manager` | the global tree |
/// | `logger_name` | none: each record goes to the logger of its `name` (the cookbook's `logname`) |
/// | `max_frame` | 4 MiB |
/// | `limits` | [`Limits::default`] (depth 32, 100,000 values) |
/// | `max_connections` | 256 |
/// | `frame_timeout` | 30 s from a frame's first byte to its last |
/// | `on_reject` | one line on stderr: `pylog receiver: refused a frame from …` |
#[must_use]
pub struct ReceiverBuilder {
    tcp: Option<String>,
    udp: Option<String>,
    manager: Option<Manager>,
    logger_name: Option<String>,
    max_frame: usize,
    limits: Limits,
    max_connections: usize,
    frame_timeout: Duration,
    on_reject: Option<RejectHook>,
}

impl ReceiverBuilder {
    /// Listens for `SocketHandler` connections on `addr` (`"127.0.0.1:9020"`; port 0 picks one).
    pub fn tcp(mut self, addr: impl Into<String>) -> Self {
        self.tcp = Some(addr.into());
        self
    }

    /// Listens for `DatagramHandler` datagrams on `addr`.
    pub fn udp(mut self, addr: impl Into<String>) -> Self {
        self.udp = Some(addr.into());
        self
    }

    /// The logger tree records are handed to.
    pub fn manager(mut self, manager: &Manager) -> Self {
        self.manager = Some(manager.clone());
        self
    }

    /// Hands every record to this one logger, whatever its name (the cookbook's `logname`).
    pub fn logger_name(mut self, name: impl Into<String>) -> Self {
        self.logger_name = Some(name.into());
        self
    }

    /// The longest frame accepted, in bytes (the length prefix not counted).
    pub fn max_frame(mut self, bytes: usize) -> Self {
        self.max_frame = bytes;
        self
    }

    /// What one pickle may hold.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// How many TCP connections are served at once; more are closed as they arrive.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// How long a frame may take from its first byte to its last before its connection is
    /// closed. Between frames a connection may stay idle for as long as the sender likes.
    pub fn frame_timeout(mut self, timeout: Duration) -> Self {
        self.frame_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Replaces the report of each refusal (by default one line on stderr).
    pub fn on_reject(mut self, hook: RejectHook) -> Self {
        self.on_reject = Some(hook);
        self
    }

    /// Binds the addresses and starts serving, each transport on its own thread (and each TCP
    /// connection on one more).
    pub fn start(self) -> Result<Receiver, Error> {
        if self.tcp.is_none() && self.udp.is_none() {
            return Err(Error::Io {
                context: "the receiver has no address to listen on".to_owned(),
                source: io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "give .tcp(addr) or .udp(addr)",
                ),
            });
        }
        let bind_error = |what: &str, addr: &str| {
            let context = format!("cannot listen for {what} on {addr}");
            move |source| Error::Io { context, source }
        };
        let tcp = match &self.tcp {
            Some(addr) => {
                let listener = TcpListener::bind(addr.as_str())
                    .map_err(bind_error("SocketHandler connections", addr))?;
                listener
                    .set_nonblocking(true)
                    .map_err(bind_error("SocketHandler connections", addr))?;
                Some(listener)
            }
            None => None,
        };
        let udp = match &self.udp {
            Some(addr) => {
                let socket = UdpSocket::bind(addr.as_str())
                    .map_err(bind_error("DatagramHandler datagrams", addr))?;
                socket
                    .set_read_timeout(Some(POLL))
                    .map_err(bind_error("DatagramHandler datagrams", addr))?;
                Some(socket)
            }
            None => None,
        };
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            manager: self
                .manager
                .unwrap_or_else(|| crate::manager::global().clone()),
            logger_name: self.logger_name,
            max_frame: self.max_frame,
            limits: self.limits,
            max_connections: self.max_connections,
            frame_timeout: self.frame_timeout,
            on_reject: self.on_reject.unwrap_or_else(|| {
                Arc::new(|rejection: &Rejection| eprintln!("pylog receiver: {rejection}"))
            }),
            records: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            open: AtomicUsize::new(0),
            rejections: Mutex::new(BTreeMap::new()),
            connection_threads: Mutex::new(Vec::new()),
        });
        let spawn_error = |source| Error::Io {
            context: "cannot start the receiver's thread".to_owned(),
            source,
        };
        let mut threads = Vec::new();
        let tcp_addr = tcp.as_ref().and_then(|l| l.local_addr().ok());
        let udp_addr = udp.as_ref().and_then(|s| s.local_addr().ok());
        if let Some(listener) = tcp {
            let shared = shared.clone();
            let thread = std::thread::Builder::new()
                .name("pylog:receiver-tcp".to_owned())
                .spawn(move || serve_tcp(&listener, &shared))
                .map_err(spawn_error)?;
            threads.push(thread);
        }
        if let Some(socket) = udp {
            let thread_shared = shared.clone();
            let thread = std::thread::Builder::new()
                .name("pylog:receiver-udp".to_owned())
                .spawn(move || serve_udp(&socket, &thread_shared));
            match thread {
                Ok(thread) => threads.push(thread),
                Err(e) => {
                    shared.stop.store(true, Ordering::SeqCst);
                    for thread in threads {
                        let _ = thread.join();
                    }
                    return Err(spawn_error(e));
                }
            }
        }
        Ok(Receiver {
            shared,
            threads,
            tcp_addr,
            udp_addr,
        })
    }
}

/// A running log server; see the [module docs](self). Stops when [`stop`](Receiver::stop)ped
/// or dropped.
pub struct Receiver {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
    tcp_addr: Option<SocketAddr>,
    udp_addr: Option<SocketAddr>,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("tcp", &self.tcp_addr)
            .field("udp", &self.udp_addr)
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// A builder; give it at least one address.
    pub fn builder() -> ReceiverBuilder {
        ReceiverBuilder {
            tcp: None,
            udp: None,
            manager: None,
            logger_name: None,
            max_frame: 4 << 20,
            limits: Limits::default(),
            max_connections: 256,
            frame_timeout: Duration::from_secs(30),
            on_reject: None,
        }
    }

    /// The TCP address it listens on (with the port the system chose for port 0).
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp_addr
    }

    /// The UDP address it listens on.
    pub fn udp_addr(&self) -> Option<SocketAddr> {
        self.udp_addr
    }

    /// What it has done so far.
    pub fn stats(&self) -> ReceiverStats {
        let rejections = self
            .shared
            .rejections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        ReceiverStats {
            records: self.shared.records.load(Ordering::SeqCst),
            rejected: rejections.values().sum(),
            rejections,
            connections: self.shared.connections.load(Ordering::SeqCst),
        }
    }

    /// Stops listening, closes every connection and waits for the threads (at most about 50 ms
    /// after the record each is handling).
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        let connections = std::mem::take(
            &mut *self
                .shared
                .connection_threads
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        for thread in connections {
            let _ = thread.join();
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.halt();
    }
}

/// What every server thread shares.
struct Shared {
    stop: AtomicBool,
    manager: Manager,
    logger_name: Option<String>,
    max_frame: usize,
    limits: Limits,
    max_connections: usize,
    frame_timeout: Duration,
    on_reject: RejectHook,
    records: AtomicU64,
    connections: AtomicU64,
    /// Connections being served now.
    open: AtomicUsize,
    rejections: Mutex<BTreeMap<&'static str, u64>>,
    connection_threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn reject(
        &self,
        transport: Transport,
        peer: SocketAddr,
        reason: &'static str,
        message: String,
    ) {
        *self
            .rejections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(reason)
            .or_insert(0) += 1;
        (self.on_reject)(&Rejection {
            transport,
            peer,
            reason,
            message,
        });
    }

    /// Decodes one frame's payload and hands the record to the tree.
    fn route(&self, payload: &[u8], transport: Transport, peer: SocketAddr) {
        let record = match decode(payload, &self.limits) {
            Ok(record) => record,
            Err(e) => return self.reject(transport, peer, e.reason, e.message),
        };
        let logger = match &self.logger_name {
            Some(name) => self.manager.get_logger(name),
            None => self
                .manager
                .find_logger(record.name())
                .unwrap_or_else(|| self.manager.nearest_ancestor(record.name())),
        };
        record.with_record(|r| logger.handle(r));
        self.records.fetch_add(1, Ordering::SeqCst);
    }
}

fn serve_tcp(listener: &TcpListener, shared: &Arc<Shared>) {
    while !shared.stopping() {
        match listener.accept() {
            Ok((stream, peer)) => {
                if shared.open.load(Ordering::SeqCst) >= shared.max_connections {
                    shared.reject(
                        Transport::Tcp,
                        peer,
                        "too-many-connections",
                        format!("{} connections are open already", shared.max_connections),
                    );
                    continue;
                }
                shared.connections.fetch_add(1, Ordering::SeqCst);
                shared.open.fetch_add(1, Ordering::SeqCst);
                let thread_shared = shared.clone();
                let spawned = std::thread::Builder::new()
                    .name("pylog:receiver-connection".to_owned())
                    .spawn(move || {
                        read_connection(stream, peer, &thread_shared);
                        thread_shared.open.fetch_sub(1, Ordering::SeqCst);
                    });
                let mut threads = shared
                    .connection_threads
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                threads.retain(|t| !t.is_finished());
                match spawned {
                    Ok(thread) => threads.push(thread),
                    Err(e) => {
                        shared.open.fetch_sub(1, Ordering::SeqCst);
                        eprintln!("pylog receiver: cannot serve a connection from {peer}: {e}");
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::sleep(POLL),
            // A connection reset before it was accepted, or no descriptors left: try again soon.
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

/// Reads frames from one connection until the sender closes it, a frame is refused, or the
/// receiver stops.
fn read_connection(mut stream: TcpStream, peer: SocketAddr, shared: &Shared) {
    if stream.set_nonblocking(false).is_err() || stream.set_read_timeout(Some(POLL)).is_err() {
        return;
    }
    let reject = |reason, message| shared.reject(Transport::Tcp, peer, reason, message);
    let mut buffer: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    // When the first byte of the incomplete frame at the front of `buffer` arrived.
    let mut frame_started: Option<Instant> = None;
    while !shared.stopping() {
        let mut consumed = 0;
        while let Some(header) = buffer.get(consumed..consumed + 4) {
            let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
            if len > shared.max_frame {
                reject(
                    "frame-too-large",
                    format!(
                        "a frame of {len} bytes, more than the limit of {} (the connection is closed)",
                        shared.max_frame
                    ),
                );
                return;
            }
            let Some(payload) = buffer.get(consumed + 4..consumed + 4 + len) else {
                break;
            };
            shared.route(payload, Transport::Tcp, peer);
            consumed += 4 + len;
            frame_started = None;
        }
        buffer.drain(..consumed);
        if buffer.is_empty() {
            frame_started = None;
        } else {
            let started = *frame_started.get_or_insert_with(Instant::now);
            if started.elapsed() > shared.frame_timeout {
                reject(
                    "timeout",
                    format!(
                        "a frame did not complete within {:?} ({} bytes arrived; the connection is closed)",
                        shared.frame_timeout,
                        buffer.len()
                    ),
                );
                return;
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) => {
                if !buffer.is_empty() {
                    reject(
                        "truncated",
                        format!("the connection closed {} bytes into a frame", buffer.len()),
                    );
                }
                return;
            }
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            // Reset by the sender: nothing more will come.
            Err(_) => return,
        }
    }
}

fn serve_udp(socket: &UdpSocket, shared: &Shared) {
    // The largest UDP payload, and one byte more to see a datagram that was cut.
    let mut datagram = vec![0u8; 65_536];
    while !shared.stopping() {
        let (n, peer) = match socket.recv_from(&mut datagram) {
            Ok(received) => received,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(_) => {
                // An ICMP error from an earlier send, or a transient fault: keep serving.
                std::thread::sleep(POLL);
                continue;
            }
        };
        let reject = |reason, message| shared.reject(Transport::Udp, peer, reason, message);
        let Some((prefix, payload)) = datagram[..n].split_first_chunk::<4>() else {
            reject(
                "bad-datagram",
                format!("a datagram of {n} bytes has no length prefix"),
            );
            continue;
        };
        let len = u32::from_be_bytes(*prefix) as usize;
        if len != payload.len() {
            reject(
                "bad-datagram",
                format!(
                    "the length prefix says {len} bytes, the datagram carries {}",
                    payload.len()
                ),
            );
        } else if len > shared.max_frame {
            reject(
                "frame-too-large",
                format!(
                    "a frame of {len} bytes, more than the limit of {}",
                    shared.max_frame
                ),
            );
        } else {
            shared.route(payload, Transport::Udp, peer);
        }
    }
}
