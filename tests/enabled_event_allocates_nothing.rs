//! After warm-up, an enabled event formatted with a `%`-style format or a `JsonFormatter` and
//! written by a stream or file handler allocates nothing: the record borrows from the event,
//! buffers are reused per thread, and the timestamp text is cached per second.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pylog::{Formatter, JsonFormatter, Level, Manager, StreamHandler};
use tracing_subscriber::prelude::*;

struct CountingAllocator;

thread_local! {
    // Per thread, so tests running in parallel do not count each other's allocations.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Counts the allocations `f` makes on this thread.
fn allocations_in(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

/// A writer that keeps only a byte count, like a sink that never needs to grow.
#[derive(Clone, Default)]
struct CountingSink(Arc<AtomicUsize>);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A [`CountingSink`] whose writes wait while its gate is held.
#[derive(Clone, Default)]
struct GatedSink {
    sink: CountingSink,
    gate: Arc<std::sync::Mutex<()>>,
}

impl Write for GatedSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let _open = self.gate.lock().unwrap_or_else(|e| e.into_inner());
        self.sink.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The tests of this file run one at a time: a logger created by one (any change to any tree)
/// invalidates every cached handler chain, and rebuilding a chain allocates, once, in the other.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn tree_with_handler(sink: &CountingSink) -> Manager {
    let tree = Manager::new();
    let format = "%(asctime)s %(levelname)-8s %(name)s [%(threadName)s] %(user)05d: %(message)s";
    let app = tree.get_logger("app");
    app.set_level(Level::INFO);
    app.add_handler(
        StreamHandler::writer(sink.clone())
            .with_level(Level::INFO)
            .with_formatter(Formatter::new(format).expect("valid format")),
    );
    tree
}

#[test]
fn tracing_event_to_stream_handler_allocates_nothing_after_warm_up() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sink = CountingSink::default();
    let tree = tree_with_handler(&sink);
    let subscriber = tracing_subscriber::registry().with(pylog::layer_for(tree));
    tracing::subscriber::with_default(subscriber, || {
        let emit =
            |i: u64| tracing::info!(target: "app::db", user = 7, "request {} took {} ms", i, 12);
        // Warm-up with the longest messages, so the reused buffers reach their final size.
        for i in 990..1000 {
            emit(i);
        }
        let before = sink.0.load(Ordering::Relaxed);
        let allocations = allocations_in(|| {
            for i in 0..1000 {
                emit(i);
            }
        });
        assert!(
            sink.0.load(Ordering::Relaxed) > before,
            "the events were written"
        );
        assert_eq!(allocations, 0, "allocations in 1000 enabled events");
    });
}

#[test]
fn direct_api_call_allocates_nothing_after_warm_up() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sink = CountingSink::default();
    let tree = tree_with_handler(&sink);
    let logger = tree.get_logger("app.db");
    let emit = |i: u64| {
        logger
            .event(Level::WARNING)
            .extra("user", 7)
            .log(format_args!("request {i} failed"))
    };
    // Warm-up with the longest messages, so the reused buffers reach their final size.
    for i in 990..1000 {
        emit(i);
    }
    let before = sink.0.load(Ordering::Relaxed);
    // The extras vector of `event()` is the caller's; everything after it must not allocate.
    let allocations = allocations_in(|| {
        for i in 0..1000 {
            logger.log_at(
                Level::WARNING,
                pylog::CallSite::caller(),
                &format_args!("request {i} failed"),
                &[("user", pylog::Value::Int(7))],
                None,
            );
        }
    });
    assert!(
        sink.0.load(Ordering::Relaxed) > before,
        "the records were written"
    );
    assert_eq!(allocations, 0, "allocations in 1000 direct-API records");
}

#[test]
fn tracing_event_to_a_json_formatter_allocates_nothing_after_warm_up() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sink = CountingSink::default();
    let tree = Manager::new();
    let json = JsonFormatter::builder()
        .fields([
            "asctime",
            "created",
            "levelname",
            "name",
            "message",
            "lineno",
            "threadName",
        ])
        .expect("standard attributes")
        .build()
        .expect("a valid layout");
    tree.root().set_level(Level::INFO);
    tree.root()
        .add_handler(StreamHandler::writer(sink.clone()).with_formatter(json));
    let subscriber = tracing_subscriber::registry().with(pylog::layer_for(tree));
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("request", id = 7);
        let _entered = span.enter();
        let emit = |i: u64| tracing::info!(target: "app::db", user = 7, ratio = 0.5, ok = true, path = "a\"b\n", "request {} took {} ms", i, 12);
        for i in 990..1000 {
            emit(i);
        }
        let before = sink.0.load(Ordering::Relaxed);
        let allocations = allocations_in(|| {
            for i in 0..1000 {
                emit(i);
            }
        });
        assert!(
            sink.0.load(Ordering::Relaxed) > before,
            "the events were written"
        );
        assert_eq!(allocations, 0, "allocations in 1000 JSON events");
    });
}

