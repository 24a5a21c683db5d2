#!/usr/bin/env python3
"""Golden data for the file-rotation handlers, produced by CPython 3.11.

This script drives CPython's ``logging.handlers.RotatingFileHandler``,
``TimedRotatingFileHandler`` and ``WatchedFileHandler`` through scripted
scenarios with a *faked clock*, and records the directory each scenario
leaves behind.  The Rust test-suite replays every scenario against the
pylog handlers and compares the resulting directory byte for byte.

How to re-run (from the repository root; CPython 3.11, stdlib only)::

    python3 tests/golden/rotation/generate.py

The output is deterministic: running the script twice gives byte-identical
files.  Files written next to this script (``indent=1``, UTF-8, trailing
newline):

``rotation.json``
    A list of scenarios::

        {
         "title":        unique human-readable description,
         "handler":      "rotating" | "timed" | "watched",
         "params":       constructor arguments, with CPython's names:
                           rotating: maxBytes, backupCount, [mode], [delay]
                           timed:    when, interval, backupCount, utc,
                                     atTime (null or [h, m, s]), delay
                           watched:  [delay]
                         ([x] = present only when the scenario sets it;
                         the CPython default applies otherwise),
         "format":       the handler's Formatter fmt (%-style),
         "tz":           null, or a POSIX TZ string applied with
                         os.environ["TZ"] + time.tzset() for the scenario,
         "start_time":   faked time.time() while the handler is constructed,
         "pre_existing": [{"name", "content", "mtime"}] files created in the
                         empty directory (then os.utime(mtime)) before the
                         handler is constructed,
         "steps":        [{"t", "msg"}] log msg at INFO with time.time() == t,
                         or [{"t", "op", ...}] mutate the directory:
                           {"op": "rename", "from", "to"}  os.rename
                           {"op": "delete", "name"}        os.remove
                           {"op": "write", "name", "content"}
                               open(name, "w").write(content): creates the
                               file, or truncates and rewrites it in place
                               (same inode),
         "files":        {name: content} -- every file in the directory
                         after handler.close(), sorted by name
        }

    Conventions of every scenario:

    * The log file is ``app.log`` in a fresh temporary directory and the
      handler gets its absolute path.  Handlers are constructed with
      ``encoding="utf-8"`` (the Rust port always writes UTF-8) and CPython's
      defaults for every argument not in ``params``.
    * Records go through a dedicated logger (level INFO, propagate False)
      whose only handler is the one under test; ``record.created`` is the
      step's ``t`` (checked by the script).
    * The clock is faked by swapping the ``time`` module seen by
      ``logging`` and ``logging.handlers`` for a proxy whose ``time()``
      returns the scenario's current instant (``start_time`` during
      construction, then each step's ``t``).  ``localtime``, ``gmtime``,
      ``mktime`` and ``strftime`` are the real ones, under ``tz``.
    * The file system clock is faked consistently: a file the handler
      created or wrote is seen (by ``os.stat`` in ``logging.handlers``) with
      mtime = the faked now; pre-existing files keep their ``mtime``.  This
      only matters to ``TimedRotatingFileHandler.__init__``, which starts
      from the mtime of an existing ``app.log`` (and CPython's own
      ``open()`` creates the file before that check when ``delay`` is
      false -- in real life its mtime is "now").
    * ``tz: null`` scenarios do not depend on the local time zone (they use
      ``utc: true`` or no time at all); the script runs them under ``UTC0``.

``errors.json``
    ``TimedRotatingFileHandler`` construction errors: a list of
    ``{"params", "error", "files"}`` where ``error`` is ``str()`` of the
    ValueError raised by the constructor and ``files`` the directory left
    behind (CPython opens ``app.log`` *before* validating ``when``, so a
    non-delayed handler leaves an empty ``app.log`` even though it failed).
"""

import calendar
import contextlib
import datetime
import json
import logging
import logging.handlers
import os
import stat
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOG_NAME = "app.log"

# Time zones used by the local-time (utc=False) scenarios.
CET = "CET-1CEST,M3.5.0,M10.5.0/3"  # DST: last Sun of Mar 01:00 UTC .. last Sun of Oct 01:00 UTC
EST = "EST5EDT,M3.2.0,M11.1.0"      # DST: 2nd Sun of Mar 02:00 local .. 1st Sun of Nov 02:00 local


# --------------------------------------------------------------------------
# Time helpers
# --------------------------------------------------------------------------


