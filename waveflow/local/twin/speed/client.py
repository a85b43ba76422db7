"""botocore's client side: work whose result is the same for the same inputs done once, not on every request.

Every request a task makes goes through botocore's ``BaseClient._make_api_call`` before the twin or moto answers
it at ``before-call``. Besides validating and serialising the parameters (kept: they catch a task sending what AWS
would refuse), the client works out, on every request, things that follow from a few inputs that rarely change:

* **The endpoint.** The endpoint rules engine is asked with a value for each parameter of the service's ruleset,
  each looked up through four generic resolvers (static context params, the call's context params, operation
  context params, the client's context params) before the built-ins (region, FIPS, ...). Here each operation's
  lookups are listed once per client (where each parameter's value comes from, in botocore's order) and read
  from the call's args on every request; the endpoint found is remembered per client for the exact values of
  every parameter (when they are all strings or booleans). ``before-endpoint-resolution`` (where S3 adjusts the
  built-ins) is still emitted on every request, callable built-ins (the credentials' account ID) still called,
  and the feature IDs an account-ID parameter adds to the user agent still registered; only botocore's two debug
  log lines (the parameters, the URL) are not written.
* **The user agent.** botocore caches the parts of the string that belong to the session and the client; the
  features component (``m/...``: the client's features and those the request registered, e.g. a paginator's) is
  rebuilt and sanitised character by character on every request. Here it is remembered by the features' text.
* **The URL.** ``_urljoin`` (endpoint, path, host prefix) is a function of its three arguments, remembered.
* **The checksum context.** For an operation without checksum traits (every one the tasks call), botocore's
  request and response checksum steps decide nothing; only the feature IDs of ``x-amz-checksum-*`` headers the
  request carries are registered, as botocore does.

What every ``before-call`` handler receives (URL, headers, body, context) and what the caller gets back are
botocore's, byte for byte: ``tests/local/twin/test_speed_client.py`` compares them with these replacements off and on.
"""
from __future__ import annotations

import copy
import functools
import weakref
from typing import Any

import jmespath
from botocore import awsrequest, client, httpchecksum, useragent
from botocore.context import get_context
from botocore.exceptions import EndpointProviderError
from botocore.regions import EndpointResolverBuiltins, EndpointRulesetResolver

from .memo import Memo

_checksum_context = httpchecksum.resolve_checksum_context
_ua_to_string = useragent.UserAgentString.to_string

#: value types whose equality is identity of meaning (``True == 1`` would let an int reuse a boolean's endpoint)
_EXACT = (str, bool)
#: endpoints remembered per client before the memo starts again (an operation context param may take many values)
_ENDPOINTS_PER_CLIENT = 512
#: how a parameter's value is found, in botocore's order after a static context param
_CALL_ARG, _SEARCH, _CLIENT_CONTEXT = range(3)


class _ClientMemo:
    """One client's endpoint resolver's lookups per operation, endpoints per parameter values, and the name of its
    ``before-endpoint-resolution`` event."""

    def __init__(self, resolver: EndpointRulesetResolver) -> None:
        self.lookups: dict[Any, tuple] = {}
        self.endpoints = Memo(_ENDPOINTS_PER_CLIENT)
        self.event = f"before-endpoint-resolution.{resolver._service_model.service_id.hyphenize()}"


_MEMOS: weakref.WeakKeyDictionary[EndpointRulesetResolver, _ClientMemo] = weakref.WeakKeyDictionary()
#: the parameters whose values botocore's ``_register_endpoint_feature_ids`` registers a feature for
_FEATURED = {"AccountId", "AccountIdEndpointMode"}


def _lookups(resolver: EndpointRulesetResolver, operation_model) -> tuple:
    """Per ruleset parameter: (name, static value or None, where else its value may be, built-in or None, whether
    its value registers a feature), as ``EndpointRulesetResolver._get_provider_params`` looks for it."""
    static = resolver._get_static_context_params(operation_model)
    call_args = resolver._get_dynamic_context_params(operation_model)
    searched = operation_model.operation_context_parameters
    client_context = resolver._get_client_context_params()
    known_builtins = set(EndpointResolverBuiltins.__members__.values())
    found = []
    for name, definition in resolver._param_definitions.items():
        sources = []
        if name in call_args:
            sources.append((_CALL_ARG, call_args[name]))
        if name in searched:
            sources.append((_SEARCH, jmespath.compile(searched[name]["path"])))
        if name in client_context:
            sources.append((_CLIENT_CONTEXT, client_context[name]))
        builtin = definition.builtin
        if builtin is not None and builtin not in known_builtins:
            resolver._resolve_param_as_builtin(builtin, {})  # raises botocore's error, when botocore would
        found.append((name, static.get(name), tuple(sources), builtin, name in _FEATURED))
    return tuple(found)


