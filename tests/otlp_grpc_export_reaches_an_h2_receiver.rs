//! `OtlpHandler` over gRPC (feature `otlp-grpc`): `LogsService/Export` calls over HTTP/2 to a
//! receiver on loopback built on the `h2` crate, which unframes and decodes each message with the
//! OTLP messages and answers with the `grpc-status` the test scripts. Every record arrives in
//! order; gzip is the frame's compressed flag with `grpc-encoding: gzip`; UNAVAILABLE is
//! retried; INVALID_ARGUMENT is not, and is reported.

use std::collections::VecDeque;
use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use prost::Message as _;
use pylog::otlp::proto::{ExportLogsServiceRequest, ExportLogsServiceResponse, any_value};
use pylog::{
    DeliveryError, Level, LogRecord, OtlpCompression, OtlpHandler, OtlpHandlerBuilder,
    OtlpProtocol, OwnedRecord, RetryPolicy,
};

/// One call as it arrived.
#[derive(Clone, Debug)]
struct Call {
    path: String,
    headers: http::HeaderMap,
    compressed: bool,
    request: ExportLogsServiceRequest,
    answered: u32,
}

#[derive(Default)]
struct State {
    calls: Mutex<Vec<Call>>,
    /// The grpc-status of the next answers; then 0.
    script: Mutex<VecDeque<u32>>,
}

