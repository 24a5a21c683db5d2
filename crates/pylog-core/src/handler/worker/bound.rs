//! The bound of a worker's queue: at most so many records, and optionally at most so many bytes.
//!
//! A large queue is an unbounded `crossbeam-channel`, which grows block by block as records
//! arrive and gives the memory back as they leave: a bounded channel allocates a slot for every
//! record it may hold when it is made, and a configuration saying `maxsize: 1000000000` would ask
//! for a hundred gigabytes before the first record. A record first reserves its place (one record
//! and its size in bytes), and gives it back when the worker takes it off the queue.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The longest a waiting sender sleeps before it looks again (at the deadline, and whether the
/// worker is closing).
const SLICE: Duration = Duration::from_millis(100);

/// Counts what the queue holds against its bounds, and lets senders wait for room.
pub(super) struct QueueBound {
    /// The most records the queue holds.
    pub(super) capacity: usize,
    /// The most bytes ([`OwnedRecord::queued_bytes`](crate::OwnedRecord)) the queue holds; a
    /// record is always let into an empty queue, however large, so that it cannot wait forever.
    max_bytes: Option<usize>,
    records: AtomicUsize,
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
            records: AtomicUsize::new(0),
            bytes: AtomicUsize::new(0),
            waiters: AtomicUsize::new(0),
            room: Mutex::new(()),
            freed: Condvar::new(),
        }
    }

    /// Takes a place for a record of `size` bytes, if there is room for it now.
    pub(super) fn try_reserve(&self, size: usize) -> bool {
        let mut records = self.records.load(Ordering::SeqCst);
        loop {
            if records >= self.capacity {
                return false;
            }
            match self.records.compare_exchange_weak(
                records,
                records + 1,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => break,
                Err(now) => records = now,
            }
        }
        // Bytes are counted only against a byte bound: without one, a send and a take each save
        // a locked addition on a line both threads write.
        let Some(max) = self.max_bytes else {
            return true;
        };
        let before = self.bytes.fetch_add(size, Ordering::SeqCst);
        let fits = records == 0 || before.saturating_add(size) <= max;
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
        self.records.fetch_sub(1, Ordering::SeqCst);
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
