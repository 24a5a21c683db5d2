//! Loggers: named points in the tree where records enter. Python: `logging.Logger`.
//!
//! A record logged on `app.db` is checked against the logger's effective level (its own, or the
//! nearest ancestor's that is set), then its filters, then handed to the handlers of `app.db`, `app`
//! and `root` in turn while `propagate` is true; each handler applies its own level. Ancestors'
//! levels, filters and `disabled` flags are not consulted on the way up, exactly as in Python.
//!
//! ```
//! use pylog_core::{Level, Manager, SharedWriter, StreamHandler};
//! let tree = Manager::new();
//! let out = SharedWriter::new();
//! tree.root().add_handler(StreamHandler::writer(out.clone()).with_level(Level::ERROR));
//! let db = tree.get_logger("app.db");
//! db.set_level(Level::INFO);
//! db.warning("slow query");      // enabled on app.db, but the root's handler wants ERROR
//! db.error("connection lost");
//! assert_eq!(out.contents(), "connection lost\n");
//! ```

use std::backtrace::Backtrace;
use std::cell::Cell;
use std::error::Error as StdError;
use std::fmt;
use std::io::Write as _;
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use arc_swap::{ArcSwap, ArcSwapOption};

use crate::filter::{Filter, Filters};
use crate::handler::{Handler, HandlerSnapshot};
use crate::hazard_cell::{HazardCell, Protected};
use crate::level::Level;
use crate::level_cache::LevelCache;
use crate::manager::{Manager, config_generation, notify_config_change};
use crate::message::Message;
use crate::record::{LogRecord, Value};
use crate::scratch;

pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) level: AtomicI32,
    pub(crate) parent: ArcSwapOption<Node>,
    pub(crate) propagate: AtomicBool,
    pub(crate) disabled: AtomicBool,
    pub(crate) handlers: ArcSwap<Vec<Handler>>,
    pub(crate) filters: Filters,
    pub(crate) chain: HazardCell<HandlerChain>,
    /// The lowest level [`Logger::is_enabled_for`] lets through, for one configuration generation.
    pub(crate) enabled_from: LevelCache,
}

/// The handlers on a logger's propagation path, with what a record reads of each (level,
/// formatter, filters), for one configuration generation: a record loads this once for the
/// whole chain.
pub(crate) struct HandlerChain {
    generation: u64,
    handlers: Vec<HandlerSnapshot>,
    /// Whether a record logged here may be read for its trace-context extras (see
    /// [`Logger::reads_trace_context`]).
    reads_trace_context: bool,
}

impl Node {
    pub(crate) fn new(name: String, level: Level) -> Arc<Node> {
        Arc::new(Node {
            name,
            level: AtomicI32::new(level.value()),
            parent: ArcSwapOption::empty(),
            propagate: AtomicBool::new(true),
            disabled: AtomicBool::new(false),
            handlers: ArcSwap::from_pointee(Vec::new()),
            filters: Filters::default(),
            chain: HazardCell::new(),
            enabled_from: LevelCache::default(),
        })
    }
}

/// Where a logging call was made: what the direct API's macros and `#[track_caller]` capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallSite {
    /// The source file.
    pub file: &'static str,
    /// The line.
    pub line: u32,
    /// The function, when a macro captured it.
    pub func: Option<&'static str>,
    /// The module path, when a macro captured it.
    pub module_path: Option<&'static str>,
}

impl CallSite {
    /// The call site of the caller (through `#[track_caller]`).
    #[track_caller]
    pub fn caller() -> CallSite {
        let location = Location::caller();
        CallSite {
            file: location.file(),
            line: location.line(),
            func: None,
            module_path: None,
        }
    }
}

/// A named logger. Python: `logging.Logger`. Cheap to clone; clones are the same logger.
#[derive(Clone)]
pub struct Logger {
    node: Arc<Node>,
    manager: Manager,
}

impl fmt::Debug for Logger {
    /// Python's repr: `<Logger app.db (INFO)>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_root() {
            "RootLogger"
        } else {
            "Logger"
        };
        write!(f, "<{kind} {} ({})>", self.name(), self.effective_level())
    }
}

impl PartialEq for Logger {
    fn eq(&self, other: &Logger) -> bool {
        Arc::ptr_eq(&self.node, &other.node)
    }
}

