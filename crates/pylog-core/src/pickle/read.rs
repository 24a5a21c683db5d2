//! A pickle reader for data only: `None`, `bool`, `int`, `float`, `str`, `bytes`, `list`, `tuple`
//! and `dict`, from any protocol (0 to 5) that writes them with the opcodes below (Python 2's
//! `str` opcodes, `STRING`, `BINSTRING` and `SHORT_BINSTRING`, are not among them).
//!
//! It never imports, constructs or calls anything. The opcodes that would (`GLOBAL`,
//! `STACK_GLOBAL`, `REDUCE`, `BUILD`, `INST`, `OBJ`, `NEWOBJ`, `NEWOBJ_EX`, the extension
//! registry's `EXT1/2/4`, `PERSID`, `BINPERSID`) are refused with [`PickleError::Forbidden`];
//! every other opcode it does not know is refused too. A record that carried an object of an
//! application's class (`extra={"user": User(..)}`) is refused as a whole, where CPython's
//! receiver would import the class.
//!
//! Everything is bounded ([`Limits`]): the input is read once, front to back; a length read from
//! the input is checked against what is left before anything is allocated; the decoded value may
//! hold at most [`Limits::max_values`] values and nest at most [`Limits::max_depth`] deep (a value
//! referenced twice through the memo counts twice, so shared references cannot multiply a small
//! pickle into a huge value, and a value that contains itself is refused as too deep); the text
//! it holds is bounded by [`Limits::max_bytes`] the same way.
//!
//! ```
//! use pylog_core::pickle::{Limits, PickleValue, read};
//! // pickle.dumps({"msg": "hi", "n": 3}, 1)
//! let data = b"}q\x00(X\x03\x00\x00\x00msgq\x01X\x02\x00\x00\x00hiq\x02X\x01\x00\x00\x00nq\x03K\x03u.";
//! let value = read(data, &Limits::default())?;
//! assert_eq!(value.get("msg"), Some(&PickleValue::Str("hi".into())));
//! assert_eq!(value.get("n"), Some(&PickleValue::Int(3)));
//! // pickle.dumps(os.system) starts with GLOBAL: refused before anything is looked up.
//! let err = read(b"cposix\nsystem\nq\x00.", &Limits::default()).unwrap_err();
//! assert_eq!(err.to_string(), "pickle byte 0: opcode GLOBAL (b'c') would import a Python object; refused");
//! # Ok::<(), pylog_core::pickle::PickleError>(())
//! ```

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use crate::format::repr::write_repr;

/// What a pickle may hold before it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The deepest nesting of lists, tuples and dicts (the record dict itself is depth 1).
    /// Default 32; at most 256 whatever is set, so decoding never exhausts the stack.
    pub max_depth: usize,
    /// The most values the decoded result may hold, counting every string, number and
    /// container. Default 100,000.
    pub max_values: usize,
    /// The most digits of an integer (CPython's own limit for `int` from text is 4,300).
    /// Default 4,300.
    pub max_int_digits: usize,
    /// The most bytes of text and `bytes` the decoded result may hold, counting a string each
    /// time it is referenced. Default 16 MiB.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 32,
            max_values: 100_000,
            max_int_digits: 4300,
            max_bytes: 16 << 20,
        }
    }
}

/// A decoded value.
#[derive(Debug, Clone, PartialEq)]
pub enum PickleValue {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An `int` that fits 128 bits.
    Int(i128),
    /// A larger `int`, as its decimal digits (with a leading `-` when negative).
    BigInt(String),
    /// A `float`.
    Float(f64),
    /// A `str`. Lone surrogates (which Python pickles with `surrogatepass`) become U+FFFD.
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// A `list`.
    List(Vec<PickleValue>),
    /// A `tuple`.
    Tuple(Vec<PickleValue>),
    /// A `dict`, its items in insertion order.
    Dict(Vec<(PickleValue, PickleValue)>),
}

