//! Four processes appending to one `RotatingFileHandler` file with `shared(true)`: every record lands
//! exactly once as a whole line, each process's records keep their order across the rotated files,
//! and every file stops exactly where CPython's size rule says, as if one process wrote them all.
//! Without `shared(true)` the same run overfills files or loses records. With size, time (every
//! second) and gzip compression together, 4 processes × 4 threads still write every record exactly
//! once, in each thread's order. So do they with dated file names (a new file every second, size
//! backups within the second, gzip, and a symbolic link `app.log` to the active file).
//!
//! The child processes are this test binary run again: `child_process_writer` does the writing when
//! [`files_common::CHILD_ENV`] is set and returns at once otherwise.

mod files_common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[cfg(feature = "gzip")]
use files_common::gunzip;
use files_common::{check_child, child_role, lines, logger_with, rotated_set, spawn_child};
use pylog_core::{RotatingFileHandler, When, set_raise_exceptions};

const PROCESSES: usize = 4;
const RECORDS_PER_PROCESS: usize = 20_000;
const MAX_BYTES: u64 = 64 * 1024;
/// Enough backups to keep everything: 80,000 lines of 16 bytes on average fill 20 files.
const BACKUP_COUNT: u32 = 100;
/// The run without `shared(true)` uses small files, so that its processes rotate often and race.
const UNSHARED_MAX_BYTES: u64 = 4 * 1024;
/// Enough backups to keep all the small files of the unshared run (about 320).
const UNSHARED_BACKUP_COUNT: u32 = 1000;

const CHILD_TEST: &str = "child_process_writer";
const ENV_PATH: &str = "PYLOGGING_TEST_LOG_PATH";
const ENV_ID: &str = "PYLOGGING_TEST_WRITER_ID";

/// Record `seq` of process `id`: `p{id}-{seq:06} ` and one to nine `x`, so lengths vary a little.
fn line_for(id: usize, seq: usize) -> String {
    format!("p{id}-{seq:06} {}", "x".repeat(1 + seq % 9))
}

fn mangled(line: &str) -> ! {
    panic!("mangled line {line:?}")
}

fn parse(line: &str) -> (usize, usize) {
    let rest = line.strip_prefix('p').unwrap_or_else(|| mangled(line));
    let (id, rest) = rest.split_once('-').unwrap_or_else(|| mangled(line));
    let (seq, _) = rest.split_once(' ').unwrap_or_else(|| mangled(line));
    let (id, seq): (usize, usize) = match (id.parse(), seq.parse()) {
        (Ok(id), Ok(seq)) if id < PROCESSES && seq < RECORDS_PER_PROCESS => (id, seq),
        _ => mangled(line),
    };
    if line != line_for(id, seq) {
        mangled(line);
    }
    (id, seq)
}

fn ready_file(dir: &Path, id: usize) -> PathBuf {
    dir.join(format!("ready.{id}"))
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// How the writers open the log; the child's role.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Shared,
    #[cfg_attr(not(feature = "gzip"), allow(dead_code))]
    SharedGzip,
    #[cfg_attr(not(feature = "gzip"), allow(dead_code))]
    SharedSizeTimeGzipThreads,
    #[cfg_attr(not(feature = "gzip"), allow(dead_code))]
    SharedDatedSizeTimeGzipThreads,
    Unshared,
}

/// Threads per process in the `SharedSizeTimeGzipThreads` run, each writing its share of
/// `RECORDS_PER_PROCESS`.
const THREADS: usize = 4;

/// Record `seq` of thread `thread` of process `id` in the threaded run.
fn threaded_line_for(id: usize, thread: usize, seq: usize) -> String {
    format!("p{id}t{thread}-{seq:06} {}", "x".repeat(1 + seq % 9))
}

/// The process, thread and sequence number of a line of the threaded runs.
#[cfg_attr(not(feature = "gzip"), allow(dead_code))]
/// The text of a file of a run, gzip or plain.
fn read_backup(file: &Path, gzip: bool) -> String {
    if gzip {
        gunzip(file)
    } else {
        std::fs::read_to_string(file).unwrap()
    }
}

