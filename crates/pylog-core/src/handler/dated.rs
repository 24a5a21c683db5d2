//! The files of a [`RotatingFileHandler`](super::RotatingFileHandler) in the dated mode: the
//! active file carries its period's date before the extension (`app.2026-12-03.log` for the
//! base name `app.log`), its size backups are numbered after it (`app.2026-12-03.log.1`), and
//! each may be compressed (`.gz`, `.zst`). Retention and compression read the directory, so they
//! work across restarts, and they only ever touch names of this exact shape, of a period before
//! the active one (or the active period's numbered backups).

use std::io;
use std::path::{Path, PathBuf};

use super::backups::Retention;
use super::compress::COMPRESSED_EXTENSIONS;
use super::rotation::remove;
use super::schedule::mtime_seconds;
use super::timed::When;
use crate::error::Error;
use crate::format::datefmt::{CivilTime, DateFormat};

/// How the dated files of one base name are named.
#[derive(Debug)]
pub(crate) struct DatedNames {
    dir: PathBuf,
    /// The base name before its extension: `app` for `app.log`.
    stem: String,
    /// The base name's extension with its dot (`.log`), or nothing.
    ext: String,
    format: DateFormat,
    /// The shape of a date (`d` a digit): `dddd-dd-dd` for days.
    shape: &'static str,
    /// Whether plain backups are to be compressed.
    compressing: bool,
}

/// One dated file, in all the forms present (plain and compressed, after a crash both).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DatedFile {
    /// The period's date as written in the name.
    pub(crate) date: String,
    /// 0 for the period's file, `N` for its size backup `.N`.
    pub(crate) number: u32,
    pub(crate) paths: Vec<PathBuf>,
}

