"""Ways an execution could end without its rollback, or with the wrong error: each is refused by the build, or the
ASL the build writes holds up when run (in the local interpreter, which runs the build output)."""
import pytest

from waveflow.local.runtime import run_definition


def test_a_fail_reading_a_missing_cause_still_ends_with_the_error(project):
    """A caught error's output only usually holds a Cause (States.Timeout, SendTaskFailure without one)."""
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("Caught", parameters={"Error.$": "$.error"}, result_path="$.error") >> \\
                Fail("Failed", error_path="$.error.Error", cause_path="$.error.Cause")
    ''')
    definition = project.build()["Flow"]
    without = run_definition(definition, {"error": "States.Timeout"}, handlers={})
    assert (without.status, without.error) == ("FAILED", "States.Timeout")
    with_cause = run_definition({**definition, "States": {
        "Caught": {"Type": "Pass", "Result": {"Error": "Boom", "Cause": "why"}, "ResultPath": "$.error",
                   "Next": "Failed"}, "Failed": definition["States"]["Failed"]}}, {}, handlers={})
    assert (with_cause.error, with_cause.cause) == ("Boom", "why")


def test_the_fail_added_to_a_rollback_ends_with_an_error_that_has_no_cause(project):
    project.workflow('''
        undo = Pass("Undo", parameters={"Error": "States.Timeout"}, result_path="$.error")
        with Workflow("Flow", on_failure=undo) as wf:
            LambdaTask("Step", handler="tasks.steps.handler")
    ''')
    definition = project.build()["Flow"]

    def fails(event, context):
        raise RuntimeError("down")
    result = run_definition(definition, {}, handlers={"Steps": fails})
    assert (result.status, result.error) == ("FAILED", "States.Timeout")


def test_a_choice_without_otherwise_is_refused_when_failures_roll_back(project):
    project.workflow('''
        undo = LambdaTask("Undo", handler="tasks.steps.handler")
        with Workflow("Flow", on_failure=undo) as wf:
            route = Choice("Route")
            LambdaTask("Step", handler="tasks.steps.handler") >> route
            route.when(Var("$.big") == True, Succeed("Big"))
    ''')
    assert project.problems() == [
        "workflows/flow.py:4: Choice 'Route' has no otherwise(): an input that matches no rule fails the execution "
        "with States.NoChoiceMatched, which on_failure cannot catch, so the rollback would be skipped; add "
        ".otherwise(state) (the rollback itself if no other state fits)"]


def test_a_choice_without_otherwise_is_fine_without_a_rollback_or_inside_a_branch(project):
    project.workflow('''
        undo = LambdaTask("Undo", handler="tasks.steps.handler")
        with Workflow("Plain") as plain:
            Choice("Route").when(Var("$.big") == True, Succeed("Big"))
        with Workflow("Guarded", on_failure=undo) as guarded:
            with Parallel("Both") as both:  # NoChoiceMatched fails the Parallel, which is caught
                with both.branch():
                    Choice("Inner").when(Var("$.big") == True, Succeed("InnerBig"))
    ''')
    assert set(project.build()) == {"Plain", "Guarded"}


def test_a_workflow_timeout_shorter_than_a_polls_is_refused(project):
    project.workflow('''
        undo = LambdaTask("Undo", handler="tasks.steps.handler")
        with Workflow("Flow", timeout=hours(12), on_failure=undo) as wf:
            LambdaTask("Start", handler="tasks.steps.handler") >> \\
                Poll("WaitReady", check="tasks.steps.check", until=Var("$.ready") == True, interval=minutes(1),
                     timeout=hours(24))
    ''')
    assert project.problems() == [
        "workflows/flow.py:5: Poll 'WaitReady' may wait 1 d, but the workflow times out after 12 h: the execution "
        "would stop with States.Timeout before this state gives up, and on_failure would never run; raise "
        "Workflow(timeout=) above 1 d or shorten this wait"]


def test_a_workflow_timeout_shorter_than_the_waits_along_one_path_is_refused(project):
    project.workflow('''
        with Workflow("Flow", timeout=hours(3)) as wf:
            route = Choice("Route")
            long_way = Poll("Replicate", check="tasks.steps.check", until=Var("$.ready") == True,
                            interval=minutes(1), timeout=hours(2))
            route.when(Var("$.fast") == True, Succeed("Done")).otherwise(long_way)
            long_way >> Wait("Settle", seconds=minutes(30)) >> \\
                Approval("Approve", notify="tasks.steps.notify", timeout=minutes(45)) >> "Done"
    ''')
    assert project.problems() == [
        "workflows/flow.py:2: workflow 'Flow': timeout=3 h is shorter than the waiting on one path: Replicate (2 h) "
        "+ Settle (30 min) + Approve (45 min) = 3 h 15 min; the execution would stop with States.Timeout first; "
        "raise timeout= above 3 h 15 min or shorten those waits"]


def test_waits_in_parallel_branches_count_once_and_a_long_enough_timeout_builds(project):
    project.workflow('''
        with Workflow("Flow", timeout=hours(3)) as wf:
            with Parallel("Both") as both:
                with both.branch():
                    Wait("Left", seconds=hours(2))
                with both.branch():
                    Wait("Right", seconds=hours(2))
    ''')
    assert "Both" in project.build()["Flow"]["States"]


def test_a_poll_check_may_return_part_of_the_document_and_no_counter_is_left_in_the_output(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Poll("WaitReady", check="tasks.steps.check", until=Var("$.ready") == True, interval=seconds(10),
                 backoff=2.0, max_interval=seconds(40), timeout=hours(1))
    ''')
    definition = project.build()["Flow"]
    answers = iter([{"ready": False}, {"ready": False}, {"ready": True, "rows": 3}])
    result = run_definition(definition, {"server": "s-1"}, handlers={"StepsCheck": lambda event, ctx: next(answers)})
    assert (result.status, result.output) == ("SUCCEEDED", {"ready": True, "rows": 3})