/// Checks one file of a threaded run, read in order: whole lines only (and some unless
/// `may_be_empty`), under `MAX_BYTES`, and each thread's records next in its sequence (`next`
/// counts them for each thread of each process).
fn check_threaded_file(
    file: &Path,
    text: &str,
    may_be_empty: bool,
    next: &mut [[usize; THREADS]; PROCESSES],
) {
    assert!(
        (may_be_empty && text.is_empty()) || text.ends_with('\n'),
        "{} is empty or ends mid-line",
        file.display()
    );
    assert!(
        text.len() < MAX_BYTES as usize,
        "{} overfilled",
        file.display()
    );
    for line in text.lines() {
        let (id, thread, seq) = parse_threaded(line);
        assert_eq!(
            seq,
            next[id][thread],
            "process {id} thread {thread}: out of order, lost or duplicated in {}",
            file.display()
        );
        next[id][thread] += 1;
    }
}

fn parse_threaded(line: &str) -> (usize, usize, usize) {
    let (who, rest) = line.split_once('-').unwrap_or_else(|| mangled(line));
    let (id, thread) = who
        .strip_prefix('p')
        .and_then(|w| w.split_once('t'))
        .and_then(|(p, t)| Some((p.parse::<usize>().ok()?, t.parse::<usize>().ok()?)))
        .filter(|&(p, t)| p < PROCESSES && t < THREADS)
        .unwrap_or_else(|| mangled(line));
    let seq: usize = rest
        .split_once(' ')
        .and_then(|(seq, _)| seq.parse().ok())
        .unwrap_or_else(|| mangled(line));
    if line != threaded_line_for(id, thread, seq) {
        mangled(line);
    }
    (id, thread, seq)
}

impl Mode {
    fn role(self) -> &'static str {
        match self {
            Mode::Shared => "shared",
            Mode::SharedGzip => "shared-gzip",
            Mode::SharedSizeTimeGzipThreads => "shared-size-time-gzip-threads",
            Mode::SharedDatedSizeTimeGzipThreads => "shared-dated-size-time-gzip-threads",
            Mode::Unshared => "unshared",
        }
    }

    fn from_role(role: &str) -> Mode {
        [
            Mode::Shared,
            Mode::SharedGzip,
            Mode::SharedSizeTimeGzipThreads,
            Mode::SharedDatedSizeTimeGzipThreads,
            Mode::Unshared,
        ]
        .into_iter()
        .find(|mode| mode.role() == role)
        .unwrap_or_else(|| panic!("unknown role {role}"))
    }

    fn max_bytes_and_backup_count(self) -> (u64, u32) {
        match self {
            Mode::Shared | Mode::SharedGzip => (MAX_BYTES, BACKUP_COUNT),
            Mode::SharedSizeTimeGzipThreads | Mode::SharedDatedSizeTimeGzipThreads => {
                (MAX_BYTES, 10_000)
            }
            Mode::Unshared => (UNSHARED_MAX_BYTES, UNSHARED_BACKUP_COUNT),
        }
    }
}

