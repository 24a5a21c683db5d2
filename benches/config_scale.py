"""CPython's side of benches/config_scale.rs: json.loads + logging.config.dictConfig of a document
of 200,000 top-level keys dictConfig ignores, and of a document of loggers, on a fresh logging
tree (a new process per run). Prints the best of three runs of each step.

CPython's dictConfig of many loggers is quadratic (each `setLevel` clears the cache of every
logger: 4 s for 10,000 loggers, 19 s for 20,000 on the 2-core machine this was written on), so
the loggers document is measured at 10,000 loggers, not 200,000."""

import json
import logging.config
import subprocess
import sys
import time

KEYS = 200_000
LOGGERS = 10_000


def keys_document():
    return '{"version": 1, ' + ", ".join(f'"k{i}": {i}' for i in range(KEYS)) + "}"


def loggers_document():
    entries = ", ".join(f'"app.m{i}": {{"level": "INFO"}}' for i in range(LOGGERS))
    return '{"version": 1, "loggers": {' + entries + "}}"


def timed(text):
    started = time.perf_counter()
    config = json.loads(text)
    parsed = time.perf_counter()
    logging.config.dictConfig(config)
    return parsed - started, time.perf_counter() - parsed


def one_run(which):
    text = keys_document() if which == "keys" else loggers_document()
    print(*timed(text))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one_run(sys.argv[2])
        sys.exit(0)
    for which, label in [("keys", f"{KEYS} keys"), ("loggers", f"{LOGGERS} loggers")]:
        runs = []
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, __file__, "--one", which],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append([float(x) for x in out.stdout.split()])
        print(f"json.loads ({label}): {min(r[0] for r in runs) * 1000:.1f} ms")
        print(f"dictConfig ({label}): {min(r[1] for r in runs) * 1000:.1f} ms")
