"""One test per DSL construct: what the user writes, and the ASL Step Functions will run."""
import pytest

pytestmark = pytest.mark.usefixtures("project")


def test_lambda_task_invokes_the_function_by_placeholder_and_outputs_its_return(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("Step", handler="tasks.steps.handler", timeout=minutes(2), heartbeat=seconds(30))
    ''')
    step = project.build()["Flow"]["States"]["Step"]
    assert step == {"Type": "Task", "Comment": "Does the step.", "Resource": "arn:aws:states:::lambda:invoke",
                    "TimeoutSeconds": 120, "HeartbeatSeconds": 30,
                    "Parameters": {"FunctionName": "${StepsFunctionArn}", "Payload.$": "$"},
                    "OutputPath": "$.Payload", "End": True}


def test_lambda_task_accepts_the_handler_function_itself(project):
    project.write("handlers/__init__.py", "")
    project.write("handlers/steps.py", '''
        def check(event, context):
            """Looks at the status."""
            return event
    ''')
    project.write("workflows/flow.py", '''
from waveflow.dsl import LambdaTask, Workflow
from handlers import steps
with Workflow("Flow") as wf:
    LambdaTask("Step", handler=steps.check)
''')
    step = project.build()["Flow"]["States"]["Step"]
    assert step["Parameters"]["FunctionName"] == "${StepsCheckFunctionArn}"
    assert step["Comment"] == "Looks at the status."


def test_lambda_task_with_result_path_keeps_the_input_and_a_custom_payload(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("Step", handler="tasks.steps.handler", payload={"id": Ref("$.server.id"), "kind": "x"},
                       result_path="$.step", result_selector={"value": Ref("$.Payload")})
    ''')
    step = project.build()["Flow"]["States"]["Step"]
    assert step["Parameters"] == {"FunctionName": "${StepsFunctionArn}",
                                  "Payload": {"id.$": "$.server.id", "kind": "x"}}
    assert step["ResultSelector"] == {"value.$": "$.Payload"}
    assert step["ResultPath"] == "$.step"
    assert "OutputPath" not in step


def test_wait_for_token_passes_the_token(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("Step", handler="tasks.steps.handler", wait_for_token=True, timeout=hours(1))
    ''')
    step = project.build()["Flow"]["States"]["Step"]
    assert step["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert step["Parameters"]["Payload"] == {"input.$": "$", "taskToken.$": "$$.Task.Token"}


def test_service_and_sdk_tasks(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            publish = ServiceTask("Publish", service="sns", action="publish",
                                  parameters={"TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
                                              "Message": Ref("$.text")})
            put = ServiceTask("Put", service="dynamodb", action="putItem", parameters={"TableName": "t", "Item": {}})
            child = ServiceTask("Child", service="states", action="startExecution", integration="sync:2",
                                parameters={"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x"})
            describe = SdkTask("Describe", service="mgn", action="describeJobs", parameters={"Filters": {}})
            publish >> put >> child >> describe
    ''')
    states = project.build()["Flow"]["States"]
    assert states["Publish"]["Resource"] == "arn:aws:states:::sns:publish"
    assert states["Publish"]["Parameters"]["Message.$"] == "$.text"
    assert states["Put"]["Resource"] == "arn:aws:states:::dynamodb:putItem"
    assert states["Child"]["Resource"] == "arn:aws:states:::states:startExecution.sync:2"
    assert states["Describe"]["Resource"] == "arn:aws:states:::aws-sdk:mgn:describeJobs"


def test_run_workflow_starts_a_named_child_and_waits(project):
    project.workflow('''
        with Workflow("Child") as child:
            Pass("Nothing")
        with Workflow("Parent") as parent:
            RunWorkflow("RunChild", workflow=child, execution_name=Ref("$.migrationId"))
    ''')
    step = project.build()["Parent"]["States"]["RunChild"]
    assert step["Resource"] == "arn:aws:states:::states:startExecution.sync:2"
    assert step["Parameters"] == {"StateMachineArn": "${ChildStateMachineArn}", "Name.$": "$.migrationId",
                                  "Input.$": "$"}
    assert step["ResultSelector"] == {"status.$": "$.Status", "executionArn.$": "$.ExecutionArn",
                                      "output.$": "$.Output"}


