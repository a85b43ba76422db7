"""Where launched test/cutover instances come from.

By default the emulator only invents EC2 instance ids. The local twin and the tests plug in an
``InstanceLauncher`` that really runs (and terminates) instances in their EC2 (``ec2.Ec2InstanceLauncher``, on
moto), so a verification step that looks the instance up in EC2 finds it. The emulator's core never talks to EC2:
only a launcher does.
"""
from __future__ import annotations

from typing import Protocol

from .jobs import Job
from .model import SourceServer
from .seeded import Seeded


class InstanceLauncher(Protocol):
    """Launches the target instance of a server in a LAUNCH job, and terminates instances on request."""

    def launch(self, server: SourceServer, job: Job) -> str:
        """Start the instance for ``server`` (its ``launch_configuration`` says how); return its id."""

    def terminate(self, instance_id: str) -> None:
        """Terminate an instance an earlier ``launch`` returned."""


class SimulatedInstances:
    """Seeded ``i-`` ids and nothing else: instances exist only in MGN's answers."""

    def __init__(self, seeded: Seeded) -> None:
        self._seeded = seeded

    def launch(self, server: SourceServer, job: Job) -> str:
        return self._seeded.hex_id("i-")

    def terminate(self, instance_id: str) -> None:
        """Nothing runs, so nothing to stop."""
