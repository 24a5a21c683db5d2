//! YAML documents read as PyYAML's `yaml.safe_load` reads them.
//!
//! A Python team's `logging.yaml` is loaded with `yaml.safe_load`, which is YAML 1.1: `yes`, `on`
//! and `Off` are booleans, `0777` is octal, `1:30` is 90, `1e3` is a string (PyYAML's float needs a
//! dot) and `<<` merges maps. saphyr-parser turns the text into YAML events (it is a YAML 1.2
//! parser, but the event stream does not depend on the schema); this module resolves them with
//! PyYAML's rules, in PyYAML's two steps:
//!
//! 1. *Compose*: events become a node graph in which an alias shares its anchored node (so an alias
//!    bomb costs nothing yet), checked as PyYAML's composer checks it (one document, no repeated
//!    anchor, anchors of `[0-9A-Za-z_-]`). Each scalar gets its tag here: an explicit one, or the
//!    one SafeLoader's implicit resolvers give a plain scalar.
//! 2. *Construct*: nodes become a [`ConfigValue`] tree, merges are flattened as SafeConstructor's
//!    `flatten_mapping` does, and aliases are copied, at most [`MAX_NODES`] values in all, and at
//!    most [`MAX_ALIAS_BYTES`] of text beyond the document's own length (one long string
//!    aliased a few thousand times is few values but gigabytes).
//!
//! Where the value tree cannot hold what PyYAML builds:
//! - Map keys are strings: a key that PyYAML makes an `int`, `bool`, `float` or `None` becomes its
//!   Python `str()` (`1` → `"1"`, `on` → `"True"`, `~` → `"None"`), which is what a dictConfig
//!   reader meets when it formats the name (`logging.getLogger` rejects non-string names, so no
//!   working configuration depends on the difference). A key that is a list or map is an error, as
//!   in PyYAML (`found unhashable key`).
//! - Timestamps (`2024-01-02`, PyYAML's `datetime.date`) stay the text they were written as.
//! - Integers are 64-bit: a larger one is an error, where Python has no limit.
//! - `!!binary`, `!!set`, `!!omap` and `!!pairs` (bytes, sets and tuples) are errors; so is an alias
//!   inside the node it names (PyYAML builds a recursive list), and nesting deeper than
//!   [`MAX_DEPTH`] (PyYAML's recursive composer gives up near 450 levels).
//! - Keys `1` and `'1'` are one key here (the later value wins); `1` and `true`, one key in
//!   Python (`1 == True`), are two here (`"1"`, `"True"`).
//!
//! PyYAML's reader and scanner rules that saphyr-parser lacks are checked here: control
//! characters, `%YAML` of another major version, a tab inside a plain scalar, NEL as a line
//! break, anchor names. Where the two syntaxes still differ (each a case in
//! `testdata/yaml_cases.py`), saphyr-parser reads what PyYAML refuses (a tab between tokens or
//! before a continuation line, an empty block key `: x`, U+2028 and U+2029 as text rather than
//! line breaks) and refuses what PyYAML reads only for a quoted scalar continued at column 0
//! inside a block mapping, and flow collections nested deeper than 255 levels.

use std::collections::HashMap;
use std::rc::Rc;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Tag};

use super::{ConfigError, ConfigValue};

/// The most values an alias-expanded document may become (a "billion laughs" document is rejected
/// after this many).
pub(crate) const MAX_NODES: usize = 1_000_000;

/// How much more text than the document holds its aliases may produce (16 MiB, as the INI
/// reader's interpolation limit and the `cfg://` budget).
pub(crate) const MAX_ALIAS_BYTES: usize = 16 << 20;

/// The deepest nesting of lists and maps, in the text or through aliases.
pub(crate) const MAX_DEPTH: usize = 512;

const STR: &str = "tag:yaml.org,2002:str";
const INT: &str = "tag:yaml.org,2002:int";
const FLOAT: &str = "tag:yaml.org,2002:float";
const BOOL: &str = "tag:yaml.org,2002:bool";
const NULL: &str = "tag:yaml.org,2002:null";
const TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
const MERGE: &str = "tag:yaml.org,2002:merge";
const VALUE: &str = "tag:yaml.org,2002:value";
const SEQ: &str = "tag:yaml.org,2002:seq";
const MAP: &str = "tag:yaml.org,2002:map";

