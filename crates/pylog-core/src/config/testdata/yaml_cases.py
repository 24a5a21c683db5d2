#!/usr/bin/env python3
"""What PyYAML's yaml.safe_load makes of each YAML case, for the tests of config/yaml.rs.

Run from this directory after changing a case (needs PyYAML: `python3 -m pip install pyyaml`):

    python3 yaml_cases.py > yaml_cases.json

The Rust tests read yaml_cases.json, so `cargo test` needs no Python. Each case records PyYAML's
result, tagged by type:

    ["null"], ["bool", true], ["int", "12"] (text: Python ints have no limit),
    ["float", "1.5"] (Python's repr), ["str", "x"], ["list", [...]],
    ["map", [[key, value], ...]] (keys as Python's str(); the reader's maps have string keys),
    ["timestamp", "2024-01-02"] (str() of the date or datetime),
    ["unrepresentable", "bytes"] (bytes, sets, tuples, recursive lists: what the tree cannot hold)

or ["error", "ExceptionType: first line of the message"]. A case may add "ours": the value (or
["error", "text our message contains"]) the reader gives where it cannot or does not follow
PyYAML, with "why"; "error_contains" is a text our error message must contain where both fail.
"""

import json
import sys

import yaml

CASES = []


def case(name, text, ours=None, why=None, error_contains=None):
    entry = {"name": name, "yaml": text}
    if ours is not None:
        assert why, name
        entry["ours"] = ours
        entry["why"] = why
    if error_contains is not None:
        entry["error_contains"] = error_contains
    CASES.append(entry)


# --- Plain scalars: SafeLoader's implicit resolvers (YAML 1.1) ---

for word in ["yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
             "FALSE", "on", "On", "ON", "off", "Off", "OFF",
             # Not booleans: PyYAML lists exact case forms, and y/n are not among them.
             "yEs", "tRUE", "oN", "y", "Y", "n", "N", "yes!", "truee"]:
    case(f"bool {word}", f"v: {word}\n")

for word in ["~", "null", "Null", "NULL", "nULL", "nul", "None", "none"]:
    case(f"null {word}", f"v: {word}\n")
case("null empty value", "v:\n")
case("null empty document value", "a:\nb: 1\n")

for word in ["0", "-0", "+0", "1", "+1", "-1", "42", "0777", "-0777", "00", "0_", "08", "09",
             "0o17", "0b101", "-0b101", "+0b1_0", "0B1", "0b", "0b2", "0x1F", "0x1f", "-0x1F",
             "0X1F", "0xff_ff", "0x", "0xg", "1_000", "1__0", "1_", "_1", "1_000_000", "1:20",
             "1:20:30", "-1:30", "+1:30", "0:30", "1:60", "1:99", "1:5", "1:05", "190:20:30",
             "1_2:30", "1::30", "1:", "12:345", "9223372036854775807", "-9223372036854775808",
             "9223372036854775808", "-9223372036854775809", "0x8000000000000000",
             "99999999999999999999999", "0777777777777777777777777", "1:0:0:0:0:0:0:0:0:0:0:0",
             "1 000", "1,000", "٣"]:
    case(f"int {word}", f"v: {word}\n")

case("int 0b_ is PyYAML's ValueError", "v: 0b_\n", error_contains="not an integer")
case("int 0x_ is PyYAML's ValueError", "v: 0x_\n", error_contains="not an integer")
case("int +_ is a string", "v: +_\n")

for word in ["1.5", "1.", "-1.", ".5", "+.5", "-.5", "._5", "1e5", "1e+5", "1E5", "1.0e+5",
             "1.e+5", "1.5e3", "1.5E+3", "1.5e-3", "1.5e+", "6.8523015e+5", "685.230_15e+03",
             "1_000.5", "1.2_3", "1__.__", "_1.0", "1.5.5", "0.0", "-0.0", "00.5", "1.0e+400",
             "-1.0e+400", "1.0e-400", ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".iNf", "inf",
             "-inf", "infinity", ".nan", ".NaN", ".NAN", ".nAn", "-.nan", "+.nan", "nan", "NaN",
             "1:30.5", "190:20:30.15", "-1:30.5", "0:30.", "1:30.5e+1", "1:30", "3.14159265358979",
             "0.1", "1.7976931348623157e+308", "5e-324", "1.0e+16", "123456789.123456789"]:
    case(f"float {word}", f"v: {word}\n")

