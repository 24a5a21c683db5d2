//! Syslog facilities and priorities, their names, and how a record's level becomes a `<PRI>`
//! value. Python: the `LOG_*` constants, `priority_names`, `facility_names`, `priority_map`,
//! `encodePriority` and `mapPriority` of `logging.handlers.SysLogHandler`.
//!
//! ```
//! use pylog_core::syslog::{Facility, Priority, encode_priority, map_priority};
//! assert_eq!(encode_priority(Facility::USER, Priority::INFO), 14);
//! assert_eq!(encode_priority("local3".parse()?, map_priority("ERROR").parse()?), 155);
//! assert_eq!(map_priority("Level 25"), "warning");
//! # Ok::<(), pylog_core::syslog::UnknownName>(())
//! ```

use std::fmt;
use std::str::FromStr;

use crate::format::repr::py_repr;

/// A syslog facility: the part of the system a message comes from. Python: `SysLogHandler.LOG_USER`
/// and the other facility codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Facility(u32);

impl Facility {
    /// `LOG_KERN` (0): kernel messages.
    pub const KERN: Facility = Facility(0);
    /// `LOG_USER` (1): user-level messages; the default.
    pub const USER: Facility = Facility(1);
    /// `LOG_MAIL` (2): the mail system.
    pub const MAIL: Facility = Facility(2);
    /// `LOG_DAEMON` (3): system daemons.
    pub const DAEMON: Facility = Facility(3);
    /// `LOG_AUTH` (4): security and authorization.
    pub const AUTH: Facility = Facility(4);
    /// `LOG_SYSLOG` (5): the syslog daemon itself.
    pub const SYSLOG: Facility = Facility(5);
    /// `LOG_LPR` (6): the line printer subsystem.
    pub const LPR: Facility = Facility(6);
    /// `LOG_NEWS` (7): network news.
    pub const NEWS: Facility = Facility(7);
    /// `LOG_UUCP` (8): UUCP.
    pub const UUCP: Facility = Facility(8);
    /// `LOG_CRON` (9): the clock daemon.
    pub const CRON: Facility = Facility(9);
    /// `LOG_AUTHPRIV` (10): private security and authorization.
    pub const AUTHPRIV: Facility = Facility(10);
    /// `LOG_FTP` (11): the FTP daemon.
    pub const FTP: Facility = Facility(11);
    /// `LOG_NTP` (12): NTP.
    pub const NTP: Facility = Facility(12);
    /// `LOG_SECURITY` (13): log audit.
    pub const SECURITY: Facility = Facility(13);
    /// `LOG_CONSOLE` (14): log alert.
    pub const CONSOLE: Facility = Facility(14);
    /// `LOG_SOLCRON` (15): the scheduling daemon (Solaris).
    pub const SOLCRON: Facility = Facility(15);
    /// `LOG_LOCAL0` (16).
    pub const LOCAL0: Facility = Facility(16);
    /// `LOG_LOCAL1` (17).
    pub const LOCAL1: Facility = Facility(17);
    /// `LOG_LOCAL2` (18).
    pub const LOCAL2: Facility = Facility(18);
    /// `LOG_LOCAL3` (19).
    pub const LOCAL3: Facility = Facility(19);
    /// `LOG_LOCAL4` (20).
    pub const LOCAL4: Facility = Facility(20);
    /// `LOG_LOCAL5` (21).
    pub const LOCAL5: Facility = Facility(21);
    /// `LOG_LOCAL6` (22).
    pub const LOCAL6: Facility = Facility(22);
    /// `LOG_LOCAL7` (23).
    pub const LOCAL7: Facility = Facility(23);

    /// Any facility code; Python accepts any integer too.
    pub const fn new(code: u32) -> Facility {
        Facility(code)
    }

    /// The code.
    pub const fn code(self) -> u32 {
        self.0
    }
}

impl Default for Facility {
    fn default() -> Self {
        Facility::USER
    }
}

/// A syslog priority (severity). Python: `SysLogHandler.LOG_INFO` and the other priorities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Priority(u32);

impl Priority {
    /// `LOG_EMERG` (0): the system is unusable.
    pub const EMERG: Priority = Priority(0);
    /// `LOG_ALERT` (1): action must be taken at once.
    pub const ALERT: Priority = Priority(1);
    /// `LOG_CRIT` (2): critical conditions.
    pub const CRIT: Priority = Priority(2);
    /// `LOG_ERR` (3): error conditions.
    pub const ERR: Priority = Priority(3);
    /// `LOG_WARNING` (4): warning conditions.
    pub const WARNING: Priority = Priority(4);
    /// `LOG_NOTICE` (5): normal but significant.
    pub const NOTICE: Priority = Priority(5);
    /// `LOG_INFO` (6): informational.
    pub const INFO: Priority = Priority(6);
    /// `LOG_DEBUG` (7): debug-level messages.
    pub const DEBUG: Priority = Priority(7);

    /// Any priority code; Python accepts any integer too.
    pub const fn new(code: u32) -> Priority {
        Priority(code)
    }

    /// The code.
    pub const fn code(self) -> u32 {
        self.0
    }
}

/// Python's `SysLogHandler.priority_names`, in its order.
pub const PRIORITY_NAMES: [(&str, Priority); 12] = [
    ("alert", Priority::ALERT),
    ("crit", Priority::CRIT),
    ("critical", Priority::CRIT),
    ("debug", Priority::DEBUG),
    ("emerg", Priority::EMERG),
    ("err", Priority::ERR),
    ("error", Priority::ERR),
    ("info", Priority::INFO),
    ("notice", Priority::NOTICE),
    ("panic", Priority::EMERG),
    ("warn", Priority::WARNING),
    ("warning", Priority::WARNING),
];

