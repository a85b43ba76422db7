"""moto's answers handed to botocore as parsed values, without the text in between.

On botocore's normal path a request moto serves is signed and sent (``before-send``), where moto's
``BotocoreStubber`` dispatches it to the service's response class; moto writes the method's result as XML or JSON,
which botocore parses back. For EC2's DescribeInstances most of the time goes to writing and reading that text.

Here a ``before-call`` handler, put in every session made while ``faster_moto()`` is on (botocore's built-in
handlers, where moto puts its stubber), answers instead. It does what the normal path does up to the stubber (the
request compressed, checksummed and signed, so moto sees the same account, region and body; a form is encoded once,
by botocore's preparer, where the normal path encodes it again at each look at the body), hands the request to
the stubber's dispatch (``routes``: moto's URL matching remembered per URL, the same response class, method and
recorder; the request object moto reads made without werkzeug's environ builder, ``requests``; moto still draws
each request's ID, so a seed draws the same IDs), and has moto's serializer write parsed values (``values``)
instead of text, with moto's own rules on what is picked, renamed and left out. Errors and answers moto writes by
hand (templates) come back as text and are parsed by botocore's parser, as on the normal path. ``after-call`` (the
twin's watches, the meter) follows as on the normal path; ``before-send``, ``needs-retry`` and ``response-received``
do not happen.
The twin's own ``before-call`` answers (faults, DynamoDB, Step Functions, EventBridge) are registered first and
still come first.

A parsed answer's ``ResponseMetadata`` carries the request ID moto drew (the normal path's EC2 answers carry
moto's placeholder ``request-id``), the headers moto set and ``RetryAttempts`` 0.

Only ``SERVICES`` are answered here, the ones a wave asks moto for (MGN, S3 and the rest take the normal path).
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from botocore import handlers
from botocore.awsrequest import AWSRequestPreparer, AWSResponse, create_request_object
from botocore.compress import maybe_compress_request
from botocore.httpchecksum import apply_request_checksum
from moto.core import responses
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber

from ...wire import parsed_reply, response_metadata
from .routes import process_request
from .values import PROTOCOLS, parsed_values_class

#: botocore's service names of the services answered here
SERVICES = frozenset({"ec2", "ssm", "sns", "sts", "secretsmanager", "route53", "sqs"})

_MOTO_SERIALIZER_CLASS = responses.get_serializer_class
_PREPARER = AWSRequestPreparer()
_ANSWERING = ContextVar("waveflow_direct_answer", default=False)


class _Switch:
    """Whether the handler answers: on while ``faster_moto()`` is, so clients built meanwhile go quiet after."""

    on = False


def serializer_class(service_name: str, protocol: str) -> Any:
    """``moto.core.serialize.get_serializer_class``: while this module answers a request, the serializer that
    writes parsed values."""
    wire = _MOTO_SERIALIZER_CLASS(service_name, protocol)
    if _ANSWERING.get() and protocol in PROTOCOLS:
        return parsed_values_class(wire, protocol)
    return wire


def answer(model, params: dict, request_signer, context: dict, **_: Any) -> tuple[AWSResponse, dict] | None:
    """botocore's ``before-call`` handler: moto's (http response, parsed answer) for the request, or None for
    the normal path."""
    if not (_Switch.on and botocore_stubber.enabled and model.service_model.service_name in SERVICES) \
            or model.has_streaming_input or model.has_streaming_output or model.has_event_stream_output:
        return None
    outgoing = {**params, "headers": {**params["headers"]}}  # the normal path's, should moto pass the request on
    maybe_compress_request(context["client_config"], outgoing, model)
    apply_request_checksum(outgoing)
    request = create_request_object(outgoing)
    if isinstance(request.data, dict):  # a form, encoded once here rather than for the signature and again for moto
        request.data = _PREPARER._prepare_body(request)
    request_signer.sign(model.name, request)
    for name, value in request.headers.items():  # encoded as botocore's endpoint sends them
        if isinstance(value, str):
            request.headers[name] = value.encode()
    answering = _ANSWERING.set(True)
    try:
        served = process_request(request.prepare())
    finally:
        _ANSWERING.reset(answering)
    if served is None:
        return None
    status, headers, body = served
    if isinstance(body, dict):
        http = AWSResponse(params["url"], int(status), headers, MockRawResponse(b""))
        return http, {**body, "ResponseMetadata": response_metadata(http, headers.get("x-amzn-requestid", ""))}
    http = AWSResponse(params["url"], int(status), headers, MockRawResponse(body))
    return http, parsed_reply(model, http)


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement): the handler among botocore's built-in handlers (after botocore's own
    ``before-call`` handlers), moto's choice of serializer, and the switch."""
    return [(handlers, "BUILTIN_HANDLERS", [*handlers.BUILTIN_HANDLERS, ("before-call", answer)]),
            (responses, "get_serializer_class", serializer_class),
            (_Switch, "on", True)]
