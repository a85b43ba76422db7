"""The shipped ServerMigration, compiled, run in the local interpreter with stand-in handlers: what AWS would do
with the ASL the build writes (the interpreter runs the build output, never the DSL objects)."""
import json
from pathlib import Path

import pytest

from waveflow.compile import build
from waveflow.local.runtime import run_definition

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def migration(tmp_path_factory) -> dict:
    files = build(REPO, tmp_path_factory.mktemp("build"))
    return json.loads(files["ServerMigration.asl.json"])


class Estate:
    """Stand-in handlers: each stage adds its key; replication becomes ready after ``ready_after`` polls."""

    def __init__(self, ready_after: int = 2, fail: str | None = None):
        self.ready_after = ready_after
        self.fail = fail
        self.calls: list[str] = []
        self.polls = 0
        self.verifications = 0  # every instance is "initializing" at its first check, ok at its second

    def handlers(self) -> dict:
        names = ["ValidateInput", "PrepareSource", "TriggerMigration", "PollStatus", "LaunchStartTest",
                 "LaunchPollLaunch", "LaunchMarkReadyForCutover", "LaunchStartCutover", "VerifyMigration",
                 "FinalizeCutover", "Rollback", "Callback"]
        return {name: self._stage(name) for name in names}

    def _stage(self, name):
        def handler(event, context):
            self.calls.append(name)
            if name == self.fail:
                raise type("LaunchFailed", (Exception,), {})("launch job j-1 failed")
            if name == "PollStatus":
                self.polls += 1
                return {**event, "replication": {"ready": self.polls >= self.ready_after}}
            if name == "LaunchPollLaunch":
                return {**event, "launch": {**event.get("launch", {}), "done": True}}
            if name == "VerifyMigration":
                self.verifications += 1
                return {**event, "verification": {"pending": self.verifications % 2 == 1}}
            return {**event, name: "done"}
        return handler


REQUEST = {"migrationId": "s-0123456789abcdef0-w7", "correlationId": "c-1", "testLaunch": True}


def test_the_happy_path_tests_then_cuts_over_and_succeeds(migration):
    estate = Estate(ready_after=3)
    result = run_definition(migration, REQUEST, handlers=estate.handlers())
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert estate.calls == ["ValidateInput", "PrepareSource", "TriggerMigration", "PollStatus", "PollStatus",
                            "PollStatus", "LaunchStartTest", "LaunchPollLaunch", "VerifyMigration", "VerifyMigration",
                            "LaunchMarkReadyForCutover", "LaunchStartCutover", "LaunchPollLaunch", "VerifyMigration",
                            "VerifyMigration", "FinalizeCutover", "Callback"]
    assert result.output["FinalizeCutover"] == "done"


def test_without_a_test_launch_it_goes_straight_to_cutover(migration):
    estate = Estate(ready_after=1)
    result = run_definition(migration, {**REQUEST, "testLaunch": False}, handlers=estate.handlers())
    assert result.status == "SUCCEEDED"
    assert "LaunchStartTest" not in estate.calls and "LaunchStartCutover" in estate.calls


def test_a_failure_is_rolled_back_and_the_execution_ends_failed_with_the_original_error(migration):
    estate = Estate(ready_after=1, fail="LaunchStartCutover")
    result = run_definition(migration, REQUEST, handlers=estate.handlers())
    assert result.status == "FAILED"
    assert result.error == "LaunchFailed"
    assert "launch job j-1 failed" in result.cause
    assert estate.calls[-3:] == ["LaunchStartCutover", "Rollback", "Callback"]


def test_a_rollback_that_fails_still_notifies_and_keeps_the_original_error(migration):
    estate = Estate(ready_after=1, fail="LaunchStartCutover")
    handlers = estate.handlers()

    def broken_rollback(event, context):
        estate.calls.append("Rollback")
        raise type("IllegalTransition", (Exception,), {})("record already FAILED")
    handlers["Rollback"] = broken_rollback
    result = run_definition(migration, REQUEST, handlers=handlers)
    assert (result.status, result.error) == ("FAILED", "LaunchFailed")
    assert estate.calls[-3:] == ["LaunchStartCutover", "Rollback", "Callback"]  # tried once: it is not transient


