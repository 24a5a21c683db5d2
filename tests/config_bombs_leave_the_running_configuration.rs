//! Small configuration files that would multiply themselves into gigabytes cannot abort the
//! process, applied directly or through `.watch()`: each runs in a child process (this same
//! binary, told the scenario by an environment variable) whose address space is limited with
//! `ulimit -v` (`RLIMIT_AS`) before it starts, so that an allocation the limit refuses would abort
//! it. The child applies a working configuration, logs, applies the bomb, logs again and checks
//! that both records reached the file of the configuration in force; the parent checks that the
//! child exited normally and reported the error.
//!
//! - `cfg://` references fanning out ten to a level, nine levels (1.2 KB of JSON, a billion
//!   strings once copied): refused by the reference budget, naming the key.
//! - A 74 KB YAML document aliasing one 60 KB string 100,000 times: refused by the alias budget.
//! - A queue handler with `maxsize: 1000000000`: applied, since the queue grows to its bound
//!   instead of allocating its places up front; records flow through it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use pylog::Manager;
use pylog::config::{ConfigError, ConfigFile, Configurator};

const SCENARIO_VAR: &str = "PYLOG_BOMB_SCENARIO";
const DIR_VAR: &str = "PYLOG_BOMB_DIR";
/// The child's address space: room for the test harness, a few threads and their malloc arenas,
/// far less than any of the bombs would take.
const ADDRESS_SPACE_KIB: u64 = 1024 * 1024;
const PATIENCE: Duration = Duration::from_secs(30);

/// A working configuration: `app` records, as their bare message, to `app.log` in `dir`.
fn good_config(dir: &Path) -> String {
    format!(
        r#"{{"version": 1,
  "formatters": {{"plain": {{"format": "%(message)s"}}}},
  "handlers": {{"file": {{"class": "logging.FileHandler", "formatter": "plain",
                         "filename": "{}"}}}},
  "loggers": {{"app": {{"level": "INFO", "handlers": ["file"], "propagate": false}}}}}}
"#,
        dir.join("app.log").display()
    )
}

/// `cfg://` references fanning out ten to a level, nine levels deep, used by a formatter.
fn cfg_fan_out() -> String {
    let mut text =
        String::from(r#"{"version": 1, "formatters": {"f": {"format": "cfg://l0"}}, "l9": "x""#);
    for level in 0..9 {
        let refs = vec![format!("\"cfg://l{}\"", level + 1); 10].join(",");
        text.push_str(&format!(r#", "l{level}": [{refs}]"#));
    }
    text.push('}');
    text
}

/// One 60 KB string aliased 100,000 times through five levels of ten aliases (6 GB of text).
fn yaml_long_string() -> String {
    let mut text = format!("version: 1\ns: &s {}\nl0: &l0 [", "x".repeat(60_000));
    text.push_str(&["*s"; 10].join(", "));
    text.push_str("]\n");
    for level in 1..=4 {
        let prev = format!("*l{}", level - 1);
        text.push_str(&format!(
            "l{level}: &l{level} [{}]\n",
            [prev.as_str(); 10].join(", ")
        ));
    }
    // Pad to the size of the document the review used; comments cost nothing to read.
    while text.len() < 74_000 {
        text.push_str("# padding\n");
    }
    text
}

/// A queue handler in front of the file, bounded at a billion records.
fn huge_queue(dir: &Path) -> String {
    format!(
        r#"{{"version": 1,
  "formatters": {{"plain": {{"format": "%(message)s"}}}},
  "handlers": {{
    "file": {{"class": "logging.FileHandler", "formatter": "plain", "filename": "{}"}},
    "queue": {{"class": "logging.handlers.QueueHandler", "handlers": ["file"],
              "maxsize": 1000000000}}}},
  "loggers": {{"app": {{"level": "INFO", "handlers": ["queue"], "propagate": false}}}}}}
"#,
        dir.join("app.log").display()
    )
}

/// Which bomb, how it is applied.
#[derive(Clone, Copy, Debug)]
enum Bomb {
    CfgFanOut,
    YamlLongString,
    HugeQueue,
}

impl Bomb {
    fn name(self) -> &'static str {
        match self {
            Bomb::CfgFanOut => "cfg",
            Bomb::YamlLongString => "yaml",
            Bomb::HugeQueue => "queue",
        }
    }

    fn parse(name: &str) -> Bomb {
        match name {
            "cfg" => Bomb::CfgFanOut,
            "yaml" => Bomb::YamlLongString,
            "queue" => Bomb::HugeQueue,
            other => panic!("unknown bomb {other}"),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Bomb::YamlLongString => "yaml",
            _ => "json",
        }
    }

    fn text(self, dir: &Path) -> String {
        match self {
            Bomb::CfgFanOut => cfg_fan_out(),
            Bomb::YamlLongString => yaml_long_string(),
            Bomb::HugeQueue => huge_queue(dir),
        }
    }

    /// What the error says, or `None` when the file applies.
    fn expected_error(self) -> Option<&'static str> {
        match self {
            Bomb::CfgFanOut => Some(
                "cfg:// references in this document expand to more than 16 MiB (16777216 bytes): \
                 each use copies the value it names (at formatters.f.format)",
            ),
            Bomb::YamlLongString => Some(
                "the document expands to more than 16 MiB of text beyond its own length through \
                 its aliases",
            ),
            Bomb::HugeQueue => None,
        }
    }
}

