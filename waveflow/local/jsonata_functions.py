"""The functions Step Functions adds to JSONata (``$partition``, ``$range``, ``$hash``, ``$parse``, ``$uuid``,
``$random``), and ``$now``/``$millis`` on the virtual clock; ``$eval`` is disabled, as on AWS (calling it is
JSONata's T1006, "Attempted to invoke a non-function").

Clock- and random-dependent functions read the run's virtual clock and seeded generator, so runs repeat exactly.
"""
from __future__ import annotations

import hashlib
import random

from .clock import iso8601
from .jsonata_engine import Jsonata as _Engine
from .jsonata_limits import MEMORY, EvaluationBound
from .limits import loads

# AWS refuses a $range of more elements than this (measured: 360,145 is the largest it generates) with the
# evaluation memory bound, before building it.
MAX_RANGE_ITEMS = 360_145


def _partition(array, size):
    return [array[i:i + int(size)] for i in range(0, len(array), int(size))]


def _range(start, end, step=None):
    """``$range(start, end, step)``: both ends included when the step lands on them, arguments truncated towards
    zero; no step, a zero step or one pointing away from ``end`` gives nothing; a single element is the element
    itself, not a one-element array (``$range(1, 9, 9)`` is ``1``), as JSONata collapses singleton sequences."""
    if step is None:
        return None
    start, end, step = int(start), int(end), int(step)
    if step == 0 or (step > 0 and start > end) or (step < 0 and start < end):
        return None
    count = (end - start) // step + 1
    if count > MAX_RANGE_ITEMS:
        raise EvaluationBound(MEMORY)
    values = list(range(start, start + count * step, step))
    return values[0] if count == 1 else values


def _hash(value, algorithm):
    names = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    return hashlib.new(names[algorithm], str(value).encode("utf-8")).hexdigest()


STATIC_FUNCTIONS = {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "parse": loads,
}
RUN_FUNCTIONS = ("now", "millis", "uuid", "random")


def run_functions(run) -> dict:
    """The functions whose result depends on the run, bound per evaluation."""
    now = run.clock_now()
    return {
        "now": _Engine.JLambda(lambda *args: iso8601(now)),
        "millis": _Engine.JLambda(lambda: int(now * 1000)),
        "uuid": _Engine.JLambda(lambda: run.uuid4()),
        "random": _Engine.JLambda(lambda seed=None: (random.Random(seed) if seed is not None else run.rng).random()),
    }
