"""One migration per server and wave, whatever migrationId a request carries: the status store's create through
real boto3 into moto (the record and its identity item in one transaction)."""

from __future__ import annotations

import pytest

from tasks.lib.errors import AwsThrottled, RequestConflict
from tasks.lib.identity import content, differences, identity_key
from tasks.lib.request import normalise_request
from tasks.lib.status import Status
from tasks.lib.store import StatusStore

OTHER_SERVER = "s-fffffffffffffffff"


@pytest.fixture
def store(status_table) -> StatusStore:
    return StatusStore()


@pytest.fixture
def request_doc(valid_request) -> dict:
    return normalise_request(valid_request)


def raw_items(aws_mock) -> dict[str, dict]:
    """Every item of the status table, by key, as DynamoDB holds it."""
    items = aws_mock.client("dynamodb").scan(TableName="waveflow-status")["Items"]
    return {item["migrationId"]["S"]: item for item in items}


def test_a_new_request_writes_its_record_and_the_identity_of_its_server_and_wave(store, request_doc, aws_mock):
    record, created = store.create(request_doc)
    assert created and record["migrationId"] == "s-0a1b2c3d4e5f60718-7"
    items = raw_items(aws_mock)
    assert set(items) == {"s-0a1b2c3d4e5f60718-7", "#identity/s-0a1b2c3d4e5f60718/7"}
    assert items["#identity/s-0a1b2c3d4e5f60718/7"] == {
        "migrationId": {"S": "#identity/s-0a1b2c3d4e5f60718/7"}, "owner": {"S": "s-0a1b2c3d4e5f60718-7"}}
    assert [r["migrationId"] for r in store.by_wave(7)] == ["s-0a1b2c3d4e5f60718-7"], "the identity item is in no index"


def test_the_same_server_and_wave_under_a_new_id_is_refused_and_writes_nothing(store, request_doc, aws_mock):
    store.create(request_doc)
    before = raw_items(aws_mock)
    with pytest.raises(RequestConflict, match="migrationId: server s-0a1b2c3d4e5f60718 in wave 7 is already "
                                              "migration 's-0a1b2c3d4e5f60718-7'; this request names 'mig-42'"):
        store.create({**request_doc, "migrationId": "mig-42"})
    assert raw_items(aws_mock) == before


def test_an_id_that_belongs_to_another_server_is_refused_and_the_owner_keeps_it(store, request_doc, aws_mock):
    store.create({**request_doc, "migrationId": "mig-42"})
    before = raw_items(aws_mock)
    with pytest.raises(RequestConflict) as raised:
        store.create({**request_doc, "migrationId": "mig-42", "sourceServerId": OTHER_SERVER})
    assert str(raised.value) == ("migrationId: 'mig-42' already belongs to server s-0a1b2c3d4e5f60718 in wave 7,"
                                 f" not to server {OTHER_SERVER} in wave 7")
    assert raw_items(aws_mock) == before
    with pytest.raises(RequestConflict, match="already belongs to server s-0a1b2c3d4e5f60718 in wave 7, not to .* wave 8"):
        store.create({**request_doc, "migrationId": "mig-42", "wave": "8"})


def test_a_request_without_an_id_matches_its_server_and_waves_migration_whatever_its_id(store, request_doc):
    owner, _ = store.create({**request_doc, "migrationId": "mig-42"})
    existing, created = store.create(request_doc, id_given=False)  # derived ID s-...-7, named by nobody
    assert (existing, created) == (owner, False)


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"appName": "renamed"}, "appName"),
        ({"testLaunch": False}, "testLaunch"),
        ({"target": {"instanceType": "m5.xlarge"}}, "target.instanceType"),
        ({"requestedBy": "bob", "environment": "dev"}, "environment, requestedBy"),
        ({"callbackUrl": None}, "callbackUrl"),
        ({"dns": {"ttl": 120}}, "dns.ttl"),
    ],
)
def test_the_same_server_and_wave_with_other_content_is_refused_naming_the_fields(store, request_doc, change, fields):
    store.create(request_doc)
    changed = {**request_doc}
    for name, value in change.items():
        if value is None:
            changed.pop(name)
        elif isinstance(value, dict):
            changed[name] = {**changed[name], **value}
        else:
            changed[name] = value
    with pytest.raises(RequestConflict, match=rf"is already migration 's-0a1b2c3d4e5f60718-7', requested with "
                                              rf"different {fields}$"):
        store.create(changed, id_given=False)


def test_content_is_compared_after_normalisation_and_without_delivery_noise(store, valid_request):
    dns = {key: value for key, value in valid_request["dns"].items() if key != "ttl"}
    store.create(normalise_request({**valid_request, "wave": 7, "dns": dns}))
    again = {**valid_request, "wave": "7", "testLaunch": True, "correlationId": "other-delivery",
             "requestedAt": "2027-05-05T10:00:00Z"}
    again["dns"] = {**dns, "ttl": 300}
    _, created = store.create(normalise_request(again))
    assert not created


def test_content_is_every_schema_field_but_the_id_and_the_delivery_noise(request_doc):
    compared = content({**request_doc, "status": "PENDING", "version": 3, "history": []})
    assert set(compared) == set(request_doc) - {"migrationId", "correlationId", "requestedAt"}
    assert differences({"a": [1, 2]}, {"a": [2, 1]}) == ["a"]


def test_a_stale_identity_is_taken_over_once_its_migration_record_is_gone(store, request_doc, aws_mock, clock):
    store.create({**request_doc, "migrationId": "old-run"})
    for status in (Status.ROLLED_BACK, Status.FAILED):
        store.transition("old-run", status)
    ended = store.get("old-run")
    key = identity_key(request_doc)
    assert raw_items(aws_mock)[key]["ttl"] == {"N": str(ended["ttl"])}, "the identity expires with its record"
    with pytest.raises(RequestConflict, match="is already migration 'old-run'"):
        store.create(request_doc)
    clock.advance(31 * 24 * 3600)  # past the record's ttl: DynamoDB may not have deleted either item yet
    record, created = store.create(request_doc)
    assert created and raw_items(aws_mock)[key]["owner"] == {"S": request_doc["migrationId"]}
    aws_mock.client("dynamodb").delete_item(TableName="waveflow-status", Key={"migrationId": {"S": record["migrationId"]}})
    third, created = store.create({**request_doc, "migrationId": "third-run"})
    assert created and third["migrationId"] == "third-run"


def test_a_cancelled_transaction_that_can_go_through_later_is_transient(store, request_doc, faults):
    faults.respond("dynamodb", "TransactWriteItems", {
        "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
        "CancellationReasons": [{"Code": "TransactionConflict"}, {"Code": "None"}]}, status=400)
    with pytest.raises(AwsThrottled, match="TransactionConflict"):
        store.create(request_doc)
    record, created = store.create(request_doc)
    assert created and record["migrationId"] == request_doc["migrationId"]
