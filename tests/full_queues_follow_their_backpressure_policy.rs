//! A queue handler whose sink is paused fills up; then each backpressure policy does what it says,
//! with exact counts in the handler's stats and exact lines in the sink once it resumes.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use pylog::{Backpressure, Formatter, Handler, HandlerStats, Manager, QueueHandler};
use pylog::{Level, StreamHandler};

/// A sink that blocks every write until it is opened, and counts the writes that started.
#[derive(Clone, Default)]
struct PausedSink {
    open: Arc<(Mutex<bool>, Condvar)>,
    started: Arc<AtomicU64>,
    lines: Arc<Mutex<Vec<String>>>,
}

impl PausedSink {
    fn open(&self) {
        *self.open.0.lock().unwrap() = true;
        self.open.1.notify_all();
    }

    fn wait_for_first_write(&self) {
        while self.started.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

impl Write for PausedSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.started.fetch_add(1, Ordering::SeqCst);
        let mut open = self.open.0.lock().unwrap();
        while !*open {
            open = self.open.1.wait(open).unwrap();
        }
        let text = String::from_utf8_lossy(buf);
        self.lines
            .lock()
            .unwrap()
            .extend(text.lines().map(str::to_owned));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A tree whose logger `app` has a queue handler (capacity 2, `policy`) in front of a paused sink;
/// record `0` has been logged and is stuck in the sink's first write.
fn stuck_queue(policy: Backpressure) -> (Manager, Handler, PausedSink) {
    let sink = PausedSink::default();
    let inner = StreamHandler::writer(sink.clone())
        .with_formatter(Formatter::new("%(levelname)s %(message)s").unwrap());
    let queue = QueueHandler::builder()
        .name("q")
        .handler(inner)
        .capacity(2)
        .backpressure(policy)
        .build()
        .unwrap();
    let tree = Manager::new();
    let app = tree.get_logger("app");
    app.set_level(Level::INFO);
    app.add_handler(queue.clone());
    app.info("0");
    sink.wait_for_first_write();
    (tree, queue, sink)
}

fn log(tree: &Manager, messages: std::ops::Range<u32>) {
    for i in messages {
        tree.get_logger("app").info(i);
    }
}

fn stats(emitted: u64, dropped: u64, queued: u64, high_water: u64) -> HandlerStats {
    HandlerStats {
        emitted,
        dropped,
        queued,
        high_water,
        ..HandlerStats::default()
    }
}

#[test]
fn drop_newest_refuses_what_does_not_fit() {
    let (tree, queue, sink) = stuck_queue(Backpressure::DropNewest);
    log(&tree, 1..6);
    // 0 in the sink, 1 and 2 queued, 3, 4 and 5 refused.
    assert_eq!(queue.stats(), stats(3, 3, 3, 2));
    sink.open();
    queue.close();
    assert_eq!(
        sink.lines(),
        [
            "INFO 0",
            "INFO 1",
            "INFO 2",
            "WARNING q: 3 records dropped (drop newest when full); 3 dropped in all"
        ]
    );
    assert_eq!(queue.stats(), stats(3, 3, 0, 2));
}

#[test]
fn drop_oldest_evicts_the_oldest_waiting() {
    let (tree, queue, sink) = stuck_queue(Backpressure::DropOldest);
    log(&tree, 1..6);
    // Every record was accepted; 1, 2 and 3 were evicted by 3, 4 and 5.
    assert_eq!(queue.stats(), stats(6, 3, 3, 2));
    sink.open();
    queue.close();
    assert_eq!(
        sink.lines(),
        [
            "INFO 0",
            "INFO 4",
            "INFO 5",
            "WARNING q: 3 records dropped (drop oldest when full); 3 dropped in all"
        ]
    );
}

#[test]
fn block_with_timeout_gives_up_on_each_record_after_the_wait() {
    let (tree, queue, sink) = stuck_queue(Backpressure::BlockWithTimeout(Duration::from_millis(5)));
    log(&tree, 1..5);
    assert_eq!(queue.stats(), stats(3, 2, 3, 2));
    sink.open();
    queue.close();
    assert_eq!(sink.lines().len(), 4, "0, 1, 2 and the report");
    assert_eq!(
        sink.lines()[3],
        "WARNING q: 2 records dropped (block for 5ms when full); 2 dropped in all"
    );
}

#[test]
fn block_makes_the_caller_wait_and_loses_nothing() {
    let (tree, queue, sink) = stuck_queue(Backpressure::Block);
    log(&tree, 1..3);
    let producer = {
        let tree = tree.clone();
        std::thread::spawn(move || log(&tree, 3..10))
    };
    // The producer waits for room; the queue never holds more than its capacity.
    while queue.stats().emitted < 3 {
        std::thread::yield_now();
    }
    assert_eq!(queue.stats().queued, 3);
    assert!(!producer.is_finished());
    sink.open();
    producer.join().unwrap();
    queue.close();
    let expected: Vec<String> = (0..10).map(|i| format!("INFO {i}")).collect();
    assert_eq!(sink.lines(), expected);
    let end = queue.stats();
    assert_eq!((end.emitted, end.dropped, end.high_water), (10, 0, 2));
}
