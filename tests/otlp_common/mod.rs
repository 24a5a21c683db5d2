//! An OTLP/HTTP receiver on loopback for the OTLP handler tests: a real `TcpListener`, one
//! thread per connection, one request per connection (`Connection: close`). Each request is
//! recorded (headers, the body as sent, the body gunzipped when it says gzip) and decoded with
//! the OTLP prost messages when it is protobuf; then answered as the test scripted. Dropping the
//! receiver stops it and releases connections it holds open.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use prost::Message as _;
use pylog::otlp::proto::{ExportLogsServiceRequest, ExportLogsServiceResponse, LogRecord};

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Arrived {
    pub at: Instant,
    pub headers: Vec<(String, String)>,
    /// The body as sent.
    pub raw: Vec<u8>,
    /// The body, gunzipped when `Content-Encoding: gzip`.
    pub body: Vec<u8>,
    /// The status the receiver answered (0 for a request it never answered).
    pub status: u16,
}

impl Arrived {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The protobuf request.
    pub fn request(&self) -> ExportLogsServiceRequest {
        ExportLogsServiceRequest::decode(&self.body[..])
            .expect("a protobuf ExportLogsServiceRequest")
    }

    /// Every record with its scope's name, in the order of the request.
    pub fn records(&self) -> Vec<(String, LogRecord)> {
        flatten(&self.request())
    }
}

pub fn flatten(request: &ExportLogsServiceRequest) -> Vec<(String, LogRecord)> {
    let mut out = Vec::new();
    for rl in &request.resource_logs {
        for sl in &rl.scope_logs {
            let scope = sl
                .scope
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default();
            for r in &sl.log_records {
                out.push((scope.clone(), r.clone()));
            }
        }
    }
    out
}

/// The body of a record, as text.
pub fn body(record: &LogRecord) -> String {
    use pylog::otlp::proto::any_value::Value;
    match record.body.as_ref().and_then(|b| b.value.as_ref()) {
        Some(Value::StringValue(s)) => s.clone(),
        other => format!("{other:?}"),
    }
}

/// An attribute of a record.
pub fn attribute(record: &LogRecord, key: &str) -> Option<pylog::otlp::proto::any_value::Value> {
    record
        .attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v| v.value.clone())
}

/// How the receiver answers a request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// This status, with these extra headers, and this body.
    Status(u16, Vec<(String, String)>, Vec<u8>),
    /// Never answers: the connection stays open until the receiver is dropped.
    Hang,
}

impl Reply {
    pub fn ok() -> Reply {
        Reply::Status(200, Vec::new(), Vec::new())
    }

    pub fn status(code: u16) -> Reply {
        Reply::Status(code, Vec::new(), Vec::new())
    }

    /// 200 with a `partial_success` of `rejected` records.
    pub fn partial(rejected: i64, message: &str) -> Reply {
        let response = ExportLogsServiceResponse {
            partial_success: Some(pylog::otlp::proto::ExportLogsPartialSuccess {
                rejected_log_records: rejected,
                error_message: message.to_owned(),
            }),
        };
        Reply::Status(
            200,
            vec![("Content-Type".into(), "application/x-protobuf".into())],
            response.encode_to_vec(),
        )
    }
}

struct State {
    requests: Mutex<Vec<Arrived>>,
    arrived: Condvar,
    script: Mutex<VecDeque<Reply>>,
    default: Mutex<Reply>,
    stopping: AtomicBool,
    held: Mutex<Vec<TcpStream>>,
}

pub struct Receiver {
    addr: SocketAddr,
    state: Arc<State>,
    accept: Option<JoinHandle<()>>,
}

#[path = "../reserved_port/mod.rs"]
mod reserved_port;
#[allow(unused_imports)] // not every test that uses these helpers holds a port
pub use reserved_port::reserve_port;

impl Receiver {
    /// A receiver on a free loopback port, answering 200.
    pub fn start() -> Receiver {
        Receiver::start_on(0)
    }

    pub fn start_on(port: u16) -> Receiver {
        // The port may still be held for a moment by a receiver that was just dropped.
        let deadline = Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(l) => break l,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("bind 127.0.0.1:{port}: {e}"),
            }
        };
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
                std::thread::spawn(move || handle(&state, stream));
            }
        });
        Receiver {
            addr,
            state,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:<port>/v1/logs`.
    pub fn endpoint(&self) -> String {
        format!("http://{}/v1/logs", self.addr)
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
    pub fn requests(&self) -> Vec<Arrived> {
        self.state.requests.lock().unwrap().clone()
    }

    /// The records of the requests answered with success, in arrival order.
    pub fn accepted_records(&self) -> Vec<(String, LogRecord)> {
        self.requests()
            .iter()
            .filter(|a| (200..300).contains(&a.status))
            .flat_map(Arrived::records)
            .collect()
    }

    /// Waits (at most `limit`) until `n` records were accepted; returns them.
    pub fn wait_for_records(&self, n: usize, limit: Duration) -> Vec<(String, LogRecord)> {
        let deadline = Instant::now() + limit;
        loop {
            let records = self.accepted_records();
            if records.len() >= n || Instant::now() >= deadline {
                return records;
            }
            let requests = self.state.requests.lock().unwrap();
            let _ = self
                .state
                .arrived
                .wait_timeout(requests, Duration::from_millis(50));
        }
    }

    /// Waits (at most `limit`) until `n` requests arrived; returns them.
    pub fn wait_for_requests(&self, n: usize, limit: Duration) -> Vec<Arrived> {
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

impl Drop for Receiver {
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

fn handle(state: &State, stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let Ok(held) = stream.try_clone() else { return };
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
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut raw = vec![0; length];
    if reader.read_exact(&mut raw).is_err() {
        return;
    }
    let gzipped = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("content-encoding") && v == "gzip");
    let body = if gzipped {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .expect("a gzip body");
        out
    } else {
        raw.clone()
    };
    if state.stopping.load(Ordering::SeqCst) {
        return;
    }
    let reply = {
        let next = state.script.lock().unwrap().pop_front();
        next.unwrap_or_else(|| state.default.lock().unwrap().clone())
    };
    let status = match &reply {
        Reply::Status(code, _, _) => *code,
        Reply::Hang => 0,
    };
    {
        let mut requests = state.requests.lock().unwrap();
        requests.push(Arrived {
            at: Instant::now(),
            headers,
            raw,
            body,
            status,
        });
        state.arrived.notify_all();
    }
    match reply {
        Reply::Hang => {
            state.held.lock().unwrap().push(held);
            let mut sink = [0u8; 64];
            let _ = reader.read(&mut sink);
        }
        Reply::Status(code, extra, body) => {
            let mut response = format!("HTTP/1.1 {code} {}\r\n", reason(code));
            for (name, value) in extra {
                response.push_str(&format!("{name}: {value}\r\n"));
            }
            response.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            let stream = reader.get_mut();
            let _ = stream.write_all(response.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
