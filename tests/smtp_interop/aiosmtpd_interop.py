"""aiosmtpd and CPython's SMTPHandler, for tests/smtp_mail_is_identical_to_cpythons.rs.

    python3 aiosmtpd_interop.py serve PORT
        Runs aiosmtpd (its Controller, with SMTPUTF8 enabled; SIZE and 8BITMIME announced) on
        127.0.0.1:PORT and prints one JSON line per message received: the EHLO name, the
        envelope (MAIL and RCPT with their options) and the DATA bytes (base64), until stdin
        closes.

    python3 aiosmtpd_interop.py send PORT
        Sends every case of cases.json through logging.handlers.SMTPHandler to 127.0.0.1:PORT:
        a record made with logging.makeLogRecord from the case's logger, level, message,
        exc_text and stack_info, formatted by logging.Formatter(case's format), from and to the
        case's addresses when it gives them.
"""

import base64
import json
import logging
import logging.handlers
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
FROM = "app@example.com"
TO = ["ops@example.com", "dev@example.com"]


def serve(port):
    from aiosmtpd.controller import Controller

    class Recorder:
        async def handle_DATA(self, server, session, envelope):
            line = {
                "ehlo": session.host_name,
                "mail_from": envelope.mail_from,
                "mail_options": envelope.mail_options,
                "rcpt_tos": envelope.rcpt_tos,
                "rcpt_options": envelope.rcpt_options,
                "data": base64.b64encode(envelope.original_content).decode("ascii"),
            }
            print(json.dumps(line), flush=True)
            return "250 Message accepted for delivery"

    controller = Controller(Recorder(), hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    print(json.dumps({"listening": port}), flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


def send(port):
    cases = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))["cases"]
    for case in cases:
        handler = logging.handlers.SMTPHandler(("127.0.0.1", port), case.get("from", FROM),
                                               case.get("to", TO), case["subject"])
        handler.setFormatter(logging.Formatter(case["format"]))
        record = logging.makeLogRecord({
            "name": case["logger"],
            "levelno": logging.getLevelName(case["level"]),
            "levelname": case["level"],
            "msg": case["message"],
            "exc_text": case["exc_text"],
            "stack_info": case["stack_info"],
        })
        handler.handle(record)
        handler.close()


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    {"serve": serve, "send": send}[mode](port)
