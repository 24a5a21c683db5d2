//! Python's format-specification mini-language (`format(value, spec)`, the part after `:` in a
//! `{`-style field): fill, alignment, sign, `z`, `#`, `0`, width, `,`/`_` grouping, precision and
//! presentation type, applied to the values a record holds with CPython 3.11's output and errors.
//!
//! A spec is parsed once ([`FormatSpec::parse`], as far as parsing does not depend on the value's
//! type); [`render`] then applies it to one value the way `str.__format__`, `int.__format__`,
//! `float.__format__` and `object.__format__` do (`Python/formatter_unicode.c`, and
//! `format_float_short` in `Python/pystrtod.c` for the digits of floats).

use std::cell::Cell;
use std::fmt::Write;

use super::pyvalue::{self, ConversionError, EXACT_DIGITS, MAX_WIDTH, PyVal, too_wide};
use super::word::decimal_value;
use crate::level::LevelName;
use crate::scratch;

/// Why a spec cannot be parsed; the message may name the value's type, known only at render time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpecError {
    /// Characters left after the type: `Invalid format specifier '<spec>' for object of type 'T'`.
    Invalid,
    /// A width or precision past `Py_ssize_t`.
    TooManyDigits,
    /// A `.` without digits.
    MissingPrecision,
    /// Both `,` and `_`.
    CommaAndUnderscore,
}

/// A parsed spec. `fill`, `align` and `kind` are `None` when not given (each type has its default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FormatSpec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    no_neg_zero: bool,
    alt: bool,
    zero: bool,
    width: Option<usize>,
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

fn is_align(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '^')
}

/// CPython's `get_integer`: decimal digits of any script, up to `Py_ssize_t`.
fn get_integer(chars: &[char], pos: &mut usize) -> Result<Option<usize>, SpecError> {
    let mut value: usize = 0;
    let mut any = false;
    while let Some(d) = chars.get(*pos).and_then(|&c| decimal_value(c)) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(d as usize))
            .filter(|&v| v <= isize::MAX as usize)
            .ok_or(SpecError::TooManyDigits)?;
        any = true;
        *pos += 1;
    }
    Ok(any.then_some(value))
}

impl FormatSpec {
    /// CPython's `parse_internal_render_format_spec`, except the check of the grouping against the
    /// type, which needs the type's default ([`FormatSpec::grouping_error`]).
    pub(crate) fn parse(spec: &str) -> Result<FormatSpec, SpecError> {
        let chars: Vec<char> = spec.chars().collect();
        let mut parsed = FormatSpec::default();
        let mut pos = 0;
        let at = |i: usize| chars.get(i).copied();
        if at(1).is_some_and(is_align) {
            parsed.fill = at(0);
            parsed.align = at(1);
            pos = 2;
        } else if at(0).is_some_and(is_align) {
            parsed.align = at(0);
            pos = 1;
        }
        if let Some(c @ ('+' | '-' | ' ')) = at(pos) {
            parsed.sign = Some(c);
            pos += 1;
        }
        if at(pos) == Some('z') {
            parsed.no_neg_zero = true;
            pos += 1;
        }
        if at(pos) == Some('#') {
            parsed.alt = true;
            pos += 1;
        }
        if parsed.fill.is_none() && at(pos) == Some('0') {
            parsed.zero = true;
            pos += 1;
        }
        parsed.width = get_integer(&chars, &mut pos)?;
        if at(pos) == Some(',') {
            parsed.grouping = Some(',');
            pos += 1;
        }
        if at(pos) == Some('_') {
            if parsed.grouping.is_some() {
                return Err(SpecError::CommaAndUnderscore);
            }
            parsed.grouping = Some('_');
            pos += 1;
        }
        if at(pos) == Some(',') {
            return Err(SpecError::CommaAndUnderscore);
        }
        if at(pos) == Some('.') {
            pos += 1;
            parsed.precision =
                Some(get_integer(&chars, &mut pos)?.ok_or(SpecError::MissingPrecision)?);
        }
        match chars.len() - pos {
            0 => {}
            1 => parsed.kind = at(pos),
            _ => return Err(SpecError::Invalid),
        }
        Ok(parsed)
    }

