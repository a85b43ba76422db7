"""The twin's DynamoDB values (``waveflow.local.twin.dynamodb.values``): the short cuts taken for speed give what the
long way gives."""
from __future__ import annotations

import pytest

from waveflow.local.twin.dynamodb.errors import ValidationError
from waveflow.local.twin.dynamodb.values import Measured, item_size, normal, number, number_text, size

ITEM = {"migrationId": {"S": "m-001"}, "version": {"N": "12"},
        "details": {"M": {"validation": {"M": {"ok": {"BOOL": True}, "checks": {"L": [{"N": "1"}, {"NULL": True}]}}}}},
        "history": {"L": [{"M": {"status": {"S": "PENDING"}}}, {"M": {"status": {"S": "RUNNING"}}}]},
        "tags": {"SS": ["a", "bc"]}, "blob": {"B": b"\x00\xff"}}


def test_measured_sizes_are_the_sizes_measured_afresh_and_forgotten_past_the_limit():
    measured = Measured(limit=3)
    for _ in range(3):
        assert item_size(ITEM, measured) == item_size(ITEM)
        assert len(measured.known) <= 3
    shared = {"M": {"history": ITEM["history"], "more": {"L": [ITEM["details"]]}}}
    assert size(shared, measured) == size(shared)


@pytest.mark.parametrize("text", ["0", "7", "-15", "1200", "9" * 38, "-" + "9" * 38, "1" + "0" * 38, "-0", "007",
                                  "1E2", "1.50", "+3", "0.0"])
def test_numbers_kept_as_they_came_are_the_numbers_dynamodb_writes_back(text):
    assert normal({"N": text}) == {"N": number_text(number(text))}
    assert normal({"NS": [text]}) == {"NS": [number_text(number(text))]}


def test_a_request_value_is_normalised_in_place_and_kept_as_the_value_itself():
    """The twin keeps a request's own values (its JSON is decoded for that request alone): ``normal`` changes only
    what DynamoDB writes back otherwise, at any depth, and answers the value it was given."""
    given = {"M": {"n": {"N": "1.50"}, "s": {"S": "x"}, "l": {"L": [{"N": "1E2"}, {"BOOL": 1}, {"S": "y"}]},
                   "ns": {"NS": ["2.0", "3"]}, "b": {"B": "AP8="}}}
    assert normal(given) is given
    assert given == {"M": {"n": {"N": "1.5"}, "s": {"S": "x"}, "l": {"L": [{"N": "100"}, {"BOOL": True}, {"S": "y"}]},
                           "ns": {"NS": ["2", "3"]}, "b": {"B": b"\x00\xff"}}}


@pytest.mark.parametrize("value, message", [
    ({"M": {"s": {"S": 1}}}, "Invalid String value for where"),
    ({"L": [{"S": "x", "N": "1"}]}, "more than one datatypes set"),
    ({"M": {"e": {}}}, "AttributeValue is empty"),
    ({"L": [{"X": "1"}]}, "unknown datatype: X"),
    ({"SS": ["a", "a"]}, "contains duplicates"),
])
def test_a_value_a_member_of_which_is_not_one_is_refused_with_dynamodbs_message(value, message):
    with pytest.raises(ValidationError, match=message):
        normal(value, "where")


def test_text_is_measured_in_utf8_bytes():
    assert item_size({"naïve": {"S": "é"}, "m": {"M": {"ü": {"L": [{"S": "€"}]}}}}) == 6 + 2 + 1 + (3 + 1 + 2 + (3 + 1 + 3))


@pytest.mark.parametrize("expression, placeholders", [
    ("SET details.validation.ok = :f", {":f": {"BOOL": False}}),                 # a member replaced, deep
    ("SET details.mgn = :m", {":m": {"M": {"job": {"S": "j-1"}}}}),               # a member added
    ("REMOVE details.validation", {}),                                            # a member removed
    ("SET history = list_append(history, :h)", {":h": {"L": [{"M": {"status": {"S": "DONE"}}}]}}),
    ("SET history[0] = :s", {":s": {"S": "replaced"}}),                          # an element replaced
    ("REMOVE history[0]", {}),                                                    # the rest move up one place
    ("SET history[5] = :s", {":s": {"S": "past the end"}}),                      # appended
    ("SET details = :s, version = :v", {":s": {"S": "now a string"}, ":v": {"N": "123456"}}),
    ("REMOVE details, history ADD tags :t", {":t": {"SS": ["z"]}}),
    ("SET extra = details", {}),                                                  # a new attribute shares a map
])
def test_an_updated_items_size_worked_out_from_its_changes_is_its_size_measured_afresh(expression, placeholders):
    from waveflow.local.twin.dynamodb.operations import DynamoDB

    dynamodb = DynamoDB("us-east-1", "123456789012")
    dynamodb.CreateTable({"TableName": "t", "KeySchema": [{"AttributeName": "migrationId", "KeyType": "HASH"}],
                          "AttributeDefinitions": [{"AttributeName": "migrationId", "AttributeType": "S"}]})
    dynamodb.PutItem({"TableName": "t", "Item": ITEM})
    table = dynamodb.tables["t"]
    for _ in range(2):  # the second time from sizes the first one remembered
        dynamodb.UpdateItem({"TableName": "t", "Key": {"migrationId": {"S": "m-001"}}, "UpdateExpression": expression,
                             **({"ExpressionAttributeValues": placeholders} if placeholders else {})})
        (key, item), = table.items.items()
        assert table.sizes[key] == item_size(item)
