//! A `DatagramHandler` sends each record as one UDP datagram carrying the same length prefix and
//! pickled dict as TCP (CPython keeps the prefix on UDP too; its datagram in the golden file
//! shows it). A record too large for a datagram is an error, reported once and counted, not a
//! panic; the records after it still go.

mod socket_common;

use std::collections::BTreeSet;
use std::net::UdpSocket;
use std::time::Duration;

use pylog::{DatagramHandler, Level, Manager};
use serde_json::Value;
use socket_common::Reports;

fn keys(object: &Value) -> BTreeSet<String> {
    object.as_object().unwrap().keys().cloned().collect()
}

/// The length prefix and the decoded payload of one datagram; the prefix must be the payload's
/// length.
fn decode(datagram: &[u8]) -> Value {
    let (prefix, payload) = datagram.split_first_chunk::<4>().expect("a prefix");
    assert_eq!(u32::from_be_bytes(*prefix) as usize, payload.len());
    socket_common::decode(payload, pylog::Wire::Pickle).expect("one pickled dict")
}

#[test]
fn each_record_is_one_datagram_framed_like_cpythons() {
    let golden: Value = serde_json::from_str(include_str!("golden/socket/records.json")).unwrap();
    assert_eq!(golden["datagram"]["length_prefix_is_payload_length"], true);

    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let reports = Reports::default();
    let handler = DatagramHandler::builder("127.0.0.1", socket.local_addr().unwrap().port())
        .on_error(reports.reporter())
        .build()
        .unwrap();
    let tree = Manager::new();
    let app = tree.get_logger("app");
    app.set_level(Level::DEBUG);
    app.add_handler(handler.clone());

    app.error("one datagram");
    for i in 0..20 {
        app.event(Level::INFO).extra("i", i).log("datagram ✓");
    }
    // A datagram holds at most 65,507 bytes over IPv4.
    app.warning("x".repeat(70_000));
    app.warning("after the large one");
    app.warning("and another");
    handler.flush();

    let mut buffer = vec![0u8; 65_536];
    let mut received = Vec::new();
    for _ in 0..23 {
        let n = socket.recv(&mut buffer).expect("a datagram");
        received.push(decode(&buffer[..n]));
    }
    assert_eq!(received[0]["msg"], "one datagram");
    assert_eq!(
        keys(&received[0]),
        keys(&golden["datagram"]["record"]),
        "the keys of CPython's datagram"
    );
    for (i, record) in received[1..21].iter().enumerate() {
        assert_eq!(
            (record["msg"].as_str(), record["i"].as_u64()),
            (Some("datagram ✓"), Some(i as u64))
        );
    }
    assert_eq!(received[21]["msg"], "after the large one");
    assert_eq!(received[22]["msg"], "and another");
    handler.close();

    let reports = reports.all();
    assert_eq!(reports.len(), 1, "{} reports", reports.len());
    let expected = if cfg!(target_os = "linux") {
        ": OSError: [Errno 90] Message too long"
    } else {
        "Message too long"
    };
    assert!(
        reports[0].starts_with("xxx") && reports[0].ends_with(expected),
        "{}",
        reports[0].get(69_990..).unwrap_or(&reports[0])
    );
    let stats = handler.stats();
    assert_eq!((stats.emitted, stats.errors, stats.dropped), (24, 1, 0));
    assert_eq!(handler.queue_stats().unwrap().delivered, 23);
}

#[test]
fn json_wire_datagrams_carry_the_same_dict_as_json() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let handler = DatagramHandler::builder("127.0.0.1", socket.local_addr().unwrap().port())
        .wire(pylog::Wire::Json)
        .build()
        .unwrap();
    let tree = Manager::new();
    let app = tree.get_logger("app");
    app.add_handler(handler.clone());
    app.event(Level::ERROR).extra("n", 1.5).log("as json");
    handler.close();
    let mut buffer = vec![0u8; 65_536];
    let n = socket.recv(&mut buffer).expect("a datagram");
    let (prefix, payload) = buffer[..n].split_first_chunk::<4>().unwrap();
    assert_eq!(u32::from_be_bytes(*prefix) as usize, payload.len());
    let record: Value = serde_json::from_slice(payload).expect("one JSON object");
    assert_eq!(
        (record["msg"].as_str(), record["n"].as_f64()),
        (Some("as json"), Some(1.5))
    );
    assert!(record["args"].is_null());
}
