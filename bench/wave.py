"""Benchmark of ``waveflow run``: a whole generated wave, as a user runs it; prints figures, asserts nothing.

For each size, one fresh process runs ``waveflow run --servers N --seed S --json --journal J --report R`` (journal
and report in a temporary folder, build into the project's ``build/`` as the command does) and this script prints:
wall time of the whole process (start-up and build included) and its CPU time (user and system: on a busy machine
the steadier figure), migrations per wall minute, state transitions (in all and per migration), Lambda
invocations, cost per migration (all three from the ``--json`` summary), the process's peak resident memory and
that peak per server, and between sizes the memory each further server added (the check that memory grows
linearly).

The peak is the child's own: its VmHWM, read from ``/proc/<pid>/status`` while it runs (the high-water mark only
grows, so the last reading holds), and ``wait4``'s ``ru_maxrss`` of that one child when it ends (which also sees
the last instants); the larger of the two. This script imports nothing heavy, so ``ru_maxrss`` cannot report the
bench's own size instead (see ``peak_rss_mib`` in ``bench/engine.py``).
Sizes run smallest first; a 2-core machine shared with other work slows every figure alike, so compare rates and
ratios of one run. waveflow is byte-compiled first, so the figures do not measure Python's compiler.

Run: ``python bench/wave.py [N ...] [--big] [--seed S] [--faults none]`` (default sizes 100 and 1,000; ``--big``
adds 5,000).

``--against REV [--rounds K]`` judges a change instead: for each size, the code of git revision REV (exported into a
temporary folder and run by this same Python, its own ``waveflow`` and ``tasks`` first on the path) and the
checkout's run in turn, K times each (default 3), and the script prints every run's CPU and wall time, the lowest CPU
time of each side and their ratio, and whether the two summaries are the same (wall time aside). On a machine whose
speed drifts by more than a change's gain, only runs interleaved like this tell the change apart.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAVEFLOW = Path(sys.executable).parent / "waveflow"
POLL_SECONDS = 0.05
#: the ``waveflow`` command of an exported revision: its own ``waveflow.cli``, found first on PYTHONPATH
_RUN_EXPORTED = "import sys; sys.argv[0] = 'waveflow'; from waveflow.cli import main; main()"


def vm_hwm_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_wave(servers: int, seed: int, faults: str, work: Path, code: Path | None = None) -> dict:
    """One ``waveflow run`` process (of the checkout, or of the exported ``code``); its summary with the bench's
    own wall time and peak memory."""
    folder = Path(tempfile.mkdtemp(prefix=f"wave-{servers}-", dir=work))
    program = [str(WAVEFLOW)] if code is None else [sys.executable, "-c", _RUN_EXPORTED]
    command = [*program, "run", "--servers", str(servers), "--seed", str(seed), "--faults", faults, "--json",
               "--journal", str(folder / "journal.sqlite3"), "--report", str(folder / "report.html")]
    with (folder / "stdout").open("w") as out, (folder / "stderr").open("w") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=code or ROOT, stdout=out, stderr=err,
                                 env={**os.environ, "PYTHONPATH": str(code)} if code is not None else None)
        hwm = 0.0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            hwm = max(hwm, vm_hwm_mib(child.pid) or 0.0)
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise SystemExit(f"{' '.join(command)} exited {code}:\n{(folder / 'stderr').read_text()[-3000:]}")
    summary = json.loads((folder / "stdout").read_text())
    return {"servers": servers, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mib": max(hwm, usage.ru_maxrss / 1024), "summary": summary,
            "journal_bytes": (folder / "journal.sqlite3").stat().st_size}


def report(figures: dict, previous: dict | None) -> None:
    servers, wall, summary = figures["servers"], figures["wall"], figures["summary"]
    migrations = sum(summary["byStatus"].values())
    transitions, invocations = summary["stateTransitions"], summary["lambdaInvocations"]
    peak = figures["peak_mib"]
    print(f"  {servers:,} servers: wall {wall:.1f} s (in process {summary['wallSeconds']:.1f} s; CPU "
          f"{figures['cpu']:.1f} s), {migrations / wall * 60:,.0f} migrations/min, statuses {summary['byStatus']}")
    print(f"    {transitions:,} state transitions ({transitions / migrations:.1f} per migration), "
          f"{invocations:,} Lambda invocations ({invocations / migrations:.1f} per migration), "
          f"cost ${summary['cost']['perMigration']:.6f} per migration")
    growth = ""
    if previous is not None:
        added = (peak - previous["peak_mib"]) / (servers - previous["servers"])
        growth = f", {added:.3f} MiB per further server since {previous['servers']:,}"
    print(f"    peak memory {peak:.0f} MiB ({peak / servers:.3f} MiB per server{growth}); "
          f"journal {figures['journal_bytes'] / 2**20:.1f} MiB")


def export(revision: str, work: Path) -> Path:
    """The tree of git ``revision`` in a folder of its own, byte-compiled like the checkout."""
    folder = work / f"rev-{revision.replace('/', '_')}"
    folder.mkdir()
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=False)
    if archive.returncode:
        raise SystemExit(f"git archive {revision}: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    for package in ("waveflow", "tasks"):
        compileall.compile_dir(folder / package, quiet=1)
    return folder


def compare(servers: int, args: argparse.Namespace, work: Path, theirs: Path) -> None:
    """``args.rounds`` runs of each side in turn, ``args.against``'s first; their figures and ratio."""
    sides = {args.against: [], "checkout": []}
    for _ in range(args.rounds):
        for name, code in ((args.against, theirs), ("checkout", None)):
            figures = run_wave(servers, args.seed, args.faults, work, code)
            sides[name].append(figures)
            print(f"  {servers:,} servers, {name}: CPU {figures['cpu']:.1f} s, wall {figures['wall']:.1f} s")
            sys.stdout.flush()
    lowest = {name: min(figures["cpu"] for figures in runs) for name, runs in sides.items()}
    same = len({json.dumps({k: v for k, v in figures["summary"].items() if k != "wallSeconds"}, sort_keys=True)
                for runs in sides.values() for figures in runs}) == 1
    print(f"  {servers:,} servers: lowest CPU {lowest[args.against]:.1f} s ({args.against}) and "
          f"{lowest['checkout']:.1f} s (checkout): the checkout takes x{lowest['checkout'] / lowest[args.against]:.2f}"
          f" as long; summaries {'the same' if same else 'DIFFERENT'} (wall time aside)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, help="servers per run (default: 100 1000)")
    parser.add_argument("--big", action="store_true", help="add a 5,000-server run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", default="none")
    parser.add_argument("--against", metavar="REV", help="compare with git revision REV, runs interleaved")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side with --against")
    args = parser.parse_args()
    sizes = sorted(set((args.sizes or [100, 1_000]) + ([5_000] if args.big else [])))
    if not WAVEFLOW.exists():
        raise SystemExit(f"no waveflow command at {WAVEFLOW}: install waveflow into this Python first "
                         f"(pip install -e .)")
    compileall.compile_dir(ROOT / "waveflow", quiet=1)
    compileall.compile_dir(ROOT / "tasks", quiet=1)
    print(f"waveflow run --servers N --seed {args.seed} --faults {args.faults} --json, one process per size")
    previous = None
    with tempfile.TemporaryDirectory() as folder:
        if args.against:
            theirs = export(args.against, Path(folder))
            for servers in sizes:
                compare(servers, args, Path(folder), theirs)
            return
        for servers in sizes:
            figures = run_wave(servers, args.seed, args.faults, Path(folder))
            report(figures, previous)
            sys.stdout.flush()
            previous = figures


if __name__ == "__main__":
    main()
