"""A scalar's one step on the direct path (``waveflow.local.twin.speed.direct.scalars``) against its three steps
(moto's writer, the XML text, botocore's reader) for awkward values of every type it takes in one step."""
from __future__ import annotations

import base64
from enum import Enum

import pytest
from botocore.model import Shape
from moto.core.serialize import get_serializer_class
from moto.core.utils import get_service_model

from waveflow.local.twin.speed.direct.values import parsed_values_class


class _State(Enum):
    RUNNING = "running"


#: values moto's backends hold: typed, as text, enums, empty, odd
_VALUES = {"string": ["i-0abc", "", "caf\u00e9", 16, True, None, _State.RUNNING, [], {}],
           "integer": [0, 16, "42", True, 2**40],
           "long": [7, "9", False],
           "boolean": [True, False, "true", "True", "false", 1, 0, "yes", None, _State.RUNNING]}


def _steps(service: str, protocol: str, operation: str) -> tuple:
    """(one step, three steps): serializers of the protocol's parsed values, the second without its one steps."""
    one = parsed_values_class(get_serializer_class(service, protocol), protocol)
    three = type("ThreeSteps", (one,), {"FAST": {}})
    model = get_service_model(service).operation_model(operation)
    return one(model), three(model)


@pytest.mark.parametrize("service,protocol,operation", [
    ("ec2", "ec2", "DescribeInstances"), ("sns", "query", "Publish"), ("route53", "rest-xml", "GetHostedZone"),
    ("ssm", "json", "SendCommand"), ("sqs", "json", "ReceiveMessage")])
@pytest.mark.parametrize("type_name", sorted(_VALUES))
def test_one_step_comes_to_what_the_three_steps_do(service, protocol, operation, type_name):
    one, three = _steps(service, protocol, operation)
    assert type_name in one.FAST
    shape = Shape("Member", {"type": type_name})
    for value in _VALUES[type_name]:
        fast, slow = {}, {}
        one._serialize_scalar(fast, value, shape, "Member")
        three._serialize_scalar(slow, value, shape, "Member")
        assert fast == slow and type(fast["Member"]) is type(slow["Member"]), (value, fast, slow)


def test_a_json_value_in_a_header_takes_the_three_steps():
    one, three = _steps("route53", "rest-xml", "GetHostedZone")
    shape = Shape("Document", {"type": "string", "jsonvalue": True, "location": "header"})
    fast, slow = {}, {}
    encoded = base64.b64encode(b'{"a": 1}').decode()
    one._serialize_scalar(fast, encoded, shape, "Document")
    three._serialize_scalar(slow, encoded, shape, "Document")
    assert fast == slow == {"Document": {"a": 1}}


def test_times_and_blobs_are_not_taken_in_one_step():
    one, _ = _steps("ec2", "ec2", "DescribeInstances")
    assert not {"timestamp", "blob", "float", "double"} & one.FAST.keys()
