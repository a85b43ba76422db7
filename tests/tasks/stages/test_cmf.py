"""The Cloud Migration Factory client against the local CMF stand-in."""

from __future__ import annotations

import json

import pytest
from stage_pipeline import record_of
from stage_standins import loopback_poster

from tasks.lib import http
from tasks.lib.cmf import CmfClient, CmfCredentials, cmf_client, report_status
from tasks.lib.config import load_config
from tasks.lib.errors import CallbackRejected, ConfigError
from tasks.lib.status import Status

HOST = "billing-01.corp.example.com"


@pytest.fixture
def cmf_on(aws_mock, cmf, certificate, monkeypatch):
    """CMF integration switched on: the secret in Secrets Manager, the loopback poster configured."""
    secret = {"endpoint": cmf.endpoint, "username": "waveflow", "password": "pw"}
    aws_mock.client("secretsmanager").create_secret(Name="waveflow/cmf", SecretString=json.dumps(secret))
    monkeypatch.setenv("WAVEFLOW_CMF_SECRET_ID", "waveflow/cmf")
    load_config.cache_clear()
    http.configure(loopback_poster(certificate))
    yield cmf
    http.configure()


def test_cmf_is_off_without_its_secret_id(aws_mock):
    assert cmf_client() is None
    assert report_status({"sourceServerId": "s-1", "source": {"hostname": HOST}}, Status.SUCCESS) == {
        "updated": False,
        "reason": "CMF integration is off",
    }


def test_status_update_logs_in_finds_the_server_and_sets_its_status(cmf_on):
    server = cmf_on.add_server("42", HOST.upper())
    outcome = report_status({"sourceServerId": "s-1", "source": {"hostname": HOST}}, Status.MIGRATION_IN_PROGRESS)
    assert outcome == {"updated": True, "status": "Replication started", "serverId": "42"}
    assert server.history == ["Replication started"]
    assert [(r.method, r.path) for r in cmf_on.received] == [
        ("POST", "/prod/login"),
        ("GET", "/prod/user/servers"),
        ("PUT", "/prod/user/servers/42"),
    ]


def test_unknown_server_is_recorded_not_raised(cmf_on):
    outcome = report_status({"sourceServerId": "s-1", "source": {"hostname": "nobody"}}, Status.SUCCESS)
    assert outcome["updated"] is False and "no server named 'nobody'" in outcome["error"]
    assert [r.method for r in cmf_on.received] == ["POST", "GET"]


def test_bad_credentials_are_a_rejected_update(cmf_on, certificate):
    cmf_on.add_server("7", HOST)
    client = CmfClient(CmfCredentials(cmf_on.endpoint, "waveflow", "wrong"), loopback_poster(certificate))
    with pytest.raises(CallbackRejected, match="HTTP 401"):
        client.update_server_status(HOST, "Cutover - Completed")


@pytest.mark.parametrize(
    "secret, missing",
    [("{}", "endpoint, username, password"), ('{"endpoint": "https://x"}', "username, password"), ("nope", "not JSON")],
)
def test_a_broken_cmf_secret_is_a_config_error_naming_the_problem(secret, missing):
    with pytest.raises(ConfigError, match=missing):
        CmfCredentials.from_secret("waveflow/cmf", secret)


def test_a_cmf_answering_html_is_recorded_not_raised(cmf_on):
    cmf_on.add_server("42", HOST)
    cmf_on.answer = lambda request: (200, b"<html>down for maintenance</html>")  # a proxy in front of CMF
    outcome = report_status({"sourceServerId": "s-1", "source": {"hostname": HOST}}, Status.SUCCESS)
    assert outcome["updated"] is False and outcome["error"].startswith("JSONDecodeError")


def test_an_unreadable_cmf_secret_does_not_fail_the_stage_and_is_counted(pipeline, monkeypatch, capsys):
    monkeypatch.setenv("WAVEFLOW_CMF_SECRET_ID", "waveflow/does-not-exist")
    load_config.cache_clear()
    document = pipeline.through("trigger")
    cmf = document["mgn"]["cmf"]
    assert cmf["updated"] is False and cmf["error"].startswith("ConfigError: secret waveflow/does-not-exist")
    assert "ResourceNotFoundException" in cmf["error"]
    assert '"CmfUpdateFailures":[1.0]' in capsys.readouterr().out
    assert record_of(document)["status"] == "MIGRATION_IN_PROGRESS"
