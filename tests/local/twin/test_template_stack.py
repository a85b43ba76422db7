"""The twin that ``waveflow run`` brings up from the project's own ``build/template.yaml`` holds what the template
declares: each resource's settings read back from moto through the AWS APIs (and from the twin's functions, rules
and state machines) and compared with the template's own text, resource by resource."""
from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
import yaml
from moto import mock_aws

from waveflow.compile import build
from waveflow.local.twin.cfn import _Loader
from waveflow.local.twin.template import LOCAL_PARAMETERS, read_stack
from waveflow.local.twin.twin import LocalTwin

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    files = build(REPO, tmp_path_factory.mktemp("build"))
    return files, yaml.load(files["template.yaml"], Loader=_Loader)


@pytest.fixture(scope="module")
def twin(built, fake_aws):
    files, _ = built
    stack = read_stack(files["template.yaml"].decode(), parameters=LOCAL_PARAMETERS)
    with mock_aws():
        with LocalTwin(stack, boto3.Session(region_name=stack.region)) as twin:
            yield twin


def _of_type(template: dict, kind: str) -> dict[str, dict]:
    return {name: body.get("Properties") or {} for name, body in template["Resources"].items()
            if body["Type"] == kind and "Condition" not in body}


def test_queues_have_the_templates_settings_and_redrive_policy(built, twin):
    _, template = built
    sqs = twin.session.client("sqs")
    queues = _of_type(template, "AWS::SQS::Queue")
    assert len(twin.stack.queues) == len(queues)
    default_receives = template["Parameters"]["MaxReceiveCount"]["Default"]
    for queue in twin.stack.queues:
        [logical] = [name for name in queues if f"-{name}-" in queue.name]
        attributes = sqs.get_queue_attributes(QueueUrl=twin.stack.queue_url(queue.name),
                                              AttributeNames=["All"])["Attributes"]
        declared = queues[logical]
        assert attributes["VisibilityTimeout"] == str(declared.get("VisibilityTimeout", 30))
        assert attributes["MessageRetentionPeriod"] == str(declared["MessageRetentionPeriod"])
        assert attributes["KmsMasterKeyId"].startswith("arn:aws:kms:")
        if "RedrivePolicy" in declared:
            redrive = json.loads(attributes["RedrivePolicy"])
            target = declared["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            assert redrive["deadLetterTargetArn"].split(":")[-1].split("-")[2] == target
            assert redrive["maxReceiveCount"] == default_receives


def test_tables_have_the_templates_keys_indexes_ttl_and_recovery(built, twin):
    _, template = built
    dynamodb = twin.session.client("dynamodb")
    tables = _of_type(template, "AWS::DynamoDB::Table")
    assert len(twin.stack.tables) == len(tables)
    for table in twin.stack.tables:
        [logical] = [name for name in tables if f"-{name}-" in table.name]
        declared, described = tables[logical], dynamodb.describe_table(TableName=table.name)["Table"]
        assert described["KeySchema"] == declared["KeySchema"]
        assert sorted(i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])) == sorted(
            i["IndexName"] for i in declared.get("GlobalSecondaryIndexes", []))
        ttl = dynamodb.describe_time_to_live(TableName=table.name)["TimeToLiveDescription"]
        if "TimeToLiveSpecification" in declared:
            assert ttl == {"TimeToLiveStatus": "ENABLED",
                           "AttributeName": declared["TimeToLiveSpecification"]["AttributeName"]}
        backups = dynamodb.describe_continuous_backups(TableName=table.name)["ContinuousBackupsDescription"]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        assert described["SSEDescription"]["SSEType"] == "KMS"


def test_rules_match_the_templates_patterns_and_reach_its_functions(built, twin):
    _, template = built
    events = twin.session.client("events")
    rules = _of_type(template, "AWS::Events::Rule")
    assert len(twin.stack.rules) == len(rules) == 2
    for rule in twin.stack.rules:
        [logical] = [name for name in rules if f"-{name}-" in rule.name]
        described = events.describe_rule(Name=rule.name, EventBusName=rule.bus)
        assert json.loads(described["EventPattern"]) == rules[logical]["EventPattern"]
        targets = events.list_targets_by_rule(Rule=rule.name, EventBusName=rule.bus)["Targets"]
        [declared] = rules[logical]["Targets"]
        function = declared["Arn"]["Fn::GetAtt"][0]
        assert [t["Arn"].split(":")[-1].split("-")[2] for t in targets] == [function]
        assert twin.functions[targets[0]["Arn"].split(":")[-1]].spec.handler == \
            template["Resources"][function]["Properties"]["Handler"]


def test_every_function_runs_its_templates_handler_with_its_environment(built, twin):
    _, template = built
    functions = _of_type(template, "AWS::Lambda::Function")
    assert len(twin.functions.by_name) == len(functions)
    for name, function in twin.functions.by_name.items():
        [logical] = [n for n in functions if f"-{n}-" in name]
        declared = functions[logical]
        assert (function.spec.handler, function.spec.timeout, function.spec.memory) == (
            declared["Handler"], declared["Timeout"], declared["MemorySize"])
        variables = declared["Environment"]["Variables"]
        unconditional = {key for key, value in variables.items() if not (isinstance(value, dict) and "Fn::If" in value)}
        assert unconditional <= set(function.spec.environment) <= set(variables)  # an If may resolve to NoValue
    [mapping] = twin.stack.event_source_mappings
    [declared] = _of_type(template, "AWS::Lambda::EventSourceMapping").values()
    assert (mapping.batch_size, mapping.batching_window, mapping.report_batch_item_failures) == (
        declared["BatchSize"], declared["MaximumBatchingWindowInSeconds"],
        "ReportBatchItemFailures" in declared["FunctionResponseTypes"])


def test_the_state_machines_run_the_builds_definitions(built, twin):
    files, _ = built
    machines = {machine.name: machine for machine in twin.runtime.machines.values()}
    for name in ("ServerMigration", "MigrationWave"):
        [machine] = [m for n, m in machines.items() if n.endswith(f"-{name}")]
        built_definition = json.loads(files[f"{name}.asl.json"])
        assert machine.definition["StartAt"] == built_definition["StartAt"]
        assert set(machine.definition["States"]) == set(built_definition["States"])
        assert "${" not in json.dumps(machine.definition)  # every placeholder substituted
