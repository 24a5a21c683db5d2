//! `StreamHandler`: records to stderr, stdout or any `Write`. Python: `logging.StreamHandler`.

use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex};

use super::{Emit, EmitContext, Handler, HandlerError};
use crate::record::LogRecord;

enum Target {
    Stderr,
    Stdout,
    Writer(Mutex<Box<dyn Write + Send>>),
}

/// Writes each record and its terminator (`\n`) to a stream, then flushes, as Python does.
///
/// On a terminal (standard error or output when `IsTerminal` says so), control characters in
/// records are escaped by default, so that a message cannot clear the screen, set the window
/// title or write the clipboard: `ESC` is written as `\x1b`, as tracing-subscriber's `fmt`
/// writes it (see [`Escape`](crate::Escape)); [`Handler::with_escape_controls`] turns it off.
/// Python writes them raw. The colours of a [`ColourFormatter`](crate::ColourFormatter) stay.
///
/// ```
/// use pylog_core::{Level, LogRecord, SharedWriter, StreamHandler};
/// let buffer = SharedWriter::new();
/// let handler = StreamHandler::writer(buffer.clone());
/// handler.handle(&LogRecord::new("app", Level::INFO, "hello"));
/// assert_eq!(buffer.contents(), "hello\n");
/// ```
pub struct StreamHandler {
    target: Target,
    terminator: String,
    /// Whether the stream is a terminal (decided when the handler is made).
    terminal: bool,
}

impl StreamHandler {
    /// A handler writing to the process's standard error (Python's default).
    pub fn stderr() -> Handler {
        Handler::new(StreamHandler::for_target(StreamTarget::Stderr))
    }

    /// A handler writing to standard output.
    pub fn stdout() -> Handler {
        Handler::new(StreamHandler::for_target(StreamTarget::Stdout))
    }

    /// A handler writing to any writer. The handler never closes it.
    pub fn writer(writer: impl Write + Send + 'static) -> Handler {
        Handler::new(StreamHandler::for_target(StreamTarget::Writer(Box::new(
            writer,
        ))))
    }

    /// A handler writing to a writer that stands for a terminal (a pseudo-terminal, or a test's
    /// buffer): its records are escaped as on a terminal.
    pub fn terminal_writer(writer: impl Write + Send + 'static) -> Handler {
        let mut handler = StreamHandler::for_target(StreamTarget::Writer(Box::new(writer)));
        handler.terminal = true;
        Handler::new(handler)
    }

    /// A handler with another terminator (Python: `StreamHandler.terminator`).
    pub fn with_terminator(target: StreamTarget, terminator: impl Into<String>) -> Handler {
        let mut handler = StreamHandler::for_target(target);
        handler.terminator = terminator.into();
        Handler::new(handler)
    }

    pub(crate) fn for_target(target: StreamTarget) -> StreamHandler {
        let (target, terminal) = match target {
            StreamTarget::Stderr => (Target::Stderr, io::stderr().is_terminal()),
            StreamTarget::Stdout => (Target::Stdout, io::stdout().is_terminal()),
            StreamTarget::Writer(w) => (Target::Writer(Mutex::new(w)), false),
        };
        StreamHandler {
            target,
            terminator: "\n".into(),
            terminal,
        }
    }
}

/// Where a stream handler writes.
pub enum StreamTarget {
    /// Standard error.
    Stderr,
    /// Standard output.
    Stdout,
    /// Any writer.
    Writer(Box<dyn Write + Send>),
}

impl std::fmt::Debug for StreamTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StreamTarget::Stderr => "<stderr>",
            StreamTarget::Stdout => "<stdout>",
            StreamTarget::Writer(_) => "<writer>",
        })
    }
}

fn write_and_flush(w: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    w.write_all(bytes)?;
    w.flush()
}

impl Emit for StreamHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        let text = ctx.format(record)?;
        text.push_str(&self.terminator);
        let bytes = text.as_bytes();
        match &self.target {
            Target::Stderr => {
                let mut stderr = io::stderr().lock();
                write_and_flush(&mut stderr, bytes)?;
                ctx.count_emitted_locked();
            }
            Target::Stdout => {
                let mut stdout = io::stdout().lock();
                write_and_flush(&mut stdout, bytes)?;
                ctx.count_emitted_locked();
            }
            Target::Writer(w) => {
                let mut w = w.lock().unwrap_or_else(|e| e.into_inner());
                write_and_flush(&mut **w, bytes)?;
                ctx.count_emitted_locked();
            }
        }
        Ok(())
    }

    fn flush(&self) -> io::Result<()> {
        match &self.target {
            Target::Stderr => io::stderr().flush(),
            Target::Stdout => io::stdout().flush(),
            Target::Writer(w) => w.lock().unwrap_or_else(|e| e.into_inner()).flush(),
        }
    }

    fn escapes_controls_by_default(&self) -> bool {
        self.terminal
    }

    fn reads_extras(&self) -> bool {
        false
    }

    fn kind(&self) -> &'static str {
        "StreamHandler"
    }

    fn describe(&self) -> String {
        match &self.target {
            Target::Stderr => "<stderr>".into(),
            Target::Stdout => "<stdout>".into(),
            Target::Writer(_) => "<writer>".into(),
        }
    }
}

/// An in-memory writer whose clones share one buffer: for tests and for capturing output.
#[derive(Clone, Debug, Default)]
pub struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl SharedWriter {
    /// An empty buffer.
    pub fn new() -> SharedWriter {
        SharedWriter::default()
    }

    /// Everything written so far, as text (invalid UTF-8 replaced).
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    /// Empties the buffer, keeping its capacity.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
