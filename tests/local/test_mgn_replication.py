"""Replication progress of the MGN emulator over virtual time, through a real boto3 client."""
from __future__ import annotations

import pytest
from mgn_clock import T0, Clock

from waveflow.local.mgn import FaultPlan, MgnEmulator
from waveflow.local.mgn.timefmt import iso_duration, parse_datetime

MIB, GIB = 1024**2, 1024**3


@pytest.fixture
def clock() -> Clock:
    return Clock()


def describe(mgn, server_id: str) -> dict:
    return mgn.describe_source_servers(filters={"sourceServerIDs": [server_id]})["items"][0]


def info(mgn, server_id: str) -> dict:
    return describe(mgn, server_id)["dataReplicationInfo"]


def test_replication_initiates_then_copies_bytes_at_its_speed_then_replicates_continuously(clock):
    emu = MgnEmulator(clock=clock, seed=3)
    sid = emu.add_source_server(hostname="web-01", disks_gib=(10,), replication_speed_mib_s=100)
    mgn = emu.client()
    init_seconds = emu.source_servers[sid].replication.init_seconds

    first = info(mgn, sid)
    assert first["dataReplicationState"] == "INITIATING"
    assert "lagDuration" not in first
    assert first["replicatedDisks"][0] == {"deviceName": "/dev/xvda", "totalStorageBytes": 10 * GIB,
                                           "replicatedStorageBytes": 0, "rescannedStorageBytes": 0,
                                           "backloggedStorageBytes": 0}
    assert first["dataReplicationInitiation"]["steps"][0] == {"name": "WAIT", "status": "IN_PROGRESS"}
    assert describe(mgn, sid)["lifeCycle"]["state"] == "NOT_READY"

    clock.now = T0 + init_seconds + 50
    syncing = info(mgn, sid)
    assert syncing["dataReplicationState"] == "INITIAL_SYNC"
    assert syncing["replicatedDisks"][0]["replicatedStorageBytes"] == 50 * 100 * MIB
    assert "lagDuration" not in syncing
    assert syncing["etaDateTime"].startswith("2023-11-14T")  # T0 + init + 102.4 s
    assert all(step["status"] == "SUCCEEDED" for step in syncing["dataReplicationInitiation"]["steps"])

    clock.now = T0 + init_seconds + 103
    synced = describe(mgn, sid)
    assert synced["dataReplicationInfo"]["dataReplicationState"] == "CONTINUOUS"
    assert synced["dataReplicationInfo"]["replicatedDisks"][0]["replicatedStorageBytes"] == 10 * GIB
    assert synced["dataReplicationInfo"]["lagDuration"].startswith("PT")
    assert "etaDateTime" not in synced["dataReplicationInfo"]
    assert synced["lifeCycle"]["state"] == "READY_FOR_TEST"
    assert "firstByteDateTime" in synced["lifeCycle"]


def test_eta_points_at_the_end_of_the_initial_sync(clock):
    emu = MgnEmulator(clock=clock)
    sid = emu.add_source_server(hostname="web-01", disks_gib=(10,), replication_speed_mib_s=100)
    mgn = emu.client()
    end = T0 + emu.source_servers[sid].replication.init_seconds + 102.4
    clock.now = end - 60
    assert parse_datetime(info(mgn, sid)["etaDateTime"]) == pytest.approx(end, abs=1e-3)


def test_bytes_spread_over_disks_in_proportion(clock):
    emu = MgnEmulator(clock=clock)
    sid = emu.add_source_server(hostname="db-01", disks_gib=(10, 30), replication_speed_mib_s=100, os="WINDOWS")
    mgn = emu.client()
    clock.now = T0 + emu.source_servers[sid].replication.init_seconds + 204.8  # half of 40 GiB at 100 MiB/s
    disks = info(mgn, sid)["replicatedDisks"]
    assert [d["deviceName"] for d in disks] == ["\\\\.\\PHYSICALDRIVE0", "\\\\.\\PHYSICALDRIVE1"]
    assert [d["replicatedStorageBytes"] for d in disks] == pytest.approx([5 * GIB, 15 * GIB], rel=1e-9)


