"""The status store through real boto3 into moto: creation, the transition table, conflicts, TTL, GSIs."""

from __future__ import annotations

import itertools

import pytest

from tasks.lib import aws
from tasks.lib.errors import (
    AwsThrottled,
    IllegalTransition,
    InvalidMigrationDocument,
    MigrationNotFound,
    RequestConflict,
)
from tasks.lib.request import normalise_request
from tasks.lib.status import TERMINAL, TRANSITIONS, Status
from tasks.lib.store import StatusStore

# The shortest legal road from PENDING to each status.
ROADS = {
    Status.PENDING: [],
    Status.VALIDATED: [Status.VALIDATED],
    Status.SOURCE_PREPARED: [Status.VALIDATED, Status.SOURCE_PREPARED],
    Status.MIGRATION_IN_PROGRESS: [Status.VALIDATED, Status.SOURCE_PREPARED, Status.MIGRATION_IN_PROGRESS],
    Status.VERIFIED: [Status.VALIDATED, Status.SOURCE_PREPARED, Status.MIGRATION_IN_PROGRESS, Status.VERIFIED],
    Status.COMPLETED: [
        Status.VALIDATED, Status.SOURCE_PREPARED, Status.MIGRATION_IN_PROGRESS, Status.VERIFIED, Status.COMPLETED
    ],
    Status.SUCCESS: [
        Status.VALIDATED,
        Status.SOURCE_PREPARED,
        Status.MIGRATION_IN_PROGRESS,
        Status.VERIFIED,
        Status.COMPLETED,
        Status.SUCCESS,
    ],
    Status.ROLLED_BACK: [Status.ROLLED_BACK],
    Status.FAILED: [Status.ROLLED_BACK, Status.FAILED],
}


@pytest.fixture
def store(status_table) -> StatusStore:
    return StatusStore()


@pytest.fixture
def request_doc(valid_request) -> dict:
    return normalise_request(valid_request)


@pytest.fixture
def migration_id(store, request_doc) -> str:
    store.create(request_doc)
    return request_doc["migrationId"]


def drive(store: StatusStore, migration_id: str, status: Status) -> dict:
    record = store.get(migration_id)
    for step in ROADS[status]:
        record = store.transition(migration_id, step)
    return record


def raw_item(aws_mock, migration_id: str) -> dict:
    """The item as DynamoDB holds it, read around the store."""
    return aws_mock.client("dynamodb").get_item(
        TableName="waveflow-status", Key={"migrationId": {"S": migration_id}}, ConsistentRead=True
    )["Item"]


def test_every_road_is_legal():
    for status, road in ROADS.items():
        assert all(b in TRANSITIONS[a] for a, b in zip([Status.PENDING, *road], road)), status


def test_create_writes_a_pending_record_at_version_1(store, request_doc, clock):
    record, created = store.create(request_doc)
    assert created
    stored = store.get(request_doc["migrationId"])
    assert stored == record
    assert stored["status"] == "PENDING" and stored["version"] == 1
    assert stored["updatedAt"] == "2026-01-01T00:00:00.000Z"
    assert stored["target"] == request_doc["target"] and stored["correlationId"] == request_doc["correlationId"]
    assert "ttl" not in stored


def test_a_duplicate_create_returns_the_existing_record_and_overwrites_nothing(store, request_doc):
    first, _ = store.create(request_doc)
    existing, created = store.create({**request_doc, "correlationId": "another", "requestedAt": "2027-01-01T00:00:00Z"})
    assert not created
    assert existing == first == store.get(request_doc["migrationId"])


def test_create_refuses_a_request_that_was_not_normalised(store, valid_request):
    with pytest.raises(InvalidMigrationDocument, match="migrationId"):
        store.create(valid_request)


def create_in(store: StatusStore, request_doc: dict, status: Status, n: int) -> str:
    """A fresh migration (the n-th of the test) driven to ``status``."""
    doc = {**request_doc, "migrationId": f"{request_doc['migrationId']}-{n}", "sourceServerId": f"s-{n + 1:017x}"}
    store.create(doc)
    drive(store, doc["migrationId"], status)
    return doc["migrationId"]


