"""The twin's keys: a self-signed TLS certificate for its local HTTPS receiver, and SNS's message-signing key.

Both are made when the twin comes up and never leave the process's temporary folder. The tasks' callback poster
keeps its SSRF checks and TLS verification; the twin only hands it a resolver and an address policy that admit
the receiver on 127.0.0.1, and a TLS context that trusts this certificate.
"""
from __future__ import annotations

import datetime
import ipaddress
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

LOCAL_HOST = "localhost"
LOCAL_ADDRESS = "127.0.0.1"


def _certificate(name: str, public_key, signing_key, extensions) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2)))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


@dataclass(frozen=True)
class TlsIdentity:
    """A certificate for ``localhost`` and 127.0.0.1 with its key, as files (what ``ssl`` loads); ``discard``
    removes them (and the temporary folder ``create`` made for them), the key included, once no more contexts are
    to be made."""

    cert_file: Path
    key_file: Path
    temporary_folder: Path | None = None

    @classmethod
    def create(cls, folder: Path | None = None) -> "TlsIdentity":
        made = None if folder else Path(tempfile.mkdtemp(prefix="waveflow-twin-tls-"))
        folder = Path(folder or made)
        key = ec.generate_private_key(ec.SECP256R1())
        names = x509.SubjectAlternativeName([x509.DNSName(LOCAL_HOST),
                                             x509.IPAddress(ipaddress.ip_address(LOCAL_ADDRESS))])
        cert = _certificate(LOCAL_HOST, key.public_key(), key,
                            [(names, False), (x509.BasicConstraints(ca=True, path_length=None), True)])
        identity = cls(folder / "receiver-cert.pem", folder / "receiver-key.pem", made)
        identity.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        identity.key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                        serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
        identity.key_file.chmod(0o600)
        return identity

    def discard(self) -> None:
        self.cert_file.unlink(missing_ok=True)
        self.key_file.unlink(missing_ok=True)
        if self.temporary_folder is not None:
            shutil.rmtree(self.temporary_folder, ignore_errors=True)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context

    def client_context(self) -> ssl.SSLContext:
        """Trusts this certificate and nothing else; hostname checks stay on."""
        return ssl.create_default_context(cafile=str(self.cert_file))


class SigningKey:
    """The key SNS signs HTTPS notifications with (SignatureVersion 2: SHA256withRSA), and its certificate."""

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.certificate = _certificate("sns.local.waveflow", self._key.public_key(), self._key, [])

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())