for word in ["2024-01-02", "2024-1-2", "2001-12-14t21:59:43.10-05:00",
             "2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10", "2002-12-14T00:00:00Z",
             "2001-12-14T21:59:43Z", "2001-12-14 21:59:43 ", "2024-01-02x", "20240-01-02"]:
    case(f"timestamp {word!r}", f"v: {word}\n",
         ours=["map", [["v", ["str", word.strip()]]]] if word not in (
             "2024-1-2", "2024-01-02x", "20240-01-02") else None,
         why="a configuration value has no date or datetime: a timestamp stays its text"
         if word not in ("2024-1-2", "2024-01-02x", "20240-01-02") else None)

case("merge key alone as a value", "v: <<\n", error_contains="could not determine a constructor")
case("value key as a value", "v: =\n", error_contains="could not determine a constructor")
case("value key as a key is a string", "=: 1\n")

# --- Strings ---

case("plain words", "v: hello world\n")
case("plain with colon inside", "v: a:b\n")
case("plain url", "v: http://example.com:8080/path?q=1#frag\n")
case("plain percent format", "format: %(asctime)s - %(name)s - %(levelname)s - %(message)s\n")
case("plain brace format", "format: '{asctime} {levelname:<8} {message}'\n")
case("plain dollar format", "format: $asctime $message\n")
case("plain hash without space", "v: a#b\n")
case("plain comment after", "v: a b  # comment\n")
case("plain multi-line folds", "v: first\n  second\n\n  third\n")
case("plain ext reference", "stream: ext://sys.stdout\n")
case("plain cfg reference", "target: cfg://handlers.file\n")
case("plain factory key", "(): my.package.factory\n")
case("plain trailing spaces", "v: text   \n")
case("plain unicode", "v: café ☕ 日本\n")
case("plain dash word", "v: -x\n")
case("plain question word", "v: ?x\n")
case("plain key without space is a scalar", "key:value\n")

case("single quoted", "v: 'it''s 123'\n")
case("single quoted number", "v: '123'\n")
case("single quoted yes", "v: 'yes'\n")
case("single quoted null", "v: 'null'\n")
case("single quoted empty", "v: ''\n")
case("single quoted multi-line", "v: 'one\n  two\n\n  three'\n")
case("double quoted number", 'v: "1.5"\n')
case("double quoted tilde", 'v: "~"\n')
case("double quoted escapes", 'v: "tab\\there\\nnew \\\\ \\" \\/ \\x41 \\u00e9 \\U0001F600"\n')
case("double quoted yaml 1.1 escapes", 'v: "\\0 \\a \\b \\e \\f \\r \\v \\N \\_ \\L \\P \\ "\n')
case("double quoted line continuation", 'v: "abc\\\n    def"\n')
case("double quoted folded", 'v: "one\n  two"\n')
case("double quoted unknown escape", 'v: "\\q"\n')
case("double quoted bad hex escape", 'v: "\\xZZ"\n')

# --- Block scalars ---

case("literal clip", "v: |\n  line 1\n  line 2\n\nw: 1\n")
case("literal strip", "v: |-\n  line 1\n  line 2\n\nw: 1\n")
case("literal keep", "v: |+\n  line 1\n  line 2\n\n\nw: 1\n")
case("literal keep at end", "v: |+\n  a\n\n")
case("literal more indented", "v: |\n  a\n    b\n  c\n")
case("literal indentation indicator", "v: |2\n   leading space\n  b\n")
case("literal empty", "v: |\nw: 1\n")
case("literal number stays string", "v: |\n  123\n")
case("folded clip", "v: >\n  folded\n  text\n\n  para\nw: 1\n")
case("folded strip", "v: >-\n  folded\n  text\n")
case("folded keep", "v: >+\n  folded\n  text\n\n")
case("folded more indented", "v: >\n  a\n    b\n  c\n")
case("folded comment after", "v: > # comment\n  text\n")
case("literal with tabs inside", "v: |\n  a\tb\n")

