//! A background worker: one thread that takes owned records from a bounded queue and delivers them,
//! in batches, to a [`Deliver`] destination, retrying transient failures with backoff.

use std::cell::Cell;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crossbeam_channel::{Receiver, Select, SendTimeoutError, Sender, TrySendError};
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

/// `?` on I/O in a [`Deliver`] implementation: an I/O failure (a refused connection, a timeout, a
/// broken pipe) is worth trying again.
impl From<std::io::Error> for DeliveryError {
    fn from(error: std::io::Error) -> DeliveryError {
        DeliveryError::Transient(error.to_string())
    }
}

/// A destination that a [`Worker`] delivers batches to, on the worker's thread.
pub trait Deliver: Send + 'static {
    /// Delivers the records, oldest first. A batch has at least one record.
    fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError>;

    /// Delivers the worker's report of dropped records: a WARNING record of the logger
    /// `pylog`. By default, as any other record.
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
    /// The most records that were waiting at once, as the worker saw the queue each time it took
    /// a record and as these counters saw it when read (a send does not update it: that would
    /// cost every logging call a write the worker's core must see).
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

    /// Starts the worker's thread, named `pylog:<name>`.
    pub fn spawn(self, deliver: impl Deliver) -> io::Result<Worker> {
        let (sender, receiver) = crossbeam_channel::bounded(self.capacity);
        let shared = Arc::new(Shared {
            id: NEXT_WORKER.fetch_add(1, Ordering::Relaxed),
            name: self.name,
            backpressure: self.backpressure,
            batch_size: self.batch_size,
            batch_wait: self.batch_wait,
            retry: self.retry,
            drop_report_interval: self.drop_report_interval,
            on_error: self.on_error,
            sender,
            receiver,
            closing: AtomicBool::new(false),
            sealed: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            flushers: AtomicUsize::new(0),
            signals: AtomicUsize::new(0),
            taking: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            high_water: AtomicUsize::new(0),
            progress: Mutex::new(()),
            progressed: Condvar::new(),
            deliver: Mutex::new(Box::new(deliver)),
            delivered: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            reentrant: AtomicU64::new(0),
        });
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("pylog:{}", shared.name))
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

/// What travels on the queue.
enum Message {
    Record(OwnedRecord),
    /// Makes a waiting worker look at its flags (a close was asked for).
    Wake,
    /// A flush: reached once everything queued before it has been delivered.
    Flush(Arc<FlushMark>),
}

/// Where a flush waits: the worker sets `reached` after delivering every record queued before
/// the mark, since the queue is first in, first out.
#[derive(Default)]
struct FlushMark {
    reached: AtomicBool,
}

/// The state shared by the worker's thread and the handles that send to it.
///
/// The queue is a bounded `crossbeam-channel`: sending is lock-free, and a worker waiting for
/// records spins briefly before it sleeps, so a steady stream costs no system call per record.
/// A send touches nothing else the worker writes: no shared counter is updated per record (the
/// high-water mark is the worker's to keep), and a flush is a mark sent through the queue.
struct Shared {
    id: u64,
    name: String,
    backpressure: Backpressure,
    batch_size: usize,
    batch_wait: Duration,
    retry: RetryPolicy,
    drop_report_interval: Duration,
    on_error: Option<ErrorReporter>,
    sender: Sender<Message>,
    /// Kept here too, so that `DropOldest` can evict from the producer's side.
    receiver: Receiver<Message>,
    closing: AtomicBool,
    /// Set by the closing worker once it has found the queue empty, before its last look. A send
    /// that finds it set after queuing takes back what is queued and delivers it itself, so no
    /// record is left in a queue nobody reads. See [`Worker::send`].
    sealed: AtomicBool,
    finished: AtomicBool,
    flushers: AtomicUsize,
    /// Messages on the queue that are not records (wake-ups and flush marks), so that the
    /// counts of queued records leave them out. Only flushes and closes change it.
    signals: AtomicUsize,
    /// Odd while the worker takes a message off the queue (see [`Shared::take`]).
    taking: AtomicU64,
    /// Records the worker has taken and not yet delivered.
    in_flight: AtomicUsize,
    /// The longest queue the worker has seen when taking a record.
    high_water: AtomicUsize,
    progress: Mutex<()>,
    progressed: Condvar,
    deliver: Mutex<Box<dyn Deliver>>,
    delivered: AtomicU64,
    failed: AtomicU64,
    /// Records lost to the backpressure policy or a close that timed out: reported.
    dropped: AtomicU64,
    /// Records the worker's own thread logged: counted, not reported.
    reentrant: AtomicU64,
}

