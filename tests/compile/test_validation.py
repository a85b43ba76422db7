"""Every problem a workflow can have is reported at once, as ``file:line: message`` (line = workflow file line)."""
import pytest


def test_a_file_that_fails_to_import_names_its_line(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("A")
        raise RuntimeError("database not reachable")
    ''')
    assert project.problems() == ["workflows/flow.py:4: RuntimeError: database not reachable"]


def test_a_syntax_error_names_its_line(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("A"
    ''')
    [problem] = project.problems()
    assert problem.startswith("workflows/flow.py:3: syntax error:")


def test_an_unknown_keyword_suggests_the_right_one(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.steps.handler", retires=3)
    ''')
    assert project.problems() == ["workflows/flow.py:3: LambdaTask() got an unknown keyword 'retires'; "
                                  "did you mean 'retry'?"]


def test_a_cycle_without_a_wait_is_refused(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            a = LambdaTask("A", handler="tasks.steps.handler")
            again = Choice("Again")
            a >> again
            again.when(Var("$.more") == True, a).otherwise(Succeed("Done"))
    ''')
    assert project.problems() == ["workflows/flow.py:3: loop A -> Again -> A has no Wait or Poll: it would run "
                                  "without pause; add a Wait (or use Poll) inside the loop"]


def test_a_cycle_with_a_wait_is_fine(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            a = LambdaTask("A", handler="tasks.steps.handler")
            again = Choice("Again")
            pause = Wait("Pause", seconds=60)
            a >> again
            again.when(Var("$.more") == True, pause).otherwise(Succeed("Done"))
            pause >> a
    ''')
    assert "Pause" in project.build()["Flow"]["States"]


def test_negative_retry_numbers_are_named(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.steps.handler", retry=Retry(attempts=-1, delay=-5))
    ''')
    assert project.problems() == [
        "workflows/flow.py:3: LambdaTask 'A': retry attempts must be a whole number >= 0, got -1",
        "workflows/flow.py:3: LambdaTask 'A': retry delay must be a whole number of seconds >= 1, got -5"]


def test_a_condition_on_a_malformed_path(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            route = Choice("Route")
            route.when(Var("status") == "x", Succeed("Yes")).otherwise(Succeed("No"))
    ''')
    assert project.problems() == ["workflows/flow.py:3: Choice 'Route': condition: path 'status' must start with "
                                  "'$' (the state input) or '$$' (the context object)"]


def test_a_malformed_path_anywhere_is_named_with_its_field(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.steps.handler", result_path="$.a..b", payload={"x": Ref("$[oops")})
    ''')
    problems = project.problems()
    assert "workflows/flow.py:3: LambdaTask 'A': result_path: path '$.a..b' is not a valid JSONPath reference " \
           "(use '$.a.b', '$.a[0]' or \"$['a b']\")" in problems
    assert any("payload: path '$[oops'" in p for p in problems)


def test_a_link_to_a_missing_state_is_dangling(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("Validate", handler="tasks.steps.handler") >> "Prepar"
            Pass("Prepare")
    ''')
    problems = project.problems()
    assert "workflows/flow.py:3: LambdaTask 'Validate' goes to 'Prepar', which is not a state of this workflow; " \
           "did you mean 'Prepare'?" in problems


def test_an_unreachable_state(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("A") >> Succeed("B")
            Pass("Orphan") >> "B"
    ''')
    assert project.problems() == ["workflows/flow.py:4: Pass 'Orphan' is unreachable: nothing leads to it from "
                                  "'A'; link it with >> or remove it"]


def test_duplicate_names(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("A") >> Pass("A")
    ''')
    assert "workflows/flow.py:3: duplicate state name 'A' (names must be unique in the whole state machine)" \
        in project.problems()


def test_names_too_long_or_with_forbidden_characters(project):
    project.workflow(f'''
        with Workflow("Flow") as wf:
            Pass("{'x' * 81}") >> Pass("Bad:Name")
    ''')
    problems = project.problems()
    assert any("is 81 characters; ASL allows 80" in p for p in problems)
    assert "workflows/flow.py:3: state name 'Bad:Name' contains ':', which ASL names may not contain" in problems


def test_a_choice_with_no_way_out(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("A") >> Choice("Stuck")
    ''')
    assert project.problems() == ["workflows/flow.py:3: Choice 'Stuck' has no way out: add "
                                  ".when(condition, next_state)"]


