//! Compression of rotated files, off the logging thread: a [`CompressWorker`] thread of the
//! handler compresses each plain backup into a temporary file, syncs it, renames it to its final
//! name (`app.log.1.gz`) and only then removes the plain file. A crash at any moment leaves the
//! plain file or the compressed one complete (or both, until the next sweep), never a broken
//! backup under a backup's name, and loses none.
//!
//! A compressed name that already holds a backup is never replaced by another one: when the
//! clock went back into a period whose file was already compressed, the plain file of that
//! period written since is compressed *after* the old data. gzip members and zstd frames
//! concatenate (`gzip -d`, `zcat`, `zstd -d` and Python's `gzip.open` read them all), so the
//! temporary file holds the old compressed bytes followed by the new ones, synced, and is renamed
//! over the old name: a crash leaves the old file or the joined one, and the plain file. When
//! the existing file already ends with exactly the bytes the plain file compresses to, or
//! decompresses to exactly the plain file, a crash came between an earlier rename and the
//! removal of the plain file, and only the plain file is removed, so that no record is kept
//! twice.

use std::fs::File;
use std::io::{self, BufRead, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

/// How a [`RotatingFileHandler`](super::RotatingFileHandler) compresses its rotated files.
///
/// | variant | feature | file |
/// |---|---|---|
/// | `Gzip` | `gzip` (default) | `app.log.1.gz` |
/// | `Zstd` | `zstd` | `app.log.1.zst` |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// gzip at the default level (what `gzip` and Python's `gzip.open` read).
    #[cfg(feature = "gzip")]
    Gzip,
    /// Zstandard at the default level (what `zstd -d` reads).
    #[cfg(feature = "zstd")]
    Zstd,
}

/// The extensions of compressed backups, whatever compression made them.
pub(crate) const COMPRESSED_EXTENSIONS: [&str; 2] = [".gz", ".zst"];

impl Compression {
    /// The extension added to a compressed file's name.
    pub fn extension(self) -> &'static str {
        match self {
            #[cfg(feature = "gzip")]
            Compression::Gzip => ".gz",
            #[cfg(feature = "zstd")]
            Compression::Zstd => ".zst",
        }
    }

    /// A reader of the data `input` decompresses to (every gzip member, every zstd frame).
    #[cfg_attr(not(any(feature = "gzip", feature = "zstd")), allow(unused_variables))]
    fn decoder<'a>(self, input: &'a mut File) -> io::Result<Box<dyn io::Read + 'a>> {
        match self {
            #[cfg(feature = "gzip")]
            Compression::Gzip => Ok(Box::new(flate2::read::MultiGzDecoder::new(
                io::BufReader::new(input),
            ))),
            #[cfg(feature = "zstd")]
            Compression::Zstd => Ok(Box::new(zstd::Decoder::new(input)?)),
        }
    }

    /// Compresses all of `input` into `output`.
    #[cfg_attr(not(any(feature = "gzip", feature = "zstd")), allow(unused_variables))]
    fn compress(self, input: &mut File, output: &mut File) -> io::Result<()> {
        let output = io::BufWriter::new(output);
        match self {
            #[cfg(feature = "gzip")]
            Compression::Gzip => {
                let mut encoder =
                    flate2::write::GzEncoder::new(output, flate2::Compression::default());
                io::copy(input, &mut encoder)?;
                io::Write::flush(&mut encoder.finish()?)
            }
            #[cfg(feature = "zstd")]
            Compression::Zstd => {
                let mut encoder = zstd::Encoder::new(output, 0)?;
                io::copy(input, &mut encoder)?;
                io::Write::flush(&mut encoder.finish()?)
            }
        }
    }
}

/// The temporary name `dest` is written under: hidden, in the same directory (so the final rename
/// is atomic), with this process's id so that a later process can tell a stale one.
pub(crate) fn temp_name(dest: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dest.with_file_name(format!(".{name}{TEMP_MARK}{}-{n}", std::process::id()))
}

const TEMP_MARK: &str = ".pylog-tmp-";

