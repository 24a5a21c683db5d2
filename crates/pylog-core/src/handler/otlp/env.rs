//! The exporter's settings from the standard OpenTelemetry environment variables, for logs:
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` | the full URL records are posted to | — |
//! | `OTEL_EXPORTER_OTLP_ENDPOINT` | the base URL; `/v1/logs` is appended | `http://localhost:4318` |
//! | `OTEL_EXPORTER_OTLP[_LOGS]_PROTOCOL` | `http/protobuf` or `http/json` | `http/protobuf` |
//! | `OTEL_EXPORTER_OTLP[_LOGS]_HEADERS` | `key=value,…`, percent-decoded, keys lower-cased | none |
//! | `OTEL_EXPORTER_OTLP[_LOGS]_COMPRESSION` | `gzip` or `none` | `none` |
//! | `OTEL_EXPORTER_OTLP[_LOGS]_TIMEOUT` | milliseconds per request | `10000` |
//! | `OTEL_EXPORTER_OTLP[_LOGS]_CERTIFICATE` | a PEM file of the roots to trust for https | the platform's roots |
//! | `OTEL_SERVICE_NAME` | `service.name` of the resource | `unknown_service:<exe>` |
//! | `OTEL_RESOURCE_ATTRIBUTES` | `key=value,…` resource attributes, percent-decoded | none |
//!
//! The `_LOGS_` variable wins over the general one; a builder setting wins over both. An
//! invalid value is an error naming the variable, not a silent default.

use std::time::Duration;

use super::mapping::percent_decode;
use crate::error::Error;

/// The wire format of the requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OtlpProtocol {
    /// `http/protobuf`: `ExportLogsServiceRequest` in protobuf, `application/x-protobuf`.
    #[default]
    HttpProtobuf,
    /// `http/json`: the same message in OTLP's JSON mapping, `application/json`.
    HttpJson,
    /// `grpc`: the `LogsService/Export` call over HTTP/2 (feature `otlp-grpc`).
    #[cfg(feature = "otlp-grpc")]
    Grpc,
}

impl std::str::FromStr for OtlpProtocol {
    type Err = Error;

    fn from_str(s: &str) -> Result<OtlpProtocol, Error> {
        match s.trim() {
            "http/protobuf" => Ok(OtlpProtocol::HttpProtobuf),
            "http/json" => Ok(OtlpProtocol::HttpJson),
            #[cfg(feature = "otlp-grpc")]
            "grpc" => Ok(OtlpProtocol::Grpc),
            #[cfg(not(feature = "otlp-grpc"))]
            "grpc" => Err(Error::InvalidArguments(
                "OTLP protocol 'grpc' needs the feature otlp-grpc: use 'http/protobuf' or 'http/json'"
                    .to_owned(),
            )),
            other => Err(Error::InvalidArguments(format!(
                "unknown OTLP protocol {other:?}: expected 'http/protobuf' or 'http/json'"
            ))),
        }
    }
}

/// Whether request bodies are compressed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OtlpCompression {
    /// Sent as they are.
    #[default]
    None,
    /// gzip, with `Content-Encoding: gzip`.
    Gzip,
}

impl std::str::FromStr for OtlpCompression {
    type Err = Error;

    fn from_str(s: &str) -> Result<OtlpCompression, Error> {
        match s.trim() {
            "gzip" => Ok(OtlpCompression::Gzip),
            "none" | "" => Ok(OtlpCompression::None),
            other => Err(Error::InvalidArguments(format!(
                "unknown OTLP compression {other:?}: expected 'gzip' or 'none'"
            ))),
        }
    }
}

/// The settings the environment gives; `None` where it says nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct EnvSettings {
    /// For OTLP/HTTP: the logs URL.
    pub(crate) endpoint: Option<String>,
    /// For gRPC: the server's URL as given (`OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, else
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub(crate) grpc_endpoint: Option<String>,
    pub(crate) protocol: Option<OtlpProtocol>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) compression: Option<OtlpCompression>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) certificate: Option<String>,
    pub(crate) service_name: Option<String>,
    pub(crate) resource_attributes: Option<String>,
}

/// The default endpoint of OTLP over gRPC.
pub const DEFAULT_GRPC_ENDPOINT: &str = "http://localhost:4317";

/// The default endpoint of OTLP over HTTP, with the logs path.
pub const DEFAULT_ENDPOINT: &str = "http://localhost:4318/v1/logs";

