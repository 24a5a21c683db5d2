//! A background worker: one thread that takes owned records from a bounded queue and delivers them,
//! in batches, to a [`Deliver`] destination, retrying transient failures with backoff.
//!
//! It is what runs behind a [`QueueHandler`](super::QueueHandler) (Python's `QueueListener` thread)
//! and behind handlers whose delivery can block for long (email, HTTP, sockets): the logging call only
//! puts a record on the queue. What happens when the queue is full is the [`Backpressure`] policy;
//! every record it loses is counted, and the worker writes a `WARNING` record saying how many were
//! lost, to its own destination, as soon as it can and again when it closes.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//! use pylogging_core::{Deliver, DeliveryError, Level, OwnedRecord, Worker};
//!
//! struct Collect(Arc<Mutex<Vec<String>>>);
//! impl Deliver for Collect {
//!     fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
//!         self.0.lock().unwrap().extend(batch.iter().map(|r| r.msg().to_owned()));
//!         Ok(())
//!     }
//! }
//!
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let worker = Worker::builder("collector").capacity(100).spawn(Collect(seen.clone()))?;
//! worker.send(OwnedRecord::new("app", Level::INFO, "one")).unwrap();
//! assert!(worker.close(Duration::from_secs(5)));
//! assert_eq!(*seen.lock().unwrap(), ["one"]);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::level::Level;
use crate::owned_record::OwnedRecord;

/// What a full queue does with a new record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backpressure {
    /// The logging call waits for room: nothing is lost (the default).
    #[default]
    Block,
    /// The new record is dropped and counted.
    DropNewest,
    /// The oldest waiting record is dropped and counted, the new one queued.
    DropOldest,
    /// The logging call waits at most this long for room, then the record is dropped and counted.
    BlockWithTimeout(Duration),
}

impl fmt::Display for Backpressure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backpressure::Block => f.write_str("block"),
            Backpressure::DropNewest => f.write_str("drop newest"),
            Backpressure::DropOldest => f.write_str("drop oldest"),
            Backpressure::BlockWithTimeout(d) => write!(f, "block for {d:?}"),
        }
    }
}

/// How often and how patiently a failed delivery is tried again.
///
/// | field | default |
/// |---|---|
/// | `max_attempts` | 1 (no retry) |
/// | `initial_backoff` | 100 ms |
/// | `max_backoff` | 5 s |
///
/// The wait doubles after each failed attempt, up to `max_backoff`. Only
/// [`DeliveryError::Transient`] failures are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; `None` retries until delivery succeeds or the worker
    /// is closed.
    pub max_attempts: Option<u32>,
    /// The wait before the second attempt.
    pub initial_backoff: Duration,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: Some(1),
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
        }
    }
}

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryError {
    /// Worth trying again (a connection refused, a timeout, a server's 5xx).
    Transient(String),
    /// Not worth trying again (a rejected request); the batch is counted as failed.
    Permanent(String),
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeliveryError::Transient(e) | DeliveryError::Permanent(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for DeliveryError {}

/// A destination that a [`Worker`] delivers batches to, on the worker's thread.
pub trait Deliver: Send + 'static {
    /// Delivers the records, oldest first. A batch has at least one record.
    fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError>;

    /// Delivers the worker's report of dropped records: a WARNING record of the logger
    /// `pylogging`. By default, as any other record.
    fn report(&mut self, report: &OwnedRecord) -> Result<(), DeliveryError> {
        self.deliver(std::slice::from_ref(report))
    }

    /// Called when the queue has been drained by a flush.
    fn flush(&mut self) {}

    /// Called once, after the last batch, when the worker closes.
    fn close(&mut self) {}
}

/// Why a record was not queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dropped {
    /// The queue was full and the policy drops.
    QueueFull,
    /// The queue stayed full for the whole timeout.
    Timeout,
    /// The record was logged by the worker's own thread, from inside a delivery.
    Reentrant,
}

/// The worker's counters. Python has none; these make loss visible.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueStats {
    /// Records waiting now.
    pub queued: u64,
    /// The most records that were ever waiting at once.
    pub high_water: u64,
    /// Records lost: refused by a full queue, evicted, logged from inside a delivery, or still
    /// waiting when a close timed out.
    pub dropped: u64,
    /// Records delivered (not counting the worker's own reports of dropped records).
    pub delivered: u64,
    /// Records whose delivery failed for good.
    pub failed: u64,
}