    /// The end of CPython's parse: a grouping the type does not allow, with `default_kind` standing
    /// for a missing type (`s` for strings, `d` for ints, none for floats).
    fn grouping_error(&self, default_kind: Option<char>) -> Option<String> {
        let sep = self.grouping?;
        let kind = self.kind.or(default_kind);
        match kind {
            None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => None,
            Some('b' | 'o' | 'x' | 'X') if sep == '_' => None,
            Some(c) => Some(format!("Cannot specify '{sep}' with {}.", quoted_code(c))),
        }
    }

    /// The grouping in effect: a separator and the size of its groups (`_` groups hex by four).
    fn groups(&self) -> Option<(char, usize)> {
        let sep = self.grouping?;
        let four = sep == '_' && matches!(self.kind, Some('b' | 'o' | 'x' | 'X'));
        Some((sep, if four { 4 } else { 3 }))
    }

    fn fill(&self) -> char {
        self.fill.unwrap_or(if self.zero { '0' } else { ' ' })
    }

    /// The alignment: `0` without one means `=` for numbers (whose default is `>`) only.
    fn align(&self, default: char) -> char {
        self.align.unwrap_or(if self.zero && default == '>' {
            '='
        } else {
            default
        })
    }
}

/// A presentation type as CPython quotes it in messages: `'x'`, or `'\xe9'` outside printable ASCII.
fn quoted_code(c: char) -> String {
    if (c as u32) > 32 && (c as u32) < 128 {
        format!("'{c}'")
    } else {
        format!("'\\x{:x}'", c as u32)
    }
}

fn value_error(message: impl Into<String>) -> ConversionError {
    ConversionError {
        kind: "ValueError",
        message: message.into(),
    }
}

fn unknown_code(c: char, type_name: &str) -> ConversionError {
    value_error(format!(
        "Unknown format code {} for object of type '{type_name}'",
        quoted_code(c)
    ))
}

/// The error of a spec that did not parse, for a value of type `type_name`.
fn parse_error(error: SpecError, spec: &str, type_name: &str) -> ConversionError {
    value_error(match error {
        SpecError::Invalid => {
            format!("Invalid format specifier '{spec}' for object of type '{type_name}'")
        }
        SpecError::TooManyDigits => "Too many decimal digits in format string".to_owned(),
        SpecError::MissingPrecision => "Format specifier missing precision".to_owned(),
        SpecError::CommaAndUnderscore => "Cannot specify both ',' and '_'.".to_owned(),
    })
}

thread_local! {
    /// The digits of a number before they are laid out.
    static DIGITS: Cell<String> = const { Cell::new(String::new()) };
}

/// Writes `format(value, spec)` to `out`. `spec` is the text, `parsed` its parse.
pub(crate) fn render(
    out: &mut String,
    spec: &str,
    parsed: &Result<FormatSpec, SpecError>,
    value: PyVal<'_>,
) -> Result<(), ConversionError> {
    if spec.is_empty() {
        pyvalue::write_str_form(out, value);
        return Ok(());
    }
    let type_name = value.type_name();
    let parsed = match value {
        PyVal::None | PyVal::EmptyTuple => {
            return Err(ConversionError {
                kind: "TypeError",
                message: format!("unsupported format string passed to {type_name}.__format__"),
            });
        }
        _ => parsed.map_err(|e| parse_error(e, spec, type_name))?,
    };
    if parsed.width.is_some_and(|w| w > MAX_WIDTH) {
        return Err(too_wide());
    }
    match value {
        PyVal::Str(s) => render_str(out, &parsed, s, type_name),
        PyVal::Level(LevelName::Named(s)) => render_str(out, &parsed, s, type_name),
        PyVal::Level(name @ LevelName::Unnamed(_)) => {
            render_str(out, &parsed, &name.to_text(), type_name)
        }
        PyVal::Float(v) => render_float(out, &parsed, v, type_name),
        PyVal::Int(n) => render_int(out, &parsed, n < 0, u128::from(n.unsigned_abs()), type_name),
        PyVal::UInt(n) => render_int(out, &parsed, false, u128::from(n), type_name),
        PyVal::BigInt(n) => render_int(out, &parsed, n < 0, n.unsigned_abs(), type_name),
        PyVal::Bool(b) => render_int(out, &parsed, false, u128::from(b), type_name),
        PyVal::None | PyVal::EmptyTuple => Ok(()),
    }
}

