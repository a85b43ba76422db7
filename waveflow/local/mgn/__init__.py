"""An emulator of AWS Application Migration Service (MGN) for the local twin and the tests.

``MgnEmulator`` speaks MGN's real wire protocol through botocore's events (``before-call``, before the request
is signed, and ``before-send`` for the answers botocore must be able to retry), so an unmodified
``boto3.client("mgn")`` works against it; ``FaultPlan`` injects throttling, 5xx, replication stalls and failed
launches, deterministically by seed; ``Ec2InstanceLauncher`` makes launched test/cutover instances real EC2
instances (moto's, or the twin's) instead of ids that exist only in MGN's answers.

Package layout: ``protocol`` (wire) -> ``operations`` (one function per operation) -> ``lifecycle`` (MGN's rules
and refusals) -> ``estate`` (servers, jobs, agenda, events) over ``model``, ``replication``, ``jobs``;
``render`` shapes answers, ``parsed`` reads replies as botocore would, ``validation`` checks requests,
``faults``/``seeded`` make the dice; ``instances`` (the launcher protocol and the default) and ``ec2`` (the EC2
launcher) are where launched instances come from.

Choices where MGN's documentation is silent (each kept in one table or function, easy to change):
- StartTest/StartCutover accept READY_FOR_TEST, TESTING and READY_FOR_CUTOVER servers that are launchable
  (``lagDuration`` set) and have no running job; any ineligible server refuses the whole request.
- A failed launch leaves the lifecycle where the launch put it (TESTING / CUTTING_OVER) for the caller to revert.
- A server has one target instance, as in MGN's console: a new launch (the cutover after a test) terminates the
  instance of the previous launch when it starts.
- StopReplication discards the replica (a restart re-syncs everything) and moves NOT_READY/READY_FOR_TEST to
  STOPPED; injected stalls hit once per server, during the initial sync.
- DeleteSourceServer needs data replication DISCONNECTED (after DisconnectFromService or FinalizeCutover).
- A request signed for another region is answered UninitializedAccountException; ``accountID`` is ignored.
"""
from .ec2 import Ec2InstanceLauncher
from .emulator import MgnEmulator
from .faults import FaultPlan
from .instances import InstanceLauncher
from .jobs import Job
from .model import SourceServer

__all__ = ["Ec2InstanceLauncher", "FaultPlan", "InstanceLauncher", "Job", "MgnEmulator", "SourceServer"]
