//! Our entries are what a real `systemd-journald` stores, field by field, and the same as
//! python-systemd's `JournalHandler` stores for the same records.
//!
//! The test uses the daemon serving `/run/systemd/journal/socket`, or starts
//! `/lib/systemd/systemd-journald` itself (as root; it needs no systemd as PID 1) and stops it by
//! its pid at the end. Entries are read back with `journalctl -o json --all`, filtered by a
//! `SYSLOG_IDENTIFIER` (or a message) unique to the run. Where the daemon cannot run, the test
//! says why, and fails when `CI` is set. `.ci/run` installs the `systemd` package.
//!
//! `tests/golden/journald/python_systemd_entries.json` holds what python-systemd 235 stored for
//! the records of `tests/golden/journald/generate.py`, read back the same way.
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt as _;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pylog::config::{Config, Configurator};
use pylog::{Handler, JournalHandler, Level, LogRecord, Manager, Value};
use serde_json::Value as Json;

const SOCKET: &str = "/run/systemd/journal/socket";
const JOURNALD: &str = "/lib/systemd/systemd-journald";
const PATIENCE: Duration = Duration::from_secs(20);

/// The daemon the tests started, shared by the tests running at once and stopped by its pid when
/// the last of them ends; `None` when one was already serving the socket.
struct Shared {
    users: usize,
    child: Option<Child>,
}

static DAEMON: Mutex<Shared> = Mutex::new(Shared {
    users: 0,
    child: None,
});

/// Tests share the daemon; the one that stops it for a while (SIGSTOP) holds this exclusively.
static PAUSE: RwLock<()> = RwLock::new(());

