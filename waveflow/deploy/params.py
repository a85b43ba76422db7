"""``deploy/params/<env>.json``: where and how an environment is deployed.

```json
{"stackName": "waveflow-dev", "region": "eu-west-1", "artifactBucket": "waveflow-artifacts-...",
 "cloudFormationRoleArn": "arn:aws:iam::123456789012:role/waveflow-dev-cloudformation",
 "parameters": {"ReserveConcurrency": "false"}}
```
``artifactBucket`` and ``cloudFormationRoleArn`` (optional: without it CloudFormation acts with the deployer's
own permissions) are outputs of the bootstrap stack, ``deploy/bootstrap.yaml``.
``stackName``/``region`` may be overridden on the command line; ``TasksCodeBucket``/``TasksCodeKey`` are the
deploy's own (the uploaded package) and may not be set here.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DeployError

#: The longest name whose derived role names (``<stack>-LaunchMarkReadyForCutover``) stay within IAM's 64.
STACK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,31}")
OWN_PARAMETERS = {"TasksCodeBucket", "TasksCodeKey"}
KEYS = {"stackName", "region", "artifactBucket", "cloudFormationRoleArn", "parameters"}


@dataclass
class EnvironmentParams:
    env: str
    stack_name: str
    region: str | None
    artifact_bucket: str
    parameters: dict[str, str] = field(default_factory=dict)
    role_arn: str | None = None


def load_params(project: Path, env: str, stack: str | None = None, region: str | None = None) -> EnvironmentParams:
    """The settings of ``env`` from ``project/deploy/params/<env>.json``, with command-line overrides.

    >>> load_params(Path("."), "dev").stack_name  # doctest: +SKIP
    'waveflow-dev'
    """
    folder = Path(project) / "deploy" / "params"
    path = folder / f"{env}.json"
    if not path.is_file():
        known = sorted(p.stem for p in folder.glob("*.json"))
        raise DeployError(f"unknown environment {env!r}: there is no {path.relative_to(project)}"
                          + (f" (environments: {', '.join(known)})" if known else "")
                          + f"; create it to deploy {env}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DeployError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise DeployError(f"{path}: expected an object with {', '.join(sorted(KEYS))}")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise DeployError(f"{path}: unknown key {unknown[0]!r}; the keys are {', '.join(sorted(KEYS))}")
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, dict) or not all(isinstance(v, str) for v in parameters.values()):
        raise DeployError(f"{path}: 'parameters' must map each template parameter to a string value")
    clash = sorted(OWN_PARAMETERS & set(parameters))
    if clash:
        raise DeployError(f"{path}: {clash[0]} is set by the deploy itself (the uploaded code package); remove it")
    name = stack or data.get("stackName")
    if not isinstance(name, str) or not STACK_NAME.fullmatch(name):
        raise DeployError(f"stack name {name!r} (from {'--stack' if stack else path}) must be 1-32 letters, digits "
                          f"or '-', starting with a letter (the stack's role and state machine names derive from it)")
    bucket = data.get("artifactBucket")
    if not isinstance(bucket, str) or not bucket:
        raise DeployError(f"{path}: set 'artifactBucket' to the bucket the code package is uploaded to (the "
                          f"ArtifactBucketName output of the bootstrap stack, deploy/bootstrap.yaml)")
    role = data.get("cloudFormationRoleArn")
    if role is not None and not (isinstance(role, str) and role.startswith("arn:")):
        raise DeployError(f"{path}: 'cloudFormationRoleArn' must be a role ARN (the ExecutionRoleArn output of the "
                          f"bootstrap stack), got {role!r}")
    return EnvironmentParams(env, name, region or data.get("region"), bucket,
                             {"Environment": env, **parameters}, role)
