//! Python's `%`-operator conversions (`%s`, `%r`, `%d`, `%f`, `%e`, `%g`, `%x`, `%o`, `%c`) applied to
//! the values a record holds, with Python's flags, widths, precisions and error texts.

use std::fmt::Write;

use super::repr::write_repr;
use crate::level::LevelName;

/// A value as Python's `%` operator sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PyVal<'a> {
    Str(&'a str),
    Level(LevelName),
    Int(i64),
    UInt(u64),
    BigInt(i128),
    Float(f64),
    Bool(bool),
    None,
    EmptyTuple,
}

impl PyVal<'_> {
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            PyVal::Str(_) | PyVal::Level(_) => "str",
            PyVal::Int(_) | PyVal::UInt(_) | PyVal::BigInt(_) => "int",
            PyVal::Float(_) => "float",
            PyVal::Bool(_) => "bool",
            PyVal::None => "NoneType",
            PyVal::EmptyTuple => "tuple",
        }
    }
}

/// Flags, width, precision and conversion of one `%` directive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Spec {
    pub left: bool,
    pub zero: bool,
    pub plus: bool,
    pub space: bool,
    pub alt: bool,
    pub width: Option<usize>,
    pub precision: Option<usize>,
    pub conversion: u8,
}

impl Spec {
    /// A bare `%s`, which can be written without any padding logic.
    pub(crate) fn is_plain_s(&self) -> bool {
        self.conversion == b's' && self.width.is_none() && self.precision.is_none()
    }
}

/// A conversion that failed, with Python's exception type and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversionError {
    /// Python's exception type (`TypeError`, `ValueError`, `OverflowError`).
    pub kind: &'static str,
    /// Python's message.
    pub message: String,
}

fn type_error(message: String) -> ConversionError {
    ConversionError {
        kind: "TypeError",
        message,
    }
}

/// The widest field (and the longest run of digits a precision asks for) rendered. CPython pads to
/// any width that fits in memory; a wider spec here fails with a `MemoryError` instead of
/// allocating gigabytes.
pub(crate) const MAX_WIDTH: usize = 1 << 20;

/// The error for a width or precision past [`MAX_WIDTH`].
pub(crate) fn too_wide() -> ConversionError {
    ConversionError {
        kind: "MemoryError",
        message: format!("pylog renders fields of at most {MAX_WIDTH} characters"),
    }
}

/// Past this many digits after the point, or significant digits, the exact decimal expansion of
/// every double has ended: the rest are zeros. Rust's formatting refuses precisions above
/// `u16::MAX`, so longer ones are written as this many digits, then zeros.
pub(crate) const EXACT_DIGITS: usize = 1100;

/// `v` with `precision` digits after the point (Rust's `{:.p}`, exact, half to even).
pub(crate) fn write_fixed(out: &mut String, v: f64, precision: usize) {
    let exact = precision.min(EXACT_DIGITS);
    let _ = write!(out, "{v:.exact$}");
    out.extend(std::iter::repeat_n('0', precision - exact));
}

/// `v` as `d.ddde<exp>` with `precision` digits after the point (Rust's `{:.pe}`).
pub(crate) fn write_scientific(out: &mut String, v: f64, precision: usize) {
    let start = out.len();
    let exact = precision.min(EXACT_DIGITS);
    let _ = write!(out, "{v:.exact$e}");
    if precision > exact {
        let e = out[start..].find('e').map_or(out.len(), |i| start + i);
        insert_repeat(out, e, ZEROS, precision - exact);
    }
}

