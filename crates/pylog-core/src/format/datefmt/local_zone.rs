//! The local zone as CPython sees it through glibc, for the `TZ` values `jiff` does not read.
//!
//! `jiff` reads `TZ` as an IANA name, a file, or a POSIX string with rules. A POSIX string with a
//! DST name but no rules (`TZ=CET-1CEST`, `TZ=GMT0BST`) it refuses, because POSIX leaves its
//! meaning open. glibc, and so Python's `time.localtime`, gives it one: the transitions of the
//! `posixrules` zone (`$TZDIR/posixrules`, America/New_York on Debian), moved to the given offsets
//! and shown with the given names, then, after the file's last transition, the file's own POSIX
//! rule (with its own names and offsets: `EST`/`EDT` after 2037 for every such zone). Without a
//! readable `posixrules`, glibc uses the US rule `M3.2.0,M11.1.0` with the given offsets.
//!
//! How glibc (2.36, checked against its output) moves a transition: one into DST by the
//! difference between the given standard offset and the file's last standard offset; one out of
//! DST by the given DST offset; none when the file marks the transition as UT. A transition the
//! file marks as standard time is moved as one into DST.
//!
//! Any other `TZ` that cannot be read is reported once on stderr, naming the value and the zone
//! used instead (UTC, as glibc also does), so that times are never silently an hour off.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The standard and DST names and offsets of a POSIX `TZ` value with no rules.
#[derive(Clone, Debug, PartialEq, Eq)]
struct RulelessZone {
    std_name: String,
    /// Seconds east of UTC.
    std_offset: i32,
    dst_name: String,
    /// Seconds east of UTC.
    dst_offset: i32,
}

/// The zone glibc (and so CPython's `time.localtime`) uses for the `TZ` value `value`, with the
/// `posixrules` file of the zone directory `zoneinfo` (`$TZDIR`, else `/usr/share/zoneinfo`).
///
/// As glibc: a zone file under `zoneinfo` (or at an absolute path) first, then a POSIX string,
/// with rules or, with a DST name and no rules, as the module docs describe. Anything else is an
/// error that names the value.
pub fn zone_for_tz(value: &str, zoneinfo: &Path) -> Result<TimeZone, String> {
    // glibc's order: a zone file first (so `EST5EDT` is the file of that name), then the value
    // as a POSIX string.
    let name = value.strip_prefix(':').unwrap_or(value);
    let path = if Path::new(name).is_absolute() {
        PathBuf::from(name)
    } else {
        zoneinfo.join(name)
    };
    if let Some(zone) = std::fs::read(&path)
        .ok()
        .and_then(|data| TimeZone::tzif(name, &data).ok())
    {
        return Ok(zone);
    }
    if let Some(zone) = ruleless(value) {
        return Ok(zone_from_posixrules(&zone, &zoneinfo.join("posixrules"))
            .unwrap_or_else(|| us_rule_zone(&zone)));
    }
    // Last, a zone `jiff` knows where glibc would not look (its bundled database).
    TimeZone::posix(name)
        .or_else(|_| TimeZone::get(name))
        .map_err(|e| format!("TZ={value:?} is not a zone glibc would read ({e})"))
}

/// The zone directory glibc reads: `$TZDIR`, else `/usr/share/zoneinfo`.
pub fn zoneinfo_dir() -> PathBuf {
    std::env::var_os("TZDIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| PathBuf::from("/usr/share/zoneinfo"), PathBuf::from)
}

/// The process's local zone, and what to say on stderr when it is not the one `TZ` names.
pub(super) fn system_zone() -> (TimeZone, Option<String>) {
    if let Ok(zone) = TimeZone::try_system() {
        return (zone, None);
    }
    match std::env::var_os("TZ") {
        // No `TZ` and no readable `/etc/localtime`: glibc uses UTC too.
        None => (TimeZone::UTC, None),
        Some(value) => {
            let value = value.to_string_lossy();
            match zone_for_tz(&value, &zoneinfo_dir()) {
                Ok(zone) => (zone, None),
                Err(e) => (
                    TimeZone::UTC,
                    Some(format!(
                        "pylog: {e}; local times are shown in UTC (the zone glibc uses then)"
                    )),
                ),
            }
        }
    }
}

/// Parses a POSIX `TZ` value that names a DST zone but gives no rules: `std offset dst [offset]`,
/// optionally with a leading `:` (glibc ignores it) or a trailing lone `,`.
fn ruleless(value: &str) -> Option<RulelessZone> {
    let rest = value.strip_prefix(':').unwrap_or(value).as_bytes();
    let (std_name, rest) = zone_name(rest)?;
    let (std_offset, rest) = offset(rest)?;
    let (dst_name, rest) = zone_name(rest)?;
    let (dst_offset, rest) = match offset(rest) {
        Some((dst_offset, rest)) => (dst_offset, rest),
        None => (std_offset + 3600, rest),
    };
    matches!(rest, [] | [b',']).then_some(RulelessZone {
        std_name,
        std_offset,
        dst_name,
        dst_offset,
    })
}

/// glibc's `parse_tzname`: three or more letters, or `<...>` around three or more letters,
/// digits, `+` or `-`.
fn zone_name(s: &[u8]) -> Option<(String, &[u8])> {
    let letters = s.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if letters >= 3 {
        let name = String::from_utf8_lossy(&s[..letters]).into_owned();
        return Some((name, &s[letters..]));
    }
    let inner = s.strip_prefix(b"<")?;
    let len = inner
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'+' || **c == b'-')
        .count();
    if len < 3 || inner.get(len) != Some(&b'>') {
        return None;
    }
    let name = String::from_utf8_lossy(&inner[..len]).into_owned();
    Some((name, &inner[len + 1..]))
}

