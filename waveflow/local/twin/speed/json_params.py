"""moto's SSM and Secrets Manager: a request's JSON body decoded once, not once for each parameter read.

These response classes read each parameter with ``BaseResponse._get_param``, which, for a parameter not in the
query string, decodes the whole request body again (``json.loads(self.body)[name]``): thirteen decodings of the same
body for one SendCommand, most of them to find a parameter absent. Here the body is decoded on the first read and
each parameter's value handed out from that decoding the first time it is asked for; a parameter asked for again
takes moto's way, a decoding of its own, so no two reads share a value (a caller may change what it was given).
"""
from __future__ import annotations

import json
from typing import Any

from moto.core.responses import BaseResponse
from moto.secretsmanager.responses import SecretsManagerResponse
from moto.ssm.responses import SimpleSystemManagerResponse

_MOTOS = BaseResponse._get_param


class _Decoded:
    """One body, decoded (None where it is not JSON: no parameter is found in it), and the names of the parameters
    handed out from it."""

    def __init__(self, body: Any) -> None:
        self.body = body
        try:
            self.values = json.loads(body)
        except ValueError:
            self.values = None
        self.handed: set[str] = set()


def get_param(self: BaseResponse, param_name: str, if_none: Any = None) -> Any:
    """``BaseResponse._get_param``: the parameter from the query string, else the JSON body, else the URI's
    parameters, else ``if_none``."""
    body = self.body
    if self.automated_parameter_parsing or body is None or self.querystring.get(param_name) is not None:
        return _MOTOS(self, param_name, if_none)
    decoded = self.__dict__.get("_waveflow_decoded")
    if decoded is None or decoded.body is not body:
        decoded = self._waveflow_decoded = _Decoded(body)
    if param_name in decoded.handed:
        return _MOTOS(self, param_name, if_none)
    decoded.handed.add(param_name)
    try:
        return decoded.values[param_name]
    except (KeyError, TypeError):
        pass
    if self.uri_match:
        try:
            return self.uri_match[param_name]
        except KeyError:
            pass
    return if_none


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(SimpleSystemManagerResponse, "_get_param", get_param), (SecretsManagerResponse, "_get_param", get_param)]
