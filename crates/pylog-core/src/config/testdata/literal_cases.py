"""Writes literal_cases.rs: what Python 3.11 makes of each args=/kwargs= text below, for the
Rust tests in pyliteral.rs.

For each text, the outcome is one of:
- Value(repr): CPython's eval() of it, with every name (`sys.stdout`) standing for the string
  'ext://sys.stdout' and tuples shown as lists: the `ConfigValue` display the parser must produce.
- Syntax(msg): CPython refuses the text with SyntaxError(msg).
- NotLiteral(node): valid Python that runs code (its ast node), which the parser refuses.
- Unsupported(reason): a literal the parser does not represent (complex, bytes, ...).

Run from anywhere:  python3 literal_cases.py   (rewrites literal_cases.rs next to this script)
"""

import ast
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = [
    # what real files hold
    "(sys.stdout,)", "(sys.stderr,)", "()", "('python.log', 'w')",
    "('localhost', handlers.DEFAULT_TCP_LOGGING_PORT)",
    "(('localhost', handlers.SYSLOG_UDP_PORT), handlers.SysLogHandler.LOG_USER)",
    "('localhost', 'from@abc', ['user1@abc', 'user2@xyz'], 'Logger Subject')",
    "(10, ERROR)", "(10, logging.ERROR)", "{'timeout': 10.0}", "{'secure': True}", "{}",
    "{'encoding': 'utf-8', 'delay': True}", "('app.log', 'a', 1048576, 5)",
    "('/var/log/app.log', 'midnight', 1, 7, None, False, True)",
    "(sys.stdout,)  # trailing comment", "(\nsys.stdout,\n'x'\n)", "('a',\n# comment line\n'b')",
    "{'a': 1,\n 'b': 2,\n}", "\n(1, 2)", "(1, 2)\n", "  (1,)", "(1,) \t",
    # ints
    "0", "00", "0_0", "42", "-42", "+42", "- 42", "--5", "-+-5", "-(5)", "1_000_000",
    "0x1F", "0X1f", "0x_1f", "0o17", "0O17", "0o_7", "0b101", "0B1_01", "-0x10",
    "9223372036854775807", "-9223372036854775808", "9223372036854775808",
    "-9223372036854775809", "0xffffffffffffffff", "1" + "0" * 40,
    "01", "0_1", "09", "1__0", "1_", "0x", "0xg", "0x_", "0b2", "0o8", "0b1_", "1abc",
    # floats
    "1.5", "-1.5", "1.", ".5", "-.5", "1e3", "1E3", "1e-3", "1E+3", "1.e3", "1.5e10",
    "1_0.5", "1e1_0", "1_000.000_1", "01.5", "09.5", "00.5", "01e3", "0e0", "1e400", "-1e400",
    "0.1", "1e-400", "3.141592653589793", "1e", "1e+", "1.5e", "1_.5",
    # strings
    "'a'", '"a"', "''", '""', "'''a\nb'''", '"""a\nb"""', "'''it's'''", '"it\'s"',
    "'a' 'b'", "'a' \"b\" '''c'''", "('a'\n 'b')", "'a' r'\\n'",
    "'\\n\\t\\r\\\\\\'\\\"\\a\\b\\f\\v'", "'\\x41\\u00e9\\U0001F600'", "'\\101\\0\\7\\777'",
    "'C:\\logs\\app.log'", "'\\d\\q\\%'", "'a\\\nb'", "'\\\r\nx'",
    "r'\\n'", "R'\\n'", "r'a\\'b'", "r'C:\\logs\\app.log'", "r'''\\'''\\''''", "u'x'", "U'x'",
    "'é ☕ 😀'", "'\\ud800'", "'\\U00110000'", "'\\x4'", "'\\u12'", "'\\N{BULLET}'",
    "'abc", "'abc\n'", "'''abc", "'''a\nb", "r'\\'", "'\\'", "b'x'", "B'x'", "br'x'", "f'x'",
    "rf'x'", "'a\x00'",
    # constants, names
    "True", "False", "None", "DEBUG", "sys.stdout", "sys . stdout", "handlers.SysLogHandler.LOG_USER",
    "_private", "a1.b2", "naïve",
    # containers
    "(1,)", "(1)", "((1))", "(1, 2,)", "[]", "[1]", "[1,]", "[1, [2, (3,)]]", "1, 2", "1,",
    "{'a': 1, 'a': 2, 'b': 3}", "{'a': {'b': [1, (2,)]}}", "{'k': None}", "{'a' 'b': 1}",
    "{1: 'a'}", "{None: 1}", "{(1, 2): 3}", "{DEBUG: 1}", "{('a'): 1}",
    "(,)", "[,]", "[1,,2]", "{,}", "(1 2)", "[1 2]", "{'a' 1}", "{'a': }", "1 2", "'a' b",
    "(1", "[1", "{'a': 1", "(1]", "1)", "]", "", "  ", "# c", "\n", "'a'\n'b'", "1\n  2",
    "\t\n  1", "(" * 199 + ")" * 199, "[" * 201 + "]" * 201,
    "(" * 200 + "1" + ")" * 200, "[" * 200 + "1" + "]" * 200, "{'k':" * 200 + "1" + "}" * 200,
    "{'k':" * 201 + "1" + "}" * 201, "(1, \\\n 2)", "1 \\ 2",
    # not literals
    "(os.path.join('a', 'b'),)", "open('x')", "sys.stdout.write", "x[0]", "'a'.upper",
    "'a'.upper()", "(1)(2)", "[1][0]", "1 + 2", "1 - 2", "'a' + 'b'", "2 ** 8", "1 if x else 2",
    "[x for x in y]", "(x for x in y)", "{k: v for k, v in y}", "{x for x in y}",
    "lambda: 1", "not x", "~5", "-True", "-'a'", "-x", "-sys.maxsize", "x == 1", "x and y",
    "(x := 1)", "[*x]", "*x,", "{'a': 1, **x}", "...", "{1, 2}", "{1}", "1j", "1.5j",
    "await x", "x.if", "True.real", "None.x", "print", "f'{x}'", "1 < 2", "a in b", "1 @ 2",
]


