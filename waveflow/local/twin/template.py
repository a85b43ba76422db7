"""``build/template.yaml`` -> ``stack.Stack``: the deployed stack, read from the very template CloudFormation gets.

Why the twin reads the template itself rather than deploying it into moto's CloudFormation: moto's CloudFormation
gives resources random names (its own random, per run), stores state machines with an empty definition, skips
secrets and queue policies, ignores TTL, point-in-time recovery and SSE, needs the Lambda code package in S3 and
spends seconds on roles, log groups and alarms nothing local uses. Reading the template gives every name,
setting, pattern, target and environment variable exactly as CloudFormation resolves them (``cfn``), named the
way CloudFormation names what a template leaves unnamed (``<stack>-<LogicalId>-<13 characters>``, the characters
drawn from the stack and logical ID, so a run repeats), and ``provision`` then creates the data plane through
boto3 with every property, those moto's CloudFormation drops included.

What is read, by resource type: SQS queues (their attributes and redrive policy), DynamoDB tables (all their
properties), EventBridge buses and rules (pattern, state, each target's input, retry policy and dead-letter
queue), SNS topics, Secrets Manager secrets (a ``GenerateSecretString`` secret gets a value drawn from the run's
seed), S3 buckets, Lambda functions (handler, environment, timeout, memory, dead-letter queue, with their
``EventInvokeConfig``), the SQS event source mapping (batch size, window, ``ReportBatchItemFailures``,
``ScalingConfig``) and the state machines (definition and ``DefinitionSubstitutions``). Resources only AWS's
control plane uses (roles, policies, log groups, alarms, the dashboard, the key, the API, VPC endpoints) are not
created: nothing in the twin reaches them at run time, and their ``Ref``/``GetAtt`` still resolve to the names
and ARNs CloudFormation would give, so the functions' environment reads as deployed. moto stores a KMS key ARN
given to a queue, table, topic, secret or bucket without checking it, and encrypts nothing.

    >>> stack = read_stack(Path("build/template.yaml").read_text(), parameters=LOCAL_PARAMETERS)  # doctest: +SKIP
    >>> stack.queue_url(stack.event_source_mappings[0].queue)                                    # doctest: +SKIP
    'https://sqs.us-east-1.amazonaws.com/123456789012/waveflow-local-MigrationQueue-...'
"""
from __future__ import annotations

import hashlib
import json
import random
import string
import uuid
from typing import Any, Callable, Mapping

from .cfn import Identity, Template, TemplateError
from .stack import EventSourceMapping, Function, Queue, Rule, Stack, StateMachine, Table, Target

STACK_NAME = "waveflow-local"
#: The template parameters of a local twin: no code package, no VPC, no e-mail, no CMF, no reservations.
LOCAL_PARAMETERS = {"Environment": "dev", "TasksCodeBucket": "waveflow-local-code", "TasksCodeKey": "tasks.zip",
                    "ReserveConcurrency": "false", "VpcSubnetIds": ""}
_QUEUE_ATTRIBUTES = ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
                     "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "FifoQueue",
                     "ContentBasedDeduplication")


def read_stack(text: str, *, parameters: Mapping[str, str] | None = None, stack_name: str = STACK_NAME,
               region: str = "us-east-1", account: str = "123456789012", seed: int = 0) -> Stack:
    """The stack a template deploys, with ``parameters`` (a template parameter left out takes its default)."""
    template = Template.parse(text, parameters=parameters, stack_name=stack_name, region=region, account=account)
    for logical_id, body in template.resources.items():
        template.identities[logical_id] = _identity(template, logical_id, body)
    return Stack(
        region=region, account=account,
        queues=tuple(_queue(template, q) for q in template.of_type("AWS::SQS::Queue")),
        tables=tuple(_table(template, t) for t in template.of_type("AWS::DynamoDB::Table")),
        buses=tuple(template.identities[b].ref for b in template.of_type("AWS::Events::EventBus")),
        rules=tuple(_rule(template, r) for r in template.of_type("AWS::Events::Rule")),
        topics=tuple(template.identities[t].attributes["TopicName"] for t in template.of_type("AWS::SNS::Topic")),
        secrets=dict(_secret(template, s, seed) for s in template.of_type("AWS::SecretsManager::Secret")),
        buckets=tuple(template.identities[b].ref for b in template.of_type("AWS::S3::Bucket")),
        functions=tuple(_function(template, f) for f in template.of_type("AWS::Lambda::Function")),
        event_source_mappings=tuple(_mapping(template, m)
                                    for m in template.of_type("AWS::Lambda::EventSourceMapping")),
        state_machines=tuple(_state_machine(template, s)
                             for s in template.of_type("AWS::StepFunctions::StateMachine")),
    )


