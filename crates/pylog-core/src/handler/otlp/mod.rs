//! `OtlpHandler`: records as OpenTelemetry logs, posted to a collector over OTLP/HTTP
//! (protobuf or JSON). Feature `otlp`.
//!
//! The record mapping is the one opentelemetry-python's `LoggingHandler` applies (see
//! [`mapping`]), so a Python service and a Rust one that log the same things send the same
//! `LogRecord`s. Delivery runs on the handler's own [`Worker`]: the logging call queues the
//! record (bounded queue, [`Backpressure::Block`] by default: nothing is lost), and the worker
//! sends batches of up to 512 records, or what came within 1 s, as one
//! `ExportLogsServiceRequest`, split when it would pass the 64 MiB request limit.
//!
//! ```no_run
//! use pylog_core::{Level, Manager, OtlpHandler};
//! let tree = Manager::new();
//! // OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, ... are read; builder settings win.
//! let otlp = OtlpHandler::builder()
//!     .resource_attribute("deployment.environment", "prod")
//!     .build()?;
//! tree.get_logger("app").add_handler(otlp.clone());
//! tree.get_logger("app").error("disk full");
//! otlp.close(); // delivers what is queued (at most the drain timeout) and stops the thread
//! # Ok::<(), pylog_core::Error>(())
//! ```

mod env;
pub(crate) mod formatter;
mod json;
pub mod mapping;
pub mod proto;
mod transport;

pub(crate) use env::parse_pairs;
pub use env::{DEFAULT_ENDPOINT, DEFAULT_GRPC_ENDPOINT, OtlpCompression, OtlpProtocol};
pub use formatter::{OtlpJsonFormatter, OtlpJsonFormatterBuilder};
pub use json::write_request as write_json_request;
pub use transport::DEFAULT_MAX_REQUEST_BYTES;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::Url;

use super::background::Background;
use super::background::NETWORK_DRAIN_TIMEOUT;
use super::worker::{Backpressure, ErrorReporter, QueueStats, RetryPolicy, Worker};
use super::{Emit, EmitContext, Handler, HandlerError};
use crate::error::Error;
use crate::owned_record::OwnedRecord;
use crate::record::{LogRecord, Value};
use env::EnvSettings;
use mapping::{EXCEPTION_MESSAGE_EXTRA, EXCEPTION_TYPE_EXTRA, MappingOptions};
use transport::{ExportSettings, ExportState, Exporter};

/// Sends records to an OpenTelemetry collector over OTLP/HTTP. Python:
/// `opentelemetry.sdk._logs.LoggingHandler` with a `BatchLogRecordProcessor` and an
/// `OTLPLogExporter`.
///
/// Build one with [`OtlpHandler::builder`]; the handler owns a worker thread, which
/// [`Handler::close`] (and [`shutdown`](crate::shutdown)) stops after delivering what is queued.
pub struct OtlpHandler {
    background: Background,
    state: Arc<ExportState>,
    drain_timeout: Duration,
    endpoint: String,
}

impl OtlpHandler {
    /// A builder; see its table of default values.
    pub fn builder() -> OtlpHandlerBuilder {
        OtlpHandlerBuilder {
            endpoint: None,
            protocol: None,
            compression: None,
            headers: Vec::new(),
            timeout: None,
            root_certificates: None,
            service_name: None,
            resource: Vec::new(),
            thread_attributes: false,
            batch: (512, Duration::from_secs(1)),
            capacity: 10_000,
            backpressure: Backpressure::Block,
            retry: RetryPolicy {
                max_attempts: None,
                initial_backoff: Duration::from_secs(1),
                max_backoff: Duration::from_secs(30),
            },
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            drain_timeout: NETWORK_DRAIN_TIMEOUT,
            fallback: None,
            name: None,
            on_error: None,
            environment: Box::new(|key| std::env::var(key).ok()),
        }
    }

    /// Records the receiver refused in a `partial_success` answer (`rejected_log_records`).
    pub fn rejected(&self) -> u64 {
        self.state.rejected.load(Ordering::Relaxed)
    }

    /// Requests the receiver accepted.
    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }

    /// The URL records are posted to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The queue's counters.
    pub fn stats(&self) -> QueueStats {
        self.background.stats()
    }
}

