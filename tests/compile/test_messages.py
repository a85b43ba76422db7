"""Mistakes a new user makes from the README: each is one ``file:line: message`` at the line the author wrote,
naming the fix, never a traceback and never a false extra line."""
import pytest


@pytest.mark.parametrize(("until", "fix"), [
    ('Var("$.ready")', "Var('$.ready') alone is not a condition; compare it, e.g. Var('$.ready') == True"),
    ('Var("$.ready").is_present', "Var('$.ready').is_present is a method; call it: Var('$.ready').is_present()"),
    ('"$.ready"', "the string '$.ready' is not a condition; use Var('$.x') == 'y' (or Jsonata('...') in a JSONata "
                  "state)"),
    ("True", "True is decided when the file runs, not when the workflow runs; test the input instead, e.g. "
             "Var('$.ready') == True"),
])
def test_a_poll_until_that_is_not_a_condition_names_the_fix(project, until, fix):
    project.workflow(f'''
        with Workflow("Flow") as wf:
            Poll("WaitReady", check="tasks.steps.check", until={until}, interval=seconds(10), timeout=minutes(5))
    ''')
    assert project.problems() == [f"workflows/flow.py:3: Poll 'WaitReady': until= needs a condition: {fix}"]


def test_choice_when_names_the_same_fix(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Choice("Route").when(Var("$.ready").is_present, Succeed("Yes")).otherwise(Succeed("No"))
    ''')
    assert project.problems() == [
        "workflows/flow.py:3: TypeError: Choice 'Route': when() needs a condition: Var('$.ready').is_present is a "
        "method; call it: Var('$.ready').is_present()"]


def test_jsonata_that_does_not_parse_fails_the_build(project):
    project.workflow('''
        with Workflow("Flow", query_language="JSONata") as wf:
            route = Choice("Route")
            Pass("Merge", output=Expr("$merge([$states.input, {'a': 1}]")) >> route
            route.when(Jsonata("$x >> 0"), Succeed("Yes")).otherwise(Succeed("No"))
    ''')
    assert project.problems() == [
        "workflows/flow.py:3: Choice 'Route': Choices[0].Condition: JSONata '$x >> 0' does not parse: The symbol > "
        "cannot be used as a unary operator",
        "workflows/flow.py:4: Pass 'Merge': Output: JSONata \"$merge([$states.input, {'a': 1}]\" does not parse: "
        "Expected ) before end of expression"]


def test_a_duplicate_name_across_parallel_branches_is_located_at_the_second_one(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            with Parallel("Checks") as checks:
                with checks.branch():
                    Pass("Ping")
                with checks.branch():
                    Pass("Ping")
    ''')
    assert project.problems() == [
        "workflows/flow.py:7: state name 'Ping' is used 2 times in the state machine (names must be unique across "
        "branches too; a Poll adds states named after it)"]


def test_a_link_to_a_missing_state_is_located_at_the_link(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            validate = LambdaTask("Validate", handler="tasks.steps.handler")
            route = Choice("Route")
            prepare = Pass("Prepare")

            validate >> route
            route.when(Var("$.ok") == True, prepare).otherwise("Prepar")
    ''')
    assert project.problems() == [
        "workflows/flow.py:8: Choice 'Route' branches to 'Prepar', which is not a state of this workflow; did you "
        "mean 'Prepare'?"]


def test_a_child_workflow_file_that_fails_to_import_adds_no_false_line(project):
    project.workflow('''
        with Workflow("Child") as child:
            Pass("Nothing")
        raise RuntimeError("database not reachable")
    ''', name="child.py")
    project.workflow('''
        with Workflow("Parent") as wf:
            RunWorkflow("Run", workflow="Child")
    ''', name="parent.py")
    assert project.problems() == ["workflows/child.py:4: RuntimeError: database not reachable"]


def test_states_created_before_the_block_join_it_when_linked_inside(project):
    project.workflow('''
        validate = LambdaTask("Validate", handler="tasks.steps.handler")
        done = Succeed("Done")
        with Workflow("Flow") as wf:
            validate >> done
    ''')
    assert list(project.build()["Flow"]["States"]) == ["Validate", "Done"]


def test_a_state_created_after_the_block_is_reported_not_dropped(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("Validate")
        Pass("Forgotten")
    ''')
    assert project.problems() == [
        "workflows/flow.py:4: Pass 'Forgotten' is created outside every `with Workflow(...)` block and no workflow "
        "reaches it, so it would be dropped; create it inside the block, or link it with >>"]


def test_durations_in_messages_read_as_durations(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("Step", handler="tasks.steps.handler", timeout=minutes(5), heartbeat=minutes(10))
    ''')
    assert project.problems() == [
        "workflows/flow.py:3: LambdaTask 'Step': heartbeat (10 min) must be shorter than timeout (5 min)"]


def test_airflow_retries_retry_every_error_whatever_the_workflow_default(project):
    project.workflow('''
        with Workflow("Flow", default_retry=Retry(attempts=3, errors=["MgnThrottled"])) as wf:
            LambdaTask("Step", handler="tasks.steps.handler", retry=Retry.from_airflow(retries=2)) >> \\
                LambdaTask("Named", handler="tasks.steps.handler",
                           retry=Retry.from_airflow(retries=2, errors=["Flaky"]))
    ''')
    states = project.build()["Flow"]["States"]
    assert states["Step"]["Retry"][0]["ErrorEquals"] == ["States.ALL"]
    assert states["Named"]["Retry"][0]["ErrorEquals"] == ["Flaky"]
