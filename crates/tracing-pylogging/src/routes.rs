//! From a `tracing` target to its logger, and whether that logger could output a level: cached per
//! target, refreshed when the logger tree's configuration changes.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arc_swap::ArcSwap;
use pylogging_core::{Level, Logger, Manager, config_generation};

/// A target's logger and its cached acceptance threshold.
pub(crate) struct Route {
    pub(crate) logger: Logger,
    /// `generation << 32 | threshold as u32`, where threshold is the lowest level that could reach
    /// an output; `u64::MAX` means not computed yet.
    cached: AtomicU64,
}

impl Route {
    fn new(logger: Logger) -> Route {
        Route {
            logger,
            cached: AtomicU64::new(u64::MAX),
        }
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
        let threshold = compute_threshold(&self.logger);
        self.cached.store(
            ((generation & 0xFFFF_FFFF) << 32) | u64::from(threshold as u32),
            Ordering::Release,
        );
        threshold
    }
}

fn compute_threshold(logger: &Logger) -> i32 {
    if logger.disabled() {
        return i32::MAX;
    }
    let disabled_up_to = logger.manager().disabled_level().value();
    let loosest = logger.loosest_accepted_level().value();
    // Python's isEnabledFor: `disable >= level` blocks, and so does level 0 (NOTSET) itself.
    loosest.max(disabled_up_to.saturating_add(1)).max(1)
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
    manager: Manager,
    map: ArcSwap<HashMap<Box<str>, Arc<Route>>>,
}

impl Routes {
    pub(crate) fn new(manager: Manager) -> Routes {
        Routes {
            manager,
            map: ArcSwap::from_pointee(HashMap::new()),
        }
    }

    pub(crate) fn manager(&self) -> &Manager {
        &self.manager
    }

    /// The route for `target`, created on first use.
    pub(crate) fn get(&self, target: &str) -> Arc<Route> {
        if let Some(route) = self.map.load().get(target) {
            return route.clone();
        }
        let route = Arc::new(Route::new(self.manager.get_logger(&logger_name(target))));
        self.map.rcu(|map| {
            let mut map = HashMap::clone(map);
            map.entry(target.into()).or_insert_with(|| route.clone());
            map
        });
        self.map
            .load()
            .get(target)
            .cloned()
            .unwrap_or(route)
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
        assert_eq!(route.logger.name(), "app.db");
        // No handler anywhere: the last resort takes WARNING and above.
        assert!(!route.accepts(Level::INFO));
        assert!(route.accepts(Level::WARNING));
        tree.root().set_level(Level::DEBUG);
        tree.root().add_handler(StreamHandler::writer(std::io::sink()).with_level(Level::INFO));
        assert!(route.accepts(Level::INFO));
        assert!(!route.accepts(Level::DEBUG));
        tree.get_logger("app").add_handler(NullHandler::new());
        assert!(route.accepts(Level::DEBUG));
        route.logger.set_disabled(true);
        assert!(!route.accepts(Level::CRITICAL));
    }
}
