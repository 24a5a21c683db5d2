"""Golden data for the socket handlers: what CPython's SocketHandler and DatagramHandler send.

Runs CPython's own handlers against loopback receivers that read each frame (4-byte big-endian
length, then the pickle), unpickle it and keep the dict; writes the dicts, keyed by case, to
records.json beside this script. The Rust test tests/socket_records_match_cpythons_dicts.rs logs
the same cases through pylog's handlers and compares.

For the receiver, `frames` holds each case's frame as CPython's makePickle writes it for the
dict ([case, base64] pairs, in the order logged), and `cookbook_output` what the logging cookbook's receiver prints for those frames
(makeLogRecord, then its main()'s format), and `extras_output` the extras of the
unicode_and_extras case through one more format; tests/receiver_reads_cpythons_frames.rs feeds
the frames to pylog's receiver and compares.

Paths in the records (pathname, and the file names inside exc_text and stack_info) are made
relative to the repository root, so the file does not depend on where the checkout is:

    python3 tests/golden/socket/generate.py
"""

import base64
import json
import logging
import logging.handlers
import os
import pickle
import socket
import struct
import sys
import threading


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed inside a frame")
        data += chunk
    return data


def tcp_receiver(listener, received, count):
    conn, _ = listener.accept()
    with conn:
        for _ in range(count):
            (length,) = struct.unpack(">L", read_exact(conn, 4))
            received.append(pickle.loads(read_exact(conn, length)))


def emit_records(app, db):
    """The cases, in order; the Rust test builds the same ones under the same names."""
    cases = []

    cases.append("plain")
    app.info("plain message")

    cases.append("arguments")
    app.warning("user %s saved %d rows", "ann", 3)

    cases.append("chained_error")
    try:
        try:
            raise OSError(28, "No space left on device")
        except OSError as e:
            raise RuntimeError("cannot save") from e
    except RuntimeError:
        app.exception("save failed")

    cases.append("unicode_and_extras")
    app.critical(
        'café ☕ 日本語 😀 "quoted"\n\ttabbed',
        extra={"user": "zoë", "count": 7, "ratio": 0.5, "ok": True, "nothing": None},
    )

    cases.append("custom_level")
    app.log(25, "custom level")

    cases.append("dotted_logger_debug")
    db.debug("pool ready")

    cases.append("stack_info")
    app.info("with stack", stack_info=True)
    return cases


def relative_paths(value, root):
    """The value with every mention of the repository root removed, recursively."""
    if isinstance(value, str):
        return value.replace(root + os.sep, "")
    if isinstance(value, dict):
        return {k: relative_paths(v, root) for k, v in value.items()}
    return value


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    app = logging.getLogger("app")
    app.setLevel(logging.DEBUG)
    app.propagate = False
    db = logging.getLogger("app.db.pool")

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    received = []
    # The number of records emit_records logs.
    count = 7
    thread = threading.Thread(target=tcp_receiver, args=(listener, received, count))
    thread.start()
    handler = logging.handlers.SocketHandler("127.0.0.1", port)
    app.addHandler(handler)
    cases = emit_records(app, db)
    assert len(cases) == count, cases
    handler.close()
    app.removeHandler(handler)
    thread.join(10)
    listener.close()
    if len(received) != count:
        sys.exit(f"received {len(received)} records of {count}")

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(10)
    datagram_handler = logging.handlers.DatagramHandler("127.0.0.1", udp.getsockname()[1])
    app.addHandler(datagram_handler)
    app.error("one datagram")
    datagram_handler.close()
    data = udp.recv(65536)
    udp.close()
    (length,) = struct.unpack(">L", data[:4])

    out = {
        "python": sys.version.split()[0],
        "records": dict(zip(cases, received)),
        "datagram": {
            "length_prefix_is_payload_length": length == len(data) - 4,
            "record": pickle.loads(data[4:]),
        },
    }
    out = relative_paths(out, root)
    cookbook = logging.Formatter(
        "%(relativeCreated)5d %(name)-15s %(levelname)-8s %(message)s")
    out["frames"] = []
    lines = []
    for case in cases:
        d = out["records"][case]
        payload = pickle.dumps(d, 1)
        frame = struct.pack(">L", len(payload)) + payload
        out["frames"].append([case, base64.b64encode(frame).decode()])
        lines.append(cookbook.format(logging.makeLogRecord(dict(d))) + "\n")
    out["cookbook_output"] = "".join(lines)
    extras = logging.Formatter("%(user)s|%(user)r|%(count)d|%(ratio)s|%(ok)s|%(nothing)s")
    out["extras_output"] = extras.format(
        logging.makeLogRecord(dict(out["records"]["unicode_and_extras"])))
    with open(os.path.join(here, "records.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
