//! `FileHandler`: records appended to (or written over) a file. Python: `logging.FileHandler`.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::log_file::{FlushPolicy, LogFile};
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::error::Error;
use crate::record::LogRecord;

/// How a file handler opens its file. Python: the `mode` argument.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FileMode {
    /// `'a'`: append (the default).
    #[default]
    Append,
    /// `'w'`: truncate when opened.
    Write,
}

impl FileMode {
    /// Parses Python's mode strings (`a`, `w`, with an optional `t`; `+` is accepted and ignored).
    pub fn parse(mode: &str) -> Result<FileMode, Error> {
        let core: String = mode.chars().filter(|c| !matches!(c, 't' | '+')).collect();
        match core.as_str() {
            "a" => Ok(FileMode::Append),
            "w" => Ok(FileMode::Write),
            _ => Err(Error::InvalidArguments(format!(
                "invalid file mode {}: use 'a' (append) or 'w' (write); log files are text",
                crate::format::repr::py_repr(mode)
            ))),
        }
    }
}

/// Python's mode strings: `"w".parse::<FileMode>()`; see [`FileMode::parse`].
impl std::str::FromStr for FileMode {
    type Err = Error;

    fn from_str(mode: &str) -> Result<FileMode, Error> {
        FileMode::parse(mode)
    }
}

/// Writes records to a file, one line each, flushed as written. Python: `logging.FileHandler`.
///
/// ```no_run
/// use pylog_core::{FileHandler, Level};
/// let handler = FileHandler::builder("app.log").build()?.with_level(Level::ERROR);
/// # Ok::<(), pylog_core::Error>(())
/// ```
pub struct FileHandler {
    file: Mutex<LogFile>,
}

impl FileHandler {
    /// A builder for a file handler on `path`.
    ///
    /// # Default values
    /// | option | default | Python |
    /// |---|---|---|
    /// | mode | [`FileMode::Append`] | `mode='a'` |
    /// | encoding | UTF-8 (the only one) | `encoding=None` |
    /// | delay | `false`: open now, so a missing directory is an error here | `delay=False` |
    /// | no_follow | `false`: a symbolic link at the path is followed | — |
    pub fn builder(path: impl AsRef<Path>) -> FileHandlerBuilder {
        FileHandlerBuilder::new(path.as_ref())
    }
}

/// Options for a [`FileHandler`]; see [`FileHandler::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct FileHandlerBuilder {
    path: PathBuf,
    mode: FileMode,
    delay: bool,
    encoding: Option<String>,
    flush: FlushPolicy,
    no_follow: bool,
}

impl FileHandlerBuilder {
    /// The path of the file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The same options for another path.
    pub(crate) fn with_path(mut self, path: PathBuf) -> FileHandlerBuilder {
        self.path = path;
        self
    }

    pub(crate) fn new(path: &Path) -> FileHandlerBuilder {
        FileHandlerBuilder {
            path: path.to_path_buf(),
            mode: FileMode::Append,
            delay: false,
            encoding: None,
            flush: FlushPolicy::EveryRecord,
            no_follow: false,
        }
    }

    /// Append (default) or truncate.
    pub fn mode(mut self, mode: FileMode) -> Self {
        self.mode = mode;
        self
    }

    /// Open the file on the first record instead of now (Python's `delay=True`).
    pub fn delay(mut self, delay: bool) -> Self {
        self.delay = delay;
        self
    }

    /// When records reach the file: each at once (default, as Python), or in batches
    /// ([`FlushPolicy::Buffered`], which says what a crash can lose).
    pub fn flush_policy(mut self, policy: FlushPolicy) -> Self {
        self.flush = policy;
        self
    }

    /// The encoding; only UTF-8 (`utf-8`, `utf8`, any case) is accepted.
    pub fn encoding(mut self, encoding: impl Into<String>) -> Self {
        self.encoding = Some(encoding.into());
        self
    }

    /// Refuse to follow a symbolic link at the log's path (`O_NOFOLLOW`, Unix only): opening fails
    /// with `[Errno 40] Too many levels of symbolic links` instead. Use it when others can write
    /// to the log's directory and could plant a link to a file the process may write. Python has
    /// no such option; off by default, as there.
    pub fn no_follow(mut self, no_follow: bool) -> Self {
        self.no_follow = no_follow;
        self
    }

    /// Opens the file (unless delayed) and returns the handler. The path is made absolute now, as
    /// Python does, so a later change of directory does not move the log.
    pub fn build(self) -> Result<Handler, Error> {
        let file = self.open_log_file()?;
        Ok(Handler::new(FileHandler {
            file: Mutex::new(file),
        }))
    }