def test_a_retry_that_can_never_fire(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.steps.handler",
                       retry=[Retry(errors=["States.ALL"]), Retry(errors=["Throttled"])])
    ''')
    problems = project.problems()
    assert "workflows/flow.py:3: LambdaTask 'A': retrier #1: States.ALL must be alone and in the last retrier" \
        in problems
    assert "workflows/flow.py:3: LambdaTask 'A': retrier #2 (Throttled) can never fire: earlier retriers already " \
           "match those errors" in problems


def test_a_map_without_a_processor(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Map("Each", items_path="$.items")
    ''')
    assert project.problems() == ["workflows/flow.py:3: Map 'Each' has no processor: create the states to run per "
                                  "item inside `with Map(...):`"]


def test_a_poll_without_a_timeout(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Poll("WaitForReplication", check="tasks.steps.check", until=Var("$.ready") == True,
                 interval=minutes(1))
    ''')
    assert project.problems() == ["workflows/flow.py:3: Poll 'WaitForReplication' has no timeout; "
                                  "add timeout=hours(24)"]


def test_a_handler_that_does_not_exist(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.steps.missing") >> LambdaTask("B", handler="tasks.nowhere.handler")
    ''')
    assert project.problems() == [
        "workflows/flow.py:3: LambdaTask 'A': handler 'tasks.steps.missing': tasks/steps.py has no function "
        "'missing'",
        f"workflows/flow.py:3: LambdaTask 'B': handler 'tasks.nowhere.handler': module 'tasks.nowhere' not found "
        f"under {project.root}"]


def test_linking_a_state_after_one_that_ends_the_path(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Succeed("Done") >> Pass("After")
    ''')
    assert project.problems() == ["workflows/flow.py:3: TypeError: Succeed 'Done' ends its path; it cannot be "
                                  "followed by 'After'"]


def test_a_child_workflow_that_does_not_exist(project):
    project.workflow('''
        with Workflow("Parent") as wf:
            RunWorkflow("Run", workflow="Ghost")
    ''')
    assert project.problems() == ["workflows/flow.py:2: workflow 'Parent' runs workflow 'Ghost', which no file in "
                                  "workflows/ defines"]


def test_problems_of_several_files_are_reported_together(project):
    project.workflow('''
        with Workflow("One") as wf:
            Choice("Stuck")
    ''', name="one.py")
    project.workflow('''
        with Workflow("Two") as wf:
            Map("Each", items_path="$.items")
    ''', name="two.py")
    problems = project.problems()
    assert [p.split(":")[0] for p in problems] == ["workflows/one.py", "workflows/two.py"]


def test_an_on_failure_path_may_not_succeed(project):
    project.workflow('''
        undo = LambdaTask("Undo", handler="tasks.steps.handler")
        with Workflow("Flow", on_failure=undo) as wf:
            LambdaTask("A", handler="tasks.steps.handler")
            undo >> Succeed("Fine")
    ''')
    assert "workflows/flow.py:5: Succeed 'Fine' is on the on_failure path; a rolled-back execution must end " \
           "FAILED, so end that path with Fail(...)" in project.problems()


def test_workflow_level_settings_are_checked_at_the_workflow_line(project):
    project.workflow('''
        with Workflow("Bad Name", timeout=-5, error_path="error", query_language="YAML",
                      default_retry=Retry(backoff=0.5)) as wf:
            LambdaTask("A", handler="tasks.steps.handler") >> LambdaTask("B", handler="tasks.steps.handler")
    ''')
    assert project.problems() == [
        "workflows/flow.py:2: retry backoff must be >= 1.0, got 0.5",
        "workflows/flow.py:2: workflow 'Bad Name': error_path: path 'error' must start with '$' (the state input) "
        "or '$$' (the context object)",
        "workflows/flow.py:2: workflow 'Bad Name': query_language must be 'JSONPath' or 'JSONata', got 'YAML'",
        "workflows/flow.py:2: workflow 'Bad Name': timeout must be a whole number of seconds from 1 to 31536000 "
        "(a year), got -5",
        "workflows/flow.py:2: workflow name 'Bad Name' must be 1 to 80 letters, digits, '-' or '_': it names the "
        "state machine and build/<name>.asl.json"]


def test_a_group_default_retry_is_checked_once_where_it_is_set(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            with Map("Each", items_path="$.items", default_retry=[Retry(attempts=-2)]):
                LambdaTask("One", handler="tasks.steps.handler")
    ''')
    assert project.problems() == ["workflows/flow.py:3: Map 'Each': retry attempts must be a whole number >= 0, "
                                  "got -2"]


