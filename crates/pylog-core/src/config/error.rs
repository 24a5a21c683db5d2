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
    hint: Option<String>,
}

impl ConfigError {
    /// An error with this message and no path yet.
    pub fn new(message: impl Into<String>) -> ConfigError {
        ConfigError {
            contexts: Vec::new(),
            message: message.into(),
            path: None,
            hint: None,
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

    /// Adds what would fix the problem, printed after everything else.
    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> ConfigError {
        self.hint = Some(hint.into());
        self
    }

    /// What would fix the problem, when the error knows (an unresolved class names the
    /// `Configurator::*_factory` call that would register it).
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
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

/// A wrapper that already quotes what it wraps (CPython's `Cannot resolve 'x': No module named
/// 'x'` around `No module named 'x'`) is printed once: the inner text is not repeated.
impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<&str> = self
            .contexts
            .iter()
            .map(String::as_str)
            .chain([self.message.as_str()])
            .collect();
        let mut printed: Option<&str> = None;
        for part in parts {
            if let Some(outer) = printed {
                if outer
                    .strip_suffix(part)
                    .is_some_and(|head| head.ends_with(": "))
                {
                    continue;
                }
                f.write_str(": ")?;
            }
            f.write_str(part)?;
            printed = Some(part);
        }
        if let Some(path) = &self.path {
            write!(f, " (at {path})")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
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