# --- Collections ---

case("flow sequence", "v: [1, two, 3.0, yes, ~]\n")
case("flow mapping", "v: {a: 1, b: [x, y], c: {d: e}}\n")
case("flow empty", "v: [[], {}]\n")
case("flow trailing comma", "v: [1, 2,]\n")
case("flow multi-line", "v: [1,\n  2,\n  3]\n")
case("flow mapping missing value", "v: {a, b: 2}\n")
case("flow colon without space", "v: {a:1}\n")
case("flow sequence colon", "v: [a:1]\n")
case("flow quoted keys", 'v: {"a": 1, \'b\': 2}\n')
case("flow single pair in sequence", "v: [a: 1, b]\n")
case("block sequence", "v:\n  - 1\n  - two\n")
case("block sequence indentless", "v:\n- 1\n- 2\nw: 3\n")
case("block sequence of maps", "- a: 1\n  b: 2\n- c: 3\n")
case("block nested sequence", "- - a\n  - b\n- - c\n")
case("block sequence empty item", "- \n- # comment\n- x\n")
case("block complex key", "? a\n: 1\n? b\n")
case("top level sequence", "- 1\n- 2\n")
case("top level scalar", "just text\n")
case("top level int", "42\n")
case("document start and end", "---\na: 1\n...\n")
case("document start with value", "--- 5\n")
case("only document start", "---\n")
case("empty", "")
case("only comments", "# nothing here\n\n# at all\n")
case("only whitespace", "   \n\n")
case("yaml directive 1.1", "%YAML 1.1\n---\na: yes\n")
case("yaml directive 1.2 still yaml 1.1 rules", "%YAML 1.2\n---\na: yes\n")
case("crlf line endings", "a: 1\r\nb:\r\n  - x\r\n")
case("byte order mark", "\ufeffa: 1\n")
case("keys keep document order", "z: 1\na: 2\nm: 3\n")
case("deep nesting 50", "v: " + "[" * 50 + "]" * 50 + "\n")

# --- Keys ---

case("int key", "1: a\n0x10: b\n")
case("bool keys", "on: a\noff: b\nyes: c\n")
case("null key", "~: a\n")
case("float key", "1.5: a\n.inf: b\n")
case("int and string keys that print the same", "1: a\n'1': b\n",
     ours=["map", [["1", ["str", "b"]]]],
     why="map keys are strings: 1 and '1' are one key, and the later value wins")
case("int and bool keys Python finds equal", "1: a\ntrue: b\n",
     ours=["map", [["1", ["str", "a"]], ["True", ["str", "b"]]]],
     why="Python's 1 == True merges the keys; as strings '1' and 'True' differ")
case("list key", "? [a, b]\n: 1\n", error_contains="unhashable key")
case("map key in flow", "{[a]: 1}\n", error_contains="unhashable key")
case("map key", "? {a: 1}\n: 2\n", error_contains="unhashable key")
case("duplicate keys last wins in first place", "a: 1\nb: 2\na: 3\n")
case("duplicate nested keys", "h:\n  x: 1\nh:\n  y: 2\n")
case("unicode keys", "日本: 1\ncafé: 2\n")
case("quoted merge key is a string", "'<<': {a: 1}\n")
case("long key", "k" * 1030 + ": 1\n")

# --- Anchors, aliases, merge ---

