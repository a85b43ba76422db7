"""The twin's local receiver: one HTTPS server on 127.0.0.1 for requesters' callbacks and SNS notifications.

It records everything it is sent and checks each signature as the real recipient would: a callback's
``X-Waveflow-Signature`` (HMAC-SHA256 of the body with the callback secret; 401 when wrong, as a careful
requester answers), a notification's SNS signature with the signing certificate its ``SigningCertURL`` names
(400 when wrong). The tasks reach it through their own callback poster, unweakened: :meth:`LocalReceiver.poster`
is the production ``HttpsPoster`` given a resolver and an address policy that admit only this receiver's
loopback address, and a TLS context that trusts only the receiver's certificate.

It speaks HTTP/1.1 and keeps connections alive (every answer, errors included, says its length), as a
webhook behind a load balancer does: the tasks' poster and the twin's SNS delivery each reuse one connection rather
than pay a TLS handshake on both sides per request. ``stop`` ends the connections clients left open, so their
handler threads end with it (a kept-alive connection would otherwise hold its thread, and ``stop``, forever).

It listens on the first free port of :data:`PORTS`, not on one the system picks: the port is part of every
callback URL, and so of every migration request, execution input and history, which two runs of the same seed
should write alike. When every one of them is taken (many runs at once), the system picks one after all.
"""
from __future__ import annotations

import base64
import errno
import ipaddress
import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from tasks.lib.http import SIGNATURE_HEADER, HttpsPoster, verify_signature

from .certificates import LOCAL_ADDRESS, LOCAL_HOST, TlsIdentity
from .sns import string_to_sign

CALLBACKS = "/callbacks/"
NOTIFICATIONS = "/sns/"
SIGNING_CERT_PATH = "/sns/SimpleNotificationService-waveflow-local.pem"
#: the ports tried in turn (above the usual ephemeral range's start, below Linux's default one: 32768-60999)
PORTS = range(28443, 28475)


@dataclass(frozen=True)
class Received:
    """One request the receiver got: its kind (``callback`` or ``notification``), path, headers, body, verdict, and
    the connection it came on (1 for the first the receiver accepted, 2 for the next...)."""

    kind: str
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    connection: int = 0

    def json(self):
        return json.loads(self.body) if self.body else None


class LocalReceiver:
    """Receives and checks; ``received`` in arrival order.

    >>> receiver = LocalReceiver(TlsIdentity.create(), callback_secret="s3cret").start()
    >>> receiver.callback_url("billing")
    'https://localhost:.../callbacks/billing'
    """

    def __init__(self, identity: TlsIdentity, callback_secret: str | None = None,
                 signing_certificate: x509.Certificate | None = None) -> None:
        self.identity = identity
        self.callback_secret = callback_secret
        self.signing_certificate = signing_certificate
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = _listening(_handler_for(self))
        self._server.socket = identity.server_context().wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="waveflow-twin-receiver", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"https://{LOCAL_HOST}:{self.port}"

    @property
    def signing_cert_url(self) -> str:
        """Where SNS's signing certificate is published (the notifications' ``SigningCertURL``); served by GET."""
        return f"{self.base_url}{SIGNING_CERT_PATH}"

    def callback_url(self, name: str = "waveflow") -> str:
        """The URL a request's ``callbackUrl`` takes to be called back here."""
        return f"{self.base_url}{CALLBACKS}{name}"

    def start(self) -> "LocalReceiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: no new connections, the open ones ended, their handler threads joined."""
        self._server.shutdown()
        self.end_connections()
        self._server.server_close()

    def end_connections(self) -> None:
        """End every open connection, as a server does with idle ones (clients open new ones)."""
        self._server.end_connections()

    def poster(self) -> HttpsPoster:
        """The tasks' callback poster, able to reach this receiver and nothing else."""
        return HttpsPoster(allow_address=lambda address: address == ipaddress.ip_address(LOCAL_ADDRESS),
                           resolve=lambda host, port: [LOCAL_ADDRESS] if host == LOCAL_HOST else [],
                           ssl_context=self.identity.client_context(), sleep=lambda seconds: None)

    def callbacks(self) -> list[dict]:
        """The bodies of the verified callbacks, in arrival order."""
        return [r.json() for r in self.received if r.kind == "callback" and r.verified]

    def notifications(self, topic: str | None = None) -> list[dict]:
        """The verified SNS notifications (of ``topic``), in arrival order."""
        return [r.json() for r in self.received if r.kind == "notification" and r.verified
                and (topic is None or r.path == NOTIFICATIONS + topic)]

    def judge(self, path: str, headers: dict[str, str], body: bytes, connection: int = 0) -> tuple[int, Received]:
        """The answer to a request and the record of it."""
        if path.startswith(CALLBACKS):
            verified = self.callback_secret is not None and verify_signature(
                body, self.callback_secret, headers.get(SIGNATURE_HEADER, ""))
            return (200 if verified else 401), Received("callback", path, headers, body, verified, connection)
        if path.startswith(NOTIFICATIONS):
            verified = self._signed_by_sns(body)
            return (200 if verified else 400), Received("notification", path, headers, body, verified, connection)
        return 404, Received("unknown", path, headers, body, False, connection)

    def _signed_by_sns(self, body: bytes) -> bool:
        try:
            notification = json.loads(body)
            signature = base64.b64decode(notification["Signature"], validate=True)
        except (ValueError, KeyError, TypeError):
            return False
        if self.signing_certificate is None or notification.get("SigningCertURL") != self.signing_cert_url \
                or notification.get("SignatureVersion") != "2":
            return False
        try:
            self.signing_certificate.public_key().verify(signature, string_to_sign(notification),
                                                         padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, KeyError):
            return False
        return True

    def record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)


