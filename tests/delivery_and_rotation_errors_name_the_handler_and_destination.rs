//! Every delivery or rotation error says which handler failed and where it was writing: the
//! `--- Logging error ---` block keeps CPython's layout and ends with one more line,
//! `Handler: SysLogHandler(tcp 127.0.0.1:514)`; a failed rename names its source and target as
//! CPython's `os.rename` does. A failure that repeats for every record is reported once.
//!
//! Each case runs in a child process (the test binary again) whose stderr is read.

mod files_common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use files_common::{child_role, logger_with, run_child};
use pylog::syslog::{SockType, SyslogAddress};
use pylog::{
    Handler, HttpHandler, RetryPolicy, RotatingFileHandler, SmtpHandler, SocketHandler,
    SysLogHandler, set_raise_exceptions,
};

const DIR_ENV: &str = "PYLOG_ERROR_TEST_DIR";
const PORT_ENV: &str = "PYLOG_ERROR_TEST_PORT";

/// A port nothing listens on: bound once to learn a free one, then released.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("bound").port()
}

fn once() -> RetryPolicy {
    RetryPolicy {
        max_attempts: Some(1),
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(1),
    }
}

/// The handler of a network case, sending to `127.0.0.1:port` (or a Unix socket in `dir`).
fn network_handler(case: &str, port: u16, dir: &Path) -> Handler {
    let drain = Duration::from_millis(300);
    match case {
        "syslog-tcp" => SysLogHandler::builder()
            .address(("127.0.0.1", port))
            .socktype(Some(SockType::Stream))
            .drain_timeout(drain)
            .build(),
        "syslog-unix" => SysLogHandler::builder()
            .address(SyslogAddress::unix(dir.join("missing.sock")))
            .drain_timeout(drain)
            .build(),
        "socket" => SocketHandler::builder("127.0.0.1", port)
            .drain_timeout(drain)
            .build(),
        "http" => HttpHandler::builder(format!("127.0.0.1:{port}"), "/log")
            .retry(once())
            .drain_timeout(drain)
            .build(),
        "smtp" => SmtpHandler::builder("127.0.0.1", "app@example.com", ["ops@example.com"], "s")
            .port(port)
            .retry(once())
            .drain_timeout(drain)
            .build(),
        other => panic!("unknown case {other}"),
    }
    .expect("the handler starts")
}

