"""Migration request validation (each field rule, every problem at once) and normalisation."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.lib.errors import InvalidMigrationDocument
from tasks.lib.events import build_detail
from tasks.lib.jsonschemas import validator
from tasks.lib.request import RequestProblem, normalise_request, summarise, validate_request


def with_field(request: dict, path: str, value) -> dict:
    """A copy of ``request`` with the dotted ``path`` set to ``value``."""
    changed = copy.deepcopy(request)
    *parents, last = path.split(".")
    node = changed
    for part in parents:
        node = node[part]
    node[last] = value
    return changed


def paths(problems: list[RequestProblem]) -> list[str]:
    return [p.path for p in problems]


def test_a_complete_request_is_valid(valid_request):
    assert validate_request(valid_request) == []


FIELD_RULES = [
    ("sourceServerId", ["s-0a1b2c3d4e5f60718", "s-00000000000000000"], ["s-123", "s-0A1B2C3D4E5F60718", "i-0a1b2c3d4e5f60718", "s-0a1b2c3d4e5f60718\n", "s-0a1b2c3d4e5f607189", 7]),
    ("target.accountId", ["111122223333", "000000000000"], ["12345", "1234567890123", "12345678901a", 111122223333, "1111-2222-3333"]),
    ("target.region", ["eu-west-1", "us-east-1", "ap-southeast-2", "us-gov-west-1", "il-central-1"], ["Mars-1", "us-east", "useast1", "EU-WEST-1", "eu-west-1 "]),
    ("callbackUrl", ["https://hooks.example.com/x?y=1", "https://10.0.0.1:8443/cb"], ["http://hooks.example.com/x", "https://", "ftp://example.com", "https://a b.example.com/", "hooks.example.com", "https://:443/"]),
    ("environment", ["dev", "test", "prod"], ["staging", "PROD", "", None]),
    ("wave", ["7", 7, 0, "wave-7", "2026.q1_a"], [-1, "wave 7", "", True, 7.5, "-7", "w" * 41]),
    ("source.ipAddress", ["10.20.30.41", "::1", "2001:db8::8a2e:370:7334"], ["10.0.0.300", "localhost", "1.2.3"]),
    ("source.hostname", ["billing-01", "billing-01.corp.example.com"], ["-billing", "bill ing", "billing_01", ""]),
    ("target.subnetId", ["subnet-0abc1234", "subnet-0abc1234def567890"], ["subnet-xyz", "sn-0abc1234", "subnet-0ABC1234"]),
    ("target.instanceType", ["m5.large", "c6gn.16xlarge", "u-6tb1.metal"], ["large", "M5.large", "m5."]),
    ("target.securityGroupIds", [["sg-0123456789abcdef0"], ["sg-01234567", "sg-89abcdef"]], [[], ["sg-01234567", "sg-01234567"], "sg-01234567", [f"sg-{n:08x}" for n in range(17)]]),
    ("dns.ttl", [0, 60, 172800], [-1, 172801, "60"]),
    ("dns.hostedZoneId", ["Z0123456789ABCDEFGHIJ", "Z1"], ["z0123", "0123", "Z" + "A" * 32]),
    ("requestedBy", ["jane", "x" * 256], ["", "x" * 257]),
    ("appName", ["billing-api"], ["", "a" * 129]),
    ("migrationId", ["billing-s1", "s-0a1b2c3d4e5f60718-7", "s-0a1b2c3d4e5f60718-2026.q1_a"], ["has space", "slash/id", "-leading", ".leading", "x" * 81]),
    ("correlationId", ["c0ffee00-0000-4000-8000-000000000001", "gh:run.42_a"], ["", "has space", "x" * 129]),
    ("testLaunch", [True, False], ["yes", 1]),
    ("requestedAt", ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.123+02:00"], ["2026-01-01", "2026-01-01T00:00:00", "yesterday"]),
]


@pytest.mark.parametrize(("path", "good", "bad"), FIELD_RULES, ids=[rule[0] for rule in FIELD_RULES])
def test_each_field_rule_accepts_good_values_and_names_the_field_for_bad_ones(valid_request, path, good, bad):
    for value in good:
        assert validate_request(with_field(valid_request, path, value)) == [], f"{path}={value!r} refused"
    for value in bad:
        problems = validate_request(with_field(valid_request, path, value))
        assert problems, f"{path}={value!r} accepted"
        assert all(p.path.startswith(path) for p in problems), (path, value, problems)


def test_a_bad_value_is_explained_in_words_not_as_a_regex(valid_request):
    [problem] = validate_request(with_field(valid_request, "sourceServerId", "s-123"))
    assert str(problem) == "sourceServerId: 's-123' is not an MGN source server ID: 's-' and 17 lowercase hex characters"
    [problem] = validate_request(with_field(valid_request, "callbackUrl", "http://hooks.example.com/x"))
    assert problem.message == "'http://hooks.example.com/x' is not an https:// URL with a host"


def test_a_bad_list_item_is_named_by_index(valid_request):
    problems = validate_request(with_field(valid_request, "target.securityGroupIds", ["sg-01234567", "sg-x"]))
    assert paths(problems) == ["target.securityGroupIds[1]"]


@pytest.mark.parametrize(
    ("path", "field"), [("", "sourceServerId"), ("target", "accountId"), ("source", "hostname"), ("dns", "recordName")]
)
def test_a_missing_required_field_is_named(valid_request, path, field):
    request = copy.deepcopy(valid_request)
    (request[path] if path else request).pop(field)
    full = f"{path}.{field}" if path else field
    assert [str(p) for p in validate_request(request)] == [f"{full}: is required"]


def test_unknown_fields_are_rejected_with_a_suggestion(valid_request):
    request = {**valid_request, "enviroment": "prod", "colour": "blue"}
    request["target"] = {**request["target"], "vpcId": "vpc-1"}
    problems = {p.path: p.message for p in validate_request(request)}
    assert set(problems) == {"enviroment", "colour", "target.vpcId"}
    assert problems["enviroment"] == "unknown field; did you mean 'environment'?"
    assert problems["colour"].startswith("unknown field; allowed: appName, callbackUrl")


def test_every_problem_is_reported_at_once(load_event):
    bad = json.loads(load_event("sqs-mixed-batch")["Records"][1]["body"])
    assert paths(validate_request(bad)) == [
        "callbackUrl",
        "colour",
        "environment",
        "sourceServerId",
        "target.accountId",
        "target.region",
    ]


@pytest.mark.parametrize("value", [[], "a request", None, 42, [{"sourceServerId": "s-1"}]])
def test_something_other_than_an_object_is_one_problem_about_the_whole_request(value):
    [problem] = validate_request(value)
    assert problem.path == "" and "is not of type 'object'" in problem.message


def test_summarise_keeps_within_its_budget_and_counts_the_rest():
    problems = [RequestProblem(f"field{n}", "is required") for n in range(50)]
    text = summarise(problems, max_chars=100)
    assert len(text) < 130 and text.endswith("; ... and 46 more")
    assert summarise(problems[:2]) == "field0: is required; field1: is required"


def test_normalise_completes_the_request(valid_request):
    valid_request.pop("correlationId")
    valid_request["wave"] = 7
    now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    document = normalise_request(valid_request, now=now, default_correlation_id="msg-1")
    assert document["migrationId"] == "s-0a1b2c3d4e5f60718-7"
    assert document["wave"] == "7"
    assert document["correlationId"] == "msg-1"
    assert document["requestedAt"] == "2026-03-01T12:00:00.000Z"
    assert document["testLaunch"] is True
    assert valid_request["wave"] == 7 and "migrationId" not in valid_request, "the input must not change"


@pytest.mark.parametrize(("wave", "text"), [(7.0, "7"), (-0.0, "0"), (999_999_999.0, "999999999")])
def test_a_wave_written_as_a_whole_float_is_that_integer_wave(valid_request, wave, text):
    """JSON Schema takes 7.0 for an integer; it must name the migration that 7 and "7" name, not a second one."""
    as_float = normalise_request({**valid_request, "wave": wave})
    assert as_float["wave"] == text and as_float["migrationId"] == f"s-0a1b2c3d4e5f60718-{text}"
    assert as_float["migrationId"] == normalise_request({**valid_request, "wave": text})["migrationId"]


def test_normalise_keeps_what_the_requester_gave(valid_request):
    valid_request.update(migrationId="billing-1", testLaunch=False, requestedAt="2026-02-02T02:02:02Z")
    del valid_request["dns"]["ttl"]
    document = normalise_request(valid_request, default_correlation_id="ignored")
    assert (document["migrationId"], document["testLaunch"], document["requestedAt"]) == (
        "billing-1",
        False,
        "2026-02-02T02:02:02Z",
    )
    assert document["correlationId"] == "c0ffee00-0000-4000-8000-000000000001"
    assert document["dns"]["ttl"] == 300


def test_normalise_reads_the_injected_clock(valid_request, aws_mock, clock):
    assert normalise_request(valid_request)["requestedAt"] == "2026-01-01T00:00:00.000Z"


def test_normalise_generates_a_correlation_id_when_there_is_none(valid_request):
    valid_request.pop("correlationId")
    first, second = normalise_request(valid_request), normalise_request(valid_request)
    assert first["correlationId"] and first["correlationId"] != second["correlationId"]


def test_normalising_twice_changes_nothing(valid_request):
    valid_request.pop("correlationId")
    once = normalise_request(valid_request)
    assert normalise_request(once) == once


def test_normalise_refuses_an_invalid_request_with_every_problem(valid_request):
    bad = with_field(with_field(valid_request, "environment", "staging"), "target.accountId", "1")
    with pytest.raises(InvalidMigrationDocument, match="2 problem") as raised:
        normalise_request(bad)
    assert paths(raised.value.problems) == ["environment", "target.accountId"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=st.dictionaries(st.sampled_from(["wave", "target", "source", "dns", "x", "appName"]), json_values))
def test_validation_never_raises_and_always_explains(valid_request, mutation):
    request = {**valid_request, **mutation}
    problems = validate_request(request)
    assert all(isinstance(p, RequestProblem) and p.message for p in problems)
    if problems:
        with pytest.raises(InvalidMigrationDocument):
            normalise_request(request)
    else:
        once = normalise_request(request, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
        assert normalise_request(once) == once


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(wave=st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,39}\Z") | st.integers(0, 999_999_999))
def test_every_accepted_wave_derives_a_migration_id_the_request_and_the_events_accept(valid_request, wave):
    """A derived ID ('<sourceServerId>-<wave>') must pass the same rules as a given one, e.g. for wave '2026.q1'."""
    valid_request.pop("migrationId", None)
    document = normalise_request({**valid_request, "wave": wave})
    assert validate_request(document) == []
    detail = build_detail("MigrationRequested", {**document, "status": "PENDING"})
    assert validator("events/MigrationRequested.json").is_valid(detail), document["migrationId"]
