"""moto's EC2: an instance found by its ID, and an EC2 resource's tags by its own, without walking the account.

To find the instances a request names (DescribeInstances and DescribeInstanceStatus with ``InstanceIds``,
TerminateInstances, the volume attached at each launch...), moto copies every reservation of the account and looks
through them; to list one resource's tags it matches a pattern against every tag of the account. A wave's estate
grows by two instances per migrated server, so each of these calls costs more with every server before it.

Here an index of instance ID -> (reservation's place, reservation, instance) answers instead. moto only ever adds
reservations, and instances to them (an instance stays in its reservation once terminated), until the account is
reset; so an entry stays true while the account's dict of reservations is the one indexed, and an ID the index lacks
(an instance launched since) only needs the reservations added since indexed. A tag lookup by an ID without wildcards
reads that ID's tags directly: moto's pattern for such an ID matches that ID alone. DescribeInstances filtered by
``instance-id`` (how the tasks ask whether an instance is still there) copies and filters every reservation of the
account too; an instance passes that filter only when its ID is one of the values, so here only the reservations
holding those instances are copied and filtered, in the account's order.

Each launch also tags its root volume after finding it by ID among every volume of the account (one more per
launch), and checks its instance type against the region's offerings one by one (~1,400 in us-east-1; ``m5.large``
is the 532nd) through a matcher that builds a closure and a generator per offering. Here a single volume ID is
looked up (moto's order and error, which names the set of requested IDs, unchanged; several IDs take moto's walk);
an instance type the region offers under that very name passes at a look-up in the set of the region's types (moto
passes a type when an offering's type lies within it, as a substring: the type itself always does); any other type
takes moto's walk, in which an offering is matched by a plain loop with moto's rules.
"""
from __future__ import annotations

import copy
import weakref
from functools import partial
from itertools import islice
from typing import Any

from moto.ec2.exceptions import InvalidInstanceIdError, InvalidVolumeIdError
from moto.ec2.models.core import TaggedEC2Resource
from moto.ec2.models.elastic_block_store import EBSBackend, Volume
from moto.ec2.models.instance_types import INSTANCE_TYPE_OFFERINGS, InstanceTypeOfferingBackend
from moto.ec2.models.instances import Instance, InstanceBackend, Reservation
from moto.ec2.utils import (EC2_PREFIX_TO_RESOURCE, filter_dict_attribute_mapping, filter_reservations,
                            generic_filter, get_prefix, is_tag_filter)

from .memo import Memo

Entry = tuple[int, Reservation, Instance]
_WILDCARDS = frozenset("*?[\\")


class _Index:
    """Instance ID -> (reservation's place, reservation, instance) over one account's dict of reservations."""

    def __init__(self, reservations: dict[str, Reservation]) -> None:
        self.reservations = reservations
        self.entries: dict[str, Entry] = {}
        self.indexed = 0

    def find(self, instance_id: str) -> Entry | None:
        entry = self.entries.get(instance_id)
        if entry is None:
            self._catch_up()
            entry = self.entries.get(instance_id)
        return entry

    def _catch_up(self) -> None:
        """Index the reservations added since the last look, and the last one looked at again: moto adds a
        reservation before it launches its instances one by one, and looks each one up as it launches it."""
        start = max(self.indexed - 1, 0)
        # read from the end: a dict's values are reached from its start one by one, from its end at once
        newest = list(islice(reversed(self.reservations.values()), len(self.reservations) - start))
        for place, reservation in enumerate(reversed(newest), start):
            for instance in reservation.instances:
                self.entries[instance.id] = (place, reservation, instance)
        self.indexed = len(self.reservations)


_INDEXES: weakref.WeakKeyDictionary[InstanceBackend, _Index] = weakref.WeakKeyDictionary()


def _entry(backend: InstanceBackend, instance_id: str) -> Entry | None:
    """Where ``instance_id`` is in ``backend``'s reservations, or None when it is not there. A reset account has
    a new dict of reservations, and a new index."""
    index = _INDEXES.get(backend)
    if index is None or index.reservations is not backend.reservations:
        index = _INDEXES[backend] = _Index(backend.reservations)
    return index.find(instance_id)


def get_instance(self: InstanceBackend, instance_id: str) -> Instance:
    """``InstanceBackend.get_instance``: the instance, or InvalidInstanceID.NotFound."""
    entry = _entry(self, instance_id)
    if entry is None:
        raise InvalidInstanceIdError(instance_id)
    return entry[2]


def get_instance_by_id(self: InstanceBackend, instance_id: str) -> Instance | None:
    """``InstanceBackend.get_instance_by_id``: the instance, or None."""
    entry = _entry(self, instance_id)
    return entry[2] if entry is not None else None


def get_multi_instances_by_id(self: InstanceBackend, instance_ids: list[str], filters: Any = None) -> list[Instance]:
    """``InstanceBackend.get_multi_instances_by_id``: the named instances that pass ``filters``, in the order named;
    InvalidInstanceID.NotFound listing every unknown ID."""
    entries = [(instance_id, _entry(self, instance_id)) for instance_id in instance_ids]
    missing = [instance_id for instance_id, entry in entries if entry is None]
    if missing:
        raise InvalidInstanceIdError(missing)
    return [entry[2] for _, entry in entries if entry[2].applies(filters)]


