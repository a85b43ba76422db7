"""The wave table (``WAVEFLOW_WAVE_TABLE``, key ``wave``): one item per wave, the wave's side of docs/waves.md.

It holds the wave's concurrency limit (``maxConcurrency``), the migrations holding a slot (``running``), the
migrations parked at the cutover gate (``parked``), the cutover decision (``decision``: PENDING, APPROVED or
REJECTED, with ``decisionReason``) and the number of migrations the submitter sent (``expectedMigrations``).

Every change is one conditional UpdateItem on that one item, so DynamoDB itself serialises the races:

* a slot is taken by ADDing the migration ID to the string set ``running``, on condition that the ID is already
  there or ``size(running) < maxConcurrency``, and given back by DELETE. Both are idempotent: a duplicate event or
  a retried Lambda never takes or frees a second slot, and two starters picking one queued migration take one;
* a migration parks at the gate by ADDing its ID to ``parked`` on condition that no decision was made, and the
  decision is written on condition that none (or the same) was made. Whichever of the two comes second sees the
  other's write: the decider gets every parked ID back with its write, and a late parker learns the decision
  from its refused condition (see ``tasks/wave_gate.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from tasks.lib import aws
from tasks.lib.awserrors import error_code, transient_as_throttled
from tasks.lib.config import load_config
from tasks.lib.dynamo import from_item, to_attribute
from tasks.lib.errors import IllegalTransition
from tasks.lib.request import wave_text

PENDING = "PENDING"
APPROVED = "APPROVED"
REJECTED = "REJECTED"
DECISIONS = (PENDING, APPROVED, REJECTED)
_CONFLICT = "ConditionalCheckFailedException"


@dataclass(frozen=True)
class Wave:
    """One wave's item, read or as written; sets are sorted tuples, so every walk over them is repeatable."""

    name: str
    max_concurrency: int | None = None
    running: tuple[str, ...] = ()
    parked: tuple[str, ...] = ()
    decision: str = PENDING
    reason: str | None = None
    expected: int | None = None

    @classmethod
    def from_item(cls, name: str, item: dict[str, Any] | None) -> "Wave":
        record = from_item(item) if item else {}
        return cls(
            name=name,
            max_concurrency=record.get("maxConcurrency"),
            running=tuple(sorted(record.get("running") or ())),
            parked=tuple(sorted(record.get("parked") or ())),
            decision=record.get("decision") or PENDING,
            reason=record.get("decisionReason"),
            expected=record.get("expectedMigrations"),
        )

    @property
    def free(self) -> int:
        """Slots free now (0 for a wave without a limit yet: nothing starts before its item exists)."""
        return max(0, (self.max_concurrency or 0) - len(self.running))


