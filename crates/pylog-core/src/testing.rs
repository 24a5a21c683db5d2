//! Capturing records in tests, like Python's `unittest.TestCase.assertLogs` and `assertNoLogs`.
//!
//! [`capture`] returns a guard that collects every record reaching a logger subtree at or above a
//! level, for as long as it lives; [`Capture::records`] gives them back as [`OwnedRecord`]s (level,
//! message, logger name, extras), and [`Capture::output`] as assertLogs' `cm.output` lines
//! (`INFO:app.db:connected`).
//!
//! ```
//! use pylog_core::{Level, Manager, Value, testing};
//! let tree = Manager::new();
//! let db = tree.get_logger("app.db");
//! let logs = testing::capture_in(&tree, "app", Level::DEBUG);
//! db.debug("connecting");
//! db.event(Level::WARNING).extra("ms", 250).log("slow");
//! assert_eq!(logs.output(), ["DEBUG:app.db:connecting", "WARNING:app.db:slow"]);
//! assert_eq!(logs.records()[1].extra("ms"), Some(Value::Int(250)));
//! ```
//!
//! # Parallel tests
//!
//! Tests run in parallel, and a capture changes nothing that another test can see: no level, no
//! handler, no `propagate` flag of the tree is touched.
//!
//! - A capture on **the global tree** ([`capture`]) sees only records logged on the thread that
//!   created it (the test's thread), so two tests logging to the same names each see their own.
//!   Records that threads spawned by the test log are seen once such a thread calls
//!   [`Capture::include_current_thread`]; or give the test its own tree.
//! - A capture on **a tree of the test's own** ([`capture_in`]) sees records from every thread,
//!   since no other test logs into that tree.
//!
//! Like assertLogs, a capture at a level below the logger's own lets those records through for
//! the capture: the capturing thread's (or the own tree's) `is_enabled_for` says yes, and the
//! `tracing` layer lets such events in. A record that only the capture wanted reaches only the
//! capture, never the tree's handlers, as assertLogs' replaced handlers see nothing. Records the
//! tree would handle anyway still reach its handlers as well (assertLogs would hide them): the
//! capture observes, it does not reconfigure.
//!
//! The logger's filters still apply, and `Manager::disable` still wins, as in Python.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::ThreadId;

use crate::level::{Level, level_name};
use crate::manager::{Manager, global, notify_config_change};
use crate::owned_record::OwnedRecord;
use crate::record::LogRecord;

/// How many captures are alive in the process: zero in every program that is not a test, so the
/// logging path pays one relaxed load for this module.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// The live captures.
static CAPTURES: RwLock<Vec<Arc<Shared>>> = RwLock::new(Vec::new());

/// What one capture collects and what it wants.
struct Shared {
    /// The tree it watches (compared by identity).
    manager: Manager,
    /// The subtree's root logger name (`""` for the whole tree).
    logger: String,
    level: Level,
    /// The threads whose records it takes, or `None` for every thread.
    threads: Option<RwLock<Vec<ThreadId>>>,
    records: Mutex<Vec<OwnedRecord>>,
}

impl Shared {
    fn wants(&self, manager: &Manager, name: &str, level: Level) -> bool {
        level >= self.level
            && level > manager.disabled_level()
            && in_subtree(&self.logger, name)
            && self.threads.as_ref().is_none_or(|threads| {
                let current = std::thread::current().id();
                threads
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .contains(&current)
            })
            && Arc::ptr_eq(&self.manager.0, &manager.0)
    }
}

/// Whether the logger `name` is `root` or below it (`""` is the whole tree).
fn in_subtree(root: &str, name: &str) -> bool {
    root.is_empty()
        || name == root
        || (name.starts_with(root) && name.as_bytes().get(root.len()) == Some(&b'.'))
}

/// Captures the records reaching the logger `logger` and its descendants on the global tree, at
/// `level` and above, logged on the calling thread. Python: `self.assertLogs(logger, level)`.
/// The root logger is `""` or `"root"`.
pub fn capture(logger: &str, level: Level) -> Capture {
    start(
        global().clone(),
        logger,
        level,
        Some(std::thread::current().id()),
    )
}

/// Captures the records reaching the logger `logger` and its descendants on `manager`'s tree, at
/// `level` and above, from every thread.
pub fn capture_in(manager: &Manager, logger: &str, level: Level) -> Capture {
    start(manager.clone(), logger, level, None)
}