def test_approval_pauses_on_a_task_token_with_a_timeout(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Approval("Approve", notify="tasks.steps.notify", timeout=hours(72), message="Cut over?")
    ''')
    step = project.build()["Flow"]["States"]["Approve"]
    assert step["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert step["TimeoutSeconds"] == 259200
    assert step["Parameters"]["Payload"]["taskToken.$"] == "$$.Task.Token"
    assert step["Parameters"]["Payload"]["message"] == "Cut over?"
    assert step["ResultPath"] == "$.approval"


def test_pass_with_result_and_with_parameters_and_intrinsics(project):
    project.workflow('''
        from waveflow.dsl.intrinsics import Format, MathAdd, UUID
        with Workflow("Flow") as wf:
            fixed = Pass("Fixed", result={"a": 1}, result_path="$.fixed")
            shaped = Pass("Shaped", parameters={"greeting": Format("Hi {}, it's {}", Ref("$.name"), "me"),
                                                "next": MathAdd(Ref("$.n"), 1), "id": UUID(),
                                                "exec": Context("Execution.Id"), "nested": {"x": Ref("$.x")}})
            fixed >> shaped
    ''')
    states = project.build()["Flow"]["States"]
    assert states["Fixed"] == {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.fixed", "Next": "Shaped"}
    assert states["Shaped"]["Parameters"] == {
        "greeting.$": "States.Format('Hi {}, it\\'s {}', $.name, 'me')",
        "next.$": "States.MathAdd($.n, 1)", "id.$": "States.UUID()", "exec.$": "$$.Execution.Id",
        "nested": {"x.$": "$.x"}}


def test_wait_in_all_four_forms(project):
    project.workflow('''
        from datetime import datetime, timezone
        with Workflow("Flow") as wf:
            a = Wait("A", seconds=minutes(5))
            b = Wait("B", seconds_path="$.delay")
            c = Wait("C", timestamp=datetime(2026, 12, 1, tzinfo=timezone.utc))
            d = Wait("D", timestamp_path="$.when")
            a >> b >> c >> d
    ''')
    states = project.build()["Flow"]["States"]
    assert states["A"]["Seconds"] == 300
    assert states["B"]["SecondsPath"] == "$.delay"
    assert states["C"]["Timestamp"] == "2026-12-01T00:00:00Z"
    assert states["D"]["TimestampPath"] == "$.when"


def test_choice_branches_with_default_and_joins(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            route = Choice("Route")
            big = Pass("Big")
            small = Pass("Small")
            end = Succeed("Done")
            route.when((Var("$.size") > 100) & Var("$.tier").is_present(), big).otherwise(small)
            [big, small] >> end
    ''')
    states = project.build()["Flow"]["States"]
    assert states["Route"] == {"Type": "Choice", "Choices": [{"And": [
        {"Variable": "$.size", "NumericGreaterThan": 100}, {"Variable": "$.tier", "IsPresent": True}],
        "Next": "Big"}], "Default": "Small"}
    assert states["Big"]["Next"] == states["Small"]["Next"] == "Done"
    assert states["Done"] == {"Type": "Succeed"}


def test_parallel_branches(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            with Parallel("Both", result_path="$.both") as both:
                with both.branch():
                    LambdaTask("Left", handler="tasks.steps.handler")
                with both.branch():
                    Pass("Right1") >> Pass("Right2")
    ''')
    both = project.build()["Flow"]["States"]["Both"]
    assert both["Type"] == "Parallel"
    assert [b["StartAt"] for b in both["Branches"]] == ["Left", "Right1"]
    assert both["Branches"][1]["States"]["Right1"]["Next"] == "Right2"
    assert both["ResultPath"] == "$.both"


def test_inline_map(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            with Map("Each", items_path="$.servers", item_selector={"server": Ref("$$.Map.Item.Value")},
                     max_concurrency=5):
                LambdaTask("One", handler="tasks.steps.handler")
    ''')
    each = project.build()["Flow"]["States"]["Each"]
    assert each["ItemProcessor"]["ProcessorConfig"] == {"Mode": "INLINE"}
    assert each["ItemProcessor"]["StartAt"] == "One"
    assert each["ItemsPath"] == "$.servers"
    assert each["ItemSelector"] == {"server.$": "$$.Map.Item.Value"}
    assert each["MaxConcurrency"] == 5


