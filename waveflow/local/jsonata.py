"""JSONata query language (``QueryLanguage: JSONata``): ``{% ... %}`` expressions through jsonata-python.

Each expression is compiled once, at load time, with input validation off (see FIELD-NOTES: validation walks
the whole input on every call). ``$states`` and the workflow variables arrive through the bindings, nulls are
kept distinct from "nothing" so an expression that yields nothing fails like AWS (States.QueryEvaluationError), as
does one that throws or passes AWS's evaluation bounds (``jsonata_limits``), with AWS's wording: the expression,
its field, then the JSONata code and message. AWS's added functions live in ``jsonata_functions``.
"""
from __future__ import annotations

from typing import Any, Callable

from .errors import QUERY_EVALUATION_ERROR, StatesError
from .limits import dumps

class JsonataSyntaxError(ValueError):
    """Raised at load time for an expression jsonata cannot parse."""


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def compile_expression(text: str, field: str) -> Callable[[dict, Any], Any]:
    """Compile ``{% expr %}`` into ``fn(states, run)``; ``states`` becomes ``$states``.

    >>> fn = compile_expression("{% $states.input.n + 1 %}", "Output"); fn({"input": {"n": 1}}, None)
    2
    """
    # jsonata-python is imported on the first expression: most definitions are JSONPath, and `waveflow exec`
    # starts faster without it.
    from .jsonata_engine import JException, StepFunctionsJsonata, from_jsonata, to_jsonata
    from .jsonata_functions import RUN_FUNCTIONS, STATIC_FUNCTIONS, run_functions
    from .jsonata_limits import Meter, describe

    body = text[2:-2].strip()
    try:
        expr = StepFunctionsJsonata(body)
    except JException as exc:
        raise JsonataSyntaxError(f"{field}: invalid JSONata expression '{body}': {exc}") from exc
    expr.set_validate_input(False)
    expr.set_output_convert_nulls(False)
    for name, fn in STATIC_FUNCTIONS.items():
        if "$" + name in body:
            expr.register_lambda(name, fn)
    needs_run = any("$" + name in body for name in RUN_FUNCTIONS)
    disables_eval = "$eval" in body

    def evaluate(states: dict, run):
        meter = Meter()
        bindings = {"states": to_jsonata(states), **meter.bindings()}
        if disables_eval:
            bindings["eval"] = None
        if run is not None:
            for name, value in run.visible_variables().items():
                bindings[name] = to_jsonata(value)
            if needs_run:
                bindings.update(run_functions(run))
        try:
            result = expr.evaluate(None, bindings)
        except StatesError:
            raise
        except Exception as exc:  # JException, a bound, whatever AWS's added functions raise ($parse, $hash, ...)
            raise _query_error(run, f"The JSONata expression '{body}' specified for the field '{field}' threw an "
                                    f"error during evaluation{describe(exc)}") from None
        if result is None:
            raise _query_error(run, f"The JSONata expression '{body}' specified for the field '{field}' returned "
                                    f"nothing (undefined).")
        return from_jsonata(result)
    return evaluate


def _query_error(run, cause):
    if run is None:
        return StatesError(QUERY_EVALUATION_ERROR, cause)
    return run.runtime_error(QUERY_EVALUATION_ERROR, cause)


_TYPE_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}


def _type_name(value) -> str:
    return "null" if value is None else _TYPE_NAMES.get(type(value), type(value).__name__)


def compile_typed(value: Any, field: str, expected: str) -> Callable[[dict, Any], Any]:
    """A JSONata-mode field whose result must be of one JSONata type (``array`` for a Map's Items, ``boolean``
    for a Condition...); any other is States.QueryEvaluationError, worded as AWS words it."""
    evaluate = compile_jsonata_template(value, field)
    if not is_expression(value):
        return evaluate
    body = value[2:-2].strip()

    def typed(states, run):
        result = evaluate(states, run)
        found = _type_name(result)
        if found != expected:
            raise _query_error(run, f"The JSONata expression '{body}' specified for the field '{field}' returned an "
                                    f"unexpected result type. Expected '{expected}', but was '{found}' for value: "
                                    f"{dumps(result)}")
        return result
    return typed


def compile_jsonata_template(value: Any, field: str) -> Callable[[dict, Any], Any]:
    """Compile a JSONata-mode field: an expression, or JSON whose strings may hold expressions."""
    if is_expression(value):
        return compile_expression(value, field)
    if type(value) is dict:
        entries = [(key, compile_jsonata_template(item, f"{field}/{key}")) for key, item in value.items()]
        return lambda states, run: {key: item(states, run) for key, item in entries}
    if type(value) is list:
        items = [compile_jsonata_template(item, f"{field}[{i}]") for i, item in enumerate(value)]
        return lambda states, run: [item(states, run) for item in items]
    return lambda states, run: value
