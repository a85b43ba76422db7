"""The seam test (issue 11) and the wave path of docs/waves.md, end to end: each shipped workflow's compiled ASL
over every real handler of the manifest, moto, the MGN emulator and the twin, on one virtual clock.

One run, three waves side by side, as a stack would see them:
* wave 7 (three servers, one of them without a test launch, plus an invalid request and a duplicate): requests
  sent to the queue -> ingress -> MigrationRequested -> StartMigrationRule -> StartMigration -> ServerMigration
  -> AwaitWaveCutover (parked) -> MigrationWave's approval answered two hours in -> cutover -> SUCCESS;
* wave 8 (two servers): the approval is rejected: no server cuts over, both are rolled back and FAILED with the
  reason;
* wave 9 (four servers without test launches, at most two at once): approved before any server reaches the
  gate; never more than two running, all four finish, queued ones started oldest first.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from twin_stacks import ACCOUNT, REGION, hand_stack
from moto import mock_aws
from moto.route53.models import HostedZoneIdentifier
from moto.utilities.id_generator import moto_id_manager

from tasks.lib.request import normalise_request
from tasks.lib.store import StatusStore
from waveflow.compile import build
from waveflow.local.mgn import Ec2InstanceLauncher, MgnEmulator
from waveflow.local.twin.approver import APPROVE, REJECT, Approver
from waveflow.local.twin.twin import LocalTwin

REPO = Path(__file__).resolve().parents[3]
HOUR = 3600
ZONE = "corp.example.com."
ZONE_ID = "Z0WAVEFLOWTWIN0000001"
WAVES = {"7": {"servers": 3, "limit": 3, "answer": REJECT, "after": 2 * HOUR},
         "8": {"servers": 2, "limit": 2, "answer": REJECT, "after": 2 * HOUR},
         "9": {"servers": 4, "limit": 2, "answer": APPROVE, "after": 60}}
WAVES["7"]["answer"] = APPROVE


class WaveApprovers:
    """Answers each wave's approval as WAVES says, through the Step Functions API."""

    def __init__(self, twin: LocalTwin) -> None:
        client = twin.session.client("stepfunctions")
        self.by_wave = {wave: Approver(client, twin.scheduler, spec["answer"], spec["after"], name=f"approver-{wave}")
                        for wave, spec in WAVES.items()}

    def __call__(self, notification: dict) -> None:
        request = json.loads(notification["Message"])
        approver = self.by_wave.get(request.get("approvalFor", {}).get("wave"))
        if approver is not None:
            approver(notification)


def _requests(twin: LocalTwin, emulator: MgnEmulator, network: dict) -> list[dict]:
    """One valid request per server of each wave (its source server added to MGN), in the order they are sent."""
    requests, index = [], 0
    for wave, spec in WAVES.items():
        for _ in range(spec["servers"]):
            index += 1
            hostname = f"app{index:02d}.corp.example.com"
            server_id = emulator.add_source_server(hostname=hostname, ip=f"10.20.30.{index}", disks_gib=(2,),
                                                   source_server_id=f"s-{index:017x}", replication_speed_mib_s=200)
            requests.append({
                "sourceServerId": server_id, "appName": f"app-{wave}", "wave": wave, "environment": "prod",
                "source": {"hostname": hostname, "ipAddress": f"10.20.30.{index}", "os": "linux"},
                "target": {"accountId": twin.stack.account, "region": REGION, "subnetId": network["subnet"],
                           "instanceType": "m5.large", "securityGroupIds": [network["group"]]},
                "dns": {"hostedZoneId": network["zone"], "recordName": f"app{index:02d}.corp.example.com"},
                "callbackUrl": twin.receiver.callback_url(f"app-{wave}"),
                "requestedBy": "jane.doe@example.com",
                **({"testLaunch": False} if index == 2 or wave == "9" else {}),
            })
    return requests


