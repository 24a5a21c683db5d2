//! `config::listen` applies the configurations that the client of Python's logging cookbook
//! (`tests/config_listen/send_config.py`, run by python3) sends: a JSON dictConfig, then an INI
//! fileConfig. A payload that is neither, a dictConfig that does not configure, and a payload
//! longer than the limit change nothing and are reported. With a `verify` that checks an
//! HMAC-SHA256 signature (made by Python's `hmac`, `sign.py`), only signed payloads apply.

mod socket_cookbook;

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pylog::config::{ConfigListener, Configurator, Verify};
use pylog::{Level, Manager, SharedWriter};
use socket_cookbook::python3;

fn script(name: &str) -> String {
    format!("{}/tests/config_listen/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs the cookbook's client: sends the file at `path` to `port`.
fn send_config(path: &Path, port: u16) -> bool {
    let Some(mut python) = python3() else {
        return false;
    };
    let output = python
        .arg(script("send_config.py"))
        .arg(path)
        .arg(port.to_string())
        .output()
        .expect("run send_config.py");
    assert!(
        output.status.success(),
        "send_config.py failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "connecting...\nsending config...\ncomplete\n"
    );
    true
}

/// Waits until `listener` has applied `applied` and refused `rejected` payloads.
fn wait_for(listener: &ConfigListener, applied: u64, rejected: u64) {
    let end = Instant::now() + Duration::from_secs(30);
    while Instant::now() < end {
        if (listener.applied(), listener.rejected()) == (applied, rejected) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("expected {applied} applied and {rejected} refused, got {listener:?}");
}

type Reasons = Arc<Mutex<Vec<String>>>;

fn listener(
    tree: &Manager,
    out: &SharedWriter,
    verify: Option<Verify>,
) -> (ConfigListener, Reasons) {
    let reasons: Reasons = Arc::default();
    let seen = reasons.clone();
    let mut builder = ConfigListener::builder()
        .address("127.0.0.1:0")
        .max_payload(64 * 1024)
        .configurator(
            Configurator::for_manager(tree)
                .env_overrides(false)
                .ext_writer("app.out", out.clone()),
        )
        .on_reject(Arc::new(move |_, reason: &str| {
            seen.lock().unwrap().push(reason.to_owned())
        }));
    if let Some(verify) = verify {
        builder = builder.verify(verify);
    }
    (builder.start().unwrap(), reasons)
}

const JSON_CONFIG: &str = r#"{
  "version": 1,
  "formatters": {"f": {"format": "JSON %(name)s %(levelname)s %(message)s"}},
  "handlers": {"out": {"class": "logging.StreamHandler", "formatter": "f", "stream": "ext://app.out"}},
  "root": {"level": "INFO", "handlers": ["out"]}
}"#;

fn ini_config(log: &Path) -> String {
    format!(
        "[loggers]\nkeys=root\n\n[handlers]\nkeys=file\n\n[formatters]\nkeys=f\n\n\
         [logger_root]\nlevel=WARNING\nhandlers=file\n\n\
         [handler_file]\nclass=FileHandler\nformatter=f\nargs=({:?}, 'a')\n\n\
         [formatter_f]\nformat=INI %(levelname)s:%(name)s:%(message)s\n",
        log.display().to_string()
    )
}

#[test]
fn json_then_ini_apply_and_broken_payloads_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let tree = Manager::new();
    let out = SharedWriter::new();
    let (listener, reasons) = listener(&tree, &out, None);
    let port = listener.local_addr().port();
    assert!(listener.local_addr().ip().is_loopback());

    let json = dir.path().join("logging.json");
    std::fs::write(&json, JSON_CONFIG).unwrap();
    if !send_config(&json, port) {
        return;
    }
    wait_for(&listener, 1, 0);
    tree.get_logger("app").info("one");
    assert_eq!(out.contents(), "JSON app INFO one\n");

    let log = dir.path().join("app.log");
    let ini = dir.path().join("logging.ini");
    std::fs::write(&ini, ini_config(&log)).unwrap();
    send_config(&ini, port);
    wait_for(&listener, 2, 0);
    tree.root().warning("two");
    tree.root().info("below the INI's level");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "INI WARNING:root:two\n"
    );
    assert_eq!(
        out.contents(),
        "JSON app INFO one\n",
        "the JSON handler is gone"
    );

    // Neither JSON nor INI; a dictConfig naming a class nobody has; too long.
    let broken = dir.path().join("broken");
    std::fs::write(&broken, "this is neither JSON nor an INI file\n").unwrap();
    send_config(&broken, port);
    wait_for(&listener, 2, 1);
    let bad_class = dir.path().join("bad_class.json");
    std::fs::write(
        &bad_class,
        r#"{"version": 1, "handlers": {"h": {"class": "myapp.Missing"}}, "root": {"handlers": ["h"], "level": "DEBUG"}}"#,
    )
    .unwrap();
    send_config(&bad_class, port);
    wait_for(&listener, 2, 2);
    let mut long = std::net::TcpStream::connect(listener.local_addr()).unwrap();
    long.write_all(&(1u32 << 20).to_be_bytes()).unwrap();
    wait_for(&listener, 2, 3);
    drop(long);

    tree.root().warning("three");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "INI WARNING:root:two\nINI WARNING:root:three\n",
        "the INI configuration is still the one in force"
    );
    assert_eq!(tree.root().level(), Level::WARNING);
    let reasons = reasons.lock().unwrap().clone();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons[0].contains("neither a JSON object nor an INI file"),
        "{}",
        reasons[0]
    );
    assert!(reasons[1].contains("myapp.Missing"), "{}", reasons[1]);
    assert_eq!(
        reasons[2],
        "a payload of 1048576 bytes is more than the limit of 65536"
    );
    listener.stop();
}