def construct_endpoint(self: EndpointRulesetResolver, operation_model, call_args, request_context):
    """``EndpointRulesetResolver.construct_endpoint``: the same endpoint, its parameters looked up through a list
    made once per operation, the endpoint remembered for their values."""
    call_args = {} if call_args is None else call_args
    request_context = {} if request_context is None else request_context
    memo = _MEMOS.get(self)
    if memo is None:
        memo = _MEMOS[self] = _ClientMemo(self)
    lookups = memo.lookups.get(operation_model)
    if lookups is None:
        lookups = memo.lookups[operation_model] = _lookups(self, operation_model)
    # _get_customized_builtins: handlers change the copy in place
    builtins = copy.copy(self._builtins)
    self._event_emitter.emit(memo.event, builtins=builtins, model=operation_model, params=call_args,
                             context=request_context)
    client_context = self._client_context
    params = {}
    exact = True
    for name, value, sources, builtin, featured in lookups:
        if value is None:
            for kind, where in sources:
                if kind == _CALL_ARG:
                    value = call_args.get(where)
                elif kind == _SEARCH:
                    value = where.search(call_args)
                else:
                    value = client_context.get(where)
                if value is not None:
                    break
            if value is None and builtin is not None:
                value = builtins.get(builtin)
                if callable(value):
                    value = value()
        if value is not None:
            params[name] = value
            if featured:
                self._register_endpoint_feature_ids(name, value)
            if exact and type(value) not in _EXACT:
                exact = False
    if not exact:
        return _resolved(self, params)
    key = tuple(params.items())
    endpoint = memo.endpoints.get(key)
    if endpoint is None:
        endpoint = memo.endpoints.keep(key, _resolved(self, params))
    return endpoint


def _resolved(resolver: EndpointRulesetResolver, params: dict):
    """The rules engine's endpoint for ``params``, finished as ``construct_endpoint`` finishes it."""
    try:
        endpoint = resolver._provider.resolve_endpoint(**params)
    except EndpointProviderError as ex:
        botocore_exception = resolver.ruleset_error_to_botocore_exception(ex, params)
        if botocore_exception is None:
            raise
        raise botocore_exception from ex
    if not resolver._use_ssl and endpoint.url.startswith("https://") and "Endpoint" not in params:
        endpoint = endpoint._replace(url=f"http://{endpoint.url[8:]}")
    return endpoint._replace(headers={key: values[0] for key, values in endpoint.headers.items()})


@functools.lru_cache(maxsize=256)
def _features_component(features: str) -> str:
    """The sanitised (and if need be truncated) ``m/...`` component for the comma-joined feature values."""
    size = useragent.UserAgentComponentSizeConfig(1024, ",")
    return useragent.UserAgentComponent("m", features, size_config=size).to_string()


def user_agent(self: useragent.UserAgentString) -> str:
    """``UserAgentString.to_string``: the same string, its features component remembered by the features' text."""
    if useragent.modify_components is not useragent._default_modify_components:
        return _ua_to_string(self)
    static_parts = self._get_static_parts()
    if static_parts.legacy is not None:
        return static_parts.legacy
    context = get_context()
    features = (self._client_features or set()).union(set() if context is None else context.features)
    rendered = _features_component(",".join(features)) if features else ""
    return " ".join(part for part in (static_parts.prefix, rendered, static_parts.suffix) if part)


def resolve_checksum_context(request: dict, operation_model, params: dict) -> None:
    """``httpchecksum.resolve_checksum_context``: for an operation without checksum traits only the feature IDs
    of the checksum headers the request carries, all botocore's steps decide there."""
    if operation_model.http_checksum or operation_model.http_checksum_required:
        _checksum_context(request, operation_model, params)
    else:
        httpchecksum._register_checksum_feature_ids(request)


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of botocore's functions this module replaces."""
    return [(EndpointRulesetResolver, "construct_endpoint", construct_endpoint),
            (useragent.UserAgentString, "to_string", user_agent),
            (awsrequest, "_urljoin", functools.lru_cache(maxsize=4096)(awsrequest._urljoin)),
            (client, "resolve_checksum_context", resolve_checksum_context)]