/// `str.__format__`.
fn render_str(
    out: &mut String,
    spec: &FormatSpec,
    s: &str,
    type_name: &str,
) -> Result<(), ConversionError> {
    if let Some(message) = spec.grouping_error(Some('s')) {
        return Err(value_error(message));
    }
    match spec.kind {
        None | Some('s') => {}
        Some(c) => return Err(unknown_code(c, type_name)),
    }
    match spec.sign {
        Some(' ') => return Err(value_error("Space not allowed in string format specifier")),
        Some(_) => return Err(value_error("Sign not allowed in string format specifier")),
        None => {}
    }
    if spec.no_neg_zero {
        return Err(value_error(
            "Negative zero coercion (z) not allowed in string format specifier",
        ));
    }
    if spec.alt {
        return Err(value_error(
            "Alternate form (#) not allowed in string format specifier",
        ));
    }
    let align = spec.align('<');
    if align == '=' {
        return Err(value_error(
            "'=' alignment not allowed in string format specifier",
        ));
    }
    let (text, len) = match spec.precision {
        Some(p) => match s.char_indices().nth(p) {
            Some((cut, _)) => (&s[..cut], p),
            None => (s, s.chars().count()),
        },
        None => (s, s.chars().count()),
    };
    let total = spec.width.map_or(len, |w| w.max(len));
    let left = match align {
        '>' => total - len,
        '^' => (total - len) / 2,
        _ => 0,
    };
    let fill = spec.fill();
    out.extend(std::iter::repeat_n(fill, left));
    out.push_str(text);
    out.extend(std::iter::repeat_n(fill, total - len - left));
    Ok(())
}