@pytest.mark.parametrize(("arguments", "problem"), [
    ("execution_name='$.migrationId'", "execution_name: '$.migrationId'"),
    ("execution_name=Ref('$.id'), input={'server': '$.server'}", "input: '$.server'"),
    ("execution_name=Ref('$.id'), input='$.request'", "input: '$.request'"),
])
def test_a_string_that_reads_as_a_path_is_refused_where_a_ref_was_meant(project, arguments, problem):
    project.workflow(f'''
        with Workflow("Child") as child:
            Pass("Nothing")
        with Workflow("Parent") as wf:
            RunWorkflow("Run", workflow=child, {arguments})
    ''')
    text = problem.split("'")[1]
    assert project.problems() == [
        f"workflows/flow.py:5: RunWorkflow 'Run': {problem} would be sent as that very text; use Ref('{text}'), "
        f"or literal('{text}') if you mean the text"]


def test_literal_sends_text_that_looks_like_a_path(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("Step", handler="tasks.steps.handler",
                       payload={"pattern": literal("$.price"), "price": Ref("$.price"), "raw.$": "$.raw"},
                       assign={"note": literal("$$")})
    ''')
    step = project.build()["Flow"]["States"]["Step"]
    assert step["Parameters"]["Payload"] == {"pattern": "$.price", "price.$": "$.price", "raw.$": "$.raw"}
    assert step["Assign"] == {"note": "$$"}


def test_path_like_strings_are_refused_in_every_template(project):
    project.workflow('''
        from waveflow.dsl.intrinsics import Format
        with Workflow("Flow") as wf:
            with Map("Each", items_path="$.items", item_selector={"id": "$$.Map.Item.Value"}) as each:
                Pass("One")
            each >> Pass("Two", parameters={"name": Format("{}", "$.name")}, assign={"x": "$.x"})
    ''')
    assert [problem.split(": ")[1:3] for problem in project.problems()] == [
        ["Map 'Each'", "item_selector"], ["Pass 'Two'", "assign"], ["Pass 'Two'", "parameters"]]


def test_waits_in_a_parallel_branch_count_on_the_path_through_it(project):
    project.workflow('''
        with Workflow("Flow", timeout=hours(3)) as wf:
            with Parallel("Both") as both:
                with both.branch():
                    Wait("Short", seconds=minutes(10))
                with both.branch():
                    Wait("Long", seconds=hours(2))
            both >> "Settle"
            Wait("Settle", seconds=hours(1))
    ''')
    [problem] = project.problems()
    assert "one path: Both (2 h) + Settle (1 h) = 3 h;" in problem


def test_waits_on_the_rollback_path_count_after_the_state_that_failed(project):
    project.workflow('''
        undo = LambdaTask("Undo", handler="tasks.steps.handler")
        with Workflow("Flow", timeout=hours(3), on_failure=undo) as wf:
            Wait("Settle", seconds=hours(2)) >> LambdaTask("Step", handler="tasks.steps.handler") >> Succeed("Done")
            undo >> Wait("CoolDown", seconds=hours(1))
    ''')
    [problem] = project.problems()
    assert "one path: Settle (2 h) + CoolDown (1 h) = 3 h;" in problem


def test_a_loop_counts_once_towards_the_waiting_on_a_path(project):
    project.workflow('''
        with Workflow("Flow", timeout=hours(2)) as wf:
            check = LambdaTask("Check", handler="tasks.steps.handler")
            again = Choice("Again")
            pause = Wait("Pause", seconds=hours(1))
            check >> again
            again.when(Var("$.more") == True, pause).otherwise(Wait("Last", seconds=minutes(50)))
            pause >> check
    ''')
    assert set(project.build()["Flow"]["States"]) == {"Check", "Again", "Pause", "Last"}


def test_a_fail_with_a_fixed_error_and_a_cause_from_the_input(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Fail("Failed", error="MigrationFailed", cause_path="$.why", comment="Stop here")
    ''')
    assert project.build()["Flow"]["States"]["Failed"] == {
        "Type": "Fail", "QueryLanguage": "JSONata", "Comment": "Stop here", "Error": "MigrationFailed",
        "Cause": "{% $exists($states.input.why) ? $states.input.why : '' %}"}


