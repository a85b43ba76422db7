"""What makes a migration itself: its server and wave, whatever ``migrationId`` a request carries.

One migration per ``(sourceServerId, wave)``. The status table holds, beside each status record, an *identity
item* keyed ``#identity/<sourceServerId>/<wave>`` (a key no migration ID can take: they start with a letter or
digit) naming the migration that owns the pair; ingress writes the record and the identity item in one
DynamoDB transaction, each conditional on its key being free (``tasks.lib.store.StatusStore.create``). So a
second record for the same server and wave cannot be written, whatever ID it would carry, and a request meeting
an existing migration is judged here:

* the migration ID belongs to another server or wave: refused;
* the request names a migration ID other than the owner's: refused (a request without ``migrationId`` names no
  ID and so matches the owner, whatever its ID);
* its *content* differs: refused, naming the fields. Content is every field of the request schema except
  ``migrationId`` (judged above), ``correlationId`` and ``requestedAt`` (they differ between deliveries of one
  request), compared after normalisation (``wave`` 7 and "7" agree; ``testLaunch`` absent and true agree,
  ``dns.ttl`` absent and 300 too);
* otherwise it is a true duplicate: a quiet no-op.

The identity item carries the owner's record ``ttl`` once the migration has ended; an identity item whose owner
record is gone or past its ``ttl`` is stale, and a new request takes it over.
"""

from __future__ import annotations

from typing import Any

from tasks.lib.jsonschemas import load_schema
from tasks.lib.request import SCHEMA, RequestProblem, wave_text

#: Request fields that are not part of what is asked: they differ between deliveries of the same request.
NOT_CONTENT = frozenset({"migrationId", "correlationId", "requestedAt"})
IDENTITY_PREFIX = "#identity/"


def identity_key(document: dict[str, Any]) -> str:
    """The status-table key of the identity item of a request's server and wave.

    >>> identity_key({"sourceServerId": "s-0a1b2c3d4e5f60718", "wave": 7.0})
    '#identity/s-0a1b2c3d4e5f60718/7'
    """
    return f"{IDENTITY_PREFIX}{document['sourceServerId']}/{wave_text(document['wave'])}"


def content(document: dict[str, Any]) -> dict[str, Any]:
    """The fields of a normalised request (or of its status record) that say what is asked."""
    fields = load_schema(SCHEMA)["properties"].keys() - NOT_CONTENT
    return {name: document[name] for name in sorted(fields) if name in document}


def differences(stored: Any, requested: Any, path: str = "") -> list[str]:
    """Dotted paths at which two contents differ, sorted; ``[]`` when they agree.

    >>> differences({"a": 1, "t": {"x": 1, "y": 2}}, {"a": 1, "t": {"x": 1, "y": 3}, "b": 0})
    ['b', 't.y']
    """
    if not (isinstance(stored, dict) and isinstance(requested, dict)):
        return [] if stored == requested else [path or "(request)"]
    found: list[str] = []
    for name in sorted(stored.keys() | requested.keys()):
        found += differences(stored.get(name), requested.get(name), f"{path}.{name}" if path else name)
    return found


def conflict(existing: dict[str, Any], request: dict[str, Any], *, id_given: bool) -> RequestProblem | None:
    """Why ``request`` cannot be the migration ``existing`` is (a DLQ reason); ``None`` for a true duplicate.

    ``existing`` is the status record that holds the request's migration ID or its server and wave; ``request``
    is normalised, its content canonical as DynamoDB gives it back; ``id_given`` says whether the requester
    named the migration ID.
    """
    owner = existing["migrationId"]
    if (existing["sourceServerId"], existing["wave"]) != (request["sourceServerId"], wave_text(request["wave"])):
        return RequestProblem(
            "migrationId",
            f"{owner!r} already belongs to server {existing['sourceServerId']} in wave {existing['wave']},"
            f" not to server {request['sourceServerId']} in wave {wave_text(request['wave'])}",
        )
    where = f"server {existing['sourceServerId']} in wave {existing['wave']} is already migration {owner!r}"
    if id_given and request["migrationId"] != owner:
        return RequestProblem("migrationId", f"{where}; this request names {request['migrationId']!r}")
    changed = differences(content(existing), content(request))
    if changed:
        return RequestProblem("", f"{where}, requested with different {', '.join(changed)}")
    return None