def test_distributed_map_with_s3_items_and_tolerated_failures(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            with Map("Each", mode="DISTRIBUTED", item_reader=s3_json_items(Ref("$.bucket"), "servers.json"),
                     tolerated_failure_percentage=10, tolerated_failure_count=3, result_path=DISCARD):
                Pass("One")
    ''')
    each = project.build()["Flow"]["States"]["Each"]
    assert each["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    assert each["ItemReader"] == {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                                  "Parameters": {"Bucket.$": "$.bucket", "Key": "servers.json"}}
    assert each["ToleratedFailurePercentage"] == 10
    assert each["ToleratedFailureCount"] == 3
    assert each["ResultPath"] is None


def test_fail_with_error_and_cause_or_their_paths(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            route = Choice("Route")
            route.when(Var("$.x") == 1, Fail("Fixed", error="Bad", cause="because"))
            route.otherwise(Fail("FromInput", error_path="$.error.Error", cause_path="$.error.Cause"))
    ''')
    states = project.build()["Flow"]["States"]
    assert states["Fixed"] == {"Type": "Fail", "Error": "Bad", "Cause": "because"}
    # A caught error's output does not always carry a Cause: read in JSONata, a missing cause cannot fail the Fail.
    assert states["FromInput"] == {
        "Type": "Fail", "QueryLanguage": "JSONata", "Error": "{% $states.input.error.Error %}",
        "Cause": "{% $exists($states.input.error.Cause) ? $states.input.error.Cause : '' %}"}


def test_data_flow_fields_reach_the_asl(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Task("Raw", resource="arn:aws:states:::sqs:sendMessage", input_path="$.request",
                 parameters={"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                             "MessageBody": Ref("$")},
                 result_selector={"id": Ref("$.MessageId")}, result_path="$.sent", output_path="$.sent")
    ''')
    raw = project.build()["Flow"]["States"]["Raw"]
    assert list(raw) == ["Type", "Resource", "InputPath", "Parameters", "ResultSelector", "ResultPath",
                         "OutputPath", "End"]
    assert raw["ResultSelector"] == {"id.$": "$.MessageId"}
    assert (raw["InputPath"], raw["ResultPath"], raw["OutputPath"]) == ("$.request", "$.sent", "$.sent")


def test_result_path_discard_is_null(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("Step", handler="tasks.steps.handler", result_path=DISCARD)
    ''')
    step = project.build()["Flow"]["States"]["Step"]
    assert step["ResultPath"] is None and "OutputPath" not in step


def test_workflow_comment_timeout_and_docstring(project):
    project.write("workflows/flow.py", '''
"""Moves one server."""
from waveflow.dsl import Pass, Workflow, hours
with Workflow("Flow", timeout=hours(2)) as wf:
    Pass("Only")
''')
    flow = project.build()["Flow"]
    assert list(flow) == ["Comment", "StartAt", "TimeoutSeconds", "States"]
    assert flow["Comment"] == "Moves one server."
    assert flow["TimeoutSeconds"] == 7200


def test_default_retry_merges_into_every_task_and_a_task_can_opt_out(project):
    project.workflow('''
        with Workflow("Flow", default_retry=Retry(attempts=3, delay=seconds(5), backoff=2.0,
                                                  max_delay=minutes(2), jitter=True, errors=["Flaky"])) as wf:
            a = LambdaTask("A", handler="tasks.steps.handler")
            b = LambdaTask("B", handler="tasks.steps.handler", retry=Retry(attempts=6))
            c = LambdaTask("C", handler="tasks.steps.handler", retry=NO_RETRY)
            a >> b >> c
    ''')
    states = project.build()["Flow"]["States"]
    assert states["A"]["Retry"] == [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 5, "MaxAttempts": 3,
                                     "BackoffRate": 2.0, "MaxDelaySeconds": 120, "JitterStrategy": "FULL"}]
    assert states["B"]["Retry"][0]["MaxAttempts"] == 6
    assert states["B"]["Retry"][0]["IntervalSeconds"] == 5
    assert "Retry" not in states["C"]


