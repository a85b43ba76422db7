"""botocore's ``BaseClient._make_api_call``: the same steps, with what follows from the operation alone worked out
once, not on every request.

Every request goes through ``_make_api_call`` and the three methods it calls (``_emit_api_params``,
``_resolve_endpoint_ruleset``, ``_convert_to_request_dict``), inside a ``with_current_context`` wrapper. On each
request they look up the operation model (through a cached method that builds its key), hyphenate the service ID
three times, format four event names, read five of the operation's cached properties and enter a generator-based
context manager. What of that follows from the service model and the operation's name is here kept per pair
(``_Operation``), and a call made inside another copies the outer call's context without ``deepcopy``'s generic walk;
the steps are botocore's, in botocore's order: the same events with the same arguments, the request context, the
endpoint, the request dict, the checksum context, ``before-call``'s answer or the HTTP request, ``after-call`` and the
error raised for an error status. The module functions ``_make_api_call`` calls are looked up in ``botocore.client``
on each call, so that what replaces them there (``client.resolve_checksum_context``) is used. A ``_make_api_call``
someone else has wrapped (X-Ray, a profiler) is left in place.
``tests/local/twin/test_speed_client.py`` compares requests, answers, errors and events with botocore's own.
"""
from __future__ import annotations

import types
from copy import deepcopy
from typing import Any, NamedTuple

from botocore import client
from botocore.context import ClientContext, get_context, reset_context, set_context
from botocore.model import OperationModel, ServiceModel

from .memo import Memo


class _Operation(NamedTuple):
    """What ``_make_api_call`` works out from the service model and the operation's name."""
    model: OperationModel
    service_name: str
    deprecated: bool
    has_auth: bool
    resolved_auth_type: Any
    has_streaming_input: bool
    unsigned_payload: Any
    auth_options: Any
    provide_client_params: str
    before_parameter_build: str
    before_call: str
    after_call: str

    @classmethod
    def of(cls, service_model: ServiceModel, name: str) -> "_Operation":
        model = service_model.operation_model(name)
        service_id = service_model.service_id.hyphenize()
        return cls(model, service_model.service_name, bool(model.deprecated), bool(model.auth),
                   model.resolved_auth_type, model.has_streaming_input, model.unsigned_payload,
                   service_model.metadata.get("auth"), f"provide-client-params.{service_id}.{name}",
                   f"before-parameter-build.{service_id}.{name}", f"before-call.{service_id}.{name}",
                   f"after-call.{service_id}.{name}")


#: operations per (service model, name) before the memo starts again
_OPERATIONS = Memo(1024)


def make_api_call(self: client.BaseClient, operation_name: str, api_params: dict) -> Any:
    """``BaseClient._make_api_call`` inside its ``with_current_context``: a copy of the current client context
    (features registered while the request is made) set for the call."""
    current = get_context()
    token = set_context(ClientContext() if current is None else _copied(current))
    try:
        return _call(self, operation_name, api_params)
    finally:
        reset_context(token)


def _copied(current: Any) -> Any:
    """``deepcopy(current)``: for botocore's context holding only its set of feature names (a call made inside
    another's ``before-call``, as the twin's and the MGN emulator's are), a new one with a copy of the set."""
    if type(current) is ClientContext and type(current.features) is set and vars(current).keys() == {"features"}:
        return ClientContext(set(current.features))
    return deepcopy(current)


def _call(self: client.BaseClient, operation_name: str, api_params: dict) -> Any:
    meta = self.meta
    service_model = meta.service_model
    key = (service_model, operation_name)
    operation = _OPERATIONS.get(key) or _OPERATIONS.keep(key, _Operation.of(service_model, operation_name))
    operation_model = operation.model
    client.history_recorder.record(
        "API_CALL", {"service": operation.service_name, "operation": operation_name, "params": api_params})
    if operation.deprecated:
        client.logger.debug("Warning: %s.%s() is deprecated", operation.service_name, operation_name)
    config = meta.config
    if operation.has_auth and config.auth_scheme_preference:
        auth_type = client.resolve_auth_scheme_preference(config.auth_scheme_preference.split(","),
                                                          operation_model.auth)
    else:
        auth_type = operation.resolved_auth_type
    request_context = {"client_region": meta.region_name, "client_config": config,
                       "has_streaming_input": operation.has_streaming_input, "auth_type": auth_type,
                       "unsigned_payload": operation.unsigned_payload, "auth_options": operation.auth_options}
    # _emit_api_params
    events = meta.events
    responses = events.emit(operation.provide_client_params, params=api_params, model=operation_model,
                            context=request_context)
    api_params = client.first_non_none_response(responses, default=api_params)
    events.emit(operation.before_parameter_build, params=api_params, model=operation_model, context=request_context)
    # _resolve_endpoint_ruleset
    resolver = self._ruleset_resolver
    if resolver is None:
        endpoint_url, additional_headers, properties = meta.endpoint_url, {}, {}
    else:
        endpoint = resolver.construct_endpoint(operation_model=operation_model, call_args=api_params,
                                               request_context=request_context)
        endpoint_url, additional_headers, properties = endpoint.url, endpoint.headers, endpoint.properties
        auth_schemes = properties.get("authSchemes")
        if auth_schemes is not None:
            request_context["auth_type"], signing_context = resolver.auth_schemes_to_signing_ctx(auth_schemes)
            if "signing" in request_context:
                request_context["signing"].update(signing_context)
            else:
                request_context["signing"] = signing_context
    if properties:
        request_context["endpoint_properties"] = properties
    # _convert_to_request_dict
    request_dict = self._serializer.serialize_to_request(api_params, operation_model)
    if not self._client_config.inject_host_prefix:
        request_dict.pop("host_prefix", None)
    request_dict["headers"].update(additional_headers)
    client.prepare_request_dict(request_dict, endpoint_url=endpoint_url,
                                user_agent=self._user_agent_creator.to_string(), context=request_context)
    client.resolve_checksum_context(request_dict, operation_model, api_params)

    handler, event_response = events.emit_until_response(
        operation.before_call, model=operation_model, params=request_dict, request_signer=self._request_signer,
        context=request_context)
    if event_response is not None:
        http, parsed_response = event_response
    else:
        client.maybe_compress_request(config, request_dict, operation_model)
        client.apply_request_checksum(request_dict)
        http, parsed_response = self._make_request(operation_model, request_dict, request_context)
    events.emit(operation.after_call, http_response=http, parsed=parsed_response, model=operation_model,
                context=request_context)
    if http.status_code >= 300:
        error_info = parsed_response.get("Error", {})
        error_code = request_context.get("error_code_override") or error_info.get("Code")
        raise self.exceptions.from_code(error_code)(parsed_response, operation_name)
    return parsed_response


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for botocore's ``_make_api_call``, unless someone has wrapped it."""
    current = client.BaseClient.__dict__["_make_api_call"]
    botocores = type(current) is types.FunctionType and current.__module__ == "botocore.client" and \
        current.__qualname__ == "BaseClient._make_api_call"  # botocore's own, through with_current_context's wraps
    if not botocores:
        return []
    return [(client.BaseClient, "_make_api_call", make_api_call)]
