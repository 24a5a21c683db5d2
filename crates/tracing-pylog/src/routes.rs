//! From a `tracing` callsite or target to its logger, and whether that logger could output a level:
//! cached per callsite (keyed by its `'static` metadata) and per target, refreshed when the logger
//! tree's configuration changes.
//!
//! Deciding does not create loggers. `register_callsite` runs on every subscriber of the process for
//! every callsite, so creating the logger there would fill each tree with the targets of callsites
//! meant for other trees. A target whose logger does not exist yet is judged as Python would judge a
//! fresh logger there: a NOTSET logger without handlers under the nearest existing ancestor. The
//! logger itself is created (Python's `getLogger`) when a record is actually handled on it.
//!
//! Callsites are few and fixed (one per macro in the program), so each gets a slot of a fixed
//! table, written once and then read with one plain load; the few that find no free slot go to a
//! map copied on write and read without a lock. Targets are not: `log` records carry their target at run time
//! (`tenant::t{id}`), so the target map is sharded behind read-write locks, and a new target
//! costs one insertion, not a copy of every target seen so far.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use arc_swap::ArcSwap;
use pylog_core::{Level, Logger, Manager, config_generation};
use tracing_core::Metadata;

/// A target's logger and its cached acceptance threshold.
pub(crate) struct Route {
    manager: Manager,
    /// The dotted logger name.
    name: Box<str>,
    /// The logger, once it exists.
    logger: OnceLock<Logger>,
    /// `generation << 33 | reads_trace_context << 32 | threshold as u32` (the generation's low 31
    /// bits), where threshold is the lowest level that could reach an output and
    /// `reads_trace_context` whether anything on the way may read the trace-context extras;
    /// `u64::MAX` means not computed yet.
    cached: AtomicU64,
}

impl Route {
    fn new(manager: Manager, name: Box<str>) -> Route {
        Route {
            manager,
            name,
            logger: OnceLock::new(),
            cached: AtomicU64::new(u64::MAX),
        }
    }

    /// The logger, created if needed (Python's `getLogger`): call it only to handle a record.
    #[inline]
    pub(crate) fn logger(&self) -> &Logger {
        self.logger
            .get_or_init(|| self.manager.get_logger(&self.name))
    }

    /// The logger if it exists already, without creating it.
    fn existing_logger(&self) -> Option<&Logger> {
        if let Some(logger) = self.logger.get() {
            return Some(logger);
        }
        let found = self.manager.find_logger(&self.name)?;
        Some(self.logger.get_or_init(|| found))
    }

    /// Whether a record at `level` could reach some output through this logger: not disabled,
    /// enabled for the level, and some handler on the way (or the last resort) takes it.
    pub(crate) fn accepts(&self, level: Level) -> bool {
        self.state().accepts(level)
    }

    /// What the route's logger wants, for the current configuration: one cached load.
    #[inline]
    pub(crate) fn state(&self) -> RouteState {
        RouteState(self.cached_state())
    }

    /// Whether a live test capture wants a record at `level` on this logger from this thread
    /// (see `pylog_core::testing`), though no handler does.
    #[inline]
    pub(crate) fn captured(&self, level: Level) -> bool {
        pylog_core::testing::any_active()
            && pylog_core::testing::wanted(&self.manager, &self.name, level)
    }

    /// The packed `cached` value for the current generation, computed again when it changed.
    #[inline]
    fn cached_state(&self) -> u64 {
        let generation = config_generation() & GENERATION_MASK;
        let cached = self.cached.load(Ordering::Acquire);
        if cached != u64::MAX && cached >> 33 == generation {
            return cached;
        }
        self.refresh_state(generation)
    }

    /// Computes and stores the packed state for `generation` (after a configuration change, or on
    /// first use): out of line, so that the per-record check above stays a few instructions.
    #[cold]
    #[inline(never)]
    fn refresh_state(&self, generation: u64) -> u64 {
        let threshold = self.compute_threshold();
        let reads = self.compute_reads_trace_context();
        let state = (generation << 33)
            | if reads { READS_TRACE_CONTEXT } else { 0 }
            | u64::from(threshold as u32);
        self.cached.store(state, Ordering::Release);
        state
    }

    fn compute_reads_trace_context(&self) -> bool {
        match self.existing_logger() {
            Some(logger) => logger.reads_trace_context(),
            // A fresh logger's records meet that ancestor's handlers and up.
            None => self
                .manager
                .nearest_ancestor(&self.name)
                .reads_trace_context(),
        }
    }

