"""moto's value picking: where a member's value may be in a result worked out once per kind of member, not per value.

To write an answer, moto looks each member of the output shape up in the result (``XFormedAttributePicker``): it
asks a chain of alias providers for the keys the value may be under (the object's ``Meta`` aliases, the shape's
name, the member's name, the name without its structure's or its class's prefix, the model's wire name, each also
in snake_case), tries them in turn, and then matches the member's path against every transformer of the response
class (EC2's are many). For a DescribeInstances answer that is tens of thousands of alias objects and string
matches, and half of the time moto spends answering.

The keys depend only on the object's class (and its ``Meta``) and on the member: its service, its structure's
name and its name determine its shape, its structure and the aliases drawn from them; the transformer depends only
on the response class's table and the member's path. Both are remembered; the lookups and the transformation
still happen for every value, in moto's order. moto makes new shape objects for every request, so members are told
apart by name, not by object.
"""
from __future__ import annotations

from typing import Any, Callable

from moto.core.serialize import DEFAULT_ALIAS_PROVIDERS, AttributePickerContext, XFormedAttributePicker
from moto.core.utils import MISSING, get_value

_moto_keys = XFormedAttributePicker.get_possible_keys
_KEYS: dict[tuple, tuple[str, ...]] = {}
_TRANSFORMS: dict[tuple[int, str], tuple[dict, Callable[[Any], Any] | None]] = {}


def possible_keys(picker: XFormedAttributePicker, context: AttributePickerContext) -> tuple[str, ...]:
    """The keys, in moto's order, under which the member ``context`` names may be in ``context.obj``."""
    if picker.alias_providers is not DEFAULT_ALIAS_PROVIDERS:
        return tuple(_moto_keys(picker, context))
    obj, shape = context.obj, context.shape
    parent = getattr(shape, "parent", None)
    member = (context.service_model.service_name, type(obj), getattr(obj, "Meta", None), context.key,
              getattr(shape, "name", None), getattr(parent, "name", None))
    keys = _KEYS.get(member)
    if keys is None:
        keys = _KEYS[member] = tuple(_moto_keys(picker, context))
    return keys


def transform_for(transformers: dict, key_path: str) -> Callable[[Any], Any] | None:
    """The first of ``transformers`` whose path ends ``key_path``, as moto matches them. (The table is kept with
    its transformer, so its ``id`` stays its own.)"""
    found = _TRANSFORMS.get((id(transformers), key_path))
    if found is None:
        transform = next((fn for path, fn in transformers.items() if key_path.endswith(path)), None)
        found = _TRANSFORMS[(id(transformers), key_path)] = (transformers, transform)
    return found[1]


def pick(self: XFormedAttributePicker, context: AttributePickerContext) -> Any:
    """``XFormedAttributePicker.__call__``: the member's value, under the first of its keys the object has,
    transformed by the response class's transformer for its path."""
    obj = context.obj
    for key in possible_keys(self, context):
        value = get_value(obj, key, MISSING)
        if value is not MISSING:
            break
    else:
        value = None
    if self.response_transformers:
        transform = transform_for(self.response_transformers, f"{context.key_path}.{context.key}")
        if transform is not None:
            value = transform(value)
    return value


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(XFormedAttributePicker, "__call__", pick)]
