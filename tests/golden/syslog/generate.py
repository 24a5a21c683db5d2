#!/usr/bin/env python3
"""Record what CPython 3.11's ``logging.handlers.SysLogHandler`` puts on the wire.

For each case of ``CASES`` the script starts a recording server on loopback
(UDP or TCP) or on a Unix datagram socket in a temporary folder, points a
``SysLogHandler`` at it, logs the case's records through a logger, closes the
handler and stores exactly the bytes the server received, as hex:

* ``udp`` and ``unix_dgram``: one hex string per datagram, in arrival order;
* ``tcp``: one hex string, the whole stream (CPython does not frame messages).

The result is ``expected.json`` next to this script: ``{"python", "level_names",
"cases": [{"id", "transport", "facility", "ident", "append_nul", "format",
"records": [{"name", "level", "msg"}], "received": [hex, ...]}]}``.
``facility`` is a name of ``SysLogHandler.facility_names``, an integer, or
null for the default; ``format`` is a ``%``-style format or null for the
default formatter; ``level_names`` are the ``logging.addLevelName`` calls made
first.

Run from the repository root with CPython 3.11 and only the standard library::

    python3 tests/golden/syslog/generate.py
"""

import json
import logging
import logging.handlers
import os
import socket
import sys
import tempfile
import threading

LEVEL_NAMES = [[15, "VERBOSE"]]

ALL_LEVELS = [
    {"name": "app", "level": 10, "msg": "debug line"},
    {"name": "app", "level": 20, "msg": "info line"},
    {"name": "app", "level": 30, "msg": "warning line"},
    {"name": "app", "level": 40, "msg": "error line"},
    {"name": "app", "level": 50, "msg": "critical line"},
    {"name": "app", "level": 25, "msg": "unnamed level 25"},
    {"name": "app", "level": 15, "msg": "custom level VERBOSE"},
    {"name": "app.db", "level": 5, "msg": "unnamed level 5"},
]

NAMED_LEVELS = [r for r in ALL_LEVELS if r["level"] not in (5, 25)]

UNICODE = [
    {"name": "app", "level": 20, "msg": "h\u00e9llo w\u00f6rld \u2014 \u65e5\u672c\u8a9e \u2713"},
    {"name": "app", "level": 40, "msg": "emoji \U0001f600 and tab\tinside"},
]

CASES = [
    {"id": "defaults_udp", "transport": "udp", "facility": None, "ident": "",
     "append_nul": True, "format": None, "records": ALL_LEVELS},
    {"id": "local3_ident_udp", "transport": "udp", "facility": "local3", "ident": "app: ",
     "append_nul": True, "format": None, "records": ALL_LEVELS},
    {"id": "int_facility_no_nul_levelname_udp", "transport": "udp", "facility": 23,
     "ident": "", "append_nul": False, "format": "%(name)s %(levelname)s: %(message)s",
     "records": NAMED_LEVELS},
    {"id": "every_facility_name_udp", "transport": "udp", "facility": "__each__",
     "ident": "", "append_nul": True, "format": None, "records": []},
    {"id": "unicode_udp", "transport": "udp", "facility": "daemon", "ident": "d\u00e6mon: ",
     "append_nul": True, "format": None, "records": UNICODE},
    {"id": "tcp_raw", "transport": "tcp", "facility": "local0", "ident": "svc[42]: ",
     "append_nul": True, "format": "%(levelname)s %(message)s", "records": NAMED_LEVELS},
    {"id": "tcp_no_nul", "transport": "tcp", "facility": "user", "ident": "",
     "append_nul": False, "format": None, "records": ALL_LEVELS + UNICODE},
    {"id": "unix_dgram", "transport": "unix_dgram", "facility": "auth", "ident": "app: ",
     "append_nul": True, "format": None, "records": ALL_LEVELS + UNICODE},
]


def expand(case):
    """The facility case: one INFO record per facility name, each with its own handler."""
    if case["facility"] != "__each__":
        return [case]
    out = []
    for name in logging.handlers.SysLogHandler.facility_names:
        out.append(dict(case, id="facility_" + name, facility=name,
                        records=[{"name": "app", "level": 20, "msg": "facility " + name}]))
    return out


def log_through(handler, case):
    if case["facility"] is not None:
        handler.facility = case["facility"]
    handler.ident = case["ident"]
    handler.append_nul = case["append_nul"]
    if case["format"] is not None:
        handler.setFormatter(logging.Formatter(case["format"]))
    for rec in case["records"]:
        logger = logging.getLogger(rec["name"])
        logger.propagate = False
        logger.setLevel(1)
        logger.handlers = [handler]
        logger.log(rec["level"], rec["msg"])
    handler.close()


def drain_datagrams(sock):
    got = []
    sock.settimeout(0.2)
    while True:
        try:
            got.append(sock.recv(65536))
        except socket.timeout:
            return got


def run_udp(case):
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    handler = logging.handlers.SysLogHandler(address=server.getsockname())
    log_through(handler, case)
    got = drain_datagrams(server)
    server.close()
    return [g.hex() for g in got]


def run_unix_dgram(case):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "log.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        server.bind(path)
        handler = logging.handlers.SysLogHandler(address=path)
        assert handler.socktype == socket.SOCK_DGRAM
        log_through(handler, case)
        got = drain_datagrams(server)
        server.close()
    return [g.hex() for g in got]


def run_tcp(case):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    received = bytearray()

    def serve():
        conn, _ = listener.accept()
        with conn:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                received.extend(chunk)

    thread = threading.Thread(target=serve)
    thread.start()
    handler = logging.handlers.SysLogHandler(address=listener.getsockname(),
                                             socktype=socket.SOCK_STREAM)
    log_through(handler, case)
    thread.join(10)
    listener.close()
    return [bytes(received).hex()]


def main():
    if sys.version_info[:2] != (3, 11):
        sys.exit("CPython 3.11 is needed, this is " + sys.version)
    for level, name in LEVEL_NAMES:
        logging.addLevelName(level, name)
    runners = {"udp": run_udp, "tcp": run_tcp, "unix_dgram": run_unix_dgram}
    cases = []
    for case in CASES:
        for one in expand(case):
            one = dict(one)
            one["received"] = runners[one["transport"]](one)
            cases.append(one)
    out = {"python": sys.version.split()[0], "level_names": LEVEL_NAMES, "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
