//! The lock file of a shared (multi-process) rotating handler: `app.log.lock`, locked with
//! `flock` around each record.
//!
//! Two rules keep a hostile neighbour from freezing the logger:
//!
//! - **Who can take the lock.** The file is created with `O_NOFOLLOW` (a planted symbolic link is
//!   an error) and with the permissions of those who may write the log: the owner always, the
//!   group and others only when the log grants them write access. A 0644 log gets a 0600 lock
//!   file, so a user who can only read the log cannot lock it (`flock` needs only read access).
//!   An existing lock file of this process's user that grants more is tightened to that.
//! - **How long a record waits.** A lock held longer than the handler's bound (a lock file created
//!   earlier by someone else, or a stuck process) is reported once through `handle_error`, and
//!   the record is written without it (never lost, but not checked for rotation). Until the lock
//!   is free again, each record only tries it without waiting; the first record that gets it
//!   ends the burst, and the next stale lock is reported again. The handler's mutex is held while
//!   waiting, so the threads of this process stop for at most one bound per burst.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a record waits for the lock by default before it is written without it.
pub(crate) const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(2);

/// The lock file and what the handler knows of its state.
#[derive(Debug)]
pub(crate) struct SharedLock {
    file: File,
    path: PathBuf,
    timeout: Duration,
    /// The last wait timed out and the lock has not been obtained since.
    stale: bool,
}

/// What [`SharedLock::acquire`] got.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Acquired {
    /// The lock is held; release it with [`SharedLock::release`].
    Locked,
    /// Another process holds the lock; `report` is true for the first record of this burst.
    Busy { report: bool },
}