impl Emit for OtlpHandler {
    fn emit(&self, record: &LogRecord<'_>, ctx: &mut EmitContext<'_>) -> Result<(), HandlerError> {
        self.background.send(|| {
            let line = if ctx.has_own_formatter() {
                // Formatted from the record as logged: the reserved extras below are not shown.
                Some(&**ctx.format(record)?)
            } else {
                None
            };
            let owned = |record: &LogRecord<'_>| match line {
                Some(line) => OwnedRecord::with_formatted_text(record, line),
                None => OwnedRecord::from_record(record),
            };
            let Some((type_name, message)) = mapping::exception_extras(record) else {
                return Ok(owned(record));
            };
            let mut extras: Vec<(&str, Value<'_>)> = record.extras.to_vec();
            if let Some(name) = type_name {
                extras.push((EXCEPTION_TYPE_EXTRA, Value::Str(name)));
            }
            if !message.is_empty() {
                extras.push((EXCEPTION_MESSAGE_EXTRA, Value::Str(&message)));
            }
            Ok(owned(&record.with_extras(&extras)))
        })
    }

    fn flush(&self) -> std::io::Result<()> {
        self.background.flush();
        Ok(())
    }

    fn close(&self) -> std::io::Result<()> {
        // Retries stop a little before the drain timeout, so that the batch being retried is
        // counted as failed (and what is queued after it gets its one attempt) before the
        // close stops waiting.
        *self
            .state
            .give_up_at
            .lock()
            .unwrap_or_else(|e| e.into_inner()) =
            Some(Instant::now() + self.drain_timeout.mul_f64(0.8));
        self.background.close();
        Ok(())
    }

    fn flushes_on_close(&self) -> bool {
        false
    }

    fn queue_stats(&self) -> Option<QueueStats> {
        Some(self.background.stats())
    }

    fn kind(&self) -> &'static str {
        "OtlpHandler"
    }

    fn describe(&self) -> String {
        self.endpoint.clone()
    }
}

/// Builds an [`OtlpHandler`]. Settings left unset come from the `OTEL_*` environment variables
/// (see the table in [`OtlpHandlerBuilder::environment`]), then from these defaults.
///
/// # Default values
///
/// | option | default | environment |
/// |---|---|---|
/// | `endpoint` | `http://localhost:4318/v1/logs` | `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/logs` |
/// | `protocol` | [`OtlpProtocol::HttpProtobuf`] (gRPC with the feature `otlp-grpc`, to `http://localhost:4317`) | `OTEL_EXPORTER_OTLP[_LOGS]_PROTOCOL` |
/// | `compression` | none | `OTEL_EXPORTER_OTLP[_LOGS]_COMPRESSION` |
/// | `header` | none | `OTEL_EXPORTER_OTLP[_LOGS]_HEADERS` (added to) |
/// | `timeout` | 10 s per request | `OTEL_EXPORTER_OTLP[_LOGS]_TIMEOUT` (ms) |
/// | `root_certificates` | the platform's roots | `OTEL_EXPORTER_OTLP[_LOGS]_CERTIFICATE` (a PEM file) |
/// | `service_name` | `unknown_service:<exe>` | `OTEL_SERVICE_NAME` |
/// | `resource_attribute` | `telemetry.sdk.*` | `OTEL_RESOURCE_ATTRIBUTES` (added to) |
/// | `thread_attributes` | off (as Python) | — |
/// | `batch` | 512 records or 1 s | — |
/// | `capacity` | 10,000 records | — |
/// | `backpressure` | [`Backpressure::Block`] | — |
/// | `retry` | until delivered (closing: until the drain timeout), 1 s doubling to 30 s, or `Retry-After` | — |
/// | `max_request_bytes` | 64 MiB | — |
/// | `drain_timeout` | 5 s, as every network handler | — |
/// | `fallback` | none: what cannot be delivered is counted (and reported at close) | — |
/// | `name` | `OtlpHandler` (thread `pylog:OtlpHandler`) | — |
/// | `on_error` | Python's `--- Logging error ---` block on stderr, once per burst | — |
#[must_use]
pub struct OtlpHandlerBuilder {
    endpoint: Option<String>,
    protocol: Option<OtlpProtocol>,
    compression: Option<OtlpCompression>,
    headers: Vec<(String, String)>,
    timeout: Option<Duration>,
    root_certificates: Option<Vec<u8>>,
    service_name: Option<String>,
    resource: Vec<(String, String)>,
    thread_attributes: bool,
    batch: (usize, Duration),
    capacity: usize,
    backpressure: Backpressure,
    retry: RetryPolicy,
    max_request_bytes: usize,
    drain_timeout: Duration,
    fallback: Option<Handler>,
    name: Option<String>,
    on_error: Option<ErrorReporter>,
    environment: Lookup,
}

