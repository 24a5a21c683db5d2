//! Python's `{`-style format strings (`str.format`: `{asctime} {levelname:<8} {message!r}`),
//! parsed once into pieces. Python: `logging.StrFormatStyle`.
//!
//! The parser follows CPython's `MarkupIterator` and `parse_field`
//! (`Objects/stringlib/unicode_format.h`): literal text with `{{` and `}}`, then fields
//! `{name.attr[index]!conversion:spec}`, where the spec may itself hold fields (`{message:>{width}}`,
//! one level deep). CPython parses and formats in one pass, left to right, and raises at the first
//! problem *after* formatting the fields before it; so a broken format compiles to the pieces
//! before the problem and a stop raised there. [`validate`] is `StrFormatStyle.validate`, with
//! CPython's messages.

use std::cell::Cell;

use crate::scratch;

use super::pyvalue::{self, PyVal, Spec};
use super::spec::{self, FormatSpec, SpecError};
use super::word::{decimal_value, is_decimal_digit, is_word_char};
use super::{Attr, Fields, FormatError};
use crate::format::repr::py_repr;
use crate::level::LevelName;

/// A compiled `{`-style format.
#[derive(Clone, Debug)]
pub(crate) struct BraceFormat {
    pieces: Vec<Piece>,
    /// What formatting raises once the pieces are done (a syntax error CPython meets there).
    stop: Option<FormatError>,
}

#[derive(Clone, Debug)]
enum Piece {
    Literal(Box<str>),
    Field(Box<Field>),
}

#[derive(Clone, Debug)]
struct Field {
    first: First,
    accesses: Vec<Access>,
    /// A broken `.attr` or `[index]` after `accesses`, raised once they are applied.
    access_error: Option<FormatError>,
    conversion: Option<char>,
    spec: SpecPart,
}

/// The part of a field name before the first `.` or `[`.
#[derive(Clone, Debug)]
enum First {
    /// A keyword: a record attribute.
    Key(Attr),
    /// A positional index (`{0}`, or `{}` numbered automatically): `logging` passes no positional
    /// arguments, so it is always out of range.
    Index(usize),
    /// An index with too many digits.
    Error(FormatError),
}

#[derive(Clone, Debug)]
enum Access {
    Attribute(Box<str>),
    Index(usize),
    Key(Box<str>),
}

#[derive(Clone, Debug)]
enum SpecPart {
    /// A spec without fields, parsed once.
    Static(Box<str>, Result<FormatSpec, SpecError>),
    /// A spec with fields, expanded for each record.
    Nested(Box<BraceFormat>),
    /// A field in a nested spec that has fields itself.
    TooDeep,
}

fn value_error(message: impl Into<String>) -> FormatError {
    FormatError {
        kind: "ValueError",
        message: message.into(),
    }
}

/// One step of CPython's `MarkupIterator_next`: literal text, then a field if one follows.
struct Markup {
    literal: (usize, usize),
    field: Option<RawField>,
}

/// A field as `parse_field` splits it (ranges of character indexes).
struct RawField {
    name: (usize, usize),
    conversion: Option<char>,
    spec: Option<(usize, usize)>,
    needs_expanding: bool,
}

/// CPython's `MarkupIterator_next`; `Ok(None)` at the end.
fn next_markup(chars: &[char], pos: &mut usize) -> Result<Option<Markup>, &'static str> {
    let end = chars.len();
    if *pos >= end {
        return Ok(None);
    }
    let start = *pos;
    let mut c = '\0';
    let mut markup_follows = false;
    while *pos < end {
        c = chars[*pos];
        *pos += 1;
        if c == '{' || c == '}' {
            markup_follows = true;
            break;
        }
    }
    let at_end = *pos >= end;
    let mut len = *pos - start;
    if c == '}' && markup_follows && (at_end || chars[*pos] != '}') {
        return Err("Single '}' encountered in format string");
    }
    if at_end && c == '{' && markup_follows {
        return Err("Single '{' encountered in format string");
    }
    if !at_end && markup_follows {
        if chars[*pos] == c {
            *pos += 1;
            markup_follows = false;
        } else {
            len -= 1;
        }
    }
    let literal = (start, start + len);
    if !markup_follows {
        return Ok(Some(Markup {
            literal,
            field: None,
        }));
    }
    let field = parse_field(chars, pos)?;
    Ok(Some(Markup {
        literal,
        field: Some(field),
    }))
}

