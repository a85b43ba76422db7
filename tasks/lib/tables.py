"""The DynamoDB table shapes, read from ``schemas/tables.json``.

That file is the one definition of the status, idempotency and wave tables: the CloudFormation template renders its
properties as they are, and the tests and the local twin create their tables from it through
:func:`create_table`, so the key, GSIs and TTL used locally are the ones deployed.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

STATUS_TABLE = "StatusTable"
IDEMPOTENCY_TABLE = "IdempotencyTable"
WAVE_TABLE = "WaveTable"


@functools.cache
def _definitions() -> dict[str, dict[str, Any]]:
    return json.loads(resources.files("tasks.lib").joinpath("schemas/tables.json").read_text(encoding="utf-8"))


def table_properties(logical_name: str) -> dict[str, Any]:
    """The CloudFormation ``AWS::DynamoDB::Table`` properties (without ``TableName``) of ``logical_name``.

    >>> table_properties("StatusTable")["KeySchema"]
    [{'AttributeName': 'migrationId', 'KeyType': 'HASH'}]
    """
    definitions = _definitions()
    if logical_name not in definitions:
        raise KeyError(f"no table {logical_name!r} in tasks/lib/schemas/tables.json; known: {sorted(definitions)}")
    return copy.deepcopy(definitions[logical_name])


def create_table(client: Any, logical_name: str, table_name: str) -> None:
    """Create ``table_name`` with the shape of ``logical_name`` through a DynamoDB ``client``, TTL included.

    CreateTable takes everything but the TTL, which is a second call (UpdateTimeToLive).
    """
    properties = table_properties(logical_name)
    ttl = properties.pop("TimeToLiveSpecification", None)
    client.create_table(TableName=table_name, **properties)
    if ttl:
        client.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)