struct GrpcReceiver {
    addr: SocketAddr,
    state: Arc<State>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl GrpcReceiver {
    fn start() -> GrpcReceiver {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind loopback");
        let addr = listener.local_addr().expect("address");
        let state = Arc::new(State::default());
        let accept_state = state.clone();
        runtime.spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let state = accept_state.clone();
                tokio::spawn(async move {
                    let Ok(mut connection) = h2::server::handshake(socket).await else {
                        return;
                    };
                    while let Some(Ok((request, respond))) = connection.accept().await {
                        let state = state.clone();
                        tokio::spawn(async move {
                            let _ = answer(&state, request, respond).await;
                        });
                    }
                });
            }
        });
        GrpcReceiver {
            addr,
            state,
            runtime: Some(runtime),
        }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn script(&self, codes: impl IntoIterator<Item = u32>) {
        self.state.script.lock().unwrap().extend(codes);
    }

    fn calls(&self) -> Vec<Call> {
        self.state.calls.lock().unwrap().clone()
    }

    /// The bodies of the records of the calls answered OK, waiting (at most 30 s) for `n`.
    fn accepted_bodies(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let bodies: Vec<String> = self
                .calls()
                .iter()
                .filter(|c| c.answered == 0)
                .flat_map(|c| &c.request.resource_logs)
                .flat_map(|r| &r.scope_logs)
                .flat_map(|s| &s.log_records)
                .map(|r| match r.body.as_ref().and_then(|b| b.value.as_ref()) {
                    Some(any_value::Value::StringValue(s)) => s.clone(),
                    other => format!("{other:?}"),
                })
                .collect();
            if bodies.len() >= n || Instant::now() >= deadline {
                return bodies;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for GrpcReceiver {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn answer(
    state: &State,
    request: http::Request<h2::RecvStream>,
    mut respond: h2::server::SendResponse<Bytes>,
) -> Result<(), h2::Error> {
    let (parts, mut body) = request.into_parts();
    let mut data = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk?;
        let _ = body.flow_control().release_capacity(chunk.len());
        data.extend_from_slice(&chunk);
    }
    let compressed = data.first() == Some(&1);
    let length = data
        .get(1..5)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .unwrap_or(0);
    let message = data.get(5..5 + length).unwrap_or_default();
    let message = if compressed {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(message)
            .read_to_end(&mut out)
            .expect("a gzip message");
        out
    } else {
        message.to_vec()
    };
    let code = state.script.lock().unwrap().pop_front().unwrap_or(0);
    state.calls.lock().unwrap().push(Call {
        path: parts.uri.path().to_owned(),
        headers: parts.headers.clone(),
        compressed,
        request: ExportLogsServiceRequest::decode(&message[..]).expect("an export request"),
        answered: code,
    });
    let response = http::Response::builder()
        .status(200)
        .header("content-type", "application/grpc")
        .body(())
        .expect("a response");
    let mut send = respond.send_response(response, false)?;
    if code == 0 {
        let reply = ExportLogsServiceResponse::default().encode_to_vec();
        let mut framed = vec![0u8];
        framed.extend_from_slice(&(reply.len() as u32).to_be_bytes());
        framed.extend_from_slice(&reply);
        send.send_data(Bytes::from(framed), false)?;
    }
    let mut trailers = http::HeaderMap::new();
    trailers.insert(
        "grpc-status",
        code.to_string().parse().expect("a header value"),
    );
    if code != 0 {
        trailers.insert("grpc-message", "not%20now".parse().expect("a header value"));
    }
    send.send_trailers(trailers)
}

fn builder(receiver: &GrpcReceiver) -> OtlpHandlerBuilder {
    OtlpHandler::builder()
        .endpoint(receiver.endpoint())
        .protocol(OtlpProtocol::Grpc)
        .environment(|_| None)
        .batch(16, Duration::from_millis(20))
        .retry(RetryPolicy {
            max_attempts: None,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
        })
}

fn log_all(handler: &pylog::Handler, range: std::ops::Range<usize>) {
    for i in range {
        handler.handle(&LogRecord::new("app", Level::ERROR, &format!("r{i}")));
    }
}

fn numbered(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("r{i}")).collect()
}

#[test]
fn records_arrive_in_order_as_logs_service_export_calls() {
    let receiver = GrpcReceiver::start();
    let handler = builder(&receiver).build().expect("handler");
    log_all(&handler, 0..100);
    handler.close();
    assert_eq!(receiver.accepted_bodies(100), numbered(0..100));
    let calls = receiver.calls();
    for call in &calls {
        assert_eq!(
            call.path,
            "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
        );
        assert_eq!(call.headers["content-type"], "application/grpc");
        assert_eq!(call.headers["te"], "trailers");
        assert!(!call.compressed);
    }
    assert_eq!(handler.stats().dropped, 0);
}

#[test]
fn gzip_is_the_frames_compressed_flag() {
    let receiver = GrpcReceiver::start();
    let handler = builder(&receiver)
        .compression(OtlpCompression::Gzip)
        .build()
        .expect("handler");
    log_all(&handler, 0..3);
    handler.close();
    assert_eq!(receiver.accepted_bodies(3), numbered(0..3));
    let calls = receiver.calls();
    assert!(calls.iter().all(|c| c.compressed));
    assert!(calls.iter().all(|c| c.headers["grpc-encoding"] == "gzip"));
}

#[test]
fn unavailable_is_retried_and_invalid_argument_is_reported() {
    let receiver = GrpcReceiver::start();
    receiver.script([14, 14, 0, 3]);
    let reports: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = reports.clone();
    let handler = builder(&receiver)
        .batch(2, Duration::from_secs(5))
        .on_error(Arc::new(move |_: &OwnedRecord, e: &DeliveryError| {
            sink.lock().unwrap().push(e.to_string());
        }))
        .build()
        .expect("handler");
    log_all(&handler, 0..2);
    handler.flush();
    log_all(&handler, 2..4);
    handler.flush();
    log_all(&handler, 4..6);
    handler.close();
    let answered: Vec<u32> = receiver.calls().iter().map(|c| c.answered).collect();
    assert_eq!(
        answered,
        [14, 14, 0, 3, 0],
        "the first batch retried twice, the second refused and not retried"
    );
    let mut expected = numbered(0..2);
    expected.extend(numbered(4..6));
    assert_eq!(receiver.accepted_bodies(4), expected);
    assert_eq!(handler.stats().errors, 2, "the refused batch");
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(
        reports[0].contains("gRPC status 14 (UNAVAILABLE): not now"),
        "{reports:?}"
    );
    assert!(
        reports[1].contains("gRPC status 3 (INVALID_ARGUMENT): not now"),
        "{reports:?}"
    );
}
