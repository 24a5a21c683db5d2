"""Captures what python-systemd's JournalHandler stores in a real journal, for
tests/journal_entries_reach_a_real_journald.rs to compare ours with, field by field.

Needs root, /lib/systemd/systemd-journald and journalctl (package systemd), and python-systemd
built against libsystemd-dev:

    apt-get install -y libsystemd-dev pkg-config
    pip install --target /tmp/python-systemd systemd-python==235
    PYTHONPATH=/tmp/python-systemd python3 tests/golden/journald/generate.py

Starts the daemon when /run/systemd/journal/socket is not served (and stops it again), logs the
records below, reads them back with `journalctl -o json --all` filtered by a SYSLOG_IDENTIFIER
unique to the run, and writes python_systemd_entries.json: per record, the fields a client sets
(journald's own `_`/`__` fields dropped), with SYSLOG_IDENTIFIER, CODE_FILE and CODE_LINE masked.
"""

import json
import logging
import os
import socket
import subprocess
import time
import uuid

from systemd.journal import JournalHandler

HERE = os.path.dirname(os.path.abspath(__file__))
SOCKET = "/run/systemd/journal/socket"

# (logger, level, message, extra); the Rust test logs the same list.
RECORDS = [
    ("app", logging.DEBUG, "debug text", {}),
    ("app.db", logging.INFO, "plain info", {}),
    ("app.db", logging.WARNING, "first line\nsecond line\n", {}),
    ("app", logging.ERROR, "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c", {}),
    ("app", logging.CRITICAL, "critical", {}),
    ("app", 5, "level 5", {}),
    ("app", 15, "level 15", {}),
    ("app", 25, "level 25", {}),
    ("app", 35, "level 35", {}),
    ("app", 45, "level 45", {}),
    ("app", 60, "level 60", {}),
    ("app.req", logging.INFO, "with extras",
     {"REQUEST_ID": "r-7", "ATTEMPT": 3, "NOTE": "two\nlines", "MESSAGE_ID": "0123456789abcdef0123456789abcdef"}),
]


def served():
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        probe.connect(SOCKET)
        return True
    except OSError:
        return False
    finally:
        probe.close()


def emit_all(ident):
    handler = JournalHandler(SYSLOG_IDENTIFIER=ident)
    for name, level, message, extra in RECORDS:
        logger = logging.getLogger(name)
        logger.setLevel(1)
        logger.propagate = False
        logger.handlers = [handler]
        logger.log(level, message, extra=extra)


def read_back(ident, count):
    deadline = time.time() + 15
    while True:
        out = subprocess.run(
            ["journalctl", "-o", "json", "--all", "--no-pager", "SYSLOG_IDENTIFIER=" + ident],
            check=True, capture_output=True, text=True,
        ).stdout
        entries = [json.loads(line) for line in out.splitlines() if line.strip()]
        if len(entries) >= count or time.time() > deadline:
            return entries
        time.sleep(0.1)


def main():
    daemon = None
    if not served():
        daemon = subprocess.Popen(["/lib/systemd/systemd-journald"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if served():
                break
            time.sleep(0.1)
    try:
        ident = "pylog-golden-" + uuid.uuid4().hex[:12]
        emit_all(ident)
        entries = read_back(ident, len(RECORDS))
    finally:
        if daemon is not None:
            daemon.terminate()
            daemon.wait()
    assert len(entries) == len(RECORDS), entries
    out = []
    for (name, level, message, extra), entry in zip(RECORDS, entries):
        fields = {k: v for k, v in sorted(entry.items()) if not k.startswith("_")}
        fields["SYSLOG_IDENTIFIER"] = "<ident>"
        fields["CODE_FILE"] = "<file>"
        fields["CODE_LINE"] = "<line>"
        out.append({"logger": name, "level": level, "message": message,
                    "extra": extra, "fields": fields})
    with open(os.path.join(HERE, "python_systemd_entries.json"), "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
