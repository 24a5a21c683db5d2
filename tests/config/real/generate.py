"""Runs each configuration file of files/ (taken unchanged from packages on PyPI, see README.md)
through CPython 3.11 in a fresh interpreter and an empty directory, logs records.json, and writes
what the process printed to expected/<file>/stdout and stderr, with times and process ids masked.

    python3 -m pip install django==5.2.20 uvicorn==0.55.0 pyyaml   # see README.md
    python3 tests/config/real/generate.py

Read by tests/real_package_configs_match_cpython.rs, which does the same in Rust.
"""

import json
import logging
import logging.config
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
TIME = re.compile((HERE.parent / "MASK").read_text(encoding="utf-8").strip())
PID = re.compile(r"\[\d+\] \[")


def mask(text):
    return PID.sub("[<PID>] [", TIME.sub("<TIME>", text))


def child(path):
    name = os.path.basename(path)
    if name.startswith("django_"):
        import django
        from django.conf import settings

        settings.configure(DEBUG=True)
        django.setup(set_prefix=False)
        # django.setup() applies DEFAULT_LOGGING itself; start from a fresh tree, as ours does.
        logging.root.handlers.clear()
        logging.root.manager.loggerDict.clear()
    if path.endswith(".ini"):
        logging.config.fileConfig(path, encoding="utf-8")
    elif path.endswith((".yml", ".yaml")):
        import yaml  # PyYAML, as kedro reads its own: yaml.safe_load of the file's text

        with open(path, encoding="utf-8") as f:
            logging.config.dictConfig(yaml.safe_load(f.read()))
    else:
        with open(path, encoding="utf-8") as f:
            logging.config.dictConfig(json.load(f))
    for record in json.loads((HERE / "records.json").read_text(encoding="utf-8"))["records"]:
        logger = logging.getLogger() if record["logger"] == "root" else logging.getLogger(record["logger"])
        logger.log(logging.getLevelName(record["level"]), record["msg"], *(record["args"] or ()))
    logging.shutdown()


def main():
    expected = HERE / "expected"
    shutil.rmtree(expected, ignore_errors=True)
    env = dict(os.environ, PYTHONUTF8="1", PYTHONDONTWRITEBYTECODE="1")
    for name in ("NO_COLOR", "FORCE_COLOR", "DJANGO_COLORS"):
        env.pop(name, None)
    for name in sorted(os.listdir(HERE / "files")):
        with tempfile.TemporaryDirectory() as cwd:
            proc = subprocess.run([sys.executable, __file__, "--run", str(HERE / "files" / name)],
                                  cwd=cwd, env=env, capture_output=True)
        if proc.returncode != 0:
            sys.exit(f"{name}: exit status {proc.returncode}\n{proc.stderr.decode(errors='replace')}")
        out = expected / name
        out.mkdir(parents=True)
        for what, data in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            text = mask(data.decode("utf-8"))
            if "Traceback" in text or "--- Logging error ---" in text or re.search(r"\d{2}:\d{2}:\d{2}", text):
                sys.exit(f"{name}: {what} has an error or an unmasked time:\n{text}")
            (out / what).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:
        child(sys.argv[2])
    else:
        main()
