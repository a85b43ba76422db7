"""ASL intrinsic functions (``States.Format(...)`` and friends): a parser and a registry of handlers.

An intrinsic is parsed once into a tree of argument evaluators; evaluating it resolves the path arguments
against the state input, context object or variables and calls the registered handler. Every failure is a
``StatesError('States.IntrinsicFailure', ...)`` whose cause names the function and what was wrong, except a
value too large or too deep for a payload: every argument and every result is held to the 256 KiB limit as it is
made (States.DataLimitExceeded), so nested calls cannot build gigabytes before the state's output is checked.

String literals accept only the escapes the developer guide reserves (``\\'``, ``\\{``, ``\\}``, ``\\\\``); any
other backslash makes the definition invalid, as AWS refuses it at creation.
"""
from __future__ import annotations

import json
import random
import re
from typing import Any, Callable

from .errors import DATA_LIMIT_EXCEEDED, INTRINSIC_FAILURE, StatesError
from .javatext import java_round, java_text
from .jsonequality import json_equal, json_key
from .jsonpath import JsonPath, PathNotFound, PathSyntaxError
from .limits import NestingTooDeep, dumps, loads, over_limit

MAX_STRING = 10_000
MAX_RANGE = 1_000
_ESCAPABLE = frozenset("'{}\\")

_REGISTRY: dict[str, tuple[Callable, int, int | None]] = {}
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_FUNC_NAME = re.compile(r"States\.[A-Za-z0-9]+")


def intrinsic(name: str, min_args: int, max_args: int | None):
    """Register ``fn(run, *args)`` as the handler of ``States.<name>`` with its arity."""
    def register(fn):
        _REGISTRY[f"States.{name}"] = (fn, min_args, max_args)
        return fn
    return register


def is_intrinsic(text: Any) -> bool:
    return isinstance(text, str) and text.startswith("States.")


class IntrinsicSyntaxError(ValueError):
    """Raised at load time for a malformed intrinsic call or an unknown function name."""


class _Template(str):
    """A string literal that remembers which braces were escaped, for States.Format."""

    parts: list


def compile_intrinsic(text: str, reader: Callable[[JsonPath], Callable]) -> Callable[[Any, Any], Any]:
    """Compile ``text`` into ``fn(data, run)``; ``reader(path)`` gives ``fn(data, run)`` reading a path argument.

    >>> fn = compile_intrinsic("States.ArrayLength($.xs)", lambda p: lambda d, r: p.get(d))
    >>> fn({"xs": [1, 2]}, None)
    2
    """
    parser = _Parser(text, reader)
    call = parser.parse_call()
    parser.skip_ws()
    if parser.pos != len(text):
        raise IntrinsicSyntaxError(f"Invalid intrinsic function '{text}': unexpected {text[parser.pos:]!r}")
    return call


