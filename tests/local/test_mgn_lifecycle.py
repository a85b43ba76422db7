"""Lifecycle, launch jobs and MGN's refusals in the MGN emulator, through a real boto3 client."""
from __future__ import annotations

import pytest
from mgn_clock import Clock

from waveflow.local.mgn import FaultPlan, MgnEmulator

LAUNCH_RESULT = "MGN Source Server Launch Result"


@pytest.fixture
def world():
    """A clock, an emulator with one server replicated and ready for test, its client and its events."""
    clock = Clock()
    emu = MgnEmulator(clock=clock, seed=5, faults=FaultPlan(failed_launch_servers=frozenset({"broken-01"})))
    events: list[dict] = []
    emu.on_event(events.append)
    sid = emu.add_source_server(hostname="web-01", disks_gib=(1,), replication_speed_mib_s=1024)
    clock.now += 3600
    return clock, emu, emu.client(), sid, events


def state(mgn, sid: str) -> str:
    return mgn.describe_source_servers(filters={"sourceServerIDs": [sid]})["items"][0]["lifeCycle"]["state"]


def finish_jobs(clock: Clock) -> None:
    clock.now += 1800


def test_test_then_cutover_then_finalize_then_archive(world):
    clock, emu, mgn, sid, events = world
    assert state(mgn, sid) == "READY_FOR_TEST"

    started = mgn.start_test(sourceServerIDs=[sid], tags={"wave": "7"})
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 202
    job = started["job"]
    assert (job["type"], job["initiatedBy"], job["status"], job["tags"]) == ("LAUNCH", "START_TEST", "PENDING",
                                                                             {"wave": "7"})
    assert job["participatingServers"] == [{"sourceServerID": sid, "launchStatus": "PENDING"}]
    assert state(mgn, sid) == "TESTING"

    clock.now += 60
    running = mgn.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
    assert running["status"] == "STARTED"
    assert running["participatingServers"][0]["launchStatus"] == "IN_PROGRESS"

    finish_jobs(clock)
    done = mgn.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
    assert done["status"] == "COMPLETED" and "endDateTime" in done
    instance = done["participatingServers"][0]["launchedEc2InstanceID"]
    assert done["participatingServers"][0]["launchStatus"] == "LAUNCHED" and instance.startswith("i-")
    server = mgn.describe_source_servers(filters={"sourceServerIDs": [sid]})["items"][0]
    assert server["launchedInstance"] == {"ec2InstanceID": instance, "jobID": job["jobID"], "firstBoot": "SUCCEEDED"}
    assert server["lifeCycle"]["lastTest"]["initiated"]["jobID"] == job["jobID"]
    assert [e["detail"] for e in events if e["detail-type"] == LAUNCH_RESULT] == [
        {"state": "TEST_LAUNCH_SUCCEEDED", "job-id": job["jobID"]}]

    marked = mgn.change_server_life_cycle_state(sourceServerID=sid, lifeCycle={"state": "READY_FOR_CUTOVER"})
    assert marked["lifeCycle"]["state"] == "READY_FOR_CUTOVER"
    assert "finalized" in marked["lifeCycle"]["lastTest"]

    cutover = mgn.start_cutover(sourceServerIDs=[sid])["job"]
    assert cutover["initiatedBy"] == "START_CUTOVER"
    assert state(mgn, sid) == "CUTTING_OVER"
    finish_jobs(clock)
    emu.advance()  # events fire when the emulator next looks at the clock
    assert events[-1]["detail"] == {"state": "CUTOVER_LAUNCH_SUCCEEDED", "job-id": cutover["jobID"]}

    final = mgn.finalize_cutover(sourceServerID=sid)
    assert final["lifeCycle"]["state"] == "CUTOVER"
    assert final["dataReplicationInfo"]["dataReplicationState"] == "DISCONNECTED"
    assert "finalized" in final["lifeCycle"]["lastCutover"]

    assert mgn.mark_as_archived(sourceServerID=sid)["isArchived"] is True
    assert mgn.describe_source_servers(filters={"isArchived": False})["items"] == []
    assert [s["sourceServerID"] for s in mgn.describe_source_servers(filters={"isArchived": True})["items"]] == [sid]