def get_reservations_by_instance_ids(self: InstanceBackend, instance_ids: list[str],
                                     filters: Any = None) -> list[Reservation]:
    """``InstanceBackend.get_reservations_by_instance_ids``: a copy of each reservation holding a named instance, in
    the account's order, holding only the named instances; InvalidInstanceID.NotFound for an unknown ID."""
    entries = [_entry(self, instance_id) for instance_id in instance_ids]
    holding = {entry[0]: entry[1] for entry in entries if entry is not None}
    reservations = []
    for _, reservation in sorted(holding.items()):
        found = copy.copy(reservation)
        found.instances = [instance for instance in reservation.instances if instance.id in instance_ids]
        reservations.append(found)
    found_ids = [instance.id for reservation in reservations for instance in reservation.instances]
    if len(found_ids) != len(instance_ids):
        raise InvalidInstanceIdError(list(set(instance_ids).difference(set(found_ids)))[0])
    if filters is not None:
        reservations = filter_reservations(reservations, filters)
    return reservations


_DESCRIBE_INSTANCES = InstanceBackend.describe_instances


def describe_instances(self: InstanceBackend, filters: Any = None) -> list[Reservation]:
    """``InstanceBackend.describe_instances``: with an ``instance-id`` filter (and only filters moto knows, so none
    raises), the reservations holding those instances copied and filtered as moto filters them all; else moto's."""
    named = filters.get("instance-id") if type(filters) is dict else None
    if type(named) is not list or any(name not in filter_dict_attribute_mapping and not is_tag_filter(name)
                                      for name in filters):
        return _DESCRIBE_INSTANCES(self, filters)
    holding = {entry[0]: entry[1] for entry in map(partial(_entry, self), named) if entry is not None}
    return filter_reservations([copy.copy(reservation) for _, reservation in sorted(holding.items())], filters)


def get_tags(self: Any) -> list[dict[str, str]]:
    """``TaggedEC2Resource.get_tags``: this resource's tags, as moto's ``describe_tags`` lists them."""
    if not self.id:
        return []
    if _WILDCARDS.intersection(self.id):
        return self.ec2_backend.describe_tags(filters={"resource-id": [self.id]})
    kind = EC2_PREFIX_TO_RESOURCE.get(get_prefix(self.id), "")
    return [{"resource_id": self.id, "key": key, "value": value, "resource_type": kind}
            for key, value in self.ec2_backend.tags.get(self.id, {}).items()]


_DESCRIBE_VOLUMES = EBSBackend.describe_volumes


def describe_volumes(self: EBSBackend, volume_ids: list[str] | None = None, filters: Any = None) -> list[Volume]:
    """``EBSBackend.describe_volumes``: one named volume by lookup; anything else as moto does it."""
    if not volume_ids or len(volume_ids) != 1:
        return _DESCRIBE_VOLUMES(self, volume_ids, filters)
    volume = self.volumes.get(volume_ids[0])
    if volume is None:
        raise InvalidVolumeIdError(set(volume_ids))
    return generic_filter(filters, [volume]) if filters else [volume]


def matches_filters(self: InstanceTypeOfferingBackend, offering: dict[str, Any], filters: Any,
                    location_type: str) -> bool:
    """``InstanceTypeOfferingBackend.matches_filters``: whether ``offering`` passes every filter, by moto's rules."""
    for key, values in filters.items():
        if key == "instance-type":
            passes = offering.get("InstanceType") in values
        elif key == "location" and location_type in ("availability-zone", "availability-zone-id"):
            passes = offering.get("Location") in values
        elif key == "location" and location_type == "region":
            passes = any(value for value in values if offering["Location"].startswith(value))
        else:
            passes = False
        if not passes:
            return False
    return True


_RUN_INSTANCES = InstanceBackend.run_instances
#: (location type, region) -> (that region's offerings, the instance types among them)
_OFFERED: Memo = Memo(64)


def run_instances(self: InstanceBackend, image_id: str, count: int, user_data: Any, security_group_names: list[str],
                  **kwargs: Any) -> Reservation:
    """``InstanceBackend.run_instances``: a launch of an instance type the region offers by that very name tells
    moto's check that there is nothing to check (the flag moto's check reads, ``is_instance_type_default``, is read
    by nothing else); any other launch as moto checks it."""
    if kwargs.get("is_instance_type_default") is False and not kwargs.get("launch_template") and _offered(kwargs):
        kwargs["is_instance_type_default"] = True
    return _RUN_INSTANCES(self, image_id, count, user_data, security_group_names, **kwargs)


def _offered(launch: dict[str, Any]) -> bool:
    """Whether the offerings moto checks ``launch``'s instance type against hold an offering of that type."""
    instance_type = launch.get("instance_type")
    if type(instance_type) is not str:
        return False
    location_type = "availability-zone" if launch.get("placement") else "region"
    region = launch["region_name"] if "region_name" in launch else "us-east-1"
    offerings = INSTANCE_TYPE_OFFERINGS[location_type].get(region, {})
    known = _OFFERED.get((location_type, region))
    if known is None or known[0] is not offerings:
        known = _OFFERED.keep((location_type, region),
                              (offerings, frozenset(offering.get("InstanceType") for offering in offerings)))
    return instance_type in known[1]


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(InstanceBackend, "get_instance", get_instance),
            (InstanceBackend, "get_instance_by_id", get_instance_by_id),
            (InstanceBackend, "get_multi_instances_by_id", get_multi_instances_by_id),
            (InstanceBackend, "get_reservations_by_instance_ids", get_reservations_by_instance_ids),
            (InstanceBackend, "describe_instances", describe_instances),
            (InstanceBackend, "run_instances", run_instances),
            (TaggedEC2Resource, "get_tags", get_tags),
            (EBSBackend, "describe_volumes", describe_volumes),
            (InstanceTypeOfferingBackend, "matches_filters", matches_filters)]
