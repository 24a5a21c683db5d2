#!/usr/bin/env python3
"""Generate golden test data for pylog from CPython 3.11's ``logging``.

pylog is a Rust re-implementation of Python's ``logging`` module.  This
script asks the real thing (CPython 3.11) how it behaves and stores the
answers as JSON files next to this script, so the Rust test-suite can compare
against them without needing Python at test time.

Files written (all pretty-printed with ``indent=1``, UTF-8, trailing newline):

``percent_format.json``
    ``%``-style ``logging.Formatter`` behaviour.  An object
    ``{"records": {id: REC, ...}, "cases": [...]}``.  ``records`` is a table
    of ``LogRecord`` descriptions (see :func:`make_record`), each written once
    and named by a short id (``"base"``, ``"unicode"``, ``"created=0.5"`` ...).
    Each case is ``{"fmt", "datefmt", "record", <outcome>}`` where
    ``"record"`` is an id of the ``records`` table and ``<outcome>`` is
    exactly one of

    * ``"expected"``: the string returned by ``Formatter(fmt, datefmt).format(record)``;
    * ``"error"``: ``str(e)`` of the ``ValueError`` raised by the constructor
      (format validation);
    * ``"format_error"``: ``"<ExceptionType>: <message>"`` raised by ``format()``.

    The formatter's ``converter`` is ``time.gmtime`` so ``asctime`` is UTC.

``strftime.json``
    ``{"datefmt", "created", "expected"}`` where
    ``expected == time.strftime(datefmt, time.gmtime(created))`` (glibc, C
    locale), for the directives listed in ``CORE_DIRECTIVES``.

``strftime_glibc_extras.json``
    Same shape as ``strftime.json`` but for glibc-specific behaviour that is
    *not* required by the spec (``%k``, ``%-d``, ``%G``, unknown directives,
    a trailing ``%`` ...), then the odder flag, width and modifier
    combinations of ``GLIBC_FLAG_CASES`` on a few timestamps.  The data
    depends on the C library (recorded with glibc 2.36) and on Python calling
    ``wcsftime``.  Implementations may choose to skip this file.

``levels.json``
    ``logging.getLevelName`` and ``logging._checkLevel`` over a fixed list of
    inputs, after the ``setup`` calls to ``logging.addLevelName``.

``filters.json``
    ``logging.Filter(filter).filter(record)`` for a grid of filter names and
    record names.

``logger_tree.json``
    Scenarios of operations on the logger hierarchy (placeholders, effective
    levels, propagation, handlers, filters, ``lastResort``, ``disable``...).
    Each scenario runs in a fresh interpreter (a subprocess running this file
    with ``--scenario``) so no state leaks between scenarios.  See
    :func:`run_scenario` for the meaning of every op.

How to re-run (from the repository root)::

    python3 tests/golden/generate.py

The script needs CPython 3.11 (the data is version specific: 3.12 changed the
``msecs`` formula and added ``taskName``) and only the standard library.  The
output is deterministic: running it twice yields byte-identical files.  Cases
are written in generation order, which is fixed by this script.
"""

import calendar
import json
import locale
import logging
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def write_json(filename, data):
    """Write ``data`` as pretty JSON (indent=1, UTF-8, trailing newline)."""
    # allow_nan=False: NaN/Infinity are not valid JSON and must never appear.
    text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    with open(os.path.join(HERE, filename), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def utc(year, month, day, hour=0, minute=0, second=0, frac=0.0):
    """POSIX timestamp (float) of a UTC wall-clock time, plus a fraction."""
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) + frac


