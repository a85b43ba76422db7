"""Where Step Functions' Java runtime shows through: how it prints values into strings and how it rounds numbers.

``States.Format`` renders an object argument the way Java's ``Map.toString`` does (``{Arg1=1, Arg2=[]}``) and an
array the way ``List.toString`` does; ``States.MathAdd`` rounds a non-integer argument with ``Math.round``, half
towards positive infinity (-1.5 -> -1, -2.5 -> -2, 0.5 -> 1), not Python's half-to-even.
"""
from __future__ import annotations

import json
import math


def java_text(value) -> str:
    """``value`` as the Java runtime prints it into a string.

    >>> java_text({"Arg1": 1, "Arg2": [], "Arg3": {"x": "y", "z": None}})
    '{Arg1=1, Arg2=[], Arg3={x=y, z=null}}'
    """
    if isinstance(value, str):
        return value
    if type(value) is list:
        return "[" + ", ".join(java_text(item) for item in value) + "]"
    if type(value) is dict:
        return "{" + ", ".join(f"{key}={java_text(item)}" for key, item in value.items()) + "}"
    return json.dumps(value)


def java_round(number) -> int:
    """``Math.round``: the nearest integer, halves rounded up (computed exactly, so 0.49999999999999994 -> 0).

    >>> [java_round(x) for x in (-1.5, -2.5, 0.5, 2.4)]
    [-1, -2, 1, 2]
    """
    if type(number) is int:
        return number
    from fractions import Fraction  # here, not at the top: fractions and decimal cost milliseconds of every start
    return math.floor(Fraction(number) + Fraction(1, 2))
