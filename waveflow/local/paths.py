"""Reference paths and payload templates of the JSONPath query language, compiled into closures.

Everything here is built once per state at load time: ``compile_template`` turns a ``Parameters`` /
``ResultSelector`` / ``ItemSelector`` object into a function that builds the payload, with the static parts
shared rather than copied (payloads are never mutated in place, see ``jsonpath.set_path``). Failures carry the
wording Step Functions uses, prefixed with the state name by ``run.runtime_error``.
"""
from __future__ import annotations

from typing import Any, Callable

from .errors import RESULT_PATH_MATCH_FAILURE, RUNTIME
from .intrinsics import compile_intrinsic, is_intrinsic
from .jsonpath import CONTEXT, INPUT, JsonPath, PathNotFound, set_path
from .limits import dumps

Fn = Callable[[Any, Any], Any]  # fn(data, run) -> value


def resolve(path: JsonPath, data, run):
    """Read ``path`` from its root: the data, the context object or a variable."""
    root = path.root
    if root is INPUT:
        return path.get(data)
    if root is CONTEXT:
        return path.get(run.context_object())
    return path.get(run.variable(path.variable))


def reader(path: JsonPath) -> Callable[[Any, Any], Any]:
    """``resolve`` specialised for one path: a path into the data skips the root dispatch (the hot case)."""
    if path.root is INPUT:
        get = path.get
        return lambda data, run: get(data)
    return lambda data, run: resolve(path, data, run)


def required_reader(path: JsonPath, missing: str | None = None) -> Callable[[Any, Any], Any]:
    """A reader for a ``...Path`` field that must match: nothing found is ``States.Runtime`` with AWS's wording,
    or with ``missing`` where the field has its own."""
    read = reader(path)
    message = missing or f"Invalid path '{path.text}' : No results for path: {path.normalized}"

    def read_or_fail(data, run):
        try:
            return read(data, run)
        except PathNotFound:
            raise run.runtime_error(RUNTIME, message) from None
    return read_or_fail


def compile_reference(text: str) -> Callable[[Any, Any], Any]:
    """A path as a ``fn(data, run)`` that raises ``PathNotFound`` when nothing matches."""
    return reader(JsonPath(text))


def compile_template(template: Any, field: str) -> Fn:
    """Compile a payload template; ``field`` names it in errors (``Parameters``, ``ItemSelector``...).

    >>> build = compile_template({"id.$": "$.server", "wave": 7}, "Parameters"); build({"server": "s-1"}, None)
    {'id': 's-1', 'wave': 7}
    """
    if not _is_dynamic(template):
        return lambda data, run: template
    if type(template) is list:
        items = [compile_template(item, field) for item in template]
        return lambda data, run: [item(data, run) for item in items]
    entries = []
    for key, value in template.items():
        if key.endswith(".$"):
            entries.append((key[:-2], compile_dynamic(key, value)))
        elif _is_dynamic(value):
            entries.append((key, compile_template(value, field)))
        else:
            entries.append((key, None, value))

    def build(data, run):
        out = {}
        for entry in entries:
            if len(entry) == 2:
                out[entry[0]] = entry[1](data, run)
            else:
                out[entry[0]] = entry[2]
        return out
    return build


def _is_dynamic(value) -> bool:
    if type(value) is dict:
        return any(key.endswith(".$") or _is_dynamic(item) for key, item in value.items())
    if type(value) is list:
        return any(_is_dynamic(item) for item in value)
    return False


def compile_dynamic(key: str, expression: str) -> Fn:
    """A ``.$`` field's (or a Fail state's ErrorPath/CausePath) path or intrinsic call; a path that selects
    nothing fails as AWS words it: "The JSONPath '$.x' specified for the field 'ErrorPath' could not be found in
    the input '<input>'"."""
    if is_intrinsic(expression):
        return compile_intrinsic(expression, reader)
    path = JsonPath(expression)
    get = reader(path)

    def read(data, run):
        try:
            return get(data, run)
        except PathNotFound:
            source = data if path.root is INPUT else run.context_object() if path.root is CONTEXT else None
            raise run.runtime_error(RUNTIME, f"The JSONPath '{expression}' specified for the field '{key}' "
                                             f"could not be found in the input '{dumps(source)}'") from None
    return read


def compile_input_path(text, field: str = "InputPath") -> Fn | None:
    """InputPath/OutputPath: ``None`` when absent (identity); JSON null selects ``{}``."""
    if text is _ABSENT:
        return None
    if text is None:
        return lambda data, run: {}
    path = JsonPath(text)
    if path.definite and not path.keys and path.root is INPUT:
        return None

    def select(data, run):
        try:
            return resolve(path, data, run)
        except PathNotFound as exc:
            raise run.runtime_error(RUNTIME, f"Invalid path '{text}' : {exc}") from None
    return select


def compile_result_path(text) -> Callable[[Any, Any, Any], Any]:
    """ResultPath as ``fn(input, result, run) -> output``: replace, discard (null), or place at a path."""
    if text is _ABSENT or text == "$":
        return lambda data, result, run: result
    if text is None:
        return lambda data, result, run: data
    path = JsonPath(text)

    def place(data, result, run):
        try:
            return set_path(data, path, result)
        except TypeError as exc:
            raise run.runtime_error(RESULT_PATH_MATCH_FAILURE, str(exc)) from None
    return place


class _Absent:
    """Marks a field that is not in the state at all (distinct from JSON null)."""

    def __repr__(self):
        return "ABSENT"


_ABSENT = ABSENT = _Absent()
