"""Payload sizes as Step Functions counts them: the UTF-8 length of the compact JSON text, exact up to the quota,
and the quota itself to the byte."""
import json

from hypothesis import given, settings, strategies as st

from waveflow.local.limits import MAX_PAYLOAD_BYTES, Measured, dumps, json_depth, measure
from waveflow.local.runtime import run_definition

FN = "arn:aws:lambda:us-east-1:123456789012:function:"

# strings that JSON writes as they are, with escapes (quotes, backslashes, controls), beyond ASCII and lone surrogates
TEXT = st.one_of(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
                 st.text(max_size=12), st.sampled_from(['"', "\\", "\n", "\x7f", "é", "\ud800", "𝄞", ""]))
SCALARS = st.one_of(TEXT, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False, allow_infinity=False))
KEYS = st.one_of(TEXT, TEXT, st.integers(), st.booleans(), st.none())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=6),
                                                       st.dictionaries(KEYS, inner, max_size=6)), max_leaves=40)


def depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_a_value_measures_as_its_compact_json_text_in_utf8(value):
    assert measure(value) == (len(dumps(value).encode("utf-8", "surrogatepass")), depth(value))


@settings(max_examples=200, deadline=None)
@given(VALUES, VALUES)
def test_a_part_measured_before_counts_as_walking_it_again_would(part, other):
    value = {"input": [part, other], "again": part}
    assert measure(value, known=Measured(part, *measure(part))) == measure(value)


PLAIN = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=6),
                                                      st.dictionaries(TEXT, inner, max_size=6)), max_leaves=40)


@settings(max_examples=200, deadline=None)
@given(PLAIN)
def test_a_parsed_value_has_its_depth(value):
    assert json_depth(value) == depth(value) == measure(value)[1]


def test_a_repeated_part_counts_every_time_it_is_written():
    part = {"name": "é" * 10, "n": [1, 2]}
    value = [part, part, {"again": part}]
    assert measure(value)[0] == len(dumps(value).encode("utf-8"))


def result_of(size: int, escaped: bool = False):
    """A handler result whose JSON text is ``size`` bytes: a map of short strings, one of them padded."""
    filler = '"' if escaped else "x"  # a quote is written as two bytes
    result = {f"k{i}": "v" for i in range(1_000)}
    pad = size - len(dumps(result).encode("utf-8"))
    width = len(json.dumps(filler)) - 2
    result["k0"] = "v" + filler * (pad // width) + "x" * (pad % width)
    assert len(dumps(result).encode("utf-8")) == size
    return result


def run_returning(result):
    return run_definition({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN + "Give", "End": True}}},
                          {}, handlers={"Give": lambda event, context: result})


def test_a_result_of_exactly_256_kib_passes_and_one_byte_more_is_data_limit_exceeded():
    for escaped in (False, True):
        assert run_returning(result_of(MAX_PAYLOAD_BYTES, escaped)).status == "SUCCEEDED"
        over = run_returning(result_of(MAX_PAYLOAD_BYTES + 1, escaped))
        assert (over.status, over.error) == ("FAILED", "States.DataLimitExceeded")
        assert over.cause.endswith("returned a result with a size exceeding the maximum number of bytes service "
                                   "limit.")


def test_a_key_json_cannot_write_is_reported_before_a_value_it_cannot():
    refused = run_returning({"ok": object(), (1, 2): "a"})
    assert refused.error == "Runtime.MarshalError"
    assert "keys must be str, int, float, bool or None, not tuple" in json.loads(refused.cause)["errorMessage"]


def test_a_result_whose_keys_json_merges_counts_as_the_one_key_it_becomes():
    """{1: ..., "1": ...} is written with both keys and read back with one: what the next states carry is that."""
    definition = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": FN + "Give", "Next": "Twice"},
        "Twice": {"Type": "Pass", "Parameters": {"a.$": "$", "b.$": "$"}, "End": True}}}
    result = run_definition(definition, {}, handlers={"Give": lambda event, context: {1: "x" * 200_000, "1": "y"}})
    assert (result.status, result.output) == ("SUCCEEDED", {"a": {"1": "y"}, "b": {"1": "y"}})


class Record(dict):
    """A dict subclass, as a handler may return one."""


class Code(str):
    """A str subclass (an enum's value, say)."""


# what JSON writes as something else: tuples, subclasses, keys that are not text (two may become one); no lone
# surrogates (the careful way sizes a tuple as UTF-8 text, which has none)
WHOLE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
UNUSUAL = st.recursive(st.one_of(WHOLE_TEXT, WHOLE_TEXT.map(Code), st.integers(), st.booleans(), st.none()),
                       lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.lists(inner, max_size=5).map(tuple),
    st.dictionaries(st.one_of(WHOLE_TEXT, st.integers(), st.booleans(), st.none()), inner, max_size=5),
    st.dictionaries(WHOLE_TEXT, inner, max_size=5).map(Record)), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(st.one_of(VALUES, UNUSUAL))
def test_a_handler_result_is_measured_as_the_value_json_gives_back(value):
    from waveflow.local.resources.lambda_ import _returned
    parsed = json.loads(dumps(value))
    returned = _returned(value, "request", "T")
    assert returned == Measured(parsed, *measure(parsed))
    assert repr(returned.value) == repr(parsed)