/// What a worker does with a delivery failure: by default it prints Python's `--- Logging error
/// ---` block once per burst of failures (until a delivery succeeds again).
pub type ErrorReporter = Arc<dyn Fn(&OwnedRecord, &DeliveryError) + Send + Sync>;

/// Builds a [`Worker`].
///
/// | option | default |
/// |---|---|
/// | `capacity` | 10,000 records |
/// | `backpressure` | [`Backpressure::Block`] |
/// | `batch` | 1 record, no waiting |
/// | `retry` | [`RetryPolicy::default`] (no retry) |
/// | `drop_report_interval` | 1 s |
#[must_use]
pub struct WorkerBuilder {
    name: String,
    capacity: usize,
    backpressure: Backpressure,
    batch_size: usize,
    batch_wait: Duration,
    retry: RetryPolicy,
    drop_report_interval: Duration,
    on_error: Option<ErrorReporter>,
}

impl WorkerBuilder {
    /// The queue's bound (at least 1).
    pub fn capacity(mut self, records: usize) -> Self {
        self.capacity = records.max(1);
        self
    }

    /// What a full queue does.
    pub fn backpressure(mut self, policy: Backpressure) -> Self {
        self.backpressure = policy;
        self
    }

    /// Deliver up to `max_records` at once, waiting up to `max_wait` for a batch to fill.
    pub fn batch(mut self, max_records: usize, max_wait: Duration) -> Self {
        self.batch_size = max_records.max(1);
        self.batch_wait = max_wait;
        self
    }

    /// How failed deliveries are retried.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The shortest time between two reports of dropped records while records keep arriving (a
    /// report is also written when the queue runs empty and when the worker closes).
    pub fn drop_report_interval(mut self, interval: Duration) -> Self {
        self.drop_report_interval = interval;
        self
    }

    /// Replaces the default error report.
    pub fn on_error(mut self, report: ErrorReporter) -> Self {
        self.on_error = Some(report);
        self
    }

    /// Starts the worker's thread, named `pylogging:<name>`.
    pub fn spawn(self, deliver: impl Deliver) -> io::Result<Worker> {
        let shared = Arc::new(Shared {
            id: NEXT_WORKER.fetch_add(1, Ordering::Relaxed),
            name: self.name,
            capacity: self.capacity,
            backpressure: self.backpressure,
            batch_size: self.batch_size,
            batch_wait: self.batch_wait,
            retry: self.retry,
            drop_report_interval: self.drop_report_interval,
            on_error: self.on_error,
            state: Mutex::new(State::default()),
            records_waiting: Condvar::new(),
            room: Condvar::new(),
            idle: Condvar::new(),
            deliver: Mutex::new(Box::new(deliver)),
            delivered: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            reentrant: AtomicU64::new(0),
        });
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("pylogging:{}", shared.name))
            .spawn(move || run(&thread_shared))?;
        Ok(Worker {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }
}

static NEXT_WORKER: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static CURRENT_WORKER: Cell<u64> = const { Cell::new(0) };
}

#[derive(Default)]
struct State {
    queue: VecDeque<OwnedRecord>,
    in_flight: usize,
    high_water: usize,
    closing: bool,
    finished: bool,
    worker_waiting: bool,
    producers_waiting: usize,
    flushers_waiting: usize,
    flush_epoch: u64,
}

struct Shared {
    id: u64,
    name: String,
    capacity: usize,
    backpressure: Backpressure,
    batch_size: usize,
    batch_wait: Duration,
    retry: RetryPolicy,
    drop_report_interval: Duration,
    on_error: Option<ErrorReporter>,
    state: Mutex<State>,
    records_waiting: Condvar,
    room: Condvar,
    idle: Condvar,
    deliver: Mutex<Box<dyn Deliver>>,
    delivered: AtomicU64,
    failed: AtomicU64,
    /// Records lost to the backpressure policy or a close that timed out: reported.
    dropped: AtomicU64,
    /// Records the worker's own thread logged: counted, not reported.
    reentrant: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_deliver(&self) -> MutexGuard<'_, Box<dyn Deliver>> {
        self.deliver.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A background thread delivering queued records. See the [module docs](self).
///
/// Dropping the last handle does not stop the thread: call [`close`](Worker::close) (the handlers
/// built on a worker do, in their `close`, which [`shutdown`](crate::shutdown) calls).
pub struct Worker {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Worker({:?}, {:?})", self.shared.name, self.stats())
    }
}

