"""Fixtures shared across test folders: the repository's stack, built once, and deployed into moto.

* ``built_stack`` (session): ``build/`` of this repository, built into a temporary folder (no checks).
* ``moto_stack`` (module): that template created with ``create_stack`` in moto (CREATE_COMPLETE), with the
  session, outputs and template — one per test module, since moto's state lives only while its mock does.
* ``browser`` (session) and ``open_page``: headless Chromium, every request refused and recorded
  (``tests/browser_pages.py``, a plugin of this file).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from cfnlint.decode import decode_str
from moto import mock_aws

from waveflow.compile import build

pytest_plugins = ["browser_pages"]

REPO = Path(__file__).resolve().parent.parent
STACK = "waveflow-test"
REGION = "us-east-1"
CODE_BUCKET = "waveflow-artifacts"


@dataclass
class BuiltStack:
    folder: Path
    files: dict[str, bytes]

    @property
    def text(self) -> str:
        return self.files["template.yaml"].decode()

    @property
    def template(self) -> dict:
        return decode_str(self.text)[0]

    @property
    def manifest(self) -> dict:
        return json.loads(self.files["manifest.json"])


@dataclass
class MotoStack:
    session: boto3.Session
    name: str
    outputs: dict[str, str]
    status: str
    built: BuiltStack

    def client(self, service: str):
        return self.session.client(service)


@pytest.fixture(scope="session")
def built_stack(tmp_path_factory) -> BuiltStack:
    folder = tmp_path_factory.mktemp("stack") / "build"
    return BuiltStack(folder, build(REPO, folder))


@pytest.fixture(scope="module")
def moto_stack(built_stack):
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                                            "AWS_DEFAULT_REGION", "AWS_PROFILE")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing",
                      AWS_DEFAULT_REGION=REGION)
    os.environ.pop("AWS_PROFILE", None)
    try:
        with mock_aws():
            session = boto3.Session(region_name=REGION)
            session.client("s3").create_bucket(Bucket=CODE_BUCKET)
            session.client("s3").put_object(Bucket=CODE_BUCKET, Key="tasks.zip", Body=b"PK\x05\x06" + b"\0" * 18)
            cloudformation = session.client("cloudformation")
            parameters = {"Environment": "dev", "TasksCodeBucket": CODE_BUCKET, "TasksCodeKey": "tasks.zip",
                          "VpcSubnetIds": ""}
            cloudformation.create_stack(StackName=STACK, TemplateBody=built_stack.text,
                                        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
                                        Parameters=[{"ParameterKey": k, "ParameterValue": v}
                                                    for k, v in parameters.items()])
            stack = cloudformation.describe_stacks(StackName=STACK)["Stacks"][0]
            yield MotoStack(session, STACK, {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
                            stack["StackStatus"], built_stack)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