/// CPython's `parse_field`: the name, `!conversion` and `:spec` of a field after its `{`.
fn parse_field(chars: &[char], pos: &mut usize) -> Result<RawField, &'static str> {
    let end = chars.len();
    let name_start = *pos;
    let mut c = '\0';
    let mut stopped = false;
    while *pos < end {
        c = chars[*pos];
        *pos += 1;
        match c {
            '{' => return Err("unexpected '{' in field name"),
            '[' => {
                while *pos < end && chars[*pos] != ']' {
                    *pos += 1;
                }
            }
            '}' | ':' | '!' => {
                stopped = true;
                break;
            }
            _ => {}
        }
    }
    let name = (name_start, *pos - 1);
    if !stopped {
        return Err("expected '}' before end of string");
    }
    if c == '}' {
        return Ok(RawField {
            name,
            conversion: None,
            spec: None,
            needs_expanding: false,
        });
    }
    let mut conversion = None;
    if c == '!' {
        let Some(&conv) = chars.get(*pos) else {
            return Err("end of string while looking for conversion specifier");
        };
        conversion = Some(conv);
        *pos += 1;
        if let Some(&next) = chars.get(*pos) {
            *pos += 1;
            if next == '}' {
                return Ok(RawField {
                    name,
                    conversion,
                    spec: None,
                    needs_expanding: false,
                });
            }
            if next != ':' {
                return Err("expected ':' after conversion specifier");
            }
        }
    }
    let spec_start = *pos;
    let mut count = 1;
    let mut needs_expanding = false;
    while *pos < end {
        let c = chars[*pos];
        *pos += 1;
        match c {
            '{' => {
                needs_expanding = true;
                count += 1;
            }
            '}' => {
                count -= 1;
                if count == 0 {
                    return Ok(RawField {
                        name,
                        conversion,
                        spec: Some((spec_start, *pos - 1)),
                        needs_expanding,
                    });
                }
            }
            _ => {}
        }
    }
    Err("unmatched '{' in format spec")
}

fn text(chars: &[char], (start, end): (usize, usize)) -> String {
    chars[start..end].iter().collect()
}

/// CPython's `get_integer` for field names: `None` when the text is empty or not all decimal
/// digits; an error when it overflows before a non-digit is seen.
fn field_integer(chars: &[char]) -> Result<Option<usize>, FormatError> {
    if chars.is_empty() {
        return Ok(None);
    }
    let mut value: usize = 0;
    for &c in chars {
        let Some(d) = decimal_value(c) else {
            return Ok(None);
        };
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(d as usize))
            .filter(|&v| v <= isize::MAX as usize)
            .ok_or_else(|| value_error("Too many decimal digits in format string"))?;
    }
    Ok(Some(value))
}

/// Compiles `format` for formatting (no validation: see [`validate`]).
pub(crate) fn compile(format: &str) -> BraceFormat {
    let chars: Vec<char> = format.chars().collect();
    compile_chars(&chars, 2)
}

/// CPython's `build_string` with `depth` levels of nesting left.
fn compile_chars(chars: &[char], depth: u8) -> BraceFormat {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut pos = 0;
    let mut stop = None;
    loop {
        match next_markup(chars, &mut pos) {
            Ok(None) => break,
            Err(message) => {
                stop = Some(value_error(message));
                break;
            }
            Ok(Some(markup)) => {
                let literal = text(chars, markup.literal);
                if !literal.is_empty() {
                    match pieces.last_mut() {
                        Some(Piece::Literal(previous)) => {
                            *previous = format!("{previous}{literal}").into_boxed_str();
                        }
                        _ => pieces.push(Piece::Literal(literal.into_boxed_str())),
                    }
                }
                if let Some(field) = markup.field {
                    pieces.push(Piece::Field(Box::new(compile_field(chars, &field, depth))));
                }
            }
        }
    }
    BraceFormat { pieces, stop }
}

