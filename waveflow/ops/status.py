"""``waveflow status``: the migrations of a wave, an application, or one migration, from the status table."""
from __future__ import annotations

from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer

from .stack import OpsError, Stack

#: Which index answers which question (the GSIs of tasks/lib/schemas/tables.json).
INDEXES = {"wave": ("waveIndex", "wave"), "app": ("appNameIndex", "appName")}


def migrations(stack: Stack, *, wave: str | None = None, app: str | None = None,
               migration: str | None = None) -> list[dict]:
    """One row per migration: id, wave, app, status, stage, updatedAt, lastError (exactly one selector given).

    >>> migrations(connect("waveflow-dev"), wave="7")  # doctest: +SKIP
    [{'migrationId': 's-0123...-7', 'status': 'MIGRATION_IN_PROGRESS', 'stage': 'replication', ...}]
    """
    chosen = {k: v for k, v in {"wave": wave, "app": app, "migration": migration}.items() if v is not None}
    if len(chosen) != 1:
        raise OpsError("name exactly one of --wave, --app, --migration")
    dynamodb, table = stack.client("dynamodb"), stack.output("StatusTableName")
    (selector, value), = chosen.items()
    if selector == "migration":
        item = dynamodb.get_item(TableName=table, Key={"migrationId": {"S": value}}, ConsistentRead=True).get("Item")
        if item is None:
            raise OpsError(f"no migration {value!r} in {stack.name}'s status table")
        items = [item]
    else:
        index, attribute = INDEXES[selector]
        pages = dynamodb.get_paginator("query").paginate(
            TableName=table, IndexName=index, KeyConditionExpression="#k = :v",
            ExpressionAttributeNames={"#k": attribute}, ExpressionAttributeValues={":v": {"S": str(value)}})
        items = [item for page in pages for item in page.get("Items", [])]
    return [row(_plain(item)) for item in items]


def row(record: dict) -> dict:
    """What an operator asks of a record: where it is and, if it failed, why."""
    history = record.get("history") or []
    stage = next((h.get("stage") for h in reversed(history) if h.get("stage")), "ingress")
    return {"migrationId": record.get("migrationId"), "wave": record.get("wave"), "appName": record.get("appName"),
            "status": record.get("status"), "stage": stage, "updatedAt": record.get("updatedAt"),
            "lastError": last_error(record)}


def last_error(record: dict) -> str | None:
    details = record.get("executionDetails") or {}
    error = details.get("error") or (details.get("rollback") or {}).get("error")
    if not error:
        return None
    if isinstance(error, dict):
        return f"{error.get('Error', 'Error')}: {str(error.get('Cause', ''))[:200]}".rstrip(": ")
    return str(error)[:200]


def _plain(item: dict) -> dict:
    deserialize = TypeDeserializer().deserialize
    return _numbers({key: deserialize(value) for key, value in item.items()})


def _numbers(value):
    """DynamoDB numbers come back as Decimal; show integers as integers."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, (list, set)):
        return [_numbers(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