def test_a_choice_is_linked_with_when_and_otherwise_not_shift(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Choice("Route") >> Pass("Next")
    ''')
    assert project.problems() == ["workflows/flow.py:3: TypeError: Choice 'Route' branches with .when(condition, "
                                  "state) and .otherwise(state), not >>; it cannot be followed by 'Next'"]


def test_fields_a_kind_does_not_use_are_refused_by_name(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.steps.handler", parameters={"x": 1}) >> \\
                Poll("P", check="tasks.steps.check", until=Var("$.ok") == True, interval=seconds(10),
                     timeout=minutes(5), result_path="$.poll")
    ''')
    assert project.problems() == [
        "workflows/flow.py:3: LambdaTask 'A': parameters= is not used here; a Lambda task's input is payload=",
        "workflows/flow.py:4: Poll 'P': result_path= is not used here; a Poll passes the whole document to its "
        "check and keeps what the check returns"]


def test_a_growing_poll_needs_a_cap(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Poll("P", check="tasks.steps.check", until=Var("$.ok") == True, interval=minutes(1), backoff=2.0,
                 timeout=hours(24))
    ''')
    assert project.problems() == ["workflows/flow.py:3: Poll 'P': a growing interval (backoff=2.0) needs "
                                  "max_interval= to stay bounded"]


def test_catch_errors_must_be_a_list_of_names(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.steps.handler", catch=[Catch("States.ALL", next="B")]) >> Pass("B")
    ''')
    assert project.problems() == ["workflows/flow.py:3: LambdaTask 'A': catch #1 errors must be a non-empty list "
                                  "of error names, got 'States.ALL'"]


def test_an_empty_parallel_branch(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            with Parallel("Both") as both:
                with both.branch():
                    Pass("One")
                both.branch()
    ''')
    assert project.problems() == ["workflows/flow.py:3: Parallel 'Both': branch #2 is empty; create its states "
                                  "inside its `with` block"]


def test_a_user_state_may_not_take_the_name_of_the_added_fail(project):
    project.workflow('''
        undo = LambdaTask("Undo", handler="tasks.steps.handler")
        with Workflow("Flow", on_failure=undo) as wf:
            route = Choice("Route")
            route.when(Var("$.x") == 1, Pass("FlowFailed")).otherwise(LambdaTask("A", handler="tasks.steps.handler"))
    ''')
    assert "workflows/flow.py:5: state name 'FlowFailed' is the Fail waveflow adds at the end of the on_failure " \
           "path; rename the state or end that path with your own Fail(...)" in project.problems()


def test_names_waveflow_adds_are_checked_for_length_and_clashes(project):
    long_name = "P" * 76
    project.workflow(f'''
        with Workflow("Flow") as wf:
            Poll("{long_name}", check="tasks.steps.check", until=Var("$.ok") == True, interval=seconds(10),
                 timeout=minutes(5)) >> Pass("{long_name}Done")
    ''')
    problems = project.problems()
    assert f"workflows/flow.py:4: state name '{long_name}Done' is used 2 times in the state machine (names must be " \
           f"unique across branches too; a Poll adds states named after it)" in problems
    assert any(p.startswith("workflows/flow.py:3: ") and "is 84 characters; ASL allows 80 (a Poll's own states add "
               "up to 8 characters" in p for p in problems)


def test_jsonata_keeps_a_caught_error_in_a_top_level_field(project):
    project.workflow('''
        with Workflow("Flow", query_language="JSONata", error_path="$.failure.info") as wf:
            Pass("A")
    ''')
    assert project.problems() == ["workflows/flow.py:2: workflow 'Flow': in JSONata the error is kept in one "
                                  "top-level field such as '$.error', not '$.failure.info'"]


def test_a_value_no_check_foresaw_is_a_located_problem_not_a_traceback(project):
    project.workflow('''
        from waveflow.dsl.intrinsics import Format
        with Workflow("Flow") as wf:
            Pass("A", parameters={"text": Format("{}", {"a": 1})})
    ''')
    [problem] = project.problems()
    assert problem.startswith("workflows/flow.py:4: Pass 'A': intrinsic function arguments must be")


def test_two_handlers_that_would_be_one_function(project):
    project.write("tasks/mgn/__init__.py", "")
    project.write("tasks/mgn/steps.py", "def handler(event, context):\n    return event\n")
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.steps.handler") >> LambdaTask("B", handler="tasks.mgn.steps.handler")
    ''')
    assert project.problems() == ["workflows/flow.py:2: handlers 'tasks.steps.handler' and 'tasks.mgn.steps.handler' "
                                  "would both be the Lambda function 'Steps'; rename one of them"]


