"""Cloud Migration Factory (CMF) client: keeps the server's migration status in CMF in step with waveflow.

Off by default. When ``WAVEFLOW_CMF_SECRET_ID`` is set, the secret (JSON) holds ``endpoint`` (the CMF API
base URL, https), ``username`` and ``password``; the client logs in (``POST {endpoint}/login`` -> token),
finds the server by its hostname (``GET {endpoint}/user/servers``, matching ``server_name``) and sets
``migration_status`` (``PUT {endpoint}/user/servers/{server_id}``) with the token in ``Authorization``.

CMF is a record keeper, not part of the migration: an update that fails — for whatever reason, from an unreadable
secret to a proxy answering HTML — is recorded in the stage's detail and counted (metric ``CmfUpdateFailures``)
but never fails the migration itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tasks.lib import http
from tasks.lib.config import load_config
from tasks.lib.errors import CallbackRejected, ConfigError
from tasks.lib.http import HttpsPoster
from tasks.lib.observability import logger, metrics
from tasks.lib.secrets import read_secret
from tasks.lib.status import Status

#: The CMF ``migration_status`` text for each waveflow status that CMF hears about.
CMF_STATUS_TEXT: dict[Status, str] = {
    Status.MIGRATION_IN_PROGRESS: "Replication started",
    Status.VERIFIED: "Cutover instance verified",
    Status.SUCCESS: "Cutover - Completed",
    Status.FAILED: "Migration rolled back",
}

_SECRET_KEYS = ("endpoint", "username", "password")


@dataclass(frozen=True)
class CmfCredentials:
    """Where CMF lives and who we are to it, read from the CMF secret."""

    endpoint: str
    username: str
    password: str

    @classmethod
    def from_secret(cls, secret_id: str, secret_string: str) -> CmfCredentials:
        """Parse the secret; a missing key is a ConfigError that names it and the secret."""
        try:
            values = json.loads(secret_string)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"CMF secret {secret_id} is not JSON: {exc}") from exc
        missing = [key for key in _SECRET_KEYS if not (isinstance(values, dict) and values.get(key))]
        if missing:
            raise ConfigError(f"CMF secret {secret_id} lacks {', '.join(missing)} (needs {', '.join(_SECRET_KEYS)})")
        return cls(endpoint=values["endpoint"].rstrip("/"), username=values["username"], password=values["password"])


class CmfClient:
    """The three CMF calls waveflow needs: login, find a server, set its migration status."""

    def __init__(self, credentials: CmfCredentials, poster: HttpsPoster | None = None):
        self._credentials = credentials
        self._poster = poster or http.poster()

    def update_server_status(self, server_name: str, status_text: str) -> str:
        """Set ``migration_status`` of the CMF server named ``server_name``; returns its CMF ``server_id``.

        >>> client.update_server_status("web-01", "Cutover - Completed")  # doctest: +SKIP
        '42'
        """
        headers = {"Authorization": self._login()}
        base = self._credentials.endpoint
        servers = self._poster.request("GET", f"{base}/user/servers", headers=headers).json() or []
        server_id = next(
            (str(s["server_id"]) for s in servers if str(s.get("server_name", "")).lower() == server_name.lower()),
            None,
        )
        if server_id is None:
            raise CallbackRejected(f"CMF at {base} has no server named {server_name!r}")
        self._poster.request(
            "PUT", f"{base}/user/servers/{server_id}", {"migration_status": status_text}, headers=headers
        )
        return server_id

    def _login(self) -> str:
        response = self._poster.post_json(
            f"{self._credentials.endpoint}/login",
            {"username": self._credentials.username, "password": self._credentials.password},
        )
        token = response.json()
        if isinstance(token, dict):
            token = token.get("token")
        if not isinstance(token, str) or not token:
            raise CallbackRejected(f"CMF login at {self._credentials.endpoint} returned no token")
        return token


def cmf_client(poster: HttpsPoster | None = None) -> CmfClient | None:
    """The configured client, or None when CMF integration is off (no ``WAVEFLOW_CMF_SECRET_ID``)."""
    secret_id = load_config().cmf_secret_id
    if not secret_id:
        return None
    return CmfClient(CmfCredentials.from_secret(secret_id, read_secret(secret_id, "the CMF credentials")), poster)


def report_status(document: dict, status: Status, poster: HttpsPoster | None = None) -> dict:
    """Best-effort CMF update for the document's server; returns what happened, for the stage's detail.

    Never raises: every failure is logged, counted and returned (see the module docstring).

    >>> report_status(document, Status.SUCCESS)  # doctest: +SKIP
    {'updated': True, 'status': 'Cutover - Completed', 'serverId': '42'}
    """
    status_text = CMF_STATUS_TEXT[status]
    try:
        client = cmf_client(poster)
        if client is None:
            return {"updated": False, "reason": "CMF integration is off"}
        hostname = (document.get("source") or {}).get("hostname") or document["sourceServerId"]
        server_id = client.update_server_status(hostname, status_text)
    except Exception as exc:
        logger.warning("CMF update failed", extra={"cmfStatus": status_text, "error": f"{type(exc).__name__}: {exc}"})
        metrics.add_metric(name="CmfUpdateFailures", unit="Count", value=1)
        return {"updated": False, "status": status_text, "error": f"{type(exc).__name__}: {exc}"[:1000]}
    return {"updated": True, "status": status_text, "serverId": server_id}
