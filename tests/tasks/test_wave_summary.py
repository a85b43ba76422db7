import pytest

from tasks import wave_summary
from tasks.lib.errors import InvalidMigrationDocument
from tasks.lib.request import normalise_request
from tasks.lib.status import Status
from tasks.lib.store import StatusStore


def _server(valid_request, n: int, wave: str) -> dict:
    request = dict(valid_request, sourceServerId=f"s-{n:017x}", wave=wave)
    request.pop("migrationId", None)
    return normalise_request(request)


def test_wave_is_counted_from_the_status_table(status_table, valid_request, lambda_context):
    store = StatusStore()
    ids = []
    for n in range(4):
        record, _ = store.create(_server(valid_request, n, "7"))
        ids.append(record["migrationId"])
    store.create(_server(valid_request, 99, "8"))
    for status in (Status.VALIDATED, Status.SOURCE_PREPARED, Status.MIGRATION_IN_PROGRESS, Status.VERIFIED,
                   Status.COMPLETED, Status.SUCCESS):
        store.transition(ids[0], status)
    store.transition(ids[1], Status.ROLLED_BACK)
    store.transition(ids[1], Status.FAILED)
    store.transition(ids[2], Status.ROLLED_BACK)

    out = wave_summary.handler({"wave": "7", "manifest": {"bucket": "b", "key": "k"}}, lambda_context)

    assert out["manifest"] == {"bucket": "b", "key": "k"}
    assert out["summary"] == {"total": 4, "succeeded": 1, "failed": 2, "unfinished": 1,
                              "byStatus": {"FAILED": 1, "PENDING": 1, "ROLLED_BACK": 1, "SUCCESS": 1}}


def test_a_document_without_a_wave_is_refused_by_name(status_table, lambda_context):
    with pytest.raises(InvalidMigrationDocument, match="'wave' field"):
        wave_summary.handler({"servers": []}, lambda_context)
