"""Task: call a resource (Lambda, child execution, AWS SDK), with timeouts, heartbeats and task tokens."""
from __future__ import annotations

from ..errors import HEARTBEAT_TIMEOUT, RUNTIME, TIMEOUT, StatesError
from ..execution import SUSPEND
from ..jsonata import compile_jsonata_template
from ..jsonpath import JsonPath
from ..paths import required_reader
from ..resources import integration_for
from .retrying import RetryingState


class TaskState(RetryingState):
    type_name = "Task"

    def __init__(self, name, spec, loader):
        super().__init__(name, spec, loader)
        self.integration = integration_for(spec["Resource"])
        self.callback = self.integration.pattern == "callback"
        self.timeout = self._seconds(spec, "TimeoutSeconds")
        self.heartbeat = self._seconds(spec, "HeartbeatSeconds")

    def _seconds(self, spec, field):
        """TimeoutSeconds/HeartbeatSeconds: static, from ``...Path``, or a JSONata expression."""
        if field in spec:
            value = spec[field]
            if self.language == "JSONata" and isinstance(value, str):
                template = compile_jsonata_template(value, field)
                return lambda run, raw, data: self._positive(
                    run, field, template(self.flow.states(run, raw), run))
            return lambda run, raw, data: value
        path_field = field + "Path"
        if path_field not in spec:
            return None
        required = required_reader(JsonPath(spec[path_field]))
        return lambda run, raw, data: self._positive(run, path_field, required(data, run))

    @staticmethod
    def _positive(run, field, value):
        if type(value) is not int or value <= 0:
            raise run.runtime_error(RUNTIME, f"The value of {field} must be a positive integer, got {value!r}.")
        return value

    def execute(self, run, attempt):
        raw = attempt.raw
        flow = self.flow
        data = flow.view(run, raw)
        runtime = run.execution.runtime
        if self.callback:
            attempt.token = runtime.issue_token(attempt)
            run.task_token = attempt.token
        params = flow.arguments(run, raw, data)
        timeout = self.timeout(run, raw, data) if self.timeout else None
        heartbeat = self.heartbeat(run, raw, data) if self.heartbeat else None
        integration = self.integration
        integration.record_scheduled(run, params, timeout, heartbeat)
        if run.cancelled:
            return SUSPEND
        mocks = run.execution.mocks  # a mocked test case answers instead of the resource (mocks.py)
        mocked = mocks is not None and self.name in mocks
        try:
            result = mocks.respond(self.name) if mocked else integration.call(run, params, attempt, timeout)
        except StatesError as error:
            if error.error == TIMEOUT and timeout is not None:  # a hung handler fails TimeoutSeconds from now
                fail = lambda late=error: attempt.complete(error=late)  # noqa: E731
                attempt.timers.append(run.call_later(run.clock_now() + timeout, fail))
                return SUSPEND
            integration.record_failed(run, error)
            raise
        if self.callback and not mocked:
            integration.record_submitted(run, result)
            result = SUSPEND
        if result is SUSPEND:
            self._arm_timers(run, attempt, timeout, heartbeat)
            return SUSPEND
        integration.record_succeeded(run, result)
        return result

    def _arm_timers(self, run, attempt, timeout, heartbeat):
        now = run.clock_now()
        if timeout is not None:
            attempt.timers.append(run.call_later(now + timeout, lambda: attempt.complete(
                error=StatesError(TIMEOUT, None))))
        if heartbeat is not None:
            attempt.heartbeat = heartbeat
            self.beat(run, attempt)

    def beat(self, run, attempt):
        """(Re)start the heartbeat timer: SendTaskHeartbeat resets it, TimeoutSeconds keeps running."""
        if attempt.heartbeat_timer is not None:
            attempt.heartbeat_timer.cancel()
        timer = run.call_later(run.clock_now() + attempt.heartbeat, lambda: attempt.complete(
            error=StatesError(HEARTBEAT_TIMEOUT, None)))
        attempt.timers.append(timer)
        attempt.heartbeat_timer = timer

    def settle(self, run, attempt, result, error):
        if error is not None:
            self.integration.record_failed(run, error)
        else:
            self.integration.record_succeeded(run, result)
        return super().settle(run, attempt, result, error)