impl Shared {
    fn lock_deliver(&self) -> MutexGuard<'_, Box<dyn Deliver>> {
        self.deliver.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes whoever waits for progress (a flush for its mark, a close for the end).
    fn notify_progress(&self) {
        let _guard = self.progress.lock().unwrap_or_else(|e| e.into_inner());
        self.progressed.notify_all();
    }

    /// Marks flushes whose records have all been delivered.
    fn reach(&self, marks: &mut Vec<Arc<FlushMark>>) {
        if !marks.is_empty() {
            for mark in marks.drain(..) {
                mark.reached.store(true, Ordering::SeqCst);
            }
            self.notify_progress();
        }
    }

    /// Takes the next message off the queue without waiting. Meanwhile `taking` is odd, and a
    /// record taken is counted in `in_flight` before it turns even again, so that
    /// [`queued`](Shared::queued) never sees a record neither on the queue nor in the worker's
    /// hands. `in_hand` is how many records the worker already holds.
    fn take(&self, in_hand: usize) -> Option<Message> {
        let seq = self.taking.load(Ordering::Relaxed);
        self.taking.store(seq + 1, Ordering::Release);
        let message = self.receiver.try_recv().ok();
        if matches!(message, Some(Message::Record(_))) {
            self.in_flight.store(in_hand + 1, Ordering::Release);
        }
        self.taking.store(seq + 2, Ordering::Release);
        message
    }

    /// Records queued or being delivered now, read between two of the worker's takes.
    fn queued(&self) -> usize {
        let count = || self.waiting() + self.in_flight.load(Ordering::Acquire);
        for _ in 0..1000 {
            let before = self.taking.load(Ordering::Acquire);
            let queued = count();
            if before.is_multiple_of(2) && self.taking.load(Ordering::Acquire) == before {
                return queued;
            }
            std::thread::yield_now();
        }
        count()
    }

    /// Records waiting on the queue now.
    fn waiting(&self) -> usize {
        self.receiver
            .len()
            .saturating_sub(self.signals.load(Ordering::SeqCst))
    }

    /// Sends a message that is not a record, waiting at most until `deadline`.
    fn signal(&self, message: Message, deadline: Option<Instant>) -> bool {
        self.signals.fetch_add(1, Ordering::SeqCst);
        let sent = match deadline {
            Some(deadline) => self.sender.send_deadline(message, deadline).is_ok(),
            None => self.sender.try_send(message).is_ok(),
        };
        if !sent {
            self.signals.fetch_sub(1, Ordering::SeqCst);
        }
        sent
    }

    /// Handles a message that is not a record, taken off the queue.
    fn on_signal(&self, message: Message) {
        self.signals.fetch_sub(1, Ordering::SeqCst);
        if let Message::Flush(mark) = message {
            self.reach(&mut vec![mark]);
        }
    }

    /// Notes the queue's length when the worker takes a record (`taken` is already off it).
    fn note_length(&self, taken: usize) {
        let length = (self.waiting() + taken).min(self.receiver.capacity().unwrap_or(usize::MAX));
        if length > self.high_water.load(Ordering::Relaxed) {
            self.high_water.store(length, Ordering::Relaxed);
        }
    }

