"""Everything the template partials render, computed from ``build/`` and the tables of this package.

The partials only lay out what this model holds; every decision (which role may do what, which variables a
function gets, how a state machine's placeholders are filled) is made here, where it can be tested and where a
mistake becomes a build problem naming what to fix.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..compile.handlers import HandlerIndex
from .entrypoints import ENTRYPOINTS, Entrypoint, QueueTrigger, RuleTrigger
from .functions import FUNCTIONS, FunctionSpec
from .policy import Statement, allow, wildcard_problems
from .resources import BASE_ENV, RESOURCES, state_machine_name, sub
from .statemachines import plan

TABLES_FILE = "tasks/lib/schemas/tables.json"
REQUEST_SCHEMA_FILE = "tasks/lib/schemas/migration-request.json"
FUNCTIONS_FILE = "waveflow/stack/functions.py"
ENTRYPOINTS_FILE = "waveflow/stack/entrypoints.py"
#: SQS's advice: a visibility timeout of at least six times the consuming function's timeout.
VISIBILITY_FACTOR = 6
MIN_VISIBILITY_SECONDS = 300


@dataclass
class FunctionModel:
    name: str
    handler: str
    spec: FunctionSpec
    statements: list[Statement]
    env: dict
    trigger: QueueTrigger | RuleTrigger | None
    used_by: list[str]
    #: The first line of the handler's docstring (the function's description).
    summary: str


@dataclass
class WorkflowModel:
    name: str
    state_machine_name: str
    definition: dict
    substitutions: dict
    statements: list[Statement]


@dataclass
class StackModel:
    functions: list[FunctionModel]
    workflows: list[WorkflowModel]
    tables: dict
    request_model: dict
    queue_visibility: int
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rules(self) -> list[FunctionModel]:
        return [f for f in self.functions if isinstance(f.trigger, RuleTrigger)]


def build_model(root: Path, manifest: dict, definitions: dict[str, dict]) -> StackModel:
    """The stack of the project at ``root`` for this build; ``problems`` lists (file, message) to report."""
    problems: list[tuple[str, str]] = []
    functions = _functions(root, manifest, problems)
    workflows = []
    for name, workflow in manifest["workflows"].items():
        planned = plan(name, definitions[name], workflow, manifest["functions"], manifest["workflows"])
        problems += [(workflow["file"], p) for p in planned.problems]
        problems += [(FUNCTIONS_FILE, p) for p in wildcard_problems(f"state machine {name}", planned.statements)]
        workflows.append(WorkflowModel(name, state_machine_name(name), definitions[name], planned.substitutions,
                                       planned.statements))
    ingress = next((f for f in functions if isinstance(f.trigger, QueueTrigger)), None)
    visibility = max(MIN_VISIBILITY_SECONDS, VISIBILITY_FACTOR * (ingress.spec.timeout if ingress else 0))
    return StackModel(functions, workflows, _json(root / TABLES_FILE), _request_model(root), visibility, problems)


def _functions(root: Path, manifest: dict, problems: list[tuple[str, str]]) -> list[FunctionModel]:
    handlers = HandlerIndex(root)
    entries: dict[str, tuple[str, Entrypoint | None, list[str]]] = {
        name: (entry["handler"], None, entry["usedBy"]) for name, entry in manifest["functions"].items()}
    for name, entrypoint in ENTRYPOINTS.items():
        if name in entries:
            problems.append((ENTRYPOINTS_FILE, f"entry point {name!r} is also a function of workflow "
                                               f"{entries[name][2][0]!r}; give it another name"))
            continue
        trouble = handlers.problem(entrypoint.handler)
        if trouble:
            problems.append((ENTRYPOINTS_FILE, f"entry point {name!r}: {trouble}"))
            continue
        entries[name] = (entrypoint.handler, entrypoint, [])
    models = []
    for name, (handler, entrypoint, used_by) in sorted(entries.items()):
        spec = FUNCTIONS.get(name)
        if spec is None:
            problems.append((FUNCTIONS_FILE, f"function {name!r} ({handler}) has no entry in FUNCTIONS, so it would "
                                             f"have no role; add the grants its code needs"))
            continue
        if not spec.reserve and not spec.why_reserve:
            problems.append((FUNCTIONS_FILE, f"function {name!r} reserves no concurrency and says nothing of why; "
                                             f"set reserve= or why_reserve="))
        statements = [_statement(name, grant, problems) for grant in spec.grants]
        problems += [(FUNCTIONS_FILE, p) for p in wildcard_problems(f"function {name}", statements)]
        models.append(FunctionModel(name, handler, spec, statements, _env(spec),
                                    entrypoint.trigger if entrypoint else None, used_by,
                                    handlers.summary(handler) or name))
    return models


def _statement(function: str, grant, problems: list[tuple[str, str]]) -> Statement:
    resources, when = [], None
    for target in grant.on:
        if target in RESOURCES:
            resources += RESOURCES[target].arns
            when = when or RESOURCES[target].condition
        elif target == "*" or target.startswith("arn:"):
            resources.append(sub(target) if "${" in target else target)
        else:
            problems.append((FUNCTIONS_FILE, f"function {function!r}: grant on {target!r}, which is neither a "
                                             f"resource of waveflow/stack/resources.py nor an ARN nor '*'"))
    return allow(grant.actions, resources, grant.why, grant.condition, when)


def _env(spec: FunctionSpec) -> dict:
    """The task's variables: the six every task needs, plus those of the resources it is granted."""
    granted = [target for grant in spec.grants for target in grant.on if target in RESOURCES]
    env = {}
    for name in dict.fromkeys([*BASE_ENV, *granted]):
        resource = RESOURCES[name]
        if resource.env is None:
            continue
        for variable, value in {resource.env: resource.value, **resource.extra_env}.items():
            env[variable] = ({"Fn::If": [resource.condition, value, {"Ref": "AWS::NoValue"}]}
                             if resource.condition else value)
    return dict(sorted(env.items()))


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _request_model(root: Path) -> dict:
    """The request schema as an API Gateway model: API Gateway validates with JSON Schema draft 4."""
    schema = _json(root / REQUEST_SCHEMA_FILE)
    schema.pop("$id", None)
    return {"$schema": "http://json-schema.org/draft-04/schema#", **{k: v for k, v in schema.items()
                                                                   if k != "$schema"}}
