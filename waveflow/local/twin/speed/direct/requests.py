"""moto's request object for a botocore request, its WSGI environ written without werkzeug's ``EnvironBuilder``.

moto hands each request to a response method as its ``Request`` (a werkzeug request over a WSGI environ), made by
``Request.from_primitives``, which builds the environ with werkzeug's ``EnvironBuilder``: a ``Headers`` object,
URL splitting and IRI quoting, content-type and length properties, a copy of the headers, for every request.

``normalized`` still goes through moto's ``from_primitives`` (its body and header handling, its preserved header
names and default ``CONTENT_LENGTH``) and changes only the ``from_values`` it calls. That writes the same environ as
``EnvironBuilder.get_environ`` (keys, values and order: moto's ``EnvironHeaders`` and its recorder read the headers
in environ order) for what ``from_primitives`` hands it, in two parts. What comes from the method and the URL
without its query string (path quoting, server name and port, the fixed WSGI keys) is the builder's own environ for
a request without headers or body, made once per (method, base URL, path); the query string, the body stream, the
errors stream, ``CONTENT_TYPE``, ``CONTENT_LENGTH`` and the ``HTTP_`` headers are written per request, as the
builder writes them. The request's root URL (scheme, host and mount point, which moto reads to rebuild the URL it
was sent to, through werkzeug's host checks and IRI quoting) depends on nothing but the template and the ``Host``
header, so it is worked out once for each and handed to the request as werkzeug would remember it. A body other than
text or bytes, a header value that is not text or holds a line break (werkzeug refuses it), or a multipart form goes
to the builder as before. ``tests/local/twin/test_speed_requests.py`` holds both environs side by side.

moto's first look at a request (after its recorder's) is werkzeug's ``Request.data``, which makes the input stream
(its length read back from the environ's headers), parses the content type, makes a form parser and parses a form
body. The body is in hand, so ``read`` leaves the request as ``data`` leaves it: the stream (werkzeug's
``LimitedStream`` over the input) read to its end, a form body's fields as werkzeug's form parser reads them
(``parse_qsl`` with its options, into the request's storage class), other bodies kept as the data read, the content
type parsed once per distinct header. A multipart body, a form body that is not ASCII, an input other than a
``BytesIO`` holding just the body, or a request with a ``max_content_length`` is left for werkzeug to read.
"""
from __future__ import annotations

import sys
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl

from botocore.awsrequest import AWSPreparedRequest
from moto.core.request import Request
from werkzeug._internal import _wsgi_encoding_dance
from werkzeug.http import parse_options_header
from werkzeug.test import EnvironBuilder
from werkzeug.wsgi import LimitedStream

from ..memo import Memo

_MOST_TEMPLATES = 4096
_TEMPLATES = Memo(_MOST_TEMPLATES)  # (method, base URL, path) -> the builder's environ
_ROOTS = Memo(_MOST_TEMPLATES)  # (method, base URL, path, Host) -> root URL
_CONTENT_TYPES = Memo(_MOST_TEMPLATES)  # Content-Type header -> (media type, parameters)
_FORM = "application/x-www-form-urlencoded"


def normalized(request: AWSPreparedRequest) -> Request:
    """``moto.core.request.normalize_request`` for a request botocore prepared."""
    return _Primitives.from_primitives(request.method, request.url, request.headers, request.body)


class _Primitives(Request):
    """moto's ``Request.from_primitives``, through ``from_values`` below; what it makes is moto's ``Request``."""

    @classmethod
    def from_values(cls, *, method: str, base_url: str, path: str, query_string: str, data: Any,
                    headers: list[tuple[str, Any]]) -> Request:  # type: ignore[override]
        content_type = next((value for key, value in headers if key.lower() == "content-type"), None)
        media_type = (content_type or "").partition(";")[0].strip()
        if isinstance(data, str):  # botocore's form bodies (query protocols); the builder encodes them so
            data = data.encode()
        if not isinstance(data, bytes) or any(not isinstance(value, str) or "\n" in value or "\r" in value
                                              for _, value in headers) \
                or media_type == "multipart/form-data":
            return Request.from_values(method=method, base_url=base_url, path=path, query_string=query_string,
                                       data=data, headers=headers)
        environ = _template(method, base_url, path).copy()
        environ["QUERY_STRING"] = _wsgi_encoding_dance(query_string)
        environ["wsgi.input"] = BytesIO(data)
        environ["wsgi.errors"] = sys.stderr
        if content_type is not None:
            environ["CONTENT_TYPE"] = content_type
        if data or media_type == _FORM:
            environ["CONTENT_LENGTH"] = str(len(data))
        combined: dict[str, list[str]] = {}
        for key, value in headers:
            if key.lower() not in ("content-type", "content-length"):
                combined.setdefault(f"HTTP_{key.upper().replace('-', '_')}", []).append(value)
        for key, values in combined.items():
            environ[key] = ", ".join(values)
        request = Request(environ)
        request.__dict__["root_url"] = _root_url(method, base_url, path, environ)
        return request


def read(request: Request) -> None:
    """Leave ``request`` as werkzeug's ``Request.data`` leaves it, where its body is all of a ``BytesIO`` input not
    yet read (moto's recorder reads the input before moto does, and puts a new one in its place)."""
    source = request.environ["wsgi.input"]
    if request.max_content_length is not None or type(source) is not BytesIO or source.tell() != 0:
        return
    data = source.getvalue()
    if request.environ.get("CONTENT_LENGTH") != str(len(data)):
        return
    content_type = request.environ.get("CONTENT_TYPE", "")
    parsed = _CONTENT_TYPES.get(content_type)
    if parsed is None:
        parsed = _CONTENT_TYPES.keep(content_type, parse_options_header(content_type))
    request._parsed_content_type = (parsed[0], dict(parsed[1]))
    storage = request.parameter_storage_class
    parsed_as = request.mimetype if request.want_form_data_parsed else None
    form = parsed_as == _FORM
    if parsed_as == "multipart/form-data" or form and not data.isascii():
        return
    stream = LimitedStream(source, len(data))
    fields = storage(parse_qsl(stream.read().decode(), keep_blank_values=True, errors="werkzeug.url_quote")) \
        if form else storage()
    request.__dict__.update(stream=stream, form=fields, files=storage())
    request._cached_data = stream.read()


def _root_url(method: str, base_url: str, path: str, environ: dict[str, Any]) -> str:
    """werkzeug's ``Request.root_url`` for a request made from ``_template(method, base_url, path)``."""
    key = (method, base_url, path, environ.get("HTTP_HOST"))
    root = _ROOTS.get(key)
    if root is None:
        root = _ROOTS.keep(key, Request(environ).root_url)
    return root


def _template(method: str, base_url: str, path: str) -> dict[str, Any]:
    """``EnvironBuilder``'s environ for a request to ``base_url`` + ``path`` without query, headers or body."""
    key = (method, base_url, path)
    template = _TEMPLATES.get(key)
    if template is None:
        template = _TEMPLATES.keep(key, EnvironBuilder(method=method, base_url=base_url, path=path).get_environ())
    return template