    /// Waits until `done()` holds or `deadline` passes; returns whether it held.
    fn wait_for(&self, deadline: Instant, done: impl Fn() -> bool) -> bool {
        let mut guard = self.progress.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if done() {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            // A bounded wait: a wake-up lost to a race costs at most this much.
            let slice = left.min(Duration::from_millis(50));
            guard = self
                .progressed
                .wait_timeout(guard, slice)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Makes a worker blocked on an empty queue look at its flags. When the queue is full the
    /// worker is busy and will look anyway.
    fn wake(&self) {
        self.signal(Message::Wake, None);
    }

    fn deliver_now(&self, record: OwnedRecord) {
        deliver_with_retry(self, &mut self.lock_deliver(), &[record], &mut false);
    }

    /// Takes what is still queued and delivers it on the calling thread: for a sender that
    /// queued a record after the worker's last look.
    fn rescue(&self) {
        while let Ok(message) = self.receiver.try_recv() {
            match message {
                Message::Record(record) => self.deliver_now(record),
                signal => self.on_signal(signal),
            }
        }
    }
}

/// A background thread delivering queued records.
///
/// It is what runs behind a [`QueueHandler`](super::QueueHandler) (Python's `QueueListener` thread)
/// and behind handlers whose delivery can block for long (email, HTTP, sockets): the logging call only
/// puts a record on the queue. What happens when the queue is full is the [`Backpressure`] policy;
/// every record it loses is counted, and the worker writes a `WARNING` record saying how many were
/// lost, to its own destination, as soon as it can and again when it closes.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
/// use pylog_core::{Deliver, DeliveryError, Level, OwnedRecord, Worker};
///
/// struct Collect(Arc<Mutex<Vec<String>>>);
/// impl Deliver for Collect {
///     fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
///         self.0.lock().unwrap().extend(batch.iter().map(|r| r.msg().to_owned()));
///         Ok(())
///     }
/// }
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let worker = Worker::builder("collector").capacity(100).spawn(Collect(seen.clone()))?;
/// worker.send(OwnedRecord::new("app", Level::INFO, "one")).unwrap();
/// assert!(worker.close(Duration::from_secs(5)));
/// assert_eq!(*seen.lock().unwrap(), ["one"]);
/// # Ok::<(), std::io::Error>(())
/// ```
///
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
    /// A builder for a worker named `name` (its thread is `pylog:<name>`).
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
        if shared.closing.load(Ordering::SeqCst) {
            shared.deliver_now(record);
            return Ok(());
        }
        match self.enqueue(Message::Record(record)) {
            Ok(()) => {
                // A close may have raced with this send: the worker found the queue empty and
                // sealed it just before the record went in. The worker seals, then looks at the
                // queue once more; this send queued, then looks at the seal. Both orders are
                // sequentially consistent, so one of the two sees the other: either the worker's
                // last look finds the record, or this call takes it back. On this side that needs
                // no fence of its own: crossbeam-channel's bounded send claims its slot with a
                // `SeqCst` compare-exchange of the tail, and its receive checks the tail after a
                // `SeqCst` fence before calling the queue empty (a fence here would make every
                // send wait for its writes to the slot to reach the other core).
                // `a_close_racing_with_senders_loses_nothing` runs this race.
                if shared.sealed.load(Ordering::SeqCst) {
                    shared.rescue();
                }
                Ok(())
            }
            Err((_, Message::Record(record))) if shared.closing.load(Ordering::SeqCst) => {
                // The worker closed while this call waited for room.
                shared.deliver_now(record);
                Ok(())
            }
            Err((why, _)) => {
                shared.dropped.fetch_add(1, Ordering::Relaxed);
                Err(why)
            }
        }
    }

    /// Puts a message on the queue under the backpressure policy; gives it back when refused.
    // The refused message is handed back so that a record can still be delivered on the caller's
    // thread; boxing it would cost an allocation per record.
    #[allow(clippy::result_large_err)]
    fn enqueue(&self, message: Message) -> Result<(), (Dropped, Message)> {
        let shared = &*self.shared;
        match shared.backpressure {
            Backpressure::Block => self.enqueue_blocking(message),
            Backpressure::DropNewest => shared.sender.try_send(message).map_err(|e| match e {
                TrySendError::Full(m) | TrySendError::Disconnected(m) => (Dropped::QueueFull, m),
            }),
            Backpressure::DropOldest => self.enqueue_evicting(message),
            Backpressure::BlockWithTimeout(limit) => match shared.sender.try_send(message) {
                Ok(()) => Ok(()),
                Err(TrySendError::Disconnected(m)) => Err((Dropped::Timeout, m)),
                Err(TrySendError::Full(m)) => {
                    shared.sender.send_timeout(m, limit).map_err(|e| match e {
                        SendTimeoutError::Timeout(m) | SendTimeoutError::Disconnected(m) => {
                            (Dropped::Timeout, m)
                        }
                    })
                }
            },
        }
    }

