//! The export side of [`OtlpHandler`](super::OtlpHandler): batches of records become
//! `ExportLogsServiceRequest`s, posted with `reqwest` on the handler's worker thread.
//!
//! The HTTP client runs on a single-threaded Tokio runtime that the worker thread drives itself
//! (`block_on`), so every line of the HTTP stack (reqwest, hyper, rustls) runs on that thread,
//! where a record its `tracing` or `log` events would make is recognised as coming from inside a
//! delivery and dropped (counted) instead of queued: an export can never cause another export.
//! (`reqwest::blocking` would run them on a thread of its own, out of the guard's sight.)
//!
//! Retries follow the OTLP/HTTP specification: 429, 502, 503 and 504, and failures to connect or
//! to get an answer in time, are retried with exponential backoff, waiting what `Retry-After`
//! asks for when the server sends it; any other answer fails the request for good. Retries go on
//! until delivery (or the configured attempts are spent); once the handler closes, they stop at
//! its drain timeout.

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use prost::Message as _;
use reqwest::header::{
    CONTENT_ENCODING, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER, USER_AGENT,
};
use reqwest::{StatusCode, Url};

use super::env::{OtlpCompression, OtlpProtocol};
use super::json::write_request;
use super::mapping::{MappingOptions, log_record, nanos};
use super::proto;
use crate::error::Error;
use crate::handler::http::transport::{error_text, in_runtime, is_tls_error, tls_config};
use crate::handler::worker::{DeliveryError, ErrorReporter, RetryPolicy};
use crate::owned_record::OwnedRecord;
use crate::record::now;

/// The largest request body sent: a batch whose request would be larger is split (OTLP
/// receivers refuse bodies past their limit; the collector's default is larger than this).
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// The path of the `LogsService/Export` call, for gRPC.
#[cfg(feature = "otlp-grpc")]
pub(crate) const GRPC_EXPORT_PATH: &str =
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

/// What the handler and its exporter share.
#[derive(Default)]
pub(crate) struct ExportState {
    /// Records the receiver reported as rejected in a `partial_success`.
    pub(crate) rejected: AtomicU64,
    /// Requests sent and answered with success.
    pub(crate) requests: AtomicU64,
    /// Set when the handler closes: retries stop at this instant.
    pub(crate) give_up_at: Mutex<Option<Instant>>,
}

impl ExportState {
    fn give_up_at(&self) -> Option<Instant> {
        *self.give_up_at.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn giving_up(&self) -> bool {
        self.give_up_at().is_some_and(|t| Instant::now() >= t)
    }
}

/// What [`Exporter::new`] needs.
pub(crate) struct ExportSettings {
    pub(crate) endpoint: Url,
    pub(crate) protocol: OtlpProtocol,
    pub(crate) compression: OtlpCompression,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Duration,
    pub(crate) root_certificates: Option<Vec<u8>>,
    pub(crate) resource: proto::Resource,
    pub(crate) mapping: MappingOptions,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_request_bytes: usize,
    pub(crate) reporter: Option<ErrorReporter>,
}

/// A failed request.
struct Failure {
    text: String,
    retryable: bool,
    retry_after: Option<Duration>,
}

/// Posts batches to the receiver; the worker's [`Deliver`](crate::handler::worker::Deliver).
pub(crate) struct Exporter {
    /// Always `Some` until dropped (see the `Drop` impl).
    runtime: Option<tokio::runtime::Runtime>,
    client: reqwest::Client,
    settings: ExportSettings,
    headers: HeaderMap,
    state: Arc<ExportState>,
    /// A failure was reported and no request has succeeded since.
    failing: bool,
}

impl Exporter {
    pub(crate) fn new(
        settings: ExportSettings,
        state: Arc<ExportState>,
    ) -> Result<Exporter, Error> {
        #[cfg_attr(not(feature = "otlp-grpc"), allow(unused_mut))]
        let mut tls = tls_config(settings.root_certificates.as_deref())?;
        let mut headers = HeaderMap::new();
        for (key, value) in &settings.headers {
            let name = HeaderName::from_bytes(key.as_bytes())
                .map_err(|e| Error::InvalidArguments(format!("OTLP header name {key:?}: {e}")))?;
            let value = HeaderValue::from_str(value).map_err(|e| {
                Error::InvalidArguments(format!("OTLP header {key:?}: invalid value: {e}"))
            })?;
            headers.append(name, value);
        }
        let builder = reqwest::Client::builder();
        #[cfg(feature = "otlp-grpc")]
        let builder = if settings.protocol == OtlpProtocol::Grpc {
            tls.alpn_protocols = vec![b"h2".to_vec()];
            builder.http2_prior_knowledge()
        } else {
            builder
        };
        let client = builder
            .tls_backend_preconfigured(tls)
            .no_proxy()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()
            .map_err(|e| Error::InvalidArguments(format!("cannot build the HTTP client: {e}")))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("pylog:otlp-dns")
            .build()
            .map_err(|source| Error::Io {
                context: "cannot start the OTLP handler's runtime".to_owned(),
                source,
            })?;
        Ok(Exporter {
            runtime: Some(runtime),
            client,
            settings,
            headers,
            state,
            failing: false,
        })
    }

