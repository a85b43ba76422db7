"""A Query's key condition: the partition it reads, and where in that partition's sort-key order it starts and ends.

DynamoDB reads a partition in sort-key order from the first item the sort-key condition lets through and stops at
the page's end (Limit, 1 MB), so a page costs what it reads, however large the partition. The twin does the same
on the partition's kept order (``Table.partition``): the condition becomes a run of places found by bisection
(``KeyCondition.span``), and a query reads the items of that run it returns or its filter drops, never the rest.
Each sort-key condition is one run of the order: ``=``, ``<``, ``<=``, ``>``, ``>=`` and ``BETWEEN`` by value;
``begins_with`` by prefix (strings sort by their UTF-8 bytes, and a string's prefixes are its bytes' prefixes).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

from . import values
from .errors import ValidationError
from .evaluate import Context, check_bounds
from .tables import KeySchema
from .values import Value


def _range_value(position: tuple) -> Any:
    """The sort-key value of a place in a partition's order (``Table.sort_key`` puts it first)."""
    return position[0]


class KeyCondition:
    """The partition key's value and the sort-key condition (an operator and its values as ``values.order``
    makes them; no operator: the whole partition)."""

    def __init__(self, hash_value: Value, operator: str | None = None, bounds: tuple = ()) -> None:
        self.hash_value = hash_value
        self.operator = operator
        self.bounds = bounds

    def span(self, positions: list[tuple]) -> tuple[int, int]:
        """The places ``[low, high)`` of a partition's ``positions`` (its sort keys, in order) that the sort-key
        condition lets through."""
        operator, end = self.operator, len(positions)
        if operator is None:
            return 0, end
        first = self.bounds[0]
        low = bisect_left(positions, first, key=_range_value)
        if operator == "begins_with":
            return low, bisect_right(positions, first, key=lambda position: position[0][:len(first)])
        if operator == "between":
            return low, bisect_right(positions, self.bounds[1], key=_range_value)
        high = bisect_right(positions, first, key=_range_value)
        return {"=": (low, high), "<": (0, low), "<=": (0, high), ">": (high, end), ">=": (low, end)}[operator]


def key_condition(tree: tuple, context: Context, key: KeySchema, types: dict[str, str]) -> KeyCondition:
    """The condition a KeyConditionExpression (``tree``, parsed) sets on ``key``, checked as DynamoDB checks it."""
    parts = []

    def flatten(node):
        if node[0] == "and":
            flatten(node[1])
            flatten(node[2])
        elif node[0] in ("or", "not"):
            raise ValidationError(f"Invalid operator used in KeyConditionExpression: {node[0].upper()}")
        else:
            parts.append(node)
    flatten(tree)
    hash_value, sort_condition = None, None
    for node in parts:
        path = node[2] if node[0] == "cmp" else node[1] if node[0] == "between" else node[2][0]
        if path[0] != "path" or len(path[1]) != 1:
            raise ValidationError("Invalid KeyConditionExpression: the key must be an attribute name")
        name = context.steps(path)[0]
        if name == key.hash and node[0] == "cmp" and node[1] == "=" and hash_value is None:
            hash_value = _key_value(context, node[3], types[name])
        elif name == key.range and sort_condition is None:
            sort_condition = _sort_condition(context, node, types[name])
        elif name in (key.hash, key.range):
            raise ValidationError("KeyConditionExpressions must only contain one condition per key"
                                  if name == key.range or node[1] == "=" else
                                  f"Query key condition not supported")
        else:
            missed = key.hash if hash_value is None else key.range
            raise ValidationError(f"Query condition missed key schema element: {missed}")
    if hash_value is None:
        raise ValidationError(f"Query condition missed key schema element: {key.hash}")
    return KeyCondition(hash_value, *(sort_condition or ()))


def _key_value(context: Context, operand, kind: str) -> Value:
    if operand[0] != ":":
        raise ValidationError("Invalid KeyConditionExpression: the key must be compared with a value")
    value = context.value(operand[1])
    if kind not in value:
        raise ValidationError("One or more parameter values were invalid: Condition parameter type does not match"
                              " schema type")
    return value


def _sort_condition(context: Context, node, kind: str) -> tuple[str, tuple]:
    """The sort key's operator and its values (as they sort) from one part of the key condition."""
    if node[0] == "cmp":
        if node[1] == "<>":
            raise ValidationError("Unsupported operator on KeyConditionExpression: operator: <>")
        return node[1], (values.order(_key_value(context, node[3], kind)),)
    if node[0] == "between":
        low, high = _key_value(context, node[2], kind), _key_value(context, node[3], kind)
        check_bounds(low, high, "KeyConditionExpression")
        return "between", (values.order(low), values.order(high))
    if node[0] == "fn" and node[1] == "begins_with":
        if kind == "N":
            raise ValidationError("Invalid KeyConditionExpression: Incorrect operand type for operator or function;"
                                  " operator or function: begins_with, operand type: N")
        return "begins_with", (values.order(_key_value(context, node[2][1], kind)),)
    raise ValidationError(f"Invalid KeyConditionExpression: unsupported function {node[1]} on the sort key")
