"""moto's EC2, imported for less: importing this module imports ``moto.ec2`` (``speed`` imports it first).

Importing moto's EC2 reads the instance-type offerings of every region, zone and zone ID (~100 files, ~0.13 s CPU
of a run's ~2 s start-up), although a run asks for one region's at most (RunInstances checks an instance type
against them, DescribeInstanceTypeOfferings lists them). Here each location type's offerings are read region by
region, when first asked for, by moto's own reader and marked as moto marks them: ``OfferingsByRegion`` lists the
regions in moto's order and hands out the lists moto's table would hold. While moto's EC2 is imported, moto's
resource reader reads no offerings (moto's table gets empty lists, replaced right after); it is put back after, also
in the modules imported meanwhile that took their own reference to it. When something imported moto's EC2 before,
it is left as it is.
"""
from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from moto.utilities import utils as moto_utils

_OFFERINGS = "instance_type_offerings"


class OfferingsByRegion(Mapping):
    """One location type's instance-type offerings by region, as moto's ``INSTANCE_TYPE_OFFERINGS[location_type]``
    holds them, each region's read from moto's file when first asked for."""

    def __init__(self, location_type: str, folder: str, files: dict[str, str]) -> None:
        self._location_type = location_type
        self._folder = folder
        self._files = files  # region -> its file, in moto's order
        self._read: dict[str, list[dict[str, Any]]] = {}

    def __getitem__(self, region: str) -> list[dict[str, Any]]:
        offerings = self._read.get(region)
        if offerings is None:
            offerings = moto_utils.load_resource(os.path.join(self._folder, self._files[region]))
            for offering in offerings:
                offering["LocationType"] = self._location_type
            self._read[region] = offerings
        return offerings

    def __contains__(self, region: object) -> bool:
        return region in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


@contextlib.contextmanager
def _offerings_unread() -> Iterator[None]:
    """moto's resource reader, for the modules imported meanwhile, reads no instance-type offerings (an empty list
    each); everything else as moto reads it."""
    load_resource = moto_utils.load_resource

    def unless_offerings(resource: str) -> Any:
        return [] if _OFFERINGS in resource else load_resource(resource)

    modules = set(sys.modules)
    moto_utils.load_resource = unless_offerings
    try:
        yield
    finally:
        moto_utils.load_resource = load_resource
        for name in set(sys.modules) - modules:
            namespace = getattr(sys.modules[name], "__dict__", {})  # the module's own names, no lazy attributes
            if namespace.get("load_resource") is unless_offerings:
                namespace["load_resource"] = load_resource


def _read_when_asked(instance_types: Any) -> None:
    """Each location type's offerings in moto's table read when first asked for, found in moto's files in moto's
    order (a region's later file, if it has two, taking its place as in moto's table)."""
    root = instance_types.root / instance_types.offerings_path
    for location_type in instance_types.INSTANCE_TYPE_OFFERINGS:
        files = {}
        for data_file in os.listdir(root / location_type):
            files[data_file.split(".")[0]] = data_file
        folder = os.path.join("ec2", instance_types.offerings_path, location_type)
        instance_types.INSTANCE_TYPE_OFFERINGS[location_type] = OfferingsByRegion(location_type, folder, files)


def _import_moto_ec2() -> None:
    if "moto.ec2.models.instance_types" in sys.modules:
        return
    with _offerings_unread():
        importlib.import_module("moto.ec2")
    _read_when_asked(sys.modules["moto.ec2.models.instance_types"])


_import_moto_ec2()
