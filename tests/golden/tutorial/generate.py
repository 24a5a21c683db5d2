"""Runs Python's logging tutorial programs (basic.py, quickstart.py) with CPython and records what
they print, for tests/tutorial_examples_match_cpython.rs, which runs the Rust examples of the same
name and compares.

Re-run from the repository root with `python3 tests/golden/tutorial/generate.py`. Outputs:
- basic.stderr, quickstart.stderr: the programs' standard error, byte for byte;
- quickstart.file.log: the file.log quickstart.py writes, with each `asctime` replaced by
  `<asctime>` (the Rust test checks the shape of its own timestamps, then does the same).
The logger is `__main__` in Python and `quickstart` in Rust; the test maps one to the other.
"""

import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ASCTIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}")


def run(program: str) -> tuple[bytes, pathlib.Path]:
    workdir = pathlib.Path(tempfile.mkdtemp())
    done = subprocess.run(
        [sys.executable, str(HERE / program)],
        cwd=workdir,
        capture_output=True,
        check=True,
    )
    assert done.stdout == b"", done.stdout
    return done.stderr, workdir


def main() -> None:
    basic_err, _ = run("basic.py")
    (HERE / "basic.stderr").write_bytes(basic_err)
    quick_err, workdir = run("quickstart.py")
    (HERE / "quickstart.stderr").write_bytes(quick_err)
    log = (workdir / "file.log").read_text(encoding="utf-8")
    (HERE / "quickstart.file.log").write_text(ASCTIME.sub("<asctime>", log), encoding="utf-8")


if __name__ == "__main__":
    main()
