//! The wall clock every record reads, from the CPU's time-stamp counter where the kernel itself
//! keeps time with it.
//!
//! `clock_gettime(CLOCK_REALTIME)` is a vDSO call, not a system call, but it reads the counter
//! behind an ordering fence and converts it: 23-25 ns a read on a 2-core VM, where a plain
//! `rdtsc` costs about 10 ns and does not hold up the instructions around it. Records read the
//! clock instead every 1 ms; taking the counter in between saved a buffered record 10-17 ns of
//! its 150-170.
//!
//! Between two readings of the system clock a record's time is the last reading plus the
//! counter's ticks since, at the rate measured between the last two readings. A reading pairs the
//! system clock with the counter read on both sides of it, the quickest of three tries, since a
//! read interrupted half-way would pair them microseconds apart. At each reading the line
//! followed until then is checked against the system clock:
//!
//! - within 50 µs of it (the usual case: tens of nanoseconds), and no more than a window after its
//!   end, the next line starts where the last one ended and meets the system clock a millisecond
//!   later, so that a thread's successive records never go back in time at the join;
//! - further off, the system clock was stepped (`settimeofday`, a resumed VM), and after a longer
//!   pause without records the old line says nothing: the next line starts at the system clock,
//!   as `CLOCK_REALTIME` itself jumps;
//! - a measured rate more than 1% away from the last one means the counter cannot be trusted (the
//!   machine slept, or the counter jumped): the system clock is read directly until a new rate is
//!   measured, a millisecond later.
//!
//! A record's time therefore stays within about 50 ns of what `clock_gettime` would have said
//! (15 ns measured), far below the millisecond that `asctime` shows. The counter is used only on
//! x86-64 with the kernel's clock source set to `tsc`, so that the kernel has found it invariant
//! and synchronised across CPUs; elsewhere every record reads the system clock.
//!
//! One thread at a time checks the line; the others read the system clock meanwhile. A process
//! forked while one of its threads was checking inherits a check that no thread of its own will
//! finish: the check's lock holds the process id of its holder, so that the child takes it over
//! (and finishes replacing a line it finds half-written) instead of reading the system clock for
//! every record from then on.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, AtomicU32, AtomicU64, Ordering, fence};

/// How long a line is followed before it is checked against the system clock.
const WINDOW_NS: f64 = 1_000_000.0;

/// A difference from the system clock larger than this at a check is a step of the clock (the
/// line is off by tens of nanoseconds, at worst a few microseconds).
const STEP_NS: f64 = 50_000.0;

/// A rate further than this (relative) from the last one means the counter cannot be trusted.
const RATE_TOLERANCE: f64 = 0.01;

/// Reads of the system clock tried for one pairing with the counter.
const PAIRING_TRIES: usize = 3;

/// A pairing whose counter reads are further apart is not used: it could be off by half as many
/// ticks (a read takes 50-80 ticks, 20-30 ns, on a 2.6 GHz counter; 2048 ticks is 0.8 µs there).
const MAX_PAIRING_TICKS: u64 = 2048;

/// Two readings further apart than this measure no rate: the clock may have been slewed or
/// stepped in between.
const STALE_NS: f64 = 1_000_000_000.0;

/// Where records read their time: an anchor on the counter and a rate.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Line {
    /// The counter at the anchor.
    tsc: u64,
    /// Nanoseconds since the epoch at the anchor.
    ns: i64,
    /// Nanoseconds per tick.
    ns_per_tick: f64,
    /// Ticks after the anchor for which the line holds.
    ticks: u64,
}

impl Line {
    /// The time at counter value `tsc`, if the line holds there.
    #[inline]
    fn at(&self, tsc: u64) -> Option<i64> {
        self.within(tsc, 1)
    }

    /// The time at `tsc` on this line, up to one window past its end: no further, since a joined
    /// line's rate is bent to meet the system clock and drifts from it past the window.
    fn extended(&self, tsc: u64) -> Option<i64> {
        self.within(tsc, 2)
    }