/// `int.__format__` (and `bool`'s, which is the same with another type name).
fn render_int(
    out: &mut String,
    spec: &FormatSpec,
    negative: bool,
    magnitude: u128,
    type_name: &str,
) -> Result<(), ConversionError> {
    if let Some(message) = spec.grouping_error(Some('d')) {
        return Err(value_error(message));
    }
    let kind = spec.kind.unwrap_or('d');
    match kind {
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => {}
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => {
            let v = magnitude as f64;
            return render_float(out, spec, if negative { -v } else { v }, "float");
        }
        c => return Err(unknown_code(c, type_name)),
    }
    if spec.precision.is_some() {
        return Err(value_error(
            "Precision not allowed in integer format specifier",
        ));
    }
    if spec.no_neg_zero {
        return Err(value_error(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    let mut digits = scratch::take(&DIGITS);
    let mut prefix = "";
    let mut remainder_only = false;
    if kind == 'c' {
        if spec.sign.is_some() {
            scratch::give_back(&DIGITS, digits);
            return Err(value_error(
                "Sign not allowed with integer format specifier 'c'",
            ));
        }
        if spec.alt {
            scratch::give_back(&DIGITS, digits);
            return Err(value_error(
                "Alternate form (#) not allowed with integer format specifier 'c'",
            ));
        }
        let code = match char_code(negative, magnitude) {
            Ok(code) => code,
            Err(e) => {
                scratch::give_back(&DIGITS, digits);
                return Err(e);
            }
        };
        digits.push(code);
        remainder_only = true;
    } else {
        // Writing to a String cannot fail.
        let _ = match kind {
            'b' => write!(digits, "{magnitude:b}"),
            'o' => write!(digits, "{magnitude:o}"),
            'x' => write!(digits, "{magnitude:x}"),
            'X' => write!(digits, "{magnitude:X}"),
            _ => write!(digits, "{magnitude}"),
        };
        if spec.alt {
            prefix = match kind {
                'b' => "0b",
                'o' => "0o",
                'x' => "0x",
                'X' => "0X",
                _ => "",
            };
        }
    }
    let (int_digits, remainder) = if remainder_only {
        ("", digits.as_str())
    } else {
        (digits.as_str(), "")
    };
    lay_out_number(
        out,
        spec,
        Number {
            negative,
            prefix,
            digits: int_digits,
            decimal: false,
            remainder,
        },
    );
    scratch::give_back(&DIGITS, digits);
    Ok(())
}

/// The character of `%c`-like formatting, with CPython's errors.
fn char_code(negative: bool, magnitude: u128) -> Result<char, ConversionError> {
    if !negative && magnitude > i64::MAX as u128 || negative && magnitude > 1 << 63 {
        return Err(ConversionError {
            kind: "OverflowError",
            message: "Python int too large to convert to C long".to_owned(),
        });
    }
    if negative || magnitude > 0x10FFFF {
        return Err(ConversionError {
            kind: "OverflowError",
            message: "%c arg not in range(0x110000)".to_owned(),
        });
    }
    // Python can hold a lone surrogate in a str; a log line cannot be written with one.
    char::from_u32(magnitude as u32).ok_or_else(|| ConversionError {
        kind: "UnicodeEncodeError",
        message: format!(
            "'utf-8' codec can't encode character '\\u{magnitude:x}': surrogates not allowed"
        ),
    })
}

/// `float.__format__` (also used by ints given a float type).
fn render_float(
    out: &mut String,
    spec: &FormatSpec,
    v: f64,
    type_name: &str,
) -> Result<(), ConversionError> {
    if let Some(message) = spec.grouping_error(None) {
        return Err(value_error(message));
    }
    let kind = match spec.kind {
        None => None,
        Some(c @ ('e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%')) => Some(c),
        Some(c) => return Err(unknown_code(c, type_name)),
    };
    if spec.precision.is_some_and(|p| p > i32::MAX as usize) {
        return Err(value_error("precision too big"));
    }
    if spec.precision.is_some_and(|p| p > MAX_WIDTH) {
        return Err(too_wide());
    }
    let mut add_dot_0 = false;
    let mut default_precision = 6;
    let mut code = match kind {
        None => {
            add_dot_0 = true;
            default_precision = 0;
            'r'
        }
        Some('n') => 'g',
        Some(c) => c,
    };
    let mut value = v;
    let mut percent = false;
    if code == '%' {
        code = 'f';
        value *= 100.0;
        percent = true;
    }
    let precision = match spec.precision {
        Some(p) => {
            if code == 'r' {
                code = 'g';
            }
            p
        }
        None => default_precision,
    };
    let mut digits = scratch::take(&DIGITS);
    let negative = float_text(
        &mut digits,
        value,
        FloatStyle {
            code,
            precision,
            add_dot_0,
            alt: spec.alt,
            no_neg_zero: spec.no_neg_zero,
        },
    );
    if percent {
        digits.push('%');
    }
    // CPython's `parse_number`: the integer digits, a decimal point, and the rest.
    let int_len = digits.bytes().take_while(u8::is_ascii_digit).count();
    let (int_digits, rest) = digits.split_at(int_len);
    let (decimal, remainder) = match rest.strip_prefix('.') {
        Some(after) => (true, after),
        None => (false, rest),
    };
    lay_out_number(
        out,
        spec,
        Number {
            negative,
            prefix: "",
            digits: int_digits,
            decimal,
            remainder,
        },
    );
    scratch::give_back(&DIGITS, digits);
    Ok(())
}

/// How a float is turned into digits: CPython's `PyOS_double_to_string` arguments.
#[derive(Clone, Copy)]
struct FloatStyle {
    /// `e`, `f`, `g`, `r` (shortest) or the upper-case forms.
    code: char,
    precision: usize,
    add_dot_0: bool,
    alt: bool,
    no_neg_zero: bool,
}

/// Writes the digits of `|v|` as CPython's `format_float_short` does; returns whether a minus sign
/// goes in front.
fn float_text(out: &mut String, v: f64, style: FloatStyle) -> bool {
    let upper = style.code.is_ascii_uppercase();
    let code = style.code.to_ascii_lowercase();
    let start = out.len();
    if v.is_nan() {
        out.push_str(if upper { "NAN" } else { "nan" });
        return false;
    }
    if v.is_infinite() {
        out.push_str(if upper { "INF" } else { "inf" });
        return v < 0.0;
    }
    let mut negative = v.is_sign_negative();
    let magnitude = v.abs();
    if code == 'f' {
        pyvalue::write_fixed(out, magnitude, style.precision);
        if style.alt && style.precision == 0 {
            out.push('.');
        }
    } else {
        // The significant digits (no point, no trailing zeros) and the position of the point.
        let mut sci = ShortBuf::default();
        match code {
            'e' => {
                // Digits past the exact expansion are zeros, which are dropped anyway.
                let _ = write!(sci, "{magnitude:.*e}", style.precision.min(EXACT_DIGITS));
            }
            'g' => {
                let digits = (style.precision.max(1) - 1).min(EXACT_DIGITS);
                let _ = write!(sci, "{magnitude:.*e}", digits);
            }
            _ => {
                let shortest = pyvalue::shortest_digits(magnitude);
                sci.push_str(shortest.as_str());
            }
        }
        let (mantissa, exp) = sci.as_str().split_once('e').unwrap_or((sci.as_str(), "0"));
        let exp: isize = exp.parse().unwrap_or(0);
        let mut digits = ShortBuf::default();
        for c in mantissa.chars().filter(char::is_ascii_digit) {
            digits.push(c);
        }
        let trimmed = digits.as_str().trim_end_matches('0');
        let digits = if trimmed.is_empty() { "0" } else { trimmed };
        assemble_float(out, digits, exp + 1, code, style);
    }
    if style.no_neg_zero && negative {
        let mantissa_end = out[start..].find('e').map_or(out.len(), |i| start + i);
        if out[start..mantissa_end]
            .bytes()
            .all(|b| !(b'1'..=b'9').contains(&b))
        {
            negative = false;
        }
    }
    if upper {
        out[start..].make_ascii_uppercase();
    }
    negative
}

/// The layout part of CPython's `format_float_short`: `digits` with the point at `decpt`, zero
/// padded on either side, with an exponent when the style calls for one.
fn assemble_float(out: &mut String, digits: &str, decpt: isize, code: char, style: FloatStyle) {
    let digits_len = digits.len() as isize;
    let precision = style.precision as isize;
    let mut decpt = decpt;
    let mut vdigits_end = digits_len;
    let use_exp;
    match code {
        'e' => {
            use_exp = true;
            vdigits_end = precision + 1;
        }
        'g' => {
            let precision = precision.max(1);
            let limit = if style.add_dot_0 {
                precision - 1
            } else {
                precision
            };
            use_exp = decpt <= -4 || decpt > limit;
            if style.alt {
                vdigits_end = precision;
            }
        }
        _ => use_exp = decpt <= -4 || decpt > 16,
    }
    let mut exp = 0;
    if use_exp {
        exp = decpt - 1;
        decpt = 1;
    }
    let vdigits_start = if decpt <= 0 { decpt - 1 } else { 0 };
    vdigits_end = if !use_exp && style.add_dot_0 {
        vdigits_end.max(decpt + 1)
    } else {
        vdigits_end.max(decpt)
    };
    let zeros =
        |out: &mut String, n: isize| out.extend(std::iter::repeat_n('0', n.max(0) as usize));
    if decpt <= 0 {
        zeros(out, decpt - vdigits_start);
        out.push('.');
        zeros(out, -decpt);
    } else {
        zeros(out, -vdigits_start);
    }
    if 0 < decpt && decpt <= digits_len {
        out.push_str(&digits[..decpt as usize]);
        out.push('.');
        out.push_str(&digits[decpt as usize..]);
    } else {
        out.push_str(digits);
    }
    if digits_len < decpt {
        zeros(out, decpt - digits_len);
        out.push('.');
        zeros(out, vdigits_end - decpt);
    } else {
        zeros(out, vdigits_end - digits_len);
    }
    if out.ends_with('.') && !style.alt {
        out.pop();
    }
    if use_exp {
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
}

/// A short text on the stack for the digits of a float in exponent form; large precisions
/// spill to the heap.
#[derive(Default)]
struct ShortBuf {
    inline: [u8; 32],
    len: usize,
    spilled: Option<String>,
}

impl ShortBuf {
    fn as_str(&self) -> &str {
        match &self.spilled {
            Some(s) => s,
            None => std::str::from_utf8(&self.inline[..self.len]).unwrap_or(""),
        }
    }

    fn push_str(&mut self, s: &str) {
        if let Some(spilled) = &mut self.spilled {
            spilled.push_str(s);
            return;
        }
        match self.inline.get_mut(self.len..self.len + s.len()) {
            Some(slot) => {
                slot.copy_from_slice(s.as_bytes());
                self.len += s.len();
            }
            None => {
                let mut spilled = self.as_str().to_owned();
                spilled.push_str(s);
                self.spilled = Some(spilled);
            }
        }
    }

    fn push(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.push_str(c.encode_utf8(&mut buf));
    }
}

impl Write for ShortBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

/// The parts of a number, as CPython's `calc_number_widths` sees them.
struct Number<'a> {
    negative: bool,
    prefix: &'a str,
    /// The integer digits (grouped, zero-padded under `0`/`=`).
    digits: &'a str,
    decimal: bool,
    /// What follows the point (or the digits): decimals, exponent, `%`, or the text of `nan`/`c`.
    remainder: &'a str,
}

/// CPython's `calc_number_widths` and `fill_number`: sign, prefix, padding, grouped digits,
/// decimal point, remainder.
fn lay_out_number(out: &mut String, spec: &FormatSpec, number: Number<'_>) {
    let sign = match (number.negative, spec.sign) {
        (true, _) => Some('-'),
        (false, Some('+')) => Some('+'),
        (false, Some(' ')) => Some(' '),
        _ => None,
    };
    let fill = spec.fill();
    let align = spec.align('>');
    let width = spec.width.map_or(-1, |w| w as isize);
    let remainder_len = number.remainder.chars().count() as isize;
    let non_digits = isize::from(sign.is_some())
        + number.prefix.len() as isize
        + isize::from(number.decimal)
        + remainder_len;
    let min_width = if fill == '0' && align == '=' {
        width - non_digits
    } else {
        0
    };
    let upper = spec.kind == Some('X');
    let mut grouped = scratch::take(&DIGITS_GROUPED);
    if !number.digits.is_empty() {
        group_digits(&mut grouped, number.digits, min_width, spec.groups());
    }
    if upper {
        grouped.make_ascii_uppercase();
    }
    let padding = width - (non_digits + grouped.len() as isize);
    let (mut left, mut middle, mut right) = (0, 0, 0);
    if padding > 0 {
        match align {
            '<' => right = padding,
            '^' => {
                left = padding / 2;
                right = padding - left;
            }
            '=' => middle = padding,
            _ => left = padding,
        }
    }
    let pad = |out: &mut String, n: isize| out.extend(std::iter::repeat_n(fill, n as usize));
    pad(out, left);
    if let Some(sign) = sign {
        out.push(sign);
    }
    out.push_str(number.prefix);
    pad(out, middle);
    out.extend(grouped.chars().rev());
    if number.decimal {
        out.push('.');
    }
    out.push_str(number.remainder);
    pad(out, right);
    scratch::give_back(&DIGITS_GROUPED, grouped);
}

thread_local! {
    static DIGITS_GROUPED: Cell<String> = const { Cell::new(String::new()) };
}

/// CPython's `_PyUnicode_InsertThousandsGrouping`: the digits with separators every `size` digits
/// from the right, zero-padded (separators included) to `min_width`. Written to `reversed` from
/// the right, so reversed (digits and separators are ASCII).
fn group_digits(
    reversed: &mut String,
    digits: &str,
    min_width: isize,
    groups: Option<(char, usize)>,
) {
    let mut remaining = digits.len() as isize;
    let Some((sep, size)) = groups else {
        reversed.extend(digits.chars().rev());
        let zeros = (min_width - remaining).max(0);
        reversed.extend(std::iter::repeat_n('0', zeros as usize));
        return;
    };
    let size = size as isize;
    let mut min_width = min_width;
    let mut end = digits.len();
    let mut first = true;
    loop {
        let l = size.min(remaining.max(min_width).max(1));
        let n_zeros = (l - remaining).max(0);
        let n_chars = remaining.min(l).max(0);
        if !first {
            reversed.push(sep);
        }
        first = false;
        let begin = end - n_chars as usize;
        reversed.extend(digits[begin..end].chars().rev());
        end = begin;
        reversed.extend(std::iter::repeat_n('0', n_zeros as usize));
        remaining -= n_chars;
        min_width -= l;
        if remaining <= 0 && min_width <= 0 {
            break;
        }
        min_width -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: PyVal<'_>, spec: &str) -> String {
        let mut out = String::new();
        match render(&mut out, spec, &FormatSpec::parse(spec), v) {
            Ok(()) => out,
            Err(e) => format!("{}: {}", e.kind, e.message),
        }
    }

    #[test]
    fn strings() {
        assert_eq!(f(PyVal::Str("INFO"), "<8"), "INFO    ");
        assert_eq!(f(PyVal::Str("héllo"), "*^9.3"), "***hél***");
        assert_eq!(
            f(PyVal::Str("x"), "=5"),
            "ValueError: '=' alignment not allowed in string format specifier"
        );
        assert_eq!(
            f(PyVal::Str("x"), "ld"),
            "ValueError: Invalid format specifier 'ld' for object of type 'str'"
        );
    }

    #[test]
    fn integers_with_grouping_and_zero_padding() {
        assert_eq!(f(PyVal::Int(42), "010,"), "00,000,042");
        assert_eq!(f(PyVal::Int(-42), "#x"), "-0x2a");
        assert_eq!(f(PyVal::Int(42), "_b"), "10_1010");
        assert_eq!(f(PyVal::Int(1234567), ","), "1,234,567");
        assert_eq!(f(PyVal::Bool(true), ">5"), "    1");
        assert_eq!(f(PyVal::Int(42), "c"), "*");
    }

    #[test]
    fn floats_like_cpython() {
        assert_eq!(f(PyVal::Float(2.5), ".0"), "2e+00");
        assert_eq!(f(PyVal::Float(1.0), ".3"), "1.0");
        assert_eq!(f(PyVal::Float(1e16), "#"), "1.e+16");
        assert_eq!(f(PyVal::Float(2.5), "010,"), "0,000,002.5");
        assert_eq!(f(PyVal::Float(723.0), "03.0f"), "723");
        assert_eq!(f(PyVal::Float(-0.0001), "z.2f"), "0.00");
        assert_eq!(f(PyVal::Float(f64::NAN), "08"), "00000nan");
        assert_eq!(f(PyVal::Int(42), ".2%"), "4200.00%");
        assert_eq!(f(PyVal::Float(1234567.891), "g"), "1.23457e+06");
    }
}