def dedupe(cases, key_fields):
    """Drop repeated cases (same inputs), keeping the first occurrence."""
    seen = set()
    out = []
    for c in cases:
        key = json.dumps({k: c[k] for k in key_fields}, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


# --------------------------------------------------------------------------
# 1. percent_format.json
# --------------------------------------------------------------------------

# The default record; individual cases override some fields.
BASE_RECORD = {
    "name": "app.db",
    "msg": "hello world",
    "levelno": 20,
    "pathname": "/srv/app/db/models.py",
    "lineno": 42,
    "funcName": "save",
    "created": 1795536741.7239,  # 2026-11-24 16:12:21.7239 UTC (a Tuesday)
    "relativeCreated": 1234.5678,
    "thread": 140234567890123,
    "threadName": "MainThread",
    "process": 4242,
    "processName": "MainProcess",
    "extras": {},
}


# Every record description made by rec(), keyed by its canonical JSON text,
# with the id it is written under in percent_format.json's "records" table.
RECORD_IDS = {}


def record_key(desc):
    """Canonical JSON text of a record description (identifies its content)."""
    return json.dumps(desc, sort_keys=True, ensure_ascii=False, allow_nan=False)


def auto_record_id(overrides):
    """An id spelling out the overrides: ``levelno=25``, ``extras:v="x"``..."""
    if not overrides:
        return "base"
    parts = []
    for k, v in overrides.items():
        if k == "extras":
            parts.extend("extras:%s=%s" % (ek, json.dumps(ev, ensure_ascii=False))
                         for ek, ev in v.items())
        else:
            parts.append("%s=%s" % (k, json.dumps(v, ensure_ascii=False)))
    return " ".join(parts)


def rec(record_id=None, **overrides):
    """A record description: BASE_RECORD with some fields replaced.

    The description is registered in ``RECORD_IDS`` under ``record_id`` (or an
    id derived from the overrides).  A description with the same content as
    an earlier one keeps the earlier id, so each record is written once.
    """
    r = dict(BASE_RECORD)
    r["extras"] = {}
    for k, v in overrides.items():
        if k not in r:
            raise KeyError(k)
        r[k] = v
    key = record_key(r)
    if key not in RECORD_IDS:
        rid = record_id or auto_record_id(overrides)
        if rid in RECORD_IDS.values():
            raise ValueError("record id %r used for two different records" % rid)
        RECORD_IDS[key] = rid
    return r


def compact_records(cases):
    """Replace each case's record description by its id; return the table.

    The table lists the records in order of first use, so the output stays
    deterministic.
    """
    table = {}
    out = []
    for case in cases:
        rid = RECORD_IDS[record_key(case["record"])]
        table.setdefault(rid, case["record"])
        out.append(dict(case, record=rid))
    return {"records": table, "cases": out}


def make_record(desc):
    """Build a real ``logging.LogRecord`` from a record description.

    ``args`` is always ``()`` so ``record.message == str(record.msg)``;
    ``levelname``, ``filename`` and ``module`` are derived by CPython from
    ``levelno`` and ``pathname``.  Fields that CPython fills from the running
    process (time, thread, process) are then overwritten with the described
    values, ``msecs`` using CPython 3.11's own formula.
    """
    r = logging.LogRecord(desc["name"], desc["levelno"], desc["pathname"],
                          desc["lineno"], desc["msg"], (), None,
                          func=desc["funcName"])
    created = desc["created"]
    r.created = created
    r.msecs = int((created - int(created)) * 1000) + 0.0  # as in 3.11 LogRecord
    r.relativeCreated = desc["relativeCreated"]
    r.thread = desc["thread"]
    r.threadName = desc["threadName"]
    r.process = desc["process"]
    r.processName = desc["processName"]
    for key, value in desc["extras"].items():
        setattr(r, key, value)
    return r


def run_format_case(fmt, datefmt, desc):
    """Run one Formatter case and return the complete case dict."""
    case = {"fmt": fmt, "datefmt": datefmt, "record": desc}
    try:
        f = logging.Formatter(fmt, datefmt)
    except ValueError as e:
        case["error"] = str(e)
        return case
    f.converter = time.gmtime  # UTC: independent of the machine's time zone
    try:
        case["expected"] = f.format(make_record(desc))
    except Exception as e:  # noqa: BLE001 - we record whatever CPython raises
        case["format_error"] = type(e).__name__ + ": " + str(e)
    return case


STANDARD_ATTRS = [
    "name", "msg", "message", "levelname", "levelno", "pathname", "filename",
    "module", "lineno", "funcName", "created", "msecs", "relativeCreated",
    "thread", "threadName", "process", "processName", "asctime", "exc_text",
    "stack_info",
]

# Interesting timestamps: various fractional parts, months, years.
CREATED_VALUES = [
    1795536741.7239,            # brief's reference value (2026-11-24, Tue, PM)
    1795536741.0,               # no fraction
    1795536741.9999,            # fraction rounds down to 999 ms
    1795536741.999,             # 999 ms
    1795536741.001,             # float error: msecs is 0, not 1
    1700000000.001,             # float error: msecs is 0, not 1
    1700000000.5,
    0.5,                        # the epoch
    0.0,
    2.5,                        # .0f rounds half to even
    -1.5,                       # before the epoch: negative msecs
    utc(2024, 2, 29, 0, 5, 9, 0.25),      # leap day, just after midnight
    utc(2000, 2, 29, 12, 0, 0, 0.125),    # leap day of a century leap year
    utc(1999, 12, 31, 23, 59, 59, 0.999),  # last second of 1999; 998 ms (!)
    utc(1985, 7, 4, 9, 30, 0),             # July, year < 2000, AM
    utc(1969, 7, 20, 20, 17, 40),          # negative timestamp
    utc(2038, 1, 19, 3, 14, 8),            # just past the 32-bit limit
    utc(2100, 3, 1, 13, 0, 0, 0.042),      # 2100 is not a leap year; 41 ms (!)
    utc(2262, 4, 11, 23, 47, 16, 0.854),   # beyond 64-bit ns limit
    utc(9999, 12, 31, 23, 59, 59),         # largest 4-digit year
]

# strftime directives required by the spec (glibc, C locale).
CORE_DIRECTIVES = [
    "%Y", "%m", "%d", "%H", "%M", "%S", "%y", "%b", "%B", "%a", "%A", "%j",
    "%p", "%I", "%z", "%Z", "%%", "%e", "%D", "%T", "%F", "%R", "%U", "%W",
    "%w", "%u", "%C", "%h", "%c", "%x", "%X",
]

# Extra values for the conversion matrix: one list per JSON type.
EXTRA_VALUES = [
    # str
    "alice", "", "x", "it's", "say \"hi\" it's", "héllo", "😀", "line1\nline2",
    "tab\there", "bell\x07", "zero\u200bwidth", "42", "日本",
    # int
    0, 42, -42, 255, 9007199254740993, 9223372036854775807,
    -9223372036854775808, 1114111, 1114112, -1,
    # float
    0.0, -0.0, 3.0, 2.5, -2.5, 3.14159, 0.1 + 0.2, 1e15, 1e16, 1e22,
    123456789.125, 1e-4, 1e-5, 5e-324, 1e300, 1.7976931348623157e308, -1.5,
    617989394824087.2,  # exactly halfway between two shortest reprs: ...087.2 (even)
    # bool
    True, False,
    # None
    None,
]

CONVERSIONS = list("sradiufFeEgGxXoc")


def percent_format_cases():
    cases = []

    def add(fmt, datefmt=None, record=None):
        cases.append(run_format_case(fmt, datefmt, record or rec()))

    # Records with different levels, paths, names and function names.
    records = [
        rec(),
        rec("root_thread_worker", name="root", levelno=5, pathname="script", funcName=None,
            created=0.5, relativeCreated=0.0, thread=1, threadName="Thread-1 (worker)",
            process=1, processName="SpawnProcess-1", lineno=1),
        rec("unicode", name="модуль.тест", levelno=25, msg="日本語 ✓ 😀",
            pathname="C:\\proj\\win.py", funcName="<module>", lineno=0,
            created=utc(2024, 2, 29, 0, 5, 9, 0.25)),
        rec("critical_archive_1999", name="a.b.c", levelno=50,
            pathname="/opt/pkg/archive.tar.gz",
            funcName="", created=utc(1999, 12, 31, 23, 59, 59, 0.999),
            relativeCreated=98765.4321, lineno=99999),
        rec("error_empty", levelno=40, pathname="", msg=""),
        rec("warning_dir_path", levelno=30, pathname="/a/b/"),
        rec("debug_hidden_file", levelno=10, pathname=".hidden"),
        rec("debug_dotted_module", levelno=10, pathname="relative/dir/mod.name.py"),
    ]

    # -- every standard attribute via %(attr)s, against every record --------
    for r in records:
        for attr in STANDARD_ATTRS:
            add("%%(%s)s" % attr, None, r)
    # Attributes that exist on the record but are rarely formatted, and
    # ``taskName`` which only exists from 3.12 on (so it is missing here).
    for attr in ["args", "exc_info", "taskName"]:
        add("%%(%s)s" % attr)

    # -- classic formats, for each level --------------------------------------
    classic = [
        "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
        logging.BASIC_FORMAT,
        "%(levelname)-8s %(message)s",
        "%(asctime)s.%(msecs)03d %(levelname)s %(message)s",
        "%(created)f %(message)s",
        "[%(relativeCreated)d] %(message)s",
        "%(thread)d:%(threadName)s %(process)d:%(processName)s",
        "%(filename)s:%(lineno)d %(funcName)s() %(module)s",
        "%(levelname)s:%(name)s:%(message)s",
        "%(pathname)s(%(lineno)d): %(levelname)s: %(message)s",
    ]
    for levelno in [5, 10, 20, 25, 30, 40, 50]:
        for fmt in classic[:3]:
            add(fmt, None, rec(levelno=levelno))
    for fmt in classic[3:]:
        add(fmt)

    # -- flags, widths, precisions on standard attributes ---------------------
    for fmt in [
        "%(levelname)8s|", "%(levelname)-8s|", "%(levelname)08s|", "%(levelname)-08s|",
        "%(levelname).1s", "%(levelname).0s|", "%(levelname)5.1s|", "%(levelname)-5.1s|",
        "%(name)20s|", "%(name)-20s|", "%(name).3s", "%(message).3s", "%(message)10.3s|",
        "%(message)-10.3s|", "%(message)+s", "%(message) s", "%(message)#s",
        "%(message)0s", "%(message)-0s|", "%(message)30s|",
        "%(levelno)5d|", "%(levelno)-5d|", "%(levelno)05d", "%(levelno)-05d|",
        "%(levelno)+d", "%(levelno) d", "%(levelno)+05d", "%(levelno) 5d|",
        "%(levelno)5.3d", "%(levelno).3d", "%(levelno).0d", "%(levelno)-+6.3d|",
        "%(levelno)#x", "%(levelno)#X", "%(levelno)#o", "%(levelno)#06x",
        "%(levelno)-#6x|", "%(levelno)#d", "%(levelno)ld", "%(levelno)hd",
        "%(levelno)Ld", "%(lineno)03d", "%(lineno)+.5i", "%(thread)x",
        "%(thread)X", "%(process)o", "%(process)#o",
        "%(created).2f", "%(created).0f", "%(created)#.0f", "%(created)20.3f|",
        "%(created)-20.3f|", "%(created)020.3f", "%(created)+f", "%(created) f",
        "%(created).10g", "%(created).3e", "%(created)#g", "%(created)r",
        "%(created)d", "%(created)i", "%(created)x",
        "%(msecs)03d", "%(msecs)d", "%(msecs)s", "%(msecs)f", "%(msecs).1f",
        "%(relativeCreated)d", "%(relativeCreated).3f", "%(relativeCreated)s",
        "%(relativeCreated)e", "%(lineno)s", "%(lineno)r", "%(funcName)r",
        "%(funcName)10s|", "%(name)r", "%(name)a", "%(message)r", "%(message)a",
        "%(message)5r|", "%(message).4r", "%(asctime)-30s|", "%(asctime)30s|",
        "%(asctime).10s", "%(asctime)r",
    ]:
        add(fmt)
    # Same attribute-level specifiers on records with negative/zero numbers.
    for fmt in ["%(created).0f", "%(created)d", "%(msecs)03d", "%(msecs)d",
                "%(created)f", "%(created)s"]:
        for created in [0.5, 1.5, 2.5, -1.5, -0.25]:
            add(fmt, None, rec(created=created))

    # -- conversion matrix on an int, a float and a str attribute -------------
    for attr in ["levelno", "created", "message"]:
        for conv in CONVERSIONS + ["%"]:
            add("%%(%s)%s" % (attr, conv))
    # %c of the message: a one-character message works, others do not.
    for msg in ["x", "😀", "", "xy"]:
        add("%(message)c", None, rec(msg=msg))
    # %c of the level number: levels 5/10/20 are control characters.
    for levelno in [5, 10, 20, 25, 30, 40, 50]:
        add("%(levelno)c", None, rec(levelno=levelno))

    # -- extras of each type with every conversion ----------------------------
    for value in EXTRA_VALUES:
        for conv in CONVERSIONS:
            add("%%(v)%s" % conv, None, rec(extras={"v": value}))
    # Extras with flags/width/precision, and several extras at once.
    ex = {"user": "alice", "count": 42, "ratio": 3.14159, "flag": True,
          "nothing": None, "neg": -7, "big": 1e16, "whole": 3.0}
    for fmt in [
        "%(user)s %(count)d %(ratio).2f %(flag)s %(nothing)s",
        "%(user)10s|", "%(user)-10s|", "%(user)10r|", "%(user).2r", "%(user)a",
        "%(count)+05d", "%(count)#06x", "%(count)-#8o|", "%(count)e", "%(count).2f",
        "%(count)08.3f", "%(count)c", "%(neg)05d", "%(neg)x", "%(neg)#x",
        "%(neg)+d", "%(neg) d", "%(neg)o", "%(neg).3d", "%(neg)08.2f",
        "%(ratio)08.3f", "%(ratio)+.3e", "%(ratio) g", "%(ratio).0f", "%(ratio)-10.1f|",
        "%(ratio)#.0f", "%(ratio)10.4g|", "%(ratio)d", "%(ratio)05d",
        "%(flag)5s|", "%(flag)d", "%(flag)+d", "%(flag).1s", "%(flag)r",
        "%(nothing)-6s|", "%(nothing).2s", "%(nothing)r",
        "%(big)s", "%(big)r", "%(big)d", "%(big)g", "%(big).17g", "%(big)f",
        "%(whole)s", "%(whole)d", "%(whole)g", "%(whole)#g", "%(whole).0f",
        "%(user)d", "%(nothing)d", "%(ratio)x", "%(flag)x", "%(nothing)f",
        "%(user)s %(missing)s",
    ]:
        add(fmt, None, rec("extras_mix", extras=ex))
    # Width counts code points, not bytes or display columns.
    for user in ["e\u0301", "日本", "😀", "héllo"]:
        for fmt in ["%(user)-6s|", "%(user)6s|", "%(user).1s|"]:
            add(fmt, None, rec(extras={"user": user}))

    # -- unusual field names ---------------------------------------------------
    add("%(ключ)s", None, rec(extras={"ключ": "значение"}))       # unicode \w
    add("%(a-b)s", None, rec(extras={"a-b": "x"}))                 # fails validation
    add("%(message)s %(a-b)s", None, rec(extras={"a-b": "x"}))     # ...but works here
    add("%(message)s %(my key)s", None, rec(extras={"my key": 1}))
    add("%(message)s %(a(b))s", None, rec(extras={"a(b)": 2}))     # nested parens
    add("%(_private)s %(x1)s", None, rec(extras={"_private": "p", "x1": 1}))
    add("%(message)s %(it's)s")                                    # KeyError repr

    # -- CPython's order: formatting runs left to right and raises at the first
    # problem, *after* looking up the key of the directive where it stops -----
    for fmt in ["%(levelno)*d", "%(message)s %(levelno)*d", "%(nope)*d", "%(levelno).*f",
                "%(levelno)*", "%(message)*", "%(levelno)hhd", "%(message)\u00e9",
                "%(message)\x1f", "%(message)99999999999999999999s",
                "%(message).99999999999s", "%*s %(message)s", "%y %(message)s",
                "%(message)s %(nope", "%(nope)s %(message", "%(funcName)d %y",
                "%(message)d %", "%(levelno)c %s", "%(asctime)s %(message)5",
                # a directive without a key converts the record's __dict__ itself
                "%d %(message)s", "%x %(message)s", "%f %(message)s", "%c %(message)s",
                # validation uses Python's Unicode \w and \d, and re.I case folding
                "%(\u0928\u093e\u092e)s", "%(\u24b6)s %(message)s", "%(message)\u0663s",
                "%(message)\u017f", "%(message)\u0130", "%(message).\u0663s"]:
        add(fmt)
    for fmt in ["%(count)*d", "%(flag)*d", "%(user)*d", "%(nothing)*d", "%(count)*",
                "%(ratio)*d", "%(count).*f", "%(user)s %(count)s %(missing)*d"]:
        add(fmt, None, rec("extras_mix", extras=ex))

    # -- literal %, unicode, empty and multi-line messages --------------------
    for fmt in ["%(message)s %%", "100%% %(message)s", "%%(message)s",
                "%%%(message)s%%", "%%%%(message)s %(message)s",
                "→ %(message)s ←", "%(levelname)s » %(name)s » %(message)s",
                "%(message)s\n%(name)s", "\t%(message)s\r\n"]:
        add(fmt)
    for msg in ["", "日本語 ✓ 😀", "line one\nline two\n", "\n", "100% sure %(name)s %s",
                "  padded  ", "tab\tand\rcarriage", "null\x00byte", "é" * 40]:
        add("%(name)s: %(message)s", None, rec(msg=msg))
        add("%(message)-10s|", None, rec(msg=msg))
    for name in ["", "модуль.тест", "a.b.c.d.e.f", "root", "日本"]:
        add("[%(name)-12s] %(message)s", None, rec(name=name))

    # -- missing fields --------------------------------------------------------
    for fmt in ["%(nope)s", "%(message)s %(nope)s", "%(Message)s", "%(levelName)s",
                "%()s", "%(message)s %()s", "%(nope)d", "%(message)d %(nope)s",
                "%(nope)s %(message)d", "%(nope)s %y", "%(message)s %(nope)"]:
        add(fmt)

    # -- formats rejected by the constructor (or accepted though odd) ---------
    for fmt in ["hello", "%(message)", "%(message)y", "", " ", "%s", "%d %s",
                "%(message)s %", "%(message)s %y", "%(message)s %s", "%(message)*d",
                "%(message).*s", "%(message)S", "%(levelno)D", "%(message)s%(levelname)",
                "%(message)s %(", "%(message", "%%", "%%(message)",
                "%(message)5", "%(message)-", "%(message)ls", "%(message)z",
                "%(message)%", "%(message)5%", "%(levelno)5.2.3d", "%(message)s %5",
                "{message}", "$message", "%(message)s %(name)", "%(message)s %(name)y",
                "% (message)s", "%(message)s % d", "%(message)s %-", "%(message)s %#",
                "%(message)s %(name)s %d", "%(message)s %c", "%(message)s %%s",
                "%(message)s %(levelno)ld", "%(message)s %(levelno)lld",
                "%(message)s %(levelno)Lf", "%(message)s %(name)-*s",
                "%(MESSAGE)S", "%(message)R", "%(levelno)X", "%(levelno)I", "%(levelno)U",
                "%(levelno)O", "%(created)E", "%(created)F", "%(created)G", "%(levelno)C",
                "%(message)A"]:
        add(fmt)

    # -- created / msecs / default asctime across many timestamps --------------
    for created in CREATED_VALUES:
        r = rec(created=created)
        add("%(asctime)s", None, r)
        add("%(asctime)s | %(msecs)03d | %(msecs)s | %(created)f | %(created)s", None, r)

    # -- datefmt ---------------------------------------------------------------
    date_samples = [
        1795536741.7239,                        # Tue, 16:12:21 PM, November
        utc(2024, 2, 29, 0, 5, 9, 0.25),        # Thu, leap day, 00:05 AM
        utc(1999, 1, 3, 12, 0, 7),              # Sun, noon, early-January weeks
        utc(2045, 6, 5, 7, 8, 9, 0.5),          # Mon, AM, year > 2038
    ]
    for created in date_samples:
        for directive in CORE_DIRECTIVES:
            add("%(asctime)s", directive, rec(created=created))
    for datefmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%d/%b/%Y:%H:%M:%S %z",
                    "%a, %d %b %Y %H:%M:%S %Z", "[%x %X]", "%c", "%I:%M:%S %p",
                    "%A %B %e %Y", "%D %T", "%F %R", "week %U/%W day %w/%u/%j",
                    "%C%y", "%h %e", "%%Y is %Y", "no directives", "%Y年%m月%d日",
                    "%H:%M:%S.%%03d", "%Y-%m-%d %H:%M:%S,%f"]:
        add("%(asctime)s", datefmt)
    # Empty datefmt is falsy: the default format *with* milliseconds is used.
    add("%(asctime)s", "")
    # datefmt is ignored when the format does not use %(asctime).
    add("%(message)s", "%Y")
    add("%(asctime)s.%(msecs)03d %(message)s", "%H:%M:%S")
    add("%(asctime)s %(message)s", "%Y", rec(created=utc(1969, 7, 20, 20, 17, 40)))
    add("%(asctime)s %(message)s", "%Y", rec(created=utc(9999, 12, 31, 23, 59, 59)))
    # "%(asctime)" is detected by substring: even an escaped one triggers it.
    add("%%(asctime)s %(message)s", "%Y")

    return compact_records(dedupe(cases, ["fmt", "datefmt", "record"]))


