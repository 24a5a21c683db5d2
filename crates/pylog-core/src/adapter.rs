//! `LoggerAdapter`: a logger with bound extra fields. Python: `logging.LoggerAdapter`.

use std::error::Error as StdError;
use std::fmt;

use crate::level::{Level, level_name};
use crate::logger::{CallSite, LogCall, Logger};
use crate::record::Value;

/// A logger whose records carry bound extras. Python: `logging.LoggerAdapter`.
///
/// Every record logged through an adapter carries the adapter's extras, usable in formats by name
/// (`%(request_id)s`). As in CPython 3.11, whose `process()` sets `kwargs["extra"] = self.extra`,
/// the adapter's extras **replace** a call's own: `adapter.event(level).extra("k", v)` loses `k`.
/// [`LoggerAdapter::merge_extra`] turns on CPython 3.13's `merge_extra=True`, where both are kept
/// and the call's own win a name clash.
///
/// The extras are borrowed (an adapter for a request borrows the request's id): logging through an
/// adapter costs what logging on the logger costs, nothing more.
///
/// ```
/// use pylog_core::{Formatter, Manager, SharedWriter, StreamHandler};
/// let tree = Manager::new();
/// let out = SharedWriter::new();
/// tree.root().add_handler(
///     StreamHandler::writer(out.clone())
///         .with_formatter(Formatter::new("[%(request_id)s] %(levelname)s %(message)s")?),
/// );
/// let request_id = String::from("abc");
/// let log = tree.get_logger("app").adapter([("request_id", request_id.as_str())]);
/// log.warning("slow");
/// assert_eq!(out.contents(), "[abc] WARNING slow\n");
/// # Ok::<(), pylog_core::Error>(())
/// ```
#[derive(Clone)]
pub struct LoggerAdapter<'a> {
    logger: Logger,
    extra: Vec<(&'a str, Value<'a>)>,
    merge: bool,
}

impl fmt::Debug for LoggerAdapter<'_> {
    /// Python's repr: `<LoggerAdapter app (WARNING)>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<LoggerAdapter {} ({})>",
            self.logger.name(),
            level_name(self.logger.effective_level())
        )
    }
}

