//! The file behind every file handler: opened now or on the first record, reopened after `close()`
//! in append mode (never in write mode, as CPython), its size tracked as it grows.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use std::time::Duration;

use super::file::FileMode;
use crate::level::Level;
use crate::record::LogRecord;

/// When a file handler hands its bytes to the operating system.
///
/// ```
/// use std::time::Duration;
/// use pylog_core::{FileHandler, FlushPolicy, Level};
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("app.log");
/// let handler = FileHandler::builder(&path)
///     .flush_policy(FlushPolicy::Buffered {
///         capacity: 64 * 1024,
///         level: Level::WARNING,
///         interval: Duration::from_secs(1),
///     })
///     .build()?;
/// # Ok::<(), pylog_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FlushPolicy {
    /// Write every record as it comes, in one system call (Python's behaviour, the default): a
    /// crash loses nothing that was logged.
    #[default]
    EveryRecord,
    /// Throughput mode: keep records in memory and write them together when `capacity` bytes are
    /// waiting, when a record at `level` or above arrives (so an error is on disk at once), when a
    /// record arrives `interval` or more after the last write (measured with the records' own
    /// `created` times, so no second clock read per record), and on `flush()`, `close()`,
    /// rotation and `shutdown()`.
    ///
    /// What a crash can lose: a process that dies without running `shutdown()` (an abort, a
    /// `SIGKILL`, `process::exit` without `shutdown()`, a power cut) loses the records still in
    /// memory: at most `capacity` bytes, all below `level`. A quiet period does not write them:
    /// the interval is checked when a record arrives.
    Buffered {
        /// Bytes kept in memory before they are written.
        capacity: usize,
        /// Records at this level or above are written at once, with everything before them.
        level: Level,
        /// Records are written when this much time passed since the last write.
        interval: Duration,
    },
}

/// An open (or not yet opened) log file.
#[derive(Debug)]
pub(crate) struct LogFile {
    path: PathBuf,
    mode: FileMode,
    file: Option<File>,
    /// `close()` was called (a closed mode-`w` file is not reopened: bpo-42378).
    closed: bool,
    /// Bytes in the file: its length when opened plus what was written since.
    size: u64,
    /// Whether the open file is a regular file (not `/dev/null`, a FIFO, …): only those rotate.
    regular: bool,
    policy: FlushPolicy,
    /// The throughput mode's interval in seconds, converted once (the records' `created` is in
    /// seconds).
    interval_secs: f64,
    /// Bytes accepted but not written yet (throughput mode only).
    pending: Vec<u8>,
    /// When throughput mode last wrote, in the records' own time (seconds since the epoch): the
    /// interval is measured with each record's `created`, so that no record reads the clock twice.
    last_write: f64,
    /// Open with `O_NOFOLLOW`: a symbolic link at the path is an error, not followed.
    no_follow: bool,
    /// The permission bits of the file this handler had open before it released it (for a
    /// rotation, or because the file was moved away): a file it creates in its place gets them.
    replaced_mode: Option<u32>,
    /// The open file's device and inode, read when it was opened (they never change while it is
    /// open), so that checking whether it is still at its path costs one `stat` of the path.
    #[cfg(unix)]
    identity: Option<FileIdentity>,
}

/// A file's device and inode: two opens with the same identity are the same file.
#[cfg(unix)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileIdentity {
    dev: u64,
    ino: u64,
}

#[cfg(unix)]
impl FileIdentity {
    fn of(metadata: &std::fs::Metadata) -> FileIdentity {
        use std::os::unix::fs::MetadataExt;
        FileIdentity {
            dev: metadata.dev(),
            ino: metadata.ino(),
        }
    }