# --------------------------------------------------------------------------
# 2. strftime.json (+ glibc extras)
# --------------------------------------------------------------------------

STRFTIME_TIMESTAMPS = [
    0.0,                                   # 1970-01-01 Thu 00:00:00
    utc(2023, 1, 1, 0, 0, 0),              # Sun: %U=01, %W=00
    utc(2024, 1, 1, 12, 0, 0),             # Mon noon: %U=00, %W=01, leap year
    utc(2021, 1, 1, 11, 59, 59),           # Fri: both weeks 00, 11 AM
    utc(2020, 12, 31, 23, 59, 59),         # Thu, day 366 of a leap year
    utc(2024, 2, 29, 13, 1, 2),            # leap day, 1 PM
    utc(2025, 3, 4, 1, 2, 3),              # Tue, 1 AM
    utc(2025, 6, 18, 6, 30, 0),            # Wed
    utc(2025, 8, 9, 18, 45, 15),           # Sat, 6 PM
    utc(2026, 10, 2, 9, 5, 7),             # Fri
    1795536741.7239,                       # Tue, November, fraction ignored
    utc(1999, 12, 31, 23, 59, 59, 0.5),    # end of 1999
    utc(2000, 1, 1, 0, 0, 0),              # start of 2000 (Sat)
    utc(1900, 3, 1, 12, 0, 0),             # year < 1970, %C=19, %y=00
    utc(2038, 1, 19, 3, 14, 8),            # past the 32-bit limit
    utc(2100, 12, 31, 12, 0, 0),           # not a leap year: day 365
    utc(9999, 12, 31, 23, 59, 59),         # largest 4-digit year
]

