"""What a run would cost on AWS: its metered usage priced with ``prices.json`` (region and date written there).

The orchestration's own cost — state transitions, Lambda, DynamoDB, EventBridge, SQS, SNS, Secrets Manager, KMS —
per migration and per wave. MGN's replication servers and the launched instances are not in it (see the note in
``prices.json``): they cost the same whichever tool drives MGN.

    >>> estimate({"state_transitions": 54_000, "lambda_requests": 20_000}, migrations=1000).per_migration
    0.001354
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Mapping


@functools.cache
def price_table() -> dict:
    """``prices.json``, read once."""
    return json.loads(resources.files(__package__).joinpath("prices.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class CostEstimate:
    """Dollars per priced item (``lines``), in all, and per migration; ``region``/``prices_as_of`` say which prices."""

    lines: dict[str, float]
    total: float
    per_migration: float
    region: str
    prices_as_of: str

    def as_json(self) -> dict:
        return {"currency": "USD", "region": self.region, "pricesAsOf": self.prices_as_of,
                "total": self.total, "perMigration": self.per_migration, "byItem": self.lines}


def estimate(usage: Mapping[str, float], migrations: int) -> CostEstimate:
    """Price ``usage`` (item -> quantity, items named as in ``prices.json``); unknown items are an error."""
    table = price_table()
    prices = table["prices"]
    unknown = sorted(set(usage) - set(prices))
    if unknown:
        raise KeyError(f"no price for {', '.join(unknown)} in waveflow/run/prices.json")
    lines = {item: round(usage.get(item, 0) / entry["per"] * entry["usd"], 8) for item, entry in prices.items()}
    total = round(sum(lines.values()), 8)
    return CostEstimate(lines, total, round(total / migrations, 8) if migrations else 0.0, table["region"],
                        table["prices_as_of"])
