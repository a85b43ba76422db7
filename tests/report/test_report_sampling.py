"""Which histories a report keeps: every execution that did not succeed, every wave, a bounded sample of the
succeeded migrations, within the page's event budget, long ones by head and tail; and the sentences saying what
was left out."""
from waveflow.report.sampling import (HEAD, HISTORY_EVENTS, LONGEST, MAX_SUCCEEDED, PAGE_EVENTS, Candidate, choose,
                                      kept_ids)


def migrations(count, status="SUCCEEDED", prefix="m", events=150):
    return [Candidate(f"{prefix}-{n:04d}", status, seconds=float(n), retries=n % 7, events=events, is_migration=True)
            for n in range(count)]


def test_a_small_run_keeps_everything_and_says_nothing():
    candidates = migrations(5) + migrations(2, "FAILED", "f") + [
        Candidate("wave-1", "SUCCEEDED", 10.0, 0, 60, is_migration=False)]
    kept, notes = choose(candidates)
    assert set(kept) == {c.name for c in candidates} and notes == []
    assert kept["f-0000"] == "failed" and kept["wave-1"] == "wave"


def test_a_thousand_servers_keep_every_failure_and_a_bounded_sample():
    candidates = migrations(960) + migrations(40, "FAILED", "f") + migrations(3, "TIMED_OUT", "t")
    kept, notes = choose(candidates)
    assert {n for n, why in kept.items() if why in ("failed", "timed_out")} == \
        {c.name for c in candidates if c.status != "SUCCEEDED"}
    assert len([n for n in kept if n.startswith("m-")]) == MAX_SUCCEEDED
    longest = sorted((c for c in candidates if c.status == "SUCCEEDED"), key=lambda c: -c.seconds)[:LONGEST]
    assert all(kept[c.name] == "longest" for c in longest)
    assert any(why == "most retries" for why in kept.values()) and any(why == "sample" for why in kept.values())
    assert notes == [f"935 of the 960 succeeded migrations have no history here: their stages are on the timeline "
                     f"(the {LONGEST} longest, those that retried most and evenly spaced others keep theirs)"]
    assert choose(list(reversed(candidates))) == (kept, notes)  # the run, not the order it was read in, decides


def test_the_page_holds_at_most_its_budget_of_events_failures_first():
    failed = migrations(100, "FAILED", "f", events=2_500)  # days of polling each
    kept, notes = choose(failed + migrations(50))
    fitting = PAGE_EVENTS // HISTORY_EVENTS
    assert sorted(kept) == [f"f-{n:04d}" for n in range(fitting)]
    assert notes == [
        f"{100 - fitting} executions that did not succeed have no history here: the page holds at most "
        f"{PAGE_EVENTS:,} events, and the earlier ones by name took them",
        f"50 of the 50 succeeded migrations have no history here: their stages are on the timeline (the {LONGEST} "
        f"longest, those that retried most and evenly spaced others keep theirs)",
        f"{fitting} kept histories are longer than {HISTORY_EVENTS:,} events: each keeps its first {HEAD} and last "
        f"{HISTORY_EVENTS - HEAD} events (the gap is marked in its table)"]


def test_a_long_history_keeps_its_head_and_its_tail():
    assert kept_ids(HISTORY_EVENTS) == (range(1, HISTORY_EVENTS + 1),)
    head, tail = kept_ids(2_500)
    assert (head.start, head.stop, tail.start, tail.stop) == (1, HEAD + 1, 2_500 - (HISTORY_EVENTS - HEAD) + 1, 2_501)
    assert len(head) + len(tail) == HISTORY_EVENTS
