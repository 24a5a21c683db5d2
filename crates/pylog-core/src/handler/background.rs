//! The shared part of handlers whose delivery runs on a [`Worker`]: the logging call queues an
//! owned record; flush waits for the queue to drain; close drains it and stops the thread. A
//! handler built on it (`QueueHandler`, the network handlers) is its record preparation plus a
//! [`Deliver`](super::worker::Deliver) destination.

use std::time::Duration;

use super::worker::{QueueStats, Worker};
use super::{Handler, HandlerError};
use crate::format::FormatError;
use crate::owned_record::OwnedRecord;

/// The `Emit` methods of a handler built on a [`Background`] reached through `self.<path>`:
/// flush waits for the queue, close drains it and stops the thread, and `Handler::close` does not
/// flush first (the close drains; a flush first would wait twice for a destination that is down).
#[cfg_attr(
    not(any(
        feature = "http",
        feature = "smtp",
        feature = "syslog",
        feature = "socket"
    )),
    allow(unused_macros)
)]
macro_rules! delegate_to_background {
    ($($field:ident).+) => {
        fn flush(&self) -> std::io::Result<()> {
            self.$($field).+.flush();
            Ok(())
        }

        fn close(&self) -> std::io::Result<()> {
            self.$($field).+.close();
            Ok(())
        }

        fn flushes_on_close(&self) -> bool {
            false
        }

        fn queue_stats(&self) -> Option<$crate::handler::worker::QueueStats> {
            Some(self.$($field).+.stats())
        }

        fn set_fallback(&self, fallback: Option<$crate::handler::Handler>) -> bool {
            self.$($field).+.set_fallback(fallback);
            true
        }

        fn fallback(&self) -> Option<$crate::handler::Handler> {
            self.$($field).+.fallback()
        }

        fn begin_close(&self) {
            self.$($field).+.begin_close();
        }
    };
}

#[cfg_attr(
    not(any(
        feature = "http",
        feature = "smtp",
        feature = "syslog",
        feature = "socket"
    )),
    allow(unused_imports)
)]
pub(crate) use delegate_to_background;

/// How long flush and close of a network handler wait for its queue to drain, unless its builder
/// says otherwise: long enough for a server that restarts, short enough that a service stopping
/// with its log server down still stops promptly.
#[cfg(any(
    feature = "http",
    feature = "otlp",
    feature = "smtp",
    feature = "socket",
    feature = "syslog"
))]
pub(crate) const NETWORK_DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// A worker and how long flush and close wait for it.
pub(crate) struct Background {
    worker: Worker,
    drain_timeout: Duration,
}

impl Background {
    pub(crate) fn new(worker: Worker, drain_timeout: Duration) -> Background {
        Background {
            worker,
            drain_timeout,
        }
    }

    /// Queues the record `prepare` makes. A record logged by the worker's own thread (a
    /// dependency of the destination logging while it delivers) is dropped and counted before
    /// anything is prepared: queuing it would feed a loop.
    pub(crate) fn send(
        &self,
        prepare: impl FnOnce() -> Result<OwnedRecord, FormatError>,
    ) -> Result<(), HandlerError> {
        if self.worker.is_current_thread() {
            self.worker.count_reentrant();
            return Err(HandlerError::Dropped);
        }
        self.worker
            .send_from_another_thread(prepare()?)
            .map_err(|_| HandlerError::Dropped)
    }

    /// [`send`](Background::send) for a record that `prepare` writes in the text buffer it is
    /// given: one the worker has delivered, so that in a steady stream nothing is allocated.
    pub(crate) fn send_in(
        &self,
        prepare: impl FnOnce(String) -> Result<OwnedRecord, FormatError>,
    ) -> Result<(), HandlerError> {
        self.send(|| prepare(self.worker.spare_text()))
    }

    /// Waits (at most the drain timeout) for what is queued to be delivered.
    pub(crate) fn flush(&self) -> bool {
        self.flush_within(self.drain_timeout)
    }

    /// Waits at most `timeout` for what is queued to be delivered.
    pub(crate) fn flush_within(&self, timeout: Duration) -> bool {
        self.worker.flush(timeout)
    }

    /// Delivers what is queued (at most the drain timeout) and stops the thread.
    pub(crate) fn close(&self) -> bool {
        self.worker.close(self.drain_timeout)
    }

    /// Starts the close's drain (with the drain timeout) without waiting for it.
    pub(crate) fn begin_close(&self) {
        self.worker.begin_close(self.drain_timeout);
    }

    pub(crate) fn set_fallback(&self, fallback: Option<Handler>) {
        self.worker.set_fallback(fallback);
    }

    pub(crate) fn fallback(&self) -> Option<Handler> {
        self.worker.fallback()
    }

    pub(crate) fn stats(&self) -> QueueStats {
        self.worker.stats()
    }

    pub(crate) fn name(&self) -> &str {
        self.worker.name()
    }
}