    fn deliver_here(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
        let observed = nanos(now());
        let records: Vec<(&str, proto::LogRecord)> = batch
            .iter()
            .map(|r| (r.name(), log_record(r, observed, &self.settings.mapping)))
            .collect();
        let result = self.send_split(&records, &batch[0]);
        if let Err(error) = &result {
            self.report(&batch[0], error);
        }
        result
    }

    /// Sends the records in as many requests as the size limit needs.
    fn send_split(
        &mut self,
        records: &[(&str, proto::LogRecord)],
        first: &OwnedRecord,
    ) -> Result<(), DeliveryError> {
        let body = self.encode(records);
        if body.len() > self.settings.max_request_bytes && records.len() > 1 {
            let (front, back) = records.split_at(records.len() / 2);
            self.send_split(front, first)?;
            return self.send_split(back, first);
        }
        let body = match self.settings.compression {
            OtlpCompression::None => body,
            OtlpCompression::Gzip => gzip(&body).map_err(|e| {
                DeliveryError::Permanent(format!("cannot compress the request: {e}"))
            })?,
        };
        self.send_with_retry(body, first)
    }

    /// The request for `records`: one resource, one scope per logger name (in order of first
    /// appearance), each scope's records in order.
    fn encode(&self, records: &[(&str, proto::LogRecord)]) -> Vec<u8> {
        let request = request(&self.settings.resource, records);
        match self.settings.protocol {
            OtlpProtocol::HttpProtobuf => request.encode_to_vec(),
            #[cfg(feature = "otlp-grpc")]
            OtlpProtocol::Grpc => request.encode_to_vec(),
            OtlpProtocol::HttpJson => {
                let mut text = String::new();
                write_request(&mut text, &request);
                text.into_bytes()
            }
        }
    }