impl PickleValue {
    /// The value under the `str` key `key`, when this is a dict.
    pub fn get(&self, key: &str) -> Option<&PickleValue> {
        match self {
            PickleValue::Dict(items) => items
                .iter()
                .find(|(k, _)| matches!(k, PickleValue::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Python's `str(value)`: a string as itself, anything else as its `repr`.
    pub fn py_str(&self) -> String {
        match self {
            PickleValue::Str(s) => s.clone(),
            other => other.py_repr(),
        }
    }

    /// Python's `repr(value)`.
    pub fn py_repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    fn write_repr(&self, out: &mut String) {
        match self {
            PickleValue::None => out.push_str("None"),
            PickleValue::Bool(true) => out.push_str("True"),
            PickleValue::Bool(false) => out.push_str("False"),
            PickleValue::Int(n) => {
                let _ = write!(out, "{n}");
            }
            PickleValue::BigInt(digits) => out.push_str(digits),
            PickleValue::Float(v) => crate::format::pyvalue::write_float_repr(out, *v),
            PickleValue::Str(s) => write_repr(out, s, false),
            PickleValue::Bytes(b) => write_bytes_repr(out, b),
            PickleValue::List(items) => {
                out.push('[');
                write_seq(out, items);
                out.push(']');
            }
            PickleValue::Tuple(items) => {
                out.push('(');
                write_seq(out, items);
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            PickleValue::Dict(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_repr(out);
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_seq(out: &mut String, items: &[PickleValue]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item.write_repr(out);
    }
}

/// Python's `repr(b)` for `bytes`.
fn write_bytes_repr(out: &mut String, bytes: &[u8]) {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    out.push('b');
    out.push(quote);
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b if char::from(b) == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(char::from(b)),
            b => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote);
}

/// Why a pickle was refused. Its `Display` names the byte offset and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickleError {
    /// Where in the input the refused opcode starts.
    pub offset: usize,
    /// What is wrong.
    pub kind: PickleErrorKind,
}

/// What is wrong with a refused pickle.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PickleErrorKind {
    /// An opcode that imports, constructs or calls a Python object.
    Forbidden {
        /// The opcode's name in `pickletools`.
        name: &'static str,
        /// The opcode byte.
        byte: u8,
    },
    /// An opcode this reader does not decode.
    Unsupported(u8),
    /// The input ends inside an opcode, or before `STOP`.
    Truncated,
    /// Bytes follow the `STOP` opcode.
    TrailingData,
    /// The opcode needs more values on the stack than there are (or a `MARK` that is not there).
    StackUnderflow,
    /// `STOP` left something other than exactly one value.
    BadStack,
    /// A memo index that was never stored.
    MissingMemo(u64),
    /// The opcode needs a container of another type (`APPEND` on a dict, …).
    WrongType(&'static str),
    /// An argument that does not parse (a text integer, a protocol number, …).
    Invalid(&'static str),
    /// Nesting deeper than [`Limits::max_depth`] (a value that contains itself too).
    TooDeep(usize),
    /// More values than [`Limits::max_values`].
    TooManyValues(usize),
    /// More bytes of text than [`Limits::max_bytes`].
    TooManyBytes(usize),
    /// An integer with more digits than [`Limits::max_int_digits`].
    IntTooLarge(usize),
}

impl PickleError {
    /// A short fixed name for the reason (for counters): `forbidden`, `unsupported`, `truncated`,
    /// `trailing-data`, `malformed`, `too-deep`, `too-large`.
    pub fn reason(&self) -> &'static str {
        match self.kind {
            PickleErrorKind::Forbidden { .. } => "forbidden",
            PickleErrorKind::Unsupported(_) => "unsupported",
            PickleErrorKind::Truncated => "truncated",
            PickleErrorKind::TrailingData => "trailing-data",
            PickleErrorKind::TooDeep(_) => "too-deep",
            PickleErrorKind::TooManyValues(_)
            | PickleErrorKind::TooManyBytes(_)
            | PickleErrorKind::IntTooLarge(_) => "too-large",
            PickleErrorKind::StackUnderflow
            | PickleErrorKind::BadStack
            | PickleErrorKind::MissingMemo(_)
            | PickleErrorKind::WrongType(_)
            | PickleErrorKind::Invalid(_) => "malformed",
        }
    }
}

impl fmt::Display for PickleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pickle byte {}: ", self.offset)?;
        match &self.kind {
            PickleErrorKind::Forbidden { name, byte } => write!(
                f,
                "opcode {name} ({}) would import a Python object; refused",
                byte_literal(*byte)
            ),
            PickleErrorKind::Unsupported(byte) => write!(
                f,
                "opcode {} is not one a log record's dict is written with",
                byte_literal(*byte)
            ),
            PickleErrorKind::Truncated => f.write_str("the data ends before the pickle does"),
            PickleErrorKind::TrailingData => f.write_str("data after the STOP opcode"),
            PickleErrorKind::StackUnderflow => f.write_str("unpickling stack underflow"),
            PickleErrorKind::BadStack => f.write_str("STOP must leave exactly one value"),
            PickleErrorKind::MissingMemo(n) => write!(f, "memo key {n} was never stored"),
            PickleErrorKind::WrongType(what) => write!(f, "{what}"),
            PickleErrorKind::Invalid(what) => write!(f, "invalid {what}"),
            PickleErrorKind::TooDeep(limit) => {
                write!(
                    f,
                    "values nested deeper than {limit} (or containing themselves)"
                )
            }
            PickleErrorKind::TooManyValues(limit) => write!(f, "more than {limit} values"),
            PickleErrorKind::TooManyBytes(limit) => write!(f, "more than {limit} bytes of text"),
            PickleErrorKind::IntTooLarge(limit) => {
                write!(f, "an integer of more than {limit} digits")
            }
        }
    }
}

impl std::error::Error for PickleError {}

/// `b'c'` as Python writes a one-byte `bytes`.
fn byte_literal(byte: u8) -> String {
    let mut out = String::new();
    write_bytes_repr(&mut out, &[byte]);
    out
}

/// The name of an opcode that builds objects, for the error.
fn forbidden_name(op: u8) -> Option<&'static str> {
    Some(match op {
        b'c' => "GLOBAL",
        0x93 => "STACK_GLOBAL",
        b'R' => "REDUCE",
        b'b' => "BUILD",
        b'i' => "INST",
        b'o' => "OBJ",
        0x81 => "NEWOBJ",
        0x92 => "NEWOBJ_EX",
        0x82 => "EXT1",
        0x83 => "EXT2",
        0x84 => "EXT4",
        b'P' => "PERSID",
        b'Q' => "BINPERSID",
        _ => return None,
    })
}

type Id = usize;

/// What the decoded value may still hold.
struct Budget {
    values: usize,
    bytes: usize,
}

/// A value under construction; containers refer to other nodes, so the memo can share them
/// as Python does.
enum Node {
    None,
    Bool(bool),
    Int(i128),
    BigInt(String),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Id>),
    Tuple(Vec<Id>),
    Dict(Vec<(Id, Id)>),
}

/// The deepest nesting decoded whatever [`Limits::max_depth`] says: the tree is built
/// recursively, and this keeps it far from the end of any thread's stack.
const MAX_DEPTH: usize = 256;

/// Text arguments (`INT`, `LONG`, `FLOAT`, `PUT`, `GET`) longer than this are refused.
const MAX_LINE: usize = 8192;

struct Machine<'a> {
    data: &'a [u8],
    pos: usize,
    /// Where the current opcode starts.
    op_start: usize,
    limits: &'a Limits,
    nodes: Vec<Node>,
    stack: Vec<Id>,
    marks: Vec<usize>,
    memo: HashMap<u64, Id>,
}

/// Decodes one pickle that must fill `data` exactly (a frame's payload).
pub fn read(data: &[u8], limits: &Limits) -> Result<PickleValue, PickleError> {
    let mut m = Machine {
        data,
        pos: 0,
        op_start: 0,
        limits,
        nodes: Vec::new(),
        stack: Vec::new(),
        marks: Vec::new(),
        memo: HashMap::new(),
    };
    let root = m.run()?;
    if m.pos != data.len() {
        return Err(PickleError {
            offset: m.pos,
            kind: PickleErrorKind::TrailingData,
        });
    }
    let mut budget = Budget {
        values: limits.max_values,
        bytes: limits.max_bytes,
    };
    m.build(root, 1, &mut budget)
}

impl<'a> Machine<'a> {
    fn err(&self, kind: PickleErrorKind) -> PickleError {
        PickleError {
            offset: self.op_start,
            kind,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], PickleError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.data.len())
            .ok_or_else(|| self.err(PickleErrorKind::Truncated))?;
        let data: &'a [u8] = self.data;
        let bytes = &data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn take_array<const N: usize>(&mut self) -> Result<[u8; N], PickleError> {
        let bytes = self.take(N)?;
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, PickleError> {
        Ok(self.take_array::<1>()?[0])
    }

    fn u32_len(&mut self) -> Result<usize, PickleError> {
        let n = u32::from_le_bytes(self.take_array()?);
        usize::try_from(n).map_err(|_| self.err(PickleErrorKind::Truncated))
    }

    fn u64_len(&mut self) -> Result<usize, PickleError> {
        let n = u64::from_le_bytes(self.take_array()?);
        usize::try_from(n).map_err(|_| self.err(PickleErrorKind::Truncated))
    }

    /// The bytes up to the next `\n` (which is consumed), of any length the input holds.
    fn line_bytes(&mut self) -> Result<&'a [u8], PickleError> {
        let data: &'a [u8] = self.data;
        let rest = &data[self.pos..];
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| self.err(PickleErrorKind::Truncated))?;
        self.pos += end + 1;
        Ok(&rest[..end])
    }