    fn compute_threshold(&self) -> i32 {
        let loosest = match self.existing_logger() {
            Some(logger) if logger.disabled() => return i32::MAX,
            Some(logger) => logger.loosest_accepted_level(),
            // A fresh logger would inherit its effective level from that ancestor and hand its
            // records to that ancestor's handlers and up; the ancestor's `disabled` flag is
            // ignored for its children's records.
            None => self
                .manager
                .nearest_ancestor(&self.name)
                .loosest_accepted_level(),
        };
        let disabled_up_to = self.manager.disabled_level().value();
        // Python's isEnabledFor: `disable >= level` blocks, and so does level 0 (NOTSET) itself.
        loosest.value().max(disabled_up_to.saturating_add(1)).max(1)
    }
}

/// What a route's logger wants of a record, as of one configuration generation.
#[derive(Clone, Copy)]
pub(crate) struct RouteState(u64);

impl RouteState {
    /// Whether a record at `level` could reach some output (see [`Route::accepts`]).
    pub(crate) fn accepts(self, level: Level) -> bool {
        level.value() >= self.0 as u32 as i32
    }

    /// Whether anything a record logged there meets may read its trace-context extras (see
    /// `Logger::reads_trace_context`), so that the layer looks the context up.
    #[cfg(feature = "otlp")]
    pub(crate) fn reads_trace_context(self) -> bool {
        self.0 & READS_TRACE_CONTEXT != 0
    }
}

/// The bit of `Route::cached` for `reads_trace_context`.
const READS_TRACE_CONTEXT: u64 = 1 << 32;
/// The bits of the configuration generation `Route::cached` keeps.
const GENERATION_MASK: u64 = 0x7FFF_FFFF;

/// The logger name for a target: Rust's `a::b` is Python's `a.b`.
pub(crate) fn logger_name(target: &str) -> std::borrow::Cow<'_, str> {
    if target.contains("::") {
        std::borrow::Cow::Owned(target.replace("::", "."))
    } else {
        std::borrow::Cow::Borrowed(target)
    }
}

/// Hashes a callsite's metadata address: one multiplication instead of SipHash over the target.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type ByCallsite = HashMap<usize, Arc<Route>, BuildHasherDefault<AddressHasher>>;

/// How many callsites the slot table holds at most.
const CALLSITE_SLOTS: usize = 512;
/// How many slots a callsite may look at, from the one its address hashes to.
const CALLSITE_PROBES: usize = 8;

/// Routes by callsite address in a fixed table: a slot is filled once and never changes, so a
/// lookup is a few plain loads, with no reference count and no lock.
struct CallsiteSlots(Box<[CallsiteSlot]>);

/// A callsite's address and its route, once set.
type CallsiteSlot = OnceLock<(usize, Arc<Route>)>;

impl CallsiteSlots {
    fn new() -> CallsiteSlots {
        CallsiteSlots((0..CALLSITE_SLOTS).map(|_| OnceLock::new()).collect())
    }

    /// The slots `key` may occupy, in the order it tries them.
    fn probe(key: usize) -> impl Iterator<Item = usize> {
        let start = (key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
        (0..CALLSITE_PROBES).map(move |i| (start as usize).wrapping_add(i) % CALLSITE_SLOTS)
    }

    /// The route stored for `key`. Slots are filled in probe order and never emptied, so an empty
    /// slot ends the search.
    #[inline]
    fn find(&self, key: usize) -> Option<&Route> {
        for i in Self::probe(key) {
            match self.0[i].get() {
                Some((stored, route)) if *stored == key => return Some(route),
                Some(_) => {}
                None => return None,
            }
        }
        None
    }

    /// Stores `route` for `key` in its first free slot (or finds the one another thread stored
    /// first); `None` when all its slots hold other callsites.
    fn insert(&self, key: usize, route: &Arc<Route>) -> Option<&Route> {
        for i in Self::probe(key) {
            let (stored, found) = self.0[i].get_or_init(|| (key, route.clone()));
            if *stored == key {
                return Some(found);
            }
        }
        None
    }
}

/// How many locks the target map is split over: threads logging to different targets rarely
/// meet on one.
const TARGET_SHARDS: usize = 16;

/// Routes by target: [`TARGET_SHARDS`] maps, each behind its own lock, chosen by the target's
/// hash.
struct ByTarget {
    hasher: RandomState,
    shards: [RwLock<HashMap<Box<str>, Arc<Route>>>; TARGET_SHARDS],
}

impl ByTarget {
    fn new() -> ByTarget {
        ByTarget {
            hasher: RandomState::new(),
            shards: std::array::from_fn(|_| RwLock::new(HashMap::new())),
        }
    }

    fn shard(&self, target: &str) -> &RwLock<HashMap<Box<str>, Arc<Route>>> {
        let hash = self.hasher.hash_one(target);
        &self.shards[(hash as usize) % TARGET_SHARDS]
    }