/// How a test holds the daemon: running for everyone, or for itself alone.
enum Hold {
    Shared(#[allow(dead_code)] RwLockReadGuard<'static, ()>),
    Exclusive(#[allow(dead_code)] RwLockWriteGuard<'static, ()>),
}

/// One test's hold on the daemon.
struct Journald {
    _hold: Hold,
}

impl Drop for Journald {
    fn drop(&mut self) {
        let mut shared = DAEMON.lock().unwrap_or_else(|e| e.into_inner());
        shared.users -= 1;
        if shared.users == 0
            && let Some(mut child) = shared.child.take()
        {
            stop(&mut child);
        }
    }
}

/// SIGTERM, so that it closes its files; SIGKILL if it is still there after 5 s.
fn stop(child: &mut Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn served() -> bool {
    UnixDatagram::unbound().is_ok_and(|s| s.connect(SOCKET).is_ok())
}

fn start_journald(hold: Hold) -> Result<Journald, String> {
    let mut shared = DAEMON.lock().unwrap_or_else(|e| e.into_inner());
    if shared.child.is_some() || served() {
        shared.users += 1;
        return Ok(Journald { _hold: hold });
    }
    if !Path::new(JOURNALD).is_file() {
        return Err(format!("{JOURNALD} is not installed (package systemd)"));
    }
    let mut child = Command::new(JOURNALD)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {JOURNALD}: {e}"))?;
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if served() {
            shared.users += 1;
            shared.child = Some(child);
            return Ok(Journald { _hold: hold });
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{JOURNALD} exited with {status} without serving {SOCKET} (it needs root)"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    Err(format!(
        "{JOURNALD} did not serve {SOCKET} within {PATIENCE:?}"
    ))
}

/// The daemon, or `None` after saying why it cannot run (a failure when `CI` is set).
fn journald() -> Option<Journald> {
    journald_held(Hold::Shared(
        PAUSE.read().unwrap_or_else(|e| e.into_inner()),
    ))
}

fn journald_held(hold: Hold) -> Option<Journald> {
    match start_journald(hold) {
        Ok(daemon) => Some(daemon),
        Err(why) if std::env::var_os("CI").is_some() => panic!("journald is needed in CI: {why}"),
        Err(why) => {
            eprintln!("SKIPPED: no journald to test against: {why}");
            None
        }
    }
}

fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{nanos}", std::process::id())
}

type Entry = BTreeMap<String, Json>;

/// The entries matching `filter` (`FIELD=value`), waiting until there are `count`.
fn read_back(filter: &str, count: usize) -> Vec<Entry> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let out = Command::new("journalctl")
            .args(["-o", "json", "--all", "--no-pager", filter])
            .output()
            .expect("run journalctl");
        let entries: Vec<Entry> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).expect("journalctl prints JSON"))
            .collect();
        if entries.len() >= count || Instant::now() > deadline {
            assert_eq!(entries.len(), count, "entries for {filter}: {entries:#?}");
            return entries;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A field as text (journalctl prints a value that is not valid UTF-8 as an array of bytes).
fn text(entry: &Entry, name: &str) -> Option<String> {
    match entry.get(name)? {
        Json::String(s) => Some(s.clone()),
        Json::Array(bytes) => Some(
            String::from_utf8(
                bytes
                    .iter()
                    .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                    .collect::<Option<Vec<u8>>>()?,
            )
            .ok()?,
        ),
        other => panic!("{name} is {other}"),
    }
}

fn field(entry: &Entry, name: &str) -> String {
    text(entry, name).unwrap_or_else(|| panic!("no {name} in {entry:#?}"))
}

fn handle<'a>(handler: &Handler, level: i32, msg: &'a str, setup: impl FnOnce(&mut LogRecord<'a>)) {
    let mut record = LogRecord::new("app.db", Level::new(level), msg);
    record.pathname = "src/db.rs";
    record.lineno = 42;
    record.func_name = Some("save");
    setup(&mut record);
    assert!(handler.handle(&record));
}

#[test]
fn journald_stores_every_field_as_sent() {
    let Some(_daemon) = journald() else { return };
    let ident = unique("pylog-fields");
    let handler = JournalHandler::builder()
        .syslog_identifier(&ident)
        .field("DEPLOYMENT", "blue")
        .build()
        .unwrap();
    // 64 KiB asked for: the kernel grants 128 KiB, so a 300 KiB entry goes by memfd.
    let small_buffer = JournalHandler::builder()
        .syslog_identifier(&ident)
        .send_buffer_size(64 * 1024)
        .build()
        .unwrap();

    let big: String = "0123456789abcdef".repeat(300 * 1024 / 16);
    let big_memfd = format!("memfd {big}");
    let error = std::io::Error::from_raw_os_error(2);
    let extras = [
        ("user-id", Value::Int(7)),
        ("http.status", Value::UInt(503)),
        ("_PID", Value::Str("spoofed")),
        ("größe", Value::Float(1.5)),
        ("note", Value::Str("two\nlines")),
        ("flag", Value::Bool(true)),
        ("MESSAGE_ID", Value::Str("0123456789abcdef0123456789abcdef")),
    ];
    let levels = [
        (5, 7),
        (10, 7),
        (15, 6),
        (20, 6),
        (25, 4),
        (30, 4),
        (35, 3),
        (40, 3),
        (45, 2),
        (50, 2),
        (60, 1),
    ];

    handle(&handler, 20, "first line\nsecond line\n", |_| {});
    handle(&handler, 20, "héllo wörld ✓ 日本", |_| {});
    handle(&handler, 20, &big, |_| {});
    handle(&small_buffer, 20, &big_memfd, |_| {});
    handle(&handler, 20, "extras", |r| r.extras = &extras);
    handle(&handler, 40, "failed", |r| {
        r.exc_info = Some(&error);
        r.exc_type = Some("FileNotFoundError");
        r.stack_info = Some("Stack (most recent call last):\n  File \"src/db.rs\", line 42");
        r.spans = "request{id=7}:query{table=\"users\"}";
    });
    for (level, _) in levels {
        handle(&handler, level, &format!("level {level}"), |_| {});
    }

    let entries = read_back(&format!("SYSLOG_IDENTIFIER={ident}"), 6 + levels.len());
    let by_message = |m: &str| -> &Entry {
        entries
            .iter()
            .find(|e| text(e, "MESSAGE").as_deref() == Some(m))
            .unwrap_or_else(|| panic!("no entry {m:.40}"))
    };

    // The fields every record has.
    let multi = by_message("first line\nsecond line\n");
    assert_eq!(field(multi, "PRIORITY"), "6");
    assert_eq!(field(multi, "LOGGER"), "app.db");
    assert_eq!(field(multi, "CODE_FILE"), "src/db.rs");
    assert_eq!(field(multi, "CODE_LINE"), "42");
    assert_eq!(field(multi, "CODE_FUNC"), "save");
    assert_eq!(field(multi, "PROCESS_NAME"), "MainProcess");
    assert_eq!(
        field(multi, "THREAD_NAME"),
        "journald_stores_every_field_as_sent"
    );
    assert_eq!(field(multi, "DEPLOYMENT"), "blue");
    assert!(field(multi, "TID").parse::<u32>().is_ok());
    assert_eq!(field(multi, "_PID"), std::process::id().to_string());
    assert_eq!(field(multi, "_TRANSPORT"), "journal");

    by_message("héllo wörld ✓ 日本");
    assert_eq!(field(by_message(&big), "MESSAGE").len(), big.len());
    assert_eq!(
        field(by_message(&big_memfd), "MESSAGE").len(),
        big_memfd.len()
    );
    // systemd's 8 MiB send buffer: granted past net.core.wmem_max to root (SO_SNDBUFFORCE).
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let granted = handler
        .sink_as::<JournalHandler>()
        .unwrap()
        .send_buffer()
        .unwrap();
    if root {
        assert!(granted >= 8 * 1024 * 1024, "send buffer {granted}");
    }
    let big_stats = handler.sink_as::<JournalHandler>().unwrap().journal_stats();
    assert_eq!(big_stats.sent_by_memfd, 0, "8 MiB fit a 300 KiB datagram");
    let small_stats = small_buffer
        .sink_as::<JournalHandler>()
        .unwrap()
        .journal_stats();
    assert_eq!(small_stats.sent_by_memfd, 1);

    let extras = by_message("extras");
    assert_eq!(field(extras, "USER_ID"), "7");
    assert_eq!(field(extras, "HTTP_STATUS"), "503");
    assert_eq!(field(extras, "PID"), "spoofed");
    assert_eq!(field(extras, "_PID"), std::process::id().to_string());
    assert_eq!(field(extras, "GR__E"), "1.5");
    assert_eq!(field(extras, "NOTE"), "two\nlines");
    assert_eq!(field(extras, "FLAG"), "True");
    assert_eq!(
        field(extras, "MESSAGE_ID"),
        "0123456789abcdef0123456789abcdef"
    );

    let failed = entries
        .iter()
        .find(|e| field(e, "MESSAGE").starts_with("failed\n"))
        .expect("the entry with an error");
    assert_eq!(field(failed, "PRIORITY"), "3");
    assert_eq!(field(failed, "ERRNO"), "2");
    assert!(field(failed, "EXCEPTION_TEXT").starts_with("FileNotFoundError: No such file"));
    assert!(field(failed, "EXCEPTION_INFO").starts_with("FileNotFoundError: No such file"));
    assert_eq!(
        field(failed, "STACK_INFO"),
        "Stack (most recent call last):\n  File \"src/db.rs\", line 42"
    );
    assert_eq!(
        field(failed, "SPANS"),
        "request{id=7}:query{table=\"users\"}"
    );

    for (level, priority) in levels {
        let entry = by_message(&format!("level {level}"));
        assert_eq!(
            field(entry, "PRIORITY"),
            priority.to_string(),
            "level {level}"
        );
    }
    assert_eq!(handler.stats().errors, 0);
    assert_eq!(
        handler
            .sink_as::<JournalHandler>()
            .unwrap()
            .journal_stats()
            .lost,
        0
    );
}

#[test]
fn entries_match_python_systemds_field_by_field() {
    let Some(_daemon) = journald() else { return };
    let golden: Vec<Json> =
        serde_json::from_str(include_str!("golden/journald/python_systemd_entries.json")).unwrap();
    let ident = unique("pylog-python");
    let handler = JournalHandler::builder()
        .syslog_identifier(&ident)
        .build()
        .unwrap();
    for case in &golden {
        let extras: Vec<(&str, Value<'_>)> = case["extra"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Json::String(s) => Value::Str(s),
                    Json::Number(n) => Value::Int(n.as_i64().unwrap()),
                    other => panic!("extra {other}"),
                };
                (k.as_str(), value)
            })
            .collect();
        let mut record = LogRecord::new(
            case["logger"].as_str().unwrap(),
            Level::new(case["level"].as_i64().unwrap() as i32),
            case["message"].as_str().unwrap(),
        );
        record.func_name = Some("emit_all");
        let thread = record.thread();
        record.set_thread(thread, "MainThread");
        record.extras = &extras;
        assert!(handler.handle(&record));
    }
    let entries = read_back(&format!("SYSLOG_IDENTIFIER={ident}"), golden.len());
    for (case, entry) in golden.iter().zip(&entries) {
        let mut ours: BTreeMap<String, String> = entry
            .keys()
            .filter(|k| !k.starts_with('_'))
            .map(|k| (k.clone(), field(entry, k)))
            .collect();
        ours.insert("SYSLOG_IDENTIFIER".into(), "<ident>".into());
        ours.insert("CODE_FILE".into(), "<file>".into());
        ours.insert("CODE_LINE".into(), "<line>".into());
        // The one field python-systemd does not send: the kernel's thread id.
        assert!(ours.remove("TID").is_some(), "TID in {ours:?}");
        let theirs: BTreeMap<String, String> = case["fields"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(ours, theirs, "{}", case["message"]);
    }
}

