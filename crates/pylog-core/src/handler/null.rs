//! `NullHandler`: accepts records and does nothing. Python: `logging.NullHandler`.

use super::{Emit, EmitContext, Handler, HandlerError};
use crate::record::LogRecord;

/// Does nothing, but counts as a handler, so a library's logger with one never falls back to the
/// last-resort handler. Python: `logging.NullHandler`.
///
/// ```
/// use pylog_core::{get_logger, NullHandler};
/// get_logger("mylib").add_handler(NullHandler::new());
/// ```
pub struct NullHandler;

impl NullHandler {
    /// A new null handler.
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> Handler {
        Handler::new(NullHandler)
    }
}

impl Emit for NullHandler {
    fn emit(&self, _: &LogRecord<'_>, _: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        Ok(())
    }

    fn reads_extras(&self) -> bool {
        false
    }

    fn kind(&self) -> &'static str {
        "NullHandler"
    }

    fn describe(&self) -> String {
        String::new()
    }
}
