"""Writes ini_cases.rs: what Python 3.11's configparser (as logging.config.fileConfig uses it)
makes of each INI text below. The Rust tests in ini.rs replay these expectations.

Run from anywhere:  python3 ini_cases.py   (rewrites ini_cases.rs next to this script)
"""

import configparser
import logging.config
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# The Python docs' fileConfig example (logging howto, "Configuring Logging").
HOWTO = """\
[loggers]
keys=root,simpleExample

[handlers]
keys=consoleHandler

[formatters]
keys=simpleFormatter

[logger_root]
level=DEBUG
handlers=consoleHandler

[logger_simpleExample]
level=DEBUG
handlers=consoleHandler
qualname=simpleExample
propagate=0

[handler_consoleHandler]
class=StreamHandler
level=DEBUG
formatter=simpleFormatter
args=(sys.stdout,)

[formatter_simpleFormatter]
format=%(asctime)s - %(name)s - %(levelname)s - %(message)s
"""

# The sections of the logging.config reference ("Configuration file format").
REFERENCE = """\
[loggers]
keys=root,log02,log03

[handlers]
keys=hand01,hand02,hand03,hand05,hand07,hand08,hand09

[formatters]
keys=form01,form02

[logger_root]
level=NOTSET
handlers=hand01

[logger_log02]
level=DEBUG
handlers=hand02
propagate=1
qualname=compiler

[logger_log03]
level=INFO
handlers=hand03
propagate=0
qualname=compiler.parser

[handler_hand01]
class=StreamHandler
level=NOTSET
formatter=form01
args=(sys.stdout,)

[handler_hand02]
class=FileHandler
level=DEBUG
formatter=form02
args=('python.log', 'w')

[handler_hand03]
class=handlers.SocketHandler
level=INFO
formatter=form01
args=('localhost', handlers.DEFAULT_TCP_LOGGING_PORT)

[handler_hand05]
class=handlers.SysLogHandler
level=ERROR
formatter=form01
args=(('localhost', handlers.SYSLOG_UDP_PORT), handlers.SysLogHandler.LOG_USER)

[handler_hand07]
class=handlers.SMTPHandler
level=WARN
formatter=form01
args=('localhost', 'from@abc', ['user1@abc', 'user2@xyz'], 'Logger Subject')
kwargs={'timeout': 10.0}

[handler_hand08]
class=handlers.MemoryHandler
level=NOTSET
formatter=form01
target=
args=(10, ERROR)

[handler_hand09]
class=handlers.HTTPHandler
level=NOTSET
formatter=form01
args=('localhost:9022', '/log', 'GET')
kwargs={'secure': True}

[formatter_form01]
format=F1 %(asctime)s %(levelname)s %(message)s
datefmt=
style=%
class=logging.Formatter

[formatter_form02]
format=%(asctime)s.%(msecs)03d %(message)s
datefmt=%Y-%m-%d %H:%M:%S
"""

INTERPOLATION = """\
[DEFAULT]
logdir = /var/log
App = demo
pct = 100%%

[handler_file]
class = FileHandler
args = ('%(logdir)s/%(APP)s.log', 'a')
percent = %(pct)s done
escaped = 50%% of %%(x)s
mixed = %(Logdir)s %(logfilename)s
datefmt = %Y-%m-%d
bad_ref = %(x)d
bad_open = %(unclosed
empty_ref = %()s
trailing = 50%
missing = %(nosuch)s/x
self = %(self)s
a = %(b)s+
b = %(c)s+
c = end %%
chain0 = %(chain1)s
chain1 = %(chain2)s
chain2 = %(chain3)s
chain3 = %(chain4)s
chain4 = %(chain5)s
chain5 = %(chain6)s
chain6 = %(chain7)s
chain7 = %(chain8)s
chain8 = %(chain9)s
chain9 = %(chain10)s
chain10 = %(chain11)s
chain11 = last
from_default = %(default_ref)s

[other]
app = other-app
default_ref = %(app)s!
uses_default = %(default_ref)s
"""

