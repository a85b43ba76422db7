"""Every Lambda function of the stack: what its role may do, how big it is, how many may run at once.

This is the one place a function's permissions are declared. Keys are logical function names — those the build
derives from workflow handlers (``build/manifest.json``) and those of :mod:`waveflow.stack.entrypoints`. A grant
names what it allows on: a resource of :data:`waveflow.stack.resources.RESOURCES`, an ARN pattern (``Fn::Sub``
text), or ``*`` — only where the AWS API accepts nothing narrower, and then ``why`` says so. No action is ever a
wildcard. The template renders each entry as the function's own role; ``tests/tasks`` record every AWS call the
handlers make and fail any call the handler's role here does not allow.

Every role also gets what running at all needs (its log group, X-Ray, the stack key, its async DLQ, and the
network interfaces when the stack places functions in a VPC); see ``templates/functions.yaml.j2``.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Grant:
    """``actions`` allowed on ``on`` (resource names, ARN patterns or ``*``); ``why`` is required for ``*``."""

    actions: tuple[str, ...]
    on: tuple[str, ...]
    why: str = ""
    #: Extra IAM condition block, e.g. ``{"StringEquals": {"ec2:CreateAction": "CreateSnapshot"}}``.
    condition: dict | None = None


@dataclass(frozen=True)
class FunctionSpec:
    """One function: its grants, its timeout and memory, and the concurrency reserved for it (0: none)."""

    grants: tuple[Grant, ...]
    timeout: int = 60
    memory: int = 256
    #: Reserved concurrency, where it protects a dependency (MGN's API rate, the wave's slots); applied when the
    #: stack's ``ReserveConcurrency`` parameter is true (new accounts have too little concurrency to reserve).
    reserve: int = 0
    #: Why this much, or — for ``reserve=0`` — why none (the reason checkov's CKV_AWS_115 is skipped).
    why_reserve: str = ""


def _arn(pattern: str) -> str:
    return f"arn:${{AWS::Partition}}:{pattern}"


SOURCE_SERVERS = _arn("mgn:${AWS::Region}:${AWS::AccountId}:source-server/*")
MGN_JOBS = _arn("mgn:${AWS::Region}:${AWS::AccountId}:job/*")
INSTANCES = _arn("ec2:${AWS::Region}:${AWS::AccountId}:instance/*")
MANAGED_INSTANCES = _arn("ssm:${AWS::Region}:${AWS::AccountId}:managed-instance/*")
RUN_DOCUMENTS = (_arn("ssm:${AWS::Region}::document/AWS-RunShellScript"),
                 _arn("ssm:${AWS::Region}::document/AWS-RunPowerShellScript"))
HOSTED_ZONES = _arn("route53:::hostedzone/*")

# -- what groups of functions share ------------------------------------------------------------------------------
#: A stage reads and moves the status record and announces each move on the bus.
STAGE = (Grant(("dynamodb:GetItem", "dynamodb:UpdateItem"), ("StatusTable",)),
         Grant(("events:PutEvents",), ("EventBus",)))
#: Stages with side effects run through Powertools idempotency on its table.
IDEMPOTENT = (Grant(("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
                    ("IdempotencyTable",)),)
MGN_DESCRIBE = Grant(("mgn:DescribeSourceServers", "mgn:DescribeJobs"), ("*",),
                     why="MGN's Describe* operations are list calls that accept no resource ARN")
EC2_DESCRIBE = "EC2's Describe* operations accept no resource ARN"
SSM_CHECK = (Grant(("ssm:SendCommand",), (*RUN_DOCUMENTS, INSTANCES, MANAGED_INSTANCES)),
             Grant(("ssm:GetCommandInvocation",), ("*",),
                   why="SSM's GetCommandInvocation accepts no resource ARN"))
DNS = Grant(("route53:ListResourceRecordSets", "route53:ChangeResourceRecordSets"), (HOSTED_ZONES,),
            why="the hosted zone comes with each migration request")
CMF = (Grant(("secretsmanager:GetSecretValue",), ("CmfSecret",)),)
#: The wave path (docs/waves.md): the wave's slots and decision, the migrations queued in the status table.
WAVE = (Grant(("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"), ("WaveTable",)),
        Grant(("dynamodb:GetItem", "dynamodb:UpdateItem"), ("StatusTable",)),
        Grant(("dynamodb:Query",), ("StatusTableIndexes",)))
#: Starting a migration: one ServerMigration execution, named after the migration (and a look at one that exists).
START = (Grant(("states:StartExecution",), ("MigrationStateMachine",)),
         Grant(("states:DescribeExecution",), ("MigrationExecutions",)))
#: Answering the task tokens of migrations waiting at the gate.
TOKENS = Grant(("states:SendTaskSuccess", "states:SendTaskFailure"), ("*",),
               why="a task token is opaque: IAM cannot tell from it which execution it belongs to")
MGN_MIGRATION = "MGN's source servers and the jobs they start are named by the request; scoped to this account"

FUNCTIONS: dict[str, FunctionSpec] = {
    "Ingress": FunctionSpec((
        Grant(("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"), ("StatusTable",)),
        Grant(("events:PutEvents",), ("EventBus",)),
        Grant(("sqs:SendMessage", "sqs:GetQueueAttributes"), ("RequestsDeadLetterQueue",)),
        Grant(("s3:PutObject",), ("PayloadBucket",)),
        Grant(("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"),
              ("MigrationQueue",)),
    ), timeout=30, why_reserve="The queue mapping's MaximumConcurrency (IngressMaxConcurrency) bounds it; a reservation as "
                               "well would throttle it below that."),
    "ValidateInput": FunctionSpec((
        *STAGE, MGN_DESCRIBE,
        Grant(("ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"), ("*",), why=EC2_DESCRIBE),
    ), timeout=60, reserve=10, why_reserve="MGN's API rate"),
    "PrepareSource": FunctionSpec((
        *STAGE, *IDEMPOTENT, MGN_DESCRIBE, *SSM_CHECK,
        Grant(("ec2:DescribeInstances", "ec2:DescribeSnapshots"), ("*",), why=EC2_DESCRIBE),
        Grant(("ec2:CreateSnapshot",), (_arn("ec2:${AWS::Region}:${AWS::AccountId}:volume/*"),
                                        _arn("ec2:${AWS::Region}::snapshot/*"))),
        Grant(("ec2:CreateTags",), (_arn("ec2:${AWS::Region}::snapshot/*"),),
              condition={"StringEquals": {"ec2:CreateAction": "CreateSnapshot"}}),
    ), timeout=300, reserve=10, why_reserve="MGN's API rate"),
    "TriggerMigration": FunctionSpec((
        *STAGE, *IDEMPOTENT, MGN_DESCRIBE, *CMF,
        Grant(("mgn:StartReplication",), (SOURCE_SERVERS,)),
    ), timeout=120, reserve=10, why_reserve="MGN's API rate"),
    "PollStatus": FunctionSpec((
        *STAGE, MGN_DESCRIBE,
        Grant(("mgn:RetryDataReplication",), (SOURCE_SERVERS,)),
    ), timeout=60, reserve=10, why_reserve="MGN's API rate: every migrating server polls"),
    "LaunchStartTest": FunctionSpec((
        *STAGE, *IDEMPOTENT, MGN_DESCRIBE,
        Grant(("mgn:StartTest",), (SOURCE_SERVERS, MGN_JOBS)),
    ), timeout=120, reserve=10, why_reserve="MGN's API rate"),
    "LaunchPollLaunch": FunctionSpec((*STAGE, MGN_DESCRIBE), timeout=60, reserve=10,
                                     why_reserve="MGN's API rate: every launching server polls"),
    "LaunchMarkReadyForCutover": FunctionSpec((
        *STAGE, *IDEMPOTENT, MGN_DESCRIBE,
        Grant(("mgn:ChangeServerLifeCycleState",), (SOURCE_SERVERS,)),
    ), timeout=60, reserve=10, why_reserve="MGN's API rate"),
    "LaunchStartCutover": FunctionSpec((
        *STAGE, *IDEMPOTENT, MGN_DESCRIBE,
        Grant(("mgn:StartCutover",), (SOURCE_SERVERS, MGN_JOBS)),
    ), timeout=120, reserve=10, why_reserve="MGN's API rate"),
    "VerifyMigration": FunctionSpec((
        *STAGE, MGN_DESCRIBE, *SSM_CHECK,
        Grant(("ec2:DescribeInstances", "ec2:DescribeInstanceStatus"), ("*",), why=EC2_DESCRIBE),
    ), timeout=120, why_reserve="Calls only EC2 and SSM reads, whose account rate is far above what the running "
                                "migrations poll at."),
    "FinalizeCutover": FunctionSpec((
        *STAGE, *IDEMPOTENT, MGN_DESCRIBE, DNS, *CMF,
        Grant(("mgn:FinalizeCutover", "mgn:MarkAsArchived"), (SOURCE_SERVERS,)),
        Grant(("ec2:DescribeInstances",), ("*",), why=EC2_DESCRIBE),
        Grant(("ec2:CreateTags",), (INSTANCES,)),
    ), timeout=300, reserve=10, why_reserve="MGN's API rate"),
    "Rollback": FunctionSpec((
        *STAGE, *IDEMPOTENT, MGN_DESCRIBE, DNS, *CMF,
        Grant(("mgn:ChangeServerLifeCycleState", "mgn:StopReplication"), (SOURCE_SERVERS,)),
        Grant(("mgn:TerminateTargetInstances",), (SOURCE_SERVERS, MGN_JOBS)),
        Grant(("ec2:DescribeInstances",), ("*",), why=EC2_DESCRIBE),
        Grant(("ec2:CreateTags",), (INSTANCES,)),
    ), timeout=300, why_reserve="A rollback must never wait for capacity: a cap would leave half-migrated servers "
                                "waiting in a throttle."),
    "Callback": FunctionSpec((
        *STAGE, *IDEMPOTENT,
        Grant(("secretsmanager:GetSecretValue",), ("CallbackSecret",)),
        Grant(("sns:Publish",), ("NotifyTopic",)),
    ), timeout=120, why_reserve="Posts to each requester's own receiver and publishes to SNS; no shared dependency "
                                "to protect."),
    "StartMigration": FunctionSpec((*WAVE, *START), timeout=60, reserve=5,
                                   why_reserve="Step Functions' StartExecution rate, shared by every wave"),
    "StartMigrationNext": FunctionSpec((*WAVE, *START), timeout=120, reserve=5,
                                       why_reserve="Step Functions' StartExecution rate, shared by every wave"),
    "WaveGateAwaitCutover": FunctionSpec((*WAVE, TOKENS), timeout=60,
                                         why_reserve="Answers or parks one token per migration; nothing to protect."),
    "WaveGateOpenWave": FunctionSpec((*WAVE, *START), timeout=120,
                                     why_reserve="Runs once per wave, to record its limit and expected count."),
    "WaveGateOpenCutover": FunctionSpec((*WAVE, TOKENS), timeout=300,
                                        why_reserve="Runs once per wave, to approve and answer the parked tokens."),
    "WaveGateCloseCutover": FunctionSpec((*WAVE, TOKENS), timeout=300,
                                         why_reserve="Runs once per wave, to reject and fail the parked tokens."),
    "WaveGateWatchWave": FunctionSpec((*WAVE, *START), timeout=300,
                                      why_reserve="Runs once per wave and poll interval."),
    "ApprovalRequestApproval": FunctionSpec((Grant(("sns:Publish",), ("NotifyTopic",)),), timeout=30,
                                            why_reserve="Runs once per wave, to publish one SNS message."),
    "WaveSummary": FunctionSpec((Grant(("dynamodb:Query",), ("StatusTableIndexes",)),), timeout=120,
                                why_reserve="Runs once per wave, to read the wave's status records."),
}
