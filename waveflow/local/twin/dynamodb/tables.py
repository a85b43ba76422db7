"""A table of the twin's DynamoDB: its keys, its items, and its secondary indexes kept as the items change.

Items are found by key in one dictionary lookup; a partition (of the table or of an index) is a set of keys kept
up to date on every write, and once queried also a list of its keys in sort-key order, kept in order as items come
and go, so a query reads from where its key condition starts to where its page ends (``key_conditions.py``), never
the rest of the partition or the table (a wave's status table holds every migration of the wave; its
``statusIndex`` partitions hold one status each). A scan visits items in the order of their partition key's hash,
as DynamoDB's does, so a page can resume after a key that was deleted.
"""
from __future__ import annotations

import zlib
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterator

from . import values
from .errors import ValidationError
from .values import Value

Key = tuple  # (hash key part, range key part or None)


@dataclass(frozen=True)
class KeySchema:
    hash: str
    range: str | None

    @classmethod
    def read(cls, schema: list[dict], where: str) -> "KeySchema":
        hashes = [part["AttributeName"] for part in schema if part.get("KeyType") == "HASH"]
        ranges = [part["AttributeName"] for part in schema if part.get("KeyType") == "RANGE"]
        if len(hashes) != 1 or len(ranges) > 1 or len(schema) != len(hashes) + len(ranges):
            raise ValidationError(f"1 validation error detected: Value at '{where}' failed to satisfy constraint:"
                                  " the key schema needs one HASH key and at most one RANGE key")
        return cls(hashes[0], ranges[0] if ranges else None)

    @cached_property
    def names(self) -> tuple[str, ...]:
        return (self.hash,) if self.range is None else (self.hash, self.range)

    @cached_property
    def name_set(self) -> frozenset[str]:
        return frozenset(self.names)


@dataclass
class Index:
    """A secondary index: its key, what it projects, and its partitions (index hash part -> table keys)."""

    name: str
    key: KeySchema
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    included: tuple[str, ...]
    is_global: bool
    partitions: dict[Any, dict[Key, None]]

    def holds(self, item: dict[str, Value]) -> bool:
        return item.keys() >= self.key.name_set


def _attribute_size(name: str, item: dict[str, Value], measured: values.Measured) -> int:
    return values.text_size(name) + values.size(item[name], measured) if name in item else 0


