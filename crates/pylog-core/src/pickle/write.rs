//! `pickle.dumps(d, 1)` for a dict of `str`, `int`, `float`, `bool` and `None`, opcode for
//! opcode as CPython's C pickler writes it.

/// Items per `MARK` … `SETITEMS` batch (CPython's `BATCHSIZE`).
const BATCH: usize = 1000;

/// Writes one protocol-1 pickle of a dict: [`DictWriter::new`], one [`item`](DictWriter::str)
/// call per key and value, then [`finish`](DictWriter::finish).
///
/// Every string is memoized as CPython memoizes it (`BINPUT`, or `LONG_BINPUT` past 255). CPython
/// writes a `BINGET` where one string object appears twice in the dict (an interned key reused as
/// a value); the strings here are always new, so the bytes differ from CPython's in that case
/// only, and both unpickle to the same dict.
pub(crate) struct DictWriter<'a> {
    out: &'a mut Vec<u8>,
    memo: u32,
    /// Items in the open batch.
    batch: usize,
    /// Items so far (a one-item dict is written with `SETITEM`, as CPython does).
    items: usize,
    /// Where the first item starts, for the one-item form.
    first_item: usize,
}

impl<'a> DictWriter<'a> {
    /// Starts the dict: `EMPTY_DICT` and its memo entry.
    pub(crate) fn new(out: &'a mut Vec<u8>) -> DictWriter<'a> {
        out.push(b'}');
        let mut writer = DictWriter {
            out,
            memo: 0,
            batch: 0,
            items: 0,
            first_item: 0,
        };
        writer.put();
        writer.first_item = writer.out.len();
        writer
    }

    /// `BINPUT n` (or `LONG_BINPUT`), for the object just written.
    fn put(&mut self) {
        if let Ok(n) = u8::try_from(self.memo) {
            self.out.extend_from_slice(&[b'q', n]);
        } else {
            self.out.push(b'r');
            self.out.extend_from_slice(&self.memo.to_le_bytes());
        }
        self.memo = self.memo.wrapping_add(1);
    }

    /// Opens a batch before an item's key when none is open.
    fn key(&mut self, key: &str) {
        if self.batch == 0 {
            self.out.push(b'(');
        }
        self.string(key);
    }

    /// Ends an item; a full batch is closed.
    fn end_item(&mut self) {
        self.items += 1;
        self.batch += 1;
        if self.batch == BATCH {
            self.out.push(b'u');
            self.batch = 0;
        }
    }

    /// `BINUNICODE`: a 4-byte little-endian length, then UTF-8.
    fn string(&mut self, s: &str) {
        self.out.push(b'X');
        // A record larger than 4 GiB fails the frame's own length check first.
        let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
        self.out.extend_from_slice(&len.to_le_bytes());
        self.out.extend_from_slice(s.as_bytes());
        self.put();
    }

    /// A `str` value.
    pub(crate) fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
        self.end_item();
    }

    /// `None`.
    pub(crate) fn none(&mut self, key: &str) {
        self.key(key);
        self.out.push(b'N');
        self.end_item();
    }

    /// An `int`: `BININT1`, `BININT2` or `BININT` when it fits 32 signed bits, else protocol 1's
    /// `LONG` (`repr(n)` then `L\n`).
    pub(crate) fn int(&mut self, key: &str, value: i128) {
        self.key(key);
        match (
            u8::try_from(value),
            u16::try_from(value),
            i32::try_from(value),
        ) {
            (Ok(v), _, _) => self.out.extend_from_slice(&[b'K', v]),
            (_, Ok(v), _) => {
                self.out.push(b'M');
                self.out.extend_from_slice(&v.to_le_bytes());
            }
            (_, _, Ok(v)) => {
                self.out.push(b'J');
                self.out.extend_from_slice(&v.to_le_bytes());
            }
            _ => {
                self.out.push(b'L');
                self.out.extend_from_slice(value.to_string().as_bytes());
                self.out.extend_from_slice(b"L\n");
            }
        }
        self.end_item();
    }

    /// A `float`: `BINFLOAT`, 8 bytes big-endian (NaN and the infinities too).
    pub(crate) fn float(&mut self, key: &str, value: f64) {
        self.key(key);
        self.out.push(b'G');
        self.out.extend_from_slice(&value.to_be_bytes());
        self.end_item();
    }

    /// A `bool`: protocol 1 has no `NEWTRUE`; CPython writes `INT` with `01` or `00`.
    pub(crate) fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"I01\n" } else { b"I00\n" });
        self.end_item();
    }

    /// Closes the last batch and writes `STOP`. A dict of one item is written as CPython writes
    /// it: the item, then `SETITEM`, with no `MARK`.
    pub(crate) fn finish(self) {
        if self.items == 1 {
            // Drop the MARK the item opened.
            self.out.remove(self.first_item);
            self.out.push(b's');
        } else if self.batch > 0 {
            self.out.push(b'u');
        } else if self.items > 0 {
            // CPython's loop runs once more after a full batch: an empty `MARK SETITEMS`.
            self.out.extend_from_slice(b"(u");
        }
        self.out.push(b'.');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `pickle.dumps({}, 1)` and `pickle.dumps({'a': 1}, 1)` in CPython 3.11.
    #[test]
    fn small_dicts_are_cpythons_bytes() {
        let mut out = Vec::new();
        DictWriter::new(&mut out).finish();
        assert_eq!(out, b"}q\x00.");
        let mut out = Vec::new();
        let mut d = DictWriter::new(&mut out);
        d.int("a", 1);
        d.finish();
        assert_eq!(out, b"}q\x00X\x01\x00\x00\x00aq\x01K\x01s.");
    }

    /// `pickle.dumps({'s': 'é', 'n': None, 'b': True, 'f': 0.5, 'i': -1, 'm': 300,
    /// 'big': 2**40}, 1)` in CPython 3.11.
    #[test]
    fn every_value_type_is_cpythons_opcode() {
        let mut out = Vec::new();
        let mut d = DictWriter::new(&mut out);
        d.str("s", "é");
        d.none("n");
        d.bool("b", true);
        d.float("f", 0.5);
        d.int("i", -1);
        d.int("m", 300);
        d.int("big", 1 << 40);
        d.finish();
        let expected: &[u8] = b"}q\x00(X\x01\x00\x00\x00sq\x01X\x02\x00\x00\x00\xc3\xa9q\x02\
X\x01\x00\x00\x00nq\x03NX\x01\x00\x00\x00bq\x04I01\nX\x01\x00\x00\x00fq\x05G?\xe0\x00\x00\x00\x00\x00\x00\
X\x01\x00\x00\x00iq\x06J\xff\xff\xff\xffX\x01\x00\x00\x00mq\x07M,\x01X\x03\x00\x00\x00bigq\x08L1099511627776L\nu.";
        assert_eq!(out, expected);
    }

    #[test]
    fn memo_indexes_past_255_are_long_binputs_and_batches_hold_1000_items() {
        let mut out = Vec::new();
        let mut d = DictWriter::new(&mut out);
        for i in 0..1001 {
            d.none(&format!("k{i}"));
        }
        d.finish();
        let got = crate::pickle::read(&out, &crate::pickle::Limits::default()).unwrap();
        let crate::pickle::PickleValue::Dict(items) = got else {
            panic!("a dict")
        };
        assert_eq!(items.len(), 1001);
        assert!(out.windows(5).any(|w| w == b"r\x00\x01\x00\x00"));
        assert!(
            out.ends_with(b"\x03\x00\x00Nu."),
            "the last batch holds the 1001st item"
        );
    }
}
