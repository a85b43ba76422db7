"""Plain JSON-like dicts to DynamoDB's typed attribute values and back, for the low-level client.

The tasks use botocore clients (one factory, injectable), not boto3's resource layer, so the conversion is
done here: floats go in as Decimal (DynamoDB numbers) and come back as int when whole, float otherwise, so a
record read back equals the dict that was written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


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
    """One value as a DynamoDB attribute value. ``to_attribute(1.5) == {"N": "1.5"}``."""
    return _serializer.serialize(_to_dynamo(value))


def to_item(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A record as a DynamoDB item (attribute name -> attribute value)."""
    return {key: to_attribute(value) for key, value in record.items()}


def _plain(value: dict[str, Any]) -> Any:
    """One attribute value as plain data: what boto3's deserializer and ``_from_dynamo`` make of it, in one pass
    for the types records are made of (a status record is read on every stage; this is most of its cost)."""
    (kind, content), = value.items()
    if kind == "S" or kind == "BOOL":
        return content
    if kind == "N":
        number = DYNAMODB_CONTEXT.create_decimal(content)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "M":
        return {key: _plain(element) for key, element in content.items()}
    if kind == "L":
        return [_plain(element) for element in content]
    if kind == "NULL":
        return None
    return _from_dynamo(_deserializer.deserialize(value))  # binaries and sets: boto3's own types


def from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A DynamoDB item back as a plain record."""
    return {key: _plain(value) for key, value in item.items()}
