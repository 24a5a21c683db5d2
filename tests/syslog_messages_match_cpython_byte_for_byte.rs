//! The bytes our `SysLogHandler` sends are CPython's, byte for byte: every case of
//! `tests/golden/syslog/expected.json` (recorded by `generate.py` from CPython 3.11's
//! `SysLogHandler` against its own UDP, TCP and Unix datagram servers) is sent again here through
//! our handler to our own recording servers, and what they receive is compared with what CPython's
//! received. The cases cover every level (custom and unnamed ones included), every facility name,
//! integer facilities, `ident`, `append_nul = False`, formats with `%(levelname)s`, and non-ASCII
//! text.

mod syslog_common;

use pylog::syslog::{Facility, Framing, SockType, SyslogAddress};
use pylog::{Formatter, Handler, Level, Manager, SysLogHandler, add_level_name};
use serde_json::Value;
use syslog_common::{PATIENCE, TcpRecorder, UdpRecorder, UnixRecorder, wait_until};

fn golden() -> Value {
    let text = include_str!("golden/syslog/expected.json");
    serde_json::from_str(text).expect("expected.json is JSON")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Our handler for a case, sending to `address`.
fn handler_for(case: &Value, address: SyslogAddress, socktype: Option<SockType>) -> Handler {
    let mut builder = SysLogHandler::builder()
        .address(address)
        .socktype(socktype)
        // CPython's unframed bytes over TCP (datagrams are never framed).
        .framing(Framing::Raw)
        .ident(case["ident"].as_str().expect("ident"))
        .append_nul(case["append_nul"].as_bool().expect("append_nul"));
    match &case["facility"] {
        Value::Null => {}
        Value::String(name) => builder = builder.facility(name.parse().expect("a facility name")),
        Value::Number(n) => {
            builder = builder.facility(Facility::new(n.as_u64().expect("a code") as u32))
        }
        other => panic!("unexpected facility {other}"),
    }
    let handler = builder.build().expect("the handler starts");
    if let Some(format) = case["format"].as_str() {
        handler.set_formatter(Some(Formatter::new(format).expect("a valid format")));
    }
    handler
}

/// Logs the case's records through `handler` and closes it (which delivers what is queued).
fn log_through(case: &Value, handler: &Handler) {
    let tree = Manager::new();
    for record in case["records"].as_array().expect("records") {
        let logger = tree.get_logger(record["name"].as_str().expect("name"));
        logger.set_propagate(false);
        logger.set_level(Level::new(1));
        if logger.handlers().is_empty() {
            logger.add_handler(handler.clone());
        }
        let level = record["level"].as_i64().expect("level") as i32;
        logger.log(Level::new(level), record["msg"].as_str().expect("msg"));
    }
    handler.close();
}

fn expected(case: &Value) -> Vec<String> {
    case["received"]
        .as_array()
        .expect("received")
        .iter()
        .map(|h| h.as_str().expect("hex").to_owned())
        .collect()
}

fn received(case: &Value) -> Vec<String> {
    let want = expected(case).len();
    match case["transport"].as_str().expect("transport") {
        "udp" => {
            let server = UdpRecorder::start();
            log_through(case, &handler_for(case, server.addr().into(), None));
            server.take(want, PATIENCE).iter().map(|d| hex(d)).collect()
        }
        "unix_dgram" => {
            let folder = tempfile::tempdir().expect("a temporary folder");
            let path = folder.path().join("log.sock");
            let server = UnixRecorder::bind(&path);
            log_through(case, &handler_for(case, SyslogAddress::unix(&path), None));
            server.take(want, PATIENCE).iter().map(|d| hex(d)).collect()
        }
        "tcp" => {
            let server = TcpRecorder::start();
            let address = server.addr().into();
            log_through(case, &handler_for(case, address, Some(SockType::Stream)));
            // The handler closed its connection; the server has everything once it saw the end.
            let total: usize = expected(case).iter().map(|h| h.len() / 2).sum();
            wait_until(PATIENCE, || server.all_bytes().len() >= total);
            vec![hex(&server.stop().concat())]
        }
        other => panic!("unknown transport {other}"),
    }
}

#[test]
fn every_cpython_case_is_reproduced_byte_for_byte() {
    let golden = golden();
    for pair in golden["level_names"].as_array().expect("level_names") {
        let level = Level::new(pair[0].as_i64().expect("level") as i32);
        add_level_name(level, pair[1].as_str().expect("name"));
    }
    let cases = golden["cases"].as_array().expect("cases");
    assert!(cases.len() >= 30, "the golden file holds every case");
    for case in cases {
        let id = case["id"].as_str().expect("id");
        assert_eq!(received(case), expected(case), "case {id}");
    }
}