    /// The time at `tsc`, if it is less than `windows` windows after the anchor. (In integer
    /// nanoseconds: an `f64` of nanoseconds since the epoch is exact only to 256 ns.)
    #[inline]
    fn within(&self, tsc: u64, windows: u64) -> Option<i64> {
        let ticks = tsc.wrapping_sub(self.tsc);
        // Within two windows of a line made by a reading of the system clock: far from overflow.
        (ticks < self.ticks.saturating_mul(windows)).then(|| {
            self.ns
                .wrapping_add((ticks as f64 * self.ns_per_tick) as i64)
        })
    }
}

/// The last reading of the system clock and the rate measured up to it.
#[derive(Clone, Copy, Debug, Default)]
struct Calibration {
    /// The counter and the system clock at the last reading; `None` before the first.
    reading: Option<(u64, i64)>,
    /// Nanoseconds per tick, measured between the last two readings.
    ns_per_tick: Option<f64>,
}

impl Calibration {
    /// Takes a reading, `ns` at counter value `tsc`, and returns the line to follow from it, given
    /// the line followed until now: `None` while no rate is known.
    fn next(&mut self, followed: Option<Line>, tsc: u64, ns: i64) -> Option<Line> {
        let Some((last_tsc, last_ns)) = self.reading else {
            self.reading = Some((tsc, ns));
            return None;
        };
        let ticks = tsc.wrapping_sub(last_tsc) as i64;
        let elapsed = (ns - last_ns) as f64;
        if elapsed < WINDOW_NS / 2.0 && ticks > 0 && self.ns_per_tick.is_none() {
            // Too soon to measure the first rate: keep the earlier reading.
            return None;
        }
        self.reading = Some((tsc, ns));
        if ticks <= 0 || elapsed <= 0.0 || elapsed > STALE_NS {
            self.ns_per_tick = None;
            return None;
        }
        let measured = elapsed / ticks as f64;
        if let Some(last) = self.ns_per_tick
            && (measured / last - 1.0).abs() > RATE_TOLERANCE
        {
            self.ns_per_tick = None;
            return None;
        }
        self.ns_per_tick = Some(measured);
        let window_ticks = WINDOW_NS / measured;
        let end = followed.and_then(|line| line.extended(tsc));
        let line = match end {
            Some(start) if (ns.saturating_sub(start) as f64).abs() <= STEP_NS => {
                // Join the line followed until now, and meet the system clock at the window's end.
                Line {
                    tsc,
                    ns: start,
                    ns_per_tick: ((ns - start) as f64 + WINDOW_NS) / window_ticks,
                    ticks: window_ticks as u64,
                }
            }
            _ => Line {
                tsc,
                ns,
                ns_per_tick: measured,
                ticks: window_ticks as u64,
            },
        };
        Some(line)
    }
}

/// The line records follow, behind a sequence lock: a reader reads it with plain loads and tries
/// again elsewhere (the system clock) if a check replaced it meanwhile. On one cache line.
#[repr(align(64))]
struct SharedLine {
    /// Odd while a check writes the line.
    sequence: AtomicU64,
    tsc: AtomicU64,
    ns: AtomicI64,
    ns_per_tick: AtomicU64,
    /// 0 when there is no line.
    ticks: AtomicU64,
}

impl SharedLine {
    const fn new() -> SharedLine {
        SharedLine {
            sequence: AtomicU64::new(0),
            tsc: AtomicU64::new(0),
            ns: AtomicI64::new(0),
            ns_per_tick: AtomicU64::new(0),
            ticks: AtomicU64::new(0),
        }
    }

    #[inline]
    fn load(&self) -> Option<Line> {
        let before = self.sequence.load(Ordering::Acquire);
        let line = self.fields();
        fence(Ordering::Acquire);
        let after = self.sequence.load(Ordering::Relaxed);
        (before == after && before.is_multiple_of(2) && line.ticks > 0).then_some(line)
    }

    /// The line, past its end too, for the thread checking it, the only writer.
    fn load_any(&self) -> Option<Line> {
        Some(self.fields()).filter(|line| line.ticks > 0)
    }

    #[inline]
    fn fields(&self) -> Line {
        Line {
            tsc: self.tsc.load(Ordering::Relaxed),
            ns: self.ns.load(Ordering::Relaxed),
            ns_per_tick: f64::from_bits(self.ns_per_tick.load(Ordering::Relaxed)),
            ticks: self.ticks.load(Ordering::Relaxed),
        }
    }