STRFTIME_COMBOS = [
    "%Y-%m-%d %H:%M:%S", "%a %b %e %H:%M:%S %Y", "%A, %B %d, %Y %I:%M %p",
    "%D %T %z %Z", "%F %R", "%U %W %w %u %j", "%C|%y|%Y", "100%% %Y", "",
    "plain text", "%H%M%S", "%h/%d",
]

# glibc behaviour beyond the required set (%s is excluded: it uses mktime and
# thus the machine's local time zone).
GLIBC_EXTRAS = [
    "%k", "%l", "%P", "%G", "%g", "%V", "%n", "%t", "%r", "%E", "%Ey", "%EY",
    "%Od", "%OH", "%-d", "%-m", "%-H", "%-I", "%-j", "%_d", "%_m", "%0e", "%^a",
    "%^B", "%#Z", "%#b", "%5Y", "%10A", "%-5d", "%f", "%Q", "%i", "%L", "%",
    "abc%", "%5", "%+",
]


# glibc's flags, widths and modifiers in their odder combinations (checked on
# a few timestamps only): the width pads the sign and the digits of %z each,
# '#' changes case differently per directive, a bad directive is copied with
# its width, Python returns "" when the text outgrows its buffer (%5000Y).
GLIBC_FLAG_CASES = [
    "%_5z", "%010z", "%-z", "%3z", "%-5Q", "%^5q", "%#Eb", "%#Ea", "%10D", "%010D",
    "%^c", "%#c", "%#p", "%^P", "%#P", "%^p", "%E5Y", "%5EY", "%O5d", "%_05d", "%0_5d",
    "%-3e", "%03e", "%_3e", "%+Y", "%3C", "%10n", "%5t", "%5000Y", "%600Y", "%^#Z",
    "%^10B", "%010A", "%\u00e9", "%5\u00e9", "%_3%", "%5%", "%Ob", "%OB", "%Eb", "%Ec",
    "%Oc", "%Ex", "%EX", "%OX", "%OY", "%Ey", "%Oy", "%EC", "%OC", "%ER", "%Ou", "%Ez",
    "%EZ", "%E%", "%-5k", "%_l", "%-j", "%_10j", "%-10j", "%5g", "%_G", "%4u", "%03w",
]
GLIBC_FLAG_TIMESTAMPS = [
    0.0,
    1795536741.7239,
    utc(2024, 2, 29, 13, 1, 2),
]