fn start(manager: Manager, logger: &str, level: Level, thread: Option<ThreadId>) -> Capture {
    let logger = if logger == "root" { "" } else { logger };
    let shared = Arc::new(Shared {
        manager,
        logger: logger.to_owned(),
        level,
        threads: thread.map(|thread| RwLock::new(vec![thread])),
        records: Mutex::new(Vec::new()),
    });
    CAPTURES
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .push(shared.clone());
    ACTIVE.fetch_add(1, Ordering::AcqRel);
    // Callsites the tree had turned off must be asked again.
    notify_config_change();
    Capture { shared }
}

/// Collects records while it lives; see the [module docs](self). Dropping it stops the capture.
#[must_use = "the capture stops when the guard is dropped"]
pub struct Capture {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("logger", &self.shared.logger)
            .field("level", &self.shared.level)
            .field("records", &self.len())
            .finish_non_exhaustive()
    }
}

impl Capture {
    /// The records captured so far, oldest first.
    pub fn records(&self) -> Vec<OwnedRecord> {
        self.shared
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The messages captured so far.
    pub fn messages(&self) -> Vec<String> {
        self.with_records(|records| records.iter().map(|r| r.msg().to_owned()).collect())
    }

    /// The records as assertLogs' `cm.output`: `LEVELNAME:logger:message` each.
    pub fn output(&self) -> Vec<String> {
        self.with_records(|records| {
            records
                .iter()
                .map(|r| format!("{}:{}:{}", level_name(r.level), r.name(), r.msg()))
                .collect()
        })
    }

    /// How many records were captured.
    pub fn len(&self) -> usize {
        self.with_records(<[OwnedRecord]>::len)
    }

    /// Whether nothing was captured (Python: `assertNoLogs`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes the records that the calling thread logs too (a thread the test spawned), for a
    /// capture on the global tree; a capture on a tree of the test's own takes every thread already.
    ///
    /// ```
    /// use pylog_core::{Level, testing};
    /// let logs = testing::capture("spawned.work", Level::WARNING);
    /// std::thread::scope(|scope| {
    ///     scope.spawn(|| {
    ///         logs.include_current_thread();
    ///         pylog_core::get_logger("spawned.work").warning("from a worker");
    ///     });
    /// });
    /// assert_eq!(logs.messages(), ["from a worker"]);
    /// ```
    pub fn include_current_thread(&self) {
        if let Some(threads) = &self.shared.threads {
            let current = std::thread::current().id();
            let mut threads = threads.write().unwrap_or_else(|e| e.into_inner());
            if !threads.contains(&current) {
                threads.push(current);
            }
        }
    }

    /// Forgets the records captured so far.
    pub fn clear(&self) {
        self.shared
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn with_records<R>(&self, f: impl FnOnce(&[OwnedRecord]) -> R) -> R {
        f(&self
            .shared
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        CAPTURES
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|other| !Arc::ptr_eq(other, &self.shared));
        ACTIVE.fetch_sub(1, Ordering::AcqRel);
        notify_config_change();
    }
}

/// Whether any capture is alive (one relaxed load). Not public API.
#[doc(hidden)]
#[inline]
pub fn any_active() -> bool {
    ACTIVE.load(Ordering::Relaxed) != 0
}

/// Whether a live capture wants a record of `level` on the logger `name` of `manager`, logged on
/// this thread. Used by `is_enabled_for` and by the `tracing` layer. Not public API.
#[doc(hidden)]
pub fn wanted(manager: &Manager, name: &str, level: Level) -> bool {
    if !any_active() {
        return false;
    }
    let name = if name == "root" { "" } else { name };
    CAPTURES
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .any(|capture| capture.wants(manager, name, level))
}

/// Hands a record that passed the logger's filters to every capture that wants it.
pub(crate) fn offer(manager: &Manager, record: &LogRecord<'_>) {
    let name = if record.name == "root" {
        ""
    } else {
        record.name
    };
    let captures = CAPTURES.read().unwrap_or_else(|e| e.into_inner());
    let mut owned: Option<OwnedRecord> = None;
    for capture in captures.iter() {
        if capture.wants(manager, name, record.level) {
            let owned = owned.get_or_insert_with(|| OwnedRecord::from_record(record));
            capture
                .records
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(owned.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disable_wins_over_a_capture() {
        let tree = Manager::new();
        tree.root().add_handler(crate::NullHandler::new());
        let logs = capture_in(&tree, "app", Level::DEBUG);
        tree.disable(Level::INFO);
        let app = tree.get_logger("app");
        app.info("disabled");
        app.handle(&LogRecord::new("app", Level::INFO, "handled directly"));
        app.warning("kept");
        assert_eq!(logs.messages(), ["kept"]);
    }

    #[test]
    fn subtree_membership_follows_dotted_names() {
        assert!(in_subtree("app", "app"));
        assert!(in_subtree("app", "app.db"));
        assert!(!in_subtree("app", "apps"));
        assert!(in_subtree("", "anything"));
    }
}
