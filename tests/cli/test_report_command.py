"""``waveflow report``: nothing to draw is a message naming why and exit 2, never a traceback."""
from click.testing import CliRunner

from waveflow.cli import cli


def test_a_missing_journal_is_named(tmp_path):
    done = CliRunner().invoke(cli, ["report", "--journal", str(tmp_path / "none.sqlite3"),
                                    "--out", str(tmp_path / "r.html")])
    assert done.exit_code == 2 and "no journal at" in done.output and "none.sqlite3" in done.output
    assert not (tmp_path / "r.html").exists()


def test_a_file_that_is_no_journal_is_named(tmp_path):
    (tmp_path / "notes.txt").write_text("not a database, not even close " * 100)
    done = CliRunner().invoke(cli, ["report", "--journal", str(tmp_path / "notes.txt"),
                                    "--out", str(tmp_path / "r.html")])
    assert done.exit_code == 2 and "is not a waveflow journal" in done.output


def test_a_run_number_is_a_positive_number(tmp_path):
    done = CliRunner().invoke(cli, ["report", "0"])
    assert done.exit_code == 2 and "RUN" in done.output
