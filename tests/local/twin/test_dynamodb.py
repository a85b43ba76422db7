"""The twin's DynamoDB (``waveflow.local.twin.dynamodb``) answers as moto's does, and as DynamoDB does where moto
does not.

Each test is a *conversation*: a function of a DynamoDB client returning the answers it got (errors as
``{"Error": {"Code", "Message"}}``, with ``CancellationReasons`` and ``Item`` where DynamoDB gives them). It runs
twice inside the module's ``mock_aws()``: on a plain session (moto answers) and on a session where ``TwinDynamoDB`` is
installed (the twin answers every request: one reaching moto fails the test). The answers must be equal once
``ResponseMetadata`` and what legitimately differs (ARNs, timestamps, table IDs; ``ConsumedCapacity`` where moto
gives none) are left out. Error messages are compared only where moto's are DynamoDB's (``messages=True``).

Where moto is known to answer otherwise than DynamoDB, the case is a test of the twin alone (``_twin_only``),
asserting what AWS documents, with the documentation cited (among them the eight places where the first twin
answered otherwise than DynamoDB: table descriptions' warm throughput, numbers of 38 digits, key condition values
of another type than the key, begins_with on a number, attribute_type's argument, Select of a global index's
unprojected attributes, UPDATED_NEW of an element appended to a list).

``WAVEFLOW_TWIN_DDB_MOTO_ONLY=1`` runs the moto side alone (to check the conversations themselves).
"""
from __future__ import annotations

import itertools
import os
import re
from decimal import Decimal
from typing import Any, Callable

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from twin_stacks import ACCOUNT, REGION

from tasks.lib import aws

MOTO_ONLY = os.environ.get("WAVEFLOW_TWIN_DDB_MOTO_ONLY") == "1"

#: Fields of the answers that differ between two services by nature: identities and clocks.
VARYING = frozenset({"ResponseMetadata", "TableArn", "TableId", "CreationDateTime", "IndexArn", "LatestStreamArn",
                     "LatestStreamLabel", "LastIncreaseDateTime", "LastDecreaseDateTime",
                     "LastUpdateToPayPerRequestDateTime", "EarliestRestorableDateTime", "LatestRestorableDateTime"})

#: What moto gives unasked (``ConsumedCapacity``, ``ItemCollectionMetrics``) and DynamoDB only when asked:
#: compared where both sides give it (see test_capacity_and_collection_metrics_only_when_asked).
ONLY_WHEN_BOTH = ("ConsumedCapacity", "ItemCollectionMetrics")

pytestmark = pytest.mark.usefixtures("fake_aws")


#: Parts of a table description the two sides give differently, each checked by a test of its own:
#: WarmThroughput and the indexes' ProvisionedThroughput (moto gives them, as DynamoDB does; the twin does not:
#: test_table_descriptions_carry_warm_throughput), empty index lists (moto gives ``[]``, DynamoDB and the twin
#: leave them out: test_deleted_tables_are_deleting_and_empty_index_lists_absent).
def _described(table: dict) -> dict:
    table = {key: value for key, value in table.items() if key != "WarmThroughput"}
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if kind in table and not table[kind]:
            del table[kind]
        elif kind in table:
            table[kind] = [{k: v for k, v in index.items() if k not in ("ProvisionedThroughput", "WarmThroughput")}
                           for index in table[kind]]
    return table


# -- the harness -----------------------------------------------------------------------------------------------

def _cleaned(value: Any) -> Any:
    if isinstance(value, dict):
        if "KeySchema" in value and "TableName" in value:  # a table description
            value = _described(value)
        return {key: _cleaned(item) for key, item in value.items() if key not in VARYING}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def _error(exc: ClientError) -> dict:
    response = exc.response
    answer: dict[str, Any] = {"Error": {"Code": response["Error"].get("Code"),
                                        "Message": response["Error"].get("Message")}}
    for key in ("CancellationReasons", "Item"):
        if key in response:
            answer[key] = response[key]
    return answer


class Asking:
    """A DynamoDB client whose calls return the answer, an error included (``Asking(c).get_item(...)``).

    ``client`` is the client itself (for code that needs one); ``heard`` every answer it got, paginators' and
    refused calls' included, in order (what the product conversations return).
    """

    def __init__(self, client) -> None:
        self.client = client
        self.heard: list[dict] = []
        self._hook = f"asking-{id(self)}"
        client.meta.events.register("after-call.dynamodb", self._hear, unique_id=self._hook)

    def close(self) -> None:
        self.client.meta.events.unregister("after-call.dynamodb", unique_id=self._hook)

    def _hear(self, http_response, parsed, model, **_) -> None:
        answer = dict(parsed)
        if http_response.status_code >= 300:
            answer = {"Error": {"Code": parsed["Error"].get("Code"), "Message": parsed["Error"].get("Message")},
                      **{k: parsed[k] for k in ("CancellationReasons", "Item") if k in parsed}}
        self.heard.append({"Operation": model.name, **_cleaned(answer)})

    def __getattr__(self, name: str) -> Callable[..., dict]:
        method = getattr(self.client, name)

        def ask(**kwargs):
            try:
                return _cleaned(method(**kwargs))
            except ClientError as exc:
                return _error(exc)
        return ask


Conversation = Callable[[Asking], list]
_LOADER = botocore.session.get_session().get_component("data_loader")


_SHARED: dict[str, Any] = {}


def _session(role: str) -> boto3.Session:
    """The session of one side, made once (botocore's ~15 ms of handler registration per session), reading the
    service models loaded once; the twin's hooks come and go on it with each conversation."""
    if role not in _SHARED:
        core = botocore.session.Session()
        core.register_component("data_loader", _LOADER)
        _SHARED[role] = boto3.Session(botocore_session=core, region_name=REGION)
    return _SHARED[role]


def _moto_client():
    if "client" not in _SHARED:
        _SHARED["client"] = _session("moto").client("dynamodb")
    return _SHARED["client"]


@pytest.fixture(scope="module", autouse=True)
def _moto_for_the_module(fake_aws):
    """One ``mock_aws`` for the module (starting one costs ~20 ms); its DynamoDB is emptied before each
    conversation (``_fresh_moto``)."""
    with mock_aws():
        yield
    _SHARED.clear()


def _fresh_moto() -> None:
    from moto.dynamodb.models import dynamodb_backends

    dynamodb_backends[ACCOUNT].reset()


def _on_moto(conversation: Conversation) -> list:
    asking = Asking(_moto_client())
    try:
        return conversation(asking)
    finally:
        asking.close()


def _on_twin(conversation: Conversation) -> list:
    """The conversation on a session the twin answers; none of its requests may reach moto."""
    from waveflow.local.twin.dynamodb import TwinDynamoDB
    from waveflow.local.twin.wire import Wiring

    session = _session("twin")
    wiring = Wiring()
    TwinDynamoDB(region=REGION, account=ACCOUNT).install(session, wiring)
    passed: list[str] = []
    session.events.register("before-send.dynamodb", lambda request, **_: passed.append(request.url),
                            unique_id="passed-the-twin")
    try:
        answers = conversation(Asking(session.client("dynamodb")))
    finally:
        wiring.uninstall()
        session.events.unregister("before-send.dynamodb", unique_id="passed-the-twin")
    assert passed == [], f"{len(passed)} requests went past the twin to moto"
    return answers


def _comparable(plain: Any, twin: Any, messages: bool) -> tuple[Any, Any]:
    """Both answers without what may differ: error messages (unless ``messages``), what one side gives unasked."""
    if isinstance(plain, dict) and isinstance(twin, dict):
        plain, twin = dict(plain), dict(twin)
        for key in ONLY_WHEN_BOTH:
            if (key in plain) != (key in twin):
                plain.pop(key, None)
                twin.pop(key, None)
        if not messages and isinstance(plain.get("Error"), dict) and isinstance(twin.get("Error"), dict):
            plain["Error"] = {**plain["Error"], "Message": None}
            twin["Error"] = {**twin["Error"], "Message": None}
        pairs = {key: _comparable(plain[key], twin[key], messages) for key in plain.keys() & twin.keys()}
        return ({k: pairs[k][0] if k in pairs else v for k, v in plain.items()},
                {k: pairs[k][1] if k in pairs else v for k, v in twin.items()})
    if isinstance(plain, list) and isinstance(twin, list) and len(plain) == len(twin):
        pairs = [_comparable(p, t, messages) for p, t in zip(plain, twin)]
        return [p for p, _ in pairs], [t for _, t in pairs]
    return plain, twin


def _alike(conversation: Conversation, *, messages: bool = False, same_numbers: bool = False) -> list:
    """The conversation on moto and on the twin, in the module's ``mock_aws``: the answers, which must agree.

    ``same_numbers``: numbers agree when their values do ("1.50" and "1.5": moto does not trim them).
    """
    _fresh_moto()
    plain = _on_moto(conversation)
    if MOTO_ONLY:
        return plain
    twin = _on_twin(conversation)
    plain_seen, twin_seen = _comparable(_unordered_sets(plain), _unordered_sets(twin), messages)
    if same_numbers:
        plain_seen, twin_seen = _valued(plain_seen), _valued(twin_seen)
    assert twin_seen == plain_seen, "moto | twin:\n" + "\n".join(_differences(plain_seen, twin_seen))
    return twin


def _unordered_sets(answer: Any) -> Any:
    """Sets in one order: a set's order is no part of DynamoDB's answer (moto keeps its own)."""
    if isinstance(answer, dict):
        if len(answer) == 1 and next(iter(answer)) in ("SS", "NS", "BS") and isinstance(answer.get(
                next(iter(answer))), list):
            (kind, members), = answer.items()
            return {kind: sorted(members, key=lambda m: Decimal(m) if kind == "NS" else m)}
        return {key: _unordered_sets(value) for key, value in answer.items()}
    if isinstance(answer, list):
        return [_unordered_sets(value) for value in answer]
    return answer


def _valued(answer: Any) -> Any:
    if isinstance(answer, dict):
        if set(answer) == {"N"} and isinstance(answer["N"], str):
            return {"N": Decimal(answer["N"])}
        return {key: _valued(value) for key, value in answer.items()}
    if isinstance(answer, list):
        return [_valued(value) for value in answer]
    return answer


def _differences(plain: Any, twin: Any, path: str = "") -> list[str]:
    """Where two answers differ, one line each: ``path: moto's | the twin's``."""
    if isinstance(plain, dict) and isinstance(twin, dict):
        found = []
        for key in sorted(plain.keys() | twin.keys(), key=str):
            if key not in plain or key not in twin:
                found.append(f"{path}.{key}: {plain.get(key, '(none)')!r:.300} | {twin.get(key, '(none)')!r:.300}")
            else:
                found += _differences(plain[key], twin[key], f"{path}.{key}")
        return found
    if isinstance(plain, list) and isinstance(twin, list) and len(plain) == len(twin):
        return [line for n, (p, t) in enumerate(zip(plain, twin)) for line in _differences(p, t, f"{path}[{n}]")]
    return [] if plain == twin else [f"{path}: {plain!r:.400} | {twin!r:.400}"]


def _twin_only(conversation: Conversation) -> list:
    """The conversation on the twin alone: a case where moto is known to answer otherwise than DynamoDB."""
    if MOTO_ONLY:
        pytest.skip("the twin alone")
    return _on_twin(conversation)


def _code(answer: dict) -> str | None:
    return answer.get("Error", {}).get("Code")


# -- tables ----------------------------------------------------------------------------------------------------

def _attribute(name: str, kind: str) -> dict:
    return {"AttributeName": name, "AttributeType": kind}


def _create(d: Asking, name: str = "t", hash_key: tuple[str, str] = ("pk", "S"),
            range_key: tuple[str, str] | None = None, gsis: list[dict] | None = None,
            lsis: list[dict] | None = None, extra: list[tuple[str, str]] = ()) -> dict:
    """CreateTable (on demand); indexes as ``{"IndexName", "KeySchema": [(name, type), ...], "Projection"}``."""
    keys = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    attributes = {hash_key[0]: hash_key[1]}
    if range_key:
        keys.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        attributes[range_key[0]] = range_key[1]

    def index(spec: dict) -> dict:
        schema = []
        for (attribute, kind), role in zip(spec["KeySchema"], ("HASH", "RANGE")):
            schema.append({"AttributeName": attribute, "KeyType": role})
            attributes[attribute] = kind
        return {"IndexName": spec["IndexName"], "KeySchema": schema,
                "Projection": spec.get("Projection", {"ProjectionType": "ALL"})}
    request: dict[str, Any] = {"TableName": name, "BillingMode": "PAY_PER_REQUEST", "KeySchema": keys}
    if gsis:
        request["GlobalSecondaryIndexes"] = [index(spec) for spec in gsis]
    if lsis:
        request["LocalSecondaryIndexes"] = [index(spec) for spec in lsis]
    for attribute, kind in extra:
        attributes[attribute] = kind
    request["AttributeDefinitions"] = [_attribute(a, k) for a, k in attributes.items()]
    return d.create_table(**request)


