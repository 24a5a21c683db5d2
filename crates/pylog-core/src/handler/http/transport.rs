//! The HTTP side of [`HttpHandler`](super::HttpHandler): a `reqwest::blocking` client with rustls
//! over the `ring` provider, the request CPython's `HTTPHandler.emit` makes, and which failures are
//! worth a retry.
//!
//! Runs on the handler's worker thread. `reqwest::blocking` panics (and in release builds blocks a
//! runtime thread) when called from inside a Tokio runtime; the worker's thread is never one, and
//! the one other caller, a record logged after the handler was closed (delivered on the logging
//! thread), is moved to a short-lived thread of its own when that thread is in a runtime.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use reqwest::blocking::{Client, Response};
use reqwest::header::{ACCEPT_ENCODING, CONTENT_TYPE, HeaderValue, LOCATION};
use reqwest::redirect::{Attempt, Policy};
use reqwest::{StatusCode, Url};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;

use super::fields::{urlencode, write_json};
use crate::error::Error;
use crate::handler::worker::{Deliver, DeliveryError};
use crate::owned_record::OwnedRecord;

/// Redirects followed at most (reqwest's default too).
const MAX_REDIRECTS: usize = 10;

/// Python's `method` argument.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HttpMethod {
    /// The record is the query string of the URL (Python's default).
    #[default]
    Get,
    /// The record is the body.
    Post,
}

impl std::str::FromStr for HttpMethod {
    type Err = Error;

    /// Python's rule: the name is upper-cased, and only `GET` and `POST` are accepted
    /// (`ValueError: method must be GET or POST`).
    fn from_str(s: &str) -> Result<HttpMethod, Error> {
        match s.to_uppercase().as_str() {
            "GET" => Ok(HttpMethod::Get),
            "POST" => Ok(HttpMethod::Post),
            _ => Err(Error::InvalidArguments(
                "method must be GET or POST".to_owned(),
            )),
        }
    }
}

/// Which redirects an [`HttpHandler`](super::HttpHandler) follows (at most 10 in a row).
///
/// CPython's `HTTPHandler` follows none (`http.client` does not). Following one to another
/// origin would deliver the record, and any credentials, to a server the configuration did not
/// name, so that needs [`AnyOrigin`](Redirects::AnyOrigin); even then the `Authorization`
/// header is not sent to another host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Redirects {
    /// Follow none: a 3xx is the answer, and a failed delivery (CPython's behaviour).
    None,
    /// Follow those to the same scheme, host and port (the default).
    #[default]
    SameOrigin,
    /// Follow any, whatever the origin.
    AnyOrigin,
}

/// What a request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Body {
    /// CPython's `urlencode(record.__dict__)`: the query for GET, a form body for POST.
    Form,
    /// One JSON object per request.
    Json,
    /// A JSON array of the records of one batch per request.
    JsonArray,
}

/// Everything a request needs, settled when the handler is built.
pub(crate) struct Transport {
    pub(crate) client: Client,
    pub(crate) url: String,
    pub(crate) method: HttpMethod,
    pub(crate) body: Body,
    pub(crate) credentials: Option<(String, String)>,
    redirects: Redirects,
    buffer: String,
}

/// What [`Transport::new`] needs.
pub(crate) struct Settings<'a> {
    pub(crate) url: Url,
    pub(crate) method: HttpMethod,
    pub(crate) body: Body,
    pub(crate) secure: bool,
    pub(crate) credentials: Option<(String, String)>,
    pub(crate) redirects: Redirects,
    pub(crate) root_certificates: Option<&'a [u8]>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
}

impl Transport {
    pub(crate) fn new(settings: Settings<'_>) -> Result<Transport, Error> {
        let tls = tls_config(settings.root_certificates)?;
        let redirects = settings.redirects;
        let builder = Client::builder()
            .tls_backend_preconfigured(tls)
            .https_only(settings.secure)
            .no_proxy()
            .http1_title_case_headers()
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .redirect(Policy::custom(move |attempt| redirect(attempt, redirects)));
        let client = off_runtime(move || builder.build())
            .map_err(|e| Error::InvalidArguments(format!("cannot build the HTTP client: {e}")))?;
        Ok(Transport {
            client,
            url: settings.url.into(),
            method: settings.method,
            body: settings.body,
            credentials: settings.credentials,
            redirects: settings.redirects,
            buffer: String::new(),
        })
    }

