//! One email from one record or a digest of records, laid out as CPython's `SMTPHandler.emit`
//! lays it out: `From`, `To` (the addresses joined by `,`), `Subject`, `Date` (local time, as
//! `email.utils.localtime()`), then what `EmailMessage.set_content(text)` adds: `Content-Type:
//! text/plain; charset="utf-8"`, `Content-Transfer-Encoding` (`7bit` for ASCII lines of at most 78
//! characters, else `8bit`) and `MIME-Version: 1.0`. The body is the formatted record with its line
//! endings made uniform and a final newline, as `set_content` makes it.
//!
//! Nothing a record carries can add a header: the subject is made one line (CR and LF become spaces)
//! before lettre encodes it (RFC 2047 for anything not plain ASCII), and the body is a body.

use std::fmt::Write as _;

use lettre::Message;
use lettre::address::Envelope;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, Mailboxes, header};

use crate::format::datefmt::{DateFormat, Zone};
use crate::format::repr::py_repr;

/// CPython's `email.policy.default.max_line_length`: longer lines make the body `8bit`.
const MAX_7BIT_LINE: usize = 78;

/// Where an email goes and who sends it: the parts every email of a handler shares.
#[derive(Clone, Debug)]
pub(crate) struct Addresses {
    from: Mailbox,
    to: Vec<Mailbox>,
    /// The `From` and `To` headers as CPython writes them (the texts given, the recipients joined
    /// by `,`), when they are ASCII; otherwise lettre's encoding of the parsed addresses is used.
    from_text: Option<String>,
    to_text: Option<String>,
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
        Ok(Addresses {
            from: from_box,
            to: to_boxes,
            from_text: from.is_ascii().then(|| from.to_owned()),
            to_text: joined.is_ascii().then_some(joined),
            envelope,
        })
    }
}

/// Builds the email. `created` is the (first) record's time, for the `Date` header.
pub(crate) fn build(
    addresses: &Addresses,
    subject: &str,
    body_text: &str,
    created: f64,
) -> Result<Message, lettre::error::Error> {
    let to: Mailboxes = addresses.to.iter().cloned().collect();
    let mut text = normalize_body(body_text);
    // lettre's transport ends the DATA with CRLF `.` CRLF, CRLF included, where smtplib adds only
    // `.` CRLF after a payload that already ends with CRLF: the last newline is lettre's to add.
    text.pop();
    let body = body(text);
    let mut message = Message::builder()
        .envelope(addresses.envelope.clone())
        .from(addresses.from.clone())
        .mailbox(header::To::from(to))
        .subject(one_line(subject))
        // Placed here so that the headers keep CPython's order; its text is replaced below.
        .date(std::time::SystemTime::UNIX_EPOCH)
        .header(content_type())
        .header(body.encoding())
        .header(header::MIME_VERSION_1_0)
        .body(body)?;
    let headers = message.headers_mut();
    if let Some(from) = &addresses.from_text {
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("From"),
            from.clone(),
        ));
    }
    if let Some(to) = &addresses.to_text {
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("To"),
            to.clone(),
        ));
    }
    headers.insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Date"),
        local_date(created),
    ));
    Ok(message)
}

/// `text/plain; charset="utf-8"`, quoted as CPython writes it.
fn content_type() -> ContentType {
    ContentType::parse("text/plain; charset=\"utf-8\"").unwrap_or(ContentType::TEXT_PLAIN)
}

/// The subject as one line: CR and LF (each, or as a pair) become one space each.
pub(crate) fn one_line(subject: &str) -> String {
    let mut out = String::with_capacity(subject.len());
    let mut chars = subject.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(' ');
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `set_content`'s body: the text's lines (split at `\r\n`, `\r` or `\n`, as `bytes.splitlines`)
/// each ended by `\n`.
pub(crate) fn normalize_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        out.push_str(&rest[..end]);
        out.push('\n');
        rest = &rest[end..];
        if rest.starts_with("\r\n") {
            rest = &rest[2..];
        } else if !rest.is_empty() {
            rest = &rest[1..];
        }
    }
    out
}

/// The body as CPython's `set_content` encodes it: with every line at most 78 bytes, `7bit` when
/// ASCII, else `8bit`; with a longer line, quoted-printable or base64, whichever CPython's
/// estimate over the first ten lines finds shorter.
fn body(normalized: String) -> Body {
    if normalized.lines().all(|l| l.len() <= MAX_7BIT_LINE) && !normalized.contains('\0') {
        if normalized.is_ascii() {
            return Body::new_with_encoding(normalized, ContentTransferEncoding::SevenBit)
                .unwrap_or_else(Body::new);
        }
        let crlf = normalized.replace('\n', "\r\n");
        return Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::EightBit);
    }
    let encoding = if quoted_printable_is_longer(&normalized) {
        ContentTransferEncoding::Base64
    } else {
        ContentTransferEncoding::QuotedPrintable
    };
    Body::new_with_encoding(normalized, encoding).unwrap_or_else(Body::new)
}

/// CPython's sniff: the first ten lines, quoted-printable (3 bytes for each byte it escapes, a
/// soft break every 75) against base64.
fn quoted_printable_is_longer(normalized: &str) -> bool {
    let sniff: Vec<&str> = normalized.split('\n').take(10).collect();
    let sniff = sniff.join("\r\n");
    let escaped: usize = sniff
        .bytes()
        .map(|b| if b >= 128 || b == b'=' { 3 } else { 1 })
        .sum();
    let qp = escaped + 3 * (escaped / 75);
    let base64 = sniff.len().div_ceil(3) * 4 + 1;
    qp > base64
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

    fn text(message: &Message) -> String {
        String::from_utf8(message.formatted()).unwrap()
    }

    #[test]
    fn bodies_end_with_one_newline_and_uniform_line_endings() {
        assert_eq!(normalize_body("a"), "a\n");
        assert_eq!(normalize_body("a\r\nb\rc\n"), "a\nb\nc\n");
        assert_eq!(normalize_body("a\n\nb"), "a\n\nb\n");
        assert_eq!(normalize_body(""), "");
    }

    #[test]
    fn subjects_lose_their_line_breaks() {
        assert_eq!(
            one_line("x\r\nBcc: v@example.com\ny\rz"),
            "x Bcc: v@example.com y z"
        );
    }

    #[test]
    fn headers_come_in_cpythons_order_with_its_encoding_choice() {
        let short = text(&build(&addresses(), "Alert", "disk full", 0.0).unwrap());
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
        assert!(short.ends_with("\r\n\r\ndisk full"));
        let long = text(&build(&addresses(), "Alert", &"x".repeat(79), 0.0).unwrap());
        assert!(
            long.contains("Content-Transfer-Encoding: quoted-printable\r\n"),
            "{long}"
        );
        let long = text(&build(&addresses(), "Alert", &"é".repeat(79), 0.0).unwrap());
        assert!(
            long.contains("Content-Transfer-Encoding: base64\r\n"),
            "{long}"
        );
        let unicode = text(&build(&addresses(), "Alert", "café\nnext", 0.0).unwrap());
        assert!(unicode.contains("Content-Transfer-Encoding: 8bit\r\n"));
        assert!(unicode.ends_with("\r\n\r\ncafé\r\nnext"));
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
