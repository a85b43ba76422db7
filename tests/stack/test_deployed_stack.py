"""build/template.yaml created in moto's CloudFormation, its resources checked with the properties issue 7 asks.

moto skips some resource types (QueuePolicy, Secret, Alarm, QueryDefinition, BucketPolicy, TopicPolicy) and
ignores some properties (TTL, PITR, SSE, state machine logging): those are checked in the template itself.
"""
from __future__ import annotations

import json
from pathlib import Path

from waveflow.stack.entrypoints import ENTRYPOINTS
from waveflow.stack.functions import FUNCTIONS
from waveflow.stack.statemachines import plan

REPO = Path(__file__).resolve().parents[2]
TABLES = json.loads((REPO / "tasks/lib/schemas/tables.json").read_text())
BASE_ENV = {"WAVEFLOW_STATUS_TABLE", "WAVEFLOW_EVENT_BUS", "WAVEFLOW_DLQ_URL", "WAVEFLOW_IDEMPOTENCY_TABLE",
            "WAVEFLOW_CALLBACK_SECRET_ID", "WAVEFLOW_NOTIFY_TOPIC_ARN"}


def resources(template, kind):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def properties_of(moto_stack, function: str) -> dict:
    return moto_stack.built.template["Resources"][f"{function}Function"]["Properties"]


def test_the_stack_reaches_create_complete_with_every_output(moto_stack):
    assert moto_stack.status == "CREATE_COMPLETE"
    for key in ("MigrationQueueUrl", "RequestsDeadLetterQueueUrl", "EventsDeadLetterQueueUrl", "EventBusName",
                "EventArchiveArn", "StatusTableName", "IdempotencyTableName", "WaveTableName", "NotifyTopicArn",
                "PayloadBucketName", "ServerMigrationStateMachineArn", "MigrationWaveStateMachineArn",
                "IngressFunctionName", "StackKeyArn", "DashboardName"):
        assert moto_stack.outputs.get(key), key


def test_queue_is_kms_encrypted_with_a_redrive_to_the_dlq_and_a_long_enough_visibility(moto_stack):
    sqs = moto_stack.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=moto_stack.outputs["MigrationQueueUrl"],
                                          AttributeNames=["All"])["Attributes"]
    assert attributes["KmsMasterKeyId"] == moto_stack.outputs["StackKeyArn"]
    redrive = json.loads(attributes["RedrivePolicy"])
    dlq = sqs.get_queue_attributes(QueueUrl=moto_stack.outputs["RequestsDeadLetterQueueUrl"],
                                   AttributeNames=["QueueArn", "KmsMasterKeyId"])["Attributes"]
    assert redrive == {"deadLetterTargetArn": dlq["QueueArn"], "maxReceiveCount": 5}
    assert dlq["KmsMasterKeyId"] == moto_stack.outputs["StackKeyArn"]
    assert int(attributes["VisibilityTimeout"]) >= 6 * FUNCTIONS["Ingress"].timeout


def test_queues_refuse_anything_but_tls(moto_stack):
    policy = resources(moto_stack.built.template, "AWS::SQS::QueuePolicy")["QueuesPolicy"]["Properties"]
    deny = policy["PolicyDocument"]["Statement"][0]
    assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", "*", "sqs:*")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert len(policy["Queues"]) == len(resources(moto_stack.built.template, "AWS::SQS::Queue")) == 3


