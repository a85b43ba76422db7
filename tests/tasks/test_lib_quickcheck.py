"""The quick check says "valid" only where jsonschema does, and says it for the documents the tasks send."""
from __future__ import annotations

import copy
import enum
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tasks.lib.jsonschemas import _ecma_regex, validator
from tasks.lib.quickcheck import quick_check

SCHEMAS = ["migration-request.json", "wave-input.json", *(f"events/{name}.json" for name in (
    "MigrationRequested", "MigrationValidated", "MigrationStatusUpdated", "MigrationSucceeded", "MigrationFailed",
    "MigrationRolledBack"))]
DETAIL = {"migrationId": "s-0a1b2c3d4e5f60718-7", "correlationId": "corr-1", "wave": "7", "appName": "billing-api",
          "sourceServerId": "s-0a1b2c3d4e5f60718", "environment": "prod", "stage": "validation",
          "executionArn": "arn:aws:states:us-east-1:111122223333:execution:m:x"}
STATUS = {"MigrationRequested": "PENDING", "MigrationValidated": "VALIDATED", "MigrationSucceeded": "SUCCESS",
          "MigrationFailed": "FAILED", "MigrationRolledBack": "ROLLED_BACK", "MigrationStatusUpdated": "VERIFIED"}


class Environment(str, enum.Enum):
    PROD = "prod"


def valid_instance(schema_path: str, request: dict) -> dict:
    if schema_path == "migration-request.json":
        return request
    if schema_path == "wave-input.json":
        return {"wave": "7", "expectedMigrations": 3, "maxConcurrency": 2}
    detail_type = schema_path.removeprefix("events/").removesuffix(".json")
    return {**DETAIL, "status": STATUS[detail_type], "previousStatus": "PENDING",
            "error": {"Error": "LaunchFailed", "Cause": "x"}}


def dict_paths(value, prefix=()):
    """The paths of every dict in ``value`` (the root is ``()``)."""
    found = [prefix]
    for key, item in value.items():
        if isinstance(item, dict):
            found += dict_paths(item, (*prefix, key))
    return found


TEXTS = ["", "x" * 129, "prod", "dev", "VERIFIED", "PENDING", "7", "7\n", "s-0a1b2c3d4e5f60718", "s-0a1b2c3d4e5f60718\n",
         "sg-0123abcd", "subnet-0123abcd", "111122223333", "eu-west-1", "m5.large", "10.0.0.1", "10.0.0.300",
         "https://hooks.example.com/x", "http://hooks.example.com/x", "2026-01-01T00:00:00Z", "2026-01-01", "é" * 3]
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 10**10), st.floats(allow_nan=True), st.sampled_from(TEXTS),
              st.text(max_size=4), st.sampled_from([Decimal("7"), Environment.PROD, 7.0, -0.0, 10**9, 10**9 - 1])),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.sampled_from(
        ["Error", "Cause", "hostname", "x"]), children, max_size=3)),
    max_leaves=6)


@pytest.mark.parametrize("schema_path", SCHEMAS)
def test_the_documents_the_tasks_send_are_accepted_at_once(schema_path, valid_request):
    schema = validator(schema_path)
    instance = valid_instance(schema_path, valid_request)
    assert schema.quick is not None and schema.quick(instance)
    assert list(schema.checker.iter_errors(instance)) == []


@pytest.mark.parametrize("schema_path", SCHEMAS)
@given(data=st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_quick_check_accepts_nothing_jsonschema_refuses(schema_path, valid_request, data):
    schema = validator(schema_path)
    instance = copy.deepcopy(valid_instance(schema_path, valid_request))
    for _ in range(data.draw(st.integers(1, 3))):
        *parents, = data.draw(st.sampled_from(dict_paths(instance)))
        node = instance
        for key in parents:
            node = node[key]
        key = data.draw(st.sampled_from([*node, "unknownField", "previousStatus", "error"]))
        if data.draw(st.booleans()) and key in node:
            del node[key]
        else:
            node[key] = data.draw(VALUES)
    errors = list(schema.checker.iter_errors(instance))
    if schema.quick(instance):
        assert errors == [], f"quick check accepted {json.dumps(instance, default=repr)}"
    assert [e.message for e in schema.iter_errors(instance)] == [e.message for e in errors]


def compiled(schema: dict):
    schema = {"$id": "https://waveflow.dev/schemas/test.json", **schema}
    registry = Registry().with_resource(schema["$id"], DRAFT202012.create_resource(schema))
    return quick_check(schema, registry.resolver(base_uri=schema["$id"]), _ecma_regex, lambda value, name: True)


@pytest.mark.parametrize(("schema", "instance", "quick"), [
    ({"type": "integer"}, 7, True),
    ({"type": "integer"}, True, False),  # a bool is no integer
    ({"type": "integer"}, 7.0, False),  # an integer to jsonschema, left to it
    ({"type": "string"}, Environment.PROD, False),  # a subclass: left to jsonschema
    ({"enum": ["a", 1]}, 1, False),  # only strings are judged at a glance
    ({"minimum": 0}, "text", True),  # constrains numbers only
    ({"minimum": 0}, Decimal("1"), False),
    ({"pattern": "^a$"}, "a\n", False),  # ECMA's $: the very end
    ({"uniqueItems": True}, [1, True], False),
    ({"additionalProperties": False, "properties": {"a": True}}, {"a": 1, "b": 2}, False),
])
def test_a_keyword_answers_yes_only_when_sure(schema, instance, quick):
    assert compiled(schema)(instance) is quick


@pytest.mark.parametrize("schema", [
    {"oneOf": [{"type": "string"}]},  # a keyword it does not know
    {"$defs": {"node": {"properties": {"next": {"$ref": "#/$defs/node"}}}}, "$ref": "#/$defs/node"},  # recursive
    {"patternProperties": {"^x": True}, "additionalProperties": False},
    {"$schema": "http://json-schema.org/draft-07/schema#", "type": "string"},  # another dialect
])
def test_a_schema_it_cannot_judge_gets_no_quick_check(schema):
    assert compiled(schema) is None