    /// The route for `target`, made by `make` if there is none yet.
    fn get_or_insert(&self, target: &str, make: impl FnOnce() -> Route) -> Arc<Route> {
        let shard = self.shard(target);
        if let Some(route) = shard.read().unwrap_or_else(|e| e.into_inner()).get(target) {
            return route.clone();
        }
        shard
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(target.into())
            .or_insert_with(|| Arc::new(make()))
            .clone()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }
}

/// Routes by callsite, read without a lock (see [`CallsiteSlots`]; a callsite that finds no free
/// slot copies the overflow map: rare, once per callsite), and by target (see [`ByTarget`]).
pub(crate) struct Routes {
    manager: Manager,
    by_target: ByTarget,
    by_callsite: CallsiteSlots,
    overflow: ArcSwap<ByCallsite>,
}

impl Routes {
    pub(crate) fn new(manager: Manager) -> Routes {
        Routes {
            manager,
            by_target: ByTarget::new(),
            by_callsite: CallsiteSlots::new(),
            overflow: ArcSwap::from_pointee(ByCallsite::default()),
        }
    }

    /// How many targets have a route.
    #[cfg(test)]
    fn target_count(&self) -> usize {
        self.by_target.len()
    }

    pub(crate) fn manager(&self) -> &Manager {
        &self.manager
    }

    /// The route for `target`, created on first use (its logger is not).
    pub(crate) fn get(&self, target: &str) -> Arc<Route> {
        self.by_target.get_or_insert(target, || {
            Route::new(self.manager.clone(), logger_name(target).into())
        })
    }

    /// Runs `f` on the route of a callsite: the per-event path, one pointer hash and no reference
    /// count in the steady state.
    #[inline]
    pub(crate) fn with_callsite<R>(
        &self,
        meta: &'static Metadata<'static>,
        f: impl FnOnce(&Route) -> R,
    ) -> R {
        let key = std::ptr::from_ref(meta) as usize;
        match self.by_callsite.find(key) {
            Some(route) => f(route),
            None => self.with_callsite_beyond_slots(meta, key, f),
        }
    }

    /// [`with_callsite`](Routes::with_callsite) for a callsite not in the slot table: its first
    /// event, or one of the few that found no free slot.
    #[cold]
    #[inline(never)]
    fn with_callsite_beyond_slots<R>(
        &self,
        meta: &'static Metadata<'static>,
        key: usize,
        f: impl FnOnce(&Route) -> R,
    ) -> R {
        if let Some(route) = self.overflow.load().get(&key) {
            return f(route);
        }
        let route = self.get(meta.target());
        if let Some(stored) = self.by_callsite.insert(key, &route) {
            return f(stored);
        }
        self.overflow.rcu(|map| {
            let mut map = ByCallsite::clone(map);
            map.entry(key).or_insert_with(|| route.clone());
            map
        });
        f(&route)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pylog_core::{NullHandler, StreamHandler};

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

    #[test]
    fn callsite_slots_keep_every_callsite_they_take_and_refuse_the_rest() {
        let routes = Routes::new(Manager::new());
        let slots = CallsiteSlots::new();
        // Twice as many callsites as slots, 8-byte aligned like real addresses.
        let keys: Vec<usize> = (1..=2 * CALLSITE_SLOTS).map(|i| i * 8).collect();
        let mut stored = Vec::new();
        for &key in &keys {
            let route = routes.get(&format!("t{key}"));
            match slots.insert(key, &route) {
                Some(found) => {
                    assert!(std::ptr::eq(found, &*route));
                    stored.push(key);
                }
                None => assert!(slots.find(key).is_none()),
            }
        }
        assert!(stored.len() > CALLSITE_SLOTS / 2 && stored.len() <= CALLSITE_SLOTS);
        for &key in &stored {
            assert_eq!(&*slots.find(key).unwrap().name, format!("t{key}"));
            let again = routes.get("other");
            assert_eq!(&*slots.insert(key, &again).unwrap().name, format!("t{key}"));
        }
    }

    #[test]
    fn a_target_has_one_route_whichever_thread_asks_first() {
        let routes = Routes::new(Manager::new());
        let found: Vec<Vec<Arc<Route>>> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        (0..500)
                            .map(|i| routes.get(&format!("tenant::t{i}")))
                            .collect()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        assert_eq!(routes.target_count(), 500);
        for other in &found[1..] {
            for (a, b) in found[0].iter().zip(other) {
                assert!(Arc::ptr_eq(a, b));
            }
        }
        assert_eq!(&*found[0][7].name, "tenant.t7");
    }
}