impl SharedLock {
    /// Opens (creating if needed) the lock file beside `log`, without following a symbolic link.
    pub(crate) fn open(
        lock_path: PathBuf,
        log: &Path,
        timeout: Duration,
    ) -> io::Result<SharedLock> {
        let mut options = OpenOptions::new();
        // Read access too: a shared time trigger keeps the next rollover time in the lock file.
        options.create(true).truncate(false).read(true).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW).mode(lock_mode(log));
        }
        #[cfg(not(unix))]
        let _ = log;
        let file = options.open(&lock_path)?;
        #[cfg(unix)]
        tighten_mode(&file, lock_mode(log));
        Ok(SharedLock {
            file,
            path: lock_path,
            timeout,
            stale: false,
        })
    }

    /// Takes the lock, waiting at most the bound (or not at all while a stale lock's burst lasts).
    pub(crate) fn acquire(&mut self) -> io::Result<Acquired> {
        let deadline = Instant::now()
            + if self.stale {
                Duration::ZERO
            } else {
                self.timeout
            };
        let mut pause = Duration::from_millis(1);
        loop {
            match self.file.try_lock() {
                Ok(()) => {
                    self.stale = false;
                    return Ok(Acquired::Locked);
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(e),
            }
            let now = Instant::now();
            if now >= deadline {
                let report = !self.stale;
                self.stale = true;
                return Ok(Acquired::Busy { report });
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// Releases the lock taken by [`acquire`](SharedLock::acquire).
    pub(crate) fn release(&self) -> io::Result<()> {
        self.file.unlock()
    }

    /// The next time rollover, recorded in the lock file by the process that did the last one
    /// (read under the lock).
    #[cfg(unix)]
    pub(crate) fn rollover_at(&self) -> io::Result<Option<i64>> {
        use std::os::unix::fs::FileExt;
        let mut bytes = [0u8; 8];
        match self.file.read_at(&mut bytes, 0) {
            Ok(8) => Ok(Some(i64::from_le_bytes(bytes))),
            Ok(_) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The next time rollover (never recorded where positioned reads are not available).
    #[cfg(not(unix))]
    pub(crate) fn rollover_at(&self) -> io::Result<Option<i64>> {
        Ok(None)
    }

    /// Records the next time rollover in the lock file, for the other processes (under the
    /// lock).
    #[cfg(unix)]
    pub(crate) fn store_rollover_at(&self, at: i64) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        self.file.write_all_at(&at.to_le_bytes(), 0)
    }

    /// Records the next time rollover (nowhere where positioned writes are not available).
    #[cfg(not(unix))]
    pub(crate) fn store_rollover_at(&self, _at: i64) -> io::Result<()> {
        Ok(())
    }

    /// The error reported for the first record of a burst written without the lock.
    pub(crate) fn stale_error(&self) -> io::Error {
        io::Error::other(format!(
            "the lock file '{}' was held by another process for more than {:?}; \
                 records are written without it (and not rotated) until it is free",
            self.path.display(),
            self.timeout
        ))
    }
}

/// Takes away from an existing lock file (one made by an older version, 0644 under the usual
/// umask) the bits `allowed` does not grant. Never adds any; a file this process may not change
/// (another user's) is left as it is.
#[cfg(unix)]
fn tighten_mode(file: &File, allowed: u32) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(metadata) = file.metadata() {
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & !allowed != 0 {
            let _ = file.set_permissions(std::fs::Permissions::from_mode(mode & allowed));
        }
    }
}

/// The lock file's permission bits: read and write for the owner, and for the group and others
/// only when the log lets them write (those who cannot write the log have no business locking
/// it). 0600 when the log does not exist yet.
#[cfg(unix)]
fn lock_mode(log: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    let log_mode = std::fs::metadata(log)
        .map(|m| m.permissions().mode())
        .unwrap_or(0o600);
    let mut mode = 0o600;
    if log_mode & 0o020 != 0 {
        mode |= 0o060;
    }
    if log_mode & 0o002 != 0 {
        mode |= 0o006;
    }
    mode
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode_of(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn lock_file_is_writable_only_by_who_may_write_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        std::fs::write(&log, "").unwrap();
        for (log_mode, expected) in [(0o644, 0o600), (0o600, 0o600), (0o664, 0o660)] {
            std::fs::set_permissions(&log, std::fs::Permissions::from_mode(log_mode)).unwrap();
            let lock_path = dir.path().join(format!("app.log.{log_mode:o}.lock"));
            SharedLock::open(lock_path.clone(), &log, DEFAULT_LOCK_TIMEOUT).unwrap();
            // The umask may take group bits away, never add any.
            assert_eq!(mode_of(&lock_path) & !expected, 0, "log {log_mode:o}");
            assert_eq!(mode_of(&lock_path) & 0o600, 0o600);
        }
    }

    #[test]
    fn an_existing_lock_file_open_to_all_is_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        std::fs::write(&log, "").unwrap();
        std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
        let lock_path = dir.path().join("app.log.lock");
        std::fs::write(&lock_path, "").unwrap();
        std::fs::set_permissions(&lock_path, std::fs::Permissions::from_mode(0o666)).unwrap();
        SharedLock::open(lock_path.clone(), &log, DEFAULT_LOCK_TIMEOUT).unwrap();
        assert_eq!(mode_of(&lock_path), 0o600);
    }

    #[test]
    fn a_symbolic_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let lock_path = dir.path().join("app.log.lock");
        std::os::unix::fs::symlink(&target, &lock_path).unwrap();
        let err = SharedLock::open(lock_path, &dir.path().join("app.log"), DEFAULT_LOCK_TIMEOUT)
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ELOOP));
    }

    #[test]
    fn a_held_lock_is_reported_once_per_burst_and_waits_only_once() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        let lock_path = dir.path().join("app.log.lock");
        let timeout = Duration::from_millis(50);
        let mut ours = SharedLock::open(lock_path.clone(), &log, timeout).unwrap();
        // A second open file description stands for another process.
        let other = File::options().write(true).open(&lock_path).unwrap();
        other.lock().unwrap();
        assert_eq!(ours.acquire().unwrap(), Acquired::Busy { report: true });
        let started = Instant::now();
        assert_eq!(ours.acquire().unwrap(), Acquired::Busy { report: false });
        assert!(started.elapsed() < timeout, "a burst waits only once");
        other.unlock().unwrap();
        assert_eq!(ours.acquire().unwrap(), Acquired::Locked);
        ours.release().unwrap();
        other.lock().unwrap();
        assert_eq!(ours.acquire().unwrap(), Acquired::Busy { report: true });
    }
}
