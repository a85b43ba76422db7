from datetime import datetime, timezone

import pytest

from waveflow.dsl import Var


def test_operator_follows_the_type_of_the_value():
    assert (Var("$.s") == "READY").to_asl() == {"Variable": "$.s", "StringEquals": "READY"}
    assert (Var("$.n") < 5).to_asl() == {"Variable": "$.n", "NumericLessThan": 5}
    assert (Var("$.n") >= 2.5).to_asl() == {"Variable": "$.n", "NumericGreaterThanEquals": 2.5}
    assert (Var("$.b") == True).to_asl() == {"Variable": "$.b", "BooleanEquals": True}  # noqa: E712
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert (Var("$.t") > moment).to_asl() == {"Variable": "$.t", "TimestampGreaterThan": "2026-01-02T03:04:05Z"}
    assert (Var("$.t") <= "b").to_asl() == {"Variable": "$.t", "StringLessThanEquals": "b"}


def test_comparing_two_variables_uses_the_path_operator_of_the_stated_type():
    assert (Var.number("$.lag") <= Var("$.max")).to_asl() == {"Variable": "$.lag",
                                                              "NumericLessThanEqualsPath": "$.max"}
    assert (Var("$.a") == Var.timestamp("$.b")).to_asl() == {"Variable": "$.a", "TimestampEqualsPath": "$.b"}


def test_comparing_two_untyped_variables_asks_for_the_type():
    with pytest.raises(TypeError, match="say the type"):
        Var("$.a") < Var("$.b")


def test_and_or_not_nest_and_flatten():
    rule = (Var("$.a") == 1) & (Var("$.b") == 2) & ~(Var("$.c") == "x")
    assert rule.to_asl() == {"And": [{"Variable": "$.a", "NumericEquals": 1},
                                     {"Variable": "$.b", "NumericEquals": 2},
                                     {"Not": {"Variable": "$.c", "StringEquals": "x"}}]}
    either = (Var("$.a") == 1) | (Var("$.b") == 2)
    assert list(either.to_asl()) == ["Or"]


def test_not_equal_is_a_negated_equality():
    assert (Var("$.s") != "x").to_asl() == {"Not": {"Variable": "$.s", "StringEquals": "x"}}


def test_type_tests_and_wildcards():
    assert Var("$.x").is_present().to_asl() == {"Variable": "$.x", "IsPresent": True}
    assert Var("$.x").is_null(False).to_asl() == {"Variable": "$.x", "IsNull": False}
    assert Var("$.x").is_numeric().to_asl()["IsNumeric"] is True
    assert Var("$.x").is_string().to_asl()["IsString"] is True
    assert Var("$.x").is_boolean().to_asl()["IsBoolean"] is True
    assert Var("$.x").is_timestamp().to_asl()["IsTimestamp"] is True
    assert Var("$.host").matches("web-*.example.com").to_asl() == {"Variable": "$.host",
                                                                   "StringMatches": "web-*.example.com"}


def test_conditions_refuse_python_truthiness():
    with pytest.raises(TypeError, match="use & | ~"):
        (Var("$.a") == 1) and (Var("$.b") == 2)


def test_booleans_only_compare_for_equality():
    with pytest.raises(TypeError, match="only be compared with =="):
        Var("$.b") < True
