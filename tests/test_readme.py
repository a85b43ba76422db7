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