impl Worker {
    /// A builder for a worker named `name` (its thread is `pylogging:<name>`).
    pub fn builder(name: impl Into<String>) -> WorkerBuilder {
        WorkerBuilder {
            name: name.into(),
            capacity: 10_000,
            backpressure: Backpressure::Block,
            batch_size: 1,
            batch_wait: Duration::ZERO,
            retry: RetryPolicy::default(),
            drop_report_interval: Duration::from_secs(1),
            on_error: None,
        }
    }

    /// The worker's name.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Whether the calling thread is this worker's own thread (a record logged there comes from
    /// inside a delivery).
    pub fn is_current_thread(&self) -> bool {
        CURRENT_WORKER
            .try_with(|id| id.get() == self.shared.id)
            .unwrap_or(false)
    }

    /// Counts a record refused because this worker's own thread logged it (see
    /// [`is_current_thread`](Worker::is_current_thread)).
    /// They are not loss of the application's records, so they are counted but not reported.
    pub(crate) fn count_reentrant(&self) {
        self.shared.reentrant.fetch_add(1, Ordering::Relaxed);
    }

    /// Queues a record, applying the backpressure policy when the queue is full.
    ///
    /// After [`close`](Worker::close) the record is delivered at once, on the calling thread, so a
    /// record logged during or after shutdown is still written.
    pub fn send(&self, record: OwnedRecord) -> Result<(), Dropped> {
        let shared = &*self.shared;
        if self.is_current_thread() {
            self.count_reentrant();
            return Err(Dropped::Reentrant);
        }
        let mut state = shared.lock();
        if state.closing {
            drop(state);
            deliver_with_retry(shared, &mut shared.lock_deliver(), &[record], &mut false);
            return Ok(());
        }
        if state.queue.len() >= shared.capacity {
            match shared.backpressure {
                Backpressure::DropNewest => {
                    drop(state);
                    shared.dropped.fetch_add(1, Ordering::Relaxed);
                    return Err(Dropped::QueueFull);
                }
                Backpressure::DropOldest => {
                    state.queue.pop_front();
                    shared.dropped.fetch_add(1, Ordering::Relaxed);
                }
                Backpressure::Block => {
                    state.producers_waiting += 1;
                    while state.queue.len() >= shared.capacity && !state.closing {
                        state = shared.room.wait(state).unwrap_or_else(|e| e.into_inner());
                    }
                    state.producers_waiting -= 1;
                }
                Backpressure::BlockWithTimeout(limit) => {
                    let deadline = Instant::now() + limit;
                    state.producers_waiting += 1;
                    while state.queue.len() >= shared.capacity && !state.closing {
                        let left = deadline.saturating_duration_since(Instant::now());
                        if left.is_zero() {
                            break;
                        }
                        state = shared
                            .room
                            .wait_timeout(state, left)
                            .unwrap_or_else(|e| e.into_inner())
                            .0;
                    }
                    state.producers_waiting -= 1;
                    if state.queue.len() >= shared.capacity && !state.closing {
                        drop(state);
                        shared.dropped.fetch_add(1, Ordering::Relaxed);
                        return Err(Dropped::Timeout);
                    }
                }
            }
            if state.closing {
                drop(state);
                deliver_with_retry(shared, &mut shared.lock_deliver(), &[record], &mut false);
                return Ok(());
            }
        }
        state.queue.push_back(record);
        state.high_water = state.high_water.max(state.queue.len());
        let wake = state.worker_waiting;
        drop(state);
        if wake {
            shared.records_waiting.notify_one();
        }
        Ok(())
    }

    /// Waits until every record queued before the call has been delivered, or `timeout` passed.
    /// Returns whether the queue was drained. The destination's own `flush` runs after a drain.
    pub fn flush(&self, timeout: Duration) -> bool {
        let shared = &*self.shared;
        if self.is_current_thread() {
            return false;
        }
        let deadline = Instant::now() + timeout;
        let mut state = shared.lock();
        state.flushers_waiting += 1;
        state.flush_epoch += 1;
        shared.records_waiting.notify_one();
        let drained = loop {
            if state.queue.is_empty() && state.in_flight == 0 {
                break true;
            }
            if state.finished {
                break state.queue.is_empty();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break false;
            }
            state = shared
                .idle
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        };
        state.flushers_waiting -= 1;
        drop(state);
        if drained {
            shared.lock_deliver().flush();
        }
        drained
    }

