//! `OtlpJsonFormatter` with a rotating file handler: every file holds whole lines, each line one
//! `ExportLogsServiceRequest` in OTLP/JSON, and every record is in exactly one of them.

use pylog::{Level, LogRecord, OtlpJsonFormatter, RotatingFileHandler};

#[test]
fn rotated_files_hold_whole_requests_and_every_record_once() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("otlp.jsonl");
    let handler = RotatingFileHandler::builder(&path)
        .max_bytes(4096)
        .backup_count(50)
        .build()
        .expect("rotating handler");
    let formatter = OtlpJsonFormatter::builder()
        .environment(|_| None)
        .service_name("rotating")
        .build()
        .expect("formatter");
    handler.set_formatter(Some(formatter.into()));
    const RECORDS: usize = 100;
    for i in 0..RECORDS {
        handler.handle(&LogRecord::new(
            "app.files",
            Level::INFO,
            &format!("record {i}"),
        ));
    }
    handler.close();
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("directory")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(files.len() > 5, "rotated into {} files", files.len());
    files.sort();
    let mut bodies = Vec::new();
    for file in &files {
        for line in std::fs::read_to_string(file).expect("a file").lines() {
            let request: serde_json::Value = serde_json::from_str(line).expect("a whole JSON line");
            let resource_logs = &request["resourceLogs"][0];
            let service = resource_logs["resource"]["attributes"]
                .as_array()
                .expect("attributes")
                .iter()
                .find(|a| a["key"] == "service.name")
                .map(|a| a["value"]["stringValue"].clone());
            assert_eq!(service, Some(serde_json::json!("rotating")));
            let scope = &resource_logs["scopeLogs"][0];
            assert_eq!(scope["scope"]["name"], "app.files");
            let record = &scope["logRecords"][0];
            assert_eq!(record["severityNumber"], 9);
            bodies.push(
                record["body"]["stringValue"]
                    .as_str()
                    .expect("body")
                    .to_owned(),
            );
        }
    }
    bodies.sort();
    let mut expected: Vec<String> = (0..RECORDS).map(|i| format!("record {i}")).collect();
    expected.sort();
    assert_eq!(bodies, expected);
}