def test_ready_for_test_event_fires_once_at_its_virtual_time_without_polling(clock):
    emu = MgnEmulator(clock=clock, region="eu-west-1", account="210987654321")
    events = []
    emu.on_event(events.append)
    sid = emu.add_source_server(hostname="web-01", disks_gib=(1,), replication_speed_mib_s=1024)
    while (due := emu.next_due()) is not None:
        clock.now = due
        emu.advance()
    clock.now += 3600
    emu.advance()
    assert events == [{
        "version": "0", "id": events[0]["id"], "detail-type": "MGN Source Server Lifecycle State Change",
        "source": "aws.mgn", "account": "210987654321", "time": events[0]["time"], "region": "eu-west-1",
        "resources": [f"arn:aws:mgn:eu-west-1:210987654321:source-server/{sid}"],
        "detail": {"state": "READY_FOR_TEST"},
    }]
    replication = emu.source_servers[sid].replication
    assert replication.synced_at == pytest.approx(T0 + replication.init_seconds + 1.0)


def test_snapshots_are_taken_every_ten_minutes_while_continuous(clock):
    emu = MgnEmulator(clock=clock)
    sid = emu.add_source_server(hostname="web-01", disks_gib=(1,), replication_speed_mib_s=1024)
    mgn = emu.client()
    synced_at = T0 + emu.source_servers[sid].replication.init_seconds + 1
    clock.now = synced_at + 599
    first = info(mgn, sid)["lastSnapshotDateTime"]
    clock.now = synced_at + 601
    second = info(mgn, sid)["lastSnapshotDateTime"]
    assert parse_datetime(second) - parse_datetime(first) == pytest.approx(600)


def test_pause_freezes_progress_and_resume_continues_it(clock):
    emu = MgnEmulator(clock=clock)
    sid = emu.add_source_server(hostname="web-01", disks_gib=(10,), replication_speed_mib_s=100)
    mgn = emu.client()
    start = T0 + emu.source_servers[sid].replication.init_seconds
    clock.now = start + 10
    paused = mgn.pause_replication(sourceServerID=sid)["dataReplicationInfo"]
    assert paused["dataReplicationState"] == "PAUSED"
    clock.now = start + 1000
    assert info(mgn, sid)["replicatedDisks"][0]["replicatedStorageBytes"] == 1000 * MIB
    with pytest.raises(mgn.exceptions.ConflictException):
        mgn.pause_replication(sourceServerID=sid)
    mgn.resume_replication(sourceServerID=sid)
    clock.now = start + 1010
    resumed = info(mgn, sid)
    assert resumed["dataReplicationState"] == "INITIAL_SYNC"
    assert resumed["replicatedDisks"][0]["replicatedStorageBytes"] == 2000 * MIB


def test_resume_is_refused_unless_paused(clock):
    emu = MgnEmulator(clock=clock)
    sid = emu.add_source_server(hostname="web-01")
    mgn = emu.client()
    with pytest.raises(mgn.exceptions.ConflictException, match="PauseReplication|PAUSED"):
        mgn.resume_replication(sourceServerID=sid)


def test_lag_grows_while_a_synced_server_is_paused(clock):
    emu = MgnEmulator(clock=clock)
    sid = emu.add_source_server(hostname="web-01", disks_gib=(1,), replication_speed_mib_s=1024)
    mgn = emu.client()
    replication = emu.source_servers[sid].replication
    clock.now = T0 + replication.init_seconds + 10
    mgn.pause_replication(sourceServerID=sid)
    clock.now += 120
    assert info(mgn, sid)["lagDuration"] == iso_duration(replication.base_lag + 120)


def test_stop_discards_the_replica_and_start_syncs_again_without_a_second_ready_event(clock):
    emu = MgnEmulator(clock=clock)
    events = []
    emu.on_event(events.append)
    sid = emu.add_source_server(hostname="web-01", disks_gib=(1,), replication_speed_mib_s=1024)
    mgn = emu.client()
    clock.now = T0 + 3600
    stopped = mgn.stop_replication(sourceServerID=sid)
    assert stopped["dataReplicationInfo"]["dataReplicationState"] == "STOPPED"
    assert "lagDuration" not in stopped["dataReplicationInfo"]
    assert stopped["lifeCycle"]["state"] == "STOPPED"
    with pytest.raises(mgn.exceptions.ConflictException, match="not launchable"):
        mgn.change_server_life_cycle_state(sourceServerID=sid, lifeCycle={"state": "READY_FOR_CUTOVER"})
    with pytest.raises(mgn.exceptions.ConflictException):
        mgn.stop_replication(sourceServerID=sid)
    started = mgn.start_replication(sourceServerID=sid)
    assert started["dataReplicationInfo"]["dataReplicationState"] == "INITIATING"
    assert started["lifeCycle"]["state"] == "NOT_READY"
    assert started["dataReplicationInfo"]["replicatedDisks"][0]["replicatedStorageBytes"] == 0
    clock.now += 3600
    assert describe(mgn, sid)["lifeCycle"]["state"] == "READY_FOR_TEST"
    assert [e["detail-type"] for e in events] == ["MGN Source Server Lifecycle State Change"]


