"""Local stand-ins for the two HTTPS services the stages call: a callback receiver and the CMF API.

Each is a real TLS server on 127.0.0.1 in a thread, with a self-signed certificate made for the test run, so
the poster under test does everything it does in production (resolve, check the address, TLS, sign) — except
that the test hands it an address policy that admits loopback and an SSL context that trusts this certificate.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tasks.lib.http import SIGNATURE_HEADER, HttpsPoster, resolve_host, verify_signature

HOSTNAME = "localhost"


@dataclass(frozen=True)
class SelfSignedCertificate:
    """A self-signed certificate for ``localhost``/127.0.0.1 and the files holding it."""

    cert_file: Path
    key_file: Path

    @classmethod
    def create(cls, directory: Path) -> SelfSignedCertificate:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTNAME)])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName(HOSTNAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        cert_file, key_file = directory / "cert.pem", directory / "key.pem"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return cls(cert_file, key_file)

    def client_context(self) -> ssl.SSLContext:
        """An SSL context that trusts this certificate only (hostname checks stay on)."""
        return ssl.create_default_context(cafile=str(self.cert_file))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context


def loopback_poster(certificate: SelfSignedCertificate, **overrides) -> HttpsPoster:
    """The production poster with two test allowances: loopback addresses and the test certificate."""
    options = {
        "allow_address": lambda address: address.is_loopback,
        "resolve": lambda host, port: [a for a in resolve_host(host, port) if a == "127.0.0.1"],
        "ssl_context": certificate.client_context(),
        "sleep": lambda seconds: None,
        "timeout": 2.0,
    }
    return HttpsPoster(**{**options, **overrides})


@dataclass
class Received:
    """One request as the stand-in saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    local_address: str = ""  # the server's own address the connection came in on

    def json(self):
        return json.loads(self.body) if self.body else None


class _StandIn:
    """An HTTPS server in a thread; subclasses answer in :meth:`answer`."""

    def __init__(self, certificate: SelfSignedCertificate, address: str = "127.0.0.1"):
        self.received: list[Received] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(self.command, self.path, dict(self.headers.items()), self.rfile.read(length),
                                   self.connection.getsockname()[0])
                standin.received.append(request)
                status, payload = standin.answer(request)
                body = payload if isinstance(payload, bytes) else b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _serve

            def log_message(self, *args) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer((address, 0), Handler)
        self._server.socket = certificate.server_context().wrap_socket(self._server.socket, server_side=True)
        # A short poll interval keeps stop() (which waits for the serving loop to notice) quick.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"https://{HOSTNAME}:{self._server.server_address[1]}"

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, request: Received) -> tuple[int, object]:
        """(status, payload): a payload is sent as JSON, ``bytes`` as they are."""
        raise NotImplementedError


class CallbackReceiver(_StandIn):
    """A requester's webhook: verifies the signature of every POST and answers from ``statuses`` in turn.

    Unsigned or wrongly signed requests get 401, as a careful receiver would answer.
    """

    def __init__(self, certificate: SelfSignedCertificate, secret: str, address: str = "127.0.0.1"):
        super().__init__(certificate, address)
        self.secret = secret
        self.statuses: list[int] = []
        self.verified: list[dict] = []

    @property
    def url(self) -> str:
        return f"{self.base_url}/hooks/waveflow"

    def answer(self, request: Received) -> tuple[int, object]:
        if not verify_signature(request.body, self.secret, request.headers.get(SIGNATURE_HEADER, "")):
            return 401, {"message": "bad signature"}
        status = self.statuses.pop(0) if self.statuses else 200
        if status < 300:
            self.verified.append(request.json())
        return status, {"received": status < 300}


@dataclass
class CmfServer:
    server_id: str
    server_name: str
    migration_status: str = "Not started"
    history: list[str] = field(default_factory=list)


class CmfStandIn(_StandIn):
    """The slice of the Cloud Migration Factory user API that waveflow uses: login, list and update servers."""

    def __init__(self, certificate: SelfSignedCertificate, *, username: str = "waveflow", password: str = "pw"):
        super().__init__(certificate)
        self.credentials = (username, password)
        self.token = "cmf-token-1"
        self.servers: dict[str, CmfServer] = {}

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/prod"

    def add_server(self, server_id: str, server_name: str) -> CmfServer:
        self.servers[server_id] = CmfServer(server_id, server_name)
        return self.servers[server_id]

    def answer(self, request: Received) -> tuple[int, object]:
        if request.method == "POST" and request.path == "/prod/login":
            body = request.json() or {}
            if (body.get("username"), body.get("password")) != self.credentials:
                return 401, {"message": "bad credentials"}
            return 200, self.token
        if request.headers.get("Authorization") != self.token:
            return 401, {"message": "missing or bad token"}
        if request.method == "GET" and request.path == "/prod/user/servers":
            return 200, [{"server_id": s.server_id, "server_name": s.server_name} for s in self.servers.values()]
        prefix = "/prod/user/servers/"
        if request.method == "PUT" and request.path.startswith(prefix):
            server = self.servers.get(request.path[len(prefix):])
            if server is None:
                return 404, {"message": "no such server"}
            server.migration_status = (request.json() or {})["migration_status"]
            server.history.append(server.migration_status)
            return 200, {"server_id": server.server_id}
        return 404, {"message": f"no route {request.method} {request.path}"}
