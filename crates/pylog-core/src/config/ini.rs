//! INI files as `logging.config.fileConfig` reads them: Python 3.11's `configparser.ConfigParser`
//! with its default options.
//!
//! Those defaults are: `=` and `:` as delimiters, `#` and `;` full-line comments and no inline
//! comments, keys lower-cased (`optionxform`), `strict=True` (a section or a key given twice is an
//! error), `allow_no_value=False`, `empty_lines_in_values=True`, and `BasicInterpolation`
//! (`%(key)s`, `%%`).
//!
//! The text is read as Python reads a file in text mode: `\r\n` and a lone `\r` end lines as `\n`
//! does. A byte-order mark is not removed (Python's default UTF-8 codec keeps it, so a file that
//! starts with one has no section header).
//!
//! Errors carry configparser's own texts, so a message matches what `python -c
//! "logging.config.fileConfig('logging.ini')"` prints.

use super::ConfigError;
use crate::format::repr::py_repr;

/// The section whose keys every other section falls back to.
const DEFAULT_SECTION: &str = "DEFAULT";

/// configparser's `MAX_INTERPOLATION_DEPTH`.
const MAX_INTERPOLATION_DEPTH: usize = 10;

/// Bounds on the work one interpolated value may take. configparser has none, but a file whose
/// values each refer several times to the next would take exponential time and memory; no real
/// value comes near these.
const MAX_INTERPOLATED_LEN: usize = 1 << 24;
const MAX_INTERPOLATION_STEPS: usize = 1 << 20;

/// A parsed INI file: its sections in file order, each with its keys in order, and the keys of its
/// `[DEFAULT]` section. Python: a `configparser.ConfigParser` after `read()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Ini {
    sections: Vec<Section>,
    /// The `[DEFAULT]` section's keys (all its blocks, merged).
    defaults: Vec<(String, String)>,
    /// Whether the file had any section header, `[DEFAULT]` included.
    has_headers: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Section {
    name: String,
    entries: Vec<(String, String)>,
}

/// How reading failed. fileConfig wraps configparser's `ParsingError` (and its subclass
/// `MissingSectionHeaderError`) in `RuntimeError('<fname> is invalid: ...')` but lets the
/// duplicate-section and duplicate-option errors through unchanged.
#[derive(Debug)]
enum ReadError {
    Parsing(String),
    Duplicate(String),
}

/// A section or `[DEFAULT]` while its values are still lists of lines.
struct RawSection {
    name: String,
    entries: Vec<(String, Vec<String>)>,
}

