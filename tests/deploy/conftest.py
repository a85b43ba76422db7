"""Fixtures of the deploy tests: ``deployment`` (module) is a project copy, its wheelhouse and moto's S3."""
from __future__ import annotations

import boto3
import pytest
from deploy_project import BUCKET, REGION, Deployment, copy_project, write_wheel
from moto import mock_aws


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("deploy")
    wheelhouse = root / "wheels"
    wheelhouse.mkdir()
    write_wheel(wheelhouse)
    project = copy_project(root / "project")
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch_module.setenv(name, value)
    monkeypatch_module.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        session.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield Deployment(project, wheelhouse, session)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch
