"""Writes cached_asctime.json: CPython 3.11's `%(asctime)s` for a sequence of instants that cross
second boundaries (forwards and back), both DST changes of a zone, and the years before 1970, for
several `datefmt`s (some with would-be sub-second directives, which glibc's strftime keeps as text).

Run: python3 tests/golden/asctime/generate.py  (on Linux with glibc; writes next to this script)
"""

import calendar
import json
import logging
import os
import sys
import time

ZONE = "CET-1CEST,M3.5.0,M10.5.0/3"
os.environ["TZ"] = ZONE
time.tzset()

dst_end = calendar.timegm((2026, 10, 25, 1, 0, 0, 0, 0, 0))  # 03:00 CEST -> 02:00 CET
dst_start = calendar.timegm((2026, 3, 29, 1, 0, 0, 0, 0, 0))  # 02:00 CET -> 03:00 CEST
INSTANTS = [
    1795536741.0,
    1795536741.5,
    1795536741.999,
    1795536742.0,
    1795536742.001,
    1795536741.75,  # back into the second before
    1795536742.25,
    1795536743.0625,
    dst_end - 3601.5,
    dst_end - 1.5,
    dst_end - 0.25,
    dst_end,
    dst_end + 0.999,
    dst_end - 0.125,  # back across the change
    dst_end + 1.0,
    dst_end + 3599.5,
    dst_end + 3600.0,
    dst_start - 0.5,
    dst_start,
    dst_start - 0.0625,
    dst_start + 0.5,
    -1.5,
    -0.25,
    0.0,
    -86400.75,
    -86401.0,
]
DATEFMTS = [
    None,
    "%H:%M:%S.%f %Z %z",
    "%N|%3N|%L|%Ez",
    "%Y-%m-%dT%H:%M:%S%z %a %j",
    "%c",
]


def asctime(created, datefmt, utc):
    formatter = logging.Formatter("%(asctime)s", datefmt)
    if utc:
        formatter.converter = time.gmtime
    record = logging.makeLogRecord({"msg": "x"})
    # What LogRecord.__init__ derives from time.time() in CPython 3.11.
    record.created = created
    record.msecs = int((created - int(created)) * 1000) + 0.0
    return formatter.format(record)


# `%s` only in local time: for a `time.gmtime()` struct, glibc's `%s` is `mktime()` of it, which
# reads the fields as local time (a known difference, not a matter of caching).
cases = []
for utc in (False, True):
    for datefmt in DATEFMTS + ([] if utc else ["%s %H:%M:%S"]):
        for created in INSTANTS:
            cases.append(
                {
                    "utc": utc,
                    "datefmt": datefmt,
                    "created": repr(float(created)),
                    "asctime": asctime(created, datefmt, utc),
                }
            )

out = {
    "python": sys.version.split()[0],
    "zone": ZONE,
    "cases": cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cached_asctime.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
