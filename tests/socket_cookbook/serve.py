"""Runs the cookbook's TCP receiver (or the matching UDP one) for the tests.

    python3 serve.py tcp|udp

The receiver classes are used unchanged, with the cookbook main()'s basicConfig format, on a port
the system picks (printed first on stdout as `PORT <n>`, so parallel tests never collide on 9020).
Beside the cookbook's own output on stderr, each record's __dict__ is printed on stdout as one
JSON line (`DICT {...}`), taken before any formatter adds `message` or `asctime`, so the test can
compare every field with CPython's own. With COOKBOOK_EXTRAS_FORMAT set, the records of the
logger `app.extras` are also formatted with it and printed on stdout as `EXTRA <text>`. The test
kills the process when it is done.
"""

import json
import logging
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import logrecord_datagram_receiver  # noqa: E402
import logrecord_socket_receiver  # noqa: E402


class DictDump(logging.Handler):
    def emit(self, record):
        d = {k: v for k, v in record.__dict__.items() if k not in ("message", "asctime")}
        line = json.dumps(d, ensure_ascii=False, default=repr)
        sys.stdout.write("DICT " + line + "\n")
        sys.stdout.flush()


def main():
    kind = sys.argv[1]
    # The cookbook's main(): its format, on stderr.
    logging.basicConfig(
        format='%(relativeCreated)5d %(name)-15s %(levelname)-8s %(message)s')
    # Before the cookbook's handler, so the dict is the one makeLogRecord made.
    logging.getLogger().handlers.insert(0, DictDump())
    extras_format = os.environ.get("COOKBOOK_EXTRAS_FORMAT")
    if extras_format:
        extras = logging.StreamHandler(sys.stdout)
        extras.terminator = "\n"
        extras.setFormatter(logging.Formatter("EXTRA " + extras_format))
        logging.getLogger("app.extras").addHandler(extras)
    if kind == "tcp":
        server = logrecord_socket_receiver.LogRecordSocketReceiver(port=0)
        serve = server.serve_until_stopped
    else:
        server = logrecord_datagram_receiver.LogRecordDatagramReceiver(port=0)
        serve = server.serve_forever
    print("PORT %d" % server.server_address[1], flush=True)
    # Exit when the test closes our stdin, as well as when it kills us.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    serve()


if __name__ == "__main__":
    main()