@contextlib.contextmanager
def tz_env(tz):
    """Run the body with TZ=tz (time.tzset()), restoring the previous TZ."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def utc(year, month, day, hour=0, minute=0, second=0, frac=0.0):
    """POSIX timestamp (float) of a UTC wall-clock time, plus a fraction."""
    return float(calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))) + frac


def local(tz, year, month, day, hour=0, minute=0, second=0, frac=0.0, isdst=-1):
    """POSIX timestamp (float) of a wall-clock time in ``tz``.

    ``isdst`` picks the side of an ambiguous time in the autumn overlap
    (1 = the first, summer-time, occurrence; 0 = the second one).
    """
    with tz_env(tz):
        return time.mktime((year, month, day, hour, minute, second, 0, 0, isdst)) + frac


# 2026-11-24 16:12:21 UTC, a Tuesday: the default start of the scenarios.
T0 = utc(2026, 11, 24, 16, 12, 21)


# --------------------------------------------------------------------------
# Scenario builders
# --------------------------------------------------------------------------


def rec(t, msg):
    """A step logging ``msg`` at INFO at faked time ``t``."""
    return {"t": float(t), "msg": msg}


def op(t, kind, **kw):
    """A step mutating the directory at faked time ``t`` (see module doc)."""
    step = {"t": float(t), "op": kind}
    step.update(kw)
    return step


def pre(name, content, mtime):
    """A file present before the handler is constructed."""
    return {"name": name, "content": content, "mtime": int(mtime)}


def scenario(title, handler, params, steps, start_time=T0, fmt="%(message)s",
             tz=None, pre_existing=()):
    """One scenario of rotation.json (without "files", filled in by run())."""
    return {
        "title": title,
        "handler": handler,
        "params": params,
        "format": fmt,
        "tz": tz,
        "start_time": float(start_time),
        "pre_existing": list(pre_existing),
        "steps": steps,
    }


def rotating(title, maxBytes, backupCount, steps, mode=None, delay=None, **kw):
    params = {"maxBytes": maxBytes, "backupCount": backupCount}
    if mode is not None:
        params["mode"] = mode
    if delay is not None:
        params["delay"] = delay
    return scenario(title, "rotating", params, steps, **kw)


def timed(title, when, steps, interval=1, backupCount=0, utc=True,
          atTime=None, delay=False, **kw):
    params = {"when": when, "interval": interval, "backupCount": backupCount,
              "utc": utc, "atTime": atTime, "delay": delay}
    return scenario(title, "timed", params, steps, **kw)


def watched(title, steps, delay=None, **kw):
    params = {} if delay is None else {"delay": delay}
    return scenario(title, "watched", params, steps, **kw)


def seq(t0, dt, msgs):
    """Records ``msgs`` logged at t0, t0+dt, t0+2*dt, ..."""
    return [rec(t0 + i * dt, m) for i, m in enumerate(msgs)]


# --------------------------------------------------------------------------
# RotatingFileHandler scenarios (no time dependence: tz null)
# --------------------------------------------------------------------------


def rotating_scenarios():
    s = []
    t = T0 + 1  # records one second apart from here on

    # Reference examples (python-logging.md section 8).
    s.append(rotating(
        "size: 20 bytes, 2 backups, six 13-byte lines", 20, 2,
        seq(t, 1, ["record no. %d" % i for i in range(1, 7)])))
    s.append(rotating(
        "size: 5 bytes, 3 backups, three 11-byte lines (the first rollover rotates an empty file)",
        5, 3, seq(t, 1, ["big line %d" % i for i in range(1, 4)])))
    s.append(rotating(
        "size: backupCount 0 never renames, the file just keeps growing", 10, 0,
        seq(t, 1, ["entry %d" % i for i in range(1, 6)])))
    s.append(rotating(
        "size: maxBytes 0 never rolls over", 0, 3,
        seq(t, 1, ["this is a fairly long line number %d" % i for i in range(1, 6)])))

    # The >= rule: "tell() + len(msg) >= maxBytes" rolls over, so a file never
    # reaches exactly maxBytes; one more byte of room and two lines fit.
    s.append(rotating(
        "size: a record landing exactly on maxBytes rolls over (26 = 13 + 13)", 26, 5,
        seq(t, 1, ["exact line %d" % i for i in range(1, 5)])))
    s.append(rotating(
        "size: one byte under maxBytes stays (26 < 27)", 27, 5,
        seq(t, 1, ["exact line %d" % i for i in range(1, 6)])))

    # len(msg) counts code points while tell() counts bytes.
    s.append(rotating(
        "size: non-ASCII counts characters for the new record but bytes already in the file",
        20, 3, seq(t, 1, ["ééééé"] * 5)))
    s.append(rotating(
        "size: CJK records (3 bytes per character) overshoot maxBytes", 16, 2,
        seq(t, 1, ["日本語", "中文字", "한국어", "ひらが"])))
    s.append(rotating(
        "size: astral-plane emoji count as one character each (not two UTF-16 units)", 10, 3,
        seq(t, 1, ["ok", "🎉🎉🎉", "🎉"])))
    s.append(rotating(
        "size: the formatted record (with the hard-coded newline) is measured", 25, 2,
        seq(t, 1, ["abc", "defghij", "k", "multi\nline", "end"]),
        fmt="%(levelname)s:%(message)s"))

    # Existing files.
    s.append(rotating(
        "size: an existing app.log counts towards the first rollover", 30, 2,
        seq(t, 1, ["new line %d" % i for i in range(1, 6)]),
        pre_existing=[pre("app.log", "old line one\nold\n", T0 - 3600),
                      pre("app.log.1", "older backup\n", T0 - 7200)]))
    s.append(rotating(
        "size: an existing app.log already over maxBytes rolls over on the first record", 10, 2,
        seq(t, 1, ["first", "second"]),
        pre_existing=[pre("app.log", "this file is already too long\n", T0 - 3600)]))
    s.append(rotating(
        "size: existing backups with a gap and beyond backupCount", 12, 3,
        seq(t, 1, ["rec %d" % i for i in range(1, 5)]),
        pre_existing=[pre("app.log.1", "backup one\n", T0 - 100),
                      pre("app.log.3", "backup three\n", T0 - 300),
                      pre("app.log.7", "backup seven\n", T0 - 700),
                      pre("app.log.bak", "not a backup\n", T0 - 800)]))

    # mode / delay.
    s.append(rotating(
        "size: mode 'w' with maxBytes > 0 is forced to 'a' (existing content kept)", 100, 1,
        seq(t, 1, ["appended 1", "appended 2"]), mode="w",
        pre_existing=[pre("app.log", "kept from before\n", T0 - 60)]))
    s.append(rotating(
        "size: mode 'w' with maxBytes 0 truncates the existing file", 0, 1,
        seq(t, 1, ["fresh 1", "fresh 2"]), mode="w",
        pre_existing=[pre("app.log", "lost from before\n", T0 - 60)]))
    s.append(rotating(
        "size: delay=True behaves the same once records arrive", 20, 2,
        seq(t, 1, ["record no. %d" % i for i in range(1, 5)]), delay=True))
    s.append(rotating(
        "size: delay=True and no record creates no file", 20, 2, [], delay=True))
    s.append(rotating(
        "size: delay=False and no record leaves an empty app.log", 20, 2, []))

    # Backup counts.
    s.append(rotating(
        "size: backupCount larger than the number of rollovers", 20, 5,
        seq(t, 1, ["record no. %d" % i for i in range(1, 5)])))
    s.append(rotating(
        "size: backupCount 1 overwrites app.log.1 on every rollover", 20, 1,
        seq(t, 1, ["record no. %d" % i for i in range(1, 5)])))
    s.append(rotating(
        "size: many rollovers, the oldest backups fall off the end", 30, 3,
        seq(t, 1, ["event %02d" % i for i in range(1, 21)])))

    # Someone deletes app.log under the handler: the open stream keeps writing
    # to the unlinked file (those lines are lost, but tell() still counts
    # them), and the rollover finds no app.log to rename.
    steps = seq(t, 1, ["kept a", "kept b"])
    steps.append(op(t + 2, "delete", name="app.log"))
    steps += seq(t + 3, 1, ["lost c", "after rollover d", "e"])
    s.append(rotating(
        "size: app.log deleted under the handler, then a rollover", 24, 2, steps))
    # Renamed instead: the stream follows the renamed file until the rollover,
    # which shifts app.log.1 to app.log.2 but has no app.log to rotate.
    steps = seq(t, 1, ["kept a", "kept b"])
    steps.append(op(t + 2, "rename", **{"from": "app.log", "to": "app.log.moved"}))
    steps += seq(t + 3, 1, ["c", "after rollover d", "e"])
    s.append(rotating(
        "size: app.log renamed under the handler, then a rollover", 24, 2, steps,
        pre_existing=[pre("app.log.1", "previous backup\n", T0 - 100)]))
    return s


# --------------------------------------------------------------------------
# TimedRotatingFileHandler scenarios
# --------------------------------------------------------------------------


def timed_utc_scenarios():
    s = []
    U = utc  # shorthand

    # --- S / M / H / D: rolloverAt = int(now) + interval, not clock aligned.
    s.append(timed(
        "timed S: one-second periods, fractional times truncated, gaps", "S", [
            rec(T0 + 0.7, "s1"), rec(T0 + 0.9, "s2"),
            rec(T0 + 1.2, "s3"), rec(T0 + 1.95, "s4"),
            rec(T0 + 4.5, "s5"), rec(T0 + 4.6, "s6"),
            rec(T0 + 5.0, "s7"),
        ], start_time=T0 + 0.6))
    s.append(timed(
        "timed S: interval 5, backupCount 2", "S",
        seq(T0 + 1, 2, ["tick %02d" % i for i in range(1, 16)]),
        interval=5, backupCount=2))
    s.append(timed(
        "timed M: one-minute periods with a gap", "M", [
            rec(T0 + 10, "m1"), rec(T0 + 50, "m2"), rec(T0 + 70, "m3"),
            rec(T0 + 130, "m4"), rec(T0 + 400, "m5"), rec(T0 + 410, "m6"),
        ]))
    s.append(timed(
        "timed M: interval 2", "M",
        seq(T0 + 30, 45, ["every 45s %d" % i for i in range(1, 9)]), interval=2))
    s.append(timed(
        "timed H: hourly, not aligned to the hour, gap of several hours", "H", [
            rec(T0 + 60, "h1"), rec(U(2026, 11, 24, 17, 0), "h2"),
            rec(U(2026, 11, 24, 17, 12, 21), "h3 (exactly at rolloverAt)"),
            rec(U(2026, 11, 24, 18, 0), "h4"),
            rec(U(2026, 11, 24, 23, 59), "h5 (after 5 empty hours)"),
            rec(U(2026, 11, 25, 0, 30), "h6"),
            rec(U(2026, 11, 25, 0, 59, 59), "h7"),
            rec(U(2026, 11, 25, 1, 0), "h8"),
        ]))
    s.append(timed(
        "timed H: interval 3 with a ten-hour gap", "H", [
            rec(T0 + 60, "a"), rec(U(2026, 11, 24, 19, 12, 20), "b"),
            rec(U(2026, 11, 24, 19, 12, 21), "c"),
            rec(U(2026, 11, 25, 5, 0), "d"),
            rec(U(2026, 11, 25, 7, 59, 59), "e"),
            rec(U(2026, 11, 25, 8, 0), "f"),
        ], interval=3))
    s.append(timed(
        "timed D: 24-hour periods from start (16:12:21), two-day gap", "D", [
            rec(U(2026, 11, 24, 20, 0), "d1"), rec(U(2026, 11, 25, 10, 0), "d2"),
            rec(U(2026, 11, 25, 16, 12, 21), "d3"), rec(U(2026, 11, 28, 9, 0), "d4"),
            rec(U(2026, 11, 29, 9, 0), "d5"),
        ]))
    s.append(timed(
        "timed D: interval 2", "D", [
            rec(U(2026, 11, 25, 10, 0), "x1"), rec(U(2026, 11, 26, 16, 12, 21), "x2"),
            rec(U(2026, 11, 27, 16, 0), "x3"), rec(U(2026, 12, 3, 1, 0), "x4"),
        ], interval=2))

    # --- MIDNIGHT
    s.append(timed(
        "timed MIDNIGHT: daily at 00:00 UTC, exact boundary, gap of two days", "MIDNIGHT", [
            rec(U(2026, 11, 24, 18, 0), "tue evening"),
            rec(U(2026, 11, 25, 0, 0), "wed 00:00:00 exactly"),
            rec(U(2026, 11, 25, 9, 0), "wed morning"),
            rec(U(2026, 11, 28, 12, 0), "sat noon"),
            rec(U(2026, 11, 28, 23, 59, 59, 0.9), "sat 23:59:59.9"),
            rec(U(2026, 11, 29, 0, 0, 0, 0.5), "sun 00:00:00.5"),
        ]))
    s.append(timed(
        "timed MIDNIGHT atTime 02:30 (start after 02:30: first rollover tomorrow)", "MIDNIGHT", [
            rec(U(2026, 11, 25, 1, 0), "before 02:30"),
            rec(U(2026, 11, 25, 2, 30), "at 02:30"),
            rec(U(2026, 11, 26, 2, 29, 59), "one second early"),
            rec(U(2026, 11, 26, 3, 0), "after"),
        ], atTime=[2, 30, 0]))
    s.append(timed(
        "timed MIDNIGHT atTime 18:00 (start before 18:00: first rollover today)", "MIDNIGHT", [
            rec(U(2026, 11, 24, 17, 0), "before"),
            rec(U(2026, 11, 24, 18, 0, 1), "after 18:00"),
            rec(U(2026, 11, 25, 17, 59), "next day before"),
            rec(U(2026, 11, 27, 20, 0), "two days later"),
        ], atTime=[18, 0, 0]))
    s.append(timed(
        "timed MIDNIGHT interval 3: the interval is ignored for the schedule but not for the suffix",
        "MIDNIGHT", [
            rec(U(2026, 11, 24, 18, 0), "tue"),
            rec(U(2026, 11, 25, 10, 0), "wed"),
            rec(U(2026, 11, 26, 10, 0), "thu"),
            rec(U(2026, 11, 30, 10, 0), "mon"),
        ], interval=3))

    # --- Weekly. T0 is a Tuesday (weekday 1).
    s.append(timed(
        "timed W0 (Monday) from a Tuesday: rollover at the midnight ending Monday", "W0", [
            rec(U(2026, 11, 25, 12, 0), "wed"),
            rec(U(2026, 11, 30, 12, 0), "mon (same file)"),
            rec(U(2026, 12, 1, 0, 0, 1), "tue 00:00:01"),
            rec(U(2026, 12, 9, 8, 0), "wed week 2"),
            rec(U(2026, 12, 23, 8, 0), "wed week 4 (gap)"),
        ]))
    s.append(timed(
        "timed W6 (Sunday) from a Tuesday", "W6", [
            rec(U(2026, 11, 29, 23, 0), "sun 23:00"),
            rec(U(2026, 11, 30, 0, 0), "mon 00:00"),
            rec(U(2026, 12, 6, 12, 0), "sun"),
            rec(U(2026, 12, 7, 0, 0, 30), "mon"),
        ]))
    s.append(timed(
        "timed W1 on a Tuesday (today's weekday): rollover at the coming midnight", "W1", [
            rec(U(2026, 11, 24, 23, 0), "tue 23:00"),
            rec(U(2026, 11, 25, 0, 0, 5), "wed 00:00:05"),
            rec(U(2026, 12, 1, 12, 0), "tue"),
            rec(U(2026, 12, 2, 0, 0, 5), "wed"),
        ]))
    s.append(timed(
        "timed W1 atTime 18:00 on a Tuesday at 16:12: rollover later today", "W1", [
            rec(U(2026, 11, 24, 17, 59, 59), "before"),
            rec(U(2026, 11, 24, 18, 0), "at 18:00"),
            rec(U(2026, 12, 1, 17, 0), "next tue before"),
            rec(U(2026, 12, 1, 18, 30), "next tue after"),
        ], atTime=[18, 0, 0]))
    s.append(timed(
        "timed W1 atTime 10:00 on a Tuesday at 16:12: rollover next week", "W1", [
            rec(U(2026, 11, 25, 10, 0), "wed"),
            rec(U(2026, 12, 1, 9, 59), "next tue 09:59"),
            rec(U(2026, 12, 1, 10, 0), "next tue 10:00"),
        ], atTime=[10, 0, 0]))
    s.append(timed(
        "timed W4 (Friday) atTime 06:00 from a Tuesday", "W4", [
            rec(U(2026, 11, 27, 5, 0), "fri 05:00"),
            rec(U(2026, 11, 27, 6, 0), "fri 06:00"),
            rec(U(2026, 12, 4, 7, 0), "next fri"),
        ], atTime=[6, 0, 0]))

    # --- backupCount deletion (getFilesToDelete)
    old = T0 - 86400 * 3
    junk = [
        pre("app.log.2026-11-20", "nov 20\n", old),
        pre("app.log.2026-11-21", "nov 21\n", old),
        pre("app.log.2026-11-22.gz", "nov 22 gz\n", old),
        pre("app.log.bak", "bak\n", old),
        pre("app.log.2026-13-99x", "x suffix\n", old),
        pre("app.log.2026-13-99", "impossible date\n", old),
        pre("other.log.2026-01-01", "other log\n", old),
        pre("app.logx.2026-01-01", "app.logx backup\n", old),
        pre("app.log.2026-11-23_10", "hourly name\n", old),
        pre("app.log.gz.2026-11-19", "dotted before the date\n", old),
    ]
    s.append(timed(
        "timed MIDNIGHT backupCount 2: keeps the newest dated backups, ignores other names",
        "MIDNIGHT", [
            rec(U(2026, 11, 24, 18, 0), "tue"),
            rec(U(2026, 11, 25, 8, 0), "wed"),
            rec(U(2026, 11, 26, 8, 0), "thu"),
        ], backupCount=2, pre_existing=[
            pre("app.log.2026-11-20", "nov 20\n", old),
            pre("app.log.2026-11-21", "nov 21\n", old),
            pre("app.log.2026-11-22.gz", "nov 22 gz\n", old),
            pre("app.log.bak", "bak\n", old),
            pre("app.log.2026-13-99x", "x suffix\n", old),
            pre("other.log.2026-01-01", "other log\n", old),
            pre("app.log.2026-11-23_10", "hourly name\n", old),
        ]))
    s.append(timed(
        "timed MIDNIGHT backupCount 1: an impossible date sorts last and the new backup is deleted",
        "MIDNIGHT", [
            rec(U(2026, 11, 24, 18, 0), "tue"),
            rec(U(2026, 11, 25, 8, 0), "wed"),
        ], backupCount=1, pre_existing=[
            pre("app.log.2026-11-20", "nov 20\n", old),
            pre("app.log.2026-13-99", "impossible date\n", old),
        ]))
    s.append(timed(
        "timed MIDNIGHT backupCount 2: odd names that sort last outlive every real backup",
        "MIDNIGHT", [
            rec(U(2026, 11, 24, 18, 0), "tue"),
            rec(U(2026, 11, 25, 8, 0), "wed"),
            rec(U(2026, 11, 26, 8, 0), "thu"),
        ], backupCount=2, pre_existing=junk))
    s.append(timed(
        "timed H backupCount 3: daily-style names are not candidates for H", "H", [
            rec(T0 + 60, "one"), rec(T0 + 3600, "two"), rec(T0 + 7200, "three"),
        ], backupCount=3, pre_existing=[
            pre("app.log.2026-11-24_10", "h10\n", old),
            pre("app.log.2026-11-24_11", "h11\n", old),
            pre("app.log.2026-11-24_12", "h12\n", old),
            pre("app.log.2026-11-20", "daily\n", old),
            pre("app.log.2026-11-24_12-00", "minutely\n", old),
        ]))
    s.append(timed(
        "timed MIDNIGHT backupCount 5 with fewer candidates: nothing is deleted", "MIDNIGHT", [
            rec(U(2026, 11, 24, 18, 0), "tue"), rec(U(2026, 11, 25, 8, 0), "wed"),
        ], backupCount=5, pre_existing=[pre("app.log.2026-11-01", "nov 1\n", old)]))
    s.append(timed(
        "timed S backupCount 1: every rollover keeps only the newest backup", "S",
        seq(T0 + 0.5, 1, ["sec %d" % i for i in range(1, 6)]), backupCount=1))

    # --- Existing app.log: the first rolloverAt comes from its mtime.
    s.append(timed(
        "timed MIDNIGHT: stale app.log rolls over on the first record, named after its mtime",
        "MIDNIGHT", [
            rec(U(2026, 11, 24, 18, 0), "first new"),
            rec(U(2026, 11, 24, 19, 0), "second new"),
            rec(U(2026, 11, 25, 0, 0, 1), "next day"),
        ], pre_existing=[pre("app.log", "written on nov 20\n", U(2026, 11, 20, 13, 0))]))
    s.append(timed(
        "timed H: stale app.log, suffix from the mtime hour", "H", [
            rec(T0 + 1, "new 1"), rec(T0 + 2, "new 2"), rec(T0 + 3601, "new 3"),
        ], pre_existing=[pre("app.log", "from 11:05\n", U(2026, 11, 24, 11, 5, 30))]))
    s.append(timed(
        "timed H: recent app.log, first rollover one interval after its mtime (not after start)",
        "H", [
            rec(T0 + 60, "a"), rec(U(2026, 11, 24, 17, 0, 0), "b"),
            rec(U(2026, 11, 24, 17, 30, 0), "c"),
        ], pre_existing=[pre("app.log", "from 16:00\n", U(2026, 11, 24, 16, 0, 0))]))
    s.append(timed(
        "timed D: app.log with a future mtime delays the first rollover", "D", [
            rec(U(2026, 11, 25, 17, 0), "a"), rec(U(2026, 11, 26, 11, 0), "b"),
            rec(U(2026, 11, 26, 13, 0), "c"),
        ], pre_existing=[pre("app.log", "future\n", U(2026, 11, 25, 12, 0))]))

    # --- Spelling / misc options.
    s.append(timed(
        "timed 'midnight' in lower case", "midnight", [
            rec(U(2026, 11, 24, 20, 0), "lower 1"), rec(U(2026, 11, 25, 1, 0), "lower 2"),
        ]))
    s.append(timed(
        "timed 'h' in lower case", "h", [
            rec(T0 + 10, "lower h 1"), rec(T0 + 3700, "lower h 2"),
        ]))
    s.append(timed(
        "timed 'w6' in lower case", "w6", [
            rec(U(2026, 11, 29, 12, 0), "sun"), rec(U(2026, 11, 30, 0, 0), "mon"),
        ]))
    s.append(timed(
        "timed H ignores atTime", "H", [
            rec(T0 + 10, "a"), rec(T0 + 3600, "b"),
        ], atTime=[2, 30, 0]))
    s.append(timed(
        "timed delay=True: the file appears with the first record", "MIDNIGHT", [
            rec(U(2026, 11, 24, 20, 0), "late 1"), rec(U(2026, 11, 25, 1, 0), "late 2"),
        ], delay=True))
    s.append(timed(
        "timed delay=True and no record creates no file", "MIDNIGHT", [], delay=True))
    return s


def timed_clock_back_scenarios():
    """The system clock stepped back (an NTP correction, a VM restored from a snapshot): CPython
    only compares the time with rolloverAt, so records go on into the current file until the
    clock passes it again; the backup's name comes from rolloverAt, never from the clock."""
    s = []
    U = utc
    s.append(timed(
        "timed H: the clock steps back an hour after a rollover, then catches up", "H", [
            rec(T0 + 60, "before"),
            rec(T0 + 3700, "after the first rollover"),
            rec(T0 + 100, "clock stepped back below the last rollover"),
            rec(T0 + 3800, "clock back on time"),
            rec(T0 + 7300, "second rollover"),
        ], backupCount=3))
    s.append(timed(
        "timed MIDNIGHT: the clock steps back across midnight", "MIDNIGHT", [
            rec(U(2026, 11, 24, 23, 59, 50), "day 1 late"),
            rec(U(2026, 11, 25, 0, 0, 10), "day 2 early (rollover)"),
            rec(U(2026, 11, 24, 23, 59, 55), "back in day 1"),
            rec(U(2026, 11, 25, 0, 0, 20), "day 2 again"),
            rec(U(2026, 11, 26, 0, 0, 5), "day 3 (rollover)"),
        ], backupCount=5))
    s.append(timed(
        "timed S: records stepped back between rollovers go to the current file", "S", [
            rec(T0 + 1.5, "one"),
            rec(T0 + 2.5, "two"),
            rec(T0 + 0.5, "stepped back"),
            rec(T0 + 3.2, "three"),
            rec(T0 + 1.2, "stepped back again"),
            rec(T0 + 3.4, "four"),
            rec(T0 + 4.1, "five"),
        ], backupCount=10))
    return s


