"""moto's DynamoDB answers are the same through the twin's faster serializer as through moto's own."""
from __future__ import annotations

import boto3
from moto import mock_aws
from twin_stacks import REGION

from waveflow.local.twin.speed import faster_moto

RECORD = {"migrationId": {"S": "m-1"}, "version": {"N": "3"}, "flag": {"BOOL": True}, "none": {"NULL": True},
          "tags": {"SS": ["a", "b"]}, "sizes": {"NS": ["1", "2.5"]}, "blob": {"B": b"\x00\x01"},
          "details": {"M": {"validation": {"M": {"ok": {"BOOL": True}, "checks": {"L": [{"S": "x"}, {"N": "1"}]}}}}},
          "history": {"L": [{"M": {"status": {"S": "PENDING"}, "at": {"S": "2026-01-01T00:00:00.000Z"}}}]},
          "wave": {"S": "7"}}


def _conversation(client) -> list:
    """Every item operation the tasks use, errors included, with the answers as botocore parsed them."""
    client.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "migrationId", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "migrationId", "AttributeType": "S"},
                                              {"AttributeName": "wave", "AttributeType": "S"}],
                        GlobalSecondaryIndexes=[{"IndexName": "waveIndex", "Projection": {"ProjectionType": "ALL"},
                                                 "KeySchema": [{"AttributeName": "wave", "KeyType": "HASH"}]}])
    answers = [client.put_item(TableName="t", Item=RECORD, ReturnConsumedCapacity="TOTAL"),
               client.get_item(TableName="t", Key={"migrationId": {"S": "m-1"}}, ConsistentRead=True),
               client.get_item(TableName="t", Key={"migrationId": {"S": "m-1"}}, ProjectionExpression="wave, tags"),
               client.update_item(TableName="t", Key={"migrationId": {"S": "m-1"}}, ReturnValues="ALL_NEW",
                                  UpdateExpression="SET version = version + :one ADD tags :c",
                                  ExpressionAttributeValues={":one": {"N": "1"}, ":c": {"SS": ["c"]}}),
               client.query(TableName="t", IndexName="waveIndex", KeyConditionExpression="wave = :w",
                            ExpressionAttributeValues={":w": {"S": "7"}}),
               client.scan(TableName="t", Limit=1),
               client.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": {
                   **RECORD, "migrationId": {"S": "m-2"}}}}]),
               client.batch_get_item(RequestItems={"t": {"Keys": [{"migrationId": {"S": "m-2"}}]}})]
    for refused in (lambda: client.update_item(TableName="t", Key={"migrationId": {"S": "m-1"}},
                                               UpdateExpression="SET wave = :w", ConditionExpression="version = :v",
                                               ExpressionAttributeValues={":w": {"S": "8"}, ":v": {"N": "99"}},
                                               ReturnValuesOnConditionCheckFailure="ALL_OLD"),
                    lambda: client.transact_write_items(TransactItems=[{"Put": {
                        "TableName": "t", "Item": RECORD, "ConditionExpression": "attribute_not_exists(migrationId)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}])):
        try:
            refused()
        except client.exceptions.ClientError as exc:
            answers.append({key: value for key, value in exc.response.items() if key != "ResponseMetadata"})
    return [{key: value for key, value in answer.items() if key != "ResponseMetadata"} for answer in answers]


def test_every_item_operation_answers_as_through_motos_own_serializer(fake_aws):
    with mock_aws():
        plain = _conversation(boto3.Session(region_name=REGION).client("dynamodb"))
    with mock_aws(), faster_moto():
        fast = _conversation(boto3.Session(region_name=REGION).client("dynamodb"))
    assert fast == plain
    assert fast[1]["Item"]["details"]["M"]["validation"]["M"]["checks"]["L"] == [{"S": "x"}, {"N": "1"}]
    assert len(plain) == 10
