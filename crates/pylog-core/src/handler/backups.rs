//! The rotated files of a [`RotatingFileHandler`](super::RotatingFileHandler): `app.log.1`,
//! `app.log.2` … (or the namer's names), each plain or compressed (`.gz`, `.zst`). Shifting them
//! at a rollover, as CPython's `doRollover` does, and retention by count, age and total size,
//! always read from the directory, so that it works across restarts.

use std::io;
use std::path::{Path, PathBuf};

use super::compress::COMPRESSED_EXTENSIONS;
use super::rotation::{RotationHooks, remove, remove_if_exists, rename, with_suffix};
use super::schedule::mtime_seconds;

/// What is kept of the rotated files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Retention {
    /// At most this many backups (`backup_count`); `None`: no limit by count.
    pub(crate) count: Option<u32>,
    /// Backups rotated out more than this many seconds ago are deleted.
    pub(crate) max_age: Option<i64>,
    /// The newest backups whose sizes add up to at most this are kept.
    pub(crate) max_total_bytes: Option<u64>,
    /// Rotate even without a count, keeping every backup (a time trigger's `backupCount=0`, as
    /// in `TimedRotatingFileHandler`).
    pub(crate) keep_all_without_count: bool,
}

impl Retention {
    /// Whether any option beyond CPython's `backupCount` is in use.
    fn extended(&self) -> bool {
        self.max_age.is_some() || self.max_total_bytes.is_some()
    }
}

/// The set of rotated files of one log file.
#[derive(Debug)]
pub(crate) struct Backups {
    base: PathBuf,
    hooks: RotationHooks,
    /// Whether compressed variants are looked for (compression is on).
    compressed: bool,
    retention: Retention,
}

impl Backups {
    pub(crate) fn new(
        base: PathBuf,
        hooks: RotationHooks,
        compressed: bool,
        retention: Retention,
    ) -> Backups {
        Backups {
            base,
            hooks,
            compressed,
            retention,
        }
    }

    /// Whether a rollover renames the file: CPython's `backupCount > 0`, or retention by age or
    /// size, or a time trigger (then the count is unlimited unless `backup_count` is set).
    pub(crate) fn rotates(&self) -> bool {
        self.retention.count.is_some()
            || self.retention.extended()
            || self.retention.keep_all_without_count
    }

    /// Whether retention beyond CPython's (by age, by size, or compressed backups) applies.
    pub(crate) fn extended(&self) -> bool {
        self.compressed || self.retention.extended()
    }

    /// The (namer's) name of backup `i`, plain.
    pub(crate) fn name(&self, i: u32) -> PathBuf {
        self.hooks
            .rotation_filename(with_suffix(&self.base, &format!(".{i}")))
    }

    /// The names backup `i` can have: plain, then compressed.
    fn variants(&self, i: u32) -> Vec<PathBuf> {
        self.variants_of(self.name(i))
    }

    /// The names a backup named `plain` can have: `plain`, then compressed.
    fn variants_of(&self, plain: PathBuf) -> Vec<PathBuf> {
        let mut names = Vec::with_capacity(1 + COMPRESSED_EXTENSIONS.len());
        if self.compressed {
            names.extend(
                COMPRESSED_EXTENSIONS
                    .iter()
                    .map(|ext| with_suffix(&plain, ext)),
            );
        }
        names.insert(0, plain);
        names
    }

    /// The names of backup `i` that exist.
    fn existing(&self, i: u32) -> Vec<PathBuf> {
        self.variants(i)
            .into_iter()
            .filter(|path| path.symlink_metadata().is_ok())
            .collect()
    }

    /// The highest backup number present, counting up from 1 until a number has no file.
    fn highest(&self) -> u32 {
        let mut i = 0;
        while !self.existing(i + 1).is_empty() {
            i += 1;
        }
        i
    }