impl Ini {
    /// Parses `text`; `source` names the file in errors.
    ///
    /// The errors are configparser's, with its texts:
    /// - a key before the first section header: `File contains no section headers.\nfile:
    ///   'logging.ini', line: 1\n'key=value\n'`;
    /// - lines that are neither a header, a `key = value` line, a comment nor a continuation:
    ///   `Source contains parsing errors: 'logging.ini'\n\t[line  2]: 'garbage\n'` (all of them);
    /// - `While reading from 'logging.ini' [line  3]: section 'x' already exists`;
    /// - `While reading from 'logging.ini' [line  3]: option 'k' in section 'x' already exists`.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn parse(text: &str, source: &str) -> Result<Ini, ConfigError> {
        read(text, source).map_err(|error| match error {
            ReadError::Parsing(message) | ReadError::Duplicate(message) => {
                ConfigError::new(message)
            }
        })
    }

    /// Parses `text` as `fileConfig(fname)` does: as [`Ini::parse`], but a syntax error (the
    /// `Source contains parsing errors` and `File contains no section headers` kinds) is wrapped
    /// as CPython wraps it, so the error displays as `logging.ini is invalid: Source contains
    /// parsing errors: ...`. Duplicate sections and keys are not wrapped, as in CPython.
    pub(crate) fn parse_for_file_config(text: &str, fname: &str) -> Result<Ini, ConfigError> {
        read(text, fname).map_err(|error| match error {
            ReadError::Parsing(message) => {
                ConfigError::new(message).context(format!("{fname} is invalid"))
            }
            ReadError::Duplicate(message) => ConfigError::new(message),
        })
    }

    /// Whether a section of this name exists. Section names are case-sensitive, as in
    /// configparser; `DEFAULT` is never a section here.
    pub(crate) fn has_section(&self, name: &str) -> bool {
        self.section(name).is_some()
    }

    /// The section names in file order, without `DEFAULT`.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn section_names(&self) -> Vec<&str> {
        self.sections.iter().map(|s| s.name.as_str()).collect()
    }

    /// The value of `key` in `section` (keys are lower-cased, configparser's optionxform), falling
    /// back to the [DEFAULT] section and then `defaults` (fileConfig's `defaults` argument); `raw`
    /// skips %-interpolation (fileConfig reads `format`, `datefmt`, `style` raw). Ok(None) when
    /// absent.
    ///
    /// A section that does not exist has no keys, even those of `[DEFAULT]` (configparser's
    /// `get(..., fallback=None)`); the section name `DEFAULT` reads `[DEFAULT]` and `defaults`.
    /// Interpolation errors carry configparser's texts (`InterpolationSyntaxError`,
    /// `InterpolationMissingOptionError`, `InterpolationDepthError`).
    pub(crate) fn get(
        &self,
        section: &str,
        key: &str,
        raw: bool,
        defaults: &[(String, String)],
    ) -> Result<Option<String>, ConfigError> {
        let entries: &[(String, String)] = if section == DEFAULT_SECTION {
            &[]
        } else {
            match self.section(section) {
                Some(s) => &s.entries,
                None => return Ok(None),
            }
        };
        let lookup = Lookup {
            entries,
            file_defaults: &self.defaults,
            defaults,
        };
        let option = option_xform(key);
        let Some(value) = lookup.get(&option) else {
            return Ok(None);
        };
        if raw {
            return Ok(Some(value.to_owned()));
        }
        let mut interpolation = Interpolation {
            lookup: &lookup,
            section,
            option: &option,
            raw_value: value,
            steps: 0,
        };
        let mut out = String::with_capacity(value.len());
        interpolation.interpolate(&mut out, value, 1)?;
        Ok(Some(out))
    }

    /// Whether the file had no section headers at all (only blank lines and comments), which
    /// fileConfig reports as `'<fname> is an empty file'`.
    ///
    /// CPython itself raises that error only for a file of zero bytes; a file of comments gives
    /// `KeyError: 'formatters'` there.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn is_empty(&self) -> bool {
        !self.has_headers
    }

    fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }
}

/// configparser's `optionxform`: `str.lower()`.
fn option_xform(key: &str) -> String {
    key.to_lowercase()
}

/// Python's `str.isspace()` for one character, which is also what `str.strip()` removes and what
/// `\s` matches in configparser's patterns.
fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\x1c'..='\x1f'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// The lines of `text` as Python's text-mode file iteration yields them (universal newlines):
/// each line without its end, and whether it had one (which Python shows as `\n`).
fn universal_lines(text: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.find(['\n', '\r']) {
            Some(end) => {
                let line = &rest[..end];
                let skip = if rest[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = &rest[end + skip..];
                Some((line, true))
            }
            None => {
                let line = rest;
                rest = "";
                Some((line, false))
            }
        }
    })
}

/// Python's `repr()` of a line as configparser saw it, with its `\n`.
fn line_repr(line: &str, terminated: bool) -> String {
    if terminated {
        py_repr(&format!("{line}\n"))
    } else {
        py_repr(line)
    }
}

