"""``waveflow deploy``: build and check, package, upload, change set, confirm, execute, follow, outputs.

Every precondition is checked before anything is uploaded or changed (environment and its parameters, region
and credentials, the stack's state, the artifact bucket, the template's checks), each failing with a
:class:`DeployError` that names the problem and what to do. A change CloudFormation fails is reported with the
first failed resource's reason and the rollback's outcome (:class:`DeployFailed`), never as a waiter error.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ..compile import BuildError, build
from ..stack.checks import Vetting
from .changes import create_change_set, format_changes
from .errors import DeployError, DeployFailed
from .follow import Outcome, event_ids, follow
from .package import Packager
from .params import load_params
from .stack import require_deployable, stack_outputs
from .table import table


@dataclass
class DeployOptions:
    env: str
    project: Path = Path(".")
    stack: str | None = None
    region: str | None = None
    yes: bool = False
    dry_run: bool = False
    #: Where the build goes (default ``project/build``).
    out: Path | None = None
    #: checkov's part of the checks (cfn-lint and the controls always run).
    checkov: bool = True
    pip_options: list[str] = field(default_factory=list)


def deploy(options: DeployOptions, *, session: boto3.Session | None = None, packager: Packager | None = None,
           echo: Callable[[str], None] = print, confirm: Callable[[str], bool] | None = None,
           sleep: Callable[[float], None] = time.sleep) -> Outcome | None:
    """Deploy the project to the environment ``options.env``; the outcome, or None when nothing was executed.

    ``confirm`` asks the user (None: no terminal, so ``--yes`` is required).

    >>> deploy(DeployOptions("dev", yes=True))  # doctest: +SKIP
    """
    project = Path(options.project).resolve()
    params = load_params(project, options.env, options.stack, options.region)
    session = session or boto3.Session(region_name=params.region)
    if not session.region_name:
        raise DeployError("no AWS region: set 'region' in the environment's parameter file, pass --region, or set "
                          "AWS_REGION")
    try:
        identity = session.client("sts").get_caller_identity()
        cloudformation, s3 = session.client("cloudformation"), session.client("s3")
        status = require_deployable(cloudformation, params.stack_name)
        _require_bucket(s3, params.artifact_bucket)
    except NoCredentialsError as exc:
        raise DeployError("no AWS credentials: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or in "
                          "GitHub Actions assume the deploy role of deploy/bootstrap.yaml; nothing was uploaded") from exc
    except ClientError as exc:
        raise DeployError(f"AWS refused {exc.operation_name}: {exc.response['Error'].get('Message', exc)}; check "
                          f"the credentials and region; nothing was uploaded") from exc
    echo(f"Deploying {params.stack_name} ({options.env}) to account {identity['Account']} in {session.region_name}")
    template = _checked_build(project, options, echo)
    package = (packager or Packager(options.pip_options)).package(project)
    try:
        return _ship(cloudformation, s3, params, status, template, package, options, echo, confirm, sleep)
    except (ClientError, BotoCoreError) as exc:
        raise DeployFailed(f"AWS refused the deploy: {exc}") from exc


def _require_bucket(s3, bucket: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        raise DeployError(f"artifact bucket {bucket!r} does not exist or is not reachable with these credentials "
                          f"({exc.response['Error'].get('Code')}); deploy deploy/bootstrap.yaml first or fix "
                          f"'artifactBucket'; nothing was uploaded") from exc


def _checked_build(project: Path, options: DeployOptions, echo) -> bytes:
    echo("Building and checking the template ...")
    vetting = Vetting(strict=True, checkov=options.checkov)
    try:
        files = build(project, options.out, vet=vetting)
    except BuildError as exc:
        raise DeployError(f"the build failed its checks; nothing was uploaded:\n{exc.report()}") from exc
    for line in vetting.report.summaries if vetting.report else []:
        echo(line)
    if "template.yaml" not in files:
        raise DeployError(f"{project} has no templates/template.yaml.j2, so the build wrote no stack template")
    return files["template.yaml"]


def _ship(cloudformation, s3, params, status, template: bytes, package, options, echo, confirm, sleep):
    bucket = params.artifact_bucket
    _upload(s3, bucket, package.key, package.data, echo)
    template_key = f"waveflow/template-{hashlib.sha256(template).hexdigest()[:32]}.yaml"
    _upload(s3, bucket, template_key, template, echo)
    url = f"https://{bucket}.s3.{s3.meta.region_name}.amazonaws.com/{template_key}"
    parameters = {**params.parameters, "TasksCodeBucket": bucket, "TasksCodeKey": package.key}
    kind = "CREATE" if status in (None, "REVIEW_IN_PROGRESS") else "UPDATE"
    echo("\nWaiting for changeset to be created..")
    change_set = create_change_set(cloudformation, stack=params.stack_name, template_url=url, template_body=None,
                                   parameters=parameters, kind=kind, name=f"waveflow-{int(time.time())}",
                                   role_arn=params.role_arn, sleep=sleep)
    if change_set.empty:
        _discard(cloudformation, params.stack_name, change_set.arn, kind)
        echo(f"No changes to deploy: stack {params.stack_name} is up to date.")
        return None
    if change_set.status == "FAILED":
        _discard(cloudformation, params.stack_name, change_set.arn, kind)
        raise DeployError(f"CloudFormation could not make the change set: {change_set.reason}")
    echo("\n" + format_changes(change_set) + "\n")
    if options.dry_run:
        _discard(cloudformation, params.stack_name, change_set.arn, kind)
        echo("Dry run: the change set was shown and deleted; nothing was deployed.")
        return None
    if not options.yes:
        if confirm is None:
            _discard(cloudformation, params.stack_name, change_set.arn, kind)
            raise DeployError("no terminal to confirm the change set on; pass --yes to deploy without asking")
        if not confirm("Deploy this changeset?"):
            _discard(cloudformation, params.stack_name, change_set.arn, kind)
            echo("Deploy cancelled; the change set was deleted.")
            return None
    seen = event_ids(cloudformation, params.stack_name)
    cloudformation.execute_change_set(ChangeSetName=change_set.arn, StackName=params.stack_name)
    echo("\nCloudFormation events from changeset")
    outcome = follow(cloudformation, params.stack_name, seen, echo, sleep)
    if not outcome.succeeded:
        raise DeployFailed(f"Deploy of {params.stack_name} failed.\n{outcome.explain()}")
    outputs = stack_outputs(cloudformation, params.stack_name)
    echo("\n" + table("CloudFormation outputs from deployed stack", ["Key", "Value"],
                      [[k, v] for k, v in sorted(outputs.items())]))
    echo(f"\nSuccessfully {'created' if kind == 'CREATE' else 'updated'} stack {params.stack_name} "
         f"({outcome.status}).")
    return outcome


def _upload(s3, bucket: str, key: str, data: bytes, echo) -> None:
    try:
        s3.head_object(Bucket=bucket, Key=key)
        echo(f"s3://{bucket}/{key} is already uploaded ({len(data):,} bytes)")
        return
    except ClientError:
        pass
    s3.put_object(Bucket=bucket, Key=key, Body=data, ServerSideEncryption="aws:kms")
    echo(f"Uploaded s3://{bucket}/{key} ({len(data):,} bytes)")


def _discard(cloudformation, stack: str, change_set: str, kind: str) -> None:
    """Delete an unexecuted change set, and the empty stack a CREATE change set made for it."""
    cloudformation.delete_change_set(ChangeSetName=change_set, StackName=stack)
    if kind == "CREATE":
        cloudformation.delete_stack(StackName=stack)
