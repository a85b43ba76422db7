"""botocore's parameter validation: valid parameters recognised by a check made once per shape, the rest reported
by botocore's own validator.

``ParamValidator.validate`` walks the parameters against the operation's input shape on every request, and for each
value asks its shape again which validator applies (``getattr`` by type name, the JSON-value-header and document
cases), checks types through a decorator and builds each nested value's dotted name, whether or not anything is
wrong. Almost every request is valid, and its report is empty. Here each shape has a check (``shapes.PerShape``) that
only says whether the value is valid, with botocore's rules: a structure a ``dict`` with its required members, no
unknown ones and one member if a tagged union; a list a ``list`` or ``tuple``; a map a ``dict``; scalars of
botocore's Python types; a string's or list's length and a number at least the shape's ``min`` (1 for a host
label; ``max``, patterns and enums are not checked, as botocore does not); a blob bytes, text or a file; a
timestamp what botocore parses; a JSON-value header what ``json.dumps`` takes; a document of JSON's types. When a
check finds anything wrong (or raises) botocore's validator runs and its report, errors in its order, is the one
returned, so a refused request is refused with botocore's exact message.
``tests/local/twin/test_speed_params.py`` holds both validators' reports side by side over drawn inputs.
"""
from __future__ import annotations

import decimal
import json
from typing import Any, Callable, Optional

from botocore.model import Shape
from botocore.utils import is_json_value_header, parse_to_aware_datetime
from botocore.validate import ParamValidator, ValidationErrors

from .shapes import PerShape

_botocore_validate = ParamValidator.validate

Check = Callable[[Any], bool]

#: the Python types botocore takes for each scalar type
_SCALARS = {"string": (str,), "integer": (int,), "long": (int,), "boolean": (bool,),
            "float": (float, decimal.Decimal, int), "double": (float, decimal.Decimal, int)}
#: metadata beyond a type that makes botocore validate a list's scalar members fully
_CONSTRAINTS = {"required", "min", "document", "union"}
_DOCUMENT_LEAVES = (str, int, bool, float)


def validate(self: ParamValidator, params: Any, shape: Shape) -> ValidationErrors:
    """``ParamValidator.validate``: an empty report for valid parameters, botocore's report for the rest."""
    try:
        valid = type(self) is ParamValidator and checks(shape)(params)
    except Exception:  # botocore's validator raises it, or reports it
        valid = False
    return ValidationErrors() if valid else _botocore_validate(self, params, shape)


def _check(shape: Shape, of: Callable[[Shape], Check]) -> Check:
    """Whether a value of ``shape`` is one botocore's validator finds nothing wrong with."""
    kind = shape.type_name
    if is_json_value_header(shape):
        return _json_encodable
    if kind == "structure":
        return _document if shape.is_document_type else _structure(shape, of)
    if kind == "list":
        return _list(shape, of)
    if kind == "map":
        return _map(of(shape.key), of(shape.value))
    if kind in _SCALARS:
        return _scalar(_SCALARS[kind], minimum_of(shape), measured=kind == "string")
    return {"blob": _blob, "timestamp": _timestamp}.get(kind, _never)


def types_alone(shape: Shape) -> Optional[tuple]:
    """The Python types a value of a scalar ``shape`` is checked by, if nothing else is checked; else None."""
    kind = shape.type_name
    if kind in _SCALARS and minimum_of(shape) is None and not is_json_value_header(shape):
        return _SCALARS[kind]
    return None


def minimum_of(shape: Shape) -> Any:
    """The least length (string, list) or value (number) botocore's ``range_check`` accepts, or None."""
    if "min" in shape.metadata:
        return shape.metadata["min"]
    return 1 if shape.serialization.get("hostLabel") else None


def _structure(shape: Shape, of: Callable[[Shape], Check]) -> Check:
    members = {name: of(member) for name, member in shape.members.items()}
    required = tuple(shape.metadata.get("required", ()))
    union = shape.is_tagged_union

    def check(value: Any) -> bool:
        if not isinstance(value, dict) or (union and len(value) != 1):
            return False
        for name in required:
            if name not in value:
                return False
        for name, item in value.items():
            member = members.get(name)
            if member is None or not member(item):
                return False
        return True
    return check


def holds_list(value: Any, minimum: Any) -> bool:
    """Whether ``value`` is a list (or tuple) of at least ``minimum`` items, if a minimum is set."""
    return isinstance(value, (list, tuple)) and (minimum is None or len(value) >= minimum)


def _list(shape: Shape, of: Callable[[Shape], Check]) -> Check:
    minimum = minimum_of(shape)
    member_shape = shape.member
    kind = member_shape.type_name
    if kind in _SCALARS and not _CONSTRAINTS & member_shape.metadata.keys():
        types = _SCALARS[kind]  # botocore checks only the type of such members

        def check(value: Any) -> bool:
            if not holds_list(value, minimum):
                return False
            for item in value:
                if not isinstance(item, types):
                    return False
            return True
        return check
    member = of(member_shape)

    def check_members(value: Any) -> bool:
        if not holds_list(value, minimum):
            return False
        for item in value:
            if not member(item):
                return False
        return True
    return check_members


def _map(key: Check, item: Check) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for name, member in value.items():
            if not (key(name) and item(member)):
                return False
        return True
    return check


def _scalar(types: tuple, minimum: Any, measured: bool) -> Check:
    if minimum is None:
        return lambda value: isinstance(value, types)
    if measured:
        return lambda value: isinstance(value, types) and not len(value) < minimum
    return lambda value: isinstance(value, types) and not value < minimum


def _blob(value: Any) -> bool:
    return isinstance(value, (bytes, bytearray, str)) or hasattr(value, "read")


def _timestamp(value: Any) -> bool:
    try:
        parse_to_aware_datetime(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _json_encodable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (ValueError, TypeError):
        return False
    return True


def _document(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return all(_document(item) for item in value.values())
    if isinstance(value, list):
        return all(_document(item) for item in value)
    return isinstance(value, _DOCUMENT_LEAVES)


def _never(value: Any) -> bool:
    """A shape botocore has no validator for: its validator says what happens."""
    return False


#: a shape's check: whether a value of it is valid
checks = PerShape(_check)


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for botocore's validator."""
    return [(ParamValidator, "validate", validate)]
