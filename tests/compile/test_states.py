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
    assert states["FromInput"] == {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}


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
    assert "Catch" not in states["Rollback"]
    assert states["Rollback"]["Next"] == "FlowFailed"
    assert states["FlowFailed"] == {"Type": "Fail", "Comment": "The migration was rolled back; the original error "
                                                               "is kept at $.error",
                                    "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}


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
                            "WaitReadyCount", "WaitReadyTimedOut", "WaitReadyDone", "WaitReadyBackoff",
                            "WaitReadyGrow"]
    decide = states["WaitReadyDecide"]["Choices"]
    assert decide[0] == {"Variable": "$.ready", "BooleanEquals": True, "Next": "WaitReadyDone"}
    assert decide[1] == {"Or": [{"Variable": "$.waveflowPoll.elapsed", "NumericGreaterThanEquals": 600},
                                {"Variable": "$.waveflowPoll.attempt", "NumericGreaterThanEquals": 19}],
                         "Next": "WaitReadyTimedOut"}
    assert states["WaitReadyTimedOut"]["Error"] == "NotReady"
    assert "States.Array(10, 20, 40, 60)" in states["WaitReadyGrow"]["Parameters"]["interval.$"]
    assert states["WaitReadyCheck"]["Comment"] == "Looks at the status."


def test_every_dsl_field_is_declared_and_reaches_the_asl():
    """Airflow's lesson: a field a user can set must serialise. Each field here maps to one ASL key."""
    from waveflow.dsl import Map, Task
    declared = set(Map.field_names()) | set(Task.field_names())
    assert {"input_path", "parameters", "result_selector", "result_path", "output_path", "retry", "catch",
            "on_failure", "items_path", "item_reader", "item_selector", "max_concurrency",
            "tolerated_failure_percentage", "tolerated_failure_count", "timeout", "heartbeat"} <= declared


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
