"""``MgnEmulator``: an in-process AWS Application Migration Service that unmodified boto3 clients talk to.

It answers botocore's ``before-call.mgn`` event, after the client has validated and serialised the request and
before it signs it: the emulator reads the serialised request (path, query, JSON body) as MGN would and hands back
the HTTP response with the result botocore's parser would make of it (``parsed``), so the client returns it or
raises ``client.exceptions.*`` exactly as against AWS, without the cost of signing it and parsing the answer.
Injected call faults (throttling, 5xx) are the exception: a ``before-call`` answer is never retried, so the
request is left to go on, signed, to ``before-send.mgn``, where the emulator answers it as an HTTP response
botocore parses and retries as it would AWS's. ``wire_only`` answers every request that way.
Other services' requests are left alone (the handlers are registered for MGN only), so moto's ``mock_aws`` keeps
serving them side by side.
"""
from __future__ import annotations

import re
import threading
import time
from functools import cached_property
from typing import Callable

import boto3
import botocore.session
from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from botocore.model import OperationModel

from .errors import (InternalServerException, MgnError, Refused, ThrottlingException, UninitializedAccountException,
                     UnknownOperationException, ValidationException)
from .estate import Estate, EventListener
from .faults import FaultDice, FaultPlan
from .instances import InstanceLauncher, SimulatedInstances
from .jobs import Job
from .model import SourceServer
from .operations import OPERATIONS
from .parsed import ParsedReplies
from .protocol import Protocol, Reply, load_service_model
from .seeded import Seeded
from .validation import validate

_SCOPE_REGION = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/mgn/")
_HOST_REGION = re.compile(r"^mgn(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com")
_BEFORE_CALL = "before-call.mgn"
_BEFORE_SEND = "before-send.mgn"
# FaultDice.call_fault() outcome -> the error MGN answers with.
_CALL_FAULTS = {
    "throttle": lambda: ThrottlingException("Rate exceeded", retryAfterSeconds=1),
    "server_error": lambda: InternalServerException("An internal error occurred; retry the request"),
}


class _Hook:
    """The emulator's handlers on one event emitter; switched off on uninstall so copies held by clients stop
    answering too."""

    def __init__(self, emulator: "MgnEmulator") -> None:
        self.emulator = emulator
        self.active = True

    def before_call(self, model: OperationModel, params: dict, request_signer, context: dict,
                    **_: object) -> tuple[AWSResponse, dict] | None:
        if not self.active:
            return None
        unsigned = request_signer.signature_version is UNSIGNED
        signing_region = None if unsigned else context.get("signing", {}).get("region", request_signer.region_name)
        return self.emulator.answer_call(model, params, signing_region, context["client_config"])

    def before_send(self, request: AWSPreparedRequest, **_: object) -> AWSResponse | None:
        return self.emulator.serve(request) if self.active else None


class _InFlight(threading.local):
    """This thread's MGN request: botocore makes a call and sends its request on one thread. It holds the
    ``before-call`` request dict last seen with the call fault drawn for it (for ``before-send`` to answer that
    attempt with), and the prepared request last answered, so that a second hook of the emulator on one client
    (installed on a session and attached to a client of it) lets be what the first has dealt with: one answer and
    one draw of the dice per attempt."""

    call: dict | None = None
    fault: str | None = None
    sent: AWSPreparedRequest | None = None


