"""Answering task tokens from the command line: ``--respond STATE=success:JSON | failure:ERROR[:CAUSE] |
heartbeat | none[@DURATION]``.

Each time STATE issues a token (``.waitForTaskToken``), the answer is sent after DURATION of simulated time
(default: at once), so an Approval can be approved, rejected, kept alive or left to time out without a human:

    Responder.parse(["ApproveWaveCutover=success:{\\"approved\\": true}@2h"]).install(runtime)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
KINDS = ("success", "failure", "heartbeat", "none")


class ResponseError(ValueError):
    """Raised for a ``--respond`` value that cannot be understood; the message names it."""


def parse_duration(text: str, what: str) -> float:
    """``90``, ``90s``, ``15m``, ``2h``, ``1d``, ``500ms`` -> seconds."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ResponseError(f"{what}: {text!r} is not a duration (like 30s, 15m, 2h, 1d)")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class Response:
    state: str
    kind: str          # success | failure | heartbeat | none
    output: object = None
    error: str | None = None
    cause: str | None = None
    delay: float = 0.0

    @classmethod
    def parse(cls, spec: str) -> "Response":
        state, sep, rest = spec.partition("=")
        what = f"--respond {spec!r}"
        if not (sep and state and rest):
            raise ResponseError(f"{what}: not STATE=success:JSON|failure:ERROR[:CAUSE]|heartbeat|none[@DURATION]")
        delay = 0.0
        at = rest.rfind("@")
        if at != -1 and _DURATION.match(rest[at + 1:].strip()):
            delay, rest = parse_duration(rest[at + 1:], what), rest[:at]
        kind, _, value = rest.partition(":")
        if kind not in KINDS:
            raise ResponseError(f"{what}: {kind!r} is not one of {', '.join(KINDS)}")
        if kind == "success":
            try:
                return cls(state, kind, output=json.loads(value or "{}"), delay=delay)
            except ValueError as exc:
                raise ResponseError(f"{what}: the success output is not JSON ({exc})") from None
        if kind == "failure":
            error, _, cause = value.partition(":")
            return cls(state, kind, error=error or None, cause=cause or None, delay=delay)
        if value:
            raise ResponseError(f"{what}: {kind} takes no value")
        return cls(state, kind, delay=delay)


class Responder:
    """Sends the configured answer whenever a state it knows issues a task token."""

    def __init__(self, responses: dict[str, Response]):
        self.responses = responses

    @classmethod
    def parse(cls, specs) -> "Responder":
        responses: dict[str, Response] = {}
        for spec in specs:
            response = Response.parse(spec)
            if response.state in responses:
                raise ResponseError(f"--respond {response.state}: given twice")
            responses[response.state] = response
        return cls(responses)

    def check(self, definitions: list[dict]) -> None:
        """Refuse a STATE that no definition has as a ``.waitForTaskToken`` task (it would never be asked)."""
        from .walk import every_state
        waiting = {name for name, spec in every_state(definitions)
                   if str(spec.get("Resource", "")).endswith(".waitForTaskToken")}
        for state in self.responses:
            if state not in waiting:
                listed = ", ".join(sorted(waiting)) or "none"
                raise ResponseError(f"--respond {state}: no .waitForTaskToken task of that name (task-token states: "
                                    f"{listed})")

    def install(self, runtime) -> None:
        runtime.token_listeners.append(lambda token, attempt: self._issued(runtime, token, attempt.state.name))

    def _issued(self, runtime, token: str, state: str) -> None:
        response = self.responses.get(state)
        if response is None or response.kind == "none":
            return
        runtime.call_at(runtime.clock.now() + response.delay, lambda: self._send(runtime, token, response))

    @staticmethod
    def _send(runtime, token: str, response: Response) -> None:
        from .errors import LocalRuntimeError
        try:
            if response.kind == "success":
                runtime.send_task_success(token, response.output)
            elif response.kind == "failure":
                runtime.send_task_failure(token, response.error, response.cause)
            else:
                runtime.send_task_heartbeat(token)
        except LocalRuntimeError:
            pass  # the task already ended (timed out, failed, cancelled): AWS would answer TaskTimedOut too
