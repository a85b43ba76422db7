"""Property tests of the interpreter's data flow and intrinsic functions, through `run_definition` only.

Each property runs a one-state Pass machine and compares the output with plain Python: indexing for
reference paths, dict building for payload templates, and the standard library for the intrinsics.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import string
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from waveflow.local.runtime import run_definition

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = st.text(string.ascii_letters + "_", min_size=1, max_size=6)
SCALARS = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                    max_leaves=12)
OBJECTS = st.dictionaries(KEYS, JSON, min_size=1, max_size=5)


def canonical(value: Any) -> str:
    """JSON text with sorted keys: comparing it is JSON equality (true is not 1), not Python's."""
    return json.dumps(value, sort_keys=True)


def same(left: Any, right: Any) -> bool:
    return canonical(left) == canonical(right)


def run_pass(state: dict, document: Any):
    """Run a machine made of one Pass state; return the ExecutionResult."""
    return run_definition({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, **state}}}, document)


def intrinsic(expression: str, document: Any) -> Any:
    result = run_pass({"Parameters": {"r.$": expression}}, document)
    assert result.status == "SUCCEEDED", (expression, result.error, result.cause)
    return result.output["r"]


@st.composite
def document_and_path(draw):
    """A JSON object and a reference path (dots and [n]) to a node inside it, with the node."""
    document = draw(OBJECTS)
    node, path = document, "$"
    while True:
        if isinstance(node, dict) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node)))
            node, path = node[key], f"{path}.{key}"
        elif isinstance(node, list) and node and draw(st.booleans()):
            index = draw(st.integers(0, len(node) - 1))
            node, path = node[index], f"{path}[{index}]"
        elif path != "$":
            return document, path, node
        else:
            key = draw(st.sampled_from(sorted(document)))
            node, path = document[key], f"$.{key}"


@given(document_and_path())
@PROPERTY_SETTINGS
def test_input_path_reads_what_python_indexing_reads(case):
    document, path, node = case
    result = run_pass({"InputPath": path}, document)
    assert result.status == "SUCCEEDED", (path, result.error, result.cause)
    assert same(result.output, node)


def _python_put(document: dict, keys: list[str], value: Any) -> dict | None:
    """ResultPath by hand: copy, create missing objects, refuse to descend into a non-object."""
    merged = copy.deepcopy(document)
    node = merged
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            return None
    node[keys[-1]] = value
    return merged


@given(OBJECTS, st.lists(KEYS, min_size=1, max_size=4), JSON)
@PROPERTY_SETTINGS
def test_result_path_writes_like_python_and_never_mutates_input(document, keys, value):
    pristine = copy.deepcopy(document)
    result = run_pass({"Result": value, "ResultPath": "$." + ".".join(keys)}, document)
    expected = _python_put(document, keys, value)
    assert same(document, pristine), "the interpreter mutated the execution input"
    if expected is None:
        assert (result.status, result.error) == ("FAILED", "States.ResultPathMatchFailure")
    else:
        assert result.status == "SUCCEEDED", (keys, result.error, result.cause)
        assert same(result.output, expected)


@given(document_and_path(), JSON)
@PROPERTY_SETTINGS
def test_result_path_then_input_path_reads_back_the_result(case, value):
    document, path, _ = case
    assume("[" not in path)  # ResultPath into an array element needs the element to exist; covered elsewhere
    machine = {"StartAt": "Put", "States": {
        "Put": {"Type": "Pass", "Result": value, "ResultPath": path, "Next": "Get"},
        "Get": {"Type": "Pass", "InputPath": path, "End": True}}}
    result = run_definition(machine, document)
    assert result.status == "SUCCEEDED", (path, result.error, result.cause)
    assert same(result.output, value)


@st.composite
def template_and_expected(draw, document):
    """A Parameters template mixing static values and '.$' references, and what it must produce."""
    leaves = []
    stack = [("$", document)]
    while stack:
        path, node = stack.pop()
        leaves.append((path, node))
        if isinstance(node, dict):
            stack.extend((f"{path}.{key}", child) for key, child in node.items())
    template, expected = {}, {}
    for name in draw(st.lists(KEYS, min_size=1, max_size=5, unique=True)):
        if draw(st.booleans()):
            path, node = draw(st.sampled_from(leaves))
            template[f"{name}.$"], expected[name] = path, node
        else:
            static = draw(JSON)
            template[name], expected[name] = static, static
    return template, expected


