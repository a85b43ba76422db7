"""What the twin creates in moto from the stack's description: the settings named there, nothing dropped."""

from __future__ import annotations

import json

import pytest
from twin_stacks import hand_stack

from waveflow.local.twin.provision import create_table, provision
from waveflow.local.twin.stack import Table


def test_the_described_stack_exists_in_moto_with_its_settings(moto_session):
    stack = hand_stack({"functions": {}}, {})
    provision(stack, moto_session)

    sqs = moto_session.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=stack.queue_url("waveflow-requests"),
                                          AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "1800"
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": stack.queue_arn("waveflow-requests-dlq"),
                                                       "maxReceiveCount": 3}
    dynamodb = moto_session.client("dynamodb")
    status = dynamodb.describe_table(TableName="waveflow-status")["Table"]
    assert sorted(i["IndexName"] for i in status["GlobalSecondaryIndexes"]) == ["appNameIndex", "statusIndex",
                                                                                "waveIndex"]
    assert dynamodb.describe_time_to_live(TableName="waveflow-status")["TimeToLiveDescription"][
        "AttributeName"] == "ttl"
    events = moto_session.client("events")
    rule = events.describe_rule(Name="StartMigrationRule", EventBusName="waveflow-bus")
    assert json.loads(rule["EventPattern"])["detail-type"] == ["MigrationRequested"]
    assert moto_session.client("secretsmanager").get_secret_value(SecretId="waveflow/callback")["SecretString"]
    assert moto_session.client("s3").head_bucket(Bucket="waveflow-payloads")


def test_a_table_property_the_twin_does_not_know_is_refused_by_name(moto_session):
    table = Table("t", {"KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
                        "BillingMode": "PAY_PER_REQUEST", "KinesisStreamSpecification": {"StreamArn": "x"}})
    with pytest.raises(ValueError, match="table t: the local twin does not know the properties "
                                         "KinesisStreamSpecification"):
        create_table(moto_session.client("dynamodb"), table)