#[test]
fn dict_config_builds_the_handler_from_both_class_names() {
    let ident = unique("pylog-config");
    let text = format!(
        r#"{{"version": 1,
            "handlers": {{
              "python": {{"class": "systemd.journal.JournalHandler",
                          "SYSLOG_IDENTIFIER": "{ident}", "SOURCE": "python", "ATTEMPT": 3}},
              "ours": {{"class": "pylog.JournalHandler",
                        "SYSLOG_IDENTIFIER": "{ident}", "SOURCE": "ours"}}
            }},
            "loggers": {{"cfg": {{"level": "INFO", "handlers": ["python", "ours"]}}}}}}"#
    );
    let tree = Manager::new();
    Configurator::for_manager(&tree)
        .dict_config(&Config::from_json(&text).unwrap())
        .unwrap();
    let handlers = tree.get_logger("cfg").handlers();
    assert_eq!(handlers.len(), 2);
    assert!(handlers.iter().all(|h| h.kind() == "JournalHandler"));

    let bad = r#"{"version": 1, "handlers": {"j": {"class": "systemd.journal.JournalHandler",
                 "syslog_identifier": "x"}}}"#;
    let error = Configurator::for_manager(&Manager::new())
        .dict_config(&Config::from_json(bad).unwrap())
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Invalid field name: syslog_identifier"),
        "{error}"
    );

    let Some(_daemon) = journald() else { return };
    tree.get_logger("cfg").info("configured");
    let entries = read_back(&format!("SYSLOG_IDENTIFIER={ident}"), 2);
    let mut sources: Vec<String> = entries.iter().map(|e| field(e, "SOURCE")).collect();
    sources.sort();
    assert_eq!(sources, ["ours", "python"]);
    let python = entries
        .iter()
        .find(|e| field(e, "SOURCE") == "python")
        .unwrap();
    assert_eq!(field(python, "ATTEMPT"), "3");
    assert_eq!(field(python, "MESSAGE"), "configured");
    assert_eq!(field(python, "LOGGER"), "cfg");
}