CASES = [
    # name, text, defaults for get(), extra keys to ask for, source
    ("howto", HOWTO, {}, ["Format", "FORMAT", "nosuch"], "logging.ini"),
    ("reference", REFERENCE, {}, ["datefmt", "class"], "logging.ini"),
    ("interpolation", INTERPOLATION, {"logfilename": "app.log", "Default_Ref": "from-defaults"},
     ["LOGDIR", "logfilename", "default_ref"], "logging.ini"),
    ("defaults_order", "[DEFAULT]\nk = file\n[s]\nown = %(k)s\n", {"k": "arg", "only_arg": "%(k)s?"},
     ["only_arg"], "logging.ini"),
    ("defaults_case", "[s]\nv = %(x)s\nw = %(y)s\n", {"X": "upper", "Y%": "100%"}, ["x", "Y%"], "logging.ini"),
    ("default_twice", "[DEFAULT]\na = 1\n[s]\nk = v\n[DEFAULT]\nb = 2\n", {}, [], "logging.ini"),
    ("default_value_in_section_context",
     "[DEFAULT]\nd = <%(x)s>\n[s]\nx = 1\n[t]\nx = 2\n[u]\n", {}, ["d"], "logging.ini"),
    ("delimiters", "[s]\na=1\nb = 2\nc: 3\nd : 4 = 5\ne = x: y\n  f  =  spaced value  \nG=Upper\n", {}, ["g"], "logging.ini"),
    ("empty_values", "[s]\nempty =\nblank:\n", {}, [], "logging.ini"),
    ("comments", "# top\n; top\n[s]\n# c\n; c\n  # indented comment\nk = v # not a comment\nj = v ; neither\n", {}, [], "logging.ini"),
    ("continuation", "[s]\nkeys = root,\n    app,\n\tother\nnext = 1\n", {}, [], "logging.ini"),
    ("continuation_blank_lines", "[s]\nk = a\n\n  b\n\n\nj = c\n\n\n", {}, [], "logging.ini"),
    ("continuation_empty_first", "[s]\nk =\n  a\n  b\n", {}, [], "logging.ini"),
    ("continuation_comment_inside", "[s]\nk = a\n  # skipped, not part of the value\n  b\n; also skipped\n  c\n", {}, [], "logging.ini"),
    ("continuation_header_like", "[s]\nk = a\n  [t]\n  x = y\n", {}, [], "logging.ini"),
    ("indented_keys", "[s]\n  a = 1\n  b = 2\n   c = 3\n", {}, [], "logging.ini"),
    ("indent_relative", "[s]\n    a = 1\n  b = 2\n   c = 3\n", {}, [], "logging.ini"),
    ("unicode_indent", "[s]\na = 1\n\u3000b = 2\n\x0cc = 3\n", {}, [], "logging.ini"),
    ("header_forms", "[a] trailing text\nk = 1\n[b]]\nk = 2\n[ c ]\nk = 3\n[d=e]\nk = 4\n", {}, [], "logging.ini"),
    ("case_sensitive_sections", "[Loggers]\nkeys = a\n[loggers]\nkeys = b\n[default]\nx = 1\n", {}, [], "logging.ini"),
    ("crlf", "[s]\r\nk = v\r\n  more\r\nj = w\r\n", {}, [], "logging.ini"),
    ("cr_only", "[s]\rk = v\rj = w\r", {}, [], "logging.ini"),
    ("no_final_newline", "[s]\nk = v", {}, [], "logging.ini"),
    ("only_comments", "# nothing\n\n; here\n", {}, [], "logging.ini"),
    ("empty", "", {}, [], "logging.ini"),
    ("only_default", "[DEFAULT]\na = 1\n", {}, ["a"], "logging.ini"),
    ("unicode", "[s]\nnaïve = café ☕\nΣΑΣ = upper sigma\n", {}, ["NAÏVE"], "logging.ini"),
    ("odd_keys", "[s]\n[x = 1\nk[1] = 2\na b = 3\n%(k)s = 4\nv = %(a b)s\n", {}, ["[x"], "logging.ini"),
    ("section_without_keys", "[a]\n[b]\nk = v\n", {}, [], "logging.ini"),
    # errors
    ("key_before_section", "key=value\n[s]\n", {}, [], "logging.ini"),
    ("key_before_section_line3", "\n# c\nkey = value\n", {}, [], "logging.ini"),
    ("key_before_section_crlf", "k=v\r\n", {}, [], "logging.ini"),
    ("bom", "\ufeff[s]\nk = v\n", {}, [], "logging.ini"),
    ("empty_header", "[]\nk = v\n", {}, [], "logging.ini"),
    ("garbage", "[s]\ngarbage\n", {}, [], "logging.ini"),
    ("garbage_many", "[s]\nk = v\ngarbage\n[t]\nno value here\n  continued\nlast", {}, [], "logging.ini"),
    ("continuation_after_error", "[s]\nk = v\ngarbage\n  more\n", {}, [], "logging.ini"),
    ("no_value", "[s]\nflag\n", {}, [], "logging.ini"),
    ("empty_key", "[s]\n= value\n", {}, [], "logging.ini"),
    ("empty_key_twice", "[s]\n=1\n: 2\n", {}, [], "logging.ini"),
    ("unclosed_header", "[s]\n[t\n", {}, [], "logging.ini"),
    ("duplicate_section", "[x]\nk = 1\n[x]\n", {}, [], "logging.ini"),
    ("duplicate_section_after_error", "[s]\ngarbage\n[s]\n", {}, [], "logging.ini"),
    ("duplicate_option", "[x]\nk = 1\nK: 2\n", {}, [], "logging.ini"),
    ("duplicate_default_option", "[DEFAULT]\na = 1\n[s]\n[DEFAULT]\nA = 2\n", {}, [], "logging.ini"),
    ("line_numbers_wide", "[s]\n" + "\n" * 120 + "bad\n" + "k = v\n", {}, [], "logging.ini"),
    ("line_numbers_duplicate", "[s]\n" + "\n" * 120 + "k = v\n" * 2, {}, [], "logging.ini"),
    ("source_with_quote", "[s]\nbad\n", {}, [], "it's.ini"),
]

