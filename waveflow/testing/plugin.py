"""The pytest plugin (entry point ``pytest11: waveflow``): workflow tests are ordinary pytest tests.

    def test_the_migration_rolls_back_a_failed_launch(waveflow, waveflow_build):
        waveflow.build = waveflow_build
        execution = waveflow.execute("ServerMigration", REQUEST, mock_config=MOCKS, test_case="LaunchFails")
        assert execution.error == "LaunchFailed"
        assert "RollbackHandler" in execution.history.states_entered()

Fixtures: ``waveflow`` (a fresh ``Harness``, build folder ``build/`` of the current directory, seed 0) and
``waveflow_build`` (the project built once per session into a temporary folder, for tests that must not depend on a
stale ``build/``). Options: ``--waveflow-build DIR`` (the folder ``waveflow`` reads), ``--waveflow-seed N``.
"""
from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("waveflow")
    group.addoption("--waveflow-build", default="build", help="Build folder the waveflow fixture reads.")
    group.addoption("--waveflow-seed", type=int, default=0, help="Seed of the waveflow fixture's runtime.")


@pytest.fixture
def waveflow(request):
    """A ``waveflow.testing.harness.Harness`` on a fresh virtual clock."""
    from .harness import Harness
    return Harness(Path(request.config.getoption("--waveflow-build")), request.config.getoption("--waveflow-seed"))


@pytest.fixture(scope="session")
def waveflow_build(tmp_path_factory):
    """The project (``workflows/`` of the current directory) built into a temporary folder, once per session."""
    from ..compile import build
    out = tmp_path_factory.mktemp("waveflow-build")
    build(Path.cwd(), out)
    return out
