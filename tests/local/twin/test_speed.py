"""moto's DynamoDB answers through the twin's faster parts (``waveflow.local.twin.speed``) and through moto's own."""
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


def _alike(conversation) -> list:
    """``conversation(client)`` through moto's own parts and through the twin's: the answers, which must agree."""
    with mock_aws():
        plain = conversation(boto3.Session(region_name=REGION).client("dynamodb"))
    with mock_aws(), faster_moto():
        fast = conversation(boto3.Session(region_name=REGION).client("dynamodb"))
    assert fast == plain
    return fast


def _table(client, name: str = "t", range_key: str | None = None) -> None:
    keys = [{"AttributeName": "migrationId", "KeyType": "HASH"}]
    attributes = [{"AttributeName": "migrationId", "AttributeType": "S"},
                  {"AttributeName": "wave", "AttributeType": "S"}]
    if range_key:
        keys.append({"AttributeName": range_key, "KeyType": "RANGE"})
        attributes.append({"AttributeName": range_key, "AttributeType": "S"})
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=keys, AttributeDefinitions=attributes,
                        GlobalSecondaryIndexes=[{"IndexName": "waveIndex", "Projection": {"ProjectionType": "ALL"},
                                                 "KeySchema": [{"AttributeName": "wave", "KeyType": "HASH"},
                                                               {"AttributeName": "migrationId", "KeyType": "RANGE"}]}])


def _answers(answers: list) -> list:
    return [{key: value for key, value in answer.items() if key != "ResponseMetadata"} for answer in answers]


def _scan(client, name: str = "t") -> list:
    return client.scan(TableName=name, ConsistentRead=True)["Items"]


def test_projections_of_nested_paths_list_elements_and_missing_attributes_answer_alike(fake_aws):
    def conversation(client):
        _table(client)
        for n in range(3):
            client.put_item(TableName="t", Item={**RECORD, "migrationId": {"S": f"m-{n}"}})
        paths = {"ProjectionExpression": "#d.validation.checks[1], history[0].#s, wave, #b, sizes, nope, #d.nope",
                 "ExpressionAttributeNames": {"#d": "details", "#s": "status", "#b": "blob"}}
        return _answers([
            client.get_item(TableName="t", Key={"migrationId": {"S": "m-1"}}, **paths),
            client.query(TableName="t", IndexName="waveIndex", KeyConditionExpression="wave = :w",
                         ExpressionAttributeValues={":w": {"S": "7"}}, **paths),
            client.query(TableName="t", IndexName="waveIndex", KeyConditionExpression="wave = :w",
                         FilterExpression="version > :v", ProjectionExpression="migrationId, #d",
                         ExpressionAttributeNames={"#d": "details"},
                         ExpressionAttributeValues={":w": {"S": "7"}, ":v": {"N": "1"}}, Limit=2),
            client.scan(TableName="t", ProjectionExpression="tags, #n, flag", ExpressionAttributeNames={"#n": "none"})])

    fast = _alike(conversation)
    assert fast[0]["Item"] == {"details": {"M": {"validation": {"M": {"checks": {"L": [{"N": "1"}]}}}}},
                               "history": {"L": [{"M": {"status": {"S": "PENDING"}}}]}, "wave": {"S": "7"},
                               "blob": {"B": b"\x00\x01"}, "sizes": {"NS": ["1", "2.5"]}}


