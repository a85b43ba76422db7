"""The build's checks of ``build/template.yaml``: cfn-lint, checkov, and waveflow's own state machine controls.

Each check returns :class:`Finding` s (anything that must be fixed) and a one-line summary; ``waveflow build``
prints them, ``waveflow build --check`` and ``waveflow deploy`` refuse to go on while there is any.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ...compile.problems import BuildError, Problem


@dataclass(frozen=True, order=True)
class Finding:
    """One thing a check found: ``tool: [rule] where: message``."""

    tool: str
    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.tool}: [{self.rule}] {self.where}: {self.message}"


@dataclass
class CheckReport:
    """What the checks found, and a summary line per tool (counts; checkov's skips with their reasons)."""

    findings: list[Finding] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def check_template(text: str, *, checkov: bool = True) -> CheckReport:
    """Run every check on the template ``text``; ``checkov=False`` leaves out the slowest one.

    The same text gives the same findings, so a process checks each template once (a deploy of an unchanged
    build, a watch round that changed nothing in the stack).

    >>> check_template(open("build/template.yaml").read()).ok  # doctest: +SKIP
    True
    """
    report = _checked(text, checkov)
    return CheckReport(list(report.findings), list(report.summaries))


@functools.lru_cache(maxsize=8)
def _checked(text: str, checkov: bool) -> CheckReport:
    from . import cfnlint, checkov as checkov_check, controls

    report = CheckReport()
    for run in (cfnlint.check, controls.check, *((checkov_check.check,) if checkov else ())):
        findings, summary = run(text)
        report.findings += sorted(findings)
        report.summaries.append(summary)
    return report


class Vetting:
    """The build's ``vet`` step: checks the rendered template before anything is written.

    ``strict`` (``--check``): any finding stops the build with a ``BuildError`` listing them all, so ``build/``
    keeps its previous contents. Otherwise findings are reported and the build goes on. ``report`` holds the
    outcome for the caller to print.
    """

    def __init__(self, strict: bool, checkov: bool = True):
        self.strict = strict
        self.checkov = checkov
        self.report: CheckReport | None = None

    def __call__(self, files: dict[str, bytes]) -> None:
        if "template.yaml" not in files:
            return
        self.report = check_template(files["template.yaml"].decode("utf-8"), checkov=self.checkov)
        if self.strict and self.report.findings:
            raise BuildError([Problem("build/template.yaml", 1, str(f)) for f in self.report.findings])
