//! A loopback port held for one test: a TCP socket bound to it but not listening.
//!
//! A connection to it is refused, as to a server that is down, and no other socket can take the
//! port while the test holds it: neither a connection's automatic local port nor another test's
//! `127.0.0.1:0`. A server the test starts later binds the same port beside it, since std's
//! `TcpListener::bind` and asyncio's `create_server` set `SO_REUSEADDR`, and Linux lets such a
//! socket share a port with one that is not listening. A port that was bound, released, and
//! bound again later could be taken in between.

use std::net::{Ipv4Addr, SocketAddr};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

/// A loopback port nothing listens on, held until dropped.
pub struct ReservedPort {
    _socket: Socket,
    port: u16,
}

impl ReservedPort {
    /// The port's number.
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Holds a free loopback port for the caller.
pub fn reserve_port() -> ReservedPort {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).expect("a socket");
    socket.set_reuse_address(true).expect("SO_REUSEADDR");
    let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    socket
        .bind(&SockAddr::from(loopback))
        .expect("bind loopback");
    let port = socket
        .local_addr()
        .ok()
        .and_then(|address| address.as_socket())
        .expect("a bound address")
        .port();
    ReservedPort {
        _socket: socket,
        port,
    }
}
