"""moto's SSM: a command sent to the instances it names, not to every instance of the account.

moto adds to a command's instances those its ``Targets`` select, and with no ``Targets`` (a command that names its
instances, as the tasks' checks do) it selects every instance of the account: it copies every reservation to find
them, writes an invocation for each, and answers SendCommand with all their IDs. SSM sends such a command to the
named instances alone. A wave's estate grows by two instances per migrated server, so each check cost more than the
one before; here a command without ``Targets`` has no targets to add, and its answer lists what it names, as SSM's.
"""
from __future__ import annotations

from typing import Any

from moto.ssm.models import Command

_TARGETED = Command._get_instance_ids_from_targets


def instance_ids_from_targets(self: Command) -> list[str]:
    """``Command._get_instance_ids_from_targets``: none when the command has no ``Targets``."""
    return _TARGETED(self) if self.targets else []


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(Command, "_get_instance_ids_from_targets", instance_ids_from_targets)]
