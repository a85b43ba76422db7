"""StringMatches' wildcard against a regular expression built from the same pattern: every placement of the pieces,
patterns with several stars, texts shorter than the fixed prefix and suffix, escaped stars and backslashes."""
import re

import pytest
from hypothesis import given, strategies as st

from waveflow.local.wildcard import compile_wildcard


def _regex(pattern: str) -> re.Pattern:
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if pattern[i] == "*" else re.escape(pattern[i]))
        i += 1
    return re.compile("".join(out), re.DOTALL)


@pytest.mark.parametrize("pattern, text, expected", [
    ("a*b*c", "abc", True), ("a*b*c", "axxbyyc", True), ("a*b*c", "axxc", False),  # a missing middle piece
    ("a*b*c*d", "abdc", False), ("a*b*c*d", "a-b-c-d", True), ("*x*y*", "yx", False),
    ("ab*ba", "aba", False),   # shorter than prefix + suffix, though it starts with one and ends with the other
    ("ab*ba", "abba", True), ("log-\\*", "log-*", True), ("log-\\*", "log-1", False), ("a\\\\*", "a\\zz", True),
])
def test_several_stars_and_short_texts(pattern, text, expected):
    assert compile_wildcard(pattern)(text) is expected


@given(st.text("ab*", max_size=8), st.text("ab", max_size=10))
def test_it_agrees_with_a_regular_expression(pattern, text):
    assert compile_wildcard(pattern)(text) == bool(_regex(pattern).fullmatch(text))
