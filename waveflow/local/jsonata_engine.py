"""The one place jsonata-python is imported.

Importing it raises the process-wide recursion limit to 10,000 (its module initialiser calls
``sys.setrecursionlimit``); the limit is put back at once. The interpreter does not need it: JSONata evaluation is
bounded to depth 100 (``jsonata_limits``), far inside Python's default limit.
"""
from __future__ import annotations

import sys

_RECURSION_LIMIT = sys.getrecursionlimit()
from jsonata import JException, Jsonata  # noqa: E402
from jsonata.utils import Utils  # noqa: E402

sys.setrecursionlimit(_RECURSION_LIMIT)

__all__ = ["JException", "Jsonata", "Utils"]
