//! A background worker: one thread that takes owned records from a bounded queue and delivers them,
//! in batches, to a [`Deliver`] destination, retrying transient failures with backoff.
//!
//! Closing is bounded: [`Worker::close`] gives the worker until its deadline to deliver what is
//! queued, retrying a destination that is down the whole time (a backoff wait ends early when the
//! close begins, and none runs past the deadline). What is still undelivered then goes to the
//! [fallback handler](WorkerBuilder::fallback) if there is one, and is counted and reported in one
//! line on stderr:
//!
//! ```text
//! pylog: SysLogHandler(tcp 127.0.0.1:514): 3 records not delivered within the drain timeout (5s); handed to the fallback handler <FileHandler /var/log/app-fallback.log (NOTSET)>
//! ```
//!
//! A queue of up to [`PREALLOCATED_PLACES`] records is allocated when the worker starts, so that
//! queuing a record allocates nothing; a larger one grows to its bound as records arrive, so that
//! a bound of a billion costs nothing until it is used. Either way the bound (records, and
//! optionally bytes) is counted by `bound.rs`. The text buffers of delivered records go back to
//! the logging calls that ask for one (`Worker::spare_text`, `spares.rs`).

mod bound;
mod spares;

use std::cell::Cell;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, TryLockError};

use crossbeam_channel::{Receiver, Select, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Handler;
use crate::level::Level;
use crate::owned_record::OwnedRecord;
use bound::QueueBound;
use spares::{SPARE_RECORDS, Spares};

/// The longest wait between two attempts while a close is draining the queue: a destination that
/// comes back during the drain is found soon, and the drain ends at its deadline anyway.
const CLOSE_RETRY_INTERVAL: Duration = Duration::from_millis(250);

/// How long [`Worker::close`] waits past its deadline for the worker to hand what is left to the
/// fallback; after that the closing thread takes what is still queued itself (the worker is stuck
/// in a delivery that does not return).
const CLOSE_GRACE: Duration = Duration::from_millis(500);

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

    /// Called once, on the worker's thread, before the first attempt made after a close began. A
    /// destination that spaces out its own attempts (the socket handler's reconnection delay)
    /// shortens its wait here: the close has a deadline.
    fn closing(&mut self) {}

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
    /// The record was logged after a close that timed out, while the worker's thread was still
    /// stuck in a delivery: it is not waited for.
    Stuck,
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
    /// undelivered when a close timed out (without a fallback handler; with one, such records are
    /// counted in `fallback` instead).
    pub dropped: u64,
    /// Records delivered (not counting the worker's own reports of dropped records).
    pub delivered: u64,
    /// Records whose delivery failed for good.
    pub failed: u64,
    /// Records handed to the fallback handler: failed for good, left when a close timed out, or
    /// refused or evicted by a full queue.
    pub fallback: u64,
}

/// What a worker does with a delivery failure: by default it prints Python's `--- Logging error
/// ---` block once per burst of failures (until a delivery succeeds again).
pub type ErrorReporter = Arc<dyn Fn(&OwnedRecord, &DeliveryError) + Send + Sync>;

/// Builds a [`Worker`].
///
/// | option | default |
/// |---|---|
/// | `capacity` | 10,000 records (allocated up front up to 65,536; a larger queue grows) |
/// | `max_queue_bytes` | none: only the record bound |
/// | `backpressure` | [`Backpressure::Block`] |
/// | `batch` | 1 record, no waiting |
/// | `retry` | [`RetryPolicy::default`] (no retry) |
/// | `drop_report_interval` | 1 s |
/// | `label` | the name |
/// | `fallback` | none: what cannot be delivered is counted and reported |
#[must_use]
pub struct WorkerBuilder {
    name: String,
    label: Option<String>,
    fallback: Option<Handler>,
    capacity: usize,
    max_bytes: Option<usize>,
    backpressure: Backpressure,
    batch_size: usize,
    batch_wait: Duration,
    retry: RetryPolicy,
    drop_report_interval: Duration,
    on_error: Option<ErrorReporter>,
}

impl WorkerBuilder {
    /// The queue's bound (at least 1). Up to 65,536 places are allocated when the worker starts,
    /// so that queuing a record allocates nothing; a larger queue grows to its bound as records
    /// arrive, so that a huge bound costs nothing until it is used.
    pub fn capacity(mut self, records: usize) -> Self {
        self.capacity = records.max(1);
        self
    }

