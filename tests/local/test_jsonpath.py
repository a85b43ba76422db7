"""JSONPath as Step Functions reads it: definite paths, Jayway's indefinite results, and ResultPath placement."""
import pytest

from waveflow.local.jsonpath import CONTEXT, VARIABLE, JsonPath, PathNotFound, PathSyntaxError, set_path

DOC = {"a": {"b": [1, 2, {"c": 3}]}, "servers": [{"id": "s-1", "lag": 5}, {"id": "s-2", "lag": 50}],
       "odd key": True}


@pytest.mark.parametrize("text, expected", [
    ("$", DOC),
    ("$.a.b[2].c", 3),
    ("$.a.b[-1]", {"c": 3}),
    ("$['odd key']", True),
    ('$["a"]["b"][0]', 1),
])
def test_definite_paths_return_the_single_value(text, expected):
    path = JsonPath(text)
    assert path.definite
    assert path.get(DOC) == expected


@pytest.mark.parametrize("text, expected", [
    ("$.servers[*].id", ["s-1", "s-2"]),
    ("$..lag", [5, 50]),
    ("$.servers[?(@.lag > 10)].id", ["s-2"]),
    ("$.servers[?(@.id == 's-1' || @.lag >= 50)].lag", [5, 50]),
    ("$.a.b[0:2]", [1, 2]),
    ("$.servers[0,1].id", ["s-1", "s-2"]),
    ("$.servers[?(@.missing)].id", []),
])
def test_indefinite_paths_return_the_list_of_matches(text, expected):
    path = JsonPath(text)
    assert not path.definite
    assert path.get(DOC) == expected


@pytest.mark.parametrize("text", ["$.nope", "$.a.b[7]", "$.a.b.c", "$.servers.id"])
def test_a_definite_path_that_does_not_resolve_raises_with_the_normalized_path(text):
    with pytest.raises(PathNotFound) as caught:
        JsonPath(text).get(DOC)
    assert "No results for path: $[" in str(caught.value)


@pytest.mark.parametrize("text", ["", "a.b", "$.", "$[", "$.a[?(@.x >)]", "$[1:2:0]"])
def test_malformed_paths_are_refused_at_load_time(text):
    with pytest.raises(PathSyntaxError):
        JsonPath(text)


def test_roots_distinguish_input_context_and_variables():
    assert JsonPath("$$.Execution.Id").root == CONTEXT
    variable = JsonPath("$server.id")
    assert (variable.root, variable.variable, variable.keys) == (VARIABLE, "server", ("id",))


def test_set_path_copies_only_the_containers_on_the_path():
    original = {"keep": {"x": 1}, "a": {"b": 1}}
    updated = set_path(original, JsonPath("$.a.c.d"), 5)
    assert updated == {"keep": {"x": 1}, "a": {"b": 1, "c": {"d": 5}}}
    assert original == {"keep": {"x": 1}, "a": {"b": 1}}
    assert updated["keep"] is original["keep"]


def test_set_path_into_a_non_object_names_the_failing_step():
    with pytest.raises(TypeError, match='Unable to apply step "b"'):
        set_path({"a": "text"}, JsonPath("$.a.b"), 1)


def test_set_path_replaces_an_array_element():
    assert set_path({"xs": [1, 2]}, JsonPath("$.xs[1]"), 9) == {"xs": [1, 9]}
