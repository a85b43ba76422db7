"""Wait: pause on the virtual clock for Seconds, until a Timestamp, or for values read from the input."""
from __future__ import annotations

from ..errors import QUERY_EVALUATION_ERROR, RUNTIME
from ..execution import SUSPEND
from ..jsonata import compile_typed, is_expression
from ..limits import dumps
from ..jsonpath import JsonPath
from ..paths import required_reader
from ..timestamps import parse_timestamp
from .base import State

_KINDS = ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")


class WaitState(State):
    """Wait: the run sleeps on the scheduler; no wall time passes on a virtual clock."""

    type_name = "Wait"

    def __init__(self, name, spec, loader):
        super().__init__(name, spec, loader)
        kind = next(k for k in _KINDS if k in spec)
        value = spec[kind]
        # how the value is named in causes, "$.path == -1" as AWS words it (the expression, for JSONata, whose
        # evaluation errors are all States.QueryEvaluationError)
        self.source = f"{value} == " if kind.endswith("Path") else ""
        self.error = RUNTIME
        if self.language == "JSONata":
            template = compile_typed(value, kind, "number" if kind == "Seconds" else "string")
            read = lambda run, raw, data: template(self.flow.states(run, raw), run)  # noqa: E731
            if is_expression(value):
                self.error = QUERY_EVALUATION_ERROR
                self.source = f"{value[2:-2].strip()} == "
        elif kind.endswith("Path"):
            required = required_reader(JsonPath(value), f"The {kind} parameter does not reference an input value: "
                                                        f"{value}")
            read = lambda run, raw, data: required(data, run)  # noqa: E731
        else:
            read = lambda run, raw, data: value  # noqa: E731
        self.read = read
        self.until = self._until_seconds if kind.startswith("Seconds") else self._until_timestamp
        self.kind = kind

    def _until_seconds(self, run, value):
        if type(value) is float and value.is_integer():
            value = int(value)
        if type(value) is not int:
            raise self._refuse(run, "cannot be parsed as a long value", value)
        if value < 0:
            raise self._refuse(run, "references a negative value", value)
        return run.clock_now() + value

    def _until_timestamp(self, run, value):
        when = parse_timestamp(value)
        if when is None:
            raise self._refuse(run, "does not reference a valid ISO-8601 extended offset date-time format string",
                               value)
        return when

    def _refuse(self, run, problem, value):
        """AWS's cause: "The SecondsPath parameter references a negative value: $.path == -1"."""
        shown = value if isinstance(value, str) else dumps(value)
        return run.runtime_error(self.error, f"The {self.kind} parameter {problem}: {self.source}{shown}")

    def enter(self, run, raw):
        run.enter_state(self, raw)
        data = self.flow.view(run, raw)
        when = self.until(run, self.read(run, raw, data))
        if when <= run.clock_now():
            return self._leave(run, raw, data)
        run.sleep_until(when, lambda: self._leave(run, raw, data))
        return SUSPEND

    def _leave(self, run, raw, data):
        output = self.flow.passthrough(run, raw, data)
        run.exit_state(self, raw, output)
        return self.next, output