def timed_local_scenarios():
    """utc=False scenarios across daylight-saving changes."""
    s = []

    def c(*a, **kw):
        return local(CET, *a, **kw)

    # Spring forward: Sun 2026-03-29 02:00 CET -> 03:00 CEST.
    s.append(timed(
        "local CET MIDNIGHT across spring DST (2026-03-29)", "MIDNIGHT", [
            rec(c(2026, 3, 28, 20, 0), "sat"),
            rec(c(2026, 3, 29, 0, 30), "sun 00:30 CET"),
            rec(c(2026, 3, 29, 12, 0), "sun 12:00 CEST"),
            rec(c(2026, 3, 30, 0, 0, 30), "mon 00:00:30 CEST"),
            rec(c(2026, 3, 31, 0, 0, 30), "tue 00:00:30"),
        ], utc=False, tz=CET, start_time=c(2026, 3, 28, 10, 0)))
    s.append(timed(
        "local CET MIDNIGHT started on the 23-hour day: first rollover at 01:00", "MIDNIGHT", [
            rec(c(2026, 3, 29, 22, 0), "sun 22:00"),
            rec(c(2026, 3, 30, 0, 30), "mon 00:30 (same file)"),
            rec(c(2026, 3, 30, 1, 30), "mon 01:30"),
            rec(c(2026, 3, 31, 0, 0, 10), "tue 00:00:10"),
        ], utc=False, tz=CET, start_time=c(2026, 3, 29, 0, 30)))
    # Fall back: Sun 2026-10-25 03:00 CEST -> 02:00 CET.
    s.append(timed(
        "local CET MIDNIGHT across autumn DST (2026-10-25)", "MIDNIGHT", [
            rec(c(2026, 10, 24, 20, 0), "sat"),
            rec(c(2026, 10, 25, 0, 30), "sun 00:30 CEST"),
            rec(c(2026, 10, 25, 12, 0), "sun 12:00 CET"),
            rec(c(2026, 10, 26, 0, 0, 30), "mon 00:00:30 CET"),
            rec(c(2026, 10, 27, 0, 0, 30), "tue 00:00:30"),
        ], utc=False, tz=CET, start_time=c(2026, 10, 24, 10, 0)))
    s.append(timed(
        "local CET MIDNIGHT started on the 25-hour day: first rollover at 23:00", "MIDNIGHT", [
            rec(c(2026, 10, 25, 22, 30), "sun 22:30"),
            rec(c(2026, 10, 25, 23, 30), "sun 23:30"),
            rec(c(2026, 10, 26, 0, 30), "mon 00:30"),
            rec(c(2026, 10, 27, 0, 0, 10), "tue 00:00:10"),
        ], utc=False, tz=CET, start_time=c(2026, 10, 25, 0, 30)))
    s.append(timed(
        "local CET MIDNIGHT atTime 02:30 across spring DST (02:30 does not exist)", "MIDNIGHT", [
            rec(c(2026, 3, 29, 1, 0), "sun 01:00 CET"),
            rec(c(2026, 3, 29, 3, 15), "sun 03:15 CEST"),
            rec(c(2026, 3, 29, 3, 45), "sun 03:45 CEST"),
            rec(c(2026, 3, 30, 2, 29), "mon 02:29"),
            rec(c(2026, 3, 30, 2, 31), "mon 02:31"),
        ], utc=False, atTime=[2, 30, 0], tz=CET, start_time=c(2026, 3, 28, 12, 0)))
    s.append(timed(
        "local CET MIDNIGHT atTime 02:30 across autumn DST (02:30 happens twice)", "MIDNIGHT", [
            rec(c(2026, 10, 25, 2, 20, isdst=1), "sun 02:20 CEST"),
            rec(c(2026, 10, 25, 2, 40, isdst=1), "sun 02:40 CEST"),
            rec(c(2026, 10, 25, 2, 20, isdst=0), "sun 02:20 CET"),
            rec(c(2026, 10, 25, 2, 40, isdst=0), "sun 02:40 CET"),
            rec(c(2026, 10, 26, 2, 40), "mon 02:40"),
        ], utc=False, atTime=[2, 30, 0], tz=CET, start_time=c(2026, 10, 24, 12, 0)))
    s.append(timed(
        "local CET W6 across spring DST", "W6", [
            rec(c(2026, 3, 29, 23, 30), "sun 23:30 CEST"),
            rec(c(2026, 3, 30, 0, 0, 30), "mon 00:00:30"),
            rec(c(2026, 4, 5, 23, 0), "sun"),
            rec(c(2026, 4, 6, 0, 0, 30), "mon"),
        ], utc=False, tz=CET, start_time=c(2026, 3, 25, 12, 0)))
    s.append(timed(
        "local CET W6 across autumn DST", "W6", [
            rec(c(2026, 10, 25, 23, 30), "sun 23:30 CET"),
            rec(c(2026, 10, 26, 0, 0, 30), "mon 00:00:30"),
            rec(c(2026, 11, 1, 23, 0), "sun"),
            rec(c(2026, 11, 2, 0, 0, 30), "mon"),
        ], utc=False, tz=CET, start_time=c(2026, 10, 21, 12, 0)))
    s.append(timed(
        "local CET W0 started the week before spring DST, rollover computed at doRollover across it",
        "W0", [
            rec(c(2026, 3, 24, 0, 0, 30), "tue 03-24"),
            rec(c(2026, 3, 30, 23, 0), "mon 03-30 CEST"),
            rec(c(2026, 3, 31, 0, 0, 30), "tue 03-31"),
        ], utc=False, tz=CET, start_time=c(2026, 3, 19, 12, 0)))
    s.append(timed(
        "local CET W0 started before autumn DST, rollover computed at doRollover across it",
        "W0", [
            rec(c(2026, 10, 20, 0, 0, 30), "tue 10-20"),
            rec(c(2026, 10, 27, 0, 30), "tue 10-27 00:30 CET"),
            rec(c(2026, 10, 27, 1, 0, 30), "tue 10-27 01:00:30 CET"),
        ], utc=False, tz=CET, start_time=c(2026, 10, 15, 12, 0)))
    s.append(timed(
        "local CET H across the spring jump", "H", [
            rec(c(2026, 3, 29, 1, 45), "01:45 CET"),
            rec(c(2026, 3, 29, 3, 40), "03:40 CEST"),
            rec(c(2026, 3, 29, 4, 50), "04:50 CEST"),
            rec(c(2026, 3, 29, 5, 55), "05:55 CEST"),
        ], utc=False, tz=CET, start_time=c(2026, 3, 29, 1, 30)))
    s.append(timed(
        "local CET H across the autumn fall-back", "H", [
            rec(c(2026, 10, 25, 2, 45, isdst=1), "02:45 CEST"),
            rec(c(2026, 10, 25, 2, 45, isdst=0), "02:45 CET"),
            rec(c(2026, 10, 25, 3, 50), "03:50 CET"),
            rec(c(2026, 10, 25, 4, 55), "04:55 CET"),
        ], utc=False, tz=CET, start_time=c(2026, 10, 25, 2, 30, isdst=1)))
    s.append(timed(
        "local CET D across spring DST (24 hours of elapsed time)", "D", [
            rec(c(2026, 3, 28, 18, 0), "sat"),
            rec(c(2026, 3, 29, 12, 30), "sun 12:30 CEST (only 23.5 hours elapsed)"),
            rec(c(2026, 3, 29, 13, 0), "sun 13:00 CEST (24 hours elapsed)"),
            rec(c(2026, 3, 30, 14, 0), "mon"),
        ], utc=False, tz=CET, start_time=c(2026, 3, 28, 12, 0)))
    s.append(timed(
        "local CET MIDNIGHT with asctime in the format", "MIDNIGHT", [
            rec(c(2026, 3, 28, 23, 59, 59, 0.25), "last of sat"),
            rec(c(2026, 3, 29, 3, 0, 0, 0.5), "first CEST"),
            rec(c(2026, 3, 30, 0, 0, 1, 0.125), "mon"),
        ], utc=False, tz=CET, start_time=c(2026, 3, 28, 12, 0),
        fmt="%(asctime)s %(message)s"))

    def e(*a, **kw):
        return local(EST, *a, **kw)

    # US: 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST.
    s.append(timed(
        "local EST5EDT MIDNIGHT across autumn DST (2026-11-01)", "MIDNIGHT", [
            rec(e(2026, 10, 31, 20, 0), "sat"),
            rec(e(2026, 11, 1, 0, 30), "sun 00:30 EDT"),
            rec(e(2026, 11, 1, 23, 30), "sun 23:30 EST"),
            rec(e(2026, 11, 2, 0, 0, 30), "mon 00:00:30"),
        ], utc=False, tz=EST, start_time=e(2026, 10, 31, 10, 0)))
    s.append(timed(
        "local EST5EDT H across spring DST (2026-03-08)", "H", [
            rec(e(2026, 3, 8, 1, 40), "01:40 EST"),
            rec(e(2026, 3, 8, 3, 20), "03:20 EDT"),
            rec(e(2026, 3, 8, 4, 35), "04:35 EDT"),
        ], utc=False, tz=EST, start_time=e(2026, 3, 8, 1, 15)))
    return s


