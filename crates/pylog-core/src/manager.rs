//! The logger tree. Python: `logging.Manager` and `PlaceHolder`.
//!
//! A [`Manager`] owns the loggers of one tree, keyed by dotted name, with Python's placeholder fix-ups
//! so that a parent created after its child is still found. The Python-style free functions
//! ([`get_logger`], [`root_logger`]) use one global manager; tests and embedders can build their own.
//!
//! ```
//! use pylog_core::{Level, Manager};
//! let tree = Manager::new();
//! let child = tree.get_logger("p.q.r");
//! assert_eq!(child.parent().unwrap().name(), "root");
//! tree.get_logger("p").set_level(Level::DEBUG);
//! assert_eq!(child.parent().unwrap().name(), "p");
//! assert_eq!(child.effective_level(), Level::DEBUG);
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use arc_swap::ArcSwapOption;

use crate::handler::{Handler, StreamHandler};
use crate::level::Level;
use crate::logger::{Logger, Node};

pub(crate) enum Entry {
    Logger(Arc<Node>),
    /// Python's `PlaceHolder`: the loggers below a name that is not a logger yet. A set (keyed by
    /// node address), so that registering the 100,000th child of `tenant` costs what the first did.
    Placeholder(Children),
}

/// The children of a placeholder, keyed by the address of their node.
pub(crate) type Children = HashMap<usize, Arc<Node>>;

fn child_key(node: &Arc<Node>) -> usize {
    Arc::as_ptr(node) as usize
}

pub(crate) struct ManagerShared {
    pub(crate) root: Arc<Node>,
    pub(crate) tree: Mutex<HashMap<String, Entry>>,
    pub(crate) disable: AtomicI32,
    pub(crate) last_resort: ArcSwapOption<Handler>,
    pub(crate) no_handler_warned: AtomicBool,
    /// Serialises whole-tree configuration (Python's module lock around `basicConfig`).
    pub(crate) config_lock: Mutex<()>,
    /// Odd while a configuration is being applied: handler chains are not built from a tree
    /// that is half old and half new.
    pub(crate) reconfiguring: AtomicU64,
    /// The handlers the last configuration built, by name (Python's `logging._handlers`).
    pub(crate) configured: Mutex<Vec<Handler>>,
}

/// A tree of loggers. Python: `logging.Manager` (with its root logger). Cloning shares the tree.
#[derive(Clone)]
pub struct Manager(pub(crate) Arc<ManagerShared>);

impl std::fmt::Debug for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Manager({} loggers)", self.logger_names().len())
    }
}

impl Default for Manager {
    fn default() -> Self {
        Manager::new()
    }
}

impl Manager {
    /// A new tree: a root logger named `root` at WARNING, and the last-resort handler (WARNING,
    /// message only, to stderr).
    pub fn new() -> Manager {
        crate::record::start_time();
        let root = Node::new("root".to_owned(), Level::WARNING);
        Manager(Arc::new(ManagerShared {
            root,
            tree: Mutex::new(HashMap::new()),
            disable: AtomicI32::new(0),
            last_resort: ArcSwapOption::from_pointee(
                StreamHandler::stderr().with_level(Level::WARNING),
            ),
            no_handler_warned: AtomicBool::new(false),
            config_lock: Mutex::new(()),
            reconfiguring: AtomicU64::new(0),
            configured: Mutex::new(Vec::new()),
        }))
    }

    /// The root logger.
    pub fn root(&self) -> Logger {
        Logger::from_node(self.0.root.clone(), self.clone())
    }