/// The child: logs through the handler of its case, then closes it.
#[test]
fn child_logs_through_a_failing_handler() {
    let Some(case) = child_role() else {
        return;
    };
    set_raise_exceptions(true);
    let dir = PathBuf::from(std::env::var(DIR_ENV).expect("dir"));
    let handler = if case == "rename" {
        // The namer puts the rotated file in a directory that does not exist: the rename fails.
        let missing = dir.join("missing");
        RotatingFileHandler::builder(dir.join("app.log"))
            .max_bytes(30)
            .backup_count(2)
            .namer(move |default| missing.join(default.file_name().expect("a file name")))
            .build()
            .expect("the handler")
    } else {
        let port: u16 = std::env::var(PORT_ENV)
            .expect("port")
            .parse()
            .expect("port");
        network_handler(&case, port, &dir)
    };
    let (_tree, logger) = logger_with(&handler);
    // Ten-byte lines: with max_bytes 30, records 02 to 05 each need a rollover.
    for i in 0..6 {
        logger.error(format_args!("record {i:02}"));
        if case != "rename" {
            // Each network record fails before the next is logged.
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    if case == "rename" {
        // Every record is written to the current file; the failed rollover is one error for
        // the burst, reported once.
        let stats = handler.stats();
        assert_eq!((stats.emitted, stats.errors), (5, 1), "{stats:?}");
    }
    handler.close();
}

/// The child's `--- Logging error ---` blocks (each as its lines, the first left out) and its
/// other stderr lines.
fn run(case: &str, dir: &Path, port: u16) -> (Vec<Vec<String>>, Vec<String>) {
    let output = run_child(
        "child_logs_through_a_failing_handler",
        case,
        &[
            (DIR_ENV, dir.display().to_string()),
            (PORT_ENV, port.to_string()),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let mut blocks: Vec<Vec<String>> = Vec::new();
    let mut others = Vec::new();
    let mut in_block = false;
    for line in stderr.lines() {
        if line == "--- Logging error ---" {
            blocks.push(Vec::new());
            in_block = true;
        } else if line.starts_with("pylog: ") {
            others.push(line.to_owned());
            in_block = false;
        } else if in_block && let Some(block) = blocks.last_mut() {
            block.push(line.to_owned());
        } else {
            others.push(line.to_owned());
        }
    }
    (blocks, others)
}

/// Checks the one block of a network case: Python's layout, the error, and the handler line.
fn check_network_case(case: &str, error: impl Fn(&str) -> bool, handler: impl Fn(u16) -> String) {
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    let (blocks, others) = run(case, dir.path(), port);
    // Six records fail the same way: one report for the burst.
    assert_eq!(blocks.len(), 1, "{blocks:?} {others:?}");
    let block = &blocks[0];
    assert_eq!(block.len(), 5, "{block:?}");
    assert!(error(&block[0]), "{block:?}");
    assert!(block[1].starts_with("Logged from file "), "{block:?}");
    assert_eq!(block[2], "Message: 'record 00'");
    assert_eq!(block[3], "Arguments: ()");
    assert_eq!(block[4], format!("Handler: {}", handler(port)), "{block:?}");
}

const REFUSED: &str = "ConnectionRefusedError: [Errno 111] Connection refused";

#[test]
fn tcp_syslog_connection_refused_names_the_handler_and_address() {
    if child_role().is_none() {
        check_network_case(
            "syslog-tcp",
            |e| e == REFUSED,
            |port| format!("SysLogHandler(tcp 127.0.0.1:{port})"),
        );
    }
}

#[test]
fn a_missing_unix_syslog_socket_names_the_handler_and_path() {
    if child_role().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (blocks, others) = run("syslog-unix", dir.path(), 0);
    assert_eq!(blocks.len(), 1, "{blocks:?} {others:?}");
    assert_eq!(
        blocks[0][0],
        "FileNotFoundError: [Errno 2] No such file or directory"
    );
    assert_eq!(
        blocks[0][4],
        format!(
            "Handler: SysLogHandler(unix {})",
            dir.path().join("missing.sock").display()
        )
    );
}

#[test]
fn socket_handler_connection_refused_names_the_handler_and_address() {
    if child_role().is_none() {
        check_network_case(
            "socket",
            |e| e == REFUSED,
            |port| format!("SocketHandler(127.0.0.1:{port})"),
        );
    }
}

#[test]
fn http_handler_connection_refused_names_the_handler_and_url() {
    if child_role().is_none() {
        check_network_case(
            "http",
            |e| e.contains("Connection refused"),
            |port| format!("HTTPHandler(http://127.0.0.1:{port}/log)"),
        );
    }
}

#[test]
fn smtp_handler_connection_refused_names_the_handler_and_server() {
    if child_role().is_none() {
        check_network_case(
            "smtp",
            |e| e == REFUSED,
            |port| format!("SMTPHandler(127.0.0.1:{port})"),
        );
    }
}

#[test]
fn a_rename_that_fails_names_both_paths_and_the_handler_once_per_burst() {
    if child_role().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (blocks, others) = run("rename", dir.path(), 0);
    assert_eq!(blocks.len(), 1, "{blocks:?} {others:?}");
    let base = dir.path().join("app.log");
    assert_eq!(
        blocks[0][0],
        format!(
            "FileNotFoundError: [Errno 2] No such file or directory: '{}' -> '{}'",
            base.display(),
            dir.path().join("missing").join("app.log.1").display()
        )
    );
    assert_eq!(blocks[0][2], "Message: 'record 02'");
    assert_eq!(
        blocks[0][4],
        format!("Handler: RotatingFileHandler({})", base.display())
    );
    // Every record was kept in the current file.
    let kept = std::fs::read_to_string(&base).unwrap();
    assert_eq!(kept.lines().count(), 6, "{kept}");
}
