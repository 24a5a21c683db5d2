//! A new configuration over a socket: [`ConfigListener`], Python's `logging.config.listen`.

use std::fmt;
use std::io::{self, Read as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Config, ConfigError, Configurator};

/// CPython's `logging.config.DEFAULT_LOGGING_CONFIG_PORT`.
pub const DEFAULT_LOGGING_CONFIG_PORT: u16 = 9030;

/// Checks (and may transform, e.g. decrypt) a received payload before it is applied: `Ok` with
/// the bytes to apply, or `Err` with why it is refused. Python: `listen(verify=...)`, which
/// returns the bytes or `None`.
pub type Verify = Arc<dyn Fn(&[u8]) -> Result<Vec<u8>, String> + Send + Sync>;

/// Called with each refusal: the sender's address and the reason.
pub type ConfigRejectHook = Arc<dyn Fn(SocketAddr, &str) + Send + Sync>;

/// How often the listener looks at its stop flag while waiting for a connection.
const POLL: Duration = Duration::from_millis(50);

/// Python's `logging.config.listen(port, verify)` on the global tree: listens on
/// `127.0.0.1:port` and applies each configuration it receives. Stop it with
/// [`ConfigListener::stop`] (Python's `stopListening()`).
///
/// See [`ConfigListener`] for what anyone who can reach the port can do.
pub fn listen(port: u16, verify: Option<Verify>) -> Result<ConfigListener, ConfigError> {
    let mut builder = ConfigListener::builder().address(format!("127.0.0.1:{port}"));
    if let Some(verify) = verify {
        builder = builder.verify(verify);
    }
    builder.start()
}

/// Builds a [`ConfigListener`].
///
/// # Default values
///
/// | option | default | Python |
/// |---|---|---|
/// | `address` | `127.0.0.1:9030` | `listen(port=9030)` binds `localhost` |
/// | `verify` | none: every payload is applied | `verify=None` |
/// | `configurator` | [`Configurator::new`] (the global tree) | — |
/// | `max_payload` | 1 MiB | — (CPython reads any length) |
/// | `read_timeout` | 10 s for one connection's whole payload | — (CPython waits forever) |
/// | `on_reject` | one line on stderr | `traceback.print_exc()` |
#[must_use]
pub struct ConfigListenerBuilder {
    address: String,
    verify: Option<Verify>,
    configurator: Option<Configurator>,
    max_payload: usize,
    read_timeout: Duration,
    on_reject: Option<ConfigRejectHook>,
}

impl ConfigListenerBuilder {
    /// Where to listen, `host:port` (port 0 picks one). Anything but a loopback address lets
    /// other machines reconfigure logging: give a `verify` that checks a signature.
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    /// Checks each payload before it is applied.
    pub fn verify(mut self, verify: Verify) -> Self {
        self.verify = Some(verify);
        self
    }

    /// Applies configurations with this configurator (its tree, factories and `ext://` objects).
    pub fn configurator(mut self, configurator: Configurator) -> Self {
        self.configurator = Some(configurator);
        self
    }

    /// The largest payload read; a longer one is refused before it is read.
    pub fn max_payload(mut self, bytes: usize) -> Self {
        self.max_payload = bytes;
        self
    }

    /// How long one connection may take to deliver its payload.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Replaces the report of each refused or failed payload (by default one line on stderr).
    pub fn on_reject(mut self, hook: ConfigRejectHook) -> Self {
        self.on_reject = Some(hook);
        self
    }

    /// Binds the address and starts the listener's thread.
    pub fn start(self) -> Result<ConfigListener, ConfigError> {
        let bind_error =
            |e: io::Error| ConfigError::new(format!("cannot listen on {}: {e}", self.address));
        let listener = TcpListener::bind(self.address.as_str()).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let local = listener.local_addr().map_err(bind_error)?;
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            applied: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            verify: self.verify,
            configurator: self.configurator.unwrap_or_default(),
            max_payload: self.max_payload,
            read_timeout: self.read_timeout,
            on_reject: self.on_reject.unwrap_or_else(|| {
                Arc::new(|peer: SocketAddr, reason: &str| {
                    eprintln!(
                        "pylog config::listen: configuration from {peer} not applied: {reason}"
                    );
                })
            }),
        });
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("pylog:config-listen".to_owned())
            .spawn(move || serve(&listener, &thread_shared))
            .map_err(|e| {
                ConfigError::new(format!("cannot start the config listener's thread: {e}"))
            })?;
        Ok(ConfigListener {
            shared,
            thread: Some(thread),
            local,
        })
    }
}