def test_group_default_retry_sits_between_workflow_and_task(project):
    project.workflow('''
        with Workflow("Flow", default_retry=Retry(attempts=2, delay=seconds(3))) as wf:
            with Map("Each", items_path="$.items", default_retry=Retry(delay=seconds(30))):
                LambdaTask("One", handler="tasks.steps.handler")
    ''')
    one = project.build()["Flow"]["States"]["Each"]["ItemProcessor"]["States"]["One"]
    assert one["Retry"][0]["MaxAttempts"] == 2
    assert one["Retry"][0]["IntervalSeconds"] == 30


def test_on_failure_catches_every_task_keeps_the_error_and_ends_in_fail(project):
    project.workflow('''
        rollback = LambdaTask("Rollback", handler="tasks.steps.handler")
        with Workflow("Flow", on_failure=rollback) as wf:
            a = LambdaTask("A", handler="tasks.steps.handler")
            b = LambdaTask("B", handler="tasks.steps.handler", on_failure=False)
            a >> b
    ''')
    states = project.build()["Flow"]["States"]
    assert states["A"]["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Rollback"}]
    assert "Catch" not in states["B"]
    assert states["B"]["End"] is True  # the main path ends as written; only the rollback path ends in the Fail
    assert "Catch" not in states["Rollback"]
    assert states["Rollback"]["Next"] == "FlowFailed"
    assert states["FlowFailed"] == {
        "Type": "Fail", "QueryLanguage": "JSONata",
        "Comment": "The migration was rolled back; the original error is kept at $.error",
        "Error": "{% $states.input.error.Error %}",
        "Cause": "{% $exists($states.input.error.Cause) ? $states.input.error.Cause : '' %}"}