    /// Puts a message on the queue, evicting the oldest records until it fits.
    #[allow(clippy::result_large_err)]
    fn enqueue_evicting(&self, mut message: Message) -> Result<(), (Dropped, Message)> {
        let shared = &*self.shared;
        // Flush marks taken off the front while making room: everything queued before such a
        // mark has been taken by the worker, which may still be delivering it, so the mark goes
        // back in at the end (its flush only waits longer).
        let mut marks: Vec<Arc<FlushMark>> = Vec::new();
        loop {
            match shared.sender.try_send(message) {
                Ok(()) => match marks.pop() {
                    // Still counted in `signals`: it only went round.
                    Some(mark) => message = Message::Flush(mark),
                    None => return Ok(()),
                },
                Err(TrySendError::Full(m)) => {
                    message = m;
                    match shared.receiver.try_recv() {
                        Ok(Message::Record(_)) => {
                            shared.dropped.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(Message::Flush(mark)) => marks.push(mark),
                        Ok(Message::Wake) => {
                            shared.signals.fetch_sub(1, Ordering::SeqCst);
                        }
                        Err(_) => {}
                    }
                }
                Err(TrySendError::Disconnected(m)) => return Err((Dropped::QueueFull, m)),
            }
        }
    }

    /// A blocking send, waiting in slices until there is room or the worker closes (so that a
    /// close while the queue stays full is noticed).
    #[allow(clippy::result_large_err)]
    fn enqueue_blocking(&self, message: Message) -> Result<(), (Dropped, Message)> {
        let shared = &*self.shared;
        // A queue with room takes the message without reading the clock, as a timed send would.
        let mut message = match shared.sender.try_send(message) {
            Ok(()) => return Ok(()),
            Err(TrySendError::Full(m)) => m,
            Err(TrySendError::Disconnected(m)) => return Err((Dropped::QueueFull, m)),
        };
        loop {
            match shared
                .sender
                .send_timeout(message, Duration::from_millis(100))
            {
                Ok(()) => return Ok(()),
                Err(SendTimeoutError::Timeout(m)) if !shared.closing.load(Ordering::SeqCst) => {
                    message = m;
                }
                Err(SendTimeoutError::Timeout(m) | SendTimeoutError::Disconnected(m)) => {
                    return Err((Dropped::QueueFull, m));
                }
            }
        }
    }

    /// Waits until every record queued before the call has been delivered, or `timeout` passed.
    /// Returns whether the queue was drained. The destination's own `flush` runs after a drain.
    ///
    /// The flush sends a mark through the queue and waits for the worker to reach it, so records
    /// queued after the call do not hold it up.
    pub fn flush(&self, timeout: Duration) -> bool {
        let shared = &*self.shared;
        if self.is_current_thread() {
            return false;
        }
        let deadline = Instant::now() + timeout;
        let mark = Arc::new(FlushMark::default());
        shared.flushers.fetch_add(1, Ordering::SeqCst);
        let sent = shared.signal(Message::Flush(mark.clone()), Some(deadline));
        if sent {
            // A close racing with this flush: see `send`.
            fence(Ordering::SeqCst);
            if shared.sealed.load(Ordering::SeqCst) {
                shared.rescue();
            }
        }
        let reached = || mark.reached.load(Ordering::SeqCst);
        let drained = sent
            && shared.wait_for(deadline, || {
                reached() || shared.finished.load(Ordering::SeqCst)
            });
        shared.flushers.fetch_sub(1, Ordering::SeqCst);
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
        shared.closing.store(true, Ordering::SeqCst);
        shared.wake();
        let finished = shared.wait_for(deadline, || shared.finished.load(Ordering::SeqCst));
        if finished {
            if let Some(thread) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
                let _ = thread.join();
            }
        } else {
            // What is still queued; the batch being delivered may yet arrive.
            let left = shared.waiting() as u64;
            shared.dropped.fetch_add(left, Ordering::Relaxed);
        }
        finished
    }