@pytest.mark.parametrize("current", list(Status))
def test_every_legal_transition_is_written(store, request_doc, current, clock):
    for n, to in enumerate(sorted(TRANSITIONS[current])):
        migration_id = create_in(store, request_doc, current, n)
        before = store.get(migration_id)
        clock.advance(60)
        after = store.transition(migration_id, to, stage="probe", detail={"from": str(current)})
        assert after["status"] == to, f"{current} -> {to}"
        assert after["version"] == before["version"] + 1
        assert after["executionDetails"]["probe"] == {"from": str(current)}
        assert after["updatedAt"] == aws.iso_now()
        assert after["history"][-1] == {"status": str(to), "at": aws.iso_now(), "stage": "probe"}
        assert store.get(migration_id) == after


@pytest.mark.parametrize("current", list(Status))
def test_every_illegal_transition_is_refused_with_nothing_written(store, request_doc, current, aws_mock):
    migration_id = create_in(store, request_doc, current, 0)
    before = raw_item(aws_mock, migration_id)
    for to in (to for to in Status if to is not current and to not in TRANSITIONS[current]):
        with pytest.raises(IllegalTransition, match=f"{current} -> {to} is not a legal transition"):
            store.transition(migration_id, to, stage="probe", detail={"x": 1}, execution_arn="arn:aws:states:x")
        assert raw_item(aws_mock, migration_id) == before, f"{current} -> {to} wrote something"


def test_a_transition_records_the_execution_arn(store, migration_id):
    arn = "arn:aws:states:us-east-1:123456789012:execution:ServerMigration:" + migration_id
    record = store.transition(migration_id, Status.VALIDATED, execution_arn=arn)
    assert record["executionArn"] == arn


def test_reentering_the_same_status_with_the_same_detail_writes_nothing(store, migration_id, aws_mock, clock):
    detail = {"checks": ["mgn", "subnet"], "lagSeconds": 1.5}
    store.transition(migration_id, Status.VALIDATED, stage="validation", detail=detail)
    before = raw_item(aws_mock, migration_id)
    clock.advance(30)
    again = store.transition(migration_id, Status.VALIDATED, stage="validation", detail=detail)
    assert raw_item(aws_mock, migration_id) == before
    assert again["version"] == 2 and again["executionDetails"]["validation"] == detail


def test_staying_in_a_status_with_new_detail_updates_only_the_detail(store, migration_id):
    drive(store, migration_id, Status.MIGRATION_IN_PROGRESS)
    first = store.transition(migration_id, Status.MIGRATION_IN_PROGRESS, stage="replication", detail={"lag": 90})
    second = store.transition(migration_id, Status.MIGRATION_IN_PROGRESS, stage="replication", detail={"lag": 5})
    assert second["executionDetails"]["replication"] == {"lag": 5}
    assert second["version"] == first["version"] + 1
    assert second["history"] == first["history"]


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
def test_a_terminal_status_sets_ttl_30_days_later(store, migration_id, terminal, clock):
    drive(store, migration_id, Status(ROADS[terminal][-2]))
    assert "ttl" not in store.get(migration_id)
    clock.advance(3600)
    record = store.transition(migration_id, terminal)
    assert record["ttl"] == int(clock.now) + 30 * 24 * 3600


def test_the_record_each_write_returns_is_the_record_stored(store, migration_id, clock):
    """The store makes the new record beside its write instead of reading it back: moves with and without a
    detail, a detail set to what it was, an execution ARN and a terminal move (its expiry) all read back alike."""
    steps = [(Status.VALIDATED, "validation", {"ok": True, "lag": 1.5, "checks": ["a", "b"]}, None),
             (Status.VALIDATED, "validation", {"ok": False}, None),
             (Status.SOURCE_PREPARED, None, None, "arn:aws:states:us-east-1:123456789012:execution:m:1"),
             (Status.ROLLED_BACK, "rollback", {"error": "no"}, None),
             (Status.FAILED, "rollback", {"error": "no"}, None)]
    for to, stage, detail, arn in steps:
        clock.advance(60)
        written = store.transition(migration_id, to, stage=stage, detail=detail, execution_arn=arn)
        assert _typed(written) == _typed(store.get(migration_id)), to


def _typed(value):
    """``value`` with the type of every part: 1.5 and Decimal("1.5") are equal, but only one reads back."""
    if isinstance(value, dict):
        return {key: _typed(part) for key, part in value.items()}
    if isinstance(value, list):
        return [_typed(part) for part in value]
    return type(value).__name__, value


def test_a_missing_migration_is_not_found(store):
    with pytest.raises(MigrationNotFound, match="s-00000000000000000-1"):
        store.transition("s-00000000000000000-1", Status.VALIDATED)