# -- names and identities ---------------------------------------------------------------------------------------

def generated_name(stack_name: str, logical_id: str, limit: int = 80, lower: bool = False) -> str:
    """The name CloudFormation gives a resource the template leaves unnamed: ``<stack>-<LogicalId>-<13 chars>``,
    cut to the service's ``limit`` as CloudFormation cuts it (the stack and logical ID parts first)."""
    digest = hashlib.sha256(f"{stack_name}/{logical_id}".encode()).digest()
    alphabet = string.ascii_lowercase + string.digits if lower else string.ascii_uppercase + string.digits
    suffix = "".join(alphabet[byte % len(alphabet)] for byte in digest[:13])
    head = f"{stack_name}-{logical_id}"
    if lower:
        head = head.lower()
    return f"{head[:max(1, limit - len(suffix) - 1)]}-{suffix}"


def _name(t: Template, logical_id: str, prop: str, limit: int = 80, lower: bool = False) -> str:
    given = t.resolve((t.resources[logical_id].get("Properties") or {}).get(prop), f"{logical_id}.{prop}")
    return str(given) if given else generated_name(t.stack_name, logical_id, limit, lower)


def _arn(t: Template, service: str, resource: str, region: bool = True, account: bool = True) -> str:
    return f"arn:aws:{service}:{t.region if region else ''}:{t.account if account else ''}:{resource}"


def _identity(t: Template, logical_id: str, body: dict) -> Identity:
    kind = _IDENTITIES.get(body.get("Type", ""))
    if kind is None:
        name = generated_name(t.stack_name, logical_id)
        return Identity(name, {})
    return kind(t, logical_id)


def _queue_identity(t: Template, logical_id: str) -> Identity:
    name = _name(t, logical_id, "QueueName", 80)
    url = f"https://sqs.{t.region}.amazonaws.com/{t.account}/{name}"
    return Identity(url, {"Arn": _arn(t, "sqs", name), "QueueName": name, "QueueUrl": url})


def _named(service: str, prop: str, limit: int = 80, arn_of: Callable[[str], str] | None = None,
           ref_is_arn: bool = False, lower: bool = False, extra: Callable[[Template, str, str], dict] | None = None):
    """An identity whose name is ``prop`` (or generated) and whose ARN follows ``arn_of(name)``."""
    def identity(t: Template, logical_id: str) -> Identity:
        name = _name(t, logical_id, prop, limit, lower)
        arn = _arn(t, service, arn_of(name) if arn_of else name)
        attributes = {"Arn": arn, "Name": name, **(extra(t, name, arn) if extra else {})}
        return Identity(arn if ref_is_arn else name, attributes)
    return identity


def _secret_identity(t: Template, logical_id: str) -> Identity:
    """A secret's ARN ends in six characters Secrets Manager draws; here they come from the name, like the name."""
    name = _name(t, logical_id, "Name", 256)
    suffix = "".join(string.ascii_letters[b % 52] for b in hashlib.sha256(name.encode()).digest()[:6])
    arn = _arn(t, "secretsmanager", f"secret:{name}-{suffix}")
    return Identity(arn, {"Id": arn})


