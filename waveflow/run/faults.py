"""Fault profiles for ``waveflow run --faults``: what AWS, MGN and requesters get wrong, at what rate.

Named profiles cover what a migration team meets; a JSON file sets custom rates, starting from a named profile::

    {"extends": "flaky-mgn", "mgn": {"throttle_rate": 0.2}, "lambda_timeouts": 0.01}

Every rate is a share in [0, 1], drawn from the run's seed, so a profile and a seed replay exactly.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..local.mgn import FaultPlan
from .intake.columns import closest


@dataclass(frozen=True)
class FaultProfile:
    """What to inject into a run. ``mgn`` is the MGN emulator's plan; the rest act on the twin's other parts."""

    name: str
    mgn: FaultPlan = field(default_factory=FaultPlan)
    #: share of requests sent broken (each with its own defect); they must end in the DLQ with their reason
    invalid_requests: float = 0.0
    #: share of requests a requester sends twice; the second must start nothing
    duplicate_requests: float = 0.0
    #: share of queue messages SQS delivers a second time (at-least-once delivery)
    redelivered_messages: float = 0.0
    #: share of task invocations that run past their Lambda timeout (``Sandbox.Timedout``)
    lambda_timeouts: float = 0.0
    #: share of the tasks' DynamoDB calls answered ``ProvisionedThroughputExceededException``
    dynamodb_throttles: float = 0.0


_FLAKY = {"throttle_rate": 0.05, "server_error_rate": 0.02}
_BAD_REQUESTS = {"invalid_requests": 0.1, "duplicate_requests": 0.1, "redelivered_messages": 0.1}
PROFILES: dict[str, FaultProfile] = {
    "none": FaultProfile("none"),
    "flaky-mgn": FaultProfile("flaky-mgn", FaultPlan(**_FLAKY)),
    "stalls": FaultProfile("stalls", FaultPlan(stall_rate=0.1, stuck_stall_rate=0.5)),
    "bad-launches": FaultProfile("bad-launches", FaultPlan(failed_launch_rate=0.1)),
    "bad-requests": FaultProfile("bad-requests", **_BAD_REQUESTS),
    "chaos": FaultProfile("chaos", FaultPlan(**_FLAKY, stall_rate=0.05, stuck_stall_rate=0.5, failed_launch_rate=0.05),
                          **_BAD_REQUESTS,
                          lambda_timeouts=0.01, dynamodb_throttles=0.02),
}


class FaultProfileError(ValueError):
    """``--faults`` names no profile, or its JSON file is malformed; the message names the file and key."""

    exit_code = 2


def load_profile(spec: str) -> FaultProfile:
    """A named profile, or the profile in the JSON file ``spec``.

    >>> load_profile("flaky-mgn").mgn.throttle_rate
    0.05
    """
    if spec in PROFILES:
        return PROFILES[spec]
    path = Path(spec)
    if not path.suffix == ".json" and not path.exists():
        raise FaultProfileError(f"unknown fault profile {spec!r}{closest(spec, list(PROFILES))} "
                                f"(profiles: {', '.join(PROFILES)}; or a JSON file of rates)")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FaultProfileError(f"{path}: cannot read it: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise FaultProfileError(f"{path}: not JSON: {exc}") from None
    return _from_document(path, document)


def _from_document(path: Path, document: Any) -> FaultProfile:
    if not isinstance(document, dict):
        raise FaultProfileError(f"{path}: a fault profile is a JSON object")
    base_name = document.get("extends", "none")
    if base_name not in PROFILES:
        raise FaultProfileError(f"{path}: extends: unknown profile {base_name!r}{closest(str(base_name), list(PROFILES))}")
    base = PROFILES[base_name]
    rates = {f.name for f in dataclasses.fields(FaultProfile)} - {"name", "mgn"}
    changes: dict[str, Any] = {"name": path.stem}
    for key, value in document.items():
        if key == "extends":
            continue
        if key == "mgn":
            changes["mgn"] = _mgn_plan(path, base.mgn, value)
        elif key in rates:
            changes[key] = _rate(path, key, value)
        else:
            raise FaultProfileError(f"{path}: unknown key {key!r}{closest(key, sorted(rates | {'mgn', 'extends'}))}")
    return dataclasses.replace(base, **changes)


def _mgn_plan(path: Path, base: FaultPlan, value: Any) -> FaultPlan:
    if not isinstance(value, dict):
        raise FaultProfileError(f"{path}: mgn: an object of MGN fault settings")
    known = {f.name: f for f in dataclasses.fields(FaultPlan)}
    changes = {}
    for key, setting in value.items():
        if key not in known:
            raise FaultProfileError(f"{path}: mgn.{key}: unknown MGN fault setting{closest(key, list(known))}")
        if key.endswith("_rate"):
            changes[key] = _rate(path, f"mgn.{key}", setting)
        elif key.endswith("_servers"):
            if not (isinstance(setting, list) and all(isinstance(s, str) for s in setting)):
                raise FaultProfileError(f"{path}: mgn.{key}: a list of server ids or hostnames")
            changes[key] = frozenset(setting)
        elif not isinstance(setting, bool):
            raise FaultProfileError(f"{path}: mgn.{key}: true or false")
        else:
            changes[key] = setting
    return dataclasses.replace(base, **changes)


def _rate(path: Path, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise FaultProfileError(f"{path}: {key}: a share between 0 and 1, not {value!r}")
    return float(value)