def strftime_cases(directives, timestamps=None):
    cases = []
    for created in timestamps or STRFTIME_TIMESTAMPS:
        for datefmt in directives:
            cases.append({"datefmt": datefmt, "created": created,
                          "expected": time.strftime(datefmt, time.gmtime(created))})
    return dedupe(cases, ["datefmt", "created"])


# --------------------------------------------------------------------------
# 3. levels.json
# --------------------------------------------------------------------------

LEVEL_SETUP = [[5, "TRACE"]]
LEVEL_INPUTS = [0, 5, 10, 20, 25, 30, 40, 50, 51, -1, "DEBUG", "INFO", "WARN",
                "WARNING", "FATAL", "CRITICAL", "NOTSET", "info", "FOO",
                "Level 25", "TRACE"]


def levels_data():
    # addLevelName(5, "TRACE") has been done in main() before anything else.
    get_level_name = [{"input": x, "output": logging.getLevelName(x)}
                      for x in LEVEL_INPUTS]
    check_level = []
    for x in LEVEL_INPUTS:
        try:
            check_level.append({"input": x, "output": logging._checkLevel(x)})
        except (ValueError, TypeError) as e:
            check_level.append({"input": x, "error": str(e)})
    return {"setup": LEVEL_SETUP, "get_level_name": get_level_name,
            "check_level": check_level}


# --------------------------------------------------------------------------
# 4. filters.json
# --------------------------------------------------------------------------

FILTER_NAMES = ["", "A", "A.B", "A.B.", "a", "B", "AB", "A.", ".", "A.B.C"]
FILTER_RECORD_NAMES = ["A", "A.B", "A.B.C", "A.B.", "A.BB", "B.A.B", "AB", "a.b",
                       "A.B.C.D", "", "A..B", "A.B..C", ".A", "root", "A.b"]


def filter_cases():
    cases = []
    for fname in FILTER_NAMES:
        flt = logging.Filter(fname)
        for rname in FILTER_RECORD_NAMES:
            record = logging.LogRecord(rname, logging.INFO, "", 0, "m", (), None)
            cases.append({"filter": fname, "record_name": rname,
                          "passes": bool(flt.filter(record))})
    return cases


# --------------------------------------------------------------------------
# 5. logger_tree.json
# --------------------------------------------------------------------------


