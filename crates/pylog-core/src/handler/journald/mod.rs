//! `JournalHandler`: records to systemd's journal over its native protocol, in pure Rust (no
//! libsystemd). Python: `systemd.journal.JournalHandler` (python-systemd).
//!
//! Each record is one entry, sent as one datagram to `/run/systemd/journal/socket` (an entry too
//! large for a datagram goes as a sealed memfd; see the transport). The fields are
//! python-systemd's, plus a few it cannot send:
//!
//! | field | value |
//! |---|---|
//! | `MESSAGE` | the formatted record |
//! | `PRIORITY` | [`map_priority`] of the level (the table is there) |
//! | `LOGGER` | the logger's name |
//! | `THREAD_NAME`, `PROCESS_NAME` | `threadName`, `processName` |
//! | `CODE_FILE`, `CODE_LINE`, `CODE_FUNC` | `pathname`, `lineno`, `funcName` (omitted when unknown) |
//! | `SYSLOG_IDENTIFIER` | [`syslog_identifier`](JournalHandlerBuilder::syslog_identifier), by default the program's file name |
//! | `TID` | the kernel's thread id, when the record is handled on the thread that logged it |
//! | `ERRNO` | the OS error code of the attached error (or of its first cause that has one) |
//! | `EXCEPTION_TEXT`, `EXCEPTION_INFO` | the attached error with its causes (`exc_text`), and its type and text alone |
//! | `STACK_INFO` | the captured stack (`stack_info`) |
//! | `SPANS` | the span context (`%(spans)s`), when the record is inside spans |
//! | the handler's [`field`](JournalHandlerBuilder::field)s | as given |
//! | each extra | its name made a journal field name by [`field_name`] (`user-id` → `USER_ID`) |
//!
//! An extra named like one of the handler's fields (`SYSLOG_IDENTIFIER`, a
//! [`field`](JournalHandlerBuilder::field)) replaces it for that record, as in python-systemd; one
//! named like a field the record fills (`MESSAGE`, `PRIORITY`, `LOGGER`, `CODE_*`, …) is sent as
//! `EXTRA_<NAME>` (python-systemd fails the record with a `TypeError`). python-systemd sends
//! extras under their Python names, and journald drops every name that is not upper case;
//! here they are renamed instead.
//!
//! Sending happens on the logging thread and never waits long: the socket is non-blocking, and a
//! full journal is waited for at most the [`send_timeout`](JournalHandlerBuilder::send_timeout).
//! A journal that is full or missing is reported to `handle_error` once, when sending starts
//! failing, and again only after an entry got through; every record it did not take is counted
//! in [`JournalStats::lost`].
//!
//! ```no_run
//! use pylog_core::{JournalHandler, Manager};
//!
//! let journal = JournalHandler::builder().syslog_identifier("billing").build()?;
//! let tree = Manager::new();
//! tree.get_logger("app").add_handler(journal);
//! tree.get_logger("app").warning("disk almost full"); // `journalctl -t billing` shows it
//! # Ok::<(), pylog_core::Error>(())
//! ```

mod entry;
mod transport;

pub use entry::{field_name, is_valid_field_name, map_priority};
pub use transport::{DEFAULT_SEND_BUFFER, DEFAULT_SOCKET};

use std::cell::Cell;
use std::error::Error as StdError;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::{Emit, EmitContext, Handler, HandlerError};
use crate::error::Error;
use crate::record::{LogRecord, Value, current_thread};
use crate::scratch::MAX_KEPT;
use entry::{push_field, value_text};
use transport::{JournalSocket, Sent};

/// The fields every record fills itself; an extra with one of these names is sent as
/// `EXTRA_<NAME>`.
const RECORD_FIELDS: [&str; 14] = [
    "MESSAGE",
    "PRIORITY",
    "LOGGER",
    "THREAD_NAME",
    "PROCESS_NAME",
    "CODE_FILE",
    "CODE_LINE",
    "CODE_FUNC",
    "TID",
    "ERRNO",
    "EXCEPTION_TEXT",
    "EXCEPTION_INFO",
    "STACK_INFO",
    "SPANS",
];

/// Sends records to systemd's journal. Python: `systemd.journal.JournalHandler`. Build one with
/// [`JournalHandler::builder`]; see the [module docs](self) for the fields.
pub struct JournalHandler {
    socket: JournalSocket,
    /// `SYSLOG_IDENTIFIER` first, then the fields given to the builder.
    fields: Vec<(String, String)>,
    failing: AtomicBool,
    sent: AtomicU64,
    sent_by_memfd: AtomicU64,
    lost: AtomicU64,
}

