"""``waveflow build --watch``: rebuild on every save, print only what changed or what broke."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from .pipeline import build
from .problems import BuildError


def _snapshot(root: Path) -> dict[Path, float]:
    """Modification times of everything a build reads: workflow files and the task sources they name."""
    files = list((root / "workflows").glob("*.py")) + list((root / "tasks").rglob("*.py"))
    return {path: path.stat().st_mtime_ns for path in files if path.is_file()}


def rebuild(root: Path, out: Path | None, previous: dict[str, bytes]) -> tuple[dict[str, bytes], list[str]]:
    """One round: build, and describe the difference from ``previous`` in a few lines."""
    try:
        files = build(root, out)
    except BuildError as exc:
        return previous, ["build failed:", exc.report()]
    lines = [f"changed {name}" for name in sorted(files) if previous.get(name) != files[name]]
    lines += [f"removed {name}" for name in sorted(previous) if name not in files]
    return files, lines or ["no change"]


def watch(root: Path, out: Path | None, echo: Callable[[str], None], interval: float = 0.5,
          rounds: int | None = None) -> None:
    """Poll the sources every ``interval`` seconds; ``rounds`` bounds the loop (tests), ``None`` runs until ^C."""
    root = Path(root).resolve()
    seen = _snapshot(root)
    files, lines = rebuild(root, out, {})
    echo("\n".join(lines))
    count = 0
    try:
        while rounds is None or count < rounds:
            count += 1
            time.sleep(interval)
            now = _snapshot(root)
            if now != seen:
                seen = now
                files, lines = rebuild(root, out, files)
                echo("\n".join(lines))
    except KeyboardInterrupt:
        echo("stopped watching")
