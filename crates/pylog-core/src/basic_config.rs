//! `basic_config`: one call that gives the root logger a handler and a format. Python:
//! `logging.basicConfig`.
//!
//! ```
//! use pylog_core::{BasicConfig, Level, Manager, SharedWriter};
//! let tree = Manager::new();
//! let out = SharedWriter::new();
//! BasicConfig::new().level(Level::INFO).writer(out.clone()).apply_to(&tree).unwrap();
//! tree.get_logger("app").info("ready");
//! assert_eq!(out.contents(), "INFO:app:ready\n");
//!
//! // A second call does nothing unless forced, as in Python.
//! BasicConfig::new().format("%(message)s").apply_to(&tree).unwrap();
//! assert_eq!(tree.root().handlers().len(), 1);
//! ```
//!
//! `filemode` and `style` take the Rust enums or Python's strings:
//!
//! ```
//! use pylog_core::{BasicConfig, FileMode, Style};
//! let typed = BasicConfig::new().filename("app.log").filemode(FileMode::Write).style(Style::Brace);
//! let python = BasicConfig::new().filename("app.log").filemode("w").style("{");
//! # let _ = (typed, python);
//! ```

use std::io::Write;
use std::path::PathBuf;

use crate::error::Error;
use crate::format::{Formatter, Style};
use crate::handler::{FileHandler, FileMode, Handler, StreamHandler, StreamTarget};
use crate::level::LevelSpec;
use crate::manager::{Manager, global};

/// Python's `basicConfig` parameters. Every one is optional; see [`BasicConfig::apply_to`] for the
/// rules.
#[derive(Default)]
#[must_use]
pub struct BasicConfig {
    level: Option<LevelSpec>,
    filename: Option<PathBuf>,
    filemode: Option<TypedOrText<FileMode>>,
    format: Option<String>,
    datefmt: Option<String>,
    style: Option<TypedOrText<Style>>,
    handlers: Option<Vec<Handler>>,
    stream: Option<StreamTarget>,
    force: bool,
    encoding: Option<String>,
    utc: bool,
    #[cfg(all(feature = "journald", target_os = "linux"))]
    journald_if_connected: bool,
}

impl std::fmt::Debug for BasicConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicConfig")
            .field("level", &self.level)
            .field("filename", &self.filename)
            .field("format", &self.format)
            .field("force", &self.force)
            .finish_non_exhaustive()
    }
}

impl BasicConfig {
    /// No parameters: a stderr handler with `BASIC_FORMAT`, root level unchanged (WARNING).
    pub fn new() -> BasicConfig {
        BasicConfig::default()
    }

    /// The root logger's level (a [`Level`](crate::Level), a number or a registered name).
    pub fn level(mut self, level: impl Into<LevelSpec>) -> Self {
        self.level = Some(level.into());
        self
    }

    /// Log to this file (Python's `filename`).
    pub fn filename(mut self, path: impl Into<PathBuf>) -> Self {
        self.filename = Some(path.into());
        self
    }

    /// The file's mode: [`FileMode::Append`] (default) or [`FileMode::Write`], or Python's
    /// `filemode` string, `"a"` or `"w"` (checked by `apply`).
    pub fn filemode(mut self, mode: impl Into<TypedOrText<FileMode>>) -> Self {
        self.filemode = Some(mode.into());
        self
    }

    /// The format string (default `BASIC_FORMAT`, `%(levelname)s:%(name)s:%(message)s`).
    pub fn format(mut self, format: impl Into<String>) -> Self {
        self.format = Some(format.into());
        self
    }

    /// The date format for `%(asctime)s`.
    pub fn datefmt(mut self, datefmt: impl Into<String>) -> Self {
        self.datefmt = Some(datefmt.into());
        self
    }

    /// The format style: a [`Style`], or Python's `style` string, `"%"`, `"{"` or `"$"` (checked
    /// by `apply`); the default format follows it.
    pub fn style(mut self, style: impl Into<TypedOrText<Style>>) -> Self {
        self.style = Some(style.into());
        self
    }