case("alias of scalar", "a: &x 5\nb: *x\n")
case("alias of map", "a: &m {k: v}\nb: *m\n")
case("alias of list", "a: &l [1, 2]\nb: *l\nc: [*l, *l]\n")
case("alias as key", "a: &k key\n*k : value\n")
case("anchor on key", "&k a: 1\nb: *k\n")
case("anchor with tag first", "a: !!str &x 12\nb: *x\n")
case("anchor with tag after", "a: &x !!str 12\nb: *x\n")
case("anchor on block map", "base: &base\n  level: INFO\n  formatter: simple\ncopy: *base\n")
case("anchor names", "a: &a-b_C9 1\nb: *a-b_C9\n")
case("merge single map", "base: &base {a: 1, b: 2}\nd:\n  <<: *base\n  c: 3\n")
case("merge explicit keys win", "base: &base {a: 1, b: 2}\nd:\n  <<: *base\n  b: 3\n")
case("merge explicit key before merge", "base: &base {a: 1, b: 2}\nd:\n  b: 3\n  <<: *base\n")
case("merge list first wins", "x: &x {a: 1, b: 1}\ny: &y {b: 2, c: 2}\nd:\n  <<: [*x, *y]\n")
case("merge list order", "x: &x {p: 1}\ny: &y {q: 2}\nd:\n  <<: [*x, *y]\n  r: 3\n")
case("merge inline map", "d:\n  <<: {a: 1}\n  b: 2\n")
case("merge nested merge", "a: &a {x: 1}\nb: &b\n  <<: *a\n  y: 2\nc:\n  <<: *b\n  z: 3\n")
case("merge two merge keys", "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: *a\n  <<: *b\n")
case("merge tagged map", "d:\n  <<: !!map {a: 1}\n")
case("merge explicit tag", "d:\n  !!merge x: {a: 1}\n  b: 2\n")
case("merge scalar", "d:\n  <<: 1\n", error_contains="expected a mapping or list of mappings")
case("merge list with scalar", "a: &a {x: 1}\nd:\n  <<: [*a, 1]\n",
     error_contains="expected a mapping for merging")
case("merge list with list", "d:\n  <<: [[1]]\n", error_contains="expected a mapping for merging")
case("merge empty map", "d:\n  <<: {}\n  a: 1\n")
case("merge empty list", "d:\n  <<: []\n  a: 1\n")
case("merge into top level", "<<: {a: 1}\nb: 2\n")
case("merge keeps anchored map intact", "a: &a\n  <<: {x: 1}\n  y: 2\nb: *a\nc:\n  <<: *a\n")
case("undefined alias", "a: *nope\n", error_contains="unknown anchor")
case("duplicate anchor", "a: &x 1\nb: &x 2\nc: *x\n", error_contains="duplicate anchor 'x'")
case("anchor with dot", "a: &x.y 1\nb: *x.y\n", error_contains="expected alphabetic or numeric")
case("anchor without name", "a: & 1\n")
case("recursive alias", "a: &a [1, *a]\n",
     ours=["error", "inside the node it refers to"],
     why="a recursive list cannot be a configuration value")
case("recursive alias in map", "a: &a {b: *a}\n",
     ours=["error", "inside the node it refers to"],
     why="a recursive dict cannot be a configuration value")
case("billion laughs small", "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n")

# --- Explicit tags ---