    /// The counters.
    pub fn stats(&self) -> QueueStats {
        let shared = &*self.shared;
        QueueStats {
            queued: shared.queued() as u64,
            high_water: shared
                .high_water
                .load(Ordering::Relaxed)
                .max(shared.waiting()) as u64,
            dropped: shared.dropped.load(Ordering::Relaxed)
                + shared.reentrant.load(Ordering::Relaxed),
            delivered: shared.delivered.load(Ordering::Relaxed),
            failed: shared.failed.load(Ordering::Relaxed),
        }
    }
}

/// The worker thread: take a batch, deliver it, repeat until closed and drained.
fn run(shared: &Shared) {
    let _ = CURRENT_WORKER.try_with(|id| id.set(shared.id));
    let mut batch: Vec<OwnedRecord> = Vec::with_capacity(shared.batch_size);
    let mut marks: Vec<Arc<FlushMark>> = Vec::new();
    let mut failing = false;
    let mut reports = DropReports::default();
    let mut select = Select::new();
    select.recv(&shared.receiver);
    while let Some(first) = next_record(shared, &mut reports, &mut select) {
        shared.note_length(1);
        batch.push(first);
        fill_batch(shared, &mut batch, &mut marks, &mut select);
        let mut deliver = shared.lock_deliver();
        deliver_with_retry(shared, &mut deliver, &batch, &mut failing);
        reports.maybe_report(shared, &mut deliver, shared.receiver.is_empty());
        drop(deliver);
        batch.clear();
        shared.in_flight.store(0, Ordering::SeqCst);
        shared.reach(&mut marks);
        if shared.closing.load(Ordering::SeqCst) {
            shared.notify_progress();
        }
    }
    let mut deliver = shared.lock_deliver();
    reports.maybe_report(shared, &mut deliver, true);
    deliver.flush();
    deliver.close();
    drop(deliver);
    shared.finished.store(true, Ordering::SeqCst);
    shared.notify_progress();
}

/// The next record to deliver, waiting for one; `None` once the worker is closing and the queue
/// is empty, after sealing it (see [`Shared::sealed`]). A flush mark found here is reached at
/// once: every record before it has been delivered.
fn next_record(
    shared: &Shared,
    reports: &mut DropReports,
    select: &mut Select<'_>,
) -> Option<OwnedRecord> {
    loop {
        let message = if shared.closing.load(Ordering::SeqCst) {
            match shared.take(0) {
                Some(message) => message,
                None if shared.sealed.load(Ordering::SeqCst) => return None,
                None => {
                    // Seal, then look once more: a send that queued before the seal was visible
                    // is found by that look; a later one sees the seal and delivers itself.
                    shared.sealed.store(true, Ordering::SeqCst);
                    continue;
                }
            }
        } else {
            // With unreported drops, wake up in time to report them even if no record comes.
            let deadline = reports
                .pending(shared)
                .then(|| Instant::now() + shared.drop_report_interval);
            if !wait_for_message(select, deadline) {
                let mut deliver = shared.lock_deliver();
                reports.report_now(shared, &mut deliver);
                continue;
            }
            match shared.take(0) {
                Some(message) => message,
                None => continue,
            }
        };
        match message {
            Message::Record(record) => return Some(record),
            signal => shared.on_signal(signal),
        }
    }
}

/// Waits (without taking it) until a message is on the queue or `deadline` passes; returns
/// whether one is. The worker takes messages only with [`Shared::take`].
fn wait_for_message(select: &mut Select<'_>, deadline: Option<Instant>) -> bool {
    match deadline {
        None => {
            select.ready();
            true
        }
        Some(deadline) => select.ready_deadline(deadline).is_ok(),
    }
}

