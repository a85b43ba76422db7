"""The stack's own resources as roles and tasks see them: ARN for policies, variable and value for the tasks.

One entry per resource a function may be granted. The permissions table (:mod:`waveflow.stack.functions`) names
these entries; the template takes each granted resource's ARN into the role and its variable into the
function's environment, and the least-privilege oracle (:mod:`waveflow.stack.access`) recognises a call's target
by the parameter that names it (``TableName``, ``QueueUrl``, ...) holding the value of that variable.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def sub(text: str) -> dict:
    return {"Fn::Sub": text}


def arn_of(logical: str) -> dict:
    return {"Fn::GetAtt": [logical, "Arn"]}


def ref(logical: str) -> dict:
    return {"Ref": logical}


#: The fixed name of a state machine of this stack, so roles can name it (and its executions) without a cycle.
def state_machine_name(workflow: str) -> str:
    return f"${{AWS::StackName}}-{workflow}"


def state_machine_arn(workflow: str) -> dict:
    return sub(f"arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:stateMachine:"
               f"{state_machine_name(workflow)}")


@dataclass(frozen=True)
class StackResource:
    """A resource functions can be granted: its ARN(s) in a policy and how the tasks are told its name."""

    arns: tuple
    env: str | None = None
    value: object = None
    #: botocore parameters that name this resource in a call (what the oracle matches on).
    named_by: tuple[str, ...] = ()
    #: The CloudFormation condition under which the resource exists (None: always).
    condition: str | None = None
    extra_env: dict = field(default_factory=dict)


RESOURCES: dict[str, StackResource] = {
    "StatusTable": StackResource((arn_of("StatusTable"),), "WAVEFLOW_STATUS_TABLE", ref("StatusTable"),
                                 ("TableName",)),
    "StatusTableIndexes": StackResource((sub("${StatusTable.Arn}/index/*"),), named_by=("IndexName",)),
    "IdempotencyTable": StackResource((arn_of("IdempotencyTable"),), "WAVEFLOW_IDEMPOTENCY_TABLE",
                                      ref("IdempotencyTable"), ("TableName",)),
    "WaveTable": StackResource((arn_of("WaveTable"),), "WAVEFLOW_WAVE_TABLE", ref("WaveTable"), ("TableName",),
                               extra_env={"WAVEFLOW_WAVE_CONCURRENCY": ref("WaveConcurrency")}),
    "EventBus": StackResource((arn_of("EventBus"),), "WAVEFLOW_EVENT_BUS", {"Fn::GetAtt": ["EventBus", "Name"]},
                              ("EventBusName",)),
    "RequestsDeadLetterQueue": StackResource((arn_of("RequestsDeadLetterQueue"),), "WAVEFLOW_DLQ_URL",
                                             ref("RequestsDeadLetterQueue"), ("QueueUrl",)),
    "MigrationQueue": StackResource((arn_of("MigrationQueue"),), named_by=("QueueUrl",)),
    "NotifyTopic": StackResource((ref("NotifyTopic"),), "WAVEFLOW_NOTIFY_TOPIC_ARN", ref("NotifyTopic"),
                                 ("TopicArn",)),
    "CallbackSecret": StackResource((ref("CallbackSecret"),), "WAVEFLOW_CALLBACK_SECRET_ID", ref("CallbackSecret"),
                                    ("SecretId",)),
    "CmfSecret": StackResource((ref("CmfSecretArn"),), "WAVEFLOW_CMF_SECRET_ID", ref("CmfSecretArn"),
                               ("SecretId",), condition="HasCmfSecret"),
    "PayloadBucket": StackResource((sub("${PayloadBucket.Arn}/*"),), "WAVEFLOW_PAYLOAD_BUCKET", ref("PayloadBucket"),
                                   ("Bucket",)),
    "MigrationStateMachine": StackResource((state_machine_arn("ServerMigration"),),
                                           "WAVEFLOW_MIGRATION_STATE_MACHINE_ARN", state_machine_arn("ServerMigration"),
                                           ("stateMachineArn",)),
    "MigrationExecutions": StackResource((sub("arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:"
                                              f"execution:{state_machine_name('ServerMigration')}:*"),)),
    "StackKey": StackResource((arn_of("StackKey"),)),
}

#: Variables every task function gets whatever it is granted: ``tasks.lib.config`` requires them at cold start.
BASE_ENV = ("StatusTable", "EventBus", "RequestsDeadLetterQueue", "IdempotencyTable", "CallbackSecret",
            "NotifyTopic")
