//! Where handlers read the time, so that time-based behaviour can be tested without sleeping.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use pylog_core::Clock;
//!
//! /// A clock a test moves by hand.
//! struct Manual(AtomicU64);
//! impl Clock for Manual {
//!     fn now(&self) -> f64 {
//!         self.0.load(Ordering::Relaxed) as f64
//!     }
//! }
//! let clock = Arc::new(Manual(AtomicU64::new(1_795_536_741)));
//! assert_eq!(clock.now(), 1_795_536_741.0);
//! ```

/// A source of the current time, as Python's `time.time()`: seconds since the Unix epoch.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> f64;
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> f64 {
        crate::record::now()
    }
}
