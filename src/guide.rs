//! Guides: longer reading than the API pages, one page each.
//!
//! - [Migrating from Python logging](migrating_from_python): every `logging` call and its pylog
//!   spelling, and where Rust differs on purpose.
//! - [Composing with tracing-subscriber](composing_with_tracing_subscriber): pylog's layer
//!   beside fmt, `EnvFilter` and other layers, and why a global filter caps the handlers.
//! - [Delivery and loss guarantees](delivery_and_loss_guarantees): what reaches its sink, what
//!   can be lost and when, at exit, on panics and when a server is down.
//! - [Configuration files](configuration_files): `dictConfig` and `fileConfig` documents
//!   (YAML, JSON, TOML, INI), reloading, configurations written for other packages, budgets,
//!   `config::listen`, and where pylog differs from CPython.
//! - [OpenTelemetry](opentelemetry): `OtlpHandler`, the record mapping, the `OTEL_*` settings,
//!   OTLP JSON lines and trace correlation.
//! - [Rotating files](rotating_files): size and time together, retention by count, age and total
//!   size, gzip and zstd compression off the logging thread.
//! - [The systemd journal](systemd_journal): `JournalHandler` over journald's native protocol.
//! - [Security](security): the threat model, what is escaped where, and the defaults that differ
//!   from CPython.

#[doc = include_str!("../docs/guide/migrating-from-python.md")]
pub mod migrating_from_python {}

#[doc = include_str!("../docs/guide/composing-with-tracing-subscriber.md")]
pub mod composing_with_tracing_subscriber {}

#[doc = include_str!("../docs/guide/delivery-and-loss-guarantees.md")]
pub mod delivery_and_loss_guarantees {}

#[doc = include_str!("../docs/guide/configuration-files.md")]
pub mod configuration_files {}

#[doc = include_str!("../docs/guide/opentelemetry.md")]
pub mod opentelemetry {}

#[doc = include_str!("../docs/guide/systemd-journal.md")]
pub mod systemd_journal {}

#[doc = include_str!("../docs/guide/security.md")]
pub mod security {}

#[doc = include_str!("../docs/guide/rotating-files.md")]
pub mod rotating_files {}
