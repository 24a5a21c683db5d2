"""CPython's SocketHandler and DatagramHandler sending a corpus of records, for the receiver tests.

    python3 send.py COOKBOOK_TCP_PORT OUR_TCP_PORT OUR_UDP_PORT

Each record goes, through CPython's own handlers, to the cookbook's TCP receiver (serve.py tcp),
to pylog's receiver over TCP and to pylog's receiver over UDP. The last record's message is END.
"""

import logging
import logging.handlers
import sys


def main():
    cookbook, ours_tcp, ours_udp = (int(p) for p in sys.argv[1:4])
    root = logging.getLogger()
    root.setLevel(1)
    for handler in (
        logging.handlers.SocketHandler("127.0.0.1", cookbook),
        logging.handlers.SocketHandler("127.0.0.1", ours_tcp),
        logging.handlers.DatagramHandler("127.0.0.1", ours_udp),
    ):
        root.addHandler(handler)

    # The cookbook's own client.
    logging.info("Jackdaws love my big sphinx of quartz.")
    logger1 = logging.getLogger("myapp.area1")
    logger2 = logging.getLogger("myapp.area2")
    logger1.debug("Quick zephyrs blow, vexing daft Jim.")
    logger1.info("How quickly daft jumping zebras vex.")
    logger2.warning("Jail zesty vixen who grabbed pay from quack.")
    logger2.error("The five boxing wizards jump quickly.")

    app = logging.getLogger("app")
    app.warning("user %s saved %d rows (%.1f%%)", "ann", 3, 99.5)
    try:
        try:
            {}["missing"]
        except KeyError as e:
            raise RuntimeError("cannot save «report»") from e
    except RuntimeError:
        app.exception("save failed")
    app.critical('café ☕ 日本語 😀 "quoted"\n\ttabbed')
    app.info("with stack", stack_info=True)
    app.log(25, "custom level")
    app.log(9, "below debug")
    logging.getLogger("a.b.c.d.e").info("deep logger")
    app.warning("%s", "x" * 30000)

    extras = logging.getLogger("app.extras")
    extras.info(
        "with extras",
        extra={
            "user": "zoë",
            "count": 7,
            "ratio": 0.5,
            "ok": True,
            "nothing": None,
            "big": 2**70,
            "huge": -(2**200),
            "ids": [1, "a", None, 2.5],
            "meta": {"k": "v", "n": [1, 2]},
            "pair": ("x", 1),
            "quote": "it's",
        },
    )
    try:
        raise ValueError("bad value")
    except ValueError:
        extras.error("extras and an exception", exc_info=True, extra={
            "user": "ann", "count": -1, "ratio": 1e300, "ok": False, "nothing": None,
            "big": 0, "huge": 1, "ids": [], "meta": {}, "pair": (), "quote": '"',
        })

    app.info("END")
    for handler in list(root.handlers):
        handler.close()
        root.removeHandler(handler)


if __name__ == "__main__":
    main()
