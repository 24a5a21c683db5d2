//! The receiver refuses malformed and hostile frames (truncated frames, huge length prefixes,
//! pickles that would import and call `os.system`, deep nesting, floods of marks, payloads that
//! are not records, a sender that stalls inside a frame, more connections than allowed, bad
//! datagrams) with a counted reason, never runs what a pickle names, never crashes or hangs,
//! and keeps handing on the records of well-behaved senders throughout.

mod socket_common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pylog::receiver::{Receiver, Rejection};
use pylog::{Formatter, Manager, SharedWriter, SocketHandler, StreamHandler};
use socket_common::Watchdog;

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut frame = (payload.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(payload);
    frame
}

/// `class E: __reduce__ = lambda self: (os.system, ("touch <path>",))` pickled with protocol 1.
fn os_system_pickle(path: &str) -> Vec<u8> {
    let command = format!("touch {path}");
    let mut p = b"cposix\nsystem\nq\x00(X".to_vec();
    p.extend_from_slice(&(command.len() as u32).to_le_bytes());
    p.extend_from_slice(command.as_bytes());
    p.extend_from_slice(b"q\x01tq\x02Rq\x03.");
    p
}

struct Harness {
    receiver: Receiver,
    out: SharedWriter,
    rejections: Arc<Mutex<Vec<Rejection>>>,
    sender: pylog::Handler,
    sent: usize,
}

impl Harness {
    fn tcp(&self) -> SocketAddr {
        self.receiver.tcp_addr().unwrap()
    }

    /// A record from a well-behaved sender still arrives.
    fn still_serving(&mut self, after: &str) {
        self.sent += 1;
        let msg = format!("alive {} after {after}", self.sent);
        self.sender
            .handle(&pylog::LogRecord::new("app", pylog::Level::INFO, &msg));
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            if self.out.contents().contains(&msg) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("{msg:?} did not arrive; output:\n{}", self.out.contents());
    }

    /// Waits until `n` refusals were reported.
    fn refusals(&self, n: usize) -> Vec<Rejection> {
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            let seen = self.rejections.lock().unwrap().clone();
            if seen.len() >= n {
                return seen;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "expected {n} refusals, got {:?}",
            self.rejections.lock().unwrap()
        );
    }

    /// Sends `bytes` on a new connection and closes it.
    fn send_and_close(&self, bytes: &[u8]) {
        let mut stream = TcpStream::connect(self.tcp()).unwrap();
        let _ = stream.write_all(bytes);
    }
}

fn harness() -> Harness {
    let tree = Manager::new();
    let out = SharedWriter::new();
    tree.root().add_handler(
        StreamHandler::writer(out.clone())
            .with_formatter(Formatter::new("%(name)s %(levelname)s %(message)s").unwrap()),
    );
    let rejections = Arc::new(Mutex::new(Vec::new()));
    let seen = rejections.clone();
    let receiver = Receiver::builder()
        .tcp("127.0.0.1:0")
        .udp("127.0.0.1:0")
        .manager(&tree)
        .max_frame(64 * 1024)
        .max_connections(4)
        .frame_timeout(Duration::from_millis(300))
        .on_reject(Arc::new(move |r: &Rejection| {
            seen.lock().unwrap().push(r.clone())
        }))
        .start()
        .unwrap();
    let port = receiver.tcp_addr().unwrap().port();
    let sender = SocketHandler::builder("127.0.0.1", port).build().unwrap();
    Harness {
        receiver,
        out,
        rejections,
        sender,
        sent: 0,
    }
}

