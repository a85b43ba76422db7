"""The part Task, Parallel and Map share: attempts, Retry with backoff on the virtual clock, and Catch."""
from __future__ import annotations

from ..errors import StatesError
from ..execution import SUSPEND
from ..retry import ErrorPolicy, error_output
from .base import State


class Attempt:
    """One try of a state; ``complete`` settles it once (later callbacks, timeouts, tokens are ignored)."""

    __slots__ = ("state", "run", "raw", "counters", "settled", "timers", "token", "heartbeat", "heartbeat_timer")

    def __init__(self, state, run, raw, counters):
        self.state, self.run, self.raw, self.counters = state, run, raw, counters
        self.settled = False
        self.timers: list = []
        self.token = None
        self.heartbeat = None
        self.heartbeat_timer = None

    def complete(self, result=None, error: StatesError | None = None) -> bool:
        """Settle this try with a result or an error; False when it was already settled or cancelled."""
        if self.settled or self.run.cancelled:
            return False
        self.settled = True
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
        if self.token is not None:
            self.run.execution.runtime.retire_token(self.token)
        state, run = self.state, self.run
        run.resume(lambda: state.settle(run, self, result, error))
        return True


class RetryingState(State):
    """A state whose work can fail and be retried or caught; subclasses implement ``execute``."""

    retries = True

    def __init__(self, name, spec, loader):
        super().__init__(name, spec, loader)
        self.policy = ErrorPolicy(spec, self.language)

    def link(self, states):
        super().link(states)
        self.policy.link(states)

    def enter(self, run, raw):
        run.enter_state(self, raw)
        return self.attempt(run, Attempt(self, run, raw, [0] * len(self.policy.retriers)))

    def attempt(self, run, attempt):
        try:
            result = self.execute(run, attempt)
            if result is SUSPEND:
                return SUSPEND
            return self.succeeded(run, attempt, result)
        except StatesError as error:
            return self.failed(run, attempt, error)

    def execute(self, run, attempt):
        """Do the state's work: return its result, or SUSPEND and later call ``attempt.complete``."""
        raise NotImplementedError

    def settle(self, run, attempt, result, error):
        """Continue after an asynchronous completion (subclasses record their events first)."""
        if error is not None:
            return self.failed(run, attempt, error)
        try:
            return self.succeeded(run, attempt, result)
        except StatesError as exc:
            return self.failed(run, attempt, exc)

    def succeeded(self, run, attempt, result):
        output = self.flow.finish(run, attempt.raw, result)
        run.exit_state(self, attempt.raw, output)
        return self.next, output

    def failed(self, run, attempt, error: StatesError):
        delay = self.policy.retry_delay(error.error, attempt.counters, run.rng)
        if delay is not None:
            run.retry_count += 1
            retry = Attempt(self, run, attempt.raw, attempt.counters)
            run.sleep_until(run.clock_now() + delay, lambda: self.attempt(run, retry))
            return SUSPEND
        catcher = self.policy.catcher_for(error.error)
        if catcher is None:
            raise error
        output = self.flow.catch(run, attempt.raw, error_output(error), catcher)
        run.exit_state(self, attempt.raw, output)
        return catcher.next, output
