"""The migration status table: one record per migration, moved only along the legal transitions.

Every change is a conditional write on the status *and* the version the writer read, so two stages (or a stage
and the rollback path) racing on one migration cannot both win: the loser re-reads, re-checks the transition
table and either applies its change to the fresh record or is refused with :class:`IllegalTransition`. Staying
in a status is checked too (:func:`tasks.lib.status.may_note`): no write skips the check.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from tasks.lib import aws
from tasks.lib.awserrors import error_code, transient_as_throttled
from tasks.lib.config import load_config
from tasks.lib.dynamo import from_attribute, from_item, to_attribute, to_item
from tasks.lib.errors import (
    AwsThrottled,
    IllegalTransition,
    InvalidMigrationDocument,
    MigrationNotFound,
    RequestConflict,
)
from tasks.lib.identity import conflict, identity_key
from tasks.lib.observability import logger
from tasks.lib.request import wave_text
from tasks.lib.status import RECORDED_AFTER_END, TERMINAL, TRANSITIONS, Status, may_note

RETENTION_AFTER_TERMINAL = timedelta(days=30)
_WRITE_ATTEMPTS = 3  # a conflict means another writer got in between; re-read and re-decide this often
_CONFLICT = "ConditionalCheckFailedException"
_CANCELLED_BY_CONDITION = "ConditionalCheckFailed"
#: Reasons DynamoDB gives for cancelling a transaction that a later attempt can get through.
_TRANSIENT_CANCELLATIONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded",
                                      "RequestLimitExceeded"})
_INDEXES = {"status": "statusIndex", "wave": "waveIndex", "appName": "appNameIndex"}


def _conflicting_item(exc: ClientError) -> dict[str, Any] | None:
    """The item that made a conditional write fail (``None`` if there is none); any other error propagates."""
    if error_code(exc) != _CONFLICT:
        raise exc
    item = exc.response.get("Item")
    return from_item(item) if item else None


def _check_legal(migration_id: str, current: dict[str, Any], origin: Status, to: Status, stage: str | None) -> None:
    """Raise :class:`IllegalTransition` unless writing ``to`` on ``current`` is legal for a writer that started at
    ``origin`` (see :meth:`StatusStore.transition`)."""
    status = Status(current["status"])
    if origin is to and status is to:
        if may_note(to, stage):
            return
        problem = f"{stage or 'a writer'} cannot record a detail once it is {status} (only {', '.join(sorted(RECORDED_AFTER_END))})"
    elif origin is to:
        problem = f"the record left {to} for {status}; a note for {to} no longer applies"
    elif status is to:
        problem = f"another writer moved it from {origin} to {to} first"
    elif to in TRANSITIONS[status]:
        return
    else:
        allowed = ", ".join(sorted(TRANSITIONS[status])) or "nothing (terminal)"
        problem = f"{status} -> {to} is not a legal transition (from {status}: {allowed})"
    raise IllegalTransition(f"migration {migration_id!r}: {problem}")


def _won_by_twin(current: dict[str, Any], origin: Status, to: Status, stage: str | None) -> bool:
    """Whether a move from ``origin`` to ``to`` lost its race to a twin: the same stage made that very move."""
    history = current.get("history") or [{}]
    last = history[-1]
    return origin is not to and current["status"] == to.value and last.get("status") == to.value and last.get("stage") == stage


def _canonical(value: Any) -> Any:
    """``value`` as it reads back from DynamoDB, so a re-sent stage detail compares equal to the stored one."""
    return from_attribute(to_attribute(value))


def _as_written(detail: Any) -> tuple[dict[str, Any], Any]:
    """A stage detail as the attribute value a write sends and as the value it reads back as, converted once for
    both (a transition compares the stored detail with it, then writes it and keeps it on the new record)."""
    attribute = to_attribute(detail or {})
    return attribute, from_attribute(attribute)


class StatusStore:
    """Reads and conditionally writes status records (see DESIGN.md, "Status record").

    >>> store = StatusStore()  # table from WAVEFLOW_STATUS_TABLE, client from tasks.lib.aws
    >>> record, created = store.create(normalised_request)  # doctest: +SKIP
    >>> store.transition(record["migrationId"], Status.VALIDATED, stage="validation", detail={"ok": True})  # doctest: +SKIP
    """

    def __init__(self, table_name: str | None = None, client: Any = None) -> None:
        self.table_name = table_name or load_config().status_table
        self.client = client or aws.client("dynamodb")

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        method = getattr(self.client, operation)
        with transient_as_throttled(f"DynamoDB {operation} on {self.table_name}"):
            return method(TableName=self.table_name, **kwargs)

    def create(self, request: dict[str, Any], *, id_given: bool = True) -> tuple[dict[str, Any], bool]:
        """Store a normalised request as a PENDING record; ``(record, True)``, or ``(existing, False)`` for a duplicate.

        One migration per server and wave (``tasks.lib.identity``): the record and its identity item are written
        in one transaction, each conditional on its key being free, so a duplicate request never overwrites or
        restarts a migration and the same server and wave under another ID never makes a second one. A request
        that meets a migration it cannot be (another server or wave under its ID, another ID or other content
        for its server and wave) raises :class:`RequestConflict` with the reason; a true duplicate returns the
        stored record, for the caller to decide what is still owed (its event). ``id_given``: whether the
        requester named the migration ID (a request without one matches its server and wave's migration).
        """
        missing = [key for key in ("migrationId", "correlationId", "sourceServerId", "wave") if not request.get(key)]
        if missing:
            raise InvalidMigrationDocument(f"StatusStore.create needs a normalised request; missing {missing}")
        now = aws.iso_now()
        record = {
            **request,
            "status": Status.PENDING.value,
            "version": 1,
            "createdAt": now,
            "updatedAt": now,
            "executionDetails": {},
            "publishedEvents": {},
            "history": [{"status": Status.PENDING.value, "at": now}],
        }
        stale_owner: str | None = None
        for _ in range(_WRITE_ATTEMPTS):
            try:
                self._create_with_identity(record, stale_owner)
                return record, True
            except ClientError as exc:
                existing, stale_owner = self._claimant(exc, request)
            if existing is not None:
                problem = conflict(existing, _canonical(request), id_given=id_given)
                if problem:
                    raise RequestConflict(str(problem), problem)
                return existing, False
        raise AwsThrottled(f"the identity of migration {request['migrationId']!r} changed under {_WRITE_ATTEMPTS}"
                           " attempts to create it; retry later")

    def _create_with_identity(self, record: dict[str, Any], stale_owner: str | None) -> None:
        """The transaction writing ``record`` and its identity item (taking over ``stale_owner``'s, if given)."""
        identity = {"migrationId": identity_key(record), "owner": record["migrationId"]}
        free = {"ConditionExpression": "attribute_not_exists(migrationId)"}
        taken_over = {
            "ConditionExpression": "#owner = :stale",
            "ExpressionAttributeNames": {"#owner": "owner"},
            "ExpressionAttributeValues": {":stale": to_attribute(stale_owner)},
        }
        with transient_as_throttled(f"DynamoDB TransactWriteItems on {self.table_name}"):
            self.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.table_name, "Item": to_item(record), **free,
                         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
                {"Put": {"TableName": self.table_name, "Item": to_item(identity),
                         **(taken_over if stale_owner else free), "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            ])

    def _claimant(self, exc: ClientError, request: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
        """After a refused create: ``(the live record in the way, None)``, or ``(None, stale owner to take over)``.

        ``(None, None)`` means the way is free again (an item expired between the write and this read).
        """
        if error_code(exc) != "TransactionCanceledException":
            raise exc
        record_reason, identity_reason = (exc.response.get("CancellationReasons") or [{}, {}])[:2]
        codes = {record_reason.get("Code"), identity_reason.get("Code")} - {None, "None", _CANCELLED_BY_CONDITION}
        if codes:
            if codes <= _TRANSIENT_CANCELLATIONS:
                raise AwsThrottled(f"DynamoDB TransactWriteItems on {self.table_name} was cancelled: {sorted(codes)}")
            raise exc
        if record_reason.get("Code") == _CANCELLED_BY_CONDITION:
            item = record_reason.get("Item")
            return (from_item(item) if item else self.get(request["migrationId"])), None
        item = identity_reason.get("Item")
        owner_id = from_item(item).get("owner") if item else None
        owner = self.get(owner_id) if owner_id else None
        if owner is None or owner.get("ttl", float("inf")) <= aws.now().timestamp():
            return None, owner_id
        return owner, None

    def get(self, migration_id: str) -> dict[str, Any] | None:
        """The record of ``migration_id`` (strongly consistent read), or ``None``."""
        item = self._call("get_item", Key={"migrationId": {"S": migration_id}}, ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def transition(
        self,
        migration_id: str,
        to: Status | str,
        *,
        stage: str | None = None,
        detail: dict[str, Any] | None = None,
        execution_arn: str | None = None,
        based_on: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Move ``migration_id`` to ``to``, recording ``detail`` under ``executionDetails.<stage>``; the new record.

        ``based_on`` is the record the writer decided on (default: the record as read now; no second read is made
        when it is given). From another status,
        this is a *move*, legal only along :data:`TRANSITIONS`. From ``to`` itself it is a *note*: the detail is
        updated in place (a poll recording progress), legal only where :func:`may_note` allows it — on a SUCCESS
        or FAILED record only the callback's result. Re-sending what is already stored writes nothing: stages are
        retried. A move whose race was won by another writer writes nothing either: a twin of the same stage
        (a duplicate invocation) gets the winner's record, anyone else :class:`IllegalTransition`. Every refusal
        writes nothing; an unknown ID raises :class:`MigrationNotFound`.
        """
        to = Status(to)
        # The record the writer decided on is as good as a fresh read: the write is conditional on its version,
        # and a refused write returns the stored record to decide again on.
        current = based_on if based_on is not None else self.get(migration_id)
        origin = Status((current or {}).get("status", to))
        written = _as_written(detail) if stage is not None else None
        for _ in range(_WRITE_ATTEMPTS):
            if current is None:
                raise MigrationNotFound(f"no status record for migration {migration_id!r} in {self.table_name}")
            if Status(current["status"]) is to and self._holds(current, stage, written, execution_arn):
                return current
            if _won_by_twin(current, origin, to, stage):
                return current
            _check_legal(migration_id, current, origin, to, stage)
            try:
                return self._write(current, to, stage, written, execution_arn)
            except ClientError as exc:
                # another writer got in first: decide again on what it wrote
                current = _conflicting_item(exc) or self.get(migration_id)
        raise AwsThrottled(
            f"migration {migration_id!r} changed under {_WRITE_ATTEMPTS} attempts to move it to {to}; retry later"
        )

    def note_if_unchanged(self, record: dict[str, Any], stage: str, detail: dict[str, Any]) -> dict[str, Any] | None:
        """Record ``detail`` under ``executionDetails.<stage>`` only if ``record`` is still the stored version.

        A compare-and-set for decisions that must be taken once (the poll's one stall retry): of two writers
        that read the same version, one gets the new record and the other ``None``, and acts on nothing. A note
        the lifecycle does not allow (:func:`may_note`) raises :class:`IllegalTransition`.
        """
        status = Status(record["status"])
        _check_legal(record["migrationId"], record, status, status, stage)
        try:
            return self._write(record, status, stage, _as_written(detail), None)
        except ClientError as exc:
            _conflicting_item(exc)  # anything but a lost race propagates
            return None

    @staticmethod
    def _holds(
        record: dict[str, Any], stage: str | None, written: tuple[dict[str, Any], Any] | None, execution_arn: str | None
    ) -> bool:
        """Whether ``record`` already carries this stage detail (``written``, see :func:`_as_written`) and ARN."""
        if stage is not None and record.get("executionDetails", {}).get(stage) != written[1]:
            return False
        return execution_arn is None or record.get("executionArn") == execution_arn

    def _write(
        self,
        current: dict[str, Any],
        to: Status,
        stage: str | None,
        written: tuple[dict[str, Any], Any] | None,
        execution_arn: str | None,
    ) -> dict[str, Any]:
        """Write the change conditional on ``current``'s status and version, and return the record it made.

        The condition held, so the stored record was ``current`` and is now ``current`` with what this write set:
        the new record is made here beside the expression, each value as it reads back, instead of asking for it
        (``ALL_NEW`` sends the whole record, kilobytes of history and stage details, back on every transition;
        ``UPDATED_NEW`` answers differ between DynamoDB and its emulators for a value set to what it was).
        """
        now = aws.iso_now()
        names = {"#status": "status", "#version": "version", "#updatedAt": "updatedAt"}
        values = {
            ":from": to_attribute(current["status"]),
            ":to": to_attribute(to.value),
            ":version": to_attribute(current["version"]),
            ":next": to_attribute(current["version"] + 1),
            ":now": to_attribute(now),
        }
        assignments = ["#status = :to", "#version = :next", "#updatedAt = :now"]
        record = {**current, "status": to.value, "version": current["version"] + 1, "updatedAt": now}
        if stage is not None:
            names.update({"#details": "executionDetails", "#stage": stage})
            values[":detail"], stored = written
            assignments.append("#details.#stage = :detail")
            record["executionDetails"] = {**(current.get("executionDetails") or {}), stage: stored}
        if execution_arn is not None:
            values[":arn"] = to_attribute(execution_arn)
            assignments.append("executionArn = :arn")
            record["executionArn"] = execution_arn
        if to.value != current["status"]:
            names["#history"] = "history"
            entry = {"status": to.value, "at": now, **({"stage": stage} if stage else {})}
            values.update({":entry": to_attribute([entry]), ":none": to_attribute([])})
            assignments.append("#history = list_append(if_not_exists(#history, :none), :entry)")
            record["history"] = [*(current.get("history") or []), entry]
            if to in TERMINAL:
                names["#ttl"] = "ttl"
                record["ttl"] = int((aws.now() + RETENTION_AFTER_TERMINAL).timestamp())
                values[":ttl"] = to_attribute(record["ttl"])
                assignments.append("#ttl = :ttl")
        self._call(
            "update_item",
            Key={"migrationId": {"S": current["migrationId"]}},
            UpdateExpression="SET " + ", ".join(assignments),
            ConditionExpression="#status = :from AND #version = :version",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        if "ttl" in record and to in TERMINAL and to.value != current["status"]:
            self._expire_identity(record)
        return record

    def _expire_identity(self, record: dict[str, Any]) -> None:
        """Give the ended migration's identity item its record's ``ttl``, so both leave the table together.

        Housekeeping after the transition was written, so it never fails it: an identity item left without a
        ``ttl`` is taken over anyway once its record is gone (see :meth:`create`).
        """
        try:
            self._call(
                "update_item",
                Key={"migrationId": {"S": identity_key(record)}},
                UpdateExpression="SET #ttl = :ttl",
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#ttl": "ttl", "#owner": "owner"},
                ExpressionAttributeValues={":ttl": to_attribute(record["ttl"]), ":owner": to_attribute(record["migrationId"])},
            )
        except (ClientError, AwsThrottled) as exc:
            logger.warning("the identity item keeps no expiry", extra={"error": f"{type(exc).__name__}: {exc}"})

    def record_event(self, migration_id: str, detail_type: str, event_id: str) -> bool:
        """Note that ``detail_type`` was published for the migration; ``False`` if it was already noted.

        Ingress uses this to tell "created and announced" from "created, announcement lost": the second kind
        is announced again when the request is redelivered.
        """
        try:
            self._call(
                "update_item",
                Key={"migrationId": {"S": migration_id}},
                UpdateExpression="SET #published.#type = :id",
                ConditionExpression="attribute_exists(migrationId) AND attribute_not_exists(#published.#type)",
                ExpressionAttributeNames={"#published": "publishedEvents", "#type": detail_type},
                ExpressionAttributeValues={":id": to_attribute(event_id)},
            )
        except ClientError as exc:
            if error_code(exc) != _CONFLICT:
                raise
            return False
        return True

    def _query(self, attribute: str, value: str, fields: Sequence[str] = ()) -> list[dict[str, Any]]:
        """The records of one index key; only ``fields`` of each when given (a record is kilobytes, a wave
        thousands of them, and a wave's watcher reads them on every pass)."""
        names = {"#key": attribute, **{f"#f{n}": name for n, name in enumerate(fields)}}
        projection = {"ProjectionExpression": ", ".join(f"#f{n}" for n in range(len(fields)))} if fields else {}
        paginator = aws.paginator(self.client, "query")
        pages = paginator.paginate(
            TableName=self.table_name,
            IndexName=_INDEXES[attribute],
            KeyConditionExpression="#key = :value",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={":value": to_attribute(value)},
            **projection,
        )
        with transient_as_throttled(f"DynamoDB Query on {self.table_name}/{_INDEXES[attribute]}"):
            return [from_item(item) for page in pages for item in page.get("Items", [])]

    def by_status(self, status: Status | str) -> list[dict[str, Any]]:
        """Records in ``status``, oldest update first (``statusIndex``)."""
        return self._query("status", Status(status).value)

    def by_wave(self, wave: str | int | float, fields: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Records of one wave, by migration ID (``waveIndex``); ``7``, ``7.0`` and ``"7"`` name the same wave.

        >>> StatusStore().by_wave("7", fields=("migrationId", "status"))  # doctest: +SKIP
        [{'migrationId': 's-0a1b2c3d4e5f60718-7', 'status': 'SUCCESS'}, ...]
        """
        return self._query("wave", wave_text(wave), fields)

    def by_app(self, app_name: str) -> list[dict[str, Any]]:
        """Records of one application, by migration ID (``appNameIndex``)."""
        return self._query("appName", app_name)
