//! Record content cannot drive a terminal or forge lines.
//!
//! - A `StreamHandler` on a real terminal (a pseudo-terminal made by `script`) writes `ESC[2J`,
//!   OSC 52 and BEL as text (`\x1b`), keeps `\n` and `\t`, and keeps the colours a
//!   `ColourFormatter` adds; `with_escape_controls(false)` writes them raw, as Python does.
//! - `escape_newlines` on a handler or a formatter keeps each record on one line of a file.
//! - JSON lines escape U+2028, U+2029 and U+0085.

mod files_common;

use std::process::Command;

use files_common::logger_with;
use pylog_core::{
    ColourChoice, ColourFormatter, Escape, FileHandler, Formatter, JsonFormatter, SharedWriter,
    StreamHandler,
};

const CHILD_ENV: &str = "PYLOG_TEST_TERMINAL_CHILD";
/// What the child logs: a screen clear, a clipboard write (OSC 52), a bell, a tab and a newline.
const HOSTILE: &str = "a\x1b[2Jb\x1b]52;c;cHduZWQ=\x07c\td\ne";

/// Runs in the child, whose stderr is the pseudo-terminal: logs `HOSTILE` through a stderr
/// handler, escaped by default or raw when asked.
#[test]
fn child_logs_to_its_terminal() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    assert!(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let handler = StreamHandler::stderr();
    let handler = match mode.as_str() {
        "raw" => handler.with_escape_controls(false),
        _ => handler,
    };
    let (_tree, logger) = logger_with(&handler);
    logger.info(format!("<<{HOSTILE}>>"));
}

/// The bytes the child wrote to its terminal, between `<<` and `>>`; `None` (with a note, or a
/// failure under `CI`) when `script` is missing.
fn through_a_terminal(mode: &str) -> Option<Vec<u8>> {
    let exe = std::env::current_exe().unwrap();
    let command = format!(
        "'{}' --exact child_logs_to_its_terminal --nocapture --test-threads=1",
        exe.display()
    );
    let output = match Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env(CHILD_ENV, mode)
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            let why = format!("cannot run script(1) for a pseudo-terminal: {e}");
            assert!(std::env::var_os("CI").is_none(), "{why}, and CI is set");
            eprintln!("skipped: {why}");
            return None;
        }
    };
    assert!(output.status.success(), "child failed: {output:?}");
    let text = output.stdout;
    let start = text
        .windows(2)
        .position(|w| w == b"<<")
        .expect("<< in output")
        + 2;
    let end = text
        .windows(2)
        .rposition(|w| w == b">>")
        .expect(">> in output");
    Some(text[start..end].to_vec())
}

#[test]
fn a_terminal_gets_controls_as_text_by_default() {
    let Some(written) = through_a_terminal("default") else {
        return;
    };
    // The terminal turns `\n` into `\r\n` on output.
    assert_eq!(
        String::from_utf8_lossy(&written),
        "a\\x1b[2Jb\\x1b]52;c;cHduZWQ=\\x07c\td\r\ne"
    );
    assert!(!written.contains(&0x1b));
}

#[test]
fn escaping_can_be_turned_off() {
    let Some(written) = through_a_terminal("raw") else {
        return;
    };
    assert_eq!(written, HOSTILE.replace('\n', "\r\n").as_bytes());
}

#[test]
fn a_plain_writer_is_not_escaped_and_a_terminal_writer_is() {
    let plain = SharedWriter::new();
    let handler = StreamHandler::writer(plain.clone());
    assert_eq!(handler.escape(), Escape::NONE);
    let (_tree, logger) = logger_with(&handler);
    logger.info(HOSTILE);
    assert_eq!(plain.contents(), format!("{HOSTILE}\n"));

    let terminal = SharedWriter::new();
    let handler = StreamHandler::terminal_writer(terminal.clone());
    assert_eq!(handler.escape(), Escape::CONTROLS);
    let (_tree, logger) = logger_with(&handler);
    logger.info("\r\x00\x7f\u{9b}31m");
    assert_eq!(terminal.contents(), "\\r\\x00\\x7f\\u{9b}31m\n");
}

