//! Dates for `%(asctime)s`: Python's `time.strftime` directives over a record's `created` time, in
//! local time (the system zone, read once and correct on every thread and across DST) or UTC.
//!
//! The text is what CPython 3.11 on glibc gives in the C locale, glibc's extensions included:
//! the flags `-`, `_`, `0`, `^`, `#`, field widths (`%10A`), the `E` and `O` modifiers, `%k %l %P
//! %G %g %V %s`, and unknown directives kept as text.
//!
//! ```
//! use pylog_core::format::datefmt::{DateFormat, Zone};
//! let fmt = DateFormat::parse("%a %d %b %Y %H:%M:%S %z").unwrap();
//! let mut out = String::new();
//! fmt.render(&mut out, 1795536741, &Zone::Utc);
//! assert_eq!(out, "Tue 24 Nov 2026 16:12:21 +0000");
//! ```

use std::fmt::Write;
use std::io::Write as _;
use std::sync::OnceLock;

use jiff::Timestamp;
/// A time zone (from `jiff`): `TimeZone::get("Europe/Paris")`, `TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3")`,
/// `TimeZone::fixed(..)`, for [`Zone::Fixed`].
pub use jiff::tz::TimeZone;

/// Which clock a formatter shows times in. Python: `Formatter.converter` (`time.localtime` or
/// `time.gmtime`).
#[derive(Clone, Debug, Default)]
pub enum Zone {
    /// The system's local zone (`TZ`, else `/etc/localtime`), Python's default.
    #[default]
    Local,
    /// UTC (Python's `converter = time.gmtime`).
    Utc,
    /// A given zone, e.g. from `jiff::tz::TimeZone::get("Europe/Paris")`.
    Fixed(TimeZone),
}

mod local_zone;
pub use local_zone::{zone_for_tz, zoneinfo_dir};

/// The zone [`Zone::Local`] stands for: the system's zone as glibc reads it (see [`zone_for_tz`]),
/// resolved once per process.
pub fn local_time_zone() -> TimeZone {
    local_zone().clone()
}

/// The local zone, resolved once per process: unlike `time`'s local offset, this works in
/// multi-threaded programs. A `TZ` that names a DST zone without rules (`CET-1CEST`) is read as
/// glibc reads it (see [`zone_for_tz`]); one that cannot be read at all is reported once on
/// stderr, naming the value and the zone used instead.
fn local_zone() -> &'static TimeZone {
    static LOCAL: OnceLock<TimeZone> = OnceLock::new();
    LOCAL.get_or_init(|| {
        let (zone, warning) = local_zone::system_zone();
        if let Some(warning) = warning {
            // Nothing to do when stderr is closed.
            let _ = writeln!(std::io::stderr(), "{warning}");
        }
        zone
    })
}

/// A broken-down time (Python's `struct_time`) for one second in one zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CivilTime {
    /// The year, e.g. 2026.
    pub year: i64,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
    /// 0..=23.
    pub hour: u32,
    /// 0..=59.
    pub minute: u32,
    /// 0..=59.
    pub second: u32,
    /// 0 = Monday .. 6 = Sunday (Python's `tm_wday`).
    pub weekday: u32,
    /// 1..=366.
    pub yearday: u32,
    /// Offset from UTC in seconds.
    pub offset: i32,
    /// Zone abbreviation, e.g. `UTC`, `CET`.
    pub abbreviation: Abbrev,
    /// Unix seconds.
    pub unix: i64,
    /// Whether daylight saving time is in effect (Python's `tm_isdst`).
    pub dst: bool,
}

/// A short zone abbreviation stored inline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Abbrev {
    bytes: [u8; 16],
    len: u8,
}

impl Abbrev {
    fn new(s: &str) -> Abbrev {
        let mut bytes = [0u8; 16];
        let mut len = 0;
        for c in s.chars() {
            let n = c.len_utf8();
            if len + n > bytes.len() {
                break;
            }
            c.encode_utf8(&mut bytes[len..]);
            len += n;
        }
        Abbrev {
            bytes,
            len: len as u8,
        }
    }