def test_tables_are_shaped_as_tables_json_and_protected(moto_stack):
    dynamodb = moto_stack.client("dynamodb")
    template = moto_stack.built.template
    for name, shape in TABLES.items():
        described = dynamodb.describe_table(TableName=moto_stack.outputs[f"{name}Name"])["Table"]
        assert described["KeySchema"] == shape["KeySchema"]
        assert sorted(i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])) == \
            sorted(i["IndexName"] for i in shape.get("GlobalSecondaryIndexes", []))
        properties = template["Resources"][name]["Properties"]
        for key, value in shape.items():
            assert properties[key] == value, (name, key)
        assert properties["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS",
                                                  "KMSMasterKeyId": {"Fn::GetAtt": ["StackKey", "Arn"]}}
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert properties["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}


def test_one_function_per_manifest_function_and_entry_point_with_its_settings(moto_stack):
    lam = moto_stack.client("lambda")
    manifest = moto_stack.built.manifest
    expected = set(manifest["functions"]) | set(ENTRYPOINTS)
    assert {k.removesuffix("FunctionName") for k in moto_stack.outputs if k.endswith("FunctionName")} == expected
    for name in expected:
        config = lam.get_function_configuration(FunctionName=moto_stack.outputs[f"{name}FunctionName"])
        handler = manifest["functions"][name]["handler"] if name in manifest["functions"] else \
            ENTRYPOINTS[name].handler
        assert (config["Runtime"], config["Handler"]) == ("python3.12", handler)
        assert config["Timeout"] == FUNCTIONS[name].timeout
        variables = config["Environment"]["Variables"]
        declared = properties_of(moto_stack, name)["Environment"]["Variables"]
        assert BASE_ENV <= set(declared)
        assert BASE_ENV - {"WAVEFLOW_CALLBACK_SECRET_ID"} <= set(variables)  # moto creates no secret to refer to
        assert variables["WAVEFLOW_STATUS_TABLE"] == moto_stack.outputs["StatusTableName"]
        assert variables["WAVEFLOW_DLQ_URL"] == moto_stack.outputs["RequestsDeadLetterQueueUrl"]
        if name in moto_stack.built.manifest["workflows"]["ServerMigration"]["functions"]:
            assert "WAVEFLOW_MIGRATION_STATE_MACHINE_ARN" not in variables  # its own functions never get its ARN
        properties = moto_stack.built.template["Resources"][f"{name}Function"]["Properties"]
        assert properties["TracingConfig"] == {"Mode": "Active"}  # moto reports PassThrough whatever was asked
        assert properties["KmsKeyArn"] == {"Fn::GetAtt": ["StackKey", "Arn"]}  # and no key at all
        assert properties["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]}}
        assert properties["LoggingConfig"]["LogGroup"] == {"Ref": f"{name}FunctionLogGroup"}


def test_the_ingress_reads_the_queue_with_partial_batch_failures_and_a_concurrency_cap(moto_stack):
    mappings = moto_stack.client("lambda").list_event_source_mappings(
        FunctionName=moto_stack.outputs["IngressFunctionName"])["EventSourceMappings"]
    assert [m["EventSourceArn"] for m in mappings] == [moto_stack.outputs["MigrationQueueArn"]]
    properties = moto_stack.built.template["Resources"]["IngressQueueMapping"]["Properties"]
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["MaximumBatchingWindowInSeconds"] > 0
    assert properties["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "IngressMaxConcurrency"}}


def test_log_groups_keep_logs_for_the_retention_and_are_encrypted(moto_stack):
    groups = moto_stack.client("logs").describe_log_groups()["logGroups"]
    assert len(groups) == len(FUNCTIONS) + 2  # a group per function and per state machine (the API's is conditional)
    assert {g.get("retentionInDays") for g in groups} == {90}
    template = moto_stack.built.template  # moto drops a log group's key
    assert {g["Properties"]["KmsKeyId"]["Fn::GetAtt"][0] for g in resources(template, "AWS::Logs::LogGroup").values()} \
        == {"StackKey"}


def test_state_machines_log_all_trace_encrypt_and_fill_every_placeholder(moto_stack):
    sfn = moto_stack.client("stepfunctions")
    template = moto_stack.built.template
    for name, workflow in moto_stack.built.manifest["workflows"].items():
        arn = moto_stack.outputs[f"{name}StateMachineArn"]
        assert arn.endswith(f":stateMachine:{moto_stack.name}-{name}")
        assert sfn.describe_state_machine(stateMachineArn=arn)["type"] == "STANDARD"
        properties = template["Resources"][f"{name}StateMachine"]["Properties"]
        assert properties["Definition"] == json.loads(moto_stack.built.files[workflow["definition"]])
        assert properties["LoggingConfiguration"]["Level"] == "ALL"
        assert properties["LoggingConfiguration"]["IncludeExecutionData"] is True
        assert properties["TracingConfiguration"] == {"Enabled": True}
        assert properties["EncryptionConfiguration"]["Type"] == "CUSTOMER_MANAGED_KMS_KEY"
        expected = {manifest_fn["placeholder"] for fn, manifest_fn in moto_stack.built.manifest["functions"].items()
                    if fn in workflow["functions"]}
        expected |= {moto_stack.built.manifest["workflows"][c]["placeholder"] for c in workflow["children"]}
        assert set(properties["DefinitionSubstitutions"]) == expected


def test_a_state_machine_role_invokes_exactly_its_own_functions(moto_stack):
    for name, workflow in moto_stack.built.manifest["workflows"].items():
        policies = moto_stack.built.template["Resources"][f"{name}StateMachineRole"]["Properties"]["Policies"]
        invoke, = [s for p in policies for s in p["PolicyDocument"]["Statement"]
                   if s.get("Action") == ["lambda:InvokeFunction"]]
        assert invoke["Resource"][::2] == [{"Fn::GetAtt": [f"{f}Function", "Arn"]} for f in workflow["functions"]]


def test_a_child_workflow_and_a_distributed_map_get_what_they_need_and_no_more():
    functions = {"Step": {"handler": "tasks.steps.handler", "placeholder": "StepFunctionArn"}}
    workflows = {"Parent": {"placeholder": "ParentStateMachineArn"}, "Child": {"placeholder": "ChildStateMachineArn"}}
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket.$": "$.b", "Key.$": "$.k"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "Run",
                          "States": {"Run": {"Type": "Task", "End": True,
                                             "Resource": "arn:aws:states:::states:startExecution.sync:2",
                                             "Parameters": {"StateMachineArn": "${ChildStateMachineArn}"}}}}}}}
    planned = plan("Parent", definition, {"functions": [], "children": ["Child"]}, functions, workflows)
    assert planned.problems == []
    granted = {(a, str(r)) for s in planned.statements for a in s.actions for r in s.resources}
    assert ("states:StartExecution", str({"Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:"
                                                     "${AWS::AccountId}:stateMachine:${AWS::StackName}-Child"})) in granted
    assert {a for a, _ in granted} == {"states:StartExecution", "states:DescribeExecution", "states:StopExecution",
                                       "events:PutTargets", "events:PutRule", "events:DescribeRule", "s3:GetObject"}
    rule = next(s for s in planned.statements if "events:PutRule" in s.actions)
    assert rule.resources == ({"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/"
                                          "StepFunctionsGetEventsForStepFunctionsExecutionRule"},)
    reader = next(s for s in planned.statements if s.actions == ("s3:GetObject",))
    assert reader.resources == ({"Fn::Sub": "${PayloadBucket.Arn}/*"},)


