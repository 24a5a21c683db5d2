//! `ColourFormatter`: ANSI colours by level on a console, around the `levelname` field or the whole
//! record. Python has none in the standard library (the `colorlog` package is the usual one).

use std::ffi::OsStr;
use std::io::IsTerminal;
use std::sync::Arc;

use super::{FormatError, Formatter, next_formatter_id};
use crate::level::Level;
use crate::record::LogRecord;

/// The code that ends a colour.
pub(crate) const RESET: &str = "\x1b[0m";

/// When to colour; see [`ColourFormatter`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColourChoice {
    /// Colour a terminal, unless `NO_COLOR` is set to a non-empty value (the default).
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColourChoice {
    /// The decision for a stream that `is_terminal` (or not), given the value of `NO_COLOR`
    /// (`None` when unset).
    ///
    /// ```
    /// use pylog_core::ColourChoice;
    /// use std::ffi::OsStr;
    /// assert!(ColourChoice::Auto.should_colour(true, None));
    /// assert!(ColourChoice::Auto.should_colour(true, Some(OsStr::new(""))));
    /// assert!(!ColourChoice::Auto.should_colour(true, Some(OsStr::new("1"))));
    /// assert!(!ColourChoice::Auto.should_colour(false, None));
    /// assert!(ColourChoice::Always.should_colour(false, Some(OsStr::new("1"))));
    /// assert!(!ColourChoice::Never.should_colour(true, None));
    /// ```
    pub fn should_colour(self, is_terminal: bool, no_color: Option<&OsStr>) -> bool {
        match self {
            ColourChoice::Always => true,
            ColourChoice::Never => false,
            ColourChoice::Auto => is_terminal && no_color.is_none_or(OsStr::is_empty),
        }
    }
}

/// What a colour wraps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColourScope {
    /// Each `levelname` field of the format, with its padding (the default).
    #[default]
    Levelname,
    /// The whole record, exception text and stack included.
    Line,
}

/// The colours in use: one code per level threshold, highest first.
#[derive(Clone, Debug)]
pub(crate) struct Colour {
    scope: ColourScope,
    by_level: Vec<(Level, Box<str>)>,
}

impl Colour {
    /// The code for a record at `level`: that of the highest threshold at or below it, else the
    /// lowest threshold's.
    fn code(&self, level: Level) -> Option<&str> {
        self.by_level
            .iter()
            .find(|(threshold, _)| level >= *threshold)
            .or(self.by_level.last())
            .map(|(_, code)| &**code)
    }

    /// The code wrapping `levelname` fields, for the levelname scope.
    pub(crate) fn levelname_code(&self, level: Level) -> Option<&str> {
        (self.scope == ColourScope::Levelname)
            .then(|| self.code(level))
            .flatten()
    }

    /// The code wrapping the whole record, for the line scope.
    pub(crate) fn line_code(&self, level: Level) -> Option<&str> {
        (self.scope == ColourScope::Line)
            .then(|| self.code(level))
            .flatten()
    }
}

/// A formatter that colours by level. It is a [`Formatter`] (`.into()`), so any handler can use
/// it.
///
/// Whether to colour is decided once, when the formatter is built for a stream:
/// [`ColourChoice::Auto`] colours only a terminal (`std::io::IsTerminal`) and only when the
/// `NO_COLOR` environment variable is unset or empty (<https://no-color.org>);
/// [`ColourChoice::Always`] and [`ColourChoice::Never`] force it. A formatter built without colour is
/// the plain one, with no cost at all.
///
/// ```
/// use pylog_core::{ColourChoice, ColourFormatter, Formatter, Level, LogRecord};
/// let coloured = ColourFormatter::builder(Formatter::new("%(levelname)-8s %(message)s")?)
///     .choice(ColourChoice::Always)
///     .build_for(&std::io::stderr());
/// let mut out = String::new();
/// coloured.format(&LogRecord::new("app", Level::WARNING, "disk low"), &mut out).unwrap();
/// assert_eq!(out, "\x1b[33mWARNING \x1b[0m disk low");
///
/// // Not a terminal (a file), so `Auto` leaves the output plain.
/// let file = tempfile::tempfile().unwrap();
/// let plain = ColourFormatter::builder(Formatter::new("%(levelname)s %(message)s")?).build_for(&file);
/// assert!(!plain.is_coloured());
/// # Ok::<(), pylog_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ColourFormatter {
    formatter: Formatter,
    coloured: bool,
}

impl ColourFormatter {
    /// Colours over `base` (any style).
    ///
    /// # Default values
    /// | option | default |
    /// |---|---|
    /// | choice | [`ColourChoice::Auto`] |
    /// | scope | [`ColourScope::Levelname`] |
    /// | colours | DEBUG and below cyan `\x1b[36m`, INFO green `\x1b[32m`, WARNING yellow `\x1b[33m`, ERROR red `\x1b[31m`, CRITICAL bold red `\x1b[1;31m` |
    pub fn builder(base: Formatter) -> ColourFormatterBuilder {
        ColourFormatterBuilder {
            base,
            choice: ColourChoice::Auto,
            scope: ColourScope::Levelname,
            by_level: vec![
                (Level::CRITICAL, "\x1b[1;31m".into()),
                (Level::ERROR, "\x1b[31m".into()),
                (Level::WARNING, "\x1b[33m".into()),
                (Level::INFO, "\x1b[32m".into()),
                (Level::DEBUG, "\x1b[36m".into()),
            ],
        }
    }

