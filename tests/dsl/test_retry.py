from datetime import timedelta

from waveflow.dsl import NO_RETRY, Retry, minutes, seconds
from waveflow.dsl.retry import merge_retries


def test_airflow_retries_mean_retries_after_the_first_try():
    retry = Retry.from_airflow(retries=3, retry_delay=timedelta(seconds=5), retry_exponential_backoff=True,
                               max_retry_delay=timedelta(minutes=2))
    assert retry.to_asl() == {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 3,
                              "BackoffRate": 2.0, "MaxDelaySeconds": 120, "JitterStrategy": "FULL"}


def test_airflow_without_exponential_backoff_keeps_a_fixed_delay():
    retry = Retry.from_airflow(retries=2, retry_delay=timedelta(minutes=5))
    assert retry.to_asl() == {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 300, "MaxAttempts": 2,
                              "BackoffRate": 1.0, "JitterStrategy": "NONE"}


def test_unset_fields_take_step_functions_defaults():
    assert Retry().to_asl() == {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3,
                                "BackoffRate": 2.0}


def test_task_retry_inherits_unset_fields_from_group_then_workflow():
    workflow = Retry(attempts=3, delay=seconds(5), backoff=2.0, max_delay=minutes(2), jitter=True)
    group = Retry(delay=seconds(10))
    task = Retry(attempts=6)
    [merged] = merge_retries(workflow, group, task)
    assert merged == Retry(attempts=6, delay=10, backoff=2.0, max_delay=120, jitter=True)


def test_a_list_replaces_what_it_inherits_and_no_retry_opts_out():
    workflow = Retry(attempts=3)
    own = [Retry(errors=["A"], attempts=1), Retry(errors=["B"], attempts=2)]
    assert merge_retries(workflow, None, own) == own
    assert merge_retries(workflow, None, NO_RETRY) == []
    assert merge_retries(workflow, None, None) == [workflow]


def test_problems_name_the_bad_values():
    problems = Retry(attempts=-1, delay=0, backoff=0.5, max_delay=2.5).problems()
    assert "retry attempts must be a whole number >= 0, got -1" in problems
    assert "retry delay must be a whole number of seconds >= 1, got 0" in problems
    assert "retry backoff must be >= 1.0, got 0.5" in problems
    assert "retry max_delay must be a whole number of seconds >= 1, got 2.5" in problems


def test_airflow_retries_every_error_unless_told_even_over_a_narrower_default():
    default = Retry(attempts=5, errors=["MgnThrottled"])
    [merged] = merge_retries(default, None, Retry.from_airflow(retries=2))
    assert merged.errors == ["States.ALL"]
    assert Retry.from_airflow(retries=2, errors=["Flaky"]).to_asl()["ErrorEquals"] == ["Flaky"]
