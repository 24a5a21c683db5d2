//! `shutdown()` against real listeners on loopback, over TCP syslog, the socket handler and HTTP:
//!
//! - **The server comes back.** It is down when the records are logged, `shutdown()` is called
//!   at 1 s and the server starts listening at 2 s: the close keeps trying (its backoff wait ends
//!   when the close begins) and every record is delivered before `shutdown()` returns.
//! - **The server never comes up.** `shutdown()` returns within the drain timeout plus 1 s (a
//!   generous bound), one line on stderr names the handler, its destination and the exact number
//!   of records left, and the fallback file holds exactly those records, in order.
//!
//! - **Two servers never come up.** Their drains run side by side: `shutdown()` still returns
//!   within one drain timeout plus 1 s, and each handler accounts for its own records.
//!
//! Each case runs in a child process (the test binary again), since `shutdown()` closes every
//! handler of the process.

mod files_common;
mod http_common;
mod syslog_common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use files_common::{check_child, child_role, spawn_child};
use pylog::syslog::{Framing, SockType};
use pylog::{FileHandler, Handler, HttpHandler, Level, RetryPolicy, SocketHandler, SysLogHandler};
use syslog_common::{PATIENCE, TcpRecorder, wait_until};

/// Records logged in each case.
const RECORDS: usize = 5;
/// The drain timeout of the "never comes up" cases (the "comes back" cases keep the default).
const SHORT_DRAIN: Duration = Duration::from_secs(2);

const DIR_ENV: &str = "PYLOG_SHUTDOWN_TEST_DIR";
const PORT_ENV: &str = "PYLOG_SHUTDOWN_TEST_PORT";

/// A port nothing listens on: bound once to learn a free one, then released.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("bound").port()
}

fn message(i: usize) -> String {
    format!("record {i}")
}

/// The handler under test, sending to `127.0.0.1:port`, with `fallback` as its fallback.
fn network_handler(kind: &str, port: u16, drain: Option<Duration>, fallback: Handler) -> Handler {
    match kind {
        "syslog" => {
            let builder = SysLogHandler::builder()
                .address(("127.0.0.1", port))
                .socktype(Some(SockType::Stream))
                .framing(Framing::LineFeed)
                .append_nul(false)
                .fallback(fallback);
            match drain {
                Some(d) => builder.drain_timeout(d),
                None => builder,
            }
            .build()
        }
        "socket" => {
            let builder = SocketHandler::builder("127.0.0.1", port).fallback(fallback);
            match drain {
                Some(d) => builder.drain_timeout(d),
                None => builder,
            }
            .build()
        }
        "http" => {
            // Retried until delivered or given up at close (the default gives up after three
            // attempts, before the close).
            let builder = HttpHandler::builder(format!("127.0.0.1:{port}"), "/log")
                .retry(RetryPolicy {
                    max_attempts: None,
                    initial_backoff: Duration::from_millis(200),
                    max_backoff: Duration::from_secs(5),
                })
                .fallback(fallback);
            match drain {
                Some(d) => builder.drain_timeout(d),
                None => builder,
            }
            .build()
        }
        other => panic!("unknown handler kind {other}"),
    }
    .expect("the handler starts")
}

/// A server of that kind on `port`; `received()` counts the records it got.
enum Server {
    Tcp(TcpRecorder, &'static str),
    Http(http_common::Server),
}

impl Server {
    fn start(kind: &str, port: u16) -> Server {
        match kind {
            "syslog" => Server::Tcp(TcpRecorder::start_on(port), "syslog"),
            "socket" => Server::Tcp(TcpRecorder::start_on(port), "socket"),
            _ => Server::Http(http_common::Server::start_on(port, None)),
        }
    }