/// Adds what is already waiting to the batch, up to its size; with a batch wait, waits up to it
/// for more, unless a flush or a close is asked for. A flush mark ends the batch; it is reached
/// once the batch is delivered.
fn fill_batch(
    shared: &Shared,
    batch: &mut Vec<OwnedRecord>,
    marks: &mut Vec<Arc<FlushMark>>,
    select: &mut Select<'_>,
) {
    let deadline = Instant::now() + shared.batch_wait;
    while batch.len() < shared.batch_size {
        let hurry = shared.batch_wait.is_zero()
            || shared.flushers.load(Ordering::SeqCst) > 0
            || shared.closing.load(Ordering::SeqCst);
        if !hurry && !wait_for_message(select, Some(deadline)) {
            break;
        }
        match shared.take(batch.len()) {
            Some(Message::Record(record)) => batch.push(record),
            Some(Message::Flush(mark)) => {
                shared.signals.fetch_sub(1, Ordering::SeqCst);
                marks.push(mark);
                break;
            }
            Some(Message::Wake) => {
                shared.signals.fetch_sub(1, Ordering::SeqCst);
            }
            // Taken by a sender making room (`DropOldest`) since it was seen.
            None if !hurry => {}
            None => break,
        }
    }
}

/// When the worker last reported dropped records, and how many it had reported.
struct DropReports {
    reported: u64,
    last: Instant,
}

impl Default for DropReports {
    fn default() -> Self {
        DropReports {
            reported: 0,
            last: Instant::now(),
        }
    }
}

impl DropReports {
    fn pending(&self, shared: &Shared) -> bool {
        shared.dropped.load(Ordering::Relaxed) > self.reported
    }

    /// Reports new drops when the queue has run empty or the interval has passed.
    fn maybe_report(&mut self, shared: &Shared, deliver: &mut Box<dyn Deliver>, idle: bool) {
        if self.pending(shared) && (idle || self.last.elapsed() >= shared.drop_report_interval) {
            self.report_now(shared, deliver);
        }
    }

    fn report_now(&mut self, shared: &Shared, deliver: &mut Box<dyn Deliver>) {
        let total = shared.dropped.load(Ordering::Relaxed);
        if total > self.reported {
            report_drops(shared, deliver, total - self.reported, total);
            self.reported = total;
            self.last = Instant::now();
        }
    }
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
            Err(error @ DeliveryError::Transient(_))
                if shared.retry.max_attempts.is_none_or(|max| attempt < max)
                    && !stop_retrying(shared) =>
            {
                // With unbounded retries there may be no last attempt until close: the first
                // failure of the burst is reported now. A bounded burst that recovers is a blip,
                // reported only if it fails for good.
                if shared.retry.max_attempts.is_none() {
                    report_failure(shared, batch, &error, failing);
                }
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(shared.retry.max_backoff);
                attempt += 1;
            }
            Err(error) => {
                shared
                    .failed
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                report_failure(shared, batch, &error, failing);
                return;
            }
        }
    }
}

/// Reports `error` unless this burst of failures (since the last successful delivery) was
/// reported already.
fn report_failure(
    shared: &Shared,
    batch: &[OwnedRecord],
    error: &DeliveryError,
    failing: &mut bool,
) {
    if *failing {
        return;
    }
    *failing = true;
    if let Some(first) = batch.first() {
        match &shared.on_error {
            Some(report) => report(first, error),
            None => first.with_record(|r| super::print_logging_error(r, error)),
        }
    }
}

/// Unbounded retries stop once the worker is closing: a close must not wait forever on a server
/// that never comes back.
fn stop_retrying(shared: &Shared) -> bool {
    shared.retry.max_attempts.is_none() && shared.closing.load(Ordering::SeqCst)
}