def test_a_task_can_send_its_failures_elsewhere_and_add_catchers(project):
    project.workflow('''
        rollback = LambdaTask("Rollback", handler="tasks.steps.handler")
        with Workflow("Flow", on_failure=rollback, error_path="$.failure") as wf:
            cleanup = Fail("Cleanup", error="CleanedUp")
            a = LambdaTask("A", handler="tasks.steps.handler", on_failure=cleanup,
                           catch=[Catch(["Gone"], next="Skip", result_path=DISCARD)])
            a >> Succeed("Skip")
    ''')
    states = project.build()["Flow"]["States"]
    assert states["A"]["Catch"] == [{"ErrorEquals": ["Gone"], "Next": "Skip", "ResultPath": None},
                                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Cleanup"}]


def test_poll_compiles_to_a_bounded_loop_inside_a_parallel(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Poll("WaitReady", check="tasks.steps.check", until=Var("$.ready") == True, interval=seconds(10),
                 backoff=2.0, max_interval=seconds(60), timeout=minutes(10), max_polls=20,
                 timeout_error="NotReady")
    ''')
    poll = project.build()["Flow"]["States"]["WaitReady"]
    assert poll["Type"] == "Parallel" and poll["OutputPath"] == "$[0]"
    states = poll["Branches"][0]["States"]
    assert list(states) == ["WaitReadyStart", "WaitReadyCheck", "WaitReadyDecide", "WaitReadyWait",
                            "WaitReadyTimedOut", "WaitReadyDone"]  # a pass: check, decide, wait
    decide = states["WaitReadyDecide"]
    assert decide["Choices"][0] == {"Variable": "$.ready", "BooleanEquals": True, "Next": "WaitReadyDone"}
    assert decide["Choices"][1] == {"Or": [{"Variable": "$waveflowPollElapsed", "NumericGreaterThanEquals": 600},
                                           {"Variable": "$waveflowPollAttempt", "NumericGreaterThanEquals": 19}],
                                    "Next": "WaitReadyTimedOut"}
    step = decide["Choices"][2]
    assert (step["Variable"], step["NumericLessThan"], step["Next"]) == ("$waveflowPollAttempt", 4, "WaitReadyWait")
    assert "States.Array(10, 20, 40, 60)" in step["Assign"]["waveflowPollInterval.$"]
    assert decide["Assign"]["waveflowPollInterval"] == 60 and decide["Default"] == "WaitReadyWait"
    assert states["WaitReadyTimedOut"]["Error"] == "NotReady"
    assert states["WaitReadyWait"] == {"Type": "Wait", "SecondsPath": "$waveflowPollInterval",
                                       "Next": "WaitReadyCheck"}
    assert states["WaitReadyCheck"]["Comment"] == "Looks at the status."


def test_a_poll_takes_its_waits_from_the_check_within_its_bounds_and_may_wait_first(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Poll("WaitReady", check="tasks.steps.check", until=Var("$.ready") == True, interval=seconds(10),
                 backoff=2.0, max_interval=seconds(60), timeout=minutes(10), interval_path="$.next",
                 wait_first=True)
    ''')
    states = project.build()["Flow"]["States"]["WaitReady"]["Branches"][0]["States"]
    start = states["WaitReadyStart"]
    assert start["Type"] == "Choice" and start["Default"] == "WaitReadyWait"
    assert start["Assign"] == {"waveflowPollInterval": 10, "waveflowPollAttempt": 0, "waveflowPollElapsed": 10}
    below, above, given = start["Choices"]
    assert below["Assign"]["waveflowPollInterval"] == 10 and above["Assign"]["waveflowPollInterval"] == 60
    assert given["Assign"] == {"waveflowPollInterval.$": "$.next", "waveflowPollAttempt": 0,
                               "waveflowPollElapsed.$": "$.next"}
    rules = states["WaitReadyDecide"]["Choices"]
    assert rules[4]["Assign"]["waveflowPollElapsed.$"] == "States.MathAdd($waveflowPollElapsed, $.next)"
    assert "States.Array(20, 40, 60)" in rules[5]["Assign"]["waveflowPollInterval.$"]  # the first wait is taken


# A value for every field a user can set, and the ASL key it must produce (None: the kind refuses it by name).
FIELD_SAMPLES = {
    "LambdaTask": ("handler='tasks.steps.handler'", {
        "comment": ("'c'", "Comment"), "input_path": ("'$.in'", "InputPath"), "output_path": ("'$.out'", "OutputPath"),
        "result_selector": ("{'v': Ref('$.Payload')}", "ResultSelector"), "result_path": ("'$.r'", "ResultPath"),
        "retry": ("Retry(attempts=1)", "Retry"), "catch": ("[Catch(['E'], next='After')]", "Catch"),
        "timeout": ("60", "TimeoutSeconds"), "heartbeat": ("30", "HeartbeatSeconds"),
        "timeout_path": ("'$.t'", "TimeoutSecondsPath"), "heartbeat_path": ("'$.h'", "HeartbeatSecondsPath"),
        "assign": ("{'x': 1}", "Assign"), "payload": ("{'a': 1}", "Parameters"),
        "wait_for_token": ("True", "Resource"), "parameters": ("{'a': 1}", None), "arguments": ("{'a': 1}", None),
        "output": ("{'a': 1}", None), "on_failure": ("'After'", "Catch")}),
    "Map": ("comment='each'", {
        "items_path": ("'$.ys'", "ItemsPath"), "item_selector": ("{'v': Ref('$$.Map.Item.Value')}", "ItemSelector"),
        "max_concurrency": ("3", "MaxConcurrency"), "max_concurrency_path": ("'$.m'", "MaxConcurrencyPath"),
        "retry": ("Retry(attempts=1)", "Retry"), "result_path": ("'$.r'", "ResultPath"),
        "parameters": ("{'a': 1}", "Parameters"), "label": ("'x'", None), "assign": ("{'x': 1}", "Assign"),
        "mode": ("'DISTRIBUTED'", "ItemProcessor")}),
}


def _one_state(kind: str, arguments: str) -> str:
    if kind == "Map":
        return (f"with Workflow('Flow') as wf:\n    with Map('Map', {arguments}) as m:\n        Pass('One')\n"
                f"    m >> Pass('After')\n")
    return f"with Workflow('Flow') as wf:\n    {kind}('{kind}', {arguments}) >> Pass('After')\n"


@pytest.mark.parametrize(("kind", "field"), [(k, f) for k, (_, fields) in FIELD_SAMPLES.items() for f in fields])
def test_every_field_a_user_sets_reaches_the_asl_or_is_refused(project, kind, field):
    """Airflow's lesson: a field a user can set must serialise; otherwise the build says so, by name."""
    from waveflow.compile import BuildError
    base, fields = FIELD_SAMPLES[kind]
    value, key = fields[field]
    project.workflow(_one_state(kind, base))
    before = project.build()["Flow"]["States"][kind]
    project.workflow(_one_state(kind, f"{base}, {field}={value}"))
    if key is None:
        with pytest.raises(BuildError, match=field):
            project.build()
        return
    after = project.build()["Flow"]["States"][kind]
    assert key in after and after.get(key) != before.get(key)


def test_the_innermost_group_default_applies_through_nested_containers(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            with Map("Each", items_path="$.items", default_retry=Retry(attempts=7)):
                with Parallel("Both") as both:
                    with both.branch():
                        LambdaTask("Deep", handler="tasks.steps.handler")
    ''')
    each = project.build()["Flow"]["States"]["Each"]
    deep = each["ItemProcessor"]["States"]["Both"]["Branches"][0]["States"]["Deep"]
    assert deep["Retry"][0]["MaxAttempts"] == 7


def test_a_custom_payload_still_carries_the_task_token(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("Step", handler="tasks.steps.handler", wait_for_token=True, payload={"id": Ref("$.id")},
                       timeout=hours(1))
    ''')
    payload = project.build()["Flow"]["States"]["Step"]["Parameters"]["Payload"]
    assert payload == {"id.$": "$.id", "taskToken.$": "$$.Task.Token"}


def test_a_wait_until_a_zoned_time_is_written_in_utc(project):
    project.workflow('''
        from datetime import datetime, timedelta, timezone
        with Workflow("Flow") as wf:
            Wait("Later", timestamp=datetime(2030, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))))
    ''')
    assert project.build()["Flow"]["States"]["Later"]["Timestamp"] == "2030-01-01T10:00:00Z"


def test_durations_may_be_timedeltas(project):
    project.workflow('''
        from datetime import timedelta
        with Workflow("Flow", timeout=timedelta(hours=2)) as wf:
            LambdaTask("Step", handler="tasks.steps.handler", timeout=timedelta(minutes=2),
                       heartbeat=timedelta(seconds=30), retry=Retry(delay=timedelta(seconds=5)))
    ''')
    flow = project.build()["Flow"]
    assert flow["TimeoutSeconds"] == 7200
    step = flow["States"]["Step"]
    assert (step["TimeoutSeconds"], step["HeartbeatSeconds"], step["Retry"][0]["IntervalSeconds"]) == (120, 30, 5)


def test_the_start_may_be_named_when_it_is_not_the_first_state_written(project):
    project.workflow('''
        with Workflow("Flow", start="Second") as wf:
            first = Pass("First")
            Pass("Second") >> first
    ''')
    assert project.build()["Flow"]["StartAt"] == "Second"


def test_a_workflow_without_states(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            pass
    ''')
    assert project.problems() == ["workflows/flow.py:2: workflow 'Flow' has no states"]


def test_a_loop_starts_where_start_says(project):
    project.workflow('''
        with Workflow("Flow", start="Pause") as wf:
            check = LambdaTask("Check", handler="tasks.steps.handler")
            again = Choice("Again")
            pause = Wait("Pause", seconds=60)
            check >> again
            again.when(Var("$.more") == True, pause).otherwise(Succeed("Done"))
            pause >> check
    ''')
    assert project.build()["Flow"]["StartAt"] == "Pause"
