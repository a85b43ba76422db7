"""Benchmark of the local ASL interpreter; prints figures, asserts nothing.

(a) a Pass/Choice loop of 100,000 state transitions in one execution (history limit lifted);
(b) 1,000 concurrent executions of the ServerMigration workflow with stub handlers: the compiled
    ``build/ServerMigration.asl.json`` when it exists, else a hand-written document of the same shape
    (12 Lambda tasks with Retry/Catch and a Wait/Choice poll loop);
(c) the baseline, measured in the same run: moto's own ASL executor on the same loop (fewer transitions: it is
    slow), so (a) is also printed as a ratio that means the same on any machine.
Run: ``python bench/engine.py [--executions N] [--transitions N] [--baseline-transitions N]``.
"""
from __future__ import annotations

import argparse
import json
import time
import resource
from pathlib import Path

from waveflow.local.routing import function_name
from waveflow.local.runtime import LocalRuntime

ROOT = Path(__file__).resolve().parent.parent
LAMBDA = "arn:aws:states:::lambda:invoke"
RETRY = [{"ErrorEquals": ["Lambda.ServiceException", "Lambda.TooManyRequestsException", "MgnThrottled"],
          "IntervalSeconds": 5, "MaxAttempts": 3, "BackoffRate": 2.0, "MaxDelaySeconds": 120,
          "JitterStrategy": "FULL"}]
CATCH = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Rollback"}]


def loop_definition(passes: int) -> dict:
    """Two transitions per pass: a Pass that counts and a Choice that loops."""
    return {"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Result": {"i": 0, "n": passes}, "Next": "Count"},
        "Count": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"}, "Next": "More"},
        "More": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Count"}],
                 "Default": "Done"},
        "Done": {"Type": "Succeed"}}}


def _task(function: str, next_state: str) -> dict:
    return {"Type": "Task", "Resource": LAMBDA, "Parameters": {"FunctionName": "${%sFunctionArn}" % function,
                                                               "Payload.$": "$"},
            "OutputPath": "$.Payload", "Retry": RETRY, "Catch": CATCH, "Next": next_state}


def migration_definition() -> dict:
    """A document of ServerMigration's shape, used until the compiler's build output exists."""
    built = ROOT / "build" / "ServerMigration.asl.json"
    if built.exists():
        return json.loads(built.read_text())
    chain = ["ValidateInput", "PrepareSource", "TriggerMigration"]
    after = ["LaunchStartTest", "LaunchPollLaunch", "LaunchMarkReadyForCutover", "LaunchStartCutover",
             "VerifyMigration", "FinalizeCutover", "Callback"]
    states = {}
    for current, following in zip(chain, chain[1:] + ["PollStatus"]):
        states[current] = _task(current, following)
    states["PollStatus"] = _task("PollStatus", "Replicated?")
    states["Replicated?"] = {"Type": "Choice", "Choices": [
        {"Variable": "$.replication.ready", "BooleanEquals": True, "Next": after[0]}], "Default": "WaitForReplication"}
    states["WaitForReplication"] = {"Type": "Wait", "SecondsPath": "$.replication.nextPollSeconds",
                                    "Next": "PollStatus"}
    for current, following in zip(after, after[1:] + ["Succeeded"]):
        states[current] = _task(current, following)
    states["Rollback"] = {**_task("Rollback", "Failed"), "Catch": []}
    states["Succeeded"] = {"Type": "Succeed"}
    states["Failed"] = {"Type": "Fail", "Error": "MigrationFailed", "Cause": "rolled back"}
    return {"StartAt": "ValidateInput", "States": states}


