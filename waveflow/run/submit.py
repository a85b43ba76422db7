"""Submitting a wave as its requester does: start each wave's MigrationWave, then send every request to the queue,
no faster than the rate, on the twin's clock.

What is sent is planned up front from the seed (``plan``): each valid row once; with ``--send-invalid`` the rows
that failed the checks too, as they are; and the request faults of the profile — a share of the requests sent
broken instead (``defects``: that server is then not part of its wave), a share sent a second time a little
later (the same request: it must start nothing). ``expectedMigrations`` of each wave counts the distinct
migrations sent valid, as docs/interfaces.md defines it.

Requests go out in batches of up to ten (SendMessageBatch), each batch when its last message is due, so message
*n* leaves at or after *n* x 60 / rate seconds: never faster than the rate.

    >>> plan = plan_messages(checked_rows, rejected_rows, profile, seed=7)
    >>> Submission(twin, plan, rate=120, queue=..., wave_machine_arn=..., concurrency=25).schedule()  # doctest: +SKIP
"""
from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass

from tasks.lib.request import normalise_request, wave_text

from .defects import DEFECTS
from .faults import FaultProfile
from .intake import WaveRow

_BATCH = 10  # SendMessageBatch takes at most ten messages
#: How many messages later a duplicate is sent: soon enough to race the first, late enough to find it created.
DUPLICATE_DELAY = (3, 30)


@dataclass(frozen=True)
class Message:
    """One message the requester sends: its body, what it is (``request``, ``duplicate``, ``invalid``), and for an
    invalid one what is wrong with it."""

    body: str
    kind: str
    row: WaveRow
    defect: str | None = None


@dataclass(frozen=True)
class Plan:
    """Every message in sending order, and the migrations each wave should expect."""

    messages: tuple[Message, ...]
    expected: dict[str, int]

    def count(self, kind: str) -> int:
        return sum(1 for message in self.messages if message.kind == kind)


def plan_messages(valid: list[WaveRow], rejected: list[WaveRow], profile: FaultProfile, seed: int) -> Plan:
    """What the requester sends: ``valid`` rows (their faults drawn from ``seed``), then ``rejected`` ones as they
    are (empty unless ``--send-invalid``)."""
    dice = random.Random(f"waveflow-requests/{seed}")
    sent: list[Message] = []
    later: list[tuple[int, Message]] = []
    migrations: set[tuple[str, str]] = set()
    for row in valid:
        body = json.dumps(row.request)
        if dice.random() < profile.invalid_requests:
            defect, broken = dice.choice(DEFECTS).apply(row.request)
            sent.append(Message(broken, "invalid", row, defect))
            continue
        sent.append(Message(body, "request", row))
        migrations.add((row.request["sourceServerId"], wave_text(row.request["wave"])))
        if dice.random() < profile.duplicate_requests:
            later.append((len(sent) + dice.randint(*DUPLICATE_DELAY), Message(body, "duplicate", row)))
    sent += [Message(json.dumps(row.request), "invalid", row, "; ".join(m for _, m in row.faults) or None)
             for row in rejected]
    for position, message in sorted(later, key=lambda item: item[0], reverse=True):
        sent.insert(min(position, len(sent)), message)
    return Plan(tuple(sent), dict(sorted(Counter(wave for _, wave in migrations).items())))


class Submission:
    """Sends a plan through the twin: the waves first, then the requests at the rate."""

    def __init__(self, twin, plan: Plan, *, rate: float, queue_url: str, wave_machine_arn: str,
                 concurrency: int | None) -> None:
        self.twin = twin
        self.plan = plan
        self.rate = rate
        self.queue_url = queue_url
        self.wave_machine_arn = wave_machine_arn
        self.concurrency = concurrency
        self.sent = 0
        self._sqs = twin.session.client("sqs", region_name=twin.stack.region)
        self._sfn = twin.session.client("stepfunctions", region_name=twin.stack.region)

    def schedule(self) -> None:
        """Start every wave now and put each batch of requests on the clock when it is due."""
        for wave, expected in self.plan.expected.items():
            document = {"wave": wave, "expectedMigrations": expected}
            if self.concurrency is not None:
                document["maxConcurrency"] = self.concurrency
            self._sfn.start_execution(stateMachineArn=self.wave_machine_arn, name=f"wave-{wave}",
                                      input=json.dumps(document))
        messages = self.plan.messages
        for start in range(0, len(messages), _BATCH):
            batch = messages[start:start + _BATCH]
            due = (start + len(batch) - 1) * 60.0 / self.rate
            self.twin.scheduler.after(due, lambda batch=batch: self._send(batch))

    def _send(self, batch: tuple[Message, ...]) -> None:
        self._sqs.send_message_batch(QueueUrl=self.queue_url, Entries=[
            {"Id": str(n), "MessageBody": message.body} for n, message in enumerate(batch)])
        self.sent += len(batch)


def migration_id(row: WaveRow) -> str:
    """The migration a valid row becomes (its ID, or the one derived from its server and wave)."""
    return normalise_request(dict(row.request))["migrationId"]
