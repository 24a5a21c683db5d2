#!/usr/bin/env python3
"""Golden data for OtlpHandler, produced by opentelemetry-python's LoggingHandler and
OTLPLogExporter (http/protobuf), decoded with the official OTLP definitions.

The script starts an OTLP/HTTP receiver on 127.0.0.1 (``http.server``) that decodes every
request with ``opentelemetry.proto``'s ``ExportLogsServiceRequest`` (protobuf, or JSON through
``google.protobuf.json_format``), sends the records of ``CASES`` through
``opentelemetry.sdk._logs.LoggingHandler`` with a ``SimpleLogRecordProcessor`` (one request per
record) and an ``OTLPLogExporter``, and writes ``expected.json`` next to this script: the cases
and what arrived for each, as ``json_format.MessageToDict`` gives it (OTLP/JSON field names,
64-bit integers as strings, enums as integers).

With ``--rust``, it also runs ``cargo run --example otlp_replay --features otlp`` against the
same receiver, so that pylog's requests (protobuf, then JSON) are decoded by the official
definitions too, and writes them to ``rust_protobuf.json`` and ``rust_json.json``; and the
lines ``OtlpJsonFormatter`` writes for the same records, each parsed as an
``ExportLogsServiceRequest``, to ``rust_file.json``.

The Rust test ``tests/otlp_records_match_opentelemetry_python.rs`` sends the same cases through
pylog's OtlpHandler to its own receiver and compares field by field; what must differ between
the two (timestamps, the exception's type name and stack trace, the resource's
``telemetry.sdk.*`` values) is masked there, by name.

How to re-run (from the repository root)::

    pip install opentelemetry-proto opentelemetry-sdk opentelemetry-exporter-otlp-proto-http
    python3 tests/golden/otlp/generate.py --rust

Versions used for the committed files: see ``versions`` in ``expected.json``.
"""

import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2

HERE = os.path.dirname(os.path.abspath(__file__))

# Each case is one logging.LogRecord, made with these attributes and handed to the handler.
CASES = [
    {
        "title": "extras of every type",
        "name": "app",
        "levelno": 20,
        "msg": "saved 7 items",
        "extra": [["user", 7], ["ratio", 0.5], ["ok", True], ["who", "ann"]],
    },
    {"title": "WARNING is WARN", "name": "app.db", "levelno": 30, "msg": "slow query"},
    {"title": "CRITICAL is FATAL", "name": "app", "levelno": 50, "msg": "down"},
    {"title": "DEBUG", "name": "app", "levelno": 10, "msg": "details"},
    {"title": "a level between DEBUG and INFO", "name": "app", "levelno": 11, "msg": "debug2"},
    {"title": "a level past the third step", "name": "app", "levelno": 25, "msg": "custom"},
    {"title": "ERROR plus two", "name": "app", "levelno": 42, "msg": "error3"},
    {"title": "FATAL4", "name": "app", "levelno": 53, "msg": "fatal4"},
    {"title": "beyond FATAL4", "name": "app", "levelno": 60, "msg": "beyond"},
    {"title": "below DEBUG is unspecified", "name": "app", "levelno": 5, "msg": "trace"},
    {
        "title": "an exception with a cause",
        "name": "app.db",
        "levelno": 40,
        "msg": "query failed",
        "exc": {"message": "boom", "cause": "connection reset"},
    },
    {
        "title": "a formatter makes the body",
        "name": "app",
        "levelno": 20,
        "msg": "formatted",
        "formatter": "%(levelname)s:%(name)s:%(message)s",
    },
    {
        "title": "unicode and quotes",
        "name": "app",
        "levelno": 20,
        "msg": 'h\u00e9llo "\u2713" \u65e5\u672c',
        "extra": [["path", "C:\\tmp\\x"]],
    },
]
PATHNAME = "/srv/app/worker.rs"
LINENO = 42
FUNC = "handle_job"


class Receiver(BaseHTTPRequestHandler):
    arrived = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        request = logs_service_pb2.ExportLogsServiceRequest()
        if self.headers.get("Content-Type") == "application/json":
            json_format.Parse(body, request)
        else:
            request.ParseFromString(body)
        Receiver.arrived.append(json_format.MessageToDict(request, use_integers_for_enums=True))
        answer = logs_service_pb2.ExportLogsServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def python_side(endpoint):
    os.environ["OTEL_SERVICE_NAME"] = "golden"
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
    from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor

    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(OTLPLogExporter(endpoint=endpoint)))
    handler = LoggingHandler(level=logging.NOTSET, logger_provider=provider)
    logging.addLevelName(5, "TRACE")
    for case in CASES:
        exc_info = None
        if "exc" in case:
            try:
                try:
                    raise ConnectionResetError(case["exc"]["cause"])
                except ConnectionResetError as cause:
                    raise ValueError(case["exc"]["message"]) from cause
            except ValueError:
                exc_info = sys.exc_info()
        record = logging.LogRecord(
            case["name"], case["levelno"], PATHNAME, LINENO, case["msg"], None, exc_info, func=FUNC
        )
        for key, value in case.get("extra", []):
            setattr(record, key, value)
        handler.setFormatter(logging.Formatter(case["formatter"]) if "formatter" in case else None)
        handler.handle(record)
    provider.shutdown()


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/v1/logs"
    python_side(endpoint)
    assert len(Receiver.arrived) == len(CASES), len(Receiver.arrived)
    expected = {
        "versions": {
            "python": sys.version.split()[0],
            **{p: version(p) for p in ["opentelemetry-sdk", "opentelemetry-proto", "opentelemetry-exporter-otlp-proto-http"]},
        },
        "pathname": PATHNAME,
        "lineno": LINENO,
        "func": FUNC,
        "cases": [dict(case, request=request) for case, request in zip(CASES, Receiver.arrived)],
    }
    # The stack trace names this script: by its path in the repository, not on this machine.
    text = json.dumps(expected, indent=1, ensure_ascii=False)
    text = text.replace(os.path.dirname(os.path.dirname(os.path.dirname(HERE))) + "/", "")
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    if "--rust" in sys.argv:
        for protocol, name in [("http/protobuf", "rust_protobuf.json"), ("http/json", "rust_json.json")]:
            Receiver.arrived = []
            subprocess.run(
                ["cargo", "run", "-q", "--example", "otlp_replay", "--features", "otlp", "--",
                 os.path.join(HERE, "expected.json"), endpoint, protocol],
                check=True,
            )
            with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
                json.dump(Receiver.arrived, f, indent=1, ensure_ascii=False)
                f.write("\n")
        # OtlpJsonFormatter's lines, each parsed as an ExportLogsServiceRequest.
        lines_path = os.path.join(HERE, "rust_file.jsonl.tmp")
        subprocess.run(
            ["cargo", "run", "-q", "--example", "otlp_replay", "--features", "otlp", "--",
             os.path.join(HERE, "expected.json"), endpoint, "file:" + lines_path],
            check=True,
        )
        parsed = []
        with open(lines_path, encoding="utf-8") as f:
            for line in f:
                request = logs_service_pb2.ExportLogsServiceRequest()
                json_format.Parse(line, request)
                parsed.append(json_format.MessageToDict(request, use_integers_for_enums=True))
        os.remove(lines_path)
        with open(os.path.join(HERE, "rust_file.json"), "w", encoding="utf-8") as f:
            json.dump(parsed, f, indent=1, ensure_ascii=False)
            f.write("\n")
    server.shutdown()


if __name__ == "__main__":
    main()
