"""What the third-party formatters real configurations name write, from the real packages:
python-json-logger, colorlog and uvicorn, each built as dictConfig builds a formatter with `()`
and the case's keyword arguments, then given the records of RECORDS.

    python3 -m pip install python-json-logger==4.2.0 colorlog==6.12.0 uvicorn==0.55.0
    python3 tests/golden/thirdparty/generate.py

Writes expected.json (read by tests/third_party_formatters_match_their_packages.rs): the records,
and for each case its formatter entry and the text each record formats to.

Also runs concurrent-log-handler's ConcurrentRotatingFileHandler (concurrent-log-handler==0.9.31),
configured by dictConfig as each ROTATION case says, in an empty directory, logs the case's
messages through it and writes every log file it left (not its lock file) to rotation.json (read
by tests/concurrent_rotating_handler_matches_the_package.rs).
"""

import json
import logging
import logging.config
import pathlib
import sys
import warnings

HERE = pathlib.Path(__file__).resolve().parent
CREATED = 1700000000.25

# name, level, msg, extras, exc_text, stack_info
RECORDS = [
    ("app", "INFO", "service started", {}, None, None),
    ("app.db", "WARNING", "slow query: 1.5s", {"user": "ana", "rows": 42, "ratio": 0.25, "ok": True, "nothing": None}, None, None),
    ("app", "ERROR", "write failed ü 東京 😀", {}, 'Traceback (most recent call last):\n  File "app.py", line 1, in <module>\nOSError: disk', None),
    ("app", "CRITICAL", "with stack", {"_private": 1}, None, 'Stack (most recent call last):\n  File "app.py", line 9, in <module>'),
    ("app.web", "DEBUG", 'quotes " and \\ backslash\ttab\ncontrol\x01 end', {"path": "/a/\"b\""}, None, None),
]

ACCESS = [
    ("127.0.0.1:51234", "GET", "/items?q=1", "1.1", 200),
    ("10.0.0.7:4000", "POST", "/login", "1.1", 404),
    ("[::1]:9000", "GET", "/boom", "2", 500),
    ("127.0.0.1:1", "GET", "/old", "1.0", 301),
    ("127.0.0.1:2", "GET", "/ws", "1.1", 101),
    ("127.0.0.1:3", "GET", "/odd", "1.1", 799),
]

JSON = "pythonjsonlogger.json.JsonFormatter"
OLD_JSON = "pythonjsonlogger.jsonlogger.JsonFormatter"
COLOR = "colorlog.ColoredFormatter"

