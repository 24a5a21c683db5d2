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
    fn type_name(&self) -> &'static str {
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

/// Writes `value` converted by `spec` to `out`.
pub(crate) fn render(out: &mut String, spec: &Spec, value: PyVal<'_>) -> Result<(), ConversionError> {
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
            let digits = integer_digits(value, spec.conversion)?;
            write_number(out, spec, digits.negative, "", &digits.text, true);
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
            let mut text = match spec.conversion {
                b'x' => format!("{magnitude:x}"),
                b'X' => format!("{magnitude:X}"),
                _ => format!("{magnitude:o}"),
            };
            apply_int_precision(&mut text, spec.precision);
            let prefix = match (spec.alt, spec.conversion) {
                (true, b'x') => "0x",
                (true, b'X') => "0X",
                (true, _) => "0o",
                _ => "",
            };
            write_number(out, spec, negative, prefix, &text, true);
            Ok(())
        }
        b'e' | b'E' | b'f' | b'F' | b'g' | b'G' => {
            let v = float_value(value).ok_or_else(|| {
                type_error(format!("must be real number, not {}", value.type_name()))
            })?;
            let text = format_float(v.abs(), spec.conversion, spec.precision.unwrap_or(6), spec.alt);
            let finite = v.is_finite();
            write_number(out, spec, v.is_sign_negative() && !v.is_nan(), "", &text, finite);
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
        out.insert_str(start, &" ".repeat(fill));
    }
}

struct IntegerDigits {
    negative: bool,
    text: String,
}

fn integer_digits(value: PyVal<'_>, conversion: u8) -> Result<IntegerDigits, ConversionError> {
    let (negative, mut text) = match value {
        PyVal::Float(v) if v.is_nan() => {
            return Err(ConversionError {
                kind: "ValueError",
                message: "cannot convert float NaN to integer".to_owned(),
            });
        }
        PyVal::Float(v) if v.is_infinite() => {
            return Err(ConversionError {
                kind: "OverflowError",
                message: "cannot convert float infinity to integer".to_owned(),
            });
        }
        PyVal::Float(v) => {
            let t = v.trunc();
            (t < 0.0, format!("{:.0}", t.abs()))
        }
        other => match exact_integer(other) {
            Some((negative, magnitude)) => (negative, magnitude.to_string()),
            None => {
                return Err(type_error(format!(
                    "%{} format: a real number is required, not {}",
                    conversion as char,
                    other.type_name()
                )));
            }
        },
    };
    if text == "0" {
        return Ok(IntegerDigits {
            negative: false,
            text,
        });
    }
    text.shrink_to_fit();
    Ok(IntegerDigits { negative, text })
}

/// Python's precision for integers: a minimum number of digits.
fn apply_int_precision(text: &mut String, precision: Option<usize>) {
    if let Some(p) = precision
        && text.len() < p
    {
        text.insert_str(0, &"0".repeat(p - text.len()));
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

/// Writes a number with sign, prefix, zero padding and width as Python's `%` does.
fn write_number(
    out: &mut String,
    spec: &Spec,
    negative: bool,
    prefix: &str,
    digits: &str,
    zero_pad_allowed: bool,
) {
    let padded;
    let digits = if matches!(spec.conversion, b'd' | b'i' | b'u') && spec.precision.is_some() {
        let mut text = digits.to_owned();
        apply_int_precision(&mut text, spec.precision);
        padded = text;
        padded.as_str()
    } else {
        digits
    };
    let sign = if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + prefix.len() + digits.len();
    let fill = spec.width.map_or(0, |w| w.saturating_sub(len));
    if fill == 0 {
        out.push_str(sign);
        out.push_str(prefix);
        out.push_str(digits);
    } else if spec.left {
        out.push_str(sign);
        out.push_str(prefix);
        out.push_str(digits);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if spec.zero && zero_pad_allowed {
        out.push_str(sign);
        out.push_str(prefix);
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(digits);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(sign);
        out.push_str(prefix);
        out.push_str(digits);
    }
}

/// Formats a non-negative float with a C-style conversion (`f`, `e`, `g` and upper-case forms).
fn format_float(v: f64, conversion: u8, precision: usize, alt: bool) -> String {
    let upper = conversion.is_ascii_uppercase();
    if !v.is_finite() {
        let text = if v.is_nan() { "nan" } else { "inf" };
        return if upper {
            text.to_ascii_uppercase()
        } else {
            text.to_owned()
        };
    }
    let mut text = match conversion.to_ascii_lowercase() {
        b'f' => {
            let mut t = format!("{v:.precision$}");
            if alt && precision == 0 {
                t.push('.');
            }
            t
        }
        b'e' => exponent_form(v, precision, alt),
        _ => {
            let p = precision.max(1);
            let probe = format!("{:.*e}", p - 1, v);
            let exp: i32 = probe
                .rsplit('e')
                .next()
                .and_then(|e| e.parse().ok())
                .unwrap_or(0);
            let mut t = if exp >= -4 && exp < p as i32 {
                let decimals = (p as i32 - 1 - exp).max(0) as usize;
                format!("{v:.decimals$}")
            } else {
                exponent_form(v, p - 1, alt)
            };
            if !alt {
                strip_trailing_zeros(&mut t);
            } else if !t.contains('.') && !t.contains('e') {
                t.push('.');
            }
            t
        }
    };
    if upper {
        text.make_ascii_uppercase();
    }
    text
}

/// `d.ddde+XX`: Rust's `{:e}` with C's exponent sign and at least two exponent digits.
fn exponent_form(v: f64, precision: usize, alt: bool) -> String {
    let raw = format!("{v:.precision$e}");
    let (mantissa, exp) = raw.split_once('e').unwrap_or((&raw, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut t = String::with_capacity(raw.len() + 3);
    t.push_str(mantissa);
    if alt && !mantissa.contains('.') {
        t.push('.');
    }
    let _ = write!(t, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    t
}

fn strip_trailing_zeros(t: &mut String) {
    let (body, exp) = match t.find('e') {
        Some(i) => (t[..i].to_owned(), t[i..].to_owned()),
        None => (t.clone(), String::new()),
    };
    if !body.contains('.') {
        return;
    }
    let trimmed = body.trim_end_matches('0').trim_end_matches('.');
    *t = format!("{trimmed}{exp}");
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
    let shortest = format!("{:e}", v.abs());
    let (mantissa, exp) = shortest.split_once('e').unwrap_or((&shortest, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if v < 0.0 {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        } else {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
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
        assert_eq!(r(spec(b'f'), PyVal::Float(1795536741.7239)), "1795536741.723900");
        assert_eq!(r(spec(b'e'), PyVal::Float(1500.0)), "1.500000e+03");
        assert_eq!(r(spec(b'g'), PyVal::Float(0.00001234)), "1.234e-05");
        assert_eq!(r(spec(b'g'), PyVal::Float(1234567.0)), "1.23457e+06");
        assert_eq!(r(spec(b'g'), PyVal::Float(100.0)), "100");
        let mut x = spec(b'x');
        x.alt = true;
        assert_eq!(r(x, PyVal::Int(-255)), "-0xff");
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