case("tag str on int", "v: !!str 123\n")
case("tag str on bool", "v: !!str yes\n")
case("tag int on quoted", "v: !!int \"12\"\n")
case("tag int spaces", "v: !!int \" 12 \"\n")
case("tag int octal prefix", "v: !!int \"0o17\"\n")
case("tag int double hex prefix", "v: !!int \"0x0x1f\"\n")
case("tag int sexagesimal sign", "v: !!int \"1:-30\"\n")
case("tag int not a number", "v: !!int abc\n", error_contains="not an integer")
case("tag int empty", "v: !!int \"\"\n", error_contains="not an integer")
case("tag int sign only", "v: !!int \"-\"\n", error_contains="not an integer")
case("tag int decimal point", "v: !!int 1.5\n", error_contains="not an integer")
case("tag float on int", "v: !!float 1\n")
case("tag float exponent without dot", "v: !!float 1e5\n")
case("tag float spaces", "v: !!float \" 1.5 \"\n")
case("tag float infinity", "v: !!float infinity\n")
case("tag float double sign", "v: !!float \"--5\"\n")
case("tag float underscores", "v: !!float 1_0.5\n")
case("tag float not a number", "v: !!float abc\n", error_contains="not a float")
case("tag float empty", "v: !!float \"\"\n", error_contains="not a float")
case("tag bool on quoted", "v: !!bool \"yes\"\n")
case("tag bool any case", "v: !!bool yEs\n")
case("tag bool not a bool", "v: !!bool maybe\n", error_contains="KeyError")
case("tag null on text", "v: !!null anything\n")
case("tag map", "v: !!map {a: 1}\n")
case("tag seq", "v: !!seq [1]\n")
case("tag str on seq", "v: !!str [a]\n", error_contains="expected a scalar node, but found sequence")
case("tag null on seq", "v: !!null [1]\n", error_contains="expected a scalar node")
case("tag map on seq", "v: !!map [a]\n", error_contains="expected a mapping node, but found sequence")
case("tag seq on map", "v: !!seq {a: 1}\n", error_contains="expected a sequence node, but found mapping")
case("tag str on map", "v: !!str {a: 1}\n", error_contains="expected a scalar node, but found mapping")
case("tag seq on scalar", "v: !!seq a\n", error_contains="expected a sequence node, but found scalar")
case("tag non-specific plain", "v: ! 123\n")
case("tag non-specific quoted resolves", "v: ! \"123\"\n")
case("tag non-specific quoted trailing newline", "v: ! \"1\\n\"\n")
case("tag non-specific quoted yes with newline", "v: ! \"yes\\n\"\n", error_contains="KeyError")
case("tag non-specific on map", "v: ! {a: 1}\n")
case("tag verbatim", "v: !<tag:yaml.org,2002:str> 12\n")
case("tag directive", "%TAG !e! tag:yaml.org,2002:\n---\nv: !e!int \"5\"\n")
case("tag local", "v: !foo 12\n", error_contains="could not determine a constructor for the tag '!foo'")
case("tag local on map", "v: !foo {a: 1}\n", error_contains="'!foo'")
case("tag python name", "v: !!python/name:logging.StreamHandler \"\"\n",
     error_contains="'tag:yaml.org,2002:python/name:logging.StreamHandler'")
case("tag python object", "v: !!python/object:logging.Formatter {}\n",
     error_contains="could not determine a constructor")
case("tag python tuple", "v: !!python/tuple [1, 2]\n", error_contains="could not determine")
case("tag unknown core", "v: !!something x\n", error_contains="'tag:yaml.org,2002:something'")
case("tag timestamp on text", "v: !!timestamp foo\n",
     ours=["map", [["v", ["str", "foo"]]]],
     why="timestamps stay their text; PyYAML fails with an AttributeError")
case("tag binary", "v: !!binary aGk=\n", ours=["error", "bytes"],
     why="a configuration value has no bytes")
case("tag set", "v: !!set {a, b}\n", ours=["error", "a set"],
     why="a configuration value has no set")
case("tag omap", "v: !!omap [a: 1]\n", ours=["error", "tuples"],
     why="a configuration value has no tuple")
case("tag pairs", "v: !!pairs [a: 1]\n", ours=["error", "tuples"],
     why="a configuration value has no tuple")
case("tag merge on value", "v: !!merge x\n", error_contains="could not determine a constructor")

# --- Documents and syntax errors ---

case("two documents", "a: 1\n---\nb: 2\n", error_contains="expected a single document")
case("two empty documents", "---\n---\n", error_contains="expected a single document")
case("document after end marker", "a: 1\n...\nb: 2\n", error_contains="expected a single document")
case("second document broken", "a: 1\n---\n[unclosed\n", error_contains="expected a single document")
case("bad indentation", "a:\n  b: 1\n c: 2\n")
case("unclosed double quote", "a: \"unclosed\nb: 1\n")
case("unclosed single quote", "a: 'unclosed\n")
case("unclosed flow sequence", "a: [1, 2\n")
case("unclosed flow mapping", "a: {b: 1\n")
case("tab indentation", "a:\n\tb: 1\n")
case("tab after key", "a:\t1\n")
case("tab inside value", "a: x\ty\n")
case("mapping values not allowed", "a: b: c\n")
case("sequence after mapping", "a: b\n- c\n")
case("reserved indicator at", "a: @x\n")
case("reserved indicator backquote", "a: `x\n")
case("control character", "a: \x01\n", error_contains="unacceptable character #x0001")
case("delete character", "a: \x7f\n", error_contains="unacceptable character #x007f")
case("nel is a line break in yaml 1.1", "a: x\x85b: y\n")
case("line separator in a plain scalar", "a: x\u2028y\n", ours=["map", [["a", ["str", "x\u2028y"]]]],
     why="U+2028 and U+2029 are line breaks in YAML 1.1 only; saphyr-parser (YAML 1.2) reads them "
     "as text")
