"""Counting what a run asks of AWS, as AWS bills it, by listening to botocore's events on the handlers' session.

Every request the tasks make (and the queue polling the event source mapping makes on their behalf) passes
through the session the twin injects into ``tasks.lib.aws``. ``Meter`` counts them per operation and turns
them into the units of ``prices.json``: one event per EventBridge entry, one request per SQS call and per SNS
publish (64 KB chunks each), one Secrets Manager or KMS call each. DynamoDB's read and write units are counted by
the twin's DynamoDB, which knows each item's size (``TwinDynamoDB.consumed``). KMS requests that AWS services make
on their own behalf (SQS and DynamoDB encryption) are not seen and not counted.

    >>> meter = Meter(); meter.install(session)   # before any client is built from the session
    >>> ...                                        # run the wave
    >>> meter.usage()["sqs_requests"]
"""
from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

_CHUNK = 64 * 1024


def _units(size: int, unit: int) -> int:
    return max(1, math.ceil(size / unit))


class Meter:
    """Counts the calls made through one boto3 session to the services billed per request and prices them in
    ``prices.json`` units.

    It listens only to those services' events (``after-call.sqs``, ...), not to every call's: most of a run's
    requests (DynamoDB, EC2, MGN, SSM) are counted elsewhere or not billed per request, and each handler on the
    generic events ran on every one of them."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()  # calls per operation of the metered services
        self._units: Counter[str] = Counter()

    def install(self, session) -> None:
        """Listen on ``session`` (clients built from it afterwards are counted)."""
        for service_id, counter in _COUNTERS.items():
            session.events.register(f"before-parameter-build.{service_id}", self._remember)
            session.events.register(f"after-call.{service_id}", self._counting(counter))

    @staticmethod
    def _remember(params: dict, context: dict, **_: Any) -> None:
        context["waveflow_params"] = params

    def _counting(self, counter):
        def count(model, parsed: dict, context: dict, **_: Any) -> None:
            operation = model.name
            self.calls[f"{model.service_model.service_name}.{operation}"] += 1
            for item, quantity in counter(operation, context.get("waveflow_params", {}), parsed or {}).items():
                self._units[item] += quantity
        return count

    def usage(self) -> dict[str, float]:
        """Quantities per ``prices.json`` item (Lambda and Step Functions come from the twin, not from here)."""
        return dict(self._units)


def _chunks(text: str | None) -> int:
    return _units(len((text or "").encode()), _CHUNK)


def _events(operation: str, params: dict, parsed: dict) -> dict[str, float]:
    if operation != "PutEvents":
        return {}
    return {"eventbridge_events": sum(_chunks(json.dumps(entry, default=str)) for entry in params.get("Entries", []))}


def _sqs(operation: str, params: dict, parsed: dict) -> dict[str, float]:
    if operation == "SendMessage":
        return {"sqs_requests": _chunks(params.get("MessageBody"))}
    if operation == "SendMessageBatch":
        return {"sqs_requests": _chunks("".join(e.get("MessageBody", "") for e in params.get("Entries", [])))}
    return {"sqs_requests": 1}


def _sns(operation: str, params: dict, parsed: dict) -> dict[str, float]:
    return {"sns_publishes": _chunks(params.get("Message"))} if operation == "Publish" else {}


#: per service, by its id in botocore's event names (``ServiceId.hyphenize()``: ``events`` is ``eventbridge``)
_COUNTERS = {
    "eventbridge": _events,
    "sqs": _sqs,
    "sns": _sns,
    "secrets-manager": lambda operation, params, parsed: {"secrets_api_calls": 1},
    "kms": lambda operation, params, parsed: {"kms_requests": 1},
}