impl EnvSettings {
    /// Reads the variables through `var` (the process environment: `|k| std::env::var(k).ok()`).
    pub(crate) fn read(var: impl Fn(&str) -> Option<String>) -> Result<EnvSettings, Error> {
        let get = |suffix: &str| {
            var(&format!("OTEL_EXPORTER_OTLP_LOGS_{suffix}"))
                .map(|v| (format!("OTEL_EXPORTER_OTLP_LOGS_{suffix}"), v))
                .or_else(|| {
                    var(&format!("OTEL_EXPORTER_OTLP_{suffix}"))
                        .map(|v| (format!("OTEL_EXPORTER_OTLP_{suffix}"), v))
                })
                .filter(|(_, v)| !v.trim().is_empty())
        };
        let named = |name: &str, e: Error| Error::InvalidArguments(format!("{name}: {e}"));
        let endpoint = match var("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT").filter(|v| !v.is_empty()) {
            Some(url) => Some(url),
            None => var("OTEL_EXPORTER_OTLP_ENDPOINT")
                .filter(|v| !v.is_empty())
                .map(|base| signal_url(&base)),
        };
        let grpc_endpoint = var("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT")
            .filter(|v| !v.is_empty())
            .or_else(|| var("OTEL_EXPORTER_OTLP_ENDPOINT").filter(|v| !v.is_empty()));
        let protocol = get("PROTOCOL")
            .map(|(name, v)| v.parse().map_err(|e| named(&name, e)))
            .transpose()?;
        let compression = get("COMPRESSION")
            .map(|(name, v)| v.parse().map_err(|e| named(&name, e)))
            .transpose()?;
        let timeout = get("TIMEOUT")
            .map(|(name, v)| {
                v.trim()
                    .parse::<u64>()
                    .map(Duration::from_millis)
                    .map_err(|_| {
                        Error::InvalidArguments(format!(
                            "{name}: expected milliseconds as an integer, got {v:?}"
                        ))
                    })
            })
            .transpose()?;
        let headers = get("HEADERS")
            .map(|(name, v)| parse_headers(&v).map_err(|e| named(&name, e)))
            .transpose()?
            .unwrap_or_default();
        Ok(EnvSettings {
            endpoint,
            grpc_endpoint,
            protocol,
            headers,
            compression,
            timeout,
            certificate: get("CERTIFICATE").map(|(_, v)| v),
            service_name: var("OTEL_SERVICE_NAME").filter(|v| !v.is_empty()),
            resource_attributes: var("OTEL_RESOURCE_ATTRIBUTES").filter(|v| !v.is_empty()),
        })
    }
}

/// `OTEL_EXPORTER_OTLP_ENDPOINT` is a base URL: the logs path is appended to it.
pub(crate) fn signal_url(base: &str) -> String {
    format!("{}/v1/logs", base.trim_end_matches('/'))
}

/// Headers as `key=value,key2=value2` (W3C baggage without properties), percent-decoded; keys
/// lower-cased as opentelemetry-python's `parse_env_headers` does.
pub(crate) fn parse_headers(text: &str) -> Result<Vec<(String, String)>, Error> {
    let mut headers = parse_pairs(text)?;
    for (key, _) in &mut headers {
        *key = key.to_lowercase();
    }
    Ok(headers)
}

/// `key=value,key2=value2`, percent-decoded and trimmed.
pub(crate) fn parse_pairs(text: &str) -> Result<Vec<(String, String)>, Error> {
    let mut headers = Vec::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let Some((key, value)) = item.split_once('=') else {
            return Err(Error::InvalidArguments(format!(
                "invalid header {item:?}: expected key=value"
            )));
        };
        let key = percent_decode(key).trim().to_owned();
        if key.is_empty() {
            return Err(Error::InvalidArguments(format!(
                "invalid header {item:?}: empty name"
            )));
        }
        headers.push((key, percent_decode(value).trim().to_owned()));
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<EnvSettings, Error> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        EnvSettings::read(|k| map.get(k).cloned())
    }

    #[test]
    fn the_logs_variables_win_over_the_general_ones() {
        let s = read(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
            ("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "2500"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "Api-Key=a%20b,x=1=2"),
        ])
        .unwrap();
        assert_eq!(s.endpoint.as_deref(), Some("http://collector:4318/v1/logs"));
        assert_eq!(s.protocol, Some(OtlpProtocol::HttpJson));
        assert_eq!(s.compression, Some(OtlpCompression::Gzip));
        assert_eq!(s.timeout, Some(Duration::from_millis(2500)));
        assert_eq!(
            s.headers,
            [("api-key".into(), "a b".into()), ("x".into(), "1=2".into())]
        );
        let s = read(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://other/logs"),
        ])
        .unwrap();
        assert_eq!(s.endpoint.as_deref(), Some("http://other/logs"));
        // gRPC takes the URL as given: the service's path is the call's.
        let s = read(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")]).unwrap();
        assert_eq!(s.grpc_endpoint.as_deref(), Some("http://collector:4317"));
    }

    #[test]
    fn invalid_values_name_their_variable() {
        let e = read(&[("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "10s")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: expected milliseconds as an integer, got \"10s\""
        );
        let e = read(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "thrift")]).unwrap_err();
        assert!(
            e.to_string().starts_with("OTEL_EXPORTER_OTLP_PROTOCOL: "),
            "{e}"
        );
        #[cfg(not(feature = "otlp-grpc"))]
        {
            let e = read(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")]).unwrap_err();
            assert!(e.to_string().contains("needs the feature otlp-grpc"), "{e}");
        }
        let e = read(&[("OTEL_EXPORTER_OTLP_HEADERS", "novalue")]).unwrap_err();
        assert!(e.to_string().contains("expected key=value"), "{e}");
    }
}