fn report_drops(shared: &Shared, deliver: &mut Box<dyn Deliver>, new: u64, total: u64) {
    let record = OwnedRecord::new(
        "pylog",
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
        // A burst that recovered within its attempts is not reported; the one that failed for
        // good is, once.
        assert_eq!(*reports.lock().unwrap(), ["down: connection refused"]);
        let stats = worker.stats();
        assert_eq!((stats.delivered, stats.failed), (1, 2));
    }

    #[test]
    fn with_unbounded_retries_an_outage_is_reported_while_it_lasts() {
        let gate = Gate::closed();
        let failures = Arc::new(AtomicU64::new(0));
        #[derive(Clone)]
        struct Down(Arc<AtomicU64>, Gate);
        impl Deliver for Down {
            fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
                if self.0.fetch_add(1, Ordering::SeqCst) < 5 {
                    return Err(DeliveryError::Transient("connection refused".into()));
                }
                self.1.deliver(batch)
            }
        }
        let reports = Arc::new(Mutex::new(Vec::new()));
        let sink = reports.clone();
        gate.open();
        let worker = Worker::builder("t")
            .retry(RetryPolicy {
                max_attempts: None,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(1),
            })
            .on_error(Arc::new(move |r: &OwnedRecord, e: &DeliveryError| {
                sink.lock().unwrap().push(format!("{}: {e}", r.msg()));
            }))
            .spawn(Down(failures.clone(), gate.clone()))
            .unwrap();
        worker.send(record("waiting")).unwrap();
        assert!(worker.flush(Duration::from_secs(10)));
        assert!(worker.close(Duration::from_secs(10)));
        assert_eq!(gate.seen(), ["waiting"]);
        assert_eq!(*reports.lock().unwrap(), ["waiting: connection refused"]);
        assert_eq!(failures.load(Ordering::SeqCst), 6);
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

    /// Senders that keep sending while the worker closes: every record a send accepted is
    /// delivered exactly once, whether the worker took it before it stopped or the send found
    /// the queue sealed and delivered it itself. Repeated, so that the race is hit.
    #[test]
    fn a_close_racing_with_senders_loses_nothing() {
        for round in 0..200 {
            let gate = Gate::closed();
            gate.open();
            let worker = Arc::new(
                Worker::builder("t")
                    .capacity(if round % 2 == 0 { 4 } else { 1024 })
                    .spawn(gate.clone())
                    .unwrap(),
            );
            let senders: Vec<_> = (0..3)
                .map(|thread| {
                    let worker = worker.clone();
                    std::thread::spawn(move || {
                        let mut sent = Vec::new();
                        for i in 0..200 {
                            let msg = format!("{thread}-{i}");
                            if worker.send(record(&msg)).is_ok() {
                                sent.push(msg);
                            }
                        }
                        sent
                    })
                })
                .collect();
            std::thread::sleep(Duration::from_micros(50 * (round % 5)));
            assert!(worker.close(Duration::from_secs(10)));
            let mut sent: Vec<String> = senders
                .into_iter()
                .flat_map(|s| s.join().unwrap())
                .collect();
            let mut seen = gate.seen();
            sent.sort();
            seen.sort();
            assert_eq!(seen, sent, "round {round}");
        }
    }

    /// Flushes while other threads send and `DropOldest` evicts: a flush mark taken off the
    /// front to make room goes back in, so every flush still returns, and in time.
    #[test]
    fn flushes_return_while_drop_oldest_evicts() {
        let gate = Gate::closed();
        gate.open();
        let worker = Arc::new(
            Worker::builder("t")
                .capacity(2)
                .backpressure(Backpressure::DropOldest)
                .spawn(gate.clone())
                .unwrap(),
        );
        let stop = Arc::new(AtomicBool::new(false));
        let senders: Vec<_> = (0..2)
            .map(|_| {
                let (worker, stop) = (worker.clone(), stop.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let _ = worker.send(record("r"));
                    }
                })
            })
            .collect();
        for _ in 0..200 {
            assert!(worker.flush(Duration::from_secs(10)));
        }
        stop.store(true, Ordering::SeqCst);
        for s in senders {
            s.join().unwrap();
        }
        assert!(worker.close(Duration::from_secs(10)));
        let stats = worker.stats();
        assert_eq!(stats.queued, 0);
        assert!(stats.high_water <= 2, "{stats:?}");
    }

    /// The count of queued records includes the one the worker is taking: read while the worker
    /// wakes for the first record, it is never one short.
    #[test]
    fn queued_counts_a_record_while_the_worker_takes_it() {
        for round in 0..1000 {
            let gate = Gate::closed();
            let worker = Worker::builder("t").spawn(gate.clone()).unwrap();
            for i in 0..5 {
                worker.send(record(&i.to_string())).unwrap();
            }
            assert_eq!(worker.stats().queued, 5, "round {round}");
            gate.open();
            assert!(worker.close(Duration::from_secs(10)));
        }
    }
}
