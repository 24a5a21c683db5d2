//! Colours by level on a console: the `levelname` field, or the whole line, coloured when stderr is
//! a terminal and `NO_COLOR` is not set; `ColourChoice::Always` / `Never` force the choice.
//!
//! Run with `cargo run --example colour` in a terminal to see the colours; with
//! `cargo run --example colour 2>&1 | cat` (not a terminal) or `NO_COLOR=1` the first handler
//! writes plain text. It prints to stderr (colour codes shown as text here):
//! ```text
//! stderr coloured: true
//! \x1b[36mDEBUG   \x1b[0m app: connecting
//! \x1b[32mINFO    \x1b[0m app: connected
//! \x1b[33mWARNING \x1b[0m app: slow reply
//! \x1b[31mERROR   \x1b[0m app: lost the connection
//! \x1b[1;31mCRITICAL app: giving up\x1b[0m
//! ```

use pylog::{ColourChoice, ColourFormatter, ColourScope, Formatter, Level, Manager, StreamHandler};

fn main() -> Result<(), pylog::Error> {
    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.set_level(Level::DEBUG);

    // Auto: colours only if stderr is a terminal and NO_COLOR is unset or empty.
    let levelname =
        ColourFormatter::builder(Formatter::new("%(levelname)-8s %(name)s: %(message)s")?)
            .build_for(&std::io::stderr());
    eprintln!("stderr coloured: {}", levelname.is_coloured());
    let below_critical = StreamHandler::stderr().with_formatter(levelname);
    below_critical.add_filter(|r: &pylog::LogRecord<'_>| r.level < Level::CRITICAL);
    logger.add_handler(below_critical);

    // Forced on, the whole line, for CRITICAL only.
    let line = ColourFormatter::builder(Formatter::new("%(levelname)s %(name)s: %(message)s")?)
        .choice(ColourChoice::Always)
        .scope(ColourScope::Line)
        .build_for(&std::io::stderr());
    logger.add_handler(
        StreamHandler::stderr()
            .with_level(Level::CRITICAL)
            .with_formatter(line),
    );

    logger.debug("connecting");
    logger.info("connected");
    logger.warning("slow reply");
    logger.error("lost the connection");
    logger.critical("giving up");
    Ok(())
}
