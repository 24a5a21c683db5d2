//! A small but real SMTP server for the SMTP handler's tests, on loopback: EHLO, STARTTLS (rustls
//! with an rcgen certificate), implicit TLS, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA (dot-unstuffed),
//! RSET, NOOP, QUIT. It records what it received, can hang (accept and never answer), and stops
//! when dropped. Every wait is bounded.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// One email as the server received it.
#[derive(Clone, Debug)]
pub struct Mail {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The DATA payload, dot-unstuffed, lines ended by CRLF, without the final `.` line.
    pub data: Vec<u8>,
    /// The user that logged in, if any.
    pub user: Option<String>,
    /// Whether the session was encrypted when the mail was sent.
    pub tls: bool,
}

impl Mail {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }

    /// The header block and the body, split at the first empty line.
    pub fn split(&self) -> (String, String) {
        let text = self.text();
        match text.split_once("\r\n\r\n") {
            Some((h, b)) => (h.to_owned(), b.to_owned()),
            None => (text, String::new()),
        }
    }

    /// The headers, unfolded, as (name, value) in order.
    pub fn headers(&self) -> Vec<(String, String)> {
        let (head, _) = self.split();
        let mut out: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = out.last_mut() {
                    last.1.push_str(line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                out.push((name.to_owned(), value.trim_start().to_owned()));
            }
        }
        out
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers()
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// How the server behaves.
#[derive(Clone, Default)]
pub struct Options {
    /// Offer STARTTLS with this certificate.
    pub starttls: Option<Arc<rustls::ServerConfig>>,
    /// TLS from the first byte.
    pub implicit_tls: Option<Arc<rustls::ServerConfig>>,
    /// Require AUTH with these credentials before MAIL.
    pub auth: Option<(String, String)>,
    /// Accept connections and never answer.
    pub hang: bool,
}

/// A self-signed certificate for `localhost` and `127.0.0.1`: the server's config and the PEM the
/// client trusts.
pub struct TestCert {
    pub server: Arc<rustls::ServerConfig>,
    pub pem: String,
    pub key_pem: String,
}

pub fn test_cert() -> TestCert {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("generate a certificate");
    let key_pem = certified.signing_key.serialize_pem();
    let der = CertificateDer::from(certified.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![der], key)
    .expect("server certificate");
    TestCert {
        server: Arc::new(server),
        pem: certified.cert.pem(),
        key_pem,
    }
}

/// A running server; stops (and closes its port) when dropped.
pub struct Server {
    pub addr: SocketAddr,
    mails: Arc<Mutex<Vec<Mail>>>,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

#[path = "../reserved_port/mod.rs"]
mod reserved_port;
#[allow(unused_imports)] // not every test that uses these helpers holds a port
pub use reserved_port::reserve_port;

impl Server {
    pub fn start(options: Options) -> Server {
        Server::start_on(0, options)
    }

    /// Starts on `port` (0 for any), retrying the bind for up to 5 s (a port just closed).
    pub fn start_on(port: u16, options: Options) -> Server {
        let deadline = Instant::now() + Duration::from_secs(5);
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(l) => break l,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("cannot bind 127.0.0.1:{port}: {e}"),
            }
        };
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        let mails = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (mails, stop, connections) = (mails.clone(), stop.clone(), connections.clone());
            std::thread::spawn(move || accept_loop(listener, options, mails, stop, connections))
        };
        Server {
            addr,
            mails,
            stop,
            connections,
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Waits (at most `timeout`) until `n` mails arrived; returns them.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + timeout;
        while self.mails.lock().unwrap().len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.mails()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    options: Options,
    mails: Arc<Mutex<Vec<Mail>>>,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
) {
    let mut sessions = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                connections.fetch_add(1, Ordering::SeqCst);
                let (options, mails, stop) = (options.clone(), mails.clone(), stop.clone());
                sessions.push(std::thread::spawn(move || {
                    let _ = session(stream, &options, &mails, &stop);
                }));
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => break,
        }
    }
    drop(listener);
    for s in sessions {
        let _ = s.join();
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// A session's connection: reads lines, stopping when the server stops or after 20 s of silence.
struct Conn<'a> {
    stream: Option<Stream>,
    buf: Vec<u8>,
    stop: &'a AtomicBool,
}

impl Conn<'_> {
    fn stream(&mut self) -> io::Result<&mut Stream> {
        self.stream
            .as_mut()
            .ok_or_else(|| io::Error::other("no stream"))
    }

    fn read_line(&mut self) -> io::Result<Vec<u8>> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=i).collect();
                return Ok(line);
            }
            if self.stop.load(Ordering::SeqCst) || Instant::now() > deadline {
                return Err(io::Error::other("stopped"));
            }
            let mut chunk = [0u8; 4096];
            match self.stream()?.read(&mut chunk) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn reply(&mut self, text: &str) -> io::Result<()> {
        let stream = self.stream()?;
        stream.write_all(text.as_bytes())?;
        stream.write_all(b"\r\n")?;
        stream.flush()
    }

    fn is_tls(&self) -> bool {
        matches!(self.stream, Some(Stream::Tls(_)))
    }

    fn start_tls(&mut self, config: &Arc<rustls::ServerConfig>) -> io::Result<()> {
        let Some(Stream::Plain(tcp)) = self.stream.take() else {
            return Err(io::Error::other("already encrypted"));
        };
        let conn = rustls::ServerConnection::new(config.clone()).map_err(io::Error::other)?;
        self.stream = Some(Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))));
        Ok(())
    }
}

