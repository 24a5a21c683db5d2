//! The file behind every file handler: opened now or on the first record, reopened after `close()`
//! in append mode (never in write mode, as CPython), its size tracked as it grows.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::file::FileMode;

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
}

impl LogFile {
    /// A file not opened yet.
    pub(crate) fn new(path: PathBuf, mode: FileMode) -> LogFile {
        LogFile {
            path,
            mode,
            file: None,
            closed: false,
            size: 0,
            regular: true,
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn is_open(&self) -> bool {
        self.file.is_some()
    }

    /// Opens the file now (truncating it in write mode).
    pub(crate) fn open(&mut self) -> io::Result<()> {
        let mut options = OpenOptions::new();
        match self.mode {
            FileMode::Append => options.append(true).create(true),
            FileMode::Write => options.write(true).create(true).truncate(true),
        };
        let file = options.open(&self.path)?;
        let metadata = file.metadata()?;
        self.size = metadata.len();
        self.regular = metadata.is_file();
        self.file = Some(file);
        Ok(())
    }

    /// Opens the file if it is not open, unless it was closed in write mode.
    pub(crate) fn ensure_open(&mut self) -> io::Result<()> {
        if self.file.is_some() {
            return Ok(());
        }
        if self.closed && self.mode == FileMode::Write {
            return Err(io::Error::other(
                "record after close() on a mode 'w' file handler",
            ));
        }
        self.open()
    }

    /// Writes `bytes` in one call, opening the file first if needed.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.ensure_open()?;
        if let Some(file) = self.file.as_mut() {
            file.write_all(bytes)?;
            self.size += bytes.len() as u64;
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
            self.size = file.seek(SeekFrom::End(0))?;
        }
        Ok(())
    }

    /// Whether the open file is still the one at its path: not renamed, deleted or replaced (by
    /// logrotate, or by another process rotating it). `false` when nothing is open.
    pub(crate) fn is_still_at_path(&self) -> io::Result<bool> {
        let Some(open) = &self.file else {
            return Ok(false);
        };
        let at_path = match std::fs::metadata(&self.path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        let open = open.metadata()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Ok(open.dev() == at_path.dev() && open.ino() == at_path.ino())
        }
        #[cfg(not(unix))]
        {
            Ok(open.len() == at_path.len() && open.modified().ok() == at_path.modified().ok())
        }
    }

    /// Closes the file for a rotation; it may be opened again.
    pub(crate) fn release(&mut self) {
        self.file = None;
    }

    /// Closes the file for good (Python's `FileHandler.close`).
    pub(crate) fn close(&mut self) {
        self.file = None;
        self.closed = true;
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}
