"""JSONata mode: the same DSL, with Expr(...) where JSONPath workflows use Ref(...)."""


def test_a_jsonata_workflow_uses_arguments_output_assign_and_conditions(project):
    project.workflow('''
        rollback = LambdaTask("Undo", handler="tasks.steps.handler")
        with Workflow("Flow", query_language="JSONata", on_failure=rollback) as wf:
            step = LambdaTask("Step", handler="tasks.steps.handler", assign={"server": Expr("$states.input.id")})
            route = Choice("Route")
            pause = Wait("Pause", seconds=Expr("$states.input.delay"))
            shaped = Pass("Shaped", output={"id": Expr("$server"), "fixed": 1})
            step >> route
            route.when(Jsonata("$states.input.ready"), shaped).otherwise(pause)
            pause >> Fail("Gave", error="NotReady", cause=Expr("'server ' & $server"))
    ''')
    flow = project.build()["Flow"]
    assert flow["QueryLanguage"] == "JSONata"
    states = flow["States"]
    assert states["Step"]["Arguments"] == {"FunctionName": "${StepsFunctionArn}", "Payload": "{% $states.input %}"}
    assert states["Step"]["Output"] == "{% $states.result.Payload %}"
    assert states["Step"]["Assign"] == {"server": "{% $states.input.id %}"}
    assert states["Step"]["Catch"] == [{"ErrorEquals": ["States.ALL"], "Output":
                                        "{% $merge([$states.input, {'error': $states.errorOutput}]) %}",
                                        "Next": "Undo"}]
    assert states["Route"]["Choices"] == [{"Condition": "{% $states.input.ready %}", "Next": "Shaped"}]
    assert states["Pause"]["Seconds"] == "{% $states.input.delay %}"
    assert states["Shaped"]["Output"] == {"id": "{% $server %}", "fixed": 1}
    assert states["Gave"]["Cause"] == "{% 'server ' & $server %}"
    assert states["FlowFailed"]["Error"] == "{% $states.input.error.Error %}"
    assert states["FlowFailed"]["Cause"] == \
        "{% $exists($states.input.error.Cause) ? $states.input.error.Cause : '' %}"


def test_one_state_may_use_jsonata_in_a_jsonpath_workflow(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("Old", parameters={"a": Ref("$.a")}) >> Pass("New", query_language="JSONata",
                                                             output=Expr("$states.input.a"))
    ''')
    states = project.build()["Flow"]["States"]
    assert states["New"] == {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input.a %}",
                             "End": True}


def test_jsonpath_fields_in_a_jsonata_state_are_named(project):
    project.workflow('''
        with Workflow("Flow", query_language="JSONata") as wf:
            LambdaTask("Step", handler="tasks.steps.handler", result_path="$.x", payload={"id": Ref("$.id")})
    ''')
    assert project.problems() == [
        "workflows/flow.py:3: LambdaTask 'Step': payload= uses Ref or intrinsics (JSONPath); use Expr(...) in a "
        "JSONata state",
        "workflows/flow.py:3: LambdaTask 'Step': result_path= is JSONPath; a JSONata LambdaTask uses payload=, "
        "output= and assign= with Expr(...)"]


def test_jsonata_fields_in_a_jsonpath_state_are_named(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            route = Choice("Route")
            route.when(Jsonata("$states.input.ok"), Succeed("Yes")).otherwise(Pass("No", output={"a": 1}))
    ''')
    problems = project.problems()
    assert "workflows/flow.py:3: Choice 'Route': Jsonata(...) conditions need query_language='JSONata'" in problems
    assert "workflows/flow.py:4: Pass 'No': output= is JSONata; set query_language='JSONata' on the workflow or " \
           "the state" in problems


def test_approvals_and_child_workflows_speak_jsonata_in_a_jsonata_workflow(project):
    project.workflow('''
        with Workflow("Child") as child:
            Pass("Nothing")
        with Workflow("Flow", query_language="JSONata") as wf:
            Approval("Approve", notify="tasks.steps.notify", timeout=hours(1)) >> \\
                RunWorkflow("Run", workflow=child, execution_name=Expr("$states.input.id"))
    ''')
    states = project.build()["Flow"]["States"]
    payload = states["Approve"]["Arguments"]["Payload"]
    assert payload["taskToken"] == "{% $states.context.Task.Token %}" and "taskToken.$" not in payload
    assert states["Approve"]["Output"] == "{% $merge([$states.input, {'approval': $states.result}]) %}"
    assert states["Run"]["Arguments"] == {"StateMachineArn": "${ChildStateMachineArn}",
                                          "Name": "{% $states.input.id %}", "Input": "{% $states.input %}"}
    assert states["Run"]["Output"].startswith("{% {'status': $states.result.Status")


