//! What the JSON and YAML loader targets share: parse the text, then plan and apply it to a tree
//! of its own (documents that could name files, queues or `ext://` objects are only parsed, so
//! that a run writes nothing and starts no thread).

use pylog_core::Manager;
use pylog_core::config::{Config, Configurator, Format};

pub fn exercise(format: Format, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = Config::parse(text, format, "fuzz") else {
        return;
    };
    let _ = config.value().to_string();
    // `cfg://` references are applied: their expansion is bounded (16 MiB per document).
    if ["File", "Queue", "ext"].iter().any(|word| text.contains(word)) {
        return;
    }
    let tree = Manager::new();
    let _ = Configurator::for_manager(&tree)
        .env_overrides(false)
        .dict_config(&config);
}
