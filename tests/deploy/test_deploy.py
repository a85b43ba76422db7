"""``waveflow deploy`` against moto's S3 and CloudFormation: fresh, no-op, update, failure, dry run."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from botocore.awsrequest import AWSResponse

from waveflow.deploy import DeployError, DeployFailed, deploy

from deploy_project import BUCKET


def run(deployment, **options):
    return deploy(deployment.options(**options), session=deployment.session, packager=deployment.packager,
                  echo=deployment.echo, sleep=lambda seconds: None)


def set_parameter(deployment, name: str, value: str) -> None:
    path = deployment.project / "deploy" / "params" / "dev.json"
    params = json.loads(path.read_text())
    params["parameters"][name] = value
    path.write_text(json.dumps(params))


@pytest.fixture(scope="module")
def fresh(deployment):
    """The first deploy of the project, and what it printed."""
    outcome = run(deployment)
    return outcome, deployment.output()


def test_a_fresh_deploy_shows_the_change_set_follows_events_and_prints_outputs(fresh, deployment):
    outcome, printed = fresh
    assert outcome.status == "CREATE_COMPLETE"
    lines = printed.splitlines()
    assert "Waiting for changeset to be created.." in lines
    assert "CloudFormation stack changeset" in lines
    header = lines[lines.index("CloudFormation stack changeset") + 2].split()
    assert header == ["Operation", "LogicalResourceId", "ResourceType", "Replacement"]
    assert any(line.split()[:4] == ["+", "Add", "ServerMigrationStateMachine", "AWS::StepFunctions::StateMachine"]
               for line in lines)
    assert "CloudFormation outputs from deployed stack" in lines
    assert lines[-1] == "Successfully created stack waveflow-dev (CREATE_COMPLETE)."
    cloudformation = deployment.session.client("cloudformation")
    parameters = {p["ParameterKey"]: p["ParameterValue"]
                  for p in cloudformation.describe_stacks(StackName="waveflow-dev")["Stacks"][0]["Parameters"]}
    assert parameters["TasksCodeBucket"] == BUCKET
    assert parameters["TasksCodeKey"] in deployment.objects()
    assert parameters["Environment"] == "dev" and parameters["ReserveConcurrency"] == "false"


def test_the_code_package_is_uploaded_under_its_content_hash(fresh, deployment):
    package = deployment.packager.package(deployment.project)
    assert package.key == f"waveflow/tasks-{package.sha256[:32]}.zip"
    body = deployment.session.client("s3").get_object(Bucket=BUCKET, Key=package.key)["Body"].read()
    assert body == package.data


def test_deploying_the_same_build_again_changes_nothing_and_says_so(fresh, deployment):
    # Runs right after the fresh deploy (tests run in file order), before any test edits the project.
    assert run(deployment) is None
    printed = deployment.output()
    assert "No changes to deploy: stack waveflow-dev is up to date." in printed
    assert "is already uploaded" in printed
    statuses = [s["StackStatus"] for s in deployment.session.client("cloudformation").describe_stacks(
        StackName="waveflow-dev")["Stacks"]]
    assert statuses == ["CREATE_COMPLETE"]


def test_an_update_goes_through_a_change_set_of_modifications(fresh, deployment):
    workflow = deployment.project / "workflows" / "migration.py"
    workflow.write_text(workflow.read_text().replace('"ValidateInput", ', '"ValidateInput", comment="Checked first", ', 1))
    outcome = run(deployment)
    printed = deployment.output()
    assert outcome.status == "UPDATE_COMPLETE"
    assert any(line.split()[:4] == ["*", "Modify", "ServerMigrationStateMachine", "AWS::StepFunctions::StateMachine"]
               for line in printed.splitlines())
    assert printed.splitlines()[-1] == "Successfully updated stack waveflow-dev (UPDATE_COMPLETE)."


class CloudFormationFails:
    """After ExecuteChangeSet, CloudFormation answers as it does when an update fails and is rolled back."""

    def __init__(self, session):
        self.session = session
        self.executed = False
        self.when = datetime(2030, 1, 1, tzinfo=timezone.utc)

    def events(self):
        def event(n, logical, kind, status, reason=None):
            found = {"EventId": f"injected-{n}", "StackName": "waveflow-dev", "LogicalResourceId": logical,
                     "ResourceType": kind, "ResourceStatus": status, "Timestamp": self.when.replace(second=n)}
            return {**found, "ResourceStatusReason": reason} if reason else found

        return [event(4, "waveflow-dev", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE"),
                event(3, "waveflow-dev", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_IN_PROGRESS",
                      "The following resource(s) failed to update: [MigrationQueue]."),
                event(2, "MigrationQueue", "AWS::SQS::Queue", "UPDATE_FAILED",
                      "Resource handler returned message: \"Value 99 for parameter MaxReceiveCount is invalid\""),
                event(1, "waveflow-dev", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated")]

    def __enter__(self):
        events = self.session.events
        events.register("before-call.cloudformation.ExecuteChangeSet", self._executing)
        events.register("before-call.cloudformation.DescribeStackEvents", self._describe_events)
        events.register("before-call.cloudformation.DescribeStacks", self._describe_stacks)
        return self

    def __exit__(self, *exc):
        events = self.session.events
        events.unregister("before-call.cloudformation.ExecuteChangeSet", self._executing)
        events.unregister("before-call.cloudformation.DescribeStackEvents", self._describe_events)
        events.unregister("before-call.cloudformation.DescribeStacks", self._describe_stacks)

    def _executing(self, **_):
        self.executed = True

    def _answer(self, body):
        return AWSResponse("", 200, {}, None), {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}

    def _describe_events(self, **_):
        return self._answer({"StackEvents": self.events()}) if self.executed else None

    def _describe_stacks(self, **_):
        if not self.executed:
            return None
        return self._answer({"Stacks": [{"StackName": "waveflow-dev", "StackStatus": "UPDATE_ROLLBACK_COMPLETE",
                                         "CreationTime": self.when}]})


def test_a_failed_update_names_the_first_failed_resource_and_the_rollback(fresh, deployment):
    set_parameter(deployment, "MaxReceiveCount", "9")
    with CloudFormationFails(deployment.session), pytest.raises(DeployFailed) as failed:
        run(deployment)
    message = str(failed.value)
    assert failed.value.exit_code == 1
    assert message.splitlines() == [
        "Deploy of waveflow-dev failed.",
        "MigrationQueue (AWS::SQS::Queue) UPDATE_FAILED: Resource handler returned message: "
        "\"Value 99 for parameter MaxReceiveCount is invalid\"",
        "The stack was rolled back (UPDATE_ROLLBACK_COMPLETE): it is as it was before this deploy."]
    assert "UPDATE_FAILED" in deployment.output()


def test_a_dry_run_shows_the_change_set_and_deploys_nothing(fresh, deployment):
    assert run(deployment, stack="wf-dry", dry_run=True) is None
    printed = deployment.output()
    assert "CloudFormation stack changeset" in printed
    assert printed.splitlines()[-1] == "Dry run: the change set was shown and deleted; nothing was deployed."
    cloudformation = deployment.session.client("cloudformation")
    live = [s["StackName"] for s in cloudformation.list_stacks()["StackSummaries"]
            if s["StackStatus"] != "DELETE_COMPLETE"]
    assert "wf-dry" not in live


def test_without_a_terminal_and_without_yes_nothing_is_executed(fresh, deployment):
    set_parameter(deployment, "QueueAgeAlarmSeconds", "600")
    before = deployment.session.client("cloudformation").describe_stacks(StackName="waveflow-dev")["Stacks"][0]
    with pytest.raises(DeployError, match="pass --yes"):
        run(deployment, yes=False)
    after = deployment.session.client("cloudformation").describe_stacks(StackName="waveflow-dev")["Stacks"][0]
    assert after["Parameters"] == before["Parameters"]