def _network(session) -> dict:
    ec2, route53 = session.client("ec2"), session.client("route53")
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.50.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    # The request schema takes Route 53's zone IDs (Z...), which moto's random ones are not: moto's custom-ID
    # feature gives this zone one.
    identifier = HostedZoneIdentifier(ACCOUNT, ZONE, None)
    moto_id_manager.set_custom_id(identifier, ZONE_ID)
    try:
        zone = route53.create_hosted_zone(Name=ZONE, CallerReference="wave-path")["HostedZone"]["Id"]
    finally:
        moto_id_manager.unset_custom_id(identifier)
    zone = zone.rsplit("/", 1)[-1]
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "CREATE", "ResourceRecordSet": {"Name": f"app{n:02d}.corp.example.com.", "Type": "A", "TTL": 300,
                                                   "ResourceRecords": [{"Value": f"10.20.30.{n}"}]}}
        for n in range(1, 10)]})
    return {"subnet": subnet, "group": group, "zone": zone}


class Run:
    """What the run left behind, read through the AWS APIs (and the twin's records of what crossed its seams)."""

    def __init__(self, twin: LocalTwin, requests: list[dict], emulator: MgnEmulator) -> None:
        self.twin, self.requests, self.emulator = twin, requests, emulator
        self.session = twin.session
        self.ids = {wave: [normalise_request(r)["migrationId"] for r in requests if r["wave"] == wave]
                    for wave in WAVES}

    def record(self, migration_id: str) -> dict:
        return StatusStore("waveflow-status").get(migration_id)

    def execution(self, name: str):
        return self.twin.runtime.get_execution(name)

    def events(self, migration_id: str) -> list[str]:
        return [e["detail-type"] for e in self.twin.eventbridge.events if e["detail"]["migrationId"] == migration_id]

    def entered(self, name: str) -> list[str]:
        return [e["stateEnteredEventDetails"]["name"] for e in self.execution(name).history
                if e["type"].endswith("StateEntered")]


@pytest.fixture(scope="module")
def run(fake_aws, tmp_path_factory) -> Run:
    files = build(REPO, tmp_path_factory.mktemp("build"))
    manifest = json.loads(files["manifest.json"])
    definitions = {name: json.loads(files[entry["definition"]]) for name, entry in manifest["workflows"].items()}
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        twin = LocalTwin(hand_stack(manifest, definitions), session, seed=11)
        emulator = MgnEmulator(clock=twin.clock.now, seed=11)
        emulator.install(session)
        with twin:
            network = _network(session)
            emulator.use_instance_launcher(Ec2InstanceLauncher(session, subnet_id=network["subnet"],
                                                               security_group_ids=[network["group"]]))
            twin.sns.listeners.append(WaveApprovers(twin))
            requests = _requests(twin, emulator, network)
            sfn, sqs = session.client("stepfunctions"), session.client("sqs")
            queue = twin.stack.queue_url("waveflow-requests")
            for wave, spec in WAVES.items():
                sfn.start_execution(stateMachineArn=twin.stack.state_machine_arn("MigrationWave"), name=f"wave-{wave}",
                                    input=json.dumps({"wave": wave, "expectedMigrations": spec["servers"],
                                                      "maxConcurrency": spec["limit"]}))
            for request in requests:
                sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(request))
            sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({**requests[0], "callbackUrl": "http://x"}))
            sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(requests[0]))  # a duplicate
            twin.run()
            yield Run(twin, requests, emulator)
        emulator.uninstall()


def test_every_execution_ends_and_nothing_is_left_undelivered(run):
    assert not run.twin.scheduler.pending()
    assert {e.status for e in run.twin.runtime.executions.values() if e.machine.name == "ServerMigration"} == {
        "SUCCEEDED", "FAILED"}
    assert run.twin.eventbridge.undelivered == [] and run.twin.functions.dropped == []
    for queue in ("waveflow-events-dlq", "waveflow-async-dlq", "waveflow-requests"):
        attributes = run.session.client("sqs").get_queue_attributes(
            QueueUrl=run.twin.stack.queue_url(queue), AttributeNames=["All"])["Attributes"]
        assert attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_every_function_of_the_stack_ran_in_the_run(run):
    idle = sorted(name for name, function in run.twin.functions.by_name.items() if not function.counters.invocations)
    assert idle == []