impl<'a> LoggerAdapter<'a> {
    /// Python: `LoggerAdapter(logger, extra)`. See also [`Logger::adapter`].
    pub fn new<V: Into<Value<'a>>>(
        logger: Logger,
        extra: impl IntoIterator<Item = (&'a str, V)>,
    ) -> LoggerAdapter<'a> {
        LoggerAdapter {
            logger,
            extra: extra.into_iter().map(|(k, v)| (k, v.into())).collect(),
            merge: false,
        }
    }

    /// CPython 3.13's `merge_extra`: with `true`, a call's own extras are kept beside the
    /// adapter's and win a name clash; with `false` (the default, CPython 3.11) the adapter's
    /// replace them.
    pub fn merge_extra(mut self, merge: bool) -> Self {
        self.merge = merge;
        self
    }

    /// The adapter's extras (Python: `adapter.extra`).
    pub fn extra(&self) -> &[(&'a str, Value<'a>)] {
        &self.extra
    }

    /// The underlying logger (Python: `adapter.logger`).
    pub fn logger(&self) -> &Logger {
        &self.logger
    }

    /// The logger's name (Python: `adapter.name`).
    pub fn name(&self) -> &str {
        self.logger.name()
    }

    /// Python: `LoggerAdapter.isEnabledFor`.
    pub fn is_enabled_for(&self, level: Level) -> bool {
        self.logger.is_enabled_for(level)
    }

    /// Python: `LoggerAdapter.setLevel`: sets the underlying logger's level.
    pub fn set_level(&self, level: Level) {
        self.logger.set_level(level);
    }

    /// Python: `LoggerAdapter.getEffectiveLevel`.
    pub fn effective_level(&self) -> Level {
        self.logger.effective_level()
    }

    /// Python: `LoggerAdapter.hasHandlers`.
    pub fn has_handlers(&self) -> bool {
        self.logger.has_handlers()
    }

    /// A logging call with the adapter's extras, to which an error, a stack or (with
    /// [`merge_extra`](LoggerAdapter::merge_extra)) more extras can be added.
    #[track_caller]
    pub fn event(&self, level: Level) -> LogCall<'_> {
        self.logger
            .event(level)
            .site(CallSite::caller())
            .bound(&self.extra, self.merge)
    }

    /// Logs `msg` at `level` with the adapter's extras. Python: `LoggerAdapter.log`.
    #[track_caller]
    pub fn log(&self, level: Level, msg: impl fmt::Display) {
        if self.logger.is_enabled_for(level) {
            self.logger
                .log_at(level, CallSite::caller(), &msg, &self.extra, None);
        }
    }

    /// Logs at DEBUG. Python: `LoggerAdapter.debug`.
    #[track_caller]
    pub fn debug(&self, msg: impl fmt::Display) {
        self.log(Level::DEBUG, msg);
    }

    /// Logs at INFO. Python: `LoggerAdapter.info`.
    #[track_caller]
    pub fn info(&self, msg: impl fmt::Display) {
        self.log(Level::INFO, msg);
    }

    /// Logs at WARNING. Python: `LoggerAdapter.warning`.
    #[track_caller]
    pub fn warning(&self, msg: impl fmt::Display) {
        self.log(Level::WARNING, msg);
    }

    /// Logs at ERROR. Python: `LoggerAdapter.error`.
    #[track_caller]
    pub fn error(&self, msg: impl fmt::Display) {
        self.log(Level::ERROR, msg);
    }

    /// Logs at CRITICAL. Python: `LoggerAdapter.critical`.
    #[track_caller]
    pub fn critical(&self, msg: impl fmt::Display) {
        self.log(Level::CRITICAL, msg);
    }

    /// Logs at ERROR with an error attached. Python: `LoggerAdapter.exception`.
    #[track_caller]
    pub fn exception<E: StdError + 'static>(&self, msg: impl fmt::Display, error: &E) {
        if self.logger.is_enabled_for(Level::ERROR) {
            self.logger.log_at(
                Level::ERROR,
                CallSite::caller(),
                &msg,
                &self.extra,
                Some((error, std::any::type_name::<E>())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Formatter, Manager, SharedWriter, StreamHandler};

    fn tree(format: &str) -> (Manager, SharedWriter) {
        let tree = Manager::new();
        let out = SharedWriter::new();
        tree.root().add_handler(
            StreamHandler::writer(out.clone()).with_formatter(Formatter::new(format).unwrap()),
        );
        (tree, out)
    }

    #[test]
    fn every_level_carries_the_extras() {
        let (tree, out) = tree("%(levelname)s %(request_id)s %(n)d %(message)s");
        let log = tree
            .get_logger("app")
            .adapter([("request_id", Value::Str("abc")), ("n", Value::Int(3))]);
        log.set_level(Level::DEBUG);
        log.debug("d");
        log.info("i");
        log.warning("w");
        log.error("e");
        log.critical("c");
        log.log(Level::new(25), "l");
        assert_eq!(
            out.contents(),
            "DEBUG abc 3 d\nINFO abc 3 i\nWARNING abc 3 w\nERROR abc 3 e\nCRITICAL abc 3 c\nLevel 25 abc 3 l\n"
        );
        assert_eq!(format!("{log:?}"), "<LoggerAdapter app (DEBUG)>");
    }

    #[test]
    fn the_adapters_extras_replace_the_calls_own_as_in_cpython_3_11() {
        let (tree, out) = tree("%(message)s");
        let format = Formatter::builder("%(user)s %(own)s")
            .default_field("own", "-")
            .build()
            .unwrap();
        tree.root().handlers()[0].set_formatter(Some(format));
        let log = tree.get_logger("app").adapter([("user", "alice")]);
        log.event(Level::WARNING)
            .extra("user", "bob")
            .extra("own", "x")
            .log("m");
        let merging = log.clone().merge_extra(true);
        merging
            .event(Level::WARNING)
            .extra("user", "bob")
            .extra("own", "x")
            .log("m");
        merging.warning("m");
        assert_eq!(out.contents(), "alice -\nbob x\nalice -\n");
    }

    #[test]
    fn an_adapter_without_extras_still_drops_the_calls_own() {
        let (tree, out) = tree("%(message)s %(user)s");
        tree.root().handlers()[0].set_formatter(Some(
            Formatter::builder("%(message)s %(user)s")
                .default_field("user", "none")
                .build()
                .unwrap(),
        ));
        let log = tree
            .get_logger("app")
            .adapter(std::iter::empty::<(&str, Value<'_>)>());
        log.event(Level::ERROR).extra("user", "bob").log("m");
        assert_eq!(out.contents(), "m none\n");
    }

    #[test]
    fn disabled_levels_log_nothing_and_errors_follow() {
        let (tree, out) = tree("%(levelname)s %(message)s");
        let log = tree.get_logger("app").adapter([("k", 1)]);
        log.info("hidden");
        log.exception("failed", &std::io::Error::other("disk full"));
        assert_eq!(
            out.contents(),
            "ERROR failed\nstd::io::error::Error: disk full\n"
        );
    }
}
