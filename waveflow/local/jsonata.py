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
from .jsonata_engine import JException, Jsonata, Utils
from .jsonata_functions import RUN_FUNCTIONS, STATIC_FUNCTIONS, run_functions
from .jsonata_limits import Meter, describe
from .limits import dumps

_NULL = Utils.NULL_VALUE


class JsonataSyntaxError(ValueError):
    """Raised at load time for an expression jsonata cannot parse."""


class _StepFunctionsJsonata(Jsonata):
    """jsonata-python with jsonata-js's ``in``: an item matches by strict equality (``true in [1]`` is false;
    Python's ``==`` would say true), and an object or array only when it is the very same one."""

    def evaluate_includes_expression(self, lhs, rhs):
        if lhs is None or rhs is None:
            return False
        return any(_strictly_equal(item, lhs) for item in (rhs if isinstance(rhs, list) else [rhs]))


def _strictly_equal(a, b) -> bool:
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a is b
    return (type(a) is bool) == (type(b) is bool) and a == b


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def _to_jsonata(value):
    """Python None is JSONata 'undefined'; JSON null must be passed as jsonata's NULL marker."""
    if value is None:
        return _NULL
    if type(value) is dict:
        return {key: _to_jsonata(item) for key, item in value.items()}
    if type(value) is list:
        return [_to_jsonata(item) for item in value]
    return value


def _from_jsonata(value):
    """Back to plain JSON values: NULL becomes None, and jsonata's ``JList`` (and any other list or dict
    subclass) becomes a plain list or dict, because the JSONPath side and the intrinsics test ``type(v) is list``.
    """
    cls = type(value)
    if cls is str or cls is int or cls is float or cls is bool:
        return value
    if value is _NULL:
        return None
    if isinstance(value, list):
        return [_from_jsonata(item) for item in value]
    if isinstance(value, dict):
        return {key: _from_jsonata(item) for key, item in value.items()}
    return value


def compile_expression(text: str, field: str) -> Callable[[dict, Any], Any]:
    """Compile ``{% expr %}`` into ``fn(states, run)``; ``states`` becomes ``$states``.

    >>> fn = compile_expression("{% $states.input.n + 1 %}", "Output"); fn({"input": {"n": 1}}, None)
    2
    """
    body = text[2:-2].strip()
    try:
        expr = _StepFunctionsJsonata(body)
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
        bindings = {"states": _to_jsonata(states), **meter.bindings()}
        if disables_eval:
            bindings["eval"] = None
        if run is not None:
            for name, value in run.visible_variables().items():
                bindings[name] = _to_jsonata(value)
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
        return _from_jsonata(result)
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
