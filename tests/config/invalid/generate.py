#!/usr/bin/env python3
"""Record what CPython 3.11 does with each invalid logging configuration in this folder.

Every file here other than this script, ``expected.json``, ``ours.json`` and the ``baseline/``
folder is one case: a dictConfig document (``.json``, ``.yaml``/``.yml``, ``.toml``) or a
fileConfig INI file (``.ini``, ``.cfg``, ``.conf``) with one mistake in it.

Each case runs in a fresh interpreter (this script with ``--case FILE``), in an empty temporary
working directory, as the Rust test runs it:

1. ``dictConfig`` of ``baseline/good.json``: a StreamHandler ``out`` writing to ``ext://test.out``
   (here a ``StringIO`` in a module named ``test``), logger ``app`` at INFO, root at WARNING;
   a record logged through ``app`` must reach it;
2. the case is copied into the working directory and opened by its bare file name (so messages
   that name the file name it the same way on every machine), read (``json.load``,
   ``yaml.safe_load``, ``tomllib.load``) and given to ``logging.config.dictConfig``, or given to
   ``logging.config.fileConfig``;
3. a record is logged through ``app`` again, to see what is left of the baseline.

``expected.json`` maps each file name to::

    {
      "format": "json" | "yaml" | "toml" | "ini",
      "phase": "parse"          # the document reader rejected it (never reached logging)
             | "configure"      # dictConfig / fileConfig raised
             | null,            # CPython accepted it
      "rejected": true | false, # phase is not null
      "type": exception type name of what was raised, or null,
      "str": str(e), or null,
      "cause": str() of the last exception in the __cause__ chain, or null when e has no cause,
      "chain": [{"type", "str"}, ...]   # e, e.__cause__, e.__cause__.__cause__, ...
      "emit_error": for accepted cases, the last line of the traceback that logging printed when
                    a WARNING record went through the accepted configuration (logged through a
                    new logger, ``emitcheck``), or what the logging call itself raised, or null,
      "cpython_after": {"previous_handler_logs", "app_level", "app_disabled", "root_level",
                        "root_handlers"}
                    # app_disabled is the value CPython left in app.disabled, as stored: a
                    # dictConfig disable_existing_loggers of "false" is kept as the string
                    # what CPython left of the baseline: it closes the old handlers before
                    # building the new ones, so it is not atomic (pylog is, deliberately)
    }

How to re-run (from the repository root)::

    python3 -m pip install pyyaml    # once
    python3 tests/config/invalid/generate.py

The script needs CPython 3.11 (``tomllib`` is new in 3.11, and messages change between
versions) and PyYAML. Its output is deterministic.
"""

import io
import json
import logging
import logging.config
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
# The file the rotating-handler cases name (with delay=True, so only a record opens it).
SCRATCH_LOG = "/tmp/pylog-invalid-corpus.log"
# The last line of a traceback: "TypeError: '>=' not supported ...".
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception): ")
NOT_CASES = {"generate.py", "expected.json", "ours.json"}
FORMATS = {
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".ini": "ini",
    ".cfg": "ini",
    ".conf": "ini",
}


def cases():
    """The case files, sorted by name."""
    names = []
    for name in sorted(os.listdir(HERE)):
        if name in NOT_CASES or not os.path.isfile(os.path.join(HERE, name)):
            continue
        ext = os.path.splitext(name)[1]
        if ext not in FORMATS:
            raise SystemExit(f"{name}: not a configuration file extension ({ext!r})")
        names.append(name)
    return names


def chain(error):
    """e, e.__cause__, ... as {"type", "str"} dicts."""
    out = []
    while error is not None:
        out.append({"type": type(error).__name__, "str": str(error)})
        error = error.__cause__
    return out


def read_document(path, fmt):
    if fmt == "json":
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    if fmt == "yaml":
        import yaml

        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    if fmt == "toml":
        import tomllib

        with open(path, "rb") as fh:
            return tomllib.load(fh)
    raise AssertionError(fmt)


