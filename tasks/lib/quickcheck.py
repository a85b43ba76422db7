"""A quick "valid" for the instances a JSON Schema accepts, so the common case skips jsonschema's walk.

jsonschema builds a validator object for every subschema it descends into and resolves every ``$ref`` again on
each validation: ~60 us for an event detail, paid on every announcement of every migration. :func:`quick_check`
compiles a schema once into a predicate that is true only for instances it is sure the schema accepts; false
means "ask jsonschema", which then also writes every error report, so the reports stay jsonschema's own.

The predicate knows the keywords waveflow's schemas use, with draft 2020-12's meaning (its types, ``required``
and friends constrain only instances of their type, a ``$ref`` applies beside its siblings). A schema holding any
other keyword gets no quick check (:func:`quick_check` returns None), and where exactness would take more than a
glance (an ``enum`` of a non-string, ``uniqueItems`` over non-strings, a number of another type) it says false.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from referencing._core import Resolver  # what Registry.resolver() returns

Check = Callable[[Any], bool]

_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
#: Keywords that describe a schema, or hold subschemas for ``$ref``, without constraining anything.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "$defs"})
#: Draft 2020-12's types that are one Python type each (``number`` and ``integer`` are not: bool is no number).
_PYTHON_TYPE = {"string": str, "object": dict, "array": list, "boolean": bool}


class _Unknown(Exception):
    """Raised while compiling a schema that uses something this module does not check."""


def quick_check(schema: dict, resolver: Resolver, regex: Callable[[str], re.Pattern[str]],
                conforms: Callable[[Any, str], bool]) -> Check | None:
    """A predicate true only for instances ``schema`` accepts, or None when the schema uses an unknown keyword.

    ``resolver`` resolves the schema's ``$ref``s, ``regex`` compiles a ``pattern`` as the validator reads it and
    ``conforms`` is the validator's format check.

    >>> check = quick_check(load_schema("events/common.json"), resolver, _ecma_regex, checker.conforms)  # doctest: +SKIP
    >>> check({"migrationId": "m-1", ...}), check({})  # doctest: +SKIP
    (True, False)
    """
    try:
        return _Compiler(regex, conforms).schema(schema, resolver, top=True)
    except _Unknown:
        return None


def _all(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]
    return lambda instance: all(check(instance) for check in checks)


class _Compiler:
    def __init__(self, regex: Callable[[str], re.Pattern[str]], conforms: Callable[[Any, str], bool]) -> None:
        self.regex = regex
        self.conforms = conforms
        self.resolving: set[int] = set()  # the referred schemas being compiled: a recursive schema is not for us

    def schema(self, schema: Any, resolver: Resolver, top: bool = False) -> Check:
        if schema is True or schema is False:
            return lambda instance: schema
        if not isinstance(schema, dict) or (not top and "$id" in schema):  # a new base for its refs: not for us
            raise _Unknown
        if schema.get("$schema", _DRAFT_2020_12) != _DRAFT_2020_12:  # another dialect's meanings
            raise _Unknown
        checks = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            make = _KEYWORDS.get(keyword)
            if make is None:
                raise _Unknown
            checks.append(make(self, value, schema, resolver))
        return _all(checks) if checks else (lambda instance: True)

    def _ref(self, ref: str, schema: dict, resolver: Resolver) -> Check:
        resolved = resolver.lookup(ref)
        if id(resolved.contents) in self.resolving:
            raise _Unknown
        self.resolving.add(id(resolved.contents))
        try:
            return self.schema(resolved.contents, resolved.resolver, top=True)
        finally:
            self.resolving.discard(id(resolved.contents))

    def _type(self, types: str | list[str], schema: dict, resolver: Resolver) -> Check:
        exact = []
        for name in [types] if isinstance(types, str) else types:
            if name == "null":
                exact.append(type(None))
            elif name in _PYTHON_TYPE:
                exact.append(_PYTHON_TYPE[name])
            elif name == "integer":
                exact.append(int)  # a float that is whole is an integer too: jsonschema says so
            elif name != "number":
                raise _Unknown
            else:
                exact.extend((int, float))
        kinds = frozenset(exact)  # exact types: a bool is no int here, nor is an enum member its value's type
        return lambda instance: type(instance) in kinds

    def _properties(self, properties: dict, schema: dict, resolver: Resolver) -> Check:
        checks = {name: self.schema(subschema, resolver) for name, subschema in properties.items()}

        def check(instance: Any) -> bool:
            if not isinstance(instance, dict):
                return True
            for name, value in instance.items():
                each = checks.get(name)
                if each is not None and not each(value):
                    return False
            return True

        return check

    def _additionalProperties(self, allowed: Any, schema: dict, resolver: Resolver) -> Check:
        if "patternProperties" in schema:
            raise _Unknown
        known = frozenset(schema.get("properties", {}))
        if allowed is False:
            return lambda instance: not isinstance(instance, dict) or known.issuperset(instance)
        each = self.schema(allowed, resolver)
        return lambda instance: not isinstance(instance, dict) or all(
            each(value) for name, value in instance.items() if name not in known)

    def _required(self, names: list[str], schema: dict, resolver: Resolver) -> Check:
        return lambda instance: not isinstance(instance, dict) or all(name in instance for name in names)

    def _enum(self, members: list[Any], schema: dict, resolver: Resolver) -> Check:
        texts = frozenset(member for member in members if isinstance(member, str))
        return lambda instance: type(instance) is str and instance in texts  # str == str is jsonschema's equal

    def _const(self, member: Any, schema: dict, resolver: Resolver) -> Check:
        return self._enum([member], schema, resolver)

    def _pattern(self, pattern: str, schema: dict, resolver: Resolver) -> Check:
        search = self.regex(pattern).search
        return lambda instance: not isinstance(instance, str) or search(instance) is not None

    def _format(self, name: str, schema: dict, resolver: Resolver) -> Check:
        conforms = self.conforms
        return lambda instance: conforms(instance, name)

    def _minLength(self, least: int, schema: dict, resolver: Resolver) -> Check:
        return lambda instance: not isinstance(instance, str) or len(instance) >= least

    def _maxLength(self, most: int, schema: dict, resolver: Resolver) -> Check:
        return lambda instance: not isinstance(instance, str) or len(instance) <= most

    def _minimum(self, least: int | float, schema: dict, resolver: Resolver) -> Check:
        return lambda instance: (instance >= least if type(instance) in (int, float)
                                 else type(instance) in (str, dict, list, bool, type(None)))

    def _maximum(self, most: int | float, schema: dict, resolver: Resolver) -> Check:
        return lambda instance: (instance <= most if type(instance) in (int, float)
                                 else type(instance) in (str, dict, list, bool, type(None)))

    def _items(self, items: Any, schema: dict, resolver: Resolver) -> Check:
        if "prefixItems" in schema:
            raise _Unknown
        each = self.schema(items, resolver)
        return lambda instance: not isinstance(instance, list) or all(each(item) for item in instance)

    def _minItems(self, least: int, schema: dict, resolver: Resolver) -> Check:
        return lambda instance: not isinstance(instance, list) or len(instance) >= least

    def _maxItems(self, most: int, schema: dict, resolver: Resolver) -> Check:
        return lambda instance: not isinstance(instance, list) or len(instance) <= most

    def _uniqueItems(self, unique: bool, schema: dict, resolver: Resolver) -> Check:
        if not unique:
            return lambda instance: True
        return lambda instance: not isinstance(instance, list) or (
            all(type(item) is str for item in instance) and len(set(instance)) == len(instance))


#: The keywords :class:`_Compiler` checks, each by the method of its name.
_KEYWORDS: dict[str, Callable[..., Check]] = {
    "$ref": _Compiler._ref,
    **{name: getattr(_Compiler, f"_{name}") for name in (
        "type", "properties", "additionalProperties", "required", "enum", "const", "pattern", "format",
        "minLength", "maxLength", "minimum", "maximum", "items", "minItems", "maxItems", "uniqueItems")},
}