    fn send_with_retry(&mut self, body: Vec<u8>, first: &OwnedRecord) -> Result<(), DeliveryError> {
        let retry = self.settings.retry;
        let mut attempt = 1u32;
        let mut backoff = retry.initial_backoff;
        loop {
            match self.send_once(body.clone()) {
                Ok(()) => {
                    self.failing = false;
                    self.state.requests.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                Err(failure) if !failure.retryable => {
                    return Err(DeliveryError::Permanent(failure.text));
                }
                Err(failure) => {
                    let spent = retry.max_attempts.is_some_and(|max| attempt >= max);
                    if spent || self.state.giving_up() {
                        return Err(DeliveryError::Transient(failure.text));
                    }
                    // With retries until delivery, the first failure of a burst is reported now.
                    if retry.max_attempts.is_none() {
                        self.report(first, &DeliveryError::Transient(failure.text.clone()));
                    }
                    let wait = failure.retry_after.unwrap_or(backoff);
                    if !self.sleep(wait) {
                        return Err(DeliveryError::Transient(failure.text));
                    }
                    backoff = (backoff * 2).min(retry.max_backoff);
                    attempt += 1;
                }
            }
        }
    }

    /// Sleeps `wait`, in slices, unless the handler's close deadline passes first; returns
    /// whether it slept the whole time.
    fn sleep(&self, wait: Duration) -> bool {
        let end = Instant::now() + wait;
        loop {
            let now = Instant::now();
            if now >= end {
                return true;
            }
            if self.state.give_up_at().is_some_and(|t| now >= t) {
                return false;
            }
            std::thread::sleep((end - now).min(Duration::from_millis(20)));
        }
    }

    fn send_once(&mut self, body: Vec<u8>) -> Result<(), Failure> {
        let content_type = match self.settings.protocol {
            OtlpProtocol::HttpProtobuf => "application/x-protobuf",
            OtlpProtocol::HttpJson => "application/json",
            #[cfg(feature = "otlp-grpc")]
            OtlpProtocol::Grpc => return self.send_once_grpc(body),
        };
        let mut request = self
            .client
            .post(self.settings.endpoint.clone())
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, content_type)
            .header(USER_AGENT, concat!("pylog/", env!("CARGO_PKG_VERSION")))
            .body(body);
        if self.settings.compression == OtlpCompression::Gzip {
            request = request.header(CONTENT_ENCODING, "gzip");
        }
        let Some(runtime) = &self.runtime else {
            return Err(Failure {
                text: "the OTLP handler's runtime is gone".to_owned(),
                retryable: false,
                retry_after: None,
            });
        };
        let answer = runtime.block_on(async move {
            let response = request.send().await?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let protobuf = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("application/x-protobuf"));
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, retry_after, protobuf, body))
        });
        let (status, retry_after, protobuf, body) = answer.map_err(|error| {
            let retryable = !(error.is_builder() || is_tls_error(&error));
            Failure {
                text: format!(
                    "{}: {}",
                    self.settings.endpoint,
                    error_text(&error.without_url())
                ),
                retryable,
                retry_after: None,
            }
        })?;
        if status.is_success() {
            self.read_partial_success(&body);
            return Ok(());
        }
        Err(Failure {
            text: format!(
                "{}: HTTP Error {}: {}{}",
                self.settings.endpoint,
                status.as_u16(),
                status.canonical_reason().unwrap_or(""),
                status_message(&body, protobuf)
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            ),
            retryable: matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
            ),
            retry_after,
        })
    }

    /// One `LogsService/Export` call: the message in a gRPC frame (compressed when asked) over
    /// HTTP/2; the answer's `grpc-status` (from the trailers, or the headers of a trailers-only
    /// answer) decides. UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, ABORTED, CANCELLED,
    /// OUT_OF_RANGE and DATA_LOSS are retried, as the OTLP specification lists them.
    #[cfg(feature = "otlp-grpc")]
    fn send_once_grpc(&mut self, message: Vec<u8>) -> Result<(), Failure> {
        let compressed = self.settings.compression == OtlpCompression::Gzip;
        let length = u32::try_from(message.len()).map_err(|_| Failure {
            text: "the request is larger than a gRPC message can be".to_owned(),
            retryable: false,
            retry_after: None,
        })?;
        let mut framed = Vec::with_capacity(message.len() + 5);
        framed.push(u8::from(compressed));
        framed.extend_from_slice(&length.to_be_bytes());
        framed.extend_from_slice(&message);
        let mut request = self
            .client
            .post(self.settings.endpoint.clone())
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/grpc")
            .header("te", "trailers")
            .header(USER_AGENT, concat!("pylog/", env!("CARGO_PKG_VERSION")))
            .body(framed);
        if compressed {
            request = request.header("grpc-encoding", "gzip");
        }
        let Some(runtime) = &self.runtime else {
            return Err(Failure {
                text: "the OTLP handler's runtime is gone".to_owned(),
                retryable: false,
                retry_after: None,
            });
        };
        let answer = runtime.block_on(async move {
            use http_body_util::BodyExt as _;
            let response = request.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let response: http::Response<reqwest::Body> = response.into();
            let collected = response.into_body().collect().await?;
            let trailers = collected.trailers().cloned();
            Ok::<_, reqwest::Error>((status, headers, trailers, collected.to_bytes()))
        });
        let (status, headers, trailers, body) = answer.map_err(|error| {
            let retryable = !(error.is_builder() || is_tls_error(&error));
            Failure {
                text: format!(
                    "{}: {}",
                    self.settings.endpoint,
                    error_text(&error.without_url())
                ),
                retryable,
                retry_after: None,
            }
        })?;
        if !status.is_success() {
            return Err(Failure {
                text: format!(
                    "{}: HTTP Error {}: {}",
                    self.settings.endpoint,
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                ),
                retryable: matches!(
                    status,
                    StatusCode::TOO_MANY_REQUESTS
                        | StatusCode::BAD_GATEWAY
                        | StatusCode::SERVICE_UNAVAILABLE
                        | StatusCode::GATEWAY_TIMEOUT
                ),
                retry_after: None,
            });
        }
        let field = |name: &str| {
            trailers
                .as_ref()
                .and_then(|t| t.get(name))
                .or_else(|| headers.get(name))
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let code = field("grpc-status").and_then(|c| c.trim().parse::<u32>().ok());
        match code {
            Some(0) => {
                self.read_partial_success(&body);
                Ok(())
            }
            code => {
                let code = code.unwrap_or(2);
                let message = field("grpc-message")
                    .map(|m| super::mapping::percent_decode(&m))
                    .unwrap_or_default();
                Err(Failure {
                    text: format!(
                        "{}: gRPC status {code} ({}){}",
                        self.settings.endpoint,
                        grpc_code_name(code),
                        if message.is_empty() {
                            String::new()
                        } else {
                            format!(": {message}")
                        }
                    ),
                    retryable: matches!(code, 1 | 4 | 8 | 10 | 11 | 14 | 15),
                    retry_after: None,
                })
            }
        }
    }

    /// Counts the records a `partial_success` says were rejected, and reports it.
    fn read_partial_success(&mut self, body: &[u8]) {
        let partial = match self.settings.protocol {
            OtlpProtocol::HttpProtobuf => protobuf_partial_success(body),
            OtlpProtocol::HttpJson => json_partial_success(body),
            #[cfg(feature = "otlp-grpc")]
            OtlpProtocol::Grpc => body.get(5..).and_then(protobuf_partial_success),
        };
        let Some((rejected, message)) = partial else {
            return;
        };
        if rejected <= 0 && message.is_empty() {
            return;
        }
        let rejected = u64::try_from(rejected).unwrap_or(0);
        self.state.rejected.fetch_add(rejected, Ordering::Relaxed);
        let text = format!(
            "{}: the receiver rejected {rejected} log records: {message}",
            self.settings.endpoint
        );
        let record = OwnedRecord::new("pylog", crate::level::Level::WARNING, &text);
        self.report_always(&record, &DeliveryError::Permanent(text.clone()));
    }

    /// Reports a failure, once per burst (until a request succeeds again).
    fn report(&mut self, first: &OwnedRecord, error: &DeliveryError) {
        if self.failing {
            return;
        }
        self.failing = true;
        self.report_always(first, error);
    }

    fn report_always(&self, first: &OwnedRecord, error: &DeliveryError) {
        match &self.settings.reporter {
            Some(report) => report(first, error),
            None => {
                let handler = format!("OtlpHandler({})", self.settings.endpoint);
                first.with_record(|r| crate::handler::print_logging_error(r, error, &handler));
            }
        }
    }
}