class _Server(ThreadingHTTPServer):
    """A thread per connection, which knows its open connections (numbered in accept order) to end them at stop.

    Handler threads are not daemons, so ``server_close`` joins them (socketserver keeps track of those only);
    ``end_connections`` first shuts each open connection down, which wakes its thread waiting for a next request.
    """

    daemon_threads = False

    def __init__(self, address, handler) -> None:
        super().__init__(address, handler)
        self._accepted = 0
        self._open: dict[socket.socket, int] = {}
        self._lock = threading.Lock()

    def process_request(self, request, client_address) -> None:
        with self._lock:
            self._accepted += 1
            self._open[request] = self._accepted
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._lock:
            self._open.pop(request, None)
        super().shutdown_request(request)

    def connection_number(self, request) -> int:
        with self._lock:
            return self._open.get(request, 0)

    def end_connections(self) -> None:
        with self._lock:
            connections = list(self._open)
        for connection in connections:
            try:  # the TCP connection under TLS: its handler thread may be reading through the TLS object meanwhile
                socket.socket.shutdown(connection, socket.SHUT_RDWR)
            except OSError:
                pass  # already gone


def _listening(handler) -> _Server:
    """A server on the first free port of ``PORTS`` (one the system picks when none is)."""
    for port in PORTS:
        try:
            return _Server((LOCAL_ADDRESS, port), handler)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
    return _Server((LOCAL_ADDRESS, 0), handler)


def _handler_for(receiver: LocalReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # connections kept alive: callbacks come on one, notifications on another
        # An answer goes out in one write (buffered, flushed once it is whole: one TLS record, and the client does
        # not wake for the headers and again for the body). Nagle's algorithm off: were an answer to go out in two
        # writes, it would hold the second back until the client acknowledged the first, which it delays (40 ms).
        wbufsize = -1
        disable_nagle_algorithm = True

        def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, received = receiver.judge(self.path, dict(self.headers.items()), body,
                                              self.server.connection_number(self.request))
            receiver.record(received)
            self._answer(status, "application/json", json.dumps({"received": received.verified}).encode())

        def do_GET(self) -> None:  # noqa: N802
            certificate = receiver.signing_certificate
            if self.path != SIGNING_CERT_PATH or certificate is None:
                self._answer(404, "text/plain", b"not found")
                return
            self._answer(200, "application/x-pem-file", certificate.public_bytes(serialization.Encoding.PEM))

        def _answer(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # the twin reports through its records, not stderr
            pass

    return Handler
