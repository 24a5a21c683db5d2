"""What CPython's SMTPHandler sends, byte for byte: runs logging.handlers.SMTPHandler against a
recording SMTP responder on loopback (written here; smtpd is deprecated) for a fixed set of records
and writes the envelope and the DATA payload of each email to expected.json.

    python3 tests/golden/smtp/generate.py

Read by tests/smtp_mail_matches_cpython.rs.
"""

import json
import logging
import logging.handlers
import pathlib
import socketserver
import sys
import threading

HERE = pathlib.Path(__file__).resolve().parent

FROM = "app@example.com"
TO = ["ops@example.com", "dev@example.com"]
FORMAT = "%(levelname)s:%(name)s:%(message)s"

# (case name, logger, level, subject, message)
CASES = [
    ("ascii", "app", logging.ERROR, "Alert from app", "disk full"),
    ("unicode", "app.db", logging.CRITICAL, "Alert from app", "café ☕ naïve — 東京 ünïcödé"),
    ("long_line", "app", logging.ERROR, "Alert from app", "x" * 100 + " end"),
    ("multi_line", "app", logging.WARNING, "Alert from app",
     "line one\nline two\r\nline three\rline four\n"),
    ("dot_lines", "app", logging.ERROR, "Alert from app", "before\n.\n..two dots\nafter"),
    ("empty_message", "app", logging.ERROR, "Alert from app", ""),
]


class Responder(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA (dot-unstuffed), QUIT."""

    def reply(self, text):
        self.wfile.write(text.encode("ascii") + b"\r\n")

    def handle(self):
        self.reply("220 localhost golden responder")
        mail_from, rcpt = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.rstrip(b"\r\n").decode("ascii")
            upper = command.upper()
            if upper.startswith(("EHLO", "HELO")):
                self.reply("250-localhost\r\n250 8BITMIME")
            elif upper.startswith("MAIL FROM:"):
                mail_from = command[10:].split()[0].strip("<>")
                rcpt = []
                self.reply("250 OK")
            elif upper.startswith("RCPT TO:"):
                rcpt.append(command[8:].split()[0].strip("<>"))
                self.reply("250 OK")
            elif upper == "DATA":
                self.reply("354 go ahead")
                data = b""
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b""):
                        break
                    if chunk.startswith(b"."):
                        chunk = chunk[1:]
                    data += chunk
                self.server.received.append(
                    {"mail_from": mail_from, "rcpt_to": rcpt, "data": data.decode("utf-8")}
                )
                self.reply("250 queued")
            elif upper == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


def main():
    server = socketserver.TCPServer(("127.0.0.1", 0), Responder)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    out = []
    try:
        for case, name, level, subject, message in CASES:
            handler = logging.handlers.SMTPHandler(("127.0.0.1", port), FROM, TO, subject)
            handler.setFormatter(logging.Formatter(FORMAT))
            logger = logging.getLogger(name)
            logger.propagate = False
            logger.handlers = [handler]
            logger.setLevel(logging.DEBUG)
            before = len(server.received)
            logger.log(level, message)
            handler.close()
            if len(server.received) != before + 1:
                sys.exit(f"case {case}: no email received")
            mail = server.received[-1]
            out.append({
                "case": case,
                "logger": name,
                "level": level,
                "subject": subject,
                "message": message,
                "format": FORMAT,
                "from": FROM,
                "to": TO,
                **mail,
            })
    finally:
        server.shutdown()
        server.server_close()
    (HERE / "expected.json").write_text(
        json.dumps({"python": sys.version.split()[0], "emails": out}, indent=1, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
