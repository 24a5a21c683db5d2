//! Configuration files shaped like real projects' (tests/config/corpus: dictConfig documents in
//! JSON, YAML and TOML, fileConfig INI files) print and write what CPython 3.11 printed and wrote
//! for them (tests/config/expected, recorded by tests/config/generate.py; see tests/config/README.md).
//!
//! Each case runs in a child process (this test binary, running only `one_case_in_this_process`)
//! whose current directory is a fresh temporary directory: it creates the loggers of
//! preexisting.txt, applies the file with `pylog::config::load_path`, logs every line of
//! records.txt and calls `pylog::shutdown()`. Its stdout and stderr between two marker lines,
//! and every file it left behind, are compared with CPython's after masking timestamps. Every
//! difference of every case is reported in one failure.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;

const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/config/");
/// Names the corpus file the child runs; without it the child test does nothing.
const CASE_VAR: &str = "PYLOGGING_CONFIG_CASE";
const CHILD_TEST: &str = "one_case_in_this_process";
/// What the child prints on stdout and stderr around the case, to keep libtest's lines out.
const BEGIN: &str = "=== pylog config case: begin ===";
const END: &str = "=== pylog config case: end ===";

/// The non-empty lines of a file of tests/config/.
fn lines(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("{CONFIG}{name}"))
        .unwrap_or_else(|e| panic!("tests/config/{name}: {e}"));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

fn level(name: &str) -> pylog::Level {
    name.parse()
        .unwrap_or_else(|e| panic!("{name:?} is not a level: {e}"))
}

/// The child: runs the case named by `PYLOGGING_CONFIG_CASE` in the current directory.
#[test]
fn one_case_in_this_process() {
    let Ok(case) = std::env::var(CASE_VAR) else {
        return;
    };
    print!("\n{BEGIN}\n");
    eprint!("\n{BEGIN}\n");
    flush();

    for line in lines("preexisting.txt") {
        let mut fields = line.split('\t');
        let logger = pylog::get_logger(fields.next().expect("a logger name"));
        if let Some(name) = fields.next() {
            logger.set_level(level(name));
        }
    }
    let path = Path::new(CONFIG).join("corpus").join(&case);
    if let Err(e) = pylog::config::load_path(&path) {
        panic!("{case}: load_path failed: {e}");
    }
    for line in lines("records.txt") {
        let mut fields = line.splitn(3, '\t');
        let (Some(name), Some(level_name), Some(message)) =
            (fields.next(), fields.next(), fields.next())
        else {
            panic!("records.txt: not logger<TAB>LEVEL<TAB>message: {line:?}");
        };
        let logger = if name == "root" {
            pylog::get_logger("")
        } else {
            pylog::get_logger(name)
        };
        logger.log(level(level_name), message);
    }
    pylog::shutdown();

    flush();
    println!("{END}");
    eprintln!("{END}");
    flush();
}

fn flush() {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}

/// What the child wrote between the markers, or why that cannot be found.
fn between_markers(output: &[u8]) -> Result<&[u8], String> {
    let find = |hay: &[u8], needle: &str| {
        hay.windows(needle.len())
            .position(|w| w == needle.as_bytes())
    };
    let begin = format!("{BEGIN}\n");
    let start = find(output, &begin).ok_or("no begin marker")? + begin.len();
    let len = find(&output[start..], END).ok_or("no end marker")?;
    Ok(&output[start..start + len])
}

/// Every file under `dir`, by path relative to it with `/` separators.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let rel = path.strip_prefix(root).expect("under the root");
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                files.insert(rel, bytes);
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// A diff-like excerpt around the first differing line.
fn excerpt(expected: &str, got: &str) -> String {
    let want: Vec<&str> = expected.split_inclusive('\n').collect();
    let have: Vec<&str> = got.split_inclusive('\n').collect();
    let first = want
        .iter()
        .zip(&have)
        .position(|(a, b)| a != b)
        .unwrap_or(want.len().min(have.len()));
    let from = first.saturating_sub(2);
    let mut out = format!(
        "    first difference at line {} (expected {} lines, got {})\n",
        first + 1,
        want.len(),
        have.len()
    );
    for (sign, side) in [("-", &want), ("+", &have)] {
        for (i, line) in side.iter().enumerate().skip(from).take(8) {
            let mark = if i == first { sign } else { " " };
            out.push_str(&format!("    {mark}{sign}{:>4} | {line:?}\n", i + 1));
        }
        if side.len() <= from {
            out.push_str(&format!(
                "    {sign}{sign}     | (nothing from line {})\n",
                from + 1
            ));
        }
    }
    out
}