/// A compressed copy written under a temporary name, waiting to be committed.
pub(crate) struct Compressed {
    /// The source's metadata, to check before committing that its name still holds this file
    /// ([`is_same_file`]).
    pub(crate) source: std::fs::Metadata,
    pub(crate) temp: PathBuf,
    /// What the compressed name held when the copy was written.
    at_dest: AtDest,
    /// The source stays open until the commit: another rollover or process may delete it
    /// meanwhile, and while it is open its inode number cannot be given to a new file, which
    /// `is_same_file` would then take for the one compressed (and the new file's records would be
    /// deleted in its place).
    _open: File,
}

/// What the compressed name held when a backup was compressed to it.
enum AtDest {
    /// Nothing: the temporary file is renamed to it.
    Nothing,
    /// An earlier backup (kept open, for the same reason as the source): the temporary file
    /// holds its bytes followed by the new compressed data, and is renamed over it.
    Joined(Held),
    /// A backup that already ends with the new compressed data (a crash came between an earlier
    /// commit's rename and the removal of the plain file): only the plain file is removed.
    Holds(Held),
}

/// The backup found at the compressed name, kept open until the commit.
struct Held {
    metadata: std::fs::Metadata,
    _open: File,
}

impl Compressed {
    /// Makes the compressed copy the backup at `dest` and removes `plain`, if `plain` still holds
    /// the file compressed and `dest` what it held when the copy was written; `false` (and
    /// nothing changed) otherwise. Called under the handler's locks; the caller removes the
    /// temporary file when this does not return `Ok(true)`.
    pub(crate) fn commit(&self, plain: &Path, dest: &Path) -> io::Result<bool> {
        if !is_same_file(plain, &self.source)? {
            return Ok(false);
        }
        let unchanged = match &self.at_dest {
            AtDest::Nothing => match std::fs::symlink_metadata(dest) {
                Ok(_) => false,
                Err(e) if e.kind() == io::ErrorKind::NotFound => true,
                Err(e) => return Err(e),
            },
            AtDest::Joined(held) | AtDest::Holds(held) => {
                is_same_file(dest, &held.metadata)?
                    && std::fs::metadata(dest)?.len() == held.metadata.len()
            }
        };
        if !unchanged {
            return Ok(false);
        }
        if let AtDest::Holds(..) = self.at_dest {
            let _ = std::fs::remove_file(&self.temp);
        } else {
            super::rotation::rename(&self.temp, dest)?;
            sync_dir(dest);
        }
        super::rotation::remove(plain)?;
        Ok(true)
    }
}