@given(st.data(), OBJECTS)
@PROPERTY_SETTINGS
def test_parameters_template_builds_what_python_builds(data, document):
    template, expected = data.draw(template_and_expected(document))
    result = run_pass({"Parameters": template}, document)
    assert result.status == "SUCCEEDED", (template, result.error, result.cause)
    assert same(result.output, expected)


@given(st.lists(JSON, min_size=1, max_size=30), st.integers(1, 8))
@PROPERTY_SETTINGS
def test_array_partition_then_flatten_is_the_original(items, size):
    chunks = intrinsic("States.ArrayPartition($.items, $.size)", {"items": items, "size": size})
    assert same([item for chunk in chunks for item in chunk], items)
    assert all(len(chunk) == size for chunk in chunks[:-1])
    assert 1 <= len(chunks[-1]) <= size


@given(st.text(min_size=1, max_size=60))
@PROPERTY_SETTINGS
def test_base64_encode_matches_stdlib_and_round_trips(text):
    encoded = intrinsic("States.Base64Encode($.s)", {"s": text})
    assert encoded == base64.b64encode(text.encode()).decode()
    assert intrinsic("States.Base64Decode(States.Base64Encode($.s))", {"s": text}) == text


@given(JSON)
@PROPERTY_SETTINGS
def test_json_to_string_then_string_to_json_round_trips(value):
    text = intrinsic("States.JsonToString($.v)", {"v": value})
    assert same(json.loads(text), value)
    assert same(intrinsic("States.StringToJson(States.JsonToString($.v))", {"v": value}), value)


@st.composite
def ranges(draw):
    start = draw(st.integers(-500, 500))
    step = draw(st.integers(-50, 50).filter(bool))
    count = draw(st.integers(1, 200))
    end = start + step * (count - 1) + draw(st.integers(0, abs(step) - 1)) * (1 if step > 0 else -1)
    return start, end, step


@given(ranges())
@PROPERTY_SETTINGS
def test_array_range_matches_python_range(bounds):
    start, end, step = bounds
    expected = list(range(start, end + (1 if step > 0 else -1), step))
    assert intrinsic("States.ArrayRange($.a, $.b, $.c)", {"a": start, "b": end, "c": step}) == expected


@given(st.integers(-2**30, 2**30), st.integers(-2**30, 2**30))  # MathAdd takes 32-bit integers
@PROPERTY_SETTINGS
def test_math_add_matches_python_for_integers(a, b):
    assert intrinsic("States.MathAdd($.a, $.b)", {"a": a, "b": b}) == a + b


@given(st.lists(st.integers(0, 5) | st.sampled_from(["a", "b"]) | st.booleans() | st.none(), max_size=20))
@PROPERTY_SETTINGS
def test_array_unique_keeps_first_occurrences_in_order(items):
    expected, seen = [], set()
    for item in items:
        if canonical(item) not in seen:
            seen.add(canonical(item))
            expected.append(item)
    assert same(intrinsic("States.ArrayUnique($.items)", {"items": items}), expected)


@given(st.lists(JSON, max_size=10), JSON)
@PROPERTY_SETTINGS
def test_array_length_and_contains_match_python(items, probe):
    document = {"items": items, "probe": probe}
    assert intrinsic("States.ArrayLength($.items)", document) == len(items)
    assert intrinsic("States.ArrayContains($.items, $.probe)", document) is (canonical(probe) in map(canonical, items))


@given(st.text(min_size=1, max_size=40), st.sampled_from(["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"]))
@PROPERTY_SETTINGS
def test_hash_matches_hashlib(text, algorithm):
    digest = hashlib.new(algorithm.replace("-", "").lower(), text.encode()).hexdigest()
    assert intrinsic("States.Hash($.s, $.alg)", {"s": text, "alg": algorithm}) == digest