/// Writes `value` converted by `spec` to `out`.
pub(crate) fn render(
    out: &mut String,
    spec: &Spec,
    value: PyVal<'_>,
) -> Result<(), ConversionError> {
    let text = matches!(spec.conversion, b's' | b'r' | b'a');
    if spec.width.is_some_and(|w| w > MAX_WIDTH)
        || (!text && spec.precision.is_some_and(|p| p > MAX_WIDTH))
    {
        return Err(too_wide());
    }
    match spec.conversion {
        b's' | b'r' | b'a' => {
            if spec.is_plain_s() {
                write_str_form(out, value);
                return Ok(());
            }
            let start = out.len();
            match spec.conversion {
                b's' => write_str_form(out, value),
                b'r' => write_repr_form(out, value, false),
                _ => write_repr_form(out, value, true),
            }
            if let Some(precision) = spec.precision
                && let Some((cut, _)) = out[start..].char_indices().nth(precision)
            {
                out.truncate(start + cut);
            }
            pad_text(out, start, spec);
            Ok(())
        }
        b'd' | b'i' | b'u' => {
            let start = out.len();
            let negative = write_integer_digits(out, value, spec.conversion)?;
            lay_out_number(out, start, spec, negative, "", true);
            Ok(())
        }
        b'x' | b'X' | b'o' => {
            let (negative, magnitude) = exact_integer(value).ok_or_else(|| {
                type_error(format!(
                    "%{} format: an integer is required, not {}",
                    spec.conversion as char,
                    value.type_name()
                ))
            })?;
            let start = out.len();
            // Writing to a String cannot fail.
            let _ = match spec.conversion {
                b'x' => write!(out, "{magnitude:x}"),
                b'X' => write!(out, "{magnitude:X}"),
                _ => write!(out, "{magnitude:o}"),
            };
            let prefix = match (spec.alt, spec.conversion) {
                (true, b'x') => "0x",
                (true, b'X') => "0X",
                (true, _) => "0o",
                _ => "",
            };
            lay_out_number(out, start, spec, negative && magnitude != 0, prefix, true);
            Ok(())
        }
        b'e' | b'E' | b'f' | b'F' | b'g' | b'G' => {
            let v = float_value(value).ok_or_else(|| {
                type_error(format!("must be real number, not {}", value.type_name()))
            })?;
            let start = out.len();
            let precision = spec.precision.unwrap_or(6);
            write_float(out, v.abs(), spec.conversion, precision, spec.alt);
            let negative = v.is_sign_negative() && !v.is_nan();
            lay_out_number(out, start, spec, negative, "", v.is_finite());
            Ok(())
        }
        b'c' => {
            let start = out.len();
            match value {
                PyVal::Str(s) if s.chars().count() == 1 => out.push_str(s),
                PyVal::Int(_) | PyVal::UInt(_) | PyVal::BigInt(_) | PyVal::Bool(_) => {
                    let code = exact_integer(value)
                        .filter(|(neg, m)| !neg && *m <= 0x10FFFF)
                        .and_then(|(_, m)| char::from_u32(m as u32))
                        .ok_or_else(|| ConversionError {
                            kind: "OverflowError",
                            message: "%c arg not in range(0x110000)".to_owned(),
                        })?;
                    out.push(code);
                }
                _ => return Err(type_error("%c requires int or char".to_owned())),
            }
            pad_text(out, start, spec);
            Ok(())
        }
        _ => Err(ConversionError {
            kind: "ValueError",
            message: format!("unsupported format character '{}'", spec.conversion as char),
        }),
    }
}

/// Python's `str(value)`.
pub(crate) fn write_str_form(out: &mut String, value: PyVal<'_>) {
    match value {
        PyVal::Str(s) => out.push_str(s),
        PyVal::Level(LevelName::Named(s)) => out.push_str(s),
        PyVal::Level(LevelName::Unnamed(n)) => {
            let _ = write!(out, "Level {n}");
        }
        PyVal::Int(n) => push_int(out, n),
        PyVal::UInt(n) => {
            let _ = write!(out, "{n}");
        }
        PyVal::BigInt(n) => {
            let _ = write!(out, "{n}");
        }
        PyVal::Float(v) => write_float_repr(out, v),
        PyVal::Bool(b) => out.push_str(if b { "True" } else { "False" }),
        PyVal::None => out.push_str("None"),
        PyVal::EmptyTuple => out.push_str("()"),
    }
}

fn push_int(out: &mut String, n: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        out.push('-');
    }
    // The buffer holds ASCII digits only.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

fn write_repr_form(out: &mut String, value: PyVal<'_>, ascii_only: bool) {
    match value {
        PyVal::Str(s) => write_repr(out, s, ascii_only),
        PyVal::Level(name) => write_repr(out, &name.to_text(), ascii_only),
        other => write_str_form(out, other),
    }
}

