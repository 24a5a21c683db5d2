//! Guides: longer reading than the API pages, one page each.
//!
//! - [Migrating from Python logging](migrating_from_python): every `logging` call and its pylog
//!   spelling, and where Rust differs on purpose.
//! - [Composing with tracing-subscriber](composing_with_tracing_subscriber): pylog's layer
//!   beside fmt, `EnvFilter` and other layers, and why a global filter caps the handlers.
//! - [Delivery and loss guarantees](delivery_and_loss_guarantees): what reaches its sink, what
//!   can be lost and when, at exit, on panics and when a server is down.
//! - [Configuration files](configuration_files): `dictConfig` and `fileConfig` documents
//!   (YAML, JSON, TOML, INI), reloading, and where pylog differs from CPython.

#[doc = include_str!("../docs/guide/migrating-from-python.md")]
pub mod migrating_from_python {}

#[doc = include_str!("../docs/guide/composing-with-tracing-subscriber.md")]
pub mod composing_with_tracing_subscriber {}

#[doc = include_str!("../docs/guide/delivery-and-loss-guarantees.md")]
pub mod delivery_and_loss_guarantees {}

#[doc = include_str!("../docs/guide/configuration-files.md")]
pub mod configuration_files {}