/// A running configuration listener: Python's `logging.config.listen(port, verify)`. Stops when
/// [`stop`](ConfigListener::stop)ped or dropped.
///
/// Each connection carries one configuration: a 4-byte big-endian length, then that many bytes,
/// Each connection carries one configuration: a 4-byte big-endian length, then that many bytes,
/// a JSON dictConfig document or a fileConfig INI file, exactly what CPython's `listen()`
/// accepts (and the client in Python's logging cookbook sends). A JSON object is applied with
/// [`Configurator::dict_config`]; anything else is read as INI with
/// [`Configurator::file_config_str`]. Either way the configuration is applied atomically: a
/// payload that is refused, does not parse or does not configure changes nothing, and the
/// reason goes to stderr (or to [`ConfigListenerBuilder::on_reject`]).
///
/// **Anything that can reach the port can reconfigure logging** (send records elsewhere, open
/// files, silence errors) unless `verify` checks a signature. The listener binds 127.0.0.1
/// unless told otherwise; on a shared host, or on any other address, give it a `verify` that
/// checks an HMAC (the `config_listen` example shows one) and keep the key secret.
///
/// ```
/// use std::io::Write;
/// use std::sync::Arc;
/// use pylog_core::config::{ConfigListener, Configurator};
/// use pylog_core::Manager;
///
/// let tree = Manager::new();
/// let listener = ConfigListener::builder()
///     .address("127.0.0.1:0")
///     .configurator(Configurator::for_manager(&tree).env_overrides(false))
///     // CPython's verify returns the bytes to apply, or None to refuse them.
///     .verify(Arc::new(|payload: &[u8]| match payload.strip_prefix(b"trusted:") {
///         Some(config) => Ok(config.to_vec()),
///         None => Err("not from a trusted sender".to_owned()),
///     }))
///     .start()?;
///
/// let config = br#"trusted:{"version": 1, "root": {"level": "ERROR"}}"#;
/// let mut client = std::net::TcpStream::connect(listener.local_addr())?;
/// client.write_all(&(config.len() as u32).to_be_bytes())?;
/// client.write_all(config)?;
/// drop(client);
/// # let end = std::time::Instant::now() + std::time::Duration::from_secs(30);
/// # while listener.applied() < 1 && std::time::Instant::now() < end {
/// #     std::thread::sleep(std::time::Duration::from_millis(10));
/// # }
/// assert_eq!(listener.applied(), 1);
/// assert_eq!(tree.root().level(), pylog_core::Level::ERROR);
/// listener.stop();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ConfigListener {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    local: SocketAddr,
}

impl fmt::Debug for ConfigListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigListener")
            .field("address", &self.local)
            .field("applied", &self.applied())
            .field("rejected", &self.rejected())
            .finish()
    }
}

impl ConfigListener {
    /// A builder (bound to `127.0.0.1:9030` unless told otherwise).
    pub fn builder() -> ConfigListenerBuilder {
        ConfigListenerBuilder {
            address: format!("127.0.0.1:{DEFAULT_LOGGING_CONFIG_PORT}"),
            verify: None,
            configurator: None,
            max_payload: 1 << 20,
            read_timeout: Duration::from_secs(10),
            on_reject: None,
        }
    }

    /// The address it listens on (with the port the system chose for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Configurations applied so far.
    pub fn applied(&self) -> u64 {
        self.shared.applied.load(Ordering::SeqCst)
    }

    /// Payloads refused or failed so far (nothing of them was applied).
    pub fn rejected(&self) -> u64 {
        self.shared.rejected.load(Ordering::SeqCst)
    }

    /// Stops listening and waits for the thread (Python's `stopListening()` and `join()`).
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ConfigListener {
    fn drop(&mut self) {
        self.halt();
    }
}

struct Shared {
    stop: AtomicBool,
    applied: AtomicU64,
    rejected: AtomicU64,
    verify: Option<Verify>,
    configurator: Configurator,
    max_payload: usize,
    read_timeout: Duration,
    on_reject: ConfigRejectHook,
}

fn serve(listener: &TcpListener, shared: &Shared) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, peer)) => match receive(stream, shared).and_then(|p| apply(&p, shared)) {
                Ok(()) => {
                    shared.applied.fetch_add(1, Ordering::SeqCst);
                }
                Err(reason) => {
                    shared.rejected.fetch_add(1, Ordering::SeqCst);
                    (shared.on_reject)(peer, &reason);
                }
            },
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::sleep(POLL),
            Err(_) => std::thread::sleep(POLL),
        }
    }
}

/// Reads one connection's length and payload, then verifies it.
fn receive(mut stream: TcpStream, shared: &Shared) -> Result<Vec<u8>, String> {
    let deadline = Instant::now() + shared.read_timeout;
    stream
        .set_nonblocking(false)
        .map_err(|e| format!("cannot read the connection: {e}"))?;
    let mut length = [0u8; 4];
    read_exact_by(&mut stream, &mut length, deadline, shared)
        .map_err(|e| format!("no 4-byte length arrived: {e}"))?;
    let len = u32::from_be_bytes(length) as usize;
    if len > shared.max_payload {
        return Err(format!(
            "a payload of {len} bytes is more than the limit of {}",
            shared.max_payload
        ));
    }
    let mut payload = vec![0u8; len];
    read_exact_by(&mut stream, &mut payload, deadline, shared)
        .map_err(|e| format!("the payload of {len} bytes did not arrive: {e}"))?;
    match &shared.verify {
        Some(verify) => verify(&payload).map_err(|reason| format!("verify refused it: {reason}")),
        None => Ok(payload),
    }
}

/// `read_exact` that gives up at `deadline` or when the listener stops.
fn read_exact_by(
    stream: &mut TcpStream,
    mut buf: &mut [u8],
    deadline: Instant,
    shared: &Shared,
) -> io::Result<()> {
    while !buf.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || shared.stop.load(Ordering::SeqCst) {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "timed out"));
        }
        stream.set_read_timeout(Some(left.min(POLL * 4)))?;
        match stream.read(buf) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => buf = &mut buf[n..],
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// CPython's order: a JSON object is a dictConfig; anything else is read as a fileConfig INI
/// file (with `disable_existing_loggers=True`, as `fileConfig(file)` has it).
fn apply(payload: &[u8], shared: &Shared) -> Result<(), String> {
    let text =
        std::str::from_utf8(payload).map_err(|e| format!("the payload is not UTF-8 ({e})"))?;
    let is_object = serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_object());
    let result = if is_object {
        Config::from_json(text).and_then(|config| shared.configurator.dict_config(&config))
    } else {
        shared
            .configurator
            .file_config_str(text, "<config::listen>", &[], true)
            .map_err(|e| {
                e.context("the payload is neither a JSON object nor an INI file that configures")
            })
    };
    result.map_err(|e| e.to_string())
}
