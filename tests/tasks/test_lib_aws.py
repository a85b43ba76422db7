"""The tasks' AWS factory: the account is asked of STS once per process (a Lambda cold start), not per call; a
client's paginators and waiters are built once."""

from __future__ import annotations

from tasks.lib import aws


def _counted_caller_identity() -> list[int]:
    calls: list[int] = []
    aws.client("sts").meta.events.register("before-call.sts.GetCallerIdentity", lambda **_: calls.append(1))
    return calls


def test_the_account_is_asked_once_and_again_after_the_session_changes(aws_mock):
    calls = _counted_caller_identity()
    assert aws.account_id() == aws.account_id() == aws_mock.client("sts").get_caller_identity()["Account"]
    assert len(calls) == 1
    aws.configure(aws_mock)
    calls = _counted_caller_identity()
    aws.account_id()
    assert len(calls) == 1


def test_paginators_and_waiters_are_built_once_per_client_and_page_as_botocore_does(aws_mock):
    dynamodb, ssm = aws.client("dynamodb"), aws.client("ssm")
    query = aws.paginator(dynamodb, "query")
    assert aws.paginator(dynamodb, "query") is query
    assert aws.waiter(ssm, "command_executed") is aws.waiter(ssm, "command_executed")
    other = aws_mock.client("dynamodb")
    assert aws.paginator(other, "query") is not query  # bound to its own client
    dynamodb.create_table(TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    dynamodb.put_item(TableName="t", Item={"k": {"S": "a"}})
    pages = list(query.paginate(TableName="t", KeyConditionExpression="k = :k",
                                ExpressionAttributeValues={":k": {"S": "a"}}))
    assert [item["k"]["S"] for page in pages for item in page["Items"]] == ["a"]
