//! Each logger's lowest enabled level, cached in one atomic for the direct API's disabled check.
//!
//! Python caches `isEnabledFor` per logger in `Logger._cache` and clears it on every `setLevel`
//! and `disable`; here the cache is tagged with the configuration generation (the counter that
//! also rebuilds `tracing`'s callsite interest), so every change of a level, a `disabled` flag,
//! `Manager::disable` or the tree makes it stale without being visited. A check is one relaxed
//! load of the logger's cache, one of the generation, and a compare.

use std::sync::atomic::{AtomicU64, Ordering};

/// Set in a filled cache (a new logger's cache is empty).
const FILLED: u64 = 1 << 63;
/// Bits of the lowest enabled level: `i32::MIN..=i32::MAX + 1` shifted to start at zero.
const THRESHOLD_BITS: u32 = 33;
const THRESHOLD_MASK: u64 = (1 << THRESHOLD_BITS) - 1;
/// Bits of the generation kept: a cache could only be mistaken for fresh after exactly a
/// multiple of 2^30 configuration changes between its filling and its reading.
const GENERATION_MASK: u64 = (1 << 30) - 1;

/// The lowest level a logger lets through, for one configuration generation.
#[derive(Debug, Default)]
pub(crate) struct LevelCache(AtomicU64);

impl LevelCache {
    /// The lowest enabled level (`i32::MAX + 1` when nothing is), if the cache was filled at
    /// `generation`.
    #[inline]
    pub(crate) fn threshold(&self, generation: u64) -> Option<i64> {
        let cached = self.0.load(Ordering::Relaxed);
        let fresh = cached & FILLED != 0
            && (cached >> THRESHOLD_BITS) & GENERATION_MASK == generation & GENERATION_MASK;
        fresh.then(|| (cached & THRESHOLD_MASK) as i64 + i64::from(i32::MIN))
    }

    /// Fills the cache with `threshold` (in `i32::MIN..=i32::MAX + 1`), computed at `generation`.
    pub(crate) fn fill(&self, generation: u64, threshold: i64) {
        let shifted = (threshold - i64::from(i32::MIN)) as u64 & THRESHOLD_MASK;
        let packed = FILLED | (generation & GENERATION_MASK) << THRESHOLD_BITS | shifted;
        self.0.store(packed, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_round_trip_and_other_generations_miss() {
        let cache = LevelCache::default();
        assert_eq!(cache.threshold(0), None, "empty");
        for threshold in [i64::from(i32::MIN), -5, 0, 10, 51, i64::from(i32::MAX) + 1] {
            cache.fill(7, threshold);
            assert_eq!(cache.threshold(7), Some(threshold));
            assert_eq!(cache.threshold(8), None);
        }
        cache.fill(u64::MAX, 20);
        assert_eq!(cache.threshold(u64::MAX), Some(20));
        assert_eq!(cache.threshold(u64::MAX - 1), None);
    }

    use crate::{Level, Manager};

    /// Asks twice, so that the second answer comes from the cache.
    fn enabled(logger: &crate::Logger, level: Level) -> bool {
        let first = logger.is_enabled_for(level);
        assert_eq!(
            logger.is_enabled_for(level),
            first,
            "the cached answer is the same"
        );
        first
    }

    #[test]
    fn set_level_on_an_ancestor_is_seen() {
        let tree = Manager::new();
        let child = tree.get_logger("app.db.pool");
        tree.root().set_level(Level::WARNING);
        assert!(!enabled(&child, Level::INFO));
        tree.get_logger("app").set_level(Level::DEBUG);
        assert!(enabled(&child, Level::DEBUG), "the ancestor's new level");
        tree.get_logger("app").set_level(Level::ERROR);
        assert!(!enabled(&child, Level::WARNING));
        assert!(enabled(&child, Level::ERROR));
        tree.get_logger("app.db").set_level(Level::INFO);
        assert!(enabled(&child, Level::INFO), "a nearer ancestor wins");
    }

    #[test]
    fn set_level_on_the_logger_is_seen() {
        let tree = Manager::new();
        let logger = tree.get_logger("app");
        tree.root().set_level(Level::WARNING);
        assert!(!enabled(&logger, Level::DEBUG));
        logger.set_level(Level::DEBUG);
        assert!(enabled(&logger, Level::DEBUG));
        logger.set_level(Level::CRITICAL);
        assert!(!enabled(&logger, Level::ERROR));
        logger.set_level(Level::NOTSET);
        assert!(enabled(&logger, Level::WARNING), "NOTSET inherits again");
        assert!(!enabled(&logger, Level::INFO));
    }

    #[test]
    fn a_disabled_logger_enables_nothing_until_enabled_again() {
        let tree = Manager::new();
        let logger = tree.get_logger("app");
        logger.set_level(Level::DEBUG);
        assert!(enabled(&logger, Level::DEBUG));
        logger.set_disabled(true);
        assert!(!enabled(&logger, Level::CRITICAL));
        assert!(!enabled(&logger, Level::new(i32::MAX)));
        logger.set_disabled(false);
        assert!(enabled(&logger, Level::DEBUG));
    }

    #[test]
    fn manager_disable_is_seen_by_every_logger() {
        let tree = Manager::new();
        let logger = tree.get_logger("app");
        logger.set_level(Level::DEBUG);
        assert!(enabled(&logger, Level::INFO));
        tree.disable(Level::INFO);
        assert!(!enabled(&logger, Level::INFO), "at the disabled level");
        assert!(enabled(&logger, Level::WARNING), "above it");
        assert!(!enabled(&tree.root(), Level::DEBUG));
        tree.disable(Level::NOTSET);
        assert!(enabled(&logger, Level::DEBUG));
    }

    #[test]
    fn a_cache_filled_before_a_change_is_not_used_after_it() {
        let tree = Manager::new();
        let logger = tree.get_logger("app");
        logger.set_level(Level::ERROR);
        // Other tests of this binary change the (process-wide) generation and hold captures,
        // which keep the cache from being filled, while they run: ask until it is filled.
        let mut tries = 0;
        let generation = loop {
            assert!(!logger.is_enabled_for(Level::INFO));
            let generation = crate::manager::config_generation();
            if logger.node().enabled_from.threshold(generation).is_some() {
                break generation;
            }
            tries += 1;
            assert!(tries < 10_000, "the cache is never filled");
            std::thread::yield_now();
        };
        logger.set_level(Level::INFO);
        assert!(
            logger.node().enabled_from.threshold(generation).is_some()
                && crate::manager::config_generation() != generation,
            "the old entry stays, tagged with the old generation"
        );
        assert!(logger.is_enabled_for(Level::INFO));
    }
}
