"""The documents bench/engine.py runs, and the stub handlers they call (shared by waveflow and LWE runs).

Peer documents use only what local-workflow-engine (LWE) 1.0.4 supports (no intrinsics) and stay under its
25,000-event history limit, so both engines run the very same JSON.
"""
from __future__ import annotations

COUNT_ARN = "arn:aws:lambda:us-east-1:123456789012:function:Count"


def one_state() -> dict:
    """Start-up: a document that does nothing."""
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def pass_choice_loop(passes: int) -> dict:
    """Two transitions per pass (a Pass that counts with States.MathAdd, a Choice that loops), plus Init and
    Done: ``2 * passes + 2`` transitions."""
    return {"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Result": {"i": 0, "n": passes}, "Next": "Count"},
        "Count": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"}, "Next": "More"},
        "More": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Count"}],
                 "Default": "Done"},
        "Done": {"Type": "Succeed"}}}


def task_loop(passes: int) -> dict:
    """A Task (the stub counts) and a Choice per pass: ``2 * passes + 1`` transitions, 7 events a pass."""
    return {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": COUNT_ARN, "Next": "More"},
        "More": {"Type": "Choice", "Choices": [{"Variable": "$.calls", "NumericLessThan": passes, "Next": "Call"}],
                 "Default": "Done"},
        "Done": {"Type": "Succeed"}}}


def task_map(items: int) -> dict:
    """A Pass builds nothing; a Map runs a Task per item of the input's ``items``."""
    return {"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 10, "Iterator": {
            "StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": COUNT_ARN, "End": True}}},
            "End": True}}}


def count(event, context=None):
    """The stub every Task of the peer documents calls."""
    return {**event, "calls": event.get("calls", 0) + 1}


def _function_names(node, found: set) -> set:
    """Every function a document (with its branches and processors) names through lambda:invoke."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "FunctionName" and isinstance(value, str) and value.startswith("${"):
                found.add(value[2:-len("FunctionArn}")])
            else:
                _function_names(value, found)
    elif isinstance(node, list):
        for item in node:
            _function_names(item, found)
    return found


_POLLED = {"PollStatus": ("replication", lambda polls: {"ready": polls >= 4, "nextPollSeconds": 60}),
           "LaunchPollLaunch": ("launch", lambda polls: {"done": polls >= 2, "instanceId": "i-0abc"}),
           "VerifyMigration": ("verification", lambda polls: {"pending": polls % 2 == 1})}


def migration_stubs(definition: dict) -> dict:
    """One stub per function the compiled ServerMigration names: each adds its key; the pollers report ready
    after a few looks (polls, a test launch and verification retries all happen)."""
    def stage(name):
        key = name[0].lower() + name[1:]

        def handler(event, context):
            if name in _POLLED:
                owner, state = _POLLED[name]
                polls = event.get(owner, {}).get("polls", 0) + 1
                event[owner] = {**event.get(owner, {}), **state(polls), "polls": polls}
            else:
                event[key] = {"done": True, "requestId": context.aws_request_id}
            return event
        return handler
    return {name: stage(name) for name in _function_names(definition, set())}