    /// The messages received, in order.
    fn received(&self) -> Vec<String> {
        let found = |text: &str| {
            (0..RECORDS)
                .filter(|&i| text.contains(&message(i)))
                .map(message)
                .collect::<Vec<_>>()
        };
        match self {
            Server::Tcp(recorder, "syslog") => {
                let bytes = recorder.all_bytes();
                String::from_utf8_lossy(&bytes)
                    .lines()
                    .flat_map(found)
                    .collect()
            }
            Server::Tcp(recorder, _) => frames(&recorder.all_bytes())
                .iter()
                .flat_map(|frame| found(&String::from_utf8_lossy(frame)))
                .collect(),
            Server::Http(server) => server
                .requests()
                .iter()
                .flat_map(|r| found(&r.request_line.replace('+', " ")))
                .collect(),
        }
    }
}

/// The payloads of length-prefixed frames (a 4-byte big-endian length, then the payload).
fn frames(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while bytes.len() >= 4 {
        let length = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        if bytes.len() < 4 + length {
            break;
        }
        out.push(bytes[4..4 + length].to_vec());
        bytes = &bytes[4 + length..];
    }
    out
}

/// The child: logs the records with the server down, starts the server at 2 s when the case is
/// `returns`, calls `shutdown()` at 1 s, and prints what happened on stdout.
#[test]
fn child_logs_then_shuts_down() {
    let Some(role) = child_role() else {
        return;
    };
    let (kind, case) = role.split_once('-').expect("role kind-case");
    let dir = PathBuf::from(std::env::var(DIR_ENV).expect("dir"));
    let port: u16 = std::env::var(PORT_ENV)
        .expect("port")
        .parse()
        .expect("port");
    if kind == "two" {
        two_handlers_down(&dir, port);
        return;
    }
    let start = Instant::now();
    let fallback = FileHandler::builder(dir.join("fallback.log"))
        .build()
        .expect("the fallback file");
    let drain = (case == "never").then_some(SHORT_DRAIN);
    let handler = network_handler(kind, port, drain, fallback);
    let logger = pylog::get_logger("app");
    logger.set_level(Level::INFO);
    logger.add_handler(handler.clone());
    for i in 0..RECORDS {
        logger.info(format_args!("{}", message(i)));
    }
    let server = (case == "returns").then(|| {
        let kind = kind.to_owned();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(2).saturating_sub(start.elapsed()));
            Server::start(&kind, port)
        })
    });
    std::thread::sleep(Duration::from_secs(1).saturating_sub(start.elapsed()));
    let began = Instant::now();
    pylog::shutdown();
    let took = began.elapsed();
    let stats = handler.queue_stats().expect("a queued handler");
    println!(
        "RESULT took_ms={} delivered={} fallback={} dropped={}",
        took.as_millis(),
        stats.delivered,
        stats.fallback,
        stats.dropped
    );
    if let Some(server) = server {
        let server = server.join().expect("the server starts");
        // Delivered means written to the connection before `shutdown()` returned; the server
        // reads it in its own time.
        wait_until(PATIENCE, || server.received().len() >= RECORDS);
        println!("RECEIVED {}", server.received().join("|"));
    }
}

/// The child of the two-handlers case: syslog and the socket handler, both down, each with its
/// own fallback file.
fn two_handlers_down(dir: &Path, port: u16) {
    let handlers: Vec<Handler> = ["syslog", "socket"]
        .iter()
        .map(|kind| {
            let fallback = FileHandler::builder(dir.join(format!("{kind}.log")))
                .build()
                .expect("the fallback file");
            network_handler(kind, port, Some(SHORT_DRAIN), fallback)
        })
        .collect();
    let logger = pylog::get_logger("app");
    logger.set_level(Level::INFO);
    for handler in &handlers {
        logger.add_handler(handler.clone());
    }
    for i in 0..RECORDS {
        logger.info(format_args!("{}", message(i)));
    }
    let began = Instant::now();
    pylog::shutdown();
    let took = began.elapsed();
    let fallback: u64 = handlers
        .iter()
        .map(|h| h.queue_stats().expect("queued").fallback)
        .sum();
    println!(
        "RESULT took_ms={} delivered=0 fallback={fallback} dropped=0",
        took.as_millis()
    );
}

/// What a child printed: the `key=value` pairs of its RESULT line, its RECEIVED line, and its
/// stderr.
struct Outcome {
    took: Duration,
    delivered: u64,
    fallback: u64,
    dropped: u64,
    received: Option<String>,
    stderr: String,
}