/// The writer run in each child process. The log file is in `<dir>/logs/`; the start barrier
/// files are in `<dir>` (`ready.N` from each child, then `go` from the parent), so that all
/// children write at the same time.
#[test]
fn child_process_writer() {
    let Some(role) = child_role() else {
        return;
    };
    set_raise_exceptions(false);
    let mode = Mode::from_role(&role);
    let path = PathBuf::from(std::env::var(ENV_PATH).unwrap());
    let id: usize = std::env::var(ENV_ID).unwrap().parse().unwrap();
    let (max_bytes, backup_count) = mode.max_bytes_and_backup_count();
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(max_bytes)
        .backup_count(backup_count)
        .shared(mode != Mode::Unshared);
    #[cfg(feature = "gzip")]
    let handler = handler.gzip(mode == Mode::SharedGzip);
    #[cfg(feature = "gzip")]
    let handler = match mode {
        Mode::SharedSizeTimeGzipThreads => handler
            .when(When::Seconds)
            .interval(1)
            .compression(pylog_core::Compression::Gzip),
        Mode::SharedDatedSizeTimeGzipThreads => handler
            .dated(true)
            .when(When::Seconds)
            .compression(pylog_core::Compression::Gzip)
            .current_symlink(&path),
        _ => handler,
    };
    let handler = handler.build().unwrap();
    let (_tree, logger) = logger_with(&handler);

    let barrier = path.parent().unwrap().parent().unwrap();
    std::fs::write(ready_file(barrier, id), "").unwrap();
    wait_for("the go file", || barrier.join("go").exists());

    if matches!(
        mode,
        Mode::SharedSizeTimeGzipThreads | Mode::SharedDatedSizeTimeGzipThreads
    ) {
        std::thread::scope(|scope| {
            for thread in 0..THREADS {
                let logger = &logger;
                scope.spawn(move || {
                    for seq in 0..RECORDS_PER_PROCESS / THREADS {
                        // A pause half-way makes sure a second boundary passes mid-run.
                        if seq == RECORDS_PER_PROCESS / THREADS / 2 {
                            std::thread::sleep(Duration::from_millis(1100));
                        }
                        logger.info(threaded_line_for(id, thread, seq));
                    }
                });
            }
        });
    } else {
        for seq in 0..RECORDS_PER_PROCESS {
            logger.info(line_for(id, seq));
        }
    }
    handler.close();
    let stats = handler.stats();
    println!(
        "writer {id}: emitted={} errors={}",
        stats.emitted, stats.errors
    );
    if mode != Mode::Unshared {
        assert_eq!(stats.emitted, RECORDS_PER_PROCESS as u64);
        assert_eq!(stats.errors, 0);
    }
}

/// Runs the writers on `<dir>/logs/app.log` and returns that path.
fn run_writers(dir: &Path, mode: Mode) -> PathBuf {
    let logs = dir.join("logs");
    std::fs::create_dir(&logs).unwrap();
    let path = logs.join("app.log");
    let children: Vec<_> = (0..PROCESSES)
        .map(|id| {
            spawn_child(
                CHILD_TEST,
                mode.role(),
                &[
                    (ENV_PATH, path.display().to_string()),
                    (ENV_ID, id.to_string()),
                ],
            )
        })
        .collect();
    wait_for("the writers to start", || {
        (0..PROCESSES).all(|id| ready_file(dir, id).exists())
    });
    std::fs::write(dir.join("go"), "").unwrap();
    for child in children {
        check_child(CHILD_TEST, &child.wait_with_output().unwrap());
    }
    path
}

/// Checks the files of a shared run, oldest first, given as (name, lines): every record exactly
/// once and in each process's order, every file below `MAX_BYTES` and full (the first line of the
/// next file did not fit in it), and enough files for the bytes written with no backup deleted.
fn check_shared_run(files: &[(PathBuf, Vec<String>)]) {
    let total_bytes: usize = (0..PROCESSES)
        .flat_map(|id| (0..RECORDS_PER_PROCESS).map(move |seq| line_for(id, seq).len() + 1))
        .sum();
    assert!(
        files.len() >= total_bytes.div_ceil(MAX_BYTES as usize)
            && files.len() < BACKUP_COUNT as usize,
        "{} files for {total_bytes} bytes: expected many rotations and no backup deleted",
        files.len()
    );
    let mut next = [0usize; PROCESSES];
    let mut previous: Option<(&Path, u64)> = None;
    for (file, file_lines) in files {
        let size: u64 = file_lines.iter().map(|line| line.len() as u64 + 1).sum();
        assert!(size < MAX_BYTES, "{} is {size} bytes", file.display());
        assert!(!file_lines.is_empty(), "{} is empty", file.display());
        // The older file was rotated by this file's first record, which did not fit in it.
        if let Some((older, older_size)) = previous {
            let first = file_lines[0].len() as u64 + 1;
            assert!(
                older_size + first >= MAX_BYTES,
                "{} ({older_size} bytes) rotated early: the next line ({first} bytes) fitted",
                older.display()
            );
        }
        for line in file_lines {
            let (id, seq) = parse(line);
            assert_eq!(
                seq,
                next[id],
                "process {id}: out of order, lost or duplicated in {}",
                file.display()
            );
            next[id] += 1;
        }
        previous = Some((file, size));
    }
    assert_eq!(next, [RECORDS_PER_PROCESS; PROCESSES]);
}

