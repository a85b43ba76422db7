"""The examples in waveflow.graph's docstrings are run, so they stay true."""
import doctest
import importlib

import pytest

WITH_EXAMPLES = ["conditions", "counts", "layout", "mermaid", "metrics", "reader", "words"]


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(f"waveflow.graph.{name}"))
    assert result.attempted > 0 and result.failed == 0