def test_a_table_is_created_described_listed_and_deleted(fake_aws):
    def conversation(d):
        return [
            _create(d, "orders", ("pk", "S"), ("sk", "N"),
                    gsis=[{"IndexName": "byStatus", "KeySchema": [("status", "S"), ("at", "S")]}],
                    lsis=[{"IndexName": "byAt", "KeySchema": [("pk", "S"), ("at", "S")],
                           "Projection": {"ProjectionType": "KEYS_ONLY"}}]),
            d.describe_table(TableName="orders"),
            d.list_tables(),
            _create(d, "orders"),
            _code(d.delete_table(TableName="orders")),  # its TableStatus: test_deleted_tables_are_deleting_...
            d.describe_table(TableName="orders"),
            d.list_tables(),
            d.delete_table(TableName="orders"),
            d.get_item(TableName="orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}}),
        ]

    answers = _alike(conversation)
    assert _code(answers[3]) == "ResourceInUseException" and answers[4] is None
    assert [_code(a) for a in answers[5:]] == ["ResourceNotFoundException", None, "ResourceNotFoundException",
                                               "ResourceNotFoundException"]


def test_deleted_tables_are_deleting_and_empty_index_lists_absent(fake_aws):
    """DeleteTable: "DynamoDB sets the table to the DELETING state" and its answer says so (API Reference,
    DeleteTable; moto answers ACTIVE); a table without indexes has no GlobalSecondaryIndexes or
    LocalSecondaryIndexes in its description (they are optional members; moto gives empty lists)."""
    def conversation(d):
        _create(d)
        return [d.describe_table(TableName="t"), d.delete_table(TableName="t")]

    answers = _twin_only(conversation)
    assert answers[1]["TableDescription"]["TableStatus"] == "DELETING"
    assert not {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"} & answers[0]["Table"].keys()


def test_table_descriptions_carry_warm_throughput(fake_aws):
    """TableDescription.WarmThroughput and GlobalSecondaryIndexDescription.ProvisionedThroughput (API Reference,
    TableDescription, GlobalSecondaryIndexDescription); moto gives both as DynamoDB does for on-demand tables."""
    def conversation(d):
        _create(d, gsis=[{"IndexName": "byG", "KeySchema": [("g", "S")]}])
        return [d.client.describe_table(TableName="t")["Table"]]

    answers = _twin_only(conversation)
    assert answers[0]["WarmThroughput"]["Status"] == "ACTIVE"
    assert answers[0]["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 0


def test_the_product_tables_are_created_as_the_schema_says(fake_aws):
    """``tasks.lib.tables.create_table`` (CreateTable, then UpdateTimeToLive) for the three tables."""
    from tasks.lib.tables import IDEMPOTENCY_TABLE, STATUS_TABLE, WAVE_TABLE, create_table

    def conversation(d):
        for logical, name in ((STATUS_TABLE, "status"), (IDEMPOTENCY_TABLE, "idempotency"), (WAVE_TABLE, "waves")):
            create_table(d.client, logical, name)
            d.client.describe_table(TableName=name)
            d.client.describe_time_to_live(TableName=name)
        return d.heard

    answers = _alike(conversation)
    assert [a["Operation"] for a in answers[:4]] == ["CreateTable", "UpdateTimeToLive", "DescribeTable",
                                                     "DescribeTimeToLive"]
    assert answers[3]["TimeToLiveDescription"] == {"AttributeName": "ttl", "TimeToLiveStatus": "ENABLED"}


def test_list_tables_pages_by_limit_and_exclusive_start_name(fake_aws):
    def conversation(d):
        for name in ("tab-a", "tab-b", "tab-c", "tab-d", "tab-e"):  # created in name order: moto lists in
            _create(d, name)                                       # creation order, DynamoDB does not say
        first = d.list_tables(Limit=2)
        return [first, d.list_tables(Limit=2, ExclusiveStartTableName=first["LastEvaluatedTableName"]),
                d.list_tables(ExclusiveStartTableName="tab-c"), d.list_tables(Limit=5)]

    answers = _alike(conversation)
    assert answers[0] == {"TableNames": ["tab-a", "tab-b"], "LastEvaluatedTableName": "tab-b"}


def test_time_to_live_and_continuous_backups_are_switched_and_described(fake_aws):
    def conversation(d):
        _create(d)
        return [
            d.describe_time_to_live(TableName="t"),
            d.update_time_to_live(TableName="t", TimeToLiveSpecification={"AttributeName": "ttl", "Enabled": True}),
            d.describe_time_to_live(TableName="t"),
            d.update_continuous_backups(TableName="t", PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]["ContinuousBackupsStatus"],
            d.update_time_to_live(TableName="t", TimeToLiveSpecification={"AttributeName": "ttl", "Enabled": False}),
            # once disabled: the status alone (moto drops AttributeName, the twin keeps it; DynamoDB does not say)
            d.describe_time_to_live(TableName="t")["TimeToLiveDescription"]["TimeToLiveStatus"],
        ]

    answers = _alike(conversation)
    assert answers[2]["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"


def test_time_to_live_of_an_unknown_table_is_resource_not_found(fake_aws):
    """UpdateTimeToLive and DescribeTimeToLive list ResourceNotFoundException among their errors (API Reference,
    UpdateTimeToLive, Errors); moto answers with the code "ResourceNotFound"."""
    def conversation(d):
        return [d.update_time_to_live(TableName="nope", TimeToLiveSpecification={"AttributeName": "t",
                                                                                 "Enabled": True}),
                d.describe_time_to_live(TableName="nope"),
                d.update_continuous_backups(TableName="nope", PointInTimeRecoverySpecification={
                    "PointInTimeRecoveryEnabled": True})]

    answers = _twin_only(conversation)
    assert [_code(a) for a in answers[:2]] == ["ResourceNotFoundException"] * 2
    assert _code(answers[2]) in ("TableNotFoundException", "ResourceNotFoundException")


# -- items -----------------------------------------------------------------------------------------------------

EVERY_TYPE = {
    "pk": {"S": "a"}, "s": {"S": "text"}, "n": {"N": "42"}, "f": {"N": "-3.25"}, "b": {"B": b"\x00\xff"},
    "t": {"BOOL": True}, "off": {"BOOL": False}, "nul": {"NULL": True}, "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"\x01", b"\x02"]}, "blank": {"S": ""}, "eb": {"B": b""},
    "l": {"L": [{"S": "one"}, {"N": "2"}, {"M": {"k": {"S": "v"}}}, {"L": []}]},
    "m": {"M": {"inside": {"M": {"deep": {"S": "d"}, "entries": {"L": [{"M": {"k": {"S": "v0"}}}, {"N": "1"}]}}},
                "n": {"N": "1"}, "em": {"M": {}}}},
}


def _put_every_type(d, key: str = "a") -> dict:
    return d.put_item(TableName="t", Item={**EVERY_TYPE, "pk": {"S": key}})


def test_every_attribute_type_is_stored_and_read_back(fake_aws):
    def conversation(d):
        _create(d)
        return [_put_every_type(d), d.get_item(TableName="t", Key={"pk": {"S": "a"}}),
                d.get_item(TableName="t", Key={"pk": {"S": "a"}}, ConsistentRead=True),
                d.get_item(TableName="t", Key={"pk": {"S": "missing"}}),
                d.delete_item(TableName="t", Key={"pk": {"S": "a"}}),
                d.get_item(TableName="t", Key={"pk": {"S": "a"}}),
                d.delete_item(TableName="t", Key={"pk": {"S": "a"}})]

    answers = _alike(conversation)
    assert answers[1]["Item"] == EVERY_TYPE
    assert answers[3] == {} and answers[5] == {}


@pytest.mark.parametrize("projection", [
    "s, n", "m.inside.deep", "m.inside.entries[0].k, l[2].k", "#s, m.#i", "l[5], nope, m.nope.deeper",
    "m.inside, m.inside.deep", "ss, bs, nul",
])
def test_projections_pick_nested_paths_and_list_elements(fake_aws, projection):
    names = {"#s": "s", "#i": "inside"}

    def conversation(d):
        _create(d)
        _put_every_type(d)
        used = {k: v for k, v in names.items() if k in projection}
        return [d.get_item(TableName="t", Key={"pk": {"S": "a"}}, ProjectionExpression=projection,
                           **({"ExpressionAttributeNames": used} if used else {}))]

    _alike(conversation, messages=True)


def test_projections_of_several_elements_of_one_list(fake_aws):
    """ProjectionExpression "l[1], l[2].k" gives both elements, in list order (Developer Guide, Projection
    expressions: "the elements ... are returned"); moto keeps only the last path of the list."""
    def conversation(d):
        _create(d)
        _put_every_type(d)
        return [d.get_item(TableName="t", Key={"pk": {"S": "a"}}, ProjectionExpression="l[1], l[2].k, l[0]")]

    answers = _twin_only(conversation)
    assert answers[0]["Item"] == {"l": {"L": [{"S": "one"}, {"N": "2"}, {"M": {"k": {"S": "v"}}}]}}


def test_put_and_delete_return_the_old_item_when_asked(fake_aws):
    def conversation(d):
        _create(d)
        item = {"pk": {"S": "a"}, "v": {"N": "1"}}
        return [
            d.put_item(TableName="t", Item=item, ReturnValues="ALL_OLD"),
            d.put_item(TableName="t", Item={**item, "v": {"N": "2"}}, ReturnValues="ALL_OLD"),
            d.put_item(TableName="t", Item=item, ReturnValues="NONE"),
            d.put_item(TableName="t", Item=item, ReturnValues="ALL_NEW"),
            d.delete_item(TableName="t", Key={"pk": {"S": "a"}}, ReturnValues="ALL_OLD"),
            d.delete_item(TableName="t", Key={"pk": {"S": "a"}}, ReturnValues="ALL_OLD"),
            d.delete_item(TableName="t", Key={"pk": {"S": "a"}}, ReturnValues="UPDATED_NEW"),
        ]

    answers = _alike(conversation)
    assert answers[0] == {} and answers[1] == {"Attributes": {"pk": {"S": "a"}, "v": {"N": "1"}}}
    assert _code(answers[3]) == _code(answers[6]) == "ValidationException"


# -- UpdateItem ------------------------------------------------------------------------------------------------

VALUES = {":s": {"S": "new"}, ":one": {"N": "1"}, ":zero": {"N": "0"}, ":half": {"N": "0.5"},
          ":l": {"L": [{"S": "appended"}]}, ":ss": {"SS": ["y", "z"]}, ":ns": {"NS": ["2.5", "7"]},
          ":bs": {"BS": [b"\x02", b"\x03"]}, ":x": {"S": "x"}, ":text": {"S": "text"}, ":te": {"S": "te"},
          ":m": {"M": {"k": {"S": "v"}}}, ":n42": {"N": "42"}, ":n100": {"N": "100"}, ":b": {"B": b"\x00\xff"},
          ":typeS": {"S": "S"}, ":typeN": {"S": "N"}, ":typeB": {"S": "B"}, ":typeBOOL": {"S": "BOOL"},
          ":typeNULL": {"S": "NULL"}, ":typeSS": {"S": "SS"}, ":typeNS": {"S": "NS"}, ":typeBS": {"S": "BS"},
          ":typeL": {"S": "L"}, ":typeM": {"S": "M"}, ":two": {"N": "2"}, ":three": {"N": "3"},
          ":four": {"N": "4"}, ":true": {"BOOL": True}, ":one_s": {"S": "one"}, ":a": {"S": "a"},
          ":z": {"S": "z"}, ":neg": {"N": "-3.25"}, ":allss": {"SS": ["x", "y"]}, ":nsone": {"NS": ["1"]},
          ":bone": {"BS": [b"\x01"]}}
NAMES = {"#s": "s", "#n": "n", "#m": "m", "#i": "inside", "#l": "l", "#d": "deep", "#pk": "pk"}


def _placeholders(*expressions: str | None) -> dict:
    """ExpressionAttributeNames/Values holding exactly the placeholders the expressions use."""
    text = " ".join(e for e in expressions if e)
    names = {k: v for k, v in NAMES.items() if re.search(re.escape(k) + r"\b", text)}
    values = {k: v for k, v in VALUES.items() if re.search(re.escape(k) + r"\b", text)}
    return {**({"ExpressionAttributeNames": names} if names else {}),
            **({"ExpressionAttributeValues": values} if values else {})}


def _update(d, expression: str, *, key: str = "a", condition: str | None = None, **more) -> dict:
    request = {"TableName": "t", "Key": {"pk": {"S": key}}, "UpdateExpression": expression,
               **_placeholders(expression, condition), **more}
    if condition:
        request["ConditionExpression"] = condition
    return d.update_item(**request)


@pytest.mark.parametrize("returning", ["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_update_returns_what_return_values_asks(fake_aws, returning):
    def conversation(d):
        _create(d)
        _put_every_type(d)
        answers = [_update(d, "SET s = :s, fresh = :one REMOVE f ADD n :one DELETE ss :ss", ReturnValues=returning)]
        if returning != "UPDATED_NEW":  # on an upsert: see test_updated_new_of_an_upsert_leaves_the_key_out
            answers += [_update(d, "SET s = :s, fresh = :one", key="new", ReturnValues=returning),
                        _update(d, "REMOVE nothing", key="new2", ReturnValues=returning)]
        return answers + [d.get_item(TableName="t", Key={"pk": {"S": "new2"}})]

    _alike(conversation)


def test_updated_new_of_an_upsert_leaves_the_key_out(fake_aws):
    """UPDATED_NEW on an item the update creates: "returns only the updated attributes, as they appear after the
    update" (Developer Guide, Working with items, Return values): the key, which the expression does not set, is
    not among them, and a REMOVE alone updates nothing; moto adds the key attributes."""
    def conversation(d):
        _create(d)
        return [_update(d, "SET s = :s, fresh = :one", key="new", ReturnValues="UPDATED_NEW"),
                _update(d, "REMOVE nothing", key="new2", ReturnValues="UPDATED_NEW"),
                d.get_item(TableName="t", Key={"pk": {"S": "new2"}})]

    answers = _twin_only(conversation)
    assert answers[0] == {"Attributes": {"s": {"S": "new"}, "fresh": {"N": "1"}}}
    assert answers[1] == {}
    assert answers[2] == {"Item": {"pk": {"S": "new2"}}}

def test_updated_new_holds_what_the_update_set_also_where_the_value_did_not_change(fake_aws):
    """UPDATED_NEW "returns only the affected attributes, as they appeared after the update" (Developer Guide,
    Working with items, Return values): every attribute and path the update sets, whether or not its value
    changed, and of a nested path only that path; moto leaves out a value set to what it was."""
    def conversation(d):
        _create(d)
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "s": {"S": "same"},
                                        "m": {"M": {"kept": {"S": "k"}, "set": {"S": "v"}}}})
        return [d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET s = :s, m.#set = :v",
                              ExpressionAttributeNames={"#set": "set"},
                              ExpressionAttributeValues={":s": {"S": "same"}, ":v": {"S": "v"}},
                              ReturnValues="UPDATED_NEW")]

    answers = _twin_only(conversation)
    assert answers[0]["Attributes"] == {"s": {"S": "same"}, "m": {"M": {"set": {"S": "v"}}}}


@pytest.mark.parametrize("expression", [
    "SET s = :s", "SET #s = :s, n = :n42", "SET n = n + :one", "SET n = n - :half", "SET n = :one + n",
    "SET n = n + n", "SET f = f - :one", "SET dup = m", "SET dup = m.inside.entries[0]",
    "SET l = list_append(l, :l)", "SET l = list_append(:l, l)", "SET fresh = list_append(:l, :l)",
    "SET x = if_not_exists(x, :one)", "SET n = if_not_exists(n, :zero)", "SET x = if_not_exists(n, :zero)",
    "SET n = if_not_exists(nothing, :zero) + :one", "SET m.inside.deep = :s", "SET m.fresh = :m",
    "SET #m.#i.#d = :s", "SET l[1] = :s", "SET l[10] = :s", "SET m.inside.entries[0].k = :s",
    "SET m.inside.entries[1] = :m", "SET l[2].k = :s, l[3] = :l", "SET s = :s, n = n + :one, ss = :ss",
])
def test_set_actions(fake_aws, expression):
    def conversation(d):
        _create(d)
        _put_every_type(d)
        return [_update(d, expression, ReturnValues="ALL_NEW")]

    answers = _alike(conversation)
    assert "Attributes" in answers[0]


@pytest.mark.parametrize("expression", [
    "REMOVE s", "REMOVE s, n, ss", "REMOVE m.inside.deep", "REMOVE m.inside", "REMOVE l[0]", "REMOVE l[0], l[2]",
    "REMOVE l[9]", "REMOVE nothing", "REMOVE m.nothing", "REMOVE m.inside.entries[0].k", "REMOVE #m.#i.#d",
    "ADD n :one", "ADD n :neg", "ADD fresh :one", "ADD ss :ss", "ADD fresh :ss", "ADD ns :ns", "ADD bs :bs",
    "ADD ss :ss, n :one", "DELETE ss :ss", "DELETE ss :allss", "DELETE ns :nsone", "DELETE bs :bone",
    "DELETE fresh :ss", "SET s = :s REMOVE f ADD n :one DELETE ss :ss",
])
def test_remove_add_and_delete_actions(fake_aws, expression):
    def conversation(d):
        _create(d)
        _put_every_type(d)
        return [_update(d, expression, ReturnValues="ALL_NEW")]

    _alike(conversation)


@pytest.mark.parametrize("expression", [
    "ADD s :one",            # ADD to a string
    "ADD ss :ns",            # a number set into a string set
    "ADD l :l",              # ADD is for numbers and sets
    "DELETE n :one",         # DELETE is for sets
    "SET n = s + :one",      # arithmetic on a string
    "SET l = list_append(s, :l)",
    "SET n = :s + :one",
    "SET ss = :allss REMOVE ss",  # two actions on one path
])
def test_updates_on_the_wrong_types_are_refused(fake_aws, expression):
    def conversation(d):
        _create(d)
        _put_every_type(d)
        return [_update(d, expression), d.get_item(TableName="t", Key={"pk": {"S": "a"}})]

    answers = _alike(conversation)
    assert _code(answers[0]) == "ValidationException"
    assert answers[1]["Item"] == EVERY_TYPE


# -- conditions ------------------------------------------------------------------------------------------------

CONDITIONS = [
    ("attribute_exists(s)", True), ("attribute_exists(nothing)", False), ("attribute_not_exists(nothing)", True),
    ("attribute_not_exists(pk)", False), ("attribute_exists(m.inside.deep)", True),
    ("attribute_exists(m.inside.entries[1])", True), ("attribute_exists(m.inside.entries[2])", False),
    ("attribute_exists(l[2].k)", True), ("attribute_not_exists(#m.#i.nothing)", True),
    *[(f"attribute_type({name}, :type{kind})", True) for name, kind in (
        ("s", "S"), ("n", "N"), ("b", "B"), ("t", "BOOL"), ("nul", "NULL"), ("ss", "SS"), ("ns", "NS"),
        ("bs", "BS"), ("l", "L"), ("m", "M"))],
    ("attribute_type(s, :typeN)", False), ("attribute_type(nothing, :typeS)", False),
    ("begins_with(s, :te)", True), ("begins_with(s, :x)", False), ("begins_with(n, :one_s)", False),
    ("contains(s, :x)", True), ("contains(s, :z)", False), ("contains(ss, :x)", True), ("contains(ss, :z)", False),
    ("contains(ns, :one)", True), ("contains(l, :one_s)", True), ("contains(l, :s)", False),
    ("size(s) = :four", True), ("size(b) = :two", True), ("size(ss) = :two", True), ("size(l) > :three", True),
    ("size(m) = :three", True), ("size(m.inside.entries) < :three", True),
    ("n = :n42", True), ("n <> :n42", False), ("n < :n100", True), ("n <= :n42", True), ("n > :n42", False),
    ("n >= :n42", True), ("s < :z", True), ("s > :z", False), ("b = :b", True), ("f < :zero", True),
    ("n = s", False), ("n <> s", True), ("m.n = :one", True), ("l[1] = :two", True), ("t = :true", True),
    ("n IN (:one, :n42, :n100)", True), ("n IN (:one, :two)", False), ("s IN (:text)", True),
    ("n BETWEEN :one AND :n100", True), ("n BETWEEN :n100 AND :n100", False), ("s BETWEEN :a AND :z", True),
    ("attribute_exists(s) AND n = :n42", True), ("attribute_exists(s) AND n = :one", False),
    ("attribute_exists(nothing) OR n = :n42", True), ("NOT attribute_exists(s)", False),
    ("NOT (n = :one OR n = :two) AND (s = :text)", True), ("n = :one OR n = :two AND s = :text", False),
    ("(n = :one OR n = :n42) AND NOT contains(ss, :z)", True), ("NOT n = :one AND NOT n = :two", True),
    ("nothing = :one", False), ("nothing <> :one", True), ("nul = :one", False),
    ("#pk = :a AND size(#s) BETWEEN :two AND :four", True),
]


@pytest.mark.parametrize("condition, holds", CONDITIONS, ids=[c for c, _ in CONDITIONS])
def test_condition_expressions(fake_aws, condition, holds):
    def conversation(d):
        _create(d)
        _put_every_type(d)
        return [
            _update(d, "SET touched = :one", condition=condition, ReturnValues="UPDATED_NEW"),
            d.delete_item(TableName="t", Key={"pk": {"S": "a"}}, ConditionExpression=condition,
                          ReturnValuesOnConditionCheckFailure="ALL_OLD", **_placeholders(condition)),
        ]

    answers = _alike(conversation, messages=True)
    assert ("Attributes" in answers[0]) is holds, answers[0]
    assert (_code(answers[1]) == "ConditionalCheckFailedException") is not holds


@pytest.mark.parametrize("condition", [
    "size(s) = :text",               # a number against a string: false, not an error
    "contains(nothing, :x)", "begins_with(nothing, :x)", "NOT contains(nothing, :x)",
])
def test_functions_of_missing_attributes_and_mixed_types_are_false(fake_aws, condition):
    def conversation(d):
        _create(d)
        _put_every_type(d)
        return [_update(d, "SET touched = :one", condition=condition, ReturnValues="ALL_NEW")]

    _alike(conversation, messages=True)


@pytest.mark.parametrize("condition", [
    "s = :s AND", "attribute_exists(:s)", "unknown_function(s)", "size(s)", "s = = :s", "(s = :s",
    "attribute_type(s, :x)",         # not a type name
    "n BETWEEN :n100 AND :one",      # bounds the wrong way round
    "begins_with(s, :one)",          # a number where a string goes
    "contains(:s, s) AND begins_with(:one, s)",
    "size(nothing) = :zero AND attribute_type(s, :n42)",
])
def test_malformed_conditions_are_validation_errors(fake_aws, condition):
    """A condition DynamoDB cannot evaluate is refused before any item is read: a ValidationException "Invalid
    ConditionExpression: ..." (syntax errors, unknown functions, a value of the wrong type where a function
    takes a string or a type name, BETWEEN bounds the wrong way round; API Reference, Common errors and
    Developer Guide, Condition expressions). moto raises Python errors out of its parser for the first six
    and answers ConditionalCheckFailedException for the others."""
    def conversation(d):
        _create(d)
        _put_every_type(d)
        return [_update(d, "SET touched = :one", condition=condition),
                d.get_item(TableName="t", Key={"pk": {"S": "a"}})]

    answers = _twin_only(conversation)
    assert _code(answers[0]) == "ValidationException", answers[0]
    assert "Invalid ConditionExpression: " in answers[0]["Error"]["Message"]
    assert answers[1]["Item"] == EVERY_TYPE


def test_size_of_a_missing_attribute_makes_the_condition_false(fake_aws):
    """size(path) of an attribute the item does not have: the comparison is false, so the write is refused with
    ConditionalCheckFailedException (as every comparison with a missing attribute, Developer Guide, Comparison
    operator and function reference); moto raises ``ValueError: Invalid attribute name``."""
    def conversation(d):
        _create(d)
        _put_every_type(d)
        return [_update(d, "SET touched = :one", condition="size(nothing) = :zero"),
                _update(d, "SET touched = :one", condition="NOT (size(nothing) > :zero)", ReturnValues="UPDATED_NEW")]

    answers = _twin_only(conversation)
    assert _code(answers[0]) == "ConditionalCheckFailedException"
    assert answers[1] == {"Attributes": {"touched": {"N": "1"}}}


def test_conditional_writes_refused_return_the_item_only_when_asked(fake_aws):
    def conversation(d):
        _create(d)
        _put_every_type(d)
        refused = {"ConditionExpression": "attribute_not_exists(pk)"}
        item = {"pk": {"S": "a"}, "v": {"N": "1"}}
        return [
            d.put_item(TableName="t", Item=item, **refused),
            d.put_item(TableName="t", Item=item, **refused, ReturnValuesOnConditionCheckFailure="ALL_OLD"),
            d.put_item(TableName="t", Item=item, **refused, ReturnValuesOnConditionCheckFailure="NONE"),
            _update(d, "SET v = :one", condition="attribute_not_exists(pk)"),
            _update(d, "SET v = :one", condition="attribute_not_exists(pk)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD", ReturnValues="ALL_NEW"),
            d.delete_item(TableName="t", Key={"pk": {"S": "a"}}, **refused),
            d.delete_item(TableName="t", Key={"pk": {"S": "a"}}, **refused,
                          ReturnValuesOnConditionCheckFailure="ALL_OLD"),
            _update(d, "SET v = :one", key="missing", condition="attribute_exists(pk)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD"),
            d.put_item(TableName="t", Item={"pk": {"S": "fresh"}}, ConditionExpression="attribute_not_exists(pk)"),
            d.get_item(TableName="t", Key={"pk": {"S": "a"}}),
        ]

    answers = _alike(conversation, messages=True)
    assert [_code(a) for a in answers[:8]] == ["ConditionalCheckFailedException"] * 8
    assert "Item" not in answers[0] and answers[1]["Item"] == EVERY_TYPE
    assert answers[1]["Error"]["Message"] == "The conditional request failed"
    assert "Item" not in answers[7]
    assert answers[9]["Item"] == EVERY_TYPE


# -- numbers ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, change", [
    ("0.1", "0.2"), ("1", "-1"), ("-5.5", "2.25"), ("1000000", "0.000001"), ("99999999999999999999", "1"),
    ("123456789.123456789", "876543210.876543211"), ("0", "-0.0001"),
])
def test_number_arithmetic(fake_aws, start, change):
    def conversation(d):
        _create(d)
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "n": {"N": start}})
        return [
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = n + :c",
                          ExpressionAttributeValues={":c": {"N": change}}, ReturnValues="UPDATED_NEW"),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = n - :c",
                          ExpressionAttributeValues={":c": {"N": change}}, ReturnValues="UPDATED_NEW"),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="ADD n :c",
                          ExpressionAttributeValues={":c": {"N": change}}, ReturnValues="UPDATED_NEW"),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET m = :c",
                          ConditionExpression="n > :c", ExpressionAttributeValues={":c": {"N": change}},
                          ReturnValues="UPDATED_NEW"),
        ]

    answers = _alike(conversation, same_numbers=True)
    expected = Decimal(start) + Decimal(change)
    assert Decimal(answers[0]["Attributes"]["n"]["N"]) == expected
    if not MOTO_ONLY:  # the twin trims the zeroes moto keeps ("-5.50", "0.0000")
        assert answers[0]["Attributes"]["n"]["N"] == _normal(expected)
        assert answers[1]["Attributes"]["n"]["N"] == _normal(Decimal(start))