#[test]
fn four_processes_sharing_one_rotating_file_lose_and_split_nothing() {
    if child_role().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let base = run_writers(dir.path(), Mode::Shared);

    let files: Vec<_> = rotated_set(&base, &["app.log.lock"])
        .into_iter()
        .map(|file| {
            let file_lines = lines(&file);
            assert_eq!(
                std::fs::metadata(&file).unwrap().len(),
                file_lines.iter().map(|l| l.len() as u64 + 1).sum::<u64>()
            );
            (file, file_lines)
        })
        .collect();
    check_shared_run(&files);
}

#[cfg(feature = "gzip")]
#[test]
fn four_processes_sharing_one_gzip_rotating_file_lose_and_split_nothing() {
    if child_role().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let base = run_writers(dir.path(), Mode::SharedGzip);

    let logs = base.parent().unwrap();
    let mut numbers: Vec<u32> = std::fs::read_dir(logs)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "app.log" && name != "app.log.lock")
        .map(|name| {
            name.strip_prefix("app.log.")
                .and_then(|rest| rest.strip_suffix(".gz"))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("unexpected file {name}"))
        })
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=numbers.len() as u32).collect::<Vec<_>>());
    let mut files: Vec<(PathBuf, Vec<String>)> = numbers
        .iter()
        .rev()
        .map(|n| {
            let file = logs.join(format!("app.log.{n}.gz"));
            let text = gunzip(&file);
            assert!(text.ends_with('\n'), "{} ends mid-line", file.display());
            (file, text.lines().map(str::to_owned).collect())
        })
        .collect();
    files.push((base.clone(), lines(&base)));
    check_shared_run(&files);
}

/// Size, time and compression together, 4 processes × 4 threads: the backups are numbered
/// without gaps, each is one whole gzip file (or a plain one), and reading them oldest first gives
/// every record exactly once, in each thread's order.
#[cfg(feature = "gzip")]
#[test]
fn four_processes_of_four_threads_rolling_by_size_and_time_with_gzip_lose_and_split_nothing() {
    if child_role().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let base = run_writers(dir.path(), Mode::SharedSizeTimeGzipThreads);
    let elapsed = started.elapsed();

    let logs = base.parent().unwrap();
    let mut backups: HashMap<u32, PathBuf> = HashMap::new();
    for entry in std::fs::read_dir(logs).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name == "app.log" || name == "app.log.lock" {
            continue;
        }
        let n: u32 = name
            .strip_prefix("app.log.")
            .map(|rest| rest.strip_suffix(".gz").unwrap_or(rest))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unexpected file {name}"));
        assert!(
            backups.insert(n, logs.join(&name)).is_none(),
            "backup {n} is there both plain and compressed"
        );
    }
    let count = backups.len() as u32;
    let mut numbers: Vec<u32> = backups.keys().copied().collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=count).collect::<Vec<_>>());
    let mut files: Vec<PathBuf> = (1..=count).rev().map(|n| backups[&n].clone()).collect();
    files.push(base.clone());

    let mut next = [[0usize; THREADS]; PROCESSES];
    let mut compressed = 0;
    let mut rolled_by_time = 0;
    let mut previous_size: Option<usize> = None;
    for file in &files {
        let is_gzip = file.extension().is_some_and(|e| e == "gz");
        if is_gzip {
            compressed += 1;
        }
        let text = read_backup(file, is_gzip);
        check_threaded_file(file, &text, true, &mut next);
        if let (Some(size), Some(first)) = (previous_size, text.lines().next())
            && size + first.len() + 1 < MAX_BYTES as usize
        {
            rolled_by_time += 1;
        }
        previous_size = Some(text.len());
    }
    assert_eq!(next, [[RECORDS_PER_PROCESS / THREADS; THREADS]; PROCESSES]);
    println!(
        "{count} backups ({compressed} compressed, {rolled_by_time} rolled by time) in \
         {elapsed:?} for {} records",
        PROCESSES * RECORDS_PER_PROCESS
    );
    assert!(rolled_by_time > 0, "no file was rolled by time");
    assert_eq!(
        compressed, count,
        "every backup is compressed once the writers closed"
    );
}

