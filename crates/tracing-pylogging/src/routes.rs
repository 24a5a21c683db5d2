//! From a `tracing` target to its logger, and whether that logger could output a level: cached per
//! target, refreshed when the logger tree's configuration changes.
//!
//! Deciding does not create loggers. `register_callsite` runs on every subscriber of the process for
//! every callsite, so creating the logger there would fill each tree with the targets of callsites
//! meant for other trees (and with every callsite's target before any of them logs, which
//! `disable_existing_loggers` would then disable). A target whose logger does not exist yet is judged
//! as Python would judge a fresh logger there: a NOTSET logger without handlers under the nearest
//! existing ancestor. The logger itself is created (Python's `getLogger`) when a record is
//! actually handled on it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use arc_swap::{ArcSwap, ArcSwapOption};
use pylogging_core::{Level, Logger, Manager, config_generation};

/// The tree's logger names (sorted), taken once per configuration generation.
///
/// A logger created since then without being configured (no level, handlers or flags set, all of
/// which change the generation) accepts exactly what its stand-in under the nearest listed ancestor
/// accepts, so a list that misses it still gives the right answer.
struct Names {
    manager: Manager,
    snapshot: ArcSwapOption<(u64, Vec<String>)>,
}

impl Names {
    fn get(&self) -> Arc<(u64, Vec<String>)> {
        let generation = config_generation();
        if let Some(snapshot) = self.snapshot.load_full()
            && snapshot.0 == generation
        {
            return snapshot;
        }
        let snapshot = Arc::new((generation, self.manager.logger_names()));
        self.snapshot.store(Some(snapshot.clone()));
        snapshot
    }

    fn contains(names: &[String], name: &str) -> bool {
        names.binary_search_by(|n| n.as_str().cmp(name)).is_ok()
    }
}

/// A target's logger and its cached acceptance threshold.
pub(crate) struct Route {
    names: Arc<Names>,
    manager: Manager,
    /// The dotted logger name.
    name: Box<str>,
    /// The logger, once it exists.
    logger: OnceLock<Logger>,
    /// `generation << 32 | threshold as u32`, where threshold is the lowest level that could reach
    /// an output; `u64::MAX` means not computed yet.
    cached: AtomicU64,
}

impl Route {
    fn new(names: Arc<Names>, name: Box<str>) -> Route {
        Route {
            manager: names.manager.clone(),
            names,
            name,
            logger: OnceLock::new(),
            cached: AtomicU64::new(u64::MAX),
        }
    }

    /// The logger, created if needed (Python's `getLogger`): call it only to handle a record.
    pub(crate) fn logger(&self) -> &Logger {
        self.logger
            .get_or_init(|| self.manager.get_logger(&self.name))
    }

    /// The logger if it exists already, without creating it.
    fn existing_logger(&self) -> Option<&Logger> {
        if let Some(logger) = self.logger.get() {
            return Some(logger);
        }
        let exists = is_root_name(&self.name) || Names::contains(&self.names.get().1, &self.name);
        exists.then(|| self.logger())
    }

    /// Whether a record at `level` could reach some output through this logger: not disabled,
    /// enabled for the level, and some handler on the way (or the last resort) takes it.
    pub(crate) fn accepts(&self, level: Level) -> bool {
        level.value() >= self.threshold()
    }

    fn threshold(&self) -> i32 {
        let generation = config_generation();
        let cached = self.cached.load(Ordering::Acquire);
        if cached != u64::MAX && cached >> 32 == generation & 0xFFFF_FFFF {
            return cached as u32 as i32;
        }
        let threshold = self.compute_threshold();
        self.cached.store(
            ((generation & 0xFFFF_FFFF) << 32) | u64::from(threshold as u32),
            Ordering::Release,
        );
        threshold
    }

    fn compute_threshold(&self) -> i32 {
        let loosest = match self.existing_logger() {
            Some(logger) if logger.disabled() => return i32::MAX,
            Some(logger) => logger.loosest_accepted_level(),
            // A fresh logger would inherit its effective level from that ancestor and hand its
            // records to that ancestor's handlers and up; the ancestor's `disabled` flag is
            // ignored for its children's records.
            None => nearest_existing_ancestor(&self.manager, &self.names.get().1, &self.name)
                .loosest_accepted_level(),
        };
        let disabled_up_to = self.manager.disabled_level().value();
        // Python's isEnabledFor: `disable >= level` blocks, and so does level 0 (NOTSET) itself.
        loosest.value().max(disabled_up_to.saturating_add(1)).max(1)
    }
}

