"""DynamoDB's attribute values as the twin keeps them: checked and normalised once, when a request brings them.

Values keep the wire's shape (``{"S": "x"}``, ``{"M": {...}}``) with two changes made on the way in: numbers are
written as DynamoDB returns them (``"1.50"`` -> ``"1.5"``, ``"1e2"`` -> ``"100"``), and binaries are bytes (as
botocore hands them to the caller), so an answer is a copy of what is stored, not a conversion of it.
"""
from __future__ import annotations

import base64
import binascii
import marshal
import re
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from .errors import ValidationError

Value = dict[str, Any]

SCALARS = frozenset(("S", "N", "B"))
SETS = frozenset(("SS", "NS", "BS"))
_NESTED = frozenset(("SS", "NS", "BS", "M", "L"))
TYPES = frozenset(("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"))
MAX_ITEM_BYTES = 400 * 1024
#: wide enough to hold any number DynamoDB keeps and the sum of two of them exactly (Python's default is 28 digits)
WIDE = Context(prec=80)
_MAX_NUMBER = Decimal("9.9999999999999999999999999999999999999E+125")
_MIN_NUMBER = Decimal("1E-130")


def number(text: str) -> Decimal:
    """A DynamoDB number (38 significant digits, 1E-130 to 9.99...E+125 in magnitude), as a ``Decimal``."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError("A value provided cannot be converted into a number") from None
    if not value.is_finite():
        raise ValidationError("A value provided cannot be converted into a number")
    return checked_number(value)


def checked_number(value: Decimal) -> Decimal:
    """``value``, or the ValidationException DynamoDB gives for a number it cannot keep."""
    magnitude = abs(value)
    if magnitude and (magnitude > _MAX_NUMBER):
        raise ValidationError("Number overflow. Attempting to store a number with magnitude larger than supported"
                              " range")
    if magnitude and magnitude < _MIN_NUMBER:
        raise ValidationError("Number underflow. Attempting to store a number with magnitude smaller than supported"
                              " range")
    if len(value.normalize(WIDE).as_tuple().digits) > 38:
        raise ValidationError("Attempting to store more than 38 significant digits in a Number")
    return value


def number_text(value: Decimal) -> str:
    """How DynamoDB writes a number back: no exponent, no trailing zeros (``Decimal("1.50")`` -> ``"1.5"``)."""
    if not value:
        return "0"
    return format(value.normalize(WIDE), "f")


#: an integer of at most 38 digits as DynamoDB writes it back: kept as it came, without a ``Decimal``'s round trip
_PLAIN_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,37}")


def _normal_number(text: Any) -> str:
    """A request's number as DynamoDB keeps and writes it back (``"1.50"`` -> ``"1.5"``)."""
    if type(text) is str and _PLAIN_INTEGER.fullmatch(text):
        return text
    return number_text(number(text))


def _binary(data: Any) -> bytes:
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise ValidationError("Invalid Binary value: not valid base64") from None