impl Eq for Logger {}

impl Logger {
    pub(crate) fn from_node(node: Arc<Node>, manager: Manager) -> Logger {
        Logger { node, manager }
    }

    pub(crate) fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// The dotted name (`root` for the root logger).
    pub fn name(&self) -> &str {
        &self.node.name
    }

    /// Whether this is the root logger.
    pub fn is_root(&self) -> bool {
        Arc::ptr_eq(&self.node, &self.manager.0.root)
    }

    /// The tree this logger belongs to.
    pub fn manager(&self) -> &Manager {
        &self.manager
    }

    /// The level set on this logger (NOTSET: inherit).
    pub fn level(&self) -> Level {
        Level::new(self.node.level.load(Ordering::Relaxed))
    }

    /// Python: `Logger.setLevel`.
    pub fn set_level(&self, level: Level) {
        self.node.level.store(level.value(), Ordering::Relaxed);
        notify_config_change();
    }

    /// The parent in the tree (`None` for the root).
    pub fn parent(&self) -> Option<Logger> {
        self.node
            .parent
            .load_full()
            .map(|node| Logger::from_node(node, self.manager.clone()))
    }

    /// Python: `Logger.getChild(suffix)`; on the root, the child is named `suffix` alone.
    pub fn get_child(&self, suffix: &str) -> Logger {
        if self.is_root() {
            self.manager.get_logger(suffix)
        } else {
            self.manager
                .get_logger(&format!("{}.{suffix}", self.name()))
        }
    }

    /// Python: `Logger.getEffectiveLevel`: the first level set on this logger or an ancestor.
    pub fn effective_level(&self) -> Level {
        let mut level = self.node.level.load(Ordering::Relaxed);
        if level != 0 {
            return Level::new(level);
        }
        let mut current = self.node.parent.load_full();
        while let Some(node) = current {
            level = node.level.load(Ordering::Relaxed);
            if level != 0 {
                return Level::new(level);
            }
            current = node.parent.load_full();
        }
        Level::NOTSET
    }

    /// Python: `Logger.isEnabledFor(level)`: not disabled, above `disable()`, and at or above the
    /// effective level, or wanted by a [test capture](crate::testing) on this logger (assertLogs
    /// lowers the level the same way).
    ///
    /// The answer comes from a per-logger cache of the lowest enabled level, refreshed after any
    /// configuration change: a disabled call costs two relaxed loads and a compare. The cache is
    /// filled only while no test capture lives (a capture's start and end change the
    /// configuration generation), so a hit never needs to ask the captures.
    #[inline]
    pub fn is_enabled_for(&self, level: Level) -> bool {
        // Read the generation first: a change while the threshold is computed leaves the cache
        // tagged with the older generation, so the next call computes it again.
        let generation = config_generation();
        match self.node.enabled_from.threshold(generation) {
            Some(threshold) => i64::from(level.value()) >= threshold,
            None => self.is_enabled_for_uncached(generation, level),
        }
    }

    /// `is_enabled_for` after a configuration change, or while a test capture lives.
    #[inline(never)]
    fn is_enabled_for_uncached(&self, generation: u64, level: Level) -> bool {
        let threshold = self.lowest_enabled_level();
        let capturing = crate::testing::any_active();
        if !capturing {
            self.node.enabled_from.fill(generation, threshold);
        }
        i64::from(level.value()) >= threshold || (capturing && self.wanted_by_capture(level))
    }

    /// Whether a test capture on this logger takes `level` below the logger's own level. A
    /// disabled logger and `Manager::disable` still win, as they do over `assertLogs` in Python.
    #[cold]
    fn wanted_by_capture(&self, level: Level) -> bool {
        crate::testing::wanted(&self.manager, self.name(), level)
            && !self.node.disabled.load(Ordering::Relaxed)
            && self.manager.0.disable.load(Ordering::Relaxed) < level.value()
    }

    /// The lowest level [`is_enabled_for`](Logger::is_enabled_for) accepts, read from the tree:
    /// `i32::MAX + 1` (nothing) for a disabled logger, else the effective level or the level
    /// above `Manager::disable`'s, whichever is higher.
    fn lowest_enabled_level(&self) -> i64 {
        if self.node.disabled.load(Ordering::Relaxed) {
            return i64::from(i32::MAX) + 1;
        }
        let above_disable = i64::from(self.manager.0.disable.load(Ordering::Relaxed)) + 1;
        above_disable.max(i64::from(self.effective_level().value()))
    }