# --------------------------------------------------------------------------
# WatchedFileHandler scenarios (no time dependence: tz null)
# --------------------------------------------------------------------------


def watched_scenarios():
    s = []
    t = T0 + 1

    def mv(at, src, dst):
        return op(at, "rename", **{"from": src, "to": dst})

    s.append(watched(
        "watched: nothing changes, records append to the existing file (no reopen)",
        seq(t, 1, ["w1", "w2", "w3"]),
        pre_existing=[pre("app.log", "existing\n", T0 - 60)]))
    s.append(watched(
        "watched: renamed between records (logrotate style)",
        seq(t, 1, ["before 1", "before 2"]) + [mv(t + 2, "app.log", "app.log.1")]
        + seq(t + 3, 1, ["after 1", "after 2"])))
    s.append(watched(
        "watched: deleted between records",
        seq(t, 1, ["gone 1", "gone 2"]) + [op(t + 2, "delete", name="app.log")]
        + seq(t + 3, 1, ["new 1", "new 2"])))
    s.append(watched(
        "watched: two logrotate cycles shifting numbered backups",
        seq(t, 1, ["cycle0 a"]) + [mv(t + 1, "app.log.1", "app.log.2"),
                                   mv(t + 1.5, "app.log", "app.log.1")]
        + seq(t + 2, 1, ["cycle1 a", "cycle1 b"])
        + [mv(t + 4, "app.log.1", "app.log.2"), mv(t + 4.5, "app.log", "app.log.1")]
        + seq(t + 5, 1, ["cycle2 a"]),
        pre_existing=[pre("app.log.1", "ancient\n", T0 - 86400)]))
    s.append(watched(
        "watched: rename then a new empty app.log is created (logrotate 'create')",
        seq(t, 1, ["old a"]) + [mv(t + 1, "app.log", "app.log.1"),
                                op(t + 1.5, "write", name="app.log", content="")]
        + seq(t + 2, 1, ["new a", "new b"])))
    s.append(watched(
        "watched: truncated in place (same inode, no reopen, appends at the new end)",
        seq(t, 1, ["long line before truncation"])
        + [op(t + 1, "write", name="app.log", content="")]
        + seq(t + 2, 1, ["after truncate"])))
    s.append(watched(
        "watched: atomically replaced by another file",
        seq(t, 1, ["orig"]) + [op(t + 1, "write", name="app.log.new", content="replacement\n"),
                               mv(t + 1.5, "app.log.new", "app.log")]
        + seq(t + 2, 1, ["appended to replacement"])))
    s.append(watched(
        "watched: deleted before the first record",
        [op(t, "delete", name="app.log")] + seq(t + 1, 1, ["recreated 1", "recreated 2"])))
    s.append(watched(
        "watched: delay=True, renamed after the first record",
        seq(t, 1, ["d1"]) + [mv(t + 1, "app.log", "app.log.1")] + seq(t + 2, 1, ["d2", "d3"]),
        delay=True))
    s.append(watched("watched: delay=True and no record creates no file", [], delay=True))
    return s