def _normal(number: Decimal) -> str:
    """A number as DynamoDB gives it back: no exponent, leading or trailing zeroes ("Leading and trailing
    zeroes are trimmed", Developer Guide, Supported data types, Number)."""
    text = f"{number.normalize():f}"
    return "0" if text in ("-0", "0") else text


def test_numbers_are_normalised(fake_aws):
    """DynamoDB: "Leading and trailing zeroes are trimmed" (Developer Guide, Supported data types, Number);
    moto keeps the text it was given ("1.50" stays "1.50")."""
    def conversation(d):
        _create(d)
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "a": {"N": "1.50"}, "b": {"N": "007"}, "c": {"N": "1E2"},
                                        "d": {"N": "-0"}, "e": {"N": "0.000"}, "f": {"N": "+12.0e-1"},
                                        "ns": {"NS": ["1.0", "2.50"]}})
        return [d.get_item(TableName="t", Key={"pk": {"S": "a"}}),
                d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET a = a + :h",
                              ExpressionAttributeValues={":h": {"N": "0.50"}}, ReturnValues="UPDATED_NEW"),
                d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET c = c + :k",
                              ExpressionAttributeValues={":k": {"N": "1E+3"}}, ReturnValues="UPDATED_NEW")]

    answers = _twin_only(conversation)
    assert answers[0]["Item"] == {"pk": {"S": "a"}, "a": {"N": "1.5"}, "b": {"N": "7"}, "c": {"N": "100"},
                                  "d": {"N": "0"}, "e": {"N": "0"}, "f": {"N": "1.2"},
                                  "ns": {"NS": ["1", "2.5"]}}
    assert answers[1] == {"Attributes": {"a": {"N": "2"}}}
    assert answers[2] == {"Attributes": {"c": {"N": "1100"}}}  # moto: int("1E+3") raises ValueError


