#!/usr/bin/env python3
"""Golden data for BufferingFormatter, produced by CPython 3.11.

Each case builds a ``logging.BufferingFormatter`` (with a line formatter or
CPython's default one) whose ``formatHeader`` / ``formatFooter`` are one of
the named hooks below, formats a batch of records with it, and records the
text, or the exception CPython raised (``"Kind: message"``).  The Rust test
``tests/buffering_formatter_matches_cpython.rs`` builds the same formatter
with the same hooks as closures and compares byte for byte.

How to re-run (from the repository root; CPython 3.11, stdlib only)::

    python3 tests/golden/buffering_formatter/generate.py

It writes ``expected.json`` next to this script.  Formats use no time or
thread attributes, so the output is deterministic.

Each case::

    {"title", "linefmt": null | {"fmt", "style"}, "header": HOOK,
     "footer": HOOK, "records": [{"name", "level", "msg", "exc_text"?,
     "stack_info"?, "extra"?: {key: value}}], "expected"?: text,
     "error"?: "Kind: message"}

Hooks (the Rust test defines the same ones):
    "none"        CPython's default, ""
    "count"       f"{len(records)} records\\n"
    "levels"      ",".join(levelname of each record) + "\\n"
    "first_last"  f"[{records[0].name}..{records[-1].name}]"
"""

import json
import logging
import os
import sys

HOOKS = {
    "none": None,
    "count": lambda records: f"{len(records)} records\n",
    "levels": lambda records: ",".join(r.levelname for r in records) + "\n",
    "first_last": lambda records: f"[{records[0].name}..{records[-1].name}]",
}

RECORDS = {
    "two": [
        {"name": "app", "level": 20, "msg": "one"},
        {"name": "app.db", "level": 40, "msg": "two"},
    ],
    "one": [{"name": "root", "level": 30, "msg": "careful"}],
    "none": [],
    "custom_level": [
        {"name": "a", "level": 25, "msg": "notice"},
        {"name": "b", "level": 50, "msg": "fatal"},
        {"name": "c", "level": 10, "msg": ""},
    ],
    "exc_and_stack": [
        {"name": "app", "level": 40, "msg": "failed", "exc_text": "OSError: disk full"},
        {"name": "app", "level": 30, "msg": "ends in newline\n",
         "stack_info": "Stack (most recent call last):\n  File \"x.py\", line 1, in <module>"},
        {"name": "app", "level": 20, "msg": "after"},
    ],
    "extras": [
        {"name": "web", "level": 20, "msg": "get", "extra": {"user": "alice", "n": 3}},
        {"name": "web", "level": 20, "msg": "put", "extra": {"user": "bob", "n": 12}},
    ],
    "missing_extra": [
        {"name": "web", "level": 20, "msg": "get", "extra": {"user": "alice", "n": 3}},
        {"name": "web", "level": 20, "msg": "no user"},
    ],
}

LINEFMTS = [
    None,
    {"fmt": "%(levelname)s:%(name)s:%(message)s", "style": "%"},
    {"fmt": "%(levelname)-8s|%(message)s\n", "style": "%"},
    {"fmt": "{levelname:>8} {name}: {message!r};", "style": "{"},
    {"fmt": "$levelname $name $message\n", "style": "$"},
    {"fmt": "%(name)s %(user)s %(n)03d\n", "style": "%"},
]


def make_record(spec):
    record = logging.LogRecord(spec["name"], spec["level"], "x.py", 1, spec["msg"], None, None)
    record.exc_text = spec.get("exc_text")
    record.stack_info = spec.get("stack_info")
    for key, value in spec.get("extra", {}).items():
        setattr(record, key, value)
    return record


def build(linefmt, header, footer):
    line = None
    if linefmt is not None:
        line = logging.Formatter(linefmt["fmt"], style=linefmt["style"])
    formatter = logging.BufferingFormatter(line)
    if HOOKS[header] is not None:
        formatter.formatHeader = HOOKS[header]
    if HOOKS[footer] is not None:
        formatter.formatFooter = HOOKS[footer]
    return formatter


def main():
    if sys.version_info[:2] != (3, 11):
        sys.exit("run with CPython 3.11")
    cases = []
    for linefmt in LINEFMTS:
        for records_name, records in RECORDS.items():
            uses_extras = linefmt is not None and "%(user)s" in linefmt["fmt"]
            if uses_extras and records_name not in ("extras", "missing_extra", "none"):
                continue
            for header, footer in [("none", "none"), ("count", "levels"), ("first_last", "count")]:
                case = {
                    "title": f"{linefmt and linefmt['fmt']!r} / {records_name} / {header}+{footer}",
                    "linefmt": linefmt,
                    "header": header,
                    "footer": footer,
                    "records": records,
                }
                formatter = build(linefmt, header, footer)
                try:
                    case["expected"] = formatter.format([make_record(r) for r in records])
                except Exception as e:  # noqa: BLE001 - the golden data records it
                    case["error"] = f"{type(e).__name__}: {e}"
                cases.append(case)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(cases)} cases -> {path}")


if __name__ == "__main__":
    main()