/// configparser's `RawConfigParser._read` followed by `_join_multiline_values`.
fn read(text: &str, source: &str) -> Result<Ini, ReadError> {
    // [DEFAULT] first, then the sections in file order.
    let mut all = vec![RawSection {
        name: DEFAULT_SECTION.to_owned(),
        entries: Vec::new(),
    }];
    let mut has_headers = false;
    // The current section, an index into `all`: None before the first header.
    let mut current: Option<usize> = None;
    // The option that continuation lines extend: an index into the current section's entries.
    // An option with an empty name (an error) is never extended, as in configparser.
    let mut option: Option<usize> = None;
    let mut indent_level = 0;
    let mut errors: Vec<(usize, String)> = Vec::new();

    for (index, (line, terminated)) in universal_lines(text).enumerate() {
        let lineno = index + 1;
        let stripped = py_strip(line);
        let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
        let value = if is_comment { "" } else { stripped };
        let continued = match (current, option) {
            (Some(section), Some(opt)) => {
                Some(&mut all[section].entries[opt]).filter(|(name, _)| !name.is_empty())
            }
            _ => None,
        };

        if value.is_empty() {
            // empty_lines_in_values: an empty line (not a comment, which is skipped) belongs to
            // the value being read; trailing ones go when the lines are joined.
            if let (false, Some((_, lines))) = (is_comment, continued) {
                lines.push(String::new());
            }
            continue;
        }

        let indent = line.chars().position(|c| !is_py_space(c)).unwrap_or(0);
        if let Some((_, lines)) = continued
            && indent > indent_level
        {
            lines.push(value.to_owned());
            continue;
        }
        indent_level = indent;

        if let Some(name) = section_header(value) {
            has_headers = true;
            if name == DEFAULT_SECTION {
                current = Some(0);
            } else if all[1..].iter().any(|s| s.name == name) {
                return Err(ReadError::Duplicate(format!(
                    "While reading from {} [line {lineno:2}]: section {} already exists",
                    py_repr(source),
                    py_repr(name)
                )));
            } else {
                all.push(RawSection {
                    name: name.to_owned(),
                    entries: Vec::new(),
                });
                current = Some(all.len() - 1);
            }
            option = None;
            continue;
        }

        let Some(section) = current else {
            return Err(ReadError::Parsing(format!(
                "File contains no section headers.\nfile: {}, line: {lineno}\n{}",
                py_repr(source),
                line_repr(line, terminated)
            )));
        };

        let Some(delimiter) = value.find(['=', ':']) else {
            errors.push((lineno, line_repr(line, terminated)));
            continue;
        };
        let name = value[..delimiter].trim_end_matches(is_py_space);
        if name.is_empty() {
            // configparser records the error and still stores the value under ''.
            errors.push((lineno, line_repr(line, terminated)));
        }
        let name = option_xform(name);
        let target = &mut all[section];
        if target.entries.iter().any(|(k, _)| *k == name) {
            return Err(ReadError::Duplicate(format!(
                "While reading from {} [line {lineno:2}]: option {} in section {} already exists",
                py_repr(source),
                py_repr(&name),
                py_repr(&target.name)
            )));
        }
        let first = py_strip(&value[delimiter + 1..]).to_owned();
        target.entries.push((name, vec![first]));
        option = Some(target.entries.len() - 1);
    }

    if !errors.is_empty() {
        let mut message = format!("Source contains parsing errors: {}", py_repr(source));
        for (lineno, line) in errors {
            message.push_str(&format!("\n\t[line {lineno:2}]: {line}"));
        }
        return Err(ReadError::Parsing(message));
    }

    let mut all = all.into_iter().map(|s| Section {
        name: s.name,
        entries: join_lines(s.entries),
    });
    let defaults = all.next().map(|s| s.entries).unwrap_or_default();
    Ok(Ini {
        sections: all.collect(),
        defaults,
        has_headers,
    })
}

/// `[name]` at the start of a stripped line: configparser's `\[(?P<header>.+)\]`, which is not
/// anchored at the end, so `[a] ; note` is section `a` and `[a]]` is section `a]`.
fn section_header(value: &str) -> Option<&str> {
    let inner = value.strip_prefix('[')?;
    let end = inner.rfind(']')?;
    (end > 0).then(|| &inner[..end])
}

