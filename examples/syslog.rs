//! `SysLogHandler` sending to a local UDP listener this example starts itself, then printing what
//! arrived: CPython's bytes (`<PRI>` + ident + message + NUL) and an RFC 5424 message.
//!
//! ```sh
//! cargo run --example syslog --features syslog
//! ```

use std::net::UdpSocket;
use std::time::Duration;

use pylog::syslog::{Facility, Layout};
use pylog::{Formatter, Level, Manager, SysLogHandler};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = UdpSocket::bind("127.0.0.1:0")?;
    listener.set_read_timeout(Some(Duration::from_secs(5)))?;

    // Python: SysLogHandler(address=("127.0.0.1", port), facility=SysLogHandler.LOG_LOCAL3)
    //         handler.ident = "myapp: "
    let python = SysLogHandler::builder()
        .address(listener.local_addr()?)
        .facility(Facility::LOCAL3)
        .ident("myapp: ")
        .build()?
        .with_formatter(Formatter::new("%(levelname)s %(message)s")?);
    let rfc5424 = SysLogHandler::builder()
        .address(listener.local_addr()?)
        .layout(Layout::Rfc5424)
        .app_name("myapp")
        .append_nul(false)
        .build()?;

    let tree = Manager::new();
    let logger = tree.get_logger("app");
    logger.add_handler(python.clone());
    logger.add_handler(rfc5424.clone());
    logger.set_level(Level::INFO);
    logger.warning("disk almost full");
    logger.error(format_args!("{} requests failed", 3));
    python.close(); // delivers what is queued and stops the handler's thread
    rfc5424.close();

    let mut buf = [0u8; 2048];
    for _ in 0..4 {
        let n = listener.recv(&mut buf)?;
        println!("{:?}", String::from_utf8_lossy(&buf[..n]));
    }
    Ok(())
}
