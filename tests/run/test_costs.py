"""The cost estimate prices exactly what it is given, with the table's region and date."""
import pytest

from waveflow.run.costs import estimate, price_table


def test_usage_is_priced_per_item_in_all_and_per_migration():
    cost = estimate({"state_transitions": 60_000, "lambda_requests": 1_000_000, "lambda_gb_seconds": 3_000,
                     "dynamodb_write_units": 2_000_000, "eventbridge_events": 500_000}, migrations=1000)

    assert cost.lines["state_transitions"] == pytest.approx(1.5)
    assert cost.lines["lambda_requests"] == pytest.approx(0.2)
    assert cost.lines["lambda_gb_seconds"] == pytest.approx(0.05, rel=1e-4)
    assert cost.lines["dynamodb_write_units"] == pytest.approx(1.25)
    assert cost.lines["eventbridge_events"] == pytest.approx(0.5)
    assert cost.total == pytest.approx(3.5, rel=1e-4)
    assert cost.per_migration == pytest.approx(0.0035, rel=1e-4)
    assert (cost.region, cost.prices_as_of) == (price_table()["region"], price_table()["prices_as_of"])
    assert cost.as_json()["perMigration"] == cost.per_migration


def test_a_usage_item_without_a_price_is_an_error_not_a_free_lunch():
    with pytest.raises(KeyError, match="no price for ec2_hours"):
        estimate({"ec2_hours": 5}, migrations=1)
