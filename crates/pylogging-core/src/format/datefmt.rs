//! Dates for `%(asctime)s`: Python's `time.strftime` directives over a record's `created` time, in
//! local time (the system zone, read once and correct on every thread and across DST) or UTC.
//!
//! ```
//! use pylogging_core::format::datefmt::{DateFormat, Zone};
//! let fmt = DateFormat::parse("%a %d %b %Y %H:%M:%S %z").unwrap();
//! let mut out = String::new();
//! fmt.render(&mut out, 1795536741, &Zone::Utc);
//! assert_eq!(out, "Tue 24 Nov 2026 16:12:21 +0000");
//! ```

use std::fmt::Write;
use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::tz::TimeZone;

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

/// The local zone, resolved once per process: unlike `time`'s local offset, this works in
/// multi-threaded programs.
fn local_zone() -> &'static TimeZone {
    static LOCAL: OnceLock<TimeZone> = OnceLock::new();
    LOCAL.get_or_init(|| TimeZone::try_system().unwrap_or(TimeZone::UTC))
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
        let (offset, abbreviation) = match zone {
            // CPython formats `%Z` of `time.gmtime()` as `GMT`.
            Zone::Utc => (0, Abbrev::new("GMT")),
            Zone::Local => offset_in(local_zone(), unix),
            Zone::Fixed(tz) => offset_in(tz, unix),
        };
        let local = unix + i64::from(offset);
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
        }
    }
}

fn offset_in(tz: &TimeZone, unix: i64) -> (i32, Abbrev) {
    match Timestamp::from_second(unix) {
        Ok(ts) => {
            let info = tz.to_offset_info(ts);
            (info.offset().seconds(), Abbrev::new(info.abbreviation()))
        }
        Err(_) => (0, Abbrev::new("UTC")),
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

/// Padding a directive asked for with glibc's flags (`%-d`, `%_d`, `%0e`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pad {
    Default,
    None,
    Space,
    Zero,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Literal(String),
    Directive { conversion: char, pad: Pad, upper: bool },
}

/// A compiled `strftime` format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateFormat {
    items: Vec<Item>,
}

/// The directives this module renders (glibc's, C locale).
const DIRECTIVES: &str = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%";

impl DateFormat {
    /// Python's default, `%Y-%m-%d %H:%M:%S` (milliseconds are added by the formatter).
    pub fn default_time_format() -> DateFormat {
        DateFormat::parse("%Y-%m-%d %H:%M:%S").unwrap_or(DateFormat { items: Vec::new() })
    }

    /// Compiles a `strftime` format. Unknown directives are kept as text, as glibc does.
    pub fn parse(format: &str) -> Result<DateFormat, String> {
        let mut items = Vec::new();
        let mut literal = String::new();
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                literal.push(c);
                continue;
            }
            let mut pad = Pad::Default;
            let mut upper = false;
            let mut raw = String::from("%");
            while let Some(&flag) = chars.peek() {
                match flag {
                    '-' => pad = Pad::None,
                    '_' => pad = Pad::Space,
                    '0' => pad = Pad::Zero,
                    '^' => upper = true,
                    'E' | 'O' => {}
                    _ => break,
                }
                raw.push(flag);
                chars.next();
            }
            match chars.next() {
                Some(conversion) if DIRECTIVES.contains(conversion) => {
                    if !literal.is_empty() {
                        items.push(Item::Literal(std::mem::take(&mut literal)));
                    }
                    items.push(Item::Directive {
                        conversion,
                        pad,
                        upper,
                    });
                }
                Some(other) => {
                    literal.push_str(&raw);
                    literal.push(other);
                }
                None => literal.push_str(&raw),
            }
        }
        if !literal.is_empty() {
            items.push(Item::Literal(literal));
        }
        Ok(DateFormat { items })
    }

    /// Writes the time `unix` (seconds) in `zone`.
    pub fn render(&self, out: &mut String, unix: i64, zone: &Zone) {
        self.render_civil(out, &CivilTime::at(unix, zone));
    }

    /// Writes an already broken-down time.
    pub fn render_civil(&self, out: &mut String, t: &CivilTime) {
        for item in &self.items {
            match item {
                Item::Literal(s) => out.push_str(s),
                Item::Directive {
                    conversion,
                    pad,
                    upper,
                } => {
                    let start = out.len();
                    directive(out, *conversion, *pad, t);
                    if *upper {
                        let upper_text = out[start..].to_uppercase();
                        out.truncate(start);
                        out.push_str(&upper_text);
                    }
                }
            }
        }
    }
}

