"""moto's DynamoDB items, copied and projected in one pass each instead of one pass per level.

moto keeps an item as a tree of ``DynamoType`` nodes (a status record is ~200 of them). Two of its walks over that
tree cost far more than one visit per node, and a third copies what is only read:

* ``DynamoType.to_regular_json`` deep-copies its subtree and then calls itself on the copies, which copy again;
* ``Item.project`` converts the *whole* item to Python values once per projected path, to pick a few attributes;
* ``Table.query`` deep-copies every item it matched before projecting them, and only reads the copies.

The replacements give the same values: ``to_regular_json`` walks the tree once, ``__deepcopy__`` copies nodes
directly (keeping ``copy.deepcopy``'s memo, so shared nodes stay shared), ``project`` converts, once per path as
moto does, only the top-level attribute that path reads (moto's ``find_nested_key`` reads nothing else), and within
``Table.query`` the copy of a matched item shares its attribute nodes instead of duplicating them.
"""
from __future__ import annotations

import base64
import copy
import re
import threading
from typing import Any

from moto.dynamodb.models import dynamo_type, table
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

_SETS = frozenset(("SS", "NS", "BS"))
_ATOMIC = frozenset((str, bytes, int, float, bool, type(None)))
_LIST_ELEMENT = re.compile(r"(.+)\[(\d+)\]$")  # moto's find_nested_key reads "a[2]" as attribute "a"
_reading = threading.local()


def to_regular_json(node: DynamoType) -> dict[str, Any]:
    """``DynamoType.to_regular_json``: the node as plain ``{type: value}`` dicts, binary values decoded."""
    value = node.value
    if isinstance(value, dict):
        value = {name: _regular(element) for name, element in value.items()}
    elif isinstance(value, list):
        value = [_regular(element) for element in value]
    elif type(value) not in _ATOMIC:
        value = copy.deepcopy(value)
    if node.type == "B" and isinstance(value, str):
        value = base64.b64decode(value)
    return {node.type: value}


def _regular(element: Any) -> Any:
    if type(element) is DynamoType:
        return to_regular_json(element)
    if isinstance(element, DynamoType):
        return element.to_regular_json()
    return element if type(element) in _ATOMIC else copy.deepcopy(element)


def copy_node(node: DynamoType, memo: dict[int, Any]) -> DynamoType:
    """``DynamoType.__deepcopy__``."""
    found = memo.get(id(node))
    if found is not None:
        return found
    result = node.__class__.__new__(node.__class__)
    memo[id(node)] = result
    result.type = kind = node.type
    value = node.value
    if kind == "L":
        result.value = [_copy(element, memo) for element in value]
    elif kind == "M":
        result.value = {name: _copy(element, memo) for name, element in value.items()}
    elif kind in _SETS:
        result.value = list(value)
    else:
        result.value = value
    return result


def _copy(element: Any, memo: dict[int, Any]) -> Any:
    return copy_node(element, memo) if type(element) is DynamoType else copy.deepcopy(element, memo)


def copy_item(item: Item, memo: dict[int, Any]) -> Item:
    """``Item.__deepcopy__``; inside ``Table.query``, a copy that shares the attribute nodes (only read there)."""
    found = memo.get(id(item))
    if found is not None:
        return found
    result = item.__class__.__new__(item.__class__)
    memo[id(item)] = result
    attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    if getattr(_reading, "query", False):
        result.hash_key, result.range_key = item.hash_key, item.range_key
        dict.update(attrs, item.attrs)
    else:
        result.hash_key = _copy(item.hash_key, memo)
        result.range_key = _copy(item.range_key, memo)
        for name, node in item.attrs.items():
            dict.__setitem__(attrs, name, _copy(node, memo))
    result.attrs = attrs
    return result


def project(item: Item, projection_expressions: list[list[str]]) -> Item:
    """``Item.project``: each path looked up in a fresh conversion of the one attribute it starts at."""
    result: dict[str, Any] = {}
    for expression in projection_expressions:
        match = _LIST_ELEMENT.match(expression[0])
        name = match.group(1) if match else expression[0]
        node = item.attrs.get(name)
        attributes = {} if node is None else {name: dynamo_type.deserializer.deserialize(node.to_regular_json())}
        dynamo_type.merge_dicts(result, dynamo_type.find_nested_key(expression, attributes))
    return Item(hash_key=item.hash_key, range_key=item.range_key,
                attrs=dynamo_type.serializer.serialize(result)["M"])


def query(original):
    """``Table.query`` with its copies of the matched items marked as read-only (see ``copy_item``)."""
    def fast_query(self, *args: Any, **kwargs: Any):
        outer = getattr(_reading, "query", False)
        _reading.query = True
        try:
            return original(self, *args, **kwargs)
        finally:
            _reading.query = outer
    return fast_query


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's methods this module replaces."""
    return [(DynamoType, "to_regular_json", to_regular_json), (DynamoType, "__deepcopy__", copy_node),
            (Item, "__deepcopy__", copy_item), (Item, "project", project),
            (table.Table, "query", query(table.Table.query))]
