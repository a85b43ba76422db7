"""Loading the JSON Schemas under ``tasks/lib/schemas`` and building their validators, once per process.

Two deviations from jsonschema's defaults, both toward what the schemas mean:

* ``pattern`` anchors ``$`` at the very end of the text, as ECMA-262 (the regex dialect JSON Schema names)
  does; Python's ``$`` also matches before a final newline, which would let ``"s-...\\n"`` through.
* ``format`` is asserted, with waveflow's own formats (``ip-address``, ``https-url``, ``date-time``) built
  from the standard library so no optional jsonschema extra decides what is valid.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from datetime import datetime
from importlib import resources
from typing import Any, Iterator
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from referencing import Registry, Resource

from tasks.lib.quickcheck import Check, quick_check

_SCHEMA_PACKAGE = "tasks.lib"
_SCHEMA_DIR = "schemas"


def _is_ip_address(value: object) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_https_url(value: object) -> bool:
    if any(ch.isspace() or ord(ch) < 0x20 for ch in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme == "https" and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a malformed port or IPv6 literal
        return False


def _is_date_time(value: object) -> bool:
    if "T" not in value:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


_FORMATS = {"ip-address": _is_ip_address, "https-url": _is_https_url, "date-time": _is_date_time}


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    for name, check in _FORMATS.items():
        # jsonschema asks every checker about every instance type; a format only constrains strings.
        checker.checks(name)(lambda value, check=check: not isinstance(value, str) or check(value))
    return checker


@functools.lru_cache(maxsize=256)
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` with an unescaped final ``$`` meaning end of text, as in ECMA-262."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict) -> Any:
    if isinstance(instance, str) and not _ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_StrictValidator = validators.extend(Draft202012Validator, validators={"pattern": _pattern})


def load_schema(relative_path: str) -> dict[str, Any]:
    """The schema at ``tasks/lib/schemas/<relative_path>`` as a dict (a fresh copy).

    >>> load_schema("migration-request.json")["title"]
    'Migration request'
    """
    text = resources.files(_SCHEMA_PACKAGE).joinpath(_SCHEMA_DIR, relative_path).read_text(encoding="utf-8")
    return json.loads(text)


@functools.cache
def _registry() -> Registry:
    """Every schema file, by its ``$id``, so ``$ref`` between schemas resolves without network access."""
    root = resources.files(_SCHEMA_PACKAGE).joinpath(_SCHEMA_DIR)
    found = []
    for folder in (root, root.joinpath("events")):
        for entry in folder.iterdir():
            if entry.name.endswith(".json") and entry.name != "tables.json":
                schema = json.loads(entry.read_text(encoding="utf-8"))
                found.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(found)


class Schema:
    """A schema file's validator: jsonschema's, behind a quick check (:mod:`tasks.lib.quickcheck`) that answers at
    once for the instances it is sure the schema accepts; every other instance, and every error, is jsonschema's."""

    def __init__(self, checker: Draft202012Validator, quick: Check | None) -> None:
        self.checker = checker
        self.quick = quick

    def iter_errors(self, instance: Any) -> Iterator[ValidationError]:
        """Every error of ``instance``, as jsonschema reports them; none when the schema accepts it."""
        if self.quick is not None and self.quick(instance):
            return iter(())
        return self.checker.iter_errors(instance)

    def is_valid(self, instance: Any) -> bool:
        return next(self.iter_errors(instance), None) is None


@functools.cache
def validator(relative_path: str) -> Schema:
    """The compiled validator of a schema file, built on first use and reused.

    >>> validator("migration-request.json").is_valid({})
    False
    """
    schema = load_schema(relative_path)
    _StrictValidator.check_schema(schema)
    checker = _StrictValidator(schema, registry=_registry(), format_checker=_format_checker())
    resolver = _registry().resolver(base_uri=schema.get("$id", ""))
    return Schema(checker, quick_check(schema, resolver, _ecma_regex, checker.format_checker.conforms))
