//! A POSIX `TZ` with a DST name but no rules (`TZ=CET-1CEST`, `TZ=GMT0BST`) is read as glibc
//! reads it, so that `asctime` shows what CPython's `time.localtime` shows. The expectations are
//! CPython 3.11's (`tests/golden/local_zone/ruleless_zones.json`, written by `generate.py` beside
//! it with this machine's `posixrules` zone). A `TZ` that cannot be read is said once on stderr.

use std::process::Command;

use pylog_core::format::datefmt::{CivilTime, DateFormat, Zone, zone_for_tz, zoneinfo_dir};
use serde_json::Value as Json;

const FORMAT: &str = "%Y-%m-%d %H:%M:%S %Z %z";

fn golden() -> Json {
    let path = format!(
        "{}/../../tests/golden/local_zone/ruleless_zones.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    serde_json::from_str(&text).expect("valid JSON")
}

/// Whether this machine's `posixrules` is the zone the golden file was made with; says why not.
fn same_posixrules(golden: &Json) -> bool {
    let made_with = golden["posixrules"].as_str().expect("posixrules");
    let here = std::fs::canonicalize(zoneinfo_dir().join("posixrules"));
    match here {
        Ok(path) if path.to_str() == Some(made_with) => true,
        other => {
            let why = format!("posixrules here is {other:?}, the golden file used {made_with}");
            assert!(std::env::var_os("CI").is_none(), "{why}");
            eprintln!("not compared: {why}");
            false
        }
    }
}

#[test]
fn ruleless_zones_match_cpythons_localtime_around_each_dst_change() {
    let golden = golden();
    if !same_posixrules(&golden) {
        return;
    }
    let format = DateFormat::parse(FORMAT).expect("valid");
    let mut failures = Vec::new();
    let mut compared = 0;
    for zone in golden["zones"].as_array().expect("zones") {
        let tz = zone["tz"].as_str().expect("tz");
        let fixed = Zone::Fixed(zone_for_tz(tz, &zoneinfo_dir()).expect("readable"));
        for case in zone["cases"].as_array().expect("cases") {
            let unix = case["unix"].as_i64().expect("unix");
            let mut local = String::new();
            format.render(&mut local, unix, &fixed);
            let dst = CivilTime::at(unix, &fixed).dst;
            let want_dst = case["dst"].as_i64() == Some(1);
            if local != case["local"].as_str().expect("local") || dst != want_dst {
                failures.push(format!(
                    "TZ={tz} at {unix}: {local} dst={dst}, CPython {} dst={want_dst}",
                    case["local"]
                ));
            }
            compared += 1;
        }
    }
    assert!(compared >= 200, "the golden file has its cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Run in a child with the given `TZ`: the local time of one instant, as `Zone::Local` shows it.
#[test]
fn child_prints_local_time() {
    if std::env::var_os("PYLOG_TZ_CHILD").is_none() {
        return;
    }
    let format = DateFormat::parse(FORMAT).expect("valid");
    for unix in [1_774_745_999, 1_793_520_000] {
        let mut out = String::new();
        format.render(&mut out, unix, &Zone::Local);
        println!("local: {out}");
    }
}

fn child(tz: &str) -> (String, String) {
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "child_prints_local_time",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TZ", tz)
        .env("PYLOG_TZ_CHILD", "1")
        .output()
        .expect("child runs");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout)
        .lines()
        // libtest may print `test child_prints_local_time ... ` on the same line.
        .filter_map(|l| l.find("local: ").map(|at| &l[at + "local: ".len()..]))
        .collect::<Vec<_>>()
        .join("\n");
    (stdout, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn the_local_zone_reads_a_ruleless_tz_and_reports_an_unreadable_one_once() {
    let golden = golden();
    if same_posixrules(&golden) {
        let (local, stderr) = child("CET-1CEST");
        // glibc's localtime (so CPython's) with TZ=CET-1CEST: DST from the posixrules (US) dates.
        assert_eq!(
            local, "2026-03-29 02:59:59 CEST +0200\n2026-11-01 09:00:00 CET +0100",
            "{stderr}"
        );
        assert!(!stderr.contains("pylog:"), "{stderr}");
    }
    // glibc shows UTC with an empty %Z here; the warning says which zone is used.
    let (local, stderr) = child("No/Such_Zone");
    assert_eq!(
        local,
        "2026-03-29 00:59:59 UTC +0000\n2026-11-01 08:00:00 UTC +0000"
    );
    assert_eq!(
        stderr.matches("pylog: TZ=\"No/Such_Zone\"").count(),
        1,
        "said once, naming the value: {stderr}"
    );
    assert!(stderr.contains("UTC"), "and the zone used: {stderr}");
}