    /// Use these handlers; those without a formatter get the configured one.
    pub fn handlers(mut self, handlers: impl IntoIterator<Item = Handler>) -> Self {
        self.handlers = Some(handlers.into_iter().collect());
        self
    }

    /// Log to this stream (Python's `stream`; default stderr).
    pub fn stream(mut self, stream: StreamTarget) -> Self {
        self.stream = Some(stream);
        self
    }

    /// Log to this writer (shorthand for `stream(StreamTarget::Writer(..))`).
    pub fn writer(self, writer: impl Write + Send + 'static) -> Self {
        self.stream(StreamTarget::Writer(Box::new(writer)))
    }

    /// Remove and close the root's handlers first (Python's `force=True`).
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// The file's encoding; only UTF-8 is accepted.
    pub fn encoding(mut self, encoding: impl Into<String>) -> Self {
        self.encoding = Some(encoding.into());
        self
    }

    /// Show `%(asctime)s` in UTC instead of local time (Rust addition).
    pub fn utc(mut self, utc: bool) -> Self {
        self.utc = utc;
        self
    }

    /// When stderr is connected to the journal ([`JournalHandler::connected`]), send records to
    /// the journal over its native protocol instead of writing them to stderr, as systemd
    /// recommends for services: the priority and the record's fields arrive as fields, and
    /// multi-line messages stay one entry. Applies only where the handler would be the default
    /// stderr stream (no `filename`, `handlers` or other `stream`). Rust addition (feature
    /// `journald`, Linux).
    ///
    /// [`JournalHandler::connected`]: crate::JournalHandler::connected
    #[cfg(all(feature = "journald", target_os = "linux"))]
    pub fn journald_if_connected(mut self, on: bool) -> Self {
        self.journald_if_connected = on;
        self
    }

    /// Applies to the global tree. See [`apply_to`](BasicConfig::apply_to).
    pub fn apply(self) -> Result<(), Error> {
        self.apply_to(global())
    }

    /// Configures the root logger of `manager`, with Python's rules:
    /// 1. with `force`, the root's handlers are removed and closed;
    /// 2. if the root still has handlers, nothing else happens (not even `level`);
    /// 3. `stream` with `filename`, or either with `handlers`, is an error with CPython's text;
    /// 4. the handler (a file, or a stream, stderr by default) or the given handlers are attached,
    ///    those without a formatter getting the configured format;
    /// 5. `level` is applied.
    ///
    /// Everything that can fail (format, level, file) is checked before the root is touched: it is
    /// [`prepare`](BasicConfig::prepare) followed by [`PreparedBasicConfig::commit`].
    pub fn apply_to(self, manager: &Manager) -> Result<(), Error> {
        self.prepare(manager)?.commit();
        Ok(())
    }

