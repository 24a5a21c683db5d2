//! CPython's own `SocketHandler` and `DatagramHandler` (`tests/socket_cookbook/send.py`, run by
//! python3) send a corpus of records (the cookbook's client, `%` arguments, a chained exception,
//! non-ASCII text, `stack_info`, custom levels, a 30,000-character message, extras of every
//! type) at once to the logging cookbook's receiver (run unchanged) and to our `Receiver` over
//! TCP and over UDP. What our receivers print through a `Formatter` with the cookbook's format is
//! what the cookbook's receiver prints, byte for byte; the extras, formatted on both sides with
//! one format, are equal too.

mod socket_cookbook;

use std::time::{Duration, Instant};

use pylog::receiver::Receiver;
use pylog::{Formatter, Level, Manager, SharedWriter, StreamHandler};
use socket_cookbook::{Server, python3, send};

const COOKBOOK_FORMAT: &str = "%(relativeCreated)5d %(name)-15s %(levelname)-8s %(message)s";
const EXTRAS_FORMAT: &str = "%(user)s|%(user)r|%(count)d|%(count)5.1f|%(ratio)s|%(ratio)r|%(ok)s|\
%(nothing)s|%(big)s|%(big)d|%(huge)s|%(ids)s|%(meta)s|%(pair)s|%(quote)s|%(quote)r";

/// One of our receivers with its tree: the cookbook's format on the root, the extras format on
/// `app.extras`.
struct Ours {
    receiver: Receiver,
    out: SharedWriter,
    extras: SharedWriter,
}

fn ours(tcp: bool) -> Ours {
    let tree = Manager::new();
    tree.root().set_level(Level::WARNING); // as basicConfig leaves it; handle() ignores it
    let out = SharedWriter::new();
    tree.root().add_handler(
        StreamHandler::writer(out.clone()).with_formatter(Formatter::new(COOKBOOK_FORMAT).unwrap()),
    );
    let extras = SharedWriter::new();
    tree.get_logger("app.extras").add_handler(
        StreamHandler::writer(extras.clone())
            .with_formatter(Formatter::new(&format!("EXTRA {EXTRAS_FORMAT}")).unwrap()),
    );
    let builder = Receiver::builder().manager(&tree);
    let builder = if tcp {
        builder.tcp("127.0.0.1:0")
    } else {
        builder.udp("127.0.0.1:0")
    };
    Ours {
        receiver: builder.start().unwrap(),
        out,
        extras,
    }
}

fn wait_for_end(out: &SharedWriter) -> String {
    let end = Instant::now() + Duration::from_secs(60);
    while Instant::now() < end {
        let text = out.contents();
        if text.ends_with(" END\n") {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("END did not arrive; got:\n{}", out.contents());
}

/// Fails at the first line that differs (long lines shortened), then on any other difference.
fn assert_same_lines(ours: &str, cookbook: &str, transport: &str) {
    let short = |l: &str| l.chars().take(300).collect::<String>();
    for (i, (a, b)) in ours.lines().zip(cookbook.lines()).enumerate() {
        assert!(
            a == b,
            "{transport}: line {i} differs:\n ours:     {}\n cookbook: {}",
            short(a),
            short(b)
        );
    }
    assert_eq!(
        ours.lines().count(),
        cookbook.lines().count(),
        "{transport}: line count"
    );
    assert!(
        ours == cookbook,
        "{transport}: the texts differ (line ends?)"
    );
}

#[test]
fn cpythons_records_print_as_the_cookbooks_receiver_prints_them() {
    let Some(python) = python3() else { return };
    let cookbook = Server::start(python, "tcp", Some(EXTRAS_FORMAT));
    let tcp = ours(true);
    let udp = ours(false);
    let Some(python) = python3() else { return };
    send(
        python,
        &[
            cookbook.port.to_string(),
            tcp.receiver.tcp_addr().unwrap().port().to_string(),
            udp.receiver.udp_addr().unwrap().port().to_string(),
        ],
    );

    let timeout = Duration::from_secs(60);
    let printed = cookbook
        .stderr
        .until(timeout, |l| l.ends_with(" END"))
        .join("\n")
        + "\n";
    let extras: Vec<String> = cookbook
        .stdout
        .until(timeout, |l| l.contains(r#""msg": "END""#))
        .into_iter()
        .filter(|l| !l.starts_with("DICT "))
        .collect();
    assert_eq!(
        extras.iter().filter(|l| l.starts_with("EXTRA ")).count(),
        2,
        "both extras records were formatted by CPython"
    );
    let extras = extras.join("\n") + "\n";
    assert!(printed.contains("KeyError: 'missing'"), "{printed}");
    assert!(
        printed.contains("Stack (most recent call last):"),
        "{printed}"
    );

    for (transport, ours) in [("tcp", &tcp), ("udp", &udp)] {
        let text = wait_for_end(&ours.out);
        assert_same_lines(&text, &printed, transport);
        assert_same_lines(&ours.extras.contents(), &extras, transport);
        // The count goes up once the record is handled, just after its line is written.
        let end = Instant::now() + Duration::from_secs(10);
        while ours.receiver.stats().records < 16 && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(10));
        }
        let stats = ours.receiver.stats();
        assert_eq!(
            (stats.records, stats.rejected),
            (16, 0),
            "{transport}: {stats:?}"
        );
    }
    tcp.receiver.stop();
    udp.receiver.stop();
}
