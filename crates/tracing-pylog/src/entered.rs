//! How many spans the current thread is inside, as pylog layers saw them entered: an event
//! outside every span (the common case) then skips the registry's span-stack lookup.
//!
//! Each pylog layer counts the spans its filter lets it see (every span does: see
//! `TreeFilter::accepts`) as they are entered and exited on this thread, which is where
//! `tracing` enters and exits them. A count of 0 means no pylog layer has a span open here, so
//! a contextual event has no span scope for any of them; any other count, or a thread whose
//! locals are gone, means asking the registry as before. A count can only err upwards (a guard
//! forgotten with `mem::forget`), which costs the lookup, never a wrong answer.

use std::cell::Cell;

thread_local! {
    static ENTERED: Cell<usize> = const { Cell::new(0) };
}

/// A span was entered on this thread.
pub(crate) fn enter() {
    let _ = ENTERED.try_with(|count| count.set(count.get() + 1));
}

/// A span was exited on this thread.
pub(crate) fn exit() {
    let _ = ENTERED.try_with(|count| count.set(count.get().saturating_sub(1)));
}

/// Whether this thread may be inside a span a pylog layer sees: `false` only when it certainly
/// is not.
#[inline]
pub(crate) fn maybe_inside_span() -> bool {
    ENTERED.try_with(|count| count.get() > 0).unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entering_and_exiting_balance_and_never_underflow() {
        assert!(!maybe_inside_span());
        enter();
        enter();
        exit();
        assert!(maybe_inside_span());
        exit();
        assert!(!maybe_inside_span());
        exit();
        assert!(!maybe_inside_span());
        enter();
        assert!(maybe_inside_span());
        exit();
    }
}