def test_numbers_keep_38_digits(fake_aws):
    """DynamoDB: "Numbers can have up to 38 digits of precision" and more is a ValidationException (Developer
    Guide, Supported data types, Number); moto's arithmetic rounds to Python's default 28 digits."""
    def conversation(d):
        _create(d)
        big = "12345678901234567890123456789012345678"
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "n": {"N": big}})
        return [
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = n + :one",
                          ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW"),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="ADD n :small",
                          ExpressionAttributeValues={":small": {"N": "-12345678901234567890123456789012345678"}},
                          ReturnValues="UPDATED_NEW"),
            d.put_item(TableName="t", Item={"pk": {"S": "b"}, "n": {"N": "1" * 39}}),
            d.put_item(TableName="t", Item={"pk": {"S": "c"}, "n": {"N": "0.1" + "0" * 40 + "1"}}),
            d.put_item(TableName="t", Item={"pk": {"S": "c"}, "n": {"N": "1" + "0" * 60}}),
        ]

    answers = _twin_only(conversation)
    assert answers[0] == {"Attributes": {"n": {"N": "12345678901234567890123456789012345679"}}}
    assert answers[1] == {"Attributes": {"n": {"N": "1"}}}
    assert _code(answers[2]) == _code(answers[3]) == "ValidationException"
    assert answers[4] == {}


# -- key conditions --------------------------------------------------------------------------------------------

SORT_VALUES = {
    "S": [{"S": v} for v in ("a", "ab", "abc", "b", "ba", "c")],
    "N": [{"N": v} for v in ("-10", "-1.5", "0", "2", "10", "100")],
    "B": [{"B": v} for v in (b"\x00", b"\x00\x01", b"\x01", b"\x7f", b"\x80", b"\xff")],
}
KEY_CONDITIONS = ["sk = :v", "sk < :v", "sk <= :v", "sk > :v", "sk >= :v", "sk BETWEEN :lo AND :v",
                  "begins_with(sk, :v)"]


@pytest.mark.parametrize("kind", sorted(SORT_VALUES))
def test_key_conditions_on_each_sort_key_type(fake_aws, kind):
    values = SORT_VALUES[kind]

    def conversation(d):
        _create(d, range_key=("sk", kind))
        for n, value in enumerate(values):
            d.put_item(TableName="t", Item={"pk": {"S": "p"}, "sk": value, "n": {"N": str(n)}})
            d.put_item(TableName="t", Item={"pk": {"S": "other"}, "sk": value})
        answers = []
        for condition in KEY_CONDITIONS:
            if kind == "N" and condition.startswith("begins_with"):
                continue  # see test_begins_with_is_refused_on_a_number_sort_key
            for forward in (True, False):
                answers.append(d.query(TableName="t", KeyConditionExpression=f"pk = :p AND {condition}",
                                       ScanIndexForward=forward,
                                       ExpressionAttributeValues={":p": {"S": "p"}, ":v": values[2],
                                                                  **({":lo": values[1]} if ":lo" in condition
                                                                     else {})}))
        answers.append(d.query(TableName="t", KeyConditionExpression="pk = :p",
                               ExpressionAttributeValues={":p": {"S": "p"}}))
        answers.append(d.query(TableName="t", KeyConditionExpression="#k = :p AND #s > :v",
                               ExpressionAttributeNames={"#k": "pk", "#s": "sk"},
                               ExpressionAttributeValues={":p": {"S": "p"}, ":v": values[0]}))
        return answers

    answers = _alike(conversation)
    assert [item["sk"] for item in answers[-2]["Items"]] == values


@pytest.mark.parametrize("condition, values", [
    ("pk < :p", {":p": {"S": "p"}}),                         # only = on the partition key
    ("sk = :v", {":v": {"S": "a"}}),                         # no partition key
    ("pk = :p AND extra = :v", {":p": {"S": "p"}, ":v": {"S": "a"}}),  # not a key
    ("pk = :p AND contains(sk, :v)", {":p": {"S": "p"}, ":v": {"S": "a"}}),
])
def test_key_conditions_dynamodb_refuses(fake_aws, condition, values):
    def conversation(d):
        _create(d, range_key=("sk", "S"))
        return [d.query(TableName="t", KeyConditionExpression=condition, ExpressionAttributeValues=values)]

    answers = _alike(conversation)
    assert _code(answers[0]) == "ValidationException"


@pytest.mark.parametrize("condition, values", [
    ("pk = :p AND sk = :v", {":p": {"S": "p"}, ":v": {"N": "1"}}),
    ("pk = :p", {":p": {"N": "1"}}),
    ("pk = :p OR sk = :v", {":p": {"S": "p"}, ":v": {"S": "a"}}),
    ("pk = :p AND sk <> :v", {":p": {"S": "p"}, ":v": {"S": "a"}}),
    ("pk = :p AND sk > :v AND sk < :v", {":p": {"S": "p"}, ":v": {"S": "a"}}),
    ("pk = :p AND sk BETWEEN :w AND :v", {":p": {"S": "p"}, ":v": {"S": "a"}, ":w": {"S": "b"}}),
])
def test_key_conditions_moto_lets_through(fake_aws, condition, values):
    """KeyConditionExpression takes "pk = :v" and at most one of =, <, <=, >, >=, BETWEEN, begins_with on the
    sort key, joined by AND, with values of the key's type (API Reference, Query, KeyConditionExpression), and
    BETWEEN needs its lower bound first; anything else is a ValidationException. moto answers an empty page for
    a value of the wrong type, <> and reversed bounds, and raises Python errors for OR and two sort-key
    conditions."""
    def conversation(d):
        _create(d, range_key=("sk", "S"))
        d.put_item(TableName="t", Item={"pk": {"S": "p"}, "sk": {"S": "a"}})
        return [d.query(TableName="t", KeyConditionExpression=condition, ExpressionAttributeValues=values)]

    answers = _twin_only(conversation)
    assert _code(answers[0]) == "ValidationException"


def test_begins_with_is_refused_on_a_number_sort_key(fake_aws):
    """Query, KeyConditionExpression: "begins_with ( sortKeyName, :sortkeyval ) ... You cannot use this
    function with a sort key that is of type Number" (API Reference, Query); moto fails with an AttributeError."""
    def conversation(d):
        _create(d, range_key=("sk", "N"))
        d.put_item(TableName="t", Item={"pk": {"S": "p"}, "sk": {"N": "12"}})
        return [d.query(TableName="t", KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
                        ExpressionAttributeValues={":p": {"S": "p"}, ":v": {"N": "1"}}),
                d.query(TableName="t", KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
                        ExpressionAttributeValues={":p": {"S": "p"}, ":v": {"S": "1"}})]

    answers = _twin_only(conversation)
    assert [_code(a) for a in answers] == ["ValidationException"] * 2


def test_an_incomplete_exclusive_start_key_is_refused(fake_aws):
    """ExclusiveStartKey must be a whole primary key of the table (API Reference, Query, ExclusiveStartKey:
    "The primary key of the first item that this operation will evaluate"): DynamoDB answers a
    ValidationException ("The provided starting key is invalid"); moto raises a TypeError."""
    def conversation(d):
        _numbered(d)
        return [d.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
                        ExclusiveStartKey={"pk": {"S": "p"}}),
                d.scan(TableName="t", ExclusiveStartKey={"sk": {"N": "1"}})]

    answers = _twin_only(conversation)
    assert [_code(a) for a in answers] == ["ValidationException"] * 2


# -- pages -----------------------------------------------------------------------------------------------------

def _pages(ask: Callable[..., dict], **request) -> list[dict]:
    """Every page, following LastEvaluatedKey. A last page that is empty only because the one before stopped at
    Limit on the last item is dropped, with that LastEvaluatedKey: DynamoDB gives one there (the twin does,
    test_a_page_full_at_limit_has_a_last_evaluated_key), moto does not."""
    pages = [ask(**request)]
    while "LastEvaluatedKey" in pages[-1] and len(pages) < 30:
        pages.append(ask(**request, ExclusiveStartKey=pages[-1]["LastEvaluatedKey"]))
    if len(pages) > 1 and pages[-1].get("ScannedCount") == 0 and "LastEvaluatedKey" not in pages[-1]:
        pages.pop()
        pages[-1] = {key: value for key, value in pages[-1].items() if key != "LastEvaluatedKey"}
    return pages


def _numbered(d, count: int = 10) -> None:
    _create(d, range_key=("sk", "N"))
    for n in range(count):
        d.put_item(TableName="t", Item={"pk": {"S": "p"}, "sk": {"N": str(n)}, "even": {"BOOL": n % 2 == 0},
                                        "n": {"N": str(n * 10)}})


@pytest.mark.parametrize("request_", [
    {"Limit": 3}, {"Limit": 3, "ScanIndexForward": False}, {"Limit": 4, "FilterExpression": "even = :t"},
    {"Limit": 1, "FilterExpression": "n > :fifty"}, {"FilterExpression": "n > :fifty"},
    {"Limit": 10}, {"Limit": 11}, {"Select": "COUNT"}, {"Select": "COUNT", "Limit": 4},
    {"Select": "COUNT", "FilterExpression": "even = :t"}, {"ProjectionExpression": "sk, n", "Limit": 5},
    {"Select": "ALL_ATTRIBUTES", "Limit": 6, "ScanIndexForward": False, "FilterExpression": "even = :t"},
], ids=lambda r: ",".join(f"{k}={v}" for k, v in r.items()))
def test_query_pages(fake_aws, request_):
    """Limit counts the items read, before the filter: a page may hold fewer, even none, and still go on."""
    values = {":p": {"S": "p"}, **{k: v for k, v in {":t": {"BOOL": True}, ":fifty": {"N": "50"}}.items()
                                   if k in request_.get("FilterExpression", "")}}

    def conversation(d):
        _numbered(d)
        return _pages(d.query, TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues=values,
                      **request_)

    _alike(conversation)


def test_a_page_full_at_limit_has_a_last_evaluated_key(fake_aws):
    """Query/Scan, Limit: "If DynamoDB processes the number of items up to the limit while processing the
    results, it stops the operation and returns the matching values up to that point, and a key in
    LastEvaluatedKey to apply in a subsequent operation" (API Reference, Query): also when that item was the
    last, the next page then being empty; moto gives no key there."""
    def conversation(d):
        _numbered(d, 4)
        return [d.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
                        Limit=4),
                d.scan(TableName="t", Limit=4)]

    answers = _twin_only(conversation)
    assert answers[0]["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "3"}}
    assert "LastEvaluatedKey" in answers[1]


def test_query_starts_after_the_exclusive_start_key_both_ways(fake_aws):
    def conversation(d):
        _numbered(d)
        query = {"TableName": "t", "KeyConditionExpression": "pk = :p",
                 "ExpressionAttributeValues": {":p": {"S": "p"}}}
        start = {"pk": {"S": "p"}, "sk": {"N": "4"}}
        return [d.query(**query, ExclusiveStartKey=start), d.query(**query, ExclusiveStartKey=start,
                                                                   ScanIndexForward=False),
                d.query(**query, ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"N": "4.5"}}),
                d.query(**query, ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"N": "9"}})]

    answers = _alike(conversation)
    assert [i["sk"]["N"] for i in answers[0]["Items"]] == ["5", "6", "7", "8", "9"]
    assert [i["sk"]["N"] for i in answers[1]["Items"]] == ["3", "2", "1", "0"]


@pytest.mark.parametrize("request_", [
    {"Limit": 4}, {"Limit": 3, "FilterExpression": "even = :t"}, {"Select": "COUNT"},
    {"Select": "COUNT", "Limit": 7, "FilterExpression": "even = :t"}, {"ProjectionExpression": "pk, sk"},
    {"Limit": 50}, {"ConsistentRead": True, "Limit": 6},
], ids=lambda r: ",".join(f"{k}={v}" for k, v in r.items()))
def test_scan_pages(fake_aws, request_):
    values = {":t": {"BOOL": True}} if "FilterExpression" in request_ else {}

    def conversation(d):
        _create(d)
        for n in range(12):
            d.put_item(TableName="t", Item={"pk": {"S": f"k{n:02}"}, "even": {"BOOL": n % 2 == 0}})
        pages = _pages(d.scan, TableName="t", **request_,
                       **({"ExpressionAttributeValues": values} if values else {}))
        # the order of a scan is the order of hashed keys, which neither side need share: only what it found
        return [sorted(item["pk"]["S"] for page in pages for item in page.get("Items", [])),
                sum(page["Count"] for page in pages), sum(page["ScannedCount"] for page in pages),
                max(page["ScannedCount"] for page in pages)]

    answers = _alike(conversation)
    assert answers[3] <= request_.get("Limit", 12)


