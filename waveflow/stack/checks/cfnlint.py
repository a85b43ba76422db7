"""cfn-lint over the template: every error and warning is a finding (informational notes are not)."""
from __future__ import annotations

from cfnlint.api import ManualArgs, lint

from . import Finding

#: cfn-lint checks region-specific resource support; waveflow's stack deploys to any commercial region.
REGIONS = ["us-east-1"]


def check(text: str) -> tuple[list[Finding], str]:
    matches = lint(text, config=ManualArgs(regions=REGIONS))
    findings = [Finding("cfn-lint", m.rule.id, f"template.yaml:{m.linenumber} {'/'.join(map(str, m.path))}",
                        m.message) for m in matches if m.rule.severity in ("error", "warning")]
    notes = len(matches) - len(findings)
    return findings, (f"cfn-lint: {len(findings)} errors or warnings" + (f", {notes} notes" if notes else ""))
