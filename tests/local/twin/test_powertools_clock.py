"""Powertools' idempotency lock lapses on the twin's clock: a stage whose lock was left behind runs again once its
Lambda deadline has passed in virtual time, however little wall time went by (and never before)."""
from __future__ import annotations

import datetime

import boto3
import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyItemAlreadyExistsError
from aws_lambda_powertools.utilities.idempotency.persistence import base
from moto import mock_aws

from waveflow.local.twin.powertools_clock import PowertoolsClock

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
LAMBDA_TIMEOUT_MS = 300_000


@pytest.fixture
def virtual():
    now = [START]
    clock = PowertoolsClock()
    clock.install(lambda: now[0])
    yield now
    clock.uninstall()


def test_a_lock_left_in_progress_lapses_at_the_lambda_deadline_in_virtual_time(virtual):
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName="idem", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        layer = DynamoDBPersistenceLayer(table_name="idem", boto3_client=client)
        layer.configure(IdempotencyConfig(), function_name="stage")
        payload = {"migrationId": "m-1", "stage": "rollback"}
        layer.save_inprogress(payload, remaining_time_in_millis=LAMBDA_TIMEOUT_MS)  # the attempt that crashed
        virtual[0] += 299  # a retry before the deadline still meets the lock
        with pytest.raises(IdempotencyItemAlreadyExistsError):
            layer.save_inprogress(payload, remaining_time_in_millis=LAMBDA_TIMEOUT_MS)
        virtual[0] += 2  # past it: the retry takes the lock
        layer.save_inprogress(payload, remaining_time_in_millis=LAMBDA_TIMEOUT_MS)
        item = client.scan(TableName="idem")["Items"][0]
        assert int(item["in_progress_expiration"]["N"]) == int((START + 301) * 1000) + LAMBDA_TIMEOUT_MS


def test_the_real_module_comes_back_when_the_twin_goes_down():
    clock = PowertoolsClock()
    clock.install(lambda: START)
    assert base.dt.datetime.now().timestamp() == START
    assert base.dt.timedelta(seconds=1).total_seconds() == 1  # the rest is the datetime module's
    clock.uninstall()
    assert base.dt is datetime
