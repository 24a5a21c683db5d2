//! Filters: decide per record whether a logger or handler lets it through. Python: `logging.Filter`
//! and `Filterer`.
//!
//! ```
//! use pylog_core::{Filter, Level, LogRecord, NameFilter};
//! let only_db = NameFilter::new("app.db");
//! assert!(only_db.filter(&LogRecord::new("app.db.pool", Level::INFO, "")));
//! assert!(!only_db.filter(&LogRecord::new("app.dbx", Level::INFO, "")));
//!
//! // Any closure is a filter too.
//! let no_secrets = |r: &LogRecord<'_>| !r.msg.contains("password");
//! assert!(no_secrets.filter(&LogRecord::new("app", Level::INFO, "hello")));
//! ```
//!
//! Loggers and handlers take filters one way: `add_filter(f)` and `with_filter(f)` take any
//! [`Filter`]. To remove one later, keep it as an `Arc<dyn Filter>` and add a clone: an
//! `Arc<dyn Filter>` is added as itself, so `remove_filter(&f)` finds it.
//!
//! ```
//! use std::sync::Arc;
//! use pylog_core::{Filter, LogRecord, Manager, NameFilter};
//! let logger = Manager::new().get_logger("app");
//! logger.add_filter(NameFilter::new("app.db"));
//! let no_secrets: Arc<dyn Filter> = Arc::new(|r: &LogRecord<'_>| !r.msg.contains("password"));
//! logger.add_filter(no_secrets.clone());
//! assert_eq!(logger.filters().len(), 2);
//! logger.remove_filter(&no_secrets);
//! assert_eq!(logger.filters().len(), 1);
//! ```

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arc_swap::ArcSwap;

use crate::record::LogRecord;

/// Decides whether a record passes. Implemented by [`NameFilter`] and by every
/// `Fn(&LogRecord) -> bool` closure.
pub trait Filter: Send + Sync + 'static {
    /// `true` lets the record through.
    fn filter(&self, record: &LogRecord<'_>) -> bool;
}

impl<F> Filter for F
where
    F: Fn(&LogRecord<'_>) -> bool + Send + Sync + 'static,
{
    fn filter(&self, record: &LogRecord<'_>) -> bool {
        self(record)
    }
}

/// A shared filter is a filter: `Arc<NameFilter>` and `Arc<dyn Filter>` can be added as they are.
impl<F> Filter for Arc<F>
where
    F: Filter + ?Sized,
{
    fn filter(&self, record: &LogRecord<'_>) -> bool {
        F::filter(self, record)
    }
}

/// The filter as stored: an `Arc<dyn Filter>` stays itself (so that `remove_filter` with a clone of
/// it finds it), anything else is put in a new `Arc`.
pub(crate) fn shared(filter: impl Filter) -> Arc<dyn Filter> {
    let mut slot = Some(filter);
    if let Some(shared) = (&mut slot as &mut dyn Any)
        .downcast_mut::<Option<Arc<dyn Filter>>>()
        .and_then(Option::take)
    {
        return shared;
    }
    match slot {
        Some(filter) => Arc::new(filter),
        None => unreachable!("the slot is emptied only when it held an `Arc<dyn Filter>`"),
    }
}

/// Python's `logging.Filter(name)`: passes records of the logger `name` and its descendants.
///
/// `NameFilter::new("A.B")` passes `A.B`, `A.B.C` and `A.B.`, not `A.BB` or `A`; an empty name
/// passes everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameFilter {
    name: String,
}

impl NameFilter {
    /// A filter for the logger `name` and its descendants.
    pub fn new(name: impl Into<String>) -> NameFilter {
        NameFilter { name: name.into() }
    }

    /// The logger name it passes.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Filter for NameFilter {
    fn filter(&self, record: &LogRecord<'_>) -> bool {
        let name = self.name.as_str();
        if name.is_empty() || record.name == name {
            return true;
        }
        record.name.starts_with(name) && record.name.as_bytes().get(name.len()) == Some(&b'.')
    }
}

/// A shared, swappable list of filters (Python's `Filterer`), read without locking on every record.
#[derive(Default)]
pub(crate) struct Filters {
    list: ArcSwap<Vec<Arc<dyn Filter>>>,
    /// Whether the list may be non-empty: most loggers and handlers have no filter, and this spares
    /// them loading the list on every record.
    any: AtomicBool,
}

impl std::fmt::Debug for Filters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Filters({})", self.list.load().len())
    }
}

impl Filters {
    /// Adds a filter unless this very filter is already present (Python's `addFilter`).
    pub(crate) fn add(&self, filter: Arc<dyn Filter>) {
        self.any.store(true, Ordering::Release);
        self.list.rcu(|list| {
            let mut list = Vec::clone(list);
            if !list.iter().any(|f| Arc::ptr_eq(f, &filter)) {
                list.push(filter.clone());
            }
            list
        });
        changed();
    }

    /// Removes a filter if present (Python's `removeFilter`).
    pub(crate) fn remove(&self, filter: &Arc<dyn Filter>) {
        self.list.rcu(|list| {
            list.iter()
                .filter(|f| !Arc::ptr_eq(f, filter))
                .cloned()
                .collect::<Vec<_>>()
        });
        changed();
    }

    /// Replaces the whole list at once.
    pub(crate) fn replace(&self, filters: Vec<Arc<dyn Filter>>) {
        if !filters.is_empty() {
            self.any.store(true, Ordering::Release);
        }
        self.list.store(Arc::new(filters));
        changed();
    }

    /// Removes every filter.
    pub(crate) fn clear(&self) {
        self.list.store(Arc::new(Vec::new()));
        changed();
    }

    /// The list as it is now, or `None` when it is empty.
    pub(crate) fn current(&self) -> Option<Arc<Vec<Arc<dyn Filter>>>> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        Some(self.list.load_full()).filter(|list| !list.is_empty())
    }

    /// A snapshot of the list.
    pub(crate) fn snapshot(&self) -> Vec<Arc<dyn Filter>> {
        Vec::clone(&self.list.load())
    }

    /// `true` when every filter passes; stops at the first that refuses (Python's `Filterer.filter`).
    #[inline]
    pub(crate) fn allow(&self, record: &LogRecord<'_>) -> bool {
        if !self.any.load(Ordering::Acquire) {
            return true;
        }
        let list = self.list.load();
        list.iter().all(|f| f.filter(record))
    }
}

/// Handler chains hold handlers' filter lists: make them take the new list.
fn changed() {
    crate::manager::bump_generation();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;

    #[test]
    fn name_filter_matches_python() {
        let f = NameFilter::new("A.B");
        let pass = |n: &str| f.filter(&LogRecord::new(n, Level::INFO, ""));
        assert!(pass("A.B") && pass("A.B.C") && pass("A.B."));
        assert!(!pass("A.BB") && !pass("B.A.B") && !pass("A"));
        assert!(NameFilter::default().filter(&LogRecord::new("x", Level::INFO, "")));
    }

    #[test]
    fn filters_short_circuit_and_do_not_duplicate() {
        let filters = Filters::default();
        let deny: Arc<dyn Filter> = Arc::new(|_: &LogRecord<'_>| false);
        filters.add(shared(deny.clone()));
        filters.add(shared(deny.clone()));
        assert_eq!(filters.snapshot().len(), 1);
        assert!(!filters.allow(&LogRecord::new("x", Level::INFO, "")));
        filters.remove(&deny);
        assert!(filters.allow(&LogRecord::new("x", Level::INFO, "")));
    }
}