/// glibc's `parse_offset`: `[+-]hh[:mm[:ss]]`, west of UTC positive; returned east of UTC, with
/// glibc's limits (24 hours, 59 minutes, 59 seconds).
fn offset(s: &[u8]) -> Option<(i32, &[u8])> {
    let (sign, mut rest) = match s.first() {
        Some(b'-') => (1, &s[1..]),
        Some(b'+') => (-1, &s[1..]),
        _ => (-1, s),
    };
    let mut parts = [0i32; 3];
    for (n, part) in parts.iter_mut().enumerate() {
        if n > 0 {
            match rest.split_first() {
                Some((b':', after)) if after.first().is_some_and(u8::is_ascii_digit) => {
                    rest = after;
                }
                _ => break,
            }
        }
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let value = rest[..digits].iter().fold(0i32, |v, d| {
            v.saturating_mul(10).saturating_add(i32::from(d - b'0'))
        });
        *part = value;
        rest = &rest[digits..];
    }
    let [hours, minutes, seconds] = parts;
    let secs = hours.min(24) * 3600 + minutes.min(59) * 60 + seconds.min(59);
    Some((sign * secs, rest))
}

/// glibc without a `posixrules` file: the US rule, at 02:00 local time.
fn us_rule_zone(zone: &RulelessZone) -> TimeZone {
    let posix = format!(
        "<{}>{}<{}>{},M3.2.0,M11.1.0",
        zone.std_name,
        posix_offset(zone.std_offset),
        zone.dst_name,
        posix_offset(zone.dst_offset)
    );
    TimeZone::posix(&posix).unwrap_or_else(|_| {
        jiff::tz::Offset::from_seconds(zone.std_offset)
            .map(TimeZone::fixed)
            .unwrap_or(TimeZone::UTC)
    })
}

