"""Calling a handler with a wall-clock limit, so a hung handler becomes States.Timeout, not a hung CLI.

On the main thread, where the engine runs (``waveflow run``, ``waveflow exec``), the handler runs in place under
an alarm: the call arms ``ITIMER_REAL`` for its limit, and when the limit passes SIGALRM interrupts the handler
wherever it is (a sleep, a socket wait, a loop) with ``HandlerInterrupted``. That is a BaseException, so the
handler's ``except Exception`` lets it through: its frames unwind (their ``finally`` blocks run) and the run goes
on. The alarm rings again every second for a handler that swallows it, and a handler that ends past its limit,
returning or raising, has timed out all the same. Arming and disarming are two system calls (~4 us); a hand-off to
a thread cost two thread switches (~15 us of CPU, and more of waiting on a busy machine) on every invocation of a
task with TimeoutSeconds (9 of a migration's 18).

Elsewhere (another thread, a platform without SIGALRM, a SIGALRM handler of someone else's, a guarded call inside
a handler that runs in place) handlers run on one reusable worker thread; the engine waits at most ``timeout``
seconds, and a worker stuck in a handler that never returns is abandoned (it is a daemon thread) and a fresh one
takes its place.
"""
from __future__ import annotations

import queue
import signal
import threading
import time

try:  # signal.getsignal wraps this in an enum lookup that costs ~6 us when the handler is a function
    from _signal import getsignal as _handler_of
except ImportError:  # pragma: no cover - an interpreter without CPython's _signal module
    from signal import getsignal as _handler_of

_MAIN_THREAD = threading.main_thread().ident
_AGAIN_SECONDS = 1.0  # how often the alarm rings again in a handler that swallowed it


class HandlerTimedOut(Exception):
    """Raised when the handler did not return within the limit."""


class HandlerInterrupted(BaseException):
    """Raised inside a handler running in place whose limit has passed, so that it unwinds to its guard."""


class _Alarm:
    """The process's SIGALRM and the guarded call running in place on the main thread, if any."""

    def __init__(self):
        self.deadline: float | None = None  # the running call's limit (time.monotonic), None between calls
        self._ring_handler = self._ring     # one bound method, so that ``ready`` can compare it

    def ready(self) -> bool:
        """Whether a call can run in place: on the main thread, no call in place already, SIGALRM ours."""
        return (self.deadline is None and threading.get_ident() == _MAIN_THREAD
                and (_handler_of(signal.SIGALRM) is self._ring_handler or self._install()))

    def _install(self) -> bool:
        if not hasattr(signal, "setitimer") or _handler_of(signal.SIGALRM) != signal.SIG_DFL:
            return False
        signal.signal(signal.SIGALRM, self._ring_handler)
        return True

    def call(self, fn, timeout: float):
        deadline = time.monotonic() + timeout
        self.deadline = deadline
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            try:
                value = fn()
            finally:
                self._disarm()
        except HandlerInterrupted:
            self._disarm()  # again: the alarm may have rung inside the first, before it took effect
            raise _timed_out(timeout) from None
        except Exception:
            if time.monotonic() > deadline:
                raise _timed_out(timeout) from None
            raise
        if time.monotonic() > deadline:
            raise _timed_out(timeout)
        return value

    def _disarm(self) -> None:
        self.deadline = None  # first: an alarm that rings from here on finds no call
        signal.setitimer(signal.ITIMER_REAL, 0)

    def _ring(self, signum, frame):
        deadline = self.deadline
        if deadline is None:
            return  # rang as its call ended
        left = deadline - time.monotonic()
        if left > 0:  # the timer ran a little ahead of the monotonic clock
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
            return
        signal.setitimer(signal.ITIMER_REAL, _AGAIN_SECONDS)
        raise HandlerInterrupted()


_ALARM = _Alarm()


def _timed_out(timeout: float) -> HandlerTimedOut:
    return HandlerTimedOut(f"the handler did not return within {timeout} seconds")


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
    """Runs callables with a timeout: in place under the alarm where it can, else on a worker thread."""

    def __init__(self):
        self._worker: _Worker | None = None

    def call(self, fn, timeout: float):
        if _ALARM.ready():
            return _ALARM.call(fn, timeout)
        if self._worker is None:
            self._worker = _Worker()
            self._worker.start()
        reply: queue.SimpleQueue = queue.SimpleQueue()
        self._worker.inbox.put((fn, reply))
        try:
            ok, value = reply.get(timeout=timeout)
        except queue.Empty:
            self._worker = None
            raise _timed_out(timeout) from None
        except BaseException:  # the alarm of a handler running in place further out: this worker is still busy
            self._worker = None
            raise
        if ok:
            return value
        raise value
