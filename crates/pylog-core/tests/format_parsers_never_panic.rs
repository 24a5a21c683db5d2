//! Every format parser (`%`, `{`, `$`) takes any text without panicking, with and without
//! validation, and so does formatting records with whatever compiled: the fuzz targets' seed corpus
//! (`fuzz/seeds/`) and a few thousand pseudo-random strings built from each style's syntax run here
//! on stable Rust, so `cargo test` covers what `cargo +nightly fuzz run` explores further.

use std::path::Path;

use pylog_core::{Formatter, Level, LogRecord, Style, Value};

/// Compiles `format` in `style` (validating and not) and formats records with all value types.
fn exercise(style: Style, format: &str) {
    let extras = [
        ("user", Value::Str("alice")),
        ("count", Value::Int(-42)),
        ("big", Value::UInt(u64::MAX)),
        ("wide", Value::BigInt(i128::MIN)),
        ("ratio", Value::Float(-0.0)),
        ("inf", Value::Float(f64::NAN)),
        ("flag", Value::Bool(true)),
        ("nothing", Value::None),
    ];
    for validate in [true, false] {
        let built = Formatter::builder(format)
            .style(style)
            .validate(validate)
            .utc(true)
            .default_field("d", 7)
            .build();
        let Ok(formatter) = built else { continue };
        let mut out = String::new();
        let mut record = LogRecord::new("app.db", Level::new(25), "hé {x} $y %(z)s");
        let _ = formatter.format(&record, &mut out);
        record.extras = &extras;
        record.created = -1.5;
        let _ = formatter.format(&record, &mut out);
    }
}

/// A small deterministic generator (xorshift64*), so the strings are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Random strings of `tokens`, a few thousand of them.
fn random_formats(seed: u64, tokens: &[&str]) -> Vec<String> {
    let mut rng = Rng(seed);
    (0..3000)
        .map(|_| {
            let len = 1 + rng.below(12);
            (0..len).map(|_| tokens[rng.below(tokens.len())]).collect()
        })
        .collect()
}

const FIELDS: &[&str] = &[
    "message", "levelno", "created", "msecs", "user", "count", "big", "wide", "ratio", "inf",
    "flag", "nothing", "asctime", "args", "d",
];

const SPEC_PARTS: &[&str] = &[
    "<",
    ">",
    "^",
    "=",
    "+",
    "-",
    " ",
    "#",
    "z",
    "0",
    "7",
    "99",
    ",",
    "_",
    ".",
    ".3",
    "d",
    "x",
    "X",
    "b",
    "o",
    "c",
    "e",
    "E",
    "f",
    "g",
    "G",
    "n",
    "%",
    "s",
    "é",
    "\n",
    "99999999999999999999",
    "2000000",
];

fn tokens(style: Style) -> Vec<&'static str> {
    let syntax: &[&str] = match style {
        Style::Percent => &["%", "(", ")", "%%", "*", "l", "h", "r", "a", "s"],
        Style::Brace => &[
            "{", "}", "{{", "}}", ":", "!", "r", "a", "[", "]", "[0]", ".real", ".",
        ],
        _ => &["$", "$$", "{", "}", "_", "1", "x", "\r\n"],
    };
    syntax
        .iter()
        .chain(FIELDS)
        .chain(SPEC_PARTS)
        .copied()
        .collect()
}

fn seeds(target: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let seeds: Vec<String> = entries
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let bytes = std::fs::read(&path).expect("a seed file");
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect();
    assert!(seeds.len() >= 20, "{}: too few seeds", dir.display());
    seeds
}

fn run(style: Style, target: &str, seed: u64) {
    for format in seeds(target) {
        exercise(style, &format);
    }
    for format in random_formats(seed, &tokens(style)) {
        exercise(style, &format);
    }
}

#[test]
fn percent_parser_never_panics() {
    run(Style::Percent, "percent_format", 0x9E37_79B9_7F4A_7C15);
}

#[test]
fn brace_parser_never_panics() {
    run(Style::Brace, "brace_format", 0xD1B5_4A32_D192_ED03);
}

#[test]
fn dollar_parser_never_panics() {
    run(Style::Dollar, "dollar_format", 0x8CB9_2BA7_2F3D_8DD7);
}
