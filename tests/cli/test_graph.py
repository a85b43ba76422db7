"""``waveflow graph`` through click's CliRunner and as a process: what it draws from a name, a workflow file or any
ASL, the exit-code contract (2 with the build's file:line problems, never a traceback), byte-identical output,
and ``--changed-since`` in a real git repository."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from waveflow.cli.graph import graph_command

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "tests" / "graph" / "asl"

WORKFLOW = '''\
"""Say hello, or refuse."""
from waveflow.dsl import Choice, Fail, Pass, Succeed, Var, Workflow

with Workflow("Hello") as wf:
    check = Choice("HasName")
    greet = Pass("Greet", parameters={"text": "hello"})
    check.when(Var("$.name").is_present(), greet).otherwise(Fail("NoName", error="Nameless"))
    greet >> Succeed("Done")
'''


@pytest.fixture
def cli():
    group = click.Group()
    group.add_command(graph_command)
    return group


@pytest.fixture
def project(tmp_path):
    (tmp_path / "workflows").mkdir()
    (tmp_path / "tasks").mkdir()
    (tmp_path / "workflows" / "hello.py").write_text(WORKFLOW)
    return tmp_path


def invoke(cli, *args):
    return CliRunner().invoke(cli, ["graph", *args], catch_exceptions=False)


def test_a_workflow_by_name_or_file_draws_what_the_build_compiles(cli, project):
    by_name = invoke(cli, "Hello", "--project", str(project))
    by_file = invoke(cli, str(project / "workflows" / "hello.py"))
    assert by_name.exit_code == 0 and by_file.exit_code == 0
    assert by_name.output == by_file.output
    assert by_name.output.startswith("%% Hello: drawn by `waveflow graph` from its ASL\nstateDiagram-v2\n")
    assert 'state "HasName" as s0' in by_name.output and "s0 --> s1 : #36;.name is present" in by_name.output


def test_any_asl_file_draws_in_every_format(cli, tmp_path):
    source = SAMPLES / "distributed-map.asl.json"
    for fmt, start in (("mermaid", "%% distributed-map"), ("markdown", "### distributed-map"),
                       ("svg", '<svg xmlns="http://www.w3.org/2000/svg"'), ("html", "<!doctype html>")):
        out = tmp_path / f"graph.{fmt}"
        result = invoke(cli, str(source), "--format", fmt, "--out", str(out))
        assert result.exit_code == 0, result.output
        assert out.read_text().startswith(start)
        assert f"wrote {out}" in result.output


def test_a_broken_workflow_gives_the_builds_file_line_problems(cli, project):
    (project / "workflows" / "hello.py").write_text(WORKFLOW.replace("greet >> Succeed", 'greet >> "Dne"\n    '
                                                                     'greet >> Succeed'))
    result = invoke(cli, "Hello", "--project", str(project))
    assert result.exit_code == 2
    assert "workflows/hello.py:" in result.output and "'Dne'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (["Helo"], "no workflow named 'Helo'"),
    (["missing.asl.json"], "missing.asl.json: no such file"),
    (["missing.py"], "missing.py: no such workflow file"),
    ([], "Give either WORKFLOW"),
    (["Hello", "--changed-since", "HEAD"], "Give either WORKFLOW"),
    (["--changed-since", "HEAD", "--format", "html"], "--changed-since writes Markdown"),
])
def test_bad_input_is_refused_with_a_message(cli, project, monkeypatch, args, message):
    monkeypatch.chdir(project)
    result = invoke(cli, *args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_a_file_that_is_not_asl_names_each_problem(cli, tmp_path):
    bad = tmp_path / "bad.asl.json"
    bad.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Task", "Next": "B"}}}))
    result = invoke(cli, str(bad))
    assert result.exit_code == 2
    assert result.output == f"{bad}: States.A.Next: 'B' is not a state here\n"
    bad.write_text("{not json")
    assert "not JSON" in invoke(cli, str(bad)).output


def test_output_is_byte_identical_across_processes(tmp_path):
    outputs = []
    for seed in ("0", "1"):
        for fmt in ("mermaid", "svg", "html"):
            out = tmp_path / f"{seed}.{fmt}"
            subprocess.run([sys.executable, "-c", "from waveflow.cli import main; main()", "graph", "ServerMigration",
                            "--format", fmt, "--out", str(out)], cwd=REPO,
                           env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}, check=True, capture_output=True)
            outputs.append(out.read_bytes())
    assert outputs[:3] == outputs[3:]


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)


def test_changed_since_draws_the_workflows_whose_asl_changed(cli, project, monkeypatch):
    (project / "workflows" / "other.py").write_text(textwrap.dedent('''\
        from waveflow.dsl import Succeed, Workflow
        with Workflow("Other") as wf:
            Succeed("Fine")
    '''))
    git(project, "init", "-q")
    git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "start", "--allow-empty")
    git(project, "add", ".")
    git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "workflows")
    monkeypatch.chdir(project)
    unchanged = invoke(cli, "--changed-since", "HEAD")
    assert unchanged.exit_code == 0 and "No workflow's compiled ASL changed." in unchanged.output
    (project / "workflows" / "hello.py").write_text(WORKFLOW.replace('"hello"', '"hi"'))
    (project / "workflows" / "other.py").write_text((project / "workflows" / "other.py").read_text() + "\n\n")
    changed = invoke(cli, "--changed-since", "HEAD", "--format", "markdown")
    assert changed.exit_code == 0
    assert "### Hello (`workflows/hello.py`)\n\n```mermaid\n" in changed.output and "Other" not in changed.output
    everything = invoke(cli, "--changed-since", "HEAD~1")
    assert "### Hello" in everything.output and "### Other" in everything.output
    wrong = invoke(cli, "--changed-since", "no-such-ref")
    assert wrong.exit_code == 2 and "--changed-since no-such-ref" in wrong.output
