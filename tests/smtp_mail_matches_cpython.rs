//! The emails match what CPython's `SMTPHandler` sends (recorded by
//! `tests/golden/smtp/generate.py`): the envelope, every header in the same order with the same
//! text, and the body byte for byte (quoted-printable included). Masked, because it must differ:
//! `Date` (the time of sending), whose form is still checked.

mod smtp_common;

use pylog::{Formatter, Level, Manager, SmtpHandler};
use serde_json::Value;
use smtp_common::{Options, Server};

/// Headers whose text must differ from the recording.
const MASKED: &[&str] = &["Date"];

fn golden() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/smtp/expected.json"
    );
    let text = std::fs::read_to_string(path).expect("read expected.json");
    let json: Value = serde_json::from_str(&text).expect("parse expected.json");
    json["emails"].as_array().expect("emails").clone()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("a string").to_owned())
        .collect()
}

/// `Tue, 01 Dec 2026 19:49:39 +0000`: email.utils.format_datetime's form.
fn is_rfc5322_date(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 31
        && &s[3..5] == ", "
        && b[7] == b' '
        && b[11] == b' '
        && b[16] == b' '
        && b[19] == b':'
        && b[22] == b':'
        && b[25] == b' '
        && (b[26] == b'+' || b[26] == b'-')
        && s[27..].bytes().all(|c| c.is_ascii_digit())
}

#[test]
fn emails_match_cpythons_headers_envelope_and_body() {
    let server = Server::start(Options::default());
    let cases = golden();
    assert!(cases.len() >= 5);
    for (i, case) in cases.iter().enumerate() {
        let name = case["case"].as_str().unwrap();
        let to = strings(&case["to"]);
        let handler = SmtpHandler::builder(
            "127.0.0.1",
            case["from"].as_str().unwrap(),
            to,
            case["subject"].as_str().unwrap(),
        )
        .port(server.port())
        .build()
        .unwrap()
        .with_formatter(Formatter::new(case["format"].as_str().unwrap()).unwrap());
        let tree = Manager::new();
        let logger = tree.get_logger(case["logger"].as_str().unwrap());
        logger.add_handler(handler.clone());
        let level = Level::new(case["level"].as_i64().unwrap() as i32);
        logger.log(level, case["message"].as_str().unwrap());
        handler.close();

        let mails = server.wait_for(i + 1, std::time::Duration::from_secs(10));
        assert_eq!(mails.len(), i + 1, "case {name}: no email");
        let ours = &mails[i];
        assert_eq!(
            ours.mail_from,
            case["mail_from"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(ours.rcpt_to, strings(&case["rcpt_to"]), "{name}");

        let theirs = case["data"].as_str().unwrap();
        let (their_head, their_body) = theirs.split_once("\r\n\r\n").unwrap();
        let (our_head, our_body) = ours.split();
        assert_eq!(our_body, their_body, "case {name}: body");
        let their_lines: Vec<&str> = their_head.split("\r\n").collect();
        let our_lines: Vec<&str> = our_head.split("\r\n").collect();
        assert_eq!(
            our_lines.len(),
            their_lines.len(),
            "case {name}: headers\nours:\n{our_head}\ntheirs:\n{their_head}"
        );
        for (our, their) in our_lines.iter().zip(&their_lines) {
            let (our_name, our_value) = our.split_once(": ").unwrap();
            let (their_name, their_value) = their.split_once(": ").unwrap();
            assert_eq!(our_name, their_name, "case {name}: header order");
            if MASKED.contains(&our_name) {
                assert!(is_rfc5322_date(our_value), "{name}: {our}");
                assert!(is_rfc5322_date(their_value), "{name}: {their}");
            } else {
                assert_eq!(our, their, "case {name}");
            }
        }
    }
}
