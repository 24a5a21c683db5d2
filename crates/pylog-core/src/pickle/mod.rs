//! Python's pickle format, the small part of it that log records travel in: what
//! `pickle.dumps(record_dict, 1)` writes (CPython's `SocketHandler.makePickle`), and a reader that
//! decodes such dicts without ever constructing a class or calling anything.
//!
//! The writer (used by the socket handlers) writes protocol 1 as CPython's C pickler does for a dict of
//! `str`, `int`, `float`, `bool` and `None`: `EMPTY_DICT`, then the items in batches of 1,000
//! (`MARK` … `SETITEMS`), each string memoized (`BINPUT`), and `STOP`. It is a few dozen lines,
//! which is why there is no dependency for it: `serde-pickle` writes protocol 3 by default,
//! with a serde data model that does not match Python's record dict (no memo, protocol 2+ opcodes
//! such as `NEWTRUE` and `LONG1`), and its reader resolves globals on request; neither side
//! is the bounded, protocol-1 subset a log receiver needs.
//!
//! The reader, [`read`], documents what it accepts and what it refuses.

mod read;
mod write;

pub use read::{Limits, PickleError, PickleValue, read};
pub(crate) use write::DictWriter;
