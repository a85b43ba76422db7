"""moto's Route 53: a zone's record sets kept in DNS order between changes, and a page found by bisection.

To list a page of record sets (ListResourceRecordSets, and CREATE changes checking for a record already there),
moto sorts every record set of the zone by its reversed name, reversing each name again for every comparison with
the start, and copies all that follow. A wave's zone holds a record per migrated server, so each of the DNS stage's
lookups cost more than the one before.

Here a zone's order is kept until its list of record sets changes: moto appends, replaces in place and rebuilds
the list, so the order is keyed by the identities of the record sets in the list (the kept order holds every one
of them, so none of those identities can be reused by a new record set while it is kept); the page starts where
bisection puts the start name and type, which is where moto's ``dropwhile`` ends. Record sets appended since the
order was made (a CREATE: one per migrated server) are placed in it by bisection, after those of the same name
and type as moto's stable sort leaves them; any other change sorts the zone again.

An UPSERT (one per cut-over server) replaces the first record set of its name, type and set identifier in place,
after moto looked for it through the whole zone; the next lookup then found the zone changed and sorted it again.
Here the zone's first place of each (name, type, set identifier) is kept as its list is (places of record sets
appended since are added when next looked for; a rebuilt list, as a DELETE makes, is indexed afresh), and the
replacement takes the replaced record set's place in the kept order too: the same name and type, the same place in
the list, so where moto's stable sort puts it is unchanged.

Each CREATE is also looked for in the zone's journal of every change made to it (``ChangeList``, one entry per
change, compared entry by entry): here the journal keeps a count of its entries by value, so a lookup is one
hash. moto only appends to the journal; entries appended some other way are counted when next looked for.
"""
from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Any

from moto.route53.models import ChangeList, FakeZone, RecordSet, reverse_domain_name

from .firsts import FirstPlaces

#: names reversed once each ("www.example.com." -> "com.example.www"), as moto orders and compares them
_reversed = lru_cache(maxsize=65536)(reverse_domain_name)


class _Order:
    """One zone's record sets in moto's order, with their sort keys, for one list of record sets."""

    def __init__(self, record_sets: list[RecordSet]) -> None:
        self.identities = tuple(map(id, record_sets))
        keyed = sorted((_sort_key(record_set), place, record_set) for place, record_set in enumerate(record_sets))
        self.keys = [key for key, _, _ in keyed]
        self.record_sets = [record_set for _, _, record_set in keyed]

    def follow(self, record_sets: list[RecordSet], identities: tuple[int, ...]) -> bool:
        """Take in the record sets appended to the ones this order holds, if that is the only change."""
        held = len(self.identities)
        if identities[:held] != self.identities:
            return False
        for record_set in record_sets[held:]:
            key = _sort_key(record_set)
            place = bisect_right(self.keys, key)
            self.keys.insert(place, key)
            self.record_sets.insert(place, record_set)
        self.identities = identities
        return True

    def replace(self, place: int, old: RecordSet, new: RecordSet) -> None:
        """Put ``new`` where ``old`` (of the same name and type, at ``place`` in the zone's list) stands."""
        at = bisect_left(self.keys, _sort_key(old))
        while self.record_sets[at] is not old:
            at += 1
        self.record_sets[at] = new
        self.identities = self.identities[:place] + (id(new),) + self.identities[place + 1:]


def _sort_key(record_set: RecordSet) -> tuple[str, str]:
    return _reversed(record_set.name), record_set.type


_ORDERS: weakref.WeakKeyDictionary[FakeZone, _Order] = weakref.WeakKeyDictionary()


def get_record_sets(self: FakeZone, start_type: str, start_name: str) -> list[RecordSet]:
    """``FakeZone.get_record_sets``: the zone's record sets in DNS order, from ``start_name``/``start_type`` on."""
    order, identities = _ORDERS.get(self), tuple(map(id, self.rrsets))
    if order is None or (order.identities != identities and not order.follow(self.rrsets, identities)):
        order = _ORDERS[self] = _Order(self.rrsets)
    if not start_name:
        return list(order.record_sets)
    return order.record_sets[bisect_left(order.keys, (_reversed(start_name), start_type or "")):]


def _identity(record_set: RecordSet) -> tuple:
    return record_set.name, record_set.type, record_set.set_identifier


_PLACES: weakref.WeakKeyDictionary[FakeZone, FirstPlaces] = weakref.WeakKeyDictionary()


def upsert_rrset(self: FakeZone, record_set: dict[str, Any]) -> RecordSet:
    """``FakeZone.upsert_rrset``: the first record set of the same name, type and set identifier replaced in place
    (found in the zone's kept places, not by walking the zone), else the new one appended."""
    new = RecordSet(record_set)
    places = _PLACES.get(self)
    if places is None or places.items is not self.rrsets or places.counted > len(self.rrsets):
        places = _PLACES[self] = FirstPlaces(self.rrsets, key=_identity)
    wanted = _identity(new)
    place = places.find(wanted)
    if place is not None and _identity(self.rrsets[place]) != wanted:  # replaced by other hands: moto's walk
        place = next((at for at, old in enumerate(self.rrsets) if _identity(old) == wanted), None)
        del _PLACES[self]
    if place is None:
        self.rrsets.append(new)
        return new
    old, self.rrsets[place] = self.rrsets[place], new
    order = _ORDERS.get(self)
    if order is not None and place < len(order.identities) and order.identities[place] == id(old):
        order.replace(place, old, new)
    return new


_CONTAINS = ChangeList.__contains__


class _Seen:
    """A journal's entries as values (``_value``), and how many of its entries they are."""

    def __init__(self) -> None:
        self.values: set = set()
        self.counted = 0


def _value(entry: Any) -> Any:
    """``entry`` as a hashable value equal to another's exactly when the entries are equal (maps as sets of pairs)."""
    if type(entry) is dict:
        return frozenset((key, _value(item)) for key, item in entry.items())
    if type(entry) is list:
        return tuple(map(_value, entry))
    return entry


def contains(self: ChangeList, item: Any) -> bool:
    """``ChangeList.__contains__``: whether the journal holds a change equal to ``item`` (its name without the
    trailing dot, as moto compares it)."""
    if type(item) is not dict or type(item.get("ResourceRecordSet")) is not dict:
        return _CONTAINS(self, item)
    item["ResourceRecordSet"]["Name"] = item["ResourceRecordSet"]["Name"].strip(".")
    seen = self.__dict__.get("_waveflow_seen")
    if seen is None or seen.counted > len(self):  # new, or the journal lost entries: seen afresh
        seen = self.__dict__["_waveflow_seen"] = _Seen()
    try:
        for entry in self[seen.counted:]:
            seen.values.add(_value(entry))
            seen.counted += 1
        return _value(item) in seen.values
    except TypeError:  # a value that cannot be hashed: compared entry by entry, as moto does
        return _CONTAINS(self, item)


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(FakeZone, "get_record_sets", get_record_sets), (FakeZone, "upsert_rrset", upsert_rrset),
            (ChangeList, "__contains__", contains)]