fn run(kind: &str, case: &str, dir: &Path, port: u16) -> Outcome {
    let role = format!("{kind}-{case}");
    let output = spawn_child(
        "child_logs_then_shuts_down",
        &role,
        &[
            (DIR_ENV, dir.display().to_string()),
            (PORT_ENV, port.to_string()),
        ],
    )
    .wait_with_output()
    .expect("wait for the child");
    check_child(&role, &output);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let result = stdout
        .lines()
        .find_map(|l| l.split_once("RESULT ").map(|(_, r)| r))
        .unwrap_or_else(|| panic!("no RESULT line in {stdout}"));
    let field = |name: &str| -> u64 {
        result
            .split(' ')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {result}"))
    };
    Outcome {
        took: Duration::from_millis(field("took_ms")),
        delivered: field("delivered"),
        fallback: field("fallback"),
        dropped: field("dropped"),
        received: stdout
            .lines()
            .find_map(|l| l.split_once("RECEIVED ").map(|(_, r)| r))
            .map(str::to_owned),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn all_messages() -> Vec<String> {
    (0..RECORDS).map(message).collect()
}

fn server_comes_back(kind: &str) {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run(kind, "returns", dir.path(), closed_port());
    assert_eq!(
        (outcome.delivered, outcome.fallback, outcome.dropped),
        (RECORDS as u64, 0, 0),
        "every record delivered before shutdown() returned; stderr:\n{}",
        outcome.stderr
    );
    assert_eq!(outcome.received, Some(all_messages().join("|")));
    // The default drain timeout is 5 s; the server came up 1 s into it.
    assert!(
        outcome.took < Duration::from_secs(5 + 1),
        "shutdown took {:?}",
        outcome.took
    );
    assert!(
        !outcome.stderr.contains("not delivered within"),
        "{}",
        outcome.stderr
    );
    let fallback = std::fs::read_to_string(dir.path().join("fallback.log")).unwrap_or_default();
    assert_eq!(fallback, "");
}

fn server_never_comes_up(kind: &str, label: impl Fn(u16) -> String) {
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    let outcome = run(kind, "never", dir.path(), port);
    assert!(
        outcome.took < SHORT_DRAIN + Duration::from_secs(1),
        "shutdown took {:?}",
        outcome.took
    );
    let fallback_path = dir.path().join("fallback.log");
    let lines: Vec<&str> = outcome
        .stderr
        .lines()
        .filter(|l| l.starts_with("pylog: "))
        .collect();
    assert_eq!(
        lines,
        [format!(
            "pylog: {}: {RECORDS} records not delivered within the drain timeout (2s); \
             handed to the fallback handler <FileHandler {} (NOTSET)>",
            label(port),
            fallback_path.display()
        )],
        "stderr:\n{}",
        outcome.stderr
    );
    assert_eq!(
        (outcome.delivered, outcome.fallback, outcome.dropped),
        (0, RECORDS as u64, 0)
    );
    let fallback = std::fs::read_to_string(&fallback_path).expect("the fallback file");
    assert_eq!(fallback.lines().collect::<Vec<_>>(), all_messages());
}

#[test]
fn tcp_syslog_delivers_to_a_server_that_comes_back_during_shutdown() {
    if child_role().is_none() {
        server_comes_back("syslog");
    }
}

#[test]
fn socket_handler_delivers_to_a_receiver_that_comes_back_during_shutdown() {
    if child_role().is_none() {
        server_comes_back("socket");
    }
}

#[test]
fn http_handler_delivers_to_a_server_that_comes_back_during_shutdown() {
    if child_role().is_none() {
        server_comes_back("http");
    }
}

#[test]
fn tcp_syslog_hands_what_is_left_to_the_fallback_when_the_server_never_comes() {
    if child_role().is_none() {
        server_never_comes_up("syslog", |port| {
            format!("SysLogHandler(tcp 127.0.0.1:{port})")
        });
    }
}

#[test]
fn socket_handler_hands_what_is_left_to_the_fallback_when_the_receiver_never_comes() {
    if child_role().is_none() {
        server_never_comes_up("socket", |port| format!("SocketHandler(127.0.0.1:{port})"));
    }
}

#[test]
fn http_handler_hands_what_is_left_to_the_fallback_when_the_server_never_comes() {
    if child_role().is_none() {
        server_never_comes_up("http", |port| {
            format!("HTTPHandler(http://127.0.0.1:{port}/log)")
        });
    }
}

#[test]
fn two_handlers_that_are_down_drain_side_by_side() {
    if child_role().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    let outcome = run("two", "never", dir.path(), port);
    // One drain timeout, not two.
    assert!(
        outcome.took < SHORT_DRAIN + Duration::from_secs(1),
        "shutdown took {:?}",
        outcome.took
    );
    assert_eq!(outcome.fallback, 2 * RECORDS as u64);
    let lines: Vec<&str> = outcome
        .stderr
        .lines()
        .filter(|l| l.starts_with("pylog: "))
        .collect();
    assert_eq!(lines.len(), 2, "one line per handler: {}", outcome.stderr);
    for kind in ["syslog", "socket"] {
        let fallback = std::fs::read_to_string(dir.path().join(format!("{kind}.log"))).unwrap();
        assert_eq!(
            fallback.lines().collect::<Vec<_>>(),
            all_messages(),
            "{kind}"
        );
    }
}
