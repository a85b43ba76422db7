"""What a finished run left behind, read the way an operator would read it: the status table, the dead-letter
queues, the executions and their histories, what the local receiver got, and the twin's counters.

``collect`` reads it all once, through a session of its own (not metered, not throttled: reading the results is
not part of the wave) and ``summary`` turns it into DESIGN.md's summary contract plus the cost:

| key | what |
|---|---|
| ``byStatus`` | migrations per final status (every status record of the run, by its status at the end) |
| ``dlq`` | messages in the requests' dead-letter queue (invalid requests with their reason, redriven ones) |
| ``executionsStarted`` | executions of both state machines started |
| ``duplicatesSuppressed`` | deliveries of valid requests ingress took as duplicates (a requester sending twice, SQS
  delivering again) plus StartExecution calls that found the execution already there |
| ``stateTransitions`` | Step Functions state transitions of every execution (a retry is one too) |
| ``lambdaInvocations`` | invocations of every function of the stack (ingress, starters, every task) |
| ``simulatedSeconds`` | virtual time from the first send to the last thing that happened |
| ``wallSeconds`` | wall time of the whole run, build included (the one value a seed does not repeat) |
| ``cost`` | ``waveflow.run.costs``'s estimate: total, per migration, per wave, by item |
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from tasks.lib.dynamo import from_item
from tasks.lib.identity import IDENTITY_PREFIX

from ..local.mgn.ec2 import SOURCE_SERVER_TAG
from .costs import CostEstimate, estimate
from .failures import failed_state

REASON = "waveflow.reason"


@dataclass
class Outcome:
    """Everything a run's summary, text report and journal entry are made from."""

    records: list[dict]
    dead_letters: list[dict]
    undelivered: dict[str, int]
    received: list[dict]
    executions_started: int
    duplicates: int
    transitions: int
    invocations: int
    usage: dict[str, float]
    simulated_seconds: float
    waves: dict[str, int]
    functions: dict[str, dict] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    failures: list[dict] = field(default_factory=list)
    #: every event put on the stack's buses, in order (EventBridge's shape)
    events: list[dict] = field(default_factory=list)
    #: the EC2 instances MGN launched: ``{instanceId, state, sourceServerId}``
    instances: list[dict] = field(default_factory=list)
    #: the DNS records of the hosted zones the requests name: ``{zoneId, name, type, values}``
    dns: list[dict] = field(default_factory=list)

    def by_status(self) -> dict[str, int]:
        return dict(sorted(Counter(record["status"] for record in self.records).items()))

    def by_app(self) -> dict[str, dict[str, int]]:
        apps: dict[str, Counter] = defaultdict(Counter)
        for record in self.records:
            apps[record.get("appName", "?")][record["status"]] += 1
        return {app: dict(sorted(counts.items())) for app, counts in sorted(apps.items())}

    def cost(self) -> CostEstimate:
        return estimate(self.usage, len(self.records))

    def summary(self, wall_seconds: float) -> dict[str, Any]:
        """DESIGN.md's summary contract, plus the cost; nothing else."""
        cost = self.cost()
        total = max(1, sum(self.waves.values()))
        per_wave = {wave: round(cost.total * count / total, 6) for wave, count in self.waves.items()}
        return {
            "byStatus": self.by_status(),
            "dlq": len(self.dead_letters),
            "executionsStarted": self.executions_started,
            "duplicatesSuppressed": self.duplicates,
            "stateTransitions": self.transitions,
            "lambdaInvocations": self.invocations,
            "simulatedSeconds": round(self.simulated_seconds, 3),
            "wallSeconds": round(wall_seconds, 3),
            "cost": {**cost.as_json(), "perWave": per_wave},
        }


def collect(twin, session, *, started_at: float, usage: dict[str, float]) -> Outcome:
    """Read the run's results (``usage``: what the meter counted, priced with the twin's own counters)."""
    records = _records(session, twin)
    dead_letters = _dead_letters(session, twin.stack.queue_url(_requests_dlq(twin.stack)))
    functions = twin.functions.by_name.values()
    lambda_usage = {"lambda_requests": sum(f.counters.invocations for f in functions),
                    "lambda_gb_seconds": round(sum(f.counters.billed_ms / 1000 * f.spec.memory / 1024
                                                   for f in functions), 6),
                    "state_transitions": twin.runtime.stats["state_transitions"]}
    ingress_dead = sum(1 for letter in dead_letters if REASON in letter["attributes"])
    delivered = sum(len(b.message_ids) - len(b.failed) for s in twin.event_sources for b in s.batches)
    outcome = Outcome(
        records=records,
        dead_letters=dead_letters,
        undelivered=_undelivered(session, twin),
        received=[{"kind": r.kind, "path": r.path, "verified": r.verified, "body": r.json()}
                  for r in twin.receiver.received],
        executions_started=twin.runtime.stats["executions_started"],
        duplicates=max(0, delivered - len(records) - ingress_dead) + twin.stepfunctions.duplicate_starts,
        transitions=twin.runtime.stats["state_transitions"],
        invocations=lambda_usage["lambda_requests"],
        usage={**usage, **lambda_usage},
        simulated_seconds=twin.clock.now() - started_at,
        waves=dict(sorted(Counter(str(record.get("wave")) for record in records).items())),
        functions={f.name: {"handler": f.spec.handler, "memoryMb": f.spec.memory, "invocations": f.counters.invocations,
                            "errors": f.counters.errors, "timeouts": f.counters.timeouts,
                            "billedMs": f.counters.billed_ms} for f in functions},
        faults={"lambdaTimeouts": sum(f.counters.timeouts for f in functions),
                "dynamodbThrottled": twin.faults.throttled,
                "redeliveredMessages": sum(s.redelivered for s in twin.event_sources)},
        events=list(twin.eventbridge.events),
        instances=_instances(session),
        dns=_dns(session, {r["dns"]["hostedZoneId"] for r in records if isinstance(r.get("dns"), dict)}),
    )
    outcome.failures = [_failure(twin, record) for record in records if record["status"] == "FAILED"]
    return outcome