def test_scan_pages_cover_every_item_once(fake_aws):
    def conversation(d):
        _create(d)
        for n in range(9):
            d.put_item(TableName="t", Item={"pk": {"S": f"k{n}"}})
        pages = _pages(d.scan, TableName="t", Limit=4)
        found = [item["pk"]["S"] for page in pages for item in page["Items"]]
        return [sorted(found), len(found), [page["Count"] for page in pages]]

    answers = _alike(conversation)
    assert answers[1] == 9


@pytest.mark.xfail(strict=False, reason="where a 1 MB page ends is not settled by the docs: moto ends it before "
                   "the item that would pass 1 MB (3 items of 300 KB), the twin after it (4)")
def test_pages_end_at_one_megabyte(fake_aws):
    """"A single Query [or Scan] only returns a result set that fits within the 1 MB size limit" (Developer
    Guide, Paginating table query results)."""
    def conversation(d):
        _create(d, range_key=("sk", "N"))
        for n in range(8):
            d.put_item(TableName="t", Item={"pk": {"S": "p"}, "sk": {"N": str(n)}, "fill": {"S": "x" * 300_000}})
        query = _pages(d.query, TableName="t", KeyConditionExpression="pk = :p",
                       ExpressionAttributeValues={":p": {"S": "p"}}, ProjectionExpression="sk")
        scan = _pages(d.scan, TableName="t", ProjectionExpression="sk")
        counted = _pages(d.query, TableName="t", KeyConditionExpression="pk = :p", Select="COUNT",
                         ExpressionAttributeValues={":p": {"S": "p"}})
        return [[[i["sk"]["N"] for i in p["Items"]] for p in query], [len(p["Items"]) for p in scan],
                [(p["Count"], p.get("LastEvaluatedKey")) for p in counted]]

    answers = _alike(conversation)
    assert len(answers[0]) > 1


# -- secondary indexes -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("projection", [
    {"ProjectionType": "KEYS_ONLY"}, {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["colour", "size"]},
    {"ProjectionType": "ALL"},
], ids=lambda p: p["ProjectionType"])
def test_global_index_projections_and_items_without_the_index_key(fake_aws, projection):
    def conversation(d):
        _create(d, range_key=("sk", "S"),
                gsis=[{"IndexName": "byGroup", "KeySchema": [("group", "S"), ("rank", "N")], "Projection": projection}])
        for n in range(6):
            item = {"pk": {"S": f"p{n % 2}"}, "sk": {"S": f"s{n}"}, "colour": {"S": "red"}, "weight": {"N": str(n)}}
            if n != 3:
                item["group"] = {"S": "g"}
            if n != 4:
                item["rank"] = {"N": str(10 - n)}
            d.put_item(TableName="t", Item=item)
        query = {"TableName": "t", "IndexName": "byGroup", "KeyConditionExpression": "#g = :g",
                 "ExpressionAttributeNames": {"#g": "group"}, "ExpressionAttributeValues": {":g": {"S": "g"}}}
        return [d.query(**query), d.query(**query, ScanIndexForward=False, Limit=2),
                _pages(d.query, **query, Limit=2),
                d.scan(TableName="t", IndexName="byGroup"),
                d.query(**query, ProjectionExpression="colour, weight"),
                d.query(**query, Select="ALL_PROJECTED_ATTRIBUTES"),
                d.query(**query, Select="COUNT"),
                d.update_item(TableName="t", Key={"pk": {"S": "p1"}, "sk": {"S": "s3"}},
                              UpdateExpression="SET #g = :g", ExpressionAttributeNames={"#g": "group"},
                              ExpressionAttributeValues={":g": {"S": "g"}}),
                d.query(**query),
                d.update_item(TableName="t", Key={"pk": {"S": "p0"}, "sk": {"S": "s0"}}, UpdateExpression="REMOVE #g",
                              ExpressionAttributeNames={"#g": "group"}),
                d.query(**query)]

    answers = _alike(conversation)
    assert len(answers[0]["Items"]) == 4


# An index's partitions are kept in sort-key order as items come and go, and a query reads only the run of that
# order its key condition, ExclusiveStartKey and page let through (``key_conditions.py``): these conversations
# change index keys between queries (items that gain, change and lose them) and ask every kind of query.

_RANKED = {"TableName": "t", "IndexName": "byGroup", "ExpressionAttributeNames": {"#g": "group"}}


def _ranked_table(d) -> None:
    _create(d, range_key=("sk", "S"), gsis=[{"IndexName": "byGroup", "KeySchema": [("group", "S"), ("rank", "N")],
                                             "Projection": {"ProjectionType": "ALL"}}])


def _ranked_queries(d) -> list:
    """Every kind of query of the index's two groups: each sort-key condition both ways, in pages of 3 (Limit
    counts the items read before the filter), filtered, counted, from a start key, and the index's scans."""
    answers = []
    for group in ("g", "h"):
        values = {":g": {"S": group}, ":lo": {"N": "-2.5"}, ":v": {"N": "7"}}
        for condition in ("", " AND #r = :v", " AND #r < :v", " AND #r <= :v", " AND #r > :v", " AND #r >= :v",
                          " AND #r BETWEEN :lo AND :v"):
            used = {k: v for k, v in values.items() if k in ":g" + condition}
            query = {**_RANKED, "KeyConditionExpression": "#g = :g" + condition,
                     "ExpressionAttributeNames": {"#g": "group", **({"#r": "rank"} if condition else {})}}
            for forward in (True, False):
                answers.append(_pages(d.query, **query, ExpressionAttributeValues=used, ScanIndexForward=forward,
                                      Limit=3))
                answers.append(d.query(**query, ScanIndexForward=forward, FilterExpression="odd = :odd",
                                       ExpressionAttributeValues={**used, ":odd": {"BOOL": True}}))
            answers.append(d.query(**query, ExpressionAttributeValues=used, Select="COUNT"))
        start = {"pk": {"S": "p0"}, "sk": {"S": "s04"}, "group": {"S": group}, "rank": {"N": "4"}}
        whole = {**_RANKED, "KeyConditionExpression": "#g = :g", "ExpressionAttributeValues": {":g": {"S": group}}}
        answers += [d.query(**whole, ExclusiveStartKey=start), d.query(**whole, ExclusiveStartKey=start, Limit=2),
                    d.query(**whole, ExclusiveStartKey=start, ScanIndexForward=False)]
    return answers + [_pages(d.scan, TableName="t", IndexName="byGroup", Limit=5)]


def _ranked_changes(d) -> list:
    """Items put, then their index keys changed with queries between (so the kept orders change with them)."""
    _ranked_table(d)
    for n in range(16):
        item = {"pk": {"S": f"p{n % 3}"}, "sk": {"S": f"s{n:02d}"}, "odd": {"BOOL": n % 2 == 1}}
        if n % 5 != 1:
            item["group"] = {"S": "g" if n % 4 else "h"}
        if n % 7 != 2:
            item["rank"] = {"N": str(n - 6) if n % 3 else f"{n - 6}.5"}
        d.put_item(TableName="t", Item=item)
    answers = _ranked_queries(d)

    def update(pk: str, sk: str, expression: str, **placeholders) -> dict:
        return d.update_item(TableName="t", Key={"pk": {"S": pk}, "sk": {"S": sk}}, UpdateExpression=expression,
                             ExpressionAttributeNames={"#g": "group", "#r": "rank"} if "#r" in expression else
                             {"#g": "group"} if "#g" in expression else {}, **placeholders)
    answers += [
        update("p1", "s04", "SET #r = :r", ExpressionAttributeValues={":r": {"N": "40"}}),  # moves within g
        update("p0", "s03", "SET #g = :h", ExpressionAttributeValues={":h": {"S": "h"}}),  # g to h
        update("p0", "s06", "REMOVE #g"),                                                  # leaves the index
        update("p1", "s01", "SET #g = :g", ExpressionAttributeValues={":g": {"S": "g"}}),  # joins it
        update("p2", "s02", "SET #g = :g, #r = :r", ExpressionAttributeValues={":g": {"S": "g"}, ":r": {"N": "-9"}}),
        update("p1", "s07", "SET odd = :f", ExpressionAttributeValues={":f": {"BOOL": False}}),  # keys untouched
        d.put_item(TableName="t", Item={"pk": {"S": "p0"}, "sk": {"S": "s09"}, "group": {"S": "h"},
                                        "rank": {"N": "0.25"}, "odd": {"BOOL": True}}),  # replaced
        d.delete_item(TableName="t", Key={"pk": {"S": "p1"}, "sk": {"S": "s10"}}),
        d.transact_write_items(TransactItems=[
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "p2"}, "sk": {"S": "s05"}}, "UpdateExpression": "REMOVE #r",
                        "ExpressionAttributeNames": {"#r": "rank"}}},
            {"Put": {"TableName": "t", "Item": {"pk": {"S": "p2"}, "sk": {"S": "s20"}, "group": {"S": "g"},
                                                "rank": {"N": "7"}, "odd": {"BOOL": True}}}}]),
    ]
    return answers + _ranked_queries(d)


def test_index_orders_kept_through_changes_answer_as_moto(fake_aws):
    _alike(_ranked_changes)


def test_index_orders_kept_through_changes_answer_as_orders_sorted_afresh(fake_aws):
    """The queries after the changes answer as they do on a table that was given the same items in another order
    and queried first after (its partitions sorted then, from scratch)."""
    items: list[dict] = []

    def kept(d):
        answers = _ranked_changes(d)
        items.extend(item for page in _pages(d.scan, TableName="t") for item in page["Items"])
        return answers

    def afresh(d):
        _ranked_table(d)
        for item in reversed(items):
            d.put_item(TableName="t", Item=item)
        return _ranked_queries(d)

    answers = _twin_only(kept)
    assert len(items) == 16
    fresh = _twin_only(afresh)
    assert answers[-len(fresh):] == fresh


def test_a_key_condition_reads_only_the_items_it_lets_through(fake_aws):
    """A query reads from the first item its sort-key condition lets through, and Limit counts from there (Query,
    ScannedCount: "the number of items evaluated")."""
    def conversation(d):
        _numbered(d, 40)
        query = {"TableName": "t", "KeyConditionExpression": "pk = :p AND sk > :v", "Limit": 2}
        return [d.query(**query, ExpressionAttributeValues={":p": {"S": "p"}, ":v": {"N": "30"}}),
                d.query(**query, ScanIndexForward=False, ExpressionAttributeValues={":p": {"S": "p"}, ":v": {"N": "30"}})]

    answers = _alike(conversation)
    assert [[item["sk"]["N"] for item in answer["Items"]] for answer in answers] == [["31", "32"], ["39", "38"]]
    assert [answer["ScannedCount"] for answer in answers] == [2, 2]


def test_global_index_refuses_consistent_reads_and_unknown_indexes(fake_aws):
    def conversation(d):
        _create(d, gsis=[{"IndexName": "byGroup", "KeySchema": [("group", "S")],
                          "Projection": {"ProjectionType": "KEYS_ONLY"}}])
        query = {"TableName": "t", "KeyConditionExpression": "#g = :g", "ExpressionAttributeNames": {"#g": "group"},
                 "ExpressionAttributeValues": {":g": {"S": "g"}}}
        return [d.query(**query, IndexName="byGroup", ConsistentRead=True),
                d.query(**query, IndexName="byGroup")]

    answers = _alike(conversation)
    assert [_code(a) for a in answers] == ["ValidationException", None]


def test_all_attributes_of_a_global_index_that_does_not_project_them_are_refused(fake_aws):
    """Query, Select: "If you query or scan a global secondary index, you can only request attributes that are
    projected into the index" (API Reference, Query); moto answers "Select type ALL_ATTRIBUTES is not supported
    for global secondary index byGroup because its projection type is not ALL", as DynamoDB does."""
    def conversation(d):
        _create(d, gsis=[{"IndexName": "byGroup", "KeySchema": [("group", "S")],
                          "Projection": {"ProjectionType": "KEYS_ONLY"}}])
        return [d.query(TableName="t", IndexName="byGroup", KeyConditionExpression="#g = :g", Select="ALL_ATTRIBUTES",
                        ExpressionAttributeNames={"#g": "group"}, ExpressionAttributeValues={":g": {"S": "g"}})]

    _alike(conversation, messages=True)


def test_index_keys_are_typed_and_indexes_named(fake_aws):
    """An item whose index key attribute has another type than the table's AttributeDefinitions say is refused
    ("One or more parameter values were invalid: Type mismatch for Index Key", Developer Guide, Working with
    global secondary indexes: "the data type of the index key attribute must match"), and a query of an index
    the table lacks is a ValidationException ("The table does not have the specified index"). moto stores the
    item and answers ResourceNotFoundException for the index."""
    def conversation(d):
        _create(d, gsis=[{"IndexName": "byGroup", "KeySchema": [("group", "S")]}])
        return [d.put_item(TableName="t", Item={"pk": {"S": "a"}, "group": {"N": "1"}}),
                d.update_item(TableName="t", Key={"pk": {"S": "b"}}, UpdateExpression="SET #g = :g",
                              ExpressionAttributeNames={"#g": "group"}, ExpressionAttributeValues={":g": {"B": b"1"}}),
                d.query(TableName="t", IndexName="nope", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "a"}}),
                d.scan(TableName="t")]

    answers = _twin_only(conversation)
    assert [_code(a) for a in answers[:3]] == ["ValidationException"] * 3
    assert answers[3]["Items"] == []


