"""The one AWS client factory of the tasks, and the clock they read.

Handlers never call ``boto3.client`` themselves: they call :func:`client`, which builds each service's client
once per process (once per Lambda cold start) and reuses it. The local twin and the tests call :func:`configure`
to inject their own boto3 session (moto, the MGN emulator) and their virtual clock; nothing else is patched.
"""

from __future__ import annotations

import threading
import time
import weakref
from datetime import datetime, timezone
from typing import Any, Callable

import boto3
from botocore.config import Config as BotocoreConfig

_CLIENT_CONFIG = BotocoreConfig(user_agent_extra="waveflow")


class _State:
    """What :func:`configure` sets: the session, the clock and the clients built from that session."""

    def __init__(self) -> None:
        self.session: boto3.Session | None = None
        self.clock: Callable[[], float] = time.time
        self.clients: dict[str, Any] = {}
        self.account_id: str | None = None
        self.lock = threading.Lock()


_state = _State()


def configure(session: boto3.Session | None = None, clock: Callable[[], float] | None = None) -> None:
    """Use ``session`` for every client from now on and ``clock`` (epoch seconds) for :func:`now`.

    ``None`` restores the defaults (a plain ``boto3.Session()`` and ``time.time``). The client cache is emptied,
    so the next :func:`client` call builds from the new session.

    >>> configure(boto3.Session(region_name="eu-west-1"), clock=lambda: 0.0)
    """
    with _state.lock:
        _state.session = session
        _state.clock = clock or time.time
        _state.clients = {}
        _state.account_id = None


def client(service: str) -> Any:
    """The process-wide botocore client for ``service``, built on first use.

    >>> client("dynamodb").describe_table(TableName="waveflow-status")  # doctest: +SKIP
    """
    cached = _state.clients.get(service)
    if cached is not None:
        return cached
    with _state.lock:
        if service not in _state.clients:
            session = _state.session or boto3.Session()
            _state.clients[service] = session.client(service, config=_CLIENT_CONFIG)
        return _state.clients[service]


#: each client's paginators and waiters by name, built once: botocore builds a new class on every ``get_paginator``
#: and ``get_waiter`` call (75-110 us each), to be thrown away after one use
_helpers: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], Any]] = weakref.WeakKeyDictionary()


def paginator(aws_client: Any, operation: str) -> Any:
    """``aws_client.get_paginator(operation)``, built once per client.

    >>> paginator(client("dynamodb"), "query").paginate(TableName="waveflow-status", ...)  # doctest: +SKIP
    """
    return _helper(aws_client, "paginator", operation)


def waiter(aws_client: Any, name: str) -> Any:
    """``aws_client.get_waiter(name)``, built once per client.

    >>> waiter(client("ssm"), "command_executed").wait(CommandId=..., InstanceId=...)  # doctest: +SKIP
    """
    return _helper(aws_client, "waiter", name)


def _helper(aws_client: Any, kind: str, name: str) -> Any:
    known = _helpers.setdefault(aws_client, {})
    built = known.get((kind, name))
    if built is None:
        built = known[(kind, name)] = getattr(aws_client, f"get_{kind}")(name)
    return built


def account_id() -> str:
    """The account the session's credentials belong to (STS GetCallerIdentity), asked once per process.

    A Lambda container's credentials never change account, so one call per cold start is enough; asking on
    every invocation would add an STS round trip to each one. :func:`configure` forgets it with the clients.
    """
    if _state.account_id is None:
        _state.account_id = client("sts").get_caller_identity()["Account"]
    return _state.account_id


def now() -> datetime:
    """The current time as a timezone-aware UTC datetime, from the injected clock.

    >>> configure(clock=lambda: 0.0); now().isoformat()
    '1970-01-01T00:00:00+00:00'
    """
    return datetime.fromtimestamp(_state.clock(), tz=timezone.utc)


def iso(moment: datetime) -> str:
    """``moment`` as the ISO 8601 text stored in records and events (UTC, millisecond precision, ``Z``).

    >>> iso(datetime(2026, 1, 1, tzinfo=timezone.utc))
    '2026-01-01T00:00:00.000Z'
    """
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_now() -> str:
    """:func:`now` as :func:`iso` text."""
    return iso(now())