    /// A text argument: the bytes up to the next `\n` (which is consumed).
    fn line(&mut self) -> Result<&'a str, PickleError> {
        let data: &'a [u8] = self.data;
        let rest = &data[self.pos..];
        let window = &rest[..rest.len().min(MAX_LINE + 1)];
        let Some(end) = window.iter().position(|&b| b == b'\n') else {
            return Err(self.err(if window.len() > MAX_LINE {
                PickleErrorKind::Invalid("text argument (longer than 8192 bytes)")
            } else {
                PickleErrorKind::Truncated
            }));
        };
        self.pos += end + 1;
        std::str::from_utf8(&rest[..end])
            .map_err(|_| self.err(PickleErrorKind::Invalid("text argument")))
    }

    fn push_node(&mut self, node: Node) -> Result<(), PickleError> {
        // Every node comes from at least one input byte, so the arena is bounded by the input;
        // the value limit bounds it again, with room for shared references.
        if self.nodes.len() >= self.limits.max_values {
            return Err(self.err(PickleErrorKind::TooManyValues(self.limits.max_values)));
        }
        self.nodes.push(node);
        self.stack.push(self.nodes.len() - 1);
        Ok(())
    }

    /// The stack's floor: values under the last `MARK` cannot be popped.
    fn floor(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    fn pop(&mut self) -> Result<Id, PickleError> {
        if self.stack.len() <= self.floor() {
            return Err(self.err(PickleErrorKind::StackUnderflow));
        }
        self.stack
            .pop()
            .ok_or_else(|| self.err(PickleErrorKind::StackUnderflow))
    }

    fn top(&self) -> Result<Id, PickleError> {
        match self.stack.last() {
            Some(&id) if self.stack.len() > self.floor() => Ok(id),
            _ => Err(self.err(PickleErrorKind::StackUnderflow)),
        }
    }

    /// The values since the last `MARK`, which is removed.
    fn pop_mark(&mut self) -> Result<Vec<Id>, PickleError> {
        let mark = self
            .marks
            .pop()
            .ok_or_else(|| self.err(PickleErrorKind::StackUnderflow))?;
        Ok(self.stack.split_off(mark))
    }

    fn int_text(&self, text: &str) -> Result<Node, PickleError> {
        let text = text.trim();
        let digits = text.trim_start_matches(['-', '+']);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(PickleErrorKind::Invalid("integer")));
        }
        if let Ok(n) = text.parse::<i128>() {
            return Ok(Node::Int(n));
        }
        let significant = digits.trim_start_matches('0');
        if significant.len() > self.limits.max_int_digits {
            return Err(self.err(PickleErrorKind::IntTooLarge(self.limits.max_int_digits)));
        }
        let sign = if text.starts_with('-') { "-" } else { "" };
        Ok(Node::BigInt(format!("{sign}{significant}")))
    }

    /// `LONG1`/`LONG4`: little-endian two's complement.
    fn int_bytes(&self, bytes: &[u8]) -> Result<Node, PickleError> {
        if bytes.is_empty() {
            return Ok(Node::Int(0));
        }
        if bytes.len() <= 16 {
            let negative = bytes[bytes.len() - 1] & 0x80 != 0;
            let mut buf = [if negative { 0xff } else { 0 }; 16];
            buf[..bytes.len()].copy_from_slice(bytes);
            return Ok(Node::Int(i128::from_le_bytes(buf)));
        }
        // About 2.41 decimal digits per byte: refuse before converting.
        if bytes.len() * 241 / 100 > self.limits.max_int_digits + 3 {
            return Err(self.err(PickleErrorKind::IntTooLarge(self.limits.max_int_digits)));
        }
        let digits = bytes_to_decimal(bytes);
        if digits.trim_start_matches('-').len() > self.limits.max_int_digits {
            return Err(self.err(PickleErrorKind::IntTooLarge(self.limits.max_int_digits)));
        }
        Ok(Node::BigInt(digits))
    }

    fn memo_put(&mut self, key: u64) -> Result<(), PickleError> {
        let id = self.top()?;
        self.memo.insert(key, id);
        Ok(())
    }

    fn memo_get(&mut self, key: u64) -> Result<(), PickleError> {
        let id = *self
            .memo
            .get(&key)
            .ok_or_else(|| self.err(PickleErrorKind::MissingMemo(key)))?;
        self.stack.push(id);
        Ok(())
    }

    fn list_mut(&mut self, id: Id) -> Result<&mut Vec<Id>, PickleError> {
        let error = self.err(PickleErrorKind::WrongType("APPEND needs a list"));
        match self.nodes.get_mut(id) {
            Some(Node::List(items)) => Ok(items),
            _ => Err(error),
        }
    }

    fn dict_mut(&mut self, id: Id) -> Result<&mut Vec<(Id, Id)>, PickleError> {
        let error = self.err(PickleErrorKind::WrongType("SETITEM needs a dict"));
        match self.nodes.get_mut(id) {
            Some(Node::Dict(items)) => Ok(items),
            _ => Err(error),
        }
    }

    fn tuple(&mut self, items: Vec<Id>) -> Result<(), PickleError> {
        self.push_node(Node::Tuple(items))
    }

    /// Runs opcodes up to `STOP`; returns the one value left.
    fn run(&mut self) -> Result<Id, PickleError> {
        loop {
            self.op_start = self.pos;
            let op = self.u8()?;
            match op {
                b'.' => {
                    if self.stack.len() != 1 || !self.marks.is_empty() {
                        return Err(self.err(PickleErrorKind::BadStack));
                    }
                    return self.pop();
                }
                0x80 => {
                    // PROTO
                    if self.u8()? > 5 {
                        return Err(self.err(PickleErrorKind::Invalid("protocol")));
                    }
                }
                0x95 => {
                    // FRAME: only a hint of the length that follows.
                    self.take(8)?;
                }
                b'(' => self.marks.push(self.stack.len()),
                b'0' => {
                    self.pop()?;
                }
                b'1' => {
                    self.pop_mark()?;
                }
                b'2' => {
                    let id = self.top()?;
                    self.stack.push(id);
                }
                b'N' => self.push_node(Node::None)?,
                0x88 => self.push_node(Node::Bool(true))?,
                0x89 => self.push_node(Node::Bool(false))?,
                b'I' => {
                    let text = self.line()?;
                    let node = match text {
                        "01" => Node::Bool(true),
                        "00" => Node::Bool(false),
                        text => self.int_text(text)?,
                    };
                    self.push_node(node)?;
                }
                b'L' => {
                    let text = self.line()?;
                    let text = text.strip_suffix('L').unwrap_or(text);
                    let node = self.int_text(text)?;
                    self.push_node(node)?;
                }
                b'J' => {
                    let n = i32::from_le_bytes(self.take_array()?);
                    self.push_node(Node::Int(n.into()))?;
                }
                b'K' => {
                    let n = self.u8()?;
                    self.push_node(Node::Int(n.into()))?;
                }
                b'M' => {
                    let n = u16::from_le_bytes(self.take_array()?);
                    self.push_node(Node::Int(n.into()))?;
                }
                0x8a => {
                    let n = usize::from(self.u8()?);
                    let bytes = self.take(n)?;
                    let node = self.int_bytes(bytes)?;
                    self.push_node(node)?;
                }
                0x8b => {
                    let n = self.u32_len()?;
                    let bytes = self.take(n)?;
                    let node = self.int_bytes(bytes)?;
                    self.push_node(node)?;
                }
                b'F' => {
                    let text = self.line()?;
                    let v = text
                        .trim()
                        .parse::<f64>()
                        .map_err(|_| self.err(PickleErrorKind::Invalid("float")))?;
                    self.push_node(Node::Float(v))?;
                }
                b'G' => {
                    let v = f64::from_be_bytes(self.take_array()?);
                    self.push_node(Node::Float(v))?;
                }
                b'V' => {
                    // UNICODE (protocol 0): raw-unicode-escape text up to a newline.
                    let line = self.line_bytes()?;
                    let text = raw_unicode_escape(line).ok_or_else(|| {
                        self.err(PickleErrorKind::Invalid("raw-unicode-escape text"))
                    })?;
                    self.push_node(Node::Str(text))?;
                }
                b'X' => {
                    let n = self.u32_len()?;
                    let bytes = self.take(n)?;
                    self.push_node(text(bytes))?;
                }
                0x8c => {
                    let n = usize::from(self.u8()?);
                    let bytes = self.take(n)?;
                    self.push_node(text(bytes))?;
                }
                0x8d => {
                    let n = self.u64_len()?;
                    let bytes = self.take(n)?;
                    self.push_node(text(bytes))?;
                }
                b'B' => {
                    let n = self.u32_len()?;
                    let bytes = self.take(n)?.to_vec();
                    self.push_node(Node::Bytes(bytes))?;
                }
                b'C' => {
                    let n = usize::from(self.u8()?);
                    let bytes = self.take(n)?.to_vec();
                    self.push_node(Node::Bytes(bytes))?;
                }
                0x8e => {
                    let n = self.u64_len()?;
                    let bytes = self.take(n)?.to_vec();
                    self.push_node(Node::Bytes(bytes))?;
                }
                b'}' => self.push_node(Node::Dict(Vec::new()))?,
                b'd' => {
                    let items = self.pop_mark()?;
                    if items.len() % 2 != 0 {
                        return Err(
                            self.err(PickleErrorKind::WrongType("DICT needs key, value pairs"))
                        );
                    }
                    let pairs = items.chunks_exact(2).map(|p| (p[0], p[1])).collect();
                    self.push_node(Node::Dict(pairs))?;
                }
                b's' => {
                    let value = self.pop()?;
                    let key = self.pop()?;
                    let dict = self.top()?;
                    self.dict_mut(dict)?.push((key, value));
                }
                b'u' => {
                    let items = self.pop_mark()?;
                    if items.len() % 2 != 0 {
                        return Err(self.err(PickleErrorKind::WrongType(
                            "SETITEMS needs key, value pairs",
                        )));
                    }
                    let dict = self.top()?;
                    let target = self.dict_mut(dict)?;
                    target.extend(items.chunks_exact(2).map(|p| (p[0], p[1])));
                }
                b']' => self.push_node(Node::List(Vec::new()))?,
                b'l' => {
                    let items = self.pop_mark()?;
                    self.push_node(Node::List(items))?;
                }
                b'a' => {
                    let value = self.pop()?;
                    let list = self.top()?;
                    self.list_mut(list)?.push(value);
                }
                b'e' => {
                    let items = self.pop_mark()?;
                    let list = self.top()?;
                    self.list_mut(list)?.extend(items);
                }
                b')' => self.tuple(Vec::new())?,
                b't' => {
                    let items = self.pop_mark()?;
                    self.tuple(items)?;
                }
                0x85..=0x87 => {
                    let n = usize::from(op - 0x84);
                    if self.stack.len() < self.floor() + n {
                        return Err(self.err(PickleErrorKind::StackUnderflow));
                    }
                    let items = self.stack.split_off(self.stack.len() - n);
                    self.tuple(items)?;
                }
                b'p' => {
                    let key = self.line()?.trim().parse::<u64>();
                    let key = key.map_err(|_| self.err(PickleErrorKind::Invalid("memo key")))?;
                    self.memo_put(key)?;
                }
                b'q' => {
                    let key = self.u8()?;
                    self.memo_put(key.into())?;
                }
                b'r' => {
                    let key = u32::from_le_bytes(self.take_array()?);
                    self.memo_put(key.into())?;
                }
                0x94 => {
                    // MEMOIZE: the next free index.
                    let key = self.memo.len() as u64;
                    self.memo_put(key)?;
                }
                b'g' => {
                    let key = self.line()?.trim().parse::<u64>();
                    let key = key.map_err(|_| self.err(PickleErrorKind::Invalid("memo key")))?;
                    self.memo_get(key)?;
                }
                b'h' => {
                    let key = self.u8()?;
                    self.memo_get(key.into())?;
                }
                b'j' => {
                    let key = u32::from_le_bytes(self.take_array()?);
                    self.memo_get(key.into())?;
                }
                op => {
                    return Err(self.err(match forbidden_name(op) {
                        Some(name) => PickleErrorKind::Forbidden { name, byte: op },
                        None => PickleErrorKind::Unsupported(op),
                    }));
                }
            }
        }
    }

    /// The tree under node `id`, counting every value and every byte of text against `budget`.
    fn build(&self, id: Id, depth: usize, budget: &mut Budget) -> Result<PickleValue, PickleError> {
        let at = |kind| PickleError { offset: 0, kind };
        if budget.values == 0 {
            return Err(at(PickleErrorKind::TooManyValues(self.limits.max_values)));
        }
        budget.values -= 1;
        let node = self
            .nodes
            .get(id)
            .ok_or_else(|| at(PickleErrorKind::BadStack))?;
        let text_len = match node {
            Node::Str(s) | Node::BigInt(s) => s.len(),
            Node::Bytes(b) => b.len(),
            _ => 0,
        };
        budget.bytes = budget
            .bytes
            .checked_sub(text_len)
            .ok_or_else(|| at(PickleErrorKind::TooManyBytes(self.limits.max_bytes)))?;
        let container = matches!(node, Node::List(_) | Node::Tuple(_) | Node::Dict(_));
        let max_depth = self.limits.max_depth.min(MAX_DEPTH);
        if container && depth > max_depth {
            return Err(at(PickleErrorKind::TooDeep(max_depth)));
        }
        let items = |ids: &[Id], budget: &mut Budget| -> Result<Vec<PickleValue>, PickleError> {
            ids.iter()
                .map(|&i| self.build(i, depth + 1, budget))
                .collect()
        };
        Ok(match node {
            Node::None => PickleValue::None,
            Node::Bool(b) => PickleValue::Bool(*b),
            Node::Int(n) => PickleValue::Int(*n),
            Node::BigInt(s) => PickleValue::BigInt(s.clone()),
            Node::Float(v) => PickleValue::Float(*v),
            Node::Str(s) => PickleValue::Str(s.clone()),
            Node::Bytes(b) => PickleValue::Bytes(b.clone()),
            Node::List(ids) => PickleValue::List(items(ids, budget)?),
            Node::Tuple(ids) => PickleValue::Tuple(items(ids, budget)?),
            Node::Dict(pairs) => {
                let mut out: Vec<(PickleValue, PickleValue)> = Vec::with_capacity(pairs.len());
                // A key set again keeps its first place and takes the new value, as in Python.
                let mut index: HashMap<String, usize> = HashMap::new();
                for &(k, v) in pairs {
                    let key = self.build(k, depth + 1, budget)?;
                    let value = self.build(v, depth + 1, budget)?;
                    let existing = match &key {
                        PickleValue::Str(s) => index.get(s).copied(),
                        other => out.iter().position(|(k, _)| k == other),
                    };
                    match existing {
                        Some(i) => out[i].1 = value,
                        None => {
                            if let PickleValue::Str(s) = &key {
                                index.insert(s.clone(), out.len());
                            }
                            out.push((key, value));
                        }
                    }
                }
                PickleValue::Dict(out)
            }
        })
    }
}