def test_failed_launch_completes_the_job_with_launch_status_failed(world):
    clock, emu, mgn, _, events = world
    broken = emu.add_source_server(hostname="broken-01", disks_gib=(1,), replication_speed_mib_s=1024)
    clock.now += 3600
    job = mgn.start_test(sourceServerIDs=[broken])["job"]
    finish_jobs(clock)
    done = mgn.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
    assert done["status"] == "COMPLETED"
    assert done["participatingServers"] == [{"sourceServerID": broken, "launchStatus": "FAILED"}]
    assert events[-1]["detail"] == {"state": "TEST_LAUNCH_FAILED", "job-id": job["jobID"]}
    assert [item["event"] for item in mgn.describe_job_log_items(jobID=job["jobID"])["items"]][-2:] == [
        "LAUNCH_FAILED", "JOB_END"]


def test_failed_launch_rate_fails_a_seeded_share_of_launches():
    clock = Clock()
    emu = MgnEmulator(clock=clock, seed=2, faults=FaultPlan(failed_launch_rate=0.25))
    ids = [emu.add_source_server(hostname=f"h{i}", disks_gib=(1,), replication_speed_mib_s=1024) for i in range(80)]
    clock.now += 3600
    mgn = emu.client()
    job = mgn.start_test(sourceServerIDs=ids)["job"]
    finish_jobs(clock)
    statuses = [p["launchStatus"] for p in
                mgn.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]["participatingServers"]]
    assert set(statuses) == {"LAUNCHED", "FAILED"}
    assert 8 <= statuses.count("FAILED") <= 32


def test_job_log_items_tell_the_launch_story_in_pages(world):
    clock, _, mgn, sid, _ = world
    job = mgn.start_test(sourceServerIDs=[sid])["job"]
    finish_jobs(clock)
    first = mgn.describe_job_log_items(jobID=job["jobID"], maxResults=4)
    rest = mgn.describe_job_log_items(jobID=job["jobID"], nextToken=first["nextToken"])
    events = [item["event"] for item in first["items"] + rest["items"]]
    assert events == ["JOB_START", "SNAPSHOT_START", "SNAPSHOT_END", "CONVERSION_START", "CONVERSION_END",
                      "LAUNCH_START", "JOB_END"]
    assert "nextToken" not in rest
    assert first["items"][1]["eventData"] == {"sourceServerID": sid}


def test_describe_jobs_filters_by_creation_date(world):
    clock, _, mgn, sid, _ = world
    early = mgn.start_test(sourceServerIDs=[sid])["job"]
    finish_jobs(clock)
    mgn.change_server_life_cycle_state(sourceServerID=sid, lifeCycle={"state": "READY_FOR_CUTOVER"})
    late = mgn.start_cutover(sourceServerIDs=[sid])["job"]
    after_early = early["creationDateTime"].replace(".000000Z", ".500000Z")
    assert [j["jobID"] for j in mgn.describe_jobs(filters={"fromDate": after_early})["items"]] == [late["jobID"]]
    assert [j["jobID"] for j in mgn.describe_jobs(filters={"toDate": after_early})["items"]] == [early["jobID"]]
    assert len(mgn.describe_jobs()["items"]) == 2


def test_lifecycle_change_is_refused_before_the_server_is_launchable(world):
    _, emu, mgn, _, _ = world
    fresh = emu.add_source_server(hostname="new-01")
    with pytest.raises(mgn.exceptions.ConflictException, match="not launchable") as caught:
        mgn.change_server_life_cycle_state(sourceServerID=fresh, lifeCycle={"state": "READY_FOR_TEST"})
    assert caught.value.response["resourceId"] == fresh
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_start_test_is_refused_for_a_server_not_ready(world):
    _, emu, mgn, _, _ = world
    fresh = emu.add_source_server(hostname="new-01")
    with pytest.raises(mgn.exceptions.ConflictException, match="NOT_READY"):
        mgn.start_test(sourceServerIDs=[fresh])


def test_a_second_launch_is_refused_while_the_first_job_runs(world):
    _, _, mgn, sid, _ = world
    job = mgn.start_test(sourceServerIDs=[sid])["job"]
    with pytest.raises(mgn.exceptions.ConflictException, match=job["jobID"]):
        mgn.start_test(sourceServerIDs=[sid])


def test_lifecycle_change_refused_along_an_illegal_edge(world):
    _, _, mgn, sid, _ = world
    with pytest.raises(mgn.exceptions.ConflictException, match="CUTOVER can be set from CUTTING_OVER"):
        mgn.change_server_life_cycle_state(sourceServerID=sid, lifeCycle={"state": "CUTOVER"})


