//! When time-triggered rotation happens: CPython's `computeRollover` and the DST corrections of
//! `TimedRotatingFileHandler.doRollover`, shared by [`TimedRotatingFileHandler`] and the time
//! trigger of [`RotatingFileHandler`].
//!
//! [`TimedRotatingFileHandler`]: super::TimedRotatingFileHandler
//! [`RotatingFileHandler`]: super::RotatingFileHandler

use super::timed::When;
use crate::format::datefmt::{CivilTime, Zone};

/// A rollover schedule: `when`, `interval`, `utc`, the zone and `at_time`, as CPython reads them.
#[derive(Clone, Debug)]
pub(crate) struct Schedule {
    pub(crate) when: When,
    /// The period in seconds (`unit * interval`).
    pub(crate) interval: i64,
    pub(crate) utc: bool,
    /// The zone for local times (the system's by default).
    pub(crate) zone: Zone,
    pub(crate) at_time: Option<(u32, u32, u32)>,
}

impl Schedule {
    /// A schedule, with `interval` and `at_time` checked.
    pub(crate) fn new(
        when: When,
        interval: u32,
        utc: bool,
        zone: Zone,
        at_time: Option<(u32, u32, u32)>,
    ) -> Result<Schedule, crate::Error> {
        if interval == 0 {
            return Err(crate::Error::InvalidArguments(
                "invalid interval 0: rotation by time happens every 1 or more units \
                 (0 would roll over without end)"
                    .to_owned(),
            ));
        }
        if let Some((h, m, s)) = at_time
            && (h > 23 || m > 59 || s > 59)
        {
            return Err(crate::Error::InvalidArguments(format!(
                "invalid at_time {h:02}:{m:02}:{s:02}: hour 0-23, minute and second 0-59"
            )));
        }
        Ok(Schedule {
            when,
            interval: when.unit_seconds() * i64::from(interval),
            utc,
            zone,
            at_time,
        })
    }

    /// The civil time of `t` in UTC or the zone.
    pub(crate) fn civil(&self, t: i64) -> CivilTime {
        if self.utc {
            CivilTime::at(t, &Zone::Utc)
        } else {
            CivilTime::at(t, &self.zone)
        }
    }

    /// Whether daylight saving time is in effect at `t` in the zone.
    pub(crate) fn is_dst(&self, t: i64) -> bool {
        CivilTime::at(t, &self.zone).dst
    }

    /// CPython's `computeRollover`.
    pub(crate) fn compute_rollover(&self, current: i64) -> i64 {
        if !self.when.aligned() {
            return current + self.interval;
        }
        let now = self.civil(current);
        let rotate_ts = match self.at_time {
            Some((h, m, s)) => i64::from((h * 60 + m) * 60 + s),
            None => 86_400,
        };
        let mut r = rotate_ts - i64::from((now.hour * 60 + now.minute) * 60 + now.second);
        let mut day = i64::from(now.weekday);
        if r < 0 {
            r += 86_400;
            day = (day + 1) % 7;
        }
        let mut result = current + r;
        if let When::Weekday(wanted) = self.when {
            let wanted = i64::from(wanted);
            if day != wanted {
                let days_to_wait = if day < wanted {
                    wanted - day
                } else {
                    6 - day + wanted + 1
                };
                let mut new_rollover_at = result + days_to_wait * 86_400;
                if !self.utc {
                    let dst_now = now.dst;
                    let dst_at_rollover = self.is_dst(new_rollover_at);
                    if dst_now != dst_at_rollover {
                        new_rollover_at += if dst_now { 3600 } else { -3600 };
                    }
                }
                result = new_rollover_at;
            }
        }
        result
    }

    /// The time the file rotated at `rollover_at` is named for (the start of its period), as
    /// CPython's `doRollover` computes it at `current`.
    pub(crate) fn stamp_time(&self, rollover_at: i64, current: i64) -> i64 {
        let dst_now = self.is_dst(current);
        let t = rollover_at - self.interval;
        if !self.utc && self.is_dst(t) != dst_now {
            t + if dst_now { 3600 } else { -3600 }
        } else {
            t
        }
    }

    /// The next rollover after one done at `current`, as CPython's `doRollover` computes it.
    pub(crate) fn next_rollover(&self, current: i64) -> i64 {
        let dst_now = self.is_dst(current);
        let mut new_rollover_at = self.compute_rollover(current);
        while new_rollover_at <= current {
            new_rollover_at += self.interval;
        }
        if self.when.aligned() && !self.utc {
            let dst_at_rollover = self.is_dst(new_rollover_at);
            if dst_now != dst_at_rollover {
                new_rollover_at += if dst_now { 3600 } else { -3600 };
            }
        }
        new_rollover_at
    }
}

/// The modification time of `path` in whole seconds (CPython's `int(os.stat(path).st_mtime)`),
/// or `None` when it cannot be read.
pub(crate) fn mtime_seconds(path: &std::path::Path) -> Option<i64> {
    let mtime = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
    Some(match mtime.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(before) => -(before.duration().as_secs_f64().ceil() as i64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_of_zero_is_refused_for_every_time_trigger() {
        for when in [When::Seconds, When::Midnight, When::Weekday(0)] {
            let error = Schedule::new(when, 0, true, Zone::Utc, None)
                .err()
                .map(|e| e.to_string());
            assert!(
                error
                    .as_deref()
                    .is_some_and(|e| e.contains("invalid interval 0")),
                "{when:?}: {error:?}"
            );
        }
        assert!(Schedule::new(When::Seconds, 1, true, Zone::Utc, None).is_ok());
    }
}