    /// The backup numbers that have a file in the directory (plain or compressed), in ascending
    /// order; `None` with a namer (whose names need not look like `app.log.N`) or when the
    /// directory cannot be read (then every number is tried, as CPython does).
    fn numbers_present(&self) -> Option<Vec<u32>> {
        if self.hooks.namer.is_some() {
            return None;
        }
        let file_name = self.base.file_name()?.to_str()?;
        let dir = match self.base.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let prefix = format!("{file_name}.");
        let mut numbers: Vec<u32> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|entry| {
                let name = entry.ok()?.file_name();
                let rest = name.to_str()?.strip_prefix(&prefix)?;
                let digits = COMPRESSED_EXTENSIONS
                    .iter()
                    .find_map(|ext| rest.strip_suffix(ext))
                    .unwrap_or(rest);
                backup_number(digits)
            })
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        Some(numbers)
    }

    /// CPython's `doRollover` renames: `.N-1` to `.N` … `.1` to `.2` (each with its compressed
    /// variants), then `rotate` moves the current file to `.1`, whose name is returned.
    pub(crate) fn shift(&self) -> io::Result<PathBuf> {
        let top = match self.retention.count {
            Some(count) => count,
            None => self.highest() + 1,
        };
        // The namer is called as CPython calls it: source, then dest, for each number, then once
        // for `.1`. Without a namer, only the numbers present in the directory are visited: the
        // renames are the same, without one `stat` per number up to `backup_count` (a count of
        // 10 000 would hold the lock for 30 000 of them at every rollover).
        let numbers: Vec<u32> = match self.numbers_present() {
            Some(present) => present.into_iter().filter(|&i| i < top).rev().collect(),
            None => (1..top).rev().collect(),
        };
        for i in numbers {
            let sources = self.variants_of(self.name(i));
            let dests = self.variants_of(self.name(i + 1));
            let pairs: Vec<(&PathBuf, &PathBuf)> = sources
                .iter()
                .zip(&dests)
                .filter(|(source, _)| source.exists())
                .collect();
            if pairs.is_empty() {
                continue;
            }
            for dest in &dests {
                remove_if_exists(dest)?;
            }
            for (source, dest) in pairs {
                rename(source, dest)?;
            }
        }
        let dest = self.name(1);
        for old in self.variants_of(dest.clone()) {
            remove_if_exists(&old)?;
        }
        self.hooks.rotate(&self.base, &dest)?;
        Ok(dest)
    }

    /// The plain backups present (to be compressed), newest first.
    pub(crate) fn plain_backups(&self) -> Vec<PathBuf> {
        (1..=self.highest())
            .map(|i| self.name(i))
            .filter(|path| path.is_file())
            .collect()
    }

    /// Deletes the backups that retention does not keep, at time `now`: from the first (newest
    /// first) that is past the count, older than `max_age`, or brings the total past
    /// `max_total_bytes`, every older one goes too, so numbers stay without gaps.
    ///
    /// With `pending`, plain backups waiting for compression count as nothing toward the total:
    /// the compression worker applies retention again once they are compressed.
    pub(crate) fn apply_retention(&self, now: i64, pending: bool) -> io::Result<()> {
        if !self.extended() {
            return Ok(());
        }
        let highest = self.highest();
        let mut total = 0u64;
        let mut cut = None;
        for i in 1..=highest {
            if self.retention.count.is_some_and(|count| i > count) {
                cut = Some(i);
                break;
            }
            let files = self.existing(i);
            if let Some(max_age) = self.retention.max_age {
                let newest = files.iter().filter_map(|p| mtime_seconds(p)).max();
                if newest.is_some_and(|mtime| now - mtime > max_age) {
                    cut = Some(i);
                    break;
                }
            }
            let plain = self.name(i);
            total += files
                .iter()
                .filter(|p| !(pending && self.compressed && **p == plain))
                .filter_map(|p| p.metadata().ok())
                .map(|m| m.len())
                .sum::<u64>();
            if self
                .retention
                .max_total_bytes
                .is_some_and(|max| total > max)
            {
                cut = Some(i);
                break;
            }
        }
        if let Some(cut) = cut {
            for i in cut..=highest {
                for path in self.existing(i) {
                    remove(&path)?;
                }
            }
        }
        Ok(())
    }

    /// Marks a just rotated backup with the time it was rotated out at (its age counts from
    /// there), so that age retention follows the handler's clock.
    pub(crate) fn stamp(&self, backup: &Path, now: i64) -> io::Result<()> {
        if self.retention.max_age.is_none() {
            return Ok(());
        }
        let time = if now >= 0 {
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(now as u64)
        } else {
            std::time::UNIX_EPOCH
        };
        match std::fs::OpenOptions::new().write(true).open(backup) {
            Ok(file) => file.set_modified(time),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(super::open_error(backup, e)),
        }
    }
}

/// The number in a backup's suffix (`7` of `app.log.7`): ASCII digits as `format!("{i}")` writes
/// them, so `07` or `+7` (files nobody made) are not taken for backup 7.
fn backup_number(digits: &str) -> Option<u32> {
    let number: u32 = digits.parse().ok()?;
    (number > 0 && number.to_string() == digits).then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backups(dir: &Path, count: u32) -> Backups {
        let retention = Retention {
            count: Some(count),
            ..Retention::default()
        };
        Backups::new(
            dir.join("app.log"),
            RotationHooks::default(),
            true,
            retention,
        )
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn shift_renames_what_cpythons_loop_renames_gaps_and_all() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("app.log", "current"),
            ("app.log.1", "one"),
            ("app.log.2.gz", "two"),
            ("app.log.5", "five"),
            ("app.log.9", "nine"),
            ("app.log.07", "not a backup"),
            ("app.log.x", "not a backup"),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let dest = backups(dir.path(), 9).shift().unwrap();
        assert_eq!(dest, dir.path().join("app.log.1"));
        // As CPython's loop over 8..1: .9 is past the count and stays (retention deletes it),
        // .5 -> .6, .2.gz -> .3.gz, .1 -> .2, app.log -> .1.
        assert_eq!(
            names(dir.path()),
            [
                "app.log.07",
                "app.log.1",
                "app.log.2",
                "app.log.3.gz",
                "app.log.6",
                "app.log.9",
                "app.log.x"
            ]
        );
        let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).unwrap();
        assert_eq!(read("app.log.1"), "current");
        assert_eq!(read("app.log.2"), "one");
        assert_eq!(read("app.log.3.gz"), "two");
        assert_eq!(read("app.log.6"), "five");
        assert_eq!(read("app.log.9"), "nine");
    }

    #[test]
    fn a_large_count_shifts_only_the_backups_present() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.log"), "current").unwrap();
        std::fs::write(dir.path().join("app.log.1"), "one").unwrap();
        backups(dir.path(), u32::MAX).shift().unwrap();
        assert_eq!(names(dir.path()), ["app.log.1", "app.log.2"]);
    }

    #[test]
    fn backup_numbers_are_written_as_rotation_writes_them() {
        assert_eq!(backup_number("12"), Some(12));
        for not in ["0", "07", "+7", "", "1a", "99999999999"] {
            assert_eq!(backup_number(not), None, "{not}");
        }
    }
}
