"""Differential test: the conformance documents that need no Lambda and no real waiting, run through
moto's Step Functions executor (a port of LocalStack's) and through waveflow's interpreter.

moto is a second opinion, not the reference: where the two disagree the developer guide decides, and
a case where moto is the one that is wrong is excluded below with the rule it breaks. moto sleeps
through Waits in real time, so only documents whose waits are all 0 s are selected.
"""
from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest
from moto import mock_aws

from conformance.asl_cases import Case, expand_input, iter_states, load_cases, same_json
from waveflow.local.runtime import run_definition

# moto deviates from the developer guide on these documents; each entry names the rule it breaks.
MOTO_WRONG: dict[str, str] = {
    "choice_missing_variable_is_runtime_error":
        "state-choice: 'If the state input doesn't contain the $.type field, the execution fails'; moto takes Default",
    "no_choice_matched_without_default":
        "state-choice: no match and no Default fails with States.NoChoiceMatched; moto reports States.Runtime",
    "string_matches_escaped_star_matches_star":
        "state-choice StringMatches: an escaped '\\*' matches a literal star; moto never matches it",
    "array_builds_from_arguments":
        "intrinsic-functions States.Array('Foo', 2020, $.someJson, null) keeps the null; moto drops it",
    "array_range_counts_down":
        "intrinsic-functions States.ArrayRange: 'a non-zero value for the third argument'; moto refuses negative steps",
    "format_escaped_reserved_characters":
        "intrinsic-functions reserved characters: '\\\\' is a literal backslash; moto raises KeyError",
    "intrinsic_failure_on_bad_json": "ASL spec Appendix A States.IntrinsicFailure; moto reports States.Runtime",
    "intrinsic_failure_on_array_range_over_1000":
        "ASL spec Appendix A States.IntrinsicFailure; moto reports States.Runtime",
    "resultpath_into_scalar_fails":
        "concepts-error-handling States.ResultPathMatchFailure; moto reports States.Runtime",
    "parallel_result_selector_and_path":
        "amazon-states-language-paths: a definite path ($[1].n) selects one value; moto wraps it in a list",
    "history_limit_default_is_25000_events": "service-quotas 25,000 history events; moto enforces no limit",
    "history_below_default_limit_succeeds":
        "needs 24,000 events: moto's executor takes far longer than the test budget",
}

ROLE_ARN = "arn:aws:iam::123456789012:role/waveflow-differential"
POLL_LIMIT_SECONDS = 20.0  # guards a hung moto thread; no assertion depends on wall time


def _has_real_wait(state: dict) -> bool:
    if state.get("Type") != "Wait":
        return False
    return any(key in state for key in ("SecondsPath", "Timestamp", "TimestampPath")) or state.get("Seconds") != 0


def _needs_what_moto_lacks(case: Case) -> bool:
    """Lambda handlers, real waits, Distributed Map, JSONata and variables (Assign) are beyond moto."""
    states = [state for _, state in iter_states(case.definition)]
    return (
        bool(case.handlers) or bool(case.options) or "QueryLanguage" in json.dumps(case.definition)
        or any("Assign" in state for state in states)
        or any(state["Type"] == "Task" or _has_real_wait(state) or _is_distributed(state) for state in states)
    )


def _is_distributed(state: dict) -> bool:
    return state.get("ItemProcessor", {}).get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED"


def _deterministic(case: Case) -> bool:
    """Only outcomes both engines must agree on exactly: an exact output, or a failure."""
    return case.expect.get("status", "SUCCEEDED") == "FAILED" or "output" in case.expect


# Fixture files moto's executor cannot take part in: hardening.json probes AWS's limits and wordings, which moto
# does not model, and some of its documents (nested States.JsonToString, $..*..*..*) exhaust moto's memory.
MOTO_UNFIT_SOURCES = frozenset({"hardening.json"})


def differential_cases() -> list[Case]:
    return [case for case in load_cases()
            if case.invalid is None and not _needs_what_moto_lacks(case) and _deterministic(case)
            and case.name not in MOTO_WRONG and case.source not in MOTO_UNFIT_SOURCES]


@pytest.fixture(scope="module")
def sfn_client():
    with pytest.MonkeyPatch.context() as env:
        for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                           "AWS_DEFAULT_REGION": "us-east-1"}.items():
            env.setenv(key, value)
        with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            yield boto3.client("stepfunctions", region_name="us-east-1")


def run_in_moto(client, case: Case) -> dict[str, Any]:
    """Create, start (always with a name) and poll one execution; returns describe_execution."""
    machine = client.create_state_machine(name=case.name[:80], definition=json.dumps(case.definition),
                                          roleArn=ROLE_ARN)
    execution = client.start_execution(stateMachineArn=machine["stateMachineArn"], name=f"{case.name[:70]}-x",
                                       input=json.dumps(expand_input(case.input)))
    deadline = time.monotonic() + POLL_LIMIT_SECONDS
    while (described := client.describe_execution(executionArn=execution["executionArn"]))["status"] == "RUNNING":
        if time.monotonic() > deadline:
            pytest.fail(f"{case.name}: moto's execution still RUNNING after {POLL_LIMIT_SECONDS}s")
        time.sleep(0.002)
    return described


def _decode_output(text: str) -> Any:
    """moto returns a top-level string output unquoted ('yes' instead of '"yes"'); AWS returns JSON text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def test_a_useful_subset_is_compared():
    assert len(differential_cases()) >= 40
    assert set(MOTO_WRONG) <= {case.name for case in load_cases()}, "an exclusion names no conformance case"


@pytest.mark.parametrize("case", differential_cases(), ids=lambda case: case.name)
def test_moto_and_waveflow_agree(sfn_client, case: Case):
    theirs = run_in_moto(sfn_client, case)
    ours = run_definition(case.definition, expand_input(case.input))
    assert ours.status == theirs["status"], (ours.status, ours.error, ours.cause, theirs)
    if ours.status == "SUCCEEDED":
        assert same_json(ours.output, _decode_output(theirs["output"])), (ours.output, theirs["output"])
    else:
        assert ours.error == theirs.get("error"), (ours.error, ours.cause, theirs.get("error"), theirs.get("cause"))
