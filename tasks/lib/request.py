"""Migration requests: checking one against ``schemas/migration-request.json`` and completing it.

A request that fails is answered with *every* problem at once, each naming the field (``target.accountId``)
and what a valid value looks like, so a requester fixes the whole request in one round trip.
"""

from __future__ import annotations

import copy
import difflib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable

from jsonschema import ValidationError

from tasks.lib import aws
from tasks.lib.errors import InvalidMigrationDocument
from tasks.lib.jsonschemas import validator

SCHEMA = "migration-request.json"
DEFAULT_DNS_TTL = 300


@dataclass(frozen=True, order=True)
class RequestProblem:
    """One fault of a request: where (a dotted path, ``""`` for the whole request) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(request)'}: {self.message}"


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _required(error: ValidationError) -> list[RequestProblem]:
    return [
        RequestProblem(_path([*error.absolute_path, name]), "is required")
        for name in error.validator_value
        if name not in error.instance
    ]


def _unknown_fields(error: ValidationError) -> list[RequestProblem]:
    allowed = sorted(error.schema.get("properties", {}))
    problems = []
    for name in error.instance:
        if name in allowed:
            continue
        close = difflib.get_close_matches(str(name), allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
        problems.append(RequestProblem(_path([*error.absolute_path, name]), f"unknown field; {hint}"))
    return problems


def _described(error: ValidationError) -> list[RequestProblem]:
    """A value with the right type but the wrong shape: say what the field should be, not the regex."""
    description = error.schema.get("description")
    message = f"{_shown(error.instance)} is not {description}" if description else error.message
    return [RequestProblem(_path(error.absolute_path), message)]


def _wrong_type(error: ValidationError) -> list[RequestProblem]:
    """A value of the wrong type or outside an enum, shown short: the reason must not repeat a large body."""
    expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    wanted = ", ".join(repr(value) for value in expected)
    message = f"is not of type {wanted}" if error.validator == "type" else f"is not one of [{wanted}]"
    return [RequestProblem(_path(error.absolute_path), f"{_shown(error.instance)} {message}")]


def _as_is(error: ValidationError) -> list[RequestProblem]:
    return [RequestProblem(_path(error.absolute_path), error.message)]


_EXPLAIN: dict[str, Callable[[ValidationError], list[RequestProblem]]] = {
    "required": _required,
    "additionalProperties": _unknown_fields,
    "type": _wrong_type,
    "enum": _wrong_type,
    **dict.fromkeys(
        ("pattern", "format", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minimum", "maximum"),
        _described,
    ),
}


def validate_request(obj: Any) -> list[RequestProblem]:
    """Every problem of ``obj`` as a migration request, sorted by path; ``[]`` when it is valid.

    >>> [str(p) for p in validate_request({"sourceServerId": "s-1"})][:2]
    ['appName: is required', 'environment: is required']
    """
    problems: set[RequestProblem] = set()
    for error in validator(SCHEMA).iter_errors(obj):
        problems.update(_EXPLAIN.get(error.validator, _as_is)(error))
    return sorted(problems)


def summarise(problems: list[RequestProblem], max_chars: int = 2000) -> str:
    """The problems as one line, ``path: message; ...``, as many as fit in ``max_chars``, then ``... and N more``.

    >>> summarise([RequestProblem("wave", "is required"), RequestProblem("appName", "is required")], 30)
    'wave: is required; ... and 1 more'
    """
    shown: list[str] = []
    used = 0
    for problem in problems:
        text = str(problem)[:max_chars]
        if shown and used + len(text) + 2 > max_chars:
            break
        shown.append(text)
        used += len(text) + 2
    hidden = len(problems) - len(shown)
    return "; ".join(shown) + (f"; ... and {hidden} more" if hidden else "")


def wave_text(wave: str | int | float) -> str:
    """The one text of a wave, as the status table indexes it and migration IDs carry it.

    JSON Schema counts 7.0 as an integer, so a request may carry the wave as ``7``, ``7.0`` or ``"7"``; all three
    name wave ``"7"`` (and ``-0.0`` wave ``"0"``), so they also name one migration.

    >>> wave_text(7), wave_text(7.0), wave_text(-0.0), wave_text("7")
    ('7', '7', '0', '7')
    """
    if isinstance(wave, float) and wave.is_integer():
        return str(int(wave))
    return str(wave)


def migration_id_for(source_server_id: str, wave: str | int | float) -> str:
    """The migration ID of a server in a wave: stable, so a repeated request names the same migration.

    >>> migration_id_for("s-0a1b2c3d4e5f60718", 7), migration_id_for("s-0a1b2c3d4e5f60718", 7.0)
    ('s-0a1b2c3d4e5f60718-7', 's-0a1b2c3d4e5f60718-7')
    """
    return f"{source_server_id}-{wave_text(wave)}"


def normalise_request(
    obj: Any, *, now: datetime | None = None, default_correlation_id: str | None = None
) -> dict[str, Any]:
    """A valid request completed into the state document's shape; raises :class:`InvalidMigrationDocument`.

    ``wave`` becomes its one text (:func:`wave_text`; the status table indexes it as a string); ``migrationId`` is
    derived when absent;
    ``correlationId`` is kept, else ``default_correlation_id`` (ingress passes the SQS message ID so every
    redelivery shares one), else a new UUID; ``requestedAt`` is kept, else ``now`` (default ``aws.now()``);
    ``testLaunch`` defaults to true and ``dns.ttl`` to 300 s. Normalising a normalised request changes nothing.

    >>> normalise_request(request)["migrationId"]  # doctest: +SKIP
    's-0a1b2c3d4e5f60718-7'
    """
    problems = validate_request(obj)
    if problems:
        raise InvalidMigrationDocument(
            f"migration request has {len(problems)} problem(s): {summarise(problems)}", problems
        )
    document = copy.deepcopy(obj)
    document["wave"] = wave_text(document["wave"])
    document.setdefault("migrationId", migration_id_for(document["sourceServerId"], document["wave"]))
    document.setdefault("correlationId", default_correlation_id or str(uuid.uuid4()))
    document.setdefault("requestedAt", aws.iso(now or aws.now()))
    document.setdefault("testLaunch", True)
    if "dns" in document:
        document["dns"].setdefault("ttl", DEFAULT_DNS_TTL)
    return document