fn compile_field(chars: &[char], raw: &RawField, depth: u8) -> Field {
    let name = &chars[raw.name.0..raw.name.1];
    let split = name
        .iter()
        .position(|&c| c == '.' || c == '[')
        .unwrap_or(name.len());
    let (first_chars, rest) = name.split_at(split);
    let first = match field_integer(first_chars) {
        Err(e) => First::Error(e),
        Ok(Some(index)) => First::Index(index),
        // An empty name is numbered automatically; the first positional field fails, so the
        // number is always 0.
        Ok(None) if first_chars.is_empty() => First::Index(0),
        Ok(None) => First::Key(Attr::from_key(&first_chars.iter().collect::<String>())),
    };
    let (accesses, access_error) = compile_accesses(rest);
    let spec = match raw.spec {
        None => SpecPart::Static("".into(), Ok(FormatSpec::default())),
        Some(range) if raw.needs_expanding => {
            if depth <= 1 {
                SpecPart::TooDeep
            } else {
                SpecPart::Nested(Box::new(compile_chars(&chars[range.0..range.1], depth - 1)))
            }
        }
        Some(range) => {
            let text = text(chars, range);
            let parsed = FormatSpec::parse(&text);
            SpecPart::Static(text.into_boxed_str(), parsed)
        }
    };
    Field {
        first,
        accesses,
        access_error,
        conversion: raw.conversion,
        spec,
    }
}

/// CPython's `FieldNameIterator`: `.attr` and `[index]` parts, up to the first broken one.
fn compile_accesses(rest: &[char]) -> (Vec<Access>, Option<FormatError>) {
    let mut accesses = Vec::new();
    let mut pos = 0;
    while pos < rest.len() {
        let start;
        let access = match rest[pos] {
            '.' => {
                pos += 1;
                start = pos;
                while pos < rest.len() && rest[pos] != '.' && rest[pos] != '[' {
                    pos += 1;
                }
                Access::Attribute(rest[start..pos].iter().collect::<String>().into())
            }
            '[' => {
                pos += 1;
                start = pos;
                while pos < rest.len() && rest[pos] != ']' {
                    pos += 1;
                }
                if pos >= rest.len() {
                    return (accesses, Some(value_error("Missing ']' in format string")));
                }
                let inside = &rest[start..pos];
                pos += 1;
                match field_integer(inside) {
                    Err(e) => return (accesses, Some(e)),
                    Ok(Some(index)) => Access::Index(index),
                    Ok(None) => Access::Key(inside.iter().collect::<String>().into()),
                }
            }
            _ => {
                return (
                    accesses,
                    Some(value_error(
                        "Only '.' or '[' may follow ']' in format field specifier",
                    )),
                );
            }
        };
        let empty = match &access {
            Access::Attribute(name) | Access::Key(name) => name.is_empty(),
            Access::Index(_) => false,
        };
        if empty {
            return (
                accesses,
                Some(value_error("Empty attribute in format string")),
            );
        }
        accesses.push(access);
    }
    (accesses, None)
}

thread_local! {
    /// The text of a `!r`/`!s`/`!a` conversion, before its spec is applied.
    static CONVERTED: Cell<String> = const { Cell::new(String::new()) };
    /// A nested spec, once its fields are expanded.
    static EXPANDED_SPEC: Cell<String> = const { Cell::new(String::new()) };
}

impl BraceFormat {
    /// Whether the format names `asctime` (Python's `usesTime`: `{asctime` appears anywhere).
    pub(crate) fn uses_time(format: &str) -> bool {
        format.contains("{asctime")
    }

    /// Formats a record's fields into `out` (which the caller truncates on error).
    pub(crate) fn render(
        &self,
        fields: &Fields<'_, '_>,
        out: &mut String,
    ) -> Result<(), FormatError> {
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Field(field) => {
                    let coloured = match &field.first {
                        First::Key(attr) => fields.start_colour(attr, out),
                        _ => false,
                    };
                    field.render(fields, out)?;
                    fields.end_colour(coloured, out);
                }
            }
        }
        match &self.stop {
            Some(stop) => Err(stop.clone()),
            None => Ok(()),
        }
    }
}

