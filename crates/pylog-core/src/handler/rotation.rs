//! What the rotating handlers share: Python's `namer` and `rotator` hooks (`BaseRotatingHandler`),
//! and the file operations of a rollover. Compression is in `compress.rs`.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Python's `namer`: maps the default name of a rotated file to the name to use.
pub type Namer = Arc<dyn Fn(&Path) -> PathBuf + Send + Sync>;

/// Python's `rotator`: moves the current file (`source`) to its rotated name (`dest`).
pub type Rotator = Arc<dyn Fn(&Path, &Path) -> io::Result<()> + Send + Sync>;

/// The hooks of one rotating handler.
#[derive(Clone, Default)]
pub(crate) struct RotationHooks {
    pub(crate) namer: Option<Namer>,
    pub(crate) rotator: Option<Rotator>,
}

impl fmt::Debug for RotationHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RotationHooks")
            .field("namer", &self.namer.is_some())
            .field("rotator", &self.rotator.is_some())
            .finish()
    }
}

impl RotationHooks {
    /// Python's `rotation_filename`: the namer's name for `default`, or `default`.
    pub(crate) fn rotation_filename(&self, default: PathBuf) -> PathBuf {
        match &self.namer {
            Some(namer) => namer(&default),
            None => default,
        }
    }

    /// Python's `rotate`: the rotator, or a rename when `source` exists.
    pub(crate) fn rotate(&self, source: &Path, dest: &Path) -> io::Result<()> {
        match &self.rotator {
            Some(rotator) => rotator(source, dest),
            None if source.exists() => rename(source, dest),
            None => Ok(()),
        }
    }
}

/// The `namer`, `rotator` and `gzip` options of the rotating handlers' builders (fields `hooks`
/// and `gzip`).
macro_rules! rotation_hook_options {
    () => {
        /// Python's `namer`: the name of each rotated file from its default name.
        pub fn namer(
            mut self,
            namer: impl Fn(&std::path::Path) -> std::path::PathBuf + Send + Sync + 'static,
        ) -> Self {
            self.hooks.namer = Some(std::sync::Arc::new(namer) as $crate::Namer);
            self
        }

        /// Python's `rotator`: moves the current file to its rotated name (default: a rename).
        pub fn rotator(
            mut self,
            rotator: impl Fn(&std::path::Path, &std::path::Path) -> std::io::Result<()>
            + Send
            + Sync
            + 'static,
        ) -> Self {
            self.hooks.rotator = Some(std::sync::Arc::new(rotator) as $crate::Rotator);
            self
        }

        /// Compress rotated files with gzip (`app.log.1.gz`, after any namer's name), on the
        /// handler's own thread: the same as `compression(Compression::Gzip)`.
        #[cfg(feature = "gzip")]
        #[cfg_attr(docsrs, doc(cfg(feature = "gzip")))]
        pub fn gzip(mut self, gzip: bool) -> Self {
            self.gzip = gzip;
            self
        }
    };
}
pub(crate) use rotation_hook_options;

/// Removes `path`; a missing file is not an error. A failure names the path, as CPython's
/// `os.remove` does (`[Errno 21] Is a directory: '/var/log/app.log.1'`).
pub(crate) fn remove_if_exists(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(super::open_error(path, e)),
        _ => Ok(()),
    }
}

/// Removes `path`, naming it in the error as [`remove_if_exists`] does.
pub(crate) fn remove(path: &Path) -> io::Result<()> {
    std::fs::remove_file(path).map_err(|e| super::open_error(path, e))
}

/// Renames `source` to `dest`; a failure names both paths, as CPython's `os.rename` does
/// (`[Errno 13] Permission denied: '/var/log/app.log' -> '/var/log/app.log.1'`).
pub(crate) fn rename(source: &Path, dest: &Path) -> io::Result<()> {
    std::fs::rename(source, dest).map_err(|e| super::rename_error(source, dest, e))
}

/// `path` with `suffix` appended to its last component (`app.log` + `.1` = `app.log.1`).
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
