"""The alarms, dashboard widgets and saved Logs Insights queries of a stack, from its functions and workflows.

The seed's observability section, made concrete: every dead-letter queue and the queue's oldest message,
every state machine's failed/timed-out/aborted executions, every function's errors and throttles, and the
replication lag the PollStatus task emits (EMF metric ``ReplicationLagSeconds``, namespace ``Waveflow``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

#: Powertools' EMF metrics of the tasks (tasks/lib/observability.py): namespace and its ``service`` dimension.
NAMESPACE = "Waveflow"
SERVICE_DIMENSION = [{"Name": "service", "Value": "waveflow"}]


@dataclass(frozen=True)
class Alarm:
    name: str
    description: str
    namespace: str
    metric: str
    dimensions: list
    threshold: object = 0
    statistic: str = "Sum"
    period: int = 300


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    text: str
    log_groups: list


def alarms(functions: list, workflows: list) -> list[Alarm]:
    found = [
        Alarm(f"{queue}NotEmptyAlarm", f"{queue} holds messages: {why}", "AWS/SQS",
              "ApproximateNumberOfMessagesVisible", [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue,
                                                                                                  "QueueName"]}}],
              statistic="Maximum")
        for queue, why in (("RequestsDeadLetterQueue", "requests were rejected or failed; `waveflow dlq list`"),
                           ("EventsDeadLetterQueue", "events were not delivered; `waveflow dlq list --queue events`"))
    ]
    found.append(Alarm("MigrationQueueAgeAlarm", "Requests wait on the migration queue longer than "
                                                 "QueueAgeAlarmSeconds: ingress is failing or throttled",
                       "AWS/SQS", "ApproximateAgeOfOldestMessage",
                       [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["MigrationQueue", "QueueName"]}}],
                       threshold={"Ref": "QueueAgeAlarmSeconds"}, statistic="Maximum"))
    for w in workflows:
        for metric, what in (("ExecutionsFailed", "failed"), ("ExecutionsTimedOut", "timed out"),
                             ("ExecutionsAborted", "were aborted")):
            found.append(Alarm(f"{w.name}{metric}Alarm", f"{w.name} executions {what}", "AWS/States", metric,
                               [{"Name": "StateMachineArn", "Value": {"Ref": f"{w.name}StateMachine"}}]))
    for f in functions:
        for metric in ("Errors", "Throttles"):
            found.append(Alarm(f"{f.name}{metric}Alarm", f"{f.handler}: {metric.lower()}", "AWS/Lambda", metric,
                               [{"Name": "FunctionName", "Value": {"Ref": f"{f.name}Function"}}]))
    found.append(Alarm("ReplicationLagAlarm", "A migrating server's replication lag is above "
                                              "ReplicationLagAlarmSeconds", NAMESPACE, "ReplicationLagSeconds",
                       SERVICE_DIMENSION, threshold={"Ref": "ReplicationLagAlarmSeconds"}, statistic="Maximum"))
    return found


def queries(functions: list, workflows: list) -> list[Query]:
    tasks = [{"Ref": f"{f.name}FunctionLogGroup"} for f in functions]
    everything = tasks + [{"Ref": f"{w.name}StateMachineLogGroup"} for w in workflows]
    return [
        Query("ErrorsByType", "errors by type",
              "fields @timestamp, errorType, stage, migrationId, message\n| filter level = \"ERROR\"\n"
              "| stats count(*) as errors by errorType, stage\n| sort errors desc", tasks),
        Query("MigrationTimeline", "one migration's timeline",
              "fields @timestamp, stage, level, status, message, migrationId, @log\n"
              "| filter correlation_id = \"CORRELATION-ID\" or correlationId = \"CORRELATION-ID\"\n"
              "| sort @timestamp asc", everything),
        Query("SlowestStages", "slowest stages",
              "filter @type = \"REPORT\"\n| stats count(*) as invocations, avg(@duration) as avgMs, "
              "pct(@duration, 95) as p95Ms, max(@duration) as maxMs by @log\n| sort p95Ms desc", tasks),
    ]


def dashboard_body(functions: list, workflows: list) -> dict:
    """The dashboard as the ``Fn::Sub`` of its JSON body: region and resource names filled at deploy time."""

    def widget(title, metrics, stat="Sum", width=12):
        return {"type": "metric", "width": width, "height": 6,
                "properties": {"title": title, "region": "${AWS::Region}", "stat": stat, "period": 300,
                               "view": "timeSeries", "metrics": metrics}}

    def queue(name):
        return "${" + name + ".QueueName}"

    widgets = [
        widget("Migrations requested, rejected, duplicate",
               [[NAMESPACE, m, "service", "waveflow"] for m in ("MigrationsRequested", "RequestsRejected",
                                                                 "DuplicateRequests")]),
        widget("Replication lag (s)", [[NAMESPACE, "ReplicationLagSeconds", "service", "waveflow"]], stat="Maximum"),
        widget("Queue depth and oldest request (s)",
               [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue("MigrationQueue")],
                ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", queue("MigrationQueue"),
                 {"yAxis": "right"}]], stat="Maximum"),
        widget("Dead-letter queues",
               [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue(q)]
                for q in ("RequestsDeadLetterQueue", "EventsDeadLetterQueue")], stat="Maximum"),
    ]
    for w in workflows:
        widgets.append(widget(f"{w.name} executions",
                              [["AWS/States", m, "StateMachineArn", "${" + w.name + "StateMachine}"]
                               for m in ("ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed",
                                         "ExecutionsTimedOut", "ExecutionsAborted")]))
    for metric, stat in (("Errors", "Sum"), ("Throttles", "Sum"), ("Duration", "p95")):
        widgets.append(widget(f"Functions: {metric.lower()}" + (" (p95 ms)" if metric == "Duration" else ""),
                              [["AWS/Lambda", metric, "FunctionName", "${" + f.name + "Function}",
                                {"label": f.name}] for f in functions], stat=stat, width=24))
    return {"Fn::Sub": json.dumps({"widgets": widgets}, separators=(",", ":"))}
