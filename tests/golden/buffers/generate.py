#!/usr/bin/env python3
"""Golden data for the buffering handlers, produced by CPython 3.11.

This script drives CPython's ``logging.handlers.MemoryHandler``,
``BufferingHandler`` (subclassed, as CPython intends) and
``QueueHandler`` + ``QueueListener`` through scripted scenarios and records,
after every step, what the *target* handlers' streams contain: what reaches
the target, and when.  The Rust test
``tests/buffering_handlers_match_cpython.rs`` replays every scenario with
pylog's handlers and compares every snapshot byte for byte.

How to re-run (from the repository root; CPython 3.11, stdlib only)::

    python3 tests/golden/buffers/generate.py

It writes ``expected.json`` next to this script (``indent=1``, UTF-8,
trailing newline).  The output is deterministic: no timestamps, thread ids
or tracebacks appear in it (formats only use ``levelname``, ``name`` and
``message``; exception text is a fixed stand-in string set as
``record.exc_text``), and running the script twice gives byte-identical
files.

``expected.json`` is a list of scenarios::

    {
     "title":    unique human-readable description,
     "handler":  "memory" | "buffering" | "queue",
     "params":   the handler under test (keys absent => CPython default):
                   memory:    capacity, flushLevel, target (a target id or
                              null), flushOnClose, level, filter,
                              inner_capacity (the target is then
                              MemoryHandler(inner_capacity, target=<target>))
                   buffering: capacity,
                              should_flush: null (CPython's capacity rule) |
                                {"min_level": N}  record.levelno >= N |
                                {"suffix": S}     message ends with S,
                              on_flush: "discard" (CPython's flush: zap the
                                buffer) | "target" (hand every buffered
                                record to the first target, then zap),
                              level
                   queue:     respect_handler_level, format (the
                              QueueHandler's own Formatter fmt, or null for
                              the default), level, filter
     "targets":  [{"id", "level", "filter"}] StreamHandlers on io.StringIO
                 with Formatter(FORMAT), the given level (0 = NOTSET) and
                 an optional logging.Filter(name).  For "queue" every
                 target is one of the listener's handlers, in order;
                 for "memory" params.target names the initial target.
     "steps":    one of
                   {"op": "log", "name", "level", "msg",
                    "exc_text", "stack_info"}
                       logging.getLogger(name).makeRecord(...) with
                       pathname "(unknown file)", lineno 0, no args; then
                       record.exc_text / record.stack_info set when not
                       null; then logging.getLogger(name).handle(record).
                       The logger "golden" has level 1 and propagate False
                       and the handler under test is its only handler;
                       "golden.child" propagates to it.
                       In "queue" scenarios a log step may carry
                       "wait": false: the script does not wait for the
                       listener and the step's snapshot is null.
                   {"op": "flush"}   handler.flush()
                   {"op": "close"}   handler.close()
                   {"op": "set_target", "target": id | null}
                       MemoryHandler.setTarget
                   {"op": "stop"}    QueueListener.stop()
     "snapshots": one per step (null for a "wait": false step), taken after it: {target id: the stream's
                 getvalue()}, plus for "buffering" "batches": the sizes of
                 the buffer at every flush() call so far.  For "queue",
                 while the listener runs the snapshot is taken after
                 queue.join() (the listener calls task_done), so it is
                 deterministic.
     "known_difference": present only when pylog deliberately differs
                 (documented on the Rust side); the text says how.
    }

Skipped because they have no Rust meaning:

* a QueueListener that is constructed but not started, or started again
  after stop(): pylog's listener starts when it is built and cannot be
  restarted, so records left in the queue can never be picked up later;
* stop() called twice (CPython raises AttributeError);
* a queue other than queue.Queue (SimpleQueue, multiprocessing queues).
"""

import io
import json
import logging
import logging.handlers
import os
import queue

HERE = os.path.dirname(os.path.abspath(__file__))
FORMAT = "%(levelname)s:%(name)s:%(message)s"
EXC = (
    "Traceback (most recent call last):\n"
    '  File "app.py", line 3, in <module>\n'
    "ZeroDivisionError: division by zero"
)
STACK = (
    "Stack (most recent call last):\n"
    '  File "app.py", line 7, in <module>\n'
    "    log.error('with stack', stack_info=True)"
)

