//! A small HTTP/1.1 server on loopback for the HTTP handler tests: a real `TcpListener`, one thread
//! per connection, each request recorded (request line, headers in order and case, body) before
//! it is answered as the test scripted. Optionally over TLS (rustls, `ring`) with a certificate
//! made by `rcgen`. Dropping the server stops it and releases connections it holds open.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub request_line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// How the server answers a request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// This status, with these extra headers, and an empty body.
    Status(u16, Vec<(String, String)>),
    /// Never answers: the connection stays open until the server is dropped.
    Hang,
}

impl Reply {
    pub fn ok() -> Reply {
        Reply::Status(200, Vec::new())
    }
}

struct State {
    requests: Mutex<Vec<Recorded>>,
    arrived: Condvar,
    /// Replies for the next requests, in order; then `default`.
    script: Mutex<VecDeque<Reply>>,
    default: Mutex<Reply>,
    stopping: AtomicBool,
    held: Mutex<Vec<TcpStream>>,
}

pub struct Server {
    addr: SocketAddr,
    state: Arc<State>,
    accept: Option<JoinHandle<()>>,
}

/// A certificate for `127.0.0.1` and the server config that presents it.
pub struct TestCert {
    pub pem: String,
    pub config: Arc<rustls::ServerConfig>,
}

impl TestCert {
    pub fn new() -> TestCert {
        let key = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
            .expect("certificate generation");
        let der = key.cert.der().clone();
        let private =
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.signing_key.serialize_der().into());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![der], private)
        .expect("server certificate");
        TestCert {
            pem: key.cert.pem(),
            config: Arc::new(config),
        }
    }
}

#[path = "../reserved_port/mod.rs"]
mod reserved_port;
#[allow(unused_imports)] // not every test that uses these helpers holds a port
pub use reserved_port::reserve_port;

impl Server {
    /// A plain http server on a free loopback port, answering 200.
    pub fn start() -> Server {
        Server::start_on(0, None)
    }

    /// An https server presenting `cert`.
    pub fn start_tls(cert: &TestCert) -> Server {
        Server::start_on(0, Some(cert.config.clone()))
    }

    pub fn start_on(port: u16, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            requests: Mutex::new(Vec::new()),
            arrived: Condvar::new(),
            script: Mutex::new(VecDeque::new()),
            default: Mutex::new(Reply::ok()),
            stopping: AtomicBool::new(false),
            held: Mutex::new(Vec::new()),
        });
        let accept_state = state.clone();
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_state.stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let state = accept_state.clone();
                let tls = tls.clone();
                std::thread::spawn(move || serve(&state, stream, tls));
            }
        });
        Server {
            addr,
            state,
            accept: Some(accept),
        }
    }

    /// `127.0.0.1:<port>`, Python's `host` argument.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The replies for the next requests, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.script.lock().unwrap().extend(replies);
    }

    /// The reply once the script is used up.
    pub fn set_default(&self, reply: Reply) {
        *self.state.default.lock().unwrap() = reply;
    }

    /// What arrived so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Waits (at most `limit`) until `n` requests arrived; returns what arrived.
    pub fn wait_for(&self, n: usize, limit: Duration) -> Vec<Recorded> {
        let deadline = Instant::now() + limit;
        let mut requests = self.state.requests.lock().unwrap();
        while requests.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            requests = self.state.arrived.wait_timeout(requests, left).unwrap().0;
        }
        requests.clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.state.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        for stream in self.state.held.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve(state: &State, stream: TcpStream, tls: Option<Arc<rustls::ServerConfig>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let Ok(held) = stream.try_clone() else { return };
    match tls {
        None => handle(state, stream, held),
        Some(config) => {
            let Ok(conn) = rustls::ServerConnection::new(config) else {
                return;
            };
            handle(state, rustls::StreamOwned::new(conn, stream), held);
        }
    }
}

/// Reads one request, records it, answers it (or holds the connection) and closes.
fn handle<S: Read + Write>(state: &State, stream: S, held: TcpStream) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(": ") {
            headers.push((name.to_owned(), value.to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let reply = {
        let next = state.script.lock().unwrap().pop_front();
        next.unwrap_or_else(|| state.default.lock().unwrap().clone())
    };
    {
        let mut requests = state.requests.lock().unwrap();
        requests.push(Recorded {
            request_line: request_line.trim_end().to_owned(),
            headers,
            body,
        });
        state.arrived.notify_all();
    }
    match reply {
        Reply::Hang => {
            // Kept open until the server is dropped, which shuts it down.
            state.held.lock().unwrap().push(held);
            let mut sink = [0u8; 64];
            let _ = reader.read(&mut sink);
        }
        Reply::Status(code, extra) => {
            let mut response = format!("HTTP/1.1 {code} {}\r\n", reason(code));
            for (name, value) in extra {
                response.push_str(&format!("{name}: {value}\r\n"));
            }
            response.push_str("Content-Length: 0\r\nConnection: close\r\n\r\n");
            let stream = reader.get_mut();
            let _ = stream.write_all(response.as_bytes());
            let _ = stream.flush();
        }
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