    fn deliver_here(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
        match self.body {
            Body::Form | Body::Json => {
                for record in batch {
                    self.buffer.clear();
                    record.with_record(|r| match self.body {
                        Body::Form => urlencode(&mut self.buffer, r),
                        _ => write_json(&mut self.buffer, r, record.formatted().unwrap_or(r.msg)),
                    });
                    self.send()?;
                }
                Ok(())
            }
            Body::JsonArray => {
                self.buffer.clear();
                self.buffer.push('[');
                for (i, record) in batch.iter().enumerate() {
                    if i > 0 {
                        self.buffer.push(',');
                    }
                    record.with_record(|r| {
                        write_json(&mut self.buffer, r, record.formatted().unwrap_or(r.msg));
                    });
                }
                self.buffer.push(']');
                self.send()
            }
        }
    }

    /// One request with what is in the buffer, as `HTTPHandler.emit` makes it.
    fn send(&mut self) -> Result<(), DeliveryError> {
        let request = match (self.method, self.body) {
            (HttpMethod::Get, _) => {
                let sep = if self.url.contains('?') { '&' } else { '?' };
                self.client
                    .get(format!("{}{sep}{}", self.url, self.buffer))
                    .header(ACCEPT_ENCODING, "identity")
            }
            (HttpMethod::Post, body) => {
                let content_type = match body {
                    Body::Form => "application/x-www-form-urlencoded",
                    Body::Json | Body::JsonArray => "application/json",
                };
                self.client
                    .post(&self.url)
                    .header(ACCEPT_ENCODING, "identity")
                    .header(CONTENT_TYPE, HeaderValue::from_static(content_type))
                    .body(self.buffer.clone())
            }
        };
        let request = match &self.credentials {
            Some((user, password)) => request.basic_auth(user, Some(password)),
            None => request,
        };
        let response = request.send().map_err(classify)?;
        check_status(response, self.redirects)
    }
}