    /// Delivers what is queued (waiting at most `timeout`), stops the thread and closes the
    /// destination. Records still queued when the timeout passes are counted as dropped. Returns
    /// whether everything was delivered. Later records are delivered on the caller's thread.
    pub fn close(&self, timeout: Duration) -> bool {
        let shared = &*self.shared;
        if self.is_current_thread() {
            return false;
        }
        let deadline = Instant::now() + timeout;
        let mut state = shared.lock();
        if state.closing && state.finished {
            return true;
        }
        state.closing = true;
        shared.records_waiting.notify_all();
        shared.room.notify_all();
        while !state.finished {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = shared
                .idle
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        let finished = state.finished;
        let abandoned = if finished { 0 } else { state.queue.len() };
        drop(state);
        if finished {
            if let Some(thread) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
                let _ = thread.join();
            }
        } else {
            shared
                .dropped
                .fetch_add(abandoned as u64, Ordering::Relaxed);
        }
        finished
    }

    /// The counters.
    pub fn stats(&self) -> QueueStats {
        let state = self.shared.lock();
        QueueStats {
            queued: (state.queue.len() + state.in_flight) as u64,
            high_water: state.high_water as u64,
            dropped: self.shared.dropped.load(Ordering::Relaxed)
                + self.shared.reentrant.load(Ordering::Relaxed),
            delivered: self.shared.delivered.load(Ordering::Relaxed),
            failed: self.shared.failed.load(Ordering::Relaxed),
        }
    }
}

/// The worker thread: take a batch, deliver it, repeat until closed and drained.
fn run(shared: &Shared) {
    let _ = CURRENT_WORKER.try_with(|id| id.set(shared.id));
    let mut batch: Vec<OwnedRecord> = Vec::with_capacity(shared.batch_size);
    let mut failing = false;
    let mut reported_drops = 0u64;
    let mut last_report = Instant::now();
    loop {
        let mut state = shared.lock();
        state.in_flight = 0;
        if state.queue.is_empty() && state.flushers_waiting > 0 {
            shared.idle.notify_all();
        }
        while state.queue.is_empty() && !state.closing {
            state.worker_waiting = true;
            state = shared
                .records_waiting
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
            state.worker_waiting = false;
        }
        if state.queue.is_empty() {
            drop(state);
            break;
        }
        state = wait_for_batch(shared, state);
        let take = state.queue.len().min(shared.batch_size);
        batch.extend(state.queue.drain(..take));
        state.in_flight = take;
        if state.producers_waiting > 0 {
            shared.room.notify_all();
        }
        drop(state);
        let mut deliver = shared.lock_deliver();
        deliver_with_retry(shared, &mut deliver, &batch, &mut failing);
        batch.clear();
        let dropped = shared.dropped.load(Ordering::Relaxed);
        if dropped > reported_drops
            && (last_report.elapsed() >= shared.drop_report_interval
                || shared.lock().queue.is_empty())
        {
            report_drops(shared, &mut deliver, dropped - reported_drops, dropped);
            reported_drops = dropped;
            last_report = Instant::now();
        }
    }
    let mut deliver = shared.lock_deliver();
    let dropped = shared.dropped.load(Ordering::Relaxed);
    if dropped > reported_drops {
        report_drops(shared, &mut deliver, dropped - reported_drops, dropped);
    }
    deliver.flush();
    deliver.close();
    drop(deliver);
    let mut state = shared.lock();
    state.in_flight = 0;
    state.finished = true;
    shared.idle.notify_all();
}

/// With batching on, waits (up to the batch wait) for a batch to fill, unless closing or a flush
/// is waiting.
fn wait_for_batch<'a>(
    shared: &'a Shared,
    mut state: MutexGuard<'a, State>,
) -> MutexGuard<'a, State> {
    if shared.batch_size <= 1 || shared.batch_wait.is_zero() {
        return state;
    }
    let deadline = Instant::now() + shared.batch_wait;
    let epoch = state.flush_epoch;
    while state.queue.len() < shared.batch_size
        && !state.closing
        && state.flushers_waiting == 0
        && state.flush_epoch == epoch
    {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        state.worker_waiting = true;
        state = shared
            .records_waiting
            .wait_timeout(state, left)
            .unwrap_or_else(|e| e.into_inner())
            .0;
        state.worker_waiting = false;
    }
    state
}

