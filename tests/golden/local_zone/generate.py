"""Writes ruleless_zones.json: CPython 3.11's `time.localtime` (through glibc) for POSIX `TZ`
values that name a DST zone but give no rules, at instants around both DST changes of several
years (the ones glibc derives from the `posixrules` zone), before 1970, and after the last
transition of `posixrules` (2037), where glibc follows that file's own rule.

Each zone is computed in a fresh interpreter: glibc keeps state from one rule-less `TZ` to the
next within a process. The file records the `posixrules` zone it was made with.

Run: python3 tests/golden/local_zone/generate.py  (on Linux with glibc; writes next to this script)
"""

import calendar
import json
import os
import subprocess
import sys

ZONES = ["CET-1CEST", "GMT0BST", "<+0330>-3:30<+0430>", "AAA3BBB2"]
YEARS = [1960, 1990, 2026, 2036, 2038]

CHILD = r"""
import calendar, json, sys, time

def state(t):
    return time.localtime(t).tm_isdst

def change(lo, hi):
    first = state(lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if state(mid) == first:
            lo = mid
        else:
            hi = mid
    return hi

instants = []
for year in json.loads(sys.argv[1]):
    start = calendar.timegm((year, 1, 1, 0, 0, 0, 0, 0, 0))
    middle = calendar.timegm((year, 7, 1, 0, 0, 0, 0, 0, 0))
    end = calendar.timegm((year, 12, 31, 0, 0, 0, 0, 0, 0))
    instants += [start, middle]
    for lo, hi in ((start, middle), (middle, end)):
        if state(lo) != state(hi):
            t = change(lo, hi)
            instants += [t - 3601, t - 1, t, t + 1, t + 3599, t + 3600]
cases = []
for t in instants:
    lt = time.localtime(t)
    cases.append({"unix": t, "local": time.strftime("%Y-%m-%d %H:%M:%S %Z %z", lt), "dst": lt.tm_isdst})
print(json.dumps(cases))
"""

zones = []
for tz in ZONES:
    env = dict(os.environ, TZ=tz)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(YEARS)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    zones.append({"tz": tz, "cases": json.loads(out)})

out = {
    "python": sys.version.split()[0],
    "posixrules": os.path.realpath("/usr/share/zoneinfo/posixrules"),
    "zones": zones,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ruleless_zones.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
