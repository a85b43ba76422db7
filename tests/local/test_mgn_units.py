"""Unit tests of the MGN emulator's building blocks: time formats, the agenda, seeded draws, faults, validation."""
from __future__ import annotations

import json
import random
from datetime import datetime, timezone

import pytest

from waveflow.local.mgn import FaultPlan, MgnEmulator
from waveflow.local.mgn.faults import FaultDice
from waveflow.local.mgn.protocol import Protocol, load_service_model
from waveflow.local.mgn.seeded import Seeded
from waveflow.local.mgn.timefmt import iso_datetime, iso_duration, parse_datetime
from waveflow.local.mgn.timeline import Timeline
from waveflow.local.mgn.validation import validate


@pytest.mark.parametrize("seconds, text", [
    (0, "PT0S"), (1.2004, "PT1.2S"), (60, "PT1M"), (3723.5, "PT1H2M3.5S"), (90061, "P1DT1H1M1S"), (86400, "P1D"),
])
def test_iso_duration(seconds, text):
    assert iso_duration(seconds) == text


def test_iso_datetime_round_trips_and_matches_the_model_pattern():
    text = iso_datetime(1_700_000_000.25)
    assert text == "2023-11-14T22:13:20.250000Z"
    assert parse_datetime(text) == 1_700_000_000.25
    assert parse_datetime("2023-11-14T22:13:20") == 1_700_000_000.0


def test_iso_datetime_writes_what_datetime_writes_rounding_the_microseconds_alike():
    draws = random.Random(5)
    halfway = [whole + (2 * micros + 1) / 2e6 for whole in (0, 1_767_225_600) for micros in range(-3, 4)]
    values = [0, -1.5, 0.9999995, 1_700_000_000.9999995, 253_402_300_799.5, *halfway] + [
        draws.choice([draws.uniform(-1e10, 2.5e11), 1_767_225_600 + draws.random() * 1e6,
                      round(1_767_225_600 + draws.random() * 1e5, draws.randint(0, 7))]) for _ in range(20_000)]
    for epoch in values:
        assert iso_datetime(epoch) == datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_a_success_body_is_the_members_as_they_were_when_answered():
    protocol = Protocol(load_service_model())
    output = {"items": [{"sourceServerID": "s-1", "tags": {"team": "web"}}]}
    reply = protocol.answer(protocol.model.operation_model("DescribeSourceServers"), output, "request-1")
    text = json.dumps(output).encode()
    output["items"][0]["tags"]["team"] = "changed later"
    assert reply.body == text
    assert reply.http("https://mgn.us-east-1.amazonaws.com/DescribeSourceServers").content == text


def test_timeline_runs_due_actions_in_time_order_and_superseded_ones_never():
    timeline, ran = Timeline(), []
    timeline.schedule("b", 20.0, lambda at: ran.append(("b", at)))
    timeline.schedule("a", 10.0, lambda at: ran.append(("a", at)))
    timeline.schedule("c", 15.0, lambda at: ran.append(("c-old", at)))
    timeline.schedule("c", 30.0, lambda at: ran.append(("c", at)))
    assert timeline.next_due() == 10.0
    assert timeline.run_until(25.0) == 2
    assert ran == [("a", 10.0), ("b", 20.0)]
    timeline.cancel("c")
    assert timeline.next_due() is None
    assert timeline.run_until(100.0) == 0


def test_timeline_runs_actions_scheduled_by_actions_when_already_due():
    timeline, ran = Timeline(), []
    timeline.schedule("x", 1.0, lambda at: timeline.schedule("y", at + 1, lambda later: ran.append(later)))
    timeline.run_until(5.0)
    assert ran == [2.0]


def test_seeded_ids_repeat_per_seed_and_keyed_draws_ignore_order():
    first, second = Seeded(3), Seeded(3)
    assert [first.hex_id("s-") for _ in range(3)] == [second.hex_id("s-") for _ in range(3)]
    assert len(first.hex_id("s-")) == 19
    second.hex_id("i-")
    assert first.unit("speed", "s-1") == second.unit("speed", "s-1")
    assert Seeded(4).unit("speed", "s-1") != first.unit("speed", "s-1")
    assert 5 <= first.between(5, 6, "x") < 6


@pytest.mark.parametrize("bad", [{"throttle_rate": 1.5}, {"stall_rate": -0.1}])
def test_fault_plan_rejects_rates_outside_unit_interval(bad):
    name = next(iter(bad))
    with pytest.raises(ValueError, match=f"FaultPlan.{name}"):
        FaultPlan(**bad)


def test_fault_dice_names_servers_by_id_or_hostname():
    dice = FaultDice(FaultPlan(stall_servers=frozenset({"db-01"}), failed_launch_servers=frozenset({"s-1"})),
                     Seeded(0))
    assert dice.stall("s-9", "db-01") is not None
    assert dice.stall("s-9", "web-01") is None
    assert dice.launch_fails("s-1", "web-01", "mgnjob-1")
    assert not dice.launch_fails("s-2", "web-01", "mgnjob-1")


def test_validation_reports_every_problem_with_its_path():
    shape = load_service_model().operation_model("StartTest").input_shape
    problems = validate(shape, {"sourceServerIDs": ["s-123", 7], "tags": {"k": 3}})
    assert [p["name"] for p in problems] == ["sourceServerIDs[0]", "sourceServerIDs[0]", "sourceServerIDs[1]",
                                             "tags.k"]
    assert validate(shape, {}) == [{"name": "sourceServerIDs", "message": "is required"}]
    assert validate(shape, {"sourceServerIDs": ["s-0123456789abcdef0"]}) == []


@pytest.mark.parametrize("bad, message", [
    ({"os": "SOLARIS"}, "os must be one of"),
    ({"disks_gib": ()}, "disks_gib must list positive sizes"),
    ({"replication_speed_mib_s": 0}, "replication_speed_mib_s must be positive"),
    ({"source_server_id": "s-123"}, "source_server_id must be"),
    ({"aws_instance_id": "i-123"}, "aws_instance_id must be an EC2 instance id"),
    ({"aws_instance_id": "vm-0123456789abcdef0"}, "aws_instance_id must be an EC2 instance id"),
])
def test_add_source_server_names_the_bad_argument(bad, message):
    with pytest.raises(ValueError, match=message):
        MgnEmulator(clock=lambda: 0.0).add_source_server(hostname="web-01", **bad)


def test_add_source_server_keeps_a_given_id_and_refuses_a_duplicate():
    emu = MgnEmulator(clock=lambda: 0.0)
    assert emu.add_source_server(hostname="a", source_server_id="s-0123456789abcdef0") == "s-0123456789abcdef0"
    with pytest.raises(ValueError, match="already exists"):
        emu.add_source_server(hostname="b", source_server_id="s-0123456789abcdef0")
