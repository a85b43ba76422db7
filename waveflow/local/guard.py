"""Calling a handler with a wall-clock limit, so a hung handler becomes States.Timeout, not a hung CLI.

Handlers run on one reusable worker thread; the engine waits at most ``timeout`` seconds. A worker stuck in
a handler that never returns is abandoned (it is a daemon thread) and a fresh one takes its place.
"""
from __future__ import annotations

import queue
import threading


class HandlerTimedOut(Exception):
    """Raised when the handler did not return within the limit."""


class _Worker(threading.Thread):
    def __init__(self):
        super().__init__(name="waveflow-handler", daemon=True)
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()

    def run(self):
        while True:
            fn, reply = self.inbox.get()
            try:
                reply.put((True, fn()))
            except BaseException as exc:  # delivered to the caller, which decides what it means
                reply.put((False, exc))


class HandlerGuard:
    """Runs callables on a worker thread with a timeout."""

    def __init__(self):
        self._worker: _Worker | None = None

    def call(self, fn, timeout: float):
        if self._worker is None:
            self._worker = _Worker()
            self._worker.start()
        reply: queue.SimpleQueue = queue.SimpleQueue()
        self._worker.inbox.put((fn, reply))
        try:
            ok, value = reply.get(timeout=timeout)
        except queue.Empty:
            self._worker = None
            raise HandlerTimedOut(f"the handler did not return within {timeout} seconds") from None
        if ok:
            return value
        raise value
