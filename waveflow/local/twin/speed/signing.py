"""botocore's SigV4 signature, with what follows from a few inputs that rarely change worked out once for them.

Every request the twin hands moto is signed first, as on the normal path: moto's recorder and IAM authorisation
read the ``Authorization`` header. ``SigV4Auth.add_auth`` puts each header into an ``email.message.Message`` twice
(once for the canonical request, once more for the header it writes), splits the URL twice, and derives the signing
key with four HMACs, on every request. Here the signing key is remembered per (secret, date, region, service); the
start of the canonical request (method, path, query) and the host per URL; the headers are gathered once, into a
dict. The timestamp is botocore's clock's (``botocore.auth.get_current_datetime``, read at each request), the
headers are changed before signing by botocore's own ``_modify_request_before_signing``, and the payload's hash is
botocore's ``payload`` unless the request carries ``X-Amz-Content-SHA256``, as botocore does (for a body of bytes or
text, hashed from the request's data: botocore prepares a copy of the whole request to read its body).

Other signers (S3's, presigned URLs: subclasses of ``SigV4Auth``), header values that are not ASCII text (the
``Message`` would turn them into ``Header`` objects), a region or service that is not text, and botocore's debug
log being on take botocore's own ``add_auth``. ``tests/local/twin/test_speed_signing.py`` compares the headers
both write, for many dates, regions, services, bodies, query strings and headers.
"""
from __future__ import annotations

import hmac
import logging
from functools import lru_cache
from hashlib import sha256
from typing import Any
from urllib.parse import urlsplit

from botocore import auth
from botocore.auth import EMPTY_SHA256_HASH, SIGNED_HEADERS_BLACKLIST, SIGV4_TIMESTAMP, SigV4Auth

from .memo import Memo

_add_auth = SigV4Auth.add_auth
_NOT_SIGNED = frozenset(SIGNED_HEADERS_BLACKLIST)
_URLS = Memo(4096)  # (method, URL) -> (the canonical request's first three lines, host)


@lru_cache(maxsize=256)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """SigV4's derived key: the same for every request signed with one secret on one day for one region and
    service."""
    key = hmac.new(f"AWS4{secret}".encode(), date.encode("utf-8"), sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), sha256).digest()
    return key


def add_auth(self: SigV4Auth, request: Any) -> None:
    """``SigV4Auth.add_auth``: the same headers, the signing key and the URL's parts remembered."""
    region, service, credentials = self._region_name, self._service_name, self.credentials
    if type(self) is not SigV4Auth or credentials is None or type(region) is not str \
            or type(service) is not str or auth.logger.isEnabledFor(logging.DEBUG):
        return _add_auth(self, request)
    timestamp = auth.get_current_datetime().strftime(SIGV4_TIMESTAMP)
    request.context["timestamp"] = timestamp
    self._modify_request_before_signing(request)
    signed: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        if type(value) is not str or not value.isascii() or not name.isascii():
            return _add_auth(self, request)
        lname = name.lower()
        if lname not in _NOT_SIGNED:
            if lname in signed:
                signed[lname].append(value)
            else:
                signed[lname] = [value]
    start, host = _url_parts(self, request)
    if "host" not in signed:
        signed["host"] = [host]
    canonical_headers = "\n".join(f"{name}:{','.join(' '.join(value.split()) for value in signed[name])}"
                                  for name in sorted(signed))
    signed_headers = ";".join(sorted(name.strip() for name in signed))
    checksum = signed["x-amz-content-sha256"][0] if "x-amz-content-sha256" in signed else _payload(self, request)
    canonical = f"{start}\n{canonical_headers}\n\n{signed_headers}\n{checksum}"
    date = timestamp[:8]
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = f"AWS4-HMAC-SHA256\n{timestamp}\n{scope}\n{sha256(canonical.encode('utf-8')).hexdigest()}"
    signature = hmac.new(signing_key(credentials.secret_key, date, region, service),
                         string_to_sign.encode("utf-8"), sha256).hexdigest()
    request.headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
                                        f"SignedHeaders={signed_headers}, Signature={signature}")


def _payload(signer: SigV4Auth, request: Any) -> str:
    """``SigV4Auth.payload``: the hash of the body botocore's ``request.body`` gives, for a body of bytes or text
    taken from the request's data rather than from a prepared copy of the whole request."""
    data = request.data
    if type(data) is not bytes and type(data) is not str or signer._is_streaming_checksum_payload(request) \
            or not signer._should_sha256_sign_payload(request):
        return signer.payload(request)
    body = data.encode("utf-8") if type(data) is str else data
    return sha256(body).hexdigest() if body else EMPTY_SHA256_HASH


def _url_parts(signer: SigV4Auth, request: Any) -> tuple[str, str]:
    """The canonical request's first three lines (method, path, query) and the host the URL names, as botocore
    writes them; remembered per URL where the query is the URL's own."""
    if request.params:
        return _worked_out(signer, request)
    key = (request.method, request.url)
    parts = _URLS.get(key)
    return _URLS.keep(key, _worked_out(signer, request)) if parts is None else parts


def _worked_out(signer: SigV4Auth, request: Any) -> tuple[str, str]:
    return (f"{request.method.upper()}\n{signer._normalize_url_path(urlsplit(request.url).path)}\n"
            f"{signer.canonical_query_string(request)}", auth._host_from_url(request.url))


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of botocore's functions this module replaces."""
    return [(SigV4Auth, "add_auth", add_auth)]
