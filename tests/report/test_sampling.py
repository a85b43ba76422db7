"""Which histories a report keeps whole: every execution that did not succeed (bounded), every wave, and a
bounded sample of the succeeded migrations; and the sentences saying what was left out."""
from waveflow.report.sampling import LONGEST, MAX_SUCCEEDED, MAX_UNSUCCESSFUL, Candidate, choose


def migrations(count, status="SUCCEEDED", prefix="m"):
    return [Candidate(f"{prefix}-{n:04d}", "ServerMigration", status, seconds=float(n), retries=n % 7,
                      is_migration=True) for n in range(count)]


def test_a_small_run_keeps_everything_and_says_nothing():
    candidates = migrations(5) + migrations(2, "FAILED", "f") + [
        Candidate("wave-1", "MigrationWave", "SUCCEEDED", 10.0, 0, is_migration=False)]
    kept, notes = choose(candidates)
    assert set(kept) == {c.name for c in candidates} and notes == []
    assert kept["f-0000"] == "failed" and kept["wave-1"] == "wave"


def test_a_thousand_servers_keep_every_failure_and_a_bounded_sample():
    candidates = migrations(960) + migrations(40, "FAILED", "f") + migrations(3, "TIMED_OUT", "t")
    kept, notes = choose(candidates)
    assert {n for n, why in kept.items() if why in ("failed", "timed_out")} == \
        {c.name for c in candidates if c.status != "SUCCEEDED"}
    succeeded = [n for n in kept if n.startswith("m-")]
    assert len(succeeded) == MAX_SUCCEEDED
    longest = sorted((c for c in candidates if c.status == "SUCCEEDED"), key=lambda c: -c.seconds)[:LONGEST]
    assert all(kept[c.name] == "longest" for c in longest)
    assert any(why == "most retries" for why in kept.values()) and any(why == "sample" for why in kept.values())
    assert notes == [f"935 of the 960 succeeded migrations have no history here: their stages are on the timeline "
                     f"(the {LONGEST} longest, those that retried most and evenly spaced others keep theirs)"]
    assert choose(list(reversed(candidates))) == (kept, notes)  # the run, not the order read, decides


def test_failures_beyond_the_bound_are_counted_in_the_notes():
    kept, notes = choose(migrations(MAX_UNSUCCESSFUL + 50, "FAILED"))
    assert len(kept) == MAX_UNSUCCESSFUL
    assert notes == [f"50 of the {MAX_UNSUCCESSFUL + 50} executions that did not succeed have no history here (the "
                     f"first {MAX_UNSUCCESSFUL} by name do)"]