    /// Whether records propagate to the parent's handlers.
    pub fn propagate(&self) -> bool {
        self.node.propagate.load(Ordering::Relaxed)
    }

    /// Python: `Logger.propagate = ...`.
    pub fn set_propagate(&self, propagate: bool) {
        self.node.propagate.store(propagate, Ordering::Relaxed);
        notify_config_change();
    }

    /// Whether the logger is disabled.
    pub fn disabled(&self) -> bool {
        self.node.disabled.load(Ordering::Relaxed)
    }

    /// Python: `Logger.disabled = ...`: a disabled logger drops what is logged on it (but still
    /// passes on what its children propagate).
    pub fn set_disabled(&self, disabled: bool) {
        self.node.disabled.store(disabled, Ordering::Relaxed);
        notify_config_change();
    }

    /// Python: `Logger.addHandler` (a handler already present is not added twice).
    pub fn add_handler(&self, handler: Handler) {
        self.node.handlers.rcu(|list| {
            let mut list = Vec::clone(list);
            if !list.contains(&handler) {
                list.push(handler.clone());
            }
            list
        });
        notify_config_change();
    }

    /// Python: `Logger.removeHandler`.
    pub fn remove_handler(&self, handler: &Handler) {
        self.node.handlers.rcu(|list| {
            list.iter()
                .filter(|h| *h != handler)
                .cloned()
                .collect::<Vec<_>>()
        });
        notify_config_change();
    }

    /// Removes every handler and returns them (not closed).
    pub fn clear_handlers(&self) -> Vec<Handler> {
        let old = self.node.handlers.swap(Arc::new(Vec::new()));
        notify_config_change();
        Vec::clone(&old)
    }

    /// The handlers attached to this logger.
    pub fn handlers(&self) -> Vec<Handler> {
        Vec::clone(&self.node.handlers.load())
    }

    /// Whether handlers are attached to this logger itself.
    pub fn has_own_handlers(&self) -> bool {
        !self.node.handlers.load().is_empty()
    }

    /// Python: `Logger.hasHandlers`: whether this logger or an ancestor reached by propagation has
    /// a handler.
    pub fn has_handlers(&self) -> bool {
        let mut node = Some(self.node.clone());
        while let Some(n) = node {
            if !n.handlers.load().is_empty() {
                return true;
            }
            if !n.propagate.load(Ordering::Relaxed) {
                return false;
            }
            node = n.parent.load_full();
        }
        false
    }

    /// Python: `Logger.addFilter`. Logger filters apply only to records logged on this logger, not
    /// to records propagated from children.
    ///
    /// Any [`Filter`]: a [`NameFilter`](crate::NameFilter), a closure, or an `Arc<dyn Filter>`
    /// kept to pass to `remove_filter` later.
    pub fn add_filter(&self, filter: impl Filter) {
        self.node.filters.add(crate::filter::shared(filter));
    }

    /// The logger's filters.
    pub fn filters(&self) -> Vec<Arc<dyn Filter>> {
        self.node.filters.snapshot()
    }

    /// Python: `Logger.removeFilter`.
    pub fn remove_filter(&self, filter: &Arc<dyn Filter>) {
        self.node.filters.remove(filter);
    }

    /// Removes every filter.
    pub fn clear_filters(&self) {
        self.node.filters.clear();
    }

    /// Python: `Logger.handle`: unless disabled or filtered out, hands the record to the handlers of
    /// this logger and its ancestors (see the module docs). The level is not checked here.
    pub fn handle(&self, record: &LogRecord<'_>) {
        self.handle_here(record);
    }

    /// [`Logger::handle`], inlined into the direct API's record path.
    #[inline(always)]
    fn handle_here(&self, record: &LogRecord<'_>) {
        if self.node.disabled.load(Ordering::Relaxed) || !self.node.filters.allow(record) {
            return;
        }
        if crate::testing::any_active() {
            crate::testing::offer(&self.manager, record);
            // A record below the logger's level that only a capture let in goes to the capture
            // alone, as assertLogs' handler is the only one that sees it.
            if record.level < self.effective_level()
                && crate::testing::wanted(&self.manager, self.name(), record.level)
            {
                return;
            }
        }
        self.call_handlers_here(record);
    }