    /// A second bound, on the bytes the queued records hold (their text and their fixed size):
    /// a full queue by either bound applies the backpressure policy. A record larger than the
    /// bound is let into an empty queue. `None`, the default, bounds records only.
    pub fn max_queue_bytes(mut self, bytes: Option<usize>) -> Self {
        self.max_bytes = bytes;
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

    /// What the worker delivers to, as its error reports name it: the handler and its destination
    /// (`SysLogHandler(tcp 127.0.0.1:514)`). By default the worker's name.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The handler that receives, in order, the records that cannot be delivered: those whose
    /// delivery failed for good (out of retries, or refused), those still undelivered when a close
    /// runs out of time, and those a dropping [`Backpressure`] policy would drop (log4j2's
    /// failover appender). A local file as the fallback loses nothing even when the destination is
    /// gone for good.
    pub fn fallback(mut self, handler: Handler) -> Self {
        self.fallback = Some(handler);
        self
    }

    /// Starts the worker's thread, named `pylog:<name>`.
    pub fn spawn(self, deliver: impl Deliver) -> io::Result<Worker> {
        let (sender, receiver) = if self.capacity <= PREALLOCATED_PLACES {
            // Room for the records and for a few flush marks and wake-ups beside them.
            crossbeam_channel::bounded(self.capacity + SIGNAL_PLACES)
        } else {
            crossbeam_channel::unbounded()
        };
        let shared = Arc::new(Shared {
            bound: QueueBound::new(self.capacity, self.max_bytes),
            spares: Spares::new(self.capacity.clamp(1, SPARE_RECORDS)),
            id: NEXT_WORKER.fetch_add(1, Ordering::Relaxed),
            label: self.label.unwrap_or_else(|| self.name.clone()),
            name: self.name,
            fallback: Mutex::new(self.fallback),
            backpressure: self.backpressure,
            batch_size: self.batch_size,
            batch_wait: self.batch_wait,
            retry: self.retry,
            drop_report_interval: self.drop_report_interval,
            on_error: self.on_error,
            sender,
            receiver,
            closing: AtomicBool::new(false),
            close_deadline: OnceLock::new(),
            close_noticed: AtomicBool::new(false),
            retry_wakeup: Condvar::new(),
            sealed: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            abandoned: AtomicBool::new(false),
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
            left_at_close: AtomicU64::new(0),
            lost_at_close: AtomicU64::new(0),
            to_fallback: AtomicU64::new(0),
            left_reported: AtomicBool::new(false),
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

/// The largest queue allocated in full when its worker starts (about 8 MB); a larger one grows
/// block by block as records arrive.
pub(crate) const PREALLOCATED_PLACES: usize = 65_536;

/// Places beside the records of a preallocated queue for flush marks and wake-ups.
const SIGNAL_PLACES: usize = 16;

/// How long a sender that has a place waits before trying again when flush marks fill the rest of
/// a preallocated channel.
const SIGNAL_BACKOFF: Duration = Duration::from_millis(1);

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
/// The queue is a `crossbeam-channel` that grows as it fills, bounded by [`QueueBound`]: sending
/// is lock-free, and a worker waiting for records spins briefly before it sleeps, so a steady
/// stream costs no system call per record.
/// Besides the channel, a send and a take touch only the bound's counters (two atomic additions
/// each, no lock unless a sender waits for room): the high-water mark is the worker's to keep, and
/// a flush is a mark sent through the queue.
struct Shared {
    id: u64,
    name: String,
    /// The handler and its destination, for error reports.
    label: String,
    /// Where records that cannot be delivered go.
    fallback: Mutex<Option<Handler>>,
    backpressure: Backpressure,
    batch_size: usize,
    batch_wait: Duration,
    retry: RetryPolicy,
    drop_report_interval: Duration,
    on_error: Option<ErrorReporter>,
    /// What the queue may hold, and holds now; only records count, not signals.
    bound: QueueBound,
    /// The text buffers of delivered records, for the logging threads to fill again.
    spares: Spares,
    sender: Sender<Message>,
    /// Kept here too, so that `DropOldest` can evict from the producer's side.
    receiver: Receiver<Message>,
    closing: AtomicBool,
    /// When a close gives up on what is still undelivered, and the timeout it was given. Set once,
    /// before `closing`.
    close_deadline: OnceLock<(Instant, Duration)>,
    /// Whether the destination was told that a close began ([`Deliver::closing`]).
    close_noticed: AtomicBool,
    /// Ends a backoff wait when a close begins (waits with the `progress` lock).
    retry_wakeup: Condvar,
    /// Set by the closing worker once it has found the queue empty, before its last look. A send
    /// that finds it set after queuing takes back what is queued and delivers it itself, so no
    /// record is left in a queue nobody reads. See [`Worker::send`].
    sealed: AtomicBool,
    finished: AtomicBool,
    /// A close gave up waiting: the thread is still in a delivery that does not end (a receiver
    /// that stopped reading). Records logged after that never wait for it.
    abandoned: AtomicBool,
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
    /// Records still undelivered when a close ran out of time (reported in one line).
    left_at_close: AtomicU64,
    /// Of those, the ones no fallback took: lost.
    lost_at_close: AtomicU64,
    /// Records handed to the fallback handler.
    to_fallback: AtomicU64,
    /// Whether the line about what a close left was written.
    left_reported: AtomicBool,
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
        if let Some(Message::Record(record)) = &message {
            self.in_flight.store(in_hand + 1, Ordering::Release);
            self.bound.release(record.queued_bytes());
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
        let length = (self.waiting() + taken).min(self.bound.capacity);
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

    /// Puts a message on the queue if the bound has room for it; signals always fit.
    #[allow(clippy::result_large_err)]
    fn try_push(&self, message: Message) -> Result<(), Message> {
        if let Message::Record(record) = &message
            && !self.bound.try_reserve(record.queued_bytes())
        {
            return Err(message);
        }
        self.push_reserved(message)
    }

    /// Puts a message whose place is reserved on the queue, without waiting. It fails only when
    /// flush marks and wake-ups fill a preallocated channel's spare places; the place is then
    /// given back with the message.
    #[allow(clippy::result_large_err)]
    fn push_reserved(&self, message: Message) -> Result<(), Message> {
        self.sender.try_send(message).map_err(|refused| {
            let message = refused.into_inner();
            if let Message::Record(record) = &message {
                self.bound.release(record.queued_bytes());
            }
            message
        })
    }

    /// Waits for a place for `message` until `deadline` (or for ever) or until the worker
    /// closes, and queues it.
    #[allow(clippy::result_large_err)]
    fn push_waiting(&self, mut message: Message, deadline: Option<Instant>) -> Result<(), Message> {
        let size = match &message {
            Message::Record(record) => record.queued_bytes(),
            _ => return self.push_reserved(message),
        };
        loop {
            if !self
                .bound
                .wait_for_room(size, deadline, || self.closing.load(Ordering::SeqCst))
            {
                return Err(message);
            }
            match self.push_reserved(message) {
                Ok(()) => return Ok(()),
                Err(refused) => {
                    message = refused;
                    std::thread::sleep(SIGNAL_BACKOFF);
                }
            }
        }
    }

    /// Makes a worker blocked on an empty queue look at its flags. When the queue is full the
    /// worker is busy and will look anyway.
    fn wake(&self) {
        self.signal(Message::Wake, None);
    }

    /// The fallback handler, if one is set.
    fn fallback(&self) -> Option<Handler> {
        self.fallback
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Hands records that cannot be delivered to the fallback handler, in order; returns whether
    /// there is one.
    fn to_fallback(&self, records: &[OwnedRecord]) -> bool {
        let Some(fallback) = self.fallback() else {
            return false;
        };
        for record in records {
            record.with_record(|r| fallback.handle(r));
        }
        self.to_fallback
            .fetch_add(records.len() as u64, Ordering::Relaxed);
        true
    }

    /// Starts a close that gives up at `timeout` from now (or at the deadline of a close already
    /// begun), and ends any backoff wait. Returns the deadline.
    fn begin_close(&self, timeout: Duration) -> Instant {
        let (deadline, _) = *self
            .close_deadline
            .get_or_init(|| (Instant::now() + timeout, timeout));
        let _guard = self.progress.lock().unwrap_or_else(|e| e.into_inner());
        self.closing.store(true, Ordering::SeqCst);
        self.retry_wakeup.notify_all();
        deadline
    }

    /// Whether a close began and its deadline has passed, or the worker has finished: a record
    /// sent after the close gets one attempt, not a retry that makes the logging call wait.
    fn past_deadline(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
            || self
                .close_deadline
                .get()
                .is_some_and(|(deadline, _)| Instant::now() >= *deadline)
    }

    /// Waits `wait` before another attempt. A close that begins meanwhile ends the wait at once;
    /// while closing, waits are at most [`CLOSE_RETRY_INTERVAL`] and never past the deadline.
    /// Returns `false` once the close deadline has passed: time to give up.
    fn pause(&self, wait: Duration) -> bool {
        let closing_before = self.close_deadline.get().is_some();
        let wait = if closing_before {
            wait.min(CLOSE_RETRY_INTERVAL)
        } else {
            wait
        };
        let mut until = Instant::now() + wait;
        let mut guard = self.progress.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            if self.finished.load(Ordering::SeqCst) {
                return false;
            }
            if let Some((deadline, _)) = self.close_deadline.get() {
                if now >= *deadline {
                    return false;
                }
                if !closing_before {
                    return true;
                }
                until = until.min(*deadline);
            }
            let left = until.saturating_duration_since(now);
            if left.is_zero() {
                return true;
            }
            guard = self
                .retry_wakeup
                .wait_timeout(guard, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Tells the destination, once, that a close began.
    fn notice_close(&self, deliver: &mut Box<dyn Deliver>) {
        if self.closing.load(Ordering::SeqCst) && !self.close_noticed.swap(true, Ordering::SeqCst) {
            deliver.closing();
        }
    }

    /// Records still undelivered when the close deadline passed: to the fallback, or lost.
    fn abandon(&self, records: &[OwnedRecord]) {
        let count = records.len() as u64;
        self.left_at_close.fetch_add(count, Ordering::Relaxed);
        if !self.to_fallback(records) {
            self.lost_at_close.fetch_add(count, Ordering::Relaxed);
        }
    }

    /// Takes what is still queued and abandons it, on the calling thread.
    fn abandon_waiting(&self) {
        while let Ok(message) = self.receiver.try_recv() {
            match message {
                Message::Record(record) => {
                    self.bound.release(record.queued_bytes());
                    self.abandon(std::slice::from_ref(&record));
                }
                signal => self.on_signal(signal),
            }
        }
    }

    /// The one line on stderr about what a close left undelivered, written once.
    fn report_left(&self) {
        let left = self.left_at_close.load(Ordering::Relaxed);
        if left == 0 || self.left_reported.swap(true, Ordering::SeqCst) {
            return;
        }
        let timeout = self
            .close_deadline
            .get()
            .map_or(Duration::ZERO, |(_, t)| *t);
        let lost = self.lost_at_close.load(Ordering::Relaxed);
        let outcome = match self.fallback() {
            Some(fallback) if lost == 0 => format!("handed to the fallback handler {fallback:?}"),
            Some(fallback) => {
                format!("{lost} lost, the others handed to the fallback handler {fallback:?}")
            }
            None => "lost".to_owned(),
        };
        let records = if left == 1 { "record" } else { "records" };
        let line = format!(
            "pylog: {}: {left} {records} not delivered within the drain timeout ({timeout:?}); {outcome}\n",
            self.label
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
    }

    fn deliver_now(&self, record: OwnedRecord) {
        deliver_with_retry(self, &mut self.lock_deliver(), &[record], &mut false);
    }

    /// Delivers a record logged after a close, on the calling thread, unless the worker's thread
    /// is stuck in a delivery a close gave up on: the record is then counted as dropped instead
    /// of making the caller wait for it.
    fn deliver_after_close(&self, record: OwnedRecord) -> Result<(), Dropped> {
        let mut pause = Duration::from_micros(100);
        loop {
            match self.deliver.try_lock() {
                Ok(mut deliver) => {
                    deliver_with_retry(self, &mut deliver, &[record], &mut false);
                    return Ok(());
                }
                Err(TryLockError::Poisoned(poisoned)) => {
                    deliver_with_retry(self, &mut poisoned.into_inner(), &[record], &mut false);
                    return Ok(());
                }
                Err(TryLockError::WouldBlock) => {
                    if self.abandoned.load(Ordering::SeqCst)
                        && !self.finished.load(Ordering::SeqCst)
                    {
                        if self.to_fallback(std::slice::from_ref(&record)) {
                            return Ok(());
                        }
                        self.dropped.fetch_add(1, Ordering::Relaxed);
                        return Err(Dropped::Stuck);
                    }
                    // The worker is still draining for a close, or another caller delivers.
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(5));
                }
            }
        }
    }

    /// Takes what is still queued and delivers it on the calling thread: for a sender that
    /// queued a record after the worker's last look.
    fn rescue(&self) {
        while let Ok(message) = self.receiver.try_recv() {
            match message {
                Message::Record(record) => {
                    self.bound.release(record.queued_bytes());
                    self.deliver_now(record);
                }
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
            label: None,
            fallback: None,
            capacity: 10_000,
            max_bytes: None,
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

    /// What the worker delivers to, as its error reports name it (see [`WorkerBuilder::label`]).
    pub fn label(&self) -> &str {
        &self.shared.label
    }

    /// Sets or removes the fallback handler (see [`WorkerBuilder::fallback`]).
    pub fn set_fallback(&self, fallback: Option<Handler>) {
        *self
            .shared
            .fallback
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = fallback;
    }

    /// The fallback handler, if one is set.
    pub fn fallback(&self) -> Option<Handler> {
        self.shared.fallback()
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

    /// A text buffer for the next record: one this worker has delivered, or a new, empty one.
    pub(crate) fn spare_text(&self) -> String {
        self.shared.spares.take()
    }

    /// Queues a record, applying the backpressure policy when the queue is full.
    ///
    /// While a close drains the queue, the record is queued behind the others, so a chain of
    /// queues (a queue handler in front of a network handler) that shutdown drains side by side
    /// keeps its order. Once the drain is over the record is delivered at once, on the calling
    /// thread, so a record logged during or after shutdown is still written; but when the close
    /// timed out and the worker's thread is still stuck in a delivery, the record goes to the
    /// fallback handler, or is counted as dropped ([`Dropped::Stuck`]) where there is none,
    /// rather than waiting behind it.
    pub fn send(&self, record: OwnedRecord) -> Result<(), Dropped> {
        if self.is_current_thread() {
            self.count_reentrant();
            return Err(Dropped::Reentrant);
        }
        self.send_from_another_thread(record)
    }

    /// [`send`](Worker::send) for a caller that has made sure it is not the worker's own thread
    /// ([`is_current_thread`](Worker::is_current_thread)).
    pub(crate) fn send_from_another_thread(&self, record: OwnedRecord) -> Result<(), Dropped> {
        let shared = &*self.shared;
        if shared.sealed.load(Ordering::SeqCst) || shared.abandoned.load(Ordering::SeqCst) {
            return shared.deliver_after_close(record);
        }
        match self.enqueue(Message::Record(record)) {
            Ok(()) => {
                // A close may have raced with this send: the worker found the queue empty and
                // sealed it just before the record went in. The worker seals, then looks at the
                // queue once more; this send queued, then looks at the seal. Both orders are
                // sequentially consistent, so one of the two sees the other: either the worker's
                // last look finds the record, or this call takes it back. On this side that needs
                // no fence of its own: crossbeam-channel's send claims its slot with a `SeqCst`
                // compare-exchange of the tail, and its receive checks the tail after a `SeqCst`
                // fence before calling the queue empty (a fence here would make every
                // send wait for its writes to the slot to reach the other core).
                // `a_close_racing_with_senders_loses_nothing` runs this race.
                if shared.sealed.load(Ordering::SeqCst) {
                    shared.rescue();
                }
                Ok(())
            }
            Err((_, Message::Record(record))) if shared.closing.load(Ordering::SeqCst) => {
                // The worker closed while this call waited for room.
                shared.deliver_after_close(record)
            }
            Err((_, Message::Record(record)))
                if shared.to_fallback(std::slice::from_ref(&record)) =>
            {
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
            Backpressure::DropNewest => shared
                .try_push(message)
                .map_err(|m| (Dropped::QueueFull, m)),
            Backpressure::DropOldest => self.enqueue_evicting(message),
            Backpressure::BlockWithTimeout(limit) => match shared.try_push(message) {
                Ok(()) => Ok(()),
                Err(m) => shared
                    .push_waiting(m, Some(Instant::now() + limit))
                    .map_err(|m| (Dropped::Timeout, m)),
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
            match shared.try_push(message) {
                Ok(()) => match marks.pop() {
                    // Still counted in `signals`: it only went round.
                    Some(mark) => message = Message::Flush(mark),
                    None => return Ok(()),
                },
                Err(m) => {
                    message = m;
                    match shared.receiver.try_recv() {
                        Ok(Message::Record(evicted)) => {
                            shared.bound.release(evicted.queued_bytes());
                            if !shared.to_fallback(std::slice::from_ref(&evicted)) {
                                shared.dropped.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok(Message::Flush(mark)) => marks.push(mark),
                        Ok(Message::Wake) => {
                            shared.signals.fetch_sub(1, Ordering::SeqCst);
                        }
                        // Places reserved by senders that have not queued yet, or records the
                        // worker took and has not given back yet: a moment's wait.
                        Err(_) => std::thread::yield_now(),
                    }
                }
            }
        }
    }

    /// A blocking send, waiting in slices until there is room or the worker closes (so that a
    /// close while the queue stays full is noticed).
    #[allow(clippy::result_large_err)]
    fn enqueue_blocking(&self, message: Message) -> Result<(), (Dropped, Message)> {
        let shared = &*self.shared;
        // A queue with room takes the message without reading the clock or taking a lock.
        match shared.try_push(message) {
            Ok(()) => Ok(()),
            Err(m) => shared
                .push_waiting(m, None)
                .map_err(|m| (Dropped::QueueFull, m)),
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

    /// Starts a close without waiting for it: the worker drains the queue, retrying a destination
    /// that is down until `timeout` from now. A later [`close`](Worker::close) keeps this
    /// deadline. Closing several workers this way first makes their drains run side by side.
    pub fn begin_close(&self, timeout: Duration) {
        self.shared.begin_close(timeout);
        self.shared.wake();
    }

    /// Delivers what is queued, retrying a destination that is down, until `timeout` has passed
    /// (or the deadline of a close already begun), then stops the thread and closes the
    /// destination. It returns as soon as the queue is empty. Records still undelivered at the
    /// deadline go to the fallback handler, or are counted as dropped, and one line on stderr
    /// says how many. Returns whether everything was delivered (or handed to the fallback). Later
    /// records are delivered on the caller's thread.
    pub fn close(&self, timeout: Duration) -> bool {
        let shared = &*self.shared;
        if self.is_current_thread() {
            return false;
        }
        let deadline = shared.begin_close(timeout);
        shared.wake();
        let finished = shared.wait_for(deadline + CLOSE_GRACE, || {
            shared.finished.load(Ordering::SeqCst)
        });
        if finished {
            if let Some(thread) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
                let _ = thread.join();
            }
        } else {
            // The worker is stuck in a delivery: what still waits is given up here, and later
            // records do not wait behind it. The batch being delivered may yet arrive; if it
            // fails, the worker gives it up itself.
            shared.abandoned.store(true, Ordering::SeqCst);
            shared.abandon_waiting();
            shared.report_left();
        }
        finished && shared.lost_at_close.load(Ordering::Relaxed) == 0
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
                + shared.reentrant.load(Ordering::Relaxed)
                + shared.lost_at_close.load(Ordering::Relaxed),
            delivered: shared.delivered.load(Ordering::Relaxed),
            failed: shared.failed.load(Ordering::Relaxed),
            fallback: shared.to_fallback.load(Ordering::Relaxed),
        }
    }
}

/// The worker thread: take a batch, deliver it, repeat until closed and drained.
fn run(shared: &Shared) {
    let _ = CURRENT_WORKER.try_with(|id| id.set(shared.id));
    // Grows as batches fill: a large batch size reserves nothing up front.
    let mut batch: Vec<OwnedRecord> = Vec::with_capacity(shared.batch_size.min(64));
    let mut marks: Vec<Arc<FlushMark>> = Vec::new();
    let mut failing = false;
    let mut reports = DropReports::default();
    let mut select = Select::new();
    select.recv(&shared.receiver);
    while let Some(first) = next_record(shared, &mut reports, &mut select) {
        shared.note_length(1);
        batch.push(first);
        fill_batch(shared, &mut batch, &mut marks, &mut select);
        if shared.past_deadline() {
            // The close ran out of time: what is left is given up without another attempt.
            shared.abandon(&batch);
        } else {
            let mut deliver = shared.lock_deliver();
            deliver_with_retry(shared, &mut deliver, &batch, &mut failing);
            reports.maybe_report(shared, &mut deliver, shared.receiver.is_empty());
        }
        // Before the flush marks are reached: a flush that returns finds the buffers kept.
        for record in batch.drain(..) {
            shared.spares.give_back(record.into_text());
        }
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
    shared.report_left();
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

/// Delivers a batch, retrying transient failures as the policy says. A batch that fails for good
/// goes to the fallback handler; one still undelivered when a close deadline passes is given up.
fn deliver_with_retry(
    shared: &Shared,
    deliver: &mut Box<dyn Deliver>,
    batch: &[OwnedRecord],
    failing: &mut bool,
) {
    let mut attempt = 1u32;
    let mut backoff = shared.retry.initial_backoff;
    loop {
        shared.notice_close(deliver);
        match deliver.deliver(batch) {
            Ok(()) => {
                shared
                    .delivered
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                *failing = false;
                return;
            }
            Err(error @ DeliveryError::Transient(_))
                if shared.retry.max_attempts.is_none_or(|max| attempt < max) =>
            {
                // With unbounded retries there may be no last attempt until close: the first
                // failure of the burst is reported now. A bounded burst that recovers is a blip,
                // reported only if it fails for good.
                if shared.retry.max_attempts.is_none() {
                    report_failure(shared, batch, &error, failing);
                }
                if !shared.pause(backoff) {
                    shared.abandon(batch);
                    return;
                }
                backoff = (backoff * 2).min(shared.retry.max_backoff);
                attempt += 1;
            }
            Err(error) => {
                shared
                    .failed
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                report_failure(shared, batch, &error, failing);
                shared.to_fallback(batch);
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
            None => first.with_record(|r| super::print_logging_error(r, error, &shared.label)),
        }
    }
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
    // Past a close's deadline the destination is given up: the report goes to stderr.
    if shared.past_deadline() {
        let line = format!("pylog: WARNING: {}\n", record.msg());
        let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
    } else if let Err(error) = deliver.report(&record) {
        record.with_record(|r| super::print_logging_error(r, &error, &shared.label));
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
    fn a_byte_bound_holds_fewer_large_records() {
        let gate = Gate::closed();
        let big = |i: usize| record(&format!("{i}{}", "x".repeat(10_000)));
        let size = big(1).queued_bytes();
        let worker = Worker::builder("t")
            .capacity(1_000)
            .max_queue_bytes(Some(3 * size))
            .backpressure(Backpressure::DropNewest)
            .spawn(gate.clone())
            .unwrap();
        worker.send(record("0")).unwrap();
        while gate.entered.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        for i in 1..=3 {
            worker.send(big(i)).unwrap();
        }
        assert_eq!(worker.send(big(4)), Err(Dropped::QueueFull));
        assert_eq!(worker.send(record("small")), Err(Dropped::QueueFull));
        gate.open();
        assert!(worker.close(Duration::from_secs(10)));
        assert_eq!(
            gate.seen().len(),
            5,
            "0, three large ones and the drop report"
        );
        assert_eq!(worker.stats().dropped, 2);
    }

    #[test]
    fn a_capacity_of_a_billion_allocates_nothing_up_front() {
        // A bounded channel of this capacity would ask for about 100 GB and abort.
        let gate = Gate::closed();
        gate.open();
        let worker = Worker::builder("t")
            .capacity(1_000_000_000)
            .spawn(gate.clone())
            .unwrap();
        worker.send(record("one")).unwrap();
        assert!(worker.close(Duration::from_secs(10)));
        assert_eq!(gate.seen(), ["one"]);
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

    #[test]
    fn a_close_whose_worker_is_stuck_hands_what_waits_to_the_fallback_and_returns() {
        let (gate, worker) = blocked_worker(10, Backpressure::Block);
        let (out, fallback) = memory_fallback();
        worker.set_fallback(Some(fallback));
        worker.send(record("1")).unwrap();
        worker.send(record("2")).unwrap();
        let started = Instant::now();
        // Record 0 is stuck in a delivery that does not return: the close gives up on it and
        // takes what waits behind it on the closing thread.
        assert!(!worker.close(Duration::from_millis(50)));
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(out.contents(), "1\n2\n");
        let stats = worker.stats();
        assert_eq!((stats.fallback, stats.dropped), (2, 0));
        gate.open();
    }

    /// A record sent while a close drains the queue (a queue handler in front of this one,
    /// drained by the same shutdown) waits behind the records already queued.
    #[test]
    fn records_sent_while_a_close_drains_queue_behind_the_others() {
        let (gate, worker) = blocked_worker(100, Backpressure::Block);
        let worker = Arc::new(worker);
        for i in 1..5 {
            worker.send(record(&format!("{i}"))).unwrap();
        }
        worker.begin_close(Duration::from_secs(60));
        let sender = {
            let worker = worker.clone();
            std::thread::spawn(move || {
                for i in 5..10 {
                    worker.send(record(&format!("{i}"))).unwrap();
                }
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        gate.open();
        sender.join().unwrap();
        assert!(worker.close(Duration::from_secs(60)));
        let expected: Vec<String> = (0..10).map(|i| i.to_string()).collect();
        assert_eq!(gate.seen(), expected);
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

    /// A destination that is down until `up` is set, counting its attempts.
    #[derive(Clone, Default)]
    struct Outage {
        up: Arc<AtomicBool>,
        attempts: Arc<AtomicU64>,
        seen: Arc<Mutex<Vec<String>>>,
    }

    impl Deliver for Outage {
        fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
            self.attempts.fetch_add(1, Ordering::SeqCst);
            if !self.up.load(Ordering::SeqCst) {
                return Err(DeliveryError::Transient("connection refused".into()));
            }
            self.seen
                .lock()
                .unwrap()
                .extend(batch.iter().map(|r| r.msg().to_owned()));
            Ok(())
        }
    }

    fn patient(backoff: Duration) -> RetryPolicy {
        RetryPolicy {
            max_attempts: None,
            initial_backoff: backoff,
            max_backoff: backoff,
        }
    }

    fn quiet() -> ErrorReporter {
        Arc::new(|_: &OwnedRecord, _: &DeliveryError| {})
    }

    /// A fallback handler writing each record's message to memory.
    fn memory_fallback() -> (crate::SharedWriter, Handler) {
        let out = crate::SharedWriter::new();
        let handler = crate::StreamHandler::writer(out.clone());
        (out, handler)
    }

    #[test]
    fn a_backoff_wait_ends_when_the_close_begins() {
        let down = Outage::default();
        let worker = Worker::builder("t")
            .retry(patient(Duration::from_secs(600)))
            .on_error(quiet())
            .spawn(down.clone())
            .unwrap();
        worker.send(record("waiting")).unwrap();
        while down.attempts.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        let started = Instant::now();
        assert!(!worker.close(Duration::from_millis(300)));
        // Not the 600 s backoff: the drain timeout plus the grace, with room for a slow machine.
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        // The close woke the wait and kept trying while it lasted.
        assert!(down.attempts.load(Ordering::SeqCst) >= 2);
        let stats = worker.stats();
        assert_eq!((stats.dropped, stats.delivered, stats.queued), (1, 0, 0));
    }

    #[test]
    fn a_close_keeps_trying_until_the_destination_returns_and_ends_when_the_queue_is_empty() {
        let down = Outage::default();
        let worker = Worker::builder("t")
            .retry(patient(Duration::from_secs(600)))
            .on_error(quiet())
            .spawn(down.clone())
            .unwrap();
        for i in 0..3 {
            worker.send(record(&i.to_string())).unwrap();
        }
        let up = down.up.clone();
        let server = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            up.store(true, Ordering::SeqCst);
        });
        let started = Instant::now();
        assert!(worker.close(Duration::from_secs(60)));
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{:?}",
            started.elapsed()
        );
        server.join().unwrap();
        assert_eq!(*down.seen.lock().unwrap(), ["0", "1", "2"]);
        let stats = worker.stats();
        assert_eq!((stats.delivered, stats.dropped, stats.fallback), (3, 0, 0));
    }

    #[test]
    fn what_a_close_leaves_goes_to_the_fallback_in_order() {
        let (out, fallback) = memory_fallback();
        let down = Outage::default();
        let worker = Worker::builder("t")
            .retry(patient(Duration::from_millis(5)))
            .on_error(quiet())
            .fallback(fallback)
            .spawn(down.clone())
            .unwrap();
        for i in 0..5 {
            worker.send(record(&i.to_string())).unwrap();
        }
        // Nothing is lost: everything went to the fallback.
        assert!(worker.close(Duration::from_millis(200)));
        assert_eq!(out.contents(), "0\n1\n2\n3\n4\n");
        let stats = worker.stats();
        assert_eq!((stats.fallback, stats.dropped, stats.delivered), (5, 0, 0));
        // A record after the close gets one attempt, then the fallback.
        worker.send(record("late")).unwrap();
        assert_eq!(out.contents(), "0\n1\n2\n3\n4\nlate\n");
    }

    #[test]
    fn a_record_after_a_close_that_ended_early_is_not_retried() {
        let down = Outage::default();
        down.up.store(true, Ordering::SeqCst);
        let worker = Worker::builder("t")
            .retry(patient(Duration::from_secs(600)))
            .on_error(quiet())
            .spawn(down.clone())
            .unwrap();
        worker.send(record("delivered")).unwrap();
        // The queue empties at once: the close ends long before its deadline.
        assert!(worker.close(Duration::from_secs(600)));
        down.up.store(false, Ordering::SeqCst);
        let started = Instant::now();
        worker.send(record("late")).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(down.attempts.load(Ordering::SeqCst), 2);
        let stats = worker.stats();
        assert_eq!((stats.delivered, stats.dropped), (1, 1));
    }

    #[test]
    fn records_that_fail_for_good_go_to_the_fallback() {
        struct Refuses;
        impl Deliver for Refuses {
            fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
                if batch[0].msg() == "bad" {
                    Err(DeliveryError::Permanent(
                        "HTTP Error 400: Bad Request".into(),
                    ))
                } else {
                    Err(DeliveryError::Transient("connection refused".into()))
                }
            }
        }
        let (out, fallback) = memory_fallback();
        let worker = Worker::builder("t")
            .retry(RetryPolicy {
                max_attempts: Some(2),
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(1),
            })
            .on_error(quiet())
            .fallback(fallback)
            .spawn(Refuses)
            .unwrap();
        worker.send(record("bad")).unwrap();
        worker.send(record("out of retries")).unwrap();
        assert!(worker.close(Duration::from_secs(10)));
        assert_eq!(out.contents(), "bad\nout of retries\n");
        let stats = worker.stats();
        assert_eq!((stats.failed, stats.fallback, stats.dropped), (2, 2, 0));
    }

    #[test]
    fn records_a_full_queue_would_drop_go_to_the_fallback() {
        for policy in [
            Backpressure::DropNewest,
            Backpressure::DropOldest,
            Backpressure::BlockWithTimeout(Duration::from_millis(10)),
        ] {
            let (out, fallback) = memory_fallback();
            let (gate, worker) = blocked_worker(1, policy);
            worker.set_fallback(Some(fallback));
            worker.send(record("1")).unwrap();
            assert_eq!(worker.send(record("2")), Ok(()), "{policy}");
            assert_eq!(worker.send(record("3")), Ok(()), "{policy}");
            gate.open();
            assert!(worker.close(Duration::from_secs(10)));
            let (kept, diverted): (&[&str], &str) = match policy {
                Backpressure::DropOldest => (&["0", "3"], "1\n2\n"),
                _ => (&["0", "1"], "2\n3\n"),
            };
            assert_eq!(gate.seen(), kept, "{policy}");
            assert_eq!(out.contents(), diverted, "{policy}");
            let stats = worker.stats();
            assert_eq!((stats.fallback, stats.dropped), (2, 0), "{policy}");
        }
    }

    #[test]
    fn the_destination_hears_that_a_close_began_once() {
        #[derive(Clone, Default)]
        struct Told(Arc<AtomicU64>, Outage);
        impl Deliver for Told {
            fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
                self.1.deliver(batch)
            }
            fn closing(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let told = Told::default();
        let worker = Worker::builder("t")
            .retry(patient(Duration::from_millis(5)))
            .on_error(quiet())
            .spawn(told.clone())
            .unwrap();
        worker.send(record("a")).unwrap();
        worker.send(record("b")).unwrap();
        assert!(!worker.close(Duration::from_millis(100)));
        assert_eq!(told.0.load(Ordering::SeqCst), 1);
    }
}
