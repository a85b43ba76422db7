"""Fixtures of the twin's tests: fake credentials, a moto account, and the test handlers' records."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
from twin_stacks import REGION

from tasks.lib import aws, http
from tasks.lib.config import load_config

PROCESS_ENV = {
    "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing", "AWS_MAX_ATTEMPTS": "1", "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


@pytest.fixture(scope="module")
def fake_aws():
    """Fake credentials for the module, nothing from the machine's AWS configuration; caches emptied after."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            patch.delenv(name, raising=False)
        for name, value in PROCESS_ENV.items():
            patch.setenv(name, value)
        yield
    load_config.cache_clear()
    aws.configure()
    http.configure()


@pytest.fixture
def moto_session(fake_aws):
    """A fresh session inside ``mock_aws``: the twin's hooks go on it and leave with it."""
    with mock_aws():
        yield boto3.Session(region_name=REGION)



@pytest.fixture
def handler_calls():
    import twin_handlers

    twin_handlers.CALLS.clear()
    twin_handlers.FAILURES.clear()
    yield twin_handlers
    twin_handlers.CALLS.clear()
    twin_handlers.FAILURES.clear()