def test_revert_to_ready_for_test_records_the_reverted_test(world):
    clock, _, mgn, sid, _ = world
    mgn.start_test(sourceServerIDs=[sid])
    finish_jobs(clock)
    reverted = mgn.change_server_life_cycle_state(sourceServerID=sid, lifeCycle={"state": "READY_FOR_TEST"})
    assert reverted["lifeCycle"]["state"] == "READY_FOR_TEST"
    assert set(reverted["lifeCycle"]["lastTest"]) == {"initiated", "reverted"}


def test_finalize_cutover_refused_unless_cutting_over(world):
    _, _, mgn, sid, _ = world
    with pytest.raises(mgn.exceptions.ConflictException, match="needs CUTTING_OVER"):
        mgn.finalize_cutover(sourceServerID=sid)


def test_finalize_cutover_refused_before_the_cutover_instance_launched(world):
    _, _, mgn, sid, _ = world
    mgn.start_cutover(sourceServerIDs=[sid])
    with pytest.raises(mgn.exceptions.ConflictException, match="no launched cutover instance"):
        mgn.finalize_cutover(sourceServerID=sid)


def test_mark_as_archived_refused_unless_disconnected_or_cut_over(world):
    _, _, mgn, sid, _ = world
    with pytest.raises(mgn.exceptions.ConflictException, match="only CUTOVER or DISCONNECTED"):
        mgn.mark_as_archived(sourceServerID=sid)


@pytest.mark.parametrize("lifecycle", ["TESTING", "CUTTING_OVER", "CUTOVER"])
def test_terminate_target_instances_refused_while_testing_cutting_over_or_cut_over(world, lifecycle):
    clock, _, mgn, sid, _ = world
    mgn.start_test(sourceServerIDs=[sid])
    finish_jobs(clock)
    if lifecycle != "TESTING":
        mgn.change_server_life_cycle_state(sourceServerID=sid, lifeCycle={"state": "READY_FOR_CUTOVER"})
        mgn.start_cutover(sourceServerIDs=[sid])
        finish_jobs(clock)
    if lifecycle == "CUTOVER":
        mgn.finalize_cutover(sourceServerID=sid)
    assert state(mgn, sid) == lifecycle
    with pytest.raises(mgn.exceptions.ConflictException, match=f"is {lifecycle}"):
        mgn.terminate_target_instances(sourceServerIDs=[sid])


def test_terminate_target_instances_terminates_a_reverted_test_instance(world):
    clock, _, mgn, sid, _ = world
    mgn.start_test(sourceServerIDs=[sid])
    finish_jobs(clock)
    instance = mgn.describe_source_servers()["items"][0]["launchedInstance"]["ec2InstanceID"]
    mgn.change_server_life_cycle_state(sourceServerID=sid, lifeCycle={"state": "READY_FOR_TEST"})
    job = mgn.terminate_target_instances(sourceServerIDs=[sid])["job"]
    assert (job["type"], job["initiatedBy"]) == ("TERMINATE", "TERMINATE")
    finish_jobs(clock)
    done = mgn.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
    assert done["participatingServers"] == [
        {"sourceServerID": sid, "launchStatus": "TERMINATED", "launchedEc2InstanceID": instance}]
    assert "launchedInstance" not in mgn.describe_source_servers()["items"][0]
    with pytest.raises(mgn.exceptions.ConflictException, match="no launched target instance"):
        mgn.terminate_target_instances(sourceServerIDs=[sid])


def test_retry_data_replication_refused_unless_stalled_with_validation_exception(world):
    _, _, mgn, sid, _ = world
    with pytest.raises(mgn.exceptions.ValidationException, match="RetryDataReplication needs STALLED"):
        mgn.retry_data_replication(sourceServerID=sid)


