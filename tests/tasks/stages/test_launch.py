"""Launch: test and cutover launch jobs, polling them, READY_FOR_CUTOVER; each launch happens once."""

from __future__ import annotations

import pytest
from stage_pipeline import SERVER_ID, SimulatedCrash, calls, record_of

from tasks import launch
from tasks.lib.errors import IllegalTransition, LaunchFailed, MgnConflict
from waveflow.local.mgn import FaultPlan


def test_test_launch_runs_to_a_launched_instance(pipeline, emulator):
    document = pipeline.through("test_launched")
    result = document["launch"]
    assert result["mode"] == "test" and result["done"] and result["instanceId"].startswith("i-")
    assert result["jobIds"] == [result["jobId"]] and result["launchStatus"] == "LAUNCHED"
    assert emulator.source_servers[SERVER_ID].lifecycle == "TESTING"
    assert record_of(document)["executionDetails"]["launch"]["instanceId"] == result["instanceId"]


def test_test_launch_can_be_skipped(pipeline, emulator):
    pipeline.document["testLaunch"] = False
    document = pipeline.through("start_test")
    assert document["launch"] == {"mode": "test", "skipped": True, "done": True, "jobIds": []}
    assert pipeline.run(launch.poll_launch)["launch"]["done"]
    pipeline.run(launch.mark_ready_for_cutover)
    assert emulator.source_servers[SERVER_ID].lifecycle == "READY_FOR_CUTOVER"
    assert calls(emulator, "StartTest") == 0


def test_crash_after_start_test_adopts_the_running_job(pipeline, emulator, crash_after):
    pipeline.through("replicate")
    crash_after("mgn", "StartTest")
    with pytest.raises(SimulatedCrash):
        pipeline.run(launch.start_test)
    document = pipeline.run(launch.start_test)
    assert calls(emulator, "StartTest") == 1
    assert document["launch"]["adoptedRunningJob"] is True
    assert document["launch"]["jobId"] == next(iter(emulator.jobs))


def test_same_input_twice_starts_one_test(pipeline, emulator):
    pipeline.through("start_test")
    again = pipeline.run(launch.start_test)
    assert calls(emulator, "StartTest") == 1 and again["launch"]["adoptedRunningJob"] is False


@pytest.mark.parametrize("fault_plan", [FaultPlan(failed_launch_servers=frozenset({SERVER_ID}))])
def test_failed_launch_raises_launch_failed(pipeline):
    pipeline.through("start_test")
    with pytest.raises(LaunchFailed, match=r"test launch job mgnjob-\w+ .* launch status FAILED"):
        pipeline.launched()


def test_launching_before_replication_is_ready_is_an_mgn_conflict(pipeline):
    pipeline.through("trigger")
    with pytest.raises(MgnConflict, match="is NOT_READY; StartTest needs"):
        pipeline.run(launch.start_test)


def test_ready_for_cutover_once_then_cutover_launch_once_even_after_crashes(pipeline, emulator, crash_after):
    pipeline.through("verify_test")
    crash_after("mgn", "ChangeServerLifeCycleState")
    with pytest.raises(SimulatedCrash):
        pipeline.run(launch.mark_ready_for_cutover)
    pipeline.run(launch.mark_ready_for_cutover)
    pipeline.run(launch.mark_ready_for_cutover)
    assert calls(emulator, "ChangeServerLifeCycleState") == 1
    assert emulator.source_servers[SERVER_ID].lifecycle == "READY_FOR_CUTOVER"
    crash_after("mgn", "StartCutover")
    with pytest.raises(SimulatedCrash):
        pipeline.run(launch.start_cutover)
    document = pipeline.run(launch.start_cutover)
    pipeline.run(launch.start_cutover)
    assert calls(emulator, "StartCutover") == 1
    assert document["launch"]["mode"] == "cutover" and document["launch"]["test"]["instanceId"]
    assert len(document["launch"]["jobIds"]) == 2


def test_launch_stages_are_refused_outside_migration_in_progress(pipeline):
    pipeline.through("prepare")
    with pytest.raises(IllegalTransition):
        pipeline.run(launch.start_test)