impl DatedNames {
    /// The names for the absolute `base` (`/var/log/app.log`) and the date format of `when`.
    pub(crate) fn new(base: &Path, when: When, compressing: bool) -> Result<DatedNames, Error> {
        let name = base.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
            Error::InvalidArguments(format!(
                "dated file names need a base file name in UTF-8: '{}'",
                base.display()
            ))
        })?;
        let (stem, ext) = split_ext(name);
        Ok(DatedNames {
            dir: base
                .parent()
                .unwrap_or_else(|| Path::new("/"))
                .to_path_buf(),
            stem: stem.to_owned(),
            ext: ext.to_owned(),
            format: DateFormat::parse(when.suffix()).map_err(Error::InvalidArguments)?,
            shape: when.suffix_shape(),
            compressing,
        })
    }

    /// The active file of the period starting at `start`.
    pub(crate) fn path_for(&self, start: &CivilTime) -> PathBuf {
        let mut date = String::new();
        self.format.render_civil(&mut date, start);
        self.dir.join(format!("{}.{date}{}", self.stem, self.ext))
    }

    /// The date, number and compression of a file name of this shape.
    pub(crate) fn parse<'a>(&self, name: &'a str) -> Option<(&'a str, u32, bool)> {
        let rest = name.strip_prefix(self.stem.as_str())?.strip_prefix('.')?;
        let date = rest.get(..self.shape.len())?;
        let matches = date.bytes().zip(self.shape.bytes()).all(|(c, s)| match s {
            b'd' => c.is_ascii_digit(),
            other => c == other,
        });
        if !matches {
            return None;
        }
        let mut rest = rest[self.shape.len()..].strip_prefix(self.ext.as_str())?;
        let mut compressed = false;
        for ext in COMPRESSED_EXTENSIONS {
            if let Some(plain) = rest.strip_suffix(ext) {
                rest = plain;
                compressed = true;
                break;
            }
        }
        let number = match rest {
            "" => 0,
            _ => {
                let digits = rest.strip_prefix('.')?;
                if digits.is_empty()
                    || digits.starts_with('0')
                    || !digits.bytes().all(|c| c.is_ascii_digit())
                {
                    return None;
                }
                digits.parse().ok()?
            }
        };
        Some((date, number, compressed))
    }

    /// The date of the active file `active`.
    fn date_of(&self, active: &Path) -> Option<String> {
        let name = active.file_name()?.to_str()?;
        let (date, number, compressed) = self.parse(name)?;
        (number == 0 && !compressed).then(|| date.to_owned())
    }

    /// The rotated files beside the active file `active`, newest first: the active period's
    /// size backups, then each earlier period's file and its size backups. Files of a later
    /// period (the clock was set back) and names of any other shape are left out.
    pub(crate) fn backups(&self, active: &Path) -> io::Result<Vec<DatedFile>> {
        let Some(active_date) = self.date_of(active) else {
            return Ok(Vec::new());
        };
        let mut files: Vec<DatedFile> = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let Some((date, number, _)) = self.parse(name) else {
                continue;
            };
            let rotated = match date.cmp(active_date.as_str()) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Equal => number > 0,
                std::cmp::Ordering::Greater => false,
            };
            if !rotated || !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            match files
                .iter_mut()
                .find(|f| f.date == date && f.number == number)
            {
                Some(file) => file.paths.push(path),
                None => files.push(DatedFile {
                    date: date.to_owned(),
                    number,
                    paths: vec![path],
                }),
            }
        }
        files.sort_by(|a, b| b.date.cmp(&a.date).then(a.number.cmp(&b.number)));
        for file in &mut files {
            file.paths.sort();
        }
        Ok(files)
    }

    /// Every file of this shape in the directory, whatever its period.
    pub(crate) fn all_files(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter(|entry| {
                entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| self.parse(name).is_some())
            })
            .map(|entry| entry.path())
            .collect()
    }

    /// The plain rotated files, to be compressed (none without a compression).
    pub(crate) fn plain_backups(&self, active: &Path) -> io::Result<Vec<PathBuf>> {
        if !self.compressing {
            return Ok(Vec::new());
        }
        Ok(self
            .backups(active)?
            .into_iter()
            .flat_map(|file| file.paths)
            .filter(|path| self.is_plain(path))
            .collect())
    }

    fn is_plain(&self, path: &Path) -> bool {
        path.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| self.parse(n))
            .is_some_and(|(_, _, compressed)| !compressed)
    }

    /// Deletes the rotated files `retention` does not keep, at time `now`, as
    /// [`Backups::apply_retention`](super::backups::Backups::apply_retention) does for numbered
    /// backups: from the first (newest first) that is past the count, older than `max_age`, or
    /// brings the total past `max_total_bytes`, every older one goes too. With `pending`, plain
    /// files waiting for compression count as nothing toward the total.
    pub(crate) fn apply_retention(
        &self,
        active: &Path,
        retention: &Retention,
        now: i64,
        pending: bool,
    ) -> io::Result<()> {
        if retention.count.is_none()
            && retention.max_age.is_none()
            && retention.max_total_bytes.is_none()
        {
            return Ok(());
        }
        let files = self.backups(active)?;
        let mut total = 0u64;
        let mut cut = None;
        for (i, file) in files.iter().enumerate() {
            if retention.count.is_some_and(|count| i >= count as usize) {
                cut = Some(i);
                break;
            }
            if let Some(max_age) = retention.max_age {
                let newest = file.paths.iter().filter_map(|p| mtime_seconds(p)).max();
                if newest.is_some_and(|mtime| now - mtime > max_age) {
                    cut = Some(i);
                    break;
                }
            }
            total += file
                .paths
                .iter()
                .filter(|p| !(pending && self.compressing && self.is_plain(p)))
                .filter_map(|p| p.metadata().ok())
                .map(|m| m.len())
                .sum::<u64>();
            if retention.max_total_bytes.is_some_and(|max| total > max) {
                cut = Some(i);
                break;
            }
        }
        if let Some(cut) = cut {
            for file in &files[cut..] {
                for path in &file.paths {
                    remove(path)?;
                }
            }
        }
        Ok(())
    }
}