def _function_names(node, found: set) -> set:
    """Every function a document (with its branches and map processors) names through lambda:invoke."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "FunctionName" and isinstance(value, str):
                found.add(function_name(value))
            else:
                _function_names(value, found)
    elif isinstance(node, list):
        for item in node:
            _function_names(item, found)
    return found


def _poll_status(event, polls):
    event["replication"] = {"ready": polls >= 4, "polls": polls, "nextPollSeconds": 60}


def _poll_launch(event, polls):
    event["launch"] = {**event.get("launch", {}), "done": polls >= 2, "polls": polls, "instanceId": "i-0abc"}


def _verify(event, polls):
    event["verification"] = {"pending": polls % 2 == 1, "polls": polls}  # initializing at the first look


_POLLS = {"PollStatus": ("replication", _poll_status), "LaunchPollLaunch": ("launch", _poll_launch),
          "VerifyMigration": ("verification", _verify)}


def stub_handlers(definition: dict) -> dict:
    """One stub per function the document names: each adds its key, the pollers report ready after a few looks."""
    def stage(name):
        key = name[0].lower() + name[1:]

        def handler(event, context):
            if name in _POLLS:
                owner, update = _POLLS[name]
                update(event, event.get(owner, {}).get("polls", 0) + 1)
            else:
                event[key] = {"done": True, "requestId": context.aws_request_id}
            return event
        return handler
    return {name: stage(name) for name in _function_names(definition, set())}


def moto_loop_rate(transitions: int) -> float:
    """Transitions per second of moto's ASL executor on ``loop_definition`` (its executor runs in a thread)."""
    import boto3
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x",
                              aws_secret_access_key="x")
        arn = client.create_state_machine(name="Loop", definition=json.dumps(loop_definition(transitions // 2)),
                                          roleArn="arn:aws:iam::123456789012:role/sfn")["stateMachineArn"]
        start = time.perf_counter()
        execution = client.start_execution(stateMachineArn=arn, name="loop", input="{}")["executionArn"]
        while client.describe_execution(executionArn=execution)["status"] == "RUNNING":
            time.sleep(0.01)
        wall = time.perf_counter() - start
    return (transitions + 2) / wall


def bench_loop(transitions: int, baseline_transitions: int) -> None:
    runtime = LocalRuntime(history_limit=None)
    runtime.register_state_machine("Loop", loop_definition(transitions // 2))
    start = time.perf_counter()
    execution = runtime.start_execution("Loop", {}, name="loop")
    runtime.run()
    wall = time.perf_counter() - start
    done = runtime.stats["state_transitions"]
    print(f"(a) Pass/Choice loop: {done:,} transitions in {wall:.2f} s = {done / wall:,.0f} transitions/s "
          f"[{execution.status}, {execution.history_length:,} events]")
    baseline = moto_loop_rate(baseline_transitions)
    print(f"(c) baseline, moto's executor on the same loop ({baseline_transitions:,} transitions): "
          f"{baseline:,.0f} transitions/s; waveflow is x{done / wall / baseline:,.0f} faster")


def bench_migrations(count: int) -> None:
    definition = migration_definition()
    runtime = LocalRuntime(stub_handlers(definition), seed=7)
    runtime.register_state_machine("ServerMigration", definition)
    start = time.perf_counter()
    executions = [runtime.start_execution("ServerMigration", {"migrationId": f"m-{i:05d}"}, name=f"m-{i:05d}")
                  for i in range(count)]
    runtime.run()
    wall = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    statuses: dict[str, int] = {}
    for execution in executions:
        statuses[execution.status] = statuses.get(execution.status, 0) + 1
    stats = runtime.stats
    simulated = runtime.clock.now() - executions[0].start_time
    print(f"(b) {count:,} concurrent ServerMigration executions: {wall:.2f} s wall, "
          f"{stats['state_transitions'] / wall:,.0f} transitions/s, {stats['state_transitions']:,} transitions, "
          f"{stats['lambda_invocations']:,} Lambda calls, {simulated / 60:.0f} simulated minutes, "
          f"peak RSS of the process {peak_mib:.0f} MiB, statuses {statuses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transitions", type=int, default=100_000)
    parser.add_argument("--executions", type=int, default=1_000)
    parser.add_argument("--baseline-transitions", type=int, default=2_000)
    args = parser.parse_args()
    bench_loop(args.transitions, args.baseline_transitions)
    bench_migrations(args.executions)


if __name__ == "__main__":
    main()
