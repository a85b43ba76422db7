"""ASL (a parsed ``*.asl.json``) -> the drawing model. One reader per state Type, found through ``READERS``.

Any ASL reads, JSONPath or JSONata, inline or distributed Map, written by waveflow or not. What a picture needs
and ASL does not say outright is derived from the structure: the rollback path is every state reached only
through a catcher, and a polling loop is recognised by its shape (``poll.py``). A document that cannot be drawn
raises ``GraphError`` listing every problem with its place in the document.
"""
from __future__ import annotations

import dataclasses
import difflib
from typing import Callable

from .conditions import describe
from .model import CATCH, CHOICE, DEFAULT, NEXT, Edge, Graph, Node, Retrier, Scope
from .poll import recognise
from .words import duration


class GraphError(Exception):
    """Raised when a document is not ASL that can be drawn; ``problems`` says where and what, one per line."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


#: ASL Type -> reader(name, spec, reader, at); ``at`` is the state's place in the document, for problems.
READERS: dict[str, Callable[[str, dict, "Reader", str], Node]] = {}


def reads(type_name: str):
    def register(fn):
        READERS[type_name] = fn
        return fn
    return register


def read_graph(definition, name: str, where: str | None = None) -> Graph:
    """The drawing model of one ASL document; problems are reported against ``where`` (its file), or ``name``.

    >>> read_graph({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, "Hello").root.start
    'A'
    """
    where = where or name
    if not isinstance(definition, dict):
        raise GraphError([f"{where}: not an ASL document (expected a JSON object with StartAt and States)"])
    reader = Reader()
    root = reader.scope(definition, "")
    if reader.problems:
        raise GraphError([f"{where}: {problem}" for problem in reader.problems])
    comment = definition.get("Comment")
    return Graph(name, root, comment if isinstance(comment, str) else None)


class Reader:
    """Reads scopes recursively, collecting every problem instead of stopping at the first."""

    def __init__(self):
        self.problems: list[str] = []

    def scope(self, body, where: str) -> Scope:
        if not isinstance(body, dict) or not isinstance(body.get("States"), dict) or not body["States"]:
            self.problems.append(f"{where or 'the document'}: needs States (an object of at least one state)")
            return Scope("")
        states = body["States"]
        start = body.get("StartAt")
        if start not in states:
            self.problems.append(f"{where}StartAt: {start!r} is not a state here{_hint(start, states)}")
        scope = Scope(start if isinstance(start, str) else "")
        for name, spec in states.items():
            at = f"{where}States.{name}"
            if not isinstance(spec, dict):
                self.problems.append(f"{at}: a state must be a JSON object")
                continue
            kind = spec.get("Type")
            if kind not in READERS:
                self.problems.append(f"{at}.Type: {kind!r} is not a state type; expected one of "
                                     f"{', '.join(sorted(READERS))}")
                continue
            node = READERS[kind](name, spec, self, at)
            node.comment = spec.get("Comment") if isinstance(spec.get("Comment"), str) else None
            node.retries = _retriers(spec.get("Retry")) + node.retries
            scope.nodes[name] = node
            scope.edges += self.edges(name, spec, states, at)
            if not node.terminal and kind != "Choice" and not isinstance(spec.get("Next"), str):
                self.problems.append(f"{at}: has neither Next nor End")
        _mark_rollback(scope)
        return scope

    def edges(self, name: str, spec: dict, states: dict, at: str) -> list[Edge]:
        """Next, Choice rules and Default, then catchers, in the order ASL lists them."""
        found: list[tuple[str, object, Edge]] = []
        if "Next" in spec:
            found.append((f"{at}.Next", spec["Next"], Edge(name, "", NEXT)))
        for index, rule in enumerate(spec.get("Choices") or []):
            if isinstance(rule, dict):
                found.append((f"{at}.Choices[{index}].Next", rule.get("Next"), Edge(name, "", CHOICE, describe(rule))))
        if "Default" in spec:
            found.append((f"{at}.Default", spec["Default"], Edge(name, "", DEFAULT, "Default")))
        for index, catcher in enumerate(spec.get("Catch") or []):
            if isinstance(catcher, dict):
                errors = tuple(map(str, catcher.get("ErrorEquals") or []))
                found.append((f"{at}.Catch[{index}].Next", catcher.get("Next"),
                              Edge(name, "", CATCH, ", ".join(errors), errors)))
        edges = []
        for place, target, edge in found:
            if target not in states:
                self.problems.append(f"{place}: {target!r} is not a state here{_hint(target, states)}")
            else:
                edges.append(dataclasses.replace(edge, target=target))
        return edges


def _hint(target, states: dict) -> str:
    close = difflib.get_close_matches(str(target), list(states), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _retriers(spec) -> list[Retrier]:
    out = []
    for entry in spec if isinstance(spec, list) else []:
        if isinstance(entry, dict):
            out.append(Retrier(tuple(map(str, entry.get("ErrorEquals") or [])), entry.get("MaxAttempts", 3),
                               entry.get("IntervalSeconds", 1), entry.get("BackoffRate", 2.0),
                               entry.get("MaxDelaySeconds"), entry.get("JitterStrategy") == "FULL"))
    return out


def _mark_rollback(scope: Scope) -> None:
    """States reachable from the start only through a catcher form the rollback (error-handling) path."""
    normal = _reachable(scope, lambda edge: edge.kind != CATCH)
    every = _reachable(scope, lambda edge: True)
    for name in every - normal:
        _mark(scope.nodes[name])


def _mark(node: Node) -> None:
    node.rollback = True
    for inner in node.scopes:
        for child in inner.nodes.values():
            _mark(child)


def _reachable(scope: Scope, follow) -> set[str]:
    seen: set[str] = set()
    todo = [scope.start] if scope.start in scope.nodes else []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(edge.target for edge in scope.edges if edge.source == name and follow(edge))
    return seen


# --- one reader per state type ------------------------------------------------------------------------------
_SERVICES = {"lambda": "Lambda", "states": "Step Functions", "sfn": "Step Functions", "sns": "SNS", "sqs": "SQS",
             "dynamodb": "DynamoDB",
             "events": "EventBridge", "s3": "S3", "ecs": "ECS", "batch": "Batch", "glue": "Glue", "athena": "Athena",
             "sagemaker": "SageMaker", "codebuild": "CodeBuild", "eks": "EKS", "bedrock": "Bedrock", "http": "HTTP",
             "mgn": "MGN", "ec2": "EC2", "ssm": "SSM", "route53": "Route 53", "apigateway": "API Gateway",
             "elasticmapreduce": "EMR", "secretsmanager": "Secrets Manager", "cloudwatch": "CloudWatch"}
_PATTERNS = {"sync": "waits for it", "sync:2": "waits for it", "waitForTaskToken": "waits for a callback"}


def _short_name(reference) -> str:
    """``${ValidateInputFunctionArn}`` -> ``ValidateInput``; an ARN -> its resource name; a path stays a path."""
    if not isinstance(reference, str):
        return ""
    if reference.startswith("${") and reference.endswith("}"):
        inner = reference[2:-1]
        for suffix in ("FunctionArn", "StateMachineArn", "Arn"):
            if inner.endswith(suffix) and len(inner) > len(suffix):
                return inner[:-len(suffix)]
        return inner
    if reference.startswith("arn:"):
        parts = reference.split(":")
        return parts[6] if len(parts) > 6 else parts[-1]
    return reference


def _argument(spec: dict, key: str):
    for holder in (spec.get("Parameters"), spec.get("Arguments")):
        if isinstance(holder, dict):
            for field in (key, key + ".$"):
                if field in holder:
                    return holder[field]
    return None


def task_detail(spec: dict) -> str:
    """``Lambda: Invoke ValidateInput``, ``Step Functions: StartExecution ServerMigration · waits for it``."""
    resource = spec.get("Resource")
    if not isinstance(resource, str):
        return "Task"
    parts = resource.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return f"Lambda: Invoke {parts[6]}"
    if len(parts) >= 7 and parts[2] == "states" and parts[5] == "activity":
        return f"Activity: {parts[6]}"
    if len(parts) < 7 or parts[2] != "states" or parts[3] or parts[4]:
        return f"Task: {_short_name(resource)}"
    service, action = parts[5], ":".join(parts[6:])
    if service == "aws-sdk" and ":" in action:
        service, action = action.split(":", 1)
    action, _, pattern = action.partition(".")
    text = f"{_SERVICES.get(service, service)}: {action[:1].upper()}{action[1:]}"
    target = _argument(spec, "FunctionName") if service == "lambda" else (
        _argument(spec, "StateMachineArn") if service in ("states", "sfn") else None)
    if target is not None:
        text += f" {_short_name(target)}"
    if pattern:
        text += f" · {_PATTERNS.get(pattern, pattern)}"
    return text


@reads("Task")
def read_task(name: str, spec: dict, reader: Reader, at: str) -> Node:
    return Node(name, "Task", task_detail(spec), terminal=spec.get("End") is True)


@reads("Pass")
def read_pass(name: str, spec: dict, reader: Reader, at: str) -> Node:
    return Node(name, "Pass", "Pass", terminal=spec.get("End") is True)


@reads("Wait")
def read_wait(name: str, spec: dict, reader: Reader, at: str) -> Node:
    for field, shown in (("Seconds", None), ("SecondsPath", None), ("Timestamp", "until "),
                         ("TimestampPath", "until ")):
        if field in spec:
            value = spec[field]
            text = duration(value) if field == "Seconds" and isinstance(value, (int, float)) else str(value)
            return Node(name, "Wait", f"Wait {shown or ''}{text}", terminal=spec.get("End") is True)
    return Node(name, "Wait", "Wait", terminal=spec.get("End") is True)


@reads("Choice")
def read_choice(name: str, spec: dict, reader: Reader, at: str) -> Node:
    if not isinstance(spec.get("Choices"), list) or not spec["Choices"]:
        reader.problems.append(f"{at}.Choices: a Choice needs at least one rule")
    return Node(name, "Choice", "Choice")


@reads("Succeed")
def read_succeed(name: str, spec: dict, reader: Reader, at: str) -> Node:
    return Node(name, "Succeed", "Succeed", terminal=True)


@reads("Fail")
def read_fail(name: str, spec: dict, reader: Reader, at: str) -> Node:
    error = spec.get("Error") or spec.get("ErrorPath")
    return Node(name, "Fail", f"Fail: {error}" if isinstance(error, str) else "Fail", terminal=True)


@reads("Parallel")
def read_parallel(name: str, spec: dict, reader: Reader, at: str) -> Node:
    branches = spec.get("Branches")
    terminal = spec.get("End") is True
    if not isinstance(branches, list) or not branches:
        reader.problems.append(f"{at}.Branches: a Parallel needs at least one branch")
        return Node(name, "Parallel", "Parallel", terminal=terminal)
    scopes = [reader.scope(branch, f"{at}.Branches[{i}].") for i, branch in enumerate(branches)]
    poll = recognise(spec)
    if poll is not None:
        check = scopes[0].nodes.get(poll.check)
        return Node(name, "Poll", check.detail if check else "Poll", scopes=scopes, terminal=terminal,
                    schedule=poll.schedule, until=poll.until, retries=list(check.retries) if check else [])
    count = len(branches)
    return Node(name, "Parallel", f"Parallel: {count} branch{'es' if count > 1 else ''}", scopes=scopes,
                terminal=terminal)


@reads("Map")
def read_map(name: str, spec: dict, reader: Reader, at: str) -> Node:
    field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
    terminal = spec.get("End") is True
    if not isinstance(spec.get(field), dict):
        reader.problems.append(f"{at}.ItemProcessor: a Map needs an ItemProcessor")
        return Node(name, "Map", "Map", terminal=terminal)
    processor = spec[field]
    mode = (processor.get("ProcessorConfig") or {}).get("Mode", "INLINE")
    parts = ["Map: distributed" if mode == "DISTRIBUTED" else "Map: inline"]
    if isinstance(spec.get("ItemReader"), dict):
        parts.append(f"items from {task_detail(spec['ItemReader']).split(':', 1)[0]}")
    elif spec.get("ItemsPath") or spec.get("Items"):
        parts.append(f"items {spec.get('ItemsPath') or spec.get('Items')}")
    limit = spec.get("MaxConcurrency", spec.get("MaxConcurrencyPath"))
    if limit not in (None, 0):
        parts.append(f"≤ {limit} at once")
    tolerated = spec.get("ToleratedFailurePercentage", spec.get("ToleratedFailurePercentagePath"))
    if tolerated is not None:
        parts.append(f"tolerates {tolerated}{'%' if isinstance(tolerated, (int, float)) else ''} failed")
    return Node(name, "Map", " · ".join(parts), scopes=[reader.scope(processor, f"{at}.{field}.")],
                terminal=terminal)
