"""The build as a whole: golden output for the shipped workflows, reproducibility, atomic writes, the CLI."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from waveflow.cli import cli
from waveflow.compile import BuildError, build
from waveflow.compile.lint import lint_definition
from waveflow.compile.watch import watch

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    return out, build(REPO, out)


@pytest.mark.parametrize("name", ["ServerMigration", "MigrationWave"])
def test_shipped_workflows_match_their_golden_asl(shipped, name):
    _, files = shipped
    assert files[f"{name}.asl.json"] == (GOLDEN / f"{name}.asl.json").read_bytes(), \
        f"build/{name}.asl.json changed; if intended, copy it to tests/golden/"


def test_shipped_workflows_are_statelint_clean(shipped):
    _, files = shipped
    for name, data in files.items():
        if name.endswith(".asl.json"):
            assert lint_definition(json.loads(data)) == [], name


def test_two_builds_are_byte_identical(shipped, tmp_path):
    _, first = shipped
    second = build(REPO, tmp_path / "again")
    assert first == second
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == sorted(first)


def test_manifest_maps_functions_to_handlers_with_hashes(shipped):
    _, files = shipped
    manifest = json.loads(files["manifest.json"])
    assert manifest["workflows"]["ServerMigration"]["file"] == "workflows/migration.py"
    assert manifest["workflows"]["MigrationWave"]["children"] == []  # the starter starts migrations, not the wave
    assert manifest["functions"]["ValidateInput"] == {"handler": "tasks.validate_input.handler",
                                                      "placeholder": "ValidateInputFunctionArn",
                                                      "usedBy": ["ServerMigration"]}
    import hashlib
    for name, entry in manifest["workflows"].items():
        assert entry["sha256"] == hashlib.sha256(files[entry["definition"]]).hexdigest()


def test_the_migration_rolls_back_to_a_fail_state(shipped):
    _, files = shipped
    states = json.loads(files["ServerMigration.asl.json"])["States"]
    assert states["RollbackHandler"]["Next"] == "NotifyFailure"
    assert states["NotifyFailure"]["Next"] == "MigrationFailed"
    assert states["MigrationFailed"]["Type"] == "Fail"
    caught = [name for name, s in states.items() if any(c["Next"] == "RollbackHandler" for c in s.get("Catch", []))]
    assert caught == ["ValidateInput", "PrepareSource", "TriggerMigration", "WaitForReplication", "StartTestLaunch",
                      "WaitForTestLaunch", "VerifyTestInstance", "MarkReadyForCutover", "AwaitWaveCutover", "LaunchCutover",
                      "WaitForCutoverLaunch", "VerifyMigration", "FinalizeCutover"]


def test_a_broken_workflow_leaves_the_previous_build_untouched(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("A")
    ''')
    out = project.root / "build"
    build(project.root, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    project.workflow('''
        with Workflow("Flow") as wf:
            Choice("Stuck")
    ''')
    project.workflow('''
        with Workflow("Other") as wf:
            Pass("B")
    ''', name="other.py")
    with pytest.raises(BuildError):
        build(project.root, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".build")] == []


def test_cli_build_exits_2_with_one_line_per_problem(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Choice("Stuck")
            Map("Each", items_path="$.x")
    ''')
    result = CliRunner().invoke(cli, ["build", "--project", str(project.root)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "workflows/flow.py:3: Choice 'Stuck' has no way out: add .when(condition, next_state)",
        "workflows/flow.py:4: Map 'Each' is unreachable: nothing leads to it from 'Stuck'; link it with >> or "
        "remove it"]
    assert not (project.root / "build").exists()


def test_python_build_py_is_waveflow_build(tmp_path):
    work = tmp_path / "repo"
    shutil.copytree(REPO, work, ignore=shutil.ignore_patterns(".venv", ".git", "build", ".waveflow", "__pycache__",
                                                              ".pytest_cache", ".hypothesis"))
    done = subprocess.run([sys.executable, "build.py", "--no-check"], cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (work / "build" / "ServerMigration.asl.json").read_bytes() == \
        (GOLDEN / "ServerMigration.asl.json").read_bytes()


def test_watch_prints_only_what_changed_or_broke(project):
    flow = project.workflow('''
        with Workflow("Flow") as wf:
            Pass("A")
    ''')
    printed: list[str] = []

    def edit_then_record(line):
        printed.append(line)
        if len(printed) == 1:
            flow.write_text(flow.read_text().replace('Pass("A")', 'Pass("A") >> Choice("Stuck")'))

    watch(project.root, None, echo=edit_then_record, interval=0.05, rounds=40)
    assert printed[0].splitlines() == ["changed Flow.asl.json", "changed manifest.json"]
    assert printed[1].splitlines()[0] == "build failed:"
    assert "Choice 'Stuck' has no way out" in printed[1]


def test_the_migration_retries_exactly_the_transient_errors_the_tasks_document():
    import re
    text = (REPO / "docs" / "interfaces.md").read_text()
    transient = set()
    for item in re.findall(r"^- (?:also )?transient.*?(?=^- |^$)", text, flags=re.MULTILINE | re.DOTALL):
        transient |= set(re.findall(r"`([A-Za-z.]+)`", item))
    from importlib.util import module_from_spec, spec_from_file_location
    spec = spec_from_file_location("shipped_migration", REPO / "workflows" / "migration.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.TRANSIENT) == transient
