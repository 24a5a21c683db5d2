//! Runs the logging cookbook's receivers (`serve.py` beside this file) and CPython senders
//! (`send.py`) for the socket tests, and reads what they print.
//!
//! These tests need `python3`. Without it they print why and pass, unless `CI` is set, where they
//! fail: CI must run them.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The folder of the Python scripts.
pub fn scripts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/socket_cookbook")
}

/// `python3`, or `None` (after saying why) when it is missing outside CI.
pub fn python3() -> Option<Command> {
    let works = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if works {
        return Some(Command::new("python3"));
    }
    if std::env::var_os("CI").is_some() {
        panic!("python3 is required for this test (CI is set): install Python 3");
    }
    eprintln!("SKIPPED: python3 is not installed; this test runs CPython's own socket code");
    None
}

/// What a Python process printed, line by line, on one of its streams.
pub struct Lines(mpsc::Receiver<String>);

impl Lines {
    fn spawn(stream: impl std::io::Read + Send + 'static) -> Lines {
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Lines(lines)
    }

    /// The next line, waiting at most `timeout`.
    pub fn next(&self, timeout: Duration) -> Option<String> {
        self.0.recv_timeout(timeout).ok()
    }

    /// Lines up to and including the first that satisfies `last`; fails the test if it does
    /// not come within `timeout`.
    pub fn until(&self, timeout: Duration, last: impl Fn(&str) -> bool) -> Vec<String> {
        let end = Instant::now() + timeout;
        let mut lines = Vec::new();
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.0.recv_timeout(left) {
                Ok(line) => {
                    let done = last(&line);
                    lines.push(line);
                    if done {
                        return lines;
                    }
                }
                Err(_) => panic!(
                    "the expected line did not come within {timeout:?}; got:\n{}",
                    lines.join("\n")
                ),
            }
        }
    }
}

/// A cookbook receiver in a child process, killed when dropped.
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Where it listens.
    pub port: u16,
    /// `DICT {...}` and `EXTRA ...` lines.
    pub stdout: Lines,
    /// The cookbook's own output (basicConfig's handler).
    pub stderr: Lines,
}

impl Server {
    /// `serve.py tcp|udp`, with `extras_format` for the records of `app.extras` (printed as
    /// `EXTRA <line>`).
    pub fn start(mut python: Command, kind: &str, extras_format: Option<&str>) -> Server {
        python
            .arg(scripts().join("serve.py"))
            .arg(kind)
            .env("PYTHONIOENCODING", "utf-8")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(format) = extras_format {
            python.env("COOKBOOK_EXTRAS_FORMAT", format);
        }
        let mut child = python.spawn().expect("start python3 serve.py");
        let stdin = child.stdin.take();
        let stdout = Lines::spawn(child.stdout.take().expect("stdout"));
        let stderr = Lines::spawn(child.stderr.take().expect("stderr"));
        let mut server = Server {
            child,
            stdin,
            port: 0,
            stdout,
            stderr,
        };
        let first = server.stdout.next(Duration::from_secs(60));
        let port = first
            .as_deref()
            .and_then(|l| l.strip_prefix("PORT "))
            .and_then(|p| p.parse().ok());
        match port {
            Some(port) => server.port = port,
            None => {
                let errors: Vec<String> =
                    std::iter::from_fn(|| server.stderr.next(Duration::from_millis(500))).collect();
                panic!(
                    "serve.py {kind} did not report its port (got {first:?}):\n{}",
                    errors.join("\n")
                );
            }
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.flush();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `send.py` with `args`; fails the test if it fails.
pub fn send(mut python: Command, args: &[String]) {
    let output = python
        .arg(scripts().join("send.py"))
        .args(args)
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .expect("run python3 send.py");
    assert!(
        output.status.success(),
        "send.py failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "CPython's handlers reported errors:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