def test_a_syntax_error_in_a_task_module_is_reported_once_at_its_line(project):
    project.write("tasks/broken.py", "def handler(event, context):\n    return (\n")
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.broken.handler") >> LambdaTask("B", handler="tasks.broken.handler")
    ''')
    project.workflow('''
        with Workflow("Other") as wf:
            LambdaTask("C", handler="tasks.broken.handler")
    ''', name="other.py")
    assert project.problems() == ["tasks/broken.py:2: syntax error: '(' was never closed"]


def test_the_build_never_replaces_a_folder_it_did_not_write(project):
    from waveflow.compile import BuildError, build
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("A")
    ''')
    for out in (project.root, project.root / "workflows", project.root.parent):
        with pytest.raises(BuildError, match="holds the project or its sources"):
            build(project.root, out)
    notes = project.root / "notes"
    notes.mkdir()
    (notes / "plan.txt").write_text("keep me")
    with pytest.raises(BuildError, match=r"holds files the build did not write \(plan.txt\)"):
        build(project.root, notes)
    assert (notes / "plan.txt").read_text() == "keep me"
    assert (project.root / "workflows" / "flow.py").exists()


@pytest.mark.parametrize(("arguments", "problem"), [
    ("timeout=0", "timeout must be a whole number of seconds between 1 and 99999998, got 0"),
    ("timeout=1.5", "timeout must be a whole number of seconds between 1 and 99999998, got 1.5"),
    ("timeout=True", "timeout must be a whole number of seconds between 1 and 99999998, got True"),
    ("timeout='60'", "timeout must be a whole number of seconds between 1 and 99999998, got '60'"),
    ("timeout=99_999_999", "timeout must be a whole number of seconds between 1 and 99999998, got 99999999"),
    ("timeout=1", None),
    ("timeout=99_999_998", None),
])
def test_task_durations_are_whole_seconds_within_what_asl_allows(project, arguments, problem):
    project.workflow(f'''
        with Workflow("Flow") as wf:
            LambdaTask("Step", handler="tasks.steps.handler", {arguments})
    ''')
    if problem is None:
        assert "Step" in project.build()["Flow"]["States"]
    else:
        assert project.problems() == [f"workflows/flow.py:3: LambdaTask 'Step': {problem}"]


def test_a_wait_may_be_zero_seconds_but_not_negative(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Wait("Now", seconds=0) >> Wait("Before", seconds=-1)
    ''')
    assert project.problems() == ["workflows/flow.py:3: Wait 'Before': seconds must be a whole number of seconds "
                                  "between 0 and 99999998, got -1"]


def test_a_lambda_task_without_a_handler(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("Step")
    ''')
    assert project.problems() == ["workflows/flow.py:3: LambdaTask 'Step' needs handler= (e.g. "
                                  "'tasks.validate_input.handler')"]


@pytest.mark.parametrize(("retry", "problem"), [
    ("Retry(errors=['States.ALL', 'Throttled'])", "retrier #1: States.ALL must be alone and in the last retrier"),
    ("[Retry(errors=['A']), Retry(errors=['A'])]", "retrier #2 (A) can never fire: earlier retriers already match "
                                                   "those errors"),
    ("[Retry(errors=['A']), Retry(errors=['B']), Retry(errors=['A'])]", "retrier #3 (A) can never fire: earlier "
                                                                        "retriers already match those errors"),
])
def test_retriers_that_can_never_fire_or_misuse_states_all(project, retry, problem):
    project.workflow(f'''
        with Workflow("Flow") as wf:
            LambdaTask("Step", handler="tasks.steps.handler", retry={retry})
    ''')
    assert project.problems() == [f"workflows/flow.py:3: LambdaTask 'Step': {problem}"]


def test_a_default_retry_that_is_not_a_retry_is_reported_once_at_the_workflow(project):
    project.workflow('''
        with Workflow("Flow", default_retry="three times") as wf:
            LambdaTask("Step", handler="tasks.steps.handler") >> LambdaTask("Other", handler="tasks.steps.handler")
    ''')
    assert project.problems() == ["workflows/flow.py:2: retry must be Retry(...), a list of them or NO_RETRY, got "
                                  "'three times'"]


