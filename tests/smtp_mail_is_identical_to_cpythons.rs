//! The emails are CPython's, byte for byte: `aiosmtpd` receives the records of
//! `tests/smtp_interop/cases.json` first from CPython's own `logging.handlers.SMTPHandler`, then
//! from ours, and for each case the EHLO name, the envelope (sender, recipients and their MAIL and
//! RCPT options) and the DATA bytes must be identical, with only `Date` (and a `Message-ID`,
//! which neither sends) masked. The corpus covers plain and non-ASCII text, a lone `.` line, lines
//! of 76 to 79 and 998 characters, quoted-printable and base64 bodies, exception text and stack
//! info (which never reach the subject), and long ASCII and non-ASCII subjects.
//!
//! Needs `python3` with aiosmtpd (`python3 -m pip install aiosmtpd`; `.ci/run` installs it). When
//! they are missing the test says why and passes, unless `CI` is set, where it fails.

mod smtp_common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine as _;
use pylog::{Formatter, Level, LogRecord, SmtpHandler};
use serde_json::Value;
use smtp_common::reserve_port;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_interop");
const FROM: &str = "app@example.com";
const TO: [&str; 2] = ["ops@example.com", "dev@example.com"];

fn python_with_aiosmtpd() -> bool {
    Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `aiosmtpd_interop.py serve`, stopped (stdin closed, then killed) when dropped.
struct Receiver {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<Value>,
}

impl Receiver {
    fn start(port: u16) -> Receiver {
        let mut child = Command::new("python3")
            .args([
                "-u",
                &format!("{DIR}/aiosmtpd_interop.py"),
                "serve",
                &port.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aiosmtpd_interop.py serve");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match serde_json::from_str::<Value>(&line) {
                    Ok(value) => {
                        if tx.send(value).is_err() {
                            return;
                        }
                    }
                    Err(e) => eprintln!("receiver printed {line:?}: {e}"),
                }
            }
        });
        let receiver = Receiver {
            child,
            stdin,
            lines,
        };
        let first = receiver.next().expect("aiosmtpd did not start");
        assert_eq!(first["listening"], port, "{first}");
        receiver
    }

    fn next(&self) -> Option<Value> {
        self.lines.recv_timeout(Duration::from_secs(30)).ok()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(format!("{DIR}/cases.json")).expect("read cases.json");
    let json: Value = serde_json::from_str(&text).expect("parse cases.json");
    json["cases"].as_array().expect("cases").clone()
}

fn level(name: &str) -> Level {
    match name {
        "DEBUG" => Level::DEBUG,
        "INFO" => Level::INFO,
        "WARNING" => Level::WARNING,
        "ERROR" => Level::ERROR,
        "CRITICAL" => Level::CRITICAL,
        other => panic!("unknown level {other}"),
    }
}

/// Sends one case through our handler, as `aiosmtpd_interop.py send` does through CPython's.
fn send_ours(port: u16, case: &Value) {
    let from = case["from"].as_str().unwrap_or(FROM);
    let to: Vec<String> = match case["to"].as_array() {
        Some(list) => list
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect(),
        None => TO.iter().map(|a| (*a).to_owned()).collect(),
    };
    let handler = SmtpHandler::builder("127.0.0.1", from, to, case["subject"].as_str().unwrap())
        .port(port)
        .build()
        .unwrap()
        .with_formatter(Formatter::new(case["format"].as_str().unwrap()).unwrap());
    let mut record = LogRecord::new(
        case["logger"].as_str().unwrap(),
        level(case["level"].as_str().unwrap()),
        case["message"].as_str().unwrap(),
    );
    if let Some(text) = case["exc_text"].as_str() {
        record.set_exc_text(text.to_owned());
    }
    record.stack_info = case["stack_info"].as_str();
    handler.handle(&record);
    handler.close();
    assert_eq!(handler.stats().errors, 0, "{}", case["case"]);
}

/// The DATA bytes with the `Date` and `Message-ID` header values masked.
fn masked(data: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .expect("base64 DATA");
    let text = String::from_utf8(bytes).expect("UTF-8 DATA");
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let head: Vec<String> = head
        .split("\r\n")
        .map(|line| {
            for name in ["Date: ", "Message-ID: "] {
                if line.starts_with(name) {
                    return format!("{name}<masked>");
                }
            }
            line.to_owned()
        })
        .collect();
    format!("{}\r\n\r\n{body}", head.join("\r\n"))
}

#[test]
fn emails_match_cpythons_envelope_headers_and_body_bytes() {
    if !python_with_aiosmtpd() {
        let why = "python3 with aiosmtpd is not available (python3 -m pip install aiosmtpd)";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        println!("skipped: {why}");
        return;
    }
    let cases = cases();
    // Held to the end of the scope: nobody else can take the port meanwhile.
    let reserved = reserve_port();
    let port = reserved.port();
    let receiver = Receiver::start(port);
    let status = Command::new("python3")
        .args([
            &format!("{DIR}/aiosmtpd_interop.py"),
            "send",
            &port.to_string(),
        ])
        .status()
        .expect("run aiosmtpd_interop.py send");
    assert!(status.success(), "CPython's sender failed");
    let theirs: Vec<Value> = cases
        .iter()
        .map(|case| {
            receiver
                .next()
                .unwrap_or_else(|| panic!("no email from CPython for {}", case["case"]))
        })
        .collect();
    let mut differences = Vec::new();
    for (case, theirs) in cases.iter().zip(&theirs) {
        send_ours(port, case);
        let ours = receiver
            .next()
            .unwrap_or_else(|| panic!("no email from us for {}", case["case"]));
        let name = case["case"].as_str().unwrap();
        for key in [
            "ehlo",
            "mail_from",
            "mail_options",
            "rcpt_tos",
            "rcpt_options",
        ] {
            if ours[key] != theirs[key] {
                differences.push(format!(
                    "{name}: {key}: ours {} theirs {}",
                    ours[key], theirs[key]
                ));
            }
        }
        let (our_data, their_data) = (
            masked(ours["data"].as_str().unwrap()),
            masked(theirs["data"].as_str().unwrap()),
        );
        if our_data != their_data {
            differences.push(format!(
                "{name}: DATA differs\n--- ours\n{our_data:?}\n--- theirs\n{their_data:?}"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} cases differ:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
    drop(receiver);
    let _ = std::io::stdout().flush();
}