    /// Python: `Logger.callHandlers`.
    pub fn call_handlers(&self, record: &LogRecord<'_>) {
        self.call_handlers_here(record);
    }

    /// [`Logger::call_handlers`], inlined into [`Logger::handle`]'s body.
    #[inline(always)]
    fn call_handlers_here(&self, record: &LogRecord<'_>) {
        let chain = self.handler_chain();
        let handlers = chain.as_deref().map_or(&[][..], |c| c.handlers.as_slice());
        for handler in handlers {
            if record.level >= handler.level {
                handler.handle(record);
            }
        }
        if handlers.is_empty() {
            self.no_handler_found(record);
        }
    }

    /// The handlers a record logged here meets, in order (this logger's, then its ancestors' while
    /// `propagate` holds), cached until the tree's configuration changes.
    fn handler_chain(&self) -> Option<Protected<'_, HandlerChain>> {
        // Read the generation before walking the tree: a change during the walk leaves the result
        // tagged as stale, never a stale result tagged as fresh.
        let generation = config_generation();
        let cached = self.node.chain.read();
        if cached
            .as_ref()
            .is_some_and(|chain| chain.generation == generation)
        {
            return cached;
        }
        // Let go of the stale chain before it is replaced, so that it is freed at once rather
        // than retired while this thread still announces it.
        drop(cached);
        self.build_handler_chain()
    }

    /// Walks the tree for the handler chain, never while a configuration is being applied: the
    /// walk is repeated if one began meanwhile, so a chain is all old or all new.
    #[cold]
    fn build_handler_chain(&self) -> Option<Protected<'_, HandlerChain>> {
        loop {
            let generation = config_generation();
            let before = self.manager.reconfiguration_count();
            if before % 2 == 1 {
                std::thread::yield_now();
                continue;
            }
            let mut handlers = Vec::new();
            // Python runs a logger's own filters only on the records logged there.
            let mut reads_trace_context = self.node.filters.current().is_some();
            let mut node = Some(self.node.clone());
            while let Some(n) = node {
                for handler in n.handlers.load().iter() {
                    reads_trace_context |= handler.reads_trace_context();
                    handlers.push(handler.snapshot());
                }
                if !n.propagate.load(Ordering::Relaxed) {
                    break;
                }
                node = n.parent.load_full();
            }
            if handlers.is_empty()
                && let Some(last_resort) = self.manager.0.last_resort.load().as_deref()
            {
                reads_trace_context |= last_resort.reads_trace_context();
            }
            self.node.chain.store(Some(Arc::new(HandlerChain {
                generation,
                handlers,
                reads_trace_context,
            })));
            let chain = self.node.chain.read();
            if self.manager.reconfiguration_count() == before {
                return chain;
            }
        }
    }

    fn no_handler_found(&self, record: &LogRecord<'_>) {
        match self.manager.0.last_resort.load().as_deref() {
            Some(last_resort) => {
                if record.level >= last_resort.level() {
                    last_resort.handle(record);
                }
            }
            None => {
                if !self
                    .manager
                    .0
                    .no_handler_warned
                    .swap(true, Ordering::Relaxed)
                {
                    let _ = writeln!(
                        std::io::stderr().lock(),
                        "No handlers could be found for logger \"{}\"",
                        self.name()
                    );
                }
            }
        }
    }

    /// The lowest level for which a record logged here would reach some handler (or the last
    /// resort), ignoring filters: what callers that filter early may safely drop below.
    pub fn loosest_accepted_level(&self) -> Level {
        let effective = self.effective_level();
        let chain = self.handler_chain();
        let handlers = chain.as_deref().map_or(&[][..], |c| c.handlers.as_slice());
        let sink = match handlers.iter().map(|h| h.level).min() {
            Some(level) => level,
            None => self
                .manager
                .last_resort()
                .map_or(Level::new(i32::MAX), |h| h.level()),
        };
        effective.max(sink)
    }

    /// Whether something a record logged here meets may read its OpenTelemetry trace-context
    /// extras (`otelTraceID`, `otelSpanID`, `otelTraceSampled`): a handler whose destination reads
    /// extras itself (OTLP, socket, HTTP, journald, a queue), a formatter whose format names one
    /// or that writes every extra, or a filter (this logger's or a handler's; filters are not
    /// inspected). Cached with the handler chain until the configuration changes. Not public API:
    /// the `tracing` layer looks up the trace context only for records that need it.
    #[doc(hidden)]
    pub fn reads_trace_context(&self) -> bool {
        self.handler_chain()
            .as_ref()
            .is_some_and(|chain| chain.reads_trace_context)
    }

    /// Whether a record at `level` logged here could reach any output: enabled here, and some
    /// handler on the propagation path (or the last resort) accepts its level. Filters are not run.
    pub fn could_accept(&self, level: Level) -> bool {
        self.is_enabled_for(level) && level >= self.loosest_accepted_level()
    }

    /// Logs `msg` at `level`. Python: `Logger.log(level, msg)`. The call site is the caller's.
    #[track_caller]
    pub fn log(&self, level: Level, msg: impl fmt::Display) {
        if self.is_enabled_for(level) {
            self.log_record(
                level,
                CallSite::caller(),
                Message::of(&msg),
                &[],
                None,
                None,
            );
        }
    }

    /// Logs at DEBUG. Python: `Logger.debug`.
    #[track_caller]
    pub fn debug(&self, msg: impl fmt::Display) {
        self.log(Level::DEBUG, msg);
    }

    /// Logs at INFO. Python: `Logger.info`.
    #[track_caller]
    pub fn info(&self, msg: impl fmt::Display) {
        self.log(Level::INFO, msg);
    }

    /// Logs at WARNING. Python: `Logger.warning`.
    #[track_caller]
    pub fn warning(&self, msg: impl fmt::Display) {
        self.log(Level::WARNING, msg);
    }

    /// Logs at ERROR. Python: `Logger.error`.
    #[track_caller]
    pub fn error(&self, msg: impl fmt::Display) {
        self.log(Level::ERROR, msg);
    }

    /// Logs at CRITICAL. Python: `Logger.critical`.
    #[track_caller]
    pub fn critical(&self, msg: impl fmt::Display) {
        self.log(Level::CRITICAL, msg);
    }

    /// Logs at ERROR with an error attached: the error and its `source()` chain follow the message.
    /// Python: `Logger.exception`.
    ///
    /// ```
    /// use pylog_core::{Manager, SharedWriter, StreamHandler};
    /// let tree = Manager::new();
    /// let out = SharedWriter::new();
    /// tree.root().add_handler(StreamHandler::writer(out.clone()));
    /// let err = std::io::Error::other("disk full");
    /// tree.get_logger("app").exception("save failed", &err);
    /// assert_eq!(out.contents(), "save failed\nstd::io::error::Error: disk full\n");
    /// ```
    #[track_caller]
    pub fn exception<E: StdError + 'static>(&self, msg: impl fmt::Display, error: &E) {
        if self.is_enabled_for(Level::ERROR) {
            self.log_record(
                Level::ERROR,
                CallSite::caller(),
                Message::of(&msg),
                &[],
                Some((error, std::any::type_name::<E>())),
                None,
            );
        }
    }

    /// A logging call with extras, an error or a call site: `logger.event(Level::INFO).extra("user",
    /// 7).log("saved")`.
    #[track_caller]
    pub fn event(&self, level: Level) -> LogCall<'_> {
        LogCall {
            logger: self,
            level,
            site: CallSite::caller(),
            extras: Vec::new(),
            error: None,
            stack_info: false,
            bound: None,
        }
    }

    /// A [`LoggerAdapter`](crate::LoggerAdapter) over this logger, whose records all carry `extra`.
    /// Python: `LoggerAdapter(logger, extra)`.
    pub fn adapter<'a, V: Into<Value<'a>>>(
        &self,
        extra: impl IntoIterator<Item = (&'a str, V)>,
    ) -> crate::LoggerAdapter<'a> {
        crate::LoggerAdapter::new(self.clone(), extra)
    }

    /// Builds the record and handles it; the level must already have been checked. `msg` is any
    /// `Display`, a `&dyn Display` too; `&format_args!(..)` is written in one pass.
    #[inline]
    pub fn log_at<M: fmt::Display + ?Sized>(
        &self,
        level: Level,
        site: CallSite,
        msg: &M,
        extras: &[(&str, Value<'_>)],
        error: Option<(&(dyn StdError + 'static), &'static str)>,
    ) {
        self.log_record(level, site, Message::of(&msg), extras, error, None);
    }

    /// [`Logger::log_at`], with a captured stack.
    fn log_record(
        &self,
        level: Level,
        site: CallSite,
        msg: Message<'_>,
        extras: &[(&str, Value<'_>)],
        error: Option<(&(dyn StdError + 'static), &'static str)>,
        stack: Option<&Backtrace>,
    ) {
        let mut buffer = scratch::take(&MESSAGE_BUFFER);
        msg.write_to(&mut buffer);
        {
            let mut record = LogRecord::new(self.name(), level, &buffer);
            record.pathname = site.file;
            record.lineno = site.line;
            record.func_name = site.func;
            record.module_path = site.module_path;
            record.extras = extras;
            record.stack = stack;
            if let Some((err, type_name)) = error {
                record.exc_info = Some(err);
                record.exc_type = Some(type_name);
            }
            self.handle_here(&record);
        }
        scratch::give_back(&MESSAGE_BUFFER, buffer);
    }
}

thread_local! {
    static MESSAGE_BUFFER: Cell<String> = const { Cell::new(String::new()) };
}

/// A logging call being built: extras, an attached error, a captured stack, a call site. See
/// [`Logger::event`].
#[must_use = "a LogCall does nothing until .log(msg) is called"]
pub struct LogCall<'l> {
    logger: &'l Logger,
    level: Level,
    site: CallSite,
    extras: Vec<(&'l str, Value<'l>)>,
    error: Option<(&'l (dyn StdError + 'static), &'static str)>,
    stack_info: bool,
    /// An adapter's extras, and whether the call's own are merged with them.
    bound: Option<(&'l [(&'l str, Value<'l>)], bool)>,
}

impl<'l> LogCall<'l> {
    /// Adds an extra attribute, usable in formats as `%(key)s`. Python: `extra={...}`.
    pub fn extra(mut self, key: &'l str, value: impl Into<Value<'l>>) -> Self {
        self.extras.push((key, value.into()));
        self
    }

    /// Attaches an error (Python: `exc_info`).
    pub fn error<E: StdError + 'static>(mut self, error: &'l E) -> Self {
        self.error = Some((error, std::any::type_name::<E>()));
        self
    }

    /// Python's `stack_info=True`: captures the stack when the record is logged (only if its level
    /// is enabled), and formatters append it after the message as `Stack (most recent call
    /// last):` and one `File` line per frame, the caller last (see [`format_stack`](crate::format_stack)).
    ///
    /// ```
    /// use pylog_core::{Level, Manager, SharedWriter, StreamHandler};
    /// let tree = Manager::new();
    /// let out = SharedWriter::new();
    /// tree.root().add_handler(StreamHandler::writer(out.clone()));
    /// tree.get_logger("app").event(Level::WARNING).stack_info(true).log("here");
    /// assert!(out.contents().starts_with("here\nStack (most recent call last):"));
    /// ```
    pub fn stack_info(mut self, on: bool) -> Self {
        self.stack_info = on;
        self
    }

    /// Sets the call site (used by macros that capture the function name).
    pub fn site(mut self, site: CallSite) -> Self {
        self.site = site;
        self
    }

    /// An adapter's extras: they replace the call's own (CPython 3.11), or with `merge`, come
    /// after them, so the call's own win (CPython 3.13's `merge_extra=True`).
    pub(crate) fn bound(mut self, extras: &'l [(&'l str, Value<'l>)], merge: bool) -> Self {
        self.bound = Some((extras, merge));
        self
    }

    /// Logs `msg` if the level is enabled.
    pub fn log(mut self, msg: impl fmt::Display) {
        if !self.logger.is_enabled_for(self.level) {
            return;
        }
        let stack = self.stack_info.then(Backtrace::force_capture);
        let extras: &[(&str, Value<'_>)] = match self.bound {
            None => &self.extras,
            Some((bound, false)) => bound,
            Some((bound, true)) => {
                self.extras.extend_from_slice(bound);
                &self.extras
            }
        };
        self.logger.log_record(
            self.level,
            self.site,
            Message::of(&msg),
            extras,
            self.error,
            stack.as_ref(),
        );
    }
}
