"""moto's TransactWriteItems, rolled back from copies of the items it touches instead of copies of whole tables.

Before each transaction moto deep-copies every table the transaction names, to restore them if it fails: ingress
writes each request in a transaction of two items, so a wave of N requests copies ~N² items (a 1,000-server wave,
two million records of ~200 nodes each). Only the items a transaction names can change (a Put replaces one, an
Update changes one in place, a Delete removes one, a ConditionCheck reads one), so this keeps, per table, the
mapping of keys to items (a shallow copy: the items themselves are shared) with deep copies of the named items in
place of theirs, and restores that mapping if moto's transaction fails. A table with a stream (whose records a
rollback would also undo) or a transaction whose keys cannot be read goes through moto's own copies.
"""
from __future__ import annotations

import copy
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

_MISSING = object()


def _table_itself(table: Table, memo: dict[int, Any]) -> Table:
    """``copy.deepcopy`` of a table while :func:`transact_write_items` keeps its items itself: the table."""
    return table


def _snapshot(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Per table named, the key-to-item mapping with the named items deep-copied; None when moto must copy."""
    named: dict[str, list[tuple[DynamoType, DynamoType | None]]] = {}
    try:
        for entry in transact_items:
            kind, operation = next(iter(entry.items()))
            name = operation.get("TableName")
            if name not in backend.tables:
                continue
            table = backend.tables[name]
            if table.stream_shard is not None:
                return None
            key = operation["Item"] if kind == "Put" else operation["Key"]
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            named.setdefault(name, []).append((DynamoType(key[table.hash_key_attr]), range_key))
    except (KeyError, TypeError, AttributeError, StopIteration, IndexError):
        return None
    kept = {}
    for name, keys in named.items():
        table = backend.tables[name]
        items = copy.copy(table.items)
        if table.range_key_attr:
            for hash_key in items:
                items[hash_key] = dict(items[hash_key])
        for hash_key, range_key in keys:
            if range_key is None:
                if hash_key in items:
                    items[hash_key] = copy.deepcopy(items[hash_key])
            elif hash_key in items and range_key in items[hash_key]:
                items[hash_key][range_key] = copy.deepcopy(items[hash_key][range_key])
        kept[name] = (table, items)
    return kept


def transact_write_items(original):
    """``DynamoDBBackend.transact_write_items`` restoring only what it kept (see the module's docstring)."""
    def fast_transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        kept = _snapshot(self, transact_items) if len(transact_items) <= 100 else None
        if kept is None:
            return original(self, transact_items)
        saved = Table.__dict__.get("__deepcopy__", _MISSING)
        Table.__deepcopy__ = _table_itself
        try:
            return original(self, transact_items)
        except BaseException:
            for name, (table, items) in kept.items():
                table.items = items
                self.tables[name] = table
            raise
        finally:
            if saved is _MISSING:
                del Table.__deepcopy__
            else:
                Table.__deepcopy__ = saved
    return fast_transact_write_items


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's methods this module replaces."""
    return [(DynamoDBBackend, "transact_write_items", transact_write_items(DynamoDBBackend.transact_write_items))]
