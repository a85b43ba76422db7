"""Outbound HTTPS for callbacks and Cloud Migration Factory: the only way tasks talk to the internet.

A callback URL comes from whoever submitted the migration request, so the poster treats it as hostile:
https only, the host is resolved once and every resolved address must pass ``allow_address`` (by default:
public unicast addresses only — every range of IANA's special-purpose registries is refused, listed in
:data:`REFUSED_IPV4` and :data:`REFUSED_IPV6`, so a request cannot reach the VPC or the instance metadata
endpoint, directly or through an IPv6 form that carries an IPv4 address). The connection then goes
to the checked address itself (TLS still verifies the hostname), so a DNS answer that changes between the
check and the connect cannot smuggle a private address in; redirects are never followed, for the same reason.
That is why this uses ``http.client`` with a pinned socket rather than ``urllib.request``'s opener.

Failures map onto the workflow's error names: a refused address, a malformed or non-https URL (whitespace or
control characters included), a host that does not resolve (NXDOMAIN), a certificate that does not verify, a
redirect (3xx, never followed) or a 4xx answer other than 408/429 is ``CallbackRejected``, raised at once and not
retried here or by the workflow (retrying cannot help); connection errors and timeouts before the request went out,
a resolver that cannot answer now, 408, 429 and 5xx are retried here a few times with backoff and then raise
``CallbackUnavailable``, which the workflow retries again later. At most :data:`MAX_RESPONSE_BYTES` of an
answer are read: the body only ever matters for CMF's small JSON answers.

Connections are kept alive and reused (``tasks.lib.keepalive``: per checked address, across warm invocations),
and the poster never writes a POST twice once it went out whole: when its answer is lost (the connection closed,
reset or timed out after the request went out) the server may have acted on it, so that is ``CallbackUnavailable``
at once, and the workflow's retry (5 s to 2 min later) sends it again. Neither defect can follow: a callback is not
lost (the workflow retries ``CallbackUnavailable``), and a repeat comes only from the workflow's retry or a crash,
both with the same ``X-Waveflow-Delivery`` ID and signed body, on which the receiver drops duplicates
(``tasks/callback.py``). A kept connection the server closed is found out before the request is written, or fails
while it is written, and the request then goes out once on a new connection. GET, PUT and the other idempotent
methods (CMF's) are retried here after a lost answer as after any failure.
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
from tasks.lib.keepalive import AnswerLost, KeptConnections

SIGNATURE_HEADER = "X-Waveflow-Signature"
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: methods whose request may be sent again when its answer was lost (RFC 9110, 9.2.2)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
#: Resolver answers that mean the name does not exist (NXDOMAIN, no address records, a non-recoverable failure):
#: permanent. Any other resolver failure (EAI_AGAIN: no answer now) is retried.
_NAME_DOES_NOT_EXIST = frozenset(
    code for code in (getattr(socket, name, None) for name in ("EAI_NONAME", "EAI_NODATA", "EAI_FAIL")) if code is not None
)
MAX_RESPONSE_BYTES = 1024 * 1024

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _networks(*entries: tuple[str, str]) -> tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...]:
    return tuple((ipaddress.ip_network(network), name) for network, name in entries)


#: Every block of IANA's IPv4 Special-Purpose Address Registry (RFC 6890 and its updates), plus multicast and the
#: reserved 240/4: written down here rather than taken from Python's ``ipaddress`` flags, whose answers change
#: with the patch level (3.11.x admitted most of 192.0.0.0/24).
REFUSED_IPV4 = _networks(
    ("0.0.0.0/8", "'this network'"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared address space (CGNAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("192.31.196.0/24", "AS112-v4"),
    ("192.52.193.0/24", "AMT"),
    ("192.88.99.0/24", "6to4 relay anycast (deprecated)"),
    ("192.168.0.0/16", "private"),
    ("192.175.48.0/24", "direct delegation AS112"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("255.255.255.255/32", "limited broadcast"),
)

#: IANA's IPv6 Special-Purpose Address Registry and the non-unicast parts of the IPv6 address space. Besides these,
#: only global unicast (2000::/3) is admitted at all; the forms that carry an IPv4 address are judged by it
#: (:data:`EMBEDDED_IPV4`).
REFUSED_IPV6 = _networks(
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::/96", "IPv4-compatible (deprecated)"),
    ("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
    ("100::/64", "discard-only"),
    ("100:0:0:1::/64", "dummy prefix"),
    ("2001::/23", "IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID, ..."),
    ("2001:db8::/32", "documentation"),
    ("2620:4f:8000::/48", "direct delegation AS112"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing (SRv6) SIDs"),
    ("fc00::/7", "unique local"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
)
GLOBAL_UNICAST_IPV6 = ipaddress.ip_network("2000::/3")

#: IPv6 forms that reach an IPv4 address (bits of the IPv6 address holding it): judged by that address.
EMBEDDED_IPV4 = _networks(
    ("::ffff:0:0/96", "IPv4-mapped"),
    ("::ffff:0:0:0/96", "IPv4-translated"),
    ("64:ff9b::/96", "NAT64 translation"),
    ("2002::/16", "6to4"),
)


def refusal(address: IpAddress) -> str | None:
    """Why a callback may not go to ``address`` (the range it is in), or ``None`` for a public unicast address.

    >>> refusal(ipaddress.ip_address("169.254.169.254")), refusal(ipaddress.ip_address("2002:a9fe:a9fe::1"))
    ('169.254.0.0/16 (link-local)', '2002::/16 (6to4) carrying 169.254.169.254: 169.254.0.0/16 (link-local)')
    """
    if isinstance(address, ipaddress.IPv4Address):
        return next((f"{net} ({name})" for net, name in REFUSED_IPV4 if address in net), None)
    for network, name in EMBEDDED_IPV4:
        if address in network:
            shift = 80 if network.prefixlen == 16 else 0  # 6to4 holds it in bits 16-47, the others in the last 32
            embedded = ipaddress.IPv4Address((int(address) >> shift) & 0xFFFFFFFF)
            why = refusal(embedded)
            return f"{network} ({name}) carrying {embedded}: {why}" if why else None
    found = next((f"{net} ({name})" for net, name in REFUSED_IPV6 if address in net), None)
    if found is None and address not in GLOBAL_UNICAST_IPV6:
        found = f"{address}: outside global unicast {GLOBAL_UNICAST_IPV6} (reserved by the IETF)"
    return found


def is_public_address(address: IpAddress) -> bool:
    """The default address policy: True only where :func:`refusal` finds nothing.

    >>> is_public_address(ipaddress.ip_address("100.64.0.1")), is_public_address(ipaddress.ip_address("8.8.8.8"))
    (False, True)
    """
    return refusal(address) is None


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
    """Connects to an address checked in advance while TLS still verifies the URL's hostname.

    Like ``http.client``'s own ``connect``, it turns Nagle's algorithm off: the request's headers and body go out
    as two writes, and with Nagle on the body waits for the server to acknowledge the headers, which a server
    delays (up to 40 ms on Linux) while it waits for the rest of the request.
    """

    def __init__(self, host: str, address: str, port: int, *, timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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
    #: open connections by (host, checked address, port): made with this poster's TLS context and timeout
    connections: KeptConnections = field(default_factory=KeptConnections, repr=False, compare=False)

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
            except AnswerLost as exc:
                if method not in IDEMPOTENT_METHODS:
                    raise CallbackUnavailable(f"{method} {url} was sent but its answer was lost ({exc}); not sent "
                                              f"again here: the server may have acted on it") from exc
                last_problem = str(exc)
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
        """The one address the request goes to: resolved once, every answer checked by the address policy."""
        try:
            addresses = self.resolve(host, port)
        except socket.gaierror as exc:
            if exc.errno in _NAME_DOES_NOT_EXIST:
                raise CallbackRejected(f"refusing to call {host}: it does not resolve ({exc})") from exc
            raise CallbackUnavailable(f"cannot resolve {host} now: {exc}") from exc
        except OSError as exc:
            raise CallbackUnavailable(f"cannot resolve {host} now: {exc}") from exc
        if not addresses:
            raise CallbackRejected(f"refusing to call {host}: it resolves to no address")
        refused = [a for a in addresses if not self.allow_address(ipaddress.ip_address(a))]
        if refused:
            why = "; ".join(f"{a} is in {refusal(ipaddress.ip_address(a)) or 'a range this policy refuses'}"
                            for a in refused)
            raise CallbackRejected(f"refusing to call {host}: it resolves to a private, loopback, link-local or "
                                   f"reserved address ({why})")
        return addresses[0]

    def _exchange(
        self, method: str, host: str, address: str, port: int, target: str, body: bytes, headers: dict[str, str]
    ) -> HttpResponse:
        def connect() -> _PinnedHTTPSConnection:
            return _PinnedHTTPSConnection(host, address, port, timeout=self.timeout, context=self.ssl_context)

        status, answer = self.connections.exchange((host, address, port), connect, method, target, body, headers,
                                                   MAX_RESPONSE_BYTES)
        return HttpResponse(status=status, body=answer)

    def close(self) -> None:
        """Close the connections kept open."""
        self.connections.close()


def _split_https_url(url: str) -> tuple[str, int, str]:
    """(host, port, path?query) of an https URL; anything else, or anything malformed, is refused.

    Whitespace and control characters are refused outright: ``urlsplit`` silently drops CR, LF and tab, and a
    space would reach the resolver or the request line.
    """
    if not isinstance(url, str) or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise CallbackRejected(f"refusing to call {url!r}: it is not a valid URL (whitespace or control characters)")
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
    (a loopback-admitting policy and a test CA) without patching any task code. The poster replaced closes the
    connections it kept.
    """
    for replaced in _default:
        if replaced is not poster:
            replaced.close()
    _default[:] = [poster] if poster is not None else []


def poster() -> HttpsPoster:
    """The process's poster: the configured one, or a production :class:`HttpsPoster` built on first use."""
    if not _default:
        _default.append(HttpsPoster())
    return _default[0]
