"""The twin's DynamoDB keeps what it stores to itself: answers are copies, updates share nothing they change, and a
wave's queue (a partition read page by page while it changes) reads as DynamoDB's would."""
from __future__ import annotations

import copy

import boto3
import pytest
from botocore.exceptions import ClientError

from waveflow.local.twin.dynamodb import TwinDynamoDB
from waveflow.local.twin.dynamodb.values import item_size
from waveflow.local.twin.wire import Wiring

REGION = "us-east-1"


@pytest.fixture
def twin(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    session, wiring = boto3.Session(region_name=REGION), Wiring()
    dynamodb = TwinDynamoDB(REGION, "123456789012")
    dynamodb.install(session, wiring)
    yield dynamodb, session, wiring
    wiring.uninstall()


@pytest.fixture
def client(twin):
    dynamodb = twin[1].client("dynamodb")
    dynamodb.create_table(
        TableName="status", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "migrationId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "migrationId", "AttributeType": "S"},
                              {"AttributeName": "status", "AttributeType": "S"},
                              {"AttributeName": "updatedAt", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "statusIndex", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                                               {"AttributeName": "updatedAt", "KeyType": "RANGE"}]}])
    return dynamodb


def _record(number: int, status: str = "PENDING") -> dict:
    return {"migrationId": {"S": f"m-{number:03d}"}, "status": {"S": status},
            "updatedAt": {"S": f"2026-11-30T00:{number // 60:02d}:{number % 60:02d}Z"},
            "details": {"M": {"validation": {"M": {"ok": {"BOOL": True}}}}},
            "history": {"L": [{"S": "PENDING"}]}, "blob": {"B": b"\x00\xff"}}


def _get(client, number: int) -> dict:
    return client.get_item(TableName="status", Key={"migrationId": {"S": f"m-{number:03d}"}},
                           ConsistentRead=True)["Item"]


def test_changing_an_answer_changes_nothing_stored(client):
    client.put_item(TableName="status", Item=_record(1))
    answer = _get(client, 1)
    answer["details"]["M"]["validation"]["M"]["ok"] = {"BOOL": False}
    answer["history"]["L"].append({"S": "FAILED"})
    assert _get(client, 1) == _record(1)
    assert _get(client, 1)["blob"] == {"B": b"\x00\xff"}


def test_an_update_leaves_the_answers_given_before_it_and_a_refused_update_leaves_the_item(client):
    client.put_item(TableName="status", Item=_record(1))
    before = client.update_item(TableName="status", Key={"migrationId": {"S": "m-001"}}, ReturnValues="ALL_NEW",
                                UpdateExpression="SET details.validation.checks = :n",
                                ExpressionAttributeValues={":n": {"N": "1"}})["Attributes"]
    client.update_item(TableName="status", Key={"migrationId": {"S": "m-001"}},
                       UpdateExpression="SET details.validation.checks = details.validation.checks + :n,"
                                        " history = list_append(history, :h) REMOVE #blob",
                       ExpressionAttributeNames={"#blob": "blob"},  # a reserved word
                       ExpressionAttributeValues={":n": {"N": "1"}, ":h": {"L": [{"S": "VALIDATED"}]}})
    assert before["details"]["M"]["validation"]["M"]["checks"] == {"N": "1"}
    after = _get(client, 1)
    assert after["details"]["M"]["validation"]["M"]["checks"] == {"N": "2"}
    assert after["history"] == {"L": [{"S": "PENDING"}, {"S": "VALIDATED"}]} and "blob" not in after
    with pytest.raises(ClientError) as refused:
        client.update_item(TableName="status", Key={"migrationId": {"S": "m-001"}},
                           UpdateExpression="SET history = list_append(history, :h), details.validation.ok = :n",
                           ExpressionAttributeValues={":h": {"S": "not a list"}, ":n": {"N": "1"}})
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert _get(client, 1) == after