/// An offset east of UTC as POSIX writes it (west positive): `-1`, `5:30`.
fn posix_offset(east: i32) -> String {
    let west = -east;
    let sign = if west < 0 { "-" } else { "" };
    let secs = west.unsigned_abs();
    format!(
        "{sign}{}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// One local time type of a TZif file.
#[derive(Clone, Copy, Debug)]
struct LocalType {
    offset: i32,
    dst: bool,
    /// `isstd`: the transitions into it are given in standard time.
    standard: bool,
    /// `isut`: the transitions into it are given in UT.
    universal: bool,
}

/// The parts of a TZif file glibc uses for `posixrules`.
struct Tzif {
    transitions: Vec<i64>,
    type_of: Vec<usize>,
    types: Vec<LocalType>,
    footer: Option<String>,
}

/// glibc's `__tzfile_default`: the transitions of `posixrules`, moved to `zone`'s offsets, as a
/// `jiff` zone (through a TZif file built here). `None` when the file cannot be used.
fn zone_from_posixrules(zone: &RulelessZone, path: &Path) -> Option<TimeZone> {
    let rules = read_tzif(&std::fs::read(path).ok()?)?;
    if rules.types.len() < 2 {
        return None;
    }
    // The file's last standard offset (glibc's `rule_stdoff`).
    let rule_std = rules
        .type_of
        .iter()
        .rev()
        .map(|&t| rules.types[t])
        .find(|t| !t.dst)
        .map_or(0, |t| t.offset);
    let mut transitions = Vec::with_capacity(rules.transitions.len());
    let mut in_dst = false;
    for (&at, &t) in rules.transitions.iter().zip(&rules.type_of) {
        let to = rules.types[t];
        let moved = if to.universal {
            at
        } else if in_dst && !to.standard {
            at + i64::from(zone.dst_offset)
        } else {
            at + i64::from(zone.std_offset - rule_std)
        };
        // Moving may reorder the last ones of a file with odd offsets; glibc then searches
        // them as they are, here they stay sorted.
        let moved = transitions
            .last()
            .map_or(moved, |&last: &(i64, bool)| moved.max(last.0));
        transitions.push((moved, to.dst));
        in_dst = to.dst;
    }
    // After its last transition glibc follows the file's own rule, with the rule's names.
    let footer = rules
        .footer
        .as_deref()
        .and_then(|f| TimeZone::posix(f).ok().map(|tz| (f.to_owned(), tz)));
    build_zone(zone, &transitions, footer.as_ref())
}

/// The zone of [`build_tzif`]'s file.
fn build_zone(
    zone: &RulelessZone,
    transitions: &[(i64, bool)],
    footer: Option<&(String, TimeZone)>,
) -> Option<TimeZone> {
    let data = build_tzif(zone, transitions, footer)?;
    TimeZone::tzif(&zone.std_name, &data).ok()
}

/// A TZif (version 2) file with the given transitions between `zone`'s two types; the last
/// transition takes the footer rule's type at that instant, as glibc switches to the rule there.
fn build_tzif(
    zone: &RulelessZone,
    transitions: &[(i64, bool)],
    footer: Option<&(String, TimeZone)>,
) -> Option<Vec<u8>> {
    let mut names = Vec::new();
    let mut types: Vec<(i32, bool, u8)> = Vec::new();
    let mut type_for = |offset: i32, dst: bool, name: &str| -> Option<u8> {
        let index = u8::try_from(names.len()).ok()?;
        names.extend_from_slice(name.as_bytes());
        names.push(0);
        types.push((offset, dst, index));
        u8::try_from(types.len() - 1).ok()
    };
    let std_type = type_for(zone.std_offset, false, &zone.std_name)?;
    let dst_type = type_for(zone.dst_offset, true, &zone.dst_name)?;
    let mut type_of: Vec<u8> = transitions
        .iter()
        .map(|&(_, dst)| if dst { dst_type } else { std_type })
        .collect();
    if let (Some((_, rule)), Some(&(last, _)), Some(slot)) =
        (footer, transitions.last(), type_of.last_mut())
    {
        let info = rule.to_offset_info(Timestamp::from_second(last).ok()?);
        *slot = type_for(
            info.offset().seconds(),
            info.dst().is_dst(),
            info.abbreviation(),
        )?;
    }
    let mut data = Vec::new();
    // A version 1 block with no transitions and one type, as RFC 8536 allows.
    tzif_header(&mut data, 0, 1, 1);
    data.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0]);
    tzif_header(&mut data, transitions.len(), types.len(), names.len());
    for &(at, _) in transitions {
        data.extend_from_slice(&at.to_be_bytes());
    }
    data.extend_from_slice(&type_of);
    for &(offset, dst, index) in &types {
        data.extend_from_slice(&offset.to_be_bytes());
        data.push(u8::from(dst));
        data.push(index);
    }
    data.extend_from_slice(&names);
    data.push(b'\n');
    if let Some((rule, _)) = footer {
        data.extend_from_slice(rule.as_bytes());
    }
    data.push(b'\n');
    Some(data)
}

fn tzif_header(data: &mut Vec<u8>, transitions: usize, types: usize, chars: usize) {
    data.extend_from_slice(b"TZif2");
    data.extend_from_slice(&[0; 15]);
    for count in [0, 0, 0, transitions, types, chars] {
        data.extend_from_slice(&(count as u32).to_be_bytes());
    }
}