class _Parser:
    def __init__(self, text, reader):
        self.text, self.pos, self.reader = text, 0, reader

    def error(self, what):
        return IntrinsicSyntaxError(f"Invalid intrinsic function '{self.text}' at position {self.pos}: {what}")

    def skip_ws(self):
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def parse_call(self):
        match = _FUNC_NAME.match(self.text, self.pos)
        if not match:
            raise self.error("expected States.<Function>(...)")
        name = match.group()
        if name not in _REGISTRY:
            known = ", ".join(sorted(_REGISTRY))
            raise self.error(f"unknown function '{name}' (known: {known})")
        self.pos = match.end()
        self.skip_ws()
        if self.text[self.pos:self.pos + 1] != "(":
            raise self.error("expected '('")
        self.pos += 1
        args = []
        self.skip_ws()
        if self.text[self.pos:self.pos + 1] == ")":
            self.pos += 1
        else:
            while True:
                args.append(self.parse_arg())
                self.skip_ws()
                char = self.text[self.pos:self.pos + 1]
                self.pos += 1
                if char == ")":
                    break
                if char != ",":
                    raise self.error("expected ',' or ')'")
        fn, low, high = _REGISTRY[name]
        if len(args) < low or (high is not None and len(args) > high):
            expected = str(low) if low == high else f"{low} to {high}" if high is not None else f"at least {low}"
            raise self.error(f"{name} takes {expected} arguments, got {len(args)}")
        return _make_call(name, fn, args)

    def parse_arg(self):
        self.skip_ws()
        char = self.text[self.pos:self.pos + 1]
        if char == "'":
            value = self.parse_string()
            return lambda data, run: value
        if char == "$":
            return self.parse_path()
        if self.text.startswith("States.", self.pos):
            return self.parse_call()
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return lambda data, run, value=value: value
        match = _NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            number = json.loads(match.group())
            return lambda data, run: number
        raise self.error("expected a string, number, boolean, null, path or function")

    def parse_path(self):
        start = self.pos
        depth = 0
        quote = None
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote and char == "\\":
                self.pos += 1  # the escaped character cannot close the quoted name
            elif quote:
                quote = None if char == quote else quote
            elif char in "'\"" and depth:
                quote = char
            elif char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
            elif depth == 0 and (char in ",)" or char.isspace()):
                break
            self.pos += 1
        try:
            path = JsonPath(self.text[start:self.pos])
        except PathSyntaxError as exc:
            raise self.error(str(exc)) from exc
        get = self.reader(path)

        def read(data, run):
            try:
                return get(data, run)
            except PathNotFound as exc:
                raise StatesError(INTRINSIC_FAILURE,
                                  f"The JsonPath argument '{path.text}' could not be found in the input") from exc
        return read

    def parse_string(self):
        self.pos += 1
        cooked, parts, chunk = [], [], []
        while self.pos < len(self.text) and self.text[self.pos] != "'":
            char = self.text[self.pos]
            if char == "\\":
                self.pos += 1
                char = self.text[self.pos:self.pos + 1]
                if char not in _ESCAPABLE:
                    raise self.error("only \\', \\{, \\} and \\\\ may be escaped in a string literal")
                chunk.append(char)
            elif char == "{" and self.text[self.pos + 1:self.pos + 2] == "}":
                parts.append("".join(chunk))
                chunk = []
                self.pos += 1
                char = "{}"
            else:
                chunk.append(char)
            cooked.append(char)
            self.pos += 1
        if self.pos >= len(self.text):
            raise self.error("unterminated string literal")
        self.pos += 1
        parts.append("".join(chunk))
        value = _Template("".join(cooked))
        value.parts = parts
        return value


def _make_call(name, fn, args):
    def call(data, run):
        values = [_within_limits(name, "received an argument", arg(data, run)) for arg in args]
        try:
            result = fn(run, *values)
        except StatesError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, OverflowError) as exc:
            raise StatesError(INTRINSIC_FAILURE, f"Invalid arguments in {name}: {exc}") from exc
        return _within_limits(name, "returned a value", result)
    return call


def _within_limits(name: str, what: str, value):
    if type(value) is dict or type(value) is list or (type(value) is str and len(value) > _SMALL_STRING):
        problem = over_limit(value)
        if problem is not None:
            raise StatesError(DATA_LIMIT_EXCEEDED, f"The intrinsic function {name} {what} {problem}.")
    return value


_SMALL_STRING = 1024  # shorter strings cannot approach the limit; skip measuring them


def _fail(message: str):
    raise StatesError(INTRINSIC_FAILURE, message)


def _is_int(value) -> bool:
    return type(value) is int or (type(value) is float and value.is_integer())


def _need(cond: bool, message: str):
    if not cond:
        _fail(message)


def _to_text(value) -> str:
    if isinstance(value, str):
        return value
    return dumps(value)


@intrinsic("Format", 1, None)
def _format(run, template, *values):
    _need(isinstance(template, str), "States.Format: the first argument must be a string")
    parts = template.parts if isinstance(template, _Template) else template.split("{}")
    _need(len(parts) - 1 == len(values),
          f"States.Format: the format string has {len(parts) - 1} placeholders but {len(values)} "
          f"arguments were given")
    out = [parts[0]]
    for value, part in zip(values, parts[1:]):
        out.append(java_text(value))
        out.append(part)
    return "".join(out)


@intrinsic("StringToJson", 1, 1)
def _string_to_json(run, text):
    _need(isinstance(text, str), "States.StringToJson: the argument must be a string")
    try:
        return loads(text) if text.strip() else None
    except NestingTooDeep as exc:
        raise StatesError(DATA_LIMIT_EXCEEDED, f"The intrinsic function States.StringToJson returned a value "
                                               f"{exc}.") from None


@intrinsic("JsonToString", 1, 1)
def _json_to_string(run, value):
    return dumps(value)


@intrinsic("Array", 0, None)
def _array(run, *values):
    return list(values)