/// What a [`JournalHandler`] sent and lost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JournalStats {
    /// Entries the journal's socket took.
    pub sent: u64,
    /// Of those, entries too large for a datagram, sent as a memfd.
    pub sent_by_memfd: u64,
    /// Records the journal did not take (full past the send timeout, or not running). The first
    /// of each run of failures is also reported to `handle_error` and counted in the handler's
    /// `errors`.
    pub lost: u64,
}

impl JournalHandler {
    /// A builder; see [`JournalHandlerBuilder`] for the defaults.
    pub fn builder() -> JournalHandlerBuilder {
        JournalHandlerBuilder {
            socket_path: PathBuf::from(DEFAULT_SOCKET),
            syslog_identifier: None,
            fields: Vec::new(),
            send_timeout: Duration::from_millis(50),
            send_buffer: DEFAULT_SEND_BUFFER,
        }
    }

    /// Whether the process's stderr is connected to the journal: `JOURNAL_STREAM` (set by
    /// systemd for services whose output goes to the journal) names stderr's device and inode.
    /// systemd recommends that such a program log over the native protocol instead; see
    /// [`BasicConfig::journald_if_connected`](crate::BasicConfig::journald_if_connected).
    pub fn connected() -> bool {
        let var = std::env::var("JOURNAL_STREAM").ok();
        stream_matches(var.as_deref(), io::stderr())
    }

    /// The counts of entries sent and records lost.
    pub fn journal_stats(&self) -> JournalStats {
        JournalStats {
            sent: self.sent.load(Ordering::Relaxed),
            sent_by_memfd: self.sent_by_memfd.load(Ordering::Relaxed),
            lost: self.lost.load(Ordering::Relaxed),
        }
    }

    /// The send buffer the kernel granted the socket.
    pub fn send_buffer(&self) -> io::Result<usize> {
        self.socket.send_buffer()
    }

    /// Writes the record's entry into `entry`.
    fn encode(
        &self,
        record: &LogRecord<'_>,
        message: &str,
        entry: &mut Vec<u8>,
        text: &mut String,
    ) {
        push_field(entry, "MESSAGE", message.as_bytes());
        push_field(entry, "PRIORITY", &[b'0' + map_priority(record.level)]);
        push_field(entry, "LOGGER", record.name.as_bytes());
        push_field(entry, "THREAD_NAME", record.thread_name().as_bytes());
        push_field(entry, "PROCESS_NAME", record.process_name().as_bytes());
        push_field(entry, "CODE_FILE", record.pathname.as_bytes());
        push_field(entry, "CODE_LINE", record.lineno.to_string().as_bytes());
        if let Some(func) = record.func_name {
            push_field(entry, "CODE_FUNC", func.as_bytes());
        }
        if record.thread() == current_thread().0 {
            let tid = rustix::thread::gettid().as_raw_nonzero();
            push_field(entry, "TID", tid.to_string().as_bytes());
        }
        if let Some(errno) = record.exc_info.and_then(os_error_code) {
            push_field(entry, "ERRNO", errno.to_string().as_bytes());
        }
        if let Some(exc_text) = record.exc_text() {
            push_field(entry, "EXCEPTION_TEXT", exc_text.as_bytes());
        }
        if let Some(error) = record.exc_info {
            text.clear();
            if let Some(kind) = record.exc_type {
                text.push_str(kind);
                text.push_str(": ");
            }
            use std::fmt::Write as _;
            let _ = write!(text, "{error}");
            push_field(entry, "EXCEPTION_INFO", text.as_bytes());
        }
        if let Some(stack) = record.stack_text() {
            push_field(entry, "STACK_INFO", stack.as_bytes());
        }
        if !record.spans.is_empty() {
            push_field(entry, "SPANS", record.spans.as_bytes());
        }
        let extras = journal_extras(record.extras);
        for (name, value) in &self.fields {
            if !extras.iter().any(|(n, _)| n == name) {
                push_field(entry, name, value.as_bytes());
            }
        }
        for (name, value) in extras {
            text.clear();
            value_text(value, text);
            push_field(entry, &name, text.as_bytes());
        }
    }
}

/// The record's extras under journal field names, the first of a name winning (as in formats),
/// and `EXTRA_` before a name the record fills itself.
fn journal_extras<'a>(extras: &[(&str, Value<'a>)]) -> Vec<(String, Value<'a>)> {
    let mut out: Vec<(String, Value<'a>)> = Vec::with_capacity(extras.len());
    for (i, (key, value)) in extras.iter().enumerate() {
        if extras[..i].iter().any(|(k, _)| k == key) {
            continue;
        }
        let Some(mut name) = field_name(key) else {
            continue;
        };
        if RECORD_FIELDS.contains(&name.as_str()) {
            name.insert_str(0, "EXTRA_");
            name.truncate(64);
        }
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, *value));
        }
    }
    out
}