    /// Replaces the line; only the thread checking it calls it.
    fn store(&self, line: Option<Line>) {
        // Odd while the line is written. It is odd already where a process was forked while
        // one of its threads wrote the line: this write finishes that one.
        let sequence = self.sequence.load(Ordering::Relaxed) | 1;
        self.sequence.store(sequence, Ordering::Relaxed);
        fence(Ordering::Release);
        let line = line.unwrap_or(Line {
            tsc: 0,
            ns: 0,
            ns_per_tick: 0.0,
            ticks: 0,
        });
        self.tsc.store(line.tsc, Ordering::Relaxed);
        self.ns.store(line.ns, Ordering::Relaxed);
        self.ns_per_tick
            .store(line.ns_per_tick.to_bits(), Ordering::Relaxed);
        self.ticks.store(line.ticks, Ordering::Relaxed);
        self.sequence.store(sequence + 1, Ordering::Release);
    }
}

/// The [`Calibration`], and who is checking the line: one thread at a time, which takes it with
/// [`try_take`](Checker::try_take).
struct Checker {
    /// The process id of the thread checking the line; 0 when none is.
    holder: AtomicU32,
    has_reading: AtomicBool,
    reading_tsc: AtomicU64,
    reading_ns: AtomicI64,
    /// The rate's bits; NaN while there is none.
    ns_per_tick: AtomicU64,
}

impl Checker {
    const fn new() -> Checker {
        Checker {
            holder: AtomicU32::new(0),
            has_reading: AtomicBool::new(false),
            reading_tsc: AtomicU64::new(0),
            reading_ns: AtomicI64::new(0),
            ns_per_tick: AtomicU64::new(f64::NAN.to_bits()),
        }
    }

    /// The check, unless another thread of this process is at it. A holder with another process
    /// id was a thread of the process this one was forked from: it does not exist here, and the
    /// check is taken over.
    fn try_take(&self) -> Option<Check<'_>> {
        let me = std::process::id();
        let taken = match self
            .holder
            .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
        {
            Ok(_) => true,
            Err(holder) if holder != me => self
                .holder
                .compare_exchange(holder, me, Ordering::Acquire, Ordering::Relaxed)
                .is_ok(),
            Err(_) => false,
        };
        taken.then(|| Check {
            checker: self,
            calibration: self.calibration(),
        })
    }

    fn calibration(&self) -> Calibration {
        let rate = f64::from_bits(self.ns_per_tick.load(Ordering::Relaxed));
        Calibration {
            reading: self.has_reading.load(Ordering::Relaxed).then(|| {
                (
                    self.reading_tsc.load(Ordering::Relaxed),
                    self.reading_ns.load(Ordering::Relaxed),
                )
            }),
            ns_per_tick: (!rate.is_nan()).then_some(rate),
        }
    }
}

/// The check of the line, held by this thread until dropped; the calibration is saved then.
struct Check<'a> {
    checker: &'a Checker,
    calibration: Calibration,
}

impl Drop for Check<'_> {
    fn drop(&mut self) {
        let checker = self.checker;
        let Calibration {
            reading,
            ns_per_tick,
        } = self.calibration;
        checker
            .has_reading
            .store(reading.is_some(), Ordering::Relaxed);
        if let Some((tsc, ns)) = reading {
            checker.reading_tsc.store(tsc, Ordering::Relaxed);
            checker.reading_ns.store(ns, Ordering::Relaxed);
        }
        checker
            .ns_per_tick
            .store(ns_per_tick.unwrap_or(f64::NAN).to_bits(), Ordering::Relaxed);
        checker.holder.store(0, Ordering::Release);
    }
}

static LINE: SharedLine = SharedLine::new();
static CHECKER: Checker = Checker::new();

/// Whether the counter is used: 0 not decided yet, 1 yes, 2 no.
static MODE: AtomicU8 = AtomicU8::new(0);

