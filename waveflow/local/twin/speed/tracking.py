"""moto's DynamoDB items, no longer kept for ever after their last use.

moto appends every instance of its models to the class's ``instances_tracked`` list (for the dashboard of moto's
server, which a twin never runs) and empties it only on reset. For a DynamoDB ``Item`` that means every item ever
made — each write's, and each copy and projection moto makes while answering a read or an update — stays in memory
with its whole tree of attribute values until the run ends: ~10 MiB per migrated server, 10 GB for a 1,000-server
wave. The other models keep a few instances per server and stay tracked.
"""
from __future__ import annotations

from typing import Any

from moto.dynamodb.models.dynamo_type import Item


class KeptNone(list):
    """A list that keeps nothing appended to it."""

    def append(self, instance: Any) -> None:
        del instance


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's attributes this module replaces."""
    return [(Item, "instances_tracked", KeptNone())]
