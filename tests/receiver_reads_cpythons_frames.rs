//! The frames CPython's `SocketHandler` writes for the golden cases
//! (`tests/golden/socket/records.json`, made by `generate.py` there with python3), sent to our
//! receiver over TCP and UDP, print through a `Formatter` with the logging cookbook's format
//! exactly what the cookbook's receiver prints for them (`cookbook_output`, made by CPython's
//! `makeLogRecord` and `Formatter`); extras print as CPython prints them too. No Python is needed
//! at test time.

use std::io::Write;
use std::net::{TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use base64::Engine as _;
use pylog::receiver::Receiver;
use pylog::{Formatter, Manager, SharedWriter, StreamHandler};
use serde_json::Value;

const COOKBOOK_FORMAT: &str = "%(relativeCreated)5d %(name)-15s %(levelname)-8s %(message)s";

fn golden() -> Value {
    serde_json::from_str(include_str!("golden/socket/records.json")).expect("the golden file")
}

/// The frames in the order CPython logged them, with their case names.
fn frames(golden: &Value) -> Vec<(String, Vec<u8>)> {
    golden["frames"]
        .as_array()
        .expect("[case, frame] pairs")
        .iter()
        .map(|pair| {
            let frame = base64::engine::general_purpose::STANDARD
                .decode(pair[1].as_str().expect("base64"))
                .expect("base64");
            (pair[0].as_str().expect("a case").to_owned(), frame)
        })
        .collect()
}

/// A receiver on TCP or UDP whose root formats with `format`.
fn receiver(tcp: bool, format: &str) -> (Receiver, SharedWriter) {
    let tree = Manager::new();
    let out = SharedWriter::new();
    tree.root().add_handler(
        StreamHandler::writer(out.clone()).with_formatter(Formatter::new(format).unwrap()),
    );
    let builder = Receiver::builder().manager(&tree);
    let builder = if tcp {
        builder.tcp("127.0.0.1:0")
    } else {
        builder.udp("127.0.0.1:0")
    };
    (builder.start().unwrap(), out)
}

fn wait_for(receiver: &Receiver, records: u64) {
    let end = Instant::now() + Duration::from_secs(30);
    while receiver.stats().records < records && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(receiver.stats().records, records, "{:?}", receiver.stats());
}

#[test]
fn cpythons_frames_over_tcp_print_as_the_cookbook_prints_them() {
    let golden = golden();
    let frames: Vec<Vec<u8>> = frames(&golden).into_iter().map(|(_, f)| f).collect();
    let expected = golden["cookbook_output"].as_str().unwrap();
    let (receiver, out) = receiver(true, COOKBOOK_FORMAT);
    let mut sender = TcpStream::connect(receiver.tcp_addr().unwrap()).unwrap();
    // All frames in one write, then byte by byte: framing does not depend on how bytes arrive.
    sender.write_all(&frames.concat()).unwrap();
    wait_for(&receiver, frames.len() as u64);
    assert_eq!(out.contents(), expected);
    out.clear();
    for byte in frames.concat() {
        sender.write_all(&[byte]).unwrap();
    }
    wait_for(&receiver, 2 * frames.len() as u64);
    assert_eq!(out.contents(), expected);
    receiver.stop();
}

#[test]
fn cpythons_frames_as_datagrams_print_as_the_cookbook_prints_them() {
    let golden = golden();
    let (receiver, out) = receiver(false, COOKBOOK_FORMAT);
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    for (i, (_, frame)) in frames(&golden).iter().enumerate() {
        sender.send_to(frame, receiver.udp_addr().unwrap()).unwrap();
        // One at a time keeps their order (a datagram may overtake another).
        wait_for(&receiver, i as u64 + 1);
    }
    assert_eq!(out.contents(), golden["cookbook_output"].as_str().unwrap());
    receiver.stop();
}

#[test]
fn extras_print_as_cpython_prints_them() {
    let golden = golden();
    let (receiver, out) = receiver(
        true,
        "%(user)s|%(user)r|%(count)d|%(ratio)s|%(ok)s|%(nothing)s",
    );
    let (_, frame) = frames(&golden)
        .into_iter()
        .find(|(case, _)| case == "unicode_and_extras")
        .expect("the extras case");
    let mut sender = TcpStream::connect(receiver.tcp_addr().unwrap()).unwrap();
    sender.write_all(&frame).unwrap();
    wait_for(&receiver, 1);
    assert_eq!(
        out.contents(),
        format!("{}\n", golden["extras_output"].as_str().unwrap())
    );
    receiver.stop();
}