/// Nanoseconds since the epoch now: from the counter where it is used, else from `system_ns`;
/// `None` if the system clock cannot be read (the caller then asks the system another way).
#[inline]
pub(crate) fn now_ns(system_ns: fn() -> Option<i64>) -> Option<i64> {
    match MODE.load(Ordering::Relaxed) {
        1 => {
            let tsc = counter::read();
            match LINE.load().and_then(|line| line.at(tsc)) {
                Some(ns) => Some(ns),
                None => check(system_ns),
            }
        }
        2 => system_ns(),
        _ => decide(system_ns),
    }
}

/// Decides, on the first read, whether the counter is used.
#[cold]
fn decide(system_ns: fn() -> Option<i64>) -> Option<i64> {
    let usable = counter::usable();
    MODE.store(if usable { 1 } else { 2 }, Ordering::Relaxed);
    if usable {
        check(system_ns)
    } else {
        system_ns()
    }
}

/// Reads the system clock and takes it as the next reading: the line's end, or no line yet.
#[cold]
fn check(system_ns: fn() -> Option<i64>) -> Option<i64> {
    let Some(mut check) = CHECKER.try_take() else {
        // Another thread is checking: this record reads the system clock.
        return system_ns();
    };
    let followed = LINE.load_any();
    // A reader that met the line while it was being replaced: the new one may hold.
    if let Some(ns) = followed.and_then(|line| line.at(counter::read())) {
        return Some(ns);
    }
    let (tsc, ns, span) = paired_reading(system_ns)?;
    if span > MAX_PAIRING_TICKS {
        // Every try was interrupted (the thread descheduled in the system clock's read, say), so
        // the counter's value for `ns` is uncertain: this record takes the system clock's time,
        // no later than the line's end (so no earlier record of this thread is later), and the
        // next record checks again.
        let end = followed.and_then(|line| line.extended(tsc));
        return Some(end.map_or(ns, |end| ns.max(end)));
    }
    let line = check.calibration.next(followed, tsc, ns);
    LINE.store(line);
    Some(line.map_or(ns, |line| line.ns))
}

/// The system clock and the counter read together: the counter on both sides of the system
/// clock's own read, the quickest of a few tries, its middle taken. Returns the counter, the
/// clock and the ticks between the two counter reads, which bound how far off the pairing is.
fn paired_reading(system_ns: fn() -> Option<i64>) -> Option<(u64, i64, u64)> {
    let mut best: Option<(u64, i64, u64)> = None;
    for _ in 0..PAIRING_TRIES {
        let before = counter::read();
        let ns = system_ns()?;
        let span = counter::read().wrapping_sub(before);
        if best.is_none_or(|(_, _, quickest)| span < quickest) {
            best = Some((before.wrapping_add(span / 2), ns, span));
        }
    }
    best
}

#[cfg(target_arch = "x86_64")]
mod counter {
    /// The kernel's clock source: the counter is trusted only where the kernel keeps time by it.
    const CLOCK_SOURCE: &str = "/sys/devices/system/clocksource/clocksource0/current_clocksource";

    #[inline]
    pub(super) fn read() -> u64 {
        // SAFETY: `rdtsc` reads a register; every x86-64 CPU has it, and it touches no memory.
        unsafe { core::arch::x86_64::_rdtsc() }
    }