/// Parses a YAML document as PyYAML's `yaml.safe_load` would; `source` names the file in errors.
///
/// An empty document (or one of only comments) is [`ConfigValue::Null`], as `safe_load` returns
/// `None`. Errors carry the 1-based line and column of the offending text.
pub(crate) fn parse_yaml(text: &str, source: &str) -> Result<ConfigValue, ConfigError> {
    check_printable(text, source)?;
    check_version(text, source)?;
    // YAML 1.1 makes NEL (U+0085) a line break, read as `\n` everywhere; YAML 1.2 does not.
    let text = if text.contains('\u{85}') {
        std::borrow::Cow::Owned(text.replace('\u{85}', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    match compose(&text, source)? {
        None => Ok(ConfigValue::Null),
        Some(root) => Constructor {
            source,
            nodes: 0,
            bytes: 0,
        }
        .construct(&root, 0),
    }
}

/// A composed node: what PyYAML's composer builds before any Python object exists.
#[derive(Debug)]
struct Node {
    /// The resolved tag: explicit, or found by the implicit resolvers.
    tag: String,
    kind: Kind,
    /// Where the node (its first property, if any) starts.
    mark: Marker,
}

#[derive(Debug)]
enum Kind {
    Scalar(String),
    Seq(Vec<Rc<Node>>),
    Map(Vec<(Rc<Node>, Rc<Node>)>),
}

impl Kind {
    /// PyYAML's `node.id`, for error messages.
    fn id(&self) -> &'static str {
        match self {
            Kind::Scalar(_) => "scalar",
            Kind::Seq(_) => "sequence",
            Kind::Map(_) => "mapping",
        }
    }
}

fn error_at(source: &str, mark: Marker, message: impl std::fmt::Display) -> ConfigError {
    ConfigError::syntax(source, mark.line(), mark.col() + 1, message)
}

fn scan_error(source: &str, error: &ScanError) -> ConfigError {
    error_at(source, *error.marker(), error.info())
}

/// PyYAML's reader refuses control characters (other than tab, newline and carriage return),
/// DEL, the C1 controls other than NEL, and U+FFFE/U+FFFF, anywhere in the text.
fn check_printable(text: &str, source: &str) -> Result<(), ConfigError> {
    let printable = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}')
            || ('\u{E000}'..='\u{FFFD}').contains(&c)
            || c >= '\u{10000}'
    };
    let Some((offset, bad)) = text.char_indices().find(|&(_, c)| !printable(c)) else {
        return Ok(());
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    Err(ConfigError::syntax(
        source,
        line,
        column,
        format_args!(
            "unacceptable character #x{:04x}: special characters are not allowed",
            u32::from(bad)
        ),
    ))
}

/// PyYAML refuses a `%YAML` directive of another major version (saphyr-parser reads any).
fn check_version(text: &str, source: &str) -> Result<(), ConfigError> {
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if let Some(version) = line.strip_prefix("%YAML") {
            let major = version.trim_start().split('.').next().unwrap_or("");
            if major != "1" && version.starts_with([' ', '\t']) {
                return Err(ConfigError::syntax(
                    source,
                    index + 1,
                    1,
                    "found incompatible YAML document (version 1.* is required)",
                ));
            }
        } else if !(line.is_empty() || line.starts_with('%') || line.starts_with('#')) {
            // Directives come before the document.
            break;
        }
    }
    Ok(())
}

/// A list or map whose events are still arriving.
struct Frame {
    anchor: usize,
    tag: String,
    mark: Marker,
    is_map: bool,
    children: Vec<Rc<Node>>,
}

