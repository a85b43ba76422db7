"""The README's DSL tour is real code: it builds, against the project's own tasks."""
import re
import shutil
from pathlib import Path

from waveflow.compile import build

REPO = Path(__file__).resolve().parents[1]


def test_the_dsl_tour_in_the_readme_builds(tmp_path):
    readme = (REPO / "README.md").read_text()
    tour = readme[readme.index("## A tour of the DSL"):]
    code = re.search(r"```python\n(.*?)```", tour, flags=re.DOTALL).group(1)
    shutil.copytree(REPO / "tasks", tmp_path / "tasks", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "tour.py").write_text(code)
    files = build(tmp_path)
    assert "ServerMigration.asl.json" in files


def test_the_first_command_runs_a_wave_and_ci_runs_the_second_exactly():
    readme = (REPO / "README.md").read_text()
    section = readme.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    first, second = re.findall(r"```sh\n(.+?)\n```", section)
    assert first.endswith("&& .venv/bin/waveflow run --servers 200 --faults flaky-mgn")
    assert (REPO / ".ci" / "run").read_text().rstrip().endswith(second)