def _key_identity(t: Template, logical_id: str) -> Identity:
    key_id = str(uuid.UUID(bytes=hashlib.sha256(f"{t.stack_name}/{logical_id}".encode()).digest()[:16], version=4))
    return Identity(key_id, {"Arn": _arn(t, "kms", f"key/{key_id}"), "KeyId": key_id})


_IDENTITIES: dict[str, Callable[[Template, str], Identity]] = {
    "AWS::SQS::Queue": _queue_identity,
    "AWS::DynamoDB::Table": _named("dynamodb", "TableName", 255, lambda n: f"table/{n}",
                                   extra=lambda t, n, arn: {"StreamArn": f"{arn}/stream/1970-01-01T00:00:00.000"}),
    "AWS::Events::EventBus": _named("events", "Name", 256, lambda n: f"event-bus/{n}"),
    "AWS::SNS::Topic": _named("sns", "TopicName", 256, ref_is_arn=True,
                              extra=lambda t, n, arn: {"TopicArn": arn, "TopicName": n}),
    "AWS::SecretsManager::Secret": _secret_identity,
    "AWS::S3::Bucket": _named("s3", "BucketName", 63, lambda n: n, lower=True,
                              extra=lambda t, n, arn: {"Arn": f"arn:aws:s3:::{n}",
                                                       "DomainName": f"{n}.s3.amazonaws.com",
                                                       "RegionalDomainName": f"{n}.s3.{t.region}.amazonaws.com"}),
    "AWS::Lambda::Function": _named("lambda", "FunctionName", 64, lambda n: f"function:{n}"),
    "AWS::StepFunctions::StateMachine": _named("states", "StateMachineName", 80, lambda n: f"stateMachine:{n}",
                                               ref_is_arn=True),
    "AWS::KMS::Key": _key_identity,
    "AWS::IAM::Role": _named("iam", "RoleName", 64, lambda n: f"role/{n}",
                             extra=lambda t, n, arn: {"Arn": f"arn:aws:iam::{t.account}:role/{n}"}),
    "AWS::Logs::LogGroup": _named("logs", "LogGroupName", 512, lambda n: f"log-group:{n}:*"),
}


# -- resources --------------------------------------------------------------------------------------------------

def _name_of_arn(t: Template, arn: str | None, kind: str, where: str) -> str | None:
    """The queue (or function) name an ARN of the template names; an ARN outside the stack is an error."""
    if arn is None:
        return None
    for logical_id in t.of_type(kind):
        identity = t.identities[logical_id]
        if identity.attributes.get("Arn") == arn:
            return identity.attributes.get("QueueName") or identity.attributes.get("Name")
    raise TemplateError(f"{where}: {arn} is not a {kind} of this stack")


def _queue(t: Template, logical_id: str) -> Queue:
    props = t.properties(logical_id)
    redrive = props.get("RedrivePolicy") or {}
    if isinstance(redrive, str):
        redrive = json.loads(redrive)
    return Queue(
        name=t.identities[logical_id].attributes["QueueName"],
        visibility_timeout=int(props.get("VisibilityTimeout", 30)),
        dead_letter=_name_of_arn(t, redrive.get("deadLetterTargetArn"), "AWS::SQS::Queue",
                                 f"{logical_id}.RedrivePolicy"),
        max_receive_count=int(redrive["maxReceiveCount"]) if "maxReceiveCount" in redrive else None,
        attributes={key: _text(props[key]) for key in _QUEUE_ATTRIBUTES if key in props},
    )


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _table(t: Template, logical_id: str) -> Table:
    props = {key: value for key, value in t.properties(logical_id).items() if key != "TableName"}
    if isinstance(props.get("DeletionProtectionEnabled"), str):
        props["DeletionProtectionEnabled"] = props["DeletionProtectionEnabled"].lower() == "true"
    return Table(t.identities[logical_id].ref, props)


