"""Creating a stack's data plane in moto through the AWS APIs: queues, tables, buses, rules, topics, secrets, buckets.

Functions and state machines are not created in moto: the twin runs them in-process (``functions``, the
interpreter). A table's CloudFormation properties are turned into the CreateTable call and the follow-up calls
CloudFormation makes (TTL, point-in-time recovery); a property the twin does not know is refused by name rather
than dropped, so the local tables never silently differ from the deployed ones.
"""
from __future__ import annotations

import json
from typing import Any

from moto.secretsmanager.utils import SecretsManagerSecretIdentifier
from moto.utilities.id_generator import moto_id_manager

from .stack import Stack, Table

#: CloudFormation table properties passed to CreateTable as they are.
_AS_IS = ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "BillingMode",
          "ProvisionedThroughput", "DeletionProtectionEnabled", "Tags", "TableClass")


def provision(stack: Stack, session) -> None:
    """Create every data-plane resource of ``stack`` through ``session`` (inside ``mock_aws``)."""
    _queues(stack, session.client("sqs", region_name=stack.region))
    dynamodb = session.client("dynamodb", region_name=stack.region)
    for table in stack.tables:
        create_table(dynamodb, table)
    _events(stack, session.client("events", region_name=stack.region))
    sns = session.client("sns", region_name=stack.region)
    for topic in stack.topics:
        sns.create_topic(Name=topic)
    secrets = session.client("secretsmanager", region_name=stack.region)
    for name_or_arn, value in stack.secrets.items():
        create_secret(secrets, stack, name_or_arn, value)
    s3 = session.client("s3", region_name=stack.region)
    for bucket in stack.buckets:
        location = {} if stack.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint":
                                                                                         stack.region}}
        s3.create_bucket(Bucket=bucket, **location)


def create_secret(secrets, stack: Stack, name_or_arn: str, value: str) -> None:
    """CreateSecret; a secret named by its ARN keeps the ARN's last six characters (which Secrets Manager draws
    itself) through moto's custom-ID registry, so the ARN the functions are given names it."""
    if not name_or_arn.startswith("arn:"):
        secrets.create_secret(Name=name_or_arn, SecretString=value)
        return
    name, _, suffix = name_or_arn.split(":secret:", 1)[1].rpartition("-")
    identifier = SecretsManagerSecretIdentifier(stack.account, stack.region, name)
    moto_id_manager.set_custom_id(identifier, suffix)
    try:
        secrets.create_secret(Name=name, SecretString=value)
    finally:
        moto_id_manager.unset_custom_id(identifier)


def _queues(stack: Stack, sqs) -> None:
    """Dead-letter queues first, so every redrive policy names a queue that exists."""
    ordered = sorted(stack.queues, key=lambda queue: queue.dead_letter is not None)
    for queue in ordered:
        attributes = {"VisibilityTimeout": str(queue.visibility_timeout), **queue.attributes}
        if queue.dead_letter is not None:
            stack.queue(queue.dead_letter)  # a redrive policy naming an undeclared queue is an error
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": stack.queue_arn(queue.dead_letter),
                                                      "maxReceiveCount": queue.max_receive_count or 1})
        sqs.create_queue(QueueName=queue.name, Attributes=attributes)


def _events(stack: Stack, events) -> None:
    for bus in stack.buses:
        if bus != "default":
            events.create_event_bus(Name=bus)
    for rule in stack.rules:
        events.put_rule(Name=rule.name, EventBusName=rule.bus, EventPattern=json.dumps(rule.event_pattern),
                        State="ENABLED" if rule.enabled else "DISABLED")
        targets = [{"Id": target.id, "Arn": target.arn} for target in rule.targets]
        events.put_targets(Rule=rule.name, EventBusName=rule.bus, Targets=targets)


def create_table(dynamodb, table: Table) -> None:
    """CreateTable (and UpdateTimeToLive, UpdateContinuousBackups) for a table's CloudFormation properties."""
    properties = dict(table.properties)
    unknown = sorted(set(properties) - set(_AS_IS) - {"SSESpecification", "StreamSpecification",
                                                      "TimeToLiveSpecification",
                                                      "PointInTimeRecoverySpecification"})
    if unknown:
        raise ValueError(f"table {table.name}: the local twin does not know the properties {', '.join(unknown)}")
    request: dict[str, Any] = {key: properties[key] for key in _AS_IS if key in properties}
    if "SSESpecification" in properties:
        sse = properties["SSESpecification"]
        request["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled")),
                                       **{k: sse[k] for k in ("SSEType", "KMSMasterKeyId") if k in sse}}
    if "StreamSpecification" in properties:
        request["StreamSpecification"] = {"StreamEnabled": True, **properties["StreamSpecification"]}
    dynamodb.create_table(TableName=table.name, **request)
    if "TimeToLiveSpecification" in properties:
        dynamodb.update_time_to_live(TableName=table.name,
                                     TimeToLiveSpecification=properties["TimeToLiveSpecification"])
    recovery = properties.get("PointInTimeRecoverySpecification")
    if recovery:
        dynamodb.update_continuous_backups(TableName=table.name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": bool(recovery.get("PointInTimeRecoveryEnabled"))})