DEBUG, INFO, WARNING, ERROR, CRITICAL = 10, 20, 30, 40, 50
# Custom levels are 15, 25 and 45 ("Level 15" ...), never 5: pylog
# registers 5 as TRACE (tracing's level), a naming difference these
# scenarios are not about.


# --------------------------------------------------------------------------
# Step constructors
# --------------------------------------------------------------------------


def log(level, msg, name="golden", exc_text=None, stack_info=None):
    return {
        "op": "log",
        "name": name,
        "level": level,
        "msg": msg,
        "exc_text": exc_text,
        "stack_info": stack_info,
    }


def debug(msg, **kw):
    return log(DEBUG, msg, **kw)


def info(msg, **kw):
    return log(INFO, msg, **kw)


def warning(msg, **kw):
    return log(WARNING, msg, **kw)


def error(msg, **kw):
    return log(ERROR, msg, **kw)


def critical(msg, **kw):
    return log(CRITICAL, msg, **kw)


def nowait(step):
    """A queue scenario's log step after which the script does not wait for
    the listener: its snapshot is null (not taken, not compared)."""
    return dict(step, wait=False)


FLUSH = {"op": "flush"}
CLOSE = {"op": "close"}
STOP = {"op": "stop"}


def set_target(target):
    return {"op": "set_target", "target": target}


def target(id_, level=0, filter_=None):
    return {"id": id_, "level": level, "filter": filter_}


T = [target("t")]


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------


def memory(title, params, targets, steps, **extra):
    return dict(title=title, handler="memory", params=params, targets=targets,
                steps=steps, **extra)


def buffering(title, params, targets, steps, **extra):
    return dict(title=title, handler="buffering", params=params,
                targets=targets, steps=steps, **extra)


def queued(title, params, targets, steps, **extra):
    return dict(title=title, handler="queue", params=params, targets=targets,
                steps=steps, **extra)


