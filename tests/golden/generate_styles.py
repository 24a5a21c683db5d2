#!/usr/bin/env python3
"""Generate golden data for pylog's ``{`` and ``$`` format styles from CPython 3.11.

Companion of ``generate.py`` (whose record descriptions and helpers it reuses): it asks CPython's
``logging.Formatter(fmt, datefmt, style, validate, defaults=...)`` how it formats records, and
writes the answers next to this script as ``styles_format.json`` so the Rust tests can compare
against them without Python.

``styles_format.json`` is ``{"records": {id: REC, ...}, "cases": [...]}`` like
``percent_format.json``.  Each case is
``{"style", "fmt", "datefmt", "validate", "defaults", "record", <outcome>}`` where ``style`` is
``"{"``, ``"$"`` or ``"%"`` (the last only for ``defaults``), ``defaults`` is ``null`` or an
object, and ``<outcome>`` is exactly one of

* ``"expected"``: what ``format(record)`` returned;
* ``"error"``: ``str(e)`` of the ``ValueError`` raised by the constructor (validation);
* ``"format_error"``: ``"<ExceptionType>: <message>"`` raised by ``format()``.

The formatter's ``converter`` is ``time.gmtime`` so ``asctime`` is UTC.  Cases whose output
holds a memory address (``{name.upper}`` shows a bound method) are left out: they differ from
run to run.

How to re-run (from the repository root)::

    python3 tests/golden/generate_styles.py

Needs CPython 3.11 and only the standard library; the output is deterministic.
"""

import logging
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import generate  # noqa: E402  (the helpers of the %-style generator)
from generate import compact_records, dedupe, make_record, rec, utc, write_json  # noqa: E402


def run_case(style, fmt, datefmt, desc, validate=True, defaults=None):
    """Run one Formatter case and return the complete case dict (or None to leave it out)."""
    case = {"style": style, "fmt": fmt, "datefmt": datefmt, "validate": validate,
            "defaults": defaults, "record": desc}
    try:
        f = logging.Formatter(fmt, datefmt, style, validate, defaults=defaults)
    except ValueError as e:
        case["error"] = str(e)
        return case
    f.converter = time.gmtime  # UTC: independent of the machine's time zone
    try:
        out = f.format(make_record(desc))
    except Exception as e:  # noqa: BLE001 - we record whatever CPython raises
        case["format_error"] = type(e).__name__ + ": " + str(e)
        return case
    if re.search(r" at 0x[0-9a-f]+>", out):
        return None
    case["expected"] = out
    return case


EXTRAS = {"user": "alice", "count": 42, "ratio": 3.14159, "flag": True, "nothing": None,
          "neg": -7, "big": 1e16, "whole": 3.0, "width": 12, "fill": "*", "spec": "*>12",
          "zero": -0.0, "tiny": -0.0001, "uni": "日本語", "huge": 9223372036854775807}

# Values for the spec matrix: one or more per JSON type.
VALUES = ["alice", "", "héllo", "😀", "it's", "42", 0, 42, -42, 255, 1114111, 1114112,
          9223372036854775807, -9223372036854775808, 0.0, -0.0, 2.5, -2.5, 3.14159, 0.1 + 0.2,
          1e16, 1e22, 123456789.125, 1e-5, 5e-324, 1.7976931348623157e308, 617989394824087.2,
          True, False, None]

SPECS = ["", "!r", "!a", "!s:>8", ">10", "<10", "^10", "*^11", "010", "+", " ", "-", ",", "_",
         ".3", ".0", "d", "x", "X", "o", "b", "c", "e", "E", "f", "F", "g", "G", "%", "n", "#x",
         "#o", "#b", "#X", "#", "z", "z.1f", "015,.3f", "=10", ".2%", ",d", "_x", "_b", "s",
         "10.4", "#.0e", "#.0f", "#g", ".1g", ".17g", ",.2f", "+.1e", "0=+12,.2f", "^+9.2f",
         "x<8", ">>8", "0>8", "0<8", "08.3", "#_x", "_o", ",x", ",s", "ld", "z#=5", ".2d",
         "c.2", "+c", "#c", "5c", ".0%", "-z.0f", "012_", "é^9", "\u3000>6"]