/// Writes `source` compressed to a temporary file beside `dest`, with the source's modification
/// time and permissions, synced to disk; after the bytes of the backup already at `dest`, if any
/// (see the module's docs). `None` when `source` is gone or not a regular file.
pub(crate) fn compress_to_temp(
    compression: Compression,
    source: &Path,
    dest: &Path,
) -> io::Result<Option<Compressed>> {
    let mut input = match File::open(source) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(super::open_error(source, e)),
    };
    let metadata = input.metadata()?;
    if !metadata.is_file() {
        return Ok(None);
    }
    let temp = temp_name(dest);
    let written = (|| {
        let mut output =
            create_new_like(&temp, &metadata).map_err(|e| super::open_error(&temp, e))?;
        compression.compress(&mut input, &mut output)?;
        output.set_permissions(metadata.permissions())?;
        output.set_modified(metadata.modified()?)?;
        output.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    match join_existing(compression, &temp, dest, &mut input, &metadata) {
        Ok((temp, at_dest)) => Ok(Some(Compressed {
            source: metadata,
            temp,
            at_dest,
            _open: input,
        })),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// With a backup already at `dest`: a new temporary file holding its bytes followed by those of
/// `fresh` (which is removed), or nothing new when it already holds the source's data (it ends
/// with `fresh`'s bytes, or it decompresses to exactly the source, whatever compressor made it).
/// Returns the temporary file to commit and what `dest` holds.
fn join_existing(
    compression: Compression,
    fresh: &Path,
    dest: &Path,
    input: &mut File,
    source: &std::fs::Metadata,
) -> io::Result<(PathBuf, AtDest)> {
    let mut existing = match File::open(dest) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok((fresh.to_path_buf(), AtDest::Nothing));
        }
        Err(e) => return Err(super::open_error(dest, e)),
    };
    let held = existing.metadata()?;
    if !held.is_file() {
        return Err(io::Error::other(format!(
            "'{}' is in the way of a compressed backup and is not a file",
            dest.display()
        )));
    }
    let mut new_data = File::open(fresh)?;
    let new_len = new_data.metadata()?.len();
    let mut holds = false;
    if held.len() >= new_len {
        existing.seek(io::SeekFrom::Start(held.len() - new_len))?;
        holds = same_bytes(&mut existing, &mut new_data)?;
        new_data.seek(io::SeekFrom::Start(0))?;
    }
    if !holds {
        existing.seek(io::SeekFrom::Start(0))?;
        input.seek(io::SeekFrom::Start(0))?;
        // A backup that cannot be decompressed is not the source's copy: it is kept, joined.
        holds = compression
            .decoder(&mut existing)
            .and_then(|mut decoded| same_bytes(&mut decoded, &mut *input))
            .unwrap_or(false);
    }
    if holds {
        let held = Held {
            metadata: held,
            _open: existing,
        };
        return Ok((fresh.to_path_buf(), AtDest::Holds(held)));
    }
    existing.seek(io::SeekFrom::Start(0))?;
    let joined = temp_name(dest);
    let written = (|| {
        let mut output =
            create_new_like(&joined, source).map_err(|e| super::open_error(&joined, e))?;
        io::copy(&mut existing, &mut output)?;
        io::copy(&mut new_data, &mut output)?;
        output.set_permissions(source.permissions())?;
        output.set_modified(source.modified()?)?;
        output.sync_all()
    })();
    match written {
        Ok(()) => {
            let _ = std::fs::remove_file(fresh);
            let held = Held {
                metadata: held,
                _open: existing,
            };
            Ok((joined, AtDest::Joined(held)))
        }
        Err(e) => {
            let _ = std::fs::remove_file(&joined);
            Err(e)
        }
    }
}

/// Whether `a` and `b` hold the same bytes from their positions to their ends.
fn same_bytes(a: &mut impl io::Read, b: &mut impl io::Read) -> io::Result<bool> {
    let (mut a, mut b) = (io::BufReader::new(a), io::BufReader::new(b));
    loop {
        let (left, right) = (a.fill_buf()?, b.fill_buf()?);
        if left.is_empty() || right.is_empty() {
            return Ok(left.is_empty() && right.is_empty());
        }
        let n = left.len().min(right.len());
        if left[..n] != right[..n] {
            return Ok(false);
        }
        a.consume(n);
        b.consume(n);
    }
}

/// Creates `path` (it must not exist) never more open than `like`'s permission bits, so that a
/// 0600 log's compressed copy is never readable by others, not even while it is written.
fn create_new_like(path: &Path, like: &std::fs::Metadata) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(like.permissions().mode() & 0o7777);
    }
    #[cfg(not(unix))]
    let _ = like;
    options.open(path)
}

/// Whether `path` is still the file `opened` was read from.
pub(crate) fn is_same_file(path: &Path, opened: &std::fs::Metadata) -> io::Result<bool> {
    let at_path = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok(opened.dev() == at_path.dev() && opened.ino() == at_path.ino())
    }
    #[cfg(not(unix))]
    {
        Ok(opened.len() == at_path.len() && opened.modified().ok() == at_path.modified().ok())
    }
}

/// Syncs a directory, so that a rename in it survives a power cut (best effort).
pub(crate) fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(dir) = File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
    {
        let _ = dir.sync_all();
    }
}

