//! A stable name for the active file of a dated [`RotatingFileHandler`](super::RotatingFileHandler):
//! `logs/app.log` (or any path) always names the file being written, as a symbolic link with a
//! relative target or as a hard link.
//!
//! The link is replaced atomically: a new link is made under a hidden temporary name in the same
//! directory, then renamed over the old one, so a reader opening the stable name finds the old
//! active file or the new one, never nothing. A symbolic link names its target, so a size
//! rollover (which puts a new file under the same dated name) leaves it right; a hard link names
//! the file itself and is replaced at every rollover.
//!
//! An existing file at the path that is not such a link (a log written before the dated mode was
//! turned on) is never replaced: the handler refuses to start and names it.

use std::io;
use std::path::{Component, Path, PathBuf};

use super::compress::{is_same_file, temp_name};
use super::rotation::rename;

/// Which kind of link the stable name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LinkKind {
    Symbolic,
    Hard,
}

/// The stable name of the active file.
#[derive(Clone, Debug)]
pub(crate) struct CurrentLink {
    /// Absolute.
    pub(crate) path: PathBuf,
    pub(crate) kind: LinkKind,
}

impl CurrentLink {
    /// What is at the path now is a link this handler may replace: nothing, a symbolic link (for
    /// a symbolic stable name), or a hard link to one of `ours` (for a hard one). Otherwise an
    /// error that names the path.
    pub(crate) fn check_replaceable(&self, ours: &[PathBuf]) -> io::Result<()> {
        let metadata = match self.path.symlink_metadata() {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(super::open_error(&self.path, e)),
        };
        let replaceable = match self.kind {
            LinkKind::Symbolic => metadata.file_type().is_symlink(),
            LinkKind::Hard => {
                metadata.is_file()
                    && ours.iter().any(|file| {
                        file.metadata()
                            .is_ok_and(|m| is_same_file(&self.path, &m).unwrap_or(false))
                    })
            }
        };
        if replaceable {
            return Ok(());
        }
        let what = match self.kind {
            LinkKind::Symbolic => "a symbolic link",
            LinkKind::Hard => "a hard link to one of this handler's dated files",
        };
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "'{}' exists and is not {what}: the stable name would replace it; \
                 move it away or choose another path",
                self.path.display()
            ),
        ))
    }

    /// Makes the stable name point at `active` (an absolute path; for a hard link, the file must
    /// exist). Nothing is done when it already does.
    pub(crate) fn point_to(&self, active: &Path) -> io::Result<()> {
        match self.kind {
            LinkKind::Symbolic => {
                let target = relative_target(active, &self.path);
                if std::fs::read_link(&self.path).is_ok_and(|old| old == target) {
                    return Ok(());
                }
                let temp = temp_name(&self.path);
                make_symlink(&target, &temp).map_err(|e| self.link_error(active, e))?;
                self.commit(&temp)
            }
            LinkKind::Hard => {
                let Ok(metadata) = active.metadata() else {
                    // Not created yet (delay): linked when it is.
                    return Ok(());
                };
                if is_same_file(&self.path, &metadata).unwrap_or(false) {
                    return Ok(());
                }
                let temp = temp_name(&self.path);
                std::fs::hard_link(active, &temp).map_err(|e| self.link_error(active, e))?;
                self.commit(&temp)
            }
        }
    }

    fn commit(&self, temp: &Path) -> io::Result<()> {
        let renamed = rename(temp, &self.path);
        if renamed.is_err() {
            let _ = std::fs::remove_file(temp);
        }
        renamed
    }

    fn link_error(&self, active: &Path, e: io::Error) -> io::Error {
        let (kind, alternative) = match self.kind {
            LinkKind::Symbolic => (
                "symbolic link",
                "this file system or platform may not allow symbolic links: use \
                 current_hard_link(..) instead, or no stable name",
            ),
            LinkKind::Hard => (
                "hard link",
                "this file system may not allow hard links (or the link is on another \
                 file system): use current_symlink(..) instead, or no stable name",
            ),
        };
        io::Error::new(
            e.kind(),
            format!(
                "cannot create the {kind} '{}' to '{}': {e}; {alternative}",
                self.path.display(),
                active.display()
            ),
        )
    }
}

#[cfg(unix)]
fn make_symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn make_symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_file(target, link)
}

#[cfg(not(any(unix, windows)))]
fn make_symlink(_target: &Path, _link: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "symbolic links are not supported on this platform",
    ))
}

/// The target a symbolic link at `link` names `target` by: relative to the link's directory
/// (`app.2026-12-03.log` beside it, `../logs/app.2026-12-03.log` from a sibling directory), so the
/// pair still works when the whole tree is moved or mounted elsewhere. Both paths are absolute.
pub(crate) fn relative_target(target: &Path, link: &Path) -> PathBuf {
    let from: Vec<Component<'_>> = link
        .parent()
        .map(|dir| dir.components().collect())
        .unwrap_or_default();
    let to: Vec<Component<'_>> = target.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return target.to_path_buf();
    }
    let mut relative = PathBuf::new();
    for _ in common..from.len() {
        relative.push("..");
    }
    for part in &to[common..] {
        relative.push(part.as_os_str());
    }
    relative
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_relative_to_the_link_directory() {
        let cases = [
            ("/l/app.2026-12-03.log", "/l/app.log", "app.2026-12-03.log"),
            ("/l/x/app.1.log", "/l/current", "x/app.1.log"),
            ("/l/x/app.1.log", "/l/y/current", "../x/app.1.log"),
        ];
        for (target, link, expected) in cases {
            assert_eq!(
                relative_target(Path::new(target), Path::new(link)),
                Path::new(expected)
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_replaced_atomically_and_a_plain_file_never() {
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("app.2026-12-03.log");
        let two = dir.path().join("app.2026-12-04.log");
        std::fs::write(&one, "one\n").unwrap();
        std::fs::write(&two, "two\n").unwrap();
        let link = CurrentLink {
            path: dir.path().join("app.log"),
            kind: LinkKind::Symbolic,
        };
        link.check_replaceable(&[]).unwrap();
        link.point_to(&one).unwrap();
        assert_eq!(
            std::fs::read_link(&link.path).unwrap(),
            Path::new("app.2026-12-03.log")
        );
        link.check_replaceable(&[]).unwrap();
        link.point_to(&two).unwrap();
        assert_eq!(std::fs::read_to_string(&link.path).unwrap(), "two\n");
        let hard = CurrentLink {
            path: dir.path().join("current"),
            kind: LinkKind::Hard,
        };
        hard.point_to(&one).unwrap();
        hard.check_replaceable(std::slice::from_ref(&one)).unwrap();
        hard.point_to(&two).unwrap();
        assert_eq!(std::fs::read_to_string(&hard.path).unwrap(), "two\n");
        // Only the links and the two files: no temporary name left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);

        let plain = CurrentLink {
            path: dir.path().join("old.log"),
            kind: LinkKind::Symbolic,
        };
        std::fs::write(&plain.path, "keep\n").unwrap();
        let err = plain.check_replaceable(&[]).unwrap_err().to_string();
        assert!(
            err.contains("old.log' exists and is not a symbolic link"),
            "{err}"
        );
        let plain = CurrentLink {
            kind: LinkKind::Hard,
            ..plain
        };
        let err = plain
            .check_replaceable(&[one, two])
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a hard link"), "{err}");
    }
}
