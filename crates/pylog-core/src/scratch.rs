//! Per-thread scratch buffers that keep working while a thread ends.
//!
//! Formatting reuses one `String` per thread and purpose, so that a steady stream of records
//! allocates nothing. A thread's locals are destroyed before the thread (or, for the main thread,
//! the process) is done running code: the `Drop` of another `thread_local!` and a C `atexit`
//! handler still run afterwards, and may log. `LocalKey::with` panics there, and a panic in a
//! thread-local destructor aborts the process; so every access here goes through `try_with`, and a
//! thread whose buffer is gone gets a fresh `String` that is freed after the record.
//!
//! A buffer is used as `let mut text = scratch::take(&TEXT);` (empty, with the capacity the thread
//! kept), then `scratch::give_back(&TEXT, text);` once the record is done.

use std::cell::Cell;
use std::thread::LocalKey;

/// A thread's reusable buffer.
pub(crate) type Scratch = LocalKey<Cell<String>>;

/// Buffers larger than this (one huge record) are released instead of kept for the thread.
pub(crate) const MAX_KEPT: usize = 64 * 1024;

/// The thread's buffer, emptied; a new one when the thread's locals are already destroyed (or the
/// buffer is in use further up this thread's stack).
#[inline]
pub(crate) fn take(key: &'static Scratch) -> String {
    let mut buffer = key.try_with(Cell::take).unwrap_or_default();
    buffer.clear();
    buffer
}

/// Keeps `buffer` for the thread's next record, unless it grew past [`MAX_KEPT`] or the thread's
/// locals are destroyed (then it is freed).
#[inline]
pub(crate) fn give_back(key: &'static Scratch, buffer: String) {
    if buffer.capacity() <= MAX_KEPT {
        let _ = key.try_with(|cell| cell.set(buffer));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static BUFFER: Cell<String> = const { Cell::new(String::new()) };
    }

    #[test]
    fn a_buffer_given_back_is_reused_empty() {
        let mut buffer = take(&BUFFER);
        buffer.push_str("some text");
        let capacity = buffer.capacity();
        give_back(&BUFFER, buffer);
        let again = take(&BUFFER);
        assert_eq!((again.as_str(), again.capacity()), ("", capacity));
    }

    #[test]
    fn a_huge_buffer_is_not_kept() {
        give_back(&BUFFER, String::with_capacity(MAX_KEPT + 1));
        assert!(take(&BUFFER).capacity() <= MAX_KEPT);
    }

    /// Takes and gives back the buffer from a destructor that runs after the thread's `BUFFER` was
    /// destroyed: `with` would panic there, and the panic would abort the test process.
    #[test]
    fn a_destroyed_buffer_gives_a_fresh_one() {
        struct UsesBufferOnDrop(std::sync::mpsc::Sender<String>);
        impl Drop for UsesBufferOnDrop {
            fn drop(&mut self) {
                let mut buffer = take(&BUFFER);
                buffer.push_str("still works");
                let _ = self.0.send(buffer.clone());
                give_back(&BUFFER, buffer);
            }
        }
        thread_local! {
            static LATE: Cell<Option<UsesBufferOnDrop>> = const { Cell::new(None) };
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // LATE first: thread-locals are destroyed in reverse order of first use.
            LATE.try_with(|late| late.set(Some(UsesBufferOnDrop(tx))))
                .expect("the thread is running");
            give_back(&BUFFER, take(&BUFFER));
        })
        .join()
        .expect("the thread ends without a panic");
        assert_eq!(rx.recv().as_deref(), Ok("still works"));
    }
}
