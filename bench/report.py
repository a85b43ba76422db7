"""Benchmark of the run report for a 1,000-server wave; prints figures, asserts nothing.

Runs ``waveflow run`` for ``--servers`` (default 1,000) with the ``bad-requests`` profile (so the dead-letter queue
has entries) into a temporary folder, through the library function the command calls, unless ``--journal`` names
a journal that already holds a run. Then it draws the report from the journal (``waveflow.report.write_report``,
the same call ``waveflow run --report`` and ``waveflow report`` make), and opens it in headless Chromium (Debian's
``chromium``, driven by Playwright, every request refused) ``--rounds`` times in fresh pages, printing:

* the page's size, what it holds (histories kept whole, events, migrations on the timeline) and what it left out;
* the time to draw it (read the journal, build the model, render);
* the time Chromium takes to open and paint it: from navigation to the first frame painted after the load event
  (the timeline drawn by then), and the first contentful paint, as median (min-max) over the rounds;
* the time to filter the timeline by status and to open the longest history kept, each to its next painted frame.

Run: ``python bench/report.py [--servers 1000] [--seed 7] [--rounds 5] [--journal PATH] [--keep DIR]``.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
PAINTED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"


def run_wave(folder: Path, servers: int, seed: int) -> Path:
    """A wave through ``waveflow run``'s library function; the journal it leaves."""
    from rich.console import Console

    from waveflow.run.options import RunOptions
    from waveflow.run.runner import run_wave as run

    started = time.perf_counter()
    result = run(RunOptions(servers=servers, seed=seed, faults="bad-requests", project=ROOT, build=folder / "build",
                            journal=folder / "journal.sqlite3"), console=Console(file=io.StringIO()))
    print(f"waveflow run --servers {servers} --seed {seed} --faults bad-requests: "
          f"{time.perf_counter() - started:.0f} s wall, {result.summary['simulatedSeconds'] / 3600:.1f} h simulated, "
          f"by status {result.summary['byStatus']}, {result.summary['dlq']} dead letters")
    return folder / "journal.sqlite3"


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ms ({min(values):.0f}-{max(values):.0f})"


def open_rounds(page_path: Path, rounds: int) -> None:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        print("no chromium on the PATH (apt-get install chromium): the page was not opened")
        return
    uri = page_path.resolve().as_uri()
    painted, first, filtered, history = [], [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        for _ in range(rounds):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            fetched = []
            page.route("**/*", lambda route: route.continue_() if route.request.url == uri
                       else (fetched.append(route.request.url), route.abort()))
            page.goto(uri, wait_until="load")
            painted.append(page.evaluate(PAINTED))
            first.append(page.evaluate("() => performance.getEntriesByName('first-contentful-paint')[0].startTime"))
            filtered.append(page.evaluate("""async () => {
                const select = document.querySelector('[data-filter=status]');
                const t = performance.now();
                select.value = select.options[select.options.length - 1].value;
                select.dispatchEvent(new Event('input'));
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                return performance.now() - t; }"""))
            history.append(page.evaluate("""async () => {
                const data = JSON.parse(document.getElementById('report-data').textContent).histories.executions;
                const name = Object.keys(data).sort((a, b) => data[b].rows.length - data[a].rows.length)[0];
                const button = document.createElement('button');
                button.setAttribute('data-history', name);
                document.body.appendChild(button);
                const t = performance.now();
                button.click();
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                return performance.now() - t; }"""))
            assert not fetched, f"the page fetched {fetched}"
            context.close()
        browser.close()
    print(f"open and paint in Chromium ({rounds} rounds): painted after load {spread(painted)}, "
          f"first contentful paint {spread(first)}")
    print(f"filter the timeline by a status: {spread(filtered)}; open the longest history kept: {spread(history)}")


def describe(page_path: Path, seconds: float) -> None:
    text = page_path.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', text,
                                re.S).group(1))
    kept = data["histories"]["executions"]
    rows = sum(len(e["rows"]) for e in kept.values())
    events = sum(e["events"] for e in kept.values())
    print(f"report: {len(text.encode('utf-8')):,} bytes ({len(text.encode('utf-8')) / 2 ** 20:.1f} MiB), drawn in "
          f"{seconds:.1f} s; {len(data['timeline']['rows']):,} migrations on the timeline; {len(kept)} histories "
          f"kept ({rows:,} of their {events:,} events)")
    for note in re.findall(r'<section id="left-out">.*?</section>', text, re.S)[0].split("<li>")[1:]:
        print("  left out:", re.sub(r"<[^>]+>", "", note).strip().replace("&#x27;", "'").replace("&#39;", "'"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--journal", type=Path, help="Report the latest run of this journal instead of running one.")
    parser.add_argument("--keep", type=Path, help="Keep the run's folder (journal, report) here.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from waveflow.report import write_report

    folder = Path(tempfile.mkdtemp(prefix="waveflow-bench-report-")) if args.keep is None else args.keep
    folder.mkdir(parents=True, exist_ok=True)
    journal = args.journal or run_wave(folder, args.servers, args.seed)
    page = folder / "report.html"
    started = time.perf_counter()
    write_report(journal, None, page)
    describe(page, time.perf_counter() - started)
    open_rounds(page, args.rounds)
    if args.keep is None:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