const KEY: &str = "correct horse battery staple";

/// Accepts a payload whose first 32 bytes are the HMAC-SHA256 of the rest under `KEY`.
fn hmac_verify() -> Verify {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, KEY.as_bytes());
    Arc::new(move |payload: &[u8]| {
        let Some((tag, config)) = payload.split_at_checked(32) else {
            return Err("shorter than a signature".to_owned());
        };
        ring::hmac::verify(&key, config, tag)
            .map(|()| config.to_vec())
            .map_err(|_| "the HMAC-SHA256 signature does not match".to_owned())
    })
}

#[test]
fn with_an_hmac_verify_only_signed_configurations_apply() {
    let dir = tempfile::tempdir().unwrap();
    let tree = Manager::new();
    let out = SharedWriter::new();
    let (listener, reasons) = listener(&tree, &out, Some(hmac_verify()));
    let port = listener.local_addr().port();

    let plain = dir.path().join("logging.json");
    std::fs::write(&plain, JSON_CONFIG).unwrap();
    if !send_config(&plain, port) {
        return;
    }
    wait_for(&listener, 0, 1);

    let sign = |key: &str, target: &Path| {
        let mut python = python3().expect("python3 ran a moment ago");
        let status = python
            .arg(script("sign.py"))
            .arg(key)
            .arg(&plain)
            .arg(target)
            .status()
            .unwrap();
        assert!(status.success());
    };
    let forged = dir.path().join("forged");
    sign("a guessed key", &forged);
    send_config(&forged, port);
    wait_for(&listener, 0, 2);
    tree.root().error("before");
    assert_eq!(out.contents(), "", "nothing was configured");

    let signed = dir.path().join("signed");
    sign(KEY, &signed);
    send_config(&signed, port);
    wait_for(&listener, 1, 2);
    tree.root().info("after");
    assert_eq!(out.contents(), "JSON root INFO after\n");
    let reasons = reasons.lock().unwrap().clone();
    assert_eq!(
        reasons,
        [
            "verify refused it: the HMAC-SHA256 signature does not match",
            "verify refused it: the HMAC-SHA256 signature does not match"
        ]
    );
    listener.stop();
}