/// Python's `raw_unicode_escape` decoding: each byte is a Latin-1 character, except `\uXXXX`
/// and `\UXXXXXXXX`. `None` for an escape that names no character.
fn raw_unicode_escape(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let width = match (bytes[i], bytes.get(i + 1)) {
            (b'\\', Some(b'u')) => 4,
            (b'\\', Some(b'U')) => 8,
            (b, _) => {
                out.push(char::from(b));
                i += 1;
                continue;
            }
        };
        let hex = bytes.get(i + 2..i + 2 + width)?;
        let code = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
        // Lone surrogates, which Python allows in a str, become U+FFFD.
        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
        i += 2 + width;
    }
    Some(out)
}

/// A `str` from its UTF-8 (lone surrogates, which CPython writes with `surrogatepass`, become
/// U+FFFD).
fn text(bytes: &[u8]) -> Node {
    Node::Str(String::from_utf8_lossy(bytes).into_owned())
}

/// The decimal digits of a little-endian two's complement integer.
fn bytes_to_decimal(bytes: &[u8]) -> String {
    let negative = bytes.last().is_some_and(|b| b & 0x80 != 0);
    // Magnitude as big-endian base-2^32 limbs.
    let mut magnitude: Vec<u8> = bytes.to_vec();
    if negative {
        // Two's complement negation: invert, add one.
        let mut carry = true;
        for b in &mut magnitude {
            let (v, c) = (!*b).overflowing_add(u8::from(carry));
            *b = v;
            carry = c;
        }
    }
    let mut limbs: Vec<u32> = magnitude
        .chunks(4)
        .rev()
        .map(|c| {
            let mut buf = [0u8; 4];
            buf[..c.len()].copy_from_slice(c);
            u32::from_le_bytes(buf)
        })
        .collect();
    let mut groups = Vec::new();
    while limbs.iter().any(|&l| l != 0) {
        let mut rem = 0u64;
        for limb in &mut limbs {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        groups.push(rem as u32);
    }
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    match groups.split_last() {
        None => out.push('0'),
        Some((first, rest)) => {
            let _ = write!(out, "{first}");
            for g in rest.iter().rev() {
                let _ = write!(out, "{g:09}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_default(data: &[u8]) -> Result<PickleValue, PickleError> {
        read(data, &Limits::default())
    }

    #[test]
    fn containers_and_scalars_from_every_protocol() {
        // pickle.dumps({'l': [1, 'a', None], 't': (1.5, True), 'b': b'x', 'big': 2**130}, p)
        // Protocol 1 writes bytes as a call to `_codecs.encode`: refused.
        let p1 = b"}q\x00X\x01\x00\x00\x00bq\x01c_codecs\nencode\nq\x02(X\x01\x00\x00\x00xq\x03X\x06\x00\x00\x00latin1q\x04tq\x05Rq\x06s.";
        let err = read_default(p1).unwrap_err();
        assert_eq!(err.reason(), "forbidden", "{err}");
        let p2 = b"\x80\x02}q\x00(X\x01\x00\x00\x00lq\x01]q\x02(K\x01X\x01\x00\x00\x00aq\x03Ne\
X\x01\x00\x00\x00tq\x04G?\xf8\x00\x00\x00\x00\x00\x00\x88\x86q\x05\
X\x03\x00\x00\x00bigq\x06\x8a\x11\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04u.";
        let v = read_default(p2).unwrap();
        assert_eq!(
            v.py_repr(),
            "{'l': [1, 'a', None], 't': (1.5, True), 'big': 1361129467683753853853498429727072845824}"
        );
        let p4 = b"\x80\x04\x95\x17\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01b\x94C\x02x'\x94\x8c\x01n\x94J\xfe\xff\xff\xffu.";
        assert_eq!(
            read_default(p4).unwrap().py_repr(),
            "{'b': b\"x'\", 'n': -2}"
        );
    }

    #[test]
    fn protocol_0_text_is_raw_unicode_escape() {
        // pickle.dumps({'s': 'a\\b\né☕😀'}, 0)
        let data = b"(dp0\nVs\np1\nVa\\u005cb\\u000a\xe9\\u2615\\U0001f600\np2\ns.";
        assert_eq!(
            read_default(data).unwrap().py_repr(),
            "{'s': 'a\\\\b\\né☕😀'}"
        );
    }

    #[test]
    fn memo_references_share_and_count() {
        // l = [1]; pickle.dumps({'a': l, 'b': l}, 1)
        let data = b"}q\x00(X\x01\x00\x00\x00aq\x01]q\x02K\x01aX\x01\x00\x00\x00bq\x03h\x02u.";
        assert_eq!(
            read_default(data).unwrap().py_repr(),
            "{'a': [1], 'b': [1]}"
        );
        let tight = Limits {
            max_values: 5,
            ..Limits::default()
        };
        assert_eq!(read(data, &tight).unwrap_err().reason(), "too-large");
    }

    #[test]
    fn a_list_containing_itself_is_too_deep() {
        // l = []; l.append(l); pickle.dumps(l, 1)
        let data = b"]q\x00h\x00a.";
        let err = read_default(data).unwrap_err();
        assert_eq!(err.kind, PickleErrorKind::TooDeep(32), "{err}");
    }

    #[test]
    fn shared_references_cannot_multiply_a_small_pickle() {
        // Each level is a list holding the previous one twice: 2^40 values from 40 levels.
        let mut data = b"]q\x00".to_vec();
        for i in 1..=40u32 {
            data.extend_from_slice(b"](h");
            data.push((i - 1) as u8);
            data.extend_from_slice(b"h");
            data.push((i - 1) as u8);
            data.extend_from_slice(b"eq");
            data.push(i as u8);
        }
        data.push(b'.');
        // The stack holds all 41 lists; only the last may remain at STOP.
        let err = read_default(&data).unwrap_err();
        assert_eq!(err.kind, PickleErrorKind::BadStack);
        let mut data = b"]q\x00".to_vec();
        for i in 1..=40u32 {
            data.extend_from_slice(b"0](h");
            data.push((i - 1) as u8);
            data.extend_from_slice(b"h");
            data.push((i - 1) as u8);
            data.extend_from_slice(b"eq");
            data.push(i as u8);
        }
        data.push(b'.');
        let err = read_default(&data).unwrap_err();
        assert!(
            matches!(
                err.kind,
                PickleErrorKind::TooDeep(_) | PickleErrorKind::TooManyValues(_)
            ),
            "{err}"
        );
    }

    #[test]
    fn a_long_string_referenced_many_times_is_bounded_by_bytes() {
        // A 1 MiB string, then a list holding it 100 times through the memo.
        let mut data = vec![b'X'];
        data.extend_from_slice(&(1u32 << 20).to_le_bytes());
        data.extend(std::iter::repeat_n(b'a', 1 << 20));
        data.extend_from_slice(b"q\x000](");
        data.extend(std::iter::repeat_n(&b"h\x00"[..], 100).flatten());
        data.extend_from_slice(b"e.");
        let err = read_default(&data).unwrap_err();
        assert_eq!(err.kind, PickleErrorKind::TooManyBytes(16 << 20), "{err}");
        let roomy = Limits {
            max_bytes: 200 << 20,
            ..Limits::default()
        };
        let PickleValue::List(items) = read(&data, &roomy).unwrap() else {
            panic!("a list")
        };
        assert_eq!(items.len(), 100);
    }

    #[test]
    fn nesting_stops_at_256_whatever_the_limit() {
        let mut data = b"]".to_vec();
        data.extend(b"(]".repeat(300));
        data.extend(b"e".repeat(300));
        data.push(b'.');
        let lax = Limits {
            max_depth: usize::MAX,
            ..Limits::default()
        };
        assert_eq!(
            read(&data, &lax).unwrap_err().kind,
            PickleErrorKind::TooDeep(256)
        );
    }

    #[test]
    fn forbidden_opcodes_are_named() {
        for (data, name) in [
            (&b"cos\nsystem\n."[..], "GLOBAL"),
            (b"\x80\x04\x8c\x02os\x8c\x06system\x93.", "STACK_GLOBAL"),
            (b"N)R.", "REDUCE"),
            (b"}Nb.", "BUILD"),
            (b"(ios\nsystem\n.", "INST"),
            (b"\x82\x01.", "EXT1"),
        ] {
            let err = read_default(data).unwrap_err();
            assert!(
                matches!(err.kind, PickleErrorKind::Forbidden { name: n, .. } if n == name),
                "{name}: {err}"
            );
        }
    }

    #[test]
    fn broken_input_is_an_error() {
        for data in [
            &b""[..],
            b"}",
            b"X\xff\xff\xff\xff",
            b"}q\x00.x",
            b"s.",
            b"]N}s.",
            b"h\x07.",
            b"I12x\n.",
            b"\x80\x09}.",
            b"(.",
            b"NN.",
            b"\x8b\xff\xff\xff\x7f",
        ] {
            assert!(read_default(data).is_err(), "{data:?}");
        }
    }

    #[test]
    fn huge_integers_are_decoded_or_refused_by_their_digits() {
        assert_eq!(bytes_to_decimal(&[0xff; 17]), "-1");
        let mut two_to_128 = [0u8; 17];
        two_to_128[16] = 1;
        assert_eq!(
            bytes_to_decimal(&two_to_128),
            "340282366920938463463374607431768211456"
        );
        let mut data = vec![0x8b];
        data.extend_from_slice(&2000u32.to_le_bytes());
        data.extend(std::iter::repeat_n(0x11, 2000));
        data.push(b'.');
        assert_eq!(read_default(&data).unwrap_err().reason(), "too-large");
        assert_eq!(read_default(b"L-12L\n.").unwrap(), PickleValue::Int(-12));
    }
}
