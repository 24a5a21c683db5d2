//! The body as CPython's `EmailMessage.set_content(text)` encodes it
//! (`email.contentmanager._encode_text` with `email.policy.default`):
//!
//! - the text's lines, split at `\r\n`, `\r` or `\n` (`bytes.splitlines`), each ended by a newline;
//! - `7bit` when every line is at most 78 bytes and all is ASCII, `8bit` when the lines are short
//!   but not ASCII;
//! - otherwise quoted-printable or base64, whichever the first ten lines come out shorter in
//!   (quoted-printable with its line breaks against base64 without).
//!
//! Lines end with `\n` here; the message is written with CRLF.

use super::subject::base64;

/// `email.policy.default.max_line_length`.
const MAX_LINE: usize = 78;

/// A `Content-Transfer-Encoding` and the body in it, lines ended by `\n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EncodedBody {
    /// `7bit`, `8bit`, `quoted-printable` or `base64`.
    pub(crate) encoding: &'static str,
    pub(crate) text: Vec<u8>,
}

/// `bytes.splitlines()`: the lines between `\r\n`, `\r` and `\n`, without a last empty one.
fn split_lines(text: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                if text.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// The lines joined by `\n`, with a final `\n`.
fn joined(lines: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    if lines.is_empty() {
        out.push(b'\n');
    }
    out
}

/// Encodes `text` as `set_content` does.
pub(crate) fn encode(text: &str) -> EncodedBody {
    let lines = split_lines(text.as_bytes());
    if lines.iter().all(|l| l.len() <= MAX_LINE) {
        let body = joined(&lines);
        let encoding = if body.is_ascii() { "7bit" } else { "8bit" };
        return EncodedBody {
            encoding,
            text: body,
        };
    }
    let sniff = joined(&lines[..lines.len().min(10)]);
    let sniff_qp = quoted_printable(&sniff);
    let sniff_base64_len = sniff.len().div_ceil(3) * 4 + 1;
    if sniff_qp.len() > sniff_base64_len {
        let body = joined(&lines);
        let mut text = Vec::with_capacity(body.len() * 4 / 3 + body.len() / 57 + 2);
        for chunk in body.chunks(MAX_LINE / 4 * 3) {
            text.extend_from_slice(base64(chunk).as_bytes());
            text.push(b'\n');
        }
        return EncodedBody {
            encoding: "base64",
            text,
        };
    }
    let text = if lines.len() <= 10 {
        sniff_qp
    } else {
        quoted_printable(&joined(&lines))
    };
    EncodedBody {
        encoding: "quoted-printable",
        text,
    }
}

/// Bytes quoted-printable writes as themselves in a body (CR and LF are line breaks).
fn qp_safe(b: u8) -> bool {
    matches!(b, b' '..=b'~' | b'\t') && b != b'='
}

/// `email.quoprimime.body_encode(body, 78)`, lines ended by `\n`.
fn quoted_printable(body: &[u8]) -> Vec<u8> {
    if body.is_empty() {
        return Vec::new();
    }
    let mut translated = Vec::with_capacity(body.len() * 3);
    for &b in body {
        if qp_safe(b) || b == b'\r' || b == b'\n' {
            translated.push(b);
        } else {
            translated.extend_from_slice(format!("={b:02X}").as_bytes());
        }
    }
    let max = MAX_LINE as isize;
    let mut encoded: Vec<Vec<u8>> = Vec::new();
    for line in split_lines(&translated) {
        let mut start: isize = 0;
        let last_start = line.len() as isize - 1 - max;
        while start <= last_start {
            let stop = start + max - 1;
            let at = |i: isize| line[i as usize];
            if at(stop - 2) == b'=' {
                encoded.push(line[start as usize..(stop - 1) as usize].to_vec());
                start = stop - 2;
            } else if at(stop - 1) == b'=' {
                encoded.push(line[start as usize..stop as usize].to_vec());
                start = stop - 1;
            } else {
                let mut piece = line[start as usize..stop as usize].to_vec();
                piece.push(b'=');
                encoded.push(piece);
                start = stop;
            }
        }
        match line.last() {
            Some(&last @ (b' ' | b'\t')) => {
                let room = start - last_start;
                let mut piece = line[start as usize..line.len() - 1].to_vec();
                let quoted = format!("={last:02X}");
                if room >= 3 {
                    piece.extend_from_slice(quoted.as_bytes());
                } else if room == 2 {
                    piece.push(last);
                    piece.extend_from_slice(b"=\n");
                } else {
                    piece.extend_from_slice(b"=\n");
                    piece.extend_from_slice(quoted.as_bytes());
                }
                encoded.push(piece);
            }
            _ => encoded.push(line[start as usize..].to_vec()),
        }
    }
    if matches!(translated.last(), Some(b'\r' | b'\n')) {
        encoded.push(Vec::new());
    }
    encoded.join(&b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> (&'static str, String) {
        let encoded = encode(text);
        (
            encoded.encoding,
            String::from_utf8(encoded.text).expect("ASCII or UTF-8"),
        )
    }

    #[test]
    fn short_lines_are_7bit_or_8bit_with_a_final_newline() {
        assert_eq!(body("a"), ("7bit", "a\n".to_owned()));
        assert_eq!(body("a\r\nb\rc\n"), ("7bit", "a\nb\nc\n".to_owned()));
        assert_eq!(body(""), ("7bit", "\n".to_owned()));
        assert_eq!(body(&"x".repeat(78)).0, "7bit");
        assert_eq!(body("café"), ("8bit", "café\n".to_owned()));
    }

    #[test]
    fn long_lines_choose_quoted_printable_or_base64() {
        let (encoding, text) = body(&"x".repeat(79));
        assert_eq!(encoding, "quoted-printable");
        assert_eq!(text, format!("{}=\nxx\n", "x".repeat(77)));
        let (encoding, text) = body(&"é".repeat(79));
        assert_eq!(encoding, "base64");
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
    }

    /// `tests/golden/smtp/folding.py`: 150 random bodies encoded by CPython's email package.
    #[test]
    fn random_bodies_encode_as_cpythons_email_package_encodes_them() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/golden/smtp/folding.json"
        );
        let golden: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut failures = Vec::new();
        for case in golden["bodies"].as_array().unwrap() {
            let text = case["text"].as_str().unwrap();
            let (encoding, body) = body(text);
            let body = body.replace('\n', "\r\n");
            let expected = (
                case["encoding"].as_str().unwrap(),
                case["body"].as_str().unwrap(),
            );
            if (encoding, body.as_str()) != expected {
                failures.push(format!(
                    "{text:?}\n ours:    {encoding} {body:?}\n CPython: {} {:?}",
                    expected.0, expected.1
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn line_splitting_matches_bytes_splitlines() {
        assert_eq!(split_lines(b"a\n\nb"), [&b"a"[..], b"", b"b"]);
        assert_eq!(split_lines(b"a\r\n"), [&b"a"[..]]);
        assert!(split_lines(b"").is_empty());
    }
}
