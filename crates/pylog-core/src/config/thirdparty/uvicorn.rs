//! uvicorn's formatters (`uvicorn.logging`, uvicorn 0.55):
//!
//! - `DefaultFormatter`: `%(levelprefix)s` is the level name (coloured with `use_colors`), a
//!   colon and spaces up to eight characters of the name;
//! - `AccessFormatter`: also `%(client_addr)s`, `%(request_line)s` (`GET /path HTTP/1.1`, bold
//!   with colours) and `%(status_code)s` (`404 Not Found`, coloured by class). uvicorn logs
//!   the access line with the arguments `(client_addr, method, full_path, http_version,
//!   status_code)`; here they are the record's extras of those names.
//!
//! `use_colors: null` (the default) colours when standard output is a terminal, as uvicorn does.

use std::io::IsTerminal;

use super::super::ConfigError;
use super::super::args::Args;
use super::super::builtins::{fmt_argument, style_argument};
use crate::format::{Formatter, FormatterBuilder};
use crate::record::{LogRecord, Value};

/// `http.HTTPStatus`'s phrases (CPython 3.11).
const PHRASES: &[(u16, &str)] = &[
    (100, "Continue"),
    (101, "Switching Protocols"),
    (102, "Processing"),
    (103, "Early Hints"),
    (200, "OK"),
    (201, "Created"),
    (202, "Accepted"),
    (203, "Non-Authoritative Information"),
    (204, "No Content"),
    (205, "Reset Content"),
    (206, "Partial Content"),
    (207, "Multi-Status"),
    (208, "Already Reported"),
    (226, "IM Used"),
    (300, "Multiple Choices"),
    (301, "Moved Permanently"),
    (302, "Found"),
    (303, "See Other"),
    (304, "Not Modified"),
    (305, "Use Proxy"),
    (307, "Temporary Redirect"),
    (308, "Permanent Redirect"),
    (400, "Bad Request"),
    (401, "Unauthorized"),
    (402, "Payment Required"),
    (403, "Forbidden"),
    (404, "Not Found"),
    (405, "Method Not Allowed"),
    (406, "Not Acceptable"),
    (407, "Proxy Authentication Required"),
    (408, "Request Timeout"),
    (409, "Conflict"),
    (410, "Gone"),
    (411, "Length Required"),
    (412, "Precondition Failed"),
    (413, "Request Entity Too Large"),
    (414, "Request-URI Too Long"),
    (415, "Unsupported Media Type"),
    (416, "Requested Range Not Satisfiable"),
    (417, "Expectation Failed"),
    (418, "I'm a Teapot"),
    (421, "Misdirected Request"),
    (422, "Unprocessable Entity"),
    (423, "Locked"),
    (424, "Failed Dependency"),
    (425, "Too Early"),
    (426, "Upgrade Required"),
    (428, "Precondition Required"),
    (429, "Too Many Requests"),
    (431, "Request Header Fields Too Large"),
    (451, "Unavailable For Legal Reasons"),
    (500, "Internal Server Error"),
    (501, "Not Implemented"),
    (502, "Bad Gateway"),
    (503, "Service Unavailable"),
    (504, "Gateway Timeout"),
    (505, "HTTP Version Not Supported"),
    (506, "Variant Also Negotiates"),
    (507, "Insufficient Storage"),
    (508, "Loop Detected"),
    (510, "Not Extended"),
    (511, "Network Authentication Required"),
];

/// click's `style(text, fg=...)` / `style(text, bold=True)`.
fn styled(code: &str, text: &str, out: &mut String) {
    out.push_str("\x1b[");
    out.push_str(code);
    out.push('m');
    out.push_str(text);
    out.push_str("\x1b[0m");
}

fn level_prefix(use_colors: bool) -> impl Fn(&LogRecord<'_>, &mut String) + Send + Sync + 'static {
    move |record, out| {
        let name = record.levelname().to_text();
        let colour = match record.level.value() {
            5 => Some("34"),
            10 => Some("36"),
            20 => Some("32"),
            30 => Some("33"),
            40 => Some("31"),
            50 => Some("91"),
            _ => None,
        };
        match colour.filter(|_| use_colors) {
            Some(code) => styled(code, &name, out),
            None => out.push_str(&name),
        }
        out.push(':');
        out.push_str(&" ".repeat(8usize.saturating_sub(name.chars().count())));
    }
}

/// The arguments common to both formatters, and `use_colors`.
fn base(args: &mut Args<'_>) -> Result<(FormatterBuilder, bool), ConfigError> {
    let style = style_argument(args)?;
    let format = fmt_argument(args)?;
    let datefmt = args.string("datefmt")?;
    let validate = args.bool("validate")?.unwrap_or(true);
    let use_colors = args
        .bool("use_colors")?
        .unwrap_or_else(|| std::io::stdout().is_terminal());
    let builder = Formatter::builder(format.as_deref().unwrap_or(style.default_format()))
        .style(style)
        .datefmt_opt(datefmt)
        .validate(validate)
        .computed_field("levelprefix", level_prefix(use_colors));
    Ok((builder, use_colors))
}

/// `uvicorn.logging.DefaultFormatter(fmt, datefmt, style, use_colors)`.
pub(crate) fn default_formatter(args: &mut Args<'_>) -> Result<Formatter, ConfigError> {
    let (builder, _) = base(args)?;
    builder
        .build()
        .map_err(|e| ConfigError::from(e).at(args.key_path("fmt")))
}

fn extra_text(record: &LogRecord<'_>, key: &str, out: &mut String) {
    if let Some(value) = record.extra(key) {
        crate::format::write_value_str(out, value);
    }
}

/// `uvicorn.logging.AccessFormatter(fmt, datefmt, style, use_colors)`.
pub(crate) fn access_formatter(args: &mut Args<'_>) -> Result<Formatter, ConfigError> {
    let (builder, use_colors) = base(args)?;
    builder
        .computed_field("client_addr", |record, out| {
            extra_text(record, "client_addr", out)
        })
        .computed_field("request_line", move |record, out| {
            let mut line = String::new();
            extra_text(record, "method", &mut line);
            line.push(' ');
            extra_text(record, "full_path", &mut line);
            line.push_str(" HTTP/");
            extra_text(record, "http_version", &mut line);
            if use_colors {
                styled("1", &line, out);
            } else {
                out.push_str(&line);
            }
        })
        .computed_field("status_code", move |record, out| {
            let code = match record.extra("status_code") {
                Some(Value::Int(n)) => n,
                Some(Value::UInt(n)) => i64::try_from(n).unwrap_or(i64::MAX),
                Some(Value::Str(s)) => s.trim().parse().unwrap_or(0),
                _ => 0,
            };
            let phrase = PHRASES
                .iter()
                .find(|(c, _)| i64::from(*c) == code)
                .map_or("", |(_, p)| *p);
            let text = format!("{code} {phrase}");
            let colour = match code / 100 {
                1 => Some("97"),
                2 => Some("32"),
                3 => Some("33"),
                4 => Some("31"),
                5 => Some("91"),
                _ => None,
            };
            match colour.filter(|_| use_colors) {
                Some(c) => styled(c, &text, out),
                None => out.push_str(&text),
            }
        })
        .build()
        .map_err(|e| ConfigError::from(e).at(args.key_path("fmt")))
}
