"""Drives one migration through the real stage handlers, step by step, on the virtual clock.

``Pipeline.through("verify_test")`` runs every step up to and including that one, so a test of one stage
starts from the state the stages before it really left (status record, MGN emulator, moto). Waiting steps
(replication, launch jobs) poll and move the clock by what the handler asked for (``nextPollSeconds``).
Launched instances are real moto EC2 instances: the ``emulator`` fixture gives the emulator an
``Ec2InstanceLauncher`` (``emulator.use_instance_launcher(None)`` goes back to IDs EC2 does not know).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tasks import (
    callback,
    finalize_cutover,
    launch,
    poll_status,
    prepare_source,
    trigger_migration,
    validate_input,
    verify_migration,
)
from tasks.lib import dns
from tasks.lib.store import StatusStore

MAX_POLLS = 200
HAPPY_PATH = ("PENDING", "VALIDATED", "SOURCE_PREPARED", "MIGRATION_IN_PROGRESS", "VERIFIED", "COMPLETED", "SUCCESS")
SERVER_ID = "s-0a1b2c3d4e5f60718"
HOSTNAME = "billing-01.corp.example.com"
SOURCE_IP = "10.20.30.41"
RECORD_NAME = "billing.corp.example.com"
OLD_IP = "10.20.30.41"
NEW_IP = "10.50.1.99"
CALLBACK_SECRET_ID = "waveflow/callback"
CALLBACK_SECRET = "callback-signing-secret"


class SimulatedCrash(Exception):
    """The Lambda dying right after an AWS call went through, before the stage could return."""


def calls(emulator, operation: str) -> int:
    """How often MGN was asked to do ``operation``."""
    return sum(1 for name, _ in emulator.calls if name == operation)


def walk_record(document: dict, to: str) -> dict:
    """Move the status record along the happy path up to ``to`` directly, without running any stage.

    For tests that only need the record in a status (a refusal happens before any side effect).
    """
    store = StatusStore()
    current = store.get(document["migrationId"])["status"]
    for status in HAPPY_PATH[HAPPY_PATH.index(current) + 1 : HAPPY_PATH.index(to) + 1]:
        store.transition(document["migrationId"], status)
    return store.get(document["migrationId"])


def a_record(ip: str, ttl: int = 300) -> dict:
    """The plain A record set of :data:`RECORD_NAME` pointing at ``ip``, as Route 53 lists it."""
    return {"Name": f"{RECORD_NAME}.", "Type": "A", "TTL": ttl, "ResourceRecords": [{"Value": ip}]}


def dns_records(document: dict) -> list[dict]:
    """What the migration's DNS name holds now (its A, AAAA and CNAME record sets), A before AAAA before CNAME."""
    return sorted(dns.records_at(document["dns"]), key=lambda r: (r["Type"], r.get("SetIdentifier", "")))


def put_dns_records(session, document: dict, records: list[dict]) -> None:
    """Make the migration's DNS name hold ``records`` instead of what it holds (set up through the test's session)."""
    route53 = session.client("route53")
    changes = [{"Action": "DELETE", "ResourceRecordSet": r} for r in dns_records(document)]
    changes += [{"Action": "CREATE", "ResourceRecordSet": r} for r in records]
    route53.change_resource_record_sets(HostedZoneId=document["dns"]["hostedZoneId"], ChangeBatch={"Changes": changes})


def verified_cutover(document: dict, ip: str = NEW_IP) -> dict:
    """The document of a migration whose cutover instance (with ``ip``) was verified, its record moved to VERIFIED.

    For FinalizeCutover tests that need no launched instance: what they check happens before MGN is asked.
    """
    walk_record(document, "VERIFIED")
    return {**document, "launch": {"mode": "cutover", "done": True, "instanceId": "i-0123456789abcdef0"},
            "verification": {"mode": "cutover", "passed": True, "pending": False, "ipAddress": ip}}


def record_of(document: dict) -> dict:
    """The migration's status record as it is now."""
    return StatusStore().get(document["migrationId"])


@dataclass
class Pipeline:
    document: dict
    clock: object
    emulator: object
    context: object = None
    polls: dict[str, int] = field(default_factory=dict)

    def run(self, handler: Callable[[dict], dict]) -> dict:
        self.document = handler(self.document, self.context)
        return self.document

    def replicate(self) -> dict:
        return self._poll("replication", poll_status.handler, lambda d: d["replication"]["ready"])

    def launched(self) -> dict:
        return self._poll("launch", launch.poll_launch, lambda d: d["launch"]["done"])

    def _poll(self, key: str, handler, done: Callable[[dict], bool]) -> dict:
        for count in range(1, MAX_POLLS + 1):
            self.run(handler)
            self.polls[key] = count
            if done(self.document):
                return self.document
            self.clock.advance(self.document[key]["nextPollSeconds"])
        raise AssertionError(f"{key} not done after {MAX_POLLS} polls: {self.document[key]}")

    def through(self, last: str) -> dict:
        """Run the happy path up to and including step ``last`` (a name in :data:`STEPS`)."""
        names = list(STEPS)
        if last not in STEPS:
            raise KeyError(f"no step {last!r}; steps: {', '.join(names)}")
        for name in names[: names.index(last) + 1]:
            STEPS[name](self)
        return self.document


STEPS: dict[str, Callable[[Pipeline], dict]] = {
    "validate": lambda p: p.run(validate_input.handler),
    "prepare": lambda p: p.run(prepare_source.handler),
    "trigger": lambda p: p.run(trigger_migration.handler),
    "replicate": Pipeline.replicate,
    "start_test": lambda p: p.run(launch.start_test),
    "test_launched": Pipeline.launched,
    "verify_test": lambda p: p.run(verify_migration.handler),
    "ready_for_cutover": lambda p: p.run(launch.mark_ready_for_cutover),
    "start_cutover": lambda p: p.run(launch.start_cutover),
    "cutover_launched": Pipeline.launched,
    "verify_cutover": lambda p: p.run(verify_migration.handler),
    "finalize": lambda p: p.run(finalize_cutover.handler),
    "callback": lambda p: p.run(callback.handler),
}
