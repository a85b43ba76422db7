"""The task functions' code package: ``tasks/`` plus the wheels of ``tasks/requirements.txt``, as one zip.

Deterministic: the same sources and wheels give the same bytes (entries sorted, timestamps and permissions
fixed, no bytecode), so the S3 key — named after the zip's SHA-256 — changes exactly when the code does, and an
unchanged deploy is a no-op change set. The wheels are Linux builds for the Lambda architecture (pip's
``--platform manylinux2014_x86_64 --only-binary=:all:``), whatever machine deploys.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DeployError

PLATFORM = "manylinux2014_x86_64"
PYTHON_VERSION = "3.12"
#: 1980-01-01, the earliest time a zip entry can hold.
EPOCH = (1980, 1, 1, 0, 0, 0)
SKIPPED = {"__pycache__"}


@dataclass(frozen=True)
class CodePackage:
    data: bytes
    sha256: str

    @property
    def key(self) -> str:
        return f"waveflow/tasks-{self.sha256[:32]}.zip"


@dataclass
class Packager:
    """Builds the package of a project; ``pip_options`` reach pip (``--index-url``, ``--find-links``, ``--no-index``).

    The installed wheels are kept in ``cache`` (default ``~/.cache/waveflow/lambda-deps``) under the hash of the
    requirements, platform and pip options, so a deploy whose requirements did not change runs no pip at all.
    """

    pip_options: list[str] = field(default_factory=list)
    cache: Path | None = None

    def package(self, project: Path) -> CodePackage:
        """The zip of ``project/tasks`` and its requirements' wheels.

        >>> Packager().package(Path(".")).key  # doctest: +SKIP
        'waveflow/tasks-3f1c...zip'
        """
        tasks = Path(project) / "tasks"
        requirements = tasks / "requirements.txt"
        if not requirements.is_file():
            raise DeployError(f"{requirements} is missing: the package needs the tasks' requirements")
        site = self._dependencies(requirements)
        # pip's console scripts (bin/) name this machine's interpreter; Lambda never runs them.
        entries = {path.relative_to(site).as_posix(): path for path in _files(site)
                   if path.relative_to(site).parts[0] != "bin"}
        entries.update({f"tasks/{path.relative_to(tasks).as_posix()}": path for path in _files(tasks)})
        data = _zip(entries)
        return CodePackage(data, hashlib.sha256(data).hexdigest())

    def _dependencies(self, requirements: Path) -> Path:
        """The folder holding the installed wheels of ``requirements``: cached, or installed now."""
        identity = "\n".join([requirements.read_text(encoding="utf-8"), PLATFORM, PYTHON_VERSION, *self.pip_options])
        cache = self.cache or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "waveflow" / \
            "lambda-deps"
        site = cache / hashlib.sha256(identity.encode()).hexdigest()[:24]
        if not site.is_dir():
            cache.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=cache))
            try:
                self._install(requirements, staging)
                staging.rename(site)
            except OSError:
                if not site.is_dir():  # another deploy finished the same install first: use theirs
                    raise
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return site

    def _install(self, requirements: Path, target: Path) -> None:
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
                   "--target", str(target), "--platform", PLATFORM, "--implementation", "cp",
                   "--python-version", PYTHON_VERSION, "--only-binary=:all:", "--requirement", str(requirements),
                   *self.pip_options]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
            raise DeployError(
                f"could not fetch the Lambda wheels ({PLATFORM}, Python {PYTHON_VERSION}) for {requirements}: "
                f"{lines[-1] if lines else 'pip failed'}. The package index must be reachable (or pass pip "
                f"options such as --find-links to a wheelhouse); nothing was uploaded")


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not SKIPPED & set(p.relative_to(root).parts)
                  and p.suffix != ".pyc")


def _zip(entries: dict[str, Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name].read_bytes(), compresslevel=6)
    return buffer.getvalue()