    /// The logger named `name`, created if needed. Python: `logging.getLogger(name)`.
    ///
    /// An empty name or `root` gives the root logger. Names are split on `.` only.
    pub fn get_logger(&self, name: &str) -> Logger {
        if name.is_empty() || name == "root" {
            return self.root();
        }
        let mut tree = self.0.tree.lock().unwrap_or_else(|e| e.into_inner());
        let children = match tree.get(name) {
            Some(Entry::Logger(node)) => return Logger::from_node(node.clone(), self.clone()),
            Some(Entry::Placeholder(children)) => children.values().cloned().collect(),
            None => Vec::new(),
        };
        let node = Node::new(name.to_owned(), Level::NOTSET);
        tree.insert(name.to_owned(), Entry::Logger(node.clone()));
        fixup_children(&node, &children);
        self.fixup_parents(&mut tree, &node);
        drop(tree);
        // A new logger may become the parent of existing ones: cached handler chains are stale.
        // What any logger accepts is unchanged (the new one has no level or handlers), so the
        // change hooks need not run.
        bump_generation();
        Logger::from_node(node, self.clone())
    }

    /// Python's `Manager._fixupParents`: walk the dotted prefixes, longest first (`a.b.c`, `a.b`, `a`),
    /// registering the new logger with placeholders until a real logger is found.
    fn fixup_parents(&self, tree: &mut HashMap<String, Entry>, node: &Arc<Node>) {
        let mut parent = None;
        for prefix in parent_prefixes(&node.name) {
            match tree.get_mut(prefix) {
                None => {
                    let children = Children::from([(child_key(node), node.clone())]);
                    tree.insert(prefix.to_owned(), Entry::Placeholder(children));
                }
                Some(Entry::Placeholder(children)) => {
                    children
                        .entry(child_key(node))
                        .or_insert_with(|| node.clone());
                }
                Some(Entry::Logger(found)) => {
                    parent = Some(found.clone());
                    break;
                }
            }
        }
        node.parent
            .store(Some(parent.unwrap_or_else(|| self.0.root.clone())));
    }

    /// The logger `name` if it exists already; never creates one (unlike
    /// [`get_logger`](Manager::get_logger)).
    pub fn find_logger(&self, name: &str) -> Option<Logger> {
        if name.is_empty() || name == "root" {
            return Some(self.root());
        }
        let tree = self.0.tree.lock().unwrap_or_else(|e| e.into_inner());
        match tree.get(name) {
            Some(Entry::Logger(node)) => Some(Logger::from_node(node.clone(), self.clone())),
            _ => None,
        }
    }

    /// The logger that is, or would become, the parent of a logger `name`: the longest dotted prefix
    /// that is a logger, else the root. Creates nothing.
    pub fn nearest_ancestor(&self, name: &str) -> Logger {
        let tree = self.0.tree.lock().unwrap_or_else(|e| e.into_inner());
        let found = parent_prefixes(name).find_map(|prefix| match tree.get(prefix) {
            Some(Entry::Logger(node)) => Some(node.clone()),
            _ => None,
        });
        drop(tree);
        found.map_or_else(|| self.root(), |node| Logger::from_node(node, self.clone()))
    }

    /// Every logger's name (not the root's), sorted.
    pub fn logger_names(&self) -> Vec<String> {
        let tree = self.0.tree.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<String> = tree
            .iter()
            .filter(|(_, e)| matches!(e, Entry::Logger(_)))
            .map(|(n, _)| n.clone())
            .collect();
        names.sort();
        names
    }

    /// Every name in the tree, loggers and placeholders alike (Python's `loggerDict` keys), sorted.
    pub(crate) fn entry_names(&self) -> Vec<String> {
        let tree = self.0.tree.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<String> = tree.keys().cloned().collect();
        names.sort();
        names
    }

    /// Every logger, the root first.
    pub fn loggers(&self) -> Vec<Logger> {
        let mut all = vec![self.root()];
        let tree = self.0.tree.lock().unwrap_or_else(|e| e.into_inner());
        let mut named: Vec<&Arc<Node>> = tree
            .values()
            .filter_map(|e| match e {
                Entry::Logger(node) => Some(node),
                Entry::Placeholder(_) => None,
            })
            .collect();
        named.sort_by(|a, b| a.name.cmp(&b.name));
        all.extend(
            named
                .into_iter()
                .map(|n| Logger::from_node(n.clone(), self.clone())),
        );
        all
    }

