"""checkov over the template, offline, from its own tool environment.

checkov pins ``boto3==1.35.49`` and ``packaging<24``, which would hold the whole project to a year-old boto3
and break pytest 9 and the SDK extra, so it never shares waveflow's environment. It runs from a virtualenv of
its own under the user's cache (``~/.cache/waveflow/tools/checkov-<version range>``), installed on first use
with the range of waveflow's ``checkov`` extra (setup.cfg), or from ``WAVEFLOW_CHECKOV`` if that names an
executable. Every failed check is a finding; a skip is accepted only with its reason in the resource's
``Metadata.checkov.skip`` comment, and the summary lists each skip with that reason.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from importlib import metadata
from pathlib import Path

from . import Finding

#: Used when waveflow's installed metadata predates the extra (an old editable install).
DEFAULT_REQUIREMENT = "checkov>=3.3,<3.4"
#: Written into the tool environment once pip has installed checkov there.
COMPLETE = ".waveflow-complete"
#: checkov's "no comment" placeholder for a skip written without a reason.
NO_REASON = {"", "No comment provided"}


class CheckovUnavailable(Exception):
    """checkov could not be found or installed; the message says what to do."""


def check(text: str) -> tuple[list[Finding], str]:
    try:
        executable = checkov_executable()
    except CheckovUnavailable as exc:
        return [Finding("checkov", "unavailable", "template.yaml", str(exc))], "checkov: not run"
    with tempfile.TemporaryDirectory(prefix="waveflow-checkov-") as folder:
        path = Path(folder) / "template.yaml"
        path.write_text(text, encoding="utf-8")
        done = subprocess.run(
            [str(executable), "-f", str(path), "--framework", "cloudformation", "--skip-download", "-o", "json"],
            capture_output=True, text=True, env={**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
                                                 "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "ERROR"})
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return [Finding("checkov", "crashed", "template.yaml", f"checkov exited {done.returncode}: {tail[0]}")], \
            "checkov: not run"
    return _findings(report)


def _findings(report: dict) -> tuple[list[Finding], str]:
    results, summary = report.get("results", {}), report.get("summary", {})
    findings = [Finding("checkov", r["check_id"], r["resource"], r["check_name"])
                for r in results.get("failed_checks", [])]
    findings += [Finding("checkov", "parse", str(p), "checkov could not parse the template")
                 for p in results.get("parsing_errors", [])]
    skipped: dict[tuple[str, str], list[str]] = {}
    for r in results.get("skipped_checks", []):
        reason = (r.get("check_result") or {}).get("suppress_comment") or ""
        if reason.strip() in NO_REASON:
            findings.append(Finding("checkov", r["check_id"], r["resource"],
                                    "skipped without a reason; write one in Metadata.checkov.skip[].comment"))
        skipped.setdefault((r["check_id"], reason), []).append(r["resource"].rpartition(".")[2])
    skips = [f"  skipped {check} on {', '.join(sorted(where)) if len(where) < 3 else f'{len(where)} resources'}: "
             f"{reason}" for (check, reason), where in skipped.items()]
    line = (f"checkov {summary.get('checkov_version', '?')}: {summary.get('passed', 0)} passed, "
            f"{summary.get('failed', 0)} failed, {summary.get('skipped', 0)} skipped")
    return findings, "\n".join([line, *sorted(skips)])


def requirement() -> str:
    """The checkov version range of waveflow's ``checkov`` extra (setup.cfg)."""
    try:
        for spec in metadata.requires("waveflow") or []:
            if re.search(r"""extra\s*==\s*["']checkov["']""", spec):
                return spec.split(";")[0].strip()
    except metadata.PackageNotFoundError:
        pass
    return DEFAULT_REQUIREMENT


def tool_folder(spec: str) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "waveflow" / "tools" / f"checkov-{hashlib.sha256(spec.encode()).hexdigest()[:12]}"


def checkov_executable() -> Path:
    """``WAVEFLOW_CHECKOV``, or the tool environment's checkov, installed there first if need be."""
    given = os.environ.get("WAVEFLOW_CHECKOV")
    if given:
        if not Path(given).is_file():
            raise CheckovUnavailable(f"WAVEFLOW_CHECKOV={given} is not a file; point it at a checkov executable "
                                     f"or unset it")
        return Path(given)
    spec = requirement()
    folder = tool_folder(spec)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time; the others wait and then find it done
        if not (folder / COMPLETE).is_file():
            _install(spec, folder)
    return folder / "bin" / "checkov"


def _install(spec: str, folder: Path) -> None:
    """Install ``spec`` into a fresh virtualenv at ``folder``; mark it complete only when pip succeeded."""
    print(f"installing {spec} into {folder} (once; it keeps its own pinned boto3)", file=sys.stderr)
    shutil.rmtree(folder, ignore_errors=True)
    venv.EnvBuilder(with_pip=True).create(folder)
    done = subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "-q",
                           "--disable-pip-version-check", spec], capture_output=True, text=True)
    if done.returncode != 0 or not (folder / "bin" / "checkov").is_file():
        last = ((done.stderr or "").strip().splitlines() or ["pip did not install bin/checkov"])[-1]
        raise CheckovUnavailable(f"could not install {spec} into {folder}: {last}. It needs the package index "
                                 f"once; or set WAVEFLOW_CHECKOV to a checkov executable")
    (folder / COMPLETE).write_text(spec + "\n", encoding="utf-8")
