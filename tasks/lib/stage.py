"""The one decorator every migration stage handler uses, so each stage module holds only its own decisions.

A stage is a function ``(document, run) -> value``: it gets the whole state document and a :class:`StageRun`
(the status record as it stood, the store, the event publisher), does its work, and returns the value of its
own key. :func:`stage` turns it into a Lambda handler ``(event, context) -> document`` that, in this order:

1. checks the fields the stage needs (``InvalidMigrationDocument`` naming the first missing one — never a
   KeyError deep inside the stage);
2. puts the correlation ID, migration ID and stage on every log line and the X-Ray trace;
3. for stages with side effects, runs the stage through Powertools idempotency (DynamoDB persistence layer),
   keyed on migration ID + stage + the input named in ``idempotent_on``: the same invocation twice does the
   side effects once and returns the stored value. Powertools deletes its in-progress record when a stage
   raises, so a retry after a crash runs the stage again — which is why every stage also reconciles with
   what MGN/AWS already did before acting (see each stage's docstring);
4. refuses to run when the status record is not in one of the statuses the stage runs in
   (``IllegalTransition``, before any side effect, nothing written);
5. returns the document with the stage's key replaced, never dropping other keys;
6. maps transient failures of any AWS service to ``AwsThrottled`` (``tasks.lib.awserrors``) — those of
   Powertools' own idempotency table too, which it wraps in ``IdempotencyPersistenceLayerError`` — counts every
   error by type (metric ``StageErrors``, dimension ``ErrorType``) and flushes the invocation's metrics
   (:func:`reports_errors`, which handlers that are not stages use as well).

Announcing is owed until it is done: :meth:`StageRun.advance` notes every published event on the status record
(``publishedEvents``, as ingress does), so a stage whose status write went through but whose PutEvents failed
publishes on its retry, and a retry after a successful publish publishes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.metrics import single_metric
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyPersistenceLayerError
from tasks.lib import aws
from tasks.lib.awserrors import classify, describe
from tasks.lib.config import load_config
from tasks.lib.errors import AwsThrottled, IllegalTransition, InvalidMigrationDocument, MigrationNotFound
from tasks.lib.events import EventPublisher, announcement_key, event_type_for
from tasks.lib.observability import logger, metrics, tracer
from tasks.lib.status import TRANSITIONS, Status
from tasks.lib.store import StatusStore

#: Fields every stage needs, whatever else it declares.
BASE_FIELDS = ("migrationId", "correlationId")

#: How long a stage's stored result answers a repeated invocation. A migration runs for hours to a day;
#: after this, a late duplicate runs the stage again and meets its reconciliation instead.
IDEMPOTENCY_TTL_SECONDS = 48 * 3600

StageFn = Callable[[dict, "StageRun"], dict]
Handler = Callable[[dict, Any], dict]
#: A metric that belongs to an announcement: (name, unit, value), emitted once, when the event goes out.
Count = tuple[str, str, float]


def entering(status: Status) -> frozenset[Status]:
    """The statuses a stage that moves the migration to ``status`` may start from.

    Read from the transition table, plus ``status`` itself: a retried stage finds its own status already
    written and must be able to finish.

    >>> sorted(entering(Status.VALIDATED))
    [<Status.PENDING: 'PENDING'>, <Status.VALIDATED: 'VALIDATED'>]
    """
    return frozenset({s for s, following in TRANSITIONS.items() if status in following} | {status})


@dataclass
class StageRun:
    """What a running stage may touch: its document, the status record, the store and the bus."""

    key: str
    document: dict
    record: dict
    store: StatusStore
    publisher: EventPublisher

    @property
    def migration_id(self) -> str:
        return self.document["migrationId"]

    @property
    def status(self) -> Status:
        return Status(self.record["status"])

    def detail(self, name: str | None = None) -> dict:
        """What the record holds in ``executionDetails.<name>`` (default: this stage's key), or ``{}``."""
        return dict((self.record.get("executionDetails") or {}).get(name or self.key) or {})

    def advance(self, to: Status, detail: dict, *, extra: dict | None = None, counts: Sequence[Count] = ()) -> dict:
        """Move the record to ``to`` with ``detail`` under this stage's key, and announce ``to`` unless it was.

        A retried stage finds its status already written (the store writes nothing when the detail is the same),
        or — for stages that move twice, like finalize and rollback — already passed, and then writes nothing
        for ``to``. Either way :meth:`announce` publishes what the record does not note as published.
        """
        if not self._passed(to):
            self.record = self.store.transition(
                self.migration_id, to, stage=self.key, detail=detail, based_on=self.record
            )
        self.announce(to, extra=extra, counts=counts)
        return self.record

    def announce(self, status: Status, *, extra: dict | None = None, counts: Sequence[Count] = ()) -> None:
        """Publish the event of ``status`` (with ``stage``, ``previousStatus`` and ``extra``) if it is still owed.

        The publication is noted on the record (``publishedEvents``) and ``counts`` are added by the run that
        noted it, so a lost PutEvents is made good by the retry and neither the event nor its metrics go out
        twice — except after a crash in the narrow window between a publish and its note.
        """
        key = announcement_key(status)
        published = dict(self.record.get("publishedEvents") or {})
        if key in published:
            return
        about = {**self.record, "status": status.value}
        event_id = self.publisher.publish(
            event_type_for(status), about, {"stage": self.key, **_previous_status(self.record, status), **(extra or {})}
        )
        noted = self.store.record_event(self.migration_id, key, event_id)
        self.record = {**self.record, "publishedEvents": {**published, key: event_id}}
        for name, unit, value in counts if noted else ():
            metrics.add_metric(name=name, unit=unit, value=value)

    def note(self, detail: dict) -> dict:
        """Record ``detail`` under this stage's key without changing the status (progress, write-ahead notes)."""
        self.record = self.store.transition(
            self.migration_id, self.status, stage=self.key, detail=detail, based_on=self.record
        )
        return self.record

    def claim(self, detail: dict) -> bool:
        """:meth:`note`, but only if nobody wrote the record since this run read it; whether this run won.

        Of two concurrent runs about to take a once-only step (a write-ahead note before a retry), one claims
        it and the other gets ``False`` and leaves the step to the first.
        """
        record = self.store.note_if_unchanged(self.record, self.key, detail)
        if record is None:
            return False
        self.record = record
        return True

    def _passed(self, status: Status) -> bool:
        """Whether the record went through ``status`` and on to a later one (statuses are never revisited)."""
        return self.status is not status and status.value in _history(self.record)


def _history(record: dict) -> list[str]:
    return [entry.get("status") for entry in record.get("history") or []]


def _previous_status(record: dict, status: Status) -> dict:
    """``{"previousStatus": ...}``: the status the record held before ``status``, read from its history."""
    history = _history(record)
    if status.value not in history[1:]:
        return {}
    return {"previousStatus": history[history.index(status.value) - 1]}


@dataclass(frozen=True)
class StageSpec:
    """What :func:`stage` knows about one stage (see its docstring)."""

    name: str
    key: str
    requires: tuple[str, ...]
    runs_in: frozenset[Status]
    idempotent_on: tuple[str, ...] | None


def stage(
    key: str,
    *,
    requires: Sequence[str] = (),
    runs_in: Iterable[Status],
    idempotent_on: Sequence[str] | None = None,
) -> Callable[[StageFn], Handler]:
    """Make ``fn(document, run) -> value`` the Lambda handler of a stage whose output key is ``key``.

    ``requires``: dotted paths the document must hold (besides migrationId and correlationId).
    ``runs_in``: statuses the record must be in for the stage to run (see :func:`entering`).
    ``idempotent_on``: for stages with side effects, the dotted paths of the input that, with the migration
    ID and the stage, make the idempotency key; ``None`` for stages that only read or re-read.

    >>> @stage("validation", requires=("sourceServerId",), runs_in=entering(Status.VALIDATED))
    ... def handler(document, run):
    ...     return {"ok": True}
    """

    def decorate(fn: StageFn) -> Handler:
        spec = StageSpec(
            name=f"{fn.__module__}.{fn.__name__}",
            key=key,
            requires=tuple(dict.fromkeys((*BASE_FIELDS, *requires))),
            runs_in=frozenset(runs_in),
            idempotent_on=tuple(idempotent_on) if idempotent_on is not None else None,
        )

        @reports_errors(key)
        @functools.wraps(fn)
        def handler(event: dict, context: Any) -> dict:
            document = _checked_document(spec, event)
            logger.append_keys(correlation_id=document["correlationId"], migrationId=document["migrationId"],
                               stage=spec.key)  # correlation_id: what logger.set_correlation_id sets
            tracer.put_annotation(key="migrationId", value=document["migrationId"])
            value = _execute(spec, fn, document, context)
            return {**document, spec.key: value}

        handler.spec = spec  # type: ignore[attr-defined]
        return handler

    return decorate


def reports_errors(key: str) -> Callable[[Handler], Handler]:
    """Make a task handler's failures reach Step Functions under the documented names, counted and logged.

    Transient AWS failures become ``AwsThrottled`` (see :func:`_translated`), every error is logged and counted
    by type (``StageErrors`` with dimensions ``ErrorType`` and ``Stage`` = ``key``), and the invocation's
    metrics are flushed either way. :func:`stage` applies it; handlers that are no stage (the approval
    request) use it directly.
    """

    def decorate(fn: Handler) -> Handler:
        name = f"{fn.__module__}.{fn.__name__}"

        @functools.wraps(fn)
        def handler(event: Any, context: Any) -> Any:
            try:
                return fn(event, context)
            except Exception as exc:
                translated = _translated(exc)
                _count(name, key, translated)
                if translated is exc:
                    raise
                raise translated from exc
            finally:
                if metrics.metric_set:
                    metrics.flush_metrics()

        return handler

    return decorate


def field_value(document: dict, path: str) -> Any:
    """The value at a dotted ``path`` of ``document``, or None when any part is missing.

    >>> field_value({"target": {"accountId": "123"}}, "target.accountId")
    '123'
    """
    value: Any = document
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _checked_document(spec: StageSpec, event: Any) -> dict:
    if not isinstance(event, dict):
        raise InvalidMigrationDocument(
            f"{spec.name} expects the state document (an object), got {type(event).__name__}"
        )
    missing = [path for path in spec.requires if field_value(event, path) in (None, "")]
    if missing:
        raise InvalidMigrationDocument(
            f"{spec.name}: the state document has no '{missing[0]}'"
            + (f" (also missing: {', '.join(missing[1:])})" if missing[1:] else ""),
            problems=tuple(missing),
        )
    return event


def _execute(spec: StageSpec, fn: StageFn, document: dict, context: Any) -> dict:
    failures: list[Exception] = []

    def run_stage() -> dict:
        store, publisher = StatusStore(), EventPublisher()
        record = store.get(document["migrationId"])
        if record is None:
            raise MigrationNotFound(f"{spec.name}: no status record for migration {document['migrationId']}")
        if Status(record["status"]) not in spec.runs_in:
            raise IllegalTransition(
                f"{spec.name} cannot run for migration {document['migrationId']} in status {record['status']}; "
                f"it runs in {', '.join(sorted(spec.runs_in))}"
            )
        run = StageRun(spec.key, document, record, store, publisher)
        try:
            if tracer.disabled:  # Powertools switched the X-Ray SDK off (outside Lambda): a subsegment is a dummy
                return fn(document, run)
            with tracer.provider.in_subsegment(f"## {spec.name}"):
                return fn(document, run)
        except Exception as exc:
            failures.append(exc)
            raise

    if spec.idempotent_on is None:
        return run_stage()
    key = _IdempotencyKey(
        migrationId=document["migrationId"],
        stage=spec.name,
        input={path: field_value(document, path) for path in spec.idempotent_on},
    )
    once, config = _idempotent_runner(spec)
    config.register_lambda_context(context)  # its deadline bounds the in-progress record of a crashed run
    try:
        return once(key=key, body=run_stage)
    except IdempotencyPersistenceLayerError as exc:
        if not failures:
            raise
        # The stage failed, then Powertools could not delete its in-progress record: the stage's error is the one
        # that decides (retry or roll back); a retry meets IdempotencyAlreadyInProgressError until the record's
        # in-progress expiry (the Lambda deadline) has passed.
        logger.warning(f"{spec.name}: the idempotency record could not be cleared after the stage failed: {exc}")
        raise failures[0]


class _IdempotencyKey(dict):
    """What Powertools hashes into a stage's idempotency key: a plain dict to its JSON encoder (the hash is the
    dict's), made afresh for each invocation and never changed, so Powertools' defensive deep copy of it (~10 us
    of its ~95 us of own work on an invocation) may hand back the key itself."""

    def __deepcopy__(self, memo: dict) -> "_IdempotencyKey":
        return self


#: Per stage: (the DynamoDB client it was built with, the idempotent wrapper, its config).
_RUNNERS: dict[str, tuple[Any, Callable[..., dict], IdempotencyConfig]] = {}


def _idempotent_runner(spec: StageSpec) -> tuple[Callable[..., dict], IdempotencyConfig]:
    """The Powertools-idempotent wrapper of a stage, built once per DynamoDB client (one per cold start).

    Built on first use rather than at import, and rebuilt when the local twin swaps the AWS session. Only
    ``key`` is hashed; ``body`` (the stage bound to this invocation's document) passes through untouched.
    """
    dynamodb = aws.client("dynamodb")
    cached = _RUNNERS.get(spec.name)
    if cached is None or cached[0] is not dynamodb:
        config = IdempotencyConfig(expires_after_seconds=IDEMPOTENCY_TTL_SECONDS)
        layer = DynamoDBPersistenceLayer(table_name=load_config().idempotency_table, boto3_client=dynamodb)

        @idempotent_function(
            data_keyword_argument="key", persistence_store=layer, config=config, key_prefix=f"waveflow.{spec.name}"
        )
        def once(*, key: dict, body: Callable[[], dict]) -> dict:  # noqa: ARG001 - key is what is hashed
            return body()

        cached = (dynamodb, once, config)
        _RUNNERS[spec.name] = cached
    return cached[1], cached[2]


def _translated(exc: Exception) -> Exception:
    """A transient AWS failure (throttling, 5xx, lost connection) becomes AwsThrottled; others stay as they are.

    Powertools wraps the failures of its idempotency table in ``IdempotencyPersistenceLayerError``; the AWS error
    under it (``__cause__``) decides, so a throttled idempotency table is retried rather than rolled back.
    """
    failure = exc.__cause__ if isinstance(exc, IdempotencyPersistenceLayerError) and exc.__cause__ else exc
    if not isinstance(failure, Exception) or classify(failure) is None:
        return exc
    operation = getattr(failure, "operation_name", "an AWS call")
    where = " on the idempotency table" if failure is not exc else ""
    return AwsThrottled(f"{operation}{where} failed transiently: {describe(failure)}")


def _count(name: str, key: str, exc: Exception) -> None:
    """Log ``exc`` and count it by type (one EMF record per error, so its dimensions stay its own)."""
    error_type = type(exc).__name__
    logger.error(f"{name} failed: {error_type}: {exc}", extra={"errorType": error_type})
    with single_metric(
        name="StageErrors", unit="Count", value=1, namespace=metrics.provider.namespace
    ) as metric:
        metric.add_dimension(name="ErrorType", value=error_type)
        metric.add_dimension(name="Stage", value=key)
