"""JSONPath as Step Functions reads it (Jayway flavour), compiled once into fast accessors.

A path is parsed when the definition is loaded; evaluating it is then a loop over prepared steps. Definite
paths (names and indexes only) return one value or raise ``PathNotFound``; indefinite paths (``*``, ``..``,
slices, unions, filters) return the list of matches, as Jayway does. A path may start at the input (``$``),
the context object (``$$``) or a variable (``$name``).

The matches of an indefinite path are a JSON array, so no step may gather more of them than a 256 KiB payload
could hold (two bytes each at the least): ``$..*..*..*`` on a small but deep input would otherwise gather
billions. Past that bound the path fails with States.DataLimitExceeded, after a bounded amount of work.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from .errors import DATA_LIMIT_EXCEEDED, StatesError
from .jsonequality import json_equal
from .limits import MAX_PAYLOAD_BYTES

INPUT, CONTEXT, VARIABLE = "input", "context", "variable"
MAX_MATCHES = MAX_PAYLOAD_BYTES // 2  # each match takes a value and a comma in the JSON array of matches

_NAME = re.compile(r"[^.\[\]\s()]+")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class PathSyntaxError(ValueError):
    """Raised when a string is not a JSONPath Step Functions would accept."""


class PathNotFound(LookupError):
    """Raised when a definite path does not resolve in the document it is applied to."""

    def __init__(self, path: "JsonPath"):
        super().__init__(f"No results for path: {path.normalized}")
        self.path = path


_MISSING = object()


def _bounded(out: list) -> list:
    if len(out) > MAX_MATCHES:
        raise StatesError(DATA_LIMIT_EXCEEDED, f"A JSONPath selected more than {MAX_MATCHES} values, more than a "
                                               f"payload of {MAX_PAYLOAD_BYTES} bytes can hold.")
    return out


def _children(node):
    if type(node) is dict:
        return list(node.values())
    if type(node) is list:
        return node
    return []


def _descendants(nodes) -> list:
    """Every node under (and including) each of ``nodes``, in document order, without recursion."""
    out: list = []
    for node in nodes:
        stack = [node]
        while stack:
            current = stack.pop()
            out.append(current)
            children = _children(current)
            if children:
                _bounded(out)
                stack.extend(reversed(children))
    return _bounded(out)


def _step_key(name):
    def apply(nodes):
        return [node[name] for node in nodes if type(node) is dict and name in node]
    return apply


def _step_index(index):
    def apply(nodes):
        out = []
        for node in nodes:
            if type(node) is list and -len(node) <= index < len(node):
                out.append(node[index])
        return out
    return apply


def _step_wild(nodes):
    out = []
    for node in nodes:
        out.extend(_children(node))
        _bounded(out)
    return out


def _step_slice(start, stop, step):
    def apply(nodes):
        out = []
        for node in nodes:
            if type(node) is list:
                out.extend(node[start:stop:step])
                _bounded(out)
        return out
    return apply


def _step_union(selectors):
    def apply(nodes):
        out = []
        for selector in selectors:
            out.extend(selector(nodes))
            _bounded(out)
        return out
    return apply


def _step_descend(inner):
    def apply(nodes):
        return inner(_descendants(nodes))
    return apply


def _step_filter(predicate):
    def apply(nodes):
        out = []
        for node in nodes:
            for child in _children(node):
                if predicate(child):
                    out.append(child)
            _bounded(out)
        return out
    return apply


class JsonPath:
    """A compiled JSONPath.

    >>> JsonPath("$.servers[0].id").get({"servers": [{"id": "s-1"}]})
    's-1'
    """

    __slots__ = ("text", "root", "variable", "keys", "definite", "normalized", "_apply", "get")

    def __init__(self, text: str):
        self.text = text
        parser = _Parser(text)
        self.root, self.variable, steps = parser.parse_path()
        parser.expect_end()
        self.definite = all(kind in ("key", "index") for kind, _ in steps)
        self.keys = tuple(arg for _, arg in steps) if self.definite else None
        self.normalized = "$" + "".join(
            f"['{arg}']" if kind == "key" else f"[{arg}]" if kind == "index" else f"[{kind}]"
            for kind, arg in steps)
        self._apply = [_compile_step(kind, arg) for kind, arg in steps]
        self.get = self._make_getter()

    def _make_getter(self) -> Callable[[Any], Any]:
        if not self.definite:
            return self._get_all
        keys = self.keys
        if not keys:
            return lambda doc: doc
        if len(keys) == 1 and type(keys[0]) is str:
            key = keys[0]

            def get_one(doc):
                if type(doc) is dict:
                    value = doc.get(key, _MISSING)
                    if value is not _MISSING:
                        return value
                raise PathNotFound(self)
            return get_one
        return self._get_definite

    def _get_definite(self, doc):
        for key in self.keys:
            if type(key) is str:
                if type(doc) is not dict or key not in doc:
                    raise PathNotFound(self)
                doc = doc[key]
            else:
                if type(doc) is not list or not -len(doc) <= key < len(doc):
                    raise PathNotFound(self)
                doc = doc[key]
        return doc

    def _get_all(self, doc):
        nodes = [doc]
        for step in self._apply:
            nodes = step(nodes)
        return nodes

    def exists(self, doc) -> bool:
        """IsPresent: does the path select anything in ``doc``?"""
        if self.definite:
            try:
                self.get(doc)
            except PathNotFound:
                return False
            return True
        return bool(self._get_all(doc))

    def __repr__(self):
        return f"JsonPath({self.text!r})"


def _compile_step(kind, arg):
    table = {
        "key": _step_key,
        "index": _step_index,
        "*": lambda _: _step_wild,
        "slice": lambda a: _step_slice(*a),
        "union": lambda a: _step_union([_compile_step(k, v) for k, v in a]),
        "..": lambda a: _step_descend(_compile_step(*a)),
        "?": _step_filter,
    }
    return table[kind](arg)


def set_path(doc: Any, path: JsonPath, value: Any) -> Any:
    """Return a copy of ``doc`` with ``value`` placed at the definite ``path``, creating missing objects.

    Only the containers along the path are copied; everything else is shared. Raises ``TypeError`` naming
    the step that cannot be applied (a key into a non-object, an index past the end of an array).
    """
    keys = path.keys
    if not keys:
        return value
    return _set(doc, keys, 0, value)


def _set(node, keys, i, value):
    key = keys[i]
    last = i == len(keys) - 1
    if type(key) is str:
        if node is _MISSING:
            node = {}
        if type(node) is not dict:
            raise TypeError(f"Unable to apply step \"{key}\" to input {json.dumps(node)}")
        copy = dict(node)
        copy[key] = value if last else _set(node.get(key, _MISSING), keys, i + 1, value)
        return copy
    if type(node) is not list or not -len(node) <= key < len(node):
        raise TypeError(f"Unable to apply step \"[{key}]\" to input {json.dumps(node)}")
    copy = list(node)
    copy[key] = value if last else _set(node[key], keys, i + 1, value)
    return copy


class _Parser:
    """Recursive-descent parser for paths and filter expressions."""

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise PathSyntaxError(f"a JSONPath must be a string, not {type(text).__name__}")
        self.text = text
        self.pos = 0

    def error(self, what: str):
        return PathSyntaxError(f"Invalid JSONPath '{self.text}' at position {self.pos}: {what}")

    def peek(self, n=1) -> str:
        return self.text[self.pos:self.pos + n]

    def skip_ws(self):
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def expect_end(self):
        if self.pos != len(self.text):
            raise self.error(f"unexpected {self.text[self.pos:]!r}")

    def parse_path(self, relative=False):
        root, variable = INPUT, None
        if relative:
            if self.peek() != "@":
                raise self.error("expected '@'")
            self.pos += 1
        elif self.peek(2) == "$$":
            root = CONTEXT
            self.pos += 2
        elif self.peek() == "$":
            self.pos += 1
            match = _IDENT.match(self.text, self.pos)
            if match:
                root, variable = VARIABLE, match.group()
                self.pos = match.end()
        else:
            raise self.error("a path starts with '$'")
        steps = []
        while self.pos < len(self.text):
            char = self.peek()
            if self.peek(2) == "..":
                self.pos += 2
                inner = self.parse_bracket() if self.peek() == "[" else self.parse_dot_name()
                steps.append(("..", inner))
            elif char == ".":
                self.pos += 1
                steps.append(self.parse_dot_name())
            elif char == "[":
                steps.append(self.parse_bracket())
            else:
                break
        return root, variable, steps

    def parse_dot_name(self):
        if self.peek() == "*":
            self.pos += 1
            return ("*", None)
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise self.error("expected a field name")
        self.pos = match.end()
        return ("key", match.group())

    def parse_bracket(self):
        self.pos += 1
        self.skip_ws()
        if self.peek() == "*":
            self.pos += 1
            step = ("*", None)
        elif self.peek(2) == "?(":
            self.pos += 2
            predicate = self.parse_or()
            self.skip_ws()
            if self.peek() != ")":
                raise self.error("expected ')' closing the filter")
            self.pos += 1
            step = ("?", predicate)
        else:
            step = self.parse_selectors()
        self.skip_ws()
        if self.peek() != "]":
            raise self.error("expected ']'")
        self.pos += 1
        return step

    def parse_selectors(self):
        selectors = []
        while True:
            self.skip_ws()
            if self.peek() in ("'", '"'):
                selectors.append(("key", self.parse_string()))
            else:
                selectors.append(self.parse_index_or_slice())
            self.skip_ws()
            if self.peek() != ",":
                break
            self.pos += 1
        return selectors[0] if len(selectors) == 1 else ("union", selectors)

    def parse_index_or_slice(self):
        match = re.compile(r"(-?\d*)\s*(?::\s*(-?\d*)\s*(?::\s*(-?\d*))?)?").match(self.text, self.pos)
        text = match.group(0)
        if not text.strip():
            raise self.error("expected an index, a slice or a quoted name")
        self.pos = match.end()
        if ":" not in text:
            return ("index", int(match.group(1)))
        bounds = [int(g) if g not in (None, "") else None for g in match.groups()]
        if bounds[2] == 0:
            raise self.error("slice step cannot be zero")
        return ("slice", tuple(bounds))

    def parse_string(self):
        quote = self.peek()
        self.pos += 1
        out = []
        while self.pos < len(self.text) and self.text[self.pos] != quote:
            if self.text[self.pos] == "\\" and self.pos + 1 < len(self.text):
                self.pos += 1
            out.append(self.text[self.pos])
            self.pos += 1
        if self.pos >= len(self.text):
            raise self.error("unterminated string")
        self.pos += 1
        return "".join(out)

    # filter expressions: or := and ('||' and)*; and := unary ('&&' unary)*; unary := '!' unary | cmp
    def parse_or(self):
        left = self.parse_and()
        while self._take("||"):
            right = self.parse_and()
            left = (lambda a, b: lambda node: a(node) or b(node))(left, right)
        return left

    def parse_and(self):
        left = self.parse_unary()
        while self._take("&&"):
            right = self.parse_unary()
            left = (lambda a, b: lambda node: a(node) and b(node))(left, right)
        return left

    def parse_unary(self):
        self.skip_ws()
        if self._take("!"):
            inner = self.parse_unary()
            return lambda node: not inner(node)
        if self.peek() == "(":
            self.pos += 1
            inner = self.parse_or()
            if not self._take(")"):
                raise self.error("expected ')'")
            return inner
        left = self.parse_operand()
        self.skip_ws()
        for op in ("==", "!=", "<=", ">=", "<", ">", "=~"):
            if self._take(op):
                right = self.parse_regex() if op == "=~" else self.parse_operand()
                return _comparison(op, left, right)
        return lambda node: left(node) not in (_MISSING, None, False)

    def _take(self, token):
        self.skip_ws()
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def parse_regex(self):
        self.skip_ws()
        match = re.compile(r"/((?:[^/\\]|\\.)*)/([i]*)").match(self.text, self.pos)
        if not match:
            raise self.error("expected a /regex/")
        self.pos = match.end()
        pattern = re.compile(match.group(1), re.IGNORECASE if match.group(2) else 0)
        return lambda node: pattern

    def parse_operand(self):
        self.skip_ws()
        char = self.peek()
        if char == "@":
            _, _, steps = self.parse_path(relative=True)
            return _relative_getter(steps)
        if char in ("'", '"'):
            value = self.parse_string()
            return lambda node: value
        match = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null").match(self.text, self.pos)
        if not match:
            raise self.error("expected '@', a string, a number, true, false or null")
        self.pos = match.end()
        value = json.loads(match.group())
        return lambda node: value


def _relative_getter(steps):
    compiled = [_compile_step(kind, arg) for kind, arg in steps]

    def get(node):
        nodes = [node]
        for step in compiled:
            nodes = step(nodes)
        return nodes[0] if nodes else _MISSING
    return get


def _comparison(op, left, right):
    def compare(node):
        a, b = left(node), right(node)
        if a is _MISSING or b is _MISSING:
            return False
        if op == "=~":
            return isinstance(a, str) and b.search(a) is not None
        if op == "==":
            return json_equal(a, b)
        if op == "!=":
            return not json_equal(a, b)
        if not (_both_numbers(a, b) or (isinstance(a, str) and isinstance(b, str))):
            return False
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    return compare


def _both_numbers(a, b):
    return (type(a) in (int, float)) and (type(b) in (int, float))