# --------------------------------------------------------------------------
# Running a scenario against CPython
# --------------------------------------------------------------------------


class FakeClock:
    """The faked 'now' shared by the time and os proxies below."""

    def __init__(self):
        self.now = None


class FakeTimeModule:
    """Stands in for the ``time`` module inside logging: only time() is fake."""

    def __init__(self, clock):
        self._clock = clock

    def time(self):
        return self._clock.now

    def __getattr__(self, name):
        return getattr(time, name)


class FakeOsModule:
    """Stands in for ``os`` inside logging.handlers.

    ``stat()`` reports mtime = faked now for files whose mtime is not the one
    the scenario set (i.e. files the handler created or wrote), so that the
    file-system clock agrees with the faked clock.
    """

    def __init__(self, clock, explicit_mtimes_ns):
        self._clock = clock
        self._explicit = explicit_mtimes_ns  # abs path -> st_mtime_ns we set

    def stat(self, path, *args, **kwargs):
        st = os.stat(path, *args, **kwargs)
        if self._explicit.get(os.path.abspath(path)) == st.st_mtime_ns:
            return st
        fields = list(st)  # the 10 tuple fields; [ST_MTIME] is an int
        fields[stat.ST_MTIME] = int(self._clock.now)
        return os.stat_result(fields)

    def __getattr__(self, name):
        return getattr(os, name)


