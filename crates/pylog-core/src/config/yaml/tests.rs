use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::*;
use crate::config::ConfigMap;

/// PyYAML's results, written by `testdata/yaml_cases.py`.
const CASES: &str = include_str!("../testdata/yaml_cases.json");

fn parse(text: &str) -> Result<ConfigValue, ConfigError> {
    parse_yaml(text, "test.yaml")
}

/// A tagged value of yaml_cases.json as a ConfigValue; `Err` for what the tree cannot hold.
fn decode(tagged: &Json) -> Result<ConfigValue, String> {
    let kind = tagged[0].as_str().expect("a type tag");
    let arg = &tagged[1];
    Ok(match kind {
        "null" => ConfigValue::Null,
        "bool" => ConfigValue::Bool(arg.as_bool().expect("a bool")),
        "int" => {
            let text = arg.as_str().expect("int text");
            ConfigValue::Int(text.parse().map_err(|_| format!("int {text} beyond i64"))?)
        }
        "float" => ConfigValue::Float(arg.as_str().expect("repr").parse().expect("a float repr")),
        "str" => ConfigValue::Str(arg.as_str().expect("a string").to_owned()),
        "list" => ConfigValue::List(
            arg.as_array()
                .expect("items")
                .iter()
                .map(decode)
                .collect::<Result<_, _>>()?,
        ),
        "map" => {
            let mut map = ConfigMap::new();
            for pair in arg.as_array().expect("pairs") {
                map.insert(pair[0].as_str().expect("a key"), decode(&pair[1])?);
            }
            ConfigValue::Map(map)
        }
        other => return Err(format!("{other} {arg}")),
    })
}