def brace_cases():
    cases = []

    def add(fmt, datefmt=None, record=None, validate=True, defaults=None):
        c = run_case("{", fmt, datefmt, record or rec(), validate, defaults)
        if c is not None:
            cases.append(c)

    records = [
        rec(),
        rec("root_thread_worker", name="root", levelno=5, pathname="script", funcName=None,
            created=0.5, relativeCreated=0.0, thread=1, threadName="Thread-1 (worker)",
            process=1, processName="SpawnProcess-1", lineno=1),
        rec("unicode", name="модуль.тест", levelno=25, msg="日本語 ✓ 😀",
            pathname="C:\\proj\\win.py", funcName="<module>", lineno=0,
            created=utc(2024, 2, 29, 0, 5, 9, 0.25)),
        rec("error_empty", levelno=40, pathname="", msg=""),
    ]
    # -- every standard attribute, plain and with a spec -----------------------
    for r in records:
        for attr in generate.STANDARD_ATTRS + ["args", "exc_info", "taskName"]:
            add("{%s}" % attr, None, r)
    for attr in ["levelname", "name", "message", "funcName", "asctime"]:
        for spec in [">12", "<12", "^12", ".3", "!r", "!a", "!r:>15"]:
            add("{%s:%s}" % (attr, spec) if not spec.startswith("!")
                else "{%s%s}" % (attr, spec))

    # -- classic formats, for several levels ------------------------------------
    classic = [
        "{asctime} - {name} - {levelname} - {message}",
        "{levelname}:{name}:{message}",
        "{levelname:<8} {message}",
        "{asctime}.{msecs:03.0f} {levelname:^9} {message}",
        "[{levelname:>8}] {name}:{lineno:d} {message!r}",
    ]
    for levelno in [5, 10, 20, 25, 30, 40, 50]:
        for fmt in classic:
            add(fmt, None, rec(levelno=levelno))

    # -- numeric standard attributes with specs ---------------------------------
    for fmt in ["{msecs:03.0f}", "{msecs:03d}", "{msecs:.1f}", "{msecs}", "{msecs!r}",
                "{created:f}", "{created:.2f}", "{created:e}", "{created:.3E}", "{created:g}",
                "{created:.10g}", "{created:,.3f}", "{created:_.1f}", "{created:020,.3f}",
                "{created:%}", "{created:d}", "{created:.0f}", "{created:#.0f}",
                "{relativeCreated:.3f}", "{relativeCreated:,}", "{relativeCreated:e}",
                "{levelno:05d}", "{levelno:+d}", "{levelno: d}", "{levelno:#x}",
                "{levelno:#b}", "{levelno:o}", "{levelno:c}", "{levelno:n}", "{levelno:,}",
                "{levelno:=+8}", "{levelno:0=8}", "{levelno:^+8}", "{levelno:.2}",
                "{levelno:.2f}", "{levelno:s}", "{levelno:%}", "{levelno!r:>5}",
                "{thread:,}", "{thread:_x}", "{thread:#_X}", "{process:o}", "{process:#o}",
                "{lineno:03}", "{lineno:>6,}", "{message:d}", "{message:=^30}",
                "{message:*^30}", "{message:.5}", "{name:.1}", "{funcName:>10}",
                "{exc_info:>4}", "{args:x}", "{levelno.real}", "{levelno.imag}",
                "{levelno.numerator}", "{levelno.denominator}", "{created.real:.1f}",
                "{created.imag}"]:
        add(fmt)
    for created in [0.5, 1.5, 2.5, -1.5, -0.25, utc(1999, 12, 31, 23, 59, 59, 0.999)]:
        for fmt in ["{msecs:03.0f}", "{created:.0f}", "{created:f}", "{created}",
                    "{created:z.0f}"]:
            add(fmt, None, rec(created=created))

    # -- the spec matrix on extras of each type ------------------------------------
    for value in VALUES:
        for spec in SPECS:
            if spec.startswith("!"):
                add("{v%s}" % spec, None, rec(extras={"v": value}))
            else:
                add("{v:%s}" % spec, None, rec(extras={"v": value}))
    for fmt in ["{user} {count:d} {ratio:.2f} {flag} {nothing}", "{user:>10}|", "{user!r:<10}|",
                "{count:+05d}", "{count:#06x}", "{neg:05d}", "{neg:x}", "{neg:#x}",
                "{ratio:08.3f}", "{ratio:+.3e}", "{ratio: g}", "{flag:5}|", "{flag!s:5}|",
                "{flag:d}", "{nothing!r}", "{big:,.0f}", "{whole}", "{zero:z}", "{tiny:z.2f}",
                "{tiny:.2f}", "{uni:^9}|", "{uni[1]}", "{uni!a}", "{huge:,}", "{huge:c}",
                "{user[0]}{user[4]}", "{user[5]}", "{user[x]}", "{count[0]}", "{nothing[0]}",
                "{nothing.x}", "{user.foo}", "{user.real}", "{flag.real}", "{ratio.imag}",
                "{message:>{width}}|", "{message:{fill}^{width}}|", "{message:{spec}}",
                "{message:{fill}<{count}.{width}}|", "{count:{width}d}", "{ratio:.{count}}",
                "{message:{nope}}", "{message:{width:{x}}}", "{message:{}}", "{message:{0}}",
                "{message:{user}}", "{user} {missing}", "{missing} {user}",
                "{count!r:{width}}", "{user!s:{fill}>{width}}",
                # precisions past Rust's formatting limit (u16::MAX) and every double's digits
                "{ratio:.1200f}", "{ratio:.1200e}", "{tiny:.107773g}", "{ratio:#.66000g}",
                "{count:.66000%}", "{ratio:.2147483648f}", "{ratio:.1200}"]:
        add(fmt, None, rec("extras_mix", extras=EXTRAS))

    # -- braces, unicode, empty and multi-line messages ------------------------------
    for fmt in ["{{message}}", "{{{message}}}", "}}{message}{{", "{message}}}", "{{}}{message}",
                "→ {message} ←", "{levelname} » {name} » {message}", "{message}\n{name}",
                "\t{message}\r\n", "{message}{message}", "100% {message}", "%(message)s {message}",
                "$message {message}"]:
        add(fmt)
    for msg in ["", "日本語 ✓ 😀", "line one\nline two\n", "  padded  ", "null\x00byte",
                "é" * 40, "{message}", "{", "100% sure %(name)s %s"]:
        add("{name}: {message}", None, rec(msg=msg))
        add("{message:-^14}|", None, rec(msg=msg))
        add("{message!r}", None, rec(msg=msg))
    for name in ["", "модуль.тест", "a.b.c.d.e.f", "root", "日本"]:
        add("[{name:<12}] {message}", None, rec(name=name))

    # -- missing fields and defaults ------------------------------------------------
    for fmt in ["{nope}", "{message} {nope}", "{Message}", "{levelName}", "{nope:>5}",
                "{nope!r}", "{nope!x}", "{nope.x}", "{nope[0]}", "{ message}", "{message }",
                "{it's}", "{a-b}", "{ключ}"]:
        add(fmt, validate=False)
    add("{ключ}", None, rec(extras={"ключ": "значение"}))
    for defaults in [{"nope": "D"}, {"nope": 7}, {"nope": 2.5}, {"nope": None},
                     {"nope": True}, {"message": "from defaults"}, {"user": "bob"}]:
        for fmt in ["{nope} {message}", "{nope:>6}|{message}", "{nope!r}", "{user}",
                    "{message}"]:
            add(fmt, None, rec(), True, defaults)
            add(fmt, None, rec("extras_mix", extras=EXTRAS), True, defaults)

    # -- positional fields, nesting limits, attributes and indexes ------------------
    for fmt in ["{0}", "{}", "{} {message}", "{1}", "{0[0]}", "{99999999999999999999}",
                "{name[0]}", "{name[99]}", "{name[x]}", "{name[0]x}", "{name.}", "{name[}",
                "{name[]}", "{name[99999999999999999999]}", "{name.foo}", "{args[0]}",
                "{args[x]}", "{exc_info[0]}", "{levelno[0]}", "{name[0][0]}",
                "{name[1].foo}", "{name[١]}", "{١}", "{message!}", "{message!r", "{message!rx}",
                "{message!r:", "{message:{levelno}", "{message", "{", "}", "x}y", "{message:}}",
                "{message:{{}}}", "{message!}}", "{a{b}", "{a[}b]}", "{message} }",
                "{message} {", "{nope} }", "{message:zz}", "{message:ld}", "{message!x}",
                "{message!é}", "{message!\x01}", "{message:{levelno:{x}}}"]:
        add(fmt, validate=False)

    # -- validation: every rule, and formats that pass it ---------------------------
    for fmt in ["hello", "", " ", "{}", "{0}", "{0} {message}", "{a-b}", "{message!x}",
                "{message!r}", "{message!s}", "{message!a}", "{message!}}", "{message:zz}",
                "{message:<8}", "{message:ſ}", "{message:S}", "{message:X}", "{message:\n}",
                "{message:\n<5}", "{message:*<5}", "{message:{w}}", "{message:{}}",
                "{message:{w}.{p}}", "{message:.{p}f}", "{message:{w}x}", "{message:{w-1}}",
                "{message:٣}", "{message:,_}", "{message:z}", "{message:+#010,.3%}",
                "{message} }", "{", "}", "{message", "{message!}", "{message!rx}",
                "{message\n}", "{message.x\n}", "{name[0]}", "{name[}]}", "{name.x.y[z]}",
                "{name.}", "{name[]}", "{name[0]x}", "{ message}", "{ключ}", "{١٢}", "{{message}}",
                "{{}}{message}", "%(message)s", "$message", "{message:{levelno:{x}}}",
                "{a{b}", "{message:{w} }", "{message:=^30}", "{message:ld}"]:
        add(fmt)
        add(fmt, validate=False)

    # -- asctime and datefmt ---------------------------------------------------------
    for created in [1795536741.7239, utc(2024, 2, 29, 0, 5, 9, 0.25),
                    utc(1969, 7, 20, 20, 17, 40), 0.0]:
        for datefmt in [None, "%Y-%m-%d %H:%M:%S", "%H:%M:%S", "%d/%b/%Y:%H:%M:%S %z",
                        "%a, %d %b %Y %H:%M:%S %Z", "%c", "%Y年%m月%d日", ""]:
            add("{asctime} {message}", datefmt, rec(created=created))
    for fmt in ["{asctime:>30}|", "{asctime!r}", "{asctime:.10}", "{asctime:*^25}",
                "{{asctime}} {message}", "{message}", "{asctime.x}", "{asctime[0]}",
                "{message:{asctime}}"]:
        add(fmt, "%H:%M:%S")
        add(fmt)
    return cases