    /// The abbreviation as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }
}

impl CivilTime {
    /// The civil time of Unix second `unix` in `zone`.
    pub fn at(unix: i64, zone: &Zone) -> CivilTime {
        let (offset, abbreviation, dst) = match zone {
            // CPython formats `%Z` of `time.gmtime()` as `GMT`.
            Zone::Utc => (0, Abbrev::new("GMT"), false),
            Zone::Local => offset_in(local_zone(), unix),
            Zone::Fixed(tz) => offset_in(tz, unix),
        };
        let local = unix.saturating_add(i64::from(offset));
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        let weekday = (days + 3).rem_euclid(7) as u32;
        let yearday = (days - days_from_civil(year, 1, 1) + 1) as u32;
        CivilTime {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            weekday,
            yearday,
            offset,
            abbreviation,
            unix,
            dst,
        }
    }
}

fn offset_in(tz: &TimeZone, unix: i64) -> (i32, Abbrev, bool) {
    match Timestamp::from_second(unix) {
        Ok(ts) => {
            let info = tz.to_offset_info(ts);
            (
                info.offset().seconds(),
                Abbrev::new(info.abbreviation()),
                info.dst().is_dst(),
            )
        }
        Err(_) => (0, Abbrev::new("UTC"), false),
    }
}

/// Days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Padding a directive asked for with glibc's flags (`%-d`, `%_d`, `%0e`); the last flag wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pad {
    /// No flag: numbers are zero-padded (space-padded for `%e`, `%k`, `%l`), widths pad with spaces.
    Default,
    /// `-`: numbers are not padded (an explicit width still pads, with spaces).
    None,
    /// `_`: spaces.
    Space,
    /// `0`: zeros, for widths too.
    Zero,
}

/// How a directive changes the case of its text (glibc's `^` and `#` flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Keep,
    Upper,
    Lower,
}

/// One `%` directive with its flags, width and `E`/`O` modifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Directive {
    conversion: char,
    pad: Pad,
    /// `^`.
    upper: bool,
    /// `#`: upper case for names, lower case for `%p` and `%Z`.
    swap_case: bool,
    /// glibc's field width (`%10A`).
    width: Option<usize>,
    modifier: Option<char>,
}

impl Directive {
    fn plain(conversion: char) -> Directive {
        Directive {
            conversion,
            pad: Pad::Default,
            upper: false,
            swap_case: false,
            width: None,
            modifier: None,
        }
    }

    /// Whether glibc refuses the `E`/`O` modifier on this conversion (it then prints the directive
    /// as text), or does not know the conversion at all.
    fn is_bad(&self) -> bool {
        let (e, o) = (self.modifier == Some('E'), self.modifier == Some('O'));
        match self.conversion {
            'a' | 'A' | 'D' | 'F' => self.modifier.is_some(),
            'b' | 'h' | 'B' | 'd' | 'e' | 'H' | 'I' | 'k' | 'l' | 'j' | 'M' | 'm' | 'S' | 'U'
            | 'V' | 'g' | 'G' | 'W' | 'w' => e,
            'c' | 'x' | 'X' | 'Y' => o,
            '%' | 'C' | 'n' | 'p' | 'P' | 'r' | 'R' | 's' | 't' | 'T' | 'u' | 'y' | 'z' | 'Z' => {
                false
            }
            _ => true,
        }
    }

