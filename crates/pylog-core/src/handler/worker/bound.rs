//! The bound of a worker's queue: at most so many records, and optionally at most so many bytes.
//!
//! A large queue is an unbounded `crossbeam-channel`, which grows block by block as records
//! arrive and gives the memory back as they leave: a bounded channel allocates a slot for every
//! record it may hold when it is made, and a configuration saying `maxsize: 1000000000` would ask
//! for a hundred gigabytes before the first record. A record first reserves its place (one record
//! and its size in bytes), and gives it back when the worker takes it off the queue.
//!
//! The records are counted as two running totals, the places taken and the places given back,
//! each on a cache line of its own: a sender writes only the first and the worker only the
//! second. One count written by both made every send wait for the line the worker had just
//! written. A sender compares with the last total given back that a sender read, and reads the
//! worker's line again only when the queue looks full by that older figure, which can only
//! overstate what the queue holds.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The longest a waiting sender sleeps before it looks again (at the deadline, and whether the
/// worker is closing).
const SLICE: Duration = Duration::from_millis(100);

/// A value alone on its cache line (128 bytes: two lines, for the adjacent-line prefetcher).
#[repr(align(128))]
#[derive(Default)]
struct OwnLine<T>(T);

/// Counts what the queue holds against its bounds, and lets senders wait for room.
pub(super) struct QueueBound {
    /// The most records the queue holds.
    pub(super) capacity: usize,
    /// The most bytes ([`OwnedRecord::queued_bytes`](crate::OwnedRecord)) the queue holds; a
    /// record is always let into an empty queue, however large, so that it cannot wait forever.
    max_bytes: Option<usize>,
    /// Places taken since the queue was made, written by senders, with the total given back that
    /// a sender last read (never more than `given_back`).
    taken: OwnLine<(AtomicU64, AtomicU64)>,
    /// Places given back since the queue was made, written by whoever takes a record off the
    /// queue (the worker), and by a sender that could not use the place it took.
    given_back: OwnLine<AtomicU64>,
    bytes: AtomicUsize,
    /// Senders waiting in [`wait_for_room`](QueueBound::wait_for_room).
    waiters: AtomicUsize,
    room: Mutex<()>,
    freed: Condvar,
}

impl QueueBound {
    pub(super) fn new(capacity: usize, max_bytes: Option<usize>) -> QueueBound {
        QueueBound {
            capacity: capacity.max(1),
            max_bytes,
            taken: OwnLine::default(),
            given_back: OwnLine::default(),
            bytes: AtomicUsize::new(0),
            waiters: AtomicUsize::new(0),
            room: Mutex::new(()),
            freed: Condvar::new(),
        }
    }

    /// Takes a place for a record of `size` bytes, if there is room for it now.
    pub(super) fn try_reserve(&self, size: usize) -> bool {
        let (taken, given_back_seen) = &self.taken.0;
        let capacity = self.capacity as u64;
        let mut before = taken.load(Ordering::SeqCst);
        loop {
            // The total seen is at most what has been given back, which is at most what has been
            // taken: the difference can only overstate what the queue holds, unless `before` is
            // out of date, and then the exchange below fails and is tried again.
            if before.saturating_sub(given_back_seen.load(Ordering::Relaxed)) >= capacity {
                // Full by the figure last read: read the worker's.
                let given_back = self.given_back.0.load(Ordering::SeqCst);
                given_back_seen.store(given_back, Ordering::Relaxed);
                if before.saturating_sub(given_back) >= capacity {
                    return false;
                }
            }
            match taken.compare_exchange_weak(
                before,
                before + 1,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => break,
                Err(now) => before = now,
            }
        }
        // Bytes are counted only against a byte bound: without one, a send and a take each save
        // a locked addition on a line both threads write.
        let Some(max) = self.max_bytes else {
            return true;
        };
        let empty = before <= self.given_back.0.load(Ordering::SeqCst);
        let bytes_before = self.bytes.fetch_add(size, Ordering::SeqCst);
        let fits = empty || bytes_before.saturating_add(size) <= max;
        if !fits {
            self.release(size);
        }
        fits
    }