def run_case(name):
    """Child process: the baseline, then the case; returns the record for expected.json."""
    fmt = FORMATS[os.path.splitext(name)[1]]
    scratch_existed = os.path.exists(SCRATCH_LOG)
    out = io.StringIO()
    test_module = types.ModuleType("test")
    test_module.out = out
    sys.modules["test"] = test_module

    with open(os.path.join(HERE, "baseline", "good.json"), encoding="utf-8") as fh:
        logging.config.dictConfig(json.load(fh))
    app = logging.getLogger("app")
    app.info("before")
    assert out.getvalue() == "app:INFO:before\n", out.getvalue()

    record = {
        "format": fmt,
        "phase": None,
        "rejected": False,
        "type": None,
        "str": None,
        "cause": None,
        "chain": [],
        "emit_error": None,
    }

    def rejected(phase, error):
        links = chain(error)
        record.update(
            phase=phase,
            rejected=True,
            type=links[0]["type"],
            str=links[0]["str"],
            cause=links[-1]["str"] if len(links) > 1 else None,
            chain=links,
        )

    accepted = False
    shutil.copy(os.path.join(HERE, name), name)
    if fmt == "ini":
        try:
            logging.config.fileConfig(name)
            accepted = True
        except Exception as e:  # noqa: BLE001 - every kind of rejection is recorded
            rejected("configure", e)
    else:
        try:
            document = read_document(name, fmt)
        except Exception as e:  # noqa: BLE001
            rejected("parse", e)
        else:
            try:
                logging.config.dictConfig(document)
                accepted = True
            except Exception as e:  # noqa: BLE001
                rejected("configure", e)

    if accepted:
        # What the accepted configuration does with a record: logging reports an error raised
        # while handling it on stderr ("--- Logging error ---" and a traceback).
        # Some handlers (MemoryHandler) do not catch their errors: then the logging call raises.
        captured = io.StringIO()
        real_stderr = sys.stderr
        sys.stderr = captured
        raised = None
        try:
            # A logger made after the configuration: none that existed before may be enabled.
            logging.getLogger("emitcheck").warning("after an accepted configuration")
            for handler in logging.getLogger().handlers:
                handler.flush()
        except Exception as e:  # noqa: BLE001
            raised = f"raised by the logging call: {type(e).__name__}: {e}"
        finally:
            sys.stderr = real_stderr
        errors = [line for line in captured.getvalue().splitlines() if EXCEPTION_LINE.match(line)]
        record["emit_error"] = raised or (errors[-1] if errors else None)

    before = len(out.getvalue())
    app.info("after")
    root = logging.getLogger()
    record["cpython_after"] = {
        "previous_handler_logs": "app:INFO:after\n" in out.getvalue()[before:],
        "app_level": logging.getLevelName(app.level),
        "app_disabled": app.disabled,
        "root_level": logging.getLevelName(root.level),
        "root_handlers": [h.name for h in root.handlers],
    }
    if not scratch_existed and os.path.exists(SCRATCH_LOG):
        os.remove(SCRATCH_LOG)
    return record


def main():
    if sys.version_info[:2] != (3, 11):
        raise SystemExit(f"CPython 3.11 is needed, this is {sys.version.split()[0]}")
    results = {}
    for name in cases():
        with tempfile.TemporaryDirectory() as cwd:
            proc = subprocess.run(
                [sys.executable, "-I", os.path.abspath(__file__), "--case", name],
                cwd=cwd,
                capture_output=True,
                text=True,
                check=False,
            )
        if proc.returncode != 0:
            raise SystemExit(f"{name}: the child failed:\n{proc.stderr}")
        results[name] = json.loads(proc.stdout)
    text = json.dumps(results, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    rejected = sum(r["rejected"] for r in results.values())
    print(f"{len(results)} cases: CPython rejects {rejected}, accepts {len(results) - rejected}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--case"]:
        json.dump(run_case(sys.argv[2]), sys.stdout)
    else:
        main()
