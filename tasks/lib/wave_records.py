"""What the wave path keeps on status records beside the stages' transitions, and the wave's queue.

* ``executionArn``: the ServerMigration execution started for the migration (DESIGN.md's record field); a
  PENDING record without one is *queued*, waiting for a slot of its wave;
* ``waveGate``: ``{"taskToken", "parkedAt"}``, the token of a migration waiting at AwaitWaveCutover, answered
  when the wave decides.

Both are written with their own UpdateItem on attributes the status store never writes, and neither moves the
status, ``version`` or ``updatedAt``: they cannot race with a stage's conditional transition, and a queued
record keeps its place in ``statusIndex`` (status, updatedAt), which is what makes "oldest first" one query.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tasks.lib import aws
from tasks.lib.awserrors import error_code, transient_as_throttled
from tasks.lib.config import load_config
from tasks.lib.dynamo import from_item, to_attribute
from tasks.lib.errors import MigrationNotFound
from tasks.lib.request import wave_text
from tasks.lib.status import Status

QUEUE_PAGE = 100  # the most records read per page of the queue query; the filter keeps the wave's unstarted ones


class WaveRecords:
    """The wave path's reads and writes on the status table (``WAVEFLOW_STATUS_TABLE``).

    >>> WaveRecords().queued("7", limit=2)  # doctest: +SKIP
    [{'migrationId': 's-...-7', 'status': 'PENDING', ...}, {...}]
    """

    def __init__(self, table_name: str | None = None, client: Any = None, page: int = QUEUE_PAGE) -> None:
        self.table_name = table_name or load_config().status_table
        self.client = client or aws.client("dynamodb")
        self.page = page

    def note_started(self, migration_id: str, execution_arn: str) -> None:
        """Record the execution that migrates ``migration_id``; the record leaves the wave's queue."""
        self._set(migration_id, "executionArn = :arn, startedAt = if_not_exists(startedAt, :now)",
                  {":arn": execution_arn, ":now": aws.iso_now()})

    def park_token(self, migration_id: str, token: str) -> None:
        """Keep ``token`` on the record until the wave decides (a retried gate replaces its old token)."""
        self._set(migration_id, "waveGate = :gate", {":gate": {"taskToken": token, "parkedAt": aws.iso_now()}})

    def parked_token(self, migration_id: str) -> str | None:
        """The token parked on the record (strongly consistent read), ``None`` if there is none."""
        with transient_as_throttled(f"DynamoDB GetItem on {self.table_name}"):
            item = self.client.get_item(
                TableName=self.table_name, Key={"migrationId": {"S": migration_id}}, ConsistentRead=True,
                ProjectionExpression="waveGate",
            ).get("Item")
        return (from_item(item).get("waveGate") or {}).get("taskToken") if item else None

    def queued(self, wave: str | int | float, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` queued records of ``wave`` (PENDING, no execution yet), oldest first.

        Reads ``statusIndex`` (PENDING records only, by ``updatedAt``, which a PENDING record keeps from its
        creation), page by page, and stops as soon as ``limit`` are found. The first page is ``limit`` records long
        and each next one twice the last, up to ``page``: a freed slot (``limit`` 1, the common case) reads one or
        two records, not a page of a hundred whole records (their read capacity is billed before the filter);
        the records the filter drops (another wave's, started ones still PENDING) cost a few more pages at most.
        """
        if limit <= 0:
            return []
        found: list[dict[str, Any]] = []
        request = {
            "TableName": self.table_name,
            "IndexName": "statusIndex",
            "KeyConditionExpression": "#status = :pending",
            "FilterExpression": "#wave = :wave AND attribute_not_exists(executionArn)",
            "ExpressionAttributeNames": {"#status": "status", "#wave": "wave"},
            "ExpressionAttributeValues": {":pending": to_attribute(Status.PENDING.value),
                                          ":wave": to_attribute(wave_text(wave))},
            "Limit": min(self.page, limit),
        }
        while len(found) < limit:
            with transient_as_throttled(f"DynamoDB Query on {self.table_name}/statusIndex"):
                page = self.client.query(**request)
            found.extend(from_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            request["Limit"] = min(self.page, 2 * request["Limit"])
        return found[:limit]

    def _set(self, migration_id: str, assignments: str, values: dict[str, Any]) -> None:
        try:
            with transient_as_throttled(f"DynamoDB UpdateItem on {self.table_name}"):
                self.client.update_item(
                    TableName=self.table_name,
                    Key={"migrationId": {"S": migration_id}},
                    UpdateExpression="SET " + assignments,
                    ConditionExpression="attribute_exists(migrationId)",
                    ExpressionAttributeValues={key: to_attribute(value) for key, value in values.items()},
                )
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            raise MigrationNotFound(f"no status record for migration {migration_id!r} in {self.table_name}") from exc
