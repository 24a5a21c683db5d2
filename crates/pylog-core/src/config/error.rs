//! What went wrong while reading or applying a configuration.

use std::fmt;

/// A configuration that cannot be read or applied: what is wrong, where, and (for mistakes CPython
/// also rejects) CPython's own message.
///
/// `Display` prints the wrappers CPython raises, outermost first, then the innermost message and the
/// path of the offending key:
///
/// ```
/// use pylog_core::config::ConfigError;
/// let err = ConfigError::new("Unknown level: 'BAD'")
///     .at("handlers.file.level")
///     .context("Unable to configure handler 'file'");
/// assert_eq!(err.to_string(), "Unable to configure handler 'file': Unknown level: 'BAD' (at handlers.file.level)");
/// assert_eq!(err.python_message(), "Unable to configure handler 'file'");
/// assert_eq!(err.message(), "Unknown level: 'BAD'");
/// assert_eq!(err.path(), Some("handlers.file.level"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    contexts: Vec<String>,
    message: String,
    path: Option<String>,
}

impl ConfigError {
    /// An error with this message and no path yet.
    pub fn new(message: impl Into<String>) -> ConfigError {
        ConfigError {
            contexts: Vec::new(),
            message: message.into(),
            path: None,
        }
    }

    /// A syntax error in a document: `logging.yaml:3:5: did not find expected key`.
    pub fn syntax(source: &str, line: usize, column: usize, message: impl fmt::Display) -> Self {
        ConfigError::new(format!("{source}:{line}:{column}: {message}"))
    }

    /// Sets the dotted path of the offending key (`handlers.file.maxBytes`) unless a deeper one was
    /// already set.
    #[must_use]
    pub fn at(mut self, path: impl Into<String>) -> ConfigError {
        if self.path.is_none() {
            self.path = Some(path.into());
        }
        self
    }

    /// Replaces the path, deeper or not.
    pub(crate) fn with_path(mut self, path: impl Into<String>) -> ConfigError {
        self.path = Some(path.into());
        self
    }

    /// Wraps the error in an outer message, as CPython's `raise ValueError(...) from e` does.
    #[must_use]
    pub fn context(mut self, outer: impl Into<String>) -> ConfigError {
        self.contexts.insert(0, outer.into());
        self
    }

    /// Prefixes the innermost message with the key it is about (`level: ...`).
    pub(crate) fn about_key(mut self, key: &str) -> ConfigError {
        if self.message.starts_with("expected ") {
            self.message = format!("{key}: {}", self.message);
        }
        self
    }

    /// What Python's `str(e)` would show: the outermost message.
    pub fn python_message(&self) -> &str {
        self.contexts.first().unwrap_or(&self.message)
    }

    /// The innermost message: what was actually wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The dotted path of the offending key, when known.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for context in &self.contexts {
            write!(f, "{context}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(path) = &self.path {
            write!(f, " (at {path})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// The core crate's error; for a file that cannot be opened the innermost message is the
/// operating system's (`[Errno 2] No such file or directory: '/x/app.log'`), as CPython's cause is.
impl From<crate::Error> for ConfigError {
    fn from(error: crate::Error) -> ConfigError {
        match error {
            crate::Error::Io { context, source } => {
                ConfigError::new(source.to_string()).context(context)
            }
            crate::Error::Config(error) => error,
            other => ConfigError::new(other.to_string()),
        }
    }
}
