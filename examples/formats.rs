//! The three format styles side by side: one record, the same fields, written by `%`, `{` and `$`
//! formatters, as Python's `Formatter(fmt, style=...)` writes them.
//!
//! ```python
//! for fmt, style in [("%(levelname)-8s %(name)s: %(message)s (user %(user)s)", "%"),
//!                    ("{levelname:<8} {name}: {message} (user {user})", "{"),
//!                    ("$levelname $name: $message (user $user)", "$")]:
//!     handler.setFormatter(logging.Formatter(fmt, style=style))
//!     logger.warning("disk almost full", extra={"user": 7})
//! ```
//!
//! Run with `cargo run --example formats`. It prints to stdout:
//! ```text
//! %  WARNING  app.disk: disk almost full (user 7)
//! {  WARNING  app.disk: disk almost full (user 7)
//! $  WARNING app.disk: disk almost full (user 7)
//! ```

use pylog::{Formatter, Level, Manager, StreamHandler, Style};

fn main() -> Result<(), pylog::Error> {
    let tree = Manager::new();
    let logger = tree.get_logger("app.disk");
    let styles = [
        (
            Style::Percent,
            "%(levelname)-8s %(name)s: %(message)s (user %(user)s)",
        ),
        (
            Style::Brace,
            "{levelname:<8} {name}: {message} (user {user})",
        ),
        (Style::Dollar, "$levelname $name: $message (user $user)"),
    ];
    for (style, format) in styles {
        let formatter = Formatter::builder(format).style(style).build()?;
        let handler = StreamHandler::stdout().with_formatter(formatter);
        logger.add_handler(handler.clone());
        print!("{}  ", style.as_char());
        logger
            .event(Level::WARNING)
            .extra("user", 7)
            .log("disk almost full");
        logger.remove_handler(&handler);
    }
    Ok(())
}