    /// Python's `logging.disable(level)`: records at or below `level` are dropped by every logger.
    /// `Level::NOTSET` turns it off.
    pub fn disable(&self, level: Level) {
        self.0.disable.store(level.value(), Ordering::Relaxed);
        notify_config_change();
    }

    /// The level set by [`disable`](Manager::disable).
    pub fn disabled_level(&self) -> Level {
        Level::new(self.0.disable.load(Ordering::Relaxed))
    }

    /// The handler used when a record finds no handler at all (Python's `logging.lastResort`).
    pub fn last_resort(&self) -> Option<Handler> {
        self.0.last_resort.load_full().map(|h| Handler::clone(&h))
    }

    /// Replaces the last-resort handler; `None` prints Python's one-time
    /// `No handlers could be found for logger "x"` instead.
    pub fn set_last_resort(&self, handler: Option<Handler>) {
        self.0.last_resort.store(handler.map(Arc::new));
        notify_config_change();
    }

    /// The counters of every handler attached to a logger of this tree, with the name of the first
    /// logger (root first, then by name) that holds it; a handler on several loggers is listed once.
    ///
    /// ```
    /// use pylog_core::{Manager, NullHandler};
    /// let tree = Manager::new();
    /// tree.get_logger("app").add_handler(NullHandler::new());
    /// tree.get_logger("app").warning("counted");
    /// let report = tree.handler_stats();
    /// assert_eq!(report[0].logger, "app");
    /// assert_eq!(report[0].stats.emitted, 1);
    /// ```
    pub fn handler_stats(&self) -> Vec<HandlerReport> {
        let mut seen: Vec<Handler> = Vec::new();
        let mut report = Vec::new();
        for logger in self.loggers() {
            for handler in logger.handlers() {
                if seen.contains(&handler) {
                    continue;
                }
                seen.push(handler.clone());
                report.push(HandlerReport {
                    logger: logger.name().to_owned(),
                    stats: handler.stats(),
                    handler,
                });
            }
        }
        report
    }

    /// The lowest level any logger of this tree could let through to some output: a bound for
    /// callers that filter before building records.
    pub fn loosest_level(&self) -> Level {
        self.loggers()
            .iter()
            .map(|logger| logger.loosest_accepted_level())
            .min()
            .unwrap_or(Level::WARNING)
    }
}

/// Marks a tree as being reconfigured until dropped.
pub(crate) struct Reconfiguring<'a>(&'a ManagerShared);

impl Drop for Reconfiguring<'_> {
    fn drop(&mut self) {
        self.0.reconfiguring.fetch_add(1, Ordering::SeqCst);
    }
}

impl Manager {
    /// Holds the tree's configuration lock (Python's module lock around `dictConfig`).
    pub(crate) fn config_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.0.config_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks the tree as being reconfigured: from now until the guard drops, a record that needs
    /// to build its handler chain waits, and cached chains are stale.
    pub(crate) fn begin_reconfiguration(&self) -> Reconfiguring<'_> {
        self.0.reconfiguring.fetch_add(1, Ordering::SeqCst);
        bump_generation();
        Reconfiguring(&self.0)
    }

    /// The reconfiguration counter (odd while a configuration is being applied).
    pub(crate) fn reconfiguration_count(&self) -> u64 {
        self.0.reconfiguring.load(Ordering::SeqCst)
    }

    /// Removes every logger's cached handler chain and returns them, so that the caller can wait
    /// for the records still using them.
    pub(crate) fn take_cached_chains(
        &self,
    ) -> Vec<crate::hazard_cell::Unpublished<crate::logger::HandlerChain>> {
        self.loggers()
            .iter()
            .filter_map(|logger| logger.node().chain.take())
            .collect()
    }

    /// The handlers the last configuration built, in the order it built them.
    pub fn configured_handlers(&self) -> Vec<Handler> {
        self.0
            .configured
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The handler the last configuration built under `name`. Python: `logging._handlers[name]`.
    pub fn configured_handler(&self, name: &str) -> Option<Handler> {
        self.configured_handlers()
            .into_iter()
            .find(|h| h.name().as_deref() == Some(name))
    }

    pub(crate) fn set_configured_handlers(&self, handlers: Vec<Handler>) {
        *self.0.configured.lock().unwrap_or_else(|e| e.into_inner()) = handlers;
    }
}

