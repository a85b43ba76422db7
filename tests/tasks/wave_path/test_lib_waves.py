"""The wave table: slots as an idempotent string set under a size condition, the decision written once, parking
refused once the wave has decided; and the wave's queue on the status table, oldest first."""

from __future__ import annotations

import json

import pytest

from tasks.lib.errors import IllegalTransition, MigrationNotFound
from tasks.lib.store import StatusStore
from tasks.lib.wave_records import WaveRecords
from tasks.lib.waves import APPROVED, PENDING, REJECTED, WaveTable


def test_slots_are_taken_up_to_the_limit_and_a_holder_never_counts_twice(wave_table):
    waves = WaveTable()
    waves.ensure("7", default_limit=2)
    assert [waves.take_slot("7", m) for m in ("a", "b", "a", "c")] == [True, True, True, False]
    assert waves.get("7").running == ("a", "b") and waves.get("7").free == 0


def test_a_slot_given_back_twice_frees_one_slot(wave_table):
    waves = WaveTable()
    waves.ensure("7", default_limit=2)
    waves.take_slot("7", "a"), waves.take_slot("7", "b")
    waves.give_back("7", "a")
    assert waves.give_back("7", "a").running == ("b",)
    assert waves.take_slot("7", "c") and not waves.take_slot("7", "d")


def test_no_slot_is_taken_in_a_wave_without_a_limit(wave_table):
    assert WaveTable().take_slot("7", "a") is False


def test_a_slot_with_a_default_limit_opens_a_wave_nobody_opened_and_keeps_an_opened_ones_limit(wave_table):
    waves = WaveTable()
    assert waves.take_slot("7", "a", default_limit=1) is True
    assert waves.get("7").max_concurrency == 1 and waves.get("7").running == ("a",)
    waves.open("8", expected=2, limit=1)
    assert [waves.take_slot("8", m, default_limit=9) for m in ("a", "b")] == [True, False]
    assert waves.get("8").max_concurrency == 1


def test_a_slot_in_an_opened_wave_is_one_write(wave_table, aws_mock):
    waves = WaveTable()
    waves.open("7", expected=2, limit=1)
    writes = []
    waves.client.meta.events.register("before-call.dynamodb.UpdateItem", lambda **_: writes.append(1))
    assert [waves.take_slot("7", m, default_limit=9) for m in ("a", "b")] == [True, False]
    assert len(writes) == 2


def test_the_first_limit_stays_unless_the_wave_is_opened_with_another(wave_table):
    waves = WaveTable()
    waves.ensure("7", default_limit=2)
    assert waves.ensure("7", default_limit=9).max_concurrency == 2
    assert waves.open("7", expected=3).max_concurrency == 2
    opened = waves.open(7.0, expected=3, limit=5)
    assert (opened.name, opened.max_concurrency, opened.expected) == ("7", 5, 3)


def test_the_decision_is_made_once(wave_table):
    waves = WaveTable()
    waves.decide("7", APPROVED, "approved by alice")
    assert waves.decide("7", APPROVED, "approved again").reason == "approved by alice"
    with pytest.raises(IllegalTransition, match="already APPROVED .approved by alice.; it cannot become REJECTED"):
        waves.decide("7", REJECTED, "too late")


def test_parking_before_the_decision_is_reported_by_it_and_refused_after_it(wave_table):
    waves = WaveTable()
    assert waves.park("7", "a") == PENDING
    decided = waves.decide("7", REJECTED, "ApprovalRejected: no")
    assert decided.parked == ("a",)
    assert waves.park("7", "b") == REJECTED
    assert waves.get("7").parked == ("a",)


def test_the_queue_is_the_waves_unstarted_pending_records_oldest_first(requested):
    first, second, third = requested(3)
    requested(1, wave="8", first=10)
    records = WaveRecords()
    records.note_started(first["migrationId"], "arn:aws:states:us-east-1:123456789012:execution:SM:x")
    StatusStore().transition(second["migrationId"], "ROLLED_BACK")

    assert [r["migrationId"] for r in records.queued("7", limit=5)] == [third["migrationId"]]
    assert records.queued("7", limit=0) == []


def test_the_queue_keeps_creation_order_past_a_page(requested):
    created = requested(5)
    queued = WaveRecords(page=2).queued("7", limit=4)
    assert [r["migrationId"] for r in queued] == [r["migrationId"] for r in created[:4]]


def test_a_token_is_parked_on_an_existing_record_only(requested):
    [record] = requested(1)
    records = WaveRecords()
    records.park_token(record["migrationId"], "token-1")
    assert records.parked_token(record["migrationId"]) == "token-1"
    assert records.parked_token("nobody") is None
    with pytest.raises(MigrationNotFound, match="no status record for migration 'nobody'"):
        records.park_token("nobody", "token-2")


def test_a_freed_slot_reads_the_queue_in_pages_growing_from_its_limit(requested):
    created = requested(6)
    records = WaveRecords(page=4)
    for record in created[:3]:
        records.note_started(record["migrationId"], "arn:aws:states:us-east-1:123456789012:execution:SM:x")
    limits: list[int] = []
    records.client.meta.events.register("before-call.dynamodb.Query",
                                        lambda params, **_: limits.append(json.loads(params["body"])["Limit"]))
    assert [r["migrationId"] for r in records.queued("7", limit=1)] == [created[3]["migrationId"]]
    assert limits == [1, 2, 4]  # three started records first: pages of 1, 2, then the largest, 4
