"""The local twin of a deployed stack, joined in one place: moto holding its resources, the interpreter running
its state machines over its functions, and the pieces that join them as AWS would, all on one virtual clock.

    >>> with mock_aws(), LocalTwin(stack, boto3.Session(region_name="us-east-1")) as twin:  # doctest: +SKIP
    ...     twin.session.client("sqs").send_message(QueueUrl=twin.stack.queue_url("requests"), MessageBody=...)
    ...     twin.run()

``up()`` wires, in this order: the hooks on the twin's session (Step Functions API, PutEvents, the watches of
SQS sends and SNS publishes, the count of AWS requests, the injected faults, then the twin's own DynamoDB, so a
throttled request never reaches a table) — before any client is built from it, since botocore copies hooks into
clients when they are made; the resources (``provision``: tables in the twin's DynamoDB, the rest in moto); the
local receiver and its keys; the functions (``functions``) as the interpreter's handlers and as rule and queue
targets; the state machines with their substitutions; and the tasks' client factory and callback poster, pointed
at the session, the clock and the receiver. ``down()`` undoes what ``up()`` set outside the twin.
"""
from __future__ import annotations

from typing import Any

from tasks.lib import aws, http

from ..clock import VirtualClock
from ..graph import parse_definition
from ..runtime import LocalRuntime
from .certificates import SigningKey, TlsIdentity
from .dynamodb import TwinDynamoDB
from .event_source import SqsEventSource
from .eventbridge import EventBridge
from .faults import TwinFaults
from .functions import Functions
from .powertools_clock import PowertoolsClock
from .provision import provision
from .receiver import LocalReceiver
from .sns import SnsDelivery
from .stack import Stack
from .stepfunctions import StepFunctionsApi
from .wire import Wiring


class LocalTwin:
    """The stack of ``stack`` in process, on ``session`` (inside ``mock_aws``) and one virtual clock."""

    def __init__(self, stack: Stack, session, *, seed: int = 0, clock=None, journal=None,
                 faults: TwinFaults | None = None) -> None:
        self.stack = stack
        self.session = session
        self.faults = faults or TwinFaults(seed)
        self.runtime = LocalRuntime({}, seed=seed, clock=clock if clock is not None else VirtualClock(),
                                    boto_session=session, region=stack.region, account=stack.account,
                                    journal=journal)
        self.scheduler = self.runtime.scheduler
        self.wiring = Wiring()
        self.powertools_clock = PowertoolsClock()
        self.dynamodb = TwinDynamoDB(stack.region, stack.account, self.runtime.clock.now)
        self.stepfunctions = StepFunctionsApi(self.runtime)
        self.receiver: LocalReceiver | None = None
        self.tls_identity: TlsIdentity | None = None
        self.functions: Functions | None = None
        self.eventbridge: EventBridge | None = None
        self.sns: SnsDelivery | None = None
        self.event_sources: list[SqsEventSource] = []
        self._sqs: Any = None

    def __enter__(self) -> "LocalTwin":
        try:
            return self.up()
        except BaseException:
            self.down()  # a twin that could not come up leaves no hooks, threads or settings behind
            raise

    def __exit__(self, *exc_info) -> None:
        self.down()

    @property
    def clock(self):
        return self.runtime.clock

    def up(self) -> "LocalTwin":
        stack, session, scheduler = self.stack, self.session, self.scheduler
        self.functions = Functions(stack, scheduler, self.send_to_queue, self.faults)
        self.functions.install(session)
        self.faults.install(session, self.wiring)
        self.dynamodb.install(session, self.wiring)  # after the faults: a throttled request never reaches a table
        self.eventbridge = EventBridge(stack, self.functions, self.send_to_queue, scheduler)
        identity = self.tls_identity = TlsIdentity.create()
        signing_key = SigningKey()
        self.receiver = LocalReceiver(identity, self._callback_secret(), signing_key.certificate).start()
        self.sns = SnsDelivery(stack, self.clock, self.receiver.port, identity.client_context(), signing_key,
                               self.receiver.signing_cert_url)
        self.stepfunctions.install(session)
        self.eventbridge.install(session, self.wiring)
        self.sns.install(session, self.wiring)
        for mapping in stack.event_source_mappings:
            source = SqsEventSource(mapping, stack, self.functions[mapping.function], scheduler, self.faults)
            source.install(session, self.wiring)
            self.event_sources.append(source)
        self._sqs = session.client("sqs", region_name=stack.region)  # built after the watches: its sends wake them
        provision(stack, session)
        self.runtime.handlers.update(self.functions.by_name)
        for machine in stack.state_machines:
            self.runtime.register_state_machine(machine.name, parse_definition(machine.definition,
                                                                               machine.substitutions))
        aws.configure(session, clock=self.clock.now)
        self.powertools_clock.install(self.clock.now)
        http.configure(self.receiver.poster())
        return self

    def down(self) -> None:
        self.wiring.uninstall()
        if self.functions is not None:
            self.functions.uninstall(self.session)
        self.stepfunctions.uninstall()
        if self.sns is not None:
            self.sns.close()
        if self.receiver is not None:
            self.receiver.stop()
        if self.tls_identity is not None:
            self.tls_identity.discard()  # its private key is not left behind in the temporary folder
        aws.configure()
        self.powertools_clock.uninstall()
        http.configure()

    def run(self, until: float | None = None) -> None:
        """Run the clock until nothing is left to do (or until virtual time ``until``)."""
        self.runtime.run(until)

    def send_to_queue(self, queue_name: str, body: str, attributes: dict[str, str]) -> None:
        """SendMessage to one of the stack's queues, with string message attributes (dead letters, SQS targets)."""
        self._sqs.send_message(QueueUrl=self.stack.queue_url(queue_name), MessageBody=body, MessageAttributes={
            name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()})

    def _callback_secret(self) -> str | None:
        """The secret the callback function signs with (its ``WAVEFLOW_CALLBACK_SECRET_ID``), if the stack has it."""
        names = {spec.environment.get("WAVEFLOW_CALLBACK_SECRET_ID") for spec in self.stack.functions}
        found = [self.stack.secrets[name] for name in sorted(n for n in names if n) if name in self.stack.secrets]
        return found[0] if found else None