def test_replication_that_never_becomes_ready_times_out_after_24_hours_and_rolls_back(migration):
    estate = Estate(ready_after=10**9)
    result = run_definition(migration, REQUEST, handlers=estate.handlers())
    assert result.status == "FAILED"
    assert result.error == "ReplicationTimeout"
    # Waits of 60, 90, 135, 202, 304, 456, 683 s, then 900 s each: the first check at or past 86,400 s of waiting.
    schedule = [60, 90, 135, 202, 304, 456, 683]
    waited, checks = 0, 1
    while waited < 86_400:
        waited += schedule[checks - 1] if checks <= len(schedule) else 900
        checks += 1
    assert estate.polls == checks
    assert estate.calls[-2:] == ["Rollback", "Callback"]


def test_a_poll_with_max_polls_gives_up_after_that_many_checks(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Poll("WaitReady", check="tasks.steps.check", until=Var("$.ready") == True, interval=seconds(10),
                 timeout=hours(1), max_polls=4, timeout_error="NotReady")
    ''')
    definition = project.build()["Flow"]
    checks = []
    result = run_definition(definition, {"ready": False},
                            handlers={"StepsCheck": lambda event, ctx: checks.append(1) or event})
    assert (result.status, result.error, len(checks)) == ("FAILED", "NotReady", 4)


WAVE_CHILD = {"StartAt": "Fails", "States": {
    "Fails": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Broken"}],
              "Default": "Migrated"},
    "Broken": {"Type": "Fail", "Error": "LaunchFailed", "Cause": "stand-in"},
    "Migrated": {"Type": "Succeed"}}}


def _run_wave(tmp_path, failing: int, servers: int = 20):
    """The compiled MigrationWave over an S3 server list (moto), children stood in for by a tiny machine."""
    import boto3
    from moto import mock_aws

    from waveflow.local.runtime import LocalRuntime

    with mock_aws():
        session = boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        s3 = session.client("s3")
        s3.create_bucket(Bucket="waves")
        requests = [{"migrationId": f"m-{n}", "fail": n < failing, **({"testLaunch": True} if n == 0 else {})}
                    for n in range(servers)]
        s3.put_object(Bucket="waves", Key="wave-7.json", Body=json.dumps(requests).encode())
        tokens = []

        def request_approval(event, context):
            tokens.append(event["taskToken"])
            return {"sent": True}

        def summarise(event, context):
            return {**event, "summary": {"total": servers, "succeeded": servers - failing, "failed": failing}}

        runtime = LocalRuntime({"ApprovalRequestApproval": request_approval, "WaveSummary": summarise},
                               boto_session=session)
        runtime.register_state_machine("ServerMigration", WAVE_CHILD)
        files = build(REPO, tmp_path / "build")
        runtime.register_state_machine("MigrationWave", json.loads(files["MigrationWave.asl.json"]))
        wave = runtime.start_execution("MigrationWave", {"wave": "7", "maxConcurrency": 5,
                                                         "manifest": {"bucket": "waves", "key": "wave-7.json"},
                                                         "defaults": {"testLaunch": False}}, name="wave-7")
        runtime.run(until=runtime.clock.now() + 60)
        assert wave.status == "RUNNING" and len(tokens) == 1  # waiting on the approval, nothing migrated yet
        runtime.call_at(runtime.clock.now() + 3600, lambda: runtime.send_task_success(tokens[0], {"by": "jane"}))
        runtime.run()
        return wave, runtime


def test_a_wave_waits_for_approval_then_runs_one_child_per_server_with_wave_defaults(tmp_path):
    wave, runtime = _run_wave(tmp_path, failing=0)
    assert wave.status == "SUCCEEDED", (wave.error, wave.cause)
    children = {n: runtime.get_execution(f"m-{n}") for n in range(20)}
    assert all(child.status == "SUCCEEDED" for child in children.values())
    assert children[0].output["testLaunch"] is True      # the server's own request wins
    assert children[1].output["testLaunch"] is False     # the wave's default fills the gap
    assert (children[1].start_date - wave.start_date).total_seconds() >= 3600  # nothing ran before approval


def test_a_wave_tolerates_up_to_ten_percent_of_failed_servers(tmp_path):
    wave, _ = _run_wave(tmp_path, failing=2)
    assert (wave.status, wave.error) == ("FAILED", "WavePartiallyFailed")


def test_a_wave_beyond_the_tolerated_failures_fails_the_map(tmp_path):
    wave, _ = _run_wave(tmp_path, failing=3)
    assert (wave.status, wave.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
