"""Faults the twin's AWS produces, as the tasks would meet them on AWS: Lambda timeouts, DynamoDB throttling and
SQS delivering a message again.

* **Lambda timeouts** (``lambda_timeouts``, a share of invocations): the function runs past its timeout. Its
  handler has run — whatever it wrote stays written, the hardest case for a retry — and the invocation fails as
  Lambda fails it, with ``Sandbox.Timedout`` (what Step Functions reports for a ``lambda:invoke`` task, what an
  event source mapping and an asynchronous invocation treat as a function error), billed for the whole timeout.
* **DynamoDB throttling** (``dynamodb_throttles``, a share of DynamoDB requests): answered at the wire with
  ``ProvisionedThroughputExceededException`` before moto sees the request, so nothing is written.
* **Redelivered messages** (``redelivered_messages``, a share of messages an event source mapping processed):
  SQS's at-least-once delivery; the message is not deleted and comes back after the visibility timeout.

Every draw is seeded, by the invocation's request ID or the message's ID where there is one (so a draw does not
depend on what ran before) and in call order for DynamoDB requests.

    >>> faults = TwinFaults(seed=7, lambda_timeouts=0.01)
    >>> faults.times_out("Ingress", "8f1c...")  # doctest: +SKIP
    False
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from .wire import Reply, Wiring, json_reply

SANDBOX_TIMEDOUT = "Sandbox.Timedout"


class SandboxTimedout(Exception):
    """An invocation that ran past its function's timeout; Lambda reports it as ``Sandbox.Timedout``."""


SandboxTimedout.__name__ = SandboxTimedout.__qualname__ = SANDBOX_TIMEDOUT  # the error name Lambda reports


@dataclass
class TwinFaults:
    """The shares of each fault, and the seeded dice that decide which calls meet them."""

    seed: int = 0
    lambda_timeouts: float = 0.0
    dynamodb_throttles: float = 0.0
    redelivered_messages: float = 0.0
    active: bool = True
    throttled: int = 0
    _calls: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._calls = random.Random(f"waveflow-twin-faults/{self.seed}/dynamodb")

    def _unit(self, *key: str) -> float:
        digest = hashlib.sha256("/".join(("waveflow-twin-faults", str(self.seed), *key)).encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2 ** 64

    def times_out(self, function: str, request_id: str) -> bool:
        """Whether this invocation runs past its timeout."""
        return self.active and self.lambda_timeouts > 0 and self._unit("timeout", function, request_id) \
            < self.lambda_timeouts

    def redelivers(self, message_id: str, receive_count: int) -> bool:
        """Whether SQS delivers this message again after it was processed (at most once more per message)."""
        return self.active and self.redelivered_messages > 0 and receive_count == 1 \
            and self._unit("redelivery", message_id) < self.redelivered_messages

    def install(self, session, wiring: Wiring) -> None:
        """Throttle DynamoDB requests made through ``session``'s clients (built from now on)."""
        if self.dynamodb_throttles > 0:
            wiring.answer(session, "dynamodb", self._dynamodb)

    def _dynamodb(self, operation: str, params: dict) -> Reply | None:
        if not self.active or self._calls.random() >= self.dynamodb_throttles:
            return None
        self.throttled += 1
        return json_reply({"message": "The level of configured provisioned throughput for the table was exceeded. "
                                      "Consider increasing your provisioning level with the UpdateTable API."},
                          status=400, error_type="ProvisionedThroughputExceededException")
