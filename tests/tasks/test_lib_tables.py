"""The table shapes in tasks/lib/schemas/tables.json, as created in moto and as Powertools expects them."""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from tasks.lib.tables import IDEMPOTENCY_TABLE, STATUS_TABLE, table_properties


def test_the_status_table_has_its_key_indexes_and_ttl(infra):
    client = infra.session.client("dynamodb")
    table = client.describe_table(TableName=infra.status_table)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "migrationId", "KeyType": "HASH"}]
    indexes = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]] for i in table["GlobalSecondaryIndexes"]}
    assert indexes == {
        "statusIndex": ["status", "updatedAt"],
        "waveIndex": ["wave", "migrationId"],
        "appNameIndex": ["appName", "migrationId"],
    }
    ttl = client.describe_time_to_live(TableName=infra.status_table)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "ttl")


def test_the_idempotency_table_has_powertools_default_names():
    properties = table_properties(IDEMPOTENCY_TABLE)
    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert properties["TimeToLiveSpecification"]["AttributeName"] == "expiration"


def test_table_properties_are_a_fresh_copy():
    table_properties(STATUS_TABLE)["KeySchema"].clear()
    assert table_properties(STATUS_TABLE)["KeySchema"]


def test_powertools_idempotency_works_on_the_idempotency_table(infra, lambda_context):
    calls = []
    persistence = DynamoDBPersistenceLayer(table_name=infra.idempotency_table, boto3_session=infra.session)
    config = IdempotencyConfig(event_key_jmespath="migrationId")
    config.register_lambda_context(lambda_context)

    @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)
    def once(request: dict) -> dict:
        calls.append(request["migrationId"])
        return {"seen": request["migrationId"]}

    assert once(request={"migrationId": "m-1"}) == once(request={"migrationId": "m-1"}) == {"seen": "m-1"}
    assert calls == ["m-1"]