/// Removes temporary files left in `dir` by processes that died while compressing.
pub(crate) fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let Some((_, tail)) = name.rsplit_once(TEMP_MARK) else {
            continue;
        };
        let Some(pid) = tail.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if name.starts_with('.') && !process_is_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a process with this id runs (on systems without `/proc`, any process is taken as
/// running, so its files are left alone). This process is alive: another handler of it may be
/// compressing.
fn process_is_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

#[derive(Default)]
struct Flags {
    requested: bool,
    busy: bool,
    stop: bool,
}

#[derive(Default)]
struct Signal {
    flags: Mutex<Flags>,
    changed: Condvar,
}

/// The thread that compresses rotated files. The logging thread only [`request`](Self::request)s
/// a sweep; [`drain`](Self::drain) waits until none is pending, and dropping the worker drains
/// it and joins the thread.
pub(crate) struct CompressWorker {
    signal: Arc<Signal>,
    thread: Option<JoinHandle<()>>,
}

impl CompressWorker {
    /// Starts the thread, which runs `sweep` once per request (requests made while it runs are
    /// merged into one more run).
    pub(crate) fn spawn(name: String, sweep: impl Fn() + Send + 'static) -> io::Result<Self> {
        let signal = Arc::new(Signal::default());
        let worker_signal = signal.clone();
        let thread = std::thread::Builder::new().name(name).spawn(move || {
            let signal = worker_signal;
            loop {
                {
                    let mut flags = signal.flags.lock().unwrap_or_else(|e| e.into_inner());
                    while !flags.requested && !flags.stop {
                        flags = signal
                            .changed
                            .wait(flags)
                            .unwrap_or_else(|e| e.into_inner());
                    }
                    if !flags.requested {
                        return;
                    }
                    flags.requested = false;
                    flags.busy = true;
                }
                sweep();
                let mut flags = signal.flags.lock().unwrap_or_else(|e| e.into_inner());
                flags.busy = false;
                signal.changed.notify_all();
            }
        })?;
        Ok(CompressWorker {
            signal,
            thread: Some(thread),
        })
    }

    /// Asks for a sweep; returns at once.
    pub(crate) fn request(&self) {
        let mut flags = self.signal.flags.lock().unwrap_or_else(|e| e.into_inner());
        flags.requested = true;
        self.signal.changed.notify_all();
    }

    /// Waits until every requested sweep has run.
    pub(crate) fn drain(&self) {
        let finished = self.thread.as_ref().is_none_or(JoinHandle::is_finished);
        if finished {
            return;
        }
        let mut flags = self.signal.flags.lock().unwrap_or_else(|e| e.into_inner());
        while flags.requested || flags.busy {
            let (next, _) = self
                .signal
                .changed
                .wait_timeout(flags, std::time::Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner());
            flags = next;
            if self.thread.as_ref().is_none_or(JoinHandle::is_finished) {
                return;
            }
        }
    }
}

impl Drop for CompressWorker {
    fn drop(&mut self) {
        self.drain();
        self.signal
            .flags
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .stop = true;
        self.signal.changed.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_temp_file_holds_the_source_with_its_mtime_and_mode() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("app.log.1");
        std::fs::write(&source, "one\ntwo\n").unwrap();
        let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        File::options()
            .write(true)
            .open(&source)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let dest = dir.path().join("app.log.1.gz");
        let compressed = compress_to_temp(Compression::Gzip, &source, &dest)
            .unwrap()
            .unwrap();
        let (metadata, temp) = (&compressed.source, &compressed.temp);
        assert!(is_same_file(&source, metadata).unwrap());
        let name = temp.file_name().unwrap().to_str().unwrap().to_owned();
        assert!(name.starts_with(".app.log.1.gz.pylog-tmp-"), "{name}");
        assert!(!dest.exists());
        let mut text = String::new();
        flate2::read::GzDecoder::new(File::open(temp).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "one\ntwo\n");
        let temp_meta = std::fs::metadata(temp).unwrap();
        assert_eq!(temp_meta.modified().unwrap(), old);
        assert_eq!(temp_meta.permissions(), metadata.permissions());
    }

    /// A backup already at the compressed name is kept in front of the new data, and a copy it
    /// already ends with (a crash between commit and removal) is not added again.
    #[cfg(feature = "gzip")]
    #[test]
    fn an_existing_compressed_backup_is_joined_never_replaced() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let (plain, dest) = (
            dir.path().join("app.log.1"),
            dir.path().join("app.log.1.gz"),
        );
        let gunzip = |path: &Path| {
            let mut text = String::new();
            flate2::read::MultiGzDecoder::new(File::open(path).unwrap())
                .read_to_string(&mut text)
                .unwrap();
            text
        };
        let compress = |text: &str| {
            std::fs::write(&plain, text).unwrap();
            let compressed = compress_to_temp(Compression::Gzip, &plain, &dest)
                .unwrap()
                .unwrap();
            let committed = compressed.commit(&plain, &dest).unwrap();
            assert!(committed);
            assert!(!plain.exists() && !compressed.temp.exists());
        };
        compress("one\n");
        compress("two\n");
        assert_eq!(gunzip(&dest), "one\ntwo\n");
        compress("two\n");
        assert_eq!(gunzip(&dest), "one\ntwo\n");
        compress("three\n");
        assert_eq!(gunzip(&dest), "one\ntwo\nthree\n");
        // The name changed hands between the copy and the commit: nothing is committed.
        std::fs::write(&plain, "four\n").unwrap();
        let compressed = compress_to_temp(Compression::Gzip, &plain, &dest)
            .unwrap()
            .unwrap();
        std::fs::rename(&dest, dir.path().join("app.log.2.gz")).unwrap();
        assert!(!compressed.commit(&plain, &dest).unwrap());
        assert!(plain.exists() && !dest.exists());
    }

    #[cfg(feature = "zstd")]
    #[test]
    fn zstd_temp_file_decodes_to_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("app.log.1");
        std::fs::write(&source, "one\ntwo\n").unwrap();
        let dest = dir.path().join("app.log.1.zst");
        let compressed = compress_to_temp(Compression::Zstd, &source, &dest)
            .unwrap()
            .unwrap();
        let temp = &compressed.temp;
        let bytes = zstd::decode_all(File::open(temp).unwrap()).unwrap();
        assert_eq!(bytes, b"one\ntwo\n");
    }

    #[test]
    fn a_missing_source_is_nothing_to_compress() {
        let dir = tempfile::tempdir().unwrap();
        #[cfg(feature = "gzip")]
        assert!(
            compress_to_temp(
                Compression::Gzip,
                &dir.path().join("gone"),
                &dir.path().join("gone.gz")
            )
            .unwrap()
            .is_none()
        );
        assert!(!is_same_file(&dir.path().join("gone"), &dir.path().metadata().unwrap()).unwrap());
    }

    /// Another rollover or process may delete the source while its copy waits to be committed:
    /// a file created meanwhile must never be taken for it (on ext4 a freed inode number is
    /// given to the next file created in the directory).
    #[cfg(all(unix, feature = "gzip"))]
    #[test]
    fn a_file_created_after_the_source_is_deleted_is_never_taken_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("app.log.1");
        std::fs::write(&source, "one\n").unwrap();
        let dest = dir.path().join("app.log.1.gz");
        let compressed = compress_to_temp(Compression::Gzip, &source, &dest)
            .unwrap()
            .unwrap();
        std::fs::remove_file(&source).unwrap();
        for i in 0..50 {
            let path = dir.path().join(format!("new.{i}"));
            std::fs::write(&path, "two\n").unwrap();
            assert!(
                !is_same_file(&path, &compressed.source).unwrap(),
                "{} was taken for the deleted source",
                path.display()
            );
        }
    }

    #[test]
    fn stale_temps_of_dead_processes_go_and_others_stay() {
        let dir = tempfile::tempdir().unwrap();
        // No process has the id u32::MAX - 1; this process may be compressing with another
        // handler, so its own temporary files stay.
        let dead = format!(".app.log.1.gz{TEMP_MARK}{}-0", u32::MAX - 1);
        let own = format!(".app.log.2.gz{TEMP_MARK}{}-3", std::process::id());
        let unrelated = "notes.txt";
        let not_hidden = format!("app.log.3.gz{TEMP_MARK}{}-0", u32::MAX - 1);
        for name in [&dead, &own, unrelated, &not_hidden] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        remove_stale_temps(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [own, not_hidden, unrelated.to_owned()]);
    }

    #[test]
    fn the_worker_runs_every_request_and_drains() {
        let runs = Arc::new(AtomicU64::new(0));
        let counter = runs.clone();
        let worker = CompressWorker::spawn("test-compress".into(), move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        worker.request();
        worker.drain();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        for _ in 0..5 {
            worker.request();
        }
        worker.drain();
        let after = runs.load(Ordering::SeqCst);
        assert!((2..=6).contains(&after), "{after} runs");
        drop(worker);
    }
}
