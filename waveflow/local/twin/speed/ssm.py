"""moto's SSM: a command sent to the instances it names, not to every instance of the account; a command found by
its ID, not by walking every command sent before.

moto adds to a command's instances those its ``Targets`` select, and with no ``Targets`` (a command that names its
instances, as the tasks' checks do) it selects every instance of the account: it copies every reservation to find
them, writes an invocation for each, and answers SendCommand with all their IDs. SSM sends such a command to the
named instances alone. A wave's estate grows by two instances per migrated server, so each check cost more than the
one before; here a command without ``Targets`` has no targets to add, and its answer lists what it names, as SSM's.

GetCommandInvocation finds its command by looking through every command of the account, two more per migrated
server. moto only ever appends to an account's list of commands, so an index of command ID -> command stays true
while the list is the one indexed, and an ID it lacks only needs the commands appended since.
"""
from __future__ import annotations

import weakref
from operator import attrgetter
from typing import Any

from moto.ssm.exceptions import SSMException
from moto.ssm.models import Command, SimpleSystemManagerBackend

from .firsts import FirstPlaces

_TARGETED = Command._get_instance_ids_from_targets


def instance_ids_from_targets(self: Command) -> list[str]:
    """``Command._get_instance_ids_from_targets``: none when the command has no ``Targets``."""
    return _TARGETED(self) if self.targets else []


_INDEXES: weakref.WeakKeyDictionary[SimpleSystemManagerBackend, FirstPlaces] = weakref.WeakKeyDictionary()


def get_command_by_id(self: SimpleSystemManagerBackend, command_id: str) -> Command:
    """``SimpleSystemManagerBackend.get_command_by_id``: the command, or InvalidCommandId."""
    index = _INDEXES.get(self)
    if index is None or index.items is not self._commands:
        index = _INDEXES[self] = FirstPlaces(self._commands, key=attrgetter("command_id"))
    place = index.find(command_id)
    if place is None:
        raise SSMException("InvalidCommandId", "Invalid command id.")
    return self._commands[place]


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(Command, "_get_instance_ids_from_targets", instance_ids_from_targets),
            (SimpleSystemManagerBackend, "get_command_by_id", get_command_by_id)]
