//! A configuration read and built but not yet applied, and its atomic application to a tree.
//!
//! [`apply`] changes every logger in one step as far as records are concerned: it marks the tree
//! as being reconfigured, makes the changes, drops every cached handler chain and unmarks it. A
//! record that found its chain before the mark uses the old configuration throughout; one that
//! looks after it waits for the change to finish and uses the new one. The handlers the new
//! configuration no longer uses are closed once the records still using them have finished.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::filter::Filter;
use crate::handler::Handler;
use crate::hazard_cell::Unpublished;
use crate::level::Level;
use crate::logger::Logger;
use crate::manager::Manager;

/// What one logger of a configuration sets. `None` leaves the current value.
#[derive(Default)]
pub(crate) struct LoggerPlan {
    /// The logger's name; empty for the root.
    pub(crate) name: String,
    pub(crate) level: Option<Level>,
    pub(crate) propagate: Option<bool>,
    /// The handlers that replace the logger's own (`None` in an incremental configuration).
    pub(crate) handlers: Option<Vec<Handler>>,
    /// The filters that replace the logger's own.
    pub(crate) filters: Option<Vec<Arc<dyn Filter>>>,
}

/// A configuration ready to apply.
#[derive(Default)]
pub(crate) struct Plan {
    pub(crate) incremental: bool,
    pub(crate) disable_existing: bool,
    /// Every handler the configuration built, in the order it built them.
    pub(crate) handlers: Vec<Handler>,
    /// The named loggers, in document order.
    pub(crate) loggers: Vec<LoggerPlan>,
    pub(crate) root: Option<LoggerPlan>,
    /// fileConfig configures the root before the other loggers; dictConfig after them.
    pub(crate) root_first: bool,
    /// Incremental: new levels for handlers of the previous configuration.
    pub(crate) handler_levels: Vec<(Handler, Level)>,
    /// `PYLOG_LEVEL`: levels applied after everything else (`""` is the root).
    pub(crate) level_overrides: Vec<(String, Level)>,
}

/// How long closing waits for records still on their way to an old handler.
const QUIESCE_TIMEOUT: Duration = Duration::from_secs(5);

/// Applies `plan` to `manager`'s tree. The caller holds the tree's configuration lock.
pub(crate) fn apply(manager: &Manager, plan: Plan) {
    let previous = manager.configured_handlers();
    let attached_before = attached_handlers(manager);
    let stale_chains = {
        let _reconfiguring = manager.begin_reconfiguration();
        change_tree(manager, &plan);
        manager.take_cached_chains()
    };
    crate::manager::notify_config_change();
    if plan.incremental {
        return;
    }
    manager.set_configured_handlers(plan.handlers.clone());
    // Close what nothing uses any more, once the records that found it before the change are done.
    let attached_after = attached_handlers(manager);
    let mut retired: Vec<Handler> = Vec::new();
    for handler in previous.into_iter().chain(attached_before) {
        let in_use = attached_after.contains(&handler) || plan.handlers.contains(&handler);
        if !in_use && !retired.contains(&handler) {
            retired.push(handler);
        }
    }
    if retired.is_empty() {
        return;
    }
    wait_for_records_in_flight(stale_chains);
    // Python's shutdown order: newest first, so a memory handler flushes into its target before
    // the target closes.
    for handler in retired.iter().rev() {
        handler.flush();
        handler.close();
    }
}

fn attached_handlers(manager: &Manager) -> Vec<Handler> {
    let mut all: Vec<Handler> = Vec::new();
    for logger in manager.loggers() {
        for handler in logger.handlers() {
            if !all.contains(&handler) {
                all.push(handler);
            }
        }
    }
    all
}

/// Every change, in CPython's order, with the hooks silent until the end.
fn change_tree(manager: &Manager, plan: &Plan) {
    for (handler, level) in &plan.handler_levels {
        handler.set_level_quietly(*level);
    }
    if plan.incremental {
        for logger in plan.loggers.iter().chain(plan.root.as_ref()) {
            let target = manager.get_logger(&logger.name);
            configure_logger(&target, logger);
        }
        apply_overrides(manager, plan);
        return;
    }
    if plan.root_first
        && let Some(root) = &plan.root
    {
        configure_logger(&manager.root(), root);
    }
    // Python's `loggerDict` keys: placeholders count as existing names (so a configured `app`
    // that is only a placeholder still protects `app.old`), and are skipped below.
    // CPython's `_handle_existing_loggers`: loggers that existed and are not configured are
    // disabled (with `disable_existing_loggers`), except children of a configured logger that
    // existed too, which are reset to inherit from it. CPython finds those children by scanning
    // the sorted names after each configured one; a name is such a child when one of its dotted
    // prefixes (the text before one of its dots) is both configured and existed, which sets look
    // up in linear time overall.
    let existing = manager.entry_names();
    let configured: HashSet<&str> = plan.loggers.iter().map(|l| l.name.as_str()).collect();
    let existed: HashSet<&str> = existing.iter().map(String::as_str).collect();
    for logger in &plan.loggers {
        let target = manager.get_logger(&logger.name);
        configure_logger(&target, logger);
    }
    for name in existing.iter().filter(|n| !configured.contains(n.as_str())) {
        let Some(logger) = manager.find_logger(name) else {
            continue;
        };
        let child_of_configured = name.match_indices('.').any(|(i, _)| {
            let prefix = &name[..i];
            configured.contains(prefix) && existed.contains(prefix)
        });
        if child_of_configured {
            logger
                .node()
                .level
                .store(0, std::sync::atomic::Ordering::Relaxed);
            logger.node().handlers.store(Arc::new(Vec::new()));
            logger
                .node()
                .propagate
                .store(true, std::sync::atomic::Ordering::Relaxed);
        } else {
            logger
                .node()
                .disabled
                .store(plan.disable_existing, std::sync::atomic::Ordering::Relaxed);
        }
    }
    if !plan.root_first
        && let Some(root) = &plan.root
    {
        configure_logger(&manager.root(), root);
    }
    apply_overrides(manager, plan);
}

fn apply_overrides(manager: &Manager, plan: &Plan) {
    for (name, level) in &plan.level_overrides {
        let logger = manager.get_logger(name);
        logger
            .node()
            .level
            .store(level.value(), std::sync::atomic::Ordering::Relaxed);
    }
}

fn configure_logger(logger: &Logger, plan: &LoggerPlan) {
    use std::sync::atomic::Ordering::Relaxed;
    let node = logger.node();
    if let Some(level) = plan.level {
        node.level.store(level.value(), Relaxed);
    }
    if let Some(handlers) = &plan.handlers {
        node.handlers.store(Arc::new(handlers.clone()));
    }
    if let Some(filters) = &plan.filters {
        node.filters.replace(filters.clone());
    }
    if !logger.is_root() {
        node.disabled.store(false, Relaxed);
        if let Some(propagate) = plan.propagate {
            node.propagate.store(propagate, Relaxed);
        }
    }
}

/// Waits until no record holds one of the handler chains cached before the change (bounded, and
/// not at all on a thread that is itself inside a handler, which would wait for itself).
fn wait_for_records_in_flight(chains: Vec<Unpublished<crate::logger::HandlerChain>>) {
    if crate::handler::inside_handler() {
        return;
    }
    let deadline = Instant::now() + QUIESCE_TIMEOUT;
    for chain in chains {
        let mut spins = 0u32;
        while chain.in_use() && Instant::now() < deadline {
            // Records usually finish within microseconds; one blocked on a full queue may take
            // longer, and is waited for without burning a core.
            if spins < 1_000 {
                spins += 1;
                std::thread::yield_now();
            } else {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
}