def test_an_approved_wave_migrates_every_server_through_the_one_door(run):
    wave = run.execution("wave-7")
    assert wave.status == "SUCCEEDED", (wave.error, wave.cause)
    assert wave.output["summary"] == {"total": 3, "succeeded": 3, "failed": 0, "unfinished": 0,
                                      "byStatus": {"SUCCESS": 3}}
    for migration_id in run.ids["7"]:
        record = run.record(migration_id)
        assert record["status"] == "SUCCESS"
        assert record["executionArn"] == run.execution(migration_id).arn
        assert record["waveGate"]["taskToken"]  # it waited at the gate: the approval came two hours in
        assert run.execution(migration_id).output["waveCutover"]["decision"] == "APPROVED"
        events = run.events(migration_id)
        assert events[0] == "MigrationRequested" and events[-1] == "MigrationSucceeded"
        assert events.count("MigrationRequested") == 1
    assert "StartTestLaunch" not in run.entered(run.ids["7"][1])  # testLaunch: false still passes the gate
    assert "AwaitWaveCutover" in run.entered(run.ids["7"][1])


def test_the_invalid_request_is_dead_lettered_with_its_reason_and_the_duplicate_starts_nothing(run):
    sqs = run.session.client("sqs")
    [dead] = sqs.receive_message(QueueUrl=run.twin.stack.queue_url("waveflow-requests-dlq"),
                                 MessageAttributeNames=["All"]).get("Messages", [])
    assert "callbackUrl" in dead["MessageAttributes"]["waveflow.reason"]["StringValue"]
    migrations = [e for e in run.twin.runtime.executions.values() if e.machine.name == "ServerMigration"]
    assert len(migrations) == sum(spec["servers"] for spec in WAVES.values())  # one execution per server


def test_callbacks_and_notifications_reach_the_local_receiver_signed(run):
    receiver = run.twin.receiver
    assert all(r.verified for r in receiver.received)
    callbacks = receiver.callbacks()
    assert sorted((c["migrationId"], c["status"]) for c in callbacks if c["wave"] == "7") == sorted(
        (m, "SUCCESS") for m in run.ids["7"])
    approvals = [json.loads(n["Message"]) for n in receiver.notifications("waveflow-notify")
                 if n["MessageAttributes"].get("kind", {}).get("Value") == "approval"]
    assert sorted(a["approvalFor"]["wave"] for a in approvals) == ["7", "8", "9"]


def test_a_rejected_wave_cuts_no_server_over_and_rolls_every_one_back_with_the_reason(run):
    wave = run.execution("wave-8")
    assert (wave.status, wave.error) == ("FAILED", "WavePartiallyFailed")
    cut_over = {params["sourceServerIDs"][0] for name, params in run.emulator.calls if name == "StartCutover"}
    for migration_id in run.ids["8"]:
        execution = run.execution(migration_id)
        assert (execution.status, execution.error) == ("FAILED", "WaveCutoverRejected")
        assert "LaunchCutover" not in run.entered(migration_id)
        record = run.record(migration_id)
        assert record["status"] == "FAILED"
        assert record["executionDetails"]["rollback"]["error"]["Error"] == "WaveCutoverRejected"
        assert "rejected by approver-8" in record["executionDetails"]["rollback"]["error"]["Cause"]
        assert run.events(migration_id)[-2:] == ["MigrationRolledBack", "MigrationFailed"]
        assert record["sourceServerId"] not in cut_over


def test_a_wave_smaller_limit_than_servers_never_runs_more_and_starts_the_queued_oldest_first(run):
    wave = run.execution("wave-9")
    assert wave.status == "SUCCEEDED", (wave.error, wave.cause)
    executions = sorted((run.execution(m) for m in run.ids["9"]), key=lambda e: e.start_time)
    assert [e.name for e in executions] == run.ids["9"]  # in the order they were requested
    ends = {m: _terminal_at(run.record(m)) for m in run.ids["9"]}
    for execution in executions:  # a slot is held from the start to the terminal status (then given back)
        running = [m for m in run.ids["9"] if run.execution(m).start_time <= execution.start_time < ends[m]]
        assert len(running) <= 2, (execution.name, running)
    assert all(run.record(m)["status"] == "SUCCESS" for m in run.ids["9"])
    assert all(run.execution(m).output["waveCutover"]["decision"] == "APPROVED" for m in run.ids["9"])
    assert all("waveGate" not in run.record(m) for m in run.ids["9"])  # approved before any reached the gate


def _terminal_at(record: dict) -> float:
    from datetime import datetime
    [entry] = [h for h in record["history"] if h["status"] in ("SUCCESS", "FAILED")]
    return datetime.fromisoformat(entry["at"].replace("Z", "+00:00")).timestamp()