/// The OS error code of `error` or of the first of its causes that has one.
fn os_error_code(error: &(dyn StdError + 'static)) -> Option<i32> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(code) = e
            .downcast_ref::<io::Error>()
            .and_then(io::Error::raw_os_error)
        {
            return Some(code);
        }
        next = e.source();
    }
    None
}

/// The program's file name (`argv[0]` without its folder), the default `SYSLOG_IDENTIFIER`.
fn program_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|arg0| {
            std::path::Path::new(&arg0)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_default()
}

/// Whether `JOURNAL_STREAM` (`device:inode`, decimal) names the file `fd` is open on.
fn stream_matches(var: Option<&str>, fd: impl std::os::fd::AsFd) -> bool {
    let Some((device, inode)) = var.and_then(|v| v.trim().split_once(':')) else {
        return false;
    };
    let (Ok(device), Ok(inode)) = (device.parse::<u64>(), inode.parse::<u64>()) else {
        return false;
    };
    rustix::fs::fstat(fd).is_ok_and(|stat| stat.st_dev == device && stat.st_ino == inode)
}

thread_local! {
    static ENTRY: Cell<(Vec<u8>, String)> = const { Cell::new((Vec::new(), String::new())) };
}

impl Emit for JournalHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        let message = ctx.format(record)?;
        let (mut entry, mut text) = ENTRY.try_with(Cell::take).unwrap_or_default();
        entry.clear();
        self.encode(record, message, &mut entry, &mut text);
        let result = self.socket.send(&entry);
        if entry.capacity() <= MAX_KEPT {
            let _ = ENTRY.try_with(|cell| cell.set((entry, text)));
        }
        match result {
            Ok(sent) => {
                self.failing.store(false, Ordering::Relaxed);
                self.sent.fetch_add(1, Ordering::Relaxed);
                if sent == Sent::Memfd {
                    self.sent_by_memfd.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            }
            Err(e) => {
                self.lost.fetch_add(1, Ordering::Relaxed);
                if self.failing.swap(true, Ordering::Relaxed) {
                    Err(HandlerError::Dropped)
                } else if e.raw_os_error().is_some() {
                    // `[Errno 2] No such file or directory: '/run/systemd/journal/socket'`
                    Err(HandlerError::Io(super::open_error(self.socket.path(), e)))
                } else {
                    Err(HandlerError::Io(e))
                }
            }
        }
    }

    fn kind(&self) -> &'static str {
        "JournalHandler"
    }

    fn describe(&self) -> String {
        self.socket.path().display().to_string()
    }
}

/// Builds a [`JournalHandler`].
///
/// # Default values
///
/// | option | default | python-systemd |
/// |---|---|---|
/// | [`socket_path`](Self::socket_path) | `/run/systemd/journal/socket` | the same (fixed) |
/// | [`syslog_identifier`](Self::syslog_identifier) | the program's file name (`argv[0]` without its folder) | `sys.argv[0]` as given |
/// | [`field`](Self::field) | none | keyword arguments (`JournalHandler(SYSLOG_IDENTIFIER=..)`) |
/// | [`send_timeout`](Self::send_timeout) | 50 ms | — (libsystemd blocks) |
/// | [`send_buffer_size`](Self::send_buffer_size) | 8 MiB, as systemd asks | the same |
#[must_use]
#[derive(Debug)]
pub struct JournalHandlerBuilder {
    socket_path: PathBuf,
    syslog_identifier: Option<String>,
    fields: Vec<(String, String)>,
    send_timeout: Duration,
    send_buffer: usize,
}