/// Events into one document's node graph (or `None` for an empty stream), with PyYAML's composer
/// checks.
fn compose(text: &str, source: &str) -> Result<Option<Rc<Node>>, ConfigError> {
    let mut parser = Parser::new_from_str(text);
    let mut names = AnchorNames::new(text, source);
    // `None` while the anchored node is still being composed.
    let mut anchors: HashMap<usize, Option<Rc<Node>>> = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    let mut first_document: Option<Marker> = None;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| scan_error(source, &e))?;
        let is_map = matches!(event, Event::MappingStart(..));
        let node = match event {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                if let Some(first) = first_document {
                    return Err(error_at(
                        source,
                        span.start,
                        format_args!(
                            "expected a single document in the stream (it starts at line {}, \
                             column {}), but found another document",
                            first.line(),
                            first.col() + 1
                        ),
                    ));
                }
                first_document = Some(span.start);
                continue;
            }
            Event::Alias(id) => {
                let name = names.alias(span.start)?;
                match anchors.get(&id) {
                    Some(Some(node)) => Rc::clone(node),
                    _ => {
                        let name = name.map_or_else(String::new, |n| format!(" '{n}'"));
                        return Err(error_at(
                            source,
                            span.start,
                            format_args!(
                                "the alias{name} is inside the node it refers to; a recursive \
                                 value cannot be a configuration value"
                            ),
                        ));
                    }
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                if style == ScalarStyle::Plain && value.contains('\t') {
                    // PyYAML ends a plain scalar at a tab, then finds no token that starts with one.
                    return Err(error_at(
                        source,
                        span.start,
                        "found character '\\t' that cannot start any token (PyYAML ends a plain \
                         scalar at a tab)",
                    ));
                }
                let tag = scalar_tag(&value, style, tag.as_deref());
                let node = Rc::new(Node {
                    tag,
                    kind: Kind::Scalar(value.into_owned()),
                    mark: span.start,
                });
                if anchor != 0 {
                    names.anchor(span.start)?;
                    anchors.insert(anchor, Some(Rc::clone(&node)));
                }
                node
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(error_at(
                        source,
                        span.start,
                        format_args!("lists and maps are nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                if anchor != 0 {
                    names.anchor(span.start)?;
                    anchors.insert(anchor, None);
                }
                let tag = match tag.as_deref().map(full_tag) {
                    Some(tag) if tag != "!" => tag,
                    _ => (if is_map { MAP } else { SEQ }).to_owned(),
                };
                stack.push(Frame {
                    anchor,
                    tag,
                    mark: span.start,
                    is_map,
                    children: Vec::new(),
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else { continue };
                let kind = if frame.is_map {
                    let mut children = frame.children.into_iter();
                    let mut pairs = Vec::new();
                    while let Some(key) = children.next() {
                        let value = children.next().unwrap_or_else(|| {
                            Rc::new(Node {
                                tag: NULL.to_owned(),
                                kind: Kind::Scalar(String::new()),
                                mark: key.mark,
                            })
                        });
                        pairs.push((key, value));
                    }
                    Kind::Map(pairs)
                } else {
                    Kind::Seq(frame.children)
                };
                let node = Rc::new(Node {
                    tag: frame.tag,
                    kind,
                    mark: frame.mark,
                });
                if frame.anchor != 0 {
                    anchors.insert(frame.anchor, Some(Rc::clone(&node)));
                }
                node
            }
        };
        match stack.last_mut() {
            Some(frame) => frame.children.push(node),
            None => root = Some(node),
        }
    }
    Ok(root)
}

/// A tag as PyYAML spells it: `!!int` is `tag:yaml.org,2002:int`, `!foo` is `!foo`, and the
/// non-specific `!` is `!`.
fn full_tag(tag: &Tag) -> String {
    format!("{}{}", tag.handle, tag.suffix)
}

/// The tag PyYAML's composer gives a scalar: its explicit tag, or, for a plain scalar or one
/// tagged `!` (PyYAML resolves `! 12` to an int, where YAML 1.2 would make it a string), the one
/// SafeLoader's implicit resolvers find; `str` for any other quoted or block scalar.
fn scalar_tag(value: &str, style: ScalarStyle, tag: Option<&Tag>) -> String {
    let explicit = tag.map(full_tag);
    match explicit {
        Some(tag) if tag != "!" => tag,
        Some(_) => resolve_implicit(value).to_owned(),
        None if style == ScalarStyle::Plain => resolve_implicit(value).to_owned(),
        None => STR.to_owned(),
    }
}

/// SafeLoader's implicit resolvers (`yaml/resolver.py`). PyYAML picks the candidate resolvers by the
/// scalar's first character and matches each regex with `re.match(...$)`, whose `$` also matches
/// before one final newline.
fn resolve_implicit(value: &str) -> &'static str {
    let Some(first) = value.chars().next() else {
        return NULL;
    };
    let body = value.strip_suffix('\n').unwrap_or(value);
    match first {
        'y' | 'Y' | 'n' | 'N' | 't' | 'T' | 'f' | 'F' | 'o' | 'O' if is_bool(body) => BOOL,
        '-' | '+' | '0'..='9' | '.' if is_float(body.as_bytes()) => FLOAT,
        '-' | '+' | '0'..='9' if is_int(body.as_bytes()) => INT,
        '<' if body == "<<" => MERGE,
        '~' | 'n' | 'N' if matches!(body, "~" | "null" | "Null" | "NULL") => NULL,
        '0'..='9' if is_timestamp(body.as_bytes()) => TIMESTAMP,
        '=' if body == "=" => VALUE,
        _ => STR,
    }
}

fn is_bool(s: &str) -> bool {
    matches!(
        s,
        "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn strip_sign(s: &[u8]) -> &[u8] {
    match s {
        [b'-' | b'+', rest @ ..] => rest,
        _ => s,
    }
}

/// The length of the run of bytes at the start of `s` that satisfy `pred`.
fn run(s: &[u8], pred: impl Fn(u8) -> bool) -> usize {
    s.iter().take_while(|&&b| pred(b)).count()
}

fn digit_or_underscore(b: u8) -> bool {
    b.is_ascii_digit() || b == b'_'
}

/// `(?::[0-5]?[0-9])+` followed by a byte in `next` (or the end when `next` has `None`): the length
/// of the groups, or `None`.
fn sexagesimal_groups(s: &[u8], next: &[Option<u8>]) -> Option<usize> {
    let ends = |i: usize| next.contains(&s.get(i).copied());
    let mut i = 0;
    let mut groups = 0;
    while s.get(i) == Some(&b':') {
        let start = i + 1;
        let two = matches!(s.get(start), Some(b'0'..=b'5'))
            && s.get(start + 1).is_some_and(u8::is_ascii_digit);
        let one = s.get(start).is_some_and(u8::is_ascii_digit);
        if two && (ends(start + 2) || s.get(start + 2) == Some(&b':')) {
            i = start + 2;
        } else if one && (ends(start + 1) || s.get(start + 1) == Some(&b':')) {
            i = start + 1;
        } else {
            return None;
        }
        groups += 1;
    }
    (groups > 0 && ends(i)).then_some(i)
}

/// PyYAML's int regex:
/// `[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ |
/// [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+`
fn is_int(s: &[u8]) -> bool {
    let body = strip_sign(s);
    let all = |s: &[u8], pred: fn(u8) -> bool| !s.is_empty() && s.iter().all(|&b| pred(b));
    if let Some(rest) = body.strip_prefix(b"0b")
        && all(rest, |b| matches!(b, b'0' | b'1' | b'_'))
    {
        return true;
    }
    if let Some(rest) = body.strip_prefix(b"0x")
        && all(rest, |b| b.is_ascii_hexdigit() || b == b'_')
    {
        return true;
    }
    match body {
        [b'0'] => true,
        [b'0', rest @ ..] => all(rest, |b| matches!(b, b'0'..=b'7' | b'_')),
        [b'1'..=b'9', rest @ ..] => {
            let digits = run(rest, digit_or_underscore);
            digits == rest.len() || sexagesimal_groups(&rest[digits..], &[None]).is_some()
        }
        _ => false,
    }
}

/// `(?:[eE][-+][0-9]+)?` then the end.
fn exponent_then_end(s: &[u8]) -> bool {
    match s {
        [] => true,
        [b'e' | b'E', b'-' | b'+', digits @ ..] => {
            !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// PyYAML's float regex:
/// `[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)? | \.[0-9][0-9_]*(?:[eE][-+][0-9]+)? |
/// [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)`
fn is_float(s: &[u8]) -> bool {
    if matches!(s, b".nan" | b".NaN" | b".NAN") {
        return true;
    }
    // `\.[0-9][0-9_]*` has no sign: `+.5` is a string.
    if let [b'.', b'0'..=b'9', rest @ ..] = s {
        let digits = run(rest, digit_or_underscore);
        return exponent_then_end(&rest[digits..]);
    }
    let body = strip_sign(s);
    if matches!(body, b".inf" | b".Inf" | b".INF") {
        return true;
    }
    let [b'0'..=b'9', rest @ ..] = body else {
        return false;
    };
    let rest = &rest[run(rest, digit_or_underscore)..];
    let after_groups = match rest.first() {
        Some(b'.') => rest,
        Some(b':') => match sexagesimal_groups(rest, &[Some(b'.')]) {
            // The sexagesimal form takes no exponent.
            Some(len) => return run(&rest[len + 1..], digit_or_underscore) == rest.len() - len - 1,
            None => return false,
        },
        _ => return false,
    };
    let fraction = &after_groups[1..];
    exponent_then_end(&fraction[run(fraction, digit_or_underscore)..])
}

/// PyYAML's timestamp regex: `YYYY-MM-DD`, or `YYYY-M-D` then `T`, `t` or blanks, `H:MM:SS`, an
/// optional fraction, and an optional zone (`Z`, `+H`, `-HH:MM`) after optional blanks.
fn is_timestamp(s: &[u8]) -> bool {
    let digits = |s: &[u8], at: usize, min: usize, max: usize| {
        let n = run(&s[at.min(s.len())..], |b| b.is_ascii_digit());
        (n >= min).then_some(at + n.min(max))
    };
    let blanks = |s: &[u8], at: usize| at + run(&s[at.min(s.len())..], |b| b == b' ' || b == b'\t');
    if s.len() == 10
        && s[4] == b'-'
        && s[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| s[i].is_ascii_digit())
    {
        return true;
    }
    let step = |at: Option<usize>, byte: u8| at.filter(|&i| s.get(i) == Some(&byte)).map(|i| i + 1);
    let date = (|| {
        let i = step(digits(s, 0, 4, 4), b'-')?;
        let i = step(digits(s, i, 1, 2), b'-')?;
        digits(s, i, 1, 2)
    })();
    let Some(mut i) = date else { return false };
    match s.get(i) {
        Some(b'T' | b't') => i += 1,
        Some(b' ' | b'\t') => i = blanks(s, i),
        _ => return false,
    }
    let time = (|| {
        let i = step(digits(s, i, 1, 2), b':')?;
        let i = step(digits(s, i, 2, 2), b':')?;
        digits(s, i, 2, 2)
    })();
    let Some(mut i) = time else { return false };
    if s.get(i) == Some(&b'.') {
        i += 1 + run(&s[i + 1..], |b| b.is_ascii_digit());
    }
    if i == s.len() {
        return true;
    }
    let i = blanks(s, i);
    match s.get(i) {
        Some(b'Z') => i + 1 == s.len(),
        Some(b'-' | b'+') => {
            let Some(i) = digits(s, i + 1, 1, 2) else {
                return false;
            };
            if i == s.len() {
                return true;
            }
            step(Some(i), b':').and_then(|i| digits(s, i, 2, 2)) == Some(s.len())
        }
        _ => false,
    }
}

/// Anchor and alias names, read from the text at an event's start (the parser gives only ids),
/// for the checks PyYAML makes and saphyr-parser does not: PyYAML's scanner takes only
/// `[0-9A-Za-z_-]` in a name, and its composer refuses a name anchored twice.
struct AnchorNames<'a> {
    text: &'a str,
    source: &'a str,
    /// A character index and its byte offset, moving forward with the events.
    cursor: (usize, usize),
    seen: HashMap<String, Marker>,
}

impl<'a> AnchorNames<'a> {
    fn new(text: &'a str, source: &'a str) -> Self {
        AnchorNames {
            text,
            source,
            cursor: (0, 0),
            seen: HashMap::new(),
        }
    }

    /// The text from the character at `index` (saphyr-parser's marks count characters).
    fn rest_at(&mut self, index: usize) -> &'a str {
        if index < self.cursor.0 {
            self.cursor = (0, 0);
        }
        let (mut chars, mut bytes) = self.cursor;
        let mut iter = self.text[bytes..].chars();
        while chars < index {
            match iter.next() {
                Some(c) => bytes += c.len_utf8(),
                None => break,
            }
            chars += 1;
        }
        self.cursor = (chars, bytes);
        &self.text[bytes..]
    }

    /// The name after `sigil` at the start of `rest`, as saphyr-parser scans it.
    fn name_after(rest: &str, sigil: char) -> Option<&str> {
        let rest = rest.strip_prefix(sigil)?;
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
            .unwrap_or(rest.len());
        Some(&rest[..end])
    }

    /// The anchor among the properties (a tag, an anchor, in either order) at `mark`.
    fn anchor_text(&mut self, mark: Marker) -> Option<(&'a str, Marker)> {
        let mut rest = self.rest_at(mark.index());
        let mut offset = 0;
        for _ in 0..2 {
            if let Some(name) = Self::name_after(rest, '&') {
                return Some((
                    name,
                    Marker::new(mark.index() + offset, mark.line(), mark.col() + offset),
                ));
            }
            // Skip a tag and the blanks after it; a tag and an anchor on different lines are not
            // worth following.
            let tag_len = if rest.starts_with("!<") {
                rest.find('>')? + 1
            } else if rest.starts_with('!') {
                rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len())
            } else {
                return None;
            };
            let after = &rest[tag_len..];
            let blanks = after.len() - after.trim_start_matches([' ', '\t']).len();
            offset += rest[..tag_len + blanks].chars().count();
            rest = &rest[tag_len + blanks..];
        }
        None
    }

    fn check_chars(&self, name: &str, mark: Marker, what: &str) -> Result<(), ConfigError> {
        let Some((i, bad)) = name
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
        else {
            return Ok(());
        };
        let at = Marker::new(mark.index() + 1 + i, mark.line(), mark.col() + 1 + i);
        Err(error_at(
            self.source,
            at,
            format_args!(
                "while scanning an {what}, expected alphabetic or numeric character, but found {bad:?}"
            ),
        ))
    }

    fn anchor(&mut self, mark: Marker) -> Result<(), ConfigError> {
        let Some((name, at)) = self.anchor_text(mark) else {
            return Ok(());
        };
        self.check_chars(name, at, "anchor")?;
        if let Some(first) = self.seen.insert(name.to_owned(), at) {
            return Err(error_at(
                self.source,
                at,
                format_args!(
                    "found duplicate anchor '{name}'; first occurrence at line {}, column {}",
                    first.line(),
                    first.col() + 1
                ),
            ));
        }
        Ok(())
    }

    fn alias(&mut self, mark: Marker) -> Result<Option<&'a str>, ConfigError> {
        let rest = self.rest_at(mark.index());
        let Some(name) = Self::name_after(rest, '*') else {
            return Ok(None);
        };
        self.check_chars(name, mark, "alias")?;
        Ok(Some(name))
    }
}

/// Nodes into values, as SafeConstructor builds Python objects from them.
struct Constructor<'a> {
    source: &'a str,
    /// Values built so far, aliases counted each time they are copied.
    nodes: usize,
    /// Bytes of scalar text built so far, aliases counted each time they are copied.
    bytes: usize,
}

