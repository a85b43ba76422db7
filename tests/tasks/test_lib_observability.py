"""The tasks' tracer: Powertools' X-Ray tracer inside Lambda; elsewhere a provider that records nothing, and the
X-Ray SDK (which builds an X-Ray client when imported) is never imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from tasks.lib.observability import tracer

@tracer.capture_lambda_handler
def handler(event, context):
    return {"ok": True}

print(json.dumps({"disabled": bool(tracer.disabled), "provider": type(tracer.provider).__module__,
                  "xray_imported": "aws_xray_sdk.core" in sys.modules, "answer": handler({}, None)}))
"""


def _probe(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED")}
    done = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("env", [{}, {"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"}],
                         ids=["outside-lambda", "disabled-in-lambda"])
def test_without_traces_the_xray_sdk_is_never_imported_and_handlers_still_run(env):
    probe = _probe(**env)
    assert probe == {"disabled": True, "provider": "tasks.lib.observability", "xray_imported": False,
                     "answer": {"ok": True}}


def test_inside_lambda_the_tracer_is_powertools_xray_recorder():
    probe = _probe(LAMBDA_TASK_ROOT="/var/task", AWS_XRAY_CONTEXT_MISSING="IGNORE_ERROR")
    assert probe["disabled"] is False and probe["provider"].startswith("aws_xray_sdk.core")