/// Inserts `n` copies of the ASCII byte `fill` at byte `at` of `out`, moving what follows once.
pub(crate) fn insert_repeat(out: &mut String, at: usize, fill: u8, n: usize) {
    const SHORT: usize = 16;
    if n <= SHORT {
        let run = [fill; SHORT];
        // An ASCII fill byte: the run is always valid UTF-8.
        if let Ok(run) = std::str::from_utf8(&run[..n]) {
            out.insert_str(at, run);
        }
        return;
    }
    // A wide field (`%(message)1048576s`): the fill is added at the end and rotated into place,
    // so the text after `at` moves once and no padded copy is made.
    let mut bytes = std::mem::take(out).into_bytes();
    bytes.resize(bytes.len() + n, fill);
    bytes[at..].rotate_right(n);
    *out = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

const SPACES: u8 = b' ';
const ZEROS: u8 = b'0';

/// Pads the text written since `start` to the spec's width (spaces; left-justified with `-`).
fn pad_text(out: &mut String, start: usize, spec: &Spec) {
    let Some(width) = spec.width else { return };
    let len = out[start..].chars().count();
    if len >= width {
        return;
    }
    let fill = width - len;
    if spec.left {
        out.extend(std::iter::repeat_n(' ', fill));
    } else {
        insert_repeat(out, start, SPACES, fill);
    }
}

/// Writes the digits of `value` as an integer (floats truncated) for `%d`; returns whether it is
/// negative (a zero never is).
fn write_integer_digits(
    out: &mut String,
    value: PyVal<'_>,
    conversion: u8,
) -> Result<bool, ConversionError> {
    match value {
        PyVal::Float(v) if v.is_nan() => Err(ConversionError {
            kind: "ValueError",
            message: "cannot convert float NaN to integer".to_owned(),
        }),
        PyVal::Float(v) if v.is_infinite() => Err(ConversionError {
            kind: "OverflowError",
            message: "cannot convert float infinity to integer".to_owned(),
        }),
        PyVal::Float(v) => {
            let t = v.trunc();
            let magnitude = t.abs();
            if magnitude < 18_446_744_073_709_551_616.0 {
                // An integral float below 2^64 converts exactly (the common case: msecs, created).
                write_u64(out, magnitude as u64);
            } else {
                // Every digit, as Python's int(): `{:.0}` of an integral float is exact.
                let _ = write!(out, "{magnitude:.0}");
            }
            Ok(t < 0.0)
        }
        other => match exact_integer(other) {
            Some((negative, magnitude)) => {
                match u64::try_from(magnitude) {
                    Ok(small) => write_u64(out, small),
                    Err(_) => {
                        let _ = write!(out, "{magnitude}");
                    }
                }
                Ok(negative && magnitude != 0)
            }
            None => Err(type_error(format!(
                "%{} format: a real number is required, not {}",
                conversion as char,
                other.type_name()
            ))),
        },
    }
}

/// Writes the decimal digits of `n` (faster than `Display` for the small numbers logs are full of).
fn write_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
}

/// The sign and magnitude of an integer-like value (int or bool).
fn exact_integer(value: PyVal<'_>) -> Option<(bool, u128)> {
    match value {
        PyVal::Int(n) => Some((n < 0, u128::from(n.unsigned_abs()))),
        PyVal::UInt(n) => Some((false, u128::from(n))),
        PyVal::BigInt(n) => Some((n < 0, n.unsigned_abs())),
        PyVal::Bool(b) => Some((false, u128::from(b))),
        _ => None,
    }
}

