"""``--servers N``: a seeded wave that looks like a team's, and that ingress would admit whole."""
from collections import Counter

from waveflow.run.generate import generate_wave
from waveflow.run.intake import check_rows, resolve_sources


def _resolved(rows):
    resolve_sources(rows, lambda row: f"s-{row.line:017x}")
    return rows


def test_a_generated_wave_is_valid_and_realistic():
    rows = _resolved(generate_wave(300, seed=4, wave="12", hosted_zone_id="Z0WAVEFLOW00000000001",
                                   callback_url="https://callbacks.waveflow.local/migrations"))

    assert len(rows) == 300 and check_rows(rows) == []
    requests = [row.request for row in rows]
    assert {r["wave"] for r in requests} == {"12"}
    assert len({r["source"]["hostname"] for r in requests}) == 300
    environments = Counter(r["environment"] for r in requests)
    assert environments["prod"] > environments["test"] > 0 and environments["dev"] > 0
    tiers = Counter(r["source"]["hostname"].rsplit("-", 2)[1] for r in requests)
    assert set(tiers) == {"web", "app", "db"}
    assert all(("dns" in r) == (not r["source"]["hostname"].split("-")[-2] == "db") for r in requests)
    databases = [row for row in rows if "-db-" in row.source.hostname]
    assert all(max(row.source.disks_gib) >= 500 for row in databases)
    assert all(r["callbackUrl"] == "https://callbacks.waveflow.local/migrations" for r in requests)
    assert len({r["correlationId"] for r in requests}) == 300  # each request its own, as a requester sends them


def test_the_same_seed_gives_the_same_wave_and_another_seed_another():
    first = [row.request for row in generate_wave(50, seed=9)]
    assert first == [row.request for row in generate_wave(50, seed=9)]
    assert first != [row.request for row in generate_wave(50, seed=10)]


def test_without_a_hosted_zone_or_receiver_no_dns_or_callback_is_asked_for():
    requests = [row.request for row in generate_wave(20, seed=1)]
    assert not any("dns" in r or "callbackUrl" in r for r in requests)