@intrinsic("ArrayPartition", 2, 2)
def _array_partition(run, array, size):
    _need(type(array) is list, "States.ArrayPartition: the first argument must be an array")
    _need(_is_int(size) and size > 0, "States.ArrayPartition: the chunk size must be a positive integer")
    size = int(size)
    return [array[i:i + size] for i in range(0, len(array), size)]


@intrinsic("ArrayContains", 2, 2)
def _array_contains(run, array, value):
    _need(type(array) is list, "States.ArrayContains: the first argument must be an array")
    return any(json_equal(item, value) for item in array)


@intrinsic("ArrayRange", 3, 3)
def _array_range(run, start, end, step):
    _need(all(_is_int(v) for v in (start, end, step)), "States.ArrayRange: arguments must be integers")
    start, end, step = int(start), int(end), int(step)
    _need(step != 0, "States.ArrayRange: the step must not be 0")
    count = max(0, (end - start) // step + 1)
    _need(count <= MAX_RANGE, f"States.ArrayRange: the range has {count} items; at most {MAX_RANGE} are allowed")
    return list(range(start, end + (1 if step > 0 else -1), step))


@intrinsic("ArrayGetItem", 2, 2)
def _array_get_item(run, array, index):
    _need(type(array) is list, "States.ArrayGetItem: the first argument must be an array")
    _need(_is_int(index) and 0 <= index < len(array),
          f"States.ArrayGetItem: index {index} is out of bounds for an array of {len(array)} items")
    return array[int(index)]


@intrinsic("ArrayLength", 1, 1)
def _array_length(run, array):
    _need(type(array) is list, "States.ArrayLength: the argument must be an array")
    return len(array)


@intrinsic("ArrayUnique", 1, 1)
def _array_unique(run, array):
    _need(type(array) is list, "States.ArrayUnique: the argument must be an array")
    seen, out = set(), []
    for item in array:
        key = json_key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


@intrinsic("Base64Encode", 1, 1)
def _base64_encode(run, text):
    _need(isinstance(text, str) and len(text) <= MAX_STRING,
          f"States.Base64Encode: the argument must be a string of at most {MAX_STRING} characters")
    import base64  # here, not at the top: with hashlib, milliseconds of every start that few documents need
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@intrinsic("Base64Decode", 1, 1)
def _base64_decode(run, text):
    _need(isinstance(text, str) and len(text) <= MAX_STRING,
          f"States.Base64Decode: the argument must be a string of at most {MAX_STRING} characters")
    import base64
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (ValueError, UnicodeError):
        _fail("States.Base64Decode: the argument is not valid base64-encoded UTF-8")


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


@intrinsic("Hash", 2, 2)
def _hash(run, data, algorithm):
    _need(algorithm in _HASHES, f"States.Hash: unknown algorithm {algorithm!r}; use one of {', '.join(_HASHES)}")
    text = _to_text(data)
    _need(len(text) <= MAX_STRING, f"States.Hash: the input must be at most {MAX_STRING} characters")
    import hashlib
    return hashlib.new(_HASHES[algorithm], text.encode("utf-8")).hexdigest()


@intrinsic("JsonMerge", 3, 3)
def _json_merge(run, left, right, deep):
    _need(type(left) is dict and type(right) is dict, "States.JsonMerge: both objects must be JSON objects")
    _need(deep is False, "States.JsonMerge: only shallow merging is supported; the third argument must be false")
    return {**left, **right}


@intrinsic("MathRandom", 2, 3)
def _math_random(run, start, end, seed=None):
    _need(_is_int(start) and _is_int(end), "States.MathRandom: start and end must be integers")
    _need(start < end, "States.MathRandom: start must be less than end")
    rng = random.Random(int(seed)) if seed is not None else run.rng
    return rng.randrange(int(start), int(end))


@intrinsic("MathAdd", 2, 2)
def _math_add(run, a, b):
    """Non-integer arguments are rounded as the developer guide says, the way Java's Math.round rounds."""
    _need(type(a) in (int, float) and type(b) in (int, float), "States.MathAdd: both arguments must be numbers")
    return java_round(a) + java_round(b)


@intrinsic("StringSplit", 2, 2)
def _string_split(run, text, delimiters):
    _need(isinstance(text, str) and isinstance(delimiters, str), "States.StringSplit: both arguments must be strings")
    if not delimiters:
        return [text] if text else []
    return [piece for piece in re.split("[" + re.escape(delimiters) + "]", text) if piece]


@intrinsic("UUID", 0, 0)
def _uuid(run):
    return run.uuid4()