def test_answers_copied_from_remembered_forms_are_each_the_callers_own(client):
    """A value copied once is copied again from its marshalled form (``values.Marshalled``): every answer that
    gives it, by any operation, must still be the caller's own, and an update must not change a form remembered."""
    client.put_item(TableName="status", Item=_record(1))
    key = {"migrationId": {"S": "m-001"}}
    first, second = _get(client, 1), _get(client, 1)
    new = client.update_item(TableName="status", Key=key, ReturnValues="ALL_NEW", UpdateExpression="SET note = :n",
                             ExpressionAttributeValues={":n": {"M": {"by": {"S": "lead"}}}})["Attributes"]
    queried = client.query(TableName="status", IndexName="statusIndex", KeyConditionExpression="#s = :s",
                           ExpressionAttributeNames={"#s": "status"},
                           ExpressionAttributeValues={":s": {"S": "PENDING"}})["Items"][0]
    for answer in (first, second, new, queried):
        answer["details"]["M"]["validation"]["M"]["ok"]["BOOL"] = False
        answer["history"]["L"].append({"S": "FAILED"})
    new["note"]["M"]["by"]["S"] = "someone else"
    assert first["history"] == {"L": [{"S": "PENDING"}, {"S": "FAILED"}]}  # each answer changed once: not shared
    assert _get(client, 1) == {**_record(1), "note": {"M": {"by": {"S": "lead"}}}}
    old = client.update_item(TableName="status", Key=key, ReturnValues="ALL_OLD",
                             UpdateExpression="SET details.validation.checks = :c, history[0] = :h",
                             ExpressionAttributeValues={":c": {"N": "3"}, ":h": {"S": "VALIDATED"}})["Attributes"]
    assert old == {**_record(1), "note": {"M": {"by": {"S": "lead"}}}}
    later = _get(client, 1)
    assert later["details"]["M"]["validation"]["M"] == {"ok": {"BOOL": True}, "checks": {"N": "3"}}
    assert later["history"] == {"L": [{"S": "VALIDATED"}]}
    removed = client.update_item(TableName="status", Key=key, ReturnValues="UPDATED_OLD",
                                 UpdateExpression="REMOVE note")
    assert removed["Attributes"] == {"note": {"M": {"by": {"S": "lead"}}}}

def test_one_placeholder_set_at_two_paths_is_two_values_once_either_changes(client):
    """The twin keeps the request's values, so two attributes set from one placeholder hold one value: a later
    update of one must leave the other, and the answers, as they were."""
    client.put_item(TableName="status", Item=_record(1))
    key = {"migrationId": {"S": "m-001"}}
    client.update_item(TableName="status", Key=key, UpdateExpression="SET a = :v, b = :v",
                       ExpressionAttributeValues={":v": {"M": {"n": {"N": "1"}, "l": {"L": [{"S": "x"}]}}}})
    given = _get(client, 1)
    client.update_item(TableName="status", Key=key, UpdateExpression="SET a.n = :two, a.l[1] = :y",
                       ExpressionAttributeValues={":two": {"N": "2"}, ":y": {"S": "y"}})
    after = _get(client, 1)
    assert after["a"] == {"M": {"n": {"N": "2"}, "l": {"L": [{"S": "x"}, {"S": "y"}]}}}
    assert after["b"] == given["b"] == given["a"] == {"M": {"n": {"N": "1"}, "l": {"L": [{"S": "x"}]}}}


def test_an_item_updated_many_times_keeps_no_old_versions_in_the_tables_memory(twin, client):
    """What a table remembers of its values (sizes, marshalled forms) is of the attributes it holds: a history that
    grows with every update must not keep each older history alive."""
    client.put_item(TableName="status", Item=_record(1))
    for number in range(50):
        client.update_item(TableName="status", Key={"migrationId": {"S": "m-001"}}, ReturnValues="ALL_NEW",
                           UpdateExpression="SET history = list_append(history, :h)",
                           ExpressionAttributeValues={":h": {"L": [{"M": {"n": {"N": str(number)}}}]}})
    table = twin[0].tables["status"]
    assert len(table.marshalled.known) <= 3  # details, history, the blob's bytes need none
    assert len(table.measured.known) < 60  # the current history, its entries and the details
    assert len(_get(client, 1)["history"]["L"]) == 51