def test_pages_end_where_the_sizes_of_updated_items_say_after_every_kind_of_update(fake_aws):
    """A query's page holds at most 1 MB of items: what moto measures, before and after items change in place."""
    def conversation(client):
        _table(client)
        for n in range(5):
            client.put_item(TableName="t", Item={"migrationId": {"S": f"m-{n}"}, "wave": {"S": "7"},
                                                 "filler": {"M": {"text": {"S": "x" * 300_000}}}})
        query = {"TableName": "t", "IndexName": "waveIndex", "KeyConditionExpression": "wave = :w",
                 "ExpressionAttributeValues": {":w": {"S": "7"}}, "ProjectionExpression": "migrationId"}

        def pages() -> list:
            found = [client.query(**query)]
            while "LastEvaluatedKey" in found[-1]:
                found.append(client.query(**query, ExclusiveStartKey=found[-1]["LastEvaluatedKey"]))
            return [[item["migrationId"]["S"] for item in page["Items"]] for page in found]
        answers = [pages()]
        client.update_item(TableName="t", Key={"migrationId": {"S": "m-0"}}, UpdateExpression="SET filler.#t = :s",
                           ExpressionAttributeNames={"#t": "text"}, ExpressionAttributeValues={":s": {"S": "x"}})
        answers.append(pages())
        client.transact_write_items(TransactItems=[{"Update": {
            "TableName": "t", "Key": {"migrationId": {"S": "m-1"}}, "UpdateExpression": "REMOVE filler"}}])
        answers.append(pages())
        try:
            client.update_item(TableName="t", Key={"migrationId": {"S": "m-2"}}, UpdateExpression="SET more = :s",
                               ExpressionAttributeValues={":s": {"S": "y" * 120_000}})
        except client.exceptions.ClientError as exc:
            answers.append(exc.response["Error"]["Code"])
        answers.append(pages())
        client.update_item(TableName="t", Key={"migrationId": {"S": "m-3"}}, UpdateExpression="SET filler = :p",
                           ConditionExpression="attribute_exists(filler)",
                           ExpressionAttributeValues={":p": {"M": {"text": {"S": "z" * 10}}}})
        answers.append(pages())
        return answers

    fast = _alike(conversation)
    everyone = [["m-0", "m-1", "m-2", "m-3", "m-4"]]
    assert fast == [[["m-0", "m-1", "m-2"], ["m-3", "m-4"]], [["m-0", "m-1", "m-2", "m-3"], ["m-4"]], everyone,
                    "ValidationException", everyone, everyone]


def test_a_refused_transaction_leaves_every_table_as_it_was_and_a_kept_one_changes_them(fake_aws):
    def conversation(client):
        _table(client)
        _table(client, "ranged", range_key="part")
        client.put_item(TableName="t", Item={**RECORD, "migrationId": {"S": "m-1"}})
        client.put_item(TableName="ranged", Item={"migrationId": {"S": "m-1"}, "part": {"S": "a"}, "wave": {"S": "7"}})
        changes = [
            {"Put": {"TableName": "t", "Item": {"migrationId": {"S": "m-2"}, "wave": {"S": "7"}}}},
            {"Update": {"TableName": "t", "Key": {"migrationId": {"S": "m-1"}}, "UpdateExpression": "SET version = :v",
                        "ExpressionAttributeValues": {":v": {"N": "9"}}}},
            {"Put": {"TableName": "ranged",
                     "Item": {"migrationId": {"S": "m-9"}, "part": {"S": "b"}, "wave": {"S": "7"}}}},
            {"Delete": {"TableName": "ranged", "Key": {"migrationId": {"S": "m-1"}, "part": {"S": "a"}}}}]
        refusing = {"ConditionCheck": {"TableName": "t", "Key": {"migrationId": {"S": "m-3"}},
                                       "ConditionExpression": "attribute_exists(migrationId)"}}
        answers = []
        for transaction in (changes + [refusing], changes[:1] + changes[:1], changes):
            try:
                answers.append(client.transact_write_items(TransactItems=transaction))
            except client.exceptions.ClientError as exc:
                answers.append(exc.response["Error"])
            answers.append({"t": _scan(client), "ranged": _scan(client, "ranged")})
        return _answers(answers)

    fast = _alike(conversation)
    assert fast[0]["Code"] == "TransactionCanceledException"
    assert {item["migrationId"]["S"] for item in fast[1]["t"]} == {"m-1"}
    assert {item["migrationId"]["S"] for item in fast[5]["t"]} == {"m-1", "m-2"}


def test_items_are_not_kept_after_their_last_use(fake_aws):
    from moto.dynamodb.models.dynamo_type import Item

    with mock_aws(), faster_moto():
        _conversation(boto3.Session(region_name=REGION).client("dynamodb"))
        assert len(Item.instances_tracked) == 0
