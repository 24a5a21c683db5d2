//! colorlog's `ColoredFormatter` (colorlog 6): a `logging.Formatter` whose format may name
//! colorlog's escape codes (`%(red)s`, `%(bold_blue)s`, `%(bg_white)s`, `%(fg_196)s`,
//! `%(reset)s`, ...), `%(log_color)s` (the colours `log_colors` gives the record's level name) and
//! `%(<name>_log_color)s` for each `secondary_log_colors` entry. With `reset` (the default) the
//! formatted fields end with the reset code. `no_color` (or the `NO_COLOR` variable) makes every
//! code empty; `force_color` (or `FORCE_COLOR`) wins over both.

use super::super::args::Args;
use super::super::builtins::{fmt_argument, style_argument};
use super::super::{ConfigError, ConfigMap, ConfigValue};
use crate::format::{Formatter, Style};

/// colorlog's `default_log_colors`.
const DEFAULT_LOG_COLORS: [(&str, &str); 5] = [
    ("DEBUG", "white"),
    ("INFO", "green"),
    ("WARNING", "yellow"),
    ("ERROR", "red"),
    ("CRITICAL", "bold_red"),
];

const FOREGROUND: [(&str, u8); 16] = [
    ("black", 30),
    ("red", 31),
    ("green", 32),
    ("yellow", 33),
    ("blue", 34),
    ("purple", 35),
    ("cyan", 36),
    ("white", 37),
    ("light_black", 90),
    ("light_red", 91),
    ("light_green", 92),
    ("light_yellow", 93),
    ("light_blue", 94),
    ("light_purple", 95),
    ("light_cyan", 96),
    ("light_white", 97),
];

fn esc(codes: &[u8]) -> String {
    let codes: Vec<String> = codes.iter().map(u8::to_string).collect();
    format!("\x1b[{}m", codes.join(";"))
}

/// `colorlog.escape_codes.escape_codes[name]`.
pub(crate) fn escape_code(name: &str) -> Option<String> {
    match name {
        "reset" => return Some(esc(&[0])),
        "bold" => return Some(esc(&[1])),
        "thin" => return Some(esc(&[2])),
        _ => {}
    }
    let foreground = |name: &str| FOREGROUND.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);
    let styled = |name: &str| {
        if let Some(code) = foreground(name) {
            return Some(esc(&[code]));
        }
        if let Some(code) = name.strip_prefix("bold_").and_then(foreground) {
            return Some(esc(&[1, code]));
        }
        name.strip_prefix("thin_")
            .and_then(foreground)
            .map(|code| esc(&[2, code]))
    };
    if let Some(rest) = name.strip_prefix("fg_") {
        if let Ok(n) = rest.parse::<u8>()
            && rest == n.to_string()
        {
            return Some(esc(&[38, 5, n]));
        }
        return styled(rest);
    }
    if let Some(rest) = name.strip_prefix("bg_") {
        if let Ok(n) = rest.parse::<u8>()
            && rest == n.to_string()
        {
            return Some(esc(&[48, 5, n]));
        }
        let base = rest.strip_prefix("bold_").unwrap_or(rest);
        let light = rest.starts_with("bold_") || rest.starts_with("light_");
        let base = base.strip_prefix("light_").unwrap_or(base);
        return foreground(base)
            .map(|code| esc(&[code + 10 + if light && code < 90 { 60 } else { 0 }]));
    }
    styled(name)
}

/// `parse_colors("bold_red,bg_white")`; an unknown name is an error, as colorlog's `KeyError`.
fn parse_colors(text: &str) -> Result<String, String> {
    text.split(',')
        .filter(|n| !n.is_empty())
        .map(|n| escape_code(n).ok_or_else(|| format!("unknown colour {n:?}")))
        .collect()
}

/// A level name to colours mapping.
fn colour_map(
    args: &Args<'_>,
    key: &str,
    map: &ConfigMap,
) -> Result<Vec<(String, String)>, ConfigError> {
    map.iter()
        .map(|(level, value)| match value {
            ConfigValue::Str(colours) => parse_colors(colours)
                .map(|codes| (level.to_owned(), codes))
                .map_err(|e| ConfigError::new(e).at(args.key_path(&format!("{key}.{level}")))),
            other => Err(args.invalid(key, "a mapping of level names to colour names", other)),
        })
        .collect()
}

