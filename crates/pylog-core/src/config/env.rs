//! `PYLOG_LEVEL` (or its older name `PYLOGGING_LEVEL`): levels an operator sets without editing the
//! configuration file. When both are set, `PYLOG_LEVEL` wins.
//!
//! The variable holds comma-separated items: a bare level sets the root's, `name=LEVEL` sets a
//! logger's. `PYLOG_LEVEL=app.db=DEBUG,warning` puts `app.db` at DEBUG and the root at
//! WARNING. Level names are matched in any case here (an operator's shell is not Python), and
//! numbers are accepted. The overrides are applied after every configuration, as part of it.

use super::ConfigError;
use crate::format::repr::py_repr;
use crate::level::{Level, level_for_name_ignoring_case};

/// The variable's name.
pub const LEVEL_VARIABLE: &str = "PYLOG_LEVEL";

/// The variable's older name, still read when [`LEVEL_VARIABLE`] is unset.
pub const LEGACY_LEVEL_VARIABLE: &str = "PYLOGGING_LEVEL";

/// Parses a `PYLOG_LEVEL` value into `(logger name, level)` pairs; the root is `""`.
///
/// ```
/// use pylog_core::Level;
/// use pylog_core::config::parse_level_overrides;
/// let overrides = parse_level_overrides("app.db=DEBUG, warning").unwrap();
/// assert_eq!(overrides, vec![("app.db".to_owned(), Level::DEBUG), (String::new(), Level::WARNING)]);
/// assert_eq!(
///     parse_level_overrides("app=LOUD").unwrap_err().to_string(),
///     "PYLOG_LEVEL: unknown level 'LOUD' for logger 'app' (expected a level name such as DEBUG, or a number)"
/// );
/// ```
pub fn parse_level_overrides(text: &str) -> Result<Vec<(String, Level)>, ConfigError> {
    parse_overrides_of(LEVEL_VARIABLE, text)
}

/// Parses `text`, read from the variable `variable`, which the errors name.
fn parse_overrides_of(variable: &str, text: &str) -> Result<Vec<(String, Level)>, ConfigError> {
    let mut overrides = Vec::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (name, level_text) = match item.rsplit_once('=') {
            Some((name, level)) => (name.trim(), level.trim()),
            None => ("", item),
        };
        let name = if name == "root" { "" } else { name };
        let level = parse_level(level_text).ok_or_else(|| {
            let whose = if name.is_empty() {
                "the root logger".to_owned()
            } else {
                format!("logger {}", py_repr(name))
            };
            ConfigError::new(format!(
                "{variable}: unknown level {} for {whose} (expected a level name such as DEBUG, or a number)",
                py_repr(level_text)
            ))
        })?;
        overrides.push((name.to_owned(), level));
    }
    Ok(overrides)
}

fn parse_level(text: &str) -> Option<Level> {
    if let Ok(n) = text.parse::<i32>() {
        return Some(Level::new(n));
    }
    level_for_name_ignoring_case(text)
}

/// The overrides the environment asks for (none when neither variable is set or the one read is
/// empty). `PYLOG_LEVEL` wins over `PYLOGGING_LEVEL` when both are set.
pub(crate) fn overrides_from_env() -> Result<Vec<(String, Level)>, ConfigError> {
    for variable in [LEVEL_VARIABLE, LEGACY_LEVEL_VARIABLE] {
        match std::env::var(variable) {
            Ok(text) => return parse_overrides_of(variable, &text),
            Err(std::env::VarError::NotPresent) => continue,
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(ConfigError::new(format!("{variable} is not valid UTF-8")));
            }
        }
    }
    Ok(Vec::new())
}

/// Applies `PYLOG_LEVEL` (or `PYLOGGING_LEVEL`) to the global tree by itself, for programs configured in code.
/// Configurations applied through a [`Configurator`](super::Configurator) apply it already.
pub fn level_overrides_from_env() -> Result<(), ConfigError> {
    apply_level_overrides(crate::manager::global())
}

/// Applies `PYLOG_LEVEL` (or `PYLOGGING_LEVEL`) to `manager`'s tree.
pub fn apply_level_overrides(manager: &crate::Manager) -> Result<(), ConfigError> {
    let overrides = overrides_from_env()?;
    if overrides.is_empty() {
        return Ok(());
    }
    let _configuring = manager.config_lock();
    super::plan::apply(
        manager,
        super::plan::Plan {
            incremental: true,
            level_overrides: overrides,
            ..Default::default()
        },
    );
    Ok(())
}