#[test]
fn a_stopped_journald_is_reported_once_and_every_record_it_missed_is_counted() {
    let Some(_daemon) = journald_held(Hold::Exclusive(
        PAUSE.write().unwrap_or_else(|e| e.into_inner()),
    )) else {
        return;
    };
    let pid = DAEMON
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .child
        .as_ref()
        .map(Child::id);
    let Some(pid) = pid else {
        // Never stop a journald this test did not start (the machine's own).
        eprintln!("NOT CHECKED: the running journald was not started by this test");
        return;
    };
    let signal = |name: &str| {
        let status = Command::new("kill")
            .args([name, &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill {name} {pid}");
    };
    let ident = unique("pylog-stopped");
    let handler = JournalHandler::builder()
        .syslog_identifier(&ident)
        .send_timeout(Duration::from_millis(20))
        .build()
        .unwrap();
    let journal = handler.sink_as::<JournalHandler>().unwrap();

    signal("-STOP");
    // The socket's queue fills (a few hundred entries), then every record waits 20 ms and is
    // counted as lost; only the first of them is reported.
    let started = Instant::now();
    let mut sent = 0;
    while journal.journal_stats().lost < 20 && sent < 100_000 {
        handle(&handler, 20, &format!("while stopped {sent}"), |_| {});
        sent += 1;
    }
    let stopped_for = started.elapsed();
    signal("-CONT");
    let stats = journal.journal_stats();
    assert_eq!(stats.lost, 20, "{stats:?}");
    assert_eq!(handler.stats().errors, 1);
    assert!(
        stopped_for < Duration::from_secs(30),
        "sending while the journal was stopped took {stopped_for:?}"
    );

    // Once the journal reads again, records get through without a new report.
    std::thread::sleep(Duration::from_millis(500));
    let deadline = Instant::now() + PATIENCE;
    while journal.journal_stats().sent == stats.sent && Instant::now() < deadline {
        handle(&handler, 20, "after the pause", |_| {});
    }
    let after = journal.journal_stats();
    assert_eq!(after.sent, stats.sent + 1, "{after:?}");
    assert_eq!(handler.stats().errors, 1);
    let entries = read_back(&format!("SYSLOG_IDENTIFIER={ident}"), after.sent as usize);
    assert!(
        entries
            .iter()
            .any(|e| field(e, "MESSAGE") == "after the pause")
    );
}

/// The fileConfig form python-systemd's docs point to (`class=systemd.journal.JournalHandler`,
/// fields in `kwargs=`); CPython 3.11's `fileConfig` accepts this file as it is.
const INI: &str = "[loggers]
keys=root,ini

[handlers]
keys=kwargs

[formatters]
keys=plain

[logger_root]
level=WARNING
handlers=

[logger_ini]
level=INFO
handlers=kwargs
qualname=ini
propagate=0

[handler_kwargs]
class=systemd.journal.JournalHandler
formatter=plain
kwargs={'SYSLOG_IDENTIFIER': '@ident@', 'SOURCE': 'kwargs', 'ATTEMPT': 3}

[formatter_plain]
format=%(levelname)s %(message)s
";

#[test]
fn file_config_builds_the_handler_from_kwargs() {
    let ident = unique("pylog-ini");
    let tree = Manager::new();
    Configurator::for_manager(&tree)
        .file_config_str(&INI.replace("@ident@", &ident), "journal.ini", &[], true)
        .unwrap();
    assert_eq!(
        tree.get_logger("ini").handlers()[0].kind(),
        "JournalHandler"
    );

    let Some(_daemon) = journald() else { return };
    tree.get_logger("ini").info("from ini");
    let entries = read_back(&format!("SYSLOG_IDENTIFIER={ident}"), 1);
    assert_eq!(field(&entries[0], "MESSAGE"), "INFO from ini");
    assert_eq!(field(&entries[0], "SOURCE"), "kwargs");
    assert_eq!(field(&entries[0], "ATTEMPT"), "3");
    assert_eq!(field(&entries[0], "PRIORITY"), "6");
}

/// Run by [`basic_config_uses_the_journal_when_stderr_is_connected_to_it`] in a child process
/// whose stderr is a file, with `JOURNAL_STREAM` set; does nothing otherwise.
#[test]
fn child_logs_through_basic_config() {
    let Ok(token) = std::env::var("PYLOG_JOURNALD_CHILD") else {
        return;
    };
    let expect_journal = std::env::var("PYLOG_JOURNALD_EXPECT").as_deref() == Ok("journal");
    assert_eq!(JournalHandler::connected(), expect_journal);
    let tree = Manager::new();
    // The facade's `basic_config` has the same method with its feature `journald`.
    pylog_core::BasicConfig::new()
        .format("%(levelname)s %(message)s")
        .journald_if_connected(true)
        .apply_to(&tree)
        .unwrap();
    let handlers = tree.root().handlers();
    let expected_kind = if expect_journal {
        "JournalHandler"
    } else {
        "StreamHandler"
    };
    assert_eq!(handlers[0].kind(), expected_kind);
    tree.get_logger("child").warning(&token);
}

#[test]
fn basic_config_uses_the_journal_when_stderr_is_connected_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let run_child = |journal_stream: &str, expect: &str, token: &str| {
        let stderr_path = dir.path().join(format!("{expect}.stderr"));
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let meta = stderr.metadata().unwrap();
        let journal_stream = journal_stream
            .replace("DEV", &meta.dev().to_string())
            .replace("INO", &meta.ino().to_string());
        let status = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_logs_through_basic_config", "--nocapture"])
            .env("PYLOG_JOURNALD_CHILD", token)
            .env("PYLOG_JOURNALD_EXPECT", expect)
            .env("JOURNAL_STREAM", journal_stream)
            .stdout(Stdio::null())
            .stderr(stderr)
            .status()
            .unwrap();
        let written = std::fs::read_to_string(&stderr_path).unwrap();
        assert!(status.success(), "child failed: {written}");
        written
    };

    // stderr is some other file: basic_config keeps its stderr handler.
    let token = unique("pylog-stderr");
    let written = run_child("1:1", "stderr", &token);
    assert!(written.contains(&format!("WARNING {token}")), "{written}");

    let Some(_daemon) = journald() else { return };
    let token = unique("pylog-connected");
    let written = run_child("DEV:INO", "journal", &token);
    assert!(!written.contains(&token), "{written}");
    let entries = read_back(&format!("MESSAGE=WARNING {token}"), 1);
    assert_eq!(field(&entries[0], "PRIORITY"), "4");
    assert_eq!(field(&entries[0], "LOGGER"), "child");
    assert!(
        field(&entries[0], "SYSLOG_IDENTIFIER")
            .starts_with("journal_entries_reach_a_real_journald"),
        "{entries:?}"
    );
}
