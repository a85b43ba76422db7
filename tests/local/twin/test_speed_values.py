"""The direct path's parsed values against moto's own steps: a scalar's one step (``direct.scalars``) against its
three (moto's writer, the XML text, botocore's reader) for awkward values of every type it takes in one step, and
a structure's members read where ``direct.members`` plans them against moto's own walk of the structure."""
from __future__ import annotations

import base64
from enum import Enum

import pytest
from botocore.model import Shape
from moto.core.serialize import ResponseSerializer, XFormedAttributePicker, get_serializer_class
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


class _Group:
    """A moto-like model: instance attributes, a property, a class attribute an instance may shadow."""

    vpc_id = "vpc-from-class"

    def __init__(self, **attributes) -> None:
        self.__dict__.update(attributes)

    @property
    def group_id(self) -> str:
        return "sg-" + self.group_name


class _Slotted:
    __slots__ = ("group_name", "description")

    def __init__(self, group_name: str) -> None:
        self.group_name = group_name


@pytest.mark.parametrize("value", [
    _Group(group_name="web"), _Group(group_name="db", vpc_id="vpc-own", Description="own", owner_id=None),
    _Slotted("slotted"), {"GroupName": "plain", "group_id": "sg-1", "VpcId": None, "unrelated": 1}, {}],
    ids=["attributes-and-class", "shadowed", "slots", "dict", "empty-dict"])
def test_a_structure_reads_the_members_moto_reads(value):
    model = get_service_model("ec2").operation_model("DescribeSecurityGroups")
    serializer = parsed_values_class(get_serializer_class("ec2", "ec2"), "ec2")(
        model, value_picker=XFormedAttributePicker())
    shape = get_service_model("ec2").shape_for("SecurityGroup")
    planned, walked = {}, {}
    serializer._serialize_type_structure(planned, value, shape, "Group")
    ResponseSerializer._serialize_type_structure(serializer, walked, value, shape, "Group")  # moto's own walk
    assert planned == walked and list(planned["Group"]) == list(walked["Group"])
    assert planned["Group"] or value == {}


def _parsed_text(service: str, protocol: str, operation: str, result) -> tuple[dict, dict]:
    """(what the direct path writes, what botocore parses from the text moto writes) for ``result``."""
    from botocore.parsers import create_parser

    model = get_service_model(service).operation_model(operation)
    wire = get_serializer_class(service, protocol)
    direct = parsed_values_class(wire, protocol)(model, value_picker=XFormedAttributePicker()).serialize(result)
    text = wire(model, value_picker=XFormedAttributePicker()).serialize(result)
    body = text["body"].encode() if isinstance(text["body"], str) else text["body"]
    parsed = create_parser(protocol).parse({"body": body, "headers": text["headers"], "status_code": 200},
                                           model.output_shape)
    parsed.pop("ResponseMetadata", None)
    return direct["body"], parsed


def test_structures_inside_structures_and_lists_come_out_as_moto_writes_them():
    permissions = [{"IpProtocol": "tcp", "FromPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}, None, {}]}, None, {}]
    groups = {"SecurityGroups": [_Group(group_name="web", ip_permissions=permissions), None, {},
                                 {"GroupName": "plain", "IpPermissions": permissions},
                                 _Group(group_name="bare", ip_permissions=[])]}
    direct, parsed = _parsed_text("ec2", "ec2", "DescribeSecurityGroups", groups)
    assert direct == parsed and direct["SecurityGroups"][0]["IpPermissions"][0]["IpRanges"] == [
        {"CidrIp": "10.0.0.0/8"}]
    messages = {"Messages": [{"MessageId": "1", "Body": "b", "Attributes": {"SenderId": "x"}, "MessageAttributes": {
        "kind": {"DataType": "String", "StringValue": "v"}}}, {}, {"MessageId": "2"}]}
    direct, parsed = _parsed_text("sqs", "json", "ReceiveMessage", messages)
    assert direct == parsed and [message.get("MessageId") for message in direct["Messages"]] == ["1", None, "2"]
