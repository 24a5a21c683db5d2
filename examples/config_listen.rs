//! `config::listen` with an HMAC check: the program listens for new logging configurations on
//! 127.0.0.1:9030 (Python's `logging.config.listen()` port) and applies only those signed with
//! the shared key. **Without such a check, anything that can reach the port can reconfigure
//! logging.**
//!
//! ```sh
//! PYLOG_CONFIG_KEY='a long random secret' cargo run --example config_listen --features listen
//! ```
//!
//! A sender signs the file with Python's `hmac` and sends it as the logging cookbook's client
//! does (a 4-byte big-endian length, then the bytes):
//!
//! ```python
//! import hashlib, hmac, socket, struct
//! data = open("logging.json", "rb").read()
//! payload = hmac.new(b"a long random secret", data, hashlib.sha256).digest() + data
//! s = socket.create_connection(("127.0.0.1", 9030))
//! s.sendall(struct.pack(">L", len(payload)) + payload)
//! s.close()
//! ```
//!
//! Without `PYLOG_CONFIG_KEY` it runs a demonstration within itself on a port the system picks:
//! an unsigned configuration is refused (the reason goes to stderr), a signed one is applied.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pylog::config::{ConfigListener, DEFAULT_LOGGING_CONFIG_PORT, Verify};
use ring::hmac;

/// Accepts a payload whose first 32 bytes are the HMAC-SHA256 of the rest under `key`, and
/// applies the rest.
fn hmac_verify(key: &[u8]) -> Verify {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    Arc::new(move |payload: &[u8]| {
        let Some((tag, config)) = payload.split_at_checked(32) else {
            return Err("shorter than an HMAC-SHA256 signature".to_owned());
        };
        hmac::verify(&key, config, tag)
            .map(|()| config.to_vec())
            .map_err(|_| "the HMAC-SHA256 signature does not match".to_owned())
    })
}

fn send(to: SocketAddr, payload: &[u8]) -> std::io::Result<()> {
    let mut client = TcpStream::connect(to)?;
    client.write_all(&(payload.len() as u32).to_be_bytes())?;
    client.write_all(payload)
}

fn wait(listener: &ConfigListener, handled: u64) {
    let end = Instant::now() + Duration::from_secs(10);
    while listener.applied() + listener.rejected() < handled && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn demo() -> Result<(), Box<dyn std::error::Error>> {
    let key = b"demo key: use a long random secret";
    let listener = ConfigListener::builder()
        .address("127.0.0.1:0")
        .verify(hmac_verify(key))
        .start()?;
    let config = br#"{"version": 1,
        "formatters": {"f": {"format": "configured over the socket: %(levelname)s %(message)s"}},
        "handlers": {"out": {"class": "logging.StreamHandler", "formatter": "f", "stream": "ext://sys.stdout"}},
        "root": {"level": "INFO", "handlers": ["out"]}}"#;

    send(listener.local_addr(), config)?;
    wait(&listener, 1);
    println!(
        "unsigned: applied {}, refused {}",
        listener.applied(),
        listener.rejected()
    );

    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), config);
    send(listener.local_addr(), &[tag.as_ref(), config].concat())?;
    wait(&listener, 2);
    println!(
        "signed: applied {}, refused {}",
        listener.applied(),
        listener.rejected()
    );
    pylog::get_logger("app").info("hello");
    listener.stop();
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(key) = std::env::var_os("PYLOG_CONFIG_KEY") else {
        return demo();
    };
    let listener = pylog::config::listen(
        DEFAULT_LOGGING_CONFIG_PORT,
        Some(hmac_verify(key.as_encoded_bytes())),
    )?;
    eprintln!(
        "listening for signed configurations on {}",
        listener.local_addr()
    );
    loop {
        std::thread::sleep(Duration::from_secs(10));
        pylog::get_logger("config_listen").info("still running");
    }
}
