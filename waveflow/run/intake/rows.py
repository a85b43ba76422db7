"""A wave as a list of rows: the request each server becomes, and where in the file each field came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SourceFacts:
    """What MGN knows of the source server once its agent is installed (the twin registers it so)."""

    hostname: str
    ip: str | None = None
    os: str | None = None
    disks_gib: tuple[float, ...] = (100.0,)


@dataclass
class WaveRow:
    """One server of the wave.

    ``request`` is the migration request as it will be sent (``sourceServerId`` may be missing until
    :func:`~waveflow.run.intake.resolve_sources` fills it from MGN); ``columns`` maps request paths to the
    column (or JSON path) they came from, so a problem is reported in the file's own terms.
    """

    file: str
    line: int
    request: dict[str, Any]
    source: SourceFacts
    columns: dict[str, str] = field(default_factory=dict)
    #: what the reader itself found wrong, as ``(where, message)`` (a CMF strategy that is not Rehost, ...)
    faults: list[tuple[str, str]] = field(default_factory=list)

    def column_of(self, path: str) -> str:
        """The column that holds request ``path`` (``target.securityGroupIds[1]`` -> ``security_groups``)."""
        best = ""
        for known in self.columns:
            if (path == known or path.startswith(known + ".") or path.startswith(known + "[")) and len(known) > len(best):
                best = known
        return f"column {self.columns[best]!r}" if best else (path or "(request)")


@dataclass(frozen=True, order=True)
class RowProblem:
    """One bad row (or a problem of the whole file, at line 1): ``wave.csv:7: column 'subnet': ...``."""

    file: str
    line: int
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.where}: {self.message}"


class WaveFileError(Exception):
    """The wave cannot be sent as it is: every problem found, one line each. Exit code 2 (bad input)."""

    exit_code = 2

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = sorted(problems)
        super().__init__(self.report())

    def report(self) -> str:
        rows = {(p.file, p.line) for p in self.problems}
        head = f"{len(self.problems)} problem(s) in {len(rows)} row(s); nothing was sent:"
        return "\n".join([head, *(f"  {problem}" for problem in self.problems)])