def test_local_index_query(fake_aws):
    def conversation(d):
        _create(d, range_key=("sk", "S"),
                lsis=[{"IndexName": "byAt", "KeySchema": [("pk", "S"), ("at", "N")],
                       "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]}}])
        for n in range(5):
            item = {"pk": {"S": "p"}, "sk": {"S": f"s{n}"}, "note": {"S": f"n{n}"}, "other": {"S": "o"}}
            if n != 2:
                item["at"] = {"N": str(100 - n)}
            d.put_item(TableName="t", Item=item)
        query = {"TableName": "t", "IndexName": "byAt", "KeyConditionExpression": "pk = :p AND #a > :lo",
                 "ExpressionAttributeNames": {"#a": "at"},
                 "ExpressionAttributeValues": {":p": {"S": "p"}, ":lo": {"N": "96"}}}
        return [d.query(**query), d.query(**query, ConsistentRead=True, ScanIndexForward=False),
                _pages(d.query, **query, Limit=1)]

    answers = _alike(conversation)
    assert [i["sk"]["S"] for i in answers[0]["Items"]] == ["s3", "s1", "s0"]


# -- transactions ----------------------------------------------------------------------------------------------

def _two_tables(d) -> None:
    _create(d)
    _create(d, "r", range_key=("sk", "N"))
    d.put_item(TableName="t", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    d.put_item(TableName="t", Item={"pk": {"S": "b"}, "v": {"N": "2"}})
    d.put_item(TableName="r", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})


def _everything(d) -> dict:
    return {"t": sorted(d.scan(TableName="t")["Items"], key=lambda i: i["pk"]["S"]),
            "r": d.scan(TableName="r")["Items"]}


def test_a_transaction_writes_every_kind_of_action(fake_aws):
    def conversation(d):
        _two_tables(d)
        return [d.transact_write_items(TransactItems=[
            {"Put": {"TableName": "t", "Item": {"pk": {"S": "c"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET v = v + :one",
                        "ConditionExpression": "v = :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Delete": {"TableName": "r", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "b"}}, "ConditionExpression": "#v = :two",
                                "ExpressionAttributeNames": {"#v": "v"},
                                "ExpressionAttributeValues": {":two": {"N": "2"}}}},
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "new"}}, "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        ]), _everything(d)]

    answers = _alike(conversation)
    assert _code(answers[0]) is None


@pytest.mark.parametrize("returning", [None, "ALL_OLD", "NONE"])
def test_a_cancelled_transaction_writes_nothing_and_gives_reasons_in_order(fake_aws, returning):
    extra = {"ReturnValuesOnConditionCheckFailure": returning} if returning else {}

    def conversation(d):
        _two_tables(d)
        before = _everything(d)
        answer = d.transact_write_items(TransactItems=[
            {"Put": {"TableName": "t", "Item": {"pk": {"S": "c"}}}},
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET v = :one",
                        "ConditionExpression": "v = :two", "ExpressionAttributeValues": {
                            ":one": {"N": "1"}, ":two": {"N": "2"}}, **extra}},
            {"Delete": {"TableName": "r", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
            {"Put": {"TableName": "t", "Item": {"pk": {"S": "b"}}, "ConditionExpression": "attribute_not_exists(pk)",
                     **extra}},
            {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "zz"}}, "ConditionExpression":
                                "attribute_exists(pk)", **extra}},
        ])
        return [answer, _everything(d) == before, _everything(d)]

    answers = _alike(conversation, messages=True)
    assert _code(answers[0]) == "TransactionCanceledException"
    assert [r["Code"] for r in answers[0]["CancellationReasons"]] == ["None", "ConditionalCheckFailed", "None",
                                                                      "ConditionalCheckFailed",
                                                                      "ConditionalCheckFailed"]
    assert answers[1] is True
    assert ("Item" in answers[0]["CancellationReasons"][1]) is (returning == "ALL_OLD")
    assert "Item" not in answers[0]["CancellationReasons"][4]


@pytest.mark.parametrize("second", [
    {"Put": {"TableName": "t", "Item": {"pk": {"S": "a"}, "v": {"N": "9"}}}},
    {"Delete": {"TableName": "t", "Key": {"pk": {"S": "a"}}}},
    {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_exists(pk)"}},
], ids=["put", "delete", "check"])
def test_a_transaction_may_not_name_one_item_twice(fake_aws, second):
    def conversation(d):
        _two_tables(d)
        return [d.transact_write_items(TransactItems=[
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET v = :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}}, second]), _everything(d)]

    answers = _alike(conversation, messages=True)
    assert _code(answers[0]) == "ValidationException"
    assert answers[0]["Error"]["Message"] == "Transaction request cannot include multiple operations on one item"


def test_transactions_refuse_unknown_tables_and_bad_expressions(fake_aws):
    def conversation(d):
        _two_tables(d)
        return [d.transact_write_items(TransactItems=[{"Put": {"TableName": "nope", "Item": {"pk": {"S": "a"}}}}]),
                d.transact_get_items(TransactItems=[{"Get": {"TableName": "nope", "Key": {"pk": {"S": "a"}}}}]),
                _everything(d)]

    answers = _alike(conversation)
    assert _code(answers[0]) == "ResourceNotFoundException"


def test_a_transaction_with_a_malformed_action_is_a_validation_error(fake_aws):
    """An action whose expression names an undefined value is refused as a whole before anything is evaluated:
    ValidationException ("An expression attribute value used in expression is not defined"), not a
    TransactionCanceledException (API Reference, TransactWriteItems, Errors: ValidationException); moto
    cancels the transaction instead."""
    def conversation(d):
        _two_tables(d)
        return [d.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "t", "Item": {"pk": {"S": "z"}}}},
                    {"Update": {"TableName": "t", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET v = :one"}}]),
                _everything(d)]

    answers = _twin_only(conversation)
    assert _code(answers[0]) == "ValidationException"
    assert "z" not in [item["pk"]["S"] for item in answers[1]["t"]]


def test_transact_get_items(fake_aws):
    def conversation(d):
        _two_tables(d)
        return [d.transact_get_items(TransactItems=[
            {"Get": {"TableName": "t", "Key": {"pk": {"S": "a"}}}},
            {"Get": {"TableName": "t", "Key": {"pk": {"S": "missing"}}}},
            {"Get": {"TableName": "r", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "ProjectionExpression": "pk, #s",
                     "ExpressionAttributeNames": {"#s": "sk"}}},
            {"Get": {"TableName": "t", "Key": {"pk": {"S": "b"}}, "ProjectionExpression": "v, pk"}},
        ])]

    answers = _alike(conversation)
    assert answers[0]["Responses"][1] == {}


def test_transact_get_items_projects_only_what_is_asked(fake_aws):
    """A Get's ProjectionExpression names "the attributes to retrieve" (API Reference, Get); the key is not added
    (moto adds it)."""
    def conversation(d):
        _two_tables(d)
        return [d.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": {"pk": {"S": "b"}},
                                                             "ProjectionExpression": "v"}}])]

    answers = _twin_only(conversation)
    assert answers[0]["Responses"] == [{"Item": {"v": {"N": "2"}}}]


# -- batches ---------------------------------------------------------------------------------------------------

def test_batch_write_then_batch_get(fake_aws):
    def conversation(d):
        _two_tables(d)
        written = d.batch_write_item(RequestItems={
            "t": [{"PutRequest": {"Item": {"pk": {"S": f"k{n}"}, "v": {"N": str(n)}}}} for n in range(5)]
            + [{"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}],
            "r": [{"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": "2"}}}}],
        })
        got = d.batch_get_item(RequestItems={
            "t": {"Keys": [{"pk": {"S": "k1"}}, {"pk": {"S": "a"}}, {"pk": {"S": "k4"}}], "ConsistentRead": True},
            "r": {"Keys": [{"pk": {"S": "b"}, "sk": {"N": "2"}}], "ProjectionExpression": "#s",
                  "ExpressionAttributeNames": {"#s": "sk"}},
        })
        for items in got.get("Responses", {}).values():
            items.sort(key=lambda item: str(item))
        return [written, got, _everything(d)]

    answers = _alike(conversation)
    assert answers[0]["UnprocessedItems"] == {}
    assert len(answers[1]["Responses"]["t"]) == 2


def test_batches_dynamodb_refuses(fake_aws):
    def conversation(d):
        _two_tables(d)
        return [
            d.batch_get_item(RequestItems={"t": {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "a"}}]}}),
            d.batch_get_item(RequestItems={"nope": {"Keys": [{"pk": {"S": "a"}}]}}),
            d.batch_write_item(RequestItems={"nope": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]}),
            d.batch_get_item(RequestItems={"t": {"Keys": [{"pk": {"S": f"k{n}"}} for n in range(101)]}}),
            d.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": {"v": {"S": "no key"}}}}]}),
            _everything(d),
        ]

    answers = _alike(conversation)
    assert _code(answers[0]) == "ValidationException"
    assert _code(answers[1]) == _code(answers[2]) == "ResourceNotFoundException"


def test_a_batch_write_naming_one_item_twice_is_refused(fake_aws):
    """BatchWriteItem refuses the whole batch when "Your request contains at least two items with identical hash
    and range keys" or "There are more than 25 requests in the batch" (API Reference, BatchWriteItem); moto
    applies them."""
    def conversation(d):
        _two_tables(d)
        return [d.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": {"pk": {"S": "a"}, "v": {"N": "5"}}}},
                                                       {"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]}),
                d.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": {"pk": {"S": f"k{n}"}}}}
                                                       for n in range(26)]}),
                d.get_item(TableName="t", Key={"pk": {"S": "a"}}), d.get_item(TableName="t", Key={"pk": {"S": "k0"}})]

    answers = _twin_only(conversation)
    assert _code(answers[0]) == _code(answers[1]) == "ValidationException"
    assert answers[2]["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}} and answers[3] == {}


def test_capacity_and_collection_metrics_only_when_asked(fake_aws):
    """ReturnConsumedCapacity "NONE - No ConsumedCapacity details are included in the response", the default,
    and likewise ReturnItemCollectionMetrics (API Reference, PutItem, Request Parameters); moto gives them unasked
    on UpdateItem, TransactWriteItems and BatchWriteItem."""
    def conversation(d):
        _two_tables(d)
        return [_update(d, "SET s = :s"), d.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "t", "Item": {"pk": {"S": "z"}}}}]),
                d.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": {"pk": {"S": "y"}}}}]}),
                d.put_item(TableName="t", Item={"pk": {"S": "x"}}), d.get_item(TableName="t", Key={"pk": {"S": "x"}}),
                _update(d, "SET s = :s", ReturnConsumedCapacity="TOTAL")]

    answers = _twin_only(conversation)
    assert answers[0] == {} and answers[1] == {} and answers[2] == {"UnprocessedItems": {}} and answers[3] == {}
    assert answers[4] == {"Item": {"pk": {"S": "x"}}}
    # "One write capacity unit represents one write per second for an item up to 1 KB" (Developer Guide, Read/write
    # capacity mode); moto counts 0.5 for an UpdateItem
    assert answers[5]["ConsumedCapacity"] == {"TableName": "t", "CapacityUnits": 1.0}


# -- validation ------------------------------------------------------------------------------------------------

def _key_type_mismatches(d) -> list:
    _create(d, range_key=("sk", "N"))
    return [d.put_item(TableName="t", Item={"pk": {"S": "a"}, "sk": {"S": "1"}}),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "x"}}, UpdateExpression="REMOVE v")]


def _missing_keys(d) -> list:
    _create(d, range_key=("sk", "N"))
    return [d.get_item(TableName="t", Key={"pk": {"S": "a"}}),
            d.put_item(TableName="t", Item={"pk": {"S": "a"}, "v": {"S": "v"}}),
            d.put_item(TableName="t", Item={"sk": {"N": "1"}}),
            d.update_item(TableName="t", Key={"sk": {"N": "1"}}, UpdateExpression="REMOVE v"),
            d.delete_item(TableName="t", Key={"pk": {"S": "a"}}),
            d.get_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "v"}})]


def _empty_keys(d) -> list:
    _create(d, range_key=("sk", "S"))
    return [d.put_item(TableName="t", Item={"pk": {"S": ""}, "sk": {"S": "a"}}),
            d.put_item(TableName="t", Item={"pk": {"S": "a"}, "sk": {"S": ""}}),
            d.get_item(TableName="t", Key={"pk": {"S": ""}, "sk": {"S": "a"}}),
            d.put_item(TableName="t", Item={"pk": {"S": "a"}, "sk": {"S": "a"}, "v": {"S": ""}}),
            d.get_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "a"}})]


def _key_updates(d) -> list:
    _create(d, range_key=("sk", "S"))
    d.put_item(TableName="t", Item={"pk": {"S": "a"}, "sk": {"S": "a"}})
    key = {"pk": {"S": "a"}, "sk": {"S": "a"}}
    return [d.update_item(TableName="t", Key=key, UpdateExpression="SET pk = :v",
                          ExpressionAttributeValues={":v": {"S": "b"}}),
            d.update_item(TableName="t", Key=key, UpdateExpression="SET #s = :v",
                          ExpressionAttributeNames={"#s": "sk"}, ExpressionAttributeValues={":v": {"S": "b"}}),
            d.update_item(TableName="t", Key=key, UpdateExpression="REMOVE sk"),
            d.update_item(TableName="t", Key=key, UpdateExpression="SET pk = :v",
                          ExpressionAttributeValues={":v": {"S": "a"}}),
            d.get_item(TableName="t", Key=key)]