impl Field {
    fn render(&self, fields: &Fields<'_, '_>, out: &mut String) -> Result<(), FormatError> {
        let plain = self.accesses.is_empty()
            && self.access_error.is_none()
            && self.conversion.is_none()
            && matches!(&self.spec, SpecPart::Static(text, _) if text.is_empty());
        let mut value = match &self.first {
            First::Key(attr) => {
                if plain && fields.push_common_text(attr, out) {
                    return Ok(());
                }
                fields.value(attr)?
            }
            First::Index(index) => {
                return Err(FormatError {
                    kind: "IndexError",
                    message: format!(
                        "Replacement index {index} out of range for positional args tuple"
                    ),
                });
            }
            First::Error(e) => return Err(e.clone()),
        };
        for access in &self.accesses {
            value = access.apply(value)?;
        }
        if let Some(e) = &self.access_error {
            return Err(e.clone());
        }
        let mut converted = None;
        if let Some(conversion) = self.conversion {
            let spec = match conversion {
                'r' => b'r',
                's' => b's',
                'a' => b'a',
                other => {
                    let shown = if (other as u32) > 32 && (other as u32) < 127 {
                        other.to_string()
                    } else {
                        format!("\\x{:x}", other as u32)
                    };
                    return Err(value_error(format!("Unknown conversion specifier {shown}")));
                }
            };
            let mut text = scratch::take(&CONVERTED);
            let result = pyvalue::render(
                &mut text,
                &Spec {
                    conversion: spec,
                    ..Spec::default()
                },
                value,
            );
            converted = Some(text);
            if let Err(e) = result {
                if let Some(text) = converted.take() {
                    scratch::give_back(&CONVERTED, text);
                }
                return Err(e.into());
            }
        }
        if let Some(text) = &converted {
            value = PyVal::Str(text);
        }
        let result = self.render_value(fields, value, out);
        if let Some(text) = converted {
            scratch::give_back(&CONVERTED, text);
        }
        result
    }

    fn render_value(
        &self,
        fields: &Fields<'_, '_>,
        value: PyVal<'_>,
        out: &mut String,
    ) -> Result<(), FormatError> {
        match &self.spec {
            SpecPart::Static(text, parsed) => Ok(spec::render(out, text, parsed, value)?),
            SpecPart::TooDeep => Err(value_error("Max string recursion exceeded")),
            SpecPart::Nested(inner) => {
                let mut expanded = scratch::take(&EXPANDED_SPEC);
                let result = inner.render(fields, &mut expanded).and_then(|()| {
                    let parsed = FormatSpec::parse(&expanded);
                    Ok(spec::render(out, &expanded, &parsed, value)?)
                });
                scratch::give_back(&EXPANDED_SPEC, expanded);
                result
            }
        }
    }
}

/// Attributes of the value types a record holds that CPython shows as a bound method or another
/// object with a memory address in its text (`{name.upper}`): names from `dir()` in CPython 3.11.
const STR_ATTRIBUTES: &str = "capitalize casefold center count encode endswith expandtabs find \
    format format_map index isalnum isalpha isascii isdecimal isdigit isidentifier islower \
    isnumeric isprintable isspace istitle isupper join ljust lower lstrip maketrans partition \
    removeprefix removesuffix replace rfind rindex rjust rpartition rsplit rstrip split \
    splitlines startswith strip swapcase title translate upper zfill __add__ __contains__ \
    __getitem__ __getnewargs__ __iter__ __len__ __mod__ __mul__ __rmod__ __rmul__";
const INT_ATTRIBUTES: &str = "as_integer_ratio bit_count bit_length conjugate from_bytes \
    to_bytes __abs__ __add__ __and__ __bool__ __ceil__ __divmod__ __float__ __floor__ \
    __floordiv__ __getnewargs__ __index__ __int__ __invert__ __lshift__ __mod__ __mul__ \
    __neg__ __or__ __pos__ __pow__ __radd__ __rand__ __rdivmod__ __rfloordiv__ __rlshift__ \
    __rmod__ __rmul__ __ror__ __round__ __rpow__ __rrshift__ __rshift__ __rsub__ __rtruediv__ \
    __rxor__ __sub__ __truediv__ __trunc__ __xor__";