def test_disconnect_then_delete(world):
    _, _, mgn, sid, _ = world
    with pytest.raises(mgn.exceptions.ConflictException, match="disconnect it from the service"):
        mgn.delete_source_server(sourceServerID=sid)
    disconnected = mgn.disconnect_from_service(sourceServerID=sid)
    assert disconnected["lifeCycle"]["state"] == "DISCONNECTED"
    assert disconnected["dataReplicationInfo"]["dataReplicationState"] == "DISCONNECTED"
    assert "lagDuration" not in disconnected["dataReplicationInfo"]
    with pytest.raises(mgn.exceptions.ConflictException):
        mgn.pause_replication(sourceServerID=sid)
    assert mgn.mark_as_archived(sourceServerID=sid)["isArchived"]
    assert mgn.delete_source_server(sourceServerID=sid)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert mgn.describe_source_servers(filters={"sourceServerIDs": [sid]})["items"] == []
    with pytest.raises(mgn.exceptions.ResourceNotFoundException):
        mgn.get_launch_configuration(sourceServerID=sid)


def test_disconnect_refused_while_a_job_runs(world):
    _, _, mgn, sid, _ = world
    mgn.start_test(sourceServerIDs=[sid])
    with pytest.raises(mgn.exceptions.ConflictException, match="still PENDING"):
        mgn.disconnect_from_service(sourceServerID=sid)


def test_unknown_server_is_resource_not_found(world):
    _, _, mgn, _, _ = world
    with pytest.raises(mgn.exceptions.ResourceNotFoundException) as caught:
        mgn.finalize_cutover(sourceServerID="s-00000000000000000")
    assert caught.value.response["resourceId"] == "s-00000000000000000"


def test_launch_configuration_reads_and_updates_and_is_locked_during_a_launch(world):
    _, _, mgn, sid, _ = world
    config = mgn.get_launch_configuration(sourceServerID=sid)
    assert (config["name"], config["launchDisposition"], config["bootMode"]) == ("web-01", "STARTED", "USE_SOURCE")
    updated = mgn.update_launch_configuration(sourceServerID=sid, copyPrivateIp=True, licensing={"osByol": False},
                                              targetInstanceTypeRightSizingMethod="NONE")
    assert (updated["copyPrivateIp"], updated["licensing"], updated["targetInstanceTypeRightSizingMethod"]) == (
        True, {"osByol": False}, "NONE")
    assert mgn.get_launch_configuration(sourceServerID=sid)["copyPrivateIp"] is True
    mgn.start_test(sourceServerIDs=[sid])
    with pytest.raises(mgn.exceptions.ConflictException):
        mgn.update_launch_configuration(sourceServerID=sid, copyTags=True)


def test_replication_configuration_describes_the_staging_area(world):
    _, _, mgn, sid, _ = world
    config = mgn.get_replication_configuration(sourceServerID=sid)
    assert config["replicatedDisks"] == [{"deviceName": "/dev/xvda", "isBootDisk": True, "stagingDiskType": "AUTO"}]
    assert config["stagingAreaSubnetId"].startswith("subnet-")
    updated = mgn.update_replication_configuration(sourceServerID=sid, replicationServerInstanceType="m5.large")
    assert updated["replicationServerInstanceType"] == "m5.large"


def test_launch_naming_an_unknown_server_is_a_validation_error(world):
    _, _, mgn, sid, _ = world
    with pytest.raises(mgn.exceptions.ValidationException) as caught:
        mgn.start_test(sourceServerIDs=[sid, "s-00000000000000000"])
    assert caught.value.response["fieldList"] == [
        {"name": "sourceServerIDs[1]", "message": "source server s-00000000000000000 not found"}]
    assert mgn.describe_jobs()["items"] == []


def test_an_instance_launcher_runs_and_terminates_the_target_instances(world):
    clock, emu, mgn, sid, _ = world

    class Recorder:
        def __init__(self):
            self.running: dict[str, str] = {}

        def launch(self, server, job):
            instance_id = f"i-{len(self.running):017x}"
            self.running[instance_id] = server.launch_configuration["name"]
            return instance_id

        def terminate(self, instance_id):
            del self.running[instance_id]

    recorder = Recorder()
    emu.use_instance_launcher(recorder)
    mgn.start_test(sourceServerIDs=[sid])
    finish_jobs(clock)
    assert mgn.describe_source_servers()["items"][0]["launchedInstance"]["ec2InstanceID"] == "i-00000000000000000"
    assert recorder.running == {"i-00000000000000000": "web-01"}
    mgn.change_server_life_cycle_state(sourceServerID=sid, lifeCycle={"state": "READY_FOR_TEST"})
    mgn.terminate_target_instances(sourceServerIDs=[sid])
    finish_jobs(clock)
    emu.advance()
    assert recorder.running == {}