/// Python's `SysLogHandler.facility_names`, in its order.
pub const FACILITY_NAMES: [(&str, Facility); 24] = [
    ("auth", Facility::AUTH),
    ("authpriv", Facility::AUTHPRIV),
    ("console", Facility::CONSOLE),
    ("cron", Facility::CRON),
    ("daemon", Facility::DAEMON),
    ("ftp", Facility::FTP),
    ("kern", Facility::KERN),
    ("lpr", Facility::LPR),
    ("mail", Facility::MAIL),
    ("news", Facility::NEWS),
    ("ntp", Facility::NTP),
    ("security", Facility::SECURITY),
    ("solaris-cron", Facility::SOLCRON),
    ("syslog", Facility::SYSLOG),
    ("user", Facility::USER),
    ("uucp", Facility::UUCP),
    ("local0", Facility::LOCAL0),
    ("local1", Facility::LOCAL1),
    ("local2", Facility::LOCAL2),
    ("local3", Facility::LOCAL3),
    ("local4", Facility::LOCAL4),
    ("local5", Facility::LOCAL5),
    ("local6", Facility::LOCAL6),
    ("local7", Facility::LOCAL7),
];

/// Python's `SysLogHandler.priority_map`: level name to priority name.
pub const PRIORITY_MAP: [(&str, &str); 5] = [
    ("DEBUG", "debug"),
    ("INFO", "info"),
    ("WARNING", "warning"),
    ("ERROR", "error"),
    ("CRITICAL", "critical"),
];

/// A facility or priority name that Python's maps do not hold (Python raises `KeyError`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownName {
    what: &'static str,
    name: String,
}

impl UnknownName {
    /// The name that was not found.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for UnknownName {
    /// `KeyError: 'bogus' (not a syslog facility name)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "KeyError: {} (not a syslog {} name)",
            py_repr(&self.name),
            self.what
        )
    }
}

impl std::error::Error for UnknownName {}

/// `?` on `"local3".parse::<Facility>()` in a function returning [`crate::Error`].
impl From<UnknownName> for crate::Error {
    fn from(error: UnknownName) -> crate::Error {
        crate::Error::InvalidArguments(error.to_string())
    }
}

/// A name of [`FACILITY_NAMES`] (case-sensitive, as Python's dict).
impl FromStr for Facility {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Facility, UnknownName> {
        FACILITY_NAMES
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, facility)| *facility)
            .ok_or_else(|| UnknownName {
                what: "facility",
                name: s.to_owned(),
            })
    }
}

/// A name of [`PRIORITY_NAMES`] (case-sensitive, as Python's dict).
impl FromStr for Priority {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Priority, UnknownName> {
        PRIORITY_NAMES
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, priority)| *priority)
            .ok_or_else(|| UnknownName {
                what: "priority",
                name: s.to_owned(),
            })
    }
}

/// Python's `encodePriority(facility, priority)`: `(facility << 3) | priority`.
pub const fn encode_priority(facility: Facility, priority: Priority) -> u32 {
    (facility.0 << 3) | priority.0
}

/// Python's `mapPriority(levelName)`: the priority name for a level name; any name outside
/// [`PRIORITY_MAP`] (a custom level, `Level 25`) is `"warning"`.
pub fn map_priority(level_name: &str) -> &'static str {
    PRIORITY_MAP
        .iter()
        .find(|(level, _)| *level == level_name)
        .map_or("warning", |(_, priority)| priority)
}

/// The priority a record of this level name is sent with: [`map_priority`], then
/// [`PRIORITY_NAMES`].
pub fn priority_for_level_name(level_name: &str) -> Priority {
    map_priority(level_name)
        .parse()
        .unwrap_or(Priority::WARNING)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_to_its_code() {
        for (name, facility) in FACILITY_NAMES {
            assert_eq!(name.parse::<Facility>(), Ok(facility));
        }
        for (name, priority) in PRIORITY_NAMES {
            assert_eq!(name.parse::<Priority>(), Ok(priority));
        }
        assert_eq!("solaris-cron".parse::<Facility>(), Ok(Facility::new(15)));
    }

    #[test]
    fn unknown_names_are_key_errors() {
        let e = "USER".parse::<Facility>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "KeyError: 'USER' (not a syslog facility name)"
        );
        assert_eq!(e.name(), "USER");
    }

    #[test]
    fn levels_map_as_python() {
        assert_eq!(priority_for_level_name("DEBUG"), Priority::DEBUG);
        assert_eq!(priority_for_level_name("CRITICAL"), Priority::CRIT);
        assert_eq!(priority_for_level_name("TRACE"), Priority::WARNING);
        assert_eq!(encode_priority(Facility::LOCAL3, Priority::ERR), 155);
        assert_eq!(encode_priority(Facility::LOCAL7, Priority::DEBUG), 191);
    }

    #[test]
    fn an_unknown_name_converts_into_the_crate_error() {
        fn facility(name: &str) -> Result<Facility, crate::Error> {
            Ok(name.parse::<Facility>()?)
        }
        assert_eq!(facility("local3").unwrap(), Facility::LOCAL3);
        assert_eq!(
            facility("bogus").unwrap_err().to_string(),
            "KeyError: 'bogus' (not a syslog facility name)"
        );
    }
}
