"""The twin's stack read from a CloudFormation template: intrinsics, conditions, CloudFormation's names, and every
setting the twin's pieces use, as CloudFormation would resolve them."""
from __future__ import annotations

from pathlib import Path

import pytest

from waveflow.local.twin.cfn import Identity, Template, TemplateError
from waveflow.local.twin.template import generated_name, read_stack

SMALL = (Path(__file__).parent / "templates" / "small.yaml").read_text()


@pytest.fixture(scope="module")
def stack():
    return read_stack(SMALL, parameters={"Environment": "prod"}, stack_name="t", seed=3)


def test_unnamed_resources_get_cloudformations_names_and_named_ones_keep_theirs(stack):
    requests, dlq = (stack.queue(q.name) for q in stack.queues[:2])
    assert requests.name == generated_name("t", "Requests") and requests.name.startswith("t-Requests-")
    assert len(requests.name.rsplit("-", 1)[1]) == 13 and requests.name == read_stack(
        SMALL, parameters={"Environment": "prod"}, stack_name="t").queues[0].name  # the same name every time
    assert dlq.name == "t-dlq" and stack.buses == ("t-bus",)
    assert [m.name for m in stack.state_machines] == ["t-Flow"]


def test_queues_keep_their_settings_and_redrive_policy(stack):
    requests = stack.queue(stack.queues[0].name)
    assert (requests.visibility_timeout, requests.dead_letter, requests.max_receive_count) == (300, "t-dlq", 4)
    assert requests.attributes["KmsMasterKeyId"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert stack.queue("t-dlq").attributes == {"MessageRetentionPeriod": "1209600"}


def test_a_resource_whose_condition_fails_is_not_created(stack):
    assert len(stack.queues) == 2
    with_subnets = read_stack(SMALL, parameters={"Environment": "dev", "Subnets": "subnet-1,subnet-2"}, stack_name="t")
    assert len(with_subnets.queues) == 3


def test_functions_get_their_environment_resolved_as_cloudformation_resolves_it(stack):
    [worker] = stack.functions
    env = worker.environment
    assert env["WAVEFLOW_STATUS_TABLE"] == stack.tables[0].name == env["WAVEFLOW_IDEMPOTENCY_TABLE"]
    assert env["WAVEFLOW_EVENT_BUS"] == "t-bus"
    assert env["WAVEFLOW_DLQ_URL"] == "https://sqs.us-east-1.amazonaws.com/123456789012/t-dlq"
    assert env["WAVEFLOW_NOTIFY_TOPIC_ARN"] == stack.topic_arn(stack.topics[0])
    assert env["WAVEFLOW_MACHINE"] == stack.state_machine_arn("t-Flow")
    assert env["WAVEFLOW_CALLBACK_SECRET_ID"] in stack.secrets and len(stack.secrets[env["WAVEFLOW_CALLBACK_SECRET_ID"]]) == 20
    assert (worker.handler, worker.timeout, worker.memory, worker.dead_letter, worker.async_retries) == (
        "twin_handlers.record", 30, 512, "t-dlq", 1)
    dev = read_stack(SMALL, parameters={"Environment": "dev"}, stack_name="t").functions[0]
    assert "WAVEFLOW_IDEMPOTENCY_TABLE" not in dev.environment  # AWS::NoValue leaves the variable out


def test_the_mapping_rule_table_and_state_machine_are_read_whole(stack):
    [mapping] = stack.event_source_mappings
    assert (mapping.function, mapping.queue, mapping.batch_size, mapping.batching_window,
            mapping.report_batch_item_failures, mapping.maximum_concurrency) == (
        stack.functions[0].name, stack.queues[0].name, 5, 2, True, 3)
    [rule] = stack.rules
    assert (rule.bus, rule.event_pattern) == ("t-bus", {"source": ["test"], "detail-type": ["Noted"]})
    [target] = rule.targets
    assert (target.arn, target.maximum_retry_attempts, target.maximum_event_age, target.dead_letter) == (
        stack.function_arn(stack.functions[0].name), 7, 3600, "t-dlq")
    [table] = stack.tables
    assert table.properties["DeletionProtectionEnabled"] is True
    assert table.properties["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    [machine] = stack.state_machines
    assert machine.substitutions == {"WorkArn": stack.function_arn(stack.functions[0].name)}
    assert machine.definition["States"]["Work"]["Parameters"]["FunctionName"] == "${WorkArn}"


@pytest.mark.parametrize("parameters, problem", [
    ({}, "parameter Environment has no default"),
    ({"Environment": "staging"}, "'staging' is not one of"),
    ({"Environment": "dev", "Colour": "blue"}, "parameters the template does not declare: Colour"),
])
def test_bad_parameters_are_refused_by_name(parameters, problem):
    with pytest.raises(TemplateError, match=problem):
        read_stack(SMALL, parameters=parameters)


def test_intrinsics_resolve_and_unknown_references_are_named():
    t = Template.parse("Parameters: {A: {Type: String, Default: x}}\nResources: {Q: {Type: AWS::SQS::Queue}}",
                       stack_name="s")
    t.identities["Q"] = Identity("url", {"Arn": "arn"})
    assert t.resolve({"Fn::Sub": ["${A}-${Q.Arn}-${B}-${!Literal}", {"B": "b"}]}) == "x-arn-b-${Literal}"
    assert t.resolve({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}) == "b"
    assert t.resolve({"Fn::Join": ["/", [{"Ref": "AWS::Region"}, {"Ref": "A"}]]}) == "us-east-1/x"
    with pytest.raises(TemplateError, match=r"here.Ref: no resource or parameter named Nope"):
        t.resolve({"Ref": "Nope"}, "here")
    with pytest.raises(TemplateError, match="Q has no attribute QueueName"):
        t.resolve({"Fn::GetAtt": ["Q", "QueueName"]})
