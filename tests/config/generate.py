#!/usr/bin/env python3
"""Record what CPython 3.11 prints and writes for every configuration file of the corpus.

For each file of ``corpus/`` (JSON, YAML, TOML: ``logging.config.dictConfig``; INI, ``.cfg``,
``.conf``: ``logging.config.fileConfig``), a fresh interpreter, whose current directory is a fresh
temporary directory:

1. creates the loggers of ``preexisting.txt`` (``name`` or ``name<TAB>LEVEL``), before any
   configuration, so that ``disable_existing_loggers`` has something to disable or reset;
2. applies the file;
3. logs every line of ``records.txt`` (``logger<TAB>LEVEL<TAB>message``; ``root`` is the root
   logger) with ``logging.getLogger(name).log(level, message)``, the message passed as-is;
4. calls ``logging.shutdown()``.

Its stdout, its stderr and every file it left in its directory are written, after masking
timestamps (each match of the one-line regex in ``MASK`` becomes ``<TIME>``), to
``expected/<case>/stdout``, ``expected/<case>/stderr`` and ``expected/<case>/files/<path>``,
where ``<case>`` is the corpus file's name. ``expected/`` is rewritten from scratch each run.

Re-run from the repository root (PyYAML is needed here, never by ``cargo test``)::

    python3 -m pip install pyyaml && python3 tests/config/generate.py

The output is deterministic: a second run changes nothing. The script refuses to write anything
if a run fails, writes a traceback, or leaves an unmasked ``HH:MM`` behind.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
EXPECTED = os.path.join(HERE, "expected")

DICT_CONFIG = {".json", ".yaml", ".yml", ".toml"}
FILE_CONFIG = {".ini", ".cfg", ".conf"}


def read_lines(name):
    with open(os.path.join(HERE, name), encoding="utf-8", newline="\n") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def records():
    return [tuple(line.split("\t", 2)) for line in read_lines("records.txt")]


def preexisting():
    return [(line.split("\t") + [None])[:2] for line in read_lines("preexisting.txt")]


def mask_pattern():
    (pattern,) = read_lines("MASK")
    return re.compile(pattern)


def apply_and_log(path):
    """The child: runs one case in the current directory."""
    import logging
    import logging.config

    assert not logging.root.manager.loggerDict, "a module created loggers before the case"
    for name, level in preexisting():
        logger = logging.getLogger(name)
        if level:
            logger.setLevel(level)

    ext = os.path.splitext(path)[1]
    if ext == ".json":
        with open(path, encoding="utf-8") as f:
            logging.config.dictConfig(json.load(f))
    elif ext in (".yaml", ".yml"):
        import yaml

        with open(path, encoding="utf-8") as f:
            logging.config.dictConfig(yaml.safe_load(f))
    elif ext == ".toml":
        import tomllib

        with open(path, "rb") as f:
            logging.config.dictConfig(tomllib.load(f))
    elif ext in FILE_CONFIG:
        logging.config.fileConfig(path, encoding="utf-8")
    else:
        raise SystemExit(f"unknown extension: {path}")

    for name, level, message in records():
        logger = logging.getLogger() if name == "root" else logging.getLogger(name)
        logger.log(logging.getLevelName(level), message)
    logging.shutdown()


def run_case(path, mask):
    """Runs one case in a fresh interpreter and directory: (stdout, stderr, {relpath: bytes})."""
    env = dict(os.environ)
    env.update(PYTHONUTF8="1", PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    env.pop("PYTHONWARNINGS", None)
    with tempfile.TemporaryDirectory(prefix="pylog-config-") as cwd:
        proc = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--run", path],
            cwd=cwd,
            env=env,
            capture_output=True,
        )
        if proc.returncode != 0:
            raise SystemExit(
                f"{path}: exit status {proc.returncode}\n{proc.stderr.decode(errors='replace')}"
            )
        files = {}
        for dirpath, dirnames, filenames in os.walk(cwd):
            dirnames.sort()
            for filename in sorted(filenames):
                full = os.path.join(dirpath, filename)
                rel = os.path.relpath(full, cwd).replace(os.sep, "/")
                with open(full, "rb") as f:
                    files[rel] = f.read()

    def masked(what, data):
        text = mask.sub("<TIME>", data.decode("utf-8"))
        if re.search(r"\d{2}:\d{2}", text):
            raise SystemExit(f"{path}: {what} has a timestamp that MASK missed:\n{text}")
        if "Traceback" in text or "--- Logging error ---" in text:
            raise SystemExit(f"{path}: {what} has a Python error:\n{text}")
        return text.encode("utf-8")

    return (
        masked("stdout", proc.stdout),
        masked("stderr", proc.stderr),
        {rel: masked(rel, data) for rel, data in files.items()},
    )


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    mask = mask_pattern()
    cases = sorted(os.listdir(CORPUS))
    results = {}
    for case in cases:
        ext = os.path.splitext(case)[1]
        if ext not in DICT_CONFIG | FILE_CONFIG:
            raise SystemExit(f"corpus/{case}: not a configuration file")
        results[case] = run_case(os.path.join(CORPUS, case), mask)

    shutil.rmtree(EXPECTED, ignore_errors=True)
    for case, (stdout, stderr, files) in results.items():
        base = os.path.join(EXPECTED, case)
        write(os.path.join(base, "stdout"), stdout)
        write(os.path.join(base, "stderr"), stderr)
        for rel, data in files.items():
            write(os.path.join(base, "files", *rel.split("/")), data)
    by_format = {}
    for case in cases:
        ext = os.path.splitext(case)[1]
        by_format[ext] = by_format.get(ext, 0) + 1
    print(f"{len(cases)} cases:", ", ".join(f"{n} {e}" for e, n in sorted(by_format.items())))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--run":
        apply_and_log(sys.argv[2])
    else:
        main()