class Table:
    """One table's items and indexes; answers key lookups, partitions in key order and scans."""

    def __init__(self, name: str, key: KeySchema, attribute_types: dict[str, str], indexes: list[Index],
                 description: dict[str, Any]) -> None:
        self.name = name
        self.key = key
        self.attribute_types = attribute_types
        self.indexes = {index.name: index for index in indexes}
        self._index_keys = frozenset(name for index in indexes for name in index.key.names)
        self.description = description
        self.items: dict[Key, dict[str, Value]] = {}
        self.sizes: dict[Key, int] = {}
        self.measured = values.Measured()  # the sizes of its items' maps and lists
        self.marshalled = values.Marshalled()  # their marshalled forms, answers are copied from
        self.partitions: dict[Any, dict[Key, None]] = {}
        self._ordered: dict[tuple[str | None, Any], tuple[list[tuple], list[dict[str, Value]]]] = {}  # partitions in key order
        self.time_to_live: str | None = None  # the TTL attribute (kept, not acted on: DynamoDB's deletes are late)
        self.recovery = False  # point-in-time recovery, as described

    # ---- keys ----

    def key_of(self, key: dict[str, Value]) -> Key:
        """The key a request's ``Key`` names (exactly the key attributes, of their types)."""
        if key.keys() != self.key.name_set:
            raise ValidationError("The provided key element does not match the schema")
        for name in self.key.names:
            self._check_key_value(name, key[name], "The provided key element does not match the schema")
        return self._key(key)

    def _key(self, item: dict[str, Value]) -> Key:
        rng = self.key.range
        return (values.key_part(item[self.key.hash]), values.key_part(item[rng]) if rng else None)

    def key_attributes(self, item: dict[str, Value], index: Index | None = None) -> dict[str, Value]:
        names = self.key.names if index is None else tuple(dict.fromkeys(index.key.names + self.key.names))
        return {name: values.copy(item[name]) for name in names}

    def _check_key_value(self, name: str, value: Value, mismatch: str | None = None, index: str | None = None) -> None:
        wanted = self.attribute_types.get(name)
        (kind, content), = value.items()
        if kind != wanted:
            if mismatch:
                raise ValidationError(mismatch)
            if index:
                raise ValidationError(f"One or more parameter values were invalid: Type mismatch for Index Key {name}"
                                      f" Expected: {wanted} Actual: {kind} IndexName: {index}")
            raise ValidationError(f"One or more parameter values were invalid: Type mismatch for key {name}"
                                  f" expected: {wanted} actual: {kind}")
        if kind in ("S", "B") and not content:
            if index:
                raise ValidationError("One or more parameter values are not valid. A value specified for a secondary"
                                      " index key is not supported. The AttributeValue for a key attribute cannot"
                                      f" contain an empty {'string' if kind == 'S' else 'binary'} value. IndexName:"
                                      f" {index}, IndexKey: {name}")
            raise ValidationError("One or more parameter values are not valid. The AttributeValue for a key attribute"
                                  f" cannot contain an empty {'string' if kind == 'S' else 'binary'} value."
                                  f" Key: {name}")

    def check_item(self, item: dict[str, Value], update: bool = False, changed_from: tuple | None = None) -> int:
        """Check ``item`` can be stored (keys, index keys, 400 KB); its size. ``changed_from``: (the stored item,
        its size, the top-level attributes an update changed), to check and measure only what changed (the rest
        was checked when it was stored, and an update cannot change the table's key)."""
        changed = None if changed_from is None else changed_from[2]
        if changed is None:
            for name in self.key.names:
                if name not in item:
                    raise ValidationError("One or more parameter values were invalid: Missing the key"
                                          f" {name} in the item")
                self._check_key_value(name, item[name])
        if changed is None or not changed.isdisjoint(self._index_keys):
            for index in self.indexes.values():
                for name in index.key.names:
                    if name in item and (changed is None or name in changed):
                        self._check_key_value(name, item[name], index=index.name)
        if changed_from is None:
            size = values.item_size(item, self.measured)
        else:
            old, size, names = changed_from
            size += sum(self._changed_size(name, item, old) for name in names)
        if size > values.MAX_ITEM_BYTES:
            raise ValidationError("Item size to update has exceeded the maximum allowed size" if update else
                                  "Item size has exceeded the maximum allowed size")
        return size

    def _changed_size(self, name: str, item: dict[str, Value], old: dict[str, Value]) -> int:
        """How much attribute ``name`` of ``item`` (an update of ``old``) adds to the item's size."""
        before, after = old.get(name), item.get(name)
        if after is before:  # kept (or absent from both)
            return 0
        if after is None:
            return -_attribute_size(name, old, self.measured)
        if before is None:
            return values.text_size(name) + values.size(after, self.measured)
        return values.size_from(after, before, self.measured) - values.size(before, self.measured)

    # ---- reads and writes ----

    def get(self, key: Key) -> dict[str, Value] | None:
        return self.items.get(key)

    def size_of(self, item: dict[str, Value]) -> int:
        return self.sizes[self._key(item)]

    def store(self, item: dict[str, Value], size: int, changed: frozenset[str] | None = None) -> None:
        """Keep ``item`` (checked by ``check_item``) in place of the item with its key (``changed``: the only
        attributes in which it may differ from that item, an update's ``Update.attributes``). Partitions and their
        orders hold keys, not items, so an index moves an item only when the update gave it other values of the
        index's key attributes (a status change moves a record between ``statusIndex`` partitions; the other writes
        to it leave every index as it was)."""
        key = self._key(item)
        old = self.items.get(key)
        self.items[key] = item
        self.sizes[key] = size
        if old is None:
            self.partitions.setdefault(key[0], {})[key] = None
            self._join_order((None, key[0]), key, item, None)
        else:
            self._forget(old, item, changed)
        for index in self.indexes.values():
            if old is not None:
                for name in index.key.names:
                    if old.get(name) is not item.get(name):
                        break
                else:
                    continue  # values are replaced, never changed: the same values stand where they stood
                self._leave_index(index, key, old)
            if index.holds(item):
                part = values.key_part(item[index.key.hash])
                index.partitions.setdefault(part, {})[key] = None
                self._join_order((index.name, part), key, item, index)

    def remove(self, key: Key) -> dict[str, Value] | None:
        old = self.items.pop(key, None)
        if old is not None:
            del self.sizes[key]
            self._leave_order((None, key[0]), key, old, None)
            partition = self.partitions[key[0]]
            del partition[key]
            if not partition:
                del self.partitions[key[0]]
            for index in self.indexes.values():
                self._leave_index(index, key, old)
            self._forget(old, {})
        return old

    def _forget(self, old: dict[str, Value], new: dict[str, Value], changed: frozenset[str] | None = None) -> None:
        """Forget the sizes and marshalled forms of ``old``'s attributes that ``new`` does not share (of
        ``changed`` alone, when given): nothing reads them again, and each held its value (old versions of a
        growing history) in memory. Forgetting is always safe: what is forgotten is worked out again if needed.
        Strings and numbers, most of what an update replaces, are never remembered."""
        for name in old if changed is None else changed:
            value = old.get(name)
            if value is not None and new.get(name) is not value and "S" not in value and "N" not in value:
                self.measured.forget(value)
                self.marshalled.forget(value)

    def _leave_index(self, index: Index, key: Key, item: dict[str, Value]) -> None:
        if index.holds(item):
            part = values.key_part(item[index.key.hash])
            self._leave_order((index.name, part), key, item, index)
            members = index.partitions[part]
            del members[key]
            if not members:
                del index.partitions[part]

    # ---- orders ----

    def _join_order(self, cached: tuple, key: Key, item: dict[str, Value], index: Index | None) -> None:
        """Put ``key`` in its partition's kept order, if one is kept: a wave's queue changes with every start and
        is read after each, and placing one key by bisection is cheaper than sorting the partition again. The
        lists change in place (copying them made every write to a wave's record cost more with every server of
        the wave): their one reader, a Query, reads them within its request, and requests are served one at a time."""
        found = self._ordered.get(cached)
        if found is not None:
            positions, keys = found
            position = self.sort_key(item, index)
            place = bisect_left(positions, position)
            positions.insert(place, position)
            keys.insert(place, key)

    def _leave_order(self, cached: tuple, key: Key, item: dict[str, Value], index: Index | None) -> None:
        """Take ``key`` (of ``item``) out of its partition's kept order, if one is kept (or forget the order, should
        the key not stand where its sort key says)."""
        found = self._ordered.get(cached)
        if found is not None:
            positions, keys = found
            place = bisect_left(positions, self.sort_key(item, index))
            if place < len(keys) and keys[place] == key:
                del positions[place], keys[place]
            else:
                del self._ordered[cached]

    def sort_key(self, item: dict[str, Value], index: Index | None) -> tuple:
        """Where ``item`` stands in its partition (an index's ties broken by the table's key)."""
        table_range = self.key.range
        own = (values.order(item[table_range]) if table_range else None,)
        if index is None:
            return own
        index_range = index.key.range
        return (values.order(item[index_range]) if index_range else None, values.order(item[self.key.hash])) + own

    def partition(self, hash_value: Value, index: Index | None) -> tuple[list[tuple], list[Key]]:
        """One partition of the table or ``index`` in sort-key order: its items' sort keys and table keys (kept, and
        kept in order as items come and go: to be read within the request, never changed by the reader). A query
        finds where it starts and ends by bisection and reads only the items between."""
        part = values.key_part(hash_value)
        cached = (None if index is None else index.name, part)
        found = self._ordered.get(cached)
        if found is None:
            members = (self.partitions if index is None else index.partitions).get(part, {})
            ordered = sorted((self.sort_key(self.items[key], index), key) for key in members)
            found = self._ordered[cached] = ([pair[0] for pair in ordered], [pair[1] for pair in ordered])
        return found

    def scan_order(self, index: Index | None) -> tuple[list[tuple], list[Key]]:
        """Every item of the table or ``index`` ordered by partition-key hash, then within the partition: the items'
        scan positions and table keys."""
        chosen: Iterator = iter(self.items.items()) if index is None else (
            (key, item) for key, item in self.items.items() if index.holds(item))
        ordered = sorted((self.scan_position(item, index), key) for key, item in chosen)
        return [pair[0] for pair in ordered], [pair[1] for pair in ordered]

    def scan_position(self, item: dict[str, Value], index: Index | None) -> tuple:
        hash_name = self.key.hash if index is None else index.key.hash
        part = item[hash_name]
        return (zlib.crc32(repr(values.key_part(part)).encode()), values.order(part)) + self.sort_key(item, index)
