"""moto's request dispatch: a response class's method names listed once per class, not once per request.

To find the method that serves an action, moto lists every function of the response class with
``inspect.getmembers`` (a ``dir`` and a lookup of each of its hundreds of attributes) on every request. A class's
functions do not change while it serves requests, so the list is made once per class and reused.
"""
from __future__ import annotations

from typing import Any, Callable

from moto.core import responses


def method_names_from_class(original: Callable[[object], list[str]]) -> Callable[[object], list[str]]:
    """``moto.core.utils.method_names_from_class``, remembered per class."""
    found: dict[object, list[str]] = {}

    def listed_once(clazz: object) -> list[str]:
        names = found.get(clazz)
        if names is None:
            names = found[clazz] = original(clazz)
        return names
    return listed_once


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(responses, "method_names_from_class", method_names_from_class(responses.method_names_from_class))]
