"""The tasks' settings, read once from the environment (names in docs/interfaces.md).

Every handler calls :func:`load_config` on its first invocation, so a function deployed without one of its
settings fails at cold start with a :class:`ConfigError` naming every missing variable, not halfway through
a migration.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, fields

from tasks.lib.errors import ConfigError


@dataclass(frozen=True)
class Config:
    """Names of the resources the tasks use.

    The first six are set on every task function and checked at cold start. The rest are set only on the
    functions that use them (a state machine's own functions cannot be given its ARN: CloudFormation would see a
    cycle), so a handler asks for them with :meth:`require`, which names a missing one. ``cmf_secret_id`` is
    optional (no CMF integration without it).
    """

    status_table: str
    event_bus: str
    dlq_url: str
    idempotency_table: str
    callback_secret_id: str
    notify_topic_arn: str
    cmf_secret_id: str | None = None
    wave_table: str | None = None
    migration_state_machine_arn: str | None = None
    payload_bucket: str | None = None
    wave_concurrency: str | None = None

    def require(self, name: str) -> str:
        """The setting ``name`` of a function that needs it; :class:`ConfigError` naming its variable if unset.

        >>> read_config({**environ, "WAVEFLOW_WAVE_TABLE": "waves"}).require("wave_table")  # doctest: +SKIP
        'waves'
        """
        value = getattr(self, name)
        if value is None:
            raise ConfigError(f"{_ENV[name]} is not set in the function's environment; the CloudFormation stack "
                              f"sets it on the functions that use it")
        return value


_ENV = {
    "status_table": "WAVEFLOW_STATUS_TABLE",
    "event_bus": "WAVEFLOW_EVENT_BUS",
    "dlq_url": "WAVEFLOW_DLQ_URL",
    "idempotency_table": "WAVEFLOW_IDEMPOTENCY_TABLE",
    "callback_secret_id": "WAVEFLOW_CALLBACK_SECRET_ID",
    "notify_topic_arn": "WAVEFLOW_NOTIFY_TOPIC_ARN",
    "cmf_secret_id": "WAVEFLOW_CMF_SECRET_ID",
    "wave_table": "WAVEFLOW_WAVE_TABLE",
    "migration_state_machine_arn": "WAVEFLOW_MIGRATION_STATE_MACHINE_ARN",
    "payload_bucket": "WAVEFLOW_PAYLOAD_BUCKET",
    "wave_concurrency": "WAVEFLOW_WAVE_CONCURRENCY",
}
_OPTIONAL = frozenset({"cmf_secret_id", "wave_table", "migration_state_machine_arn", "payload_bucket",
                       "wave_concurrency"})


#: The variables in the order of :class:`Config`'s fields.
_VARIABLES = tuple(_ENV[field.name] for field in fields(Config))


def read_config(environ: dict[str, str] | os._Environ = os.environ) -> Config:
    """Build a :class:`Config` from ``environ``; every missing or blank required variable is named at once.

    >>> read_config({})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ConfigError: WAVEFLOW_STATUS_TABLE is not set, WAVEFLOW_EVENT_BUS is not set, ...
    """
    return _config_of(tuple(map(environ.get, _VARIABLES)))


@functools.lru_cache(maxsize=64)
def _config_of(raw: tuple[str | None, ...]) -> Config:
    """The :class:`Config` of the variables' values, remembered: a Lambda process reads one set, but the local
    twin plays every function of the stack in one process, each invocation in its own environment (its
    ``load_config`` cache cleared on the way in), and would otherwise build the same few configs again on each."""
    values = {field.name: (value or "").strip() or None for field, value in zip(fields(Config), raw)}
    missing = [_ENV[name] for name, value in values.items() if value is None and name not in _OPTIONAL]
    if missing:
        raise ConfigError(
            ", ".join(f"{name} is not set" for name in missing)
            + " in the function's environment; the CloudFormation stack sets them on every task function"
        )
    return Config(**values)


@functools.cache
def load_config() -> Config:
    """The process's :class:`Config`, read from ``os.environ`` on first call (``load_config.cache_clear()`` to reread)."""
    return read_config(os.environ)