fn float_value(value: PyVal<'_>) -> Option<f64> {
    match value {
        PyVal::Float(v) => Some(v),
        PyVal::Int(n) => Some(n as f64),
        PyVal::UInt(n) => Some(n as f64),
        PyVal::BigInt(n) => Some(n as f64),
        PyVal::Bool(b) => Some(if b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// Lays out a number whose digits were written at `out[start..]` as Python's `%` does: an integer
/// precision (minimum digits), the sign, the prefix (`0x`), then the width, filled with zeros
/// (the `0` flag, between sign and digits) or spaces (before, or after with `-`).
fn lay_out_number(
    out: &mut String,
    start: usize,
    spec: &Spec,
    negative: bool,
    prefix: &str,
    zero_pad_allowed: bool,
) {
    if matches!(spec.conversion, b'd' | b'i' | b'u' | b'o' | b'x' | b'X')
        && let Some(precision) = spec.precision
    {
        let digits = out.len() - start;
        if digits < precision {
            insert_repeat(out, start, ZEROS, precision - digits);
        }
    }
    let sign = if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    // Digits, `inf` and `nan` are ASCII: bytes are characters.
    let len = sign.len() + prefix.len() + (out.len() - start);
    let fill = spec.width.map_or(0, |w| w.saturating_sub(len));
    if fill > 0 && !spec.left && spec.zero && zero_pad_allowed {
        insert_repeat(out, start, ZEROS, fill);
    }
    out.insert_str(start, prefix);
    out.insert_str(start, sign);
    if fill > 0 && spec.left {
        out.extend(std::iter::repeat_n(' ', fill));
    } else if fill > 0 && !(spec.zero && zero_pad_allowed) {
        insert_repeat(out, start, SPACES, fill);
    }
}

/// Writes a non-negative float with a C-style conversion (`f`, `e`, `g` and upper-case forms).
fn write_float(out: &mut String, v: f64, conversion: u8, precision: usize, alt: bool) {
    let start = out.len();
    if !v.is_finite() {
        out.push_str(if v.is_nan() { "nan" } else { "inf" });
    } else {
        match conversion.to_ascii_lowercase() {
            b'f' => {
                write_fixed(out, v, precision);
                if alt && precision == 0 {
                    out.push('.');
                }
            }
            b'e' => write_exponent_form(out, v, precision, alt, false),
            _ => {
                let p = precision.max(1);
                // The exponent of `v` rounded to `p` digits decides between the two notations.
                write_scientific(out, v, p - 1);
                let exp: i32 = out[start..]
                    .rsplit('e')
                    .next()
                    .and_then(|e| e.parse().ok())
                    .unwrap_or(0);
                out.truncate(start);
                if exp >= -4 && exp < p as i32 {
                    let decimals = (p as i32 - 1 - exp).max(0) as usize;
                    write_fixed(out, v, decimals);
                    if !alt {
                        strip_trailing_zeros(out, start);
                    } else if !out[start..].contains('.') {
                        out.push('.');
                    }
                } else {
                    write_exponent_form(out, v, p - 1, alt, !alt);
                }
            }
        }
    }
    if conversion.is_ascii_uppercase() {
        out[start..].make_ascii_uppercase();
    }
}

/// `d.ddde+XX`: Rust's `{:e}` with C's exponent sign and at least two exponent digits; `strip`
/// drops the mantissa's trailing zeros (`%g`).
fn write_exponent_form(out: &mut String, v: f64, precision: usize, alt: bool, strip: bool) {
    let start = out.len();
    write_scientific(out, v, precision);
    let e = out[start..].find('e').map_or(out.len(), |i| start + i);
    let exp: i32 = out[e..].get(1..).and_then(|x| x.parse().ok()).unwrap_or(0);
    out.truncate(e);
    if strip {
        strip_trailing_zeros(out, start);
    }
    if alt && !out[start..].contains('.') {
        out.push('.');
    }
    let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
}

/// Drops the trailing zeros of the decimals written at `out[start..]`, and the point if no decimal
/// is left.
fn strip_trailing_zeros(out: &mut String, start: usize) {
    if !out[start..].contains('.') {
        return;
    }
    let kept = out[start..]
        .trim_end_matches('0')
        .trim_end_matches('.')
        .len();
    out.truncate(start + kept);
}

/// A short text on the stack: the shortest forms of a float fit in it.
pub(crate) struct ShortText {
    bytes: [u8; 40],
    len: usize,
}

impl ShortText {
    fn new() -> ShortText {
        ShortText {
            bytes: [0; 40],
            len: 0,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for ShortText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The shortest digits that read back as `v` (`d.ddde±X`), choosing as Python's `repr` (David
/// Gay's `dtoa` mode 0) does among several of that length: the nearest to `v`, ties to an even
/// last digit. Rust's shortest form may pick another one (`617989394824087.25` is printed
/// `...087.3`, Python prints `...087.2`); Rust's fixed-precision form rounds exactly, half to even.
pub(crate) fn shortest_digits(v: f64) -> ShortText {
    let mut shortest = ShortText::new();
    let _ = write!(shortest, "{v:e}");
    let significant = shortest
        .as_str()
        .split_once('e')
        .map_or(shortest.as_str(), |(m, _)| m)
        .bytes()
        .filter(u8::is_ascii_digit)
        .count();
    let mut nearest = ShortText::new();
    let written = write!(nearest, "{v:.*e}", significant.saturating_sub(1));
    if written.is_ok() && nearest.as_str().parse::<f64>() == Ok(v) {
        nearest
    } else {
        shortest
    }
}

/// Python's `repr(float)`: the shortest text that reads back as the same float, in fixed notation when
/// `1e-4 <= |v| < 1e16` (always with a decimal point), else as `d.ddde+XX`.
pub(crate) fn write_float_repr(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("nan");
        return;
    }
    if v.is_infinite() {
        out.push_str(if v < 0.0 { "-inf" } else { "inf" });
        return;
    }
    if v == 0.0 {
        out.push_str(if v.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    let shortest = shortest_digits(v.abs());
    let text = shortest.as_str();
    let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    // The digits are `first` then `rest`: `d.ddd` or `d`.
    let (first, rest) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if v < 0.0 {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(first);
            out.push_str(rest);
        } else {
            // `exp + 1` digits before the point.
            let in_rest = exp as usize;
            out.push_str(first);
            if rest.len() <= in_rest {
                out.push_str(rest);
                out.extend(std::iter::repeat_n('0', in_rest - rest.len()));
                out.push_str(".0");
            } else {
                out.push_str(&rest[..in_rest]);
                out.push('.');
                out.push_str(&rest[in_rest..]);
            }
        }
    } else {
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(conversion: u8) -> Spec {
        Spec {
            conversion,
            ..Spec::default()
        }
    }

    fn r(spec: Spec, v: PyVal<'_>) -> String {
        let mut out = String::new();
        render(&mut out, &spec, v).unwrap();
        out
    }

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (723.0, "723.0"),
            (1795536741.7239, "1795536741.7239"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (-2.5, "-2.5"),
            (617989394824087.2, "617989394824087.2"),
        ];
        for (v, want) in cases {
            let mut s = String::new();
            write_float_repr(&mut s, v);
            assert_eq!(s, want, "{v}");
        }
    }

    #[test]
    fn numbers_like_python() {
        let mut s = spec(b'd');
        s.width = Some(3);
        s.zero = true;
        assert_eq!(r(s, PyVal::Float(7.9)), "007");
        assert_eq!(
            r(spec(b'f'), PyVal::Float(1795536741.7239)),
            "1795536741.723900"
        );
        assert_eq!(r(spec(b'e'), PyVal::Float(1500.0)), "1.500000e+03");
        assert_eq!(r(spec(b'g'), PyVal::Float(0.00001234)), "1.234e-05");
        assert_eq!(r(spec(b'g'), PyVal::Float(1234567.0)), "1.23457e+06");
        assert_eq!(r(spec(b'g'), PyVal::Float(100.0)), "100");
        let mut x = spec(b'x');
        x.alt = true;
        assert_eq!(r(x, PyVal::Int(-255)), "-0xff");
    }

    #[test]
    fn a_wide_field_is_padded_in_one_piece() {
        let s = Spec {
            conversion: b's',
            width: Some(MAX_WIDTH),
            ..Spec::default()
        };
        let mut out = String::from("before|");
        render(&mut out, &s, PyVal::Str("é")).unwrap();
        assert_eq!(out.len(), "before|".len() + MAX_WIDTH - 1 + "é".len());
        assert!(out.starts_with("before|    "));
        assert!(out.ends_with(" é"));
        let n = Spec {
            conversion: b'd',
            width: Some(40),
            zero: true,
            ..Spec::default()
        };
        let mut out = String::from("x");
        render(&mut out, &n, PyVal::Int(-42)).unwrap();
        assert_eq!(out, format!("x-{}42", "0".repeat(37)));
    }

    #[test]
    fn text_padding_and_precision() {
        let mut s = spec(b's');
        s.width = Some(8);
        s.left = true;
        assert_eq!(r(s, PyVal::Str("INFO")), "INFO    ");
        let mut p = spec(b's');
        p.precision = Some(3);
        p.width = Some(5);
        assert_eq!(r(p, PyVal::Str("héllo")), "  hél");
        assert_eq!(r(spec(b'r'), PyVal::Str("x")), "'x'");
    }

    #[test]
    fn type_errors_carry_python_text() {
        let mut out = String::new();
        let err = render(&mut out, &spec(b'd'), PyVal::Str("x")).unwrap_err();
        assert_eq!(err.message, "%d format: a real number is required, not str");
        let err = render(&mut out, &spec(b'f'), PyVal::None).unwrap_err();
        assert_eq!(err.message, "must be real number, not NoneType");
    }
}
