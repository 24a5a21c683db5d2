//! Re-reading a configuration file: on request, or whenever it changes.
//!
//! Python has no such thing (a service restarts, or runs `logging.config.listen`). Here a
//! [`ConfigFile`] remembers what it applied last; [`ConfigFile::reload`] applies the file again and
//! [`ConfigFile::watch`] polls it from a thread of its own. Each reload is applied atomically (see
//! [`Configurator`]): a file that does not parse or configure leaves the running configuration as
//! it was, and the error is kept and printed to stderr.
//!
//! The watcher applies a file only once its size and modification time are the same at two polls
//! in a row (and still the same after it was read): a file an editor or a deployment is still
//! writing is not applied half-written. A change is applied one to two intervals after it ends.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use super::ConfigError;
use super::configurator::{Configurator, read_config_file};

/// A configuration file and what was last applied from it.
///
/// ```no_run
/// use std::time::Duration;
/// use pylog_core::config::{ConfigFile, Configurator};
/// let file = ConfigFile::new(Configurator::new(), "logging.yaml");
/// file.reload()?;                                      // apply it now
/// let watcher = file.watch(Duration::from_secs(2));    // and again whenever it changes
/// // ...
/// watcher.stop();
/// # Ok::<(), pylog_core::config::ConfigError>(())
/// ```
pub struct ConfigFile {
    inner: Arc<Inner>,
}

struct Inner {
    configurator: Configurator,
    path: PathBuf,
    /// The text applied last, and the last error.
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    applied: Option<String>,
    last_error: Option<ConfigError>,
    /// The file's size and modification time at the last poll.
    last_stamp: Option<Stamp>,
}

/// What a poll compares to tell a file being written from one at rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

impl std::fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigFile")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl ConfigFile {
    /// A file to apply with `configurator`; nothing is read yet.
    pub fn new(configurator: Configurator, path: impl AsRef<Path>) -> ConfigFile {
        ConfigFile {
            inner: Arc::new(Inner {
                configurator,
                path: path.as_ref().to_owned(),
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Reads and applies the file now, changed or not.
    pub fn reload(&self) -> Result<(), ConfigError> {
        self.inner.apply(None).map(|_| ())
    }

    /// Reads the file and applies it if its text differs from what was applied last; returns
    /// whether it applied it.
    pub fn reload_if_changed(&self) -> Result<bool, ConfigError> {
        let text = read_config_file(&self.inner.path)?;
        self.inner.apply(Some(text))
    }

    /// The error of the last reload that failed, if the last reload failed.
    pub fn last_error(&self) -> Option<ConfigError> {
        self.inner.state().last_error.clone()
    }

    /// Polls the file every `interval` on a thread of its own and applies it when it changes,
    /// once its size and modification time have stayed the same from one poll to the next (a
    /// file still being written is not applied half-written). A reload that fails is printed to
    /// stderr and kept in [`last_error`](ConfigFile::last_error); the running configuration stays
    /// as it was.
    pub fn watch(&self, interval: Duration) -> ConfigWatcher {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let inner = self.inner.clone();
        let signal = stop.clone();
        let thread = std::thread::Builder::new()
            .name("pylog-config-watch".to_owned())
            .spawn(move || {
                let (lock, wake) = &*signal;
                let mut stopped = lock.lock().unwrap_or_else(|e| e.into_inner());
                while !*stopped {
                    let (guard, _) = wake
                        .wait_timeout(stopped, interval)
                        .unwrap_or_else(|e| e.into_inner());
                    stopped = guard;
                    if *stopped {
                        break;
                    }
                    drop(stopped);
                    inner.poll();
                    stopped = lock.lock().unwrap_or_else(|e| e.into_inner());
                }
            })
            .ok();
        ConfigWatcher {
            stop,
            thread,
            file: ConfigFile {
                inner: self.inner.clone(),
            },
        }
    }
}

impl Inner {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies `text` (or the file, read now) unless it is what was applied last.
    fn apply(&self, text: Option<String>) -> Result<bool, ConfigError> {
        let forced = text.is_none();
        let text = match text {
            Some(text) => text,
            None => read_config_file(&self.path)?,
        };
        let mut state = self.state();
        if !forced && state.applied.as_deref() == Some(text.as_str()) {
            return Ok(false);
        }
        let result = self.configurator.apply_text(&text, &self.path);
        match result {
            Ok(()) => {
                state.applied = Some(text);
                state.last_error = None;
                Ok(true)
            }
            Err(error) => {
                // Remember the text so that a broken file is reported once, not at every poll.
                state.applied = Some(text);
                state.last_error = Some(error.clone());
                Err(error)
            }
        }
    }

    /// Whether the file is at rest: its stamp is the one the previous poll saw. Records the stamp
    /// for the next poll. A file that cannot be looked at counts as at rest, so that reading it
    /// reports why.
    fn at_rest(&self) -> bool {
        let stamp = Stamp::of(&self.path);
        let mut state = self.state();
        let unchanged = state.last_stamp == stamp;
        state.last_stamp = stamp;
        stamp.is_none() || unchanged
    }

    /// One look at the file; a failure is printed once, not at every poll. A file whose size or
    /// modification time changed since the previous poll, or while it was read, waits for the
    /// next one.
    fn poll(&self) {
        if !self.at_rest() {
            return;
        }
        let read = read_config_file(&self.path);
        if read.is_ok() && Stamp::of(&self.path) != self.state().last_stamp {
            return;
        }
        let failure = match read {
            Ok(text) => self.apply(Some(text)).err(),
            Err(error) => {
                let mut state = self.state();
                let repeated = state.last_error.as_ref() == Some(&error);
                state.last_error = Some(error.clone());
                (!repeated).then_some(error)
            }
        };
        if let Some(error) = failure {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr().lock(),
                "pylog: configuration {} not reloaded: {error}",
                self.path.display()
            );
        }
    }
}

/// The thread started by [`ConfigFile::watch`]; [`stop`](ConfigWatcher::stop) ends it (dropping
/// the watcher does too).
pub struct ConfigWatcher {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
    file: ConfigFile,
}

impl std::fmt::Debug for ConfigWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigWatcher")
            .field("path", &self.file.inner.path)
            .finish()
    }
}