def dollar_cases():
    cases = []

    def add(fmt, datefmt=None, record=None, validate=True, defaults=None):
        c = run_case("$", fmt, datefmt, record or rec(), validate, defaults)
        if c is not None:
            cases.append(c)

    records = [
        rec(),
        rec("unicode", name="модуль.тест", levelno=25, msg="日本語 ✓ 😀",
            pathname="C:\\proj\\win.py", funcName="<module>", lineno=0,
            created=utc(2024, 2, 29, 0, 5, 9, 0.25)),
        rec("error_empty", levelno=40, pathname="", msg=""),
    ]
    for r in records:
        for attr in generate.STANDARD_ATTRS + ["args", "exc_info", "taskName"]:
            add("$%s" % attr, None, r)
            add("${%s}" % attr, None, r)
    for levelno in [5, 10, 20, 30, 40, 50]:
        for fmt in ["${levelname}:${name}:${message}", "$asctime - $name - $levelname - $message",
                    "[$levelname] ${name}: $message"]:
            add(fmt, None, rec(levelno=levelno))
    for fmt in ["$$", "$$message", "$$$message", "$$${message}", "${message}s", "$messages",
                "$message$name", "$message.$name", "$message-x", "$Message", "$MESSAGE",
                "$_private", "$message_x", "$message1", "$ключ", "$ message", "$1", "${message",
                "${}", "${1a}", "${ message}", "${message }", "$", "x $", "$message $",
                "$message $nope", "$nope $", "${nope} $", "a\nb $", "line1\r\nline2 $x $",
                "one\vtwo\x1cthree\u2028four $", "é\n\r\n $", "$$$", "$${", "${message}}",
                "{message} $message", "%(message)s $message", "$asctime", "${asctime}",
                "$asctimes", "${asctime}s", "100% $message", "$message 100%",
                "hello", "", "$$ok", "$message", " "]:
        add(fmt)
        add(fmt, validate=False)
    for fmt in ["$user $count $ratio $flag $nothing", "${neg}|${big}|${whole}|${zero}",
                "$uni", "$huge", "$tiny", "$missing $user", "$user $missing"]:
        add(fmt, None, rec("extras_mix", extras=EXTRAS))
    add("$_x", None, rec(extras={"_x": "underscore"}))
    for msg in ["", "日本語 ✓ 😀", "line one\nline two\n", "$message", "$", "null\x00byte"]:
        add("$name: $message", None, rec(msg=msg))
    for defaults in [{"nope": "D"}, {"nope": 7}, {"nope": 2.5}, {"nope": None},
                     {"message": "from defaults"}, {"user": "bob"}]:
        for fmt in ["$nope $message", "${nope}|$message", "$user", "$message"]:
            add(fmt, None, rec(), True, defaults)
            add(fmt, None, rec("extras_mix", extras=EXTRAS), True, defaults)
    for created in [1795536741.7239, utc(2024, 2, 29, 0, 5, 9, 0.25), 0.0]:
        for datefmt in [None, "%Y-%m-%d %H:%M:%S", "%H:%M:%S", "%c", ""]:
            add("$asctime $message", datefmt, rec(created=created))
            add("${asctime}|$message", datefmt, rec(created=created))
    add("$$asctime $message", "%H")
    add("$message", "%H")
    return cases


