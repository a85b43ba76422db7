"""Intrinsic functions: each handler's result and its States.IntrinsicFailure cases."""
import random

import pytest

from waveflow.local.errors import StatesError
from waveflow.local.intrinsics import IntrinsicSyntaxError, compile_intrinsic


class FakeRun:
    rng = random.Random(1)

    def uuid4(self):
        return "00000000-0000-4000-8000-000000000000"


def call(text, data=None):
    return compile_intrinsic(text, lambda path: lambda doc, run: path.get(doc))(data or {}, FakeRun())


@pytest.mark.parametrize("text, expected", [
    ("States.Format('Hello {}, wave {}', $.name, $.wave)", "Hello ada, wave 7"),
    ("States.Format('literal \\{\\} and {}', true)", "literal {} and true"),
    ("States.StringToJson('{\"a\": [1]}')", {"a": [1]}),
    ("States.JsonToString($.obj)", '{"k":"v"}'),
    ("States.Array(1, 'two', null, $.wave)", [1, "two", None, 7]),
    ("States.ArrayPartition(States.Array(1, 2, 3, 4, 5), 2)", [[1, 2], [3, 4], [5]]),
    ("States.ArrayContains($.list, 2)", True),
    ("States.ArrayRange(1, 9, 3)", [1, 4, 7]),
    ("States.ArrayRange(5, 1, -2)", [5, 3, 1]),
    ("States.ArrayGetItem($.list, 1)", 2),
    ("States.ArrayLength($.list)", 3),
    ("States.ArrayUnique(States.Array(1, 2, 1, 'x', 'x'))", [1, 2, "x"]),
    ("States.Base64Encode('Data to encode')", "RGF0YSB0byBlbmNvZGU="),
    ("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "Data to encode"),
    ("States.Hash('input data', 'SHA-1')", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
    ("States.JsonMerge($.obj, States.StringToJson('{\"k\": \"w\", \"n\": 1}'), false)", {"k": "w", "n": 1}),
    ("States.MathAdd(111, -1)", 110),
    ("States.StringSplit('1,2;3', ',;')", ["1", "2", "3"]),
    ("States.UUID()", "00000000-0000-4000-8000-000000000000"),
])
def test_intrinsic_results(text, expected):
    data = {"name": "ada", "wave": 7, "obj": {"k": "v"}, "list": [1, 2, 3]}
    assert call(text, data) == expected


def test_math_random_with_a_seed_is_repeatable_and_in_range():
    first = call("States.MathRandom(1, 1000, 42)")
    assert first == call("States.MathRandom(1, 1000, 42)")
    assert 1 <= first < 1000


@pytest.mark.parametrize("text, fragment", [
    ("States.Format('{} and {}', 1)", "placeholders"),
    ("States.ArrayGetItem(States.Array(1), 5)", "out of bounds"),
    ("States.ArrayRange(1, 5000, 1)", "at most 1000"),
    ("States.ArrayRange(1, 5, 0)", "step"),
    ("States.MathAdd('1', 1)", "numbers"),
    ("States.StringToJson('NaN')", "not valid JSON"),
    ("States.JsonMerge($.obj, $.obj, true)", "shallow"),
    ("States.Hash('x', 'SHA-999')", "unknown algorithm"),
    ("States.Base64Decode('***')", "base64"),
    ("States.StringToJson('{not json')", "StringToJson"),
    ("States.ArrayLength($.missing)", "could not be found"),
])
def test_bad_arguments_raise_intrinsic_failure(text, fragment):
    with pytest.raises(StatesError) as caught:
        call(text, {"obj": {}})
    assert caught.value.error == "States.IntrinsicFailure"
    assert fragment in caught.value.cause


@pytest.mark.parametrize("text", ["States.Nope(1)", "States.Format(", "States.ArrayLength(1, 2)", "States.UUID() x",
                                  "States.Format('a\\\"b')", "States.Format('a\\nb')", "States.Format('a\\')"])
def test_malformed_or_unknown_calls_fail_at_load_time(text):
    with pytest.raises(IntrinsicSyntaxError):
        compile_intrinsic(text, lambda path: None)
