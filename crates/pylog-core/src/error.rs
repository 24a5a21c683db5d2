//! The one error type of the core crate.
//!
//! Every variant names what was wrong; where CPython has a message for the same mistake, `Display`
//! prints CPython's text (`Unknown level: 'FOO'`, `Invalid format 'hello' for '%' style`).

use std::fmt;
use std::io;

use crate::config::ConfigError;
use crate::format::FormatError;
use crate::format::repr::py_repr;

/// What went wrong while configuring logging.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A level name that is not registered (Python: `ValueError: Unknown level: 'FOO'`).
    UnknownLevel(String),
    /// A format string the formatter cannot use; `message` is CPython's text.
    InvalidFormat {
        /// The format string as given.
        format: String,
        /// CPython's message, e.g. `Invalid format 'hello' for '%' style`.
        message: String,
    },
    /// A date format (`datefmt`) with a directive that cannot be rendered.
    InvalidDateFormat {
        /// The date format as given.
        datefmt: String,
        /// What is wrong with it.
        message: String,
    },
    /// Arguments that cannot be used together (Python's `basicConfig` `ValueError`s).
    InvalidArguments(String),
    /// An encoding other than UTF-8.
    UnsupportedEncoding(String),
    /// A file or stream that could not be opened.
    Io {
        /// What was being done, e.g. `cannot open log file '/var/log/app.log'`.
        context: String,
        /// The operating system's error.
        source: io::Error,
    },
    /// The global subscriber or logger could not be installed.
    Init(String),
    /// A configuration (`dictConfig`, `fileConfig`, a config file) that cannot be read or applied.
    /// `?` converts a [`ConfigError`] into it.
    Config(ConfigError),
    /// A record that could not be formatted (a field missing from the record, a type mismatch).
    /// `?` converts a [`FormatError`] into it.
    Format(FormatError),
}

impl Error {
    /// A file that could not be opened, worded as CPython words it after a short context:
    /// `cannot open log file: [Errno 2] No such file or directory: '/var/log/app.log'`.
    pub(crate) fn open_file(path: &std::path::Path, source: io::Error) -> Error {
        let source = if source.raw_os_error().is_some() {
            crate::handler::open_error(path, source)
        } else {
            source
        };
        Error::Io {
            context: "cannot open log file".to_owned(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownLevel(name) => write!(f, "Unknown level: {}", py_repr(name)),
            Error::InvalidFormat { message, .. } => f.write_str(message),
            Error::InvalidDateFormat { datefmt, message } => {
                write!(f, "invalid date format {}: {message}", py_repr(datefmt))
            }
            Error::InvalidArguments(message) => f.write_str(message),
            Error::UnsupportedEncoding(encoding) => write!(
                f,
                "unsupported encoding {}: log files are written in UTF-8",
                py_repr(encoding)
            ),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Init(message) => f.write_str(message),
            Error::Config(error) => fmt::Display::fmt(error, f),
            Error::Format(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// `?` on a configuration call (`config::load_path(..)?`) in a function returning [`Error`].
impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Error {
        Error::Config(error)
    }
}

/// `?` on a formatting call (`formatter.format(&record, &mut out)?`) in a function returning
/// [`Error`].
impl From<FormatError> for Error {
    fn from(error: FormatError) -> Error {
        Error::Format(error)
    }
}