/// Equality that tells -0.0 from 0.0 and takes NaN as equal to NaN.
fn same(a: &ConfigValue, b: &ConfigValue) -> bool {
    match (a, b) {
        (ConfigValue::Float(x), ConfigValue::Float(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        (ConfigValue::List(x), ConfigValue::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (ConfigValue::Map(x), ConfigValue::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => a == b,
    }
}

#[test]
fn every_case_reads_as_pyyaml_reads_it() {
    let data: Json = serde_json::from_str(CASES).expect("yaml_cases.json is JSON");
    let cases = data["cases"].as_array().expect("cases");
    assert!(cases.len() > 300, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let text = case["yaml"].as_str().unwrap();
        let expected = case.get("ours").unwrap_or(&case["pyyaml"]);
        let got = parse(text);
        let problem = match (expected[0].as_str().unwrap(), &got) {
            ("error", Err(error)) => {
                let wanted = case
                    .get("ours")
                    .and_then(|o| o[1].as_str())
                    .or_else(|| case.get("error_contains").and_then(Json::as_str));
                match wanted {
                    Some(part) if !error.to_string().contains(part) => {
                        Some(format!("error {error:?} lacks {part:?}"))
                    }
                    _ if !error.to_string().starts_with("test.yaml:") => {
                        Some(format!("error {error:?} has no position"))
                    }
                    _ => None,
                }
            }
            ("error", Ok(value)) => Some(format!(
                "PyYAML fails ({}), we read {value}",
                case["pyyaml"][1]
            )),
            _ => match (decode(expected), &got) {
                (Ok(want), Ok(value)) if same(&want, value) => None,
                (Ok(want), Ok(value)) => Some(format!("want {want}, got {value}")),
                (Ok(want), Err(error)) => Some(format!("want {want}, got error {error}")),
                (Err(why), Err(error)) if why.contains("beyond i64") => {
                    (!error.to_string().contains("out of range"))
                        .then(|| format!("want an out-of-range error, got {error}"))
                }
                (Err(why), got) => Some(format!("PyYAML makes {why}; we give {got:?}")),
            },
        };
        if let Some(problem) = problem {
            failures.push(format!("{name} ({text:?}): {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn errors_carry_line_and_column() {
    let at = |text: &str| parse(text).unwrap_err().to_string();
    // saphyr-parser's messages, at 1-based positions.
    assert_eq!(
        at("a:\n  b: 1\n c: 2\n"),
        "test.yaml:3:2: while parsing a block mapping, did not find expected key"
    );
    assert!(
        at("a: [1, 2\n").starts_with("test.yaml:2:1: "),
        "{}",
        at("a: [1, 2\n")
    );
    assert!(
        at("a:\n\tb: 1\n").starts_with("test.yaml:2:"),
        "{}",
        at("a:\n\tb: 1\n")
    );
    assert_eq!(
        at("a: 1\n---\nb: 2\n"),
        "test.yaml:2:1: expected a single document in the stream (it starts at line 1, \
         column 1), but found another document"
    );
    assert_eq!(
        at("x: 1\nv: !!python/name:os.system ''\n"),
        "test.yaml:2:4: could not determine a constructor for the tag \
         'tag:yaml.org,2002:python/name:os.system'"
    );
    assert_eq!(
        at("a: ok\nb: é\x01\n"),
        "test.yaml:2:5: unacceptable character #x0001: special characters are not allowed"
    );
    assert_eq!(
        at("a: &x 1\nb: &x 2\n"),
        "test.yaml:2:4: found duplicate anchor 'x'; first occurrence at line 1, column 4"
    );
    assert_eq!(
        at("é: &x.y 1\n"),
        "test.yaml:1:6: while scanning an anchor, expected alphabetic or numeric character, \
         but found '.'"
    );
    assert_eq!(
        at("a:\n  - 99999999999999999999\n"),
        "test.yaml:2:5: integer \"99999999999999999999\" is out of range: configuration \
         integers are 64-bit (-9223372036854775808 to 9223372036854775807)"
    );
    assert_eq!(
        at("a: !!bool maybe\n"),
        "test.yaml:1:4: invalid value for the tag 'tag:yaml.org,2002:bool': KeyError: \"maybe\""
    );
}

#[test]
fn a_syntax_error_is_reported_before_a_bad_tag() {
    // PyYAML composes the whole document before it constructs anything.
    let error = parse("a: !foo 1\nb: [\n").unwrap_err().to_string();
    assert!(
        error.contains("flow sequence") || error.starts_with("test.yaml:3:"),
        "{error}"
    );
}

#[test]
fn anchored_values_are_copies() {
    let value = parse("a: &a {k: [1, 2]}\nb: *a\nc:\n  <<: *a\n  k: 3\n").unwrap();
    assert_eq!(
        value.to_string(),
        "{'a': {'k': [1, 2]}, 'b': {'k': [1, 2]}, 'c': {'k': 3}}"
    );
}

/// One long string, aliased a few thousand times: few values, gigabytes of text.
fn long_string_bomb() -> String {
    let mut text = format!("s: &s {}\nl0: &l0 [", "x".repeat(60_000));
    text.push_str(&["*s"; 10].join(", "));
    text.push_str("]\n");
    for level in 1..=4 {
        let prev = format!("*l{}", level - 1);
        text.push_str(&format!(
            "l{level}: &l{level} [{}]\n",
            [prev.as_str(); 10].join(", ")
        ));
    }
    text
}

#[test]
fn aliases_count_bytes_not_only_values() {
    let text = long_string_bomb();
    assert!(text.len() < 75_000, "{}", text.len());
    let error = parse(&text).unwrap_err().to_string();
    assert!(
        error.contains("expands to more than 16 MiB of text beyond its own length"),
        "{error}"
    );
    // A long string aliased a few times is fine.
    let text = format!("s: &s {}\nl: [*s, *s, *s]\n", "y".repeat(60_000));
    let value = parse(&text).unwrap();
    assert_eq!(
        value
            .get("l")
            .and_then(ConfigValue::as_list)
            .map(<[_]>::len),
        Some(3)
    );
}

#[test]
fn an_alias_bomb_is_rejected_quickly() {
    // Nine levels of ten aliases: a billion strings once expanded.
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..=9 {
        let prev = format!("*a{}", level - 1);
        let items = [prev.as_str(); 10].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    let started = Instant::now();
    let error = parse(&text).unwrap_err().to_string();
    assert!(
        error.contains("expands to more than 1000000 values"),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    // Merges copy too.
    let mut text = String::from("m0: &m0 {a: [x, x, x, x, x, x, x, x, x, x]}\n");
    for level in 1..=9 {
        let items: Vec<String> = (0..10).map(|i| format!("k{i}: *m{}", level - 1)).collect();
        text.push_str(&format!(
            "m{level}: &m{level} {{<<: *m{}, {}}}\n",
            level - 1,
            items.join(", ")
        ));
    }
    let error = parse(&text).unwrap_err().to_string();
    assert!(error.contains("expands to more than"), "{error}");

    // One map of 1000 keys merged into another 400 times: 800,000 values, folded by hash.
    let keys: Vec<String> = (0..1000).map(|i| format!("k{i}: {i}")).collect();
    let text = format!(
        "a: &a {{{}}}\nb:\n  <<: [{}]\n",
        keys.join(", "),
        vec!["*a"; 400].join(", ")
    );
    let started = Instant::now();
    let value = parse(&text).unwrap();
    assert_eq!(
        value
            .get("b")
            .and_then(ConfigValue::as_map)
            .map(ConfigMap::len),
        Some(1000)
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn nesting_is_capped_in_the_text_and_through_aliases() {
    // `- - - x` nests block sequences; saphyr-parser itself stops flow nesting at 255 levels.
    let deep = |n: usize| format!("{}x\n", "- ".repeat(n));
    let ok = parse(&deep(MAX_DEPTH));
    assert!(ok.is_ok(), "{ok:?}");
    let error = parse(&deep(MAX_DEPTH + 1)).unwrap_err().to_string();
    assert!(error.contains("nested deeper than 512 levels"), "{error}");
    // A megabyte of nesting fails at once, without deep recursion.
    assert!(parse(&deep(500_000)).is_err());
    let flow = format!("{}{}", "[".repeat(500_000), "]".repeat(500_000));
    let error = parse(&flow).unwrap_err().to_string();
    assert!(error.contains("recursion limit exceeded"), "{error}");

    // Each alias wraps the last in 100 more levels.
    let brackets = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let mut text = format!("a0: &a0 {}\n", brackets(100));
    for level in 1..=6 {
        let open = "[".repeat(100);
        let close = "]".repeat(100);
        text.push_str(&format!(
            "a{level}: &a{level} {open}*a{}{close}\n",
            level - 1
        ));
    }
    let error = parse(&text).unwrap_err().to_string();
    assert!(error.contains("through aliases"), "{error}");
}

#[test]
fn big_documents_read_in_full() {
    let mut text = String::new();
    for i in 0..5_000 {
        text.push_str(&format!(
            "logger{i}:\n  level: INFO\n  handlers: [h{i}, console]\n"
        ));
    }
    let value = parse(&text).unwrap();
    assert_eq!(value.as_map().unwrap().len(), 5_000);
    assert_eq!(
        value.get("logger4999").unwrap().to_string(),
        "{'level': 'INFO', 'handlers': ['h4999', 'console']}"
    );
}

#[test]
fn anchor_names_are_found_after_multibyte_text() {
    let value = parse("é: &ä 1\n").unwrap_err().to_string();
    assert!(value.contains("found 'ä'"), "{value}");
    let value = parse("ééé: &x 1\nb: &y 2\nc: *x\n").unwrap();
    assert_eq!(value.to_string(), "{'ééé': 1, 'b': 2, 'c': 1}");
}

/// A tiny deterministic generator (xorshift), so the garbled inputs are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn garbled_documents_give_values_or_errors_never_panics() {
    let data: Json = serde_json::from_str(CASES).unwrap();
    let seeds: Vec<&str> = data["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["yaml"].as_str().unwrap())
        .filter(|t| t.len() > 20 && t.len() < 2000)
        .collect();
    let pieces = [
        "-",
        ":",
        " ",
        "\n",
        "  ",
        "\t",
        "[",
        "]",
        "{",
        "}",
        ",",
        "?",
        "&a",
        "*a",
        "&",
        "*",
        "!",
        "!!",
        "!!int",
        "<<",
        "'",
        "\"",
        "|",
        ">",
        "#",
        "%",
        "@",
        "`",
        "---",
        "...",
        "\\",
        "~",
        "0x",
        "1:2",
        ".",
        "é",
        "\u{2028}",
        "\r",
        "\u{feff}",
        "\u{85}",
        "9223372036854775808",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut outcomes = (0, 0);
    for round in 0..600 {
        let seed = seeds[round % seeds.len()];
        let mut text: Vec<char> = seed.chars().collect();
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(text.len() + 1);
            match rng.below(3) {
                0 => {
                    let piece = pieces[rng.below(pieces.len())];
                    text.splice(at..at, piece.chars());
                }
                1 if at < text.len() => {
                    let end = (at + 1 + rng.below(4)).min(text.len());
                    text.drain(at..end);
                }
                _ if at < text.len() => {
                    text[at] = pieces[rng.below(pieces.len())].chars().next().unwrap();
                }
                _ => {}
            }
        }
        let text: String = text.into_iter().collect();
        match parse(&text) {
            Ok(_) => outcomes.0 += 1,
            Err(error) => {
                assert!(
                    error.to_string().starts_with("test.yaml:"),
                    "{error} for {text:?}"
                );
                outcomes.1 += 1;
            }
        }
    }
    // The garbling is strong enough to break some documents and mild enough to leave others.
    assert!(outcomes.0 > 50 && outcomes.1 > 50, "{outcomes:?}");
}