fn number(out: &mut String, value: i64, width: usize, default: Pad, pad: Pad) {
    let pad = if pad == Pad::Default { default } else { pad };
    let _ = match pad {
        Pad::None | Pad::Default => write!(out, "{value}"),
        Pad::Space => write!(out, "{value:>width$}"),
        Pad::Zero => {
            if value < 0 {
                write!(out, "-{:0width$}", -value, width = width.saturating_sub(1))
            } else {
                write!(out, "{value:0width$}")
            }
        }
    };
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

fn directive(out: &mut String, conversion: char, pad: Pad, t: &CivilTime) {
    let sunday_based_wday = i64::from((t.weekday + 1) % 7);
    let yday0 = i64::from(t.yearday) - 1;
    match conversion {
        'a' => out.push_str(&DAYS[t.weekday as usize][..3]),
        'A' => out.push_str(DAYS[t.weekday as usize]),
        'b' | 'h' => out.push_str(&MONTHS[t.month as usize - 1][..3]),
        'B' => out.push_str(MONTHS[t.month as usize - 1]),
        'c' => {
            directive(out, 'a', Pad::Default, t);
            out.push(' ');
            directive(out, 'b', Pad::Default, t);
            out.push(' ');
            directive(out, 'e', Pad::Default, t);
            out.push(' ');
            directive(out, 'T', Pad::Default, t);
            out.push(' ');
            directive(out, 'Y', Pad::Default, t);
        }
        'C' => number(out, t.year.div_euclid(100), 2, Pad::Zero, pad),
        'd' => number(out, t.day.into(), 2, Pad::Zero, pad),
        'D' | 'x' => {
            directive(out, 'm', Pad::Default, t);
            out.push('/');
            directive(out, 'd', Pad::Default, t);
            out.push('/');
            directive(out, 'y', Pad::Default, t);
        }
        'e' => number(out, t.day.into(), 2, Pad::Space, pad),
        'F' => {
            directive(out, 'Y', Pad::Default, t);
            out.push('-');
            directive(out, 'm', Pad::Default, t);
            out.push('-');
            directive(out, 'd', Pad::Default, t);
        }
        'G' => number(out, iso_week(t).0, 1, Pad::None, pad),
        'g' => number(out, iso_week(t).0.rem_euclid(100), 2, Pad::Zero, pad),
        'H' => number(out, t.hour.into(), 2, Pad::Zero, pad),
        'I' => number(out, twelve_hour(t.hour), 2, Pad::Zero, pad),
        'j' => number(out, t.yearday.into(), 3, Pad::Zero, pad),
        'k' => number(out, t.hour.into(), 2, Pad::Space, pad),
        'l' => number(out, twelve_hour(t.hour), 2, Pad::Space, pad),
        'm' => number(out, t.month.into(), 2, Pad::Zero, pad),
        'M' => number(out, t.minute.into(), 2, Pad::Zero, pad),
        'n' => out.push('\n'),
        'p' => out.push_str(if t.hour < 12 { "AM" } else { "PM" }),
        'P' => out.push_str(if t.hour < 12 { "am" } else { "pm" }),
        'r' => {
            directive(out, 'I', Pad::Default, t);
            out.push(':');
            directive(out, 'M', Pad::Default, t);
            out.push(':');
            directive(out, 'S', Pad::Default, t);
            out.push(' ');
            directive(out, 'p', Pad::Default, t);
        }
        'R' => {
            directive(out, 'H', Pad::Default, t);
            out.push(':');
            directive(out, 'M', Pad::Default, t);
        }
        's' => number(out, t.unix, 1, Pad::None, pad),
        'S' => number(out, t.second.into(), 2, Pad::Zero, pad),
        't' => out.push('\t'),
        'T' | 'X' => {
            directive(out, 'H', Pad::Default, t);
            out.push(':');
            directive(out, 'M', Pad::Default, t);
            out.push(':');
            directive(out, 'S', Pad::Default, t);
        }
        'u' => number(out, i64::from(t.weekday) + 1, 1, Pad::None, pad),
        'U' => number(out, (yday0 + 7 - sunday_based_wday) / 7, 2, Pad::Zero, pad),
        'V' => number(out, iso_week(t).1, 2, Pad::Zero, pad),
        'w' => number(out, sunday_based_wday, 1, Pad::None, pad),
        'W' => number(
            out,
            (yday0 + 7 - i64::from(t.weekday)) / 7,
            2,
            Pad::Zero,
            pad,
        ),
        'y' => number(out, t.year.rem_euclid(100), 2, Pad::Zero, pad),
        'Y' => number(out, t.year, 1, Pad::None, pad),
        'z' => {
            let sign = if t.offset < 0 { '-' } else { '+' };
            let abs = t.offset.unsigned_abs();
            let _ = write!(out, "{sign}{:02}{:02}", abs / 3600, abs / 60 % 60);
        }
        'Z' => out.push_str(t.abbreviation.as_str()),
        _ => out.push('%'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(f: &str, unix: i64) -> String {
        let mut s = String::new();
        DateFormat::parse(f).unwrap().render(&mut s, unix, &Zone::Utc);
        s
    }

    #[test]
    fn civil_dates() {
        assert_eq!(render("%Y-%m-%d %H:%M:%S", 0), "1970-01-01 00:00:00");
        assert_eq!(render("%Y-%m-%d %A %j", 951_782_400), "2000-02-29 Tuesday 060");
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
    fn unknown_directives_stay_as_text() {
        assert_eq!(render("%Q %", 0), "%Q %");
    }
}
