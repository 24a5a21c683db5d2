//! The dated mode of a [`RotatingFileHandler`](super::RotatingFileHandler): which dated file is
//! active for a period, what a time or a size rollover does to the dated files, following a
//! period another process started, the stable name, and retention over every period's files.
//! How the files are named is [`DatedNames`]'s job; when periods start and end, [`Schedule`]'s.

use std::io;
use std::path::{Path, PathBuf};

use super::backups::{Backups, Retention};
use super::current_link::{CurrentLink, LinkKind};
use super::dated::DatedNames;
use super::log_file::LogFile;
use super::rotation::RotationHooks;
use super::schedule::Schedule;
use super::shared_lock::SharedLock;
use crate::error::Error;

/// What the dated mode adds to the handler: the names, the stable name, and what the size
/// backups of one period and the retention over all periods need.
pub(super) struct DatedMode {
    names: DatedNames,
    link: Option<CurrentLink>,
    retention: Retention,
    hooks: RotationHooks,
    compressed: bool,
}

/// The dated mode as built, with the active file of the period at the time of the build and
/// the end of that period (the first time rollover).
pub(super) struct DatedStart {
    pub(super) mode: DatedMode,
    pub(super) active: PathBuf,
    pub(super) rollover_at: i64,
}

impl DatedMode {
    /// The dated mode for the absolute `base` at time `now`, with the stable name `link` if
    /// any. Refuses a namer and a stable name of the shape of a dated file name.
    pub(super) fn start(
        base: &Path,
        schedule: &Schedule,
        now: i64,
        link: Option<&(PathBuf, LinkKind)>,
        retention: Retention,
        hooks: RotationHooks,
        compressed: bool,
    ) -> Result<DatedStart, Error> {
        if hooks.namer.is_some() {
            return Err(Error::InvalidArguments(
                "dated(true) cannot be combined with a namer: retention and compression find \
                 the dated files by their names"
                    .to_owned(),
            ));
        }
        let names = DatedNames::new(base, schedule.when, compressed)?;
        let (start, end) = schedule.dated_period(now);
        let active = names.path_for(&schedule.civil(start));
        let link = match link {
            Some((path, kind)) => {
                let path = std::path::absolute(path).map_err(|e| Error::open_file(path, e))?;
                let is_dated_name = path.parent() == active.parent()
                    && path
                        .file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| names.parse(n).is_some());
                if is_dated_name {
                    return Err(Error::InvalidArguments(format!(
                        "the stable name '{}' has the shape of a dated file name",
                        path.display()
                    )));
                }
                Some(CurrentLink { path, kind: *kind })
            }
            None => None,
        };
        Ok(DatedStart {
            mode: DatedMode {
                names,
                link,
                retention,
                hooks,
                compressed,
            },
            active,
            rollover_at: end,
        })
    }

    /// The stable name, if any.
    pub(super) fn link(&self) -> Option<&CurrentLink> {
        self.link.as_ref()
    }

    /// Whether a hard stable name must wait for the (delayed) active file to exist.
    pub(super) fn link_waits_for(&self, file: &LogFile) -> bool {
        self.link
            .as_ref()
            .is_some_and(|link| link.kind == LinkKind::Hard && !file.is_open())
    }

    /// At start: checks that the stable name may be replaced (it is ours, or free), and points
    /// it at `active` unless the link waits for the file.
    pub(super) fn set_up_link(&self, active: &Path, waiting: bool) -> io::Result<()> {
        let Some(link) = &self.link else {
            return Ok(());
        };
        link.check_replaceable(&self.names.all_files())?;
        if !waiting {
            link.point_to(active)?;
        }
        Ok(())
    }

    /// The numbered size backups of the active file `active`: never limited by count here (the
    /// retention over all the dated files does that), stamped for `max_age`.
    fn period_backups(&self, active: &Path) -> Backups {
        Backups::new(
            active.to_path_buf(),
            self.hooks.clone(),
            self.compressed,
            Retention {
                count: None,
                max_age: self.retention.max_age,
                max_total_bytes: None,
                keep_all_without_count: true,
            },
        )
    }

    /// A size rollover of the (released) active file `active` at `now`: it becomes the period's
    /// newest numbered backup, then retention runs over every period.
    pub(super) fn size_rollover(&self, active: &Path, now: i64) -> io::Result<()> {
        let backups = self.period_backups(active);
        let dest = backups.shift()?;
        backups.stamp(&dest, now)?;
        self.apply_retention(active, now, true)
    }

    /// The time trigger: past the period's end (`rollover_at`), the next period's dated file
    /// becomes the active one (nothing is renamed), and the one just closed is stamped for
    /// `max_age` and falls under retention. In the shared mode the new period's end goes into
    /// the lock file, for the other processes. Returns whether the file changed.
    pub(super) fn time_rollover(
        &self,
        schedule: &Schedule,
        file: &mut LogFile,
        lock: Option<&SharedLock>,
        rollover_at: &mut i64,
        now: i64,
    ) -> io::Result<bool> {
        if now < *rollover_at {
            return Ok(false);
        }
        let (start, end) = schedule.dated_period(now);
        *rollover_at = end;
        if let Some(lock) = lock {
            lock.store_rollover_at(end)?;
        }
        let next = self.names.path_for(&schedule.civil(start));
        if next == file.path() {
            return Ok(false);
        }
        let closed = file.path().to_path_buf();
        file.switch_to(next)?;
        self.period_backups(&closed).stamp(&closed, now)?;
        self.apply_retention(file.path(), now, true)?;
        Ok(true)
    }

    /// The shared mode: when another process started a later period (its end is in the lock
    /// file), this process follows it to that period's file before writing. Returns whether
    /// the file changed.
    pub(super) fn adopt_shared_period(
        &self,
        schedule: &Schedule,
        file: &mut LogFile,
        lock: &SharedLock,
        rollover_at: &mut i64,
    ) -> io::Result<bool> {
        let Some(at) = lock.rollover_at()? else {
            return Ok(false);
        };
        if at <= *rollover_at {
            return Ok(false);
        }
        *rollover_at = at;
        let (start, _) = schedule.dated_period(at - 1);
        let next = self.names.path_for(&schedule.civil(start));
        if next == file.path() {
            return Ok(false);
        }
        file.switch_to(next)?;
        Ok(true)
    }

    /// Deletes the rotated files of every period that retention does not keep (see
    /// [`DatedNames::apply_retention`]).
    pub(super) fn apply_retention(&self, active: &Path, now: i64, pending: bool) -> io::Result<()> {
        self.names
            .apply_retention(active, &self.retention, now, pending)
    }

    /// The plain rotated files of every period, to be compressed.
    pub(super) fn plain_backups(&self, active: &Path) -> io::Result<Vec<PathBuf>> {
        self.names.plain_backups(active)
    }
}