    /// Gives back the place of a record of `size` bytes taken off the queue.
    pub(super) fn release(&self, size: usize) {
        if self.max_bytes.is_some() {
            self.bytes.fetch_sub(size, Ordering::SeqCst);
        }
        self.given_back.0.fetch_add(1, Ordering::SeqCst);
        // A waiter counts itself before it looks for room, and looks while holding `room`: either
        // its look sees this release, or this load sees it and the notification reaches it.
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let _guard = self.room.lock().unwrap_or_else(|e| e.into_inner());
            self.freed.notify_all();
        }
    }

    /// Waits until a place for a record of `size` bytes is taken (true), `deadline` passes or
    /// `give_up()` holds (false).
    pub(super) fn wait_for_room(
        &self,
        size: usize,
        deadline: Option<Instant>,
        give_up: impl Fn() -> bool,
    ) -> bool {
        let mut guard = self.room.lock().unwrap_or_else(|e| e.into_inner());
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let reserved = loop {
            if self.try_reserve(size) {
                break true;
            }
            if give_up() {
                break false;
            }
            let slice = match deadline {
                None => SLICE,
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break false;
                    }
                    left.min(SLICE)
                }
            };
            guard = self
                .freed
                .wait_timeout(guard, slice)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        };
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        reserved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn records_and_bytes_are_both_bounds() {
        let bound = QueueBound::new(3, Some(100));
        assert!(bound.try_reserve(60));
        assert!(!bound.try_reserve(50), "160 bytes are past the byte bound");
        assert!(bound.try_reserve(40));
        assert!(!bound.try_reserve(1), "no bytes left");
        bound.release(60);
        assert!(bound.try_reserve(10));
        assert!(bound.try_reserve(0));
        assert!(!bound.try_reserve(0), "three records are the record bound");
    }

    #[test]
    fn an_empty_queue_takes_a_record_larger_than_the_byte_bound() {
        let bound = QueueBound::new(10, Some(100));
        assert!(bound.try_reserve(1_000));
        assert!(!bound.try_reserve(1));
        bound.release(1_000);
        assert!(bound.try_reserve(1));
    }

    #[test]
    fn a_huge_capacity_allocates_nothing_up_front() {
        // Nothing to measure but that it exists and works: the places are counted, not allocated.
        let bound = QueueBound::new(usize::MAX, None);
        assert!(bound.try_reserve(usize::MAX / 2));
    }

    /// Senders reading an out-of-date total given back never take more places than the bound.
    #[test]
    fn senders_racing_with_the_worker_never_pass_the_bound() {
        use std::sync::atomic::AtomicBool;
        let capacity = 4;
        let bound = QueueBound::new(capacity, None);
        let (queue, worker) = crossbeam_channel::unbounded::<()>();
        let held = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let queued = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let senders: Vec<_> = (0..3)
                .map(|_| {
                    scope.spawn(|| {
                        let mut sent = 0;
                        while sent < 5_000 {
                            if !bound.try_reserve(1) {
                                std::thread::yield_now();
                                continue;
                            }
                            let now = held.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            queued.fetch_add(1, Ordering::SeqCst);
                            queue.send(()).unwrap();
                            sent += 1;
                        }
                    })
                })
                .collect();
            scope.spawn(|| {
                while !stop.load(Ordering::SeqCst) || !worker.is_empty() {
                    if worker.try_recv().is_ok() {
                        held.fetch_sub(1, Ordering::SeqCst);
                        bound.release(1);
                    }
                }
            });
            for sender in senders {
                sender.join().unwrap();
            }
            stop.store(true, Ordering::SeqCst);
        });
        assert_eq!(queued.load(Ordering::SeqCst), 15_000);
        assert!(
            most.load(Ordering::SeqCst) <= capacity,
            "more than the bound held"
        );
        for _ in 0..capacity {
            assert!(bound.try_reserve(1), "every place was given back");
        }
        assert!(!bound.try_reserve(1));
    }

    #[test]
    fn a_waiting_sender_gets_the_place_given_back() {
        let bound = Arc::new(QueueBound::new(1, None));
        assert!(bound.try_reserve(8));
        let waiter = {
            let bound = bound.clone();
            std::thread::spawn(move || bound.wait_for_room(8, None, || false))
        };
        std::thread::sleep(Duration::from_millis(20));
        bound.release(8);
        assert!(waiter.join().unwrap());
        let deadline = Instant::now() + Duration::from_millis(10);
        assert!(
            !bound.wait_for_room(8, Some(deadline), || false),
            "still full"
        );
        assert!(!bound.wait_for_room(8, None, || true), "given up");
    }
}
