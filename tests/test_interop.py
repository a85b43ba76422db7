"""The SDK bridge, run in a subprocess: importing the SDK resets the root logger and changes yaml output, which
must not leak into the other tests."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

SCRIPT = r'''
import json, sys
from pathlib import Path
import boto3
from waveflow.interop import from_sdk_workflow, to_sdk_workflow
golden = Path(sys.argv[1])
client = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
wf = to_sdk_workflow(golden, name="ServerMigration", role="arn:aws:iam::123456789012:role/sfn", client=client,
                     substitutions={"ValidateInputFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:v"})
back = from_sdk_workflow(wf)

from stepfunctions.steps import Chain, Pass, Succeed
from stepfunctions.workflow import Workflow
sdk_made = Workflow(name="Hello", definition=Chain([Pass("Hello"), Succeed("Done")]),
                    role="arn:aws:iam::123456789012:role/sfn", client=client)
print(json.dumps({"back": back, "sdk_made": from_sdk_workflow(sdk_made), "type": type(wf).__name__}))
'''


def test_export_is_lossless_and_an_sdk_workflow_imports():
    if importlib.util.find_spec("stepfunctions") is None:
        pytest.skip("install the sdk extra: pip install -e '.[sdk]'")
    golden = REPO / "tests" / "golden" / "ServerMigration.asl.json"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(golden)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    expected = json.loads(golden.read_text())
    expected["States"]["ValidateInput"]["Parameters"]["FunctionName"] = \
        "arn:aws:lambda:us-east-1:123456789012:function:v"
    assert result["type"] == "Workflow"
    assert result["back"] == expected
    assert result["sdk_made"] == {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Next": "Done"},
                                                                 "Done": {"Type": "Succeed"}}}


def test_without_the_sdk_the_bridge_says_how_to_install_it(monkeypatch):
    from waveflow import interop
    monkeypatch.setitem(sys.modules, "stepfunctions", None)
    monkeypatch.setitem(sys.modules, "stepfunctions.workflow", None)
    monkeypatch.setitem(sys.modules, "stepfunctions.steps.states", None)
    with pytest.raises(interop.SdkMissing, match=r"pip install -e '.\[sdk\]'"):
        interop.to_sdk_workflow({"StartAt": "A", "States": {}}, name="x", role="r")
