//! The tutorial's "console + email on errors": warnings and above on the console, errors also by
//! email, fed by `tracing` events.
//!
//! ```python
//! import logging, logging.handlers
//! logger = logging.getLogger(__name__)
//! console = logging.StreamHandler()
//! console.setLevel(logging.WARNING)
//! mail = logging.handlers.SMTPHandler(("localhost", 2525), "app@example.com",
//!                                     ["ops@example.com"], "Error in app")
//! mail.setLevel(logging.ERROR)
//! logger.addHandler(console)
//! logger.addHandler(mail)
//! logger.warning("This is a warning")
//! logger.error("This is an error")
//! ```
//!
//! Run with `cargo run --example email --features smtp`. With no argument it starts a tiny SMTP
//! server on loopback itself and prints what arrived; give `HOST:PORT` to send to a real server
//! (e.g. `python3 -m aiosmtpd -n -l 127.0.0.1:2525`) instead.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use pylog::{Formatter, Level, SmtpHandler, StreamHandler};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (host, port, server) = match std::env::args().nth(1) {
        Some(target) => {
            let (host, port) = target
                .rsplit_once(':')
                .ok_or("expected HOST:PORT, e.g. 127.0.0.1:2525")?;
            (host.to_owned(), port.parse()?, None)
        }
        None => {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let port = listener.local_addr()?.port();
            let server = std::thread::spawn(move || receive_one(&listener));
            ("127.0.0.1".to_owned(), port, Some(server))
        }
    };

    let logger = pylog::get_logger(module_path!());
    logger.add_handler(
        StreamHandler::stderr()
            .with_level(Level::WARNING)
            .with_formatter(Formatter::new("%(name)s - %(levelname)s - %(message)s")?),
    );
    let mail = SmtpHandler::builder(
        host,
        "app@example.com",
        ["ops@example.com"],
        "%(levelname)s in %(name)s on %(hostname)s",
    )
    .port(port)
    .timeout(Duration::from_secs(5))
    .build()?
    .with_level(Level::ERROR)
    .with_formatter(Formatter::new(
        "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
    )?);
    logger.add_handler(mail);
    pylog::install()?;

    tracing::warn!("This is a warning");
    tracing::error!("This is an error");

    // Delivers what is queued and stops the handler's thread.
    pylog::shutdown();
    if let Some(server) = server {
        match server.join() {
            Ok(Ok(mail)) => println!("--- the SMTP server received ---\n{mail}"),
            Ok(Err(e)) => eprintln!("the example's SMTP server failed: {e}"),
            Err(_) => eprintln!("the example's SMTP server panicked"),
        }
    }
    Ok(())
}

/// Just enough SMTP to receive one email: returns its DATA.
fn receive_one(listener: &TcpListener) -> std::io::Result<String> {
    let (stream, _) = listener.accept()?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    let mut data = String::new();
    writeln!(out, "220 localhost example server\r")?;
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line)? == 0 {
            return Ok(data);
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command == "DATA" {
            writeln!(out, "354 go ahead\r")?;
            loop {
                let mut l = String::new();
                if lines.read_line(&mut l)? == 0 || l == ".\r\n" {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l).trim_end_matches('\r'));
            }
            let data = data.replace("\r\n", "\n");
            writeln!(out, "250 queued\r")?;
            let mut quit = String::new();
            let _ = lines.read_line(&mut quit);
            let _ = writeln!(out, "221 bye\r");
            return Ok(data);
        } else if command.starts_with("EHLO") {
            writeln!(out, "250 localhost\r")?;
        } else {
            writeln!(out, "250 OK\r")?;
        }
    }
}
