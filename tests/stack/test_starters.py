"""The starters of docs/waves.md in the stack: their rules, retry policies, DLQ, permissions and environment."""
from __future__ import annotations

STARTERS = {"StartMigrationRule": ("StartMigration", ["MigrationRequested"]),
            "MigrationFinishedRule": ("StartMigrationNext", ["MigrationSucceeded", "MigrationFailed"])}
#: Functions that start ServerMigration executions (docs/interfaces.md); none of ServerMigration's own.
STARTING = {"StartMigrationFunction", "StartMigrationNextFunction", "WaveGateOpenWaveFunction",
            "WaveGateWatchWaveFunction"}


def test_each_rule_targets_its_starter_with_retries_a_dlq_and_a_permission(built_stack):
    resources = built_stack.template["Resources"]
    for rule, (function, types) in STARTERS.items():
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
    assert allowed["Condition"]["ArnEquals"]["aws:SourceArn"] == [{"Fn::GetAtt": [rule, "Arn"]}
                                                                  for rule in STARTERS]


def test_only_the_functions_that_start_migrations_get_the_state_machine_arn(built_stack):
    parsed = built_stack.template
    assert "WaveConcurrency" in parsed["Parameters"]
    manifest = built_stack.manifest
    own = {f"{f}Function" for f in manifest["workflows"]["ServerMigration"]["functions"]}
    for name, resource in parsed["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        variables = resource["Properties"]["Environment"]["Variables"]
        assert ("WAVEFLOW_MIGRATION_STATE_MACHINE_ARN" in variables) is (name in STARTING), name
        assert not (name in own and "WAVEFLOW_MIGRATION_STATE_MACHINE_ARN" in variables)
    starter = parsed["Resources"]["StartMigrationFunction"]["Properties"]["Environment"]["Variables"]
    assert starter["WAVEFLOW_WAVE_CONCURRENCY"] == {"Ref": "WaveConcurrency"}
    assert starter["WAVEFLOW_WAVE_TABLE"] == {"Ref": "WaveTable"}


def test_the_rules_reach_their_starters_in_moto(moto_stack):
    events = moto_stack.client("events")
    bus = moto_stack.outputs["EventBusName"]
    rules = [r["Name"] for r in events.list_rules(EventBusName=bus)["Rules"]
             if not r["Name"].startswith("Events-Archive-")]  # the archive's own rule
    assert sorted(r.split("-")[2] for r in rules) == sorted(STARTERS)
    for rule in rules:
        target, = events.list_targets_by_rule(Rule=rule, EventBusName=bus)["Targets"]
        assert ":function:waveflow-test-StartMigration" in target["Arn"]
        assert "-EventsDeadLetterQueue-" in target["DeadLetterConfig"]["Arn"]
