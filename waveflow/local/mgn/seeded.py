"""Deterministic randomness for the emulator, keyed by purpose.

Identifiers come from one seeded stream (same seed and same calls -> same ids). Per-server traits (speed,
where a stall hits) are hashed from the seed and a key instead, so adding one server or one extra Describe call
never shifts another server's behaviour.
"""
from __future__ import annotations

import hashlib
import random

from ..uuids import uuid4_text


class Seeded:
    """Seeded id streams and keyed draws. ``Seeded(0).hex_id("s-")`` -> ``"s-"`` + 17 hex digits."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def stream(self, purpose: str) -> random.Random:
        """The one random stream for ``purpose``; separate purposes never disturb each other."""
        if purpose not in self._streams:
            self._streams[purpose] = random.Random(f"{self.seed}:{purpose}")
        return self._streams[purpose]

    def hex_id(self, prefix: str, digits: int = 17) -> str:
        """A fresh AWS-style id: ``prefix`` + ``digits`` lowercase hex digits."""
        return f"{prefix}{self.stream('ids').getrandbits(4 * digits):0{digits}x}"

    def uuid(self, purpose: str) -> str:
        """A version-4-shaped UUID from the ``purpose`` stream (request ids, event ids)."""
        return uuid4_text(self.stream(purpose).getrandbits(128))

    def unit(self, *key: object) -> float:
        """A number in [0, 1) fixed by the seed and ``key`` alone, whatever else happened before."""
        digest = hashlib.blake2b(repr((self.seed, key)).encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

    def between(self, low: float, high: float, *key: object) -> float:
        """A number in [low, high) fixed by the seed and ``key``."""
        return low + (high - low) * self.unit(*key)