/// The dated run: every name is `app.<second>.log`, its size backups `.N`, or `.gz` of either,
/// beside the link `app.log` and the lock file; reading them oldest first (by date, then the
/// highest backup number first, the period's file last) gives every record exactly once, in each
/// thread's order; every file but the active one is compressed; the link names the active file.
#[cfg(feature = "gzip")]
#[test]
fn four_processes_of_four_threads_with_dated_files_a_symlink_and_gzip_lose_and_split_nothing() {
    if child_role().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let base = run_writers(dir.path(), Mode::SharedDatedSizeTimeGzipThreads);

    let logs = base.parent().unwrap();
    // (date, number, compressed, path); number 0 is the period's file.
    let mut files: Vec<(String, u32, bool, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(logs).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name == "app.log" || name == "app.log.lock" {
            continue;
        }
        let (rest, compressed) = match name.strip_suffix(".gz") {
            Some(rest) => (rest, true),
            None => (name.as_str(), false),
        };
        let parsed = rest.strip_prefix("app.").and_then(|rest| {
            let (date, tail) = rest.split_at_checked(19)?;
            let number = match tail.strip_prefix(".log")? {
                "" => 0,
                n => n.strip_prefix('.')?.parse().ok()?,
            };
            Some((date.to_owned(), number))
        });
        let (date, number) = parsed.unwrap_or_else(|| panic!("unexpected file {name}"));
        files.push((date, number, compressed, logs.join(&name)));
    }
    files.sort_by(|a, b| {
        let order = |n: u32| if n == 0 { u32::MAX } else { u32::MAX - 1 - n };
        a.0.cmp(&b.0).then(order(a.1).cmp(&order(b.1)))
    });
    for pair in files.windows(2) {
        assert!(
            (pair[0].0.as_str(), pair[0].1) != (pair[1].0.as_str(), pair[1].1),
            "{} is there both plain and compressed",
            pair[0].3.display()
        );
    }
    let (active_date, active_number, active_compressed, active) = files.last().unwrap().clone();
    assert_eq!((active_number, active_compressed), (0, false));
    let target = std::fs::read_link(&base).unwrap();
    assert_eq!(target, PathBuf::from(format!("app.{active_date}.log")));
    for (_, _, compressed, path) in &files[..files.len() - 1] {
        assert!(compressed, "{} was not compressed", path.display());
    }

    let mut next = [[0usize; THREADS]; PROCESSES];
    let periods: std::collections::HashSet<&str> = files.iter().map(|f| f.0.as_str()).collect();
    let size_backups = files.iter().filter(|f| f.1 > 0).count();
    for (_, _, compressed, file) in &files {
        check_threaded_file(file, &read_backup(file, *compressed), false, &mut next);
    }
    assert_eq!(next, [[RECORDS_PER_PROCESS / THREADS; THREADS]; PROCESSES]);
    println!(
        "{} files: {} periods, {size_backups} size backups; active {}",
        files.len(),
        periods.len(),
        active.display()
    );
    assert!(periods.len() >= 2, "no time rollover");
}

#[test]
fn without_shared_four_processes_overfill_files_or_lose_records() {
    if child_role().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let base = run_writers(dir.path(), Mode::Unshared);

    let logs = base.parent().unwrap();
    let mut largest = 0;
    let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
    for entry in std::fs::read_dir(logs).unwrap() {
        let path = entry.unwrap().path();
        largest = largest.max(std::fs::metadata(&path).unwrap().len());
        for line in lines(&path) {
            *seen.entry(parse(&line)).or_default() += 1;
        }
    }
    let lost = PROCESSES * RECORDS_PER_PROCESS - seen.len();
    let duplicated = seen.values().filter(|&&n| n > 1).count();
    println!("without shared: largest file {largest} bytes, {lost} lost, {duplicated} duplicated");
    assert!(
        largest >= UNSHARED_MAX_BYTES || lost > 0 || duplicated > 0,
        "unsynchronised processes kept the limits: the shared mode would not be needed"
    );
}