class MgnEmulator:
    """A stateful MGN for one account and region, advanced lazily on ``clock``.

    >>> emu = MgnEmulator(clock=virtual_clock.now, seed=7)
    >>> server_id = emu.add_source_server(hostname="web-01")
    >>> mgn = emu.client()           # or emu.install(session) and session.client("mgn")
    >>> mgn.describe_source_servers(filters={"sourceServerIDs": [server_id]})["items"][0]["lifeCycle"]["state"]
    'NOT_READY'
    """

    def __init__(self, clock: Callable[[], float] = time.time, seed: int = 0, faults: FaultPlan | None = None,
                 region: str = "us-east-1", account: str = "123456789012", initialized: bool = True,
                 wire_only: bool = False) -> None:
        self.faults = faults or FaultPlan()
        #: answer every request signed, at ``before-send``, as an HTTP response botocore parses: the full wire
        #: path the ``before-call`` answers are checked against
        self.wire_only = wire_only
        seeded = Seeded(seed)
        self._seeded = seeded
        self._estate = Estate(clock, seeded, FaultDice(self.faults, seeded), region, account,
                              initialized and not self.faults.uninitialized)
        self.calls: list[tuple[str, dict]] = []
        self._hooks: list[tuple[object, str, str, _Hook]] = []
        self._lock = threading.RLock()
        self._in_flight = _InFlight()

    @cached_property
    def _protocol(self) -> Protocol:
        return Protocol(load_service_model())

    @cached_property
    def _parsed(self) -> ParsedReplies:
        return ParsedReplies()

    # -- inspection ------------------------------------------------------------------------------------------
    @property
    def region(self) -> str:
        return self._estate.region

    @property
    def account(self) -> str:
        return self._estate.account

    @property
    def source_servers(self) -> dict[str, SourceServer]:
        """Live model objects by id (state as of the last request or ``advance``)."""
        return self._estate.servers

    @property
    def jobs(self) -> dict[str, Job]:
        return self._estate.jobs

    @property
    def events(self) -> list[dict]:
        """Every EventBridge event emitted so far, in order."""
        return self._estate.events

    # -- driving ---------------------------------------------------------------------------------------------
    def add_source_server(self, *, hostname: str, ip: str = "10.0.0.5", os: str = "LINUX",
                          disks_gib: tuple[float, ...] = (100,), source_server_id: str | None = None,
                          replication_speed_mib_s: float | None = None, tags: dict[str, str] | None = None,
                          aws_instance_id: str | None = None) -> str:
        """Register a server as if its replication agent had just been installed; returns its ``s-...`` id.

        ``aws_instance_id`` makes it a source that already runs in EC2: MGN then reports that instance as
        ``sourceProperties.identificationHints.awsInstanceID``, which is how the stages tell an EC2 source
        (snapshots, SSM checks, tagging on decommission) from an on-premises one.
        """
        with self._lock:
            self._estate.advance()
            server = self._estate.add_server(hostname=hostname, ip=ip, os=os, disks_gib=tuple(disks_gib),
                                             source_server_id=source_server_id,
                                             replication_speed_mib_s=replication_speed_mib_s, tags=tags,
                                             aws_instance_id=aws_instance_id)
            return server.source_server_id

    def use_instance_launcher(self, launcher: InstanceLauncher | None) -> None:
        """Launch and terminate target instances through ``launcher`` from now on.

        ``Ec2InstanceLauncher(session)`` runs them in (moto's) EC2; ``None`` goes back to the default, seeded
        ids that exist only in MGN's answers (for a test of what happens when EC2 does not know the instance).
        """
        self._estate.instances = launcher if launcher is not None else SimulatedInstances(self._seeded)

    def on_event(self, callback: EventListener) -> None:
        """Call ``callback(event)`` with each MGN EventBridge event (source ``aws.mgn``) as it happens."""
        self._estate.listeners.append(callback)

    def advance(self) -> int:
        """Apply every change due by the clock's now (firing events); returns how many ran."""
        with self._lock:
            return self._estate.advance()

    def next_due(self) -> float | None:
        """Clock time of the next scheduled change, so a virtual clock can wake the emulator then."""
        with self._lock:
            return self._estate.timeline.next_due()

    # -- wiring ----------------------------------------------------------------------------------------------
    def install(self, session: boto3.Session | botocore.session.Session | None = None) -> None:
        """Serve every MGN client created from ``session`` (boto3's default session when None) from now on.

        botocore copies a session's event handlers into each client when the client is created, so clients that
        already exist are not affected: hand those to ``attach``. ``uninstall`` stops serving both kinds.
        moto's ``mock_aws`` swaps in a fresh default session while active: install inside it, or pass a session.
        """
        if session is None:
            if boto3.DEFAULT_SESSION is None:
                boto3.setup_default_session()
            session = boto3.DEFAULT_SESSION
        emitter = session.events if isinstance(session, boto3.Session) else session.get_component("event_emitter")
        self._hook_into(emitter)

    def attach(self, client) -> None:
        """Serve one existing MGN client."""
        self._hook_into(client.meta.events)

    def uninstall(self) -> None:
        """Stop serving every session and client this emulator was installed on or attached to."""
        for emitter, event, unique_id, hook in self._hooks:
            hook.active = False
            emitter.unregister(event, unique_id=unique_id)
        self._hooks.clear()

    def client(self, config: Config | None = None):
        """A new MGN client with dummy credentials, served by this emulator (nothing else is installed)."""
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                region_name=self.region)
        mgn = session.client("mgn", config=config)
        self.attach(mgn)
        return mgn

    def _hook_into(self, emitter) -> None:
        hook = _Hook(self)
        handlers = {_BEFORE_SEND: hook.before_send} if self.wire_only else \
            {_BEFORE_CALL: hook.before_call, _BEFORE_SEND: hook.before_send}
        for event, handler in handlers.items():
            unique_id = f"waveflow-mgn-emulator-{id(self)}-{len(self._hooks)}-{id(emitter)}"  # unique across events
            emitter.register_first(event, handler, unique_id=unique_id)
            self._hooks.append((emitter, event, unique_id, hook))

    # -- serving ---------------------------------------------------------------------------------------------
    def answer_call(self, operation: OperationModel, request: dict, signing_region: str | None,
                    client_config: Config) -> tuple[AWSResponse, dict] | None:
        """Answer a request botocore has serialised (its ``before-call`` request dict) for a client configured by
        ``client_config`` that signs for ``signing_region`` (None: unsigned), as the HTTP response and botocore's
        parsed result; None when the call fault dice say this attempt fails: ``serve`` then answers it, signed,
        so botocore retries it."""
        protocol = self._protocol
        url = request["url"]
        with self._lock:
            in_flight = self._in_flight
            if in_flight.call is request:  # left to before-send by another hook of this emulator
                return None
            in_flight.call, in_flight.fault = request, None  # a fault drawn for a request never sent is dropped
            try:
                params = protocol.parse(operation, url, protocol.labels(operation, url), request["body"])
            except MgnError as error:
                reply, output = protocol.fail(error, self._seeded.uuid("requests")), None
            else:
                fault = self._estate.dice.call_fault()
                if fault is not None:
                    in_flight.fault = fault
                    return None
                reply, output = self._answer(operation, params, _region(signing_region, url), None,
                                             self._seeded.uuid("requests"))
            return reply.http(url), self._parsed.of(operation, output, reply, client_config)

    def serve(self, request: AWSPreparedRequest) -> AWSResponse | None:
        """Answer one prepared MGN request as the service would (None: this very request was answered already)."""
        with self._lock:
            if self._in_flight.sent is request:
                return None
            self._in_flight.sent = request
            reply = self._reply(request)
        return reply.http(request.url)

    def _reply(self, request: AWSPreparedRequest) -> Reply:
        protocol = self._protocol
        request_id = self._seeded.uuid("requests")
        try:
            operation, labels = protocol.route(request.method, request.url)
            body = request.body.encode() if isinstance(request.body, str) else request.body
            params = protocol.parse(operation, request.url, labels, body)
        except MgnError as error:
            return protocol.fail(error, request_id)
        drawn, self._in_flight.fault = self._in_flight.fault, None
        fault = drawn if drawn is not None else self._estate.dice.call_fault()
        return self._answer(operation, params, _region(_scope_region(request), request.url), fault, request_id)[0]

    def _answer(self, operation: OperationModel, params: dict, region: str | None, fault: str | None,
                request_id: str) -> tuple[Reply, dict | None]:
        """The reply to a parsed request, with the output it carries (None for an error)."""
        protocol = self._protocol
        try:
            self.calls.append((operation.name, params))
            self._check_admission(operation.name, region, fault)
            if operation.input_shape is not None and (problems := validate(operation.input_shape, params)):
                raise ValidationException(f"{len(problems)} validation error(s) in {operation.name}: "
                                          + "; ".join(f"{p['name']} {p['message']}" for p in problems),
                                          reason="fieldValidationFailed", fieldList=problems)
            handler = OPERATIONS.get(operation.name)
            if handler is None:
                raise UnknownOperationException(f"Operation {operation.name} is not implemented by waveflow's MGN "
                                                f"emulator; implemented: {', '.join(sorted(OPERATIONS))}")
            self._estate.advance()
            output = handler(self._estate, params)
            return protocol.answer(operation, output, request_id), output
        except Refused as refused:
            return protocol.fail(protocol.refusal(operation, refused), request_id), None
        except MgnError as error:
            return protocol.fail(error, request_id), None

    def _check_admission(self, operation_name: str, region: str | None, fault: str | None) -> None:
        """The call fault drawn for this attempt, then the region this emulator holds, then the account's
        initialisation."""
        if fault is not None:
            raise _CALL_FAULTS[fault]()
        if region not in (None, self.region):
            raise UninitializedAccountException(
                f"Account {self.account} is not initialized for Application Migration Service in {region} "
                f"(this emulator holds {self.region} only)")
        if operation_name != "InitializeService" and not self._estate.initialized:
            raise UninitializedAccountException(
                f"Account {self.account} is not initialized for Application Migration Service in {self.region}; "
                "call InitializeService first")


def _scope_region(request: AWSPreparedRequest) -> str | None:
    """The region in a signed request's SigV4 credential scope."""
    authorization = request.headers.get("Authorization") or b""
    if isinstance(authorization, bytes):
        authorization = authorization.decode("latin-1")
    match = _SCOPE_REGION.search(authorization)
    return match.group(1) if match else None


def _region(signing_region: str | None, url: str) -> str | None:
    """The region a request was signed for, else the one it is addressed to; None when it cannot be told."""
    if signing_region:
        return signing_region
    match = _HOST_REGION.match(re.sub(r"^https?://", "", url))
    return match.group(1) if match else None