    /// The case glibc's `cpy` writes this directive's text in.
    fn case(&self) -> Case {
        match self.conversion {
            'P' => Case::Lower,
            'p' | 'Z' if self.swap_case => Case::Lower,
            'a' | 'A' | 'b' | 'h' | 'B' if self.swap_case => Case::Upper,
            _ if self.upper => Case::Upper,
            _ => Case::Keep,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Literal(String),
    Directive(Directive),
}

/// A compiled `strftime` format, rendered as glibc's `strftime` in the C locale renders it (through
/// Python's `time.strftime`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateFormat {
    items: Vec<Item>,
    /// Python's `time.strftime` gives up (and returns an empty string) when the text does not fit
    /// in this many characters (including C's terminating NUL): a buffer of 1024 characters doubled
    /// until it is at least 256 times the format's length.
    limit: usize,
    /// A width alone exceeds `limit`: the text is always empty.
    too_wide: bool,
}

impl DateFormat {
    /// Python's default, `%Y-%m-%d %H:%M:%S` (milliseconds are added by the formatter).
    pub fn default_time_format() -> DateFormat {
        DateFormat::parse("%Y-%m-%d %H:%M:%S").unwrap_or(DateFormat {
            items: Vec::new(),
            limit: 1024,
            too_wide: false,
        })
    }

    /// Compiles a `strftime` format, with glibc's extensions: the flags `-`, `_`, `0`, `^`, `#`, a
    /// field width (`%10A`), the `E` and `O` modifiers. Unknown directives are kept as text, as
    /// glibc does. A NUL character is refused (Python: `embedded null character`).
    pub fn parse(format: &str) -> Result<DateFormat, String> {
        if format.contains('\0') {
            return Err("embedded null character".to_owned());
        }
        let mut limit = 1024usize;
        while limit < format.chars().count().saturating_mul(256) {
            limit = limit.saturating_mul(2);
        }
        let mut items = Vec::new();
        let mut literal = String::new();
        let mut too_wide = false;
        let chars: Vec<char> = format.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] != '%' {
                literal.push(chars[i]);
                i += 1;
                continue;
            }
            let start = i;
            i += 1;
            let mut d = Directive::plain('\0');
            while let Some(&flag) = chars.get(i) {
                match flag {
                    '-' => d.pad = Pad::None,
                    '_' => d.pad = Pad::Space,
                    '0' => d.pad = Pad::Zero,
                    '^' => d.upper = true,
                    '#' => d.swap_case = true,
                    _ => break,
                }
                i += 1;
            }
            while let Some(digit) = chars.get(i).and_then(|c| c.to_digit(10)) {
                let width = d.width.unwrap_or(0);
                // glibc stops growing the width at INT_MAX.
                d.width = Some(
                    width
                        .saturating_mul(10)
                        .saturating_add(digit as usize)
                        .min(i32::MAX as usize),
                );
                i += 1;
            }
            if let Some(&m @ ('E' | 'O')) = chars.get(i) {
                d.modifier = Some(m);
                i += 1;
            }
            // At the end of the format, the directive is the text read so far.
            let end = (i + 1).min(chars.len());
            if let Some(&conversion) = chars.get(i) {
                d.conversion = conversion;
            }
            i = end;
            if d.width.is_some_and(|w| w >= limit) {
                too_wide = true;
                continue;
            }
            if d.conversion != '\0' && !d.is_bad() {
                if !literal.is_empty() {
                    items.push(Item::Literal(std::mem::take(&mut literal)));
                }
                items.push(Item::Directive(d));
            } else {
                // glibc's `bad_format`: the directive's own text, padded to the width, in upper
                // case with `^` (or with `#` before `b`, which glibc handles before the modifier).
                let raw: String = chars[start..end].iter().collect();
                let upper = d.upper || (d.swap_case && matches!(d.conversion, 'b' | 'h'));
                let case = if upper { Case::Upper } else { Case::Keep };
                push_text(&mut literal, &raw, &d, d.width, case);
            }
        }
        if !literal.is_empty() {
            items.push(Item::Literal(literal));
        }
        Ok(DateFormat {
            items,
            limit,
            too_wide,
        })
    }

    /// Writes the time `unix` (seconds) in `zone`.
    pub fn render(&self, out: &mut String, unix: i64, zone: &Zone) {
        self.render_civil(out, &CivilTime::at(unix, zone));
    }

    /// Writes an already broken-down time. As Python's `time.strftime`, writes nothing at all when
    /// the text would be too long for its buffer (see the width flag: `%5000Y`).
    pub fn render_civil(&self, out: &mut String, t: &CivilTime) {
        if self.too_wide {
            return;
        }
        let start = out.len();
        for item in &self.items {
            match item {
                Item::Literal(s) => out.push_str(s),
                Item::Directive(d) => directive(out, d, t),
            }
        }
        // Counting characters only when the bytes could be too many.
        if out.len() - start >= self.limit && out[start..].chars().count() >= self.limit {
            out.truncate(start);
        }
    }
}