impl Deliver for Transport {
    fn deliver(&mut self, batch: &[OwnedRecord]) -> Result<(), DeliveryError> {
        if in_runtime() {
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

pub(crate) fn in_runtime() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

/// Runs `f` here, or on a thread of its own when this thread is inside a Tokio runtime.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if in_runtime() {
        std::thread::scope(|s| match s.spawn(f).join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    } else {
        f()
    }
}

/// A 2xx is delivered; a redirect that was not followed, or a 4xx, is refused for good (408 and
/// 429 excepted); a 5xx is worth another try. The text is urllib's (`HTTP Error 500: Internal
/// Server Error`); CPython's `HTTPHandler` itself does not look at the status.
fn check_status(response: Response, redirects: Redirects) -> Result<(), DeliveryError> {
    let status = response.status();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    // Read what the server sent, so the connection can be used again; its content is ignored,
    // as in CPython.
    let _ = response.bytes();
    if status.is_success() {
        return Ok(());
    }
    let mut text = format!(
        "HTTP Error {}: {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    if status.is_redirection() {
        let why = match redirects {
            Redirects::None => "the handler follows no redirect",
            _ => "it leads to another origin",
        };
        text.push_str(&format!(
            " (redirect to {} not followed: {why})",
            location.as_deref().unwrap_or("?")
        ));
    }
    if status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        Err(DeliveryError::Transient(text))
    } else {
        Err(DeliveryError::Permanent(text))
    }
}

/// Follows what the policy allows; a redirect it does not is the answer (the 3xx, and a failed
/// delivery). The origin compared is that of the URL the handler was built with.
fn redirect(attempt: Attempt<'_>, redirects: Redirects) -> reqwest::redirect::Action {
    if attempt.previous().len() > MAX_REDIRECTS {
        return attempt.error("too many redirects");
    }
    let same_origin = attempt
        .previous()
        .first()
        .is_some_and(|first| first.origin() == attempt.url().origin());
    match redirects {
        Redirects::None => attempt.stop(),
        Redirects::SameOrigin if !same_origin => attempt.stop(),
        _ => attempt.follow(),
    }
}

/// The warning for credentials sent without TLS to a host other than this machine, or `None`.
/// The URL is shown without any password it holds.
pub(crate) fn cleartext_credentials_warning(url: &Url, explicit: bool) -> Option<String> {
    let in_url = !url.username().is_empty() || url.password().is_some();
    if url.scheme() != "http" || !(explicit || in_url) || is_loopback(url) {
        return None;
    }
    let mut shown = url.clone();
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    Some(format!(
        "pylog: HTTPHandler sends credentials to {shown} without TLS (secure is off): anyone on \
         the network path can read them"
    ))
}

/// Whether the URL's host is this machine (`localhost`, `127.0.0.0/8`, `::1`).
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
        return ip.is_loopback();
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// A connection refused, a reset or a timeout is transient; a TLS failure (an untrusted
/// certificate) or a request that cannot be built is not.
fn classify(error: reqwest::Error) -> DeliveryError {
    let text = error_text(&error);
    if error.is_builder() || is_tls_error(&error) {
        DeliveryError::Permanent(text)
    } else {
        DeliveryError::Transient(text)
    }
}

pub(crate) fn is_tls_error(error: &(dyn StdError + 'static)) -> bool {
    let mut next: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = next {
        if e.is::<rustls::Error>() {
            return true;
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            && inner.is::<rustls::Error>()
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// The error and its causes, `: `-separated, each said once.
pub(crate) fn error_text(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(e) = next {
        let part = e.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        next = e.source();
    }
    text
}

/// rustls over `ring`, trusting the PEM's certificates only (Python's `context` with
/// `load_verify_locations`), or the platform's roots when none are given.
pub(crate) fn tls_config(root_certificates: Option<&[u8]>) -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::InvalidArguments(format!("TLS: {e}")))?;
    let config = match root_certificates {
        Some(pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| {
                    Error::InvalidArguments(format!("root certificates: invalid PEM: {e}"))
                })?;
                roots
                    .add(cert)
                    .map_err(|e| Error::InvalidArguments(format!("root certificates: {e}")))?;
            }
            if roots.is_empty() {
                return Err(Error::InvalidArguments(
                    "root certificates: no certificate in the PEM".to_owned(),
                ));
            }
            builder.with_root_certificates(roots)
        }
        None => {
            let verifier = rustls_platform_verifier::Verifier::new(provider)
                .map_err(|e| Error::InvalidArguments(format!("TLS: {e}")))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
        }
    };
    Ok(config.with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_pythons() {
        assert_eq!("post".parse::<HttpMethod>().ok(), Some(HttpMethod::Post));
        assert_eq!("Get".parse::<HttpMethod>().ok(), Some(HttpMethod::Get));
        let err = "PUT".parse::<HttpMethod>().err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("method must be GET or POST"));
    }

    #[test]
    fn credentials_in_clear_to_another_host_are_warned_about() {
        let warn = |url: &str, explicit: bool| {
            cleartext_credentials_warning(&Url::parse(url).unwrap(), explicit)
        };
        assert_eq!(
            warn("http://logs.example.com:8080/log", true).as_deref(),
            Some(
                "pylog: HTTPHandler sends credentials to http://logs.example.com:8080/log \
                 without TLS (secure is off): anyone on the network path can read them"
            )
        );
        let in_url = warn("http://user:pw@192.0.2.1/log", false).unwrap();
        assert!(in_url.contains("http://192.0.2.1/log"), "{in_url}");
        assert!(!in_url.contains("pw"), "{in_url}");
        assert_eq!(warn("http://logs.example.com/log", false), None);
        assert_eq!(warn("https://logs.example.com/log", true), None);
        for local in [
            "http://localhost:8080/log",
            "http://LOCALHOST./log",
            "http://app.localhost/log",
            "http://127.0.0.1/log",
            "http://127.8.9.10/log",
            "http://[::1]:8080/log",
        ] {
            assert_eq!(warn(local, true), None, "{local}");
        }
    }

    #[test]
    fn a_pem_without_certificates_is_refused() {
        let err = tls_config(Some(b"not a certificate")).err();
        assert_eq!(
            err.map(|e| e.to_string()).as_deref(),
            Some("root certificates: no certificate in the PEM")
        );
    }
}