def _race(store: StatusStore, aws_mock, competitor, times: int | None = 1):
    """Run ``competitor`` (through a second client) just before each of the store's next UpdateItem calls."""
    other = StatusStore(client=aws_mock.client("dynamodb"))
    runs = []

    def before_update(**_):
        if times is None or len(runs) < times:
            runs.append(competitor(other))

    store.client.meta.events.register("before-call.dynamodb.UpdateItem", before_update)
    return runs


def test_a_writer_that_lost_a_race_to_rollback_is_refused(store, migration_id, aws_mock):
    _race(store, aws_mock, lambda other: other.transition(migration_id, Status.ROLLED_BACK, stage="error", detail={}))
    with pytest.raises(IllegalTransition, match="ROLLED_BACK -> VALIDATED"):
        store.transition(migration_id, Status.VALIDATED, stage="validation", detail={"ok": True})
    record = store.get(migration_id)
    assert record["status"] == "ROLLED_BACK" and "validation" not in record["executionDetails"]


def test_a_writer_that_lost_a_race_to_a_detail_update_retries_on_the_fresh_version(store, migration_id, aws_mock):
    _race(store, aws_mock, lambda other: other.transition(migration_id, Status.PENDING, stage="note", detail={"n": 1}))
    record = store.transition(migration_id, Status.VALIDATED, stage="validation", detail={"ok": True})
    assert record["status"] == "VALIDATED" and record["version"] == 3
    assert record["executionDetails"] == {"note": {"n": 1}, "validation": {"ok": True}}


def test_endless_conflicts_give_up_as_a_transient_error(store, migration_id, aws_mock):
    counter = itertools.count()
    _race(
        store,
        aws_mock,
        lambda other: other.transition(migration_id, Status.PENDING, stage="note", detail={"n": next(counter)}),
        times=None,
    )
    with pytest.raises(AwsThrottled, match="changed under 3 attempts"):
        store.transition(migration_id, Status.VALIDATED)
    assert store.get(migration_id)["status"] == "PENDING"


def test_dynamodb_throttling_becomes_aws_throttled(store, migration_id, faults):
    faults.fail("dynamodb", "GetItem", "ProvisionedThroughputExceededException", status=400)
    with pytest.raises(AwsThrottled, match="DynamoDB get_item on waveflow-status.*ProvisionedThroughputExceeded"):
        store.transition(migration_id, Status.VALIDATED)


def test_a_permanent_dynamodb_error_is_not_disguised(store, migration_id, faults):
    faults.fail("dynamodb", "GetItem", "AccessDeniedException", status=400)
    with pytest.raises(Exception) as raised:
        store.get(migration_id)
    assert not isinstance(raised.value, AwsThrottled)
    assert "AccessDeniedException" in str(raised.value)


def test_record_event_notes_a_publication_once(store, migration_id):
    assert store.record_event(migration_id, "MigrationRequested", "event-1")
    assert not store.record_event(migration_id, "MigrationRequested", "event-2")
    assert store.get(migration_id)["publishedEvents"] == {"MigrationRequested": "event-1"}


def test_the_indexes_answer_by_status_wave_and_app(store, valid_request):
    ids = []
    for n, (wave, app) in enumerate([(7, "billing-api"), (7, "crm"), (8, "crm")]):
        doc = normalise_request({**valid_request, "sourceServerId": f"s-{n:017x}", "wave": wave, "appName": app})
        store.create(doc)
        ids.append(doc["migrationId"])
    store.transition(ids[1], Status.VALIDATED)
    assert [r["migrationId"] for r in store.by_wave(7)] == sorted(ids[:2])
    assert [r["migrationId"] for r in store.by_wave("8")] == [ids[2]]
    assert [r["migrationId"] for r in store.by_app("crm")] == sorted(ids[1:])
    assert [r["migrationId"] for r in store.by_status(Status.VALIDATED)] == [ids[1]]
    assert sorted(r["migrationId"] for r in store.by_status("PENDING")) == sorted([ids[0], ids[2]])


