//! INI files as Python's `configparser.ConfigParser` reads them for `fileConfig`: `key = value`
//! or `key: value`, `#` and `;` full-line comments, indented continuation lines, keys lower-cased,
//! a `[DEFAULT]` section, `%(name)s` interpolation, and configparser's error texts.

use super::ConfigError;
use crate::format::repr::py_repr;

/// A parsed INI file: sections and their entries, in file order.
#[derive(Debug, Default)]
pub(crate) struct Ini {
    sections: Vec<Section>,
    defaults: Vec<(String, String)>,
}

#[derive(Debug)]
struct Section {
    name: String,
    entries: Vec<(String, String)>,
}

/// configparser's `MAX_INTERPOLATION_DEPTH`.
const MAX_DEPTH: usize = 10;

impl Ini {
    /// Parses `text`; `source` names the file in errors. Errors that configparser raises as
    /// `ParsingError` come as fileConfig words them: `<source> is invalid: ...`.
    pub(crate) fn parse(text: &str, source: &str) -> Result<Ini, ConfigError> {
        let mut ini = Ini::default();
        // Where the entries go: None before any header, Some(None) for DEFAULT, else an index.
        let mut current: Option<Option<usize>> = None;
        let mut option: Option<String> = None;
        let mut indent_level = 0usize;
        let mut values: Vec<(Option<usize>, String, Vec<String>)> = Vec::new();
        let mut seen_sections: Vec<String> = Vec::new();
        let mut parse_errors = Vec::new();
        for (index, raw) in text.split_inclusive('\n').enumerate() {
            let lineno = index + 1;
            let line = raw.trim_end_matches(['\n', '\r']);
            let stripped = line.trim();
            let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
            if stripped.is_empty() || is_comment {
                // An empty line inside a value is kept; a comment line is not.
                if !is_comment
                    && current.is_some()
                    && let Some(last) = values.last_mut()
                    && option.as_deref() == Some(last.1.as_str())
                {
                    last.2.push(String::new());
                }
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            if current.is_some() && option.is_some() && indent > indent_level {
                if let Some(last) = values.last_mut() {
                    last.2.push(stripped.to_owned());
                }
                continue;
            }
            indent_level = indent;
            if let Some(header) = section_header(stripped) {
                if header == "DEFAULT" {
                    current = Some(None);
                } else if let Some(at) = ini.sections.iter().position(|s| s.name == header) {
                    if seen_sections.iter().any(|s| s == header) {
                        return Err(ConfigError::new(format!(
                            "While reading from {} [line {lineno:2}]: section {} already exists",
                            py_repr(source),
                            py_repr(header)
                        ))
                        .at(header.to_owned()));
                    }
                    current = Some(Some(at));
                } else {
                    ini.sections.push(Section {
                        name: header.to_owned(),
                        entries: Vec::new(),
                    });
                    seen_sections.push(header.to_owned());
                    current = Some(Some(ini.sections.len() - 1));
                }
                option = None;
                continue;
            }
            let Some(target) = current else {
                return Err(ConfigError::syntax(
                    source,
                    lineno,
                    1,
                    format!(
                        "File contains no section headers.\nfile: {}, line: {lineno}\n{}",
                        py_repr(source),
                        py_repr(raw)
                    ),
                )
                .context(format!("{source} is invalid")));
            };
            match split_option(stripped) {
                Some((name, value)) => {
                    let name = name.trim_end().to_lowercase();
                    let duplicate = values.iter().any(|(t, n, _)| *t == target && *n == name);
                    if duplicate {
                        let section = target.map_or("DEFAULT", |i| ini.sections[i].name.as_str());
                        return Err(ConfigError::new(format!(
                            "While reading from {} [line {lineno:2}]: option {} in section {} already exists",
                            py_repr(source),
                            py_repr(&name),
                            py_repr(section)
                        ))
                        .at(format!("{section}.{name}")));
                    }
                    values.push((target, name.clone(), vec![value.trim().to_owned()]));
                    option = Some(name);
                }
                None => {
                    parse_errors.push((lineno, format!("\n\t[line {lineno:2}]: {}", py_repr(raw))));
                    option = None;
                }
            }
        }
        if let Some(&(first_line, _)) = parse_errors.first() {
            let lines: String = parse_errors.iter().map(|(_, text)| text.as_str()).collect();
            return Err(ConfigError::syntax(
                source,
                first_line,
                1,
                format!("Source contains parsing errors: {}{lines}", py_repr(source)),
            )
            .context(format!("{source} is invalid")));
        }
        for (target, name, lines) in values {
            let value = lines.join("\n").trim_end().to_owned();
            match target {
                None => ini.defaults.push((name, value)),
                Some(i) => ini.sections[i].entries.push((name, value)),
            }
        }
        Ok(ini)
    }

    /// Whether the file has a section `name` (case-sensitive; `DEFAULT` is not a section).
    pub(crate) fn has_section(&self, name: &str) -> bool {
        self.section(name).is_some()
    }

    fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The raw value of `key`: the section's own, else `[DEFAULT]`'s, else `defaults`'.
    fn raw(&self, section: &str, key: &str, defaults: &[(String, String)]) -> Option<String> {
        let find = |entries: &[(String, String)]| {
            entries
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        self.section(section)
            .and_then(|s| find(&s.entries))
            .or_else(|| find(&self.defaults))
            .or_else(|| {
                defaults
                    .iter()
                    .rev()
                    .find(|(k, _)| k.to_lowercase() == key)
                    .map(|(_, v)| v.clone())
            })
    }

    /// The value of `key` in `section` (keys are lower-cased), falling back to `[DEFAULT]` and then
    /// `defaults`; `raw` skips `%`-interpolation. `None` when absent.
    pub(crate) fn get(
        &self,
        section: &str,
        key: &str,
        raw: bool,
        defaults: &[(String, String)],
    ) -> Result<Option<String>, ConfigError> {
        let key = key.to_lowercase();
        let Some(value) = self.raw(section, &key, defaults) else {
            return Ok(None);
        };
        if raw || !value.contains('%') {
            return Ok(Some(value));
        }
        let mut out = String::new();
        self.interpolate(section, &key, &value, &value, defaults, 1, &mut out)?;
        Ok(Some(out))
    }

    /// configparser's `BasicInterpolation._interpolate_some`.
    #[allow(clippy::too_many_arguments)]
    fn interpolate(
        &self,
        section: &str,
        option: &str,
        raw_value: &str,
        text: &str,
        defaults: &[(String, String)],
        depth: usize,
        out: &mut String,
    ) -> Result<(), ConfigError> {
        if depth > MAX_DEPTH {
            return Err(ConfigError::new(format!(
                "Recursion limit exceeded in value substitution: option {} in section {} contains an interpolation key which cannot be substituted in {MAX_DEPTH} steps. Raw value: {}",
                py_repr(option),
                py_repr(section),
                py_repr(raw_value)
            ))
            .at(format!("{section}.{option}")));
        }
        let mut rest = text;
        while !rest.is_empty() {
            let Some(p) = rest.find('%') else {
                out.push_str(rest);
                return Ok(());
            };
            out.push_str(&rest[..p]);
            rest = &rest[p..];
            match rest.as_bytes().get(1) {
                Some(b'%') => {
                    out.push('%');
                    rest = &rest[2..];
                }
                Some(b'(') => {
                    let reference = rest[2..]
                        .find(')')
                        .filter(|&end| end > 0 && rest[2 + end + 1..].starts_with('s'))
                        .map(|end| &rest[2..2 + end]);
                    let Some(name) = reference else {
                        return Err(ConfigError::new(format!(
                            "bad interpolation variable reference {}",
                            py_repr(rest)
                        ))
                        .at(format!("{section}.{option}")));
                    };
                    rest = &rest[2 + name.len() + 2..];
                    let var = name.to_lowercase();
                    let value = self.raw(section, &var, defaults).ok_or_else(|| {
                        ConfigError::new(format!(
                            "Bad value substitution: option {} in section {} contains an interpolation key {} which is not a valid option name. Raw value: {}",
                            py_repr(option),
                            py_repr(section),
                            py_repr(&var),
                            py_repr(raw_value)
                        ))
                        .at(format!("{section}.{option}"))
                    })?;
                    if value.contains('%') {
                        self.interpolate(
                            section,
                            option,
                            raw_value,
                            &value,
                            defaults,
                            depth + 1,
                            out,
                        )?;
                    } else {
                        out.push_str(&value);
                    }
                }
                _ => {
                    return Err(ConfigError::new(format!(
                        "'%' must be followed by '%' or '(', found: {}",
                        py_repr(rest)
                    ))
                    .at(format!("{section}.{option}")));
                }
            }
        }
        Ok(())
    }
}

/// `[name]` (configparser's `\[(?P<header>.+)\]`, greedy up to the last `]`).
fn section_header(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?;
    let end = inner.rfind(']')?;
    (end > 0).then(|| &inner[..end])
}

/// `key = value` or `key: value`, split at the first delimiter; the key must not be empty.
fn split_option(line: &str) -> Option<(&str, &str)> {
    let at = line.find(['=', ':'])?;
    let name = line[..at].trim_end();
    (!name.is_empty()).then(|| (name, &line[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOWTO: &str = "[loggers]\nkeys=root,simpleExample\n\n[handler_console]\nClass = StreamHandler\nargs: (sys.stdout,)\n; a comment\n# another\n[DEFAULT]\nlogdir=/var/log\n[handler_file]\nargs=('%(logdir)s/app.log', 'a')\nformat=%(asctime)s %%\nlong = first\n  second\n\n  third\n";

    #[test]
    fn values_comments_continuations_and_interpolation_match_configparser() {
        let ini = Ini::parse(HOWTO, "x.ini").unwrap();
        let get = |s: &str, k: &str, raw: bool| ini.get(s, k, raw, &[]).unwrap();
        assert_eq!(
            get("loggers", "keys", false).as_deref(),
            Some("root,simpleExample")
        );
        assert_eq!(
            get("handler_console", "class", false).as_deref(),
            Some("StreamHandler")
        );
        assert_eq!(
            get("handler_console", "args", false).as_deref(),
            Some("(sys.stdout,)")
        );
        assert_eq!(
            get("handler_file", "args", false).as_deref(),
            Some("('/var/log/app.log', 'a')")
        );
        assert_eq!(
            get("handler_file", "format", true).as_deref(),
            Some("%(asctime)s %%")
        );
        assert_eq!(
            get("handler_file", "long", false).as_deref(),
            Some("first\nsecond\n\nthird")
        );
        assert_eq!(
            get("handler_console", "logdir", false).as_deref(),
            Some("/var/log")
        );
        assert!(ini.has_section("handler_file") && !ini.has_section("DEFAULT"));
        let defaults = [("Where".to_owned(), "/tmp".to_owned())];
        assert_eq!(
            ini.get("loggers", "where", false, &defaults)
                .unwrap()
                .as_deref(),
            Some("/tmp")
        );
    }

    #[test]
    fn errors_carry_configparsers_texts() {
        let err = |text: &str| Ini::parse(text, "x.ini").unwrap_err().to_string();
        assert_eq!(
            err("key=value\n"),
            "x.ini is invalid: x.ini:1:1: File contains no section headers.\nfile: 'x.ini', line: 1\n'key=value\\n'"
        );
        assert_eq!(
            err("[a]\ngarbage\n"),
            "x.ini is invalid: x.ini:2:1: Source contains parsing errors: 'x.ini'\n\t[line  2]: 'garbage\\n'"
        );
        assert_eq!(
            err("[a]\n[a]\n"),
            "While reading from 'x.ini' [line  2]: section 'a' already exists (at a)"
        );
        assert_eq!(
            err("[a]\nk=1\nK=2\n"),
            "While reading from 'x.ini' [line  3]: option 'k' in section 'a' already exists (at a.k)"
        );
        let ini = Ini::parse("[s]\nbad=%Y-%m\nmissing=%(nope)s\nloop=%(loop)s\n", "x.ini").unwrap();
        let get = |k: &str| {
            ini.get("s", k, false, &[])
                .unwrap_err()
                .message()
                .to_owned()
        };
        assert_eq!(
            get("bad"),
            "'%' must be followed by '%' or '(', found: '%Y-%m'"
        );
        assert_eq!(
            get("missing"),
            "Bad value substitution: option 'missing' in section 's' contains an interpolation key 'nope' which is not a valid option name. Raw value: '%(nope)s'"
        );
        assert!(get("loop").starts_with("Recursion limit exceeded in value substitution"));
    }

    #[test]
    fn garbled_input_never_panics() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"[]=:;#%() \n\tabcK\xc3\xa9";
        for _ in 0..500 {
            let mut bytes = Vec::new();
            for _ in 0..(seed % 60) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                bytes.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let text = String::from_utf8_lossy(&bytes);
            if let Ok(ini) = Ini::parse(&text, "fuzz") {
                for s in ["a", "DEFAULT", "K"] {
                    let _ = ini.get(s, "a", false, &[]);
                }
            }
        }
    }
}