def _rule(t: Template, logical_id: str) -> Rule:
    props = t.properties(logical_id)
    pattern = props.get("EventPattern")
    if isinstance(pattern, str):
        pattern = json.loads(pattern)
    if not isinstance(pattern, dict):
        raise TemplateError(f"{logical_id}: a rule of the twin needs an EventPattern (schedules are not run)")
    bus = str(props.get("EventBusName") or "default").rpartition("/")[2]
    return Rule(t.identities[logical_id].ref, bus, pattern,
                tuple(_target(t, logical_id, target) for target in props.get("Targets") or ()),
                enabled=props.get("State", "ENABLED") == "ENABLED")


def _target(t: Template, rule: str, target: dict) -> Target:
    retry = target.get("RetryPolicy") or {}
    transformer = target.get("InputTransformer")
    return Target(
        id=target["Id"], arn=target["Arn"],
        input_transformer=dict(transformer) if transformer else None,
        input=target.get("Input"), input_path=target.get("InputPath"),
        dead_letter=_name_of_arn(t, (target.get("DeadLetterConfig") or {}).get("Arn"), "AWS::SQS::Queue",
                                 f"{rule}.Targets.{target['Id']}.DeadLetterConfig"),
        maximum_retry_attempts=int(retry.get("MaximumRetryAttempts", 185)),
        maximum_event_age=int(retry.get("MaximumEventAgeInSeconds", 86400)),
    )


def _secret(t: Template, logical_id: str, seed: int) -> tuple[str, str]:
    props = t.properties(logical_id)
    arn = t.identities[logical_id].ref
    if "SecretString" in props:
        return arn, str(props["SecretString"])
    spec = props.get("GenerateSecretString") or {}
    alphabet = string.ascii_letters + string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
    dice = random.Random(f"waveflow-secret/{seed}/{arn}")
    value = "".join(dice.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
    if "SecretStringTemplate" in spec:
        value = json.dumps({**json.loads(spec["SecretStringTemplate"]), spec["GenerateStringKey"]: value})
    return arn, value


def _function(t: Template, logical_id: str) -> Function:
    props = t.properties(logical_id)
    name = t.identities[logical_id].ref
    configs = [t.properties(c) for c in t.of_type("AWS::Lambda::EventInvokeConfig")]
    invoke = next((c for c in configs if c.get("FunctionName") in (name, t.identities[logical_id].attributes["Arn"])),
                  {})
    return Function(
        name=name, handler=props["Handler"],
        environment={key: str(value) for key, value in ((props.get("Environment") or {}).get("Variables")
                                                       or {}).items()},
        timeout=int(props.get("Timeout", 3)), memory=int(props.get("MemorySize", 128)),
        dead_letter=_name_of_arn(t, (props.get("DeadLetterConfig") or {}).get("TargetArn"), "AWS::SQS::Queue",
                                 f"{logical_id}.DeadLetterConfig"),
        async_retries=int(invoke.get("MaximumRetryAttempts", 2)),
    )


def _mapping(t: Template, logical_id: str) -> EventSourceMapping:
    props = t.properties(logical_id)
    function = str(props["FunctionName"]).rpartition(":")[2]
    queue = _name_of_arn(t, props["EventSourceArn"], "AWS::SQS::Queue", f"{logical_id}.EventSourceArn")
    scaling = props.get("ScalingConfig") or {}
    return EventSourceMapping(
        function=function, queue=queue, batch_size=int(props.get("BatchSize", 10)),
        batching_window=int(props.get("MaximumBatchingWindowInSeconds", 0)),
        report_batch_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or ()),
        maximum_concurrency=int(scaling["MaximumConcurrency"]) if "MaximumConcurrency" in scaling else None,
    )


def _state_machine(t: Template, logical_id: str) -> StateMachine:
    props = t.properties(logical_id)
    definition = props.get("Definition")
    if definition is None and "DefinitionString" in props:
        definition = json.loads(props["DefinitionString"])
    if not isinstance(definition, dict):
        raise TemplateError(f"{logical_id}: the twin reads a state machine's Definition or DefinitionString "
                            f"(not DefinitionS3Location)")
    substitutions = {key: str(value) for key, value in (props.get("DefinitionSubstitutions") or {}).items()}
    return StateMachine(t.identities[logical_id].attributes["Name"], definition, substitutions)
