"""The process environment for a while: what a Lambda function (or a whole local run) sees in ``os.environ``.

The tasks read their settings from the environment once (``tasks.lib.config.load_config``, cached), as a Lambda
function does at cold start; here one process plays many functions and runs in turn, so each gets its own values
and the cache is cleared on the way in and out.

A run puts a function's variables on and takes them off again around every invocation, thousands of times:
:class:`Overlay` works out once which keys it touches, learns which of them the process holds from one scan of the
prefix's variables, and so calls ``os.environ`` (an encode and a ``putenv`` or ``unsetenv`` each) little more than
once per key changed on the way in and once on the way out.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterable, Iterator, Mapping

from tasks.lib.config import load_config


class Overlay:
    """``values`` set and the ``hidden`` keys removed — and, with a ``prefix``, every variable of the process that
    starts with it and is not in ``values`` — from ``put_on`` until ``take_off``, which leaves every one of those
    keys as it was before.

    >>> overlay = Overlay({"WAVEFLOW_EVENT_BUS": "bus"}, prefix="WAVEFLOW_")
    >>> saved = overlay.put_on(); ...; overlay.take_off(saved)  # doctest: +SKIP
    """

    __slots__ = ("_values", "_hidden", "_prefix", "_kept", "_covered")

    def __init__(self, values: Mapping[str, str], hidden: Iterable[str] = (), prefix: str | None = None):
        self._values = tuple(dict(values).items())
        self._hidden = tuple(dict.fromkeys(key for key in hidden if key not in values))
        self._prefix = prefix
        self._kept = frozenset(values) | frozenset(self._hidden)
        #: the keys whose presence the prefix's scan of the process tells (no need to ask for each)
        self._covered = frozenset(key for key in self._kept if prefix is not None and key.startswith(prefix))

    def put_on(self) -> list[tuple[str, str | None]]:
        """Apply the overlay; returns what ``take_off`` needs: each key touched with its value before (None when
        it was unset)."""
        environ = os.environ
        covered = self._covered
        if self._prefix is None:
            present: set[str] = set()
            hidden = self._hidden
        else:
            present = _names_starting(self._prefix)
            hidden = (*self._hidden, *sorted(present - self._kept))
        saved = []
        for key in hidden:
            value = environ[key] if key in present else None if key in covered else environ.get(key)
            saved.append((key, value))
            if value is not None:
                del environ[key]
        for key, value in self._values:
            saved.append((key, environ[key] if key in present else None if key in covered else environ.get(key)))
            environ[key] = value
        load_config.cache_clear()
        return saved

    @staticmethod
    def take_off(saved: list[tuple[str, str | None]]) -> None:
        """Put every key ``put_on`` touched back as it was (whatever the function did to it meanwhile)."""
        environ = os.environ
        for key, value in saved:
            if value is not None:
                environ[key] = value
            else:
                try:
                    del environ[key]
                except KeyError:  # a hidden key nobody set meanwhile
                    pass
        load_config.cache_clear()


def _names_starting(prefix: str) -> set[str]:
    """The names of the process's variables that start with ``prefix``, found in the map ``os.environ`` keeps (its
    names as the OS holds them: bytes on POSIX): iterating ``os.environ`` decodes every name on the way, ~1 us
    each, to keep the few that start with the prefix, on every invocation."""
    environ = os.environ
    start = environ.encodekey(prefix)
    decode = environ.decodekey
    return {decode(name) for name in environ._data if name.startswith(start)}


@contextmanager
def environment(values: Mapping[str, str], hidden: Iterable[str] = ()) -> Iterator[None]:
    """``os.environ`` with ``values`` set and the ``hidden`` keys removed; every key as it was afterwards."""
    overlay = Overlay(values, hidden)
    saved = overlay.put_on()
    try:
        yield
    finally:
        overlay.take_off(saved)
