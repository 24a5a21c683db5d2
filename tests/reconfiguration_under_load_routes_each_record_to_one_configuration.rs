//! Four threads log while the configuration is swapped 1,000 times: every record reaches exactly
//! the handlers of one configuration that was in force while it was being logged (never a mix of
//! two, never none, never twice).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use pylog::config::{Config, ConfigValue, Configurator};
use pylog::{Emit, EmitContext, Handler, HandlerError, LogRecord, Manager};

/// One delivery: which configuration's handler, which handler, which record.
type Delivery = (u64, String, String);

struct Tagged {
    version: u64,
    label: String,
    log: Arc<Mutex<Vec<Delivery>>>,
}

impl Emit for Tagged {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        let text = ctx.format(record)?.clone();
        self.log
            .lock()
            .unwrap()
            .push((self.version, self.label.clone(), text));
        Ok(())
    }
    fn kind(&self) -> &'static str {
        "Tagged"
    }
    fn describe(&self) -> String {
        format!("v{} {}", self.version, self.label)
    }
}

/// Configuration `version`: even ones send `app.*` to `b` and, by propagation, the root's `a`;
/// odd ones stop propagation and send `app.*` to `b` and `c`.
fn config(version: u64) -> Config {
    let handler = |label: &str| {
        ConfigValue::map([
            ("()", "test.Tagged".into()),
            ("version", ConfigValue::Int(version as i64)),
            ("label", label.into()),
        ])
    };
    let odd = version % 2 == 1;
    let app_handlers: Vec<&str> = if odd { vec!["b", "c"] } else { vec!["b"] };
    Config::from_value(ConfigValue::map([
        ("version", 1.into()),
        (
            "handlers",
            ConfigValue::map([
                ("a", handler("a")),
                ("b", handler("b")),
                ("c", handler("c")),
            ]),
        ),
        (
            "loggers",
            ConfigValue::map([(
                "app",
                ConfigValue::map([
                    ("level", "INFO".into()),
                    ("handlers", app_handlers.into()),
                    ("propagate", (!odd).into()),
                ]),
            )]),
        ),
        (
            "root",
            ConfigValue::map([("level", "WARNING".into()), ("handlers", vec!["a"].into())]),
        ),
    ]))
}

fn expected_labels(version: u64) -> Vec<&'static str> {
    if version % 2 == 1 {
        vec!["b", "c"]
    } else {
        vec!["a", "b"]
    }
}

#[test]
fn every_record_reaches_exactly_one_configurations_handlers() {
    const SWAPS: u64 = 1_000;
    const THREADS: usize = 4;
    let tree = Manager::new();
    let log: Arc<Mutex<Vec<Delivery>>> = Arc::default();
    let sink = log.clone();
    let configurator = Configurator::for_manager(&tree)
        .env_overrides(false)
        .handler_factory("test.Tagged", move |args| {
            let version = args.int("version")?.unwrap_or(0) as u64;
            let label = args.string("label")?.unwrap_or_default();
            Ok(Handler::new(Tagged {
                version,
                label,
                log: sink.clone(),
            }))
        });
    configurator.dict_config(&config(0)).unwrap();

    // `started` is the newest configuration being applied, `applied` the newest finished.
    let started = Arc::new(AtomicU64::new(0));
    let applied = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let windows: Arc<Mutex<HashMap<String, (u64, u64)>>> = Arc::default();
    let loggers: Vec<_> = (0..THREADS)
        .map(|t| {
            let tree = tree.clone();
            let (started, applied, done, windows) = (
                started.clone(),
                applied.clone(),
                done.clone(),
                windows.clone(),
            );
            thread::spawn(move || {
                let logger = tree.get_logger(&format!("app.worker{t}"));
                let mut mine = HashMap::new();
                let mut seq = 0u64;
                while !done.load(Ordering::SeqCst) || seq < 2_000 {
                    let message = format!("t{t} #{seq}");
                    let low = applied.load(Ordering::SeqCst);
                    logger.info(&message);
                    let high = started.load(Ordering::SeqCst);
                    mine.insert(message, (low, high));
                    seq += 1;
                }
                windows.lock().unwrap().extend(mine);
            })
        })
        .collect();
    for version in 1..=SWAPS {
        started.store(version, Ordering::SeqCst);
        configurator.dict_config(&config(version)).unwrap();
        applied.store(version, Ordering::SeqCst);
    }
    done.store(true, Ordering::SeqCst);
    for handle in loggers {
        handle.join().unwrap();
    }

    let mut by_record: HashMap<String, Vec<(u64, String)>> = HashMap::new();
    for (version, label, text) in log.lock().unwrap().drain(..) {
        by_record.entry(text).or_default().push((version, label));
    }
    let windows = windows.lock().unwrap();
    let mut problems = Vec::new();
    for (message, &(low, high)) in windows.iter() {
        let mut got = by_record.remove(message).unwrap_or_default();
        got.sort();
        let versions: Vec<u64> = got.iter().map(|(v, _)| *v).collect();
        let version = versions.first().copied();
        let consistent = version.is_some_and(|v| {
            versions.iter().all(|&x| x == v)
                && (low..=high).contains(&v)
                && got.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>() == expected_labels(v)
        });
        if !consistent {
            problems.push(format!(
                "{message}: logged during v{low}..=v{high}, delivered {got:?}"
            ));
        }
    }
    assert!(
        by_record.is_empty(),
        "deliveries of records never logged: {by_record:?}"
    );
    assert!(
        problems.is_empty(),
        "{} of {} records went astray, e.g.:\n{}",
        problems.len(),
        windows.len(),
        problems[..problems.len().min(10)].join("\n")
    );
    assert!(windows.len() >= THREADS * 2_000);
}
