//! A handler whose own sink logs (through `tracing` and through `log`) while it writes, as HTTP and
//! TLS libraries do: the inner events never recurse into the same handler, never deadlock on its
//! lock, never loop through its queue; they are dropped and counted.
//!
//! The two cases run in parallel, so one configures while the other logs: a configuration change
//! must not lose the nested events of a dispatch on another thread (it did, 1 run in 40, while
//! the interest rebuild set a scoped default).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use pylog::{Formatter, Handler, Level, QueueHandler, StreamHandler};

const RECORDS: u64 = 200;

/// The global subscriber and `log` bridge, installed once for this binary's tests.
fn install_once() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| pylog::install().expect("nothing else installed a subscriber"));
}

/// Aborts the process if `f` has not finished within 60 s: a deadlock fails the test instead of
/// hanging it.
fn with_watchdog(f: impl FnOnce()) {
    let done = Arc::new(AtomicBool::new(false));
    let flag = done.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(60));
        if !flag.load(Ordering::SeqCst) {
            eprintln!("watchdog: a handler deadlocked");
            std::process::abort();
        }
    });
    f();
    done.store(true, Ordering::SeqCst);
}

/// A writer that logs through `tracing` and `log`, to `target`, on every write.
struct ChattyWriter {
    target: &'static str,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Write for ChattyWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.target {
            "direct.inner" => {
                tracing::warn!(target: "direct.inner", "tracing from the sink");
                log::warn!(target: "direct.inner", "log from the sink");
            }
            _ => {
                tracing::warn!(target: "queued.inner", "tracing from the sink");
                log::warn!(target: "queued.inner", "log from the sink");
            }
        }
        let text = String::from_utf8_lossy(buf).into_owned();
        self.lines.lock().expect("not poisoned").push(text);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn chatty_handler(target: &'static str) -> (Handler, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let handler = StreamHandler::writer(ChattyWriter {
        target,
        lines: lines.clone(),
    })
    .with_formatter(Formatter::new("%(name)s %(message)s").expect("valid format"));
    (handler, lines)
}

#[test]
fn a_direct_handler_drops_and_counts_what_its_sink_logs() {
    install_once();
    with_watchdog(|| {
        let (handler, lines) = chatty_handler("direct.inner");
        let logger = pylog::get_logger("direct");
        logger.set_level(Level::INFO);
        logger.add_handler(handler.clone());
        for i in 0..RECORDS {
            tracing::info!(target: "direct", "outer {i}");
        }
        let lines = lines.lock().expect("not poisoned");
        assert_eq!(
            lines.len() as u64,
            RECORDS,
            "only the outer records are written"
        );
        assert!(lines.iter().all(|l| l.starts_with("direct outer ")));
        let stats = handler.stats();
        assert_eq!(stats.emitted, RECORDS);
        assert_eq!(
            stats.dropped,
            2 * RECORDS,
            "one tracing and one log event per write"
        );
    });
}

#[test]
fn a_queue_handler_drops_and_counts_what_its_listeners_sinks_log() {
    install_once();
    with_watchdog(|| {
        let (inner, lines) = chatty_handler("queued.inner");
        let queue = QueueHandler::builder()
            .handler(inner)
            .capacity(16)
            .build()
            .expect("the listener starts");
        let logger = pylog::get_logger("queued");
        logger.set_level(Level::INFO);
        logger.add_handler(queue.clone());
        for i in 0..RECORDS {
            tracing::info!(target: "queued", "outer {i}");
        }
        queue.flush();
        let lines = lines.lock().expect("not poisoned");
        assert_eq!(
            lines.len() as u64,
            RECORDS,
            "only the outer records are written"
        );
        assert!(lines.iter().all(|l| l.starts_with("queued outer ")));
        let stats = queue.stats();
        assert_eq!(stats.emitted, RECORDS);
        assert_eq!(
            stats.dropped,
            2 * RECORDS,
            "the listener's own events never re-enter its queue"
        );
        assert_eq!(stats.queued, 0);
    });
}