SCENARIOS = [
    # ---------------------------------------------------------- MemoryHandler
    memory("memory: capacity 3 flushes on the third record",
           {"capacity": 3, "target": "t"}, T,
           [info("one"), info("two"), info("three"), info("four"),
            info("five"), FLUSH, FLUSH]),
    memory("memory: an ERROR record flushes the whole buffer (default flushLevel)",
           {"capacity": 100, "target": "t"}, T,
           [debug("d"), info("i"), warning("w"), error("e"), info("after")]),
    memory("memory: flushLevel WARNING",
           {"capacity": 100, "flushLevel": WARNING, "target": "t"}, T,
           [debug("d"), info("i"), warning("w"), info("i2"), critical("c")]),
    memory("memory: flushLevel CRITICAL: ERROR does not flush",
           {"capacity": 100, "flushLevel": CRITICAL, "target": "t"}, T,
           [error("e1"), error("e2"), critical("c"), error("e3")]),
    memory("memory: records at every level, flushLevel above CRITICAL, close flushes",
           {"capacity": 100, "flushLevel": 60, "target": "t"}, T,
           [log(15, "fifteen"), debug("d"), info("i"), log(25, "twenty-five"),
            warning("w"), error("e"), log(45, "forty-five"), critical("c"),
            CLOSE]),
    memory("memory: capacity 1 passes every record at once",
           {"capacity": 1, "flushLevel": 60, "target": "t"}, T,
           [debug("a"), info("b"), FLUSH, critical("c")]),
    memory("memory: capacity 0 passes every record at once",
           {"capacity": 0, "flushLevel": 60, "target": "t"}, T,
           [debug("a"), info("b")]),
    memory("memory: flushOnClose true flushes on close",
           {"capacity": 10, "target": "t", "flushOnClose": True}, T,
           [info("a"), info("b"), CLOSE]),
    memory("memory: flushOnClose false drops the buffer on close",
           {"capacity": 10, "target": "t", "flushOnClose": False}, T,
           [info("a"), info("b"), CLOSE]),
    memory("memory: records after close go nowhere (the target is gone)",
           {"capacity": 2, "target": "t", "flushOnClose": False}, T,
           [info("a"), CLOSE, info("b"), error("c"), FLUSH]),
    memory("memory: without a target the buffer is kept, then delivered by setTarget + flush",
           {"capacity": 2}, T,
           [info("a"), info("b"), error("c"), FLUSH, set_target("t"),
            FLUSH, info("d")]),
    memory("memory: without a target, a later capacity flush delivers the old records",
           {"capacity": 2}, T,
           [info("a"), info("b"), info("c"), set_target("t"), info("d")]),
    memory("memory: setTarget replaces the target",
           {"capacity": 2, "target": "t1"}, [target("t1"), target("t2")],
           [info("a"), info("b"), info("c"), set_target("t2"), info("d"),
            error("e"), CLOSE]),
    memory("memory: setTarget(None) keeps the buffer until a target is back",
           {"capacity": 2, "target": "t"}, T,
           [info("a"), set_target(None), info("b"), error("c"),
            set_target("t"), FLUSH]),
    memory("memory: the target's own level is ignored",
           {"capacity": 100, "target": "t"}, [target("t", level=CRITICAL)],
           [debug("d"), info("i"), warning("w"), error("e")]),
    memory("memory: the target's filter applies, and filtered records are discarded",
           {"capacity": 100, "target": "t"},
           [target("t", filter_="golden.child")],
           [info("parent"), info("kid", name="golden.child"),
            info("other", name="golden.childish"), error("boom"),
            error("kid boom", name="golden.child"), FLUSH]),
    memory("memory: the memory handler's own level is checked by the logger",
           {"capacity": 100, "target": "t", "level": WARNING}, T,
           [debug("d"), info("i"), warning("w"), error("e")]),
    memory("memory: the memory handler's own filter decides what is buffered",
           {"capacity": 2, "target": "t", "filter": "golden.child"}, T,
           [info("parent"), info("kid1", name="golden.child"),
            info("parent2"), info("kid2", name="golden.child")]),
    memory("memory: exception text reaches the target after the message",
           {"capacity": 100, "target": "t"}, T,
           [info("before"), error("failed", exc_text=EXC)]),
    memory("memory: exception text after a message ending in a newline",
           {"capacity": 100, "target": "t"}, T,
           [error("failed\n", exc_text=EXC)]),
    memory("memory: stack info and exception text",
           {"capacity": 100, "target": "t"}, T,
           [warning("stacked", stack_info=STACK), FLUSH,
            error("both", exc_text=EXC, stack_info=STACK)]),
    memory("memory: flush with an empty buffer, close twice",
           {"capacity": 5, "target": "t"}, T,
           [FLUSH, info("a"), CLOSE, CLOSE]),
    memory("memory: a memory handler as the target of a memory handler",
           {"capacity": 100, "target": "t", "inner_capacity": 2}, T,
           [info("a"), info("b"), info("c"), error("d"), CLOSE]),
    memory("memory: flushOnClose false, buffer kept after close reaches a new target",
           {"capacity": 10, "target": "t", "flushOnClose": False}, T,
           [info("kept"), CLOSE, set_target("t"), FLUSH]),
    memory("memory: no target at close, buffer kept after close reaches a new target",
           {"capacity": 10}, T,
           [info("kept"), CLOSE, set_target("t"), FLUSH, info("more"),
            FLUSH]),
    # ------------------------------------------------------ BufferingHandler
    buffering("buffering: CPython's flush discards the buffer at capacity",
              {"capacity": 2, "on_flush": "discard"}, [],
              [info("a"), info("b"), info("c"), FLUSH, info("d"), CLOSE]),
    buffering("buffering: capacity 0 flushes after every record",
              {"capacity": 0, "on_flush": "discard"}, [],
              [info("a"), error("b"), CLOSE]),
    buffering("buffering: the level does not matter to the default shouldFlush",
              {"capacity": 3, "on_flush": "target"}, T,
              [critical("c1"), critical("c2"), debug("d"), CLOSE]),
    buffering("buffering: a flush that hands the records to a target",
              {"capacity": 2, "on_flush": "target"}, T,
              [info("a"), info("b"), info("c"), FLUSH, FLUSH, info("d"),
               CLOSE]),
    buffering("buffering: custom shouldFlush on WARNING and above",
              {"capacity": 100, "should_flush": {"min_level": WARNING},
               "on_flush": "target"}, T,
              [debug("d"), info("i"), warning("w"), info("i2"), error("e"),
               info("left"), CLOSE]),
    buffering("buffering: custom shouldFlush on a message ending in '!'",
              {"capacity": 2, "should_flush": {"suffix": "!"},
               "on_flush": "target"}, T,
              [info("a"), info("b"), info("c"), info("now!"), info("d"),
               FLUSH]),
    buffering("buffering: the buffering handler's own level",
              {"capacity": 2, "on_flush": "target", "level": INFO}, T,
              [debug("d1"), debug("d2"), info("i1"), info("i2"), CLOSE]),
    buffering("buffering: the target's level is not checked by the flush",
              {"capacity": 2, "on_flush": "target"},
              [target("t", level=ERROR)],
              [info("a"), warning("b")]),
    # ------------------------------------------------ QueueHandler/Listener
    queued("queue: respect_handler_level false ignores the handlers' levels",
           {"respect_handler_level": False},
           [target("all"), target("errors", level=ERROR)],
           [debug("d"), info("i"), error("e"), FLUSH, CLOSE, info("closed")]),
    queued("queue: respect_handler_level true checks each handler's level",
           {"respect_handler_level": True},
           [target("info", level=INFO), target("warn", level=WARNING),
            target("err", level=ERROR)],
           [log(15, "fifteen"), debug("d"), info("i"), warning("w"), error("e"),
            log(45, "forty-five"), critical("c")]),
    queued("queue: the queue handler's formatter output is the listener's message",
           {"format": "%(levelname)s:%(message)s"}, T,
           [info("hello"), warning("careful", name="golden.child")]),
    queued("queue: exception text is folded into the message",
           {}, T,
           [error("failed", exc_text=EXC), info("plain")]),
    queued("queue: exception text with the queue handler's formatter",
           {"format": "%(levelname)s:%(message)s"}, T,
           [error("failed", exc_text=EXC),
            error("failed\n", exc_text=EXC)]),
    queued("queue: stack info is folded into the message",
           {}, T,
           [warning("stacked", stack_info=STACK),
            error("both", exc_text=EXC, stack_info=STACK)]),
    queued("queue: the queue handler's own level and filter",
           {"level": WARNING, "filter": "golden.child"}, T,
           [info("i", name="golden.child"), warning("w"),
            warning("w", name="golden.child"), error("e", name="golden.child")]),
    queued("queue: a listener handler's filter applies",
           {"respect_handler_level": True},
           [target("kids", filter_="golden.child"), target("errors", level=ERROR)],
           [info("parent"), info("kid", name="golden.child"), error("boom"),
            error("kid boom", name="golden.child")]),
    queued("queue: records handed over after stop() stay in the queue",
           {}, T,
           [info("before"), STOP, info("after"), error("after too")],
           known_difference=(
               "pylog delivers a record logged after QueueListener::stop() "
               "at once on the caller's thread, so nothing logged during or "
               "after shutdown is lost (documented on Worker::send); CPython "
               "leaves it in the queue and it is never handled")),
    queued("queue: stop() hands over everything queued before it",
           {"respect_handler_level": True},
           [target("a"), target("b", level=ERROR)],
           [nowait(info("one")), nowait(error("two")), nowait(info("three")),
            STOP]),
]