    /// Checks every parameter and builds the handlers (opening the file) without touching the
    /// tree; [`PreparedBasicConfig::commit`] then applies the result and cannot fail. This lets a
    /// caller do something else that can fail in between (installing a subscriber) and leave the
    /// tree as it was when it does.
    ///
    /// When the root already has handlers and `force` is not set, Python changes nothing and checks
    /// nothing: the prepared configuration does nothing either.
    pub fn prepare(self, manager: &Manager) -> Result<PreparedBasicConfig, Error> {
        let nothing = |manager: &Manager| PreparedBasicConfig {
            manager: manager.clone(),
            force: false,
            setup: None,
        };
        if !self.force && manager.root().has_own_handlers() {
            return Ok(nothing(manager));
        }
        let has_stream = self.stream.is_some();
        let has_file = self.filename.is_some();
        if self.handlers.is_none() && has_stream && has_file {
            return Err(Error::InvalidArguments(
                "'stream' and 'filename' should not be specified together".to_owned(),
            ));
        }
        if self.handlers.is_some() && (has_stream || has_file) {
            return Err(Error::InvalidArguments(
                "'stream' or 'filename' should not be specified together with 'handlers'"
                    .to_owned(),
            ));
        }
        let style = match &self.style {
            Some(style) => style.resolve()?,
            None => Style::Percent,
        };
        let formatter = Formatter::builder(self.format.as_deref().unwrap_or(style.basic_format()))
            .style(style)
            .datefmt_opt(self.datefmt.clone())
            .utc(self.utc)
            .build()?;
        let level = self.level.as_ref().map(LevelSpec::resolve).transpose()?;
        let handlers = match self.handlers {
            Some(handlers) => handlers,
            None => vec![match self.filename {
                Some(path) => {
                    let mode = match &self.filemode {
                        Some(mode) => mode.resolve()?,
                        None => FileMode::Append,
                    };
                    let mut builder = FileHandler::builder(path).mode(mode);
                    if let Some(encoding) = self.encoding {
                        builder = builder.encoding(encoding);
                    }
                    builder.build()?
                }
                #[cfg(all(feature = "journald", target_os = "linux"))]
                None if self.journald_if_connected
                    && matches!(self.stream, None | Some(StreamTarget::Stderr))
                    && crate::handler::JournalHandler::connected() =>
                {
                    crate::handler::JournalHandler::builder().build()?
                }
                None => Handler::new(StreamHandler::for_target(
                    self.stream.unwrap_or(StreamTarget::Stderr),
                )),
            }],
        };
        Ok(PreparedBasicConfig {
            manager: manager.clone(),
            force: self.force,
            setup: Some(Setup {
                handlers,
                formatter,
                level,
            }),
        })
    }
}

/// A [`BasicConfig`] whose parameters were all checked and whose handlers are built, not yet
/// applied: [`commit`](PreparedBasicConfig::commit) applies it, dropping it closes its handlers.
#[must_use = "a prepared configuration does nothing until it is committed"]
pub struct PreparedBasicConfig {
    manager: Manager,
    force: bool,
    setup: Option<Setup>,
}

struct Setup {
    handlers: Vec<Handler>,
    formatter: Formatter,
    level: Option<crate::Level>,
}

impl std::fmt::Debug for PreparedBasicConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedBasicConfig")
            .field("force", &self.force)
            .field("changes_the_root", &self.setup.is_some())
            .finish_non_exhaustive()
    }
}

impl PreparedBasicConfig {
    /// Applies the configuration to the root logger (removing and closing its handlers first
    /// with `force`). If another thread gave the root handlers since it was prepared, the root
    /// is left alone, as Python's `basicConfig` leaves a configured root alone.
    pub fn commit(mut self) {
        let Some(setup) = self.setup.take() else {
            return;
        };
        let root = self.manager.root();
        let _configuring = self.manager.config_lock();
        if self.force {
            for handler in root.clear_handlers() {
                handler.close();
            }
        }
        if root.has_own_handlers() {
            for handler in setup.handlers {
                handler.close();
            }
            return;
        }
        for handler in setup.handlers {
            if handler.formatter().is_none() {
                handler.set_formatter(Some(setup.formatter.clone()));
            }
            root.add_handler(handler);
        }
        if let Some(level) = setup.level {
            root.set_level(level);
        }
    }
}

impl Drop for PreparedBasicConfig {
    /// Not committed: the handlers built for it (an open file) are closed.
    fn drop(&mut self) {
        if let Some(setup) = self.setup.take() {
            for handler in setup.handlers {
                handler.close();
            }
        }
    }
}

/// A parameter given either as its Rust type or as the string Python takes for it: `FileMode::Write`
/// or `"w"`, `Style::Brace` or `"{"`. The string is parsed (and refused with CPython's text) when the
/// configuration is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypedOrText<T> {
    /// The Rust value.
    Typed(T),
    /// Python's spelling, parsed with `T`'s `FromStr`.
    Text(String),
}

impl<T> TypedOrText<T>
where
    T: Clone + std::str::FromStr<Err = Error>,
{
    /// The value, parsing the text if it is one.
    pub fn resolve(&self) -> Result<T, Error> {
        match self {
            TypedOrText::Typed(value) => Ok(value.clone()),
            TypedOrText::Text(text) => text.parse(),
        }
    }
}

