//! Both layouts are read back field by field by an independent syslog parser (`syslog_loose`):
//! CPython's layout as RFC 3164 (priority, tag, pid, message) and the RFC 5424 layout (version,
//! timestamp to the microsecond with its offset, hostname, app name, process id, message id, no
//! structured data, message).
//!
//! CPython's layout has no TIMESTAMP and HOSTNAME: the daemon adds them. `syslog_loose` needs
//! them, so the test does what RFC 3164 (section 4.3.3) tells a relay to do with such a message:
//! it inserts both after the PRI, and changes nothing else.

mod syslog_common;

use std::time::{SystemTime, UNIX_EPOCH};

use pylog::format::datefmt::{TimeZone, Zone};
use pylog::syslog::{Facility, Layout};
use pylog::{Formatter, Handler, Level, Manager, SysLogHandlerBuilder};
use syslog_common::{PATIENCE, UdpRecorder};
use syslog_loose::{ProcId, Protocol, SyslogFacility, SyslogSeverity, Variant, parse_message};

/// Sends one record through a handler built by `builder` to a fresh UDP server; returns the
/// datagram and the time span (seconds since the epoch) in which the record was made.
fn send_one(
    builder: SysLogHandlerBuilder,
    level: Level,
    msg: &str,
    format: Option<&str>,
) -> (String, f64, f64) {
    let server = UdpRecorder::start();
    let handler: Handler = builder
        .address(server.addr())
        .build()
        .expect("the handler starts");
    if let Some(format) = format {
        handler.set_formatter(Some(Formatter::new(format).expect("a valid format")));
    }
    let tree = Manager::new();
    let logger = tree.get_logger("app.parse");
    logger.set_propagate(false);
    logger.set_level(Level::new(1));
    logger.add_handler(handler.clone());
    let before = now();
    logger.log(level, msg);
    let after = now();
    handler.close();
    let got = server.take(1, PATIENCE);
    assert_eq!(got.len(), 1, "one datagram arrives");
    let text = String::from_utf8(got[0].clone()).expect("UTF-8");
    (text, before, after)
}

/// The message as an RFC 3164 relay passes it on: a TIMESTAMP and a HOSTNAME after the PRI.
fn as_relayed(text: &str) -> String {
    let end = text.find('>').expect("a PRI") + 1;
    format!("{}Oct 11 22:14:15 relayhost {}", &text[..end], &text[end..])
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64()
}

#[test]
fn the_python_layout_parses_as_rfc3164_with_tag_and_pid() {
    let builder = pylog::SysLogHandler::builder()
        .facility(Facility::LOCAL3)
        .ident("myapp[77]: ")
        .append_nul(false);
    let (text, _, _) = send_one(builder, Level::ERROR, "disk is full", None);
    assert!(text.starts_with("<155>myapp[77]: "), "{text:?}");
    let relayed = as_relayed(&text);
    let parsed = parse_message(&relayed, Variant::RFC3164);
    assert_eq!(parsed.protocol, Protocol::RFC3164);
    assert_eq!(parsed.hostname, Some("relayhost"));
    assert_eq!(parsed.facility, Some(SyslogFacility::LOG_LOCAL3));
    assert_eq!(parsed.severity, Some(SyslogSeverity::SEV_ERR));
    assert_eq!(parsed.appname, Some("myapp"));
    assert_eq!(parsed.procid, Some(ProcId::PID(77)));
    assert_eq!(parsed.msg, "disk is full");
}

#[test]
fn every_level_parses_to_pythons_severity() {
    let cases = [
        (Level::DEBUG, SyslogSeverity::SEV_DEBUG),
        (Level::INFO, SyslogSeverity::SEV_INFO),
        (Level::WARNING, SyslogSeverity::SEV_WARNING),
        (Level::ERROR, SyslogSeverity::SEV_ERR),
        (Level::CRITICAL, SyslogSeverity::SEV_CRIT),
        (Level::new(25), SyslogSeverity::SEV_WARNING),
        (Level::TRACE, SyslogSeverity::SEV_WARNING),
    ];
    for (level, severity) in cases {
        let builder = pylog::SysLogHandler::builder()
            .facility(Facility::DAEMON)
            .ident("lvl: ");
        let (text, _, _) = send_one(builder, level, "x", None);
        let text = text
            .strip_suffix('\0')
            .expect("append_nul is on by default");
        let relayed = as_relayed(text);
        let parsed = parse_message(&relayed, Variant::RFC3164);
        assert_eq!(parsed.facility, Some(SyslogFacility::LOG_DAEMON), "{level}");
        assert_eq!(parsed.severity, Some(severity), "{level}");
        assert_eq!(parsed.msg, "x", "{level}");
    }
}

#[test]
fn the_rfc5424_layout_parses_field_by_field() {
    let zone = TimeZone::fixed(jiff::tz::Offset::from_seconds(5 * 3600 + 30 * 60).unwrap());
    let builder = pylog::SysLogHandler::builder()
        .layout(Layout::Rfc5424)
        .facility(Facility::LOCAL7)
        .hostname("test-host.example")
        .app_name("pyltest")
        .msgid("ID47")
        .zone(Zone::Fixed(zone))
        .append_nul(false);
    let (text, before, after) = send_one(
        builder,
        Level::WARNING,
        "temp high \u{2014} 81\u{b0}C",
        Some("%(name)s: %(message)s"),
    );
    let parsed = parse_message(&text, Variant::RFC5424);
    assert_eq!(parsed.protocol, Protocol::RFC5424(1));
    assert_eq!(parsed.facility, Some(SyslogFacility::LOG_LOCAL7));
    assert_eq!(parsed.severity, Some(SyslogSeverity::SEV_WARNING));
    assert_eq!(parsed.hostname, Some("test-host.example"));
    assert_eq!(parsed.appname, Some("pyltest"));
    assert_eq!(parsed.procid, Some(ProcId::PID(std::process::id() as i32)));
    assert_eq!(parsed.msgid, Some("ID47"));
    assert!(parsed.structured_data.is_empty());
    assert_eq!(parsed.msg, "app.parse: temp high \u{2014} 81\u{b0}C");

    let timestamp = parsed.timestamp.expect("a timestamp");
    assert_eq!(timestamp.offset().local_minus_utc(), 5 * 3600 + 30 * 60);
    let micros = timestamp.timestamp_micros();
    let (lo, hi) = ((before * 1e6).floor() as i64, (after * 1e6).ceil() as i64);
    assert!(
        (lo..=hi).contains(&micros),
        "{timestamp} lies in the span of the logging call"
    );
    // The header's timestamp is written with six fractional digits and a numeric offset.
    let stamp = text.split(' ').nth(1).expect("a timestamp field");
    let fraction = stamp
        .split('.')
        .nth(1)
        .expect("a fraction")
        .trim_end_matches("+05:30");
    assert_eq!(fraction.len(), 6, "{stamp}");
    assert!(stamp.ends_with("+05:30"), "{stamp}");
}