fn log_and_flush(tree: &Manager, message: &str) {
    let logger = tree.get_logger("app");
    logger.info(message);
    for handler in logger.handlers() {
        handler.flush();
    }
}

fn log_file(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("app.log")).unwrap_or_default()
}

/// The child's side: apply the working file, then the bomb, and check the records.
fn child(bomb: Bomb, watched: bool, dir: &Path) {
    let tree = Manager::new();
    let configurator = || Configurator::for_manager(&tree).env_overrides(false);
    let path = dir.join(format!("logging.{}", bomb.extension()));
    std::fs::write(&path, good_config(dir)).expect("write the working file");
    let file = ConfigFile::new(configurator(), &path);
    file.reload().expect("the working file applies");
    log_and_flush(&tree, "before");

    let bomb_path = dir.join(format!("bomb.{}", bomb.extension()));
    std::fs::write(&bomb_path, bomb.text(dir)).expect("write the bomb");
    let outcome: Result<(), ConfigError> = if watched {
        let watcher = file.watch(Duration::from_millis(50));
        std::fs::rename(&bomb_path, &path).expect("rename the bomb into place");
        let started = Instant::now();
        let outcome = loop {
            if let Some(error) = watcher.file().last_error() {
                break Err(error);
            }
            if bomb.expected_error().is_none() && watcher_applied(&tree) {
                break Ok(());
            }
            if started.elapsed() > PATIENCE {
                // The parent reports what is missing.
                break Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        watcher.stop();
        outcome
    } else {
        configurator().load_path(&bomb_path)
    };
    match &outcome {
        Err(error) => println!("CHILD-ERROR: {error}"),
        Ok(()) => println!("CHILD-APPLIED"),
    }
    log_and_flush(&tree, "after");
    let written = log_file(dir);
    assert!(
        written.ends_with("before\nafter\n"),
        "both records reach the configured file: {written:?}"
    );
    println!("CHILD-DONE");
}

/// Whether the `app` logger's handler is the queue handler of the bomb's file.
fn watcher_applied(tree: &Manager) -> bool {
    tree.get_logger("app")
        .handlers()
        .iter()
        .any(|h| h.kind() == "QueueHandler")
}

/// The parent's side: run `test` of this binary as a child under the address-space limit.
fn run_child(test: &str, bomb: Bomb, watched: bool) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let exe = std::env::current_exe().expect("the test binary");
    let scenario = format!("{}:{}", bomb.name(), if watched { "watch" } else { "load" });
    let output = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(&exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(SCENARIO_VAR, &scenario)
        .env(DIR_VAR, dir.path())
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{scenario}: the child exits normally, not {:?}\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    assert!(
        stdout.contains("CHILD-DONE"),
        "{scenario}: {stdout}\n{stderr}"
    );
    let reported = stdout
        .lines()
        .find_map(|l| l.split_once("CHILD-ERROR: ").map(|(_, error)| error))
        .map(str::to_owned);
    match bomb.expected_error() {
        Some(expected) => {
            let reported = reported.unwrap_or_else(|| panic!("{scenario}: no error: {stdout}"));
            assert!(
                reported.contains(expected),
                "{scenario}: a clear error: {reported}"
            );
            assert!(reported.len() < 1_000, "{scenario}: a short error");
        }
        None => assert!(
            stdout.contains("CHILD-APPLIED"),
            "{scenario}: the file applies: {stdout}"
        ),
    }
}

/// Runs the scenario when this process is the child; otherwise starts the child.
fn scenario(test: &str, bomb: Bomb, watched: bool) {
    match std::env::var(SCENARIO_VAR) {
        Ok(name) => {
            let (bomb, mode) = name.split_once(':').expect("bomb:mode");
            let dir = PathBuf::from(std::env::var_os(DIR_VAR).expect("the child's folder"));
            child(Bomb::parse(bomb), mode == "watch", &dir);
        }
        Err(_) => run_child(test, bomb, watched),
    }
}

#[test]
fn cfg_references_fanning_out_are_refused() {
    scenario(
        "cfg_references_fanning_out_are_refused",
        Bomb::CfgFanOut,
        false,
    );
}

#[test]
fn cfg_references_fanning_out_are_refused_when_watched() {
    scenario(
        "cfg_references_fanning_out_are_refused_when_watched",
        Bomb::CfgFanOut,
        true,
    );
}

#[test]
fn a_yaml_alias_of_a_long_string_is_refused() {
    scenario(
        "a_yaml_alias_of_a_long_string_is_refused",
        Bomb::YamlLongString,
        false,
    );
}

#[test]
fn a_yaml_alias_of_a_long_string_is_refused_when_watched() {
    scenario(
        "a_yaml_alias_of_a_long_string_is_refused_when_watched",
        Bomb::YamlLongString,
        true,
    );
}

#[test]
fn a_queue_of_a_billion_places_allocates_none_up_front() {
    scenario(
        "a_queue_of_a_billion_places_allocates_none_up_front",
        Bomb::HugeQueue,
        false,
    );
}

#[test]
fn a_queue_of_a_billion_places_allocates_none_up_front_when_watched() {
    scenario(
        "a_queue_of_a_billion_places_allocates_none_up_front_when_watched",
        Bomb::HugeQueue,
        true,
    );
}