    /// The identity of the file at `path` now, `None` when nothing is there (moved or deleted).
    /// It takes no lock: a handler reads it before taking its own.
    pub(crate) fn at_path(path: &Path) -> io::Result<Option<FileIdentity>> {
        match std::fs::metadata(path) {
            Ok(metadata) => Ok(Some(FileIdentity::of(&metadata))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl LogFile {
    /// A file not opened yet.
    pub(crate) fn new(path: PathBuf, mode: FileMode, policy: FlushPolicy) -> LogFile {
        LogFile {
            path,
            mode,
            file: None,
            closed: false,
            size: 0,
            regular: true,
            policy,
            interval_secs: match policy {
                FlushPolicy::Buffered { interval, .. } => interval.as_secs_f64(),
                FlushPolicy::EveryRecord => 0.0,
            },
            pending: Vec::new(),
            last_write: crate::record::now(),
            no_follow: false,
            replaced_mode: None,
            #[cfg(unix)]
            identity: None,
        }
    }

    /// Opens the file with `O_NOFOLLOW` (Unix): a symbolic link at the path makes opening fail.
    pub(crate) fn set_no_follow(&mut self, no_follow: bool) {
        self.no_follow = no_follow;
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn is_open(&self) -> bool {
        self.file.is_some()
    }

    /// Opens the file now (truncating it in write mode). A file created in place of one this
    /// handler released gets that file's permission bits, whatever the umask.
    pub(crate) fn open(&mut self) -> io::Result<()> {
        let file = self
            .open_keeping_mode()
            .map_err(|e| super::open_error(&self.path, e))?;
        let metadata = file.metadata()?;
        self.size = metadata.len();
        self.regular = metadata.is_file();
        #[cfg(unix)]
        {
            self.identity = Some(FileIdentity::of(&metadata));
        }
        self.file = Some(file);
        Ok(())
    }

    fn options(&self) -> OpenOptions {
        let mut options = OpenOptions::new();
        match self.mode {
            FileMode::Append => options.append(true).create(true),
            FileMode::Write => options.write(true).create(true).truncate(true),
        };
        #[cfg(unix)]
        if self.no_follow {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW);
        }
        options
    }

    /// Creates the file with the mode of the file it replaces when there is one to keep, or opens
    /// it as Python does.
    fn open_keeping_mode(&self) -> io::Result<File> {
        #[cfg(unix)]
        if let Some(mode) = self.replaced_mode {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            let mut options = self.options();
            // `create_new` so that only a file created here is given the mode: an existing file
            // (another process's, in the shared mode) keeps its own.
            options.create_new(true).mode(mode);
            match options.open(&self.path) {
                Ok(file) => {
                    // The umask may have taken bits away; the creation mode never adds any, so
                    // the file was never more open than `mode`.
                    file.set_permissions(std::fs::Permissions::from_mode(mode))?;
                    return Ok(file);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        self.options().open(&self.path)
    }

    /// Remembers the open file's permission bits before it is released.
    fn remember_mode(&mut self) {
        #[cfg(unix)]
        if let Some(file) = &self.file
            && let Ok(metadata) = file.metadata()
        {
            use std::os::unix::fs::PermissionsExt;
            self.replaced_mode = Some(metadata.permissions().mode() & 0o7777);
        }
    }

    /// Opens the file if it is not open, unless it was closed in write mode.
    #[inline]
    pub(crate) fn ensure_open(&mut self) -> io::Result<()> {
        if self.file.is_some() {
            return Ok(());
        }
        self.open_unless_closed()
    }

    /// [`LogFile::ensure_open`] when the file is not open: kept out of the record path.
    #[cold]
    #[inline(never)]
    fn open_unless_closed(&mut self) -> io::Result<()> {
        if self.closed && self.mode == FileMode::Write {
            return Err(io::Error::other(
                "record after close() on a mode 'w' file handler",
            ));
        }
        self.open()
    }

    /// Writes `bytes` (`record` formatted) in one call, or keeps them for a later write in
    /// throughput mode; opens the file first if needed. Inlined into the handlers' `emit`: in
    /// throughput mode most records only append to `pending`.
    #[inline]
    pub(crate) fn write(&mut self, bytes: &[u8], record: &LogRecord<'_>) -> io::Result<()> {
        let level = record.level;
        self.ensure_open()?;
        match self.policy {
            FlushPolicy::EveryRecord => {
                if let Some(file) = self.file.as_mut() {
                    file.write_all(bytes)?;
                }
            }
            FlushPolicy::Buffered {
                capacity,
                level: flush_level,
                ..
            } => {
                self.pending.extend_from_slice(bytes);
                // Records of several threads arrive a little out of order, which is no reason to
                // write; a clock set back by an interval or more writes (and starts the interval
                // again from this record).
                let since_last_write = (record.created - self.last_write).abs();
                let within_interval = since_last_write < self.interval_secs;
                if self.pending.len() >= capacity || level >= flush_level || !within_interval {
                    self.last_write = record.created;
                    self.write_pending()?;
                }
            }
        }
        self.size += bytes.len() as u64;
        Ok(())
    }

    /// Writes what throughput mode kept in memory (the interval then restarts at the record that
    /// caused the write: [`LogFile::write`] sets `last_write`; `flush()` and rotation keep it).
    #[inline(never)]
    fn write_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if let Some(file) = self.file.as_mut() {
            file.write_all(&self.pending)?;
            self.pending.clear();
        }
        Ok(())
    }

    /// The file's size as this handler knows it.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Whether the open file is a regular file.
    pub(crate) fn is_regular(&self) -> bool {
        self.regular
    }

    /// Re-reads the size from the open file, which another process may have appended to or
    /// truncated. CPython: `stream.seek(0, 2)`, then `stream.tell()`.
    pub(crate) fn refresh_size(&mut self) -> io::Result<()> {
        if let Some(mut file) = self.file.as_ref() {
            self.size = file.seek(SeekFrom::End(0))? + self.pending.len() as u64;
        }
        Ok(())
    }

    /// Whether the open file is still the one at its path: not renamed, deleted or replaced (by
    /// logrotate, or by another process rotating it). `false` when nothing is open.
    pub(crate) fn is_still_at_path(&self) -> io::Result<bool> {
        #[cfg(unix)]
        {
            Ok(self.is_open() && self.is_file_at_path(FileIdentity::at_path(&self.path)?))
        }
        #[cfg(not(unix))]
        {
            let Some(open) = &self.file else {
                return Ok(false);
            };
            let at_path = match std::fs::metadata(&self.path) {
                Ok(metadata) => metadata,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
                Err(e) => return Err(e),
            };
            let open = open.metadata()?;
            Ok(open.len() == at_path.len() && open.modified().ok() == at_path.modified().ok())
        }
    }

    /// Whether the open file is the one whose identity was read at its path (`None`: nothing
    /// there). `false` when nothing is open.
    #[cfg(unix)]
    pub(crate) fn is_file_at_path(&self, at_path: Option<FileIdentity>) -> bool {
        self.file.is_some() && at_path.is_some() && self.identity == at_path
    }

    /// Writes what is pending and closes the file for a rotation; it may be opened again. The file
    /// is released even when the write fails.
    pub(crate) fn release(&mut self) -> io::Result<()> {
        let written = self.write_pending();
        self.pending.clear();
        self.remember_mode();
        self.file = None;
        #[cfg(unix)]
        {
            self.identity = None;
        }
        written
    }

    /// Writes what is pending, closes the file and points this handler at `path` (the dated
    /// mode's next active file), opened on the next write.
    pub(crate) fn switch_to(&mut self, path: PathBuf) -> io::Result<()> {
        let released = self.release();
        self.path = path;
        released
    }

    /// Writes what is pending and closes the file for good (Python's `FileHandler.close`).
    pub(crate) fn close(&mut self) -> io::Result<()> {
        let written = self.release();
        self.closed = true;
        written
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.write_pending()?;
        match self.file.as_mut() {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for LogFile {
    /// A handler dropped with records still in memory writes them.
    fn drop(&mut self) {
        let _ = self.write_pending();
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_identity_read_at_open_tells_a_moved_or_replaced_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut file = LogFile::new(path.clone(), FileMode::Append, FlushPolicy::EveryRecord);
        assert!(!file.is_still_at_path().unwrap(), "nothing open yet");
        file.open().unwrap();
        assert!(file.is_still_at_path().unwrap());
        std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
        assert_eq!(FileIdentity::at_path(&path).unwrap(), None);
        assert!(!file.is_still_at_path().unwrap(), "moved away");
        std::fs::write(&path, "").unwrap();
        assert!(
            !file.is_still_at_path().unwrap(),
            "another file at the path"
        );
        file.release().unwrap();
        assert!(!file.is_still_at_path().unwrap(), "released");
        file.open().unwrap();
        assert!(file.is_still_at_path().unwrap(), "reopened at the path");
    }
}
