"""Runs every conformance fixture through the local ASL interpreter's public API.

Each case states the developer-guide rule it checks; a failure here means either the engine breaks
that rule or the fixture misread it. Engine bugs are kept as strict xfails naming the rule.
"""
import pytest

from asl_cases import Case, assert_expectation, execute, load_cases
from waveflow.local.validate import validate_definition

CASES = load_cases()


def _param(case: Case):
    marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


def test_suite_is_large_enough_and_every_case_names_its_rule():
    assert len(CASES) >= 60
    assert all(case.rule.strip() for case in CASES), [c.name for c in CASES if not c.rule.strip()]


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.invalid is None])
def test_execution_matches_documented_behaviour(case: Case):
    result, stubs = execute(case)
    assert_expectation(case.expect, result, stubs)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES if c.invalid is None])
def test_runnable_documents_pass_validation(case: Case):
    assert validate_definition(case.definition) == []


@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.invalid is not None])
def test_invalid_definition_is_refused(case: Case):
    problems = validate_definition(case.definition)
    assert problems, f"{case.name}: validate_definition accepted an invalid document"
    text = "\n".join(problems)
    for word in case.invalid.get("problems_mention", []):
        assert word in text, f"{case.name}: no problem mentions {word!r}; problems were:\n{text}"
