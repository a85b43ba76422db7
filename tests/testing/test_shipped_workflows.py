"""The pytest plugin at work on the shipped workflows: the ``waveflow`` and ``waveflow_build`` fixtures, stub
handlers, a Step Functions Local mock to force a failure, and a task token answered from the test."""
import json

import pytest

pytest_plugins = ["pytester"]

REQUEST = {"migrationId": "s-0123456789abcdef0-w1", "correlationId": "c-1", "sourceServerId": "s-0123456789abcdef0",
           "wave": "w1"}


def _stub(name):
    """Each stage adds its key; the pollers report ready; verification is never pending."""
    key = name[0].lower() + name[1:]

    def handler(event, context):
        event = dict(event)
        event[key] = {"done": True}
        event["replication"] = {"ready": True, "nextPollSeconds": 60}
        event["launch"] = {**event.get("launch", {}), "done": True, "instanceId": "i-0abc"}
        event["verification"] = {"pending": False}
        event["progress"] = {"done": True}
        event["summary"] = {"total": 1, "succeeded": 1}
        return event
    return handler


@pytest.fixture
def stubbed(waveflow, waveflow_build):
    waveflow.build = waveflow_build
    manifest = json.loads((waveflow_build / "manifest.json").read_text())
    return {name: _stub(name) for name in manifest["functions"]}


def test_a_server_migrates_through_every_stage_once_its_wave_approves_the_cutover(waveflow, stubbed):
    execution = waveflow.start("ServerMigration", REQUEST, handlers=stubbed)
    waveflow.run_for(6 * 3600)
    assert execution.status == "RUNNING"  # replicated and test-launched, waiting at its wave's gate
    assert execution.history.states_entered()[-1] == "AwaitWaveCutover"

    waveflow.send_task_success("AwaitWaveCutover", {"decision": "APPROVED"})
    waveflow.run()

    assert execution.succeeded, (execution.error, execution.cause)
    entered = execution.history.states_entered()
    assert entered[:3] == ["ValidateInput", "PrepareSource", "TriggerMigration"]
    assert entered[-2:] == ["Callback", "MigrationSucceeded"]
    assert "RollbackHandler" not in entered


def test_a_mocked_launch_failure_takes_the_rollback_path(waveflow, stubbed):
    mocks = {"StateMachines": {"ServerMigration": {"TestCases": {"LaunchFails": {"StartTestLaunch": "Failed"}}}},
             "MockedResponses": {"Failed": {"0": {"Throw": {"Error": "LaunchFailed", "Cause": "no capacity"}}}}}

    execution = waveflow.execute("ServerMigration", REQUEST, handlers=stubbed, mock_config=mocks,
                                 test_case="LaunchFails")

    assert (execution.status, execution.error) == ("FAILED", "LaunchFailed")
    entered = execution.history.states_entered()
    assert entered[entered.index("StartTestLaunch") + 1:][:3] == ["RollbackHandler", "NotifyFailure",
                                                                   "MigrationFailed"]
    assert execution.history.errors()[0] == "LaunchFailed"


WAVE = {"wave": "w1", "expectedMigrations": 1}


def test_a_rejected_wave_approval_closes_the_cutover(waveflow, stubbed):
    execution = waveflow.start("MigrationWave", WAVE, handlers=stubbed)
    waveflow.run_for(3600)  # run() would let the 72-hour approval time out: virtual time costs nothing
    assert execution.status == "RUNNING"  # waiting for a human

    waveflow.send_task_failure("ApproveWaveCutover", "ApprovalRejected", "not this weekend")
    waveflow.run()

    entered = execution.history.states_entered()
    assert entered[entered.index("ApproveWaveCutover") + 1] == "CloseCutover"
    assert "OpenCutover" not in entered
    assert execution.output["approvalError"] == {"Error": "ApprovalRejected", "Cause": "not this weekend"}


def test_an_unanswered_approval_times_out_after_72_hours_and_closes_the_cutover(waveflow, stubbed):
    execution = waveflow.execute("MigrationWave", WAVE, handlers=stubbed)

    timed_out = execution.history.of_type("TaskTimedOut")[0]["timestamp"] - execution.start_date
    assert timed_out.total_seconds() == 72 * 3600
    assert execution.output["approvalError"]["Error"] == "States.Timeout"
    assert "CloseCutover" in execution.history.states_entered()


def test_the_plugin_is_registered_through_its_entry_point(pytester):
    pytester.makepyfile("def test_fixture(waveflow):\n    assert waveflow.seed == 0\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