/// glibc's `add` padding: `fill` characters to make `len` characters `width` wide, zeros with the
/// `0` flag, else spaces.
fn push_fill(out: &mut String, len: usize, pad: Pad, width: Option<usize>) {
    if let Some(width) = width
        && width > len
    {
        let fill = if pad == Pad::Zero { '0' } else { ' ' };
        out.extend(std::iter::repeat_n(fill, width - len));
    }
}

/// glibc's `add`: `text` padded to `width`.
fn push_padded(out: &mut String, text: &str, pad: Pad, width: Option<usize>) {
    push_fill(out, text.chars().count(), pad, width);
    out.push_str(text);
}

/// glibc's `cpy`: [`push_padded`] with the directive's case change, character by character as
/// `towupper`/`towlower` do (Python calls `wcsftime`): a character whose case mapping is not a
/// single character is kept.
fn push_text(out: &mut String, text: &str, d: &Directive, width: Option<usize>, case: Case) {
    let start = out.len();
    push_padded(out, text, d.pad, width);
    change_case(out, start, case);
}

/// Changes the case of `out[start..]` as [`push_text`] describes.
fn change_case(out: &mut String, start: usize, case: Case) {
    let text = &mut out[start..];
    match case {
        Case::Keep => {}
        Case::Upper if text.is_ascii() => text.make_ascii_uppercase(),
        Case::Lower if text.is_ascii() => text.make_ascii_lowercase(),
        _ => {
            let mapped: String = text
                .chars()
                .map(|c| {
                    let mut mapping = match case {
                        Case::Upper => CaseMapping::Upper(c.to_uppercase()),
                        _ => CaseMapping::Lower(c.to_lowercase()),
                    };
                    match (mapping.next(), mapping.next()) {
                        (Some(single), None) => single,
                        _ => c,
                    }
                })
                .collect();
            out.truncate(start);
            out.push_str(&mapped);
        }
    }
}

/// The case mapping of one character.
enum CaseMapping {
    Upper(std::char::ToUppercase),
    Lower(std::char::ToLowercase),
}

impl Iterator for CaseMapping {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        match self {
            CaseMapping::Upper(m) => m.next(),
            CaseMapping::Lower(m) => m.next(),
        }
    }
}

/// The number of decimal digits of `n`.
fn decimal_len(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// glibc's `DO_NUMBER`: `value` with at least `digits` digits (or the width), padded as the flags
/// say; `space_pad` is `DO_NUMBER_SPACEPAD` (`%e`, `%k`, `%l`).
fn number(out: &mut String, d: &Directive, digits: usize, value: i64, space_pad: bool) {
    let mut pad = d.pad;
    if space_pad && !matches!(pad, Pad::Zero | Pad::None) {
        pad = Pad::Space;
    }
    let digits = digits.max(d.width.unwrap_or(0));
    let mut width = d.width;
    let magnitude = value.unsigned_abs();
    let mut sign = if value < 0 { "-" } else { "" };
    let len = decimal_len(magnitude) + sign.len();
    if pad != Pad::None && digits > len {
        let padding = digits - len;
        if pad == Pad::Space {
            out.extend(std::iter::repeat_n(' ', padding));
            width = width.map(|w| w.saturating_sub(padding));
        } else {
            // Zeros go between the sign and the digits, and end the padding.
            out.push_str(sign);
            sign = "";
            out.extend(std::iter::repeat_n('0', padding));
            width = None;
        }
    }
    push_fill(out, decimal_len(magnitude) + sign.len(), pad, width);
    out.push_str(sign);
    // Writing to a String cannot fail.
    let _ = write!(out, "{magnitude}");
}

/// glibc's subformats (`%c`, `%D`, `%T`...): rendered with default flags, then padded to the width
/// and, with `^`, upper-cased.
fn subformat(out: &mut String, d: &Directive, conversions: &str, separators: &str, t: &CivilTime) {
    let start = out.len();
    let mut separators = separators.chars();
    for (n, conversion) in conversions.chars().enumerate() {
        if n > 0
            && let Some(separator) = separators.next()
        {
            out.push(separator);
        }
        directive(out, &Directive::plain(conversion), t);
    }
    // The text is ASCII (C locale names and digits): bytes are characters.
    let len = out.len() - start;
    if let Some(width) = d.width
        && width > len
    {
        let fill = if d.pad == Pad::Zero { b'0' } else { b' ' };
        super::pyvalue::insert_repeat(out, start, fill, width - len);
    }
    change_case(out, start, if d.upper { Case::Upper } else { Case::Keep });
}

/// The weekday's name; `?` for a weekday out of range, as glibc prints it.
fn day_name(t: &CivilTime) -> &'static str {
    DAYS.get(t.weekday as usize).copied().unwrap_or("?")
}