def _requests_dlq(stack) -> str:
    """The dead-letter queue of the queue ingress reads (its redrive policy's target)."""
    queue = stack.queue(stack.event_source_mappings[0].queue)
    return queue.dead_letter or queue.name


def _records(session, twin) -> list[dict]:
    """Every migration's status record, by migration ID (the identity items ingress keeps beside them left out)."""
    table = next(f.spec.environment["WAVEFLOW_STATUS_TABLE"] for f in twin.functions.by_name.values()
                 if "WAVEFLOW_STATUS_TABLE" in f.spec.environment)
    pages = session.client("dynamodb").get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    records = [from_item(item) for page in pages for item in page.get("Items", [])]
    return sorted((r for r in records if not r["migrationId"].startswith(IDENTITY_PREFIX)),
                  key=lambda r: r["migrationId"])


def _drain(sqs, url: str) -> list[dict]:
    messages = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=3600,
                                    MessageAttributeNames=["All"], AttributeNames=["All"]).get("Messages", [])
        if not batch:
            return messages
        messages += batch


def _dead_letters(session, url: str) -> list[dict]:
    """The requests' dead letters, in the order they were dead-lettered, each with its reason."""
    letters = [{"messageId": m["MessageId"], "body": m["Body"],
                "attributes": {name: value.get("StringValue") for name, value in
                               (m.get("MessageAttributes") or {}).items()},
                "sentTimestamp": int(m["Attributes"].get("SentTimestamp", 0))}
               for m in _drain(session.client("sqs"), url)]
    return sorted(letters, key=lambda letter: (letter["attributes"].get("waveflow.receivedAt") or "",
                                               letter["body"]))


def _undelivered(session, twin) -> dict[str, int]:
    """Messages in every other dead-letter queue of the stack (events EventBridge or Lambda could not deliver)."""
    dead = {q.dead_letter for q in twin.stack.queues if q.dead_letter} | {
        f.spec.dead_letter for f in twin.functions.by_name.values() if f.spec.dead_letter} | {
        t.dead_letter for r in twin.stack.rules for t in r.targets if t.dead_letter}
    dead.discard(_requests_dlq(twin.stack))
    sqs = session.client("sqs")
    counts = {}
    for name in sorted(dead):
        attributes = sqs.get_queue_attributes(QueueUrl=twin.stack.queue_url(name),
                                              AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        counts[name] = int(attributes["ApproximateNumberOfMessages"])
    return counts


def _instances(session) -> list[dict]:
    """The instances in the account (MGN's launches: the landing zone runs nothing else), by instance ID. Only
    their states and the one tag naming their source server are asked for, not every instance's whole description
    (two per server: moto describing them all cost more than the rest of reading the results)."""
    ec2 = session.client("ec2")
    states = {status["InstanceId"]: status["InstanceState"]["Name"]
              for page in ec2.get_paginator("describe_instance_status").paginate(IncludeAllInstances=True)
              for status in page["InstanceStatuses"]}
    sources = {tag["ResourceId"]: tag["Value"]
               for page in ec2.get_paginator("describe_tags").paginate(Filters=[
                   {"Name": "resource-type", "Values": ["instance"]}, {"Name": "key", "Values": [SOURCE_SERVER_TAG]}])
               for tag in page["Tags"]}
    return [{"instanceId": instance, "state": state, "sourceServerId": sources.get(instance)}
            for instance, state in sorted(states.items())]


def _dns(session, zones: set[str]) -> list[dict]:
    route53 = session.client("route53")
    records = []
    for zone in sorted(zones):
        pages = route53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone)
        records += [{"zoneId": zone, "name": r["Name"], "type": r["Type"],
                     "values": [v["Value"] for v in r.get("ResourceRecords", [])]}
                    for page in pages for r in page["ResourceRecordSets"] if r["Type"] in ("A", "AAAA", "CNAME")]
    return records


def _failure(twin, record: dict) -> dict:
    """Where and why a migration failed: the state that failed, the error and its cause."""
    error = (record.get("executionDetails", {}).get("rollback") or {}).get("error") or {}
    state = None
    execution = twin.runtime.executions.get(record.get("executionArn") or "")
    if execution is not None:
        state = failed_state(execution.history, execution.machine.definition)
    return {"migrationId": record["migrationId"], "appName": record.get("appName"), "wave": record.get("wave"),
            "stage": state or "(before its execution started)", "error": error.get("Error"),
            "cause": error.get("Cause")}
