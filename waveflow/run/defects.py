"""What a broken request looks like: the mistakes requesters make, for the ``invalid_requests`` fault.

Each defect breaks one request in one way the request schema (or JSON itself) refuses, so ingress must
dead-letter it with a reason naming that field. Which request gets which defect is drawn from the run's seed.

    >>> name, body = DEFECTS[0].apply({"callbackUrl": "https://hooks.example.com/m", "appName": "crm"})
    >>> name, json.loads(body)["callbackUrl"]
    ('callbackUrl over plain http', 'http://hooks.example.com/m')
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Defect:
    """One way to break a request: ``name`` says what, ``field`` is where ingress's reason will point."""

    name: str
    field: str
    breaks: Callable[[dict], dict | str]

    def apply(self, request: dict) -> tuple[str, str]:
        """``(what was broken, the message body)``."""
        broken = self.breaks(copy.deepcopy(request))
        return self.name, broken if isinstance(broken, str) else json.dumps(broken)


def _set(path: str, value) -> Callable[[dict], dict]:
    def breaks(request: dict) -> dict:
        *parents, leaf = path.split(".")
        node = request
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
        return request
    return breaks


def _drop(key: str) -> Callable[[dict], dict]:
    def breaks(request: dict) -> dict:
        request.pop(key, None)
        return request
    return breaks


def _plain_http(request: dict) -> dict:
    request["callbackUrl"] = "http://" + str(request.get("callbackUrl") or "https://hooks.example.com/m").split(
        "://", 1)[-1]
    return request


DEFECTS = (
    Defect("callbackUrl over plain http", "callbackUrl", _plain_http),
    Defect("sourceServerId that is no MGN id", "sourceServerId", _set("sourceServerId", "srv-0042")),
    Defect("environment outside dev/test/prod", "environment", _set("environment", "staging")),
    Defect("target.accountId of 11 digits", "target.accountId", _set("target.accountId", "12345678901")),
    Defect("an unknown field", "priority", _set("priority", "high")),
    Defect("no appName", "appName", _drop("appName")),
    Defect("target.subnetId that is no subnet id", "target.subnetId", _set("target.subnetId", "subnet-XYZ")),
    Defect("a body cut short (not JSON)", "(body)", lambda request: json.dumps(request)[:40]),
)