const FLOAT_ATTRIBUTES: &str = "as_integer_ratio conjugate fromhex hex is_integer __abs__ \
    __add__ __bool__ __ceil__ __divmod__ __float__ __floor__ __floordiv__ __getformat__ \
    __getnewargs__ __int__ __mod__ __mul__ __neg__ __pos__ __pow__ __radd__ __rdivmod__ \
    __rfloordiv__ __rmod__ __rmul__ __round__ __rpow__ __rsub__ __rtruediv__ __sub__ \
    __truediv__ __trunc__";
const TUPLE_ATTRIBUTES: &str = "count index __add__ __class_getitem__ __contains__ __getitem__ \
    __getnewargs__ __iter__ __len__ __mul__ __rmul__";
/// Attributes every object has.
const OBJECT_ATTRIBUTES: &str = "__class__ __delattr__ __dir__ __doc__ __eq__ __format__ __ge__ \
    __getattribute__ __getstate__ __gt__ __hash__ __init__ __init_subclass__ __le__ __lt__ \
    __ne__ __new__ __reduce__ __reduce_ex__ __repr__ __setattr__ __sizeof__ __str__ \
    __subclasshook__";

/// The characters of `Level 25`, borrowed from static text.
fn unnamed_level_char(level: i32, index: usize) -> Option<&'static str> {
    const PREFIX: &str = "Level ";
    const DIGITS: &str = "0123456789";
    if let Some(c) = PREFIX.get(index..index + 1) {
        return Some(c);
    }
    let mut number = ShortNumber::default();
    number.write(level);
    let c = number.as_bytes().get(index - PREFIX.len()).copied()?;
    if c == b'-' {
        return Some("-");
    }
    let d = usize::from(c - b'0');
    DIGITS.get(d..d + 1)
}

#[derive(Default)]
struct ShortNumber {
    bytes: [u8; 12],
    len: usize,
}

impl ShortNumber {
    fn write(&mut self, n: i32) {
        let mut digits = [0u8; 12];
        let mut i = digits.len();
        let mut m = n.unsigned_abs();
        loop {
            i -= 1;
            digits[i] = b'0' + (m % 10) as u8;
            m /= 10;
            if m == 0 {
                break;
            }
        }
        if n < 0 {
            i -= 1;
            digits[i] = b'-';
        }
        let len = digits.len() - i;
        self.bytes[..len].copy_from_slice(&digits[i..]);
        self.len = len;
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl Access {
    /// `value.attr` or `value[index]` for the value types a record holds, with CPython's errors.
    fn apply<'v>(&self, value: PyVal<'v>) -> Result<PyVal<'v>, FormatError> {
        let type_name = value.type_name();
        match self {
            Access::Attribute(name) => {
                let found = match (value, &**name) {
                    (PyVal::Int(_) | PyVal::UInt(_) | PyVal::BigInt(_), "real" | "numerator") => {
                        Some(value)
                    }
                    (PyVal::Bool(b), "real" | "numerator") => Some(PyVal::Int(i64::from(b))),
                    (
                        PyVal::Int(_) | PyVal::UInt(_) | PyVal::BigInt(_) | PyVal::Bool(_),
                        "imag",
                    ) => Some(PyVal::Int(0)),
                    (
                        PyVal::Int(_) | PyVal::UInt(_) | PyVal::BigInt(_) | PyVal::Bool(_),
                        "denominator",
                    ) => Some(PyVal::Int(1)),
                    (PyVal::Float(_), "real") => Some(value),
                    (PyVal::Float(_), "imag") => Some(PyVal::Float(0.0)),
                    _ => None,
                };
                if let Some(found) = found {
                    return Ok(found);
                }
                let methods = match value {
                    PyVal::Str(_) | PyVal::Level(_) => STR_ATTRIBUTES,
                    PyVal::Int(_) | PyVal::UInt(_) | PyVal::BigInt(_) | PyVal::Bool(_) => {
                        INT_ATTRIBUTES
                    }
                    PyVal::Float(_) => FLOAT_ATTRIBUTES,
                    PyVal::EmptyTuple => TUPLE_ATTRIBUTES,
                    PyVal::None => "__bool__",
                };
                let known = methods
                    .split_ascii_whitespace()
                    .chain(OBJECT_ATTRIBUTES.split_ascii_whitespace())
                    .any(|m| m == &**name);
                Err(if known {
                    FormatError {
                        kind: "NotImplementedError",
                        message: format!(
                            "pylog cannot show the attribute {} of a '{type_name}' (CPython \
                             shows an object with its memory address)",
                            py_repr(name)
                        ),
                    }
                } else {
                    FormatError {
                        kind: "AttributeError",
                        message: format!("'{type_name}' object has no attribute '{name}'"),
                    }
                })
            }
            Access::Index(index) => match value {
                PyVal::Str(s) | PyVal::Level(LevelName::Named(s)) => s
                    .char_indices()
                    .nth(*index)
                    .map(|(at, c)| PyVal::Str(&s[at..at + c.len_utf8()]))
                    .ok_or_else(|| FormatError {
                        kind: "IndexError",
                        message: "string index out of range".to_owned(),
                    }),
                PyVal::Level(LevelName::Unnamed(level)) => unnamed_level_char(level, *index)
                    .map(PyVal::Str)
                    .ok_or_else(|| FormatError {
                        kind: "IndexError",
                        message: "string index out of range".to_owned(),
                    }),
                PyVal::EmptyTuple => Err(FormatError {
                    kind: "IndexError",
                    message: "tuple index out of range".to_owned(),
                }),
                _ => Err(not_subscriptable(type_name)),
            },
            Access::Key(_) => Err(match value {
                PyVal::Str(_) | PyVal::Level(_) => FormatError {
                    kind: "TypeError",
                    message: "string indices must be integers, not 'str'".to_owned(),
                },
                PyVal::EmptyTuple => FormatError {
                    kind: "TypeError",
                    message: "tuple indices must be integers or slices, not str".to_owned(),
                },
                _ => not_subscriptable(type_name),
            }),
        }
    }
}

