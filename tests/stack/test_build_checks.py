"""The build's stack: its checks pass (and fail when they should), and its problems name what to fix."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from waveflow.cli import cli
from waveflow.compile import BuildError, build
from waveflow.stack.checks import check_template, cfnlint, controls
from waveflow.stack.statemachines import plan

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report(built_stack):
    """Every check, checkov included, on the repository's template (once: checkov takes seconds)."""
    return check_template(built_stack.text)


def test_the_template_passes_cfn_lint_checkov_and_the_controls(report):
    assert report.findings == []
    assert report.summaries[0] == "cfn-lint: 0 errors or warnings"
    assert report.summaries[1] == "controls: 2 state machines, 0 findings"
    assert ", 0 failed, " in report.summaries[2].splitlines()[0]


def test_every_checkov_skip_carries_its_reason(report):
    skips = report.summaries[2].splitlines()[1:]
    assert skips, "expected the documented skips (CKV_AWS_115, CKV_AWS_117, CKV_AWS_18)"
    for line in skips:
        check, _, reason = line.partition(": ")
        assert check.split()[1] in {"CKV_AWS_115", "CKV_AWS_117", "CKV_AWS_18"}, line
        assert len(reason) > 20, line


@pytest.mark.parametrize("edit, finding", [
    (("        Level: ALL", "        Level: ERROR"), "[SFN-LOGGING] MigrationWaveStateMachine: logging level is 'ERROR'"),
    (("TracingConfiguration:\n        Enabled: true", "TracingConfiguration:\n        Enabled: false"), "[SFN-TRACING] MigrationWaveStateMachine: X-Ray tracing is off"),
    (("        Type: CUSTOMER_MANAGED_KMS_KEY", "        Type: AWS_OWNED_KEY"), "[SFN-ENCRYPTION] MigrationWave"),
    (("      DefinitionSubstitutions:\n", "      DefinitionSubstitutions:\n        Spare: x\n"),
     "[SFN-PLACEHOLDER] MigrationWaveStateMachine: substitution Spare fills no placeholder"),
])
def test_the_controls_find_what_control_tower_asks_for(built_stack, edit, finding):
    findings, _ = controls.check(built_stack.text.replace(*edit, 1))
    assert any(finding in str(f) for f in findings), findings


def test_cfn_lint_findings_are_reported_with_their_place(built_stack):
    findings, summary = cfnlint.check(built_stack.text.replace("Runtime: python3.12", "Runtime: python2.0", 1))
    assert summary.startswith("cfn-lint: 1 errors or warnings") or findings
    assert findings[0].rule == "E3030" and "python2.0" in findings[0].message
    assert findings[0].where.startswith("template.yaml:")


def test_unfilled_unused_and_unknown_placeholders_and_resources_are_problems():
    functions = {"Step": {"handler": "tasks.steps.handler", "placeholder": "StepFunctionArn"},
                 "Spare": {"handler": "tasks.steps.spare", "placeholder": "SpareFunctionArn"}}
    workflow = {"functions": ["Step", "Spare"], "children": []}
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "${StepFunctionArn}", "Other": "${NobodyArn}"}, "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True}}}
    planned = plan("Flow", definition, workflow, functions, {"Flow": {"placeholder": "FlowStateMachineArn"}})
    assert planned.problems == [
        "workflow 'Flow': placeholder ${NobodyArn} names no function or workflow of build/manifest.json, so nothing "
        "can fill it",
        "workflow 'Flow': the manifest lists ${SpareFunctionArn} for it, but its definition never uses that "
        "placeholder",
        "workflow 'Flow': state 'B' calls 'arn:aws:states:::sqs:sendMessage', for which "
        "waveflow/stack/statemachines.py derives no permission; add it there"]
    assert planned.substitutions == {"StepFunctionArn": {"Fn::GetAtt": ["StepFunction", "Arn"]}}


@pytest.fixture
def project(tmp_path) -> Path:
    for folder in ("workflows", "tasks", "templates"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def problems(project: Path) -> list[str]:
    with pytest.raises(BuildError) as caught:
        build(project)
    return [str(p) for p in caught.value.problems]


def test_a_workflow_function_without_permissions_stops_the_build(project):
    (project / "tasks" / "extra.py").write_text('def handler(event, context):\n    """Extra step."""\n    return event\n')
    flow = project / "workflows" / "extra.py"
    flow.write_text('from waveflow.dsl import LambdaTask, Workflow\n\nwith Workflow("Extra") as wf:\n'
                    '    LambdaTask("DoExtra", handler="tasks.extra.handler")\n')
    assert problems(project) == ["waveflow/stack/functions.py:1: function 'Extra' (tasks.extra.handler) has no "
                                 "entry in FUNCTIONS, so it would have no role; add the grants its code needs"]


def test_an_entry_point_whose_handler_does_not_exist_stops_the_build_naming_it(project):
    module = project / "tasks" / "ingress.py"
    module.write_text(module.read_text().replace("def handler(", "def handle("))
    assert problems(project) == ["waveflow/stack/entrypoints.py:1: entry point 'Ingress': handler "
                                 "'tasks.ingress.handler': tasks/ingress.py has no function 'handler'"]


def test_a_template_value_the_build_does_not_provide_is_named(project):
    partial = project / "templates" / "queue.yaml.j2"
    partial.write_text(partial.read_text().replace("{{ queue_visibility }}", "{{ queue_visibilty }}"))
    assert problems(project) == ["templates/template.yaml.j2:1: template needs a value the build does not provide: "
                                 "'queue_visibilty' is undefined"]


def test_build_check_refuses_a_finding_and_leaves_build_untouched(project):
    partial = project / "templates" / "state_machines.yaml.j2"
    partial.write_text(partial.read_text().replace("        Level: ALL", "        Level: ERROR"))
    result = CliRunner().invoke(cli, ["build", "--project", str(project), "--check"])
    assert result.exit_code == 2
    assert "build/template.yaml:1: controls: [SFN-LOGGING] MigrationWaveStateMachine: logging level is 'ERROR'" \
        in result.output
    assert not (project / "build").exists()


def test_build_without_check_reports_findings_as_warnings_and_writes(project):
    partial = project / "templates" / "state_machines.yaml.j2"
    partial.write_text(partial.read_text().replace("        Level: ALL", "        Level: ERROR"))
    result = CliRunner().invoke(cli, ["build", "--project", str(project)])
    assert result.exit_code == 0
    assert "warning: controls: [SFN-LOGGING] MigrationWaveStateMachine" in result.output
    assert (project / "build" / "template.yaml").is_file()
