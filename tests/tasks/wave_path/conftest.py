"""Fixtures of the wave path's tests: the wave table, the wave's settings, and Step Functions served by the twin.

``step_functions`` is waveflow's interpreter with the twin's Step Functions API installed on the tasks' session,
so the starter's StartExecution and the gate's SendTaskSuccess/Failure go through unmodified boto3 clients to a
real execution engine; the tasks read the interpreter's clock. ``requested(n)`` stores PENDING records of wave 7,
one virtual second apart (so "oldest first" is well defined).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tasks.lib import aws
from tasks.lib.config import load_config
from tasks.lib.request import normalise_request
from tasks.lib.store import StatusStore
from tasks.lib.tables import WAVE_TABLE, create_table
from waveflow.compile import build
from waveflow.local.runtime import LocalRuntime
from waveflow.local.twin.stepfunctions import StepFunctionsApi

REPO = Path(__file__).resolve().parents[3]
WAVE_TABLE_NAME = "waveflow-waves"
MACHINE = "ServerMigration"
MACHINE_ARN = f"arn:aws:states:us-east-1:123456789012:stateMachine:{MACHINE}"
#: Stands in for ServerMigration where only starting matters: an execution that stays RUNNING for an hour.
HOLD = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}}}


@pytest.fixture
def wave_env(aws_env, monkeypatch) -> dict:
    settings = {"WAVEFLOW_WAVE_TABLE": WAVE_TABLE_NAME, "WAVEFLOW_MIGRATION_STATE_MACHINE_ARN": MACHINE_ARN,
                "WAVEFLOW_WAVE_CONCURRENCY": "2"}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    load_config.cache_clear()
    return settings


@pytest.fixture
def wave_table(aws_mock, wave_env) -> str:
    create_table(aws_mock.client("dynamodb"), WAVE_TABLE, WAVE_TABLE_NAME)
    return WAVE_TABLE_NAME


@dataclass
class StepFunctions:
    """The interpreter behind the tasks' ``stepfunctions`` client, and a client of the test's own."""

    runtime: LocalRuntime
    api: StepFunctionsApi
    client: object

    def executions(self) -> dict[str, object]:
        return {execution.name: execution for execution in self.runtime.executions.values()}


@pytest.fixture
def step_functions(aws_mock, wave_env, status_table, wave_table):
    runtime = LocalRuntime({}, boto_session=aws_mock, seed=1)
    runtime.register_state_machine(MACHINE, HOLD)
    api = StepFunctionsApi(runtime)
    api.install(aws_mock)
    aws.configure(aws_mock, clock=runtime.clock.now)
    yield StepFunctions(runtime, api, aws_mock.client("stepfunctions", region_name="us-east-1"))
    api.uninstall()


@pytest.fixture
def requested(step_functions, valid_request):
    """``requested(n, wave="7")``: n PENDING records of the wave, created a second apart, oldest first."""

    def create(n: int, wave: str = "7", first: int = 0) -> list[dict]:
        records = []
        for index in range(first, first + n):
            step_functions.runtime.clock.advance_to(step_functions.runtime.clock.now() + 1)
            request = {**valid_request, "sourceServerId": f"s-{index:017x}", "wave": wave}
            request.pop("migrationId", None)
            records.append(StatusStore().create(normalise_request(request))[0])
        return records

    return create


@pytest.fixture(scope="session")
def compiled_migration(tmp_path_factory) -> dict:
    """The shipped ServerMigration as the build writes it."""
    return json.loads(build(REPO, tmp_path_factory.mktemp("build"))["ServerMigration.asl.json"])
