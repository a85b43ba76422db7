"""How data moves through one state, in each query language.

A state executor does not care whether its definition uses JSONPath or JSONata; it calls one ``Flow``:
``view`` (what the state reads), ``arguments`` (what a task or branch receives), ``finish`` (the state output
from its result) and ``catch`` (the output after a Catch). ``JsonPathFlow`` chains InputPath, Parameters,
ResultSelector, ResultPath and OutputPath as the developer guide's "Processing input and output" describes;
``JsonataFlow`` evaluates Arguments, Output and Assign with ``$states``.

In both languages Assign is evaluated with the output but committed last: a state that then fails (a
ResultPath that cannot be applied, say) assigns nothing, and a catcher's Assign applies instead.
"""
from __future__ import annotations

import json
import re

from .errors import DATA_LIMIT_EXCEEDED, StatesError
from .jsonata import compile_jsonata_template
from .limits import Measured, measure, quota_problem
from .paths import ABSENT, compile_input_path, compile_result_path, compile_template

_RESULT_DEFAULT_STATES = frozenset({"Task", "Parallel", "Map"})
# Any mention of $states other than these three fields may read $states.context ($keys($states),
# $states.'context', a variable bound to $states); only states whose text has none skip building it.
_MAY_READ_CONTEXT = re.compile(r"\$states(?!\.(?:input|result|errorOutput)\b)")


class JsonPathFlow:
    """The JSONPath pipeline of one state, compiled from its fields."""

    language = "JSONPath"

    def __init__(self, spec: dict, parameters_field: str = "Parameters"):
        self.input_path = compile_input_path(spec.get("InputPath", ABSENT))
        self.output_path = compile_input_path(spec.get("OutputPath", ABSENT), "OutputPath")
        params = spec.get(parameters_field, ABSENT)
        self.parameters = None if params is ABSENT else compile_template(params, parameters_field)
        selector = spec.get("ResultSelector", ABSENT)
        self.result_selector = None if selector is ABSENT else compile_template(selector, "ResultSelector")
        self.result_path = compile_result_path(spec.get("ResultPath", ABSENT))
        self.assign = _compile_assign(spec.get("Assign", ABSENT))

    def view(self, run, raw):
        return raw if self.input_path is None else self.input_path(raw, run)

    def arguments(self, run, raw, data):
        return data if self.parameters is None else checked_input(run, self.parameters(data, run))

    def finish(self, run, raw, result):
        if self.result_selector is not None:
            result = self.result_selector(result, run)
        values = None if self.assign is None else self.assign(result, run)
        out = self.result_path(raw, result, run)
        if self.output_path is not None:
            out = self.output_path(out, run)
        if values is not None:
            run.assign(values)
        return out

    def passthrough(self, run, raw, data, rule_values=None):
        """Output of a state without a result (Choice, Wait, Succeed): InputPath then OutputPath.

        ``rule_values``: a matched Choice rule's Assign, evaluated like the state's before either is committed.
        """
        values = None if self.assign is None else self.assign(data, run)
        out = data if self.output_path is None else self.output_path(data, run)
        if values is not None or rule_values is not None:
            run.assign(_merge(values, rule_values))
        return out

    def catch(self, run, raw, error_output, catcher):
        if catcher.assign is not None:
            run.assign(catcher.assign(error_output, run))
        return catcher.result_path(raw, error_output, run)


def _merge(values, rule_values):
    """A Choice state's Assign applies whichever rule matches; the matched rule's own Assign wins a shared name."""
    if rule_values is None:
        return values
    return rule_values if values is None else {**values, **rule_values}


def _compile_assign(assign):
    return None if assign is ABSENT else compile_template(assign, "Assign")


class JsonataFlow:
    """The JSONata pipeline of one state: Arguments, Output and Assign over ``$states``."""

    language = "JSONata"

    def __init__(self, spec: dict, state_type: str):
        self.arguments_fn = _optional(spec, "Arguments")
        self.output_fn = _optional(spec, "Output")
        self.assign_fn = _optional(spec, "Assign")
        self.result_default = state_type in _RESULT_DEFAULT_STATES
        self.wants_context = _MAY_READ_CONTEXT.search(json.dumps(spec)) is not None

    def states(self, run, raw, **extra) -> dict:
        doc = {"input": raw, **extra}
        if self.wants_context:
            doc["context"] = run.context_object()
        return doc

    def view(self, run, raw):
        return raw

    def arguments(self, run, raw, data):
        return raw if self.arguments_fn is None else checked_input(run, self.arguments_fn(self.states(run, raw), run))

    def finish(self, run, raw, result):
        states = self.states(run, raw, result=result)
        return self.output(run, states, result if self.result_default else raw)

    def passthrough(self, run, raw, data):
        return self.output(run, self.states(run, raw), raw)

    def output(self, run, states, default, rule_values=None, rule_output=None):
        """Output (a matched Choice rule's own, else the state's, else ``default``), then the Assign values (merged
        with a matched Choice rule's) committed."""
        output_fn = rule_output or self.output_fn
        out = default if output_fn is None else output_fn(states, run)
        values = None if self.assign_fn is None else self.assign_fn(states, run)
        if values is not None or rule_values is not None:
            run.assign(_merge(values, rule_values))
        return out

    def catch(self, run, raw, error_output, catcher):
        states = self.states(run, raw, errorOutput=error_output)
        out = error_output if catcher.output is None else catcher.output(states, run)
        if catcher.assign is not None:
            run.assign(catcher.assign(states, run))
        return out


def checked_input(run, value):
    """A state's input after Parameters/Arguments, held to the payload quota like its output (error-handling:
    "the input of a state is larger than the payload size quota after Parameters processing")."""
    execution = run.execution
    size, depth = measure(value, known=execution.proved)  # the state's input in it is counted, not walked
    problem = quota_problem(size, depth)
    if problem is not None:
        raise StatesError(DATA_LIMIT_EXCEEDED, f"The state/task '{run.state_name}' has an input {problem} after "
                                               f"Parameters processing.")
    execution.proved = Measured(value, size, depth)  # a Pass whose output is its Parameters: not measured again
    return value


def _optional(spec, field):
    return compile_jsonata_template(spec[field], field) if field in spec else None


def make_flow(spec: dict, state_type: str, language: str, parameters_field: str = "Parameters"):
    """The flow for a state, by its effective query language (the state's, else the machine's)."""
    if spec.get("QueryLanguage", language) == "JSONata":
        return JsonataFlow(spec, state_type)
    return JsonPathFlow(spec, parameters_field)
