"""A copy of the project whose tasks need one small local wheel, and moto with the artifact bucket (helpers of
the deploy tests; the fixtures are in conftest.py).

Packaging then runs pip for real, offline (``--no-index --find-links`` a wheelhouse the test writes), with the
Lambda platform options, and deploys go through real boto3 into moto's S3 and CloudFormation.
"""
from __future__ import annotations

import base64
import hashlib
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import boto3

from waveflow.deploy import DeployOptions
from waveflow.deploy.package import Packager

REPO = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
BUCKET = "waveflow-artifacts-test"


def write_wheel(folder: Path, name: str = "tinydep", version: str = "1.0") -> Path:
    """A minimal pure-Python wheel (``import tinydep``), valid for any platform."""
    files = {f"{name}/__init__.py": b"VALUE = 1\n",
             f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
             f"{name}-{version}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                                  b"Tag: py3-none-any\n"}
    record = "".join(f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
                     f"{len(data)}\n" for path, data in files.items())
    files[f"{name}-{version}.dist-info/RECORD"] = (record + f"{name}-{version}.dist-info/RECORD,,\n").encode()
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for member, data in files.items():
            wheel.writestr(member, data)
    return path


def copy_project(target: Path) -> Path:
    shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", ".waveflow", "__pycache__", ".pytest_cache", ".hypothesis", "tests", "bench", "*.egg-info"))
    (target / "tasks" / "requirements.txt").write_text("tinydep==1.0\n")
    params = json.loads((target / "deploy" / "params" / "dev.json").read_text())
    params.update(region=REGION, artifactBucket=BUCKET)
    (target / "deploy" / "params" / "dev.json").write_text(json.dumps(params))
    return target


@dataclass
class Deployment:
    """The project copy, its wheelhouse, moto's session and what the deploy printed."""

    project: Path
    wheelhouse: Path
    session: boto3.Session
    printed: list[str] = field(default_factory=list)

    @property
    def packager(self) -> Packager:
        return Packager(["--no-index", "--find-links", str(self.wheelhouse)], cache=self.wheelhouse / "installed")

    def options(self, **overrides) -> DeployOptions:
        values = dict(env="dev", project=self.project, yes=True, out=self.project / "build", checkov=False)
        return DeployOptions(**{**values, **overrides})

    def echo(self, line: str) -> None:
        self.printed.extend(str(line).splitlines())

    def output(self) -> str:
        text = "\n".join(self.printed)
        self.printed.clear()
        return text

    def objects(self) -> list[str]:
        listed = self.session.client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return sorted(o["Key"] for o in listed)
