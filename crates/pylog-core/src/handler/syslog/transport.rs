//! Where messages go: a UDP or TCP address, or a Unix socket, and the connection to it, made
//! lazily and made again after a failure.
//!
//! As CPython: UDP messages are sent with `sendto` on an unconnected socket (so a missing server
//! is no error); TCP is connected; a Unix socket is tried as a datagram socket first, then as a
//! stream socket, unless the socket type was given, and the type that worked is kept.
//! Unlike CPython, a stream connection whose server has closed it is noticed before the next
//! write, and every failed send on an existing connection is tried once more at once on a fresh
//! one (CPython does that for Unix sockets only).

use std::fmt;
use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::PathBuf;
use std::time::Duration;

use super::message::{Framing, frame};

/// Where a syslog handler sends. Python: the `address` argument, a `(host, port)` tuple or a
/// path string.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyslogAddress {
    /// A host and port, over UDP unless the socket type is [`SockType::Stream`] (TCP).
    Inet {
        /// A name or an address (`localhost`, `127.0.0.1`, `::1`).
        host: String,
        /// The port (514 for syslog).
        port: u16,
    },
    /// A Unix socket (`/dev/log`).
    Unix(PathBuf),
}

impl SyslogAddress {
    /// A host and port (Python: `address=(host, port)`).
    pub fn inet(host: impl Into<String>, port: u16) -> SyslogAddress {
        SyslogAddress::Inet {
            host: host.into(),
            port,
        }
    }

    /// A Unix socket (Python: `address="/dev/log"`).
    pub fn unix(path: impl Into<PathBuf>) -> SyslogAddress {
        SyslogAddress::Unix(path.into())
    }
}

impl Default for SyslogAddress {
    /// Python's default, `('localhost', 514)`.
    fn default() -> Self {
        SyslogAddress::inet("localhost", 514)
    }
}

impl From<SocketAddr> for SyslogAddress {
    fn from(addr: SocketAddr) -> Self {
        SyslogAddress::inet(addr.ip().to_string(), addr.port())
    }
}

impl From<(&str, u16)> for SyslogAddress {
    fn from((host, port): (&str, u16)) -> Self {
        SyslogAddress::inet(host, port)
    }
}

impl fmt::Display for SyslogAddress {
    /// `localhost:514`, `[::1]:514`, `/dev/log`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyslogAddress::Inet { host, port } if host.contains(':') => {
                write!(f, "[{host}]:{port}")
            }
            SyslogAddress::Inet { host, port } => write!(f, "{host}:{port}"),
            SyslogAddress::Unix(path) => write!(f, "{}", path.display()),
        }
    }
}

/// The socket type. Python: `socktype`, `socket.SOCK_DGRAM` or `socket.SOCK_STREAM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SockType {
    /// UDP, or a Unix datagram socket.
    Datagram,
    /// TCP, or a Unix stream socket.
    Stream,
}

enum Connection {
    Udp(UdpSocket, SocketAddr),
    Tcp(TcpStream),
    UnixDatagram(UnixDatagram),
    UnixStream(UnixStream),
}

/// A destination and its connection, if one is open.
pub(crate) struct Transport {
    address: SyslogAddress,
    socktype: Option<SockType>,
    framing: Framing,
    timeout: Duration,
    connection: Option<Connection>,
    framed: Vec<u8>,
}

impl Transport {
    pub(crate) fn new(
        address: SyslogAddress,
        socktype: Option<SockType>,
        framing: Framing,
        timeout: Duration,
    ) -> Transport {
        Transport {
            address,
            socktype,
            framing,
            timeout,
            connection: None,
            framed: Vec::new(),
        }
    }

    /// Sends one message, connecting first when there is no connection. A send that fails on an
    /// existing connection is tried once more on a new one; a failure leaves no connection, so
    /// that the next send connects again.
    pub(crate) fn send(&mut self, msg: &[u8]) -> io::Result<()> {
        if self.connection.as_ref().is_some_and(peer_closed) {
            self.connection = None;
        }
        let fresh = self.connection.is_none();
        let result = self.send_once(msg);
        let result = match result {
            Err(_) if !fresh => self.send_once(msg),
            other => other,
        };
        if result.is_err() {
            self.connection = None;
        }
        result
    }

    /// Closes the connection.
    pub(crate) fn close(&mut self) {
        self.connection = None;
    }

