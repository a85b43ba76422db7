"""Each migration's part of the run's estimated cost, so the timeline can say which servers cost most.

The run's estimate (``waveflow.run.costs``) prices the whole run. What one migration's execution used on its own
is known from its history: its state transitions (every state entered, as the twin and AWS count them) and the
Lambda requests of its tasks (every attempt scheduled). Those are priced with the same table; what is left of the
total (DynamoDB, EventBridge, SQS, SNS, KMS, compute time, ingress, the wave's own executions) is shared equally,
so the figures add up to the run's total.
"""
from __future__ import annotations

from typing import Iterable

from ..run.costs import price_table


def own_usage(history: Iterable[dict]) -> tuple[int, int]:
    """``(state transitions, Lambda requests)`` of one execution's history."""
    transitions = requests = 0
    for event in history:
        kind = event["type"]
        if kind.endswith("StateEntered"):
            transitions += 1
        elif kind == "LambdaFunctionScheduled" or (
                kind == "TaskScheduled" and event.get("taskScheduledEventDetails", {}).get("resourceType") == "lambda"):
            requests += 1
    return transitions, requests


def shares(usage: dict[str, tuple[int, int]], total: float) -> dict[str, float]:
    """Migration -> its cost: its own usage priced, plus an equal share of what the rest of ``total`` is."""
    if not usage:
        return {}
    prices = price_table()["prices"]

    def price(item: str, quantity: int) -> float:
        return quantity / prices[item]["per"] * prices[item]["usd"]
    own = {key: price("state_transitions", t) + price("lambda_requests", r) for key, (t, r) in usage.items()}
    rest = max(0.0, total - sum(own.values())) / len(usage)
    return {key: round(value + rest, 8) for key, value in own.items()}
