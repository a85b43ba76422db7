"""The states that only move data: Pass, Succeed and Fail."""
from __future__ import annotations

from ..errors import RUNTIME, StatesError
from ..jsonata import compile_jsonata_template
from ..paths import compile_dynamic
from .base import State


class PassState(State):
    """Pass: output its input, its ``Result``, or its ``Parameters``, placed by ResultPath."""

    type_name = "Pass"

    def __init__(self, name, spec, loader):
        super().__init__(name, spec, loader)
        self.has_result = "Result" in spec
        self.result = spec.get("Result")
        self.jsonata = self.language == "JSONata"

    def enter(self, run, raw):
        run.enter_state(self, raw)
        flow = self.flow
        if self.jsonata:
            output = flow.passthrough(run, raw, raw)
        else:
            data = flow.view(run, raw)
            result = self.result if self.has_result else flow.arguments(run, raw, data)
            output = flow.finish(run, raw, result)
        run.exit_state(self, raw, output)
        return self.next, output


class SucceedState(State):
    """Succeed: end this branch successfully with InputPath/OutputPath (or Output) applied."""

    type_name = "Succeed"

    def enter(self, run, raw):
        run.enter_state(self, raw)
        flow = self.flow
        output = flow.passthrough(run, raw, flow.view(run, raw))
        run.exit_state(self, raw, output)
        return None, output


class FailState(State):
    """Fail: end with ``Error``/``Cause`` (static, from ErrorPath/CausePath, or JSONata expressions)."""

    type_name = "Fail"

    def __init__(self, name, spec, loader):
        super().__init__(name, spec, loader)
        self.error = self._field(spec, "Error")
        self.cause = self._field(spec, "Cause")

    def _field(self, spec, field):
        if self.language == "JSONata":
            if field not in spec:
                return None
            template = compile_jsonata_template(spec[field], field)
            return lambda run, raw: template(self.flow.states(run, raw), run)
        if field in spec:
            value = spec[field]
            return lambda run, raw: value
        path_field = field + "Path"
        if path_field not in spec:
            return None
        select = compile_dynamic(path_field, spec[path_field])
        return lambda run, raw: select(raw, run)

    def enter(self, run, raw):
        run.enter_state(self, raw)
        error = self.error(run, raw) if self.error else None
        cause = self.cause(run, raw) if self.cause else None
        for field, value in (("Error", error), ("Cause", cause)):
            if value is not None and not isinstance(value, str):
                raise run.runtime_error(RUNTIME, f"The value of the field '{field}' must be a string, "
                                                 f"but was {type(value).__name__}.")
        raise StatesError(error if error is not None else "", cause)