def run_scenario(ops):
    """Execute ``ops`` against the (fresh) ``logging`` module; return results.

    Ops (``results[i]`` is the result of ``ops[i]``, ``None`` when none):

    * ``["get", name]``: ``getLogger(name)``; ``""`` and ``"root"`` are root.
    * ``["set_level", name, level]``: ``getLogger(name).setLevel(level)``.
    * ``["set_propagate", name, bool]`` / ``["set_disabled", name, bool]``.
    * ``["add_handler", name, handler_id, level]``: attach a recording handler.
    * ``["add_null_handler", name]``: attach a ``logging.NullHandler``.
    * ``["add_logger_filter", name, filter_name]``: ``logging.Filter(filter_name)``.
    * ``["add_handler_filter", handler_id, filter_name]``: same, on a handler.
    * ``["log", name, level, msg]`` -> ids of the handlers that emitted, in call
      order; ``"<lastResort>"`` if ``logging.lastResort`` emitted.
    * ``["parent", name]`` -> ``getLogger(name).parent.name`` (null for root).
    * ``["effective", name]`` -> ``getEffectiveLevel()``.
    * ``["is_enabled", name, level]`` -> ``isEnabledFor(level)``.
    * ``["disable", level]``: ``logging.disable(level)``.
    * ``["has_handlers", name]`` -> ``hasHandlers()``.
    * ``["child", name, suffix]`` -> ``getLogger(name).getChild(suffix).name``.
    """
    emitted = []

    class Recorder(logging.Handler):
        """A handler that records its id each time it emits."""

        def __init__(self, handler_id, level):
            super().__init__(level)
            self.handler_id = handler_id

        def emit(self, record):
            emitted.append(self.handler_id)

    # lastResort has level WARNING in CPython; replace it by a recorder.
    logging.lastResort = Recorder("<lastResort>", logging.WARNING)
    handlers = {}
    results = []
    for op in ops:
        kind, args = op[0], op[1:]
        result = None
        if kind == "get":
            logging.getLogger(args[0])
        elif kind == "set_level":
            logging.getLogger(args[0]).setLevel(args[1])
        elif kind == "set_propagate":
            logging.getLogger(args[0]).propagate = args[1]
        elif kind == "set_disabled":
            logging.getLogger(args[0]).disabled = args[1]
        elif kind == "add_handler":
            handlers[args[1]] = Recorder(args[1], args[2])
            logging.getLogger(args[0]).addHandler(handlers[args[1]])
        elif kind == "add_null_handler":
            logging.getLogger(args[0]).addHandler(logging.NullHandler())
        elif kind == "add_logger_filter":
            logging.getLogger(args[0]).addFilter(logging.Filter(args[1]))
        elif kind == "add_handler_filter":
            handlers[args[0]].addFilter(logging.Filter(args[1]))
        elif kind == "log":
            del emitted[:]
            logging.getLogger(args[0]).log(args[1], args[2])
            result = list(emitted)
        elif kind == "parent":
            parent = logging.getLogger(args[0]).parent
            result = None if parent is None else parent.name
        elif kind == "effective":
            result = logging.getLogger(args[0]).getEffectiveLevel()
        elif kind == "is_enabled":
            result = logging.getLogger(args[0]).isEnabledFor(args[1])
        elif kind == "disable":
            logging.disable(args[0])
        elif kind == "has_handlers":
            result = logging.getLogger(args[0]).hasHandlers()
        elif kind == "child":
            result = logging.getLogger(args[0]).getChild(args[1]).name
        else:
            raise ValueError("unknown op %r" % (kind,))
        results.append(result)
    return results


def S(title, *ops):
    """A scenario: a title and a list of ops (results are filled in later)."""
    return {"title": title, "ops": [list(op) for op in ops]}


