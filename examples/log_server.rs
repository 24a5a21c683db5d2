//! A log server for a fleet of Python programs: it applies a dictConfig (or fileConfig) file,
//! then receives the records CPython's `SocketHandler` and `DatagramHandler` send and hands each
//! to the configured loggers, as the logging cookbook's receiver does with `makeLogRecord`.
//!
//! ```sh
//! cargo run --example log_server --features socket -- examples/log_server.yaml
//! cargo run --example log_server --features socket -- logging.json --tcp 0.0.0.0:9020 --udp none
//! ```
//!
//! Then, in Python:
//!
//! ```python
//! import logging, logging.handlers
//! logging.getLogger().addHandler(logging.handlers.SocketHandler("localhost", 9020))
//! logging.getLogger("app").warning("disk almost full")
//! ```
//!
//! Options: `--tcp ADDR` (default `127.0.0.1:9020`, CPython's `DEFAULT_TCP_LOGGING_PORT`),
//! `--udp ADDR` (default `127.0.0.1:9021`), `none` to turn one off; `--max-frame BYTES`;
//! `--until-eof` stops when standard input closes (for supervisors and tests; otherwise it runs
//! until killed). Refused frames are reported on stderr; on stopping, the counts are printed and
//! every handler is flushed and closed.

use std::io::Read;
use std::process::ExitCode;

use pylog::config::Configurator;
use pylog::receiver::{DEFAULT_TCP_LOGGING_PORT, DEFAULT_UDP_LOGGING_PORT, Receiver};

struct Options {
    config: String,
    tcp: Option<String>,
    udp: Option<String>,
    max_frame: Option<usize>,
    until_eof: bool,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        config: String::new(),
        tcp: Some(format!("127.0.0.1:{DEFAULT_TCP_LOGGING_PORT}")),
        udp: Some(format!("127.0.0.1:{DEFAULT_UDP_LOGGING_PORT}")),
        max_frame: None,
        until_eof: false,
    };
    let address = |value: Option<String>, flag: &str| match value.as_deref() {
        None => Err(format!("{flag} needs an address (or none)")),
        Some("none") => Ok(None),
        Some(addr) => Ok(Some(addr.to_owned())),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--tcp" => options.tcp = address(args.next(), "--tcp")?,
            "--udp" => options.udp = address(args.next(), "--udp")?,
            "--max-frame" => {
                let value = args.next().unwrap_or_default();
                options.max_frame =
                    Some(value.parse().map_err(|_| {
                        format!("--max-frame needs a number of bytes, not {value:?}")
                    })?);
            }
            "--until-eof" => options.until_eof = true,
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            path if options.config.is_empty() => options.config = path.to_owned(),
            extra => return Err(format!("one configuration file only, not also {extra:?}")),
        }
    }
    if options.config.is_empty() {
        return Err(
            "usage: log_server CONFIG_FILE [--tcp ADDR|none] [--udp ADDR|none] \
                    [--max-frame BYTES] [--until-eof]"
                .to_owned(),
        );
    }
    Ok(options)
}

fn run(options: Options) -> Result<(), Box<dyn std::error::Error>> {
    Configurator::new().load_path(&options.config)?;
    let mut builder = Receiver::builder();
    if let Some(addr) = &options.tcp {
        builder = builder.tcp(addr.as_str());
    }
    if let Some(addr) = &options.udp {
        builder = builder.udp(addr.as_str());
    }
    if let Some(bytes) = options.max_frame {
        builder = builder.max_frame(bytes);
    }
    let receiver = builder.start()?;
    let show =
        |addr: Option<std::net::SocketAddr>| addr.map_or("off".to_owned(), |a| a.to_string());
    eprintln!(
        "log_server: {} applied; TCP {}, UDP {}",
        options.config,
        show(receiver.tcp_addr()),
        show(receiver.udp_addr())
    );
    if options.until_eof {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    } else {
        loop {
            std::thread::park();
        }
    }
    let stats = receiver.stats();
    receiver.stop();
    eprintln!(
        "log_server: {} records, {} refused {:?}, {} connections",
        stats.records, stats.rejected, stats.rejections, stats.connections
    );
    pylog::shutdown();
    Ok(())
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("log_server: {message}");
            return ExitCode::from(2);
        }
    };
    match run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("log_server: {e}");
            ExitCode::FAILURE
        }
    }
}