    pub(super) fn usable() -> bool {
        std::fs::read_to_string(CLOCK_SOURCE).is_ok_and(|source| source.trim() == "tsc")
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod counter {
    pub(super) fn read() -> u64 {
        0
    }

    pub(super) fn usable() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::system_ns;

    /// A counter at 2.5 ticks per nanosecond (0.4 ns per tick).
    const RATE: f64 = 0.4;

    fn tsc_at(ns: i64) -> u64 {
        (ns as f64 / RATE) as u64
    }

    /// Readings a millisecond apart of a counter and clock that agree.
    fn calibrated() -> (Calibration, Line) {
        let mut calibration = Calibration::default();
        let start = 1_795_536_741_000_000_000;
        assert_eq!(calibration.next(None, tsc_at(0), start), None);
        let line = calibration
            .next(None, tsc_at(1_000_000), start + 1_000_000)
            .expect("a rate after a millisecond");
        (calibration, line)
    }

    #[test]
    fn the_first_line_comes_a_millisecond_after_the_first_reading() {
        let mut calibration = Calibration::default();
        assert_eq!(calibration.next(None, 1_000, 5_000_000), None);
        assert_eq!(
            calibration.next(None, 1_000 + tsc_at(100_000), 5_100_000),
            None,
            "too soon to measure"
        );
        let (_, line) = calibrated();
        assert!((line.ns_per_tick - RATE).abs() < 1e-9);
        assert_eq!(line.ticks, tsc_at(1_000_000));
        assert_eq!(line.at(line.tsc), Some(line.ns));
        assert_eq!(line.at(line.tsc + tsc_at(500_000)), Some(line.ns + 500_000));
        assert_eq!(line.at(line.tsc + line.ticks), None, "past the window");
        assert_eq!(line.at(line.tsc - 1), None, "before the anchor");
        // Extended one window past its end, and no further.
        let late = line.tsc + line.ticks + tsc_at(999_000);
        assert_eq!(line.extended(late), Some(line.ns + 1_999_000));
        assert_eq!(line.extended(line.tsc + 2 * line.ticks), None);
        // Exact to the nanosecond at today's times, where an `f64` of nanoseconds since the
        // epoch is not (its steps are 256 ns).
        let odd = Line {
            ns: line.ns + 3,
            ..line
        };
        assert_eq!(odd.extended(odd.tsc + 5), Some(odd.ns + 2));
        assert_eq!(odd.at(odd.tsc + 5), Some(odd.ns + 2));
    }

    /// The end of `line` at `tsc`.
    fn end(line: &Line, tsc: u64) -> i64 {
        line.extended(tsc)
            .expect("within a window of the line's end")
    }

    #[test]
    fn a_line_that_ran_ahead_is_joined_and_meets_the_clock_a_window_later() {
        let (mut calibration, line) = calibrated();
        // At the next reading the system clock is 40 ns behind the line.
        let tsc = line.tsc + line.ticks;
        let system = end(&line, tsc) - 40;
        let next = calibration.next(Some(line), tsc, system).expect("a line");
        assert_eq!(next.ns, end(&line, tsc), "no jump back at the join");
        let met = end(&next, tsc + next.ticks);
        assert!((met - (system + 1_000_000)).abs() <= 2, "{met}");
    }

    #[test]
    fn a_line_checked_long_after_its_end_is_not_joined() {
        let (mut calibration, line) = calibrated();
        // No record for 5 ms: the line says nothing any more, the next starts at the clock.
        let tsc = line.tsc + tsc_at(5_000_000);
        let system = line.ns + 5_000_000 - 40;
        let next = calibration.next(Some(line), tsc, system).expect("a line");
        assert_eq!(next.ns, system);
        assert!((next.ns_per_tick - RATE).abs() < 1e-5);
    }

    #[test]
    fn a_stepped_clock_is_followed_at_once() {
        let (mut calibration, line) = calibrated();
        let tsc = line.tsc + line.ticks;
        // The clock was set back a minute: the rate is off too, so no line until a new one.
        let stepped = end(&line, tsc) - 60_000_000_000;
        assert_eq!(calibration.next(Some(line), tsc, stepped), None);
        // A millisecond later the rate is measured again and the line starts at the clock.
        let later = calibration
            .next(None, tsc + tsc_at(1_000_000), stepped + 1_000_000)
            .expect("a line");
        assert_eq!(later.ns, stepped + 1_000_000);
    }

    #[test]
    fn a_difference_over_50_microseconds_starts_the_line_at_the_clock() {
        let (calibration, line) = calibrated();
        let tsc = line.tsc + line.ticks;
        for (ahead, joined) in [(49_000, true), (51_000, false), (-51_000, false)] {
            let system = end(&line, tsc) + ahead;
            let mut calibration = calibration;
            // 51 µs in 1 ms is a rate 5% off: within the tolerance only if the last rate agreed.
            calibration.ns_per_tick = Some((1_000_000 + ahead) as f64 / line.ticks as f64);
            let next = calibration.next(Some(line), tsc, system).expect("a line");
            let start = if joined { end(&line, tsc) } else { system };
            assert_eq!(next.ns, start, "{ahead} ns ahead");
        }
        // A rate 5% off the last one: the counter is not trusted, no line.
        let mut calibration = calibration;
        assert_eq!(
            calibration.next(Some(line), tsc, end(&line, tsc) + 51_000),
            None
        );
    }

    #[test]
    fn a_counter_that_went_back_or_readings_far_apart_measure_no_rate() {
        let (mut calibration, line) = calibrated();
        assert_eq!(
            calibration.next(Some(line), line.tsc - 10, line.ns + 1_000_000),
            None
        );
        let (mut calibration, line) = calibrated();
        assert_eq!(
            calibration.next(
                Some(line),
                line.tsc + tsc_at(2_000_000_000),
                line.ns + 2_000_000_000
            ),
            None
        );
    }

    #[test]
    fn the_clock_stays_near_the_system_clock_and_never_goes_back() {
        if !counter::usable() {
            println!("the kernel's clock source is not tsc: records read the system clock");
        }
        let start = std::time::Instant::now();
        let mut last = i64::MIN;
        let mut reads = 0u64;
        // Long enough for dozens of checks and lines.
        while start.elapsed() < std::time::Duration::from_millis(60) {
            let before = system_ns().expect("the system clock");
            let now = now_ns(system_ns).expect("a time");
            let after = system_ns().expect("the system clock");
            // Measured: within 15 ns of the system clock's reads on either side. The bound is the
            // worst a pairing that passes `MAX_PAIRING_TICKS` allows, with room.
            assert!(
                before - 10_000 <= now && now <= after + 10_000,
                "{before} {now} {after}"
            );
            // Other tests read the clock meanwhile and may replace the line: allow for the
            // join's few nanoseconds, far below a microsecond.
            assert!(
                now >= last.saturating_sub(1_000),
                "went back from {last} to {now}"
            );
            last = last.max(now);
            reads += 1;
        }
        assert!(reads > 1_000, "{reads}");
        if counter::usable() {
            assert!(
                CHECKER.calibration().ns_per_tick.is_some(),
                "no rate measured"
            );
            assert!(LINE.load().is_some(), "no line followed");
        }
    }

    /// A process forked while one of its threads checked the line: the child's records take the
    /// check over, finish the half-written line and follow a new one, where they used to read
    /// the system clock for ever.
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    #[test]
    fn a_child_forked_during_a_check_takes_the_check_over() {
        // Decided here: the child must not read a file.
        now_ns(system_ns);
        if MODE.load(Ordering::Relaxed) != 1 {
            eprintln!(
                "not run: the kernel does not keep time with the counter here, so records read \
                 the system clock and no check is ever inherited"
            );
            return;
        }
        // Stand where a thread forked away from stands: holding the check, half-way through
        // writing the line.
        let check = loop {
            if let Some(check) = CHECKER.try_take() {
                break check;
            }
            std::thread::yield_now();
        };
        LINE.sequence.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the child runs only code that takes no lock and allocates nothing (the clock's
        // reads and atomics), then leaves with `_exit`.
        let child = unsafe { libc::fork() };
        if child == 0 {
            let took_over = child_follows_a_line_again();
            // SAFETY: ends the child without running anything of the parent's.
            unsafe { libc::_exit(if took_over { 0 } else { 1 }) }
        }
        LINE.sequence.fetch_add(1, Ordering::Relaxed);
        drop(check);
        assert!(child > 0, "fork failed");
        let mut status = 0;
        // SAFETY: waits for the child just made.
        let waited = unsafe { libc::waitpid(child, &mut status, 0) };
        assert_eq!(waited, child);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "the child never followed a line again (status {status})"
        );
    }

    /// In the forked child: reads the clock for 5 ms, then whether it follows a line, and whether
    /// the check was let go.
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    fn child_follows_a_line_again() -> bool {
        let Some(start) = system_ns() else {
            return false;
        };
        while system_ns().is_some_and(|now| now - start < 5_000_000) {
            now_ns(system_ns);
        }
        LINE.load().is_some() && CHECKER.holder.load(Ordering::Relaxed) == 0
    }
}