fn b64(text: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

fn session(
    tcp: TcpStream,
    options: &Options,
    mails: &Mutex<Vec<Mail>>,
    stop: &AtomicBool,
) -> io::Result<()> {
    tcp.set_nonblocking(false)?;
    tcp.set_read_timeout(Some(Duration::from_millis(50)))?;
    if options.hang {
        // Accept, say nothing, until the client gives up or the server stops.
        let mut conn = Conn {
            stream: Some(Stream::Plain(tcp)),
            buf: Vec::new(),
            stop,
        };
        while conn.read_line().is_ok() {}
        return Ok(());
    }
    let mut conn = Conn {
        stream: Some(Stream::Plain(tcp)),
        buf: Vec::new(),
        stop,
    };
    if let Some(config) = &options.implicit_tls {
        conn.start_tls(config)?;
    }
    conn.reply("220 localhost test SMTP server ready")?;
    let mut user: Option<String> = None;
    let mut from: Option<String> = None;
    let mut rcpt: Vec<String> = Vec::new();
    loop {
        let line = conn.read_line()?;
        let line = String::from_utf8_lossy(&line).trim_end().to_owned();
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            let mut lines = vec!["250-localhost".to_owned(), "250-8BITMIME".to_owned()];
            if options.starttls.is_some() && !conn.is_tls() {
                lines.push("250-STARTTLS".to_owned());
            }
            if options.auth.is_some() {
                lines.push("250-AUTH PLAIN LOGIN".to_owned());
            }
            lines.push("250 SMTPUTF8".to_owned());
            conn.reply(&lines.join("\r\n"))?;
        } else if upper == "STARTTLS" {
            match &options.starttls {
                Some(config) if !conn.is_tls() => {
                    conn.reply("220 2.0.0 Ready to start TLS")?;
                    conn.start_tls(config)?;
                }
                _ => conn.reply("502 5.5.1 STARTTLS not offered")?,
            }
        } else if let Some(rest) = upper.strip_prefix("AUTH ") {
            let args: Vec<&str> = line[5..].split_whitespace().collect();
            let given = if rest.starts_with("PLAIN") {
                let encoded = match args.get(1) {
                    Some(a) => a.to_string(),
                    None => {
                        conn.reply("334 ")?;
                        String::from_utf8_lossy(&conn.read_line()?).into_owned()
                    }
                };
                b64(&encoded).and_then(|plain| {
                    let mut parts = plain.split('\0');
                    let _authzid = parts.next()?;
                    Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
                })
            } else if rest.starts_with("LOGIN") {
                conn.reply("334 VXNlcm5hbWU6")?;
                let u = b64(&String::from_utf8_lossy(&conn.read_line()?));
                conn.reply("334 UGFzc3dvcmQ6")?;
                let p = b64(&String::from_utf8_lossy(&conn.read_line()?));
                u.zip(p)
            } else {
                None
            };
            match (&options.auth, given) {
                (Some((u, p)), Some((gu, gp))) if *u == gu && *p == gp => {
                    user = Some(gu);
                    conn.reply("235 2.7.0 Authentication successful")?;
                }
                _ => conn.reply("535 5.7.8 Authentication credentials invalid")?,
            }
        } else if upper.starts_with("MAIL FROM:") {
            if options.auth.is_some() && user.is_none() {
                conn.reply("530 5.7.0 Authentication required")?;
                continue;
            }
            from = Some(address(&line[10..]));
            rcpt.clear();
            conn.reply("250 2.1.0 OK")?;
        } else if upper.starts_with("RCPT TO:") {
            rcpt.push(address(&line[8..]));
            conn.reply("250 2.1.5 OK")?;
        } else if upper == "DATA" {
            if from.is_none() || rcpt.is_empty() {
                conn.reply("503 5.5.1 Bad sequence of commands")?;
                continue;
            }
            conn.reply("354 End data with <CR><LF>.<CR><LF>")?;
            let mut data = Vec::new();
            loop {
                let l = conn.read_line()?;
                if l == b".\r\n" {
                    break;
                }
                data.extend_from_slice(l.strip_prefix(b".").unwrap_or(&l));
            }
            mails.lock().unwrap().push(Mail {
                mail_from: from.take().unwrap_or_default(),
                rcpt_to: std::mem::take(&mut rcpt),
                data,
                user: user.clone(),
                tls: conn.is_tls(),
            });
            conn.reply("250 2.0.0 OK queued")?;
        } else if upper == "RSET" {
            from = None;
            rcpt.clear();
            conn.reply("250 2.0.0 OK")?;
        } else if upper == "NOOP" {
            conn.reply("250 2.0.0 OK")?;
        } else if upper == "QUIT" {
            conn.reply("221 2.0.0 Bye")?;
            let _ = conn.stream()?.tcp().shutdown(std::net::Shutdown::Both);
            return Ok(());
        } else {
            conn.reply("500 5.5.2 Command not recognized")?;
        }
    }
}

/// `<a@b> SIZE=10` → `a@b`.
fn address(arg: &str) -> String {
    let arg = arg.trim();
    let end = arg.find('>').map_or(arg.len(), |i| i + 1);
    arg[..end]
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}