SCENARIOS = [
    # ---- hierarchy / placeholders -----------------------------------------
    S("placeholder fixup: deep logger first, then ancestors",
      ("get", "p.q.r"), ("parent", "p.q.r"),
      ("get", "p"), ("parent", "p.q.r"), ("parent", "p"),
      ("get", "p.q"), ("parent", "p.q.r"), ("parent", "p.q"), ("parent", "p")),
    S("parents when created top-down",
      ("get", "p"), ("get", "p.q"), ("get", "p.q.r"),
      ("parent", "p"), ("parent", "p.q"), ("parent", "p.q.r")),
    S("placeholder shared by siblings is fixed for both",
      ("get", "a.b.c1"), ("get", "a.b.c2"), ("parent", "a.b.c1"), ("parent", "a.b.c2"),
      ("get", "a.b"), ("parent", "a.b.c1"), ("parent", "a.b.c2"), ("parent", "a.b")),
    S("inserting loggers between existing ancestor and descendant",
      ("get", "a.b.c.d"), ("get", "a"), ("parent", "a.b.c.d"),
      ("get", "a.b.c"), ("parent", "a.b.c.d"), ("parent", "a.b.c"),
      ("get", "a.b"), ("parent", "a.b.c"), ("parent", "a.b.c.d"), ("parent", "a.b")),
    S("string prefix is not an ancestor",
      ("get", "ab.c"), ("get", "a"), ("parent", "ab.c"),
      ("get", "a.bc"), ("get", "a.b"), ("parent", "a.bc"), ("parent", "a.b")),
    S("getChild builds dotted names and links parents",
      ("child", "a", "b"), ("child", "a.b", "c.d"), ("parent", "a.b.c.d"),
      ("parent", "a.b"), ("get", "a.b.c"), ("parent", "a.b.c.d"), ("parent", "a.b.c")),
    S("root is named 'root'; getLogger('root') is the root logger",
      ("parent", "x"), ("parent", ""), ("parent", "root"),
      ("set_level", "root", 10), ("effective", ""), ("effective", "x"),
      ("set_level", "", 40), ("effective", "root"), ("effective", "x")),
    S("root.getChild does not prefix 'root.'",
      ("child", "", "z"), ("child", "root", "z.w"), ("parent", "z.w"),
      ("parent", "z"), ("child", "z", "w")),
    S("a logger literally named 'root.x' hangs off the real root",
      ("get", "root.x"), ("parent", "root.x"), ("child", "root.x", "y"),
      ("parent", "root.x.y"), ("set_level", "root", 10), ("effective", "root.x.y")),
    S("empty segments: 'a..b' then 'a.' then 'a'",
      ("get", "a..b"), ("parent", "a..b"),
      ("get", "a."), ("parent", "a..b"), ("parent", "a."),
      ("get", "a"), ("parent", "a."), ("parent", "a..b"), ("parent", "a")),
    S("empty segments: 'a' first, then 'a..b' skips 'a'",
      ("get", "a"), ("get", "a..b"), ("parent", "a..b"),
      ("get", "a."), ("parent", "a..b"), ("parent", "a."),
      ("set_level", "a", 10), ("effective", "a..b")),
    S("leading and trailing dots, and '.'",
      ("get", ".a"), ("parent", ".a"), ("get", "."), ("parent", "."),
      ("get", "b."), ("parent", "b."), ("get", "b"), ("parent", "b."),
      ("child", "b", ""), ("parent", "b.")),
    S("unicode logger names",
      ("get", "модуль.тест"), ("get", "модуль"), ("parent", "модуль.тест"),
      ("child", "модуль", "日本"), ("parent", "модуль.日本")),

    # ---- levels ------------------------------------------------------------
    S("effective level inherited from nearest ancestor with a level",
      ("set_level", "", 40), ("set_level", "x", 20), ("get", "x.y.z"),
      ("effective", "x.y.z"), ("effective", "x.y"), ("effective", "x"),
      ("effective", "other"), ("is_enabled", "x.y.z", 20), ("is_enabled", "x.y.z", 19),
      ("is_enabled", "other", 30), ("set_level", "x", 0), ("effective", "x.y.z"),
      ("is_enabled", "x.y.z", 20)),
    S("default root level is WARNING; NOTSET everywhere means 0",
      ("effective", ""), ("effective", "a"), ("is_enabled", "a", 30),
      ("is_enabled", "a", 29), ("set_level", "", 0), ("effective", "a"),
      ("is_enabled", "a", 1), ("is_enabled", "a", 0), ("add_handler", "", "h", 0),
      ("log", "a", 1, "m"), ("log", "a", 0, "m")),
    S("a later placeholder fixup changes the effective level",
      ("get", "m.n.o"), ("effective", "m.n.o"), ("is_enabled", "m.n.o", 10),
      ("set_level", "m", 10), ("effective", "m.n.o"), ("is_enabled", "m.n.o", 10),
      ("set_level", "m.n", 50), ("effective", "m.n.o"), ("is_enabled", "m.n.o", 40)),
    S("setLevel invalidates cached isEnabledFor answers",
      ("is_enabled", "a", 20), ("set_level", "", 10), ("is_enabled", "a", 20),
      ("set_level", "a", 30), ("is_enabled", "a", 20), ("is_enabled", "a.b", 20),
      ("set_level", "a", 0), ("is_enabled", "a.b", 20)),
    S("custom level numbers",
      ("set_level", "", 0), ("add_handler", "", "h25", 25), ("add_handler", "", "h5", 5),
      ("log", "a", 24, "m"), ("log", "a", 25, "m"), ("log", "a", 5, "m"),
      ("log", "a", 4, "m"), ("set_level", "a", 25), ("log", "a", 24, "m"),
      ("log", "a", 99, "m")),

    # ---- propagation and handlers -----------------------------------------
    S("ancestor levels are ignored during propagation",
      ("add_handler", "", "h_root", 0), ("set_level", "", 50),
      ("set_level", "a", 50), ("add_handler", "a", "h_a", 0),
      ("set_level", "a.b", 10), ("log", "a.b", 20, "m"), ("log", "a", 20, "m"),
      ("log", "a.b.c", 10, "m"), ("log", "x", 40, "m")),
    S("handlers are called from the originating logger up to root",
      ("add_handler", "", "h0", 0), ("add_handler", "a", "h1", 0),
      ("add_handler", "a", "h2", 0), ("add_handler", "a.b", "h3", 0),
      ("add_handler", "a", "h4", 0), ("log", "a.b.c", 30, "m"), ("log", "a", 30, "m"),
      ("log", "", 30, "m")),
    S("propagate=False stops after that logger's handlers",
      ("add_handler", "", "h_root", 0), ("add_handler", "a", "h_a", 0),
      ("add_handler", "a.b", "h_ab", 0), ("set_propagate", "a", False),
      ("log", "a.b.c", 30, "m"), ("log", "a.b", 30, "m"), ("log", "a", 30, "m"),
      ("log", "z", 30, "m"), ("set_propagate", "a", True), ("log", "a.b", 30, "m")),
    S("propagate=False on the originating logger",
      ("add_handler", "", "h_root", 0), ("add_handler", "a", "h_a", 0),
      ("set_propagate", "a.b", False), ("log", "a.b", 30, "m"),
      ("add_handler", "a.b", "h_ab", 0), ("log", "a.b", 30, "m"),
      ("log", "a.b.c", 30, "m")),
    S("handler levels filter per handler",
      ("set_level", "", 0), ("add_handler", "", "h0", 0), ("add_handler", "", "h20", 20),
      ("add_handler", "", "h30", 30), ("add_handler", "", "h50", 50),
      ("log", "a", 10, "m"), ("log", "a", 20, "m"), ("log", "a", 30, "m"),
      ("log", "a", 49, "m"), ("log", "a", 50, "m"), ("log", "a", 60, "m")),
    S("disabled originating logger drops everything",
      ("add_handler", "", "h_root", 0), ("add_handler", "a", "h_a", 0),
      ("set_disabled", "a", True), ("log", "a", 50, "m"), ("is_enabled", "a", 50),
      ("effective", "a"), ("set_disabled", "a", False), ("log", "a", 50, "m"),
      ("is_enabled", "a", 50)),
    S("disabled ancestor does not stop propagation through it",
      ("add_handler", "", "h_root", 0), ("add_handler", "a", "h_a", 0),
      ("set_disabled", "a", True), ("log", "a.b", 50, "m"), ("is_enabled", "a.b", 50),
      ("set_disabled", "", True), ("log", "a.b", 50, "m"), ("log", "", 50, "m")),

    # ---- filters -------------------------------------------------------------
    S("logger filters apply only on the originating logger",
      ("add_handler", "a", "h_a", 0), ("add_logger_filter", "a", "zzz"),
      ("log", "a.b", 30, "m"), ("log", "a", 30, "m"),
      ("add_logger_filter", "a.b", "a.b"), ("log", "a.b", 30, "m"),
      ("log", "a.b.c", 30, "m")),
    S("a logger filter rejecting the record prevents lastResort too",
      ("add_logger_filter", "a", "b"), ("log", "a", 40, "m"), ("log", "a.x", 40, "m"),
      ("log", "b", 40, "m")),
    S("root logger filter sees records logged on root only",
      ("add_handler", "", "h", 0), ("add_logger_filter", "", "a"),
      ("log", "", 30, "m"), ("log", "a", 30, "m"), ("log", "b", 30, "m"),
      ("add_logger_filter", "root", "root"), ("log", "", 30, "m")),
    S("handler filters select per handler",
      ("add_handler", "", "h1", 0), ("add_handler_filter", "h1", "a"),
      ("add_handler", "", "h2", 0), ("add_handler_filter", "h2", "b"),
      ("add_handler", "", "h3", 0), ("add_handler_filter", "h3", ""),
      ("log", "a.x", 30, "m"), ("log", "b", 30, "m"), ("log", "ab", 30, "m"),
      ("log", "", 30, "m"), ("add_handler_filter", "h1", "a.x"),
      ("log", "a.x", 30, "m"), ("log", "a", 30, "m")),
    S("handler that filters everything out still counts (no lastResort)",
      ("add_handler", "", "h1", 0), ("add_handler_filter", "h1", "zzz"),
      ("log", "a", 30, "m"), ("log", "zzz.q", 30, "m")),

    # ---- lastResort --------------------------------------------------------
    S("lastResort fires only when no handler is found in the chain",
      ("log", "a", 30, "m"), ("log", "a.b", 50, "m"), ("log", "", 40, "m"),
      ("has_handlers", "a"), ("add_handler", "a", "h_a", 0),
      ("log", "a.b", 30, "m"), ("log", "b", 30, "m")),
    S("lastResort level threshold is WARNING",
      ("set_level", "", 0), ("log", "a", 10, "m"), ("log", "a", 20, "m"),
      ("log", "a", 29, "m"), ("log", "a", 30, "m"), ("log", "a", 50, "m"),
      ("log", "a", 5, "m")),
    S("INFO with no handlers and default levels: nothing at all",
      ("log", "a", 20, "m"), ("log", "", 20, "m"), ("log", "a", 30, "m")),
    S("a NullHandler anywhere in the chain suppresses lastResort",
      ("add_null_handler", "a"), ("log", "a.b", 40, "m"), ("log", "a", 40, "m"),
      ("log", "b", 40, "m"), ("has_handlers", "a.b"), ("has_handlers", "b")),
    S("a handler with a higher level suppresses lastResort",
      ("add_handler", "", "h", 50), ("log", "a", 30, "m"), ("log", "a", 40, "m"),
      ("log", "a", 50, "m")),
    S("handlers beyond a propagate=False logger do not count",
      ("add_handler", "", "h", 0), ("set_propagate", "a", False),
      ("log", "a", 30, "m"), ("log", "a.b", 30, "m"), ("log", "b", 30, "m"),
      ("has_handlers", "a"), ("has_handlers", "a.b"), ("has_handlers", "b")),
    S("lastResort is not used for a disabled logger",
      ("set_disabled", "a", True), ("log", "a", 50, "m"), ("log", "a.b", 50, "m")),

    # ---- has_handlers -------------------------------------------------------
    S("hasHandlers walks up until propagate=False",
      ("has_handlers", ""), ("has_handlers", "a.b"), ("add_handler", "", "h", 0),
      ("has_handlers", "a.b"), ("set_propagate", "a", False), ("has_handlers", "a.b"),
      ("has_handlers", "a"), ("add_handler", "a", "h_a", 0), ("has_handlers", "a.b"),
      ("set_propagate", "a.b", False), ("has_handlers", "a.b"), ("has_handlers", "a.b.c"),
      ("add_null_handler", "a.b"), ("has_handlers", "a.b.c")),
    S("hasHandlers ignores handler levels",
      ("add_handler", "", "h", 50), ("has_handlers", "x"), ("is_enabled", "x", 30)),

    # ---- logging.disable ---------------------------------------------------
    S("disable(50): CRITICAL dropped, 51 passes; disable(NOTSET) restores",
      ("add_handler", "", "h", 0), ("log", "a", 50, "m"), ("disable", 50),
      ("log", "a", 50, "m"), ("log", "a", 51, "m"), ("is_enabled", "a", 50),
      ("is_enabled", "a", 51), ("effective", "a"), ("disable", 0),
      ("log", "a", 50, "m"), ("is_enabled", "a", 50)),
    S("disable(20) with NOTSET levels",
      ("set_level", "", 0), ("add_handler", "", "h", 0), ("disable", 20),
      ("log", "a", 10, "m"), ("log", "a", 20, "m"), ("log", "a", 21, "m"),
      ("is_enabled", "", 20), ("is_enabled", "", 21), ("disable", 0),
      ("log", "a", 10, "m")),
    S("disable invalidates cached isEnabledFor; lastResort still applies above it",
      ("is_enabled", "a", 40), ("disable", 40), ("is_enabled", "a", 40),
      ("log", "a", 40, "m"), ("log", "a", 45, "m"), ("disable", 30),
      ("is_enabled", "a", 40), ("log", "a", 40, "m")),
]