impl Drop for Exporter {
    /// The last handle to the handler may be dropped on a Tokio worker thread, where dropping a
    /// runtime panics: the runtime is shut down without waiting instead.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl crate::handler::worker::Deliver for Exporter {
    fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
        if batch.is_empty() {
            return Ok(());
        }
        if in_runtime() {
            // A record delivered on a logging thread inside a Tokio runtime (after close):
            // `block_on` cannot run there.
            let result = std::thread::scope(|s| s.spawn(|| self.deliver_here(batch)).join());
            return result.unwrap_or_else(|_| {
                Err(DeliveryError::Permanent(
                    "the delivery thread panicked".into(),
                ))
            });
        }
        self.deliver_here(batch)
    }
}

/// The request for `records`, grouped by scope in order of first appearance.
pub(crate) fn request(
    resource: &proto::Resource,
    records: &[(&str, proto::LogRecord)],
) -> proto::ExportLogsServiceRequest {
    let mut scopes: Vec<proto::ScopeLogs> = Vec::new();
    for (name, record) in records {
        let index = match scopes
            .iter()
            .position(|s| s.scope.as_ref().is_some_and(|scope| scope.name == *name))
        {
            Some(index) => index,
            None => {
                scopes.push(proto::ScopeLogs {
                    scope: Some(proto::InstrumentationScope {
                        name: (*name).to_owned(),
                        ..Default::default()
                    }),
                    ..Default::default()
                });
                scopes.len() - 1
            }
        };
        scopes[index].log_records.push(record.clone());
    }
    proto::ExportLogsServiceRequest {
        resource_logs: vec![proto::ResourceLogs {
            resource: Some(resource.clone()),
            scope_logs: scopes,
            schema_url: String::new(),
        }],
    }
}

