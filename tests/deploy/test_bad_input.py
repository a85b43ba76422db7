"""Every bad input of a deploy: a message naming the thing and what to do, exit 2, nothing uploaded or changed."""
from __future__ import annotations

import json
import subprocess
import sys

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from click.testing import CliRunner

from waveflow.cli import cli
from waveflow.deploy import DeployError, deploy
from waveflow.deploy.package import Packager

from deploy_project import REGION, REPO


def refused(deployment, session=None, **options) -> str:
    before = deployment.objects()
    with pytest.raises(DeployError) as caught:
        deploy(deployment.options(**options), session=session or deployment.session, packager=deployment.packager,
               echo=deployment.echo, sleep=lambda seconds: None)
    assert caught.value.exit_code == 2
    assert deployment.objects() == before, "a refused deploy uploaded something"
    assert deployment.session.client("cloudformation").list_stacks()["StackSummaries"] == []
    return str(caught.value)


def test_an_unknown_environment_names_the_missing_parameter_file_and_the_known_ones(deployment):
    message = refused(deployment, env="qa")
    assert message == ("unknown environment 'qa': there is no deploy/params/qa.json (environments: dev, prod); "
                       "create it to deploy qa")


def test_a_parameter_file_that_is_not_json_is_named_with_its_line(deployment):
    path = deployment.project / "deploy" / "params" / "broken.json"
    path.write_text('{\n  "stackName": "x",\n}\n')
    assert refused(deployment, env="broken").startswith(f"{path}:3: not valid JSON")


def test_a_parameter_file_may_not_set_the_code_location(deployment):
    path = deployment.project / "deploy" / "params" / "sneaky.json"
    path.write_text(json.dumps({"stackName": "s", "artifactBucket": "b", "parameters": {"TasksCodeKey": "x"}}))
    assert "TasksCodeKey is set by the deploy itself" in refused(deployment, env="sneaky")


def test_a_stack_name_too_long_for_its_role_names_is_refused(deployment):
    assert "must be 1-32 letters" in refused(deployment, stack="a" * 33)


def test_no_credentials_says_how_to_provide_them(deployment, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    message = refused(deployment, session=boto3.Session(region_name=REGION))
    assert message.startswith("no AWS credentials: set AWS_PROFILE")


@pytest.mark.parametrize("status, advice", [
    ("ROLLBACK_FAILED", "delete the stack (retaining the resources that would not delete)"),
    ("UPDATE_ROLLBACK_FAILED", "continue-update-rollback"),
    ("UPDATE_IN_PROGRESS", "another operation is running"),
])
def test_a_stack_that_cannot_be_updated_says_what_to_do_first(deployment, status, advice):
    def answer(**_):
        body = {"Stacks": [{"StackName": "waveflow-dev", "StackStatus": status, "CreationTime": "2026-01-01"}]}
        return AWSResponse("", 200, {}, None), {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}

    deployment.session.events.register("before-call.cloudformation.DescribeStacks", answer)
    try:
        message = refused(deployment)
    finally:
        deployment.session.events.unregister("before-call.cloudformation.DescribeStacks", answer)
    assert message.startswith(f"stack waveflow-dev is {status}")
    assert advice in message


def test_a_missing_artifact_bucket_points_to_the_bootstrap_stack(deployment):
    path = deployment.project / "deploy" / "params" / "nobucket.json"
    path.write_text(json.dumps({"stackName": "s", "region": REGION, "artifactBucket": "no-such-bucket"}))
    assert "artifact bucket 'no-such-bucket' does not exist" in refused(deployment, env="nobucket")


def test_a_template_that_fails_a_check_is_never_uploaded(deployment):
    partial = deployment.project / "templates" / "state_machines.yaml.j2"
    original = partial.read_text()
    partial.write_text(original.replace("        Level: ALL", "        Level: ERROR"))
    try:
        message = refused(deployment)
    finally:
        partial.write_text(original)
    assert message.startswith("the build failed its checks; nothing was uploaded:")
    assert "controls: [SFN-LOGGING] ServerMigrationStateMachine: logging level is 'ERROR'" in message


def test_an_unreachable_package_index_is_a_clear_packaging_error(deployment, tmp_path):
    packager = Packager(["--index-url", "http://127.0.0.1:9/simple", "--retries", "0", "--timeout", "1"],
                        cache=tmp_path)
    with pytest.raises(DeployError) as caught:
        packager.package(deployment.project)
    assert str(caught.value).startswith("could not fetch the Lambda wheels (manylinux2014_x86_64, Python 3.12) for ")
    assert "The package index must be reachable" in str(caught.value)


def test_the_cli_exits_2_with_the_message(deployment):
    result = CliRunner().invoke(cli, ["deploy", "--env", "qa", "--project", str(deployment.project)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: unknown environment 'qa'")


def test_python_m_deploy_is_waveflow_deploy():
    done = subprocess.run([sys.executable, "-m", "deploy", "--env", "nope", "--project", str(REPO)], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("Error: unknown environment 'nope': there is no deploy/params/nope.json")
