"""The tasks' AWS factory: the account is asked of STS once per process (a Lambda cold start), not per call."""

from __future__ import annotations

from tasks.lib import aws


def _counted_caller_identity() -> list[int]:
    calls: list[int] = []
    aws.client("sts").meta.events.register("before-call.sts.GetCallerIdentity", lambda **_: calls.append(1))
    return calls


def test_the_account_is_asked_once_and_again_after_the_session_changes(aws_mock):
    calls = _counted_caller_identity()
    assert aws.account_id() == aws.account_id() == aws_mock.client("sts").get_caller_identity()["Account"]
    assert len(calls) == 1
    aws.configure(aws_mock)
    calls = _counted_caller_identity()
    aws.account_id()
    assert len(calls) == 1
