"""TriggerMigration: confirm or start replication, record MGN's view, tell CMF."""

from __future__ import annotations

import json

import pytest
from stage_pipeline import HOSTNAME, SERVER_ID, SimulatedCrash, calls, record_of

from tasks import trigger_migration
from tasks.lib.config import load_config
from tasks.lib.errors import IllegalTransition


def test_running_replication_is_confirmed_not_restarted(pipeline, emulator, infra):
    document = pipeline.through("trigger")
    assert document["mgn"]["replicationStarted"] is False
    assert document["mgn"]["replicationState"] in ("INITIATING", "INITIAL_SYNC")
    assert document["mgn"]["cmf"] == {"updated": False, "reason": "CMF integration is off"}
    assert record_of(document)["status"] == "MIGRATION_IN_PROGRESS"
    assert calls(emulator, "StartReplication") == 0


def test_stopped_replication_is_started_once_even_after_a_crash(pipeline, emulator, aws_mock, crash_after):
    pipeline.through("prepare")
    aws_mock.client("mgn").stop_replication(sourceServerID=SERVER_ID)
    crash_after("mgn", "StartReplication")
    with pytest.raises(SimulatedCrash):
        pipeline.run(trigger_migration.handler)
    document = pipeline.run(trigger_migration.handler)
    assert calls(emulator, "StartReplication") == 1
    assert document["mgn"]["replicationState"] == "INITIATING"
    assert record_of(document)["status"] == "MIGRATION_IN_PROGRESS"


def test_same_input_twice_triggers_once(pipeline, emulator, infra):
    pipeline.through("trigger")
    infra.events.events()
    pipeline.run(trigger_migration.handler)
    assert calls(emulator, "DescribeSourceServers") == 3  # validate, prepare, trigger: the rerun asked nothing
    assert infra.events.events() == []


def test_trigger_updates_cmf(pipeline, cmf, aws_mock, monkeypatch):
    cmf.add_server("17", HOSTNAME)
    secret = {"endpoint": cmf.endpoint, "username": "waveflow", "password": "pw"}
    aws_mock.client("secretsmanager").create_secret(Name="waveflow/cmf", SecretString=json.dumps(secret))
    monkeypatch.setenv("WAVEFLOW_CMF_SECRET_ID", "waveflow/cmf")
    load_config.cache_clear()
    document = pipeline.through("trigger")
    assert document["mgn"]["cmf"] == {"updated": True, "status": "Replication started", "serverId": "17"}
    assert cmf.servers["17"].history == ["Replication started"]


def test_trigger_before_preparation_is_refused_and_touches_nothing(pipeline, emulator):
    pipeline.through("validate")
    with pytest.raises(IllegalTransition, match="in status VALIDATED"):
        pipeline.run(trigger_migration.handler)
    assert record_of(pipeline.document)["status"] == "VALIDATED"
    assert calls(emulator, "DescribeSourceServers") == 1
