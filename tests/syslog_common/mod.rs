//! Recording syslog servers for the syslog tests: UDP, TCP and Unix datagram, on loopback or in a
//! temporary folder. Every wait is bounded: a server thread lives at most [`LIFETIME`], and each
//! wait for data gives up after the time it is given.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The longest a server thread runs before it stops by itself.
pub const LIFETIME: Duration = Duration::from_secs(120);

/// How long a test waits for something that should happen at once.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Polls `done` every few milliseconds until it holds or `limit` passes; returns whether it held.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A UDP socket on 127.0.0.1 that keeps what it receives.
pub struct UdpRecorder {
    socket: UdpSocket,
}

impl UdpRecorder {
    pub fn start() -> UdpRecorder {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a loopback UDP port");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("set a read timeout");
        UdpRecorder { socket }
    }

    pub fn addr(&self) -> SocketAddr {
        self.socket
            .local_addr()
            .expect("a bound socket has an address")
    }

    /// The datagrams that arrive until `n` have, or `limit` passes.
    pub fn take(&self, n: usize, limit: Duration) -> Vec<Vec<u8>> {
        take_datagrams(n, limit, |buf| self.socket.recv(buf))
    }
}

/// A Unix datagram socket bound at a path.
pub struct UnixRecorder {
    socket: UnixDatagram,
}

impl UnixRecorder {
    pub fn bind(path: &Path) -> UnixRecorder {
        let socket = UnixDatagram::bind(path).expect("bind a Unix datagram socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("set a read timeout");
        UnixRecorder { socket }
    }

    pub fn take(&self, n: usize, limit: Duration) -> Vec<Vec<u8>> {
        take_datagrams(n, limit, |buf| self.socket.recv(buf))
    }
}

fn take_datagrams(
    n: usize,
    limit: Duration,
    mut recv: impl FnMut(&mut [u8]) -> std::io::Result<usize>,
) -> Vec<Vec<u8>> {
    let deadline = Instant::now() + limit;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 65_536];
    while got.len() < n && Instant::now() < deadline {
        match recv(&mut buf) {
            Ok(len) => got.push(buf[..len].to_vec()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("receiving a datagram: {e}"),
        }
    }
    got
}

/// The bytes of each accepted connection, in the order they were accepted.
type Connections = Arc<Mutex<Vec<Arc<Mutex<Vec<u8>>>>>>;

/// A TCP server on 127.0.0.1 that accepts any number of connections and keeps the bytes of each.
/// [`stop`](TcpRecorder::stop) closes the listener and every connection, as a server that dies.
pub struct TcpRecorder {
    port: u16,
    stop: Arc<AtomicBool>,
    connections: Connections,
    thread: Option<JoinHandle<()>>,
}

impl TcpRecorder {
    pub fn start() -> TcpRecorder {
        TcpRecorder::start_on(0)
    }

    /// A server on a given port (0: any free port).
    pub fn start_on(port: u16) -> TcpRecorder {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind a loopback TCP port");
        let port = listener.local_addr().expect("bound").port();
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let stop = Arc::new(AtomicBool::new(false));
        let connections: Connections = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let stop = stop.clone();
            let connections = connections.clone();
            std::thread::spawn(move || serve(listener, &stop, &connections))
        };
        TcpRecorder {
            port,
            stop,
            connections,
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The bytes received so far on each connection, in the order they were accepted.
    pub fn connections(&self) -> Vec<Vec<u8>> {
        self.connections
            .lock()
            .unwrap()
            .iter()
            .map(|c| c.lock().unwrap().clone())
            .collect()
    }

    /// Everything received so far, all connections in order.
    pub fn all_bytes(&self) -> Vec<u8> {
        self.connections().concat()
    }

    /// Closes every connection and the listener, and waits for that to be done.
    pub fn stop(mut self) -> Vec<Vec<u8>> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the server thread ends");
        }
        self.connections()
    }
}

impl Drop for TcpRecorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve(listener: TcpListener, stop: &AtomicBool, connections: &Mutex<Vec<Arc<Mutex<Vec<u8>>>>>) {
    let started = Instant::now();
    let mut open = Vec::new();
    let mut buf = [0u8; 65_536];
    while !stop.load(Ordering::SeqCst) && started.elapsed() < LIFETIME {
        let mut idle = true;
        if let Ok((stream, _)) = listener.accept() {
            stream.set_nonblocking(true).expect("non-blocking stream");
            let bytes = Arc::new(Mutex::new(Vec::new()));
            connections.lock().unwrap().push(bytes.clone());
            open.push((stream, bytes));
            idle = false;
        }
        open.retain_mut(|(stream, bytes)| match stream.read(&mut buf) {
            Ok(0) => false,
            Ok(n) => {
                bytes.lock().unwrap().extend_from_slice(&buf[..n]);
                idle = false;
                true
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => true,
            Err(_) => false,
        });
        if idle {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    // Dropping the streams and the listener here closes them: the clients see the end.
}