def normal(value: Any, where: str = "") -> Value:
    """One attribute value from a request, checked and normalised in place (``where`` names it in errors); the
    value itself. A request's JSON is decoded anew for each call (``TwinDynamoDB.serve``) and nothing else holds
    it, so the twin keeps the request's own values: a copy made here was a fifth of an update's time, and the
    table's values stay its own as before (answers are copies of them)."""
    if not isinstance(value, dict) or len(value) != 1:
        raise ValidationError("Supplied AttributeValue has more than one datatypes set, must contain exactly one of"
                              " the supported datatypes" if isinstance(value, dict) and value else
                              "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
    (kind, content), = value.items()
    if kind == "S":
        if type(content) is not str:
            raise ValidationError(f"Invalid String value for {where or 'an attribute'}")
    elif kind == "M" or kind == "L":
        for element in content.values() if kind == "M" else content:
            # a string member is checked here, without a call: most members of a wave's maps are strings
            if type(element) is not dict or len(element) != 1 or type(element.get("S")) is not str:
                normal(element, where)
    elif kind == "N":
        if type(content) is not str or not _PLAIN_INTEGER.fullmatch(content):
            value["N"] = number_text(number(content))
    elif kind == "BOOL":
        if type(content) is not bool:
            value["BOOL"] = bool(content)
    elif kind == "B":
        value["B"] = _binary(content)
    elif kind == "NULL":
        if content is not True:
            raise ValidationError("One or more parameter values were invalid: Null attribute value types must have"
                                  " the value of true")
    elif kind in SETS:
        if not content:
            raise ValidationError("One or more parameter values were invalid: An number set  may not be empty"
                                  if kind == "NS" else
                                  f"One or more parameter values were invalid: An {'string' if kind == 'SS' else 'binary'}"
                                  " set  may not be empty")
        if kind == "SS":
            elements = list(content)
        elif kind == "NS":
            elements = [_normal_number(element) for element in content]
        else:
            elements = [_binary(element) for element in content]
        if len(set(elements)) != len(elements):
            raise ValidationError(f"One or more parameter values were invalid: Input collection {content} contains"
                                  " duplicates.")
        value[kind] = elements
    else:
        raise ValidationError(f"Supplied AttributeValue has an unknown datatype: {kind}")
    return value


def normal_item(item: Any, where: str = "Item") -> dict[str, Value]:
    """An item (attribute name -> value) from a request, checked and normalised in place (as ``normal``)."""
    if not isinstance(item, dict):
        raise ValidationError(f"{where} must be a map of attribute names to values")
    for name, value in item.items():
        normal(value, name)
    return item


def copy(value: Value, marshalled: "Marshalled | None" = None) -> Value:
    """A copy of a stored value that a caller may change without changing the table: a map, list or set by
    marshal's round trip (values hold only dicts, lists, strings, bytes and booleans, all of which it keeps as they
    are; a fifth faster than pickle's, and a walk in Python is no faster); ``marshalled`` remembers the marshalled
    forms, so a value copied before is copied by ``marshal.loads`` alone."""
    (kind, content), = value.items()
    if kind not in _NESTED:
        return {kind: content}
    if marshalled is None:
        return marshal.loads(marshal.dumps(value))
    known = marshalled.known.get(id(value))
    if known is None:
        known = marshalled.remember(value, marshal.dumps(value))
    return marshal.loads(known[1])


def copy_item(item: dict[str, Value], marshalled: "Marshalled | None" = None) -> dict[str, Value]:
    """A copy of a stored item, attribute by attribute: an update replaces a few attributes and shares the rest, so
    the attributes an answer gave before are copied from their marshalled forms (``copy``)."""
    return {name: copy(value, marshalled) for name, value in item.items()}


def key_part(value: Value) -> Any:
    """What identifies a key attribute's value (its number by value, not by spelling)."""
    (kind, content), = value.items()
    return Decimal(content) if kind == "N" else content


def order(value: Value) -> Any:
    """What sorts a key attribute's value as DynamoDB does (numbers by value, strings and binaries by bytes)."""
    (kind, content), = value.items()
    if kind == "N":
        return Decimal(content)
    if kind == "S":
        return content.encode()
    return content


def equal(left: Value | None, right: Value | None) -> bool:
    """DynamoDB's ``=``: same type and value; sets compared as sets."""
    if left is None or right is None:
        return left is right
    (kind, content), = left.items()
    (other_kind, other), = right.items()
    if kind != other_kind:
        return False
    if kind == "N":  # kept numbers are written as DynamoDB writes them, so one text is one number
        return content == other or Decimal(content) == Decimal(other)
    if kind in SETS:
        if kind == "NS":
            return {Decimal(element) for element in content} == {Decimal(element) for element in other}
        return set(content) == set(other)
    if kind == "L":
        return len(content) == len(other) and all(equal(a, b) for a, b in zip(content, other))
    if kind == "M":
        return content.keys() == other.keys() and all(equal(content[name], other[name]) for name in content)
    return content == other


def less(left: Value | None, right: Value | None) -> bool | None:
    """``left < right`` for two scalars of one type (S, N or B); ``None`` when DynamoDB cannot compare them."""
    if left is None or right is None:
        return None
    (kind, _), = left.items()
    if kind not in SCALARS or kind not in right:
        return None
    return order(left) < order(right)


def text_size(text: str) -> int:
    """A string's size as DynamoDB counts it: its UTF-8 bytes (ASCII counted without encoding it)."""
    return len(text) if text.isascii() else len(text.encode())


def size(value: Value, measured: "Measured | None" = None) -> int:
    """A value's size in bytes as DynamoDB counts it (item sizes, the 400 KB limit, capacity units); ``measured``
    remembers the sizes of maps and lists met on the way."""
    (kind, content), = value.items()
    if kind == "S":
        return text_size(content)
    if kind == "M" or kind == "L":
        if measured is not None:
            known = measured.known.get(id(value))
            if known is not None:
                return known[1]
        total = 3  # a string member is measured here, without a call: most members of a wave's maps are strings
        if kind == "L":
            for element in content:
                text = element.get("S")
                total += 1 + (size(element, measured) if text is None else
                              len(text) if text.isascii() else len(text.encode()))
        else:
            for name, element in content.items():
                text = element.get("S")
                total += 1 + (len(name) if name.isascii() else len(name.encode())) + (
                    size(element, measured) if text is None else len(text) if text.isascii() else len(text.encode()))
        if measured is not None:
            measured.remember(value, total)
        return total
    if kind == "N":
        return len(content.lstrip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(content)
    if kind in SETS:
        return sum(size({kind[0]: element}) for element in content)
    return 1  # BOOL, NULL


def size_from(value: Value, before: Value | None, measured: "Measured") -> int:
    """``value``'s size (as ``size``), worked out from ``before``'s remembered size when ``value`` is a map or list an
    update made from ``before``: it shares the members the update did not change, so only the members that are not
    ``before``'s own are measured (a status record's ``executionDetails`` with one stage replaced, its ``history``
    with one entry appended), not each of its members again."""
    (kind, content), = value.items()
    if kind != "M" and kind != "L":
        return size(value, measured)
    known = measured.known.get(id(before)) if before is not None and kind in before else None
    if known is None:
        return size(value, measured)
    total, previous = known[1], before[kind]
    if kind == "M":
        kept = 0
        for name, element in content.items():
            was = previous.get(name)
            if was is element:
                kept += 1
            elif was is None:
                total += 1 + text_size(name) + size(element, measured)
            else:
                kept += 1
                total += size(element, measured) - size(was, measured)
        if kept < len(previous):
            for name in previous.keys() - content.keys():
                total -= 1 + text_size(name) + size(previous[name], measured)
    else:
        for place, element in enumerate(content):
            was = previous[place] if place < len(previous) else None
            if was is not element:
                total += size(element, measured) - (size(was, measured) if was is not None else -1)
        for was in previous[len(content):]:
            total -= 1 + size(was, measured)
    measured.remember(value, total)
    return total


def item_size(item: dict[str, Value], measured: "Measured | None" = None) -> int:
    """An item's size in bytes as DynamoDB counts it: attribute names plus values.

    >>> item_size({"migrationId": {"S": "s-1-7"}, "version": {"N": "12"}})
    25
    """
    return sum(text_size(name) + size(value, measured) for name, value in item.items())


class _ByIdentity:
    """Facts about stored values, by identity. No stored value is ever changed in place (an update shares every
    value it does not change with the stored item, replaces values, and copies the maps and lists along the paths
    it writes: ``evaluate.py``), so a fact learnt of a value holds as long as the value lives. Each value is held
    along with its fact, so its ``id`` cannot be given to another object while it is known; past ``limit`` values,
    all are forgotten and learnt again as they come. A table forgets the attributes it no longer holds
    (``Table.store``), so old versions of a growing history do not pile up in memory."""

    def __init__(self, limit: int = 1 << 17) -> None:
        self.known: dict[int, tuple[Value, Any]] = {}
        self.limit = limit

    def remember(self, value: Value, fact: Any) -> tuple[Value, Any]:
        if len(self.known) >= self.limit:
            self.known.clear()
        known = self.known[id(value)] = (value, fact)
        return known

    def forget(self, value: Value) -> None:
        self.known.pop(id(value), None)  # an entry holds its value: an id known is this value's


class Measured(_ByIdentity):
    """The sizes of the maps and lists of a table's items, so an update measures only what it made: an item that
    grows an attribute's history by one entry is measured by that entry and the containers above it, not by its
    whole history again."""


class Marshalled(_ByIdentity):
    """The marshalled forms of the maps, lists and sets of a table's items, so an answer copies them by
    ``marshal.loads`` alone: an item read again, or returned after an update, is marshalled only in the
    attributes that changed since it was last copied. That leaves an answer's copy at what one ``marshal.loads`` of
    the whole item costs (the objects it makes); writing a changed map's form from its members' remembered forms
    (marshal's version 2 has no back-references, so forms join) was measured slower: version 2 marshals at half
    the speed, and joining the parts in Python costs more than marshalling the map again."""


def to_json(value: Any) -> Any:
    """``json.dumps``'s ``default`` for stored values: binaries back to base64, as the wire carries them."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not a DynamoDB value")