impl Constructor<'_> {
    fn error(&self, node: &Node, message: impl std::fmt::Display) -> ConfigError {
        error_at(self.source, node.mark, message)
    }

    fn no_constructor(&self, node: &Node) -> ConfigError {
        self.error(
            node,
            format_args!(
                "could not determine a constructor for the tag '{}'",
                node.tag
            ),
        )
    }

    /// PyYAML builds bytes, sets and tuples for these; a configuration value has none of them.
    fn unsupported(&self, node: &Node) -> Option<ConfigError> {
        let python = match node.tag.as_str() {
            "tag:yaml.org,2002:binary" => "bytes",
            "tag:yaml.org,2002:set" => "a set",
            "tag:yaml.org,2002:omap" | "tag:yaml.org,2002:pairs" => "a list of tuples",
            _ => return None,
        };
        Some(self.error(
            node,
            format_args!(
                "the tag '{}' (PyYAML makes {python} of it) has no configuration value",
                node.tag
            ),
        ))
    }

    fn construct(&mut self, node: &Node, depth: usize) -> Result<ConfigValue, ConfigError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.error(
                node,
                format_args!(
                    "the document expands to more than {MAX_NODES} values through its aliases"
                ),
            ));
        }
        if let Kind::Scalar(text) = &node.kind {
            self.bytes = self.bytes.saturating_add(text.len());
            if self.bytes > self.source.len().saturating_add(MAX_ALIAS_BYTES) {
                return Err(self.error(
                    node,
                    format_args!(
                        "the document expands to more than {} MiB of text beyond its own \
                         length through its aliases",
                        MAX_ALIAS_BYTES >> 20
                    ),
                ));
            }
        }
        if depth > MAX_DEPTH {
            return Err(self.error(
                node,
                format_args!(
                    "lists and maps are nested deeper than {MAX_DEPTH} levels through aliases"
                ),
            ));
        }
        if let Some(error) = self.unsupported(node) {
            return Err(error);
        }
        let tag = node.tag.as_str();
        let expected = match (&node.kind, tag) {
            (Kind::Scalar(value), _) if tag != SEQ && tag != MAP => {
                return self.construct_scalar(node, value);
            }
            (Kind::Seq(items), SEQ) => {
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    list.push(self.construct(item, depth + 1)?);
                }
                return Ok(ConfigValue::List(list));
            }
            (Kind::Map(_), MAP) => {
                let entries = self.map_entries(node, depth)?;
                return Ok(ConfigValue::Map(entries.list.into_iter().collect()));
            }
            (_, SEQ) => "a sequence",
            (_, MAP) => "a mapping",
            (_, STR | INT | FLOAT | BOOL | NULL | TIMESTAMP) => "a scalar",
            _ => return Err(self.no_constructor(node)),
        };
        Err(self.error(
            node,
            format_args!("expected {expected} node, but found {}", node.kind.id()),
        ))
    }

    fn construct_scalar(&self, node: &Node, value: &str) -> Result<ConfigValue, ConfigError> {
        let invalid = |python: &str| {
            self.error(
                node,
                format_args!("invalid value for the tag '{}': {python}", node.tag),
            )
        };
        Ok(match node.tag.as_str() {
            STR => ConfigValue::Str(value.to_owned()),
            // PyYAML makes a datetime.date or datetime.datetime.
            TIMESTAMP => ConfigValue::Str(value.to_owned()),
            NULL => ConfigValue::Null,
            BOOL => match value.to_lowercase().as_str() {
                "yes" | "true" | "on" => ConfigValue::Bool(true),
                "no" | "false" | "off" => ConfigValue::Bool(false),
                _ => return Err(invalid(&format!("KeyError: {value:?}"))),
            },
            INT => match construct_int(value) {
                Ok(i) => ConfigValue::Int(i),
                Err(IntError::Invalid) => {
                    return Err(invalid(&format!("not an integer: {value:?}")));
                }
                Err(IntError::TooLarge) => {
                    return Err(self.error(
                        node,
                        format_args!(
                            "integer {value:?} is out of range: configuration integers are 64-bit \
                             ({} to {})",
                            i64::MIN,
                            i64::MAX
                        ),
                    ));
                }
            },
            FLOAT => match construct_float(value) {
                Some(x) => ConfigValue::Float(x),
                None => return Err(invalid(&format!("not a float: {value:?}"))),
            },
            _ => return Err(self.no_constructor(node)),
        })
    }

    /// A mapping's entries after SafeConstructor's `flatten_mapping`: the maps merged by `<<` keys
    /// come first (of a list of maps, the earlier ones win), then the map's own keys, and a later
    /// entry overwrites an earlier one in its place. The merged maps' own tags are not looked at, as
    /// in PyYAML.
    fn map_entries(&mut self, node: &Node, depth: usize) -> Result<Entries, ConfigError> {
        let Kind::Map(pairs) = &node.kind else {
            unreachable!("map_entries is called on mappings");
        };
        let mut merged: Vec<Entries> = Vec::new();
        let mut own: Vec<(&Rc<Node>, &Rc<Node>)> = Vec::new();
        for (key, value) in pairs {
            if !(matches!(key.kind, Kind::Scalar(_)) && key.tag == MERGE) {
                own.push((key, value));
                continue;
            }
            self.nodes += 1;
            match &value.kind {
                Kind::Map(_) => merged.push(self.map_entries(value, depth + 1)?),
                Kind::Seq(items) => {
                    let mut maps = Vec::with_capacity(items.len());
                    for item in items {
                        if !matches!(item.kind, Kind::Map(_)) {
                            return Err(self.error(
                                item,
                                format_args!(
                                    "while constructing a mapping, expected a mapping for \
                                     merging, but found {}",
                                    item.kind.id()
                                ),
                            ));
                        }
                        self.nodes += 1;
                        maps.push(self.map_entries(item, depth + 2)?);
                    }
                    merged.extend(maps.into_iter().rev());
                }
                Kind::Scalar(_) => {
                    return Err(self.error(
                        value,
                        "while constructing a mapping, expected a mapping or list of mappings \
                         for merging, but found scalar",
                    ));
                }
            }
        }
        // Repeated keys are folded here, by hash, so that merging one map many times costs no
        // more than copying it (ConfigMap::insert looks keys up one by one); the map is then made
        // from distinct keys.
        let mut entries = Entries::default();
        for (key, value) in merged.into_iter().flat_map(|m| m.list) {
            entries.insert(key, value);
        }
        for (key_node, value_node) in own {
            let key = self.key(key_node, depth)?;
            let value = self.construct(value_node, depth + 1)?;
            entries.insert(key, value);
        }
        Ok(entries)
    }

    /// A map key as a string: Python's `str()` of what PyYAML builds for it.
    fn key(&mut self, node: &Node, depth: usize) -> Result<String, ConfigError> {
        if let (Kind::Scalar(value), VALUE) = (&node.kind, node.tag.as_str()) {
            // flatten_mapping makes a `=` key a string.
            self.nodes += 1;
            return Ok(value.clone());
        }
        match self.construct(node, depth + 1)? {
            ConfigValue::Str(s) => Ok(s),
            ConfigValue::Int(i) => Ok(i.to_string()),
            ConfigValue::Bool(b) => Ok((if b { "True" } else { "False" }).to_owned()),
            ConfigValue::Null => Ok("None".to_owned()),
            ConfigValue::Float(x) => Ok(ConfigValue::Float(x).to_string()),
            ConfigValue::List(_) | ConfigValue::Map(_) => {
                Err(self.error(node, "while constructing a mapping, found unhashable key"))
            }
        }
    }
}

