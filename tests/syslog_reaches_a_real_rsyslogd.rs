//! Our messages are understood by a real `rsyslogd`: the test starts its own daemon in the
//! foreground on loopback (imudp and imtcp on free ports, a generated configuration, a pid file
//! and work folder in a temporary folder, no system log path), sends CPython-layout messages over
//! UDP and TCP (octet counting) and RFC 5424 messages over TCP (newline framing) and UDP, and
//! reads the fields rsyslog parsed from the file its `omfile` action writes. A second daemon checks
//! that a record holding a line break and a whole syslog message is stored as one message under
//! every framing but `Raw`.
//!
//! Skipped, with the reason printed, where `rsyslogd` is not installed (the forgery test fails
//! instead when `CI` is set); `.ci/run` installs it.

mod syslog_common;

use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use pylog::format::datefmt::{TimeZone, Zone};
use pylog::syslog::{Facility, Framing, Layout, SockType};
use pylog::{Handler, Level, Manager, SysLogHandler, SysLogHandlerBuilder};
use syslog_common::{PATIENCE, wait_until};

fn find_rsyslogd() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|dir| dir.join("rsyslogd"))
        .find(|candidate| candidate.is_file())
}

/// The daemon, killed and reaped when the test ends, however it ends.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("a free UDP port")
        .port()
}

fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("a free TCP port")
        .port()
}

const TEMPLATE: &str = "%syslogfacility-text%|%syslogseverity-text%|%app-name%|%procid%|%msgid%|\
                        %hostname%|%timestamp:::date-rfc3339%|%msg%\\n";

fn config(dir: &Path, udp: u16, tcp: u16) -> String {
    format!(
        "global(workDirectory=\"{dir}\")\n\
         module(load=\"imudp\")\n\
         module(load=\"imtcp\")\n\
         input(type=\"imudp\" address=\"127.0.0.1\" port=\"{udp}\")\n\
         input(type=\"imtcp\" address=\"127.0.0.1\" port=\"{tcp}\")\n\
         template(name=\"fields\" type=\"string\" string=\"{TEMPLATE}\")\n\
         if $app-name startswith \"pyl\" then {{\n\
           action(type=\"omfile\" file=\"{dir}/out.log\" template=\"fields\")\n\
         }}\n",
        dir = dir.display()
    )
}

