"""The build as a whole: golden output for the shipped workflows, reproducibility, atomic writes, the CLI."""
import json
import os
import shutil
import stat
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


@pytest.fixture
def shipped(tmp_path):
    """The shipped workflows built afresh for each test, so that each test exercises the build it checks."""
    out = tmp_path / "build"
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
    assert manifest["workflows"]["ServerMigration"]["placeholder"] == "ServerMigrationStateMachineArn"
    assert manifest["workflows"]["MigrationWave"]["functions"] == ["ApprovalRequestApproval", "WaveGateCloseCutover",
                                                               "WaveGateOpenCutover", "WaveGateOpenWave",
                                                               "WaveGateWatchWave", "WaveSummary"]
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


def test_python_build_py_is_waveflow_build_with_its_arguments(tmp_path):
    work = tmp_path / "repo"
    shutil.copytree(REPO, work, ignore=shutil.ignore_patterns(".venv", ".git", "build", ".waveflow", "__pycache__",
                                                              ".pytest_cache", ".hypothesis"))
    done = subprocess.run([sys.executable, "build.py", "--no-check"], cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (work / "build" / "ServerMigration.asl.json").read_bytes() == \
        (GOLDEN / "ServerMigration.asl.json").read_bytes()
    elsewhere = subprocess.run([sys.executable, "build.py", "--out", "dist"], cwd=work, capture_output=True, text=True)
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert (work / "dist" / "ServerMigration.asl.json").read_bytes() == \
        (GOLDEN / "ServerMigration.asl.json").read_bytes()
    wrong = subprocess.run([sys.executable, "build.py", "--outt", "dist"], cwd=work, capture_output=True, text=True)
    assert wrong.returncode == 2 and "--outt" in wrong.stderr


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o027, 0o750)])
def test_the_build_folder_is_made_with_the_umask_like_any_other(project, umask, mode):
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("A")
    ''')
    previous = os.umask(umask)
    try:
        build(project.root)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((project.root / "build").stat().st_mode) == mode


def _edit(path: Path, text: str) -> None:
    """Write and move the modification time on, so that the watcher sees every edit however fast it comes."""
    stamp = path.stat().st_mtime_ns + 10**9
    path.write_text(text)
    os.utime(path, ns=(stamp, stamp))


def test_watch_says_build_ok_then_only_what_changed_or_broke_and_errors_go_to_stderr(project):
    flow = project.workflow('''
        with Workflow("Flow") as wf:
            Pass("A")
    ''')
    good = flow.read_text()
    edits = [good.replace('Pass("A")', 'Pass("A") >> Choice("Stuck")'),   # breaks
             good,                                                         # fixed: same output as before
             good.replace('Pass("A")', 'Pass("B")')]                       # a real change
    printed: list[tuple[str, bool]] = []

    def record_then_edit(text, err=False):
        printed.append((text, err))
        if edits:
            _edit(flow, edits.pop(0))

    watch(project.root, None, echo=record_then_edit, interval=0.01, rounds=40)
    assert printed[0] == ("build OK", False)
    assert printed[1][0].splitlines()[0] == "build failed:" and printed[1][1] is True
    assert "Choice 'Stuck' has no way out" in printed[1][0]
    assert printed[2] == ("build OK", False)
    assert printed[3] == ("changed Flow.asl.json\nchanged manifest.json", False)


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


def test_a_rebuild_leaves_nothing_beside_the_build_folder(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Pass("A")
    ''')
    out = project.root / "out" / "build"
    build(project.root, out)
    build(project.root, out)
    assert [p.name for p in out.parent.iterdir()] == ["build"]


def test_the_build_writes_utf8_and_makes_missing_parent_folders(project):
    project.workflow('''
        with Workflow("Flow", comment="Migre le serveur: étape 1") as wf:
            Pass("A")
    ''')
    out = project.root / "dist" / "nested" / "build"
    files = build(project.root, out)
    assert "Migre le serveur: étape 1".encode() in files["Flow.asl.json"]
    assert (out / "Flow.asl.json").read_bytes() == files["Flow.asl.json"]


def test_watch_starts_broken_to_stderr_writes_to_out_follows_the_tasks_and_stops_on_interrupt(project, tmp_path):
    flow = project.workflow('''
        with Workflow("Flow") as wf:
            LambdaTask("A", handler="tasks.steps.handler") >> Choice("Stuck")
    ''')
    steps = project.root / "tasks" / "steps.py"
    edits = [(flow, flow.read_text().replace(' >> Choice("Stuck")', "")),                    # fixed
             (steps, steps.read_text().replace("def handler(", "def renamed("))]             # a task breaks it
    printed: list[tuple[str, bool]] = []

    def record_then_edit(text, err=False):
        printed.append((text, err))
        if edits:
            _edit(*edits.pop(0))
        elif len(printed) == 3:
            raise KeyboardInterrupt

    out = tmp_path / "dist"
    watch(project.root, out, echo=record_then_edit, interval=0.01, rounds=40)
    assert printed[0][0].startswith("build failed:") and printed[0][1] is True
    assert printed[1] == ("build OK", False)
    assert printed[2][0].startswith("build failed:") and "has no function 'handler'" in printed[2][0]
    assert printed[3] == ("stopped watching", False)
    assert (out / "Flow.asl.json").exists() and not (project.root / "build").exists()