@contextlib.contextmanager
def faked_modules(clock, explicit_mtimes_ns):
    """Swap the time/os modules seen by logging and logging.handlers."""
    saved = (logging.time, logging.handlers.time, logging.handlers.os)
    logging.time = FakeTimeModule(clock)
    logging.handlers.time = FakeTimeModule(clock)
    logging.handlers.os = FakeOsModule(clock, explicit_mtimes_ns)
    try:
        yield
    finally:
        logging.time, logging.handlers.time, logging.handlers.os = saved


def make_handler(kind, path, params):
    """Construct the CPython handler of a scenario (encoding is UTF-8)."""
    if kind == "rotating":
        return logging.handlers.RotatingFileHandler(path, encoding="utf-8", **params)
    if kind == "timed":
        p = dict(params)
        if p["atTime"] is not None:
            p["atTime"] = datetime.time(*p["atTime"])
        return logging.handlers.TimedRotatingFileHandler(path, encoding="utf-8", **p)
    if kind == "watched":
        return logging.handlers.WatchedFileHandler(path, encoding="utf-8", **params)
    raise ValueError(kind)


def list_dir(d):
    """{name: text} for every file of ``d``, sorted by name."""
    out = {}
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as fh:
            out[name] = fh.read().decode("utf-8")
    return out