def test_start_replication_is_refused_while_replicating(clock):
    emu = MgnEmulator(clock=clock)
    sid = emu.add_source_server(hostname="web-01")
    mgn = emu.client()
    with pytest.raises(mgn.exceptions.ConflictException, match="StartReplication needs STOPPED"):
        mgn.start_replication(sourceServerID=sid)


def test_injected_stall_holds_replication_until_retried_then_it_completes(clock):
    emu = MgnEmulator(clock=clock, faults=FaultPlan(stall_servers=frozenset({"db-01"})))
    events = []
    emu.on_event(events.append)
    sid = emu.add_source_server(hostname="db-01", disks_gib=(10,), replication_speed_mib_s=100)
    mgn = emu.client()
    clock.now = T0 + 3600
    stalled = info(mgn, sid)
    assert stalled["dataReplicationState"] == "STALLED"
    assert stalled["dataReplicationError"]["error"] in {"UNSTABLE_NETWORK", "AGENT_NOT_SEEN", "NOT_CONVERGING"}
    copied = stalled["replicatedDisks"][0]["replicatedStorageBytes"]
    assert 0.2 * 10 * GIB <= copied < 0.8 * 10 * GIB
    clock.now += 3600
    assert info(mgn, sid)["replicatedDisks"][0]["replicatedStorageBytes"] == copied
    assert describe(mgn, sid)["lifeCycle"]["state"] == "NOT_READY"

    retried = mgn.retry_data_replication(sourceServerID=sid)["dataReplicationInfo"]
    assert retried["dataReplicationState"] == "INITIATING"
    assert "dataReplicationError" not in retried
    clock.now += 3600
    done = describe(mgn, sid)
    assert done["dataReplicationInfo"]["dataReplicationState"] == "CONTINUOUS"
    assert done["lifeCycle"]["state"] == "READY_FOR_TEST"
    stall_events = [e["detail"]["state"] for e in events
                    if e["detail-type"] == "MGN Source Server Data Replication Stalled Change"]
    assert stall_events == ["STALLED", "NOT_STALLED"]


def test_a_stuck_stall_stalls_again_where_it_stopped_after_each_retry(clock):
    emu = MgnEmulator(clock=clock, faults=FaultPlan(stall_servers=frozenset({"db-01"}), stuck_stall_rate=1.0))
    sid = emu.add_source_server(hostname="db-01", disks_gib=(10,), replication_speed_mib_s=100)
    mgn = emu.client()
    clock.now = T0 + 3600
    copied = info(mgn, sid)["replicatedDisks"][0]["replicatedStorageBytes"]
    for _ in range(2):
        assert mgn.retry_data_replication(sourceServerID=sid)["dataReplicationInfo"]["dataReplicationState"] \
            == "INITIATING"
        clock.now += 3600
        again = info(mgn, sid)
        assert again["dataReplicationState"] == "STALLED"
        assert again["replicatedDisks"][0]["replicatedStorageBytes"] == copied
    assert describe(mgn, sid)["lifeCycle"]["state"] == "NOT_READY"


def test_stall_rate_stalls_a_seeded_share_of_servers(clock):
    def stalled_hosts(seed: int) -> set[str]:
        emu = MgnEmulator(clock=clock, seed=seed, faults=FaultPlan(stall_rate=0.3))
        ids = [emu.add_source_server(hostname=f"h{i}", disks_gib=(1,)) for i in range(200)]
        clock.now = T0 + 6 * 3600
        items = emu.client().describe_source_servers()["items"]
        assert len(items) == len(ids)
        clock.now = T0
        return {item["sourceProperties"]["identificationHints"]["hostname"] for item in items
                if item["dataReplicationInfo"]["dataReplicationState"] == "STALLED"}

    assert 40 <= len(stalled_hosts(11)) <= 80
    assert stalled_hosts(11) == stalled_hosts(11)
    assert stalled_hosts(11) != stalled_hosts(12), "another seed stalls other servers"


def test_same_seed_gives_same_ids_and_same_progression():
    def run(seed: int) -> list:
        clock = Clock()
        emu = MgnEmulator(clock=clock, seed=seed, faults=FaultPlan(stall_rate=0.5))
        mgn = emu.client()
        for index in range(5):
            emu.add_source_server(hostname=f"h{index}", disks_gib=(20, 5))
        snapshots = []
        for _ in range(6):
            clock.now += 400
            snapshots.append(mgn.describe_source_servers()["items"])
        return snapshots

    assert run(7) == run(7)
    assert run(7) != run(8)
