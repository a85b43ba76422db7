"""How long a build takes: the shipped workflows, and synthetic chains of 125 to 1,000 states (growth check).

Prints medians of repeated runs; the ratio columns compare each size with the 125-state chain measured in the
same run, so the figures mean the same on any machine. Target: shipped workflows < 50 ms, linear growth.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from waveflow.compile import build  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    fn()  # warm caches (imports, botocore-free but statelint's regexes)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def synthetic_project(root: Path, states: int) -> Path:
    (root / "tasks").mkdir(parents=True)
    (root / "tasks" / "__init__.py").write_text("")
    (root / "tasks" / "steps.py").write_text("def handler(event, context):\n    return event\n")
    (root / "workflows").mkdir()
    lines = ["from waveflow.dsl import *", "undo = LambdaTask('Undo', handler='tasks.steps.handler')",
             "with Workflow('Synthetic', default_retry=Retry(attempts=3, delay=seconds(2)), on_failure=undo) as wf:",
             "    prev = None"]
    for i in range(states):
        kind = "LambdaTask" if i % 2 else "Pass"
        extra = ", handler='tasks.steps.handler'" if i % 2 else ""
        lines.append(f"    s = {kind}('Step{i:04d}'{extra})")
        lines.append("    prev = s if prev is None else (prev >> s)")
    (root / "workflows" / "synthetic.py").write_text("\n".join(lines) + "\n")
    return root


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        shipped = median_ms(lambda: build(REPO, Path(tmp) / "shipped"), repeat=15)
        print(f"shipped workflows (ServerMigration + MigrationWave): {shipped:.1f} ms median of 15 builds")
        base = None
        for size in (125, 250, 500, 1000):
            project = synthetic_project(Path(tmp) / f"p{size}", size)
            ms = median_ms(lambda: build(project, project / "build"), repeat=7)
            base = base or ms / size
            print(f"synthetic chain of {size:>5} states: {ms:8.1f} ms  "
                  f"({ms / size * 1000:.0f} us/state, x{ms / size / base:.2f} the per-state cost at 125)")


if __name__ == "__main__":
    main()
