"""CPython's logging.FileHandler on the event and format of benches/file_peers.rs.

Usage: python3 benches/file_peers.py DIR RECORDS

Logs RECORDS `ERROR` records (`request handled in %d ms`, logger `bench.app`) through a
FileHandler on DIR/python.log with `%(asctime)s - %(name)s - %(levelname)s - %(message)s`, after a
warm-up of 1000 records that is not counted, and prints the nanoseconds the records and the final
flush took. FileHandler flushes every record, so every line reached the kernel when the call
returned, as with pylog's default FileHandler.
"""

import logging
import os
import sys
import time


def main():
    directory, records = sys.argv[1], int(sys.argv[2])
    handler = logging.FileHandler(os.path.join(directory, "python.log"))
    handler.setFormatter(
        logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s")
    )
    logger = logging.getLogger("bench.app")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    for i in range(min(records, 1000)):
        logger.error("request handled in %d ms", i)
    start = time.perf_counter_ns()
    for i in range(records):
        logger.error("request handled in %d ms", i)
    handler.flush()
    elapsed = time.perf_counter_ns() - start
    handler.close()
    print(elapsed)


if __name__ == "__main__":
    main()
