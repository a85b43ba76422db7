"""A bridge to the AWS Step Functions Data Science SDK (``pip install -e '.[sdk]'``), not a backend.

waveflow compiles its own ASL because the SDK cannot express MaxDelaySeconds, JitterStrategy, ResultSelector,
ItemProcessor or JSONata, and its current release does not import without pinned SageMaker 2. The bridge is
lossless both ways: a compiled definition travels inside the SDK's ``FrozenGraph`` untouched.
Importing the SDK is slow (~2 s) and has side effects (it resets the root logger), so it happens only here, on use.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping


class SdkMissing(ImportError):
    """Raised when the SDK bridge is used without the ``sdk`` extra installed."""


def _sdk():
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")  # the SDK would probe the EC2 metadata endpoint
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    try:
        from stepfunctions.steps.states import FrozenGraph
        from stepfunctions.workflow import Workflow
    except ImportError as exc:
        raise SdkMissing("the Step Functions Data Science SDK is not installed: pip install -e '.[sdk]' "
                         f"({exc})") from exc
    return Workflow, FrozenGraph


def substitute(definition: dict, substitutions: Mapping[str, str]) -> dict:
    """Fill ``${Name}`` placeholders as CloudFormation's DefinitionSubstitutions would.

    >>> substitute({"FunctionName": "${AFunctionArn}"}, {"AFunctionArn": "arn:x"})
    {'FunctionName': 'arn:x'}
    """
    text = json.dumps(definition)
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", value)
    return json.loads(text)


def to_sdk_workflow(definition: dict | str | Path, *, name: str, role: str,
                    substitutions: Mapping[str, str] | None = None, client: Any = None):
    """A compiled definition (dict, JSON text or a ``build/*.asl.json`` path) as a ``stepfunctions`` Workflow.

    >>> wf = to_sdk_workflow(Path("build/ServerMigration.asl.json"), name="ServerMigration",
    ...                      role="arn:aws:iam::123456789012:role/sfn")  # doctest: +SKIP
    >>> wf.create()  # doctest: +SKIP
    """
    Workflow, FrozenGraph = _sdk()
    if isinstance(definition, Path):
        definition = definition.read_text(encoding="utf-8")
    if isinstance(definition, str):
        definition = json.loads(definition)
    if substitutions:
        definition = substitute(definition, substitutions)
    return Workflow(name=name, definition=FrozenGraph(definition), role=role, client=client)


def from_sdk_workflow(workflow) -> dict:
    """The ASL definition of an SDK Workflow (built with its step classes or frozen), as a dict."""
    return json.loads(workflow.definition.to_json())
