"""A client's events with ``waveflow.local.twin.speed.hooks``' replacements on against botocore's own: the same
handlers called in the same order with the same event names, the first answer at ``before-call`` ending the event,
names registered under a service's old name (an alias) reaching the handlers, and botocore's debug log written
when it is on."""
from __future__ import annotations

import logging
import re

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from twin_stacks import REGION

from waveflow.local.twin.speed import faster_moto


def _calls(debug: bool, caplog) -> list:
    """Every handler call of a conversation on fresh clients: (handler, event name, argument names), in order."""
    calls = []

    def recorder(label: str, answer: bool = False):
        def handler(event_name: str, **kwargs):
            calls.append((label, event_name, sorted(kwargs)))
            if answer and event_name.startswith("before-call"):
                return AWSResponse(kwargs["params"]["url"], 200, {}, None), {"Item": {}}
            return None
        return handler

    session = boto3.Session(region_name=REGION)
    dynamodb = session.client("dynamodb")
    gateway = session.client("apigateway")
    events = dynamodb.meta.events
    events.register_first("before-call.dynamodb", recorder("first"))
    events.register("before-*", recorder("any before"))
    events.register("before-call.dynamodb.GetItem", recorder("answer", answer=True))
    events.register_last("before-call", recorder("last, never reached"))
    events.register("after-call.dynamodb", recorder("after"))
    gateway.meta.events.register("before-call.apigateway", recorder("old name", answer=True))
    with caplog.at_level(logging.DEBUG if debug else logging.INFO, logger="botocore.hooks"):
        for _ in range(2):  # the second time from botocore's caches
            dynamodb.get_item(TableName="waveflow-status", Key={"pk": {"S": "srv-1"}})
            gateway.get_rest_apis()
    return calls


def _log(caplog) -> list[str]:
    """botocore's log lines, without the handlers' addresses (each run's handlers are new objects)."""
    return [re.sub(r" at 0x[0-9a-f]+", "", record.getMessage()) for record in caplog.records]


@pytest.mark.parametrize("debug", [False, True])
def test_handlers_are_called_as_botocore_calls_them(fake_aws, caplog, debug):
    plain = _calls(debug, caplog)
    plain_log = _log(caplog)
    caplog.clear()
    with faster_moto():
        replaced = _calls(debug, caplog)
    assert replaced == plain
    assert _log(caplog) == plain_log
    labels = [label for label, _, _ in plain]
    assert "last, never reached" not in labels and labels.count("answer") == 2 and labels.count("old name") == 2
    assert ("before-call.api-gateway.GetRestApis" in {name for _, name, _ in plain})
    assert bool(plain_log) == debug
