"""Where each member of a structure may be in a moto object, worked out once per kind of object.

moto's serializer asks its value picker for every member of a structure's shape, one at a time: a context object,
the member's possible keys (``picker.possible_keys``), a lookup of each in turn, the transformer for the member's
path. EC2's structures are large and mostly empty (an Instance has ~60 members; an answer about one instance asks
~150 times), and all but the lookups come out the same for every object of a class at the same place in an answer.

``readings`` works that out once per structure, class of object and path (the path only where the response class
has transformers): for each member, its name, shape, keys in moto's order and transformer. Reading a member is then
one lookup per key until one answers, as moto's picker does it (``getattr`` on an object, the item of a ``dict``),
and the transformer. Most members of a large structure are under none of their keys (an Instance's ~60 members
have ~290 keys), so ``present`` first finds which keys the value holds itself: a ``dict``'s items, an object's
instance attributes. With moto's plain attribute lookup a key that is neither there nor defined by the object's
class is missing, so a member without a transformer, none of whose keys the class defines or the value holds, reads
as missing without a lookup. Where moto's ``get_value`` reads some other way (mappings other than ``dict``, classes with
their own attribute lookup, dotted keys), for pickers other than moto's default, and for structures whose members
moto's serializer treats specially (JSON documents, REST members bound to headers, or called ``body`` or
``headers``), ``readings`` gives ``None`` and moto's own walk serves the structure.

The objects of one class mostly hold the same attributes (the same keys, for a ``dict``), so which members to read
(``to_read``) is remembered per readings for the keys a value holds, in its own order; and the readings of what
a member holds (``inner``: a structure, or a list's structures) per member and class of value, so a walk down an
answer finds each structure's readings without making their key from the path again.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from moto.core.serialize import (DEFAULT_ALIAS_PROVIDERS, AttributePickerContext, BaseRestSerializer,
                                 ResponseSerializer, XFormedAttributePicker)

from ..memo import Memo
from ..picker import possible_keys, transform_for

#: a member: its name, its shape, the keys it may be under (moto's order), its transformer, and whether it must be
#: read whatever the value holds (it has a transformer, or its class defines one of its keys)
Member = tuple[str, Any, tuple[str, ...], Callable[[Any], Any] | None, bool]


#: how many sets of held keys a readings remembers the members of, and readings of its members' values
_MOST_KINDS = 64
_UNKNOWN = object()


class Readings(NamedTuple):
    """How the members of a structure are read from one class of value."""

    members: tuple[Member, ...]
    #: every key a member may be under
    keys: frozenset[str]
    #: whether the class's objects keep attributes in a ``__dict__`` (a ``dict`` itself: no, its items)
    attributes: bool
    #: the keys a value holds, in its order -> the members to read from it
    chosen: Memo
    #: (member name, class of value, its ``Meta``) -> the readings of that value (None: moto's walk)
    inner_readings: Memo

    def present(self, value: Any) -> frozenset[str]:
        """The keys ``value`` holds itself (its items, its instance attributes); a member that is not read
        whatever the value holds, and has none of these keys, is missing from it."""
        if self.attributes:
            return self.keys.intersection(value.__dict__)
        return self.keys.intersection(value) if type(value) is dict else frozenset()

    def to_read(self, value: Any) -> tuple[Member, ...]:
        """The members that may be in ``value``, in the structure's order: those read whatever the value holds,
        and those under a key it holds."""
        held = tuple(value.__dict__) if self.attributes else tuple(value) if type(value) is dict else ()
        members = self.chosen.get(held)
        if members is None:
            present = self.present(value)
            members = self.chosen.keep(
                held, tuple(member for member in self.members if member[4] or not present.isdisjoint(member[2])))
        return members

    def inner(self, serializer: ResponseSerializer, name: str, shape: Any, value: Any) -> "Readings | None":
        """``readings(serializer, shape, value)`` for ``value``, held by the member ``name`` (directly, or as an
        item of its list), with ``serializer.path`` where moto's walk puts it."""
        kind = (name, type(value), getattr(value, "Meta", None))
        found = self.inner_readings.get(kind, _UNKNOWN)
        if found is _UNKNOWN:
            found = self.inner_readings.keep(kind, readings(serializer, shape, value))
        return found  # type: ignore[return-value]


_READINGS: dict[tuple, Readings | None] = {}


def readings(serializer: ResponseSerializer, shape: Any, value: Any) -> Readings | None:
    """How ``serializer`` reads the members of ``shape`` (a structure) from ``value``, where it is in the answer
    now; None where moto's own walk must."""
    picker = serializer._value_picker
    transformers = getattr(picker, "response_transformers", None)
    path = ".".join(serializer.path) if transformers else None
    kind = (type(serializer), serializer.service_model.service_name, shape.name, type(value),
            getattr(value, "Meta", None), id(transformers) if transformers else None, path)
    try:
        return _READINGS[kind]
    except KeyError:
        found = _READINGS[kind] = _worked_out(serializer, picker, shape, value, path)
        return found


def _worked_out(serializer: ResponseSerializer, picker: Any, shape: Any, value: Any,
                path: str | None) -> Readings | None:
    if type(picker) is not XFormedAttributePicker or picker.alias_providers is not DEFAULT_ALIAS_PROVIDERS \
            or not _read_plainly(type(value)) or getattr(shape, "is_document_type", False):
        return None
    if isinstance(serializer, BaseRestSerializer) and ({"body", "headers"} & shape.members.keys() or any(
            member.is_not_bound_to_body for member in shape.members.values())):
        return None
    cls, members = type(value), []
    for name, member in shape.members.items():
        member.parent = shape  # as moto's walk sets it: the aliases drawn from the structure read it
        keys = possible_keys(picker, AttributePickerContext(
            obj=value, key=name, shape=member, operation_model=serializer.operation_model,
            service_model=serializer.service_model, key_path=path or ""))
        if any(not isinstance(key, str) or "." in key for key in keys):
            return None
        transform = transform_for(picker.response_transformers, f"{path}.{name}") if path is not None else None
        on_class = cls is not dict and any(key in vars(owner) for key in keys for owner in cls.__mro__)
        members.append((name, member, keys, transform, transform is not None or on_class))
    keys = frozenset(key for member in members for key in member[2])
    return Readings(tuple(members), keys, cls is not dict and cls.__dictoffset__ != 0, Memo(_MOST_KINDS),
                    Memo(_MOST_KINDS))


def _read_plainly(cls: type) -> bool:
    """Whether moto's ``get_value`` reads a key of a ``cls`` object as ``dict.get`` (a ``dict``) or as ``getattr``
    (an object without item access or attribute lookup of its own) does."""
    if cls is dict:
        return True
    return not hasattr(cls, "__getitem__") and not hasattr(cls, "__getattr__") \
        and cls.__getattribute__ is object.__getattribute__
