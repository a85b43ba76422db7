"""Records read back from DynamoDB: ``from_item`` reads as boto3's deserializer does, ``to_attribute`` writes as
its serializer does, and a record round-trips."""
from __future__ import annotations

import enum
from decimal import Decimal, Inexact, Rounded

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from tasks.lib.dynamo import _from_dynamo, _to_dynamo, from_item, to_attribute, to_item

ITEM = {"id": {"S": "m-1"}, "empty": {"S": ""}, "ratio": {"N": "1.50"}, "count": {"N": "100"}, "exp": {"N": "1E+2"},
        "negative": {"N": "-0.25"}, "digits": {"N": "12345678901234567890123456789012345678"},
        "nested": {"M": {"list": {"L": [{"N": "3"}, {"BOOL": False}, {"NULL": True}, {"M": {}}, {"L": []}]}}},
        "tags": {"SS": ["a"]}, "ids": {"SS": [f"m-{n}" for n in range(40)]}, "sizes": {"NS": ["2.5"]}, "blob": {"B": b"\x00\xff"}, "flag": {"BOOL": True}}


def test_from_item_reads_every_type_as_boto3s_deserializer_does():
    deserializer = TypeDeserializer()
    expected = {name: _from_dynamo(deserializer.deserialize(value)) for name, value in ITEM.items()}
    read = from_item(ITEM)
    assert read == expected and read["ids"] == expected["ids"]  # a set's strings in the order boto3's set gives
    assert {name: type(value) for name, value in read.items()} == {n: type(v) for n, v in expected.items()}
    assert read["ratio"] == 1.5 and read["count"] == 100 and isinstance(read["count"], int)


def test_a_record_round_trips():
    record = {"migrationId": "m-1", "version": 3, "ratio": 0.1, "details": {"ok": True, "checks": [1, "x", None]}}
    assert from_item(to_item(record)) == record


class Stage(str, enum.Enum):
    VALIDATION = "validation"


class Attempts(enum.IntEnum):
    FIRST = 1


VALUES = ["m-1", "", 0, -7, 10**38 - 1, -(10**38) + 1, True, False, None, 1.5, 0.1, 1e16, Decimal("2.50"),
          Stage.VALIDATION, Attempts.FIRST, {"SS"}, {1, 2}, b"\x00", bytearray(b"\x01"), (1, "x"), [],
          {}, {"nested": {"list": [1, 2.5, None, True, {"deep": ("t",)}], "tags": {"a", "b"}}}]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_to_attribute_writes_every_type_as_boto3s_serializer_does(value):
    expected = TypeSerializer().serialize(_to_dynamo(value))
    written = to_attribute(value)
    assert written == expected
    assert repr(written) == repr(expected)  # the same types inside too (an enum member stays one)


@pytest.mark.parametrize("value", [10**38, -(10**38), float("nan"), object(), {"a": [object()]}], ids=repr)
def test_to_attribute_refuses_what_boto3_refuses(value):
    with pytest.raises((TypeError, Inexact, Rounded)) as boto3_error:
        TypeSerializer().serialize(_to_dynamo(value))
    with pytest.raises(boto3_error.type):
        to_attribute(value)