struct Case<'a> {
    name: &'a str,
    mask: &'a Regex,
    failures: Vec<String>,
}

impl Case<'_> {
    fn fail(&mut self, what: &str, detail: String) {
        self.failures
            .push(format!("{}: {what}\n{detail}", self.name));
    }

    /// Compares CPython's (already masked) output with ours, masked here.
    fn compare(&mut self, what: &str, expected: &[u8], got: &[u8]) {
        let Ok(got) = std::str::from_utf8(got) else {
            self.fail(
                what,
                format!("    not UTF-8: {:?}\n", String::from_utf8_lossy(got)),
            );
            return;
        };
        let got = self.mask.replace_all(got, "<TIME>");
        let expected = String::from_utf8_lossy(expected);
        if got != expected {
            self.fail(what, excerpt(&expected, &got));
        }
    }
}

#[test]
fn config_files_produce_what_cpython_produced() {
    if std::env::var_os(CASE_VAR).is_some() {
        return;
    }
    let mask = Regex::new(lines("MASK").first().expect("MASK holds the pattern"))
        .expect("MASK is a valid regex");
    let mut cases: Vec<String> = std::fs::read_dir(format!("{CONFIG}corpus"))
        .expect("tests/config/corpus exists")
        .map(|entry| {
            entry
                .expect("a corpus entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 40,
        "the corpus has only {} cases",
        cases.len()
    );
    let exe = std::env::current_exe().expect("the test binary knows its path");

    let mut failures = Vec::new();
    for name in &cases {
        let mut case = Case {
            name,
            mask: &mask,
            failures: Vec::new(),
        };
        let expected_dir = PathBuf::from(format!("{CONFIG}expected/{name}"));
        if !expected_dir.is_dir() {
            case.fail(
                "no expected output",
                "    run `python3 tests/config/generate.py`\n".to_owned(),
            );
            failures.append(&mut case.failures);
            continue;
        }
        let cwd = tempfile::tempdir().expect("a temporary directory");
        let out = Command::new(&exe)
            .args([CHILD_TEST, "--exact", "--nocapture", "--test-threads=1"])
            .env(CASE_VAR, name)
            .current_dir(cwd.path())
            .output()
            .expect("the test binary runs");
        let stdout = between_markers(&out.stdout);
        let stderr = between_markers(&out.stderr);
        match (out.status.success(), stdout, stderr) {
            (true, Ok(stdout), Ok(stderr)) => {
                let expected = |file: &str| {
                    std::fs::read(expected_dir.join(file))
                        .unwrap_or_else(|e| panic!("expected/{name}/{file}: {e}"))
                };
                case.compare("stdout", &expected("stdout"), stdout);
                case.compare("stderr", &expected("stderr"), stderr);
                let want = files_under(&expected_dir.join("files"));
                let have = files_under(cwd.path());
                for (path, bytes) in &want {
                    match have.get(path) {
                        Some(got) => case.compare(&format!("file {path}"), bytes, got),
                        None => case.fail(
                            &format!("file {path}"),
                            format!(
                                "    missing; CPython wrote {} bytes (files here: {:?})\n",
                                bytes.len(),
                                have.keys().collect::<Vec<_>>()
                            ),
                        ),
                    }
                }
                for (path, bytes) in &have {
                    if !want.contains_key(path) {
                        case.fail(
                            &format!("file {path}"),
                            format!(
                                "    CPython wrote no such file; this one has {} bytes: {:?}\n",
                                bytes.len(),
                                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
                            ),
                        );
                    }
                }
            }
            (success, stdout, stderr) => case.fail(
                "the child did not complete",
                format!(
                    "    status {} (success: {success}), stdout: {}, stderr: {}\n    --- stdout\n{}\n    --- stderr\n{}\n",
                    out.status,
                    stdout.map_or_else(|e| e, |_| "complete".to_owned()),
                    stderr.map_or_else(|e| e, |_| "complete".to_owned()),
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr),
                ),
            ),
        }
        failures.append(&mut case.failures);
    }
    assert!(
        failures.is_empty(),
        "{} differences from CPython in {} cases:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
