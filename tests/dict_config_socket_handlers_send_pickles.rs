//! `logging.handlers.SocketHandler` and `DatagramHandler` named in a dictConfig send CPython's
//! pickled frames, as the builders do: a receiver reading `makePickle` frames gets each record.

use std::time::{Duration, Instant};

use pylog::config::{Config, Configurator};
use pylog::receiver::Receiver;
use pylog::{Formatter, Manager, SharedWriter, StreamHandler};

#[test]
fn configured_socket_and_datagram_handlers_reach_a_pickle_receiver() {
    let server = Manager::new();
    let out = SharedWriter::new();
    server
        .root()
        .add_handler(StreamHandler::writer(out.clone()).with_formatter(
            Formatter::new("%(name)s %(levelname)s %(message)s %(user)s").unwrap(),
        ));
    let receiver = Receiver::builder()
        .tcp("127.0.0.1:0")
        .udp("127.0.0.1:0")
        .manager(&server)
        .start()
        .unwrap();
    let config = Config::from_json(&format!(
        r#"{{
            "version": 1,
            "handlers": {{
                "tcp": {{"class": "logging.handlers.SocketHandler", "host": "127.0.0.1", "port": {}}},
                "udp": {{"class": "logging.handlers.DatagramHandler", "host": "127.0.0.1", "port": {}}}
            }},
            "loggers": {{"app": {{"level": "INFO", "handlers": ["tcp", "udp"]}}}}
        }}"#,
        receiver.tcp_addr().unwrap().port(),
        receiver.udp_addr().unwrap().port()
    ))
    .unwrap();
    let client = Manager::new();
    Configurator::for_manager(&client)
        .env_overrides(false)
        .dict_config(&config)
        .unwrap();
    client
        .get_logger("app")
        .event(pylog::Level::WARNING)
        .extra("user", "zoë")
        .log("sent twice");
    for handler in client.get_logger("app").handlers() {
        handler.flush();
    }

    let end = Instant::now() + Duration::from_secs(30);
    while receiver.stats().records < 2 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        out.contents(),
        "app WARNING sent twice zoë\napp WARNING sent twice zoë\n"
    );
    assert_eq!(receiver.stats().rejected, 0);
    for handler in client.get_logger("app").handlers() {
        handler.close();
    }
    receiver.stop();
}