/// The name of a gRPC status code.
#[cfg(feature = "otlp-grpc")]
fn grpc_code_name(code: u32) -> &'static str {
    const NAMES: [&str; 17] = [
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    usize::try_from(code)
        .ok()
        .and_then(|c| NAMES.get(c))
        .copied()
        .unwrap_or("UNKNOWN")
}

fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        flate2::Compression::default(),
    );
    encoder.write_all(body)?;
    encoder.finish()
}

/// `Retry-After` in seconds (an HTTP date is not read: the backoff applies then).
fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The message of the `google.rpc.Status` an OTLP receiver sends with an error: its field 2 in
/// a protobuf body, `message` in a JSON one.
fn status_message(body: &[u8], protobuf: bool) -> Option<String> {
    #[derive(Clone, PartialEq, prost::Message)]
    struct Status {
        #[prost(int32, tag = "1")]
        code: i32,
        #[prost(string, tag = "2")]
        message: String,
    }
    if body.is_empty() {
        return None;
    }
    if protobuf {
        return Status::decode(body)
            .ok()
            .map(|status| status.message)
            .filter(|m| !m.is_empty());
    }
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.is_empty() {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value
        .get("message")
        .and_then(|m| m.as_str())
        .map(str::to_owned)
}

/// `partial_success` of a protobuf response.
fn protobuf_partial_success(body: &[u8]) -> Option<(i64, String)> {
    proto::ExportLogsServiceResponse::decode(body)
        .ok()
        .and_then(|r| r.partial_success)
        .map(|p| (p.rejected_log_records, p.error_message))
}

/// `partialSuccess` of a JSON response: `rejectedLogRecords` (a string or a number) and
/// `errorMessage`.
fn json_partial_success(body: &[u8]) -> Option<(i64, String)> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let partial = value.get("partialSuccess")?;
    let rejected = match partial.get("rejectedLogRecords") {
        Some(serde_json::Value::String(s)) => s.parse().ok()?,
        Some(n) => n.as_i64()?,
        None => 0,
    };
    let message = partial
        .get("errorMessage")
        .and_then(|m| m.as_str())
        .unwrap_or_default()
        .to_owned();
    Some((rejected, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_give_their_status_message() {
        let protobuf = [0x08, 0x03, 0x12, 0x03, b'b', b'a', b'd'];
        assert_eq!(status_message(&protobuf, true).as_deref(), Some("bad"));
        let json = br#"{"code":3,"message":"bad json"}"#;
        assert_eq!(status_message(json, false).as_deref(), Some("bad json"));
        assert_eq!(status_message(b"Bad Request", false), None);
        assert_eq!(status_message(b"", true), None);
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn json_partial_success_reads_strings_and_numbers() {
        let body = br#"{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"too old"}}"#;
        assert_eq!(json_partial_success(body), Some((3, "too old".to_owned())));
        let body = br#"{"partialSuccess":{"rejectedLogRecords":2}}"#;
        assert_eq!(json_partial_success(body), Some((2, String::new())));
        assert_eq!(json_partial_success(b"{}"), None);
    }

    #[test]
    fn records_are_grouped_by_scope_in_order() {
        let record = |body: &str| proto::LogRecord {
            body: Some(proto::AnyValue::string(body)),
            ..Default::default()
        };
        let records = [("a", record("1")), ("b", record("2")), ("a", record("3"))];
        let r = request(&proto::Resource::default(), &records);
        let scopes = &r.resource_logs[0].scope_logs;
        assert_eq!(scopes.len(), 2);
        assert_eq!(scopes[0].log_records, [record("1"), record("3")]);
        assert_eq!(scopes[1].log_records, [record("2")]);
    }
}