@pytest.mark.parametrize(("where", "path", "read"), [
    ("cause_path", "$['the cause']", "$states.input.`the cause`"),
    ("cause_path", "$$.Execution.Input.reason", "$states.context.Execution.Input.reason"),
    ("error_path", "$.errors[0].and", "$states.input.errors[0].`and`"),
])
def test_a_fail_reads_any_reference_path_in_jsonata(project, where, path, read):
    other = {"cause_path": "error_path='$.error.Error'", "error_path": "cause_path='$.error.Cause'"}[where]
    project.workflow(f'''
        with Workflow("Flow") as wf:
            Fail("Failed", {where}="{path}", {other})
    ''')
    assert read in project.build()["Flow"]["States"]["Failed"]["Error" if where == "error_path" else "Cause"]


def test_a_fail_path_that_may_select_several_values_is_refused(project):
    project.workflow('''
        with Workflow("Flow", error_path="$.errors[*]") as wf:
            Fail("Failed", error_path="$.error.Error", cause_path="$.causes[*]")
    ''')
    assert project.problems() == [
        "workflows/flow.py:2: workflow 'Flow': error_path: '$.errors[*]' may select several values; give a path to "
        "one field, such as '$.error.Cause'",
        "workflows/flow.py:3: Fail 'Failed': cause_path: '$.causes[*]' may select several values; give a path to one "
        "field, such as '$.error.Cause'"]
