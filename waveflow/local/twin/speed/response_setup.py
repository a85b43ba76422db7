"""moto's set-up of a response object for each request (``BaseResponse.setup_class``): what follows from things
that do not change between requests worked out once for them.

* **The request parser.** ``parse_parameters`` looks up the service's model and the operation's, works out the
  request's protocol from its content type and makes the protocol's ``RequestParser`` for the operation, for every
  request. A parser holds nothing of a request (its operation model, its map type, moto's timestamp and blob
  parsers), so one is made per (service, action, content type, map type) and kept. moto's parser still parses each
  request's values, and the action is still asked for on every request (for a REST service, matching the URL sets
  the URI's parameters moto's parser reads).
* **The access key.** moto reads the request's access key from its ``Authorization`` header with a regular
  expression (``AWS``, anything, then a key of 20 capitals and digits before a ``:`` or ``/``) that backtracks over
  the whole header where no key is there (the twin's ``testing`` credentials), twice per request (for the key, and
  for the account it belongs to). A header without 20 capitals and digits just before a ``:`` or ``/`` cannot hold a
  key (and the header has few of those to look before), so moto's expression runs only on a header that may.
* **The ``Date`` header.** moto writes its answer's ``Date`` with werkzeug's ``http_date`` of moto's ``utcnow``.
  That text depends on the time's second alone, so it is remembered for the last few seconds; the time is still
  read on every request, as moto's ``utcnow`` reads it (``datetime.now(UTC)`` made naive) without the import of
  ``UTC`` it makes at each call.
"""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, cast

from moto.core import responses
from moto.core.parse import PROTOCOL_PARSERS
from moto.core.request import Request, determine_request_protocol
from moto.core.responses import BaseResponse
from moto.core.utils import get_service_model

from .memo import Memo

_PARSERS = Memo(4096)  # (service, action, content type, map type) -> moto's parser
_http_date = responses.http_date
_ACCESS_KEY = BaseResponse.access_key_regex
_moto_access_key = BaseResponse.get_access_key


def parse_parameters(self: BaseResponse, request: Request) -> None:
    """``BaseResponse.parse_parameters``: moto's parse of the request, by a parser made once per operation, content
    type and map type."""
    action = self._get_action()
    content_type = request.content_type
    key = (self.boto3_service_name, action, content_type, self.PROTOCOL_PARSER_MAP_TYPE)
    parser = _PARSERS.get(key)
    if parser is None:
        service_model = get_service_model(self.boto3_service_name)
        operation_model = service_model.operation_model(action)
        protocol = determine_request_protocol(service_model, content_type)
        parser = _PARSERS.keep(key, PROTOCOL_PARSERS[protocol](operation_model, map_type=self.PROTOCOL_PARSER_MAP_TYPE))
    parsed = parser.parse({"method": request.method, "values": request.values, "headers": request.headers,
                           "body": request.data, "url_path": request.path, "url_params": self.uri_match})
    self.params = cast(Any, parsed)


def get_access_key(self: BaseResponse) -> str:
    """``BaseResponse.get_access_key``: the request's access key, from a header that may hold one."""
    if self.access_key_regex is not _ACCESS_KEY:
        return _moto_access_key(self)
    if "Authorization" in self.headers:
        authorization = self.headers["Authorization"]
        match = _ACCESS_KEY.search(authorization) if _may_hold_access_key(authorization) else None
        if match:
            return match.group(1)
    if self.querystring.get("AWSAccessKeyId"):
        return self.querystring["AWSAccessKeyId"][0]
    return "AKIAEXAMPLE"


def _may_hold_access_key(text: str) -> bool:
    """Whether 20 capitals and digits come before a ``:`` or ``/`` in ``text`` (what every match of moto's
    expression holds): a look at the few characters before each of those, where a search scans them all."""
    for separator in ":/":
        at = text.find(separator, 20)
        while at != -1:
            before = text[at - 20:at]
            if before.isascii() and before.isalnum() and before == before.upper():
                return True
            at = text.find(separator, at + 1)
    return False


@lru_cache(maxsize=8)
def _date_of_second(second: Any) -> str:
    return _http_date(second)


def http_date(timestamp: Any = None) -> str:
    """werkzeug's ``http_date`` as moto calls it, remembered per second for a ``datetime``."""
    if type(timestamp) is not datetime:
        return _http_date(timestamp)
    return _date_of_second(timestamp.replace(microsecond=0))


def utcnow() -> datetime:
    """``moto.core.utils.utcnow``: the time now in UTC, naive."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(BaseResponse, "parse_parameters", parse_parameters), (BaseResponse, "get_access_key", get_access_key),
            (responses, "http_date", http_date), (responses, "utcnow", utcnow)]
