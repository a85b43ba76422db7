"""JSONata query language (``QueryLanguage: JSONata``): ``{% ... %}`` expressions through jsonata-python.

Each expression is compiled once, at load time, with input validation off (see FIELD-NOTES: validation walks
the whole input on every call). ``$states`` and the workflow variables arrive through the bindings, nulls are
kept distinct from "nothing" so an expression that yields nothing fails like AWS (States.QueryEvaluationError), as
does one that throws, whatever Python error a function raised (``$parse('x')``, an unknown ``$hash`` algorithm),
and the clock- and random-dependent functions (``$now``, ``$millis``, ``$uuid``, ``$random``) read the virtual
clock and the seeded generator so that runs repeat exactly.
"""
from __future__ import annotations

import hashlib
import json
import random
from typing import Any, Callable

from .clock import iso8601
from .errors import QUERY_EVALUATION_ERROR, StatesError

_NULL = None  # jsonata's NULL marker, set when the library is first needed (_library)
_LIBRARY: dict = {}


def _library() -> dict:
    """jsonata-python, imported the first time an expression is compiled: most definitions are JSONPath, and
    ``waveflow exec`` should not pay for it at start-up."""
    global _NULL
    if not _LIBRARY:
        from jsonata import JException, Jsonata
        from jsonata.jsonata import Jsonata as engine
        from jsonata.utils import Utils
        _LIBRARY.update(JException=JException, Jsonata=Jsonata, JLambda=engine.JLambda)
        _NULL = Utils.NULL_VALUE
    return _LIBRARY


class JsonataSyntaxError(ValueError):
    """Raised at load time for an expression jsonata cannot parse."""


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


def _partition(array, size):
    return [array[i:i + int(size)] for i in range(0, len(array), int(size))]


def _range(start, end, step):
    step = int(step)
    return list(range(int(start), int(end) + (1 if step > 0 else -1), step))


def _hash(value, algorithm):
    names = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    return hashlib.new(names[algorithm], str(value).encode("utf-8")).hexdigest()


# AWS's additions to JSONata; the run-dependent ones are bound per evaluation in ``_run_functions``.
_STATIC_FUNCTIONS = {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "parse": lambda text: json.loads(text),
}


def _run_functions(run) -> dict:
    now = run.clock_now()
    JLambda = _library()["JLambda"]
    return {
        "now": JLambda(lambda *args: iso8601(now)),
        "millis": JLambda(lambda: int(now * 1000)),
        "uuid": JLambda(lambda: run.uuid4()),
        "random": JLambda(lambda seed=None: (random.Random(seed) if seed is not None else run.rng).random()),
    }


def compile_expression(text: str, field: str) -> Callable[[dict, Any], Any]:
    """Compile ``{% expr %}`` into ``fn(states, run)``; ``states`` becomes ``$states``.

    >>> fn = compile_expression("{% $states.input.n + 1 %}", "Output"); fn({"input": {"n": 1}}, None)
    2
    """
    body = text[2:-2].strip()
    JException = _library()["JException"]
    try:
        expr = _library()["Jsonata"](body)
    except JException as exc:
        raise JsonataSyntaxError(f"{field}: invalid JSONata expression '{body}': {exc}") from exc
    expr.set_validate_input(False)
    expr.set_output_convert_nulls(False)
    for name, fn in _STATIC_FUNCTIONS.items():
        if "$" + name in body:
            expr.register_lambda(name, fn)
    needs_run = any("$" + name in body for name in ("now", "millis", "uuid", "random"))

    def evaluate(states: dict, run):
        bindings = {"states": _to_jsonata(states)}
        if run is not None:
            for name, value in run.visible_variables().items():
                bindings[name] = _to_jsonata(value)
            if needs_run:
                bindings.update(_run_functions(run))
        try:
            result = expr.evaluate(None, bindings)
        except StatesError:
            raise
        except Exception as exc:  # JException, and whatever AWS's added functions raise ($parse, $hash, ...)
            detail = exc if isinstance(exc, JException) else f"{type(exc).__name__}: {exc}"
            raise _query_error(run, f"The JSONata expression '{body}' specified for the field '{field}' threw an "
                                    f"error during evaluation. {detail}") from None
        if result is None:
            raise _query_error(run, f"The JSONata expression '{body}' specified for the field '{field}' returned "
                                    f"nothing (undefined).")
        return _from_jsonata(result)
    return evaluate


def _query_error(run, cause):
    if run is None:
        return StatesError(QUERY_EVALUATION_ERROR, cause)
    return run.runtime_error(QUERY_EVALUATION_ERROR, cause)


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
