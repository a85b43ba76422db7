"""Definition validation: every problem at once, each naming its state."""
import pytest

from waveflow.local.validate import validate_definition

FN = "arn:aws:lambda:us-east-1:123456789012:function:F"


def problems_of(states, **top):
    return validate_definition({"StartAt": next(iter(states)), "States": states, **top})


def test_a_valid_definition_has_no_problems():
    assert problems_of({"A": {"Type": "Task", "Resource": FN, "Retry": [{"ErrorEquals": ["States.ALL"]}],
                              "Next": "B"}, "B": {"Type": "Succeed"}}) == []


def test_every_problem_is_listed_with_its_state():
    problems = problems_of({
        "A": {"Type": "Pass", "Next": "Missing", "Bogus": 1},
        "B": {"Type": "Wait", "End": True},
        "C": {"Type": "Teleport"}})
    joined = "\n".join(problems)
    for fragment in ("State 'A': Next 'Missing'", "State 'A': field 'Bogus'", "State 'B': exactly one of Seconds",
                     "State 'C': Type must be one of", "State 'B': is not reachable"):
        assert fragment in joined
    assert len(problems) >= 5


@pytest.mark.parametrize("state, fragment", [
    ({"Type": "Task", "Resource": FN, "End": True, "Retry": [{"ErrorEquals": ["States.ALL", "X"]}]},
     "States.ALL must appear alone"),
    ({"Type": "Task", "Resource": FN, "End": True, "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]},
     "BackoffRate"),
    ({"Type": "Task", "Resource": FN, "End": True, "Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "SOME"}]},
     "JitterStrategy"),
    ({"Type": "Task", "Resource": "arn:aws:states:::bogus:thing", "End": True}, "not supported"),
    ({"Type": "Task", "Resource": FN, "End": True, "TimeoutSeconds": 10, "HeartbeatSeconds": 20},
     "HeartbeatSeconds must be smaller"),
    ({"Type": "Pass", "End": True, "ResultPath": "$.a[*]"}, "reference path"),
    ({"Type": "Pass", "End": True, "Parameters": {"x.$": "States.Nope()"}}, "unknown function"),
    ({"Type": "Pass", "End": True, "InputPath": "nope"}, "InputPath"),
    ({"Type": "Choice", "Choices": [{"Variable": "$.x", "StringEqualz": "a", "Next": "A"}]},
     "did you mean 'StringEquals'"),
    ({"Type": "Choice", "Choices": [{"Variable": "$.x", "TimestampEquals": "yesterday", "Next": "A"}]},
     "RFC 3339"),
    ({"Type": "Map", "End": True, "ItemBatcher": {"MaxItemsPerBatch": 2},
      "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}, "only supported in DISTRIBUTED"),
    ({"Type": "Pass", "End": True, "Parameters": {"x.$": "States.Format('a\\\"b')"}},
     "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call"),
    ({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}, "only one of Error and ErrorPath"),
    ({"Type": "Pass", "End": True, "Output": "{% $x %}"}, "field 'Output' is not supported"),
])
def test_state_level_rules(state, fragment):
    problems = problems_of({"A": state})
    assert any(fragment in problem for problem in problems), problems


def test_jsonata_expressions_are_compiled_and_jsonpath_fields_refused():
    problems = validate_definition({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Output": "{% $states.input. %}", "InputPath": "$.x", "End": True}}})
    assert any("invalid JSONata expression" in p for p in problems)
    assert any("field 'InputPath'" in p for p in problems)


def test_state_names_must_be_unique_across_branches():
    branch = {"StartAt": "Same", "States": {"Same": {"Type": "Succeed"}}}
    problems = problems_of({"P": {"Type": "Parallel", "Branches": [branch, branch], "End": True}})
    assert any("used more than once" in p for p in problems)


def test_top_level_problems_are_named_definition():
    assert validate_definition({"StartAt": "A", "States": {}, "Extra": 1}) == [
        "Definition: field 'Extra' is not supported at the top level",
        "Definition: 'States' must be a non-empty object"]
    assert validate_definition([]) == ["Definition: must be a JSON object"]
