//! The text buffers of delivered records, kept for the logging threads to write new records in.
//!
//! A queued record's data lives in one text buffer. Once the worker has delivered a batch it gives
//! the buffers back here, and a logging call takes one and writes the next record into it: in a
//! steady stream the queue allocates nothing and frees nothing across threads. Without this, every
//! buffer was allocated by the logging thread and freed by the worker's, so the logging thread's
//! allocator cache was always empty and each allocation took the allocator's slow path.
//!
//! The buffers wait in a small preallocated lock-free ring, so that neither side ever waits for
//! the other: a logging call that finds none allocates a new one, and a worker that finds the ring
//! full frees the buffer. What is kept is bounded: at most [`SPARE_RECORDS`] buffers (never more
//! than the queue holds), of at most [`SPARE_TEXT`] bytes each.

use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_queue::ArrayQueue;

/// The most text buffers a worker keeps for reuse.
pub(super) const SPARE_RECORDS: usize = 1024;

/// The largest text buffer kept; a larger one is freed when it is given back, so that one long
/// record does not keep its memory for the life of the queue.
pub(super) const SPARE_TEXT: usize = 1024;

/// The buffers waiting to be filled again.
pub(super) struct Spares {
    buffers: ArrayQueue<String>,
    /// Whether a logging call has asked for a buffer: a worker whose handler makes its records
    /// some other way keeps none.
    wanted: AtomicBool,
}

impl Spares {
    /// Room for at most `limit` buffers (the places are allocated now).
    pub(super) fn new(limit: usize) -> Spares {
        Spares {
            buffers: ArrayQueue::new(limit.max(1)),
            wanted: AtomicBool::new(false),
        }
    }

    /// A buffer to write a record in: a delivered record's if there is one, else a new, empty
    /// one (which allocates nothing until it is written to).
    pub(super) fn take(&self) -> String {
        if !self.wanted.load(Ordering::Relaxed) {
            self.wanted.store(true, Ordering::Relaxed);
        }
        self.buffers.pop().unwrap_or_default()
    }

    /// Keeps a delivered record's buffer if it is worth keeping and there is room; frees it
    /// otherwise.
    pub(super) fn give_back(&self, text: String) {
        if text.capacity() > 0
            && text.capacity() <= SPARE_TEXT
            && self.wanted.load(Ordering::Relaxed)
        {
            let _ = self.buffers.push(text);
        }
    }

    /// How many buffers are kept now.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.buffers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_given_back_is_taken_again() {
        let spares = Spares::new(2);
        spares.give_back(String::with_capacity(100));
        assert_eq!(spares.len(), 0, "none kept before one is asked for");
        assert_eq!(spares.take().capacity(), 0);
        let text = String::with_capacity(100);
        let address = text.as_ptr();
        spares.give_back(text);
        assert_eq!(spares.len(), 1);
        let again = spares.take();
        assert_eq!((again.as_ptr(), again.capacity()), (address, 100));
        assert_eq!(
            spares.take().capacity(),
            0,
            "a new buffer when none is kept"
        );
    }

    #[test]
    fn no_more_than_the_limit_is_kept_and_large_or_empty_buffers_are_not() {
        let spares = Spares::new(2);
        spares.take();
        for _ in 0..3 {
            spares.give_back(String::with_capacity(10));
        }
        assert_eq!(spares.len(), 2);
        let spares = Spares::new(2);
        spares.take();
        spares.give_back(String::with_capacity(SPARE_TEXT + 1));
        spares.give_back(String::new());
        assert_eq!(spares.len(), 0);
    }
}
