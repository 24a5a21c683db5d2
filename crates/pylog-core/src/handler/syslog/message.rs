//! The bytes of one syslog message, and how messages are delimited on a stream socket.
//!
//! Python's layout (the default) is `<PRI>` + ident + the formatted record + `\0`, in UTF-8, with
//! no timestamp and no hostname: the receiving daemon adds them. The RFC 5424 layout is
//! `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG`, the timestamp in microseconds with
//! the zone's offset (`2026-11-24T16:12:21.123456+01:00`).

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::priority::{Facility, encode_priority, priority_for_level_name};
use crate::level::level_name;
use crate::owned_record::OwnedRecord;

/// How a message is laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Layout {
    /// CPython's bytes: `<PRI>` + ident + message (+ `\0` with `append_nul`).
    #[default]
    Python,
    /// RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - ` + ident + message
    /// (+ `\0` with `append_nul`). No structured data, no BOM.
    Rfc5424,
}

/// How messages are delimited on a stream socket (TCP, a Unix stream socket). Datagrams carry one
/// message each and are never framed.
///
/// Only [`OctetCounting`](Framing::OctetCounting) and [`LineFeed`](Framing::LineFeed) keep one
/// record one message whatever its text holds; octet counting is the default, and what rsyslog's
/// `imtcp` and syslog-ng read without configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Framing {
    /// RFC 6587 octet counting: `LEN SP MSG`. The receiver reads exactly `LEN` bytes, so a
    /// newline inside a message cannot end it (the default).
    #[default]
    OctetCounting,
    /// RFC 6587 non-transparent framing: each message followed by `\n`. A CR or LF inside the
    /// message is written as rsyslog writes control characters it receives, `#015` and `#012`, so
    /// the newline that ends a message is the only one on the wire.
    LineFeed,
    /// No delimiter, as CPython sends them: with `append_nul` the `\0` ends each message.
    ///
    /// **Injectable.** Receivers that find no octet count split the stream at newlines (rsyslog's
    /// `imtcp` does), so a record whose text holds `\n<38>1 … sshd - - Accepted password` is stored
    /// as a second message, from whatever host and program that text names. Use it only for a
    /// receiver that needs CPython's exact bytes and records whose text you control.
    Raw,
}

/// The fields of the RFC 5424 header that do not come from the record, already checked.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    pub(crate) hostname: String,
    pub(crate) app_name: String,
    pub(crate) msgid: String,
    pub(crate) zone: TimeZone,
}

/// Turns owned records into syslog messages.
#[derive(Clone, Debug)]
pub(crate) struct Encoder {
    pub(crate) layout: Layout,
    pub(crate) facility: Facility,
    pub(crate) ident: String,
    pub(crate) append_nul: bool,
    pub(crate) header: Header,
}

impl Encoder {
    /// Appends the message for `record` to `out`: the formatted text the handler kept, or the
    /// record's message for a record that was not formatted (the worker's report of drops).
    pub(crate) fn encode(&self, record: &OwnedRecord, out: &mut Vec<u8>) {
        let priority = priority_for_level_name(&level_name(record.level).to_text());
        let pri = encode_priority(self.facility, priority);
        let mut head = String::with_capacity(64);
        let _ = write!(head, "<{pri}>");
        if self.layout == Layout::Rfc5424 {
            head.push_str("1 ");
            write_timestamp(&mut head, record.created, &self.header.zone);
            let h = &self.header;
            let _ = write!(
                head,
                " {} {} {} {} - ",
                h.hostname, h.app_name, record.process, h.msgid
            );
        }
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(self.ident.as_bytes());
        out.extend_from_slice(record.formatted().unwrap_or(record.msg()).as_bytes());
        if self.append_nul {
            out.push(0);
        }
    }
}