#[test]
fn tracing_event_through_a_queue_handler_reuses_the_records_its_listener_delivered() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sink = GatedSink::default();
    let listener_side = StreamHandler::writer(sink.clone()).with_formatter(
        Formatter::new("%(levelname)s %(name)s [%(threadName)s] %(user)s %(path)s: %(message)s")
            .expect("valid format"),
    );
    let queue = pylog::QueueHandler::builder()
        .handler(listener_side)
        .capacity(4096)
        .build()
        .expect("the listener starts");
    let tree = Manager::new();
    tree.root().set_level(Level::INFO);
    tree.root().add_handler(queue.clone());
    let subscriber = tracing_subscriber::registry().with(pylog::layer_for(tree));
    tracing::subscriber::with_default(subscriber, || {
        // Every record has the same size (four-digit numbers), so a delivered record's buffer
        // holds any other record.
        let emit = |i: u64| tracing::info!(target: "app::db", user = 7, path = "/a/b", "request {} took {} ms", i, 12);
        for i in 9990..10_000 {
            emit(i);
        }
        queue.flush();
        // While the listener cannot deliver, no buffer comes back: each new record costs one
        // allocation, its text. (Fewer records than the queue holds, so no call waits for room.)
        let gate = sink.gate.lock().unwrap_or_else(|e| e.into_inner());
        let first = allocations_in(|| {
            for i in 8000..9000 {
                emit(i);
            }
        });
        assert!(first <= 1000, "{first} allocations in 1000 new records");
        drop(gate);
        // The listener delivers them all and keeps their buffers for reuse: 1000 in all (the
        // first records reused the buffers of the earlier ones), within the 1024 it keeps.
        queue.flush();
        let allocations = allocations_in(|| {
            for i in 1000..2000 {
                emit(i);
            }
        });
        // Each record is written in the buffer of a delivered one.
        assert_eq!(allocations, 0, "allocations in 1000 queued events");
    });
    queue.close();
    assert!(
        sink.sink.0.load(Ordering::Relaxed) > 0,
        "the records were written"
    );
}

/// The file handlers, each record written at once or kept in the buffered policy's memory, and a
/// rotating file: after warm-up, a direct-API record with `%(asctime)s` allocates nothing.
#[test]
fn file_handlers_allocate_nothing_after_warm_up() {
    use pylog::{FileHandler, FlushPolicy, RotatingFileHandler};
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("temp dir");
    let buffered = FlushPolicy::Buffered {
        capacity: 8 * 1024,
        level: Level::CRITICAL,
        interval: std::time::Duration::from_secs(3600),
    };
    let handlers = [
        (
            "every record",
            FileHandler::builder(dir.path().join("every.log")).build(),
        ),
        (
            "buffered",
            FileHandler::builder(dir.path().join("buffered.log"))
                .flush_policy(buffered)
                .build(),
        ),
        (
            "rotating, buffered",
            RotatingFileHandler::builder(dir.path().join("rotating.log"))
                .max_bytes(1 << 30)
                .backup_count(2)
                .flush_policy(buffered)
                .build(),
        ),
    ];
    for (name, handler) in handlers {
        let handler = handler.expect("opens").with_formatter(
            Formatter::new("%(asctime)s - %(name)s - %(levelname)s - %(message)s").expect("valid"),
        );
        let tree = Manager::new();
        let logger = tree.get_logger("app");
        logger.set_level(Level::INFO);
        logger.add_handler(handler.clone());
        // Warm-up past a few writes of the buffered policy, whose memory grows to its capacity
        // (plus one record) once.
        for i in 500..1000 {
            logger.error(format_args!("request handled in {i} ms"));
        }
        let allocations = allocations_in(|| {
            for i in 0..1000 {
                logger.error(format_args!("request handled in {i} ms"));
            }
        });
        handler.close();
        assert_eq!(allocations, 0, "{name}: allocations in 1000 records");
    }
}