/// Map entries in first-seen order, a repeated key taking the new value in its old place (as a
/// Python dict, and ConfigMap, do).
#[derive(Default)]
struct Entries {
    list: Vec<(String, ConfigValue)>,
    index: HashMap<String, usize>,
}

impl Entries {
    fn insert(&mut self, key: String, value: ConfigValue) {
        match self.index.get(&key) {
            Some(&i) => self.list[i].1 = value,
            None => {
                self.index.insert(key.clone(), self.list.len());
                self.list.push((key, value));
            }
        }
    }
}

#[derive(Debug, PartialEq)]
enum IntError {
    Invalid,
    TooLarge,
}

/// SafeConstructor's `construct_yaml_int`: underscores dropped, a sign, then `0`, `0b…`, `0x…`,
/// `0…` (octal), `a:b:c` (base 60) or decimal, each part read by Python's `int()`.
fn construct_int(value: &str) -> Result<i64, IntError> {
    let value = value.replace('_', "");
    // PyYAML indexes value[0]: an empty value is an IndexError there.
    let negative = value.starts_with('-');
    let body = value.strip_prefix(['-', '+']).unwrap_or(&value);
    let magnitude = if body == "0" {
        0
    } else if let Some(digits) = body.strip_prefix("0b") {
        python_int(digits, 2)?
    } else if let Some(digits) = body.strip_prefix("0x") {
        python_int(digits, 16)?
    } else if body.starts_with('0') {
        python_int(body, 8)?
    } else if body.is_empty() {
        return Err(IntError::Invalid);
    } else if body.contains(':') {
        let mut total: i128 = 0;
        // None once 60**n no longer fits; only zero digits may follow then.
        let mut base: Option<i128> = Some(1);
        for part in body.rsplit(':') {
            let digit = python_int(part, 10)?;
            if digit != 0 {
                let term = base
                    .and_then(|b| b.checked_mul(digit))
                    .ok_or(IntError::TooLarge)?;
                total = total.checked_add(term).ok_or(IntError::TooLarge)?;
            }
            base = base.and_then(|b| b.checked_mul(60));
        }
        total
    } else {
        python_int(body, 10)?
    };
    let signed = if negative {
        magnitude.checked_neg().ok_or(IntError::TooLarge)?
    } else {
        magnitude
    };
    i64::try_from(signed).map_err(|_| IntError::TooLarge)
}