/// Appends `msg` to `out` delimited as `framing` says.
pub(crate) fn frame(framing: Framing, msg: &[u8], out: &mut Vec<u8>) {
    match framing {
        Framing::Raw => out.extend_from_slice(msg),
        Framing::OctetCounting => {
            out.extend_from_slice(msg.len().to_string().as_bytes());
            out.push(b' ');
            out.extend_from_slice(msg);
        }
        Framing::LineFeed => {
            for &byte in msg {
                match byte {
                    b'\n' => out.extend_from_slice(b"#012"),
                    b'\r' => out.extend_from_slice(b"#015"),
                    other => out.push(other),
                }
            }
            out.push(b'\n');
        }
    }
}

/// RFC 5424's TIMESTAMP: `YYYY-MM-DDTHH:MM:SS.ffffff+hh:mm` in `zone`.
fn write_timestamp(out: &mut String, created: f64, zone: &TimeZone) {
    let micros = (created * 1_000_000.0).round() as i64;
    let Ok(ts) = Timestamp::from_microsecond(micros) else {
        out.push('-');
        return;
    };
    let offset = zone.to_offset(ts);
    let dt = offset.to_datetime(ts);
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}{sign}{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.subsec_nanosecond() / 1000,
        abs / 3600,
        abs / 60 % 60,
    );
}

/// A header field as RFC 5424 allows it: printable US-ASCII without spaces, at most `max`
/// characters; anything else becomes `_`, and an empty field is the NILVALUE `-`.
pub(crate) fn header_field(value: &str, max: usize) -> String {
    let field: String = value
        .chars()
        .take(max)
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .collect();
    if field.is_empty() {
        "-".to_owned()
    } else {
        field
    }
}

/// This machine's host name (`/proc/sys/kernel/hostname`, else `$HOSTNAME`), or `-`.
pub(crate) fn local_hostname() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    header_field(name.trim(), 255)
}

/// The program's name (the file name of its first argument), as C's `openlog` uses by default.
pub(crate) fn program_name() -> String {
    let name = std::env::args_os()
        .next()
        .and_then(|arg0| {
            std::path::Path::new(&arg0)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    header_field(&name, 48)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::Level;

    fn encoder(layout: Layout) -> Encoder {
        Encoder {
            layout,
            facility: Facility::LOCAL3,
            ident: "app: ".to_owned(),
            append_nul: true,
            header: Header {
                hostname: "host".to_owned(),
                app_name: "prog".to_owned(),
                msgid: "-".to_owned(),
                zone: TimeZone::fixed(jiff::tz::offset(-5)),
            },
        }
    }

    #[test]
    fn python_layout_is_cpythons() {
        let mut out = Vec::new();
        encoder(Layout::Python).encode(&OwnedRecord::new("a", Level::ERROR, "hello w"), &mut out);
        assert_eq!(out, b"<155>app: hello w\0");
    }

    #[test]
    fn rfc5424_layout_has_every_header_field() {
        let mut record = OwnedRecord::new("a", Level::new(25), "x");
        record.created = 1_795_450_341.123_456;
        record.process = 42;
        let mut out = Vec::new();
        encoder(Layout::Rfc5424).encode(&record, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<156>1 2026-11-23T11:12:21.123456-05:00 host prog 42 - - app: x\0"
        );
    }

    #[test]
    fn frames() {
        let mut out = Vec::new();
        frame(Framing::OctetCounting, b"<14>hi", &mut out);
        frame(Framing::LineFeed, b"<14>hi", &mut out);
        frame(Framing::Raw, b"<14>hi", &mut out);
        assert_eq!(out, b"6 <14>hi<14>hi\n<14>hi");
    }

    #[test]
    fn newline_framing_escapes_line_breaks_as_rsyslog_does() {
        let mut out = Vec::new();
        frame(Framing::LineFeed, b"<14>a\n<38>1 b\r\nc", &mut out);
        assert_eq!(out, b"<14>a#012<38>1 b#015#012c\n");
        out.clear();
        frame(Framing::OctetCounting, b"<14>a\nb", &mut out);
        assert_eq!(out, b"7 <14>a\nb");
    }

    #[test]
    fn header_fields_are_printable_ascii() {
        assert_eq!(header_field("my app", 48), "my_app");
        assert_eq!(header_field("", 48), "-");
        assert_eq!(header_field("abcdef", 3), "abc");
    }
}