def test_two_writers_moving_from_the_same_version_one_wins_and_the_loser_writes_nothing(store, migration_id, aws_mock):
    """The loser (a duplicate invocation of the same stage) gets the winner's record; its own detail is not written."""
    _race(store, aws_mock, lambda other: other.transition(migration_id, Status.VALIDATED, stage="validation",
                                                          detail={"by": "winner"}))
    returned = store.transition(migration_id, Status.VALIDATED, stage="validation", detail={"by": "loser"})
    stored = raw_item(aws_mock, migration_id)
    assert stored["executionDetails"]["M"]["validation"] == {"M": {"by": {"S": "winner"}}}
    assert stored["version"] == {"N": "2"}
    assert [entry["status"] for entry in store.get(migration_id)["history"]] == ["PENDING", "VALIDATED"]
    assert returned == store.get(migration_id)


def test_a_writer_that_decided_on_an_old_version_cannot_overwrite_the_move_it_lost(store, migration_id, aws_mock):
    pending = store.get(migration_id)
    store.transition(migration_id, Status.VALIDATED, stage="validation", detail={"by": "winner"})
    before = raw_item(aws_mock, migration_id)
    returned = store.transition(migration_id, Status.VALIDATED, stage="validation", detail={"by": "late"},
                                based_on=pending)
    assert raw_item(aws_mock, migration_id) == before
    assert returned["executionDetails"]["validation"] == {"by": "winner"}


def test_a_move_lost_to_another_stage_is_refused_with_nothing_written(store, migration_id, aws_mock):
    pending = store.get(migration_id)
    store.transition(migration_id, Status.VALIDATED, stage="validation", detail={"ok": True})
    before = raw_item(aws_mock, migration_id)
    with pytest.raises(IllegalTransition, match="another writer moved it from PENDING to VALIDATED first"):
        store.transition(migration_id, Status.VALIDATED, stage="probe", detail={"x": 1}, based_on=pending)
    assert raw_item(aws_mock, migration_id) == before


def stage_keys() -> list[str]:
    """The key of every stage handler in tasks/ (what each writes under ``executionDetails``)."""
    from tasks import (callback, finalize_cutover, launch, poll_status, prepare_source, rollback,
                       trigger_migration, validate_input, verify_migration)

    handlers = [callback.handler, finalize_cutover.handler, launch.start_test, launch.poll_launch,
                poll_status.handler, prepare_source.handler, rollback.handler, trigger_migration.handler,
                validate_input.handler, verify_migration.handler]
    return sorted({handler.spec.key for handler in handlers})


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
def test_an_ended_migration_refuses_every_stage_note_but_the_callbacks(store, request_doc, aws_mock, terminal):
    keys = stage_keys()
    assert "callback" in keys and len(keys) >= 8
    migration_id = create_in(store, request_doc, terminal, 0)
    for key in (k for k in keys if k != "callback"):
        before = raw_item(aws_mock, migration_id)
        with pytest.raises(IllegalTransition, match=f"{key} cannot record a detail once it is {terminal}"):
            store.transition(migration_id, terminal, stage=key, detail={"late": True})
        with pytest.raises(IllegalTransition, match=f"{key} cannot record a detail once it is {terminal}"):
            store.note_if_unchanged(store.get(migration_id), key, {"late": True})
        assert raw_item(aws_mock, migration_id) == before, key
    record = store.transition(migration_id, terminal, stage="callback", detail={"posted": True})
    assert record["executionDetails"]["callback"] == {"posted": True} and record["status"] == terminal


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
def test_an_ended_migration_answers_a_repeated_final_write_without_writing(store, request_doc, aws_mock, terminal):
    migration_id = create_in(store, request_doc, terminal, 0)
    stage = "cutover" if terminal is Status.SUCCESS else "rollback"
    record = store.get(migration_id)
    before = raw_item(aws_mock, migration_id)
    assert store.transition(migration_id, terminal, stage=None) == record
    assert raw_item(aws_mock, migration_id) == before
    with pytest.raises(IllegalTransition):
        store.transition(migration_id, terminal, stage=stage, detail={"changed": True})
    assert raw_item(aws_mock, migration_id) == before


def test_a_note_for_a_status_the_record_left_is_refused(store, migration_id, aws_mock):
    pending = store.get(migration_id)
    store.transition(migration_id, Status.ROLLED_BACK, stage="rollback", detail={})
    before = raw_item(aws_mock, migration_id)
    with pytest.raises(IllegalTransition, match="the record left PENDING for ROLLED_BACK"):
        store.transition(migration_id, Status.PENDING, stage="probe", detail={"n": 1}, based_on=pending)
    assert raw_item(aws_mock, migration_id) == before