def test_the_queue_reads_page_by_page_in_order_while_records_leave_it(client):
    for number in (5, 3, 9, 1, 7, 2, 8, 4, 6, 0):
        client.put_item(TableName="status", Item=_record(number))
    request = {"TableName": "status", "IndexName": "statusIndex", "KeyConditionExpression": "#s = :p",
               "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":p": {"S": "PENDING"}},
               "Limit": 3}
    first = client.query(**request)
    assert [item["migrationId"]["S"] for item in first["Items"]] == ["m-000", "m-001", "m-002"]
    assert first["LastEvaluatedKey"] == {key: _record(2)[key] for key in ("migrationId", "status", "updatedAt")}
    # m-003 leaves the queue between two pages; the next page starts after the last key read, not after a count
    client.put_item(TableName="status", Item=_record(3, "VALIDATED"))
    second = client.query(**request, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [item["migrationId"]["S"] for item in second["Items"]] == ["m-004", "m-005", "m-006"]
    backwards = client.query(**{**request, "Limit": 2, "ScanIndexForward": False},
                             ExclusiveStartKey=second["LastEvaluatedKey"])
    assert [item["migrationId"]["S"] for item in backwards["Items"]] == ["m-005", "m-004"]
    rest = client.query(**{**request, "Limit": 10}, ExclusiveStartKey=second["LastEvaluatedKey"])
    assert [item["migrationId"]["S"] for item in rest["Items"]] == ["m-007", "m-008", "m-009"]
    assert "LastEvaluatedKey" not in rest


def test_the_queue_kept_in_order_follows_arrivals_moves_leaves_and_deletes(client):
    def queue() -> list[str]:
        items = client.query(TableName="status", IndexName="statusIndex", KeyConditionExpression="#s = :p",
                             ExpressionAttributeNames={"#s": "status"},
                             ExpressionAttributeValues={":p": {"S": "PENDING"}})["Items"]
        return [item["migrationId"]["S"] for item in items]

    for number in (5, 3, 9, 1, 7):
        client.put_item(TableName="status", Item=_record(number))
    assert queue() == ["m-001", "m-003", "m-005", "m-007", "m-009"]  # the order is kept from here on
    client.put_item(TableName="status", Item=_record(4))  # arrives in the middle
    client.put_item(TableName="status", Item=_record(0))  # and first
    client.update_item(TableName="status", Key={"migrationId": {"S": "m-001"}},  # moves to the back
                       UpdateExpression="SET updatedAt = :later",
                       ExpressionAttributeValues={":later": {"S": "2026-11-30T09:00:00Z"}})
    client.update_item(TableName="status", Key={"migrationId": {"S": "m-005"}},  # leaves
                       UpdateExpression="SET #s = :v", ExpressionAttributeNames={"#s": "status"},
                       ExpressionAttributeValues={":v": {"S": "VALIDATED"}})
    client.delete_item(TableName="status", Key={"migrationId": {"S": "m-009"}})
    client.put_item(TableName="status", Item={**_record(7), "note": {"S": "sent again"}})  # replaced in place
    assert queue() == ["m-000", "m-003", "m-004", "m-007", "m-001"]
    client.update_item(TableName="status", Key={"migrationId": {"S": "m-005"}},  # comes back
                       UpdateExpression="SET #s = :p", ExpressionAttributeNames={"#s": "status"},
                       ExpressionAttributeValues={":p": {"S": "PENDING"}})
    assert queue() == ["m-000", "m-003", "m-004", "m-005", "m-007", "m-001"]


def test_a_page_stops_at_one_megabyte_with_a_key_to_go_on_from(client):
    big = "x" * 300_000
    for number in range(5):
        client.put_item(TableName="status", Item={**_record(number), "payload": {"S": big}})
    pages, start = [], {}
    while True:
        page = client.scan(TableName="status", **start)
        pages.append(page["Count"])
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    assert pages == [4, 1]


def test_capacity_is_billed_by_dynamodbs_rules_to_billed_sessions_only(twin, client):
    dynamodb, _, wiring = twin
    unbilled = boto3.Session(region_name=REGION)
    dynamodb.install(unbilled, wiring, billed=False)
    big = {**_record(1), "payload": {"S": "x" * 2500}}                      # ~2.6 KB
    client.put_item(TableName="status", Item=big)                            # 3 write units
    client.update_item(TableName="status", Key={"migrationId": {"S": "m-001"}},  # the larger of before and after: 3
                       UpdateExpression="REMOVE payload")
    client.get_item(TableName="status", Key={"migrationId": {"S": "m-001"}}, ConsistentRead=True)  # 1 read unit
    client.get_item(TableName="status", Key={"migrationId": {"S": "m-404"}})  # half a unit, found or not
    with pytest.raises(ClientError):                                          # refused: still 1 write unit
        client.put_item(TableName="status", Item=_record(1), ConditionExpression="attribute_not_exists(migrationId)")
    client.transact_write_items(TransactItems=[{"Put": {"TableName": "status", "Item": _record(2)}}])  # 2 x 1
    unbilled.client("dynamodb").get_item(TableName="status", Key={"migrationId": {"S": "m-001"}})
    assert dynamodb.usage() == {"dynamodb_read_units": 1.5, "dynamodb_write_units": 3 + 3 + 1 + 2}


def _described_size(client) -> int:
    return client.describe_table(TableName="status")["Table"]["TableSizeBytes"]


def test_an_item_changed_after_it_was_measured_is_measured_anew(client):
    """Sizes of maps and lists are remembered from one write to the next (``values.Measured``): each update of a
    nested map or list must still count the item as DynamoDB would, and the 400 KB limit must still hold."""
    client.put_item(TableName="status", Item=_record(1))
    updates = [
        ("SET details.validation.checks = :v", {":v": {"N": "12345"}}),
        ("SET history = list_append(history, :v)", {":v": {"L": [{"M": {"stamp": {"S": "2026-11-30T01:00:00Z"}}}]}}),
        ("SET history[1].stamp = :v", {":v": {"S": "a later, longer time stamp"}}),
        ("SET details.validation.checks = details.validation.checks + :v", {":v": {"N": "1000000"}}),
        ("REMOVE details.validation.ok, history[0]", {}),
        ("SET details.launch = details.validation", {}),
        ("SET details.launch.extra = :v", {":v": {"L": [{"S": "x" * 40}, {"NULL": True}]}}),
    ]
    for expression, given in updates:
        answer = client.update_item(TableName="status", Key={"migrationId": {"S": "m-001"}}, ReturnValues="ALL_NEW",
                                    UpdateExpression=expression, ReturnConsumedCapacity="TOTAL",
                                    **({"ExpressionAttributeValues": given} if given else {}))
        assert _described_size(client) == item_size(_get(client, 1)), expression
        assert answer["Attributes"] == _get(client, 1)
    entry = {"L": [{"S": "y" * 130_000}]}
    for _ in range(2):
        client.update_item(TableName="status", Key={"migrationId": {"S": "m-001"}},
                           UpdateExpression="SET history = list_append(history, :v)",
                           ExpressionAttributeValues={":v": entry})
    assert _described_size(client) == item_size(_get(client, 1)) > 260_000
    with pytest.raises(ClientError) as refused:  # the small first entry grows to 150 KB: past 400 KB
        client.update_item(TableName="status", Key={"migrationId": {"S": "m-001"}},
                           UpdateExpression="SET history[0] = :v", ExpressionAttributeValues={":v": {"S": "z" * 150_000}})
    assert refused.value.response["Error"]["Message"] == "Item size to update has exceeded the maximum allowed size"


def test_requests_alike_but_for_their_placeholders_are_each_checked_and_answered_as_their_own(client):
    """Expressions are checked once per text and placeholder names (``operations._checked``): requests with the
    same text must still reach the attributes and values they name, and be refused for what they lack."""
    client.put_item(TableName="status", Item=_record(1))
    update = {"TableName": "status", "Key": {"migrationId": {"S": "m-001"}}, "UpdateExpression": "SET #a = :v",
              "ConditionExpression": "begins_with(#s, :v)", "ReturnValues": "UPDATED_NEW"}

    def refusal(**request) -> str:
        with pytest.raises(ClientError) as refused:
            client.update_item(**{**update, **request})
        return refused.value.response["Error"]["Message"]

    first = client.update_item(**update, ExpressionAttributeNames={"#a": "x", "#s": "status"},
                               ExpressionAttributeValues={":v": {"S": "P"}})
    second = client.update_item(**update, ExpressionAttributeNames={"#a": "y", "#s": "status"},
                                ExpressionAttributeValues={":v": {"S": "PEN"}})
    assert first["Attributes"] == {"x": {"S": "P"}} and second["Attributes"] == {"y": {"S": "PEN"}}
    assert {"x", "y"} <= set(_get(client, 1))
    assert refusal(ExpressionAttributeNames={"#a": "x", "#s": "status", "#b": "z"},
                   ExpressionAttributeValues={":v": {"S": "P"}}) == \
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"
    assert refusal(ExpressionAttributeNames={"#a": "x"}, ExpressionAttributeValues={":v": {"S": "P"}}) == \
        "Invalid ConditionExpression: An expression attribute name used in the document path is not defined;" \
        " attribute name: #s"
    assert refusal(ExpressionAttributeNames={"#a": "x", "#s": "status"},
                   ExpressionAttributeValues={":v": {"N": "1"}}) == \
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function:" \
        " begins_with, operand type: N"
    assert refusal(ExpressionAttributeNames={"#a": "x", "#s": "status"},
                   ExpressionAttributeValues={":v": {"S": "VALID"}}) == "The conditional request failed"


def _nested(number: int) -> dict:
    """A record whose maps, lists and sets an update can reach at every depth."""
    return {**_record(number),
            "details": {"M": {"validation": {"M": {"ok": {"BOOL": True}, "tags": {"SS": ["a", "b"]}}},
                              "launch": {"M": {"jobs": {"L": [{"M": {"id": {"S": "j-1"}, "sizes": {"NS": ["1", "2"]}}}]},
                                               "count": {"N": "1"}}}}},
            "history": {"L": [{"M": {"status": {"S": "PENDING"}, "notes": {"L": [{"S": "first"}]}}}]}}


_KEY = {"migrationId": {"S": "m-001"}}
#: updates along shared paths: each changes one part of a nested map or list and shares the rest with the version
#: before, which answers already given hold copies of
_NESTED_UPDATES = [
    ("SET details.validation.ok = :f, details.launch.jobs[0].id = :s", {":f": {"BOOL": False}, ":s": {"S": "j-2"}}),
    ("SET history = list_append(history, :h)", {":h": {"L": [{"M": {"status": {"S": "VALIDATED"}}}]}}),
    ("SET history[0].notes = list_append(:n, history[0].notes)", {":n": {"L": [{"S": "zeroth"}]}}),
    ("ADD details.validation.tags :t, details.launch.#c :one", {":t": {"SS": ["c"]}, ":one": {"N": "1"}}),
    ("DELETE details.launch.jobs[0].sizes :two", {":two": {"NS": ["2"]}}),
    ("REMOVE details.validation.ok, history[0].notes[1]", {}),
    ("SET details.mirror = details.launch, history[1].#s = :s", {":s": {"S": "SOURCE_PREPARED"}}),
    ("SET details.mirror.jobs[0].id = :s REMOVE details.launch.jobs[0].sizes", {":s": {"S": "j-3"}}),
]


def _names(expression: str) -> dict:
    names = {name: word for name, word in (("#c", "count"), ("#s", "status")) if name in expression}
    return {"ExpressionAttributeNames": names} if names else {}


def test_answers_before_and_after_each_nested_update_stay_as_given_and_are_the_callers_own(client):
    """Every update shares the parts it does not change with the version before (``evaluate._own``): no update may
    change an answer given before it (ALL_NEW, ALL_OLD, GetItem), each ALL_OLD is the ALL_NEW before it, and a
    caller changing any answer changes nothing stored."""
    client.put_item(TableName="status", Item=_nested(1))
    given = [(_get(client, 1), _nested(1))]
    for expression, placeholders in _NESTED_UPDATES:
        request = {"TableName": "status", "Key": _KEY, "UpdateExpression": expression,
                   **({"ExpressionAttributeValues": placeholders} if placeholders else {}),
                   **_names(expression)}
        old = client.update_item(**request, ReturnValues="ALL_OLD")["Attributes"]
        assert old == given[-1][1], expression
        client.put_item(TableName="status", Item=old)  # back to the version before, to update it again for ALL_NEW
        new = client.update_item(**request, ReturnValues="ALL_NEW")["Attributes"]
        assert new == _get(client, 1), expression
        given += [(old, copy.deepcopy(old)), (new, copy.deepcopy(new)), (_get(client, 1), copy.deepcopy(new))]
    for answer, as_given in given:
        assert answer == as_given
    final = copy.deepcopy(given[-1][1])
    for answer, _ in given:  # every answer changed at every depth: none of it is the table's
        answer["details"]["M"]["launch"]["M"]["jobs"]["L"].append({"S": "stray"})
        answer["details"]["M"]["validation"]["M"]["tags"] = {"SS": ["changed"]}
        answer["history"]["L"][0]["M"]["status"]["S"] = "CHANGED"
        answer["history"]["L"].clear()
        answer["status"]["S"] = "CHANGED"
    assert _get(client, 1) == final
    assert final["details"]["M"]["mirror"]["M"]["jobs"]["L"][0]["M"] == {"id": {"S": "j-3"}, "sizes": {"NS": ["1"]}}
    assert "sizes" not in final["details"]["M"]["launch"]["M"]["jobs"]["L"][0]["M"]


@pytest.mark.parametrize("expression, placeholders", [
    ("SET details.validation.ok = :f, history[0].#s.deeper = :f", {":f": {"BOOL": False}}),  # a path through a string
    ("SET history = list_append(history, :h), details.launch.jobs[0].id = :h", {":h": {"S": "not a list"}}),
    ("REMOVE details.validation SET details.launch.#c = details.launch.#c + :s", {":s": {"S": "x"}}),
    ("SET details.validation.ok = :f ADD details.launch.jobs :f", {":f": {"BOOL": False}}),
    ("ADD details.launch.#c :one DELETE details.validation.tags :n", {":one": {"N": "1"}, ":n": {"NS": ["1"]}}),
    ("SET details.launch.jobs[0].id = :s, details.missing.deeper = :s", {":s": {"S": "j-9"}}),
])
def test_an_update_failing_after_its_first_actions_leaves_the_item_and_the_answers_as_they_were(client, expression,
                                                                                               placeholders):
    client.put_item(TableName="status", Item=_nested(1))
    before = _get(client, 1)
    with pytest.raises(ClientError) as refused:
        client.update_item(TableName="status", Key=_KEY, UpdateExpression=expression, ReturnValues="ALL_NEW",
                           ExpressionAttributeValues=placeholders, **_names(expression))
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert _get(client, 1) == before == _nested(1)
    assert _described_size(client) == item_size(_nested(1))


def test_a_refused_condition_leaves_the_item_and_its_all_old_answer_is_the_callers_own(client):
    client.put_item(TableName="status", Item=_nested(1))
    with pytest.raises(ClientError) as refused:
        client.update_item(TableName="status", Key=_KEY, ConditionExpression="#s = :other",
                           UpdateExpression="SET details.launch.jobs[0].id = :other, history = list_append(history, :h)",
                           ExpressionAttributeNames={"#s": "status"}, ReturnValuesOnConditionCheckFailure="ALL_OLD",
                           ExpressionAttributeValues={":other": {"S": "VALIDATED"}, ":h": {"L": [{"S": "x"}]}})
    returned = refused.value.response["Item"]
    assert returned == _nested(1)
    returned["details"]["M"]["launch"]["M"]["jobs"]["L"][0]["M"]["id"]["S"] = "changed"
    returned["history"]["L"].append({"S": "changed"})
    assert _get(client, 1) == _nested(1)
