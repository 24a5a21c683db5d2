//! How reading and applying a dictConfig document grows with its size, on two JSON documents of
//! 200,000 keys: `keys`, a document with 200,000 top-level keys dictConfig ignores (`"k{i}": i`),
//! and `loggers`, 200,000 loggers (`"app.m{i}": {"level": "INFO"}`). Each is parsed, then applied
//! to a fresh `Manager`, and the loggers once more over the loggers they made. Every step is
//! linear: before a document's maps were indexed by key, the handler registry was swept lazily and
//! `disable_existing_loggers` looked names up in sets, the keys document took about 50 s to parse.
//!
//! Run with `cargo bench --bench config_scale`; `config_scale.py` in this folder measures CPython's
//! `json.loads` + `logging.config.dictConfig` on the same documents (its dictConfig of many loggers
//! is quadratic: each `setLevel` clears the cache of every logger, so it is measured at 10,000).
//!
//! | benchmark | what is timed |
//! |---|---|
//! | `config_scale/json_parse_200000_keys` | `Config::from_json` of the keys document |
//! | `config_scale/dict_config_200000_keys` | `Configurator::dict_config` of it on a fresh `Manager` |
//! | `config_scale/json_parse_200000_loggers` | `Config::from_json` of the loggers document (5.4 MB) |
//! | `config_scale/dict_config_200000_loggers` | `Configurator::dict_config` of it on a fresh `Manager` |
//! | `config_scale/dict_config_again_200000_loggers` | the same, applied a second time over its own loggers (every name exists: `disable_existing_loggers` looks at each) |

use criterion::{BatchSize, Criterion};
use pylog_core::Manager;
use pylog_core::config::{Config, Configurator};

const LOGGERS: usize = 200_000;
const KEYS: usize = 200_000;

/// The document: `version`, then `KEYS` keys dictConfig ignores.
fn keys_document() -> String {
    let mut text = String::from(r#"{"version": 1"#);
    for i in 0..KEYS {
        text.push_str(&format!(r#", "k{i}": {i}"#));
    }
    text.push('}');
    text
}

/// The document: `version`, then `loggers` with `LOGGERS` entries.
fn document(loggers: usize) -> String {
    let mut text = String::from(r#"{"version": 1, "loggers": {"#);
    for i in 0..loggers {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&format!(r#""app.m{i}": {{"level": "INFO"}}"#));
    }
    text.push_str("}}");
    text
}

fn apply(tree: &Manager, config: &Config) {
    Configurator::for_manager(tree)
        .env_overrides(false)
        .dict_config(config)
        .expect("the document applies");
}

fn config_scale(c: &mut Criterion) {
    let mut group = c.benchmark_group("config_scale");
    group.sample_size(10);
    let keys = keys_document();
    let keys_config = Config::from_json(&keys).expect("the document parses");
    group.bench_function("json_parse_200000_keys", |b| {
        b.iter(|| Config::from_json(&keys).expect("the document parses"));
    });
    group.bench_function("dict_config_200000_keys", |b| {
        b.iter_batched(
            Manager::new,
            |tree| {
                apply(&tree, &keys_config);
                tree
            },
            BatchSize::PerIteration,
        );
    });
    let text = document(LOGGERS);
    let config = Config::from_json(&text).expect("the document parses");
    group.bench_function("json_parse_200000_loggers", |b| {
        b.iter(|| Config::from_json(&text).expect("the document parses"));
    });
    group.bench_function("dict_config_200000_loggers", |b| {
        b.iter_batched(
            Manager::new,
            |tree| {
                apply(&tree, &config);
                tree
            },
            BatchSize::PerIteration,
        );
    });
    group.bench_function("dict_config_again_200000_loggers", |b| {
        b.iter_batched(
            || {
                let tree = Manager::new();
                apply(&tree, &config);
                tree
            },
            |tree| {
                apply(&tree, &config);
                tree
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(5))
        .configure_from_args();
    config_scale(&mut criterion);
    criterion.final_summary();
}