def test_reading_the_handlers_return_straight_from_a_lambda_result_is_refused(project):
    """In JSONata, a Lambda task's $states.result is Lambda's response, as everywhere on AWS; the return is .Payload."""
    project.workflow('''
        with Workflow("Flow", query_language="JSONata") as wf:
            LambdaTask("Count", handler="tasks.steps.handler", output=Expr("$states.result.rows")) >> \\
                LambdaTask("Keep", handler="tasks.steps.handler",
                           output={"rows": Expr("$states.result.Payload.rows"),
                                   "code": Expr("$states.result.`StatusCode`")}) >> \\
                LambdaTask("Token", handler="tasks.steps.handler", wait_for_token=True, timeout=hours(1),
                           assign={"rows": Expr("$states.result.rows")})
    ''')
    assert project.problems() == [
        "workflows/flow.py:3: LambdaTask 'Count': output= reads $states.result.rows, but $states.result is Lambda's "
        "response (ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode); the handler's "
        "return is $states.result.Payload: write $states.result.Payload.rows"]


def test_every_expression_of_a_state_is_parsed_and_the_added_fail_stays_plain_jsonata(project):
    project.workflow('''
        undo = Pass("Undo")
        with Workflow("Flow", query_language="JSONata", on_failure=undo) as wf:
            LambdaTask("Step", handler="tasks.steps.handler", catch=[Catch(["Gone"], next="Skip", result_path=DISCARD)],
                       output={"a": Expr("1 +"), "b": [Expr("(")]}) >> Succeed("Skip")
    ''')
    assert project.problems() == [
        "workflows/flow.py:4: LambdaTask 'Step': Output.a: JSONata '1 +' does not parse: Unexpected end of expression",
        "workflows/flow.py:4: LambdaTask 'Step': Output.b[0]: JSONata '(' does not parse: Expected ) before end of "
        "expression"]
    project.workflow('''
        undo = Pass("Undo")
        with Workflow("Flow", query_language="JSONata", on_failure=undo) as wf:
            LambdaTask("Step", handler="tasks.steps.handler", catch=[Catch(["Gone"], next="Skip", result_path=DISCARD)])
            Succeed("Skip")
    ''')
    states = project.build()["Flow"]["States"]
    assert states["Step"]["Catch"][0] == {"ErrorEquals": ["Gone"], "Output": "{% $states.input %}", "Next": "Skip"}
    assert states["FlowFailed"] == {
        "Type": "Fail", "Comment": "The migration was rolled back; the original error is kept at $.error",
        "Error": "{% $states.input.error.Error %}",
        "Cause": "{% $exists($states.input.error.Cause) ? $states.input.error.Cause : '' %}"}


def test_a_task_takes_arguments_and_jsonpath_only_kinds_are_refused_in_jsonata(project):
    project.workflow('''
        with Workflow("Flow", query_language="JSONata") as wf:
            Task("Send", resource="arn:aws:states:::sqs:sendMessage",
                 arguments={"QueueUrl": "q", "MessageBody": Expr("$states.input")})
    ''')
    assert project.build()["Flow"]["States"]["Send"]["Arguments"] == {
        "QueueUrl": "q", "MessageBody": "{% $states.input %}"}
    project.workflow('''
        with Workflow("Flow", query_language="JSONata") as wf:
            route = Choice("Route")
            Poll("Wait", check="tasks.steps.check", until=Var("$.ok") == True, interval=seconds(10),
                 timeout=minutes(5)) >> route
            route.when(Var("$.ok") == True, Succeed("Yes")).otherwise(Succeed("No"))
    ''')
    assert project.problems() == [
        "workflows/flow.py:3: Choice 'Route': a JSONata Choice needs Jsonata('...') conditions, not Var(...)",
        "workflows/flow.py:4: Poll 'Wait': Poll compiles to JSONPath states; use it in a JSONPath workflow"]
