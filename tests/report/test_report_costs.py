"""Each migration's part of the run's cost: its own transitions and Lambda requests priced, the rest shared, the
parts adding up to the run's total."""
import pytest

from waveflow.report.costs import own_usage, shares
from waveflow.run.costs import estimate


def history_of(record, name):
    row = next(r for r in record.executions if r["name"] == name)
    return record.recorded(row["executionArn"]).materialize()


def test_own_usage_counts_states_entered_and_lambda_attempts(record):
    history = history_of(record, "mig-002")
    transitions, requests = own_usage(history)
    assert transitions == sum(1 for e in history if e["type"].endswith("StateEntered"))
    assert requests == sum(1 for e in history if e["type"] == "TaskScheduled")
    # mig-001 takes the same path, without mig-002's throttled PrepareSource: the same states, one attempt less
    assert own_usage(history_of(record, "mig-001")) == (transitions, requests - 1)


def test_shares_add_up_to_the_total_and_follow_usage():
    total = estimate({"state_transitions": 1000, "lambda_requests": 400, "dynamodb_write_units": 5000}, 2).total
    parts = shares({"a": (600, 200), "b": (400, 200)}, total)
    assert sum(parts.values()) == pytest.approx(total, abs=1e-7)
    assert parts["a"] > parts["b"]
    assert shares({}, total) == {}


def test_the_small_runs_migrations_share_its_cost(report):
    costs = [m.cost for m in report.migrations]
    assert sum(costs) == pytest.approx(report.summary.cost.total, abs=1e-6)
    by_id = {m.migration_id: m.cost for m in report.migrations}
    assert by_id["mig-005"] < by_id["mig-001"] < by_id["mig-003"]  # refused at once; the slow one polled longer