def test_a_dangling_link_inside_a_branch_names_the_branch_and_guesses_only_when_close(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            with Map("Each", items_path="$.items"):
                Pass("One") >> "Elsewhere"
    ''')
    assert project.problems() == ["workflows/flow.py:4: Pass 'One' goes to 'Elsewhere', which is not a state of "
                                  "this Map 'Each'"]


def test_a_link_made_through_a_variable_falls_back_to_the_state_line(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            target = "Prepar"
            Pass("Validate") >> target
            Pass("Prepare")
    ''')
    assert "workflows/flow.py:4: Pass 'Validate' goes to 'Prepar', which is not a state of this workflow; did " \
           "you mean 'Prepare'?" in project.problems()


def test_an_unknown_keyword_without_a_close_match_has_no_guess(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.steps.handler", colour="blue")
    ''')
    assert project.problems() == ["workflows/flow.py:3: LambdaTask() got an unknown keyword 'colour'"]


def test_a_long_report_ends_with_how_many_more():
    from waveflow.compile import BuildError, Problem
    error = BuildError([Problem("workflows/flow.py", line, "bad") for line in range(1, 53)])
    lines = error.report().splitlines()
    assert len(lines) == 51 and lines[-1] == "... and 2 more" and lines[49] == "workflows/flow.py:50: bad"
    assert BuildError([Problem("f.py", line, "bad") for line in range(1, 51)]).report().count("\n") == 49


def test_a_syntax_error_in_a_module_the_workflow_imports_is_located_in_that_module(project):
    project.write("workflows/_helpers.py", "def retries(:\n    pass\n")
    project.workflow('''
        from workflows._helpers import retries
        with Workflow("Flow") as wf:
            Pass("A")
    ''')
    [problem] = project.problems()
    assert problem.startswith("workflows/_helpers.py:1: syntax error:")


def test_a_handler_that_is_not_a_dotted_path(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler=42)
    ''')
    assert project.problems() == ["workflows/flow.py:3: LambdaTask 'A': handler must be a dotted path such as "
                                  "'tasks.validate_input.handler', got 42"]


@pytest.mark.parametrize(("timeout", "fine"), [("1", True), ("31_536_000", True), ("31_536_001", False),
                                               ("0", False)])
def test_a_workflow_timeout_is_one_second_to_a_year(project, timeout, fine):
    project.workflow(f'''
        with Workflow("Flow", timeout={timeout}) as wf:
            Pass("A")
    ''')
    if fine:
        assert project.build()["Flow"]["TimeoutSeconds"] == int(timeout)
    else:
        assert project.problems() == [f"workflows/flow.py:2: workflow 'Flow': timeout must be a whole number of "
                                      f"seconds from 1 to 31536000 (a year), got {int(timeout)}"]


def test_query_language_is_named_exactly_or_refused(project):
    project.workflow('''
        with Workflow("Flow", query_language="JSONPath") as wf:
            Pass("A", query_language="JSONPath") >> Pass("B", query_language="jsonata")
    ''')
    assert project.problems() == ["workflows/flow.py:3: Pass 'B': query_language must be 'JSONPath' or 'JSONata', "
                                  "got 'jsonata'"]


def test_a_catch_to_a_missing_state_names_its_role(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.steps.handler", catch=[Catch(["Gone"], next="Cleanup")],
                       on_failure="Undo")
    ''')
    assert project.problems() == [
        "workflows/flow.py:3: LambdaTask 'A' catches errors to 'Cleanup', which is not a state of this workflow",
        "workflows/flow.py:4: LambdaTask 'A' sends failures to 'Undo', which is not a state of this workflow"]


def test_a_loop_without_a_wait_is_refused_even_beside_one_with_a_wait(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            check = LambdaTask("Check", handler="tasks.steps.handler")
            again = Choice("Again")
            pause = Wait("Pause", seconds=60)
            check >> again
            again.when(Var("$.later") == True, pause).when(Var("$.now") == True, check).otherwise(Succeed("Done"))
            pause >> check
    ''')
    assert project.problems() == ["workflows/flow.py:3: loop Check -> Again -> Check has no Wait or Poll: it would "
                                  "run without pause; add a Wait (or use Poll) inside the loop"]
