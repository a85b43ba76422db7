"""``waveflow run`` as a user runs it: the summary contract alone on stdout, the same seed giving the same summary,
the report written beside it, bad rows refused before anything is sent (exit 2, every bad row named), and
``--send-invalid`` sending them to the DLQ with their reasons."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from waveflow.cli import cli
from waveflow.local.journal import Journal
from waveflow.run.options import RunOptions
from waveflow.run.runner import run_wave

REPO = Path(__file__).resolve().parents[2]
HEADER = ("Server,Hostname,IP,OS,App,Wave,Environment,Account,Region,Subnet,Instance Type,Security Groups,DNS Zone,"
          "DNS Record,Callback")
GOOD = ("s-0a1b2c3d4e5f60718,pay-web-01,10.1.0.4,Ubuntu 22.04,payments,7,test,123456789012,us-east-1,"
        "subnet-0123456789abcdef0,m6i.large,sg-0123456789abcdef0,,,")


@pytest.fixture
def project(monkeypatch):
    monkeypatch.chdir(REPO)  # waveflow run builds the project it is run in


def _run(tmp_path: Path, name: str, *args: str):
    journal, report = tmp_path / name / "journal.sqlite3", tmp_path / name / "report.html"
    done = CliRunner().invoke(cli, ["run", *args, "--journal", str(journal), "--report", str(report)])
    return done, journal, report


def test_json_is_the_summary_alone_and_the_same_seed_gives_the_same_summary(project, tmp_path):
    summaries, histories = [], []
    for name in ("first", "second"):
        done, journal, report = _run(tmp_path, name, "--servers", "3", "--seed", "11", "--json")
        assert done.exit_code == 0, done.output
        summary = json.loads(done.stdout)  # nothing but the JSON on stdout
        assert summary["byStatus"] == {"SUCCESS": 3} and summary["executionsStarted"] == 4
        assert report.read_text(encoding="utf-8").lower().startswith("<!doctype html>")
        assert Journal(journal).runs()[0]["summary"]["byStatus"] == {"SUCCESS": 3}
        summary.pop("wallSeconds")
        summaries.append(json.dumps(summary, sort_keys=True))
        kept = Journal(journal)
        histories.append([(execution["name"], kept.history(execution["executionArn"]))
                          for execution in kept.executions()])
    assert summaries[0] == summaries[1]
    assert histories[0] == histories[1]  # callback URLs (the receiver's port) included


def test_bad_rows_stop_the_run_before_anything_is_sent_naming_each(project, tmp_path):
    wave = tmp_path / "wave.csv"
    bad_region = GOOD.replace("s-0a1b2c3d4e5f60718", "s-0a1b2c3d4e5f60719").replace("us-east-1", "mars-north-1")
    bad_type = GOOD.replace("s-0a1b2c3d4e5f60718", "s-0a1b2c3d4e5f60720").replace("m6i.large", "huge")
    wave.write_text("\n".join([HEADER, GOOD, bad_region, bad_type]) + "\n", encoding="utf-8")
    done, journal, report = _run(tmp_path, "refused", "--wave", str(wave))
    assert done.exit_code == 2
    assert f"{wave}:3: column 'Region': 'mars-north-1' is not an AWS region" in done.stderr
    assert f"{wave}:4: column 'Instance Type': 'huge'" in done.stderr
    assert not report.exists() and Journal(journal).executions() == []  # nothing was sent, nothing ran


def test_send_invalid_sends_bad_rows_to_the_dlq_with_their_reasons(project, tmp_path):
    wave = tmp_path / "wave.csv"
    bad_region = GOOD.replace("s-0a1b2c3d4e5f60718", "s-0a1b2c3d4e5f60719").replace("us-east-1", "mars-north-1")
    wave.write_text("\n".join([HEADER, GOOD, bad_region]) + "\n", encoding="utf-8")
    done, _, _ = _run(tmp_path, "sent", "--wave", str(wave), "--send-invalid")
    assert done.exit_code == 0, done.output
    assert "SUCCESS 1" in done.stdout and "Dead letters (1)" in done.stdout
    assert "mars-north-1" in done.stdout  # the reason ingress gave, as the DLQ message carries it


def test_on_a_terminal_the_functions_output_goes_to_the_log_not_above_the_progress(project, tmp_path):
    terminal = io.StringIO()
    result = run_wave(RunOptions(servers=2, seed=1, journal=tmp_path / "journal.sqlite3", build=tmp_path / "build"),
                      console=Console(file=terminal, force_terminal=True, width=100))
    assert result.summary["byStatus"] == {"SUCCESS": 2}
    assert '"_aws"' in result.log.read_text(encoding="utf-8")  # the tasks' metrics (EMF), as CloudWatch gets them
    assert '"_aws"' not in terminal.getvalue() and "waveflow run" in terminal.getvalue()


def test_the_console_script_leaves_at_once_after_a_run_with_everything_written(tmp_path):
    """``waveflow run`` ends its process without freeing its heap: the summary, journal, report and exit code
    must all be there as after a normal exit."""
    import subprocess
    import sys
    journal, report = tmp_path / "journal.sqlite3", tmp_path / "report.html"
    code = ("import sys; from waveflow.cli import main\n"
            "main(sys.argv[1:])\n"
            "print('not reached: the process ended inside main')")
    done = subprocess.run([sys.executable, "-c", code, "run", "--servers", "2", "--seed", "3", "--json",
                           "--journal", str(journal), "--report", str(report)],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["byStatus"] == {"SUCCESS": 2}  # the whole summary, and nothing after it
    assert report.read_text(encoding="utf-8").lower().startswith("<!doctype html>")
    assert len(Journal(journal).executions()) == 3 and Journal(journal).runs()[0]["summary"]["byStatus"]
    refused = subprocess.run([sys.executable, "-c", code, "run", "--servers", "2", "--faults", "nosuch"],
                             cwd=REPO, capture_output=True, text=True)
    assert refused.returncode == 2 and "unknown fault profile 'nosuch'" in refused.stderr
