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

impl Schedule {
    /// The period of the dated mode that holds `now`: its start (which names the file) and its
    /// end (the next time rollover). `MIDNIGHT` and `W0`–`W6` periods are CPython's: from one
    /// midnight (or `at_time`) to the next, or a week on that weekday; `interval` is ignored, as
    /// CPython ignores it for them. `S`, `M`, `H` and `D` periods are aligned to the clock:
    /// `interval` units counted from the Unix epoch in local time (in UTC with `utc`), so an `H`
    /// file covers 14:00 to 15:00 and its name is the same in every process and after a restart.
    /// Boundaries are local times, so a day is 23 or 25 hours long when DST changes.
    pub(crate) fn dated_period(&self, now: i64) -> (i64, i64) {
        let at = self
            .at_time
            .map_or(0, |(h, m, s)| i64::from((h * 60 + m) * 60 + s));
        let (len, anchor) = match self.when {
            When::Midnight => (86_400, at),
            // 1970-01-01 was a Thursday (weekday 3).
            When::Weekday(day) => (7 * 86_400, (i64::from(day) + 4) % 7 * 86_400 + at),
            _ => (self.interval, 0),
        };
        let local = now.saturating_add(i64::from(self.civil(now).offset));
        let start_local = anchor + (local - anchor).div_euclid(len) * len;
        let start = self.unix_of_local(start_local);
        let end = self.unix_of_local(start_local + len);
        (start.min(now), end.max(now + 1))
    }

    /// The Unix time of a local time given as seconds since the epoch in local time.
    fn unix_of_local(&self, local: i64) -> i64 {
        let guess = local - i64::from(self.civil(local).offset);
        local - i64::from(self.civil(guess).offset)
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

    /// 2026-12-03 22:00:00 UTC, a Thursday.
    const DEC_3_22H: i64 = 1_796_335_200;

    #[test]
    fn dated_periods_are_aligned_to_the_clock() {
        let utc = |when, interval, at| Schedule::new(when, interval, true, Zone::Utc, at).unwrap();
        let midnight = DEC_3_22H - 22 * 3600;
        let cases = [
            (utc(When::Midnight, 1, None), (midnight, midnight + 86_400)),
            // `interval` is ignored at midnight, as CPython ignores it.
            (utc(When::Midnight, 3, None), (midnight, midnight + 86_400)),
            (
                utc(When::Midnight, 1, Some((23, 30, 0))),
                (midnight - 1800, midnight + 86_400 - 1800),
            ),
            (utc(When::Hours, 1, None), (DEC_3_22H, DEC_3_22H + 3600)),
            (
                utc(When::Hours, 5, None),
                (DEC_3_22H - 2 * 3600, DEC_3_22H + 3 * 3600),
            ),
            (utc(When::Days, 1, None), (midnight, midnight + 86_400)),
            // Monday 2026-11-30 to Monday 2026-12-07.
            (
                utc(When::Weekday(0), 1, None),
                (midnight - 3 * 86_400, midnight + 4 * 86_400),
            ),
            // Thursday: the period started this midnight.
            (
                utc(When::Weekday(3), 1, None),
                (midnight, midnight + 7 * 86_400),
            ),
        ];
        for (schedule, expected) in cases {
            assert_eq!(
                schedule.dated_period(DEC_3_22H + 5),
                expected,
                "{schedule:?}"
            );
            assert_eq!(schedule.dated_period(expected.0), expected, "{schedule:?}");
            assert_eq!(
                schedule.dated_period(expected.1 - 1),
                expected,
                "{schedule:?}"
            );
        }
    }

    #[test]
    fn dated_days_follow_local_midnights_across_dst() {
        let paris = crate::format::datefmt::TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        let schedule = Schedule::new(When::Midnight, 1, false, Zone::Fixed(paris), None).unwrap();
        // 2026-03-29 is 23 hours long in Paris: from 2026-03-28T23:00Z to 2026-03-29T22:00Z.
        let start = 1_774_738_800;
        assert_eq!(
            schedule.dated_period(start + 12 * 3600),
            (start, start + 23 * 3600)
        );
        // 2026-10-25 is 25 hours long: from 2026-10-24T22:00Z to 2026-10-25T23:00Z.
        let start = 1_792_879_200;
        assert_eq!(
            schedule.dated_period(start + 12 * 3600),
            (start, start + 25 * 3600)
        );
    }
}
