//! `OtlpJsonFormatter`: each record as one `ExportLogsServiceRequest` in OTLP/JSON, the line
//! format of the OpenTelemetry file exporter (and of the collector's `otlpjsonfile` receiver),
//! so that any file handler, rotation included, writes OTLP logs.

use std::sync::Arc;

use super::env::EnvSettings;
use super::json::log_record as write_log_record;
use super::mapping::{self, MappingOptions, map_record, nanos};
use super::proto;
use crate::error::Error;
use crate::format::{FormatError, Formatter, write_json_str};
use crate::record::{LogRecord, now};

/// Formats each record as one OTLP/JSON `ExportLogsServiceRequest` (no newline: the handler adds
/// its terminator), with the record mapping of [`OtlpHandler`](super::OtlpHandler): one
/// resource, the logger's name as the scope, one `logRecord`. `observedTimeUnixNano` is the time
/// of formatting. Cheap to clone; it is a [`Formatter`] (`.into()`).
///
/// ```
/// use pylog_core::{Level, LogRecord};
/// use pylog_core::otlp::OtlpJsonFormatter;
/// let formatter = OtlpJsonFormatter::builder()
///     .environment(|_| None)
///     .service_name("billing")
///     .build()?;
/// let mut line = String::new();
/// formatter.format(&LogRecord::new("app", Level::WARNING, "disk full"), &mut line).unwrap();
/// assert!(line.starts_with(r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"telemetry.sdk.language""#));
/// assert!(line.contains(r#""scopeLogs":[{"scope":{"name":"app"},"logRecords":[{"timeUnixNano":"#));
/// assert!(line.contains(r#""severityNumber":13,"severityText":"WARN","body":{"stringValue":"disk full"}"#));
/// # Ok::<(), pylog_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct OtlpJsonFormatter(Formatter);

impl OtlpJsonFormatter {
    /// A builder: the resource from `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`, the
    /// message as the body, no thread attributes.
    pub fn builder() -> OtlpJsonFormatterBuilder {
        OtlpJsonFormatterBuilder {
            service_name: None,
            resource: Vec::new(),
            body: None,
            thread_attributes: false,
            environment: Box::new(|key| std::env::var(key).ok()),
        }
    }

    /// Writes `record` as one JSON object into `out` (appending).
    pub fn format(&self, record: &LogRecord<'_>, out: &mut String) -> Result<(), FormatError> {
        self.0.format(record, out)
    }

    /// The formatter, for a handler.
    pub fn formatter(&self) -> &Formatter {
        &self.0
    }
}

impl From<OtlpJsonFormatter> for Formatter {
    fn from(f: OtlpJsonFormatter) -> Formatter {
        f.0
    }
}

/// Options for an [`OtlpJsonFormatter`].
#[must_use]
pub struct OtlpJsonFormatterBuilder {
    service_name: Option<String>,
    resource: Vec<(String, String)>,
    body: Option<Formatter>,
    thread_attributes: bool,
    environment: super::Lookup,
}

impl OtlpJsonFormatterBuilder {
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

    /// Formats the body with `formatter` (as a handler with a formatter does), instead of
    /// using the message.
    pub fn body(mut self, formatter: Formatter) -> Self {
        self.body = Some(formatter);
        self
    }

    /// Adds `thread.id` and `thread.name` to the attributes.
    pub fn thread_attributes(mut self, on: bool) -> Self {
        self.thread_attributes = on;
        self
    }

    /// Where `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` are read (the process
    /// environment by default).
    pub fn environment(mut self, lookup: impl Fn(&str) -> Option<String> + 'static) -> Self {
        self.environment = Box::new(lookup);
        self
    }

    /// Reads the environment and compiles the layout.
    pub fn build(self) -> Result<OtlpJsonFormatter, Error> {
        let env = EnvSettings::read(&self.environment)?;
        let mut added = self.resource;
        if let Some(name) = self.service_name {
            added.push(("service.name".to_owned(), name));
        }
        let resource = mapping::resource(
            env.resource_attributes.as_deref(),
            env.service_name.as_deref(),
            &added,
        );
        let mut prefix = String::from("{\"resourceLogs\":[{\"resource\":");
        let request = proto::ExportLogsServiceRequest {
            resource_logs: vec![proto::ResourceLogs {
                resource: Some(resource),
                ..Default::default()
            }],
        };
        // The resource's JSON, written once: the request written with no scopes, cut before
        // its scopes.
        let mut whole = String::new();
        super::json::write_request(&mut whole, &request);
        let resource_json = whole
            .strip_prefix("{\"resourceLogs\":[{\"resource\":")
            .and_then(|rest| rest.split_once(",\"scopeLogs\":[]"))
            .map(|(resource, _)| resource.to_owned())
            .unwrap_or_else(|| "{}".to_owned());
        prefix.push_str(&resource_json);
        prefix.push_str(",\"scopeLogs\":[{\"scope\":{\"name\":");
        let layout = OtlpLayout {
            prefix,
            body: self.body,
            options: MappingOptions {
                thread_attributes: self.thread_attributes,
            },
        };
        Ok(OtlpJsonFormatter(Formatter::otlp(Arc::new(layout))?))
    }
}

/// The compiled layout: the resource written once, the record mapped per line.
#[derive(Debug)]
pub(crate) struct OtlpLayout {
    /// `{"resourceLogs":[{"resource":{…},"scopeLogs":[{"scope":{"name":`
    prefix: String,
    body: Option<Formatter>,
    options: MappingOptions,
}

impl OtlpLayout {
    pub(crate) fn render(
        &self,
        record: &LogRecord<'_>,
        out: &mut String,
    ) -> Result<(), FormatError> {
        let body = match &self.body {
            Some(formatter) => {
                let mut text = String::new();
                formatter.format(record, &mut text)?;
                Some(text)
            }
            None => None,
        };
        let mapped = map_record(record, body.as_deref(), nanos(now()), &self.options);
        out.push_str(&self.prefix);
        write_json_str(out, record.name);
        out.push_str("},\"logRecords\":[");
        write_log_record(out, &mapped);
        out.push_str("]}]}]}");
        Ok(())
    }
}