    /// Checks the options and opens the file (unless delayed): what every file handler's builder
    /// does first.
    pub(crate) fn open_log_file(&self) -> Result<LogFile, Error> {
        if let Some(encoding) = &self.encoding {
            check_encoding(encoding)?;
        }
        let path = self.absolute_path()?;
        let mut file = LogFile::new(path, self.mode, self.flush);
        file.set_no_follow(self.no_follow);
        if !self.delay {
            file.open().map_err(|e| Error::open_file(file.path(), e))?;
        }
        Ok(file)
    }

    /// The path made absolute, as Python's `os.path.abspath` at construction.
    pub(crate) fn absolute_path(&self) -> Result<PathBuf, Error> {
        std::path::absolute(&self.path).map_err(|e| Error::open_file(&self.path, e))
    }

    /// Whether opening is delayed to the first record.
    pub(crate) fn is_delayed(&self) -> bool {
        self.delay
    }
}

/// The options every file handler's builder shares, delegated to its `file: FileHandlerBuilder`
/// (`no_mode` for handlers that always append).
macro_rules! file_options {
    () => {
        /// Append (default) or truncate when opened (Python's `mode`).
        pub fn mode(mut self, mode: $crate::FileMode) -> Self {
            self.file = self.file.mode(mode);
            self
        }

        $crate::handler::file::file_options!(no_mode);
    };
    (no_mode) => {
        /// Open the file on the first record (Python's `delay=True`).
        pub fn delay(mut self, delay: bool) -> Self {
            self.file = self.file.delay(delay);
            self
        }

        /// The encoding; only UTF-8 is accepted.
        pub fn encoding(mut self, encoding: impl Into<String>) -> Self {
            self.file = self.file.encoding(encoding);
            self
        }

        /// When records reach the file (default: each at once); see
        /// [`FlushPolicy`](crate::FlushPolicy).
        pub fn flush_policy(mut self, policy: $crate::FlushPolicy) -> Self {
            self.file = self.file.flush_policy(policy);
            self
        }

        /// Refuse to follow a symbolic link at the log's path (`O_NOFOLLOW`, Unix only); see
        /// [`FileHandlerBuilder::no_follow`](crate::FileHandlerBuilder::no_follow).
        pub fn no_follow(mut self, no_follow: bool) -> Self {
            self.file = self.file.no_follow(no_follow);
            self
        }
    };
}
pub(crate) use file_options;

/// Accepts the names Python uses for UTF-8.
pub(crate) fn check_encoding(encoding: &str) -> Result<(), Error> {
    let normalized = encoding.to_ascii_lowercase().replace(['-', '_'], "");
    if normalized == "utf8" {
        Ok(())
    } else {
        Err(Error::UnsupportedEncoding(encoding.to_owned()))
    }
}

impl Emit for FileHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        let text = ctx.format(record)?;
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write(text.as_bytes(), record)?;
        ctx.count_emitted_locked();
        Ok(())
    }

    fn flush(&self) -> io::Result<()> {
        self.file.lock().unwrap_or_else(|e| e.into_inner()).flush()
    }

    fn close(&self) -> io::Result<()> {
        self.file.lock().unwrap_or_else(|e| e.into_inner()).close()
    }

    fn reads_extras(&self) -> bool {
        false
    }

    fn kind(&self) -> &'static str {
        "FileHandler"
    }

    fn describe(&self) -> String {
        let file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.path().display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;

    #[test]
    fn missing_directory_is_an_error_unless_delayed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("app.log");
        let err = FileHandler::builder(&path).build().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot open log file: [Errno 2] No such file or directory: '{}'",
                path.display()
            )
        );
        assert!(FileHandler::builder(&path).delay(true).build().is_ok());
    }

    #[test]
    fn append_write_and_delay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(&path, "old\n").unwrap();
        let h = FileHandler::builder(&path).build().unwrap();
        h.handle(&LogRecord::new("a", Level::INFO, "one"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\none\n");
        let w = FileHandler::builder(&path)
            .mode(FileMode::Write)
            .delay(true)
            .build()
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\none\n");
        w.handle(&LogRecord::new("a", Level::INFO, "two"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
        w.close();
        assert_eq!(FileMode::parse("at").unwrap(), FileMode::Append);
        assert!(FileMode::parse("r").is_err());
        assert!(check_encoding("latin-1").is_err());
        assert!(check_encoding("UTF_8").is_ok());
    }

    /// The file counts its records itself, under its own lock: each once, none lost when threads
    /// write at once.
    #[test]
    fn records_written_from_several_threads_are_counted_once_each() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let handler = FileHandler::builder(&path).build().unwrap();
        let (threads, per_thread) = (4, 5_000);
        std::thread::scope(|scope| {
            for t in 0..threads {
                let handler = &handler;
                scope.spawn(move || {
                    for i in 0..per_thread {
                        let record = LogRecord::new("app", Level::ERROR, "x");
                        assert!(handler.handle(&record), "thread {t}, record {i}");
                    }
                });
            }
        });
        handler.flush();
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        assert_eq!(lines, threads * per_thread);
        assert_eq!(handler.stats().emitted, (threads * per_thread) as u64);
    }
}
