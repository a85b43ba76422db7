"""The meter counts real boto3 calls (into moto) in AWS's billing units."""
import boto3
import pytest
from moto import mock_aws

from waveflow.run.metering import Meter


@pytest.fixture
def metered(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        meter = Meter()
        meter.install(session)
        yield session, meter


def test_queue_bus_and_topic_requests_are_counted_in_64_kb_chunks(metered):
    session, meter = metered
    sqs, events, sns = session.client("sqs"), session.client("events"), session.client("sns")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x" * 100_000)                        # two 64 KB chunks
    sqs.receive_message(QueueUrl=url)
    events.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}"}] * 3)
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.publish(TopicArn=topic, Message="hello")

    usage = meter.usage()
    assert meter.calls["sqs.SendMessage"] == 1 and meter.calls["sns.CreateTopic"] == 1
    assert usage["sqs_requests"] == 1 + 2 + 1  # create, send (2 chunks), receive
    assert usage["eventbridge_events"] == 3
    assert usage["sns_publishes"] == 1


def test_secrets_and_kms_calls_are_counted_one_each_and_other_services_not_at_all(metered):
    session, meter = metered
    secrets, kms, dynamodb = session.client("secretsmanager"), session.client("kms"), session.client("dynamodb")
    secrets.create_secret(Name="callback", SecretString="s")
    secrets.get_secret_value(SecretId="callback")
    kms.create_key()
    dynamodb.list_tables()

    assert meter.usage() == {"secrets_api_calls": 2, "kms_requests": 1}
    assert "dynamodb.ListTables" not in meter.calls