/// Python's `int(text, base)` for ASCII text without underscores: surrounding whitespace, a sign,
/// the base's own prefix (`0b`, `0o`, `0x`, any case), then at least one digit.
fn python_int(text: &str, base: u32) -> Result<i128, IntError> {
    let text = text.trim();
    let negative = text.starts_with('-');
    let mut digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let prefix = match base {
        2 => Some('b'),
        8 => Some('o'),
        16 => Some('x'),
        _ => None,
    };
    if let (Some(p), Some(rest)) = (prefix, digits.strip_prefix('0'))
        && let Some(rest) = rest.strip_prefix([p, p.to_ascii_uppercase()])
    {
        digits = rest;
    }
    if digits.is_empty() {
        return Err(IntError::Invalid);
    }
    let mut total: i128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(base).ok_or(IntError::Invalid)?;
        total = total
            .checked_mul(i128::from(base))
            .and_then(|t| t.checked_add(i128::from(d)))
            .ok_or(IntError::TooLarge)?;
    }
    Ok(if negative { -total } else { total })
}

/// SafeConstructor's `construct_yaml_float`: underscores dropped, lower-cased, a sign, then `.inf`,
/// `.nan`, `a:b:c` (base 60) or Python's `float()`.
fn construct_float(value: &str) -> Option<f64> {
    let value = value.replace('_', "").to_lowercase();
    let sign = if value.starts_with('-') { -1.0 } else { 1.0 };
    let body = value.strip_prefix(['-', '+']).unwrap_or(&value);
    if value.is_empty() {
        return None;
    }
    match body {
        ".inf" => Some(sign * f64::INFINITY),
        ".nan" => Some(f64::NAN),
        _ if body.contains(':') => {
            let mut total = 0.0;
            let mut base = 1.0;
            for part in body.rsplit(':') {
                total += python_float(part)? * base;
                base *= 60.0;
            }
            Some(sign * total)
        }
        _ => Some(sign * python_float(body)?),
    }
}

/// Python's `float()` of ASCII text without underscores: Rust's grammar is the same (digits with an
/// optional fraction and exponent, `inf`, `infinity`, `nan`), less the surrounding whitespace.
fn python_float(text: &str) -> Option<f64> {
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests;