fn is_root_name(name: &str) -> bool {
    name.is_empty() || name == "root"
}

/// The logger that would become the parent of a new logger `name`: the longest dotted prefix that is
/// a logger (not a placeholder), else the root. The same walk as Python's `_fixupParents`.
fn nearest_existing_ancestor(manager: &Manager, names: &[String], name: &str) -> Logger {
    let mut end = name.rfind('.');
    while let Some(i) = end.filter(|&i| i > 0) {
        let prefix = &name[..i];
        if Names::contains(names, prefix) {
            return manager.get_logger(prefix);
        }
        // Python: name.rfind(".", 0, i - 1)
        end = name[..i - 1].rfind('.');
    }
    manager.root()
}

/// The logger name for a target: Rust's `a::b` is Python's `a.b`.
pub(crate) fn logger_name(target: &str) -> std::borrow::Cow<'_, str> {
    if target.contains("::") {
        std::borrow::Cow::Owned(target.replace("::", "."))
    } else {
        std::borrow::Cow::Borrowed(target)
    }
}

/// Routes by target, read without a lock; a new target copies the map (rare: once per target).
pub(crate) struct Routes {
    names: Arc<Names>,
    map: ArcSwap<HashMap<Box<str>, Arc<Route>>>,
}

impl Routes {
    pub(crate) fn new(manager: Manager) -> Routes {
        Routes {
            names: Arc::new(Names {
                manager,
                snapshot: ArcSwapOption::empty(),
            }),
            map: ArcSwap::from_pointee(HashMap::new()),
        }
    }

    pub(crate) fn manager(&self) -> &Manager {
        &self.names.manager
    }

    /// The route for `target`, created on first use (its logger is not).
    pub(crate) fn get(&self, target: &str) -> Arc<Route> {
        if let Some(route) = self.map.load().get(target) {
            return route.clone();
        }
        let route = Arc::new(Route::new(self.names.clone(), logger_name(target).into()));
        self.map.rcu(|map| {
            let mut map = HashMap::clone(map);
            map.entry(target.into()).or_insert_with(|| route.clone());
            map
        });
        self.map.load().get(target).cloned().unwrap_or(route)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pylogging_core::{NullHandler, StreamHandler};

    #[test]
    fn threshold_follows_levels_and_handlers() {
        let tree = Manager::new();
        let routes = Routes::new(tree.clone());
        let route = routes.get("app::db");
        // No handler anywhere: the last resort takes WARNING and above.
        assert!(!route.accepts(Level::INFO));
        assert!(route.accepts(Level::WARNING));
        tree.root().set_level(Level::DEBUG);
        tree.root()
            .add_handler(StreamHandler::writer(std::io::sink()).with_level(Level::INFO));
        assert!(route.accepts(Level::INFO));
        assert!(!route.accepts(Level::DEBUG));
        tree.get_logger("app").add_handler(NullHandler::new());
        assert!(route.accepts(Level::DEBUG));
        assert_eq!(route.logger().name(), "app.db");
        route.logger().set_disabled(true);
        assert!(!route.accepts(Level::CRITICAL));
    }

    #[test]
    fn deciding_creates_no_logger() {
        let tree = Manager::new();
        let routes = Routes::new(tree.clone());
        let app = tree.get_logger("app");
        app.set_level(Level::DEBUG);
        app.add_handler(NullHandler::new());
        // `app` is disabled: its children are judged as its fresh children would be, which
        // Python's propagation does not stop at a disabled ancestor.
        app.set_disabled(true);
        let route = routes.get("app::db::pool");
        assert!(route.accepts(Level::DEBUG));
        assert!(!route.accepts(Level::TRACE));
        assert!(!routes.get("app").accepts(Level::CRITICAL));
        assert_eq!(tree.logger_names(), ["app"]);
        assert_eq!(route.logger().parent().unwrap().name(), "app");
        assert_eq!(tree.logger_names(), ["app", "app.db.pool"]);
        assert!(routes.get("root").accepts(Level::WARNING));
    }
}
