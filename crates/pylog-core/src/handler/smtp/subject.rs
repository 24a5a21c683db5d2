//! The `Subject` header as CPython's `email.policy.default` writes it: the text split into words
//! and white space (`get_unstructured`), then folded at 78 characters, with every word that is not
//! ASCII written as an RFC 2047 encoded word (`=?utf-8?q?...?=` or `=?utf-8?b?...?=`, whichever is
//! shorter, leaning to `q`), consecutive ones merged (`_refold_parse_tree`, `_fold_as_ew`).
//!
//! Before that, the subject is made one line: CPython refuses a header value that
//! `str.splitlines()` would split; here every C0 control but TAB, and U+0085, U+2028 and U+2029,
//! becomes a space, so a record's text can never start a header of its own.

use std::collections::VecDeque;

/// CPython's `email.policy.default.max_line_length`.
const MAX_LINE: usize = 78;
/// `len("=?utf-8?q?") + len("?=")`: the chrome of an encoded word.
const CHROME: usize = 12;

/// The subject as one line: C0 controls but TAB, NEL and the Unicode line and paragraph
/// separators become spaces (a CR LF pair becomes one space).
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
            '\t' => out.push('\t'),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push(' '),
            '\u{85}' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `Subject: <value>` folded as CPython folds it, each line ended by CRLF. With `utf8` (smtplib's
/// `policy.utf8`, used when an address is not ASCII) text that is not ASCII is written as it is;
/// only a word too long for a line still becomes an encoded word.
pub(crate) fn header(value: &str, utf8: bool) -> String {
    let words = unstructured(value);
    let mut top = vec![
        Part::List {
            label: true,
            items: vec![Part::Word("Subject:".to_owned())],
        },
        Part::List {
            label: false,
            items: vec![Part::Space(" ".to_owned())],
        },
        Part::List {
            label: false,
            items: words,
        },
    ];
    if value.is_empty() {
        // An empty parse tree gets no space after the colon.
        top.remove(1);
    }
    refold(top, utf8)
}

/// An address header (`From:`, `To:`) whose entries (split at `,`) are addresses or
/// `Display Name <address>`, as `email.policy.default` writes it: a display name that is not
/// ASCII becomes encoded words, the rest is kept as given. `None` for other shapes (quoted or
/// commented names, addresses that are not ASCII), which the caller writes another way.
pub(crate) fn address_header(field: &str, text: &str) -> Option<String> {
    const SPECIALS: &[char] = &['"', '(', ')', ',', ';', ':', '<', '>', '@', '[', ']', '\\'];
    let mut items = Vec::new();
    for (i, entry) in text.split(',').enumerate() {
        if i > 0 {
            items.push(Part::List {
                label: true,
                items: vec![Part::Word(",".to_owned())],
            });
        }
        if entry.is_ascii() {
            items.push(Part::List {
                label: true,
                items: vec![Part::Word(entry.to_owned())],
            });
            continue;
        }
        let (name, address) = entry.strip_suffix('>')?.rsplit_once('<')?;
        if !address.is_ascii() || name.contains(SPECIALS) || !name.ends_with(' ') {
            return None;
        }
        items.extend(unstructured(name));
        items.push(Part::List {
            label: true,
            items: vec![Part::Word(format!("<{address}>"))],
        });
    }
    let top = vec![
        Part::List {
            label: true,
            items: vec![Part::Word(format!("{field}:"))],
        },
        Part::List {
            label: false,
            items: vec![Part::Space(" ".to_owned())],
        },
        Part::List {
            label: false,
            items,
        },
    ];
    Some(refold(top, false))
}

/// A node of CPython's parse tree, reduced to what an unstructured header holds.
#[derive(Clone, Debug)]
enum Part {
    /// A token list; a header label may not become an encoded word.
    List { label: bool, items: Vec<Part> },
    /// `vtext` (or the label's terminals).
    Word(String),
    /// `fws`: a run of white space.
    Space(String),
}

impl Part {
    fn text(&self) -> String {
        match self {
            Part::List { items, .. } => items.iter().map(Part::text).collect(),
            Part::Word(t) | Part::Space(t) => t.clone(),
        }
    }

    fn as_ew_allowed(&self) -> bool {
        match self {
            Part::List { label: true, .. } => false,
            Part::List { items, .. } => items.iter().all(Part::as_ew_allowed),
            _ => true,
        }
    }

    fn startswith_fws(&self) -> bool {
        match self {
            Part::List { items, .. } => items.first().is_some_and(Part::startswith_fws),
            Part::Word(_) => false,
            Part::Space(_) => true,
        }
    }
}

fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// `get_unstructured`: white space starting with a space or a tab (and any white space after it,
/// as `str.lstrip` takes it), and words between.
fn unstructured(value: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = value;
    while let Some(first) = rest.chars().next() {
        if is_wsp(first) {
            let end = rest
                .char_indices()
                .find(|&(_, c)| !c.is_whitespace())
                .map_or(rest.len(), |(i, _)| i);
            parts.push(Part::Space(rest[..end].to_owned()));
            rest = &rest[end..];
        } else {
            let end = rest.find(is_wsp).unwrap_or(rest.len());
            parts.push(Part::Word(rest[..end].to_owned()));
            rest = &rest[end..];
        }
    }
    parts
}

enum Item {
    Part(Part),
    /// CPython's `end_ew_not_allowed` marker.
    EndBlocked,
}

fn width(text: &str) -> usize {
    text.chars().count()
}

/// `_steal_trailing_WSP_if_exists`.
fn steal_trailing_wsp(lines: &mut [String]) -> String {
    match lines.last_mut() {
        Some(last) if last.ends_with(is_wsp) => last.pop().map(String::from).unwrap_or_default(),
        _ => String::new(),
    }
}

fn last(lines: &mut Vec<String>) -> &mut String {
    if lines.is_empty() {
        lines.push(String::new());
    }
    let end = lines.len() - 1;
    &mut lines[end]
}

/// `_refold_parse_tree` for an unstructured header.
fn refold(top: Vec<Part>, utf8: bool) -> String {
    let mut lines = vec![String::new()];
    let mut last_ew: Option<usize> = None;
    let mut blocked = 0usize;
    let mut want_encoding = false;
    let mut parts: VecDeque<Item> = top.into_iter().map(Item::Part).collect();
    while let Some(item) = parts.pop_front() {
        let part = match item {
            Item::EndBlocked => {
                blocked = blocked.saturating_sub(1);
                continue;
            }
            Item::Part(part) => part,
        };
        let text = part.text();
        if !utf8 && !text.is_ascii() {
            want_encoding = true;
        }
        if want_encoding && blocked == 0 {
            if !part.as_ew_allowed() {
                last_ew = None;
            }
            match part {
                Part::List { items, .. } => {
                    for child in items.into_iter().rev() {
                        parts.push_front(Item::Part(child));
                    }
                }
                _ => last_ew = Some(fold_as_ew(&text, &mut lines, last_ew)),
            }
            want_encoding = false;
            continue;
        }
        let room = MAX_LINE as isize - width(last(&mut lines)) as isize;
        if width(&text) as isize <= room {
            last(&mut lines).push_str(&text);
            continue;
        }
        if width(&text) < MAX_LINE {
            let newline = steal_trailing_wsp(&mut lines);
            if !newline.is_empty() || part.startswith_fws() {
                lines.push(newline + &text);
                last_ew = None;
                continue;
            }
        }
        let ew_allowed = part.as_ew_allowed();
        if let Part::List { items, .. } = part {
            if !ew_allowed {
                blocked += 1;
                parts.push_front(Item::EndBlocked);
            }
            for child in items.into_iter().rev() {
                parts.push_front(Item::Part(child));
            }
            continue;
        }
        if ew_allowed && blocked == 0 {
            parts.push_front(Item::Part(part));
            want_encoding = true;
            continue;
        }
        let newline = steal_trailing_wsp(&mut lines);
        if !newline.is_empty() || part.startswith_fws() {
            lines.push(newline + &text);
        } else {
            last(&mut lines).push_str(&text);
        }
    }
    let mut out = lines.join("\r\n");
    out.push_str("\r\n");
    out
}

/// `_fold_as_ew`: writes `text` as encoded words, merged with the encoded word that the last
/// line already ends with (from `last_ew` on); returns where that encoded word now starts.
fn fold_as_ew(text: &str, lines: &mut Vec<String>, last_ew: Option<usize>) -> usize {
    let mut to_encode: String = text.to_owned();
    if let Some(at) = last_ew {
        let line = last(lines);
        let tail = line.get(at..).unwrap_or_default().to_owned();
        line.truncate(at.min(line.len()));
        to_encode = decoded_unstructured(&(tail + text));
    }
    if let Some(leading) = to_encode.chars().next().filter(|&c| is_wsp(c)) {
        to_encode.remove(0);
        if width(last(lines)) == MAX_LINE {
            let stolen = steal_trailing_wsp(lines);
            lines.push(stolen);
        }
        last(lines).push(leading);
    }
    let trailing = match to_encode.chars().last() {
        Some(c) if is_wsp(c) => {
            to_encode.pop();
            Some(c)
        }
        _ => None,
    };
    let mut new_last_ew = last_ew.unwrap_or_else(|| last(lines).len());
    let mut rest: &str = &to_encode;
    while !rest.is_empty() {
        let remaining = MAX_LINE as isize - width(last(lines)) as isize;
        let text_space = remaining - CHROME as isize;
        if text_space <= 0 {
            lines.push(" ".to_owned());
            continue;
        }
        let mut end = rest
            .char_indices()
            .nth(text_space as usize)
            .map_or(rest.len(), |(i, _)| i);
        let mut word = encoded_word(&rest[..end]);
        while word.len() as isize > remaining && end > 0 {
            end = rest[..end].char_indices().last().map_or(0, |(i, _)| i);
            word = encoded_word(&rest[..end]);
        }
        last(lines).push_str(&word);
        rest = &rest[end..];
        if !rest.is_empty() {
            lines.push(" ".to_owned());
            new_last_ew = last(lines).len();
        }
    }
    if let Some(c) = trailing {
        last(lines).push(c);
    }
    new_last_ew
}

/// Bytes `q` encoding writes as themselves (a space becomes `_`).
fn q_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-!*+/".contains(&b)
}

