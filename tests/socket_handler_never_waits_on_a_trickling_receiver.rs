//! A receiver that drains a few kilobytes at a time cannot hold a `SocketHandler`:
//!
//! - each frame has a total deadline (the handler's `timeout`): the write of a large record
//!   fails after it, where a timeout per `write()` call never fires because every call makes a
//!   little progress;
//! - after a `close()` that gave up waiting for such a delivery, logging calls return at once
//!   and their records are counted as dropped, instead of waiting behind the stuck delivery.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pylog::{
    DeliveryError, ErrorReporter, Handler, Level, Logger, Manager, OwnedRecord, SocketHandler,
};

/// Larger than what the kernel buffers on both sides of a loopback connection.
const BIG: usize = 24 * 1024 * 1024;

/// Accepts one connection and reads 16 KiB every 50 ms from it (about 320 KB/s, so the big
/// record would take over a minute) until stopped.
struct Trickler {
    port: u16,
    stop: Arc<AtomicBool>,
    received: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Trickler {
    fn start() -> Trickler {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let received = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (stop, received) = (stop.clone(), received.clone());
            std::thread::spawn(move || {
                let mut connection: Option<TcpStream> = None;
                let mut buffer = vec![0u8; 16 * 1024];
                while !stop.load(Ordering::SeqCst) {
                    if connection.is_none()
                        && let Ok((stream, _)) = listener.accept()
                    {
                        stream
                            .set_read_timeout(Some(Duration::from_millis(50)))
                            .unwrap();
                        stream.set_nonblocking(false).unwrap();
                        connection = Some(stream);
                    }
                    if let Some(stream) = connection.as_mut()
                        && let Ok(n) = stream.read(&mut buffer)
                    {
                        received.fetch_add(n, Ordering::SeqCst);
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        };
        Trickler {
            port,
            stop,
            received,
            thread: Some(thread),
        }
    }

    fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}

impl Drop for Trickler {
    /// Stops reading and closes the connection, which ends any write still going on.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The delivery errors reported, without the (huge) records.
#[derive(Clone, Default)]
struct Errors(Arc<Mutex<Vec<String>>>);

impl Errors {
    fn reporter(&self) -> ErrorReporter {
        let seen = self.0.clone();
        Arc::new(move |_: &OwnedRecord, error: &DeliveryError| {
            seen.lock().unwrap().push(error.to_string());
        })
    }

    fn first_within(&self, timeout: Duration) -> Option<String> {
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if let Some(first) = self.0.lock().unwrap().first() {
                return Some(first.clone());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

fn logger_with(handler: &Handler) -> (Manager, Logger) {
    let tree = Manager::new();
    let app = tree.get_logger("app");
    app.set_level(Level::DEBUG);
    app.set_propagate(false);
    app.add_handler(handler.clone());
    (tree, app)
}

fn wait_until(what: &str, timeout: Duration, done: impl Fn() -> bool) {
    let end = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_frame_that_trickles_out_fails_at_its_deadline() {
    let receiver = Trickler::start();
    let errors = Errors::default();
    let handler = SocketHandler::builder("127.0.0.1", receiver.port)
        .timeout(Duration::from_secs(1))
        .retry_start(Duration::from_secs(60))
        .on_error(errors.reporter())
        .drain_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    let started = Instant::now();
    logger.info("x".repeat(BIG));
    // Per write() call, the 1 s timeout would never fire: the receiver takes 16 KiB every
    // 50 ms. The frame's deadline does, once the kernel's buffers are full (a few seconds at
    // most on a loaded machine; 30 s is generous).
    let error = errors
        .first_within(Duration::from_secs(30))
        .expect("the frame's deadline passed without a report");
    assert_eq!(error, "TimeoutError: timed out");
    assert!(
        receiver.received() < BIG,
        "the whole record arrived: the receiver is not slow enough for this test"
    );
    eprintln!("deadline reported after {:?}", started.elapsed());
    handler.close();
}

#[test]
fn after_a_close_that_gave_up_logging_calls_never_wait_for_the_stuck_worker() {
    let receiver = Trickler::start();
    // A long deadline, so the worker stays in the write long after the close.
    let handler = SocketHandler::builder("127.0.0.1", receiver.port)
        .timeout(Duration::from_secs(120))
        .drain_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let (_tree, logger) = logger_with(&handler);
    logger.info("x".repeat(BIG));
    wait_until(
        "the receiver to get the first bytes",
        Duration::from_secs(30),
        || receiver.received() > 0,
    );
    handler.close();

    let started = Instant::now();
    for i in 0..5 {
        logger.info(format!("after close {i}"));
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(10),
        "5 records after close took {elapsed:?}"
    );
    assert_eq!(handler.stats().dropped, 5, "{:?}", handler.stats());
    drop(receiver);
}