# fileConfig's `defaults` go through ConfigParser(defaults), which rejects two spellings of a key.
DEFAULTS_CASES = [
    {},
    {"a": "1", "B": "2"},
    {"x": "1", "X": "2"},
    {"Key": "1", "other": "%bad", "KEY": "3"},
]


def rs(s):
    """A Rust string literal."""
    out = ['"']
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif " " <= c <= "~":
            out.append(c)
        else:
            out.append("\\u{%x}" % ord(c))
    out.append('"')
    return "".join(out)


def outcome(call):
    try:
        value = call()
    except configparser.Error as e:
        return "Q::Error(%s)" % rs(str(e))
    if value is None:
        return "Q::Absent"
    return "Q::Value(%s)" % rs(value)


def main():
    workdir = tempfile.mkdtemp()
    os.chdir(workdir)
    out = [
        "// @generated by ini_cases.py from CPython %s; do not edit." % sys.version.split()[0],
        "",
        "const INI_CASES: &[IniCase] = &[",
    ]
    for name, text, defaults, extra_keys, source in CASES:
        with open(source, "wb") as f:
            f.write(text.encode("utf-8"))
        out.append("    IniCase {")
        out.append("        name: %s," % rs(name))
        out.append("        source: %s," % rs(source))
        out.append("        text: %s," % rs(text))
        out.append("        defaults: &[%s]," % ", ".join(
            "(%s, %s)" % (rs(k), rs(v)) for k, v in defaults.items()))
        cp = configparser.ConfigParser(defaults)
        try:
            cp.read(source, encoding="utf-8")
        except configparser.Error as e:
            try:
                logging.config.fileConfig(source, encoding="utf-8")
                file_config = "no error"
            except (RuntimeError, configparser.Error) as fe:
                file_config = str(fe)
            out.append("        outcome: Parsed::Err {")
            out.append("            kind: %s," % rs(type(e).__name__))
            out.append("            message: %s," % rs(str(e)))
            out.append("            file_config: %s," % rs(file_config))
            out.append("        },")
            out.append("    },")
            continue
        out.append("        outcome: Parsed::Ok {")
        out.append("            sections: &[%s]," % ", ".join(rs(s) for s in cp.sections()))
        out.append("            queries: &[")
        for section in cp.sections() + ["DEFAULT", "nosuch"]:
            keys = []
            if section in cp or section == "DEFAULT":
                keys = list(cp[section].keys())
            for key in keys + extra_keys + ["nosuchkey"]:
                for raw in (False, True):
                    result = outcome(lambda: cp.get(section, key, raw=raw, fallback=None))
                    out.append("                (%s, %s, %s, %s)," % (
                        rs(section), rs(key), "true" if raw else "false", result))
        out.append("            ],")
        out.append("        },")
        out.append("    },")
    out.append("];")
    out.append("")
    out.append("const DEFAULTS_CASES: &[(Pairs, Option<&str>)] = &[")
    for defaults in DEFAULTS_CASES:
        try:
            configparser.ConfigParser(defaults)
            result = "None"
        except configparser.Error as e:
            result = "Some(%s)" % rs(str(e))
        out.append("    (&[%s], %s)," % (", ".join(
            "(%s, %s)" % (rs(k), rs(v)) for k, v in defaults.items()), result))
    out.append("];")
    out.append("")
    with open(os.path.join(HERE, "ini_cases.rs"), "w") as f:
        f.write("\n".join(out))
    os.chdir(HERE)
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