def reraise(record):
    """handleError replacement: a golden run must never swallow errors."""
    raise  # noqa: PLE0704 -- called from inside the handler's except block


def apply_op(d, step):
    if step["op"] == "rename":
        os.rename(os.path.join(d, step["from"]), os.path.join(d, step["to"]))
    elif step["op"] == "delete":
        os.remove(os.path.join(d, step["name"]))
    elif step["op"] == "write":
        with open(os.path.join(d, step["name"]), "w", encoding="utf-8", newline="") as fh:
            fh.write(step["content"])
    else:
        raise ValueError(step["op"])


def run(sc):
    """Run one scenario; fill in sc["files"]."""
    clock = FakeClock()
    explicit = {}
    logger = logging.getLogger("pylog.golden.rotation")
    logger.setLevel(logging.INFO)
    logger.propagate = False

    class CheckCreated(logging.Filter):
        def filter(self, record):
            assert record.created == clock.now, (record.created, clock.now)
            return True

    check = CheckCreated()
    with tempfile.TemporaryDirectory(prefix="pylog-rotation-") as d, \
            tz_env(sc["tz"] or "UTC0"), faked_modules(clock, explicit):
        for f in sc["pre_existing"]:
            path = os.path.join(d, f["name"])
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(f["content"])
            os.utime(path, (f["mtime"], f["mtime"]))
            explicit[path] = os.stat(path).st_mtime_ns
        clock.now = sc["start_time"]
        handler = make_handler(sc["handler"], os.path.join(d, LOG_NAME), sc["params"])
        handler.setFormatter(logging.Formatter(sc["format"]))
        handler.handleError = reraise
        logger.addHandler(handler)
        logger.addFilter(check)
        try:
            for step in sc["steps"]:
                clock.now = step["t"]
                if "msg" in step:
                    logger.info(step["msg"])
                else:
                    apply_op(d, step)
        finally:
            logger.removeFilter(check)
            logger.removeHandler(handler)
            handler.close()
        sc["files"] = list_dir(d)
    return sc