/// A multi-line value is its lines joined with `\n`, trailing whitespace (the empty lines that
/// followed it) removed.
fn join_lines(entries: Vec<(String, Vec<String>)>) -> Vec<(String, String)> {
    entries
        .into_iter()
        .map(|(k, lines)| {
            let joined = lines.join("\n");
            let value = joined.trim_end_matches(is_py_space).to_owned();
            (k, value)
        })
        .collect()
}

/// Where `%(name)s` looks: the section, then `[DEFAULT]`, then fileConfig's `defaults`
/// (configparser's `_unify_values` chain).
struct Lookup<'a> {
    entries: &'a [(String, String)],
    file_defaults: &'a [(String, String)],
    defaults: &'a [(String, String)],
}

impl<'a> Lookup<'a> {
    /// `key` is already lower-cased.
    fn get(&self, key: &str) -> Option<&'a str> {
        let find = |entries: &'a [(String, String)]| {
            entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        find(self.entries)
            .or_else(|| find(self.file_defaults))
            // Python builds a dict of the lower-cased keys, so the last of two spellings wins.
            .or_else(|| {
                self.defaults
                    .iter()
                    .rev()
                    .find(|(k, _)| option_xform(k) == key)
                    .map(|(_, v)| v.as_str())
            })
    }
}

/// configparser's `BasicInterpolation.before_get` for one option.
struct Interpolation<'a> {
    lookup: &'a Lookup<'a>,
    section: &'a str,
    /// The option being read (lower-cased); errors name it at any depth.
    option: &'a str,
    /// Its raw value, which errors show at any depth.
    raw_value: &'a str,
    steps: usize,
}

impl Interpolation<'_> {
    /// `_interpolate_some`: appends `rest` to `out` with its `%` sequences replaced.
    fn interpolate(
        &mut self,
        out: &mut String,
        mut rest: &str,
        depth: usize,
    ) -> Result<(), ConfigError> {
        if depth > MAX_INTERPOLATION_DEPTH {
            return Err(ConfigError::new(format!(
                "Recursion limit exceeded in value substitution: option {} in section {} \
                 contains an interpolation key which cannot be substituted in {} steps. Raw \
                 value: {}",
                py_repr(self.option),
                py_repr(self.section),
                MAX_INTERPOLATION_DEPTH,
                py_repr(self.raw_value)
            )));
        }
        while !rest.is_empty() {
            self.steps += 1;
            if self.steps > MAX_INTERPOLATION_STEPS || out.len() > MAX_INTERPOLATED_LEN {
                return Err(ConfigError::new(format!(
                    "Value substitution for option {} in section {} produces too much text. Raw \
                     value: {}",
                    py_repr(self.option),
                    py_repr(self.section),
                    py_repr(self.raw_value)
                )));
            }
            let Some(p) = rest.find('%') else {
                out.push_str(rest);
                return Ok(());
            };
            out.push_str(&rest[..p]);
            rest = &rest[p..];
            // `rest` starts with the one-byte '%'.
            let after = &rest[1..];
            if after.starts_with('%') {
                out.push('%');
                rest = &rest[2..];
            } else if let Some(inner) = after.strip_prefix('(') {
                // `%\(([^)]+)\)s`
                let name = match inner.find(')') {
                    Some(end) if end > 0 && inner[end + 1..].starts_with('s') => {
                        let name = &inner[..end];
                        rest = &inner[end + 2..];
                        name
                    }
                    _ => {
                        return Err(ConfigError::new(format!(
                            "bad interpolation variable reference {}",
                            py_repr(rest)
                        )));
                    }
                };
                let name = option_xform(name);
                let Some(value) = self.lookup.get(&name) else {
                    return Err(ConfigError::new(format!(
                        "Bad value substitution: option {} in section {} contains an \
                         interpolation key {} which is not a valid option name. Raw value: {}",
                        py_repr(self.option),
                        py_repr(self.section),
                        py_repr(&name),
                        py_repr(self.raw_value)
                    )));
                };
                if value.contains('%') {
                    self.interpolate(out, value, depth + 1)?;
                } else {
                    out.push_str(value);
                }
            } else {
                return Err(ConfigError::new(format!(
                    "'%' must be followed by '%' or '(', found: {}",
                    py_repr(rest)
                )));
            }
        }
        Ok(())
    }
}