class WaveTable:
    """Reads and conditionally writes wave items.

    >>> waves = WaveTable()  # table from WAVEFLOW_WAVE_TABLE, client from tasks.lib.aws
    >>> waves.ensure("7", default_limit=25).max_concurrency  # doctest: +SKIP
    25
    >>> waves.take_slot("7", "s-0a1b2c3d4e5f60718-7")  # doctest: +SKIP
    True
    """

    def __init__(self, table_name: str | None = None, client: Any = None) -> None:
        self.table_name = table_name or load_config().require("wave_table")
        self.client = client or aws.client("dynamodb")

    def get(self, wave: str | int | float) -> Wave:
        """The wave's item (strongly consistent read); a wave nobody opened yet reads as PENDING with no limit."""
        name = wave_text(wave)
        with transient_as_throttled(f"DynamoDB GetItem on {self.table_name}"):
            item = self.client.get_item(TableName=self.table_name, Key=self._key(name), ConsistentRead=True)
        return Wave.from_item(name, item.get("Item"))

    def ensure(self, wave: str | int | float, default_limit: int) -> Wave:
        """The wave's item, created with ``default_limit`` if it has none (the first request of a wave creates it)."""
        return self._update(wave, "SET maxConcurrency = if_not_exists(maxConcurrency, :limit), "
                                  "createdAt = if_not_exists(createdAt, :now)", {":limit": default_limit})

    def open(self, wave: str | int | float, expected: int, limit: int | None = None) -> Wave:
        """Write the wave's expected count, and its limit when given (else it keeps the one it has)."""
        values: dict[str, Any] = {":expected": expected}
        expression = "SET expectedMigrations = :expected, createdAt = if_not_exists(createdAt, :now), " \
                     "openedAt = if_not_exists(openedAt, :now)"
        if limit is not None:
            expression += ", maxConcurrency = :limit"
            values[":limit"] = limit
        return self._update(wave, expression, values)

    def take_slot(self, wave: str | int | float, migration_id: str, *, default_limit: int | None = None) -> bool:
        """Hold a slot for ``migration_id`` (already holding one counts); ``False`` when the wave is full.

        ``default_limit``: the limit a wave nobody opened yet gets first (as :meth:`ensure` gives it), when the
        refused write shows its item has none; a wave with a limit is asked once, not opened again on every request.
        """
        taken, current = self._conditional(
            wave, "ADD running :ids", {":ids": {migration_id}, ":id": migration_id},
            "attribute_exists(maxConcurrency) AND (contains(running, :id) OR attribute_not_exists(running) "
            "OR size(running) < maxConcurrency)",
        )
        if taken or current.max_concurrency is not None or default_limit is None:
            return taken
        self.ensure(wave, default_limit)
        return self.take_slot(wave, migration_id)

    def give_back(self, wave: str | int | float, migration_id: str) -> Wave:
        """Free ``migration_id``'s slot (nothing happens if it holds none); the wave as it is now."""
        return self._update(wave, "DELETE running :ids", {":ids": {migration_id}})

    def park(self, wave: str | int | float, migration_id: str) -> str:
        """Note ``migration_id`` as waiting at the gate unless the wave has decided; the decision (PENDING: parked)."""
        parked, current = self._conditional(
            wave, "ADD parked :ids", {":ids": {migration_id}, ":pending": PENDING},
            "attribute_not_exists(decision) OR decision = :pending",
        )
        return PENDING if parked else current.decision  # refused: the decision the item held, made once for all

    def decide(self, wave: str | int | float, decision: str, reason: str) -> Wave:
        """Record the cutover decision once (repeating the same one is a no-op); the wave with every parked ID.

        A different decision already made raises :class:`IllegalTransition`: an approved wave is never rejected
        after the fact, nor the reverse.
        """
        if decision not in (APPROVED, REJECTED):
            raise ValueError(f"a wave's cutover decision is {APPROVED} or {REJECTED}, not {decision!r}")
        decided, current = self._conditional(
            wave,
            "SET decision = :decision, decisionReason = if_not_exists(decisionReason, :reason), "
            "decidedAt = if_not_exists(decidedAt, :now)",
            {":decision": decision, ":reason": reason, ":pending": PENDING, ":now": aws.iso_now()},
            "attribute_not_exists(decision) OR decision = :pending OR decision = :decision",
        )
        if not decided:
            raise IllegalTransition(f"wave {current.name!r}: its cutover was already {current.decision}"
                                    f" ({current.reason}); it cannot become {decision}")
        return current

    # -- the calls ---------------------------------------------------------------------------------------------

    @staticmethod
    def _key(name: str) -> dict[str, Any]:
        return {"wave": {"S": name}}

    def _update(self, wave: str | int | float, expression: str, values: dict[str, Any]) -> Wave:
        if ":now" in expression:
            values = {**values, ":now": aws.iso_now()}
        return self._conditional(wave, expression, values, None)[1]  # no condition: always written

    def _conditional(self, wave: str | int | float, expression: str, values: dict[str, Any],
                     condition: str | None) -> tuple[bool, Wave]:
        """One UpdateItem: ``(True, the wave as written)``, or ``(False, the wave as it stood)`` when ``condition``
        did not hold (DynamoDB returns the item that refused it: no second read to learn why)."""
        name = wave_text(wave)
        request = {
            "TableName": self.table_name,
            "Key": self._key(name),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": {key: to_attribute(value) for key, value in values.items()},
            "ReturnValues": "ALL_NEW",
        }
        if condition is not None:
            request.update(ConditionExpression=condition, ReturnValuesOnConditionCheckFailure="ALL_OLD")
        try:
            with transient_as_throttled(f"DynamoDB UpdateItem on {self.table_name} (wave {name})"):
                response = self.client.update_item(**request)
        except ClientError as exc:
            if error_code(exc) != _CONFLICT or condition is None:
                raise
            return False, Wave.from_item(name, exc.response.get("Item"))
        return True, Wave.from_item(name, response["Attributes"])