fn not_subscriptable(type_name: &str) -> FormatError {
    FormatError {
        kind: "TypeError",
        message: format!("'{type_name}' object is not subscriptable"),
    }
}

/// `StrFormatStyle.validate`: CPython's checks of a `{`-style format, with its messages
/// (`invalid format: ...`).
pub(crate) fn validate(format: &str) -> Result<(), String> {
    let chars: Vec<char> = format.chars().collect();
    let mut pos = 0;
    let mut fields = false;
    loop {
        let markup = match next_markup(&chars, &mut pos) {
            Ok(None) => break,
            Ok(Some(markup)) => markup,
            Err(message) => return Err(format!("invalid format: {message}")),
        };
        let Some(field) = markup.field else { continue };
        let name = &chars[field.name.0..field.name.1];
        if !name.is_empty() {
            if !full_match_allowing_newline(name, field_name_matches) {
                return Err(format!(
                    "invalid format: invalid field name/expression: {}",
                    py_repr(&name.iter().collect::<String>())
                ));
            }
            fields = true;
        }
        if let Some(conversion) = field.conversion
            && !matches!(conversion, 'r' | 's' | 'a')
        {
            return Err(format!(
                "invalid format: invalid conversion: {}",
                py_repr(&conversion.to_string())
            ));
        }
        if let Some(range) = field.spec {
            let spec = &chars[range.0..range.1];
            if !spec.is_empty() && !full_match_allowing_newline(spec, spec_matches) {
                return Err(format!(
                    "invalid format: bad specifier: {}",
                    py_repr(&spec.iter().collect::<String>())
                ));
            }
        }
    }
    if fields {
        Ok(())
    } else {
        Err("invalid format: no fields".to_owned())
    }
}

/// A Python `re.match(...$)`: `$` also matches before a final newline.
fn full_match_allowing_newline(text: &[char], matches: fn(&[char]) -> bool) -> bool {
    matches(text) || (text.last() == Some(&'\n') && matches(&text[..text.len() - 1]))
}

