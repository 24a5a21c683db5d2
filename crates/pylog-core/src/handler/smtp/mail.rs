//! One email from one record or a digest of records, byte for byte as CPython's
//! `SMTPHandler.emit` has `smtplib` send it: `From`, `To` (the addresses joined by `,`), `Subject`
//! (folded and encoded as `email.policy.default` does, see [`subject`](super::subject)), `Date`
//! (local time, as `email.utils.localtime()`), then what `EmailMessage.set_content(text)` adds:
//! `Content-Type: text/plain; charset="utf-8"`, `Content-Transfer-Encoding` and `MIME-Version:
//! 1.0`, and the body in that encoding (see [`body`](super::body)). Every line ends with CRLF.
//!
//! Nothing a record carries can add a header: the subject is made one line before it is folded,
//! and the body is a body.

use std::fmt::Write as _;

use lettre::Message;
use lettre::address::{Address, Envelope};
use lettre::message::{Mailbox, Mailboxes, header};

use super::{body, subject};
use crate::format::datefmt::{DateFormat, Zone};
use crate::format::repr::py_repr;

/// Where an email goes and who sends it: the parts every email of a handler shares.
#[derive(Clone, Debug)]
pub(crate) struct Addresses {
    /// The `From:` and `To:` header lines, CRLF included.
    from_header: String,
    to_header: String,
    envelope: Envelope,
}

impl Addresses {
    /// Parses the sender and the recipients; the error names the address that does not parse.
    pub(crate) fn parse(from: &str, to: &[String]) -> Result<Addresses, String> {
        let parse = |text: &str| {
            text.parse::<Mailbox>()
                .map_err(|e| format!("invalid email address {}: {e}", py_repr(text)))
        };
        let from_box = parse(from)?;
        let to_boxes = to.iter().map(|t| parse(t)).collect::<Result<Vec<_>, _>>()?;
        if to_boxes.is_empty() {
            return Err("no recipient: toaddrs is empty".to_owned());
        }
        let envelope = Envelope::new(
            Some(from_box.email.clone()),
            to_boxes.iter().map(|m| m.email.clone()).collect(),
        )
        .map_err(|e| e.to_string())?;
        let joined = to.join(",");
        // ASCII addresses are written as given, as CPython writes them, and so are addresses that
        // are not ASCII (smtplib then writes the headers as UTF-8); display names that are not
        // ASCII become encoded words as CPython writes them, or, in shapes that does not cover,
        // lettre's RFC 2047 encoding of the parsed addresses.
        let international = std::iter::once(&from_box)
            .chain(&to_boxes)
            .any(|m| !AsRef::<str>::as_ref(&m.email).is_ascii());
        let (from_header, to_header) = if international || (from.is_ascii() && joined.is_ascii()) {
            (format!("From: {from}\r\n"), format!("To: {joined}\r\n"))
        } else {
            match (
                subject::address_header("From", from),
                subject::address_header("To", &joined),
            ) {
                (Some(from), Some(to)) => (from, to),
                _ => encoded_address_headers(from_box, to_boxes)?,
            }
        };
        Ok(Addresses {
            from_header,
            to_header,
            envelope,
        })
    }

    /// The envelope's sender.
    pub(crate) fn sender(&self) -> Option<&Address> {
        self.envelope.from()
    }

    /// The envelope's recipients.
    pub(crate) fn recipients(&self) -> &[Address] {
        self.envelope.to()
    }

    /// Whether an address is not ASCII (smtplib then asks for `SMTPUTF8`).
    pub(crate) fn international(&self) -> bool {
        self.envelope
            .from()
            .into_iter()
            .chain(self.envelope.to())
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii())
    }
}

/// The `From:` and `To:` lines lettre writes for addresses that are not ASCII.
fn encoded_address_headers(from: Mailbox, to: Vec<Mailbox>) -> Result<(String, String), String> {
    let to: Mailboxes = to.into_iter().collect();
    let message = Message::builder()
        .from(from)
        .mailbox(header::To::from(to))
        .body(String::new())
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&message.formatted()).into_owned();
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut from_header = String::new();
    let mut to_header = String::new();
    let mut current: Option<&mut String> = None;
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some(target) = current.as_mut() {
                target.push_str(line);
                target.push_str("\r\n");
            }
            continue;
        }
        current = if line.starts_with("From:") {
            Some(&mut from_header)
        } else if line.starts_with("To:") {
            Some(&mut to_header)
        } else {
            None
        };
        if let Some(target) = current.as_mut() {
            target.push_str(line);
            target.push_str("\r\n");
        }
    }
    Ok((from_header, to_header))
}

