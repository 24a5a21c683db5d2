//! Helpers for the socket handler tests: a loopback TCP receiver that decodes frames (4-byte
//! big-endian length, then CPython's pickle or, when asked, JSON) into JSON values, stops when told
//! or after a bound, and a watchdog that fails the test when something that must return does not.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::{ErrorKind, Read};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pylog::pickle::{Limits, PickleValue};
use pylog::{DeliveryError, ErrorReporter, OwnedRecord, Wire};
use serde_json::Value;

/// How long any helper thread lives at most.
const LIFETIME: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_millis(10);

/// A decoded frame and the connection (counted from 0) it came on.
#[derive(Debug, Clone)]
pub struct Frame {
    pub connection: usize,
    pub record: Value,
}

/// Accepts connections one after the other on a loopback port and decodes their frames. A frame
/// whose length prefix does not match a complete pickled dict (or JSON object) fails the test.
pub struct Receiver {
    pub port: u16,
    frames: mpsc::Receiver<Result<Frame, String>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Listens on a port the system picks, for CPython's pickles.
    pub fn listen() -> Receiver {
        Receiver::on(
            TcpListener::bind("127.0.0.1:0").expect("bind loopback"),
            Wire::Pickle,
        )
    }

    /// Listens on a port the system picks, for JSON objects.
    pub fn listen_json() -> Receiver {
        Receiver::on(
            TcpListener::bind("127.0.0.1:0").expect("bind loopback"),
            Wire::Json,
        )
    }

    /// Listens on `port` (which a handler may already be trying to reach), for pickles.
    pub fn listen_on(port: u16) -> Receiver {
        Receiver::on(
            TcpListener::bind(("127.0.0.1", port)).expect("bind the same port again"),
            Wire::Pickle,
        )
    }

    fn on(listener: TcpListener, wire: Wire) -> Receiver {
        let port = listener.local_addr().expect("local address").port();
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let (send, frames) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = stop.clone();
        let thread = std::thread::spawn(move || serve(&listener, wire, &send, &thread_stop));
        Receiver {
            port,
            frames,
            stop,
            thread: Some(thread),
        }
    }

    /// The next frame, waiting at most `timeout`.
    pub fn next(&self, timeout: Duration) -> Option<Frame> {
        match self.frames.recv_timeout(timeout) {
            Ok(Ok(frame)) => Some(frame),
            Ok(Err(e)) => panic!("bad frame: {e}"),
            Err(_) => None,
        }
    }

    /// Exactly `n` frames, each within `timeout`; fails the test if one does not come.
    pub fn take(&self, n: usize, timeout: Duration) -> Vec<Frame> {
        (0..n)
            .map(|i| {
                self.next(timeout)
                    .unwrap_or_else(|| panic!("frame {i} of {n} did not arrive"))
            })
            .collect()
    }

    /// Closes the listener and the open connection, as a receiver that dies.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.halt();
    }
}