def test_no_role_has_a_wildcard_action_and_every_star_resource_says_why(moto_stack):
    template = moto_stack.built.template
    for name, role in resources(template, "AWS::IAM::Role").items():
        for policy in role["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                statement = statement.get("Fn::If", [None, statement])[1]
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert not [a for a in actions if a == "*" or a.endswith(":*")], name
    lines, kind = moto_stack.built.text.splitlines(), None
    for number, line in enumerate(lines):
        if line.startswith("    Type: "):
            kind = line.split(": ", 1)[1]
        if kind == "AWS::IAM::Role" and line.strip() == 'Resource: "*"':
            statement = max(i for i in range(number) if lines[i].lstrip().startswith("- Effect"))
            if lines[statement - 2].strip() == "- !If":  # a statement under a condition: the reason is above the If
                statement -= 2
            assert lines[statement - 1].strip().startswith("#"), f"template.yaml:{number + 1}: '*' without a reason"


def test_the_key_rotates_and_its_policy_names_the_stack_roles_and_services(moto_stack):
    kms = moto_stack.client("kms")
    key_id = moto_stack.outputs["StackKeyArn"].rsplit("/", 1)[1]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    policy = kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    statements = {s["Sid"]: s for s in (json.loads(policy) if isinstance(policy, str) else policy)["Statement"]}
    assert set(statements) == {"KeyAdministration", "StackRoles", "CloudWatchLogs", "DeliveringServices"}
    assert statements["StackRoles"]["Condition"]["ArnLike"]["aws:PrincipalArn"].endswith(":role/waveflow-test-*")


def test_topic_bucket_and_secret_use_the_key(moto_stack):
    topic = moto_stack.client("sns").get_topic_attributes(TopicArn=moto_stack.outputs["NotifyTopicArn"])
    assert topic["Attributes"]["KmsMasterKeyId"] == moto_stack.outputs["StackKeyArn"]
    encryption = moto_stack.client("s3").get_bucket_encryption(Bucket=moto_stack.outputs["PayloadBucketName"])
    rule = encryption["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] == "aws:kms"
    secret = moto_stack.built.template["Resources"]["CallbackSecret"]["Properties"]
    assert secret["KmsKeyId"] == {"Fn::GetAtt": ["StackKey", "Arn"]}


def test_alarms_cover_dlqs_queue_age_executions_functions_and_replication_lag(moto_stack):
    template = moto_stack.built.template
    alarms = resources(template, "AWS::CloudWatch::Alarm")
    metrics = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms.values()}
    assert {("AWS/SQS", "ApproximateNumberOfMessagesVisible"), ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
            ("AWS/States", "ExecutionsFailed"), ("AWS/States", "ExecutionsTimedOut"),
            ("AWS/States", "ExecutionsAborted"), ("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles"),
            ("Waveflow", "ReplicationLagSeconds")} == metrics
    functions = set(moto_stack.built.manifest["functions"]) | set(ENTRYPOINTS)
    assert {f"{f}ErrorsAlarm" for f in functions} <= set(alarms)
    assert all(a["Properties"]["AlarmActions"] == [{"Ref": "NotifyTopic"}] for a in alarms.values())
    queries = resources(template, "AWS::Logs::QueryDefinition")
    assert set(queries) == {"ErrorsByTypeQuery", "MigrationTimelineQuery", "SlowestStagesQuery"}
    assert moto_stack.client("cloudwatch").get_dashboard(DashboardName=moto_stack.outputs["DashboardName"])


def test_bus_and_archive_exist(moto_stack):
    events = moto_stack.client("events")
    assert events.describe_event_bus(Name=moto_stack.outputs["EventBusName"])["Arn"] == \
        moto_stack.outputs["EventBusArn"]
    archive = events.describe_archive(ArchiveName=moto_stack.outputs["EventArchiveName"])
    assert archive["EventSourceArn"] == moto_stack.outputs["EventBusArn"]


def test_api_and_vpc_placement_are_optional_by_condition(moto_stack):
    template = moto_stack.built.template
    assert {r.get("Condition") for r in resources(template, "AWS::EC2::VPCEndpoint").values()} == {"InVpc"}
    for kind in ("AWS::ApiGateway::RestApi", "AWS::ApiGateway::Method", "AWS::ApiGateway::Stage"):
        assert {r.get("Condition") for r in resources(template, kind).values()} == {"ApiEnabled"}
    method = template["Resources"]["MigrationsPost"]["Properties"]
    assert method["AuthorizationType"] == "AWS_IAM"
    model = template["Resources"]["MigrationRequestModel"]["Properties"]["Schema"]
    assert model["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert model["required"] == json.loads((REPO / "tasks/lib/schemas/migration-request.json").read_text())["required"]
    services = {e["Properties"]["ServiceName"]["Fn::Sub"].rsplit(".", 1)[1]
                for e in resources(template, "AWS::EC2::VPCEndpoint").values()}
    assert {"s3", "dynamodb", "sqs", "events", "states", "mgn", "ssm"} <= services
