#!/usr/bin/env python3
"""Golden data for HttpHandler, produced by CPython 3.11's logging.handlers.HTTPHandler.

The script starts a recording HTTP/1.1 server on 127.0.0.1 (a plain socket server, so it sees
the request line, the headers in the order and case they were sent, and the body exactly), logs
a fixed set of records through HTTPHandler configured several ways (GET, GET on a URL that
already has a query, POST with credentials), and writes what arrived to ``expected.json`` next to
this script. The Rust test ``tests/http_requests_match_cpython.rs`` logs the same records through
pylog's HttpHandler against its own recording server and compares.

How to re-run (from the repository root; CPython 3.11, stdlib only)::

    python3 tests/golden/http/generate.py

Values that depend on the run (``created``, ``msecs``, ``relativeCreated``, ``thread``,
``process``, ``pathname``, ``lineno``, ``funcName``, ``module``, ``filename``, the port in
``Host``) are recorded as sent; the Rust test masks them.

``expected.json`` is a list of cases::

    {"title": ..., "method": "GET" | "POST", "url": "/log" | "/log?app=web",
     "credentials": null | [user, password],
     "requests": [{"record": {"name", "levelno", "msg", "extra": [[key, value], ...]},
                   "request_line": "GET /log?... HTTP/1.1",
                   "headers": [[name, value], ...],
                   "body": "..."}]}
"""

import json
import logging
import logging.handlers
import os
import socket
import threading

RECORDS = [
    {"name": "app.http", "levelno": logging.INFO, "msg": "plain message", "extra": {}},
    {
        "name": "app.http",
        "levelno": logging.WARNING,
        "msg": "unicode: h\u00e9llo \u2713 \u65e5\u672c \u2014 \u00fcn\u00efcode",
        "extra": {},
    },
    {
        "name": "app.http",
        "levelno": logging.ERROR,
        "msg": "reserved chars: a&b=c d+e/f%g?h#i ~_.-",
        "extra": {},
    },
    {
        "name": "app.http.extra",
        "levelno": logging.INFO,
        "msg": "with extra",
        "extra": {
            "user": "ann \u00e9",
            "n": 7,
            "negative": -42,
            "ratio": 0.25,
            "huge": 1e16,
            "tiny": 1e-05,
            "whole": 3.0,
            "flag": True,
            "off": False,
            "nothing": None,
        },
    },
    {"name": "app.http", "levelno": logging.CRITICAL, "msg": "line1\nline2\ttab", "extra": {}},
    {"name": "app.http", "levelno": 25, "msg": "custom level", "extra": {}},
]

CASES = [
    {"title": "GET, Python's defaults", "method": "GET", "url": "/log", "credentials": None},
    {
        "title": "GET on a URL with a query: the record follows an &",
        "method": "GET",
        "url": "/log?app=web",
        "credentials": None,
    },
    {
        "title": "POST with credentials: a form body and Basic auth",
        "method": "POST",
        "url": "/ingest/logs",
        "credentials": ["user", "p\u00e4ssw\u00f6rd:x"],
    },
]


class Recorder:
    """A one-thread HTTP/1.1 server that records each request and answers 200."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.handle(conn)

    def handle(self, conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("iso-8859-1").split("\r\n")
        headers = [line.split(": ", 1) for line in lines[1:]]
        length = 0
        for name, value in headers:
            if name.lower() == "content-length":
                length = int(value)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        with self.lock:
            self.requests.append(
                {
                    "request_line": lines[0],
                    "headers": headers,
                    "body": body.decode("utf-8"),
                }
            )
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def main():
    recorder = Recorder()
    host = "127.0.0.1:%d" % recorder.port
    cases = []
    for case in CASES:
        credentials = tuple(case["credentials"]) if case["credentials"] else None
        handler = logging.handlers.HTTPHandler(
            host, case["url"], method=case["method"], credentials=credentials
        )
        requests = []
        for spec in RECORDS:
            logger = logging.getLogger(spec["name"])
            logger.propagate = False
            logger.setLevel(logging.DEBUG)
            logger.handlers = [handler]
            before = len(recorder.requests)
            logger.log(spec["levelno"], spec["msg"], extra=spec["extra"])
            # HTTPHandler.emit waits for the response, so the request has been recorded.
            assert len(recorder.requests) == before + 1
            request = dict(recorder.requests[-1])
            # The extras as [key, value] pairs, so that their order survives any JSON reader.
            request["record"] = dict(spec, extra=[[k, v] for k, v in spec["extra"].items()])
            requests.append(request)
        handler.close()
        out = dict(case)
        out["requests"] = requests
        cases.append(out)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
