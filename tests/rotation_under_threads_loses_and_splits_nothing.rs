//! Four threads logging 250,000 records each through one `RotatingFileHandler` (1 MiB files): every
//! record lands exactly once, as a whole line, each thread's records keep their order across the
//! rotated files, and every file stops exactly where CPython's rule says it must.

mod files_common;

use files_common::{lines, logger_with, rotated_set};
use pylog_core::{Level, Logger, RotatingFileHandler};

const THREADS: usize = 4;
const RECORDS_PER_THREAD: usize = 250_000;
const MAX_BYTES: u64 = 1 << 20;

/// `t{thread}-{seq:07} pad.` plus the newline: every line has the same length, 16 bytes, which
/// divides `MAX_BYTES`, so a file that reached `max_bytes` exactly (a `>` instead of CPython's
/// `>=`) would show.
const LINE_BYTES: u64 = "t0-0000000 pad.\n".len() as u64;

/// CPython's rule: a record starts a new file when `size + len(line) >= max_bytes`, so a full file
/// holds the largest number of lines that keeps it strictly below `max_bytes`.
const _: () = assert!(MAX_BYTES.is_multiple_of(LINE_BYTES));

const LINES_PER_FULL_FILE: u64 = (MAX_BYTES - 1) / LINE_BYTES;

fn parse(line: &str) -> (usize, usize) {
    let rest = line
        .strip_prefix('t')
        .and_then(|rest| rest.strip_suffix(" pad."))
        .unwrap_or_else(|| panic!("mangled line {line:?}"));
    let (thread, seq) = rest
        .split_once('-')
        .unwrap_or_else(|| panic!("mangled line {line:?}"));
    assert!(
        thread.len() == 1 && seq.len() == 7 && seq.bytes().all(|b| b.is_ascii_digit()),
        "mangled line {line:?}"
    );
    (thread.parse().unwrap(), seq.parse().unwrap())
}

fn log_from_threads(logger: &Logger) {
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            scope.spawn(move || {
                for seq in 0..RECORDS_PER_THREAD {
                    logger.info(format_args!("t{thread}-{seq:07} pad."));
                }
            });
        }
    });
}

#[test]
fn four_threads_times_250k_records_rotate_into_whole_ordered_lines() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("app.log");
    let handler = RotatingFileHandler::builder(&base)
        .max_bytes(MAX_BYTES)
        .backup_count(100)
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    logger.set_level(Level::INFO);

    log_from_threads(&logger);
    handler.close();

    let total = (THREADS * RECORDS_PER_THREAD) as u64;
    assert_eq!(handler.stats().emitted, total);
    assert_eq!(handler.stats().errors, 0);

    let files = rotated_set(&base, &[]);
    let full_files = total / LINES_PER_FULL_FILE;
    assert_eq!(
        files.len() as u64,
        full_files + 1,
        "{total} lines of {LINE_BYTES} bytes at {LINES_PER_FULL_FILE} a file"
    );

    let mut next = [0usize; THREADS];
    for (index, file) in files.iter().enumerate() {
        let size = std::fs::metadata(file).unwrap().len();
        assert!(
            size < MAX_BYTES,
            "{} is {size} bytes, not below {MAX_BYTES}",
            file.display()
        );
        let file_lines = lines(file);
        if index + 1 < files.len() {
            // A rotated file was closed by the first record that did not fit, and not earlier.
            assert_eq!(
                file_lines.len() as u64,
                LINES_PER_FULL_FILE,
                "{}",
                file.display()
            );
            assert_eq!(size, LINES_PER_FULL_FILE * LINE_BYTES);
        } else {
            assert_eq!(
                file_lines.len() as u64,
                total - full_files * LINES_PER_FULL_FILE
            );
        }
        for line in &file_lines {
            let (thread, seq) = parse(line);
            assert_eq!(
                seq,
                next[thread],
                "thread {thread}: out of order, lost or duplicated in {}",
                file.display()
            );
            next[thread] += 1;
        }
    }
    assert_eq!(next, [RECORDS_PER_THREAD; THREADS]);
}