impl From<FileMode> for TypedOrText<FileMode> {
    fn from(mode: FileMode) -> Self {
        TypedOrText::Typed(mode)
    }
}

impl From<Style> for TypedOrText<Style> {
    fn from(style: Style) -> Self {
        TypedOrText::Typed(style)
    }
}

impl<T> From<&str> for TypedOrText<T> {
    fn from(text: &str) -> Self {
        TypedOrText::Text(text.to_owned())
    }
}

impl<T> From<String> for TypedOrText<T> {
    fn from(text: String) -> Self {
        TypedOrText::Text(text)
    }
}

/// A [`BasicConfig`] with no parameters yet: `basic_config().level(Level::INFO).apply()`.
pub fn basic_config() -> BasicConfig {
    BasicConfig::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Level, SharedWriter};

    #[test]
    fn conflicting_parameters_use_cpythons_text() {
        let tree = Manager::new();
        let err = BasicConfig::new()
            .filename("x.log")
            .writer(SharedWriter::new())
            .apply_to(&tree)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "'stream' and 'filename' should not be specified together"
        );
        let err = BasicConfig::new()
            .filename("x.log")
            .handlers([StreamHandler::stderr()])
            .apply_to(&tree)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "'stream' or 'filename' should not be specified together with 'handlers'"
        );
        assert!(tree.root().handlers().is_empty());
    }

    #[test]
    fn force_replaces_and_bad_level_is_an_error() {
        let tree = Manager::new();
        let first = SharedWriter::new();
        BasicConfig::new()
            .writer(first.clone())
            .apply_to(&tree)
            .unwrap();
        let second = SharedWriter::new();
        BasicConfig::new()
            .writer(second.clone())
            .format("%(levelname)s %(message)s")
            .force(true)
            .apply_to(&tree)
            .unwrap();
        tree.root().warning("w");
        assert_eq!(first.contents(), "");
        assert_eq!(second.contents(), "WARNING w\n");
        let err = BasicConfig::new()
            .level("nope")
            .force(true)
            .apply_to(&tree)
            .unwrap_err();
        assert_eq!(err.to_string(), "Unknown level: 'nope'");
        assert_eq!(tree.root().level(), Level::WARNING);
        let err = BasicConfig::new()
            .style("x")
            .force(true)
            .apply_to(&tree)
            .unwrap_err();
        assert_eq!(err.to_string(), "Style must be one of: %,{,$");
    }

    #[test]
    fn filemode_and_style_take_enums_or_pythons_strings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(&path, "old\n").unwrap();
        let tree = Manager::new();
        BasicConfig::new()
            .filename(&path)
            .filemode(FileMode::Write)
            .style(Style::Brace)
            .apply_to(&tree)
            .unwrap();
        tree.root().warning("typed");
        tree.root().handlers()[0].close();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "WARNING:root:typed\n"
        );

        let tree = Manager::new();
        BasicConfig::new()
            .filename(&path)
            .filemode("a")
            .style("$")
            .apply_to(&tree)
            .unwrap();
        tree.root().warning("text");
        tree.root().handlers()[0].close();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "WARNING:root:typed\nWARNING:root:text\n"
        );

        let err = BasicConfig::new()
            .filename(&path)
            .filemode("rb")
            .apply_to(&Manager::new())
            .unwrap_err();
        assert!(
            err.to_string().starts_with("invalid file mode 'rb'"),
            "{err}"
        );
    }

    #[test]
    fn handlers_keep_their_own_formatter() {
        let tree = Manager::new();
        let a = SharedWriter::new();
        let b = SharedWriter::new();
        let own = StreamHandler::writer(a.clone())
            .with_formatter(Formatter::new("A %(message)s").unwrap());
        BasicConfig::new()
            .handlers([own, StreamHandler::writer(b.clone())])
            .apply_to(&tree)
            .unwrap();
        tree.root().error("e");
        assert_eq!(a.contents(), "A e\n");
        assert_eq!(b.contents(), "ERROR:root:e\n");
    }
}
