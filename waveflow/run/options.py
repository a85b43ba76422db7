"""What ``waveflow run`` is asked to do, checked before anything is built or sent.

Every option is checked here, all at once, so a bad one is a message naming it and exit 2, never a traceback
from deep inside a run. The fault profile is loaded here too (a JSON file is read and checked).

    >>> options = RunOptions(servers=200, faults="flaky-mgn").checked()
    >>> options.profile.mgn.throttle_rate
    0.05
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from ..local.journal import DEFAULT_PATH
from .faults import PROFILES, FaultProfile, FaultProfileError, load_profile

APPROVALS = ("auto", "reject", "timeout")
#: Requests sent per minute unless ``--rate`` says otherwise: a steady stream a stack's ingress takes in batches.
DEFAULT_RATE = 120.0
DEFAULT_REPORT = Path(".waveflow") / "report.html"
MAX_SERVERS = 100_000


class RunInputError(ValueError):
    """An option, a wave file or a fault profile that cannot be run; the message names it. Exit code 2."""

    exit_code = 2


@dataclass(frozen=True)
class RunOptions:
    """``waveflow run``'s options (see the README's "Running a wave")."""

    wave: Path | None = None
    servers: int | None = None
    seed: int = 0
    faults: str = "none"
    rate: float = DEFAULT_RATE
    concurrency: int | None = None
    approval: str = "auto"
    send_invalid: bool = False
    report: Path = DEFAULT_REPORT
    journal: Path = DEFAULT_PATH
    project: Path = Path(".")
    #: where the build goes (default: the project's build/, as ``python build.py`` writes it)
    build: Path | None = None
    profile: FaultProfile = field(default_factory=lambda: PROFILES["none"])

    def checked(self) -> "RunOptions":
        """These options with the fault profile loaded; ``RunInputError`` listing every problem."""
        problems = []
        if (self.wave is None) == (self.servers is None):
            problems.append("give either --wave FILE or --servers N (one of them)")
        if self.servers is not None and not 1 <= self.servers <= MAX_SERVERS:
            problems.append(f"--servers: between 1 and {MAX_SERVERS:,}, not {self.servers}")
        if self.wave is not None and not Path(self.wave).is_file():
            problems.append(f"--wave: {self.wave} is not a file")
        if not self.rate > 0:
            problems.append(f"--rate: requests per minute, more than 0, not {self.rate}")
        if self.concurrency is not None and self.concurrency < 1:
            problems.append(f"--concurrency: at least 1, not {self.concurrency}")
        if self.approval not in APPROVALS:
            problems.append(f"--approval: one of {', '.join(APPROVALS)}, not {self.approval!r}")
        if not (Path(self.project) / "workflows").is_dir():
            problems.append(f"no workflows/ folder in {Path(self.project).resolve()}: run it from the project")
        profile = self.profile
        try:
            profile = load_profile(self.faults)
        except FaultProfileError as exc:
            problems.append(f"--faults: {exc}")
        if problems:
            raise RunInputError("\n".join(problems))
        return dataclasses.replace(self, profile=profile)

    def as_json(self) -> dict:
        """The options as the journal keeps them with the run."""
        return {"wave": None if self.wave is None else str(self.wave), "servers": self.servers, "seed": self.seed,
                "faults": self.faults, "rate": self.rate, "concurrency": self.concurrency,
                "approval": self.approval, "sendInvalid": self.send_invalid}

    def command(self) -> str:
        """The command line these options stand for, as the journal lists the run."""
        words = ["waveflow run", f"--wave {self.wave}" if self.wave else f"--servers {self.servers}",
                 f"--seed {self.seed}"]
        if self.faults != "none":
            words.append(f"--faults {self.faults}")
        if self.rate != DEFAULT_RATE:
            words.append(f"--rate {self.rate:g}")
        if self.concurrency is not None:
            words.append(f"--concurrency {self.concurrency}")
        if self.approval != "auto":
            words.append(f"--approval {self.approval}")
        if self.send_invalid:
            words.append("--send-invalid")
        return " ".join(words)
