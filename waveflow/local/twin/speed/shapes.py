"""One function per botocore shape, made once and kept for as long as the shape, for ``validate`` and ``serialize``.

botocore walks a request's parameters against the operation's shapes on every request, asking each shape again
what it is (its type, traits and members). The answers never change for a shape, so a function that already knows
them can be made once per shape and called instead. A client's operation models keep their input shapes, so an
operation's function is found again by its input shape for as long as the client lives.

Shapes may be recursive (DynamoDB's ``AttributeValue`` holds maps and lists of ``AttributeValue``), and botocore
makes a new shape object each time a member is resolved, so the shapes inside one operation's input are told
apart by what the functions depend on: the shape's name, its metadata and its serialisation traits (a member's
traits are merged into its shape). A shape met again while its function is being made is reached through a
forwarder to the function once made.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

from botocore.model import Shape

#: ``make(shape, of)``: the function for ``shape``; ``of(member_shape)`` gives the function of a shape inside it
Maker = Callable[[Shape, Callable[[Shape], Any]], Any]


class PerShape:
    """The functions ``make`` makes, one per top-level shape (weakly kept) and per distinct shape inside it."""

    def __init__(self, make: Maker) -> None:
        self._make = make
        self._made: weakref.WeakKeyDictionary[Shape, Any] = weakref.WeakKeyDictionary()

    def __call__(self, shape: Shape) -> Any:
        found = self._made.get(shape)
        if found is None:
            found = self._made[shape] = self._inside({})(shape)
        return found

    def _inside(self, made: dict) -> Callable[[Shape], Any]:
        """``of`` for one top-level shape: each distinct shape's function made once, recursion forwarded."""
        def of(shape: Shape) -> Any:
            key = (shape.name, repr(shape.metadata), repr(shape.serialization))
            if key not in made:
                finished: list = []
                made[key] = lambda *args: finished[0](*args)
                finished.append(self._make(shape, of))
                made[key] = finished[0]
            return made[key]
        return of
