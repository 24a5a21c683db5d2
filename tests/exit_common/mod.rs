//! Helpers for the tests that run a scenario in a child process (this same test binary, told what
//! to do by environment variables) so that it really returns from `main`, panics, exits or is
//! killed by a signal: a sink that is slow to write, and a watchdog around the child.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A file that is slow to write: it sleeps `pause` every `every` writes, so that a queue in front
/// of it is still full when the producers finish.
pub struct SlowFile {
    file: std::fs::File,
    writes: u64,
    every: u64,
    pause: Duration,
}

impl SlowFile {
    /// Creates (truncates) the file at `path`.
    pub fn create(path: &Path, every: u64, pause: Duration) -> SlowFile {
        SlowFile {
            file: std::fs::File::create(path).expect("the output file can be created"),
            writes: 0,
            every,
            pause,
        }
    }
}

impl Write for SlowFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writes += 1;
        if self.writes.is_multiple_of(self.every) {
            std::thread::sleep(self.pause);
        }
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// A child process running this test binary, with its stderr read on a thread (so a chatty child
/// never blocks on a full pipe).
pub struct SelfChild {
    pub child: Child,
    stderr: Option<JoinHandle<String>>,
}

impl SelfChild {
    /// Starts this test binary again with `envs` set; its stdout is piped when `stdout` is true,
    /// else discarded.
    pub fn spawn<K: AsRef<OsStr>, V: AsRef<OsStr>>(
        envs: impl IntoIterator<Item = (K, V)>,
        stdout: bool,
    ) -> Result<SelfChild, String> {
        let exe = std::env::current_exe().map_err(|e| format!("no current exe: {e}"))?;
        let mut child = Command::new(exe)
            .envs(envs)
            .stdout(if stdout {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the child: {e}"))?;
        let mut pipe = child.stderr.take().ok_or("no stderr pipe")?;
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        });
        Ok(SelfChild {
            child,
            stderr: Some(stderr),
        })
    }

    /// Waits for the child to end, killing it if it runs past `watchdog`; returns its status and
    /// everything it wrote to stderr.
    pub fn wait(mut self, watchdog: Duration) -> Result<(ExitStatus, String), String> {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().map_err(|e| e.to_string())? {
                break status;
            }
            if started.elapsed() > watchdog {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return Err(format!("the child ran past {watchdog:?}: killed"));
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stderr = self
            .stderr
            .take()
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        Ok((status, stderr))
    }
}

impl Drop for SelfChild {
    fn drop(&mut self) {
        // A child left behind by a failed check is stopped, never left running.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A named check, run by [`run_checks`].
pub type Check = (String, Box<dyn FnOnce() -> Result<(), String>>);

/// Runs each named check, prints `test NAME ... ok` or `... FAILED` with the reason, then the
/// `N passed, N failed` line; returns whether all passed.
pub fn run_checks(checks: Vec<Check>) -> bool {
    let (mut passed, mut failed) = (0, 0);
    for (name, check) in checks {
        match check() {
            Ok(()) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Err(why) => {
                failed += 1;
                println!("test {name} ... FAILED\n{why}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    failed == 0
}