def _placeholder_problems(d) -> list:
    _create(d)
    _put_every_type(d)
    key = {"TableName": "t", "Key": {"pk": {"S": "a"}}}
    return [d.update_item(**key, UpdateExpression="SET s = :s", ExpressionAttributeValues={
                ":s": {"S": "v"}, ":unused": {"S": "u"}}),
            d.update_item(**key, UpdateExpression="SET s = :s", ExpressionAttributeNames={"#unused": "u"},
                          ExpressionAttributeValues={":s": {"S": "v"}}),
            d.get_item(**key, ProjectionExpression="s", ExpressionAttributeNames={"#unused": "u"}),
            d.get_item(**key)]


def _big_items(d) -> list:
    _create(d)
    return [d.put_item(TableName="t", Item={"pk": {"S": "a"}, "f": {"S": "x" * 300_000}}),
            d.put_item(TableName="t", Item={"pk": {"S": "b"}, "f": {"S": "x" * 409_600}}),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET g = :g",
                          ExpressionAttributeValues={":g": {"S": "y" * 200_000}}),
            d.get_item(TableName="t", Key={"pk": {"S": "a"}}, ProjectionExpression="pk"),
            d.get_item(TableName="t", Key={"pk": {"S": "b"}}),
            d.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": {
                "pk": {"S": "c"}, "f": {"S": "x" * 500_000}}}}]),
            d.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": {
                "pk": {"S": "d"}, "f": {"S": "x" * 500_000}}}}]})]


def _overlapping_paths(d) -> list:
    _create(d)
    _put_every_type(d)
    key = {"TableName": "t", "Key": {"pk": {"S": "a"}}}
    return [d.update_item(**key, UpdateExpression="SET m = :v, m.inside = :v", ExpressionAttributeValues={
                ":v": {"S": "v"}}),
            d.update_item(**key, UpdateExpression="SET s = :v REMOVE s", ExpressionAttributeValues={
                ":v": {"S": "v"}}),
            d.update_item(**key, UpdateExpression="SET l[1] = :v REMOVE l[1]", ExpressionAttributeValues={
                ":v": {"S": "v"}}),
            d.update_item(**key, UpdateExpression="SET s = :v, s = :v", ExpressionAttributeValues={
                ":v": {"S": "v"}}),
            d.update_item(**key, UpdateExpression="SET s = :v SET n = :v", ExpressionAttributeValues={
                ":v": {"S": "v"}}),
            d.update_item(**key, UpdateExpression="SET m.inside.deep = :v, m.n = :v", ExpressionAttributeValues={
                ":v": {"S": "v"}}),
            d.get_item(**key)]



def test_one_update_expression_with_other_placeholder_names_updates_other_attributes(fake_aws):
    """An update's paths are resolved once per expression and placeholder names (``evaluate._plan``): the same
    text with ``#a`` naming another attribute writes that one, and a refusal comes again each time it is asked."""
    def conversation(d):
        _create(d)
        key = {"TableName": "t", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET #a = :v, #b = :v",
               "ExpressionAttributeValues": {":v": {"S": "v"}}, "ReturnValues": "ALL_NEW"}
        return [d.update_item(**key, ExpressionAttributeNames={"#a": "x", "#b": "y"}),
                d.update_item(**key, ExpressionAttributeNames={"#a": "z", "#b": "y"}),
                d.update_item(**key, ExpressionAttributeNames={"#a": "x", "#b": "x"}),
                d.update_item(**key, ExpressionAttributeNames={"#a": "x", "#b": "x"}),
                d.update_item(**key, ExpressionAttributeNames={"#a": "pk", "#b": "y"}),
                d.update_item(**key, ExpressionAttributeNames={"#a": "pk", "#b": "y"})]

    answers = _alike(conversation)
    assert answers[1]["Attributes"] == {"pk": {"S": "a"}, "x": {"S": "v"}, "y": {"S": "v"}, "z": {"S": "v"}}
    assert [_code(answer) for answer in answers[2:]] == ["ValidationException"] * 4
    assert answers[2] == answers[3] and answers[4] == answers[5]

def _bad_values(d) -> list:
    _create(d)
    return [d.put_item(TableName="t", Item={"pk": {"S": "a"}, "ss": {"SS": []}}),
            d.put_item(TableName="t", Item={"pk": {"S": "a"}, "n": {"N": "one"}}),
            d.put_item(TableName="t", Item={"pk": {"S": "a"}, "n": {"N": ""}}),
            d.put_item(TableName="nope", Item={"pk": {"S": "a"}}),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET"),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET a = :v ADD",
                          ExpressionAttributeValues={":v": {"S": "v"}}),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET a = :v",
                          ExpressionAttributeValues={":v": {"S": "v"}}, ReturnValues="EVERYTHING"),
            d.scan(TableName="t")]


def test_requests_moto_lets_through(fake_aws):
    """Requests DynamoDB refuses with a ValidationException and moto serves: a key of the wrong type in GetItem
    and DeleteItem ("The provided key element does not match the schema"), an empty string as a key value in
    UpdateItem ("The AttributeValue for a key attribute cannot contain an empty string value"), unused values
    in a Query or a conditional DeleteItem, values without an expression ("ExpressionAttributeValues can only be
    specified when using expressions"), an item of 409,504 bytes (names and values: under the 400 KB = 409,600
    bytes of Developer Guide, Service quotas, Item size; moto counts otherwise and refuses it) growing past the
    limit by an update ("Item size to update has exceeded the maximum allowed size"), a set with duplicates
    ("Input collection ... contains duplicates", numbers compared by value) and an empty set written by an update
    ("An string set  may not be empty")."""
    def conversation(d):
        _create(d, range_key=("sk", "S"))
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "sk": {"S": "a"}, "v": {"S": "v"}})
        key = {"pk": {"S": "a"}, "sk": {"S": "a"}}
        return [d.get_item(TableName="t", Key={"pk": {"N": "1"}, "sk": {"S": "a"}}),
                d.delete_item(TableName="t", Key={"pk": {"B": b"a"}, "sk": {"S": "a"}}),
                d.update_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": ""}}, UpdateExpression="REMOVE v"),
                d.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={
                    ":p": {"S": "a"}, ":unused": {"S": "u"}}),
                d.delete_item(TableName="t", Key=key, ConditionExpression="v = :v", ExpressionAttributeValues={
                    ":v": {"S": "v"}, ":t": {"S": "t"}}),
                d.put_item(TableName="t", Item={**key, "w": {"S": "w"}}, ExpressionAttributeValues={":s": {"S": "v"}}),
                d.put_item(TableName="t", Item={**key, "ss": {"SS": ["x", "x"]}}),
                d.put_item(TableName="t", Item={**key, "ns": {"NS": ["1", "1.0"]}}),
                d.update_item(TableName="t", Key=key, UpdateExpression="SET ss = :e",
                              ExpressionAttributeValues={":e": {"SS": []}}),
                d.get_item(TableName="t", Key=key),
                d.put_item(TableName="t", Item={"pk": {"S": "b"}, "sk": {"S": "b"}, "f": {"S": "x" * 409_492}}),
                d.update_item(TableName="t", Key={"pk": {"S": "b"}, "sk": {"S": "b"}}, UpdateExpression="SET g = :g",
                              ExpressionAttributeValues={":g": {"S": "y" * 200}}),
                d.get_item(TableName="t", Key={"pk": {"S": "b"}, "sk": {"S": "b"}}, ProjectionExpression="pk, g")]

    answers = _twin_only(conversation)
    assert [_code(a) for a in answers[:9]] == ["ValidationException"] * 9
    assert answers[9] == {"Item": {"pk": {"S": "a"}, "sk": {"S": "a"}, "v": {"S": "v"}}}
    assert answers[10] == {}
    assert answers[11]["Error"]["Message"] == "Item size to update has exceeded the maximum allowed size"
    assert answers[12] == {"Item": {"pk": {"S": "b"}}}


@pytest.mark.parametrize("conversation", [_key_type_mismatches, _missing_keys, _empty_keys, _key_updates,
                                          _placeholder_problems, _big_items, _overlapping_paths, _bad_values],
                         ids=lambda c: c.__name__.strip("_"))
def test_requests_dynamodb_refuses(fake_aws, conversation):
    _alike(conversation)


def test_messages_of_refusals_moto_words_as_dynamodb(fake_aws):
    """The messages DynamoDB documents or is known to give, where moto gives them word for word."""
    def conversation(d):
        _create(d)
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "m": {"M": {}}})
        return [
            d.put_item(TableName="t", Item={"pk": {"S": "b"}, "f": {"S": "x" * 409_600}}),
            d.get_item(TableName="nope", Key={"pk": {"S": "a"}}),
            d.put_item(TableName="t", Item={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)"),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET copy = :v",
                          ExpressionAttributeValues={":v": {"S": "v"}}),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET #c = :v",
                          ExpressionAttributeNames={"#c": "copy"}, ExpressionAttributeValues={":v": {"S": "v"}}),
        ]

    answers = _alike(conversation, messages=True)
    assert answers[0]["Error"]["Message"] == "Item size has exceeded the maximum allowed size"
    assert answers[1]["Error"]["Message"] == "Requested resource not found"
    assert answers[2]["Error"]["Message"] == "The conditional request failed"
    assert answers[3]["Error"]["Message"] == ("Invalid UpdateExpression: Attribute name is a reserved keyword; "
                                              "reserved keyword: copy")
    assert _code(answers[4]) is None


def test_messages_moto_words_otherwise(fake_aws):
    """DynamoDB's messages for unused placeholders and overlapping paths, e.g. "Value provided in
    ExpressionAttributeValues unused in expressions: keys: {:unused}" (Developer Guide, Expression attribute
    values); moto puts "1 validation error detected: " before them."""
    def conversation(d):
        _create(d)
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "m": {"M": {}}})
        return [
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET s = :s",
                          ExpressionAttributeValues={":s": {"S": "v"}, ":unused": {"S": "u"}}),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET s = :s",
                          ExpressionAttributeNames={"#unused": "u"}, ExpressionAttributeValues={":s": {"S": "v"}}),
            d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET m = :v, m.inside = :v",
                          ExpressionAttributeValues={":v": {"S": "v"}}),
        ]

    answers = _twin_only(conversation)
    assert [a["Error"]["Message"] for a in answers] == [
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}",
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}",
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these"
        " paths; path one: [m], path two: [m, inside]"]


# -- where moto is not DynamoDB --------------------------------------------------------------------------------

def test_undefined_placeholders_are_validation_errors(fake_aws):
    """DynamoDB refuses an expression naming ``#n`` or ``:v`` that ExpressionAttributeNames/Values do not define:
    "An expression attribute name used in the document path is not defined; attribute name: #n", "An expression
    attribute value used in expression is not defined; attribute value: :v" (Developer Guide, Expression
    attribute names / values); moto raises a KeyError out of its validator instead of answering."""
    def conversation(d):
        _create(d)
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
        return [d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET #n = :v",
                              ExpressionAttributeValues={":v": {"N": "2"}}),
                d.get_item(TableName="t", Key={"pk": {"S": "a"}}, ProjectionExpression="#n"),
                d.put_item(TableName="t", Item={"pk": {"S": "a"}}, ConditionExpression="attribute_exists(#n)"),
                d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :missing",
                              ExpressionAttributeValues={":v": {"N": "2"}}),
                d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :missing"),
                d.scan(TableName="t", FilterExpression="n = :missing", ExpressionAttributeValues={":v": {"N": "2"}}),
                d.get_item(TableName="t", Key={"pk": {"S": "a"}})]

    answers = _twin_only(conversation)
    assert [_code(a) for a in answers[:6]] == ["ValidationException"] * 6
    assert "attribute name: #n" in answers[0]["Error"]["Message"]
    assert "attribute value: :missing" in answers[4]["Error"]["Message"]
    assert answers[6]["Item"] == {"pk": {"S": "a"}, "n": {"N": "1"}}


def test_a_path_through_a_scalar_is_refused(fake_aws):
    """SET on ``n.z`` where ``n`` is a number: "The document path provided in the update expression is invalid
    for update" (a ValidationException, DynamoDB API Reference, UpdateItem); moto leaves the path out silently."""
    def conversation(d):
        _create(d)
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "n": {"N": "1"}, "l": {"L": []}})
        return [d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET n.z = :v, q = :v",
                              ExpressionAttributeValues={":v": {"N": "2"}}),
                d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET missing.z = :v",
                              ExpressionAttributeValues={":v": {"N": "2"}}),
                d.get_item(TableName="t", Key={"pk": {"S": "a"}})]

    answers = _twin_only(conversation)
    assert _code(answers[0]) == _code(answers[1]) == "ValidationException"
    assert answers[0]["Error"]["Message"] == "The document path provided in the update expression is invalid for update"
    assert answers[2]["Item"] == {"pk": {"S": "a"}, "n": {"N": "1"}, "l": {"L": []}}


def test_updated_values_of_nested_paths_are_the_paths_alone(fake_aws):
    """UPDATED_OLD/UPDATED_NEW: "Returns only the updated attributes" (API Reference, UpdateItem,
    ReturnValues); for a nested path DynamoDB returns that path, not its whole top-level attribute as moto does."""
    def conversation(d):
        _create(d)
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "m": {"M": {"a": {"N": "1"}, "b": {"N": "2"}}},
                                        "l": {"L": [{"N": "1"}, {"N": "2"}]}})
        return [d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET m.a = :v, l[1] = :v",
                              ExpressionAttributeValues={":v": {"N": "9"}}, ReturnValues=returning)
                for returning in ("UPDATED_OLD", "UPDATED_NEW")]

    answers = _twin_only(conversation)
    assert answers == [{"Attributes": {"m": {"M": {"a": {"N": "1"}}}, "l": {"L": [{"N": "2"}]}}},
                       {"Attributes": {"m": {"M": {"a": {"N": "9"}}}, "l": {"L": [{"N": "9"}]}}}]


