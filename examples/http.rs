//! HttpHandler: records POSTed to a web server, Python's `HTTPHandler(host, url, method="POST",
//! credentials=...)`. The example starts a tiny HTTP server on loopback itself and prints each
//! request that arrived.
//!
//! ```sh
//! cargo run --example http --features http
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;

use pylog::{HttpHandler, HttpMethod, Level, Manager};

/// Answers `count` requests with 200 and sends each request's head and body to `arrived`.
fn serve(listener: TcpListener, count: usize, arrived: mpsc::Sender<String>) {
    for stream in listener.incoming().take(count) {
        let Ok(mut stream) = stream else { continue };
        let mut reader = BufReader::new(&mut stream);
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            head.push_str(&line);
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        let _ =
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        let _ = arrived.send(format!("{head}\n{}\n", String::from_utf8_lossy(&body)));
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let host = listener.local_addr()?.to_string();
    let (arrived, received) = mpsc::channel();
    let server = thread::spawn(move || serve(listener, 2, arrived));

    let tree = Manager::new();
    let http = HttpHandler::builder(&host, "/log")
        .method(HttpMethod::Post)
        .credentials("app", "secret")
        .build()?
        .with_level(Level::WARNING);
    let logger = tree.get_logger("app");
    logger.add_handler(http.clone());

    logger.info("not sent: below the handler's level");
    logger.warning("disk 91% full");
    logger
        .event(Level::ERROR)
        .extra("user", 7)
        .log("payment failed");
    http.close(); // delivers what is queued, then stops the handler's thread

    for request in received.iter().take(2) {
        println!("{request}");
    }
    server.join().map_err(|_| "the server thread panicked")?;
    println!("stats: {:?}", http.stats());
    Ok(())
}
