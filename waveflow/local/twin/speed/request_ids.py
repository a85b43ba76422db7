"""moto's request ID on every answer, drawn from the same random numbers in one call instead of 52.

``BaseResponse._enrich_response`` gives each answer an ``x-amzn-requestid`` of 52 letters and digits from moto's
seeded generator (``get_random_string``: 52 ``Random.choice`` calls, each one ``getrandbits(6)`` call or more, one
32-bit word of the Mersenne Twister each, the top 6 bits kept and a value of 62 or 63 drawn again), then looks for
a ``<RequestId>`` in the body with a regular expression, also where the body is not text (the direct path's parsed
values: the search raises and moto passes).

``request_id`` draws the 52 words at once (``getrandbits(32 * 52)`` is those words, the first lowest) and reads the
top 6 bits of each from its last byte; the few characters a drawn-again value left out are drawn one call at a time
after, as moto draws them. The same seed gives the same IDs and leaves the generator where moto leaves it
(``tests/local/twin/test_speed_dispatch.py``). Where moto's generator draws otherwise (a ``choice`` or
``_randbelow`` of its own), moto's ``get_random_string`` draws.
"""
from __future__ import annotations

import random
import re
import string
from typing import Any

from moto.core import responses
from moto.core.responses import BaseResponse
from moto.moto_api._internal import mock_random

_LENGTH = 52
_POOL = string.ascii_letters + string.digits
#: a word's last byte -> the pool's character for its top 6 bits; the bytes whose top 6 bits are 62 or 63 are dropped
_CHARACTERS = bytes(ord(_POOL[byte >> 2]) if byte >> 2 < len(_POOL) else 0 for byte in range(256))
_DRAWN_AGAIN = bytes(range(len(_POOL) << 2, 256))
_REQUEST_ID_IN_XML = re.compile(r"(?<=<RequestId>).*(?=<\/RequestId>)")


def _draws_as_random_does() -> bool:
    generator = type(mock_random)
    return generator.choice is random.Random.choice \
        and generator._randbelow is random.Random._randbelow_with_getrandbits  # type: ignore[attr-defined]


def request_id() -> str:
    """``mock_random.get_random_string(length=52)``."""
    if not _draws_as_random_does():
        return mock_random.get_random_string(length=_LENGTH)
    words = mock_random.getrandbits(32 * _LENGTH).to_bytes(4 * _LENGTH, "little")
    drawn = words[3::4].translate(_CHARACTERS, _DRAWN_AGAIN)
    if len(drawn) == _LENGTH:
        return drawn.decode()
    characters = [drawn.decode()]
    for _ in range(_LENGTH - len(drawn)):
        bits = mock_random.getrandbits(6)
        while bits >= len(_POOL):
            bits = mock_random.getrandbits(6)
        characters.append(_POOL[bits])
    return "".join(characters)


def gen_amzn_requestid_long(headerdict: dict[str, Any] | None = None) -> str:
    """``moto.utilities.aws_headers.gen_amzn_requestid_long``: a request ID, put in ``headerdict``."""
    req_id = request_id()
    if headerdict is not None and isinstance(headerdict, dict):
        headerdict.update({"x-amzn-requestid": req_id})
    return req_id


def enrich_response(headers: dict[str, Any], body: Any) -> tuple[dict[str, Any], Any]:
    """``BaseResponse._enrich_response``: the status as text, the request ID in the headers and in an XML body's
    ``<RequestId>``; a body that is not text is left as it is without a search that fails."""
    if "status" in headers:
        headers["status"] = str(headers["status"])
    req_id = responses.gen_amzn_requestid_long(headers)
    if isinstance(body, str):
        body = _REQUEST_ID_IN_XML.sub(req_id, body)
    return headers, body


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(responses, "gen_amzn_requestid_long", gen_amzn_requestid_long),
            (BaseResponse, "_enrich_response", staticmethod(enrich_response))]