/// `email._encoded_words.encode(text, 'utf-8')`: `q` unless it is 5 or more characters longer
/// than `b`.
fn encoded_word(text: &str) -> String {
    let bytes = text.as_bytes();
    let q_len: usize = bytes
        .iter()
        .map(|&b| if q_safe(b) || b == b' ' { 1 } else { 3 })
        .sum();
    let b_len = bytes.len().div_ceil(3) * 4;
    if (q_len as isize) - (b_len as isize) < 5 {
        let mut out = String::from("=?utf-8?q?");
        for &b in bytes {
            match b {
                b' ' => out.push('_'),
                b if q_safe(b) => out.push(b as char),
                b => out.push_str(&format!("={b:02X}")),
            }
        }
        out.push_str("?=");
        out
    } else {
        format!("=?utf-8?b?{}?=", base64(bytes))
    }
}

/// Standard base64 with padding.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `str(get_unstructured(text))` for text this module wrote: encoded words decoded, the white
/// space between two encoded words dropped.
fn decoded_unstructured(text: &str) -> String {
    let mut out = String::new();
    let mut pending_space = String::new();
    let mut previous_was_ew = false;
    for part in unstructured(text) {
        match part {
            Part::Space(space) => pending_space.push_str(&space),
            Part::Word(word) => match decode_encoded_word(&word) {
                Some(decoded) => {
                    if !previous_was_ew {
                        out.push_str(&pending_space);
                    }
                    pending_space.clear();
                    out.push_str(&decoded);
                    previous_was_ew = true;
                }
                None => {
                    out.push_str(&pending_space);
                    pending_space.clear();
                    out.push_str(&word);
                    previous_was_ew = false;
                }
            },
            Part::List { .. } => {}
        }
    }
    out.push_str(&pending_space);
    out
}

