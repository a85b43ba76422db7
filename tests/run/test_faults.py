"""Fault profiles: the named ones, and custom JSON files refused by file and key when malformed."""
import json

import pytest

from waveflow.run.faults import PROFILES, FaultProfileError, load_profile


def test_named_profiles_inject_what_their_names_say():
    assert load_profile("none") == PROFILES["none"] and load_profile("none").mgn.throttle_rate == 0
    assert load_profile("flaky-mgn").mgn.throttle_rate > 0 and load_profile("flaky-mgn").mgn.server_error_rate > 0
    assert load_profile("stalls").mgn.stall_rate > 0 and load_profile("stalls").mgn.failed_launch_rate == 0
    assert load_profile("bad-launches").mgn.failed_launch_rate > 0
    bad = load_profile("bad-requests")
    assert bad.invalid_requests > 0 and bad.duplicate_requests > 0 and bad.redelivered_messages > 0
    chaos = load_profile("chaos")
    assert all(getattr(chaos, name) > 0 for name in ("invalid_requests", "duplicate_requests",
                                                     "redelivered_messages", "lambda_timeouts", "dynamodb_throttles"))
    assert chaos.mgn.throttle_rate and chaos.mgn.stall_rate and chaos.mgn.failed_launch_rate


def test_a_custom_profile_extends_a_named_one(tmp_path):
    path = tmp_path / "night.json"
    path.write_text(json.dumps({"extends": "flaky-mgn", "mgn": {"throttle_rate": 0.2, "stall_servers": ["web-1"]},
                                "lambda_timeouts": 0.01}))
    profile = load_profile(str(path))
    assert profile.name == "night"
    assert profile.mgn.throttle_rate == 0.2 and profile.mgn.server_error_rate == 0.02
    assert profile.mgn.stall_servers == frozenset({"web-1"}) and profile.lambda_timeouts == 0.01


@pytest.mark.parametrize("document, message", [
    ({"lambda_timeout": 0.1}, "unknown key 'lambda_timeout'; did you mean 'lambda_timeouts'?"),
    ({"mgn": {"throttle": 0.1}}, "mgn.throttle: unknown MGN fault setting; did you mean 'throttle_rate'?"),
    ({"invalid_requests": 1.5}, "invalid_requests: a share between 0 and 1, not 1.5"),
    ({"invalid_requests": True}, "invalid_requests: a share between 0 and 1, not True"),
    ({"extends": "chaoss"}, "extends: unknown profile 'chaoss'; did you mean 'chaos'?"),
    ({"mgn": {"stall_servers": "web-1"}}, "mgn.stall_servers: a list of server ids or hostnames"),
    ([], "a fault profile is a JSON object"),
])
def test_a_malformed_profile_is_refused_naming_file_and_key(tmp_path, document, message):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(document))
    with pytest.raises(FaultProfileError) as raised:
        load_profile(str(path))
    assert str(raised.value) == f"{path}: {message}" and raised.value.exit_code == 2


def test_an_unknown_name_suggests_the_closest_profile():
    with pytest.raises(FaultProfileError, match="unknown fault profile 'flaky'; did you mean 'flaky-mgn'"):
        load_profile("flaky")