/// One line of [`Manager::handler_stats`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HandlerReport {
    /// The logger the handler is attached to.
    pub logger: String,
    /// The handler.
    pub handler: Handler,
    /// Its counters when the report was made.
    pub stats: crate::handler::HandlerStats,
}

/// The prefixes of a dotted name that Python's `_fixupParents` visits, longest first: it finds the
/// last `.` and then searches `rfind(".", 0, i - 1)`, which stops before the character preceding the
/// dot (so `a..b` never looks at `a`).
fn parent_prefixes(name: &str) -> impl Iterator<Item = &str> {
    let mut end = name.rfind('.');
    std::iter::from_fn(move || {
        let i = end.filter(|&i| i > 0)?;
        let before_previous_char = name[..i].char_indices().next_back().map_or(0, |(j, _)| j);
        end = name[..before_previous_char].rfind('.');
        Some(&name[..i])
    })
}

fn fixup_children(node: &Arc<Node>, children: &[Arc<Node>]) {
    let name = node.name.as_str();
    for child in children {
        let parent = child.parent.load_full();
        let under_new = parent.as_ref().is_some_and(|p| p.name.starts_with(name));
        if !under_new {
            node.parent.store(parent);
            child.parent.store(Some(node.clone()));
        }
    }
}

/// The tree behind the Python-style free functions.
pub fn global() -> &'static Manager {
    static GLOBAL: OnceLock<Manager> = OnceLock::new();
    GLOBAL.get_or_init(Manager::new)
}

/// The logger `name` of the global tree. Python: `logging.getLogger(name)`.
///
/// ```
/// let logger = pylog_core::get_logger("app.db");
/// assert_eq!(logger.name(), "app.db");
/// assert_eq!(pylog_core::get_logger("").name(), "root");
/// ```
pub fn get_logger(name: &str) -> Logger {
    global().get_logger(name)
}

/// The root logger of the global tree. Python: `logging.getLogger()` / `logging.root`.
pub fn root_logger() -> Logger {
    global().root()
}

/// Python's `logging.disable(level)` on the global tree.
pub fn disable(level: Level) {
    global().disable(level);
}

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// A function called after every configuration change.
type ChangeHook = fn();

fn hooks() -> &'static RwLock<Vec<ChangeHook>> {
    static HOOKS: OnceLock<RwLock<Vec<ChangeHook>>> = OnceLock::new();
    HOOKS.get_or_init(|| RwLock::new(Vec::new()))
}

/// A counter that changes whenever a level, handler, formatter, filter list or flag of any logger
/// or handler changes: caches of "who accepts what" compare it to know they are stale.
#[inline]
pub fn config_generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Registers a function called after every configuration change (the `tracing` layer uses it to
/// rebuild callsite interest). Registering the same function twice has no effect.
pub fn on_config_change(hook: fn()) {
    let mut hooks = hooks().write().unwrap_or_else(|e| e.into_inner());
    if !hooks.iter().any(|h| std::ptr::fn_addr_eq(*h, hook)) {
        hooks.push(hook);
    }
}

/// Marks every cache derived from the tree as stale, without running the change hooks.
pub(crate) fn bump_generation() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
}

pub(crate) fn notify_config_change() {
    bump_generation();
    let hooks: Vec<ChangeHook> = hooks().read().unwrap_or_else(|e| e.into_inner()).clone();
    for hook in hooks {
        hook();
    }
}