/// The text of an `=?utf-8?q?...?=` or `=?utf-8?b?...?=` word.
fn decode_encoded_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?utf-8?")?.strip_suffix("?=")?;
    let (kind, payload) = inner.split_once('?')?;
    let bytes = match kind {
        "q" => {
            let mut bytes = Vec::new();
            let raw = payload.as_bytes();
            let mut i = 0;
            while i < raw.len() {
                match raw[i] {
                    b'_' => bytes.push(b' '),
                    b'=' => {
                        let hex = payload.get(i + 1..i + 3)?;
                        bytes.push(u8::from_str_radix(hex, 16).ok()?);
                        i += 2;
                    }
                    b => bytes.push(b),
                }
                i += 1;
            }
            bytes
        }
        "b" => decode_base64(payload)?,
        _ => return None,
    };
    String::from_utf8(bytes).ok()
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(4) {
        let digits: Vec<u32> = chunk
            .iter()
            .take_while(|&&c| c != b'=')
            .map(|&c| value(c))
            .collect::<Option<_>>()?;
        let n = digits
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, d)| n | (d << (18 - 6 * i)));
        for i in 0..digits.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_unicode_line_breaks_become_spaces() {
        assert_eq!(
            one_line("x\r\nBcc: v@example.com\ny\rz\u{b}\u{c}\u{1c}\u{85}\u{2028}\u{2029}\tend"),
            "x Bcc: v@example.com y z      \tend"
        );
    }

    #[test]
    fn short_ascii_subjects_stay_on_one_line() {
        assert_eq!(
            header("Alert from app", false),
            "Subject: Alert from app\r\n"
        );
        assert_eq!(header("", false), "Subject:\r\n");
    }

    /// `tests/golden/smtp/folding.py`: 300 random subjects folded by CPython's email package.
    #[test]
    fn random_subjects_fold_as_cpythons_email_package_folds_them() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/golden/smtp/folding.json"
        );
        let golden: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut failures = Vec::new();
        for case in golden["subjects"].as_array().unwrap() {
            let subject = case["subject"].as_str().unwrap();
            let expected = case["folded"].as_str().unwrap();
            let ours = header(subject, false);
            if ours != expected {
                failures.push(format!(
                    "{subject:?}\n ours:    {ours:?}\n CPython: {expected:?}"
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
    fn display_names_that_are_not_ascii_become_encoded_words() {
        assert_eq!(
            address_header("From", "Jörg Müller <joerg@example.com>").unwrap(),
            "From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <joerg@example.com>\r\n"
        );
        assert_eq!(
            address_header("To", "a@example.com,b@example.com").unwrap(),
            "To: a@example.com,b@example.com\r\n"
        );
        assert!(address_header("From", "\"Jörg\" <j@example.com>").is_none());
    }

    #[test]
    fn encoded_words_round_trip() {
        for text in ["café ☕", "naïve — 東京 ünïcödé", "a_b=c?d", "ü"] {
            let word = encoded_word(text);
            assert_eq!(decode_encoded_word(&word).as_deref(), Some(text), "{word}");
        }
        assert_eq!(base64(b"abcd"), "YWJjZA==");
        assert_eq!(decode_base64("YWJjZA==").unwrap(), b"abcd");
    }
}