def close_half_built_handler(exc):
    """Close the stream CPython opened before its constructor raised.

    ``TimedRotatingFileHandler.__init__`` opens ``app.log`` and only then
    validates ``when``; find the half-built handler in the traceback and
    close its stream so that no file is left open (ResourceWarning).
    """
    tb = exc.__traceback__
    while tb is not None:
        obj = tb.tb_frame.f_locals.get("self")
        if isinstance(obj, logging.FileHandler):
            obj.close()
            return
        tb = tb.tb_next


def construction_errors():
    """str(ValueError) of TimedRotatingFileHandler for invalid ``when``."""
    out = []
    for when in ["W", "W7", "X", "", "w7", "W10", "Wx", "W-1", "MINUTE", "d1", "midnight "]:
        params = {"when": when, "interval": 1, "backupCount": 0, "utc": True,
                  "atTime": None, "delay": False}
        clock = FakeClock()
        clock.now = T0
        with tempfile.TemporaryDirectory(prefix="pylog-rotation-") as d, \
                tz_env("UTC0"), faked_modules(clock, {}):
            try:
                h = make_handler("timed", os.path.join(d, LOG_NAME), params)
            except ValueError as exc:
                error = str(exc)
                close_half_built_handler(exc)
            else:
                h.close()
                raise AssertionError("no error for when=%r" % when)
            files = list_dir(d)
        out.append({"params": params, "error": error, "files": files})
    return out


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def write_json(filename, data):
    """Write ``data`` as pretty JSON (indent=1, UTF-8, trailing newline)."""
    text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    with open(os.path.join(HERE, filename), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def main():
    if sys.version_info[:2] != (3, 11):
        sys.exit("generate.py must run under CPython 3.11 (found %s)" % sys.version.split()[0])
    scenarios = (rotating_scenarios() + timed_utc_scenarios()
                 + timed_clock_back_scenarios() + timed_local_scenarios()
                 + watched_scenarios())
    titles = [sc["title"] for sc in scenarios]
    assert len(titles) == len(set(titles)), "scenario titles must be unique"
    for sc in scenarios:
        run(sc)
    write_json("rotation.json", scenarios)
    write_json("errors.json", construction_errors())
    counts = {}
    for sc in scenarios:
        counts[sc["handler"]] = counts.get(sc["handler"], 0) + 1
    print("rotation.json: %d scenarios %s" % (len(scenarios), counts))


if __name__ == "__main__":
    main()
