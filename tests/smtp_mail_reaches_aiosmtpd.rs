//! Interoperability: records reach `aiosmtpd` (Python's maintained SMTP server), over STARTTLS and
//! over implicit TLS, started as `python3 -m aiosmtpd` on loopback with its default `Debugging`
//! handler, which prints every message it receives; and over STARTTLS with AUTH required, through
//! `tests/smtp_common/aiosmtpd_auth.py` (aiosmtpd's command line has no AUTH option). Skips, saying why, when aiosmtpd is not
//! importable (`python3 -m pip install aiosmtpd`; CI installs it).

mod smtp_common;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pylog::{Formatter, Manager, Security, SmtpHandler};
use smtp_common::{reserve_port, test_cert};

fn aiosmtpd_available() -> bool {
    Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A running `python3 -m aiosmtpd`, killed when dropped; what it prints is collected.
struct Aiosmtpd {
    child: Child,
    output: Arc<Mutex<String>>,
    port: u16,
}

impl Aiosmtpd {
    fn start(extra: &[&str]) -> Aiosmtpd {
        // Held to the end of the scope: nobody else can take the port meanwhile.
        let reserved = reserve_port();
        let port = reserved.port();
        let listen = format!("127.0.0.1:{port}");
        let mut command = Command::new("python3");
        command
            .args(["-u", "-m", "aiosmtpd", "-n", "-l", &listen])
            .args(extra);
        Aiosmtpd::spawn(command, port)
    }

    /// The server of `aiosmtpd_auth.py`: STARTTLS and AUTH as `login`/`password` required.
    fn start_with_auth(cert: &str, key: &str, login: &str, password: &str) -> Aiosmtpd {
        // Held to the end of the scope: nobody else can take the port meanwhile.
        let reserved = reserve_port();
        let port = reserved.port();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/smtp_common/aiosmtpd_auth.py"
        );
        let mut command = Command::new("python3");
        command.args(["-u", script, &port.to_string(), cert, key, login, password]);
        Aiosmtpd::spawn(command, port)
    }

    fn spawn(mut command: Command, port: u16) -> Aiosmtpd {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 -m aiosmtpd");
        let output = Arc::new(Mutex::new(String::new()));
        if let Some(stdout) = child.stdout.take() {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let mut out = output.lock().unwrap();
                    out.push_str(&line);
                    out.push('\n');
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Aiosmtpd {
            child,
            output,
            port,
        }
    }

    /// Waits (at most 20 s) until `n` messages were printed; returns the output.
    fn wait_for(&self, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = self.output.lock().unwrap().clone();
            if out.matches("END MESSAGE").count() >= n || Instant::now() > deadline {
                return out;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn send_two(handler: pylog::Handler) -> pylog::Handler {
    let handler =
        handler.with_formatter(Formatter::new("%(levelname)s:%(name)s:%(message)s").unwrap());
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.add_handler(handler.clone());
    logger.error("first über");
    logger.critical("second\nline two");
    handler.close();
    handler
}

#[test]
fn records_reach_aiosmtpd_over_starttls_and_implicit_tls() {
    if !aiosmtpd_available() {
        println!("skipped: aiosmtpd is not importable (python3 -m pip install aiosmtpd)");
        return;
    }
    let cert = test_cert();
    let dir = tempfile::tempdir().unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, &cert.pem).unwrap();
    std::fs::write(&key_path, &cert.key_pem).unwrap();
    let (cert_arg, key_arg) = (
        cert_path.to_str().unwrap().to_owned(),
        key_path.to_str().unwrap().to_owned(),
    );

    // STARTTLS, required by aiosmtpd before MAIL.
    let server = Aiosmtpd::start(&["--tlscert", &cert_arg, "--tlskey", &key_arg]);
    let handler = SmtpHandler::builder(
        "127.0.0.1",
        "app@example.com",
        ["ops@example.com"],
        "%(levelname)s from %(name)s",
    )
    .port(server.port)
    .security(Security::StartTls)
    .root_certificate_pem(cert.pem.as_bytes())
    .build()
    .unwrap();
    let handler = send_two(handler);
    let out = server.wait_for(2);
    assert_eq!(out.matches("END MESSAGE").count(), 2, "{out}");
    assert!(out.contains("Subject: ERROR from app"), "{out}");
    assert!(out.contains("Subject: CRITICAL from app"), "{out}");
    assert!(out.contains("ERROR:app:first über"), "{out}");
    assert!(out.contains("CRITICAL:app:second\nline two"), "{out}");
    assert_eq!(handler.stats().errors, 0);

    // Implicit TLS (SMTPS).
    let server = Aiosmtpd::start(&["--smtpscert", &cert_arg, "--smtpskey", &key_arg]);
    let handler = SmtpHandler::builder("127.0.0.1", "app@example.com", ["ops@example.com"], "tls")
        .port(server.port)
        .security(Security::Tls)
        .root_certificate_pem(cert.pem.as_bytes())
        .build()
        .unwrap();
    let handler = send_two(handler);
    let out = server.wait_for(2);
    assert_eq!(out.matches("END MESSAGE").count(), 2, "{out}");
    assert!(out.contains("ERROR:app:first über"), "{out}");
    assert_eq!(handler.stats().errors, 0);

    // STARTTLS with AUTH required: the right password delivers, a wrong one delivers nothing
    // and is an error.
    let server = Aiosmtpd::start_with_auth(&cert_arg, &key_arg, "ops", "s3cret");
    let login = |password: &str| {
        SmtpHandler::builder("127.0.0.1", "app@example.com", ["ops@example.com"], "auth")
            .port(server.port)
            .security(Security::StartTls)
            .credentials("ops", password)
            .root_certificate_pem(cert.pem.as_bytes())
            .build()
            .unwrap()
    };
    let refused = send_two(login("wrong"));
    assert_eq!(
        refused.stats().errors,
        2,
        "a wrong password fails both records"
    );
    let handler = send_two(login("s3cret"));
    let out = server.wait_for(2);
    assert_eq!(out.matches("END MESSAGE").count(), 2, "{out}");
    assert_eq!(out.matches("AUTHENTICATED AS ops").count(), 2, "{out}");
    assert!(out.contains("CRITICAL:app:second\nline two"), "{out}");
    assert_eq!(handler.stats().errors, 0);
}