def logger_tree_scenarios():
    out = []
    for sc in SCENARIOS:
        # A fresh interpreter per scenario: the logger manager, root handlers,
        # level caches and logging.disable state are all module globals.
        proc = subprocess.run(
            [sys.executable, "-I", os.path.abspath(__file__), "--scenario"],
            input=json.dumps(sc["ops"]), capture_output=True, text=True,
            encoding="utf-8", check=True)
        results = json.loads(proc.stdout)
        assert len(results) == len(sc["ops"]), sc["title"]
        out.append({"title": sc["title"], "ops": sc["ops"], "results": results})
    return out


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def main():
    if sys.version_info[:2] != (3, 11):
        sys.exit("generate.py must be run with CPython 3.11 (found %s)"
                 % sys.version.split()[0])
    # strftime output depends on LC_TIME; pin the C locale.
    locale.setlocale(locale.LC_TIME, "C")
    # The one custom level used throughout (recorded in levels.json "setup").
    for level, name in LEVEL_SETUP:
        logging.addLevelName(level, name)

    outputs = [
        ("percent_format.json", percent_format_cases()),
        ("strftime.json", strftime_cases(CORE_DIRECTIVES + STRFTIME_COMBOS)),
        ("strftime_glibc_extras.json",
         strftime_cases(GLIBC_EXTRAS)
         + strftime_cases(GLIBC_FLAG_CASES, GLIBC_FLAG_TIMESTAMPS)),
        ("levels.json", levels_data()),
        ("filters.json", filter_cases()),
        ("logger_tree.json", logger_tree_scenarios()),
    ]
    for filename, data in outputs:
        write_json(filename, data)
        if filename == "percent_format.json":
            n = len(data["cases"])
        elif isinstance(data, dict):  # levels.json: count the cases in each list
            n = sum(len(v) for k, v in data.items() if k != "setup")
        else:
            n = len(data)
        print("%-28s %5d cases" % (filename, n))


if __name__ == "__main__":
    if sys.argv[1:] == ["--scenario"]:
        # Child process for one logger_tree scenario: ops on stdin (JSON),
        # results on stdout (JSON).
        json.dump(run_scenario(json.loads(sys.stdin.read())), sys.stdout)
    else:
        main()