    fn send_once(&mut self, msg: &[u8]) -> io::Result<()> {
        let connection = match &mut self.connection {
            Some(connection) => connection,
            None => {
                self.connection
                    .insert(connect(&self.address, &mut self.socktype, self.timeout)?)
            }
        };
        let result = match connection {
            Connection::Udp(socket, to) => socket.send_to(msg, *to).map(drop),
            Connection::UnixDatagram(socket) => socket.send(msg).map(drop),
            Connection::Tcp(stream) => {
                self.framed.clear();
                frame(self.framing, msg, &mut self.framed);
                stream.write_all(&self.framed)
            }
            Connection::UnixStream(stream) => {
                self.framed.clear();
                frame(self.framing, msg, &mut self.framed);
                stream.write_all(&self.framed)
            }
        };
        if result.is_err() {
            self.connection = None;
        }
        result
    }
}

/// Opens a connection to `address`. For a Unix socket of no given type, tries a datagram socket,
/// then a stream socket, and records the type that worked (as CPython's `_connect_unixsocket`).
fn connect(
    address: &SyslogAddress,
    socktype: &mut Option<SockType>,
    timeout: Duration,
) -> io::Result<Connection> {
    match address {
        SyslogAddress::Unix(path) => {
            let datagram = || {
                let socket = UnixDatagram::unbound()?;
                socket.connect(path)?;
                socket.set_write_timeout(Some(timeout))?;
                Ok(Connection::UnixDatagram(socket))
            };
            let stream = || {
                let stream = UnixStream::connect(path)?;
                stream.set_write_timeout(Some(timeout))?;
                Ok(Connection::UnixStream(stream))
            };
            match *socktype {
                Some(SockType::Datagram) => datagram(),
                Some(SockType::Stream) => stream(),
                None => {
                    let connection = datagram().or_else(|_: io::Error| stream())?;
                    *socktype = Some(match connection {
                        Connection::UnixStream(_) => SockType::Stream,
                        _ => SockType::Datagram,
                    });
                    Ok(connection)
                }
            }
        }
        SyslogAddress::Inet { host, port } => {
            let addrs = resolve(host, *port)?;
            match socktype.unwrap_or(SockType::Datagram) {
                SockType::Datagram => {
                    let to = addrs[0];
                    let local: SocketAddr = if to.is_ipv4() {
                        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
                    } else {
                        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
                    };
                    let socket = UdpSocket::bind(local)?;
                    socket.set_write_timeout(Some(timeout))?;
                    Ok(Connection::Udp(socket, to))
                }
                SockType::Stream => {
                    let mut last = None;
                    for addr in addrs {
                        match TcpStream::connect_timeout(&addr, timeout) {
                            Ok(stream) => {
                                stream.set_write_timeout(Some(timeout))?;
                                stream.set_nodelay(true)?;
                                return Ok(Connection::Tcp(stream));
                            }
                            Err(e) => last = Some(e),
                        }
                    }
                    Err(last
                        .unwrap_or_else(|| io::Error::other("getaddrinfo returns an empty list")))
                }
            }
        }
    }
}

/// The transport and address as error reports name them: `udp localhost:514`,
/// `tcp 127.0.0.1:514`, `unix /dev/log` (a Unix socket whose type is left to be found),
/// `unix-dgram /dev/log` or `unix-stream /dev/log`.
pub(crate) fn describe(address: &SyslogAddress, socktype: Option<SockType>) -> String {
    let transport = match (address, socktype) {
        (SyslogAddress::Inet { .. }, Some(SockType::Stream)) => "tcp",
        (SyslogAddress::Inet { .. }, _) => "udp",
        (SyslogAddress::Unix(_), None) => "unix",
        (SyslogAddress::Unix(_), Some(SockType::Datagram)) => "unix-dgram",
        (SyslogAddress::Unix(_), Some(SockType::Stream)) => "unix-stream",
    };
    format!("{transport} {address}")
}

/// Resolves a host and port (Python: `getaddrinfo`); an empty answer is CPython's error.
pub(crate) fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    if addrs.is_empty() {
        return Err(io::Error::other("getaddrinfo returns an empty list"));
    }
    Ok(addrs)
}

/// Whether the server closed a stream connection: a read that does not wait finds the end of the
/// stream (or an error). Syslog servers send nothing, so anything read is discarded.
fn peer_closed(connection: &Connection) -> bool {
    fn check(
        set_nonblocking: impl Fn(bool) -> io::Result<()>,
        mut read: impl FnMut(&mut [u8]) -> io::Result<usize>,
    ) -> bool {
        if set_nonblocking(true).is_err() {
            return true;
        }
        let mut buf = [0u8; 256];
        let closed = match read(&mut buf) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => e.kind() != io::ErrorKind::WouldBlock,
        };
        set_nonblocking(false).is_err() || closed
    }
    match connection {
        Connection::Tcp(stream) => check(|on| stream.set_nonblocking(on), |b| (&*stream).read(b)),
        Connection::UnixStream(stream) => {
            check(|on| stream.set_nonblocking(on), |b| (&*stream).read(b))
        }
        Connection::Udp(..) | Connection::UnixDatagram(_) => false,
    }
}
