"""Outbound HTTPS for callbacks and Cloud Migration Factory: the only way tasks talk to the internet.

A callback URL comes from whoever submitted the migration request, so the poster treats it as hostile:
https only, the host is resolved once and every resolved address must pass ``allow_address`` (by default:
public unicast addresses only — no private, loopback, link-local, reserved, multicast or unspecified
ones, which would let a request reach the VPC or the instance metadata endpoint). The connection then goes
to the checked address itself (TLS still verifies the hostname), so a DNS answer that changes between the
check and the connect cannot smuggle a private address in; redirects are never followed, for the same reason.
That is why this uses ``http.client`` with a pinned socket rather than ``urllib.request``'s opener.

Failures map onto the workflow's error names: a refused address, a malformed or non-https URL, a certificate
that does not verify, a redirect (3xx, never followed) or a 4xx answer is ``CallbackRejected`` (retrying cannot
help); timeouts, connection errors, 408, 429 and 5xx are retried here a few times with backoff and then raise
``CallbackUnavailable``, which the workflow retries again later. At most :data:`MAX_RESPONSE_BYTES` of an
answer are read: the body only ever matters for CMF's small JSON answers.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tasks.lib.errors import CallbackRejected, CallbackUnavailable

SIGNATURE_HEADER = "X-Waveflow-Signature"
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_RESPONSE_BYTES = 1024 * 1024

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(address: IpAddress) -> bool:
    """The default address policy: True only for globally routable unicast addresses (not CGNAT 100.64/10 either).

    An IPv6 address that carries an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, 6to4 ``2002:AABB:CCDD::``) is
    judged by that IPv4 address too: ``2002:a9fe:a9fe::1`` reaches 169.254.169.254 through a 6to4 relay.

    >>> is_public_address(ipaddress.ip_address("169.254.169.254"))
    False
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv6Address) and address.sixtofour is not None:
        if not is_public_address(address.sixtofour):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def sign(body: bytes, secret: str) -> str:
    """The signature header value for ``body``: ``sha256=<hex HMAC-SHA256 of the body with the secret>``.

    >>> sign(b"{}", "s3cret")[:7]
    'sha256='
    """
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, secret: str, header_value: str) -> bool:
    """What a receiver does with the header: recompute and compare in constant time."""
    return hmac.compare_digest(sign(body, secret), header_value or "")


@dataclass(frozen=True)
class HttpResponse:
    """A completed exchange: status code and raw body."""

    status: int
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (``None`` for an empty body)."""
        return json.loads(self.body) if self.body else None


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to an address checked in advance while TLS still verifies the URL's hostname."""

    def __init__(self, host: str, address: str, port: int, *, timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (A and AAAA), in resolver order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass
class HttpsPoster:
    """Sends JSON over HTTPS under the address policy, with timeouts, bounded retries and optional signing.

    >>> poster = HttpsPoster()
    >>> poster.post_json("https://hooks.example.com/m", {"status": "SUCCESS"}, secret="s3cret")  # doctest: +SKIP
    HttpResponse(status=200, body=b'')
    """

    timeout: float = 5.0
    attempts: int = 3
    backoff_seconds: float = 0.5
    allow_address: Callable[[IpAddress], bool] = is_public_address
    resolve: Resolver = resolve_host
    ssl_context: ssl.SSLContext = field(default_factory=ssl.create_default_context)
    sleep: Callable[[float], None] = time.sleep

    def post_json(
        self, url: str, payload: Any, *, secret: str | None = None, headers: Mapping[str, str] | None = None
    ) -> HttpResponse:
        """POST ``payload`` as JSON; with ``secret``, sign the exact body bytes in ``X-Waveflow-Signature``."""
        return self.request("POST", url, payload, secret=secret, headers=headers)

    def request(
        self,
        method: str,
        url: str,
        payload: Any = None,
        *,
        secret: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """One HTTP exchange with retries; 2xx returned, 3xx/4xx -> CallbackRejected, else CallbackUnavailable."""
        host, port, target = _split_https_url(url)
        address = self._checked_address(host, port)
        body = b"" if payload is None else json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        all_headers = {"Content-Type": "application/json", "User-Agent": "waveflow-tasks", **(headers or {})}
        if secret is not None:
            all_headers[SIGNATURE_HEADER] = sign(body, secret)
        last_problem = ""
        for attempt in range(1, self.attempts + 1):
            try:
                response = self._exchange(method, host, address, port, target, body, all_headers)
            except ssl.SSLCertVerificationError as exc:
                raise CallbackRejected(f"{method} {url}: the server's TLS certificate does not verify: {exc}") from exc
            except (OSError, http.client.HTTPException) as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status not in RETRYABLE_STATUSES and response.status < 500:
                    if response.status >= 300:
                        raise CallbackRejected(
                            f"{method} {url} was answered with HTTP {response.status}"
                            f"{' (redirects are not followed)' if response.status < 400 else ''}: "
                            f"{response.body[:200]!r}"
                        )
                    return response
                last_problem = f"HTTP {response.status}"
            if attempt < self.attempts:
                self.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        raise CallbackUnavailable(f"{method} {url} failed after {self.attempts} attempts: {last_problem}")

    def _checked_address(self, host: str, port: int) -> str:
        try:
            addresses = self.resolve(host, port)
        except OSError as exc:
            raise CallbackUnavailable(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise CallbackUnavailable(f"{host} resolves to no address")
        refused = [a for a in addresses if not self.allow_address(ipaddress.ip_address(a))]
        if refused:
            raise CallbackRejected(
                f"refusing to call {host}: it resolves to {', '.join(refused)}, "
                "which is a private, loopback, link-local or reserved address"
            )
        return addresses[0]

    def _exchange(
        self, method: str, host: str, address: str, port: int, target: str, body: bytes, headers: dict[str, str]
    ) -> HttpResponse:
        connection = _PinnedHTTPSConnection(host, address, port, timeout=self.timeout, context=self.ssl_context)
        try:
            connection.request(method, target, body=body or None, headers=headers)
            response = connection.getresponse()
            return HttpResponse(status=response.status, body=response.read(MAX_RESPONSE_BYTES))
        finally:
            connection.close()


def _split_https_url(url: str) -> tuple[str, int, str]:
    """(host, port, path?query) of an https URL; anything else, or anything malformed, is refused."""
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for a port that is no number or out of range
        if port == 0:
            raise ValueError("port 0 cannot be connected to")
        if parts.hostname:
            parts.hostname.encode("idna")  # UnicodeError for an empty label or one over 63 characters
    except (ValueError, UnicodeError) as exc:
        raise CallbackRejected(f"refusing to call {url!r}: it is not a valid URL ({exc})") from exc
    if parts.scheme != "https" or not parts.hostname:
        raise CallbackRejected(f"refusing to call {url!r}: only https:// URLs with a host are allowed")
    if parts.username or parts.password:
        raise CallbackRejected(f"refusing to call {parts.hostname}: credentials in the URL are not allowed")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.hostname, port or 443, target


_default: list[HttpsPoster] = []


def configure(poster: HttpsPoster | None = None) -> None:
    """Make ``poster`` the one :func:`poster` returns (None: back to the production policy).

    Like ``aws.configure``, this is how the local twin and the tests reach their stand-ins on 127.0.0.1
    (a loopback-admitting policy and a test CA) without patching any task code.
    """
    _default[:] = [poster] if poster is not None else []


def poster() -> HttpsPoster:
    """The process's poster: the configured one, or a production :class:`HttpsPoster` built on first use."""
    if not _default:
        _default.append(HttpsPoster())
    return _default[0]
