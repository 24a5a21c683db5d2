//! CR and LF in what a record carries (the message, the logger name, an extra field used in the
//! subject) never add a header, a recipient or a second email at the server.

mod smtp_common;

use pylog::{Formatter, Level, Manager, SmtpHandler};
use smtp_common::{Options, Server};

const INJECTED: &str = "\r\nBcc: victim@example.com";
/// An SMTP-smuggling attempt: end the DATA early and start a second mail.
const SMUGGLED: &str = "\r\n.\r\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nSubject: smuggled\r\n\r\nhi\r\n.\r\n";

#[test]
fn crlf_in_message_logger_name_and_subject_fields_adds_no_header() {
    let server = Server::start(Options::default());
    let handler = SmtpHandler::builder(
        "127.0.0.1",
        "app@example.com",
        ["ops@example.com"],
        "%(levelname)s %(name)s %(user)s %(message)s",
    )
    .port(server.port())
    .build()
    .unwrap()
    .with_formatter(Formatter::new("%(name)s %(user)s: %(message)s").unwrap());
    let tree = Manager::new();
    let name = format!("app{INJECTED}");
    let logger = tree.get_logger(&name);
    logger.add_handler(handler.clone());
    let user = format!("bob{INJECTED}");
    let message = format!("boom{INJECTED}{SMUGGLED}");
    logger
        .event(Level::ERROR)
        .extra("user", user.as_str())
        .log(&message);
    handler.close();

    let mails = server.mails();
    assert_eq!(mails.len(), 1, "one email, no smuggled second one");
    let mail = &mails[0];
    assert_eq!(mail.rcpt_to, ["ops@example.com"]);
    let names: Vec<String> = mail.headers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "From",
            "To",
            "Subject",
            "Date",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version"
        ],
        "{}",
        mail.text()
    );
    let subject = mail.header("Subject").unwrap();
    assert!(
        subject.starts_with("ERROR app Bcc: victim@example.com bob Bcc: victim@example.com boom Bcc: victim@example.com"),
        "{subject}"
    );
    // The body holds the text as text, its lines made uniform.
    let (_, body) = mail.split();
    assert!(
        body.starts_with("app\r\nBcc: victim@example.com bob\r\nBcc: victim@example.com: boom\r\n"),
        "{body}"
    );
    assert!(
        body.contains("\r\n.\r\nMAIL FROM:<evil@example.com>\r\n"),
        "{body}"
    );
    assert_eq!(handler.stats().errors, 0);
}