# Pieces that random formats are built from: syntax, field names of every type, spec parts.
BRACE_TOKENS = ["{", "}", "{{", "}}", ":", "!", "r", "s", "a", "x", ".", "[", "]", "0", "1",
                "9", "message", "levelno", "created", "msecs", "user", "count", "ratio", "flag",
                "nothing", "neg", "huge", "uni", "zero", "width", "fill", "<", ">", "^", "=",
                "+", "-", " ", "#", "z", ",", "_", "%", "d", "e", "f", "g", "n", "b", "o", "c",
                "X", "E", "12", "3", "*", "é", "\n", "real", "$"]
DOLLAR_TOKENS = ["$", "$$", "{", "}", "message", "user", "count", "nothing", "name", "x", "1",
                 "_", " ", "\n", "\r\n", "é", "asctime", "M"]


def random_cases():
    """Formats assembled at random (fixed seed) from tokens, so the parsers meet shapes no one
    wrote down; each runs with and without validation."""
    import random
    rng = random.Random(3101)
    cases = []
    record = rec("extras_mix", extras=EXTRAS)

    def pick(tokens, n):
        return "".join(rng.choice(tokens) for _ in range(n))

    for _ in range(500):
        fmt = pick(BRACE_TOKENS, rng.randint(1, 9))
        # Half of them start from a field, so more reach the spec and value code.
        if rng.random() < 0.5:
            fmt = "{" + pick(["message", "levelno", "created", "user", "count", "ratio",
                              "flag", "nothing", "neg", "huge", "msecs"], 1) + fmt
        for validate in [True, False]:
            c = run_case("{", fmt, None, record, validate)
            if c is not None:
                cases.append(c)
    for _ in range(200):
        fmt = pick(DOLLAR_TOKENS, rng.randint(1, 8))
        for validate in [True, False]:
            c = run_case("$", fmt, None, record, validate)
            if c is not None:
                cases.append(c)
    return cases