/// The month's name; `?` for a month out of range, as glibc prints it.
fn month_name(t: &CivilTime) -> &'static str {
    (t.month as usize)
        .checked_sub(1)
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("?")
}

/// The C locale's abbreviation: the first three letters.
fn abbreviated(name: &'static str) -> &'static str {
    name.get(..3).unwrap_or(name)
}

fn twelve_hour(hour: u32) -> i64 {
    match hour % 12 {
        0 => 12,
        h => i64::from(h),
    }
}

/// ISO 8601 week-based year and week number.
fn iso_week(t: &CivilTime) -> (i64, i64) {
    let wday = i64::from(t.weekday); // Monday = 0
    let yday = i64::from(t.yearday) - 1;
    let week = (yday - wday + 10) / 7;
    if week < 1 {
        let prev = t.year - 1;
        let prev_days = if is_leap(prev) { 366 } else { 365 };
        let w = (yday + prev_days - wday + 10) / 7;
        (prev, w)
    } else {
        let days = if is_leap(t.year) { 366 } else { 365 };
        if week == 53 && yday - wday + 3 >= days {
            (t.year + 1, 1)
        } else {
            (t.year, week)
        }
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn directive(out: &mut String, d: &Directive, t: &CivilTime) {
    let sunday_based_wday = (i64::from(t.weekday) + 1) % 7;
    let yday0 = i64::from(t.yearday) - 1;
    let text = |out: &mut String, s: &str| push_text(out, s, d, d.width, d.case());
    match d.conversion {
        'a' => text(out, abbreviated(day_name(t))),
        'A' => text(out, day_name(t)),
        'b' | 'h' => text(out, abbreviated(month_name(t))),
        'B' => text(out, month_name(t)),
        'c' => subformat(out, d, "abeTY", "    ", t),
        'C' => number(out, d, 1, t.year.div_euclid(100), false),
        'd' => number(out, d, 2, t.day.into(), false),
        'D' | 'x' => subformat(out, d, "mdy", "//", t),
        'e' => number(out, d, 2, t.day.into(), true),
        'F' => subformat(out, d, "Ymd", "--", t),
        'G' => number(out, d, 1, iso_week(t).0, false),
        'g' => number(out, d, 2, iso_week(t).0.rem_euclid(100), false),
        'H' => number(out, d, 2, t.hour.into(), false),
        'I' => number(out, d, 2, twelve_hour(t.hour), false),
        'j' => number(out, d, 3, t.yearday.into(), false),
        'k' => number(out, d, 2, t.hour.into(), true),
        'l' => number(out, d, 2, twelve_hour(t.hour), true),
        'm' => number(out, d, 2, t.month.into(), false),
        'M' => number(out, d, 2, t.minute.into(), false),
        'n' => push_padded(out, "\n", d.pad, d.width),
        'p' | 'P' => text(out, if t.hour < 12 { "AM" } else { "PM" }),
        'r' => subformat(out, d, "IMSp", ":: ", t),
        'R' => subformat(out, d, "HM", ":", t),
        's' => number(out, d, 1, t.unix, false),
        'S' => number(out, d, 2, t.second.into(), false),
        't' => push_padded(out, "\t", d.pad, d.width),
        'T' | 'X' => subformat(out, d, "HMS", "::", t),
        'u' => number(out, d, 1, i64::from(t.weekday) + 1, false),
        'U' => number(out, d, 2, (yday0 + 7 - sunday_based_wday) / 7, false),
        'V' => number(out, d, 2, iso_week(t).1, false),
        'w' => number(out, d, 1, sunday_based_wday, false),
        'W' => number(out, d, 2, (yday0 + 7 - i64::from(t.weekday)) / 7, false),
        'y' => number(out, d, 2, t.year.rem_euclid(100), false),
        'Y' => number(out, d, 1, t.year, false),
        'z' => {
            // glibc pads the sign and the number each to the width.
            let sign = if t.offset < 0 { "-" } else { "+" };
            push_padded(out, sign, d.pad, d.width);
            let minutes = i64::from(t.offset.unsigned_abs() / 60);
            number(out, d, 4, minutes / 60 * 100 + minutes % 60, false);
        }
        'Z' => text(out, t.abbreviation.as_str()),
        _ => push_padded(out, "%", d.pad, d.width),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(f: &str, unix: i64) -> String {
        let mut s = String::new();
        DateFormat::parse(f)
            .unwrap()
            .render(&mut s, unix, &Zone::Utc);
        s
    }

    #[test]
    fn civil_dates() {
        assert_eq!(render("%Y-%m-%d %H:%M:%S", 0), "1970-01-01 00:00:00");
        assert_eq!(
            render("%Y-%m-%d %A %j", 951_782_400),
            "2000-02-29 Tuesday 060"
        );
        assert_eq!(render("%Y-%m-%d", -86_400), "1969-12-31");
        assert_eq!(render("%I %p %l", 1795536741), "04 PM  4");
    }

    #[test]
    fn fixed_zone_offset_and_abbreviation() {
        let tz = TimeZone::fixed(jiff::tz::offset(-5));
        let mut s = String::new();
        DateFormat::parse("%H:%M %z")
            .unwrap()
            .render(&mut s, 1795536741, &Zone::Fixed(tz));
        assert_eq!(s, "11:12 -0500");
    }

    #[test]
    fn extreme_times_and_odd_civil_times_do_not_panic() {
        for unix in [i64::MIN, i64::MAX, -1] {
            let _ = render("%c %G %V %j %z %Z", unix);
            let mut s = String::new();
            DateFormat::parse("%c")
                .unwrap()
                .render(&mut s, unix, &Zone::Local);
        }
        let mut t = CivilTime::at(0, &Zone::Utc);
        t.month = 0;
        t.weekday = u32::MAX;
        let mut s = String::new();
        DateFormat::parse("%a %b %B")
            .unwrap()
            .render_civil(&mut s, &t);
        assert_eq!(s, "? ? ?");
    }

    #[test]
    fn glibc_flags_and_widths() {
        assert_eq!(
            render("%_5z|%010z|%-z|%3z", 0),
            "    +    0|000000000+0000000000|+0|  +0000"
        );
        assert_eq!(
            render("%-5Q|%^5q|%#Z|%^#Z|%#b|%#p", 0),
            " %-5Q| %^5Q|gmt|gmt|JAN|am"
        );
        assert_eq!(render("%10D|%^c", 0), "  01/01/70|THU JAN  1 00:00:00 1970");
        assert_eq!(render("%5000Y", 0), "");
    }

    #[test]
    fn unknown_directives_stay_as_text() {
        assert_eq!(render("%Q %", 0), "%Q %");
    }
}
