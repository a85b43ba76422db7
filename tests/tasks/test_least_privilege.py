"""The least-privilege seam: the recorder of ``role_oracle.py`` sees a real handler's calls and fails a call
its role does not grant — the check every test of this folder runs (``least_privilege`` in conftest.py)."""
from __future__ import annotations

import dataclasses

import boto3
import pytest
from moto import mock_aws
from role_oracle import RoleOracle, deployed_handlers

from tasks import approval, wave_summary
from tasks.lib import aws
from waveflow.stack.functions import FUNCTIONS

REGION, ACCOUNT_ID = "us-east-1", "123456789012"  # as tests/tasks/conftest.py sets them


@pytest.fixture
def oracle_session(clock):
    """A session of its own, so the oracle under test sees the calls (the shared one has the suite's oracle)."""
    def run(functions):
        oracle = RoleOracle(deployed_handlers(), functions)
        session = boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        oracle.install(session)
        aws.configure(session, clock=clock)
        return oracle, session
    yield run
    aws.configure()


def without(function: str, action: str) -> dict:
    """The permissions table with ``action`` taken from ``function``'s grants."""
    spec = FUNCTIONS[function]
    grants = tuple(dataclasses.replace(g, actions=tuple(a for a in g.actions if a != action)) for g in spec.grants)
    return {**FUNCTIONS, function: dataclasses.replace(spec, grants=grants)}


def approve_wave_7(session) -> None:
    session.client("sns").create_topic(Name="waveflow-notify")
    approval.request_approval({"approval": "ApproveWaveCutover", "taskToken": "token-1", "executionId": "arn:x",
                               "input": {"wave": "7", "correlationId": "c-1"}}, None)


def test_a_handler_call_its_role_grants_passes(oracle_session):
    with mock_aws():
        oracle, session = oracle_session(FUNCTIONS)
        approve_wave_7(session)
    assert oracle.calls == [("ApprovalRequestApproval", "sns:Publish")]
    assert oracle.refused == []


def test_a_call_the_role_does_not_grant_is_refused_naming_function_action_and_resource(oracle_session):
    with mock_aws():
        oracle, session = oracle_session(without("ApprovalRequestApproval", "sns:Publish"))
        approve_wave_7(session)
    assert oracle.refused == ["ApprovalRequestApproval called sns:Publish on NotifyTopic, which its role does not "
                              "allow; grant it in waveflow/stack/functions.py"]


def test_a_grant_on_another_resource_does_not_cover_a_stack_resource(oracle_session, status_table):
    functions = {**FUNCTIONS, "WaveSummary": dataclasses.replace(
        FUNCTIONS["WaveSummary"], grants=(dataclasses.replace(FUNCTIONS["WaveSummary"].grants[0], on=("WaveTable",)),))}
    oracle, _ = oracle_session(functions)
    wave_summary.handler({"wave": "7"}, None)
    assert oracle.refused == ["WaveSummary called dynamodb:Query on StatusTableIndexes, which its role does not "
                              "allow; grant it in waveflow/stack/functions.py"]


def test_calls_the_test_itself_makes_are_not_a_handlers(oracle_session):
    with mock_aws():
        oracle, session = oracle_session(without("ApprovalRequestApproval", "sns:Publish"))
        session.client("sns").create_topic(Name="waveflow-notify")
        session.client("sns").publish(TopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:waveflow-notify", Message="x")
    assert oracle.calls == [] and oracle.refused == []