/// `(\d+|\w+)(\.\w+|\[[^]]+\])*`, the whole text.
fn field_name_matches(text: &[char]) -> bool {
    let words = |from: usize| {
        text[from..]
            .iter()
            .take_while(|&&c| is_word_char(c))
            .count()
    };
    let mut pos = words(0);
    if pos == 0 {
        return false;
    }
    while pos < text.len() {
        match text[pos] {
            '.' => {
                let n = words(pos + 1);
                if n == 0 {
                    return false;
                }
                pos += 1 + n;
            }
            '[' => {
                let n = text[pos + 1..].iter().take_while(|&&c| c != ']').count();
                if n == 0 || pos + 1 + n >= text.len() {
                    return false;
                }
                pos += n + 2;
            }
            _ => return false,
        }
    }
    true
}

/// `(.?[<>=^])?[+ -]?#?0?(\d+|{\w+})?[,_]?(\.(\d+|{\w+}))?[bcdefgnosx%]?` (case-insensitive), the
/// whole text.
fn spec_matches(text: &[char]) -> bool {
    let is_align = |c: &char| matches!(c, '<' | '>' | '=' | '^');
    // The optional fill-and-align group: none, an alignment alone, or any character but a newline
    // before one; the rest is matched greedily, which cannot lose a match.
    let mut starts = vec![0];
    if text.first().is_some_and(is_align) {
        starts.push(1);
    }
    if text.len() >= 2 && text[0] != '\n' && is_align(&text[1]) {
        starts.push(2);
    }
    starts
        .into_iter()
        .any(|start| spec_rest_matches(&text[start..]))
}

fn spec_rest_matches(text: &[char]) -> bool {
    let mut pos = 0;
    let at = |i: usize| text.get(i).copied();
    if matches!(at(pos), Some('+' | ' ' | '-')) {
        pos += 1;
    }
    if at(pos) == Some('#') {
        pos += 1;
    }
    if at(pos) == Some('0') {
        pos += 1;
    }
    pos += number_or_field(&text[pos..]);
    if matches!(at(pos), Some(',' | '_')) {
        pos += 1;
    }
    if at(pos) == Some('.') {
        let n = number_or_field(&text[pos + 1..]);
        if n > 0 {
            pos += 1 + n;
        }
    }
    if let Some(c) = at(pos)
        && "bcdefgnosx%BCDEFGNOSX\u{17f}".contains(c)
    {
        pos += 1;
    }
    pos == text.len()
}

/// The length of a leading `\d+` or `{\w+}`, or 0.
fn number_or_field(text: &[char]) -> usize {
    let digits = text.iter().take_while(|&&c| is_decimal_digit(c)).count();
    if digits > 0 {
        return digits;
    }
    if text.first() == Some(&'{') {
        let words = text[1..].iter().take_while(|&&c| is_word_char(c)).count();
        if words > 0 && text.get(1 + words) == Some(&'}') {
            return words + 2;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages() {
        assert_eq!(validate("{message}"), Ok(()));
        assert_eq!(validate("hello").unwrap_err(), "invalid format: no fields");
        assert_eq!(
            validate("{a-b}").unwrap_err(),
            "invalid format: invalid field name/expression: 'a-b'"
        );
        assert_eq!(
            validate("{message!x}").unwrap_err(),
            "invalid format: invalid conversion: 'x'"
        );
        assert_eq!(
            validate("{message:zz}").unwrap_err(),
            "invalid format: bad specifier: 'zz'"
        );
        assert_eq!(
            validate("{message} }").unwrap_err(),
            "invalid format: Single '}' encountered in format string"
        );
        assert_eq!(validate("{message:>{width}}"), Ok(()));
        assert_eq!(validate("{name[0].x}"), Ok(()));
    }

    #[test]
    fn broken_formats_stop_where_cpython_raises() {
        let compiled = compile("{message} {");
        assert_eq!(compiled.pieces.len(), 1);
        assert_eq!(
            compiled.stop.map(|e| e.message),
            Some("Single '{' encountered in format string".to_owned())
        );
        let compiled = compile("{{x}} {a!rx}");
        assert!(matches!(&compiled.pieces[..], [Piece::Literal(t)] if &**t == "{x}"));
    }
}