/// The whole message, as `smtplib` hands it to `DATA` (before dot-stuffing). `created` is the
/// (first) record's time, for the `Date` header.
pub(crate) fn build(
    addresses: &Addresses,
    subject_text: &str,
    body_text: &str,
    created: f64,
) -> Vec<u8> {
    let body = body::encode(body_text);
    let mut head = String::with_capacity(256);
    head.push_str(&addresses.from_header);
    head.push_str(&addresses.to_header);
    head.push_str(&subject::header(
        &subject::one_line(subject_text),
        addresses.international(),
    ));
    let _ = write!(head, "Date: {}\r\n", local_date(created));
    head.push_str("Content-Type: text/plain; charset=\"utf-8\"\r\n");
    let _ = write!(head, "Content-Transfer-Encoding: {}\r\n", body.encoding);
    head.push_str("MIME-Version: 1.0\r\n\r\n");
    let mut out = head.into_bytes();
    out.reserve(body.text.len() + body.text.len() / 32);
    for &b in &body.text {
        if b == b'\n' {
            out.extend_from_slice(b"\r\n");
        } else {
            out.push(b);
        }
    }
    out
}

/// `email.utils.format_datetime(email.utils.localtime())` at the record's time:
/// `Tue, 05 Mar 2024 14:07:09 +0100`.
pub(crate) fn local_date(created: f64) -> String {
    let mut out = String::with_capacity(32);
    match DateFormat::parse("%a, %d %b %Y %H:%M:%S %z") {
        Ok(format) => format.render(&mut out, created.floor() as i64, &Zone::Local),
        Err(_) => {
            let _ = write!(out, "{}", created.floor() as i64);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addresses() -> Addresses {
        Addresses::parse(
            "ops@example.com",
            &["a@example.com".to_owned(), "b@example.com".to_owned()],
        )
        .unwrap()
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn headers_come_in_cpythons_order_with_its_encoding_choice() {
        let short = text(build(&addresses(), "Alert", "disk full", 0.0));
        let names: Vec<&str> = short
            .split("\r\n\r\n")
            .next()
            .unwrap()
            .lines()
            .filter_map(|l| l.split(':').next())
            .collect();
        assert_eq!(
            names,
            [
                "From",
                "To",
                "Subject",
                "Date",
                "Content-Type",
                "Content-Transfer-Encoding",
                "MIME-Version"
            ]
        );
        assert!(short.contains("To: a@example.com,b@example.com\r\n"));
        assert!(short.contains("Content-Transfer-Encoding: 7bit\r\n"));
        assert!(short.ends_with("\r\n\r\ndisk full\r\n"));
        let unicode = text(build(&addresses(), "Alert", "café\nnext", 0.0));
        assert!(unicode.contains("Content-Transfer-Encoding: 8bit\r\n"));
        assert!(unicode.ends_with("\r\n\r\ncafé\r\nnext\r\n"));
    }

    #[test]
    fn addresses_that_do_not_parse_are_named() {
        let e = Addresses::parse("ops@example.com", &["not an address".to_owned()]).unwrap_err();
        assert!(
            e.starts_with("invalid email address 'not an address': "),
            "{e}"
        );
        let e = Addresses::parse("ops\r\nBcc: x@example.com", &[]).unwrap_err();
        assert!(e.starts_with("invalid email address "), "{e}");
    }

    #[test]
    fn dates_are_rfc_5322_local_time() {
        let date = local_date(1_700_000_000.5);
        // `Tue, 14 Nov 2023 22:13:20 +0000` in UTC; the zone is the machine's.
        assert_eq!(date.len(), 31, "{date}");
        assert!(date[26..].starts_with(['+', '-']), "{date}");
    }
}
