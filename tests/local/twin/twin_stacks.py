"""The stacks the twin's tests describe by hand: ``hand_stack`` (the deployed waveflow stack) and ``small_stack``.

``hand_stack(manifest, definitions)`` is the description ``waveflow run`` will read from ``build/template.yaml``:
the queue and its DLQ with the redrive policy, the bus and the two rules of docs/waves.md with their patterns and
targets, the three tables shaped by ``tasks/lib/schemas/tables.json``, the topic, the callback secret, the payload
bucket, and every function of the manifest plus Ingress, StartMigration and StartMigrationNext, each with the
environment docs/interfaces.md gives it.
"""

from __future__ import annotations

from tasks.lib.tables import IDEMPOTENCY_TABLE, STATUS_TABLE, WAVE_TABLE, table_properties
from waveflow.local.twin.stack import (EventSourceMapping, Function, Queue, Rule, Stack, StateMachine, Table,
                                       Target)

REGION, ACCOUNT = "us-east-1", "123456789012"
CALLBACK_SECRET = "callback-signing-secret"


def _queue_url(name: str) -> str:
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"


def _function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


COMMON_ENV = {
    "WAVEFLOW_STATUS_TABLE": "waveflow-status",
    "WAVEFLOW_EVENT_BUS": "waveflow-bus",
    "WAVEFLOW_DLQ_URL": _queue_url("waveflow-requests-dlq"),
    "WAVEFLOW_IDEMPOTENCY_TABLE": "waveflow-idempotency",
    "WAVEFLOW_CALLBACK_SECRET_ID": "waveflow/callback",
    "WAVEFLOW_NOTIFY_TOPIC_ARN": f"arn:aws:sns:{REGION}:{ACCOUNT}:waveflow-notify",
}
WAVE_ENV = {"WAVEFLOW_WAVE_TABLE": "waveflow-waves"}
STARTER_ENV = {**WAVE_ENV, "WAVEFLOW_MIGRATION_STATE_MACHINE_ARN":
               f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:ServerMigration"}
EXTRA_ENV = {
    "Ingress": {"WAVEFLOW_PAYLOAD_BUCKET": "waveflow-payloads"},
    "StartMigration": {**STARTER_ENV, "WAVEFLOW_WAVE_CONCURRENCY": "25"},
    "StartMigrationNext": STARTER_ENV,
    "WaveGateAwaitCutover": WAVE_ENV,
    "WaveGateOpenWave": {**STARTER_ENV, "WAVEFLOW_WAVE_CONCURRENCY": "25"},
    "WaveGateOpenCutover": WAVE_ENV,
    "WaveGateCloseCutover": WAVE_ENV,
    "WaveGateWatchWave": STARTER_ENV,
}
RULE_FUNCTIONS = {"Ingress": "tasks.ingress.handler", "StartMigration": "tasks.start_migration.on_requested",
                  "StartMigrationNext": "tasks.start_migration.on_finished"}


def hand_stack(manifest: dict, definitions: dict[str, dict]) -> Stack:
    """The deployed stack for the build's ``manifest`` and ``definitions`` (workflow name -> ASL)."""
    handlers = {**RULE_FUNCTIONS, **{name: entry["handler"] for name, entry in manifest["functions"].items()}}
    functions = tuple(Function(name, handler, {**COMMON_ENV, **EXTRA_ENV.get(name, {})}, timeout=300,
                               memory=256, dead_letter="waveflow-async-dlq")
                      for name, handler in sorted(handlers.items()))
    substitutions = {entry["placeholder"]: _function_arn(name) for name, entry in manifest["functions"].items()}
    substitutions.update({f"{name}StateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"
                          for name in definitions})

    def rule(name: str, detail_types: list[str], function: str) -> Rule:
        return Rule(name, "waveflow-bus", {"source": ["waveflow.migration"], "detail-type": detail_types},
                    (Target(function, _function_arn(function), dead_letter="waveflow-events-dlq"),))

    return Stack(
        region=REGION, account=ACCOUNT,
        queues=(Queue("waveflow-requests", visibility_timeout=1800, dead_letter="waveflow-requests-dlq",
                      max_receive_count=3),
                Queue("waveflow-requests-dlq"), Queue("waveflow-events-dlq"), Queue("waveflow-async-dlq")),
        tables=(Table("waveflow-status", table_properties(STATUS_TABLE)),
                Table("waveflow-idempotency", table_properties(IDEMPOTENCY_TABLE)),
                Table("waveflow-waves", table_properties(WAVE_TABLE))),
        buses=("waveflow-bus",),
        rules=(rule("StartMigrationRule", ["MigrationRequested"], "StartMigration"),
               rule("MigrationFinishedRule", ["MigrationSucceeded", "MigrationFailed"], "StartMigrationNext")),
        topics=("waveflow-notify",),
        secrets={"waveflow/callback": CALLBACK_SECRET},
        buckets=("waveflow-payloads",),
        functions=functions,
        event_source_mappings=(EventSourceMapping("Ingress", "waveflow-requests", batch_size=10,
                                                  batching_window=5),),
        state_machines=tuple(StateMachine(name, definition, substitutions)
                             for name, definition in sorted(definitions.items())),
    )


def small_stack(**overrides) -> Stack:
    """A stack of test functions (``twin_handlers``): a queue feeding ``Batch``, a bus whose rule targets
    ``Recorder``, a queue and a function that does not exist, dead-letter queues, a topic and the callback secret."""
    env = {"WAVEFLOW_EVENT_BUS": "bus", "WAVEFLOW_STATUS_TABLE": "s", "WAVEFLOW_DLQ_URL": "d",
           "WAVEFLOW_IDEMPOTENCY_TABLE": "i", "WAVEFLOW_CALLBACK_SECRET_ID": "waveflow/callback",
           "WAVEFLOW_NOTIFY_TOPIC_ARN": "n"}
    fields = dict(
        topics=("notify",),
        secrets={"waveflow/callback": CALLBACK_SECRET},
        queues=(Queue("work", visibility_timeout=120, dead_letter="work-dlq", max_receive_count=2), Queue("work-dlq"),
                Queue("events-dlq"), Queue("async-dlq"), Queue("copies")),
        buses=("bus",),
        rules=(Rule("to-recorder", "bus", {"source": ["test"], "detail-type": ["Noted"]},
                    (Target("recorder", _function_arn("Recorder"), dead_letter="events-dlq"),
                     Target("copy", f"arn:aws:sqs:{REGION}:{ACCOUNT}:copies",
                            input_transformer={"InputPathsMap": {"id": "$.detail.id"},
                                               "InputTemplate": '{"copied": <id>, "rule": "<aws.events.rule-name>"}'}),
                     Target("ghost", _function_arn("Ghost"), dead_letter="events-dlq"))),),
        functions=(Function("Recorder", "twin_handlers.record", {**env, "WAVEFLOW_WAVE_TABLE": "waves"}, memory=512,
                            timeout=30, dead_letter="async-dlq"),
                   Function("Batch", "twin_handlers.batch", env),
                   Function("BrokenReport", "twin_handlers.broken_report", env),
                   Function("Crash", "twin_handlers.crash", env)),
        event_source_mappings=(EventSourceMapping("Batch", "work", batch_size=3, batching_window=10),),
    )
    fields.update(overrides)
    return Stack(region=REGION, account=ACCOUNT, **fields)