/// Reads the data glibc reads from a TZif file: the version 2 block when there is one.
fn read_tzif(data: &[u8]) -> Option<Tzif> {
    let counts = |at: usize| -> Option<[usize; 6]> {
        let header = data.get(at..at + 44)?;
        if &header[..4] != b"TZif" {
            return None;
        }
        let mut counts = [0usize; 6];
        for (n, count) in counts.iter_mut().enumerate() {
            let bytes = header.get(20 + 4 * n..24 + 4 * n)?;
            *count = u32::from_be_bytes(bytes.try_into().ok()?) as usize;
        }
        Some(counts)
    };
    let [ut, std, leaps, times, types, chars] = counts(0)?;
    let version = *data.get(4)?;
    let v1_len = times * 5 + types * 6 + chars + leaps * 8 + std + ut;
    let (start, width, [ut, std, leaps, times, types, chars]) = if version >= b'2' {
        (44 + v1_len + 44, 8, counts(44 + v1_len)?)
    } else {
        (44, 4, [ut, std, leaps, times, types, chars])
    };
    let mut at = start;
    let mut take = |n: usize| -> Option<&[u8]> {
        let bytes = data.get(at..at.checked_add(n)?)?;
        at += n;
        Some(bytes)
    };
    let transitions = take(times * width)?
        .chunks(width)
        .map(|c| match c.try_into() {
            Ok(eight) => i64::from_be_bytes(eight),
            Err(_) => i64::from(i32::from_be_bytes(c.try_into().unwrap_or([0; 4]))),
        })
        .collect();
    let type_of: Vec<usize> = take(times)?.iter().map(|&t| usize::from(t)).collect();
    let mut local_types: Vec<LocalType> = take(types * 6)?
        .chunks(6)
        .map(|c| LocalType {
            offset: i32::from_be_bytes([c[0], c[1], c[2], c[3]]),
            dst: c[4] != 0,
            standard: false,
            universal: false,
        })
        .collect();
    take(chars)?;
    take(leaps * (width + 4))?;
    for (t, &flag) in local_types.iter_mut().zip(take(std)?) {
        t.standard = flag != 0;
    }
    for (t, &flag) in local_types.iter_mut().zip(take(ut)?) {
        t.universal = flag != 0;
    }
    if type_of.iter().any(|&t| t >= local_types.len()) {
        return None;
    }
    let footer = (version >= b'2')
        .then(|| data.get(at..))
        .flatten()
        .and_then(|rest| std::str::from_utf8(rest).ok())
        .map(|rest| rest.trim_matches('\n').to_owned())
        .filter(|f| !f.is_empty());
    Some(Tzif {
        transitions,
        type_of,
        types: local_types,
        footer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruleless_values_parse_as_glibc_reads_them() {
        let cet = ruleless("CET-1CEST").expect("parses");
        assert_eq!(
            (cet.std_offset, cet.dst_offset, cet.dst_name.as_str()),
            (3600, 7200, "CEST")
        );
        let quoted = ruleless(":<+0330>-3:30<+0430>-4:30,").expect("parses");
        assert_eq!(
            (
                quoted.std_name.as_str(),
                quoted.std_offset,
                quoted.dst_offset
            ),
            ("+0330", 12600, 16200)
        );
        assert_eq!(ruleless("IST-1GMT0").map(|z| z.dst_offset), Some(0));
        for refused in [
            "CET-1",
            "CET-1CEST,M3.5.0,M10.5.0/3",
            "Europe/Paris",
            "CE-1CEST",
            "",
        ] {
            assert_eq!(ruleless(refused), None, "{refused}");
        }
    }

    #[test]
    fn without_posixrules_the_us_rule_applies() {
        let dir = std::env::temp_dir().join("pylog-no-zoneinfo-here");
        let zone = zone_for_tz("CET-1CEST", &dir).expect("reads");
        // 2026-03-08 01:00 UTC is 02:00 CET, the second Sunday of March.
        let before = Timestamp::from_second(1_772_931_599).expect("valid");
        let after = Timestamp::from_second(1_772_931_600).expect("valid");
        assert_eq!(zone.to_offset_info(before).abbreviation(), "CET");
        assert_eq!(zone.to_offset_info(after).abbreviation(), "CEST");
        assert_eq!(zone.to_offset(after).seconds(), 7200);
    }

    #[test]
    fn a_zone_file_of_that_name_comes_first() {
        let dir = tempfile::tempdir().expect("temp dir");
        // A TZif file for UTC+3 all year, named as a rule-less POSIX value.
        let zone = RulelessZone {
            std_name: "MSK".to_owned(),
            std_offset: 10_800,
            dst_name: "MSD".to_owned(),
            dst_offset: 14_400,
        };
        let file = build_tzif(&zone, &[], None).expect("builds");
        std::fs::write(dir.path().join("CET-1CEST"), file).expect("writes");
        let read = zone_for_tz("CET-1CEST", dir.path()).expect("reads");
        let now = Timestamp::from_second(1_790_000_000).expect("valid");
        assert_eq!(read.to_offset(now).seconds(), 10_800);
    }

    #[test]
    fn unreadable_values_are_errors_naming_the_value() {
        let e = zone_for_tz("No/Such_Zone", Path::new("/nonexistent")).unwrap_err();
        assert!(e.contains("TZ=\"No/Such_Zone\""), "{e}");
    }
}