def test_updated_new_of_a_removal_has_no_attributes(fake_aws):
    """UPDATED_NEW after a REMOVE alone: nothing has a new value, so the answer has no ``Attributes`` (as for
    ReturnValues NONE: "If ... NONE, then nothing is returned", API Reference, UpdateItem); moto answers
    ``"Attributes": {}``."""
    def conversation(d):
        _create(d)
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "s": {"S": "x"}, "l": {"L": [{"N": "1"}]}})
        return [d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="REMOVE s",
                              ReturnValues="UPDATED_NEW")]

    answers = _twin_only(conversation)
    assert answers[0] == {}


def test_updated_new_of_an_element_set_past_the_end_of_a_list(fake_aws):
    """SET l[5] on a list of one element appends the value ("If the index is beyond the end of the list, the
    element is added at the end", Developer Guide, Update expressions, Adding elements to a list); UPDATED_NEW
    returns the updated path (moto returns the whole list)."""
    def conversation(d):
        _create(d)
        d.put_item(TableName="t", Item={"pk": {"S": "a"}, "l": {"L": [{"N": "1"}]}})
        return [d.update_item(TableName="t", Key={"pk": {"S": "a"}}, UpdateExpression="SET l[5] = :v",
                              ExpressionAttributeValues={":v": {"N": "2"}}, ReturnValues="UPDATED_NEW"),
                d.get_item(TableName="t", Key={"pk": {"S": "a"}})]

    answers = _twin_only(conversation)
    assert answers[1]["Item"]["l"] == {"L": [{"N": "1"}, {"N": "2"}]}
    assert answers[0] == {"Attributes": {"l": {"L": [{"N": "2"}]}}}


# -- the product's own conversations ---------------------------------------------------------------------------

CLOCK = 1_767_225_600.0  # 2026-01-01T00:00:00Z: every timestamp the product writes is the same on both sides


@pytest.fixture
def fixed_clock():
    from waveflow.local.twin.powertools_clock import PowertoolsClock

    powertools = PowertoolsClock()
    powertools.install(lambda: CLOCK)
    aws.configure(clock=lambda: CLOCK)
    yield
    powertools.uninstall()
    aws.configure()


def _request(n: int, wave: str = "7") -> dict:
    return {"migrationId": f"s-{n:017x}-{wave}", "correlationId": f"c-{n}", "sourceServerId": f"s-{n:017x}",
            "wave": wave, "appName": "shop", "requestedAt": "2026-01-01T00:00:00.000Z",
            "targetAccountId": "210987654321", "dns": {"ttl": 300}, "testLaunch": True}


def test_the_status_store_conversation(fake_aws, fixed_clock):
    """StatusStore as ingress and the stages use it: the create transaction with its identity item, duplicates
    and conflicts, conditional transitions, events noted once, a terminal move expiring the identity item,
    and the index queries. The record a transition returns, made from the write's UPDATED_NEW answer, is the one
    the table holds. (The clock moves a second per write and no write sets a detail to the value it had: moto
    leaves such a value out of an UPDATED_NEW answer, which DynamoDB does not, see
    test_updated_new_holds_what_the_update_set_also_where_the_value_did_not_change.)"""
    from tasks.lib.errors import IllegalTransition, RequestConflict
    from tasks.lib.status import Status
    from tasks.lib.store import StatusStore
    from tasks.lib.tables import STATUS_TABLE, create_table

    def conversation(d):
        create_table(d.client, STATUS_TABLE, "status")
        del d.heard[:]  # the table's description: test_the_product_tables_are_created_as_the_schema_says
        ticks = itertools.count(CLOCK)
        aws.configure(clock=lambda: next(ticks))
        store = StatusStore("status", client=d.client)

        def moved(*args, **kwargs) -> None:
            assert store.transition(*args, **kwargs) == store.get(args[0])

        first, created = store.create(_request(1))
        store.create(_request(2))
        assert store.create(_request(1))[1] is False  # the true duplicate
        with pytest.raises(RequestConflict):
            store.create({**_request(1), "migrationId": "other-7"})  # same server and wave, another ID
        with pytest.raises(RequestConflict):
            store.create({**_request(1), "appName": "other"})
        moved(first["migrationId"], Status.VALIDATED, stage="validation", detail={"ok": True, "n": 1.5})
        moved(first["migrationId"], Status.VALIDATED, stage="validation", detail={"ok": True, "n": 1.5})
        moved(first["migrationId"], Status.VALIDATED, stage="validation", detail={"ok": False})
        moved(first["migrationId"], Status.SOURCE_PREPARED, execution_arn="arn:aws:states:::execution:m:1")
        with pytest.raises(IllegalTransition):
            store.transition(first["migrationId"], Status.SUCCESS, stage="cutover")
        assert store.record_event(first["migrationId"], "MigrationRequested", "e-1") is True
        assert store.record_event(first["migrationId"], "MigrationRequested", "e-2") is False
        stale = store.get(_request(2)["migrationId"])
        moved(stale["migrationId"], Status.ROLLED_BACK, stage="rollback", detail={"error": "no"})
        moved(stale["migrationId"], Status.FAILED, stage="rollback", detail={"error": "no", "final": True})
        assert store.note_if_unchanged(stale, "rollback", {"x": 1}) is None  # stale version
        store.by_wave("7", fields=("migrationId", "status"))
        store.by_status(Status.PENDING)
        store.by_app("shop")
        store.get("nobody")
        return d.heard

    answers = _alike(conversation)
    assert "TransactionCanceledException" in [_code(a) for a in answers]


def test_the_wave_records_conversation(fake_aws, fixed_clock):
    """WaveRecords: executions and gate tokens noted on records, and the queue read page by page."""
    from tasks.lib.errors import MigrationNotFound
    from tasks.lib.store import StatusStore
    from tasks.lib.tables import STATUS_TABLE, create_table
    from tasks.lib.wave_records import WaveRecords

    def conversation(d):
        create_table(d.client, STATUS_TABLE, "status")
        del d.heard[:]
        store = StatusStore("status", client=d.client)
        for n in range(7):
            store.create(_request(n, wave="7" if n % 3 else "8"))
        records = WaveRecords("status", client=d.client, page=2)
        records.note_started(_request(1)["migrationId"], "arn:aws:states:::execution:m:1")
        records.note_started(_request(1)["migrationId"], "arn:aws:states:::execution:m:1")
        with pytest.raises(MigrationNotFound):
            records.note_started("nobody", "arn")
        records.park_token(_request(2)["migrationId"], "token-1")
        records.park_token(_request(2)["migrationId"], "token-2")
        assert records.parked_token(_request(2)["migrationId"]) == "token-2"
        assert records.parked_token(_request(4)["migrationId"]) is None
        assert records.parked_token("nobody") is None
        records.queued("7", limit=2)
        records.queued(7, limit=10)
        records.queued("9", limit=10)
        return d.heard

    _alike(conversation)


def test_the_wave_table_conversation(fake_aws, fixed_clock):
    """WaveTable: the wave item created once, slots taken and given back under the limit, parking at the gate
    and the decision made once (a refused park or decision read from the refused write's ALL_OLD), a wave nobody
    opened given its default limit by the first slot taken in it."""
    from tasks.lib.errors import IllegalTransition
    from tasks.lib.tables import WAVE_TABLE, create_table
    from tasks.lib.waves import APPROVED, REJECTED, WaveTable

    def conversation(d):
        create_table(d.client, WAVE_TABLE, "waves")
        del d.heard[:]
        waves = WaveTable("waves", client=d.client)
        assert waves.take_slot("7", "m-0") is False  # no item yet
        waves.ensure("7", default_limit=2)
        waves.ensure(7, default_limit=5)
        waves.open("7", expected=4)
        waves.open("7", expected=4, limit=2)
        assert [waves.take_slot("7", f"m-{n}") for n in (1, 2, 1, 3)] == [True, True, True, False]
        waves.give_back("7", "m-1")
        waves.give_back("7", "m-1")
        assert waves.take_slot("7", "m-3") is True
        waves.give_back("7", "m-2")
        waves.give_back("7", "m-3")
        waves.park("7", "m-1")
        waves.park("7", "m-2")
        waves.decide("7", APPROVED, "looks good")
        waves.decide("7", APPROVED, "again")
        assert waves.park("7", "m-3") == APPROVED
        with pytest.raises(IllegalTransition):
            waves.decide("7", REJECTED, "too late")
        assert [waves.take_slot("8", f"m-{n}", default_limit=1) for n in (1, 2)] == [True, False]  # opened once
        waves.get("7")
        waves.get("8")
        return d.heard

    _alike(conversation)


def test_the_powertools_idempotency_conversation(fake_aws, fixed_clock):
    """Powertools' DynamoDBPersistenceLayer as the stages use it (tasks.lib.stage): the conditional put of the
    in-progress record, its completion, a repeat answered from the refused put's ALL_OLD item, a failure
    deleting the record, and an expired record taken over."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyItemAlreadyExistsError
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
    from aws_lambda_powertools.utilities.idempotency.persistence.dynamodb import DynamoDBPersistenceLayer

    from tasks.lib.tables import IDEMPOTENCY_TABLE, create_table

    def conversation(d):
        create_table(d.client, IDEMPOTENCY_TABLE, "idempotency")
        del d.heard[:]
        layer = DynamoDBPersistenceLayer(table_name="idempotency", boto3_client=d.client)
        config = IdempotencyConfig(expires_after_seconds=48 * 3600)

        @idempotent_function(data_keyword_argument="key", persistence_store=layer, config=config,
                             key_prefix="waveflow.stage")
        def once(*, key: dict, body: Callable[[], dict]) -> dict:  # noqa: ARG001
            return body()

        class Context:
            @staticmethod
            def get_remaining_time_in_millis() -> int:
                return 60_000
        config.register_lambda_context(Context())
        calls = []
        assert once(key={"migrationId": "m-1"}, body=lambda: calls.append(1) or {"done": 1}) == {"done": 1}
        assert once(key={"migrationId": "m-1"}, body=lambda: calls.append(2) or {"done": 2}) == {"done": 1}
        with pytest.raises(RuntimeError):
            once(key={"migrationId": "m-2"}, body=lambda: (_ for _ in ()).throw(RuntimeError("stage failed")))
        assert once(key={"migrationId": "m-2"}, body=lambda: {"done": 3}) == {"done": 3}
        # a record left in progress by a Lambda that timed out, then one whose lock lapsed
        layer._put_record(DataRecord(idempotency_key="stuck", status="INPROGRESS", expiry_timestamp=int(CLOCK) + 60,
                                     in_progress_expiry_timestamp=int(CLOCK * 1000) + 60_000))
        with pytest.raises(IdempotencyItemAlreadyExistsError):
            layer._put_record(DataRecord(idempotency_key="stuck", status="INPROGRESS",
                                         expiry_timestamp=int(CLOCK) + 60))
        layer._put_record(DataRecord(idempotency_key="lapsed", status="INPROGRESS", expiry_timestamp=int(CLOCK) + 60,
                                     in_progress_expiry_timestamp=int(CLOCK * 1000) - 1))
        layer._put_record(DataRecord(idempotency_key="lapsed", status="INPROGRESS", expiry_timestamp=int(CLOCK) + 60))
        layer._put_record(DataRecord(idempotency_key="expired", status="COMPLETED", expiry_timestamp=int(CLOCK) - 1))
        layer._put_record(DataRecord(idempotency_key="expired", status="INPROGRESS", expiry_timestamp=int(CLOCK) + 1))
        items = d.client.scan(TableName="idempotency", ConsistentRead=True)["Items"]
        d.heard[-1]["Items"] = sorted(items, key=lambda item: item["id"]["S"])  # scan order is the table's own
        return [calls, d.heard]

    answers = _alike(conversation)
    assert answers[0] == [1]
    assert "ConditionalCheckFailedException" in [_code(a) for a in answers[1]]


def test_the_operators_reads(fake_aws, fixed_clock):
    """``waveflow status`` (a GetItem, an index query through the paginator) and the run's outcome (a scan
    through the paginator) on a status table."""
    from tasks.lib.store import StatusStore
    from tasks.lib.tables import STATUS_TABLE, create_table

    def conversation(d):
        create_table(d.client, STATUS_TABLE, "status")
        store = StatusStore("status", client=d.client)
        for n in range(4):
            store.create(_request(n))
        del d.heard[:]
        d.client.get_item(TableName="status", Key={"migrationId": {"S": _request(1)["migrationId"]}},
                          ConsistentRead=True)
        list(d.client.get_paginator("query").paginate(
            TableName="status", IndexName="appNameIndex", KeyConditionExpression="#k = :v",
            ExpressionAttributeNames={"#k": "appName"}, ExpressionAttributeValues={":v": {"S": "shop"}},
            PaginationConfig={"PageSize": 3}))
        pages = list(d.client.get_paginator("scan").paginate(TableName="status", ConsistentRead=True,
                                                              PaginationConfig={"PageSize": 3}))
        scanned = sorted((item for page in pages for item in page["Items"]), key=lambda item: item["migrationId"]["S"])
        return [d.heard[:3], scanned, [page["ScannedCount"] for page in pages][:2]]

    answers = _alike(conversation)
    assert [a["Operation"] for a in answers[0]] == ["GetItem", "Query", "Query"]
    assert len(answers[1]) == 8  # four records, four identity items