case("line separator in quotes", "a: \"x\u2028y\"\n")
case("flow end at top", "]\n")
case("directive after content", "a: 1\n%YAML 1.1\n")
case("yaml directive 2.0", "%YAML 2.0\n---\na: 1\n")
case("colon at start", ": x\n", ours=["map", [["None", ["str", "x"]]]],
     why="YAML 1.2 allows an empty key in a block mapping; PyYAML refuses it")
case("dash no space", "-1\n")
case("dash only", "-\n")
case("question only", "?\n")
case("deep nesting 600", "v: " + "[" * 600 + "]" * 600 + "\n",
     ours=["error", "recursion limit exceeded"],
     why="saphyr-parser stops at 255 levels of flow nesting (PyYAML's recursive composer near "
     "450); block nesting is capped at 512 levels")
case("plain scalar with tab on the next line", "a: x\n  \ty\n",
     ours=["map", [["a", ["str", "x y"]]]],
     why="saphyr-parser takes a tab before a continuation line as white space; PyYAML refuses it")
case("tab in a comment", "a: x # a\tcomment\n")
case("tab in quotes", "a: 'x\ty'\n")
case("tab after a quoted value", "a: 'x'\t\n",
     ours=["map", [["a", ["str", "x"]]]],
     why="saphyr-parser takes a tab as white space between tokens; PyYAML refuses it there")
case("nel inside quotes", "a: 'x\x85y'\n", ours=["error", "invalid indentation in quoted scalar"],
     why="NEL is a line break, and saphyr-parser (YAML 1.2) wants a quoted scalar's next line "
     "indented, where PyYAML does not")
case("nel inside indented quotes", "a: 'x\x85  y'\n")
case("quoted continuation at column 0", "a: 'x\ny'\n",
     ours=["error", "invalid indentation in quoted scalar"],
     why="saphyr-parser (YAML 1.2) wants a quoted scalar's next line indented; PyYAML does not")
case("double quoted continuation at column 0", "a: \"x\ny\"\n",
     ours=["error", "invalid indentation in quoted scalar"],
     why="saphyr-parser (YAML 1.2) wants a quoted scalar's next line indented; PyYAML does not")
case("top level quoted continuation at column 0", "'x\ny'\n")
case("nel in a literal block", "a: |\n  x\x85  y\n")
case("yaml directive 1.5", "%YAML 1.5\n---\na: 1\n")

# --- Shapes from Python's logging documentation ---

case("howto logging.yaml", """\
version: 1
formatters:
  simple:
    format: '%(asctime)s - %(name)s - %(levelname)s - %(message)s'
handlers:
  console:
    class: logging.StreamHandler
    level: DEBUG
    formatter: simple
    stream: ext://sys.stdout
loggers:
  simpleExample:
    level: DEBUG
    handlers: [console]
    propagate: no
root:
  level: DEBUG
  handlers: [console]
""")

case("dictConfig schema example", """\
formatters:
  brief:
    format: '%(message)s'
  default:
    format: '%(asctime)s %(levelname)-8s %(name)-15s %(message)s'
    datefmt: '%Y-%m-%d %H:%M:%S'
  custom:
      (): my.package.customFormatterFactory
      bar: baz
      spam: 99.9
      answer: 42
handlers:
  console:
    class : logging.StreamHandler
    formatter: brief
    level   : INFO
    filters: [allow_foo]
    stream  : ext://sys.stdout
  file:
    class : logging.handlers.RotatingFileHandler
    formatter: precise
    filename: logconfig.log
    maxBytes: 1024
    backupCount: 3
""")

