//! A receiver for `SocketHandler` and `DatagramHandler`: it listens on loopback over TCP and UDP,
//! decodes each frame (a 4-byte big-endian length, then the record's dict pickled as CPython's
//! `makePickle` pickles it) with pylog's safe pickle reader and prints the record. (The
//! `log_server` example goes further: it routes CPython's records through a logger tree.)
//!
//! By default it runs a demonstration within itself: it listens on ports the system picks, sends a
//! few records through both handlers, prints what arrives and exits. With `--listen` it listens on
//! CPython's default ports (`logging.handlers.DEFAULT_TCP_LOGGING_PORT` 9020 and
//! `DEFAULT_UDP_LOGGING_PORT` 9021, or the two ports given) until stopped, so that a program using
//! the handlers, in Rust or Python, can send to it.
//!
//! ```sh
//! cargo run --example socket_receiver --features socket
//! cargo run --example socket_receiver --features socket -- --listen 9020 9021
//! ```

use std::io::{self, Read};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::sync::mpsc;
use std::time::Duration;

use pylog::pickle::{Limits, PickleValue};
use pylog::{DatagramHandler, Level, Manager, SocketHandler};

/// One record as the receiver prints it: `[tcp] app.db ERROR: lost`, then `exc_text`.
fn describe(transport: &str, record: &PickleValue) -> String {
    let text = |key: &str| {
        record
            .get(key)
            .map_or_else(|| "?".to_owned(), PickleValue::py_str)
    };
    let mut line = format!(
        "[{transport}] {} {}: {}",
        text("name"),
        text("levelname"),
        text("msg")
    );
    if let Some(PickleValue::Str(exc_text)) = record.get("exc_text") {
        line.push('\n');
        line.push_str(exc_text);
    }
    line
}

/// Decodes one frame's payload; `None` (and the reason) when it is not a pickled dict.
fn decode(transport: &str, payload: &[u8]) -> Option<PickleValue> {
    match pylog::pickle::read(payload, &Limits::default()) {
        Ok(record @ PickleValue::Dict(_)) => Some(record),
        Ok(_) => {
            eprintln!("[{transport}] not a record: {} bytes", payload.len());
            None
        }
        Err(e) => {
            eprintln!("[{transport}] not a record: {e}");
            None
        }
    }
}

/// Reads frames from one TCP connection until the sender closes it.
fn read_connection(mut connection: TcpStream, seen: &mpsc::Sender<String>) -> io::Result<()> {
    let mut length = [0u8; 4];
    loop {
        match connection.read_exact(&mut length) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let length = u32::from_be_bytes(length) as usize;
        if length > 1 << 24 {
            eprintln!("[tcp] a frame of {length} bytes is more than this example reads");
            return Ok(());
        }
        let mut payload = vec![0; length];
        connection.read_exact(&mut payload)?;
        if let Some(record) = decode("tcp", &payload) {
            let _ = seen.send(describe("tcp", &record));
        }
    }
}

fn serve_tcp(listener: TcpListener, seen: mpsc::Sender<String>) {
    for connection in listener.incoming() {
        match connection {
            Ok(connection) => {
                let seen = seen.clone();
                std::thread::spawn(move || {
                    if let Err(e) = read_connection(connection, &seen) {
                        eprintln!("[tcp] connection lost: {e}");
                    }
                });
            }
            Err(e) => eprintln!("[tcp] accept failed: {e}"),
        }
    }
}

fn serve_udp(socket: UdpSocket, seen: mpsc::Sender<String>) {
    let mut datagram = vec![0u8; 65_536];
    loop {
        let n = match socket.recv(&mut datagram) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("[udp] receive failed: {e}");
                return;
            }
        };
        let Some((length, payload)) = datagram[..n].split_first_chunk::<4>() else {
            eprintln!("[udp] a datagram of {n} bytes has no length prefix");
            continue;
        };
        if u32::from_be_bytes(*length) as usize != payload.len() {
            eprintln!("[udp] the length prefix does not match the datagram");
            continue;
        }
        if let Some(record) = decode("udp", payload) {
            let _ = seen.send(describe("udp", &record));
        }
    }
}

/// Starts both receivers; returns their ports and the channel their records arrive on.
fn listen(tcp_port: u16, udp_port: u16) -> io::Result<(u16, u16, mpsc::Receiver<String>)> {
    let tcp = TcpListener::bind(("127.0.0.1", tcp_port))?;
    let udp = UdpSocket::bind(("127.0.0.1", udp_port))?;
    let ports = (tcp.local_addr()?.port(), udp.local_addr()?.port());
    let (seen, records) = mpsc::channel();
    let tcp_seen = seen.clone();
    std::thread::spawn(move || serve_tcp(tcp, tcp_seen));
    std::thread::spawn(move || serve_udp(udp, seen));
    Ok((ports.0, ports.1, records))
}

#[derive(Debug)]
struct Disk;
impl std::fmt::Display for Disk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no space left on device")
    }
}
impl std::error::Error for Disk {}

fn demo() -> Result<(), Box<dyn std::error::Error>> {
    let (tcp_port, udp_port, records) = listen(0, 0)?;
    let tree = Manager::new();
    let app = tree.get_logger("app");
    app.set_level(Level::DEBUG);
    let tcp = SocketHandler::builder("127.0.0.1", tcp_port).build()?;
    let udp = DatagramHandler::builder("127.0.0.1", udp_port).build()?;
    app.add_handler(tcp.clone());
    app.add_handler(udp.clone());

    app.info("service started");
    app.event(Level::WARNING)
        .extra("user", "zoë")
        .log("quota almost reached");
    app.exception("cannot save", &Disk);
    tcp.close();
    udp.close();

    // Three records, each over both transports.
    for _ in 0..6 {
        println!("{}", records.recv_timeout(Duration::from_secs(10))?);
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("--listen") {
        return demo();
    }
    let port = |i: usize, default: u16| -> Result<u16, Box<dyn std::error::Error>> {
        Ok(args
            .get(i)
            .map(|p| p.parse())
            .transpose()?
            .unwrap_or(default))
    };
    let (tcp_port, udp_port, records) = listen(port(1, 9020)?, port(2, 9021)?)?;
    println!("listening on 127.0.0.1, TCP port {tcp_port}, UDP port {udp_port}");
    for line in records {
        println!("{line}");
    }
    Ok(())
}