class Name:
    """A name in the logging namespace, standing for its ext:// reference."""

    def __init__(self, dotted):
        self.dotted = dotted

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Name(self.dotted + "." + attr)


class Names(dict):
    def __missing__(self, key):
        return Name(key)


SUPPORTED = (ast.Expression, ast.Constant, ast.Tuple, ast.List, ast.Dict, ast.Name, ast.Attribute,
             ast.UnaryOp, ast.Load, ast.USub, ast.UAdd)


def unsupported_node(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and None in node.keys:
            return "DictUnpack"
        if isinstance(node, ast.Set):
            continue
        if not isinstance(node, SUPPORTED):
            return type(node).__name__
        if isinstance(node, ast.UnaryOp):
            operand = node.operand
            while isinstance(operand, ast.UnaryOp):
                operand = operand.operand
            if not isinstance(node.op, (ast.USub, ast.UAdd)) or not (
                    isinstance(operand, ast.Constant) and type(operand.value) in (int, float)):
                return "UnaryOp"
        if isinstance(node, ast.Attribute):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if not isinstance(base, ast.Name):
                return "Attribute"
    return None


def shown(value):
    """The ConfigValue display (Python repr, tuples as lists) of an eval() result."""
    if isinstance(value, Name):
        return repr("ext://" + value.dotted)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        if not -2**63 <= value < 2**63:
            raise Refused("int-range")
        return repr(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Refused("surrogate")
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if not isinstance(k, str) or isinstance(k, Name):
                raise Refused("dict-key")
            items.append(repr(k) + ": " + shown(v))
        return "{" + ", ".join(items) + "}"
    raise Refused(type(value).__name__)


class Refused(Exception):
    pass


def outcome(text):
    source = text.lstrip(" \t")  # as eval() does
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        msg = e.msg
        if msg.startswith("(unicode error)"):
            msg = msg.rsplit(": ", 1)[1]
        return "Syntax(%s)" % rs(msg)
    except ValueError as e:  # null bytes, in older 3.11 releases
        return "Syntax(%s)" % rs(str(e))
    node = unsupported_node(tree)
    if node is not None:
        return "NotLiteral(%s)" % rs(node)
    for n in ast.walk(tree):
        if isinstance(n, ast.Set):
            return "Unsupported(%s)" % rs("set")
        if isinstance(n, ast.Dict):
            for k in n.keys:
                if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                    return "Unsupported(%s)" % rs("dict-key")
        if isinstance(n, ast.Constant) and type(n.value) not in (str, int, float, bool, type(None)):
            return "Unsupported(%s)" % rs(type(n.value).__name__)
    if "\\N{" in text:
        return "Unsupported(%s)" % rs("named-escape")
    try:
        value = eval(source, {"__builtins__": {}}, Names())
        return "Value(%s)" % rs(shown(value))
    except Refused as e:
        return "Unsupported(%s)" % rs(str(e))


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
        elif c == "\0":
            out.append("\\0")
        elif " " <= c <= "~":
            out.append(c)
        else:
            out.append("\\u{%x}" % ord(c))
    out.append('"')
    return "".join(out)


def main():
    warnings.simplefilter("ignore")
    out = [
        "// @generated by literal_cases.py from CPython %s; do not edit." % sys.version.split()[0],
        "",
        "const LITERAL_CASES: &[(&str, Py)] = &[",
    ]
    for text in CASES:
        out.append("    (%s, Py::%s)," % (rs(text), outcome(text)))
    out.append("];")
    out.append("")
    with open(os.path.join(HERE, "literal_cases.rs"), "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
