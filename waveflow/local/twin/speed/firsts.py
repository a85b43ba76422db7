"""The first place of each key in a list moto only appends to, found by one walk of the list rather than one a lookup.

moto finds an account's SSM command by its ID, and the record set an UPSERT replaces by its name, type and set
identifier, by walking the list that holds them from the start; both lists grow by one or two a migrated server.
moto only appends to them (a DELETE in Route 53 makes a new list), so the first place of a key stays true while the
list is the one indexed, and a key the index lacks only needs the items appended since. ``ssm`` and ``route53`` use it.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class FirstPlaces:
    """``key(item)`` -> the place of the first item with that key, in one list that only grows at its end."""

    def __init__(self, items: list, key: Callable[[Any], Hashable]) -> None:
        self.items = items
        self.key = key
        self.first: dict[Hashable, int] = {}
        self.counted = 0

    def find(self, wanted: Hashable) -> int | None:
        """The place of the first item whose key is ``wanted``, or None."""
        if wanted not in self.first:
            for place in range(self.counted, len(self.items)):  # appended since last looked
                self.first.setdefault(self.key(self.items[place]), place)
            self.counted = len(self.items)
        return self.first.get(wanted)