impl JournalHandlerBuilder {
    /// The journal's socket (another path is for tests and containers).
    pub fn socket_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.socket_path = path.into();
        self
    }

    /// `SYSLOG_IDENTIFIER`, the name `journalctl -t` filters by.
    pub fn syslog_identifier(mut self, identifier: impl Into<String>) -> Self {
        self.syslog_identifier = Some(identifier.into());
        self
    }

    /// A field sent with every record (python-systemd's keyword arguments). The name must be a
    /// valid journal field name ([`is_valid_field_name`]); `build` says which one is not.
    /// `SYSLOG_IDENTIFIER` here is the same as [`syslog_identifier`](Self::syslog_identifier).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        let value = value.into();
        if name == "SYSLOG_IDENTIFIER" {
            self.syslog_identifier = Some(value);
        } else {
            self.fields.retain(|(n, _)| *n != name);
            self.fields.push((name, value));
        }
        self
    }

    /// How long a send waits for room in a full journal before the record counts as lost.
    pub fn send_timeout(mut self, timeout: Duration) -> Self {
        self.send_timeout = timeout;
        self
    }

    /// The send buffer to ask the kernel for; entries larger than what it grants go by memfd.
    pub fn send_buffer_size(mut self, bytes: usize) -> Self {
        self.send_buffer = bytes;
        self
    }

    /// Opens the socket. A field name journald would refuse is an error (python-systemd's
    /// `ValueError: Invalid field name: ..`), as is a socket path too long for an address; a
    /// journal that is not running is not (its records are reported and counted when sent).
    pub fn build(self) -> Result<Handler, Error> {
        if let Some((name, _)) = self.fields.iter().find(|(n, _)| !is_valid_field_name(n)) {
            return Err(Error::InvalidArguments(format!(
                "Invalid field name: {name}"
            )));
        }
        let socket = JournalSocket::open(&self.socket_path, self.send_buffer, self.send_timeout)
            .map_err(|source| Error::Io {
                context: format!(
                    "cannot open a socket for the journal at {}",
                    self.socket_path.display()
                ),
                source,
            })?;
        let identifier = self.syslog_identifier.unwrap_or_else(program_name);
        let mut fields = vec![("SYSLOG_IDENTIFIER".to_owned(), identifier)];
        fields.extend(self.fields);
        Ok(Handler::new(JournalHandler {
            socket,
            fields,
            failing: AtomicBool::new(false),
            sent: AtomicU64::new(0),
            sent_by_memfd: AtomicU64::new(0),
            lost: AtomicU64::new(0),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::Level;
    use std::os::unix::net::UnixDatagram;

    fn fields(entry: &[u8]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut rest = entry;
        while !rest.is_empty() {
            let end = rest.iter().position(|b| *b == b'\n').unwrap();
            let line = &rest[..end];
            if let Some(eq) = line.iter().position(|b| *b == b'=') {
                out.push((
                    String::from_utf8(line[..eq].to_vec()).unwrap(),
                    String::from_utf8(line[eq + 1..].to_vec()).unwrap(),
                ));
                rest = &rest[end + 1..];
            } else {
                let name = String::from_utf8(line.to_vec()).unwrap();
                let len = u64::from_le_bytes(rest[end + 1..end + 9].try_into().unwrap()) as usize;
                let value = &rest[end + 9..end + 9 + len];
                assert_eq!(rest[end + 9 + len], b'\n');
                out.push((name, String::from_utf8(value.to_vec()).unwrap()));
                rest = &rest[end + 10 + len..];
            }
        }
        out
    }

    fn get<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn a_record_becomes_python_systemds_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("socket");
        let server = UnixDatagram::bind(&path).unwrap();
        let handler = JournalHandler::builder()
            .socket_path(&path)
            .syslog_identifier("unit")
            .field("DEPLOYMENT", "blue")
            .build()
            .unwrap();
        let error = io::Error::from_raw_os_error(13);
        let extras = [
            ("user-id", Value::Int(7)),
            ("user-id", Value::Int(8)),
            ("_PID", Value::Str("1")),
            ("priority", Value::Str("spoof")),
            ("DEPLOYMENT", Value::Str("green")),
            ("note", Value::Str("a\nb")),
        ];
        let mut record = LogRecord::new("app.db", Level::new(25), "first\nsecond");
        record.pathname = "src/db.rs";
        record.lineno = 42;
        record.func_name = Some("save");
        record.extras = &extras;
        record.exc_info = Some(&error);
        record.exc_type = Some("PermissionError");
        record.spans = "req{id=1}";
        assert!(handler.handle(&record));
        let mut buf = vec![0u8; 65536];
        let n = server.recv(&mut buf).unwrap();
        let fields = fields(&buf[..n]);
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "MESSAGE",
                "PRIORITY",
                "LOGGER",
                "THREAD_NAME",
                "PROCESS_NAME",
                "CODE_FILE",
                "CODE_LINE",
                "CODE_FUNC",
                "TID",
                "ERRNO",
                "EXCEPTION_TEXT",
                "EXCEPTION_INFO",
                "SPANS",
                "SYSLOG_IDENTIFIER",
                "USER_ID",
                "PID",
                "EXTRA_PRIORITY",
                "DEPLOYMENT",
                "NOTE",
            ]
        );
        assert!(
            get(&fields, "MESSAGE")
                .unwrap()
                .starts_with("first\nsecond\n")
        );
        assert_eq!(get(&fields, "PRIORITY"), Some("4"));
        assert_eq!(get(&fields, "LOGGER"), Some("app.db"));
        assert_eq!(get(&fields, "CODE_LINE"), Some("42"));
        assert_eq!(get(&fields, "ERRNO"), Some("13"));
        assert_eq!(
            get(&fields, "TID"),
            Some(
                rustix::thread::gettid()
                    .as_raw_nonzero()
                    .to_string()
                    .as_str()
            )
        );
        assert!(
            get(&fields, "EXCEPTION_INFO")
                .unwrap()
                .starts_with("PermissionError: Permission denied")
        );
        assert_eq!(get(&fields, "SYSLOG_IDENTIFIER"), Some("unit"));
        assert_eq!(get(&fields, "USER_ID"), Some("7"));
        assert_eq!(get(&fields, "DEPLOYMENT"), Some("green"));
        assert_eq!(get(&fields, "NOTE"), Some("a\nb"));
        let journal = handler.sink_as::<JournalHandler>().unwrap();
        assert_eq!(journal.journal_stats().sent, 1);
    }

    #[test]
    fn invalid_field_names_are_refused_as_python_systemd_refuses_them() {
        let error = JournalHandler::builder()
            .field("lower", "x")
            .build()
            .unwrap_err();
        assert_eq!(error.to_string(), "Invalid field name: lower");
    }

    #[test]
    fn a_missing_journal_is_reported_once_per_burst_and_every_record_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("socket");
        let handler = JournalHandler::builder()
            .socket_path(&path)
            .build()
            .unwrap();
        super::super::set_raise_exceptions(false);
        for _ in 0..3 {
            handler.handle(&LogRecord::new("a", Level::ERROR, "x"));
        }
        let server = UnixDatagram::bind(&path).unwrap();
        handler.handle(&LogRecord::new("a", Level::ERROR, "back"));
        drop(server);
        std::fs::remove_file(&path).unwrap();
        handler.handle(&LogRecord::new("a", Level::ERROR, "gone again"));
        super::super::set_raise_exceptions(true);
        let journal = handler.sink_as::<JournalHandler>().unwrap();
        assert_eq!(
            journal.journal_stats(),
            JournalStats {
                sent: 1,
                sent_by_memfd: 0,
                lost: 4
            }
        );
        assert_eq!(handler.stats().errors, 2);
        assert_eq!(handler.stats().emitted, 1);
    }

    #[test]
    fn failures_read_as_python_reports_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("socket");
        let handler = JournalHandler::builder()
            .socket_path(&path)
            .build()
            .unwrap();
        let journal = handler.sink_as::<JournalHandler>().unwrap();
        let formatter = crate::format::Formatter::default();
        let mut buffer = String::new();
        let mut ctx = EmitContext {
            formatter: &formatter,
            buffer: &mut buffer,
            escape: crate::format::Escape::NONE,
            emitted: None,
        };
        let record = LogRecord::new("a", Level::ERROR, "x");
        let error = journal.emit(&record, &mut ctx).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "FileNotFoundError: [Errno 2] No such file or directory: '{}'",
                path.display()
            )
        );
        // The same outage again: counted, not reported.
        assert!(matches!(
            journal.emit(&record, &mut ctx),
            Err(HandlerError::Dropped)
        ));

        let _full = UnixDatagram::bind(&path).unwrap(); // never reads
        let full = JournalHandler::builder()
            .socket_path(&path)
            .send_buffer_size(4096)
            .send_timeout(Duration::from_millis(5))
            .build()
            .unwrap();
        let full = full.sink_as::<JournalHandler>().unwrap();
        let error = (0..100_000)
            .find_map(|_| full.emit(&record, &mut ctx).err())
            .unwrap();
        let text = error.to_string();
        assert!(
            text.starts_with(&format!(
                "OSError: the journal at {} took no entry for 5ms",
                path.display()
            )),
            "{text}"
        );
    }

    #[test]
    fn journal_stream_names_a_device_and_inode() {
        let file = tempfile::tempfile().unwrap();
        let stat = rustix::fs::fstat(&file).unwrap();
        let var = format!("{}:{}", stat.st_dev, stat.st_ino);
        assert!(stream_matches(Some(&var), &file));
        assert!(!stream_matches(Some("1:2"), &file));
        assert!(!stream_matches(Some("garbage"), &file));
        assert!(!stream_matches(None, &file));
    }
}
