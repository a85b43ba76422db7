"""Plain JSON-like dicts to DynamoDB's typed attribute values and back, for the low-level client.

The tasks use botocore clients (one factory, injectable), not boto3's resource layer, so the conversion is
done here: floats go in as Decimal (DynamoDB numbers) and come back as int when whole, float otherwise, so a
record read back equals the dict that was written.

A status record is written and read on every stage, so the types records are made of (strings, whole numbers,
booleans, null, maps, lists) are converted here in one pass; everything else (floats, sets, binaries, str and
int subclasses such as enums) goes through boto3's serializer and deserializer, which decide what it becomes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# whole numbers DynamoDB holds exactly (38 significant digits): larger ones go to boto3, which refuses them, and
# a number read back with no more digits than that is an int as it stands
_EXACT_DIGITS = 38
_LARGEST_EXACT = 10**_EXACT_DIGITS


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _to_dynamo(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_dynamo(item) for item in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamo(item) for key, item in value.items()}
    if isinstance(value, (list, set)):
        return [_from_dynamo(item) for item in value]
    return value


def to_attribute(value: Any) -> dict[str, Any]:
    """One value as a DynamoDB attribute value, as boto3's serializer makes it of ``_to_dynamo(value)``.

    >>> to_attribute({"id": "m-1", "ratio": 1.5, "done": False})
    {'M': {'id': {'S': 'm-1'}, 'ratio': {'N': '1.5'}, 'done': {'BOOL': False}}}
    """
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is dict:
        return {"M": {key: to_attribute(item) for key, item in value.items()}}
    if kind is bool:
        return {"BOOL": value}
    if kind is int and -_LARGEST_EXACT < value < _LARGEST_EXACT:
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    if kind is list or kind is tuple:
        return {"L": [to_attribute(item) for item in value]}
    return _serializer.serialize(_to_dynamo(value))


def to_item(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A record as a DynamoDB item (attribute name -> attribute value)."""
    return {key: to_attribute(value) for key, value in record.items()}


def from_attribute(value: dict[str, Any]) -> Any:
    """One attribute value as plain data (the inverse of :func:`to_attribute`): what boto3's deserializer and
    ``_from_dynamo`` make of it, in one pass for the types records are made of (a status record is read on every
    stage; this is most of its cost). An attribute value has exactly one key, its type; strings, maps and lists,
    most of a record, are looked up first, and a whole number of up to 38 digits (DynamoDB's precision) is read
    as the int it is without a Decimal, a string set as the list of its strings."""
    if "S" in value:
        return value["S"]
    if "M" in value:
        return from_item(value["M"])
    if "L" in value:
        return [element["S"] if "S" in element else from_attribute(element) for element in value["L"]]
    (kind, content), = value.items()
    if kind == "BOOL":
        return content
    if kind == "N":
        if len(content) <= _EXACT_DIGITS and content.isdigit():
            return int(content)
        number = DYNAMODB_CONTEXT.create_decimal(content)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "NULL":
        return None
    if kind == "SS":  # the wave table's slot and gate sets: boto3 makes a set of the strings, _from_dynamo a list
        return list(set(content))
    return _from_dynamo(_deserializer.deserialize(value))  # binaries, number and binary sets: boto3's own types


def from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A DynamoDB item back as a plain record (a map attribute's content is one too)."""
    record = {}
    for key, element in item.items():  # a loop, not a comprehension: a map goes straight to the next level
        if "S" in element:
            record[key] = element["S"]
        elif "M" in element:
            record[key] = from_item(element["M"])
        else:
            record[key] = from_attribute(element)
    return record