/// Reads an environment variable by name.
type Lookup = Box<dyn Fn(&str) -> Option<String>>;

impl OtlpHandlerBuilder {
    /// The full URL to post to (`http://collector:4318/v1/logs`); wins over the environment.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// protobuf or JSON.
    pub fn protocol(mut self, protocol: OtlpProtocol) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// Compresses request bodies.
    pub fn compression(mut self, compression: OtlpCompression) -> Self {
        self.compression = Some(compression);
        self
    }

    /// A header sent with every request (an API key); replaces the environment's of that name.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers
            .push((name.into().to_lowercase(), value.into()));
        self
    }

    /// The longest a request may take, connecting included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Trusts only the certificates in this PEM text for https.
    pub fn root_certificates(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates = Some(pem.into());
        self
    }

    /// The resource's `service.name`; wins over `OTEL_SERVICE_NAME`.
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// A resource attribute; wins over `OTEL_RESOURCE_ATTRIBUTES`.
    pub fn resource_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.resource.push((key.into(), value.into()));
        self
    }

    /// Adds `thread.id` and `thread.name` to every record's attributes (opentelemetry-python
    /// does not send them).
    pub fn thread_attributes(mut self, on: bool) -> Self {
        self.thread_attributes = on;
        self
    }

    /// Sends up to `max_records` per request, waiting at most `max_age` for a batch to fill
    /// (flush and close do not wait).
    pub fn batch(mut self, max_records: usize, max_age: Duration) -> Self {
        self.batch = (max_records.max(1), max_age);
        self
    }

    /// The queue's bound.
    pub fn capacity(mut self, records: usize) -> Self {
        self.capacity = records;
        self
    }

    /// What a full queue does.
    pub fn backpressure(mut self, policy: Backpressure) -> Self {
        self.backpressure = policy;
        self
    }

    /// How failed requests are retried (only connection failures, timeouts, 429, 502, 503
    /// and 504 are); `max_attempts: None` retries until delivered, or until the drain timeout
    /// once the handler closes.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The largest request body; a batch that would make a larger one is split.
    pub fn max_request_bytes(mut self, bytes: usize) -> Self {
        self.max_request_bytes = bytes.max(1);
        self
    }

    /// How long flush and close wait for the queue to drain.
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// The handler that receives, in order, the records that cannot be delivered (see
    /// [`Handler::set_fallback`]): those whose export failed for good or was refused, those still
    /// queued when a close runs out of time, and those a dropping [`Backpressure`] policy would
    /// drop. With a local file here, no record is lost even when the collector is gone for good.
    pub fn fallback(mut self, handler: Handler) -> Self {
        self.fallback = Some(handler);
        self
    }

    /// Names the handler's thread (`pylog:<name>`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Replaces the report of a failed request or a partial success (called once per burst of
    /// failures, and for every partial success).
    pub fn on_error(mut self, report: ErrorReporter) -> Self {
        self.on_error = Some(report);
        self
    }

    /// Where the `OTEL_*` variables are read: the process environment by default. A program
    /// that keeps its settings elsewhere (or a test) passes its own lookup.
    ///
    /// | variable | meaning | default |
    /// |---|---|---|
    /// | `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` | the full URL records are posted to | — |
    /// | `OTEL_EXPORTER_OTLP_ENDPOINT` | the base URL; `/v1/logs` is appended | `http://localhost:4318` |
    /// | `OTEL_EXPORTER_OTLP[_LOGS]_PROTOCOL` | `http/protobuf` or `http/json` | `http/protobuf` |
    /// | `OTEL_EXPORTER_OTLP[_LOGS]_HEADERS` | `key=value,…`, percent-decoded, keys lower-cased | none |
    /// | `OTEL_EXPORTER_OTLP[_LOGS]_COMPRESSION` | `gzip` or `none` | `none` |
    /// | `OTEL_EXPORTER_OTLP[_LOGS]_TIMEOUT` | milliseconds per request | `10000` |
    /// | `OTEL_EXPORTER_OTLP[_LOGS]_CERTIFICATE` | a PEM file of the roots to trust for https | the platform's roots |
    /// | `OTEL_SERVICE_NAME` | `service.name` of the resource | `unknown_service:<exe>` |
    /// | `OTEL_RESOURCE_ATTRIBUTES` | `key=value,…` resource attributes, percent-decoded | none |
    ///
    /// The `_LOGS_` variable wins over the general one.
    pub fn environment(mut self, lookup: impl Fn(&str) -> Option<String> + 'static) -> Self {
        self.environment = Box::new(lookup);
        self
    }

    /// Reads the environment, checks the settings, builds the client and starts the worker
    /// thread. An invalid setting is an error naming it.
    pub fn build(self) -> Result<Handler, Error> {
        let env = EnvSettings::read(&self.environment)?;
        let protocol = self.protocol.or(env.protocol).unwrap_or_default();
        let endpoint_text = match protocol {
            #[cfg(feature = "otlp-grpc")]
            OtlpProtocol::Grpc => self
                .endpoint
                .or(env.grpc_endpoint)
                .unwrap_or_else(|| DEFAULT_GRPC_ENDPOINT.to_owned()),
            _ => self
                .endpoint
                .or(env.endpoint)
                .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned()),
        };
        #[cfg_attr(not(feature = "otlp-grpc"), allow(unused_mut))]
        let mut endpoint = Url::parse(&endpoint_text).map_err(|e| {
            Error::InvalidArguments(format!("invalid OTLP endpoint {endpoint_text:?}: {e}"))
        })?;
        #[cfg(feature = "otlp-grpc")]
        if protocol == OtlpProtocol::Grpc {
            endpoint.set_path(transport::GRPC_EXPORT_PATH);
        }
        if !matches!(endpoint.scheme(), "http" | "https") {
            return Err(Error::InvalidArguments(format!(
                "invalid OTLP endpoint {endpoint_text:?}: the scheme must be http or https"
            )));
        }
        // Named in error reports; the endpoint itself moves into the exporter's settings.
        let label = format!("OtlpHandler({endpoint})");
        let root_certificates = match (self.root_certificates, env.certificate) {
            (Some(pem), _) => Some(pem),
            (None, Some(path)) => Some(std::fs::read(&path).map_err(|source| Error::Io {
                context: format!("OTEL_EXPORTER_OTLP_CERTIFICATE: cannot read {path:?}"),
                source,
            })?),
            (None, None) => None,
        };
        let mut headers = env.headers;
        for (name, value) in self.headers {
            headers.retain(|(n, _)| *n != name);
            headers.push((name, value));
        }
        let mut added = self.resource;
        if let Some(name) = self.service_name {
            added.push(("service.name".to_owned(), name));
        }
        let resource = mapping::resource(
            env.resource_attributes.as_deref(),
            env.service_name.as_deref(),
            &added,
        );
        let state = Arc::new(ExportState::default());
        let exporter = Exporter::new(
            ExportSettings {
                endpoint,
                protocol,
                compression: self.compression.or(env.compression).unwrap_or_default(),
                headers,
                timeout: self
                    .timeout
                    .or(env.timeout)
                    .unwrap_or(Duration::from_secs(10)),
                root_certificates,
                resource,
                mapping: MappingOptions {
                    thread_attributes: self.thread_attributes,
                },
                retry: self.retry,
                max_request_bytes: self.max_request_bytes,
                reporter: self.on_error,
            },
            state.clone(),
        )?;
        // The exporter retries and reports by itself; the worker makes one attempt per batch.
        let mut worker = Worker::builder(self.name.unwrap_or_else(|| "OtlpHandler".to_owned()))
            .label(label)
            .capacity(self.capacity)
            .backpressure(self.backpressure)
            .batch(self.batch.0, self.batch.1)
            .retry(RetryPolicy {
                max_attempts: Some(1),
                ..RetryPolicy::default()
            })
            .on_error(Arc::new(|_, _| {}));
        if let Some(fallback) = self.fallback {
            worker = worker.fallback(fallback);
        }
        let worker = worker.spawn(exporter).map_err(|source| Error::Io {
            context: "cannot start the OTLP handler's thread".to_owned(),
            source,
        })?;
        Ok(Handler::new(OtlpHandler {
            background: Background::new(worker, self.drain_timeout),
            state,
            drain_timeout: self.drain_timeout,
            endpoint: endpoint_text,
        }))
    }
}
