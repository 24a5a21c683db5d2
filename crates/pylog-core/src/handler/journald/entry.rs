//! One journal entry in systemd's native protocol: field names, priorities and the bytes.
//!
//! An entry is a list of fields. A value without a newline is sent as `KEY=value\n`; a value
//! with one is sent as `KEY\n`, its length as a little-endian `u64`, the value and `\n`
//! (systemd's `sd_journal_sendv` does the same). Field names are what journald accepts: `A`–`Z`,
//! `0`–`9` and `_`, not starting with a digit or with `_` (names starting with `_` are journald's
//! own trusted fields), at most 64 bytes. Names a client gives are made to fit by
//! [`field_name`] instead of being dropped by journald.

use crate::format::pyvalue::{PyVal, write_str_form};
use crate::level::Level;
use crate::record::Value;

/// The longest field name journald accepts.
const MAX_NAME: usize = 64;

/// The journal priority (syslog severity) of a level, as python-systemd's
/// `JournalHandler.map_priority`: DEBUG and below 7, up to INFO 6, up to WARNING 4, up to ERROR 3,
/// up to CRITICAL 2, above CRITICAL 1.
///
/// | level | priority |
/// |---|---|
/// | ≤ 10 (`DEBUG`, `TRACE` 5) | 7 `debug` |
/// | 11–20 (`INFO`) | 6 `info` |
/// | 21–30 (`WARNING`) | 4 `warning` |
/// | 31–40 (`ERROR`) | 3 `err` |
/// | 41–50 (`CRITICAL`) | 2 `crit` |
/// | > 50 | 1 `alert` |
///
/// Priority 5 (`notice`) and 0 (`emerg`) are never used, as in python-systemd.
///
/// tracing-journald sends `tracing`'s INFO as 5 (`notice`); INFO is 6 here, as in python-systemd
/// and in the syslog mapping of OpenTelemetry's log data model (`Informational` is INFO,
/// `Notice` INFO2), so `journalctl -p` selects the same records as for a Python service.
pub fn map_priority(level: Level) -> u8 {
    match level.value() {
        ..=10 => 7,
        11..=20 => 6,
        21..=30 => 4,
        31..=40 => 3,
        41..=50 => 2,
        _ => 1,
    }
}

/// Whether `name` is a field name journald accepts from a client as it is.
pub fn is_valid_field_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_NAME
        && !bytes[0].is_ascii_digit()
        && bytes[0] != b'_'
        && bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
}

/// Makes a record's extra name a field name journald accepts: ASCII letters are uppercased, every
/// other character outside `[A-Z0-9_]` becomes `_`, leading `_` are removed (a record cannot set
/// journald's trusted fields such as `_PID`), a name that would start with a digit gets an `X`
/// in front, and the name is cut at 64 bytes. `None` when nothing is left (`"__"`, `""`).
///
/// `user-id` → `USER_ID`, `http.status` → `HTTP_STATUS`, `_PID` → `PID`, `2fa` → `X2FA`,
/// `größe` → `GR__E`.
pub fn field_name(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len().min(MAX_NAME));
    for c in name.chars() {
        let mapped = match c {
            'a'..='z' => c.to_ascii_uppercase(),
            'A'..='Z' | '0'..='9' => c,
            _ => '_',
        };
        if mapped == '_' && out.is_empty() {
            continue;
        }
        if out.is_empty() && mapped.is_ascii_digit() {
            out.push('X');
        }
        if out.len() == MAX_NAME {
            break;
        }
        out.push(mapped);
    }
    (!out.is_empty()).then_some(out)
}

/// A value as Python's `str()` shows it (`True`, `None`, `1.5`), as python-systemd sends a
/// value that is not a string.
pub(crate) fn value_text(value: Value<'_>, out: &mut String) {
    let value = match value {
        Value::Str(s) => {
            out.push_str(s);
            return;
        }
        Value::Int(n) => PyVal::Int(n),
        Value::UInt(n) => PyVal::UInt(n),
        Value::BigInt(n) => PyVal::BigInt(n),
        Value::Float(v) => PyVal::Float(v),
        Value::Bool(b) => PyVal::Bool(b),
        Value::None => PyVal::None,
    };
    write_str_form(out, value);
}

/// Appends one field to an entry in the native protocol. `name` must be valid
/// ([`is_valid_field_name`]).
pub(crate) fn push_field(entry: &mut Vec<u8>, name: &str, value: &[u8]) {
    entry.extend_from_slice(name.as_bytes());
    if value.contains(&b'\n') {
        entry.push(b'\n');
        entry.extend_from_slice(&(value.len() as u64).to_le_bytes());
    } else {
        entry.push(b'=');
    }
    entry.extend_from_slice(value);
    entry.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_follow_python_systemd() {
        let cases = [
            (1, 7),
            (5, 7),
            (10, 7),
            (11, 6),
            (20, 6),
            (25, 4),
            (30, 4),
            (35, 3),
            (40, 3),
            (45, 2),
            (50, 2),
            (51, 1),
            (60, 1),
        ];
        for (level, priority) in cases {
            assert_eq!(map_priority(Level::new(level)), priority, "level {level}");
        }
    }

    #[test]
    fn names_are_made_valid() {
        assert_eq!(field_name("user-id").as_deref(), Some("USER_ID"));
        assert_eq!(field_name("http.status").as_deref(), Some("HTTP_STATUS"));
        assert_eq!(field_name("_PID").as_deref(), Some("PID"));
        assert_eq!(field_name("__").as_deref(), None);
        assert_eq!(field_name("").as_deref(), None);
        assert_eq!(field_name("2fa").as_deref(), Some("X2FA"));
        assert_eq!(field_name("größe").as_deref(), Some("GR__E"));
        let long = "a".repeat(100);
        assert_eq!(field_name(&long).map(|n| n.len()), Some(64));
        for name in ["user-id", "_PID", "2fa", "größe", "ok_Name9"] {
            let made = field_name(name).unwrap();
            assert!(is_valid_field_name(&made), "{made}");
        }
        assert!(!is_valid_field_name("_PID"));
        assert!(!is_valid_field_name("lower"));
        assert!(!is_valid_field_name("9X"));
        assert!(is_valid_field_name("MESSAGE_ID"));
    }

    #[test]
    fn values_with_newlines_use_the_binary_form() {
        let mut entry = Vec::new();
        push_field(&mut entry, "MESSAGE", b"one line");
        push_field(&mut entry, "NOTE", b"a\nb");
        let mut expected = b"MESSAGE=one line\nNOTE\n".to_vec();
        expected.extend_from_slice(&3u64.to_le_bytes());
        expected.extend_from_slice(b"a\nb\n");
        assert_eq!(entry, expected);
    }

    #[test]
    fn values_read_as_python_str() {
        let mut out = String::new();
        for value in [
            Value::Bool(true),
            Value::None,
            Value::Float(1.5),
            Value::Int(-3),
        ] {
            value_text(value, &mut out);
            out.push(' ');
        }
        assert_eq!(out, "True None 1.5 -3 ");
    }
}