case("cookbook rotating file and filters", """\
version: 1
disable_existing_loggers: false
formatters:
  verbose:
    format: "%(levelname)s %(asctime)s %(module)s %(process)d %(thread)d %(message)s"
    style: '%'
  brace:
    format: "{asctime} [{levelname:^8}] {name}: {message}"
    style: "{"
    validate: true
filters:
  warnings_and_below:
    (): __main__.filter_maker
    level: WARNING
handlers:
  stdout:
    class: logging.StreamHandler
    level: INFO
    formatter: verbose
    stream: ext://sys.stdout
    filters: [warnings_and_below]
  stderr:
    class: logging.StreamHandler
    level: ERROR
    formatter: verbose
    stream: ext://sys.stderr
  file:
    class: logging.handlers.RotatingFileHandler
    formatter: brace
    filename: /var/log/app/app.log
    maxBytes: 10485760 # 10MB
    backupCount: 20
    encoding: utf8
    delay: True
root:
  level: NOTSET
  handlers:
    - stderr
    - stdout
    - file
loggers:
  app.db:
    level: WARNING
    propagate: false
    handlers: []
  urllib3: {level: ERROR}
""")

case("cookbook owned file handler", """\
version: 1
formatters:
  default:
    format: '%(asctime)s %(levelname)s %(name)s %(message)s'
handlers:
  file:
    '()': __main__.owned_file_handler
    level: DEBUG
    formatter: default
    owner: [pulse, pulse]
    filename: chowntest.log
    mode: w
root:
  handlers: [file]
  level: DEBUG
""")

case("cookbook queue handler", """\
version: 1
handlers:
  console:
    class: logging.StreamHandler
  queue_handler:
    class: logging.handlers.QueueHandler
    handlers:
      - console
    respect_handler_level: true
    queue:
      (): queue.Queue
      maxsize: -1
root:
  handlers: [queue_handler]
  level: INFO
incremental: False
""")

case("anchored handler defaults", """\
version: 1
x-defaults: &defaults
  level: INFO
  formatter: simple
formatters:
  simple: {format: '%(levelname)s:%(name)s:%(message)s', datefmt: '%H:%M:%S'}
handlers:
  console:
    <<: *defaults
    class: logging.StreamHandler
  file:
    <<: *defaults
    level: DEBUG
    class: logging.handlers.TimedRotatingFileHandler
    filename: app.log
    when: midnight
    interval: 1
    backupCount: 7
    utc: yes
    atTime: 01:30
  syslog:
    <<: [*defaults]
    class: logging.handlers.SysLogHandler
    address: [localhost, 514]
    facility: local7
    socktype: ~
loggers:
  app: &app_logger
    level: DEBUG
    handlers: [console, file]
    propagate: off
  app.worker: *app_logger
""")

case("dotted properties key", """\
handlers:
  custom:
    (): my.Handler
    .:
      foo: bar
      baz: 0x10
""")


def encode(value, stack=()):
    import datetime

    if id(value) in stack:
        raise ValueError("recursive " + type(value).__name__)
    stack = stack + (id(value),)
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return ["timestamp", str(value)]
    if isinstance(value, list):
        return ["list", [encode(v, stack) for v in value]]
    if isinstance(value, dict):
        keys = [k if isinstance(k, str) else str(k) for k in value]
        if len(set(keys)) != len(keys):
            raise ValueError("dict whose keys collide as strings")
        return ["map", [[k, encode(v, stack)] for k, v in zip(keys, value.values())]]
    raise ValueError(type(value).__name__)


def pyyaml(text):
    try:
        value = yaml.safe_load(text)
    except Exception as error:  # noqa: BLE001 - PyYAML raises ValueError, KeyError, ... too
        first = str(error).splitlines()[0] if str(error) else ""
        return ["error", f"{type(error).__name__}: {first}"]
    try:
        return encode(value)
    except ValueError as what:
        return ["unrepresentable", str(what)]


def main():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    # One case a line, so that a change of PyYAML's answer is a one-line diff.
    lines = []
    for entry in CASES:
        entry = dict(entry)
        entry["pyyaml"] = pyyaml(entry["yaml"])
        lines.append(json.dumps(entry, ensure_ascii=False))
    sys.stdout.write('{"pyyaml": %s, "cases": [\n' % json.dumps(yaml.__version__))
    sys.stdout.write(",\n".join(lines))
    sys.stdout.write("\n]}\n")


if __name__ == "__main__":
    main()
