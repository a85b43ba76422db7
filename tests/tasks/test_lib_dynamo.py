"""Records read back from DynamoDB: ``from_item`` reads as boto3's deserializer does, and a record round-trips."""
from __future__ import annotations

from boto3.dynamodb.types import TypeDeserializer

from tasks.lib.dynamo import _from_dynamo, from_item, to_item

ITEM = {"id": {"S": "m-1"}, "empty": {"S": ""}, "ratio": {"N": "1.50"}, "count": {"N": "100"}, "exp": {"N": "1E+2"},
        "negative": {"N": "-0.25"}, "digits": {"N": "12345678901234567890123456789012345678"},
        "nested": {"M": {"list": {"L": [{"N": "3"}, {"BOOL": False}, {"NULL": True}, {"M": {}}, {"L": []}]}}},
        "tags": {"SS": ["a"]}, "sizes": {"NS": ["2.5"]}, "blob": {"B": b"\x00\xff"}, "flag": {"BOOL": True}}


def test_from_item_reads_every_type_as_boto3s_deserializer_does():
    deserializer = TypeDeserializer()
    expected = {name: _from_dynamo(deserializer.deserialize(value)) for name, value in ITEM.items()}
    read = from_item(ITEM)
    assert read == expected
    assert {name: type(value) for name, value in read.items()} == {n: type(v) for n, v in expected.items()}
    assert read["ratio"] == 1.5 and read["count"] == 100 and isinstance(read["count"], int)


def test_a_record_round_trips():
    record = {"migrationId": "m-1", "version": 3, "ratio": 0.1, "details": {"ok": True, "checks": [1, "x", None]}}
    assert from_item(to_item(record)) == record