/// Checks fileConfig's `defaults` as `ConfigParser(defaults)` does: two keys that are the same once
/// lower-cased are an error (`While reading from '<dict>': option 'x' in section 'DEFAULT' already
/// exists`). CPython raises it before reading the file.
pub(crate) fn validate_defaults(defaults: &[(String, String)]) -> Result<(), ConfigError> {
    let mut seen: Vec<String> = Vec::with_capacity(defaults.len());
    for (key, _) in defaults {
        let key = option_xform(key);
        if seen.contains(&key) {
            return Err(ConfigError::new(format!(
                "While reading from '<dict>': option {} in section 'DEFAULT' already exists",
                py_repr(&key)
            )));
        }
        seen.push(key);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Pairs = &'static [(&'static str, &'static str)];

    /// One INI text and what CPython 3.11's configparser made of it (testdata/ini_cases.py).
    struct IniCase {
        name: &'static str,
        source: &'static str,
        text: &'static str,
        defaults: Pairs,
        outcome: Parsed,
    }

    enum Parsed {
        Ok {
            sections: &'static [&'static str],
            /// (section, key, raw, result of `cp.get(section, key, raw=raw, fallback=None)`)
            queries: &'static [(&'static str, &'static str, bool, Q)],
        },
        Err {
            /// The configparser exception class, for the reader.
            #[allow(dead_code)]
            kind: &'static str,
            message: &'static str,
            /// `str(e)` of what `fileConfig(source)` raised.
            file_config: &'static str,
        },
    }

    enum Q {
        Value(&'static str),
        Absent,
        Error(&'static str),
    }

    include!("testdata/ini_cases.rs");

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn matches_cpython_configparser() {
        for case in INI_CASES {
            let parsed = Ini::parse(case.text, case.source);
            match &case.outcome {
                Parsed::Ok { sections, queries } => {
                    let ini = match parsed {
                        Ok(ini) => ini,
                        Err(e) => panic!("{}: unexpected error {e}", case.name),
                    };
                    assert_eq!(ini.section_names(), *sections, "{}", case.name);
                    for name in *sections {
                        assert!(ini.has_section(name), "{}: {name}", case.name);
                    }
                    assert!(!ini.has_section("DEFAULT"), "{}", case.name);
                    let defaults = owned(case.defaults);
                    for (section, key, raw, expected) in *queries {
                        let got = ini.get(section, key, *raw, &defaults);
                        let what = format!("{}: [{section}] {key} raw={raw}", case.name);
                        match (expected, got) {
                            (Q::Value(v), Ok(Some(got))) => assert_eq!(got, *v, "{what}"),
                            (Q::Absent, Ok(None)) => {}
                            (Q::Error(message), Err(got)) => {
                                assert_eq!(got.to_string(), *message, "{what}")
                            }
                            (_, got) => panic!("{what}: got {got:?}"),
                        }
                    }
                    let for_file_config = Ini::parse_for_file_config(case.text, case.source);
                    assert_eq!(for_file_config.ok(), Some(ini), "{}", case.name);
                }
                Parsed::Err {
                    message,
                    file_config,
                    ..
                } => {
                    match parsed {
                        Err(e) => assert_eq!(e.to_string(), *message, "{}", case.name),
                        Ok(ini) => panic!("{}: parsed as {ini:?}", case.name),
                    }
                    match Ini::parse_for_file_config(case.text, case.source) {
                        Err(e) => assert_eq!(e.to_string(), *file_config, "{}", case.name),
                        Ok(ini) => panic!("{}: parsed as {ini:?}", case.name),
                    }
                }
            }
        }
    }

    #[test]
    fn defaults_are_checked_like_configparser() {
        for (defaults, expected) in DEFAULTS_CASES {
            let got = validate_defaults(&owned(defaults))
                .err()
                .map(|e| e.to_string());
            assert_eq!(got.as_deref(), *expected, "{defaults:?}");
        }
    }

    #[test]
    fn files_without_headers_are_empty() {
        for text in ["", "\n\n", "# only\n; comments\n"] {
            assert!(Ini::parse(text, "x.ini").unwrap().is_empty(), "{text:?}");
        }
        for text in ["[DEFAULT]\n", "[loggers]\nkeys=root\n"] {
            assert!(!Ini::parse(text, "x.ini").unwrap().is_empty(), "{text:?}");
        }
    }

    #[test]
    fn interpolation_runaway_is_an_error_not_a_hang() {
        // Each value refers ten times to the next: 10^10 substitutions in CPython.
        let mut text = String::from("[s]\n");
        for i in 0..10 {
            text.push_str(&format!(
                "k{i} = {}\n",
                format!("%(k{})s", i + 1).repeat(10)
            ));
        }
        text.push_str("k10 = x\n");
        let ini = Ini::parse(&text, "x.ini").unwrap();
        let err = ini.get("s", "k0", false, &[]).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "Value substitution for option 'k0' in section 's' produces too much text."
            ),
            "{err}"
        );
        // A doubling chain as deep as configparser allows is fine.
        let mut text = String::from("[s]\n");
        for i in 0..9 {
            text.push_str(&format!("k{i} = %(k{n})s%(k{n})s\n", n = i + 1));
        }
        text.push_str("k9 = ab\n");
        let ini = Ini::parse(&text, "x.ini").unwrap();
        let value = ini.get("s", "k0", false, &[]).unwrap().unwrap();
        assert_eq!(value, "ab".repeat(512));
    }

    /// A deterministic stream of garbled INI texts: no input may panic.
    #[test]
    fn garbled_input_never_panics() {
        const PIECES: &[&str] = &[
            "[",
            "]",
            "[s]",
            "[DEFAULT]",
            "=",
            ":",
            "%",
            "%(",
            ")s",
            "%%",
            "%(k)s",
            "k",
            "K",
            "key",
            " ",
            "  ",
            "\t",
            "\n",
            "\r\n",
            "\r",
            "#",
            ";",
            "value",
            "é",
            "\u{3000}",
            "\u{85}",
            "\u{feff}",
            "\u{1c}",
            "()",
            "'",
            "\"",
            "\\",
            "Σ",
            "ﬃ",
            "\u{130}",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        let defaults = owned(&[("k", "%(key)s"), ("Σ", "%")]);
        for _ in 0..600 {
            let len = next() % 40;
            let text: String = (0..len).map(|_| PIECES[next() % PIECES.len()]).collect();
            let Ok(ini) = Ini::parse(&text, "fuzz.ini") else {
                continue;
            };
            let _ = Ini::parse_for_file_config(&text, "fuzz.ini");
            for section in ini.section_names().into_iter().chain(["DEFAULT", "x"]) {
                for key in ["k", "K", "key", "", "value", "é", "Σ", "ﬃ"] {
                    let _ = ini.get(section, key, false, &defaults);
                    let _ = ini.get(section, key, true, &defaults);
                }
            }
        }
        // Garbled variants of a real file: every byte-range cut that falls on a char boundary.
        let text = INI_CASES[0].text;
        for _ in 0..300 {
            let a = next() % text.len();
            let b = next() % text.len();
            let (a, b) = (a.min(b), a.max(b));
            if !text.is_char_boundary(a) || !text.is_char_boundary(b) {
                continue;
            }
            let garbled = format!("{}{}", &text[..a], &text[b..]);
            if let Ok(ini) = Ini::parse(&garbled, "cut.ini") {
                for section in ini.section_names() {
                    let _ = ini.get(section, "format", false, &defaults);
                    let _ = ini.get(section, "args", false, &defaults);
                }
            }
        }
    }
}
