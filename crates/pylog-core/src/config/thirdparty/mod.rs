//! Formatter classes of third-party packages that real configuration files name, built in with
//! their own keyword arguments and output (each checked against the real package's):
//!
//! | dotted name | what |
//! |---|---|
//! | `pythonjsonlogger.json.JsonFormatter`, `pythonjsonlogger.jsonlogger.JsonFormatter` | one JSON object per record ([`jsonlogger`]) |
//! | `colorlog.ColoredFormatter` | ANSI colours by level ([`colorlog`]) |
//! | `uvicorn.logging.DefaultFormatter`, `uvicorn.logging.AccessFormatter` | `%(levelprefix)s` and the access line ([`uvicorn`]) |
//!
//! An application's own factory registered under the same name wins.

pub(crate) mod colorlog;
pub(crate) mod jsonlogger;
pub(crate) mod uvicorn;

use super::ConfigError;
use super::args::Args;
use crate::format::Formatter;

/// Builds a formatter from keyword arguments.
pub(crate) type BuildFormatter = fn(&mut Args<'_>) -> Result<Formatter, ConfigError>;

/// The third-party formatter class named `name`.
pub(crate) fn formatter_class(name: &str) -> Option<BuildFormatter> {
    Some(match name {
        "pythonjsonlogger.json.JsonFormatter" | "pythonjsonlogger.jsonlogger.JsonFormatter" => {
            jsonlogger::build
        }
        "colorlog.ColoredFormatter" | "colorlog.formatter.ColoredFormatter" => colorlog::build,
        "uvicorn.logging.DefaultFormatter" => uvicorn::default_formatter,
        "uvicorn.logging.AccessFormatter" => uvicorn::access_formatter,
        _ => return None,
    })
}
