"""A throwaway project (workflows/ + tasks/) per test, so each workflow is compiled exactly as a user's would be."""
import textwrap
from pathlib import Path

import pytest

from waveflow.compile import BuildError, build

TASKS = {
    "tasks/__init__.py": "",
    "tasks/steps.py": '''
        def handler(event, context):
            """Does the step."""
            return event

        def check(event, context):
            """Looks at the status."""
            return event

        def notify(event, context):
            return event
    ''',
}


class Project:
    """Writes workflow files into a temporary project and builds it."""

    def __init__(self, root: Path):
        self.root = root
        for name, text in TASKS.items():
            self.write(name, text)

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    def workflow(self, body: str, name: str = "flow.py") -> Path:
        """A workflow file: the DSL imported, then ``body``."""
        return self.write(f"workflows/{name}", "from waveflow.dsl import *\n" + textwrap.dedent(body).lstrip("\n"))

    def build(self) -> dict:
        files = build(self.root)
        import json
        return {name[:-len(".asl.json")]: json.loads(data) for name, data in files.items()
                if name.endswith(".asl.json")}

    def problems(self) -> list[str]:
        with pytest.raises(BuildError) as caught:
            build(self.root)
        return [str(p) for p in caught.value.problems]


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path)
