"""The starters of docs/waves.md as the stack will deploy them once tasks/start_migration.py exists.

Their entry points and grants below are exactly what waveflow/stack/entrypoints.py and functions.py will say;
this renders them into a copy of the project with the handlers present and checks the rules, their targets'
retry policies and DLQ, the Lambda permissions and each starter's environment, through cfn-lint and moto.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import boto3
import pytest
from cfnlint.decode import decode_str
from moto import mock_aws

from waveflow.compile.pipeline import compile_project, render
from waveflow.stack.checks import cfnlint
from waveflow.stack.entrypoints import ENTRYPOINTS, Entrypoint, RuleTrigger
from waveflow.stack.functions import FUNCTIONS, FunctionSpec, Grant
from waveflow.stack.render import render_stack

REPO = Path(__file__).resolve().parents[2]
STARTER_GRANTS = (
    Grant(("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"), ("WaveTable",)),
    Grant(("dynamodb:GetItem", "dynamodb:UpdateItem"), ("StatusTable",)),
    Grant(("dynamodb:Query",), ("StatusTableIndexes",)),
    Grant(("states:StartExecution",), ("MigrationStateMachine",)),
)
ENTRY = {
    **ENTRYPOINTS,
    "StartMigration": Entrypoint("tasks.start_migration.on_requested", RuleTrigger(
        "StartMigrationRule", ("MigrationRequested",), "A requested migration takes a slot of its wave and starts")),
    "StartMigrationNext": Entrypoint("tasks.start_migration.on_finished", RuleTrigger(
        "MigrationFinishedRule", ("MigrationSucceeded", "MigrationFailed"),
        "A finished migration gives its slot back and starts the next queued one of its wave")),
}
PERMISSIONS = {**FUNCTIONS, **{name: FunctionSpec(STARTER_GRANTS, timeout=60, reserve=5,
                                                  why_reserve="Step Functions' StartExecution rate")
                               for name in ("StartMigration", "StartMigrationNext")}}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("starters")
    for folder in ("workflows", "tasks", "templates"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "tasks" / "start_migration.py").write_text(
        'def on_requested(event, context):\n    """Start a requested migration."""\n\n\n'
        'def on_finished(event, context):\n    """Start the next migration of the wave."""\n')
    files = render(compile_project(root))
    return render_stack(root, files, entrypoints=ENTRY, permissions=PERMISSIONS)["template.yaml"].decode()


def test_each_rule_targets_its_starter_with_retries_a_dlq_and_a_permission(template):
    resources = decode_str(template)[0]["Resources"]
    for rule, function, types in (("StartMigrationRule", "StartMigration", ["MigrationRequested"]),
                                  ("MigrationFinishedRule", "StartMigrationNext",
                                   ["MigrationSucceeded", "MigrationFailed"])):
        properties = resources[rule]["Properties"]
        assert properties["EventBusName"] == {"Fn::GetAtt": ["EventBus", "Name"]}
        assert properties["EventPattern"] == {"source": ["waveflow.migration"], "detail-type": types}
        target, = properties["Targets"]
        assert target["Arn"] == {"Fn::GetAtt": [f"{function}Function", "Arn"]}
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]}}
        assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
        permission = resources[f"{function}InvokedBy{rule}"]["Properties"]
        assert (permission["Principal"], permission["SourceArn"]) == ("events.amazonaws.com",
                                                                      {"Fn::GetAtt": [rule, "Arn"]})
    allowed = resources["QueuesPolicy"]["Properties"]["PolicyDocument"]["Statement"][1]
    assert allowed["Condition"]["ArnEquals"]["aws:SourceArn"] == [{"Fn::GetAtt": ["StartMigrationRule", "Arn"]},
                                                                  {"Fn::GetAtt": ["MigrationFinishedRule", "Arn"]}]


def test_only_the_starters_get_the_state_machine_arn_and_the_wave_settings(template):
    parsed = decode_str(template)[0]
    assert "WaveConcurrency" in parsed["Parameters"]
    for name, resource in parsed["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        variables = resource["Properties"]["Environment"]["Variables"]
        starter = name in ("StartMigrationFunction", "StartMigrationNextFunction")
        assert ("WAVEFLOW_MIGRATION_STATE_MACHINE_ARN" in variables) is starter, name
        assert ("WAVEFLOW_WAVE_TABLE" in variables) is starter, name
        if starter:
            assert variables["WAVEFLOW_WAVE_CONCURRENCY"] == {"Ref": "WaveConcurrency"}


def test_the_stack_with_starters_is_cfn_lint_clean_and_creates_in_moto(template):
    findings, _ = cfnlint.check(template)
    assert findings == []
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    try:
        with mock_aws():
            session = boto3.Session(region_name="us-east-1")
            session.client("s3").create_bucket(Bucket="code")
            session.client("s3").put_object(Bucket="code", Key="t.zip", Body=b"PK\x05\x06" + b"\0" * 18)
            cloudformation = session.client("cloudformation")
            cloudformation.create_stack(StackName="wf", TemplateBody=template, Capabilities=["CAPABILITY_NAMED_IAM"],
                                        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in {
                                            "Environment": "dev", "TasksCodeBucket": "code", "TasksCodeKey": "t.zip",
                                            "VpcSubnetIds": ""}.items()])
            assert cloudformation.describe_stacks(StackName="wf")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
            events = session.client("events")
            rules = [r["Name"] for r in events.list_rules(EventBusName="wf-migrations")["Rules"]
                     if not r["Name"].startswith("Events-Archive-")]  # the archive's own rule
            assert sorted(r.split("-")[1] for r in rules) == ["MigrationFinishedRule", "StartMigrationRule"]
            for rule in rules:
                target, = events.list_targets_by_rule(Rule=rule, EventBusName="wf-migrations")["Targets"]
                assert ":wf-EventsDeadLetterQueue-" in target["DeadLetterConfig"]["Arn"]
                assert ":function:wf-StartMigration" in target["Arn"]
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