#[test]
fn our_own_colours_stay_and_content_between_them_is_escaped() {
    for format in ["%(levelname)s %(message)s", ""] {
        let out = SharedWriter::new();
        let base = if format.is_empty() {
            Formatter::builder("{levelname} {message}")
                .style(pylog_core::Style::Brace)
                .build()
                .unwrap()
        } else {
            Formatter::new(format).unwrap()
        };
        let coloured = ColourFormatter::builder(base)
            .choice(ColourChoice::Always)
            .build_for(&std::io::stderr());
        let handler = StreamHandler::terminal_writer(out.clone()).with_formatter(coloured);
        let (_tree, logger) = logger_with(&handler);
        logger.warning("\x1b[31mforged red");
        assert_eq!(
            out.contents(),
            "\x1b[33mWARNING\x1b[0m \\x1b[31mforged red\n"
        );
    }
    // The whole-line scope too.
    let out = SharedWriter::new();
    let coloured = ColourFormatter::builder(Formatter::new("%(message)s").unwrap())
        .choice(ColourChoice::Always)
        .scope(pylog_core::ColourScope::Line)
        .build_for(&std::io::stderr());
    let handler = StreamHandler::terminal_writer(out.clone()).with_formatter(coloured);
    let (_tree, logger) = logger_with(&handler);
    logger.error("\x07bell");
    assert_eq!(out.contents(), "\x1b[31m\\x07bell\x1b[0m\n");
}

#[test]
fn escape_newlines_keeps_one_record_per_line_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let forged = "login failed\n2026-12-07 10:00:00,000 INFO login succeeded for root\r";
    let handler = FileHandler::builder(&path)
        .build()
        .unwrap()
        .with_formatter(Formatter::new("%(levelname)s %(message)s").unwrap())
        .with_escape_newlines(true);
    let (_tree, logger) = logger_with(&handler);
    logger.warning(forged);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "WARNING login failed\\n2026-12-07 10:00:00,000 INFO login succeeded for root\\r\n"
    );

    // The same option on a formatter, with an exception text: still one line, and other
    // controls are left alone (a file is not a terminal).
    let path = dir.path().join("formatter.log");
    let formatter = Formatter::builder("%(message)s")
        .escape_newlines(true)
        .build()
        .unwrap();
    assert_eq!(formatter.escape(), Escape::NEWLINES);
    let handler = FileHandler::builder(&path)
        .build()
        .unwrap()
        .with_formatter(formatter);
    let (_tree, logger) = logger_with(&handler);
    let mut record = pylog_core::LogRecord::new("app", pylog_core::Level::ERROR, "a\x1bb\nc");
    record.set_exc_text("Traceback:\n  boom".to_owned());
    handler.handle(&record);
    drop(logger);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "a\x1bb\\nc\\nTraceback:\\n  boom\n"
    );
}

#[test]
fn json_lines_escape_unicode_line_breaks() {
    let out = SharedWriter::new();
    let json = JsonFormatter::builder()
        .fields(["message"])
        .unwrap()
        .build()
        .unwrap();
    let handler = StreamHandler::writer(out.clone()).with_formatter(json);
    let (_tree, logger) = logger_with(&handler);
    logger.info("a\u{2028}b\u{2029}c\u{85}d");
    assert_eq!(
        out.contents(),
        "{\"message\":\"a\\u2028b\\u2029c\\u0085d\"}\n"
    );
    let parsed: serde_json::Value = serde_json::from_str(out.contents().trim_end()).unwrap();
    assert_eq!(parsed["message"], "a\u{2028}b\u{2029}c\u{85}d");

    // On a terminal, DEL and C1 controls in JSON become `\u00XX`, so the line stays JSON.
    let out = SharedWriter::new();
    let json = JsonFormatter::builder()
        .fields(["message"])
        .unwrap()
        .build()
        .unwrap();
    let handler = StreamHandler::terminal_writer(out.clone()).with_formatter(json);
    let (_tree, logger) = logger_with(&handler);
    logger.info("\x1b\x7f\u{9b}");
    assert_eq!(out.contents(), "{\"message\":\"\\u001b\\u007f\\u009b\"}\n");
    serde_json::from_str::<serde_json::Value>(out.contents().trim_end()).unwrap();
}
