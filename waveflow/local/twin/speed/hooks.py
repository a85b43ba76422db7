"""botocore's events: a client's event handed to its handlers with one call less, and no debug log call per handler
while botocore's debug log is off.

A request emits some eight events (``provide-client-params``, ``before-parameter-build``, ``before-call``, ...). A
client's emitter is an ``EventAliaser`` over a ``HierarchicalEmitter``: the aliaser's ``emit`` calls the emitter's
``emit``, which packs the arguments again to call ``_emit``, which calls ``logger.debug`` before each handler. The
handlers of an event name are already listed once (botocore's lookup cache) and the aliased names remembered, so
what is left to save is those hops: here the aliaser hands its arguments to ``_emit`` itself, and ``_emit`` calls
the handlers as botocore does (in the same order, each with ``event_name``, stopping at the first answer when asked)
without the log call, unless the ``botocore.hooks`` logger would write it; an aliased name already worked out is
read from the aliaser's cache without a method call. Emitters of other classes keep botocore's path.
"""
from __future__ import annotations

import logging
from typing import Any

from botocore import hooks
from botocore.hooks import EventAliaser, HierarchicalEmitter

_botocore_emit = HierarchicalEmitter._emit


def _emit(self: HierarchicalEmitter, event_name: str, kwargs: dict, stop_on_response: bool = False) -> list:
    """``HierarchicalEmitter._emit``: the same handlers called the same way, without a debug call for each."""
    if hooks.logger.isEnabledFor(logging.DEBUG):
        return _botocore_emit(self, event_name, kwargs, stop_on_response)
    handlers = self._lookup_cache.get(event_name)
    if handlers is None:
        handlers = self._lookup_cache[event_name] = self._handlers.prefix_search(event_name)
    elif not handlers:
        return []
    kwargs["event_name"] = event_name
    responses = []
    for handler in handlers:
        response = handler(**kwargs)
        responses.append((handler, response))
        if stop_on_response and response is not None:
            break
    return responses


def emit(self: EventAliaser, event_name: str, **kwargs: Any) -> list:
    """``EventAliaser.emit``: the aliased event handed to the emitter's ``_emit`` directly."""
    emitter = self._emitter
    aliased = self._alias_name_cache.get(event_name) or self._alias_event_name(event_name)
    if type(emitter) is not HierarchicalEmitter:
        return emitter.emit(aliased, **kwargs)
    return emitter._emit(aliased, kwargs)


def emit_until_response(self: EventAliaser, event_name: str, **kwargs: Any) -> tuple:
    """``EventAliaser.emit_until_response``: likewise, the first answer or ``(None, None)``."""
    emitter = self._emitter
    aliased = self._alias_name_cache.get(event_name) or self._alias_event_name(event_name)
    if type(emitter) is not HierarchicalEmitter:
        return emitter.emit_until_response(aliased, **kwargs)
    responses = emitter._emit(aliased, kwargs, stop_on_response=True)
    return responses[-1] if responses else (None, None)


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for botocore's event emitters."""
    return [(HierarchicalEmitter, "_emit", _emit), (EventAliaser, "emit", emit),
            (EventAliaser, "emit_until_response", emit_until_response)]
