"""moto's request dispatch: what follows from the response class and the action alone worked out once for them.

* **The class's methods.** To find the method that serves an action, moto lists every function of the response
  class with ``inspect.getmembers`` (a ``dir`` and a lookup of each of its hundreds of attributes) on every request.
  A class's functions do not change while it serves requests, so the list is made once per class.
* **The method's name.** moto turns the action into the method's name character by character
  (``camelcase_to_underscores``) on every request; a name follows from the action alone, so it is remembered.
* **The operation a REST request names.** For Route 53 (no ``Action`` in the query, no ``X-Amz-Target``), each of
  moto's four asks for the action (setting up, parsing, calling, serializing) matches the request's method and path
  against the service's routes again. The request does not change while it is answered, so the first match (the
  operation, and the URI's parameters moto keeps) serves the others; each ask still sets the parameters, a copy.
* **The operation model and protocol of the answer.** ``serialized`` makes a new ``ServiceModel`` (and so new
  operation and shape objects) and works the response protocol out of the content type, per request. Both follow
  from the service, action, content type and whether the query asks for JSON, so they are kept per those, as is
  the ``ServiceModel`` (moto's own router keeps one per service too); the serializer class is still asked for each
  time (the direct path picks its own while it answers). An action the model lacks (moto serializes the error of an
  unknown action with an empty operation) and response classes that work out their protocol their own way take
  moto's ``serialized``.
"""
from __future__ import annotations

from typing import Any, Callable

from botocore.model import OperationNotFoundError
from moto.core import responses
from moto.core.responses import ActionContext, ActionResult, BaseResponse
from moto.core.utils import get_service_model

from .memo import Memo

_moto_serialized = BaseResponse.serialized
_moto_routed = BaseResponse._get_action_from_method_and_request_uri
_moto_protocol = BaseResponse.determine_response_protocol
_camelcase_to_underscores = responses.camelcase_to_underscores
_NAMES = Memo(4096)  # action -> its method's name
_OPERATIONS = Memo(4096)  # (service, action, content type, JSON asked) -> (service model, operation model, protocol)


def method_names_from_class(original: Callable[[object], list[str]]) -> Callable[[object], list[str]]:
    """``moto.core.utils.method_names_from_class``, remembered per class."""
    found: dict[object, list[str]] = {}

    def listed_once(clazz: object) -> list[str]:
        names = found.get(clazz)
        if names is None:
            names = found[clazz] = original(clazz)
        return names
    return listed_once


def camelcase_to_underscores(argument: str) -> str:
    """``moto.core.utils.camelcase_to_underscores``, remembered per text."""
    name = _NAMES.get(argument)
    return _NAMES.keep(argument, _camelcase_to_underscores(argument)) if name is None else name


def routed(self: BaseResponse, request: Any) -> str:
    """``BaseResponse._get_action_from_method_and_request_uri``: the operation the request's method and URI name,
    matched once per request and response object."""
    found = self.__dict__.get("_waveflow_routed")
    if found is None or found[0] is not request:
        before = self.__dict__.get("uri_match")
        action = _moto_routed(self, request)
        params = None if self.__dict__.get("uri_match") is before else dict(self.uri_match)
        found = self.__dict__["_waveflow_routed"] = (request, action, params)
    elif found[2] is not None:  # moto sets the parameters where the request matched a route
        self.uri_match = dict(found[2])
    return found[1]


def serialized(self: BaseResponse, action_result: ActionResult) -> Any:
    """``BaseResponse.serialized``: the result as moto's serializer for the operation and protocol writes it."""
    if type(self).determine_response_protocol is not _moto_protocol:
        return _moto_serialized(self, action_result)
    service = self.boto3_service_name
    action = self._get_action()
    key = (service, action, self.headers.get("Content-Type", ""), self.request_json)
    found = _OPERATIONS.get(key)
    if found is None:
        service_model = _service_model(service)
        try:
            operation_model = service_model.operation_model(action)
        except OperationNotFoundError:
            return _moto_serialized(self, action_result)
        found = _OPERATIONS.keep(key, (service_model, operation_model,
                                       self.determine_response_protocol(service_model)))
    service_model, operation_model, protocol = found
    serializer_cls = responses.get_serializer_class(service_model.service_name, protocol)
    context = ActionContext(service_model, operation_model, serializer_cls, self)
    status_code, headers, body = action_result.execute_result(context)
    headers.update(self.response_headers)
    return status_code, headers, body


_SERVICE_MODELS: dict[str, Any] = {}


def _service_model(service: str) -> Any:
    """``moto.core.utils.get_service_model``, one per service."""
    model = _SERVICE_MODELS.get(service)
    if model is None:
        model = _SERVICE_MODELS[service] = get_service_model(service)
    return model


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(responses, "method_names_from_class", method_names_from_class(responses.method_names_from_class)),
            (responses, "camelcase_to_underscores", camelcase_to_underscores),
            (BaseResponse, "_get_action_from_method_and_request_uri", routed),
            (BaseResponse, "serialized", serialized)]