fn deliver_with_retry(
    shared: &Shared,
    deliver: &mut Box<dyn Deliver>,
    batch: &[OwnedRecord],
    failing: &mut bool,
) {
    let mut attempt = 1u32;
    let mut backoff = shared.retry.initial_backoff;
    loop {
        match deliver.deliver(batch) {
            Ok(()) => {
                shared
                    .delivered
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                *failing = false;
                return;
            }
            Err(DeliveryError::Transient(_))
                if shared.retry.max_attempts.is_none_or(|max| attempt < max)
                    && !stop_retrying(shared) =>
            {
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(shared.retry.max_backoff);
                attempt += 1;
            }
            Err(error) => {
                shared
                    .failed
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                if !*failing {
                    *failing = true;
                    if let Some(first) = batch.first() {
                        match &shared.on_error {
                            Some(report) => report(first, &error),
                            None => first.with_record(|r| super::print_logging_error(r, &error)),
                        }
                    }
                }
                return;
            }
        }
    }
}

/// Unbounded retries stop once the worker is closing: a close must not wait forever on a server
/// that never comes back.
fn stop_retrying(shared: &Shared) -> bool {
    shared.retry.max_attempts.is_none() && shared.lock().closing
}

fn report_drops(shared: &Shared, deliver: &mut Box<dyn Deliver>, new: u64, total: u64) {
    let record = OwnedRecord::new(
        "pylogging",
        Level::WARNING,
        &format!(
            "{}: {new} records dropped ({} when full); {total} dropped in all",
            shared.name, shared.backpressure
        ),
    );
    if let Err(error) = deliver.report(&record) {
        record.with_record(|r| super::print_logging_error(r, &error));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// A destination that records what it got and can be paused.
    #[derive(Clone, Default)]
    struct Gate {
        seen: Arc<Mutex<Vec<String>>>,
        open: Arc<(Mutex<bool>, Condvar)>,
        entered: Arc<AtomicU64>,
    }

    impl Gate {
        fn closed() -> Gate {
            Gate::default()
        }
        fn open(&self) {
            *self.open.0.lock().unwrap() = true;
            self.open.1.notify_all();
        }
        fn seen(&self) -> Vec<String> {
            self.seen.lock().unwrap().clone()
        }
    }

    impl Deliver for Gate {
        fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
            self.entered.fetch_add(1, Ordering::SeqCst);
            let mut open = self.open.0.lock().unwrap();
            while !*open {
                open = self.open.1.wait(open).unwrap();
            }
            self.seen
                .lock()
                .unwrap()
                .extend(batch.iter().map(|r| r.msg().to_owned()));
            Ok(())
        }
    }

    fn record(msg: &str) -> OwnedRecord {
        OwnedRecord::new("t", Level::INFO, msg)
    }

    /// A worker whose destination is paused with the record `0` in flight.
    fn blocked_worker(capacity: usize, policy: Backpressure) -> (Gate, Worker) {
        let gate = Gate::closed();
        let worker = Worker::builder("t")
            .capacity(capacity)
            .backpressure(policy)
            .spawn(gate.clone())
            .unwrap();
        worker.send(record("0")).unwrap();
        while gate.entered.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        (gate, worker)
    }

    #[test]
    fn drop_newest_keeps_the_first_records() {
        let (gate, worker) = blocked_worker(2, Backpressure::DropNewest);
        worker.send(record("1")).unwrap();
        worker.send(record("2")).unwrap();
        assert_eq!(worker.send(record("3")), Err(Dropped::QueueFull));
        assert_eq!(worker.send(record("4")), Err(Dropped::QueueFull));
        gate.open();
        assert!(worker.close(Duration::from_secs(10)));
        let seen = gate.seen();
        assert_eq!(&seen[..3], ["0", "1", "2"]);
        assert_eq!(
            seen[3],
            "t: 2 records dropped (drop newest when full); 2 dropped in all"
        );
        let stats = worker.stats();
        assert_eq!(
            (stats.dropped, stats.delivered, stats.high_water),
            (2, 3, 2)
        );
    }

    #[test]
    fn drop_oldest_keeps_the_last_records() {
        let (gate, worker) = blocked_worker(2, Backpressure::DropOldest);
        for i in 1..=5 {
            worker.send(record(&i.to_string())).unwrap();
        }
        gate.open();
        assert!(worker.close(Duration::from_secs(10)));
        assert_eq!(
            gate.seen(),
            [
                "0",
                "4",
                "5",
                "t: 3 records dropped (drop oldest when full); 3 dropped in all"
            ]
        );
    }

    #[test]
    fn block_waits_for_room_and_loses_nothing() {
        let (gate, worker) = blocked_worker(1, Backpressure::Block);
        let worker = Arc::new(worker);
        worker.send(record("1")).unwrap();
        let (done_tx, done_rx) = mpsc::channel();
        let producer = {
            let worker = worker.clone();
            std::thread::spawn(move || {
                worker.send(record("2")).unwrap();
                done_tx.send(()).unwrap();
            })
        };
        // The producer is blocked while the queue is full.
        assert!(done_rx.recv_timeout(Duration::from_millis(50)).is_err());
        gate.open();
        done_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        producer.join().unwrap();
        assert!(worker.close(Duration::from_secs(10)));
        assert_eq!(gate.seen(), ["0", "1", "2"]);
        assert_eq!(worker.stats().dropped, 0);
    }

    #[test]
    fn block_with_timeout_gives_up_and_counts() {
        let (gate, worker) =
            blocked_worker(1, Backpressure::BlockWithTimeout(Duration::from_millis(20)));
        worker.send(record("1")).unwrap();
        assert_eq!(worker.send(record("2")), Err(Dropped::Timeout));
        gate.open();
        assert!(worker.close(Duration::from_secs(10)));
        assert_eq!(gate.seen().len(), 3);
        assert_eq!(worker.stats().dropped, 1);
    }

    #[test]
    fn batches_fill_up_to_the_limit() {
        #[derive(Clone, Default)]
        struct Sizes(Arc<Mutex<Vec<usize>>>);
        impl Deliver for Sizes {
            fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
                self.0.lock().unwrap().push(batch.len());
                Ok(())
            }
        }
        let sizes = Sizes::default();
        let worker = Worker::builder("t")
            .batch(4, Duration::from_secs(60))
            .spawn(sizes.clone())
            .unwrap();
        for i in 0..8 {
            worker.send(record(&i.to_string())).unwrap();
        }
        while worker.stats().delivered < 8 {
            std::thread::yield_now();
        }
        worker.send(record("8")).unwrap();
        // A flush does not wait out the batch window.
        assert!(worker.flush(Duration::from_secs(10)));
        assert!(worker.close(Duration::from_secs(10)));
        assert_eq!(*sizes.0.lock().unwrap(), [4, 4, 1]);
    }

    #[test]
    fn transient_failures_are_retried_and_reported_once_per_burst() {
        #[derive(Clone, Default)]
        struct Flaky {
            attempts: Arc<AtomicU64>,
        }
        impl Deliver for Flaky {
            fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
                let n = self.attempts.fetch_add(1, Ordering::Relaxed);
                // The first record fails twice then succeeds; "down" records always fail.
                if batch[0].msg() == "down" || n < 2 {
                    Err(DeliveryError::Transient("connection refused".into()))
                } else {
                    Ok(())
                }
            }
        }
        let reports = Arc::new(Mutex::new(Vec::new()));
        let sink = reports.clone();
        let flaky = Flaky::default();
        let worker = Worker::builder("t")
            .retry(RetryPolicy {
                max_attempts: Some(3),
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(2),
            })
            .on_error(Arc::new(move |r: &OwnedRecord, e: &DeliveryError| {
                sink.lock().unwrap().push(format!("{}: {e}", r.msg()));
            }))
            .spawn(flaky.clone())
            .unwrap();
        worker.send(record("first")).unwrap();
        worker.send(record("down")).unwrap();
        worker.send(record("down")).unwrap();
        assert!(worker.close(Duration::from_secs(10)));
        assert_eq!(flaky.attempts.load(Ordering::Relaxed), 3 + 3 + 3);
        assert_eq!(*reports.lock().unwrap(), ["down: connection refused"]);
        let stats = worker.stats();
        assert_eq!((stats.delivered, stats.failed), (1, 2));
    }

    #[test]
    fn records_after_close_are_delivered_on_the_callers_thread() {
        let gate = Gate::closed();
        gate.open();
        let worker = Worker::builder("t").spawn(gate.clone()).unwrap();
        assert!(worker.close(Duration::from_secs(10)));
        worker.send(record("late")).unwrap();
        assert_eq!(gate.seen(), ["late"]);
    }

    #[test]
    fn a_close_that_times_out_counts_what_is_left() {
        let (gate, worker) = blocked_worker(10, Backpressure::Block);
        worker.send(record("1")).unwrap();
        assert!(!worker.close(Duration::from_millis(10)));
        assert_eq!(worker.stats().dropped, 1);
        gate.open();
    }
}