/// Python's `os.path.splitext` of a file name: the extension is from the last dot, unless the
/// name's only dots lead it.
fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if name[..dot].bytes().any(|c| c != b'.') => (&name[..dot], &name[dot..]),
        _ => (name, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::datefmt::Zone;

    fn names(base: &str, when: When) -> DatedNames {
        DatedNames::new(Path::new(base), when, true).unwrap()
    }

    #[test]
    fn the_date_goes_before_the_extension() {
        // 2026-12-03 22:04:05 UTC.
        let t = CivilTime::at(1_796_335_445, &Zone::Utc);
        let cases = [
            ("/l/app.log", When::Midnight, "/l/app.2026-12-03.log"),
            ("/l/app.log", When::Hours, "/l/app.2026-12-03_22.log"),
            ("/l/app.log", When::Minutes, "/l/app.2026-12-03_22-04.log"),
            (
                "/l/app.log",
                When::Seconds,
                "/l/app.2026-12-03_22-04-05.log",
            ),
            ("/l/app.log", When::Weekday(0), "/l/app.2026-12-03.log"),
            ("/l/app", When::Days, "/l/app.2026-12-03"),
            ("/l/app.json.log", When::Days, "/l/app.json.2026-12-03.log"),
            ("/l/.log", When::Days, "/l/.log.2026-12-03"),
        ];
        for (base, when, expected) in cases {
            assert_eq!(
                names(base, when).path_for(&t),
                Path::new(expected),
                "{base}"
            );
        }
    }

    #[test]
    fn only_names_of_the_exact_shape_are_read() {
        let n = names("/l/app.log", When::Midnight);
        assert_eq!(
            n.parse("app.2026-12-03.log"),
            Some(("2026-12-03", 0, false))
        );
        assert_eq!(
            n.parse("app.2026-12-03.log.12"),
            Some(("2026-12-03", 12, false))
        );
        assert_eq!(
            n.parse("app.2026-12-03.log.gz"),
            Some(("2026-12-03", 0, true))
        );
        assert_eq!(
            n.parse("app.2026-12-03.log.3.zst"),
            Some(("2026-12-03", 3, true))
        );
        for other in [
            "app.log",
            "app.log.1",
            "app.2026-12-03.log.0",
            "app.2026-12-03.log.01",
            "app.2026-12-03.log.x",
            "app.2026-12-03.log.1.bak",
            "app.2026-12-03_10.log",
            "app.2026-12-3.log",
            "app.2026-12-03.txt",
            "other.2026-12-03.log",
            "app.2026-12-03.log.lock",
        ] {
            assert_eq!(n.parse(other), None, "{other}");
        }
    }

    #[test]
    fn backups_are_listed_newest_first_without_the_active_file_or_later_periods() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("app.log");
        let n = DatedNames::new(&base, When::Midnight, true).unwrap();
        for name in [
            "app.2026-12-01.log.gz",
            "app.2026-12-01.log.1.gz",
            "app.2026-12-02.log",
            "app.2026-12-02.log.gz",
            "app.2026-12-03.log",
            "app.2026-12-03.log.1",
            "app.2026-12-03.log.2.gz",
            "app.2026-12-04.log",
            "app.log",
            "notes.txt",
        ] {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        let active = dir.path().join("app.2026-12-03.log");
        let listed: Vec<(String, u32, usize)> = n
            .backups(&active)
            .unwrap()
            .into_iter()
            .map(|f| (f.date, f.number, f.paths.len()))
            .collect();
        let expected = [
            ("2026-12-03", 1, 1),
            ("2026-12-03", 2, 1),
            ("2026-12-02", 0, 2),
            ("2026-12-01", 0, 1),
            ("2026-12-01", 1, 1),
        ]
        .map(|(d, n, p)| (d.to_owned(), n, p));
        assert_eq!(listed, expected);
        let plain: Vec<_> = n
            .plain_backups(&active)
            .unwrap()
            .into_iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
            .collect();
        assert_eq!(plain, ["app.2026-12-03.log.1", "app.2026-12-02.log"]);
    }
}