CASES = [
    ("json_defaults", {"()": JSON}),
    ("json_percent", {"()": OLD_JSON, "format": "%(levelname)s %(name)s %(message)s"}),
    ("json_brace", {"()": JSON, "fmt": "{levelname} {name} {message} {user}", "style": "{"}),
    ("json_dollar", {"()": JSON, "fmt": "$levelname ${name} $message", "style": "$"}),
    ("json_comma", {"()": JSON, "fmt": "levelname, name,message,missing", "style": ","}),
    ("json_rename_static_timestamp", {"()": JSON, "fmt": "%(levelname)s %(message)s",
                                      "rename_fields": {"levelname": "level", "message": "msg", "user": "who"},
                                      "static_fields": {"service": "api", "version": 3, "tags": ["a", "b"], "meta": {"k": None}},
                                      "timestamp": True}),
    ("json_timestamp_key_no_ascii", {"()": JSON, "fmt": "%(message)s %(levelno)d %(created)f %(lineno)d",
                                     "timestamp": "@timestamp", "json_ensure_ascii": False}),
    ("json_exc_and_stack_fields", {"()": JSON, "fmt": "%(message)s %(exc_text)s %(stack_info)s %(args)s"}),
    ("colorlog_defaults", {"()": COLOR}),
    ("colorlog_custom", {"()": COLOR, "format": "%(log_color)s%(levelname)-8s%(reset)s %(bold_blue)s%(name)s%(reset)s %(message_log_color)s%(message)s",
                         "log_colors": {"DEBUG": "cyan", "INFO": "green", "WARNING": "yellow,bg_black", "ERROR": "red", "CRITICAL": "bold_red,bg_white"},
                         "secondary_log_colors": {"message": {"ERROR": "red", "CRITICAL": "fg_196"}}}),
    ("colorlog_no_reset_brace", {"()": COLOR, "fmt": "{log_color}{levelname}{reset}:{name}:{message}", "style": "{", "reset": False}),
    ("colorlog_no_color", {"()": COLOR, "fmt": "%(log_color)s%(levelname)s%(reset)s %(message)s", "no_color": True}),
    ("uvicorn_default_plain", {"()": "uvicorn.logging.DefaultFormatter", "fmt": "%(levelprefix)s %(message)s", "use_colors": False}),
    ("uvicorn_default_colors", {"()": "uvicorn.logging.DefaultFormatter", "fmt": "%(levelprefix)s %(message)s", "use_colors": True}),
    ("uvicorn_access_plain", {"()": "uvicorn.logging.AccessFormatter",
                              "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s', "use_colors": False}),
    ("uvicorn_access_colors", {"()": "uvicorn.logging.AccessFormatter",
                               "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s', "use_colors": True}),
]


def make_record(name, level, msg, extras, exc_text, stack_info, args=()):
    values = {"name": name, "levelno": logging.getLevelName(level), "levelname": level,
              "msg": msg, "args": args, "exc_text": exc_text, "stack_info": stack_info,
              "created": CREATED, "msecs": 250.0, "relativeCreated": 0.0}
    values.update(extras)
    return logging.makeLogRecord(values)


def build(entry):
    config = {"version": 1, "disable_existing_loggers": False, "formatters": {"f": dict(entry)}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        configurator = logging.config.DictConfigurator(config)
        return configurator.configure_formatter(dict(entry))


ROTATION = [
    ("small_files_two_backups", {"maxBytes": 120, "backupCount": 2}, 20),
    ("no_backups_truncates", {"maxBytes": 100, "backupCount": 0}, 12),
    ("non_ascii_counts_bytes", {"maxBytes": 90, "backupCount": 3, "encoding": "utf-8"}, 15),
]


def rotation():
    import os
    import tempfile

    out = []
    for case, kwargs, count in ROTATION:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "app.log")
            handler = dict(kwargs, **{"class": "concurrent_log_handler.ConcurrentRotatingFileHandler",
                                      "filename": path, "formatter": "f"})
            logging.config.dictConfig({
                "version": 1, "disable_existing_loggers": False,
                "formatters": {"f": {"format": "%(levelname)s %(name)s %(message)s"}},
                "handlers": {"h": handler},
                "loggers": {"rot": {"level": "DEBUG", "handlers": ["h"], "propagate": False}},
            })
            log = logging.getLogger("rot")
            messages = []
            for i in range(count):
                message = f"record {i:02d} {'é' * (i % 4)} {'x' * (i % 7)}"
                messages.append(message)
                log.info(message)
            logging.shutdown()
            logging.getLogger("rot").handlers.clear()
            files = {}
            for name in sorted(os.listdir(tmp)):
                if name.endswith(".lock"):
                    continue
                with open(os.path.join(tmp, name), encoding="utf-8") as f:
                    files[name] = f.read()
            entry = dict(kwargs, **{"class": "concurrent_log_handler.ConcurrentRotatingFileHandler"})
            out.append({"case": case, "handler": entry, "messages": messages, "files": files})
    (HERE / "rotation.json").write_text(json.dumps({"cases": out}, indent=1, ensure_ascii=False) + "\n",
                                        encoding="utf-8")


def main():
    for name in ("NO_COLOR", "FORCE_COLOR"):
        if name in __import__("os").environ:
            sys.exit(f"unset {name} first: colorlog reads it")
    out = {"python": sys.version.split()[0], "created": CREATED, "records": [], "access": [], "cases": []}
    for record in RECORDS:
        name, level, msg, extras, exc_text, stack_info = record
        out["records"].append({"name": name, "level": level, "msg": msg, "extras": extras,
                               "exc_text": exc_text, "stack_info": stack_info})
    for access in ACCESS:
        out["access"].append({"client_addr": access[0], "method": access[1], "full_path": access[2],
                              "http_version": access[3], "status_code": access[4]})
    for case, entry in CASES:
        formatter = build(entry)
        if case.startswith("uvicorn_access"):
            records = [make_record("uvicorn.access", "INFO", '%s - "%s %s HTTP/%s" %d', {}, None, None, args=a)
                       for a in ACCESS]
        else:
            records = [make_record(*r) for r in RECORDS]
        lines = [formatter.format(r) for r in records]
        out["cases"].append({"case": case, "entry": entry, "lines": lines})
    (HERE / "expected.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
    rotation()