#[test]
fn hostile_frames_are_refused_and_counted_while_records_keep_arriving() {
    let _watchdog = Watchdog::start("the hostile frames test", Duration::from_secs(120));
    let mut h = harness();
    h.still_serving("start");

    // A frame cut short by the sender closing.
    let mut truncated = 100u32.to_be_bytes().to_vec();
    truncated.extend_from_slice(b"}q\x00(X\x04");
    h.send_and_close(&truncated);
    // A length prefix of 4 GiB: refused before anything is read.
    let mut huge = TcpStream::connect(h.tcp()).unwrap();
    huge.write_all(&u32::MAX.to_be_bytes()).unwrap();
    huge.write_all(b"}").unwrap();
    huge.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut byte = [0u8; 1];
    assert_eq!(
        huge.read(&mut byte).unwrap_or(0),
        0,
        "the receiver closed the connection"
    );
    h.still_serving("truncated and huge frames");

    // Pickles that would run `touch`: GLOBAL + REDUCE, REDUCE alone, STACK_GLOBAL.
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    let marker_text = marker.to_str().unwrap();
    let mut frames = framed(&os_system_pickle(marker_text));
    frames.extend(framed(b"N)R."));
    frames.extend(framed(b"\x80\x04\x8c\x05posix\x8c\x06system\x93."));
    h.send_and_close(&frames);
    h.still_serving("GLOBAL and REDUCE");
    assert!(!marker.exists(), "nothing named by a pickle ran");

    // Deep nesting, a flood of marks, a huge string count, garbage, and a list instead of a dict.
    let mut deep = b"]".to_vec();
    deep.extend(b"(]".repeat(20_000));
    deep.extend(b"e".repeat(20_000));
    deep.push(b'.');
    let mut frames = framed(&deep);
    frames.extend(framed(&[b"(".repeat(60_000), b"N.".to_vec()].concat()));
    frames.extend(framed(b"\xde\xad\xbe\xef"));
    frames.extend(framed(b"]q\x00K\x01a."));
    frames.extend(framed(b"}q\x00X\x04\x00\x00\x00nameq\x01K\x01s."));
    h.send_and_close(&frames);
    h.still_serving("nesting, marks, garbage and non-records");

    // A sender that stalls inside a frame is cut off after the frame timeout.
    let mut stalled = TcpStream::connect(h.tcp()).unwrap();
    stalled.write_all(&50u32.to_be_bytes()).unwrap();
    stalled.write_all(b"}").unwrap();
    stalled
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    assert_eq!(
        stalled.read(&mut byte).unwrap_or(0),
        0,
        "the receiver closed the stalled connection"
    );
    h.still_serving("a stalled frame");

    // More connections than allowed: the extra ones are closed at once.
    let idle: Vec<TcpStream> = (0..5)
        .map(|_| TcpStream::connect(h.tcp()).unwrap())
        .collect();
    let refused_before = h.rejections.lock().unwrap().len();
    let seen = h.refusals(refused_before + 2);
    assert!(
        seen.iter().any(|r| r.reason == "too-many-connections"),
        "{seen:?}"
    );
    drop(idle);
    h.still_serving("a connection flood");

    // Bad datagrams.
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = h.receiver.udp_addr().unwrap();
    udp.send_to(b"\x00\x00", target).unwrap();
    udp.send_to(&[&9u32.to_be_bytes()[..], b"}."].concat(), target)
        .unwrap();
    udp.send_to(&framed(&os_system_pickle(marker_text)), target)
        .unwrap();
    h.still_serving("bad datagrams");

    let stats = h.receiver.stats();
    let count = |reason: &str| stats.rejections.get(reason).copied().unwrap_or(0);
    assert_eq!(count("truncated"), 1, "{stats:?}");
    assert_eq!(count("frame-too-large"), 1, "{stats:?}");
    assert_eq!(count("forbidden"), 4, "{stats:?}");
    assert_eq!(count("too-deep"), 1, "{stats:?}");
    assert_eq!(count("malformed"), 1, "marks left on the stack: {stats:?}");
    assert_eq!(count("unsupported"), 1, "{stats:?}");
    assert_eq!(count("not-a-record"), 2, "{stats:?}");
    assert_eq!(count("timeout"), 1, "{stats:?}");
    assert!(count("too-many-connections") >= 2, "{stats:?}");
    assert_eq!(count("bad-datagram"), 2, "{stats:?}");
    assert_eq!(
        stats.records, h.sent as u64,
        "every good record arrived once"
    );
    assert!(!marker.exists(), "nothing named by a pickle ran");

    let messages: Vec<String> = h
        .rejections
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.to_string())
        .collect();
    let all = messages.join("\n");
    assert!(
        all.contains("opcode GLOBAL (b'c') would import a Python object; refused"),
        "{all}"
    );
    assert!(
        all.contains("a frame of 4294967295 bytes, more than the limit of 65536"),
        "{all}"
    );
    assert!(
        all.contains("the record has no \"msg\"") || all.contains("the record's \"name\" is 1"),
        "{all}"
    );

    h.sender.close();
    let _stopping = Watchdog::start("Receiver::stop", Duration::from_secs(10));
    h.receiver.stop();
}
