"""moto's DynamoDB item sizes, measured in one visit per node and kept on the item until it next changes.

moto measures items to enforce DynamoDB's limits: every write measures the whole item once per attribute
(``LimitedSizeDict``), every query and scan measures each item it returns twice (the 1 MB page). Its
``DynamoType.size`` re-wraps each map value in a new ``DynamoType`` (which re-wraps that value's whole subtree)
before measuring it, so a node is rebuilt once per map above it. ``size`` gives the same figure from one visit per
node. An item's size is kept on the item: moto replaces a stored item on every write but UpdateItem, which
changes it in place, so after each UpdateItem (done or refused) the updated item's size is forgotten. A wave's
watcher reads every record of the wave on each pass; with the sizes kept, a pass measures only what changed.
"""
from __future__ import annotations

from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.utilities import bytesize

_SETS = frozenset(("SS", "NS", "BS"))
_KEPT = "_waveflow_size"


def size(node: DynamoType) -> int:
    """``DynamoType.size``: the value's size as moto counts it."""
    kind, value = node.type, node.value
    if kind == "N":
        return len(str(value))
    if kind in _SETS:
        if kind == "NS":
            return sum(len(str(element)) for element in value)
        return sum(1 if isinstance(element, bool) else bytesize(element) for element in value)
    if kind == "L":
        return sum(size(element) if type(element) is DynamoType else element.size() for element in value)
    if kind == "M":
        return sum(bytesize(name) + (size(element) if type(element) is DynamoType else DynamoType(element).size())
                   for name, element in value.items())
    if isinstance(value, bool):
        return 1
    return bytesize(value)


def item_size(item: Item) -> int:
    """``Item.size``, kept on the item."""
    kept = item.__dict__.get(_KEPT)
    if kept is None:
        kept = item.__dict__[_KEPT] = sum(bytesize(name) + size(node) for name, node in item.attrs.items())
    return kept


def update_item(original):
    """``DynamoDBBackend.update_item``, forgetting the size of the item it updated (or may have begun to)."""
    def sized_update_item(self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any):
        try:
            return original(self, table_name, key, *args, **kwargs)
        finally:
            _forget(self, table_name, key)
    return sized_update_item


def _forget(backend: DynamoDBBackend, table_name: str, key: dict[str, Any]) -> None:
    """Forget the kept size of the item at ``key``; of every item of the table if the key cannot be read (looked
    up with ``dict.get``: moto's ``get_item`` would add an empty bucket for a missing hash key)."""
    table = backend.tables.get(table_name)
    if table is None:
        return
    try:
        found = table.items.get(DynamoType(key[table.hash_key_attr]))
        if table.range_key_attr:
            found = (found or {}).get(DynamoType(key[table.range_key_attr]))
        items = [found] if found is not None else []
    except (KeyError, TypeError, AttributeError, IndexError):
        items = table.all_items()
    for item in items:
        item.__dict__.pop(_KEPT, None)


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's methods this module replaces."""
    return [(DynamoType, "size", size), (Item, "size", item_size),
            (DynamoDBBackend, "update_item", update_item(DynamoDBBackend.update_item))]
