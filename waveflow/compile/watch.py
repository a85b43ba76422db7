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


def rebuild(root: Path, out: Path | None, last_good: dict[str, bytes],
            was_ok: bool) -> tuple[dict[str, bytes], list[str], bool]:
    """One round: build, and say what happened in a few lines, returning (the last good build, lines, ok).

    After a success, the files that changed since the last good build ("no change" if none); the first success,
    and the first after a failure, start with "build OK".
    """
    try:
        files = build(root, out)
    except BuildError as exc:
        return last_good, ["build failed:", exc.report()], False
    lines = [f"changed {name}" for name in sorted(files) if last_good and last_good.get(name) != files[name]]
    lines += [f"removed {name}" for name in sorted(last_good) if name not in files]
    if not was_ok:
        return files, ["build OK", *lines], True
    return files, lines or ["no change"], True


def watch(root: Path, out: Path | None, echo: Callable[..., None], interval: float = 0.5,
          rounds: int | None = None) -> None:
    """Poll the sources every ``interval`` seconds; ``rounds`` bounds the loop (tests), ``None`` runs until ^C.

    ``echo(text, err=...)`` prints (``click.echo``); a failed build goes to stderr, as a plain build's does.
    """
    root = Path(root).resolve()
    seen = _snapshot(root)
    files, lines, ok = rebuild(root, out, {}, False)
    echo("\n".join(lines), err=not ok)
    count = 0
    try:
        while rounds is None or count < rounds:
            count += 1
            time.sleep(interval)
            now = _snapshot(root)
            if now != seen:
                seen = now
                files, lines, ok = rebuild(root, out, files, ok)
                echo("\n".join(lines), err=not ok)
    except KeyboardInterrupt:
        echo("stopped watching")