# --------------------------------------------------------------------------
# Running a scenario
# --------------------------------------------------------------------------


def make_target(spec):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.setLevel(spec["level"])
    if spec["filter"] is not None:
        handler.addFilter(logging.Filter(spec["filter"]))
    return handler, stream


class Recording(logging.handlers.BufferingHandler):
    """A BufferingHandler subclass as CPython's docs intend: shouldFlush and
    flush overridden from the scenario's parameters."""

    def __init__(self, capacity, should_flush, on_flush, target, batches):
        super().__init__(capacity)
        self.rule = should_flush
        self.on_flush = on_flush
        self.target = target
        self.batches = batches

    def shouldFlush(self, record):
        if self.rule is None:
            return super().shouldFlush(record)
        if "min_level" in self.rule:
            return record.levelno >= self.rule["min_level"]
        return record.getMessage().endswith(self.rule["suffix"])

    def flush(self):
        with self.lock:
            self.batches.append(len(self.buffer))
            if self.on_flush == "target":
                for record in self.buffer:
                    self.target.handle(record)
            super().flush()


def run(scenario):
    logging.Logger.manager.loggerDict.clear()
    logger = logging.getLogger("golden")
    logger.setLevel(1)
    logger.propagate = False
    targets = {}
    streams = {}
    for spec in scenario["targets"]:
        targets[spec["id"]], streams[spec["id"]] = make_target(spec)
    params = scenario["params"]
    kind = scenario["handler"]
    batches = []
    listener = None
    q = None
    if kind == "memory":
        handler = logging.handlers.MemoryHandler(
            params["capacity"],
            flushLevel=params.get("flushLevel", logging.ERROR),
            target=targets.get(params.get("target")),
            flushOnClose=params.get("flushOnClose", True),
        )
        if "inner_capacity" in params:
            # The target is another MemoryHandler (default flushLevel) in
            # front of the target stream.
            handler.setTarget(logging.handlers.MemoryHandler(
                params["inner_capacity"], target=targets[params["target"]]))
    elif kind == "buffering":
        first = targets[scenario["targets"][0]["id"]] if targets else None
        handler = Recording(params["capacity"], params.get("should_flush"),
                            params["on_flush"], first, batches)
    elif kind == "queue":
        q = queue.Queue()
        handler = logging.handlers.QueueHandler(q)
        if params.get("format") is not None:
            handler.setFormatter(logging.Formatter(params["format"]))
        listener = logging.handlers.QueueListener(
            q, *(targets[t["id"]] for t in scenario["targets"]),
            respect_handler_level=params.get("respect_handler_level", False))
        listener.start()
    else:
        raise ValueError(kind)
    if "level" in params:
        handler.setLevel(params["level"])
    if params.get("filter") is not None:
        handler.addFilter(logging.Filter(params["filter"]))
    logger.addHandler(handler)

    snapshots = []
    for step in scenario["steps"]:
        op = step["op"]
        if op == "log":
            lg = logging.getLogger(step["name"])
            record = lg.makeRecord(step["name"], step["level"],
                                   "(unknown file)", 0, step["msg"], (), None)
            if step["exc_text"] is not None:
                record.exc_text = step["exc_text"]
            if step["stack_info"] is not None:
                record.stack_info = step["stack_info"]
            lg.handle(record)
        elif op == "flush":
            handler.flush()
        elif op == "close":
            handler.close()
        elif op == "set_target":
            handler.setTarget(targets.get(step["target"]))
        elif op == "stop":
            listener.stop()
            listener = None
        else:
            raise ValueError(op)
        if not step.get("wait", True):
            snapshots.append(None)
            continue
        if listener is not None:
            q.join()
        snapshot = {spec["id"]: streams[spec["id"]].getvalue()
                    for spec in scenario["targets"]}
        if kind == "buffering":
            snapshot["batches"] = list(batches)
        snapshots.append(snapshot)
    if listener is not None:
        listener.stop()
    logger.removeHandler(handler)
    return snapshots


def main():
    titles = set()
    out = []
    for scenario in SCENARIOS:
        assert scenario["title"] not in titles, scenario["title"]
        titles.add(scenario["title"])
        result = dict(scenario)
        result["snapshots"] = run(scenario)
        if "known_difference" in result:
            # Keep the key last, after the data it comments on.
            result["known_difference"] = result.pop("known_difference")
        out.append(result)
    path = os.path.join(HERE, "expected.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(out)} scenarios to {path}")


if __name__ == "__main__":
    main()