fn start(dir: &Path, udp: u16, tcp: u16) -> Daemon {
    let conf = dir.join("rsyslog.conf");
    std::fs::write(&conf, config(dir, udp, tcp)).expect("write the configuration");
    let rsyslogd = find_rsyslogd().expect("checked by the caller");
    let child = Command::new(rsyslogd)
        .arg("-n")
        .arg("-f")
        .arg(&conf)
        .arg("-i")
        .arg(dir.join("rsyslogd.pid"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start rsyslogd");
    Daemon(child)
}

fn lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("out.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn send(builder: SysLogHandlerBuilder, level: Level, msg: &str) {
    let handler: Handler = builder.build().expect("the handler starts");
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.set_propagate(false);
    logger.set_level(Level::DEBUG);
    logger.add_handler(handler.clone());
    logger.log(level, msg);
    handler.close();
    assert_eq!(handler.stats().emitted, 1);
    assert_eq!(handler.stats().errors, 0);
}

#[test]
fn rsyslogd_parses_udp_tcp_and_rfc5424_messages() {
    if find_rsyslogd().is_none() {
        println!("skipped: rsyslogd is not installed (`apt-get install rsyslog`; .ci/run does it)");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (udp, tcp) = (free_udp_port(), free_tcp_port());
    let mut daemon = start(dir.path(), udp, tcp);

    // Ready once its TCP input accepts and a UDP probe has gone through.
    let tcp_up = wait_until(PATIENCE, || {
        if let Ok(Some(status)) = daemon.0.try_wait() {
            panic!("rsyslogd exited at start: {status}");
        }
        TcpStream::connect(("127.0.0.1", tcp)).is_ok()
    });
    assert!(tcp_up, "rsyslogd listens on TCP port {tcp}");
    let probe = UdpSocket::bind("127.0.0.1:0").expect("a UDP socket");
    let udp_up = wait_until(PATIENCE, || {
        let _ = probe.send_to(b"<14>pylprobe: probe", ("127.0.0.1", udp));
        std::thread::sleep(Duration::from_millis(50));
        lines(dir.path()).iter().any(|l| l.contains("pylprobe"))
    });
    assert!(udp_up, "rsyslogd receives on UDP port {udp}");

    let zone = Zone::Fixed(TimeZone::fixed(
        jiff::tz::Offset::from_seconds(-(3 * 3600 + 30 * 60)).expect("an offset"),
    ));
    let base = || SysLogHandler::builder().append_nul(false);
    send(
        base()
            .address(("127.0.0.1", udp))
            .facility(Facility::LOCAL3)
            .ident("pyludp: "),
        Level::ERROR,
        "over udp",
    );
    send(
        base()
            .address(("127.0.0.1", tcp))
            .socktype(Some(SockType::Stream))
            .framing(Framing::OctetCounting)
            .facility(Facility::DAEMON)
            .ident("pyltcp[4242]: "),
        Level::WARNING,
        "over tcp, octet counted",
    );
    // CPython's defaults: the message ends with NUL, which rsyslog drops.
    send(
        SysLogHandler::builder()
            .address(("127.0.0.1", udp))
            .ident("pylnul: "),
        Level::INFO,
        "cpython defaults",
    );
    let rfc5424 = || {
        base()
            .layout(Layout::Rfc5424)
            .hostname("pylhost")
            .msgid("ID47")
            .zone(zone.clone())
    };
    send(
        rfc5424()
            .address(("127.0.0.1", tcp))
            .socktype(Some(SockType::Stream))
            .framing(Framing::LineFeed)
            .facility(Facility::LOCAL7)
            .app_name("pyl5424tcp"),
        Level::INFO,
        "rfc 5424 over tcp",
    );
    send(
        rfc5424()
            .address(("127.0.0.1", udp))
            .facility(Facility::MAIL)
            .app_name("pyl5424udp"),
        Level::CRITICAL,
        "rfc 5424 over udp \u{2713}",
    );

    let ours = |dir: &Path| -> Vec<Vec<String>> {
        lines(dir)
            .into_iter()
            .filter(|l| !l.contains("pylprobe"))
            .map(|l| l.splitn(8, '|').map(str::to_owned).collect())
            .collect()
    };
    assert!(
        wait_until(PATIENCE, || ours(dir.path()).len() >= 5),
        "five messages reach the file: {:?}",
        lines(dir.path())
    );
    let mut got = ours(dir.path());
    got.sort_by(|a, b| a[2].cmp(&b[2]));
    let pid = std::process::id().to_string();
    let field = |row: &[String], i: usize| row[i].trim().to_owned();

    // Sorted by app name: pyl5424tcp, pyl5424udp, pylnul, pyltcp, pyludp.
    let tcp5424 = &got[0];
    assert_eq!(
        (0..6).map(|i| field(tcp5424, i)).collect::<Vec<_>>(),
        [
            "local7",
            "info",
            "pyl5424tcp",
            pid.as_str(),
            "ID47",
            "pylhost"
        ]
    );
    assert_eq!(field(tcp5424, 7), "rfc 5424 over tcp");
    let stamp = field(tcp5424, 6);
    assert!(stamp.ends_with("-03:30"), "the offset is kept: {stamp}");
    let fraction = stamp.split('.').nth(1).expect("a fraction").len() - "-03:30".len();
    assert_eq!(fraction, 6, "microseconds are kept: {stamp}");

    let udp5424 = &got[1];
    assert_eq!(
        (0..6).map(|i| field(udp5424, i)).collect::<Vec<_>>(),
        [
            "mail",
            "crit",
            "pyl5424udp",
            pid.as_str(),
            "ID47",
            "pylhost"
        ]
    );
    assert_eq!(field(udp5424, 7), "rfc 5424 over udp \u{2713}");

    let nul = &got[2];
    assert_eq!(
        (0..5).map(|i| field(nul, i)).collect::<Vec<_>>(),
        ["user", "info", "pylnul", "-", "-"]
    );
    assert_eq!(nul[7], " cpython defaults");

    let tcp_python = &got[3];
    assert_eq!(
        (0..5).map(|i| field(tcp_python, i)).collect::<Vec<_>>(),
        ["daemon", "warning", "pyltcp", "4242", "-"]
    );
    assert_eq!(field(tcp_python, 7), "over tcp, octet counted");

    let udp_python = &got[4];
    assert_eq!(
        (0..5).map(|i| field(udp_python, i)).collect::<Vec<_>>(),
        ["local3", "err", "pyludp", "-", "-"]
    );
    assert_eq!(field(udp_python, 7), "over udp");
    assert_eq!(got.len(), 5, "nothing else arrived: {got:?}");
}

/// What a record that tries to forge a message writes: a line break, then a complete RFC 5424
/// message from another host and program. `case` tells the copies apart.
fn forgery(case: &str) -> String {
    format!(
        "login failed\n<38>1 2026-12-07T09:00:00.000000+00:00 bastion sshd - - \
         Accepted password for root from {case}."
    )
}

/// A record holding `\n<38>1 … bastion sshd - - Accepted password for root` is stored by rsyslog
/// as exactly one message for every framing but `Raw`; `Raw` (CPython's bytes) lets it forge a
/// second message from host `bastion`, program `sshd`, as its documentation warns.
#[test]
fn a_record_cannot_forge_a_second_rsyslog_message() {
    if find_rsyslogd().is_none() {
        let why = "rsyslogd is not installed (`apt-get install rsyslog`; .ci/run does it)";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        println!("skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (udp, tcp) = (free_udp_port(), free_tcp_port());
    // Every message but rsyslogd's own, so that a forged one is stored too.
    let conf = dir.path().join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            "global(workDirectory=\"{dir}\")\n\
             module(load=\"imudp\")\n\
             module(load=\"imtcp\")\n\
             input(type=\"imudp\" address=\"127.0.0.1\" port=\"{udp}\")\n\
             input(type=\"imtcp\" address=\"127.0.0.1\" port=\"{tcp}\")\n\
             template(name=\"fields\" type=\"string\" string=\"%hostname%|%app-name%|%msg%\\n\")\n\
             if $programname != \"rsyslogd\" then {{\n\
               action(type=\"omfile\" file=\"{dir}/out.log\" template=\"fields\")\n\
             }}\n",
            dir = dir.path().display()
        ),
    )
    .expect("write the configuration");
    let mut daemon = Daemon(
        Command::new(find_rsyslogd().expect("checked above"))
            .arg("-n")
            .arg("-f")
            .arg(&conf)
            .arg("-i")
            .arg(dir.path().join("rsyslogd.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start rsyslogd"),
    );
    let tcp_up = wait_until(PATIENCE, || {
        if let Ok(Some(status)) = daemon.0.try_wait() {
            panic!("rsyslogd exited at start: {status}");
        }
        TcpStream::connect(("127.0.0.1", tcp)).is_ok()
    });
    assert!(tcp_up, "rsyslogd listens on TCP port {tcp}");

    let stream = || {
        SysLogHandler::builder()
            .address(("127.0.0.1", tcp))
            .socktype(Some(SockType::Stream))
            .facility(Facility::LOCAL1)
    };
    let rfc5424 = |app: &str| {
        stream()
            .layout(Layout::Rfc5424)
            .hostname("pylhost")
            .app_name(app)
    };
    // (case, app name rsyslog should store, the handler)
    let safe: Vec<(&str, &str, SysLogHandlerBuilder)> = vec![
        ("default", "pyldefault", stream().ident("pyldefault: ")),
        (
            "octets",
            "pyloctets",
            stream()
                .framing(Framing::OctetCounting)
                .ident("pyloctets: "),
        ),
        (
            "newline",
            "pylnewline",
            stream().framing(Framing::LineFeed).ident("pylnewline: "),
        ),
        (
            "newline5424",
            "pyl5424nl",
            rfc5424("pyl5424nl").framing(Framing::LineFeed),
        ),
        (
            "octets5424",
            "pyl5424oc",
            rfc5424("pyl5424oc").framing(Framing::OctetCounting),
        ),
        (
            "udp",
            "pyludp",
            SysLogHandler::builder()
                .address(("127.0.0.1", udp))
                .ident("pyludp: "),
        ),
    ];
    let mut cases = Vec::new();
    for (case, app, builder) in safe {
        send(builder, Level::WARNING, &forgery(case));
        cases.push((case, app));
    }
    send(
        stream().framing(Framing::Raw).ident("pylraw: "),
        Level::WARNING,
        &forgery("raw"),
    );

    let rows = |dir: &Path| -> Vec<Vec<String>> {
        lines(dir)
            .into_iter()
            .map(|l| l.splitn(3, '|').map(|f| f.trim().to_owned()).collect())
            .collect()
    };
    let about = |rows: &[Vec<String>], case: &str| -> Vec<Vec<String>> {
        let marker = format!("from {case}.");
        rows.iter()
            .filter(|r| r.last().is_some_and(|m| m.contains(&marker)))
            .cloned()
            .collect()
    };
    // Every case has arrived once its message (and, for Raw, the forged one) is stored.
    let arrived = wait_until(PATIENCE, || {
        let rows = rows(dir.path());
        cases.iter().all(|(case, _)| !about(&rows, case).is_empty())
            && !about(&rows, "raw").is_empty()
    });
    assert!(
        arrived,
        "every message reaches the file: {:?}",
        rows(dir.path())
    );
    // Give a late second message the time to arrive before counting.
    std::thread::sleep(Duration::from_millis(300));
    let rows = rows(dir.path());

    for (case, app) in &cases {
        let stored = about(&rows, case);
        assert_eq!(
            stored.len(),
            1,
            "{case}: one record, one message: {stored:?}"
        );
        let row = &stored[0];
        assert_eq!(row[1], *app, "{case}: stored under our program: {row:?}");
        assert_ne!(
            row[0], "bastion",
            "{case}: not from the forged host: {row:?}"
        );
        assert!(
            row[2].contains("login failed") && row[2].contains("sshd - - Accepted password"),
            "{case}: the forged text stays inside our message: {row:?}"
        );
    }
    // Raw: CPython's bytes. rsyslog splits them at the newline, and the second half is stored as
    // a message from host `bastion`, program `sshd`: the injection `Framing::Raw` documents.
    let raw = about(&rows, "raw");
    assert_eq!(
        raw.len(),
        1,
        "Raw: the forged half is stored on its own: {rows:?}"
    );
    assert_eq!(
        (raw[0][0].as_str(), raw[0][1].as_str()),
        ("bastion", "sshd")
    );
    assert!(
        rows.iter()
            .any(|r| r[1] == "pylraw" && r[2] == "login failed"),
        "Raw: the record's own half is cut at the newline: {rows:?}"
    );
    let forged: Vec<_> = rows.iter().filter(|r| r[1] == "sshd").collect();
    assert_eq!(forged.len(), 1, "only Raw forges a message: {forged:?}");
}
