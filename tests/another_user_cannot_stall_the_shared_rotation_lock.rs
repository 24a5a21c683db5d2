//! A second local user cannot freeze a `shared(true)` rotating handler through its lock file.
//!
//! - The lock file this handler creates is 0600 (the log is 0644), so `nobody` cannot even open
//!   it to `flock` it, while a root-owned 0644 file beside it (what the lock file used to be) can.
//! - A lock file `nobody` created earlier in a sticky shared directory and holds with `flock -x`
//!   delays logging by at most the handler's `lock_timeout`: the records are written without the
//!   lock, the stale lock is reported once, and when `nobody` lets go the handler takes the lock
//!   again.
//!
//! The second user is `setpriv --reuid=nobody --regid=nogroup --clear-groups`, which needs root.
//! Without root or `setpriv` the tests say why and pass, except under `CI`, where they fail.

#![cfg(unix)]

mod files_common;

use std::fs::{File, TryLockError};
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use files_common::{lines, logger_with};
use pylog_core::{RotatingFileHandler, set_raise_exceptions};

/// `Some(())` when this process can run commands as `nobody`; otherwise says why (and fails under
/// `CI`).
fn second_user_available() -> Option<()> {
    let uid = Command::new("id").arg("-u").output().ok();
    let is_root = uid.is_some_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let has_tools = ["setpriv", "flock"].iter().all(|tool| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if is_root && has_tools {
        return Some(());
    }
    let why = "needs root, setpriv and flock to act as a second user (nobody)";
    if std::env::var_os("CI").is_some() {
        panic!("{why}, and CI is set");
    }
    eprintln!("skipped: {why}");
    None
}

/// `command` run as `nobody`.
fn as_nobody(command: &[&str]) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        .args(command);
    cmd
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `nobody` holding `flock -x` on `path` (creating it) until its stdin closes: `cat` waits on the
/// pipe, and `-o` keeps the lock out of `cat`, so closing stdin ends both processes.
struct Holder(Child);

impl Holder {
    fn start(path: &Path) -> Holder {
        let child = as_nobody(&["flock", "-x", "-o", path.to_str().unwrap(), "cat"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("setpriv flock");
        let holder = Holder(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(probe) = File::open(path) {
                match probe.try_lock() {
                    Err(TryLockError::WouldBlock) => break,
                    Ok(()) => probe.unlock().unwrap(),
                    Err(TryLockError::Error(e)) => panic!("probing the lock: {e}"),
                }
            }
            assert!(Instant::now() < deadline, "nobody never took the lock");
            std::thread::sleep(Duration::from_millis(10));
        }
        holder
    }

    fn stop(mut self) {
        self.release();
    }

    fn release(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        self.release();
    }
}

#[test]
fn a_reader_of_the_log_cannot_lock_the_lock_file() {
    let Some(()) = second_user_available() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    let log = dir.path().join("app.log");
    let handler = RotatingFileHandler::builder(&log)
        .max_bytes(1 << 20)
        .backup_count(1)
        .shared(true)
        .build()
        .unwrap();
    chmod(&log, 0o644);
    let lock = dir.path().join("app.log.lock");
    let mode = std::fs::metadata(&lock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "lock file mode {mode:o}");

    let try_lock = |path: &Path| {
        as_nobody(&["flock", "-x", "-n", path.to_str().unwrap(), "true"])
            .stderr(Stdio::null())
            .status()
            .expect("setpriv flock")
            .success()
    };
    // The control: a root-owned 0644 file is lockable by anyone who can read it.
    let readable = dir.path().join("readable.lock");
    File::create(&readable).unwrap();
    chmod(&readable, 0o644);
    assert!(try_lock(&readable), "nobody should lock a 0644 file");
    assert!(
        !try_lock(&lock),
        "nobody could lock the handler's lock file"
    );

    let (_tree, logger) = logger_with(&handler);
    logger.info("written under the lock");
    assert_eq!(handler.stats().errors, 0);
}

#[test]
fn a_lock_held_by_another_user_delays_records_by_the_bound_only() {
    let Some(()) = second_user_available() else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    chmod(root.path(), 0o755);
    // A directory everyone may create files in, as /tmp or a group-shared log directory.
    let shared = root.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    chmod(&shared, 0o1777);
    let log = shared.join("app.log");
    let lock = shared.join("app.log.lock");

    let holder = Holder::start(&lock);
    let bound = Duration::from_millis(200);
    let handler = RotatingFileHandler::builder(&log)
        .max_bytes(1 << 20)
        .backup_count(1)
        .shared(true)
        .lock_timeout(bound)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);

    set_raise_exceptions(false);
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..4 {
            let logger = &logger;
            s.spawn(move || {
                for i in 0..25 {
                    logger.info(format!("thread {t} record {i}"));
                }
            });
        }
    });
    let elapsed = started.elapsed();
    set_raise_exceptions(true);
    // Without the bound these calls wait as long as nobody holds the lock (forever here). With
    // it the threads wait one bound between them; 20 s is generous for a loaded machine.
    assert!(
        elapsed < Duration::from_secs(20),
        "100 records took {elapsed:?} while another user held the lock"
    );
    let stats = handler.stats();
    assert_eq!(
        stats.errors, 1,
        "the stale lock is reported once: {stats:?}"
    );
    assert_eq!(stats.emitted, 99, "{stats:?}");
    assert_eq!(lines(&log).len(), 100, "every record is written");

    holder.stop();
    logger.info("the lock is free again");
    assert_eq!(
        handler.stats().errors,
        1,
        "no report once the lock is taken again"
    );

    // A new burst is reported again.
    let holder = Holder::start(&lock);
    set_raise_exceptions(false);
    logger.info("held again");
    set_raise_exceptions(true);
    holder.stop();
    assert_eq!(handler.stats().errors, 2);
    assert_eq!(lines(&log).len(), 102);
    let _ = std::io::stderr().flush();
}
