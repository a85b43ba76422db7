"""moto's stubber, with the response method that serves a URL found once per URL, not once per request.

``BotocoreStubber.process_request`` finds the method for each request by walking every service's URL pattern and,
for the first services whose pattern matches, every URL pattern of the service (its backend's ``urls`` table,
rebuilt on each request, each pattern looked up in ``re``'s cache): about 120 regular expressions per request, 60
for Route 53. That walk reads nothing of the request but its URL without the query string, and tables moto fixes
when it is imported (``backend_index.backend_url_patterns``, each service's ``urls`` module; ISO-region URLs only
while moto's ``MOTO_ENABLE_ISO_REGIONS`` setting is on, so that setting is part of the key). So ``process_request``
remembers, per URL, the services whose pattern matched on the way and the method moto chose, and on a remembered
URL does what moto does in between in moto's order: the passthrough and whitelist checks of each of those services
and the look-up (and first making) of its default backend. Then moto's own steps: the request normalised, recorded
by moto's recorder, read as werkzeug reads it (``requests.read``), handed to the method, an ``HTTPException``
turned into its status, headers and body. Then the request's environ forgets the request (werkzeug names the
request in it): the one reference cycle a request made, which left every request for the cyclic collector to free.

Where moto would answer otherwise (a URL passed through, a service passed through or not whitelisted, no method
found: ``None``, an error or moto's 404), moto's own ``process_request`` serves the request. The table forgets
everything when it holds ``_MOST_URLS``: Route 53's URLs carry zone and change IDs, and a new ID costs one walk.
``tests/local/twin/test_speed_routes.py`` holds requests served both ways side by side.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Any, Callable

import moto.backend_index as backend_index
import moto.backends as backends
import moto.core as moto_core
from botocore.awsrequest import AWSPreparedRequest
from moto import moto_api
from moto.core.base_backend import BackendDict
from moto.core.common_types import TYPE_RESPONSE
from moto.core.config import passthrough_service, passthrough_url, service_whitelisted
from moto.core.exceptions import HTTPException
from moto.core.models import botocore_stubber
from moto.core.utils import get_equivalent_url_in_aws_domain
from moto.settings import enable_iso_regions

from ..memo import Memo
from .requests import normalized, read

#: the services whose URL pattern matched, in moto's order, and the method that serves the URL
Route = tuple[tuple[str, ...], Callable[..., TYPE_RESPONSE]]
_MOST_URLS = 4096
_ROUTES = Memo(_MOST_URLS)  # (URL without its query, ISO regions on) -> Route


def process_request(request: AWSPreparedRequest) -> TYPE_RESPONSE | None:
    """``BotocoreStubber.process_request``: moto's (status, headers, body) for the request, or None where moto
    lets it through."""
    parsed_url, _ = get_equivalent_url_in_aws_domain(request.url)
    clean_url = f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}"
    key = (clean_url, enable_iso_regions())
    route = _ROUTES.get(key) or _walked(key)
    if route is None or passthrough_url(clean_url):
        return botocore_stubber.process_request(request)
    services, method = route
    for service in services:
        if passthrough_service(service) or not service_whitelisted(service):
            return botocore_stubber.process_request(request)
        _default_backend(service)
    moto_request = normalized(request)
    try:
        moto_api.recorder._record_request(moto_request)
        read(moto_request)
        status, headers, body = method(moto_request, moto_request.raw_url, moto_request.headers)
    except HTTPException as error:
        status, headers, body = error.code, error.get_headers(), error.get_body()
    finally:  # werkzeug's request names itself in its environ: once answered, that cycle need not wait for the
        moto_request.environ.pop("werkzeug.request", None)  # collector (the request and its parts are freed now)
    return status, headers, body


def _walked(key: tuple[str, bool]) -> Route | None:
    """moto's walk for the URL, remembered; None where moto would not hand the request to a method."""
    clean_url = key[0]
    services: list[str] = []
    for service, pattern in backend_index.backend_url_patterns:
        if not pattern.match(clean_url):
            continue
        services.append(service)
        if passthrough_service(service) or not service_whitelisted(service):
            return None
        for url, method in _default_backend(service).urls.items():
            if re.compile(url).match(clean_url):
                return _ROUTES.keep(key, (tuple(services), method))
    return None


def _default_backend(service: str) -> Any:
    """The backend moto reads a service's URL table from: the default account's, in us-east-1 where the service
    has regions (made on first use, as moto makes it)."""
    backend_dict = _backends(service)
    if not isinstance(backend_dict, BackendDict):
        return backend_dict["global"]
    account = backend_dict[moto_core.DEFAULT_ACCOUNT_ID]
    return account["us-east-1"] if "us-east-1" in account else account["aws"]


@cache
def _backends(service: str) -> Any:
    """``moto.backends.get_backend``: the service's backends, a module-level object of moto's that ``mock_aws``
    resets in place (moto imports the module to find it on every request)."""
    return backends.get_backend(service)  # type: ignore[call-overload]