fn serve(
    listener: &TcpListener,
    wire: Wire,
    send: &mpsc::Sender<Result<Frame, String>>,
    stop: &AtomicBool,
) {
    let end = Instant::now() + LIFETIME;
    let mut connection = 0;
    while !stop.load(Ordering::SeqCst) && Instant::now() < end {
        match listener.accept() {
            Ok((stream, _)) => {
                read_frames(stream, connection, wire, send, stop, end);
                connection += 1;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(POLL),
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

fn read_frames(
    mut stream: TcpStream,
    connection: usize,
    wire: Wire,
    send: &mpsc::Sender<Result<Frame, String>>,
    stop: &AtomicBool,
    end: Instant,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(POLL));
    let mut buffer = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    while !stop.load(Ordering::SeqCst) && Instant::now() < end {
        match stream.read(&mut chunk) {
            Ok(0) => {
                if !buffer.is_empty() {
                    let _ = send.send(Err(format!(
                        "the connection closed inside a frame ({} bytes)",
                        buffer.len()
                    )));
                }
                return;
            }
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(_) => return,
        }
        while let Some(frame) = split_frame(&mut buffer) {
            let decoded = decode(&frame, wire).and_then(|record| {
                if record.is_object() {
                    Ok(Frame { connection, record })
                } else {
                    Err("payload is not an object".to_owned())
                }
            });
            let _ = send.send(decoded);
        }
    }
}

/// A payload as a JSON value: CPython's pickle (read with pylog's own safe reader, then turned
/// into JSON), or JSON.
pub fn decode(payload: &[u8], wire: Wire) -> Result<Value, String> {
    if wire == Wire::Json {
        return serde_json::from_slice::<Value>(payload)
            .map_err(|e| format!("payload is not JSON: {e}"));
    }
    pylog::pickle::read(payload, &Limits::default())
        .map(|value| pickle_to_json(&value))
        .map_err(|e| format!("payload is not a pickle: {e}"))
}

/// A decoded pickle as JSON: `None` is `null`, tuples are arrays, dict keys are their `str()`,
/// NaN and the infinities are `null`, integers past 64 bits are strings.
pub fn pickle_to_json(value: &PickleValue) -> Value {
    match value {
        PickleValue::None => Value::Null,
        PickleValue::Bool(b) => Value::Bool(*b),
        PickleValue::Int(n) => i64::try_from(*n)
            .map(Value::from)
            .or_else(|_| u64::try_from(*n).map(Value::from))
            .unwrap_or_else(|_| Value::String(n.to_string())),
        PickleValue::BigInt(digits) => Value::String(digits.clone()),
        PickleValue::Float(v) => {
            serde_json::Number::from_f64(*v).map_or(Value::Null, Value::Number)
        }
        PickleValue::Str(s) => Value::String(s.clone()),
        PickleValue::Bytes(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
        PickleValue::List(items) | PickleValue::Tuple(items) => {
            Value::Array(items.iter().map(pickle_to_json).collect())
        }
        PickleValue::Dict(items) => Value::Object(
            items
                .iter()
                .map(|(k, v)| (k.py_str(), pickle_to_json(v)))
                .collect(),
        ),
    }
}

/// Takes one complete frame's payload off the front of `buffer`.
fn split_frame(buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    let header: [u8; 4] = buffer.get(..4)?.try_into().ok()?;
    let len = u32::from_be_bytes(header) as usize;
    if buffer.len() < 4 + len {
        return None;
    }
    let payload = buffer[4..4 + len].to_vec();
    buffer.drain(..4 + len);
    Some(payload)
}

/// An error reporter that keeps `message: error` texts.
#[derive(Clone, Default)]
pub struct Reports(Arc<Mutex<Vec<String>>>);

impl Reports {
    pub fn reporter(&self) -> ErrorReporter {
        let seen = self.0.clone();
        Arc::new(move |record: &OwnedRecord, error: &DeliveryError| {
            seen.lock()
                .unwrap()
                .push(format!("{}: {error}", record.msg()));
        })
    }

    pub fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// Waits (at most `timeout`) until there are `n` reports.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if self.all().len() >= n {
                return true;
            }
            std::thread::sleep(POLL);
        }
        false
    }
}

/// Fails the whole test process if it is not dropped within `bound`: for steps that would hang
/// forever if the code under test blocked.
pub struct Watchdog {
    done: Option<mpsc::Sender<()>>,
}

impl Watchdog {
    pub fn start(what: &'static str, bound: Duration) -> Watchdog {
        let (done, wait) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(bound) {
                eprintln!("watchdog: {what} did not finish within {bound:?}");
                std::process::exit(101);
            }
        });
        Watchdog { done: Some(done) }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(());
        }
    }
}

#[path = "../reserved_port/mod.rs"]
mod reserved_port;
#[allow(unused_imports)] // not every test that uses these helpers holds a port
pub use reserved_port::reserve_port;