/// Identifier-like words of a format: the names it may use.
fn words(format: &str) -> impl Iterator<Item = &str> {
    format
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// Builds the formatter from a dictConfig entry's keyword arguments.
pub(crate) fn build(args: &mut Args<'_>) -> Result<Formatter, ConfigError> {
    let style = style_argument(args)?;
    let format = fmt_argument(args)?.unwrap_or_else(|| {
        match style {
            Style::Percent => "%(log_color)s%(levelname)s:%(name)s:%(message)s",
            Style::Brace => "{log_color}{levelname}:{name}:{message}",
            Style::Dollar => "${log_color}${levelname}:${name}:${message}",
        }
        .to_owned()
    });
    let datefmt = args.string("datefmt")?;
    let validate = args.bool("validate")?.unwrap_or(true);
    let log_colors = match args.map("log_colors")? {
        Some(map) => colour_map(args, "log_colors", &map)?,
        None => DEFAULT_LOG_COLORS
            .iter()
            .map(|(level, colours)| {
                (
                    (*level).to_owned(),
                    parse_colors(colours).unwrap_or_default(),
                )
            })
            .collect(),
    };
    let mut secondary = Vec::new();
    for (name, value) in args.map("secondary_log_colors")?.unwrap_or_default() {
        let ConfigValue::Map(map) = &value else {
            return Err(args.invalid(
                "secondary_log_colors",
                "a mapping of names to level colour mappings",
                &value,
            ));
        };
        let colours = colour_map(args, &format!("secondary_log_colors.{name}"), map)?;
        secondary.push((format!("{name}_log_color"), colours));
    }
    let reset = args.bool("reset")?.unwrap_or(true);
    let no_color = args.bool("no_color")?.unwrap_or(false);
    let force_color = args.bool("force_color")?.unwrap_or(false);
    let colorize = force_color
        || std::env::var_os("FORCE_COLOR").is_some()
        || !(no_color || std::env::var_os("NO_COLOR").is_some());
    let mut builder = Formatter::builder(&format)
        .style(style)
        .datefmt_opt(datefmt)
        .validate(validate);
    if let Some(defaults) = args.map("defaults")? {
        for (key, value) in defaults.iter() {
            if let ConfigValue::Str(text) = value {
                builder = builder.default_field(key, text.as_str());
            }
        }
    }
    let mut named: Vec<String> = Vec::new();
    for word in words(&format) {
        if named.iter().any(|n| n == word) {
            continue;
        }
        named.push(word.to_owned());
        let by_level = if word == "log_color" {
            Some(log_colors.clone())
        } else {
            secondary
                .iter()
                .find(|(name, _)| name == word)
                .map(|(_, colours)| colours.clone())
        };
        if let Some(colours) = by_level {
            builder = builder.computed_field(word, move |record, out| {
                if colorize {
                    let level = record.levelname().to_text();
                    if let Some((_, codes)) = colours.iter().find(|(l, _)| *l == *level) {
                        out.push_str(codes);
                    }
                }
            });
        } else if let Some(code) = escape_code(word) {
            let code = if colorize { code } else { String::new() };
            builder = builder.computed_field(word, move |_, out| out.push_str(&code));
        }
    }
    if reset && colorize {
        builder = builder.message_suffix(escape_code("reset"));
    }
    builder
        .build()
        .map_err(|e| ConfigError::from(e).at(args.key_path("fmt")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_codes_are_colorlogs() {
        assert_eq!(escape_code("reset").unwrap(), "\x1b[0m");
        assert_eq!(escape_code("bold_red").unwrap(), "\x1b[1;31m");
        assert_eq!(escape_code("fg_thin_cyan").unwrap(), "\x1b[2;36m");
        assert_eq!(escape_code("light_blue").unwrap(), "\x1b[94m");
        assert_eq!(escape_code("bg_white").unwrap(), "\x1b[47m");
        assert_eq!(escape_code("bg_bold_red").unwrap(), "\x1b[101m");
        assert_eq!(escape_code("bg_light_black").unwrap(), "\x1b[100m");
        assert_eq!(escape_code("fg_196").unwrap(), "\x1b[38;5;196m");
        assert_eq!(escape_code("bg_0").unwrap(), "\x1b[48;5;0m");
        assert!(escape_code("bg_thin_red").is_none());
        assert!(escape_code("fg_256").is_none());
        assert!(escape_code("levelname").is_none());
    }
}