def percent_default_cases():
    cases = []
    # Precisions past what Rust's formatting takes (u16::MAX) and past every double's digits.
    for fmt in ["%(created).1200f", "%(created).1200e", "%(created).66000g",
                "%(created)#.66000g", "%(msecs).66000f"]:
        c = run_case("%", fmt, None, rec(), True, None)
        if c is not None:
            cases.append(c)
    for defaults in [{"nope": "D"}, {"nope": 7}, {"nope": 2.5}, {"nope": None},
                     {"message": "from defaults"}, {"user": "bob"}]:
        for fmt in ["%(nope)s %(message)s", "%(nope)5s|%(message)s", "%(nope)r", "%(user)s",
                    "%(nope)d"]:
            for r in [rec(), rec("extras_mix", extras=EXTRAS)]:
                c = run_case("%", fmt, None, r, True, defaults)
                if c is not None:
                    cases.append(c)
    return cases


def main():
    if sys.version_info[:2] != (3, 11):
        sys.exit("generate_styles.py must be run with CPython 3.11 (found %s)"
                 % sys.version.split()[0])
    for level, name in generate.LEVEL_SETUP:
        logging.addLevelName(level, name)
    cases = brace_cases() + dollar_cases() + percent_default_cases() + random_cases()
    keys = ["style", "fmt", "datefmt", "validate", "defaults", "record"]
    data = compact_records(dedupe(cases, keys))
    write_json("styles_format.json", data)
    counts = {}
    for c in data["cases"]:
        counts[c["style"]] = counts.get(c["style"], 0) + 1
    print("styles_format.json %5d cases (%s)" % (
        len(data["cases"]), ", ".join("%s: %d" % kv for kv in sorted(counts.items()))))


if __name__ == "__main__":
    main()