impl ConfigWatcher {
    /// The file being watched.
    pub fn file(&self) -> &ConfigFile {
        &self.file
    }

    /// Stops polling and waits for the thread to end.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        let (lock, wake) = &*self.stop;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ConfigWatcher {
    fn drop(&mut self) {
        self.shut_down();
    }
}

#[cfg(all(test, feature = "json"))]
mod tests {
    use super::*;
    use crate::{Manager, SharedWriter};

    const FULL: &str = r#"{"version": 1,
 "handlers": {"out": {"class": "logging.StreamHandler", "stream": "ext://app.out"}},
 "loggers": {"app": {"level": "INFO", "handlers": ["out"], "propagate": false}}}"#;

    #[test]
    fn a_file_is_applied_only_once_it_is_at_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logging.json");
        let tree = Manager::new();
        let out = SharedWriter::new();
        let configurator = Configurator::for_manager(&tree)
            .env_overrides(false)
            .ext_writer("app.out", out.clone());
        let file = ConfigFile::new(configurator, &path);

        // Half written: the first poll sees it, and does not apply it.
        let half = &FULL[..FULL.len() / 2];
        std::fs::write(&path, half).unwrap();
        file.inner.poll();
        assert_eq!(file.last_error(), None, "the half file was not read");
        assert_eq!(file.inner.state().applied, None);
        // Written on: the next poll sees another size, and waits again.
        std::fs::write(&path, FULL).unwrap();
        file.inner.poll();
        assert_eq!(file.inner.state().applied, None);
        // At rest since the last poll: applied.
        file.inner.poll();
        assert_eq!(file.last_error(), None);
        assert_eq!(file.inner.state().applied.as_deref(), Some(FULL));
        tree.get_logger("app").info("configured");
        assert_eq!(out.contents(), "configured\n");
        // Polls of a file at rest apply nothing more.
        file.inner.poll();
        assert_eq!(file.last_error(), None);
    }

    #[test]
    fn a_missing_file_is_reported_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = ConfigFile::new(Configurator::new(), dir.path().join("none.json"));
        file.inner.poll();
        assert!(
            file.last_error()
                .is_some_and(|e| e.to_string().ends_with("none.json doesn't exist")),
            "{:?}",
            file.last_error()
        );
    }
}