    /// Formats `record` as [`Formatter::format`] does, with the colour codes when coloured.
    pub fn format(&self, record: &LogRecord<'_>, out: &mut String) -> Result<(), FormatError> {
        self.formatter.format(record, out)
    }

    /// Whether the decision was to colour.
    pub fn is_coloured(&self) -> bool {
        self.coloured
    }

    /// The formatter, for a handler.
    pub fn formatter(&self) -> &Formatter {
        &self.formatter
    }
}

impl From<ColourFormatter> for Formatter {
    fn from(colour: ColourFormatter) -> Formatter {
        colour.formatter
    }
}

/// Options for a [`ColourFormatter`]; see [`ColourFormatter::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct ColourFormatterBuilder {
    base: Formatter,
    choice: ColourChoice,
    scope: ColourScope,
    by_level: Vec<(Level, Box<str>)>,
}

impl ColourFormatterBuilder {
    /// When to colour.
    pub fn choice(mut self, choice: ColourChoice) -> Self {
        self.choice = choice;
        self
    }

    /// What to colour.
    pub fn scope(mut self, scope: ColourScope) -> Self {
        self.scope = scope;
        self
    }

    /// The escape code for records at `level` and above (up to the next level that has one),
    /// e.g. `"\x1b[35m"`; replaces the code of that exact level.
    pub fn level_colour(mut self, level: Level, code: impl Into<Box<str>>) -> Self {
        self.by_level.retain(|(l, _)| *l != level);
        self.by_level.push((level, code.into()));
        self.by_level
            .sort_by_key(|(level, _)| std::cmp::Reverse(*level));
        self
    }

    /// Decides for `stream` (is it a terminal?) and the `NO_COLOR` variable, and builds.
    pub fn build_for(self, stream: &impl IsTerminal) -> ColourFormatter {
        let no_color = std::env::var_os("NO_COLOR");
        let coloured = self
            .choice
            .should_colour(stream.is_terminal(), no_color.as_deref());
        self.build_with(coloured)
    }

    /// Builds with the decision already made (`true`: colour).
    pub fn build_with(self, coloured: bool) -> ColourFormatter {
        if !coloured {
            return ColourFormatter {
                formatter: self.base,
                coloured,
            };
        }
        let mut inner = (*self.base.0).clone();
        inner.id = next_formatter_id();
        inner.colour = Some(Colour {
            scope: self.scope,
            by_level: self.by_level,
        });
        ColourFormatter {
            formatter: Formatter(Arc::new(inner)),
            coloured,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Style;

    fn line(builder: ColourFormatterBuilder, level: Level) -> String {
        let mut r = LogRecord::new("app", level, "m");
        r.stack_info = Some("Stack (most recent call last):");
        let mut out = String::new();
        builder.build_with(true).format(&r, &mut out).unwrap();
        out
    }

    #[test]
    fn the_levelname_is_wrapped_in_every_style() {
        for (style, format) in [
            (Style::Percent, "%(levelname)s|%(message)s"),
            (Style::Brace, "{levelname}|{message}"),
            (Style::Dollar, "$levelname|$message"),
        ] {
            let base = Formatter::builder(format).style(style).build().unwrap();
            assert_eq!(
                line(ColourFormatter::builder(base), Level::ERROR),
                "\x1b[31mERROR\x1b[0m|m\nStack (most recent call last):",
                "{style:?}"
            );
        }
    }

    #[test]
    fn line_scope_wraps_everything_and_levels_pick_their_threshold() {
        let base = Formatter::new("%(levelname)s %(message)s").unwrap();
        let builder = ColourFormatter::builder(base)
            .scope(ColourScope::Line)
            .level_colour(Level::new(25), "\x1b[35m");
        assert_eq!(
            line(builder.clone(), Level::new(27)),
            "\x1b[35mLevel 27 m\nStack (most recent call last):\x1b[0m"
        );
        assert_eq!(
            line(builder.clone(), Level::new(3)),
            "\x1b[36mLevel 3 m\nStack (most recent call last):\x1b[0m"
        );
        assert_eq!(
            line(builder, Level::CRITICAL),
            "\x1b[1;31mCRITICAL m\nStack (most recent call last):\x1b[0m"
        );
    }

    #[test]
    fn a_formatter_left_plain_is_the_base() {
        let base = Formatter::new("%(levelname)s %(message)s").unwrap();
        let plain = ColourFormatter::builder(base.clone()).build_with(false);
        assert!(!plain.is_coloured());
        assert!(Arc::ptr_eq(&plain.formatter.0, &base.0));
    }

    #[test]
    fn the_three_decisions() {
        let no_color = Some(OsStr::new("1"));
        // Not a terminal.
        assert!(!ColourChoice::Auto.should_colour(false, None));
        // NO_COLOR set (non-empty), even on a terminal; empty does not count.
        assert!(!ColourChoice::Auto.should_colour(true, no_color));
        assert!(ColourChoice::Auto.should_colour(true, Some(OsStr::new(""))));
        assert!(ColourChoice::Auto.should_colour(true, None));
        // Forced either way.
        assert!(ColourChoice::Always.should_colour(false, no_color));
        assert!(!ColourChoice::Never.should_colour(true, None));
    }
}
